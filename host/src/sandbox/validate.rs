//! Every field an adapter returns is checked before the host uses it: a broken or compromised
//! parser must not be able to smuggle oversized, malformed or misleading findings into a scan.

use serde_json::value::RawValue;

use super::AdapterFailure;
use super::bindings::{WitFinding, WitOutput, WitSeverity};
use crate::registry::Limits;

use securescan_adapter_sdk::Metadata;
pub use securescan_adapter_sdk::{Finding as AdapterFinding, Output as AdapterOutput, Severity};

const MAX_TITLE: usize = 1024;
const MAX_RULE_ID: usize = 512;
const MAX_PATH: usize = 4096;
const MAX_TEXT: usize = 64 * 1024;
const MAX_METADATA: usize = 256 * 1024;
const MAX_WARNINGS: usize = 1000;
const MAX_WARNING_BYTES: usize = 4096;
/// `CWE-` followed by at most this many digits (the catalogue is in the low thousands).
const MAX_CWE_DIGITS: usize = 6;

pub fn validate(output: WitOutput, limits: &Limits) -> Result<AdapterOutput, AdapterFailure> {
    let invalid = |reason: String| AdapterFailure::InvalidOutput { reason };
    if output.findings.len() > limits.max_findings {
        return Err(invalid(format!(
            "{} findings exceed the limit of {}",
            output.findings.len(),
            limits.max_findings
        )));
    }
    let size = output_size(&output);
    if size > limits.max_output_bytes {
        return Err(invalid(format!(
            "{size} bytes of output exceed the limit of {} bytes",
            limits.max_output_bytes
        )));
    }
    let mut findings = Vec::with_capacity(output.findings.len());
    for (index, finding) in output.findings.into_iter().enumerate() {
        findings.push(
            check_finding(finding)
                .map_err(|reason| invalid(format!("finding {index}: {reason}")))?,
        );
    }
    let dropped = output.warnings.len().saturating_sub(MAX_WARNINGS);
    let mut warnings: Vec<String> = output
        .warnings
        .iter()
        .take(MAX_WARNINGS)
        .map(|w| sanitize(w, MAX_WARNING_BYTES))
        .collect();
    if dropped > 0 {
        warnings.push(format!("{dropped} more warnings were not kept"));
    }
    Ok(AdapterOutput { findings, warnings })
}

/// Informational text (warnings, a tool's stderr): shortened, with control characters other than
/// newline and tab replaced, so it can neither flood nor rewrite a terminal. Never refused.
pub fn sanitize(text: &str, max: usize) -> String {
    super::call::truncate(text, max)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

fn check_finding(f: WitFinding) -> Result<AdapterFinding, String> {
    text("title", &f.title, MAX_TITLE, Shape::Line)?;
    if f.title.trim().is_empty() {
        return Err("title is empty".into());
    }
    text("description", &f.description, MAX_TEXT, Shape::Prose)?;
    optional("rule_id", f.rule_id.as_deref(), MAX_RULE_ID, Shape::Line)?;
    optional("file", f.file.as_deref(), MAX_PATH, Shape::Line)?;
    optional(
        "remediation",
        f.remediation.as_deref(),
        MAX_TEXT,
        Shape::Prose,
    )?;
    if let Some(cwe) = &f.cwe {
        let digits = cwe.strip_prefix("CWE-").unwrap_or("");
        let well_formed = !digits.is_empty()
            && digits.len() <= MAX_CWE_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !well_formed {
            return Err(format!("cwe {cwe:?} is not of the form CWE-<n>"));
        }
    }
    match (f.line_start, f.line_end) {
        (Some(0), _) | (_, Some(0)) => return Err("line numbers start at 1".into()),
        (None, Some(_)) => return Err("line_end without line_start".into()),
        (Some(start), Some(end)) if end < start => {
            return Err(format!("line_end {end} is before line_start {start}"));
        }
        _ => {}
    }
    if f.metadata.len() > MAX_METADATA {
        return Err(format!(
            "metadata is {} bytes, over the limit of {MAX_METADATA}",
            f.metadata.len()
        ));
    }
    // Checked, not decoded: the text must be valid JSON and an object. It is decoded once, when
    // the finding joins the scan.
    let is_object = f.metadata.trim_start().starts_with('{');
    let metadata = match RawValue::from_string(f.metadata) {
        Ok(raw) if is_object => Metadata::Raw(raw),
        _ => return Err("metadata is not a JSON object".into()),
    };
    Ok(AdapterFinding {
        rule_id: f.rule_id,
        title: f.title,
        description: f.description,
        severity: match f.severity {
            WitSeverity::Info => Severity::Info,
            WitSeverity::Low => Severity::Low,
            WitSeverity::Medium => Severity::Medium,
            WitSeverity::High => Severity::High,
            WitSeverity::Critical => Severity::Critical,
        },
        file: f.file,
        line_start: f.line_start,
        line_end: f.line_end,
        cwe: f.cwe,
        remediation: f.remediation,
        metadata,
    })
}

/// Control characters could rewrite a terminal (escape sequences) or forge log lines: a one-line
/// field allows none, prose allows newline and tab.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Line,
    Prose,
}

