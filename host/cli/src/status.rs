use std::fmt::Write;

use clap::{Args, ValueEnum};

use super::exit::{CommandResult, Exit};
use super::locations;
use super::output::write_artifact;
use securescan_model::ScannerHealth;

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long, short = 'o', value_enum, default_value_t = StatusFormat::Text)]
    output: StatusFormat,
}

/// `status` describes scanners, not findings: the findings formats (sarif, csv, …) do not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusFormat {
    /// A table, one scanner per line.
    Text,
    /// The scanners as a JSON array.
    Json,
}

pub async fn run(args: StatusArgs) -> CommandResult {
    let rows = locations::engine()?.status().await;
    let text = match args.output {
        StatusFormat::Json => serde_json::to_string_pretty(&rows)
            .map(|t| t + "\n")
            .unwrap_or_default(),
        StatusFormat::Text => table(&rows),
    };
    write_artifact(&text, None)?;
    Ok(Exit::Ok)
}

fn table(rows: &[ScannerHealth]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<14} {:<10} {:<9} {:<10} {:<18} {:<8} DETAILS",
        "SCANNER", "TYPE", "AVAILABLE", "VERSION", "REQUIRED", "ADAPTER"
    );
    for r in rows {
        let detail = match &r.install_hint {
            Some(hint) => format!("{} — install: {hint}", r.detail),
            None => r.detail.clone(),
        };
        let _ = writeln!(
            out,
            "{:<14} {:<10} {:<9} {:<10} {:<18} {:<8} {detail}",
            r.scanner,
            r.scan_type.as_str(),
            if r.available { "yes" } else { "no" },
            r.tool_version.as_deref().unwrap_or("-"),
            r.required.as_deref().unwrap_or("-"),
            if r.adapter == "ok" { "ok" } else { "BAD" },
        );
        if r.adapter != "ok" {
            let _ = writeln!(out, "{:<14} adapter: {}", "", r.adapter);
        }
    }
    out
}
