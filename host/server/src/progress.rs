//! What a scan's progress looks like to its watchers: the documented event names and payloads
//! of the SSE stream (made from the engine's own events and the queue's status changes), and the
//! in-app notifications the ones worth an operator's attention leave behind.

use serde_json::{Value, json};

use securescan_model::text::ellipsize;
use securescan_model::{ScanEvent, ScanResult, ScanType, ScannerStatus};
use securescan_store::NotificationRecord;

/// Errors are cut to this many characters on the wire (stack traces stay in the log).
const MAX_ERROR: usize = 200;

fn seconds(ms: u64) -> f64 {
    (ms as f64 / 10.0).round() / 100.0
}

/// The wire event for an engine event: `scan.start`, `scanner.*`. The engine's own end of scan
/// is not one: the scan ends when the queue has stored it (`scan.complete`).
pub fn engine_event(event: &ScanEvent, types: &[ScanType]) -> Option<(&'static str, Value)> {
    let scan_types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    Some(match event {
        ScanEvent::ScanStarted { target, scanners } => (
            "scan.start",
            json!({"scan_types": scan_types, "target": target, "scanners": scanners}),
        ),
        ScanEvent::ScannerStarted { scanner, scan_type } => (
            "scanner.start",
            json!({"name": scanner, "scan_type": scan_type.as_str()}),
        ),
        ScanEvent::ScannerCompleted {
            scanner,
            findings,
            duration_ms,
        } => (
            "scanner.complete",
            json!({"name": scanner, "duration_s": seconds(*duration_ms), "findings_count": findings}),
        ),
        ScanEvent::ScannerSkipped {
            scanner,
            reason,
            install_hint,
        } => (
            "scanner.skipped",
            json!({"name": scanner, "reason": reason, "install_hint": install_hint}),
        ),
        ScanEvent::ScannerFailed {
            scanner,
            kind,
            error,
            duration_ms,
        } => (
            "scanner.failed",
            json!({
                "name": scanner,
                "kind": kind,
                "error": ellipsize(error, MAX_ERROR),
                "duration_s": seconds(*duration_ms),
            }),
        ),
        ScanEvent::ScanFinished { .. } => return None,
    })
}

/// `scan.complete`: the counts, the score and which scanners ran or were skipped.
pub fn completed(result: &ScanResult, duration_ms: u64) -> Value {
    let summary = result.summary();
    let (mut run, mut skipped) = (Vec::new(), Vec::new());
    for outcome in &result.scanners {
        match &outcome.status {
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => skipped.push(json!({
                "name": outcome.scanner, "reason": reason, "install_hint": install_hint
            })),
            _ => run.push(outcome.scanner.clone()),
        }
    }
    json!({
        "findings_count": summary.total_findings,
        "risk_score": summary.risk_score,
        "severity_counts": {
            "critical": summary.critical,
            "high": summary.high,
            "medium": summary.medium,
            "low": summary.low,
            "info": summary.info,
        },
        "scanners_run": run,
        "scanners_skipped": skipped,
        "duration_s": seconds(duration_ms),
    })
}

pub fn failed(error: &str) -> Value {
    json!({ "error": ellipsize(error, MAX_ERROR) })
}

pub fn cancelled(reason: &str) -> Value {
    json!({ "reason": reason })
}

/// What a webhook receives of a scan event: the scan and its target, then the event's fields
/// (a failed scanner is named `scanner`, as in the documented payload).
pub fn webhook_data(scan_id: &str, target: &str, event: &str, data: &Value) -> Value {
    let mut delivered = serde_json::Map::new();
    delivered.insert("scan_id".into(), json!(scan_id));
    delivered.insert("target_path".into(), json!(target));
    if let Some(fields) = data.as_object() {
        for (name, value) in fields {
            let name = if event == "scanner.failed" && name == "name" {
                "scanner"
            } else {
                name
            };
            delivered.insert(name.to_string(), value.clone());
        }
    }
    Value::Object(delivered)
}

/// The notification a wire event leaves, if any: a completed scan with findings (as severe as
/// its worst finding), a failed scan, a failed scanner. Clean scans stay quiet.
pub fn notification(
    scan_id: &str,
    target: &str,
    event: &str,
    data: &Value,
    id: String,
    at: String,
) -> Option<NotificationRecord> {
    let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or("");
    let (severity, title, body) = match event {
        "scan.complete" => {
            let total = data["findings_count"].as_u64().unwrap_or(0);
            if total == 0 {
                return None;
            }
            let counts = &data["severity_counts"];
            let worst = ["critical", "high", "medium", "low", "info"]
                .into_iter()
                .find(|level| counts[level].as_u64().unwrap_or(0) > 0)
                .unwrap_or("info");
            let plural = if total == 1 { "finding" } else { "findings" };
            let run: Vec<&str> = data["scanners_run"]
                .as_array()
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            (
                worst,
                format!("{total} {plural} on {target}"),
                Some(format!("Scanners run: {}", run.join(", "))),
            )
        }
        "scan.failed" => (
            "high",
            format!("Scan failed: {target}"),
            Some(text("error").to_string()).filter(|e| !e.is_empty()),
        ),
        "scanner.failed" => (
            "medium",
            format!("Scanner failed: {}", text("name")),
            Some(ellipsize(text("error"), 100)),
        ),
        _ => return None,
    };
    Some(NotificationRecord {
        id,
        kind: event.to_string(),
        severity: severity.to_string(),
        title: ellipsize(&title, 300),
        body,
        scan_id: Some(scan_id.to_string()),
        link: Some(format!("/scan/{scan_id}")),
        created_at: at,
        read_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_scans_stay_quiet_and_the_worst_finding_sets_the_severity() {
        let at = || "2026-12-06T00:00:00Z".to_string();
        let quiet = json!({"findings_count": 0, "severity_counts": {}});
        assert!(notification("s", "/t", "scan.complete", &quiet, "n".into(), at()).is_none());
        let found = json!({
            "findings_count": 3,
            "severity_counts": {"critical": 0, "high": 2, "medium": 1, "low": 0, "info": 0},
            "scanners_run": ["semgrep", "bandit"],
        });
        let n = notification("s", "/t", "scan.complete", &found, "n".into(), at()).expect("one");
        assert_eq!(
            (n.severity.as_str(), n.title.as_str()),
            ("high", "3 findings on /t")
        );
        assert_eq!(n.link.as_deref(), Some("/scan/s"));
        let failed =
            notification("s", "/t", "scan.failed", &failed("boom"), "n".into(), at()).expect("one");
        assert_eq!(failed.severity, "high");
        assert!(notification("s", "/t", "scanner.start", &json!({}), "n".into(), at()).is_none());
    }

    #[test]
    fn long_errors_are_cut() {
        let long = "x".repeat(5000);
        assert_eq!(
            failed(&long)["error"].as_str().map(|e| e.chars().count()),
            Some(200)
        );
    }
}
