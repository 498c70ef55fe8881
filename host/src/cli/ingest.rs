use std::path::{Path, PathBuf};

use clap::Args;

use super::config::{GateArgs, load_for};
use super::exit::{CommandResult, Failure};
use super::locations;
use super::scan::{ReportArgs, deliver};
use crate::limited_read::read_limited;
use crate::scan::runner_unknown_scanner;

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
    let scanner = locations::scanner()?;
    let Some(entry) = scanner.registry().get(&args.scanner) else {
        return Err(Failure::usage(runner_unknown_scanner(
            scanner.registry(),
            &args.scanner,
        )));
    };
    if !entry.reads_reports() {
        let readers: Vec<&str> = scanner
            .registry()
            .adapters
            .iter()
            .filter(|e| e.reads_reports())
            .map(|e| e.id.as_str())
            .collect();
        return Err(Failure::usage(format!(
            "{} reads no tool report (it gathers its own input during a scan); scanners that \
             ingest reports: {}",
            entry.id,
            readers.join(", ")
        )));
    }
    // The adapter would refuse a larger report anyway; reading one whole first could exhaust
    // memory (a 1 GiB file, /dev/zero).
    let limit = u64::try_from(entry.limits.max_input_bytes).unwrap_or(u64::MAX);
    let report = read_limited(&args.report, limit, "a report of this scanner")
        .map_err(|err| Failure::usage(err.to_string()))?;
    let result = scanner
        .ingest_with(
            &args.scanner,
            report,
            &args.target,
            &args.gate.policy(config.as_ref()),
        )
        .await
        .map_err(|err| Failure::usage(err.to_string()))?;
    deliver(&result, &args.output, &args.gate, config.as_ref())
}
