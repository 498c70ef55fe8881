//! Rendering a scan for people (text, html, report-pdf) and machines (json, sarif, csv, junit).
//! Every format but text is deterministic: the same scan renders to the same bytes.

mod csv;
pub mod github;
mod html;
mod json;
mod junit;
mod pdf;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use securescan_adapter_sdk::percent;

use sarif::SourceRoots;
pub use text::{TextStyle, wants_colour};

use securescan_model::{
    ALSO_REPORTED_BY, Explanations, Finding, ScanResult, ScannerOutcome, ScannerStatus, Severity,
    is_about_a_secret,
};

/// The formats one scan renders to; `name` is what `--output` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Human-readable summary and findings.
    Text,
    /// Machine-readable JSON (for `scan` and `ingest`: the array of findings, in canonical order).
    Json,
    /// The JSON findings inside an object that also says how each scanner ended (completed,
    /// skipped, failed) and the summary: for consumers that must tell "clean" from "nothing ran".
    JsonEnvelope,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
    Sarif,
    /// CSV (RFC 4180), one row per finding, for spreadsheets.
    Csv,
    /// JUnit XML for CI test-result tabs: critical and high findings fail.
    Junit,
    /// One self-contained HTML report: inline CSS, no scripts, nothing fetched.
    Html,
    /// A PDF report (PDF 1.4, built-in Helvetica), best written with `--output-file`.
    ReportPdf,
}

impl OutputFormat {
    /// Every format, in the order help and error messages list them.
    pub const ALL: [OutputFormat; 8] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::JsonEnvelope,
        OutputFormat::Sarif,
        OutputFormat::Csv,
        OutputFormat::Junit,
        OutputFormat::Html,
        OutputFormat::ReportPdf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::JsonEnvelope => "json-envelope",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Csv => "csv",
            OutputFormat::Junit => "junit",
            OutputFormat::Html => "html",
            OutputFormat::ReportPdf => "report-pdf",
        }
    }
}

/// Renders the scan, text without colour; see [`render_styled`].
pub fn render(result: &ScanResult, format: OutputFormat, working_dir: &Path) -> String {
    render_styled(result, format, TextStyle::PLAIN, working_dir)
}

/// Renders the scan, text drawn in `text_style`; SARIF reports file paths under the scan target
/// or `working_dir` (the directory the scan's relative paths are relative to) relative to
/// `%SRCROOT%`.
pub fn render_styled(
    result: &ScanResult,
    format: OutputFormat,
    text_style: TextStyle,
    working_dir: &Path,
) -> String {
    match format {
        OutputFormat::Text => text::render(result, text_style),
        OutputFormat::Json => json::render(result),
        OutputFormat::JsonEnvelope => json::render_envelope(result),
        OutputFormat::Sarif => sarif::render(
            result,
            &SourceRoots::for_target(&result.target, working_dir),
        ),
        OutputFormat::Csv => csv::render(result),
        OutputFormat::Junit => junit::render(result),
        OutputFormat::Html => html::render(result),
        OutputFormat::ReportPdf => pdf::render(result),
    }
}

/// [`render_styled`] into `out`; JSON is streamed, so a scan of many findings is never held
/// twice in memory.
pub fn render_to(
    result: &ScanResult,
    format: OutputFormat,
    text_style: TextStyle,
    working_dir: &Path,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => json::write(result, out),
        OutputFormat::JsonEnvelope => json::write_envelope(result, out),
        _ => out.write_all(render_styled(result, format, text_style, working_dir).as_bytes()),
    }
}

/// [`render_to`] with AI explanations shown where people read the report (text, html). Every
/// other format renders exactly as without them: machine output must not depend on a model's
/// answer.
pub fn render_explained_to(
    result: &ScanResult,
    format: OutputFormat,
    text_style: TextStyle,
    working_dir: &Path,
    explanations: &Explanations,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Text => {
            out.write_all(text::render_explained(result, text_style, explanations).as_bytes())
        }
        OutputFormat::Html => {
            out.write_all(html::render_explained(result, explanations).as_bytes())
        }
        _ => render_to(result, format, text_style, working_dir, out),
    }
}

/// Whether `format` shows AI explanations: nothing is worth sending to a model for the others.
pub fn shows_explanations(format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Text | OutputFormat::Html)
}

/// SARIF of the scan with `properties` on its invocation (diff and compare: which refs).
pub fn sarif_with(
    result: &ScanResult,
    properties: Option<serde_json::Map<String, serde_json::Value>>,
    working_dir: &Path,
) -> String {
    sarif::render_with(
        result,
        &SourceRoots::for_target(&result.target, working_dir),
        properties,
    )
}

/// The report's headline word for a risk score, on the original report's thresholds.
fn risk_label(score: f64) -> &'static str {
    match score {
        s if s >= 70.0 => "CRITICAL",
        s if s >= 50.0 => "HIGH",
        s if s >= 25.0 => "MEDIUM",
        s if s >= 1.0 => "LOW",
        _ => "INFO",
    }
}

