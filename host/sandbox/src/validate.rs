//! Every field an adapter returns is checked before the host uses it: a broken or compromised
//! parser must not be able to smuggle oversized, malformed or misleading findings into a scan.

use serde_json::value::RawValue;

use super::AdapterFailure;
use super::bindings::{WitFinding, WitOutput, WitSeverity};
use securescan_registry::Limits;

use securescan_adapter_sdk::Metadata;
pub use securescan_adapter_sdk::{Finding as AdapterFinding, Output as AdapterOutput, Severity};
use securescan_model::text::{Shape, clean, sanitize};

const MAX_TITLE: usize = 1024;
const MAX_RULE_ID: usize = 512;
const MAX_PATH: usize = 4096;
const MAX_TEXT: usize = 64 * 1024;
const MAX_METADATA: usize = 256 * 1024;
const MAX_WARNINGS: usize = 1000;
const MAX_WARNING_BYTES: usize = 4096;
/// `CWE-` followed by at most this many digits (the catalogue is in the low thousands).
const MAX_CWE_DIGITS: usize = 6;

/// The checks the host applies to whatever an adapter returns: structure refused when wrong,
/// content text neutralized.
pub fn validate(output: WitOutput, limits: &Limits) -> Result<AdapterOutput, AdapterFailure> {
    CheckedOutput::new(*limits).finish(output)
}

/// What one call has handed over so far, each page checked as it arrives (`sink.submit`) and the
/// limits counted over the whole call, so paging output is never a way around them.
#[derive(Debug)]
pub struct CheckedOutput {
    limits: Limits,
    findings: Vec<AdapterFinding>,
    bytes: usize,
}

impl CheckedOutput {
    pub fn new(limits: Limits) -> CheckedOutput {
        CheckedOutput {
            limits,
            findings: Vec::new(),
            bytes: 0,
        }
    }

    /// Check and keep one page of findings; the first refusal is the call's result.
    pub fn take(&mut self, page: Vec<WitFinding>) -> Result<(), AdapterFailure> {
        let invalid = |reason: String| AdapterFailure::InvalidOutput { reason };
        let count = self.findings.len() + page.len();
        if count > self.limits.max_findings {
            return Err(invalid(format!(
                "{count} findings exceed the limit of {}",
                self.limits.max_findings
            )));
        }
        self.bytes += page.iter().map(finding_size).sum::<usize>();
        self.check_size()?;
        self.findings.reserve(page.len());
        for finding in page {
            let index = self.findings.len();
            self.findings.push(
                check_finding(finding)
                    .map_err(|reason| invalid(format!("finding {index}: {reason}")))?,
            );
        }
        Ok(())
    }

    fn check_size(&self) -> Result<(), AdapterFailure> {
        if self.bytes > self.limits.max_output_bytes {
            return Err(AdapterFailure::InvalidOutput {
                reason: format!(
                    "{} bytes of output exceed the limit of {} bytes",
                    self.bytes, self.limits.max_output_bytes
                ),
            });
        }
        Ok(())
    }

    /// The returned output's findings follow the submitted ones; its warnings are cleaned.
    pub fn finish(mut self, output: WitOutput) -> Result<AdapterOutput, AdapterFailure> {
        self.bytes += output.warnings.iter().map(String::len).sum::<usize>();
        // Also checks the size with the warnings counted.
        self.take(output.findings)?;
        let warnings = clean_warnings(&output.warnings);
        Ok(AdapterOutput {
            findings: self.findings,
            warnings,
        })
    }
}

fn clean_warnings(all: &[String]) -> Vec<String> {
    let dropped = all.len().saturating_sub(MAX_WARNINGS);
    let mut warnings: Vec<String> = all
        .iter()
        .take(MAX_WARNINGS)
        .map(|w| sanitize(w, MAX_WARNING_BYTES))
        .collect();
    if dropped > 0 {
        warnings.push(format!("{dropped} more warnings were not kept"));
    }
    warnings
}

fn clean_optional(value: Option<String>, max: usize, shape: Shape) -> Option<String> {
    value.map(|v| clean(v, max, shape))
}

