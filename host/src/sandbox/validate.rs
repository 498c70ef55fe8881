//! Every field an adapter returns is checked before the host uses it: a broken or compromised
//! parser must not be able to smuggle oversized, malformed or misleading findings into a scan.

use serde_json::{Map, Value};

use super::AdapterFailure;
use super::bindings::{WitFinding, WitOutput, WitSeverity};
use crate::registry::Limits;

pub use securescan_adapter_sdk::{Finding as AdapterFinding, Output as AdapterOutput};

const MAX_TITLE: usize = 1024;
const MAX_RULE_ID: usize = 512;
const MAX_PATH: usize = 4096;
const MAX_TEXT: usize = 64 * 1024;
const MAX_METADATA: usize = 256 * 1024;
const MAX_WARNINGS: usize = 1000;
const MAX_WARNING_BYTES: usize = 4096;

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
        .map(|w| super::call::truncate(w, MAX_WARNING_BYTES).to_string())
        .collect();
    if dropped > 0 {
        warnings.push(format!("{dropped} more warnings were not kept"));
    }
    Ok(AdapterOutput { findings, warnings })
}

fn check_finding(f: WitFinding) -> Result<AdapterFinding, String> {
    text("title", &f.title, MAX_TITLE)?;
    if f.title.trim().is_empty() {
        return Err("title is empty".into());
    }
    text("description", &f.description, MAX_TEXT)?;
    optional("rule_id", f.rule_id.as_deref(), MAX_RULE_ID)?;
    optional("file", f.file.as_deref(), MAX_PATH)?;
    optional("remediation", f.remediation.as_deref(), MAX_TEXT)?;
    if let Some(cwe) = &f.cwe {
        let digits = cwe.strip_prefix("CWE-").unwrap_or("");
        if digits.is_empty()
            || digits.len() > 6
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
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
    let metadata: Map<String, Value> = match serde_json::from_str(&f.metadata) {
        Ok(Value::Object(map)) => map,
        _ => return Err("metadata is not a JSON object".into()),
    };
    Ok(AdapterFinding {
        rule_id: f.rule_id,
        title: f.title,
        description: f.description,
        severity: match f.severity {
            WitSeverity::Info => securescan_adapter_sdk::Severity::Info,
            WitSeverity::Low => securescan_adapter_sdk::Severity::Low,
            WitSeverity::Medium => securescan_adapter_sdk::Severity::Medium,
            WitSeverity::High => securescan_adapter_sdk::Severity::High,
            WitSeverity::Critical => securescan_adapter_sdk::Severity::Critical,
        },
        file: f.file,
        line_start: f.line_start,
        line_end: f.line_end,
        cwe: f.cwe,
        remediation: f.remediation,
        metadata,
    })
}

fn text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.len() > max {
        return Err(format!(
            "{field} is {} bytes, over the limit of {max}",
            value.len()
        ));
    }
    if value.contains('\0') {
        return Err(format!("{field} contains a NUL character"));
    }
    Ok(())
}

fn optional(field: &str, value: Option<&str>, max: usize) -> Result<(), String> {
    value.map_or(Ok(()), |v| text(field, v, max))
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