/// Findings grouped by severity, most severe first, empty groups left out; canonical order
/// within a group.
pub(crate) fn by_severity(findings: &[Finding]) -> Vec<(Severity, Vec<&Finding>)> {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .map(|s| (s, findings.iter().filter(|f| f.severity == s).collect()))
    .filter(|(_, group): &(Severity, Vec<&Finding>)| !group.is_empty())
    .collect()
}

/// [`by_severity`] for the reports people read (text, html, report-pdf): within a group the
/// findings of one file are in line order, as someone reading the report walks the code — by
/// path (no file first), then line, ties in canonical order. The machine formats and the
/// change reports keep the canonical order.
pub(crate) fn by_severity_and_location(findings: &[Finding]) -> Vec<(Severity, Vec<&Finding>)> {
    let mut groups = by_severity(findings);
    for (_, group) in &mut groups {
        group.sort_by(|a, b| {
            let (pa, pb) = (a.file_path.as_deref(), b.file_path.as_deref());
            pa.unwrap_or("")
                .cmp(pb.unwrap_or(""))
                .then_with(|| a.line_start.unwrap_or(0).cmp(&b.line_start.unwrap_or(0)))
        });
    }
    groups
}

/// What a report people read shows as a finding's title, on one line: the title without the
/// rule id it may start with (`CKV2_AWS_11: Ensure …`), or, when the title is only an
/// identifier (bandit's `blacklist`, a semgrep rule id), the first sentence of the scanner's
/// message. The rule id is shown once, beside it. JSON and the other machine formats keep the
/// title as the scanner gave it.
///
/// The message of a finding about a credential may quote it (bandit: `Possible hardcoded
/// password: 'hunter2'`), and the text report lands in CI logs: only the message up to its first
/// colon, quote or `=` is shown (`Possible hardcoded password`), or the title when that is empty.
pub fn headline(f: &Finding) -> String {
    let title = f.title.trim();
    let rule = f
        .rule_id
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let unprefixed = rule
        .and_then(|rule| title.strip_prefix(rule))
        .and_then(|rest| rest.trim_start().strip_prefix(':'))
        .map(str::trim)
        .filter(|rest| !rest.is_empty());
    if let Some(rest) = unprefixed {
        return rest.to_string();
    }
    let only_an_identifier = title
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c));
    if only_an_identifier
        && let Some(message) = securescan_adapter_sdk::text::headline(&f.description)
    {
        if !is_about_a_secret(f) {
            return message;
        }
        let before_any_value = message
            .split([':', '\'', '"', '`', '='])
            .next()
            .unwrap_or("")
            .trim();
        if !before_any_value.is_empty() {
            return before_any_value.to_string();
        }
    }
    title.to_string()
}

/// The first critical and high findings (canonical order), for a report's executive summary.
fn top_findings(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Critical | Severity::High))
        .filter(|f| !f.is_suppressed())
        .take(3)
        .collect()
}

