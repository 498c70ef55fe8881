use std::path::PathBuf;

use clap::Args;

use super::exit::{CommandResult, Failure};
use super::locations;
use super::output::write_artifact;
use super::scan::report_failures;
use crate::report::{OutputFormat, render};
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
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
    #[arg(long)]
    output_file: Option<PathBuf>,
}

pub async fn run(args: IngestArgs) -> CommandResult {
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
    let report = std::fs::read(&args.report)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", args.report.display())))?;
    let result = scanner
        .ingest(&args.scanner, report, &args.target)
        .await
        .map_err(Failure::usage)?;
    write_artifact(&render(&result, args.output), args.output_file.as_deref())?;
    Ok(report_failures(&result))
}
