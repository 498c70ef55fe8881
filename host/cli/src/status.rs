use std::fmt::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::exit::{CommandResult, Exit};
use super::locations;
use super::output::write_artifact;
use securescan_engine::findings::ScanType;
use securescan_engine::gather::ZapSession;
use securescan_engine::settings::user_setting;
use securescan_engine::tools::{ToolStatus, probe_tool};
use securescan_registry::{AdapterEntry, Input, ZapDriver};
use securescan_sandbox::component_sha256;

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

#[derive(Debug, Serialize)]
struct ScannerStatusRow {
    scanner: String,
    scan_type: ScanType,
    available: bool,
    tool: Option<String>,
    tool_version: Option<String>,
    required: Option<String>,
    detail: String,
    install_hint: Option<String>,
    adapter: String,
}

pub async fn run(args: StatusArgs) -> CommandResult {
    let registry = locations::builtin_registry()?;
    let dir = locations::adapter_dir();
    let mut rows = Vec::new();
    for entry in &registry.adapters {
        rows.push(row(entry, &dir).await);
    }
    let text = match args.output {
        StatusFormat::Json => serde_json::to_string_pretty(&rows)
            .map(|t| t + "\n")
            .unwrap_or_default(),
        StatusFormat::Text => table(&rows),
    };
    write_artifact(&text, None)?;
    Ok(Exit::Ok)
}

async fn row(entry: &AdapterEntry, dir: &std::path::Path) -> ScannerStatusRow {
    let adapter = match std::fs::read(dir.join(&entry.component)) {
        Err(_) => "missing (run `securescan adapter build`)".to_string(),
        Ok(bytes) if component_sha256(&bytes) != entry.sha256 => {
            "integrity mismatch (pin differs)".to_string()
        }
        Ok(_) => "ok".to_string(),
    };
    let builtin = |detail: String| ScannerStatusRow {
        scanner: entry.id.clone(),
        scan_type: entry.scan_type,
        available: adapter == "ok",
        tool: None,
        tool_version: None,
        required: None,
        detail,
        install_hint: None,
        adapter: adapter.clone(),
    };
    match &entry.input {
        Input::Zap(driver) => return zap_row(entry, driver, adapter).await,
        Input::Ingest => {
            return builtin(format!(
                "reads reports given to `securescan ingest --scanner {}`",
                entry.id
            ));
        }
        _ => {}
    }
    let Some(spec) = &entry.tool else {
        return builtin("built-in".into());
    };
    let status = probe_tool(spec).await;
    let builtin = matches!(entry.input, Input::Files(_));
    let detail = match (&status, builtin) {
        (ToolStatus::Available { path, .. }, _) => format!("{}", path.display()),
        (_, true) => format!("built-in ({} not usable: optional)", spec.name),
        (other, false) => other.reason(spec).unwrap_or_default(),
    };
    ScannerStatusRow {
        scanner: entry.id.clone(),
        scan_type: entry.scan_type,
        available: adapter == "ok" && (builtin || status.is_available()),
        tool: Some(spec.name.clone()),
        tool_version: status.version().map(str::to_string),
        required: Some(spec.versions.to_string()),
        detail,
        install_hint: (!status.is_available()).then(|| spec.install_hint.clone()),
        adapter,
    }
}

/// ZAP is available when its daemon answers at the configured address.
async fn zap_row(entry: &AdapterEntry, driver: &ZapDriver, adapter: String) -> ScannerStatusRow {
    let (reachable, version, detail) = match user_setting("SECURESCAN_ZAP_ADDRESS") {
        None => (false, None, "SECURESCAN_ZAP_ADDRESS is not set".to_string()),
        Some(address) => {
            let session = ZapSession {
                address: address.clone(),
                api_key: user_setting("SECURESCAN_ZAP_API_KEY"),
            };
            match tokio::task::spawn_blocking(move || session.version()).await {
                Ok(Ok(version)) => (true, Some(version), format!("ZAP daemon at {address}")),
                Ok(Err(err)) => (false, None, err.to_string()),
                Err(err) => (false, None, err.to_string()),
            }
        }
    };
    ScannerStatusRow {
        scanner: entry.id.clone(),
        scan_type: entry.scan_type,
        available: adapter == "ok" && reachable,
        tool: Some("zap".into()),
        tool_version: version,
        required: None,
        detail,
        install_hint: (!reachable).then(|| driver.install_hint.clone()),
        adapter,
    }
}

fn table(rows: &[ScannerStatusRow]) -> String {
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