pub(crate) fn severity_heading(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// Each compliance tag with how many kept findings carry it, sorted by tag; empty when no finding
/// has tags, and then reports leave the coverage section out.
fn compliance_coverage(findings: &[Finding]) -> Vec<(&str, usize)> {
    let mut counts = BTreeMap::new();
    for tag in findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .flat_map(|f| &f.compliance_tags)
    {
        *counts.entry(tag.as_str()).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// A path as a URL path that can stand in a Markdown link: spaces, `#`, `%`, parentheses and
/// non-ASCII bytes percent-encoded.
pub(crate) fn encode_url_path(path: &str) -> String {
    percent::encode(path, percent::URL_PATH)
}

/// `[SUPPRESSED:<by>] ` before the title of a finding `--show-suppressed` kept, else nothing.
fn suppressed_prefix(f: &Finding) -> String {
    f.suppressed_by()
        .map_or_else(String::new, |by| format!("[SUPPRESSED:{by}] "))
}

/// `path:line`, `path`, or nothing when the finding has no file.
fn location(f: &Finding) -> Option<String> {
    let path = f.file_path.as_deref()?;
    Some(match f.line_start.filter(|&l| l > 0) {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    })
}

/// A scanner's status word and the detail behind it (what it found, why it was skipped, how it
/// failed).
fn scanner_status(result: &ScanResult, outcome: &ScannerOutcome) -> (&'static str, String) {
    match &outcome.status {
        ScannerStatus::Completed { findings } => {
            ("completed", completed_detail(result, outcome, *findings))
        }
        ScannerStatus::Skipped {
            reason,
            install_hint,
        } => (
            "skipped",
            match install_hint {
                Some(hint) => format!("{reason} (install: {hint})"),
                None => reason.clone(),
            },
        ),
        ScannerStatus::Failed { kind, error } => ("failed", format!("{kind}: {error}")),
    }
}

/// What became of the `reported` findings of a scanner that completed, so the count agrees with
/// the findings the report lists: `7 findings, 3 merged into other scanners' findings, 1
/// suppressed`. Merged ones are listed under the finding that absorbed them
/// (`metadata.also_reported_by`); suppressed ones are the rest, left out unless shown.
fn completed_detail(result: &ScanResult, outcome: &ScannerOutcome, reported: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let listed = result
        .findings
        .iter()
        .filter(|f| f.scanner == outcome.scanner)
        .count();
    let merged = result
        .findings
        .iter()
        .flat_map(|f| match f.metadata.get(ALSO_REPORTED_BY) {
            serde_json::Value::Array(entries) => entries,
            _ => Vec::new(),
        })
        .filter(|entry| entry["scanner"].as_str() == Some(outcome.scanner.as_str()))
        .count();
    let mut detail = format!("{listed} finding{}", plural(listed));
    if merged > 0 {
        let into = if merged == 1 {
            "another scanner's finding"
        } else {
            "other scanners' findings"
        };
        let _ = write!(detail, ", {merged} merged into {into}");
    }
    let suppressed = reported.saturating_sub(listed + merged);
    if suppressed > 0 {
        let _ = write!(detail, ", {suppressed} suppressed");
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(title: &str, rule: Option<&str>, description: &str) -> Finding {
        Finding {
            rule_id: rule.map(str::to_string),
            description: description.into(),
            ..Finding::sample("bandit", title, Severity::High)
        }
    }

    #[test]
    fn a_title_that_is_only_an_identifier_gives_way_to_the_scanners_message() {
        let b307 = finding(
            "blacklist",
            Some("B307"),
            "Use of possibly insecure function - consider using safer ast.literal_eval.",
        );
        assert_eq!(
            headline(&b307),
            "Use of possibly insecure function - consider using safer ast.literal_eval."
        );
        let semgrep = finding(
            "rules.python-eval",
            Some("rules.python-eval"),
            "eval() on data that may come from a user allows code injection. More.\nAnd more.",
        );
        assert_eq!(
            headline(&semgrep),
            "eval() on data that may come from a user allows code injection."
        );
        let nothing_said = finding("hashlib", Some("B324"), "  ");
        assert_eq!(headline(&nothing_said), "hashlib");
    }

    // Text reports land in CI logs: bandit's B105 message quotes the password it found.
    #[test]
    fn a_credential_findings_headline_leaves_out_the_value_its_message_quotes() {
        let b105 = Finding {
            cwe: Some("CWE-259".into()),
            ..finding(
                "hardcoded_password_string",
                Some("B105"),
                "Possible hardcoded password: 'Sup3rS3cretPassw0rd!'",
            )
        };
        assert_eq!(headline(&b105), "Possible hardcoded password");
        let quoted_first = Finding {
            cwe: Some("CWE-798".into()),
            ..finding("hardcoded_token", Some("X1"), "'hunter2' is hardcoded")
        };
        assert_eq!(headline(&quoted_first), "hardcoded_token");
    }

    #[test]
    fn a_title_starting_with_its_rule_id_loses_the_id_and_others_stay() {
        let checkov = finding(
            "CKV2_AWS_11: Ensure VPC flow logging is enabled in all VPCs",
            Some("CKV2_AWS_11"),
            "x",
        );
        assert_eq!(
            headline(&checkov),
            "Ensure VPC flow logging is enabled in all VPCs"
        );
        let trivy = finding("CVE-2024-0001 in requests", Some("CVE-2024-0001"), "x");
        assert_eq!(headline(&trivy), "CVE-2024-0001 in requests");
        let markup = finding("<script>alert('x')</script>", None, "y");
        assert_eq!(headline(&markup), "<script>alert('x')</script>");
    }

    #[test]
    fn a_scanners_count_splits_into_listed_merged_and_suppressed() {
        let mut winner = finding("t", Some("python-eval"), "d");
        winner.scanner = "semgrep".into();
        winner.metadata.insert(
            ALSO_REPORTED_BY,
            serde_json::json!([{"scanner": "bandit", "rule_id": "B307"}]),
        );
        let kept = finding("t", Some("B105"), "d");
        let outcome = |scanner: &str, findings| ScannerOutcome {
            scanner: scanner.into(),
            scan_type: securescan_model::ScanType::Code,
            status: ScannerStatus::Completed { findings },
            tool_version: None,
            warnings: Vec::new(),
            duration: Default::default(),
        };
        let result = ScanResult {
            scan_id: String::new(),
            target: ".".into(),
            scan_types: Vec::new(),
            scanners: vec![outcome("semgrep", 1), outcome("bandit", 4)],
            findings: vec![winner, kept],
        };
        assert_eq!(
            scanner_status(&result, &result.scanners[0]),
            ("completed", "1 finding".to_string())
        );
        assert_eq!(
            scanner_status(&result, &result.scanners[1]),
            (
                "completed",
                "1 finding, 1 merged into another scanner's finding, 2 suppressed".to_string()
            )
        );
    }
}
