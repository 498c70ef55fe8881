use std::path::{Path, PathBuf};

use clap::Args;

use super::config::{GateArgs, load_for};
use super::exit::{CommandResult, Failure};
use super::locations;
use super::scan::{ReportArgs, deliver, request_failure};
use securescan_engine::IngestRequest;
use securescan_engine::limited_read::read_limited;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The scanner whose adapter reads the report (see `securescan status`).
    #[arg(long)]
    scanner: String,
    /// The tool's report, as the tool printed it.
    report: PathBuf,
    /// What the report was produced for; recorded as the scan target.
    #[arg(long, default_value = ".")]
    target: String,
    #[command(flatten)]
    output: ReportArgs,
    #[command(flatten)]
    gate: GateArgs,
}

pub async fn run(args: IngestArgs) -> CommandResult {
    // The target's config applies as in a scan: overrides, ignored rules, fail_on_severity.
    let start = Path::new(&args.target);
    let config = load_for(if start.exists() {
        start
    } else {
        Path::new(".")
    })?;
    let engine = locations::engine()?;
    let entry = engine
        .report_reader(&args.scanner)
        .map_err(request_failure)?;
    // The adapter would refuse a larger report anyway; reading one whole first could exhaust
    // memory (a 1 GiB file, /dev/zero).
    let limit = u64::try_from(entry.limits.max_input_bytes).unwrap_or(u64::MAX);
    let report = read_limited(&args.report, limit, "a report of this scanner")
        .map_err(|err| Failure::usage(err.to_string()))?;
    let request = IngestRequest {
        scanner: args.scanner.clone(),
        report,
        target: args.target.clone(),
        policy: args.gate.policy(config.as_ref()),
    };
    let result = engine
        .ingest(request, &|_| {})
        .await
        .map_err(request_failure)?;
    deliver(&result, &args.output, &args.gate, config.as_ref())
}
