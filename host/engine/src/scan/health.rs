//! Whether each scanner could run here, decided as a scan decides it: the same adapter check,
//! tool probe and ZAP session.

use std::path::Path;

use crate::gather::ZapSession;
use crate::settings::Settings;
use crate::tools::{ProbeCache, ToolStatus, probe_tool};
use securescan_model::ScannerHealth;
use securescan_registry::{AdapterEntry, Input, ZapDriver};
use securescan_sandbox::component_sha256;

/// Whether `entry`'s scanner could run: its adapter in `dir` intact, its tool usable.
pub async fn health(
    entry: &AdapterEntry,
    dir: &Path,
    settings: &Settings,
    probes: &ProbeCache,
) -> ScannerHealth {
    let adapter = match std::fs::read(dir.join(&entry.component)) {
        Err(_) => "missing (run `securescan adapter build`)".to_string(),
        Ok(bytes) if component_sha256(&bytes) != entry.sha256 => {
            "integrity mismatch (pin differs)".to_string()
        }
        Ok(_) => "ok".to_string(),
    };
    let builtin = |detail: String| ScannerHealth {
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
        Input::Zap(driver) => return zap_health(entry, driver, adapter, settings).await,
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
    let status = probe_tool(spec, probes).await;
    let builtin = matches!(entry.input, Input::Files(_));
    let detail = match (&status, builtin) {
        (ToolStatus::Available { path, .. }, _) => format!("{}", path.display()),
        (_, true) => format!("built-in ({} not usable: optional)", spec.name),
        (other, false) => other.reason(spec).unwrap_or_default(),
    };
    ScannerHealth {
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
async fn zap_health(
    entry: &AdapterEntry,
    driver: &ZapDriver,
    adapter: String,
    settings: &Settings,
) -> ScannerHealth {
    let (reachable, version, detail) = match settings.zap_address.clone() {
        None => (false, None, "SECURESCAN_ZAP_ADDRESS is not set".to_string()),
        Some(address) => {
            let session = ZapSession {
                address: address.clone(),
                api_key: settings.zap_api_key.clone(),
            };
            match tokio::task::spawn_blocking(move || session.version()).await {
                Ok(Ok(version)) => (true, Some(version), format!("ZAP daemon at {address}")),
                Ok(Err(err)) => (false, None, err.to_string()),
                Err(err) => (false, None, err.to_string()),
            }
        }
    };
    ScannerHealth {
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