/// A finding's structure is the adapter's responsibility and is refused when wrong; its text is
/// content and is cleaned.
fn check_finding(f: WitFinding) -> Result<AdapterFinding, String> {
    if f.title.trim().is_empty() {
        return Err("title is empty".into());
    }
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
    // Checked, not decoded: the text must be valid JSON and an object. It stays text for the rest
    // of the scan; whatever reads a key decodes it then (see `Metadata`).
    let is_object = f.metadata.trim_start().starts_with('{');
    let metadata = match RawValue::from_string(f.metadata) {
        Ok(raw) if is_object => Metadata::Raw(raw),
        _ => return Err("metadata is not a JSON object".into()),
    };
    Ok(AdapterFinding {
        rule_id: clean_optional(f.rule_id, MAX_RULE_ID, Shape::Line),
        title: clean(f.title, MAX_TITLE, Shape::Line),
        description: clean(f.description, MAX_TEXT, Shape::Prose),
        severity: match f.severity {
            WitSeverity::Info => Severity::Info,
            WitSeverity::Low => Severity::Low,
            WitSeverity::Medium => Severity::Medium,
            WitSeverity::High => Severity::High,
            WitSeverity::Critical => Severity::Critical,
        },
        file: clean_optional(f.file, MAX_PATH, Shape::Line),
        line_start: f.line_start,
        line_end: f.line_end,
        cwe: f.cwe,
        remediation: clean_optional(f.remediation, MAX_TEXT, Shape::Prose),
        metadata,
    })
}

fn finding_size(f: &WitFinding) -> usize {
    f.title.len()
        + f.description.len()
        + f.metadata.len()
        + [&f.rule_id, &f.file, &f.cwe, &f.remediation]
            .iter()
            .map(|s| s.as_ref().map_or(0, String::len))
            .sum::<usize>()
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

    fn checked(f: WitFinding) -> AdapterFinding {
        let output = WitOutput {
            findings: vec![f],
            warnings: Vec::new(),
        };
        validate(output, &Limits::default())
            .unwrap()
            .findings
            .remove(0)
    }

    // Regression: a committed file named with a tab (or an env key holding an escape byte) made
    // the whole secrets scanner fail, so repository content could switch secrets scanning off.
    #[test]
    fn control_characters_from_scanned_content_are_neutralized_not_refused() {
        let mut f = finding();
        f.title = "ok\u{1b}[2Jwiped \u{9b}c1".into();
        f.file = Some("dir/a\tb.env".into());
        f.description = "line\r\n\tnext\rlast\u{7}".into();
        let checked = checked(f);
        assert_eq!(checked.title, "ok\u{fffd}[2Jwiped \u{fffd}c1");
        assert_eq!(checked.file.as_deref(), Some("dir/a\u{fffd}b.env"));
        assert_eq!(checked.description, "line\n\tnext\nlast\u{fffd}");
    }

    #[test]
    fn overlong_text_is_cut_on_a_character_boundary() {
        let mut f = finding();
        f.title = "é".repeat(MAX_TITLE);
        let title = checked(f).title;
        assert!(
            title.len() <= MAX_TITLE && title.chars().all(|c| c == 'é'),
            "{}",
            title.len()
        );
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
    fn submitted_pages_come_first_and_are_numbered_across_the_call() {
        let titled = |title: &str| WitFinding {
            title: title.into(),
            ..finding()
        };
        let mut checked = CheckedOutput::new(Limits::default());
        checked.take(vec![titled("a"), titled("b")]).unwrap();
        checked.take(vec![titled("c")]).unwrap();
        let output = checked
            .finish(WitOutput {
                findings: vec![titled("d")],
                warnings: Vec::new(),
            })
            .unwrap();
        let titles: Vec<&str> = output.findings.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(titles, ["a", "b", "c", "d"]);

        let mut checked = CheckedOutput::new(Limits::default());
        checked.take(vec![titled("a"), titled("b")]).unwrap();
        let refused = checked.take(vec![titled("c"), titled(" ")]).unwrap_err();
        assert_eq!(
            refused,
            AdapterFailure::InvalidOutput {
                reason: "finding 3: title is empty".into()
            }
        );
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
        assert!(
            sanitize(&"\u{1}".repeat(MAX_WARNING_BYTES), MAX_WARNING_BYTES).len()
                <= MAX_WARNING_BYTES
        );
        assert_eq!(
            checked.warnings[MAX_WARNINGS],
            "5 more warnings were not kept"
        );
    }
}
