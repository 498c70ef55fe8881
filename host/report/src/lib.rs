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
use std::path::Path;

use securescan_adapter_sdk::percent;

use sarif::SourceRoots;
pub use text::{TextStyle, wants_colour};

use securescan_model::{Explanations, Finding, ScanResult, ScannerStatus, Severity};

/// The formats one scan renders to; `name` is what `--output` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Human-readable summary and findings.
    Text,
    /// Machine-readable JSON (for `scan` and `ingest`: the array of findings, in canonical order).
    Json,
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
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Text,
        OutputFormat::Json,
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

/// Severity capitalized, as report headings show it.
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

/// A scanner's status word and the detail behind it (count, reason, error).
fn scanner_status(status: &ScannerStatus) -> (&'static str, String) {
    match status {
        ScannerStatus::Completed { findings } => (
            "completed",
            format!(
                "{findings} finding{}",
                if *findings == 1 { "" } else { "s" }
            ),
        ),
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
