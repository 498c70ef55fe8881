//! Normalizes `semgrep scan --json` output.
//!
//! One finding per `results[]` entry. Semgrep's own `errors[]` (files it could not parse, rules it
//! skipped) become warnings, so a partial scan is never mistaken for a clean one.

mod report;

use securescan_adapter_sdk::prelude::*;

use report::{Report, SemgrepResult};

/// Semgrep's legacy words (ERROR/WARNING/INFO) and the newer CVSS-like ones. The original
/// implementation mapped the newer words to `low`; they mean what they say.
const SEVERITY: SeverityMap = SeverityMap::new(
    &[
        ("CRITICAL", Severity::Critical),
        ("ERROR", Severity::High),
        ("HIGH", Severity::High),
        ("WARNING", Severity::Medium),
        ("MEDIUM", Severity::Medium),
        ("INFO", Severity::Low),
        ("LOW", Severity::Low),
        ("INVENTORY", Severity::Info),
        ("EXPERIMENT", Severity::Info),
    ],
    Severity::Low,
);

pub struct Semgrep;

impl Adapter for Semgrep {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        let text = input.report_text()?;
        let report = Report::read(input, &text, |result| {
            let finding = to_finding(result, &mut output.warnings);
            output.push(finding);
        })?;
        report.check_is_semgrep()?;
        output
            .warnings
            .extend(report.errors.iter().map(report::SemgrepError::describe));
        Ok(output)
    }
}

fn to_finding(result: SemgrepResult<'_>, warnings: &mut Vec<String>) -> Finding {
    let extra = result.extra;
    let severity_word = extra.severity.as_deref().unwrap_or("INFO");
    if SEVERITY.lookup(severity_word).is_none() {
        warnings.push(format!(
            "{}: unknown semgrep severity {severity_word:?}, reported as low",
            result.check_id
        ));
    }
    let mut finding = Finding::new(
        &result.check_id,
        extra.message.as_deref().unwrap_or("No description"),
        SEVERITY.get(severity_word),
    )
    .rule(&result.check_id)
    .file(&result.path)
    .lines(result.start.line, result.end.line)
    .cwe(
        extra
            .metadata
            .and_then(report::first_cwe)
            .as_deref()
            .and_then(normalize_cwe),
    );
    if let Some(fix) = &extra.fix {
        finding = finding.remediation(fix);
    }
    // The rule's metadata object is kept verbatim, as raw text: no map is built only to be
    // encoded again for the host.
    match extra.metadata {
        Some(metadata) if metadata.get().trim_start().starts_with('{') => {
            finding.metadata = Metadata::Raw(metadata.to_owned())
        }
        Some(_) => warnings.push(format!(
            "{}: rule metadata is not an object; left out",
            result.check_id
        )),
        None => {}
    }
    finding
}

securescan_adapter_sdk::export_adapter!(Semgrep);

#[cfg(test)]
mod tests;
