//! `securescan baseline`: write every current finding's identity to a file that later scans
//! suppress with `--baseline` and `compare` measures drift against.

use std::path::PathBuf;

use clap::Args;

use super::config::load_for;
use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::scan::{
    ScanOptions, announce, config_start, progress, report_outcomes, request_failure,
};
use crate::atomic::{check_writable, write_creating_dirs};
use securescan_engine::config::FindingPolicy;

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The directory to scan.
    #[arg(default_value = ".")]
    target: String,
    /// Where to write the baseline (its directory is created).
    #[arg(
        long = "output-file",
        short = 'o',
        default_value = ".securescan/baseline.json"
    )]
    output_file: PathBuf,
    #[command(flatten)]
    options: ScanOptions,
}

/// The baseline holds what the scanners report, before the config's overrides and suppression:
/// it records what exists, and suppression decisions are made when it is used. The config's
/// scan types and semgrep rules do apply, so the baseline covers what `scan` reports.
pub async fn run(args: BaselineArgs) -> CommandResult {
    let config = load_for(&config_start(&args.target))?;
    let request = args.options.request(
        args.target.clone(),
        config.as_ref(),
        FindingPolicy::default(),
    )?;
    let unwritable = |err: std::io::Error| {
        Failure::internal(format!(
            "cannot write {}: {err}",
            args.output_file.display()
        ))
    };
    // Find out that the file cannot be written before the scan, not after it.
    check_writable(&args.output_file).map_err(unwritable)?;
    let engine = locations::engine()?;
    announce(&engine, &request)?;
    let baseline = engine
        .baseline(&request, &args.output_file, &progress())
        .await
        .map_err(request_failure)?;
    let exit = report_outcomes(&baseline.scanners);
    write_creating_dirs(&args.output_file, baseline.text.as_bytes()).map_err(unwritable)?;
    let bytes = baseline.text.len();
    tell!(
        "Wrote baseline to {} ({} findings, {bytes} bytes)",
        args.output_file.display(),
        baseline.findings
    );
    if exit != Exit::Ok {
        tell!(
            "securescan: the baseline is missing what the failed scanner(s) would have found; \
             fix them and write it again"
        );
    }
    Ok(exit)
}
