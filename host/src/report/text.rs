use std::fmt::Write;

use crate::scan::{ScanResult, ScannerStatus};

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(out, "Scanning {} ({})", result.target, types.join(", "));
    let width = result
        .scanners
        .iter()
        .map(|s| s.scanner.len())
        .max()
        .unwrap_or(0);
    for scanner in &result.scanners {
        let status = match &scanner.status {
            ScannerStatus::Completed { findings } => format!(
                "{findings} finding{}",
                if *findings == 1 { "" } else { "s" }
            ),
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => match install_hint {
                Some(hint) => format!("skipped: {reason} (install: {hint})"),
                None => format!("skipped: {reason}"),
            },
            ScannerStatus::Failed { kind, error } => format!("FAILED ({kind}): {error}"),
        };
        let _ = writeln!(out, "  {:width$}  {status}", scanner.scanner);
        for warning in &scanner.warnings {
            // Continuation lines of a multi-line warning stay indented under it.
            let indented = warning.replace('\n', &format!("\n  {:width$}           ", ""));
            let _ = writeln!(out, "  {:width$}  warning: {indented}", "");
        }
    }
    if !result.findings.is_empty() {
        out.push('\n');
    }
    for f in &result.findings {
        let location = match (&f.file_path, f.line_start) {
            (Some(path), Some(line)) => format!(" {path}:{line}"),
            (Some(path), None) => format!(" {path}"),
            _ => String::new(),
        };
        let rule = f
            .rule_id
            .as_deref()
            .map(|r| format!(" [{r}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "[{}] {}{location} {}{rule}",
            f.severity.as_str().to_uppercase(),
            f.scanner,
            f.title
        );
    }
    let s = result.summary();
    let _ = writeln!(out, "\nSummary");
    let _ = writeln!(
        out,
        "Total: {} finding{} ({} critical, {} high, {} medium, {} low, {} info)",
        s.total_findings,
        if s.total_findings == 1 { "" } else { "s" },
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info
    );
    let _ = writeln!(out, "Risk score: {:.1}", s.risk_score);
    out
}
