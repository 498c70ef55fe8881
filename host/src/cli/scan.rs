use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::output::write_artifact;
use crate::findings::ScanType;
use crate::report::{OutputFormat, render};
use crate::scan::{ScanRequest, ScanResult, ScannerOutcome, ScannerStatus};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory or file to scan.
    target: String,
    /// Scan type to run (repeatable): code, dependency, iac, baseline, dast, network.
    /// Default: code and dependency.
    #[arg(long = "type", short = 't', value_parser = parse_scan_type)]
    types: Vec<ScanType>,
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
    /// Write the output here instead of stdout.
    #[arg(long)]
    output_file: Option<PathBuf>,
    /// Semgrep rule source (repeatable): a rules file or directory, or a registry name such as
    /// `auto` or `p/ci` when semgrep can reach its registry. Default: auto.
    #[arg(
        long = "semgrep-config",
        env = "SECURESCAN_SEMGREP_CONFIG",
        value_delimiter = ','
    )]
    semgrep_config: Vec<String>,
}

pub fn parse_scan_type(text: &str) -> Result<ScanType, String> {
    ScanType::parse(&text.to_lowercase())
        .ok_or_else(|| format!("invalid scan type {text:?}. Valid: {}", ScanType::names()))
}

pub async fn run(args: ScanArgs) -> CommandResult {
    if !Path::new(&args.target).exists() {
        return Err(Failure::usage(format!(
            "target path does not exist: {}",
            args.target
        )));
    }
    let mut types = if args.types.is_empty() {
        vec![ScanType::Code, ScanType::Dependency]
    } else {
        args.types
    };
    types.sort();
    types.dedup();
    let mut vars = BTreeMap::new();
    if !args.semgrep_config.is_empty() {
        vars.insert(
            "semgrep".to_string(),
            BTreeMap::from([("config".to_string(), args.semgrep_config)]),
        );
    }
    let request = ScanRequest {
        target: args.target,
        types,
        vars,
    };
    let scanner = locations::scanner()?;
    let show_progress = std::io::stderr().is_terminal();
    if show_progress {
        let ids: Vec<&str> = scanner
            .registry()
            .for_types(&request.types)
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        eprintln!("Scanning {} with {}", request.target, ids.join(", "));
    }
    let result = scanner
        .scan(&request, |outcome| {
            if show_progress {
                eprintln!("{}", progress_line(outcome))
            }
        })
        .await;
    write_artifact(&render(&result, args.output), args.output_file.as_deref())?;
    Ok(report_failures(&result))
}

/// Tell stderr about each failed scanner; the exit code says whether any did.
pub fn report_failures(result: &ScanResult) -> Exit {
    let mut exit = Exit::Ok;
    for outcome in result.failed() {
        if let ScannerStatus::Failed { kind, error } = &outcome.status {
            eprintln!(
                "securescan: scanner {} failed ({kind}): {error}",
                outcome.scanner
            );
            exit = Exit::ScannerFailed;
        }
    }
    exit
}

fn progress_line(outcome: &ScannerOutcome) -> String {
    let seconds = outcome.duration.as_secs_f64();
    match &outcome.status {
        ScannerStatus::Completed { findings } => format!(
            "  ✓ {}: {findings} finding(s) ({seconds:.2}s)",
            outcome.scanner
        ),
        ScannerStatus::Skipped { reason, .. } => {
            format!("  ⏭ {}: skipped, {reason}", outcome.scanner)
        }
        ScannerStatus::Failed { kind, .. } => format!(
            "  ✗ {}: failed ({kind}) after {seconds:.2}s",
            outcome.scanner
        ),
    }
}