fn text(field: &str, value: &str, max: usize, shape: Shape) -> Result<(), String> {
    if value.len() > max {
        return Err(format!(
            "{field} is {} bytes, over the limit of {max}",
            value.len()
        ));
    }
    // Fast path: no byte below 0x20, no DEL, and no 0xC2 (which starts every C1 control) means no
    // control character at all.
    if !value.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return Ok(());
    }
    let allowed = |c: char| shape == Shape::Prose && (c == '\n' || c == '\t');
    if let Some(bad) = value.chars().find(|&c| c.is_control() && !allowed(c)) {
        return Err(format!("{field} contains the control character {bad:?}"));
    }
    Ok(())
}

fn optional(field: &str, value: Option<&str>, max: usize, shape: Shape) -> Result<(), String> {
    value.map_or(Ok(()), |v| text(field, v, max, shape))
}

fn output_size(output: &WitOutput) -> usize {
    let finding_size = |f: &WitFinding| {
        f.title.len()
            + f.description.len()
            + f.metadata.len()
            + [&f.rule_id, &f.file, &f.cwe, &f.remediation]
                .iter()
                .map(|s| s.as_ref().map_or(0, String::len))
                .sum::<usize>()
    };
    output.findings.iter().map(finding_size).sum::<usize>()
        + output.warnings.iter().map(String::len).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding() -> WitFinding {
        WitFinding {
            rule_id: Some("r".into()),
            title: "t".into(),
            description: "line one\n\tline two".into(),
            severity: WitSeverity::High,
            file: Some("a.py".into()),
            line_start: Some(3),
            line_end: Some(4),
            cwe: Some("CWE-79".into()),
            remediation: None,
            metadata: "{}".into(),
        }
    }

    fn reason(f: WitFinding) -> String {
        let output = WitOutput {
            findings: vec![f],
            warnings: Vec::new(),
        };
        match validate(output, &Limits::default()) {
            Err(AdapterFailure::InvalidOutput { reason }) => reason,
            other => panic!("expected invalid output, got {other:?}"),
        }
    }

    #[test]
    fn a_well_formed_finding_passes_unchanged() {
        let output = WitOutput {
            findings: vec![finding()],
            warnings: Vec::new(),
        };
        let checked = validate(output, &Limits::default()).unwrap();
        assert_eq!(checked.findings[0].description, "line one\n\tline two");
    }

    #[test]
    fn terminal_escapes_in_one_line_fields_are_refused() {
        let mut f = finding();
        f.title = "ok\u{1b}[2Jwiped".into();
        let mut c1 = finding();
        c1.title = "c1 \u{9b} control".into();
        assert!(reason(c1).contains("title contains the control character"));
        assert_eq!(
            reason(f),
            "finding 0: title contains the control character '\\u{1b}'"
        );
        let mut f = finding();
        f.file = Some("a.py\nforged log line".into());
        assert!(reason(f).contains("file contains the control character"));
    }

    #[test]
    fn malformed_cwes_metadata_and_lines_are_refused() {
        for (cwe, ok) in [
            ("CWE-79", true),
            ("CWE-079", false),
            ("cwe-79", false),
            ("CWE-1234567", false),
        ] {
            let mut f = finding();
            f.cwe = Some(cwe.into());
            let output = WitOutput {
                findings: vec![f],
                warnings: Vec::new(),
            };
            assert_eq!(validate(output, &Limits::default()).is_ok(), ok, "{cwe}");
        }
        let mut f = finding();
        f.metadata = "[1]".into();
        assert_eq!(reason(f), "finding 0: metadata is not a JSON object");
        let mut f = finding();
        f.line_start = None;
        assert_eq!(reason(f), "finding 0: line_end without line_start");
    }

    #[test]
    fn warnings_are_sanitized_and_capped_not_refused() {
        let warnings: Vec<String> = (0..MAX_WARNINGS + 5)
            .map(|i| format!("w{i}\u{1b}[31m"))
            .collect();
        let checked = validate(
            WitOutput {
                findings: Vec::new(),
                warnings,
            },
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(checked.warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(checked.warnings[0], "w0\u{fffd}[31m");
        assert_eq!(
            checked.warnings[MAX_WARNINGS],
            "5 more warnings were not kept"
        );
    }
}
