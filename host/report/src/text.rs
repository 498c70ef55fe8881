//! The human report: scanner outcomes, findings grouped by severity, then the summary. Colour is a
//! decoration only; without it the text is the same, byte for byte.

use std::ffi::OsStr;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::Path;

use super::{by_severity_and_location, completed_detail, headline};
use securescan_model::text::sanitize_line;
use securescan_model::{
    Explanation, Explanations, Finding, ScanResult, ScannerStatus, Severity, SuppressedBy,
};

/// How the text report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// ANSI colour and bold.
    pub colour: bool,
}

impl TextStyle {
    pub const PLAIN: TextStyle = TextStyle { colour: false };

    /// The style for an artifact written to `file`, or to stdout without one: a file is never
    /// coloured; stdout is when [`wants_colour`] says so for the environment.
    pub fn for_destination(file: Option<&Path>) -> TextStyle {
        if file.is_some() {
            return TextStyle::PLAIN;
        }
        let var = std::env::var_os;
        TextStyle {
            colour: wants_colour(
                std::io::stdout().is_terminal(),
                var("NO_COLOR").as_deref(),
                var("CLICOLOR_FORCE").as_deref(),
                var("TERM").as_deref(),
            ),
        }
    }
}

/// Colour for a stream: a non-empty `NO_COLOR` turns it off (<https://no-color.org>), whatever
/// else is set; a `CLICOLOR_FORCE` other than empty or `0` turns it on even for a pipe; otherwise
/// only a terminal that is not `TERM=dumb` gets it.
pub fn wants_colour(
    is_terminal: bool,
    no_color: Option<&OsStr>,
    clicolor_force: Option<&OsStr>,
    term: Option<&OsStr>,
) -> bool {
    let set = |value: Option<&OsStr>| value.is_some_and(|v| !v.is_empty());
    if set(no_color) {
        return false;
    }
    if set(clicolor_force) && clicolor_force != Some(OsStr::new("0")) {
        return true;
    }
    is_terminal && term != Some(OsStr::new("dumb"))
}

pub fn render(result: &ScanResult, style: TextStyle) -> String {
    render_explained(result, style, &Explanations::default())
}

/// The report with each explained finding's AI explanation and remediation below it.
pub fn render_explained(
    result: &ScanResult,
    style: TextStyle,
    explanations: &Explanations,
) -> String {
    let paint = Paint(style.colour);
    let mut out = String::new();
    let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!(
            "Scanning {} ({})",
            one_line(&result.target),
            types.join(", ")
        ))
    );
    render_scanners(&mut out, result, paint);
    render_findings(&mut out, &result.findings, explanations, paint);
    let s = result.summary();
    let _ = writeln!(out, "\n{}", paint.bold("Summary"));
    let _ = writeln!(
        out,
        "Total: {} ({} critical, {} high, {} medium, {} low, {} info)",
        count(s.total_findings, "finding"),
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info
    );
    if let Some(line) = suppressed_summary(&result.findings) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "Risk score: {:.1}", s.risk_score);
    out
}

/// `[SUPPRESSED:inline] ` (or `config`) before a finding `--show-suppressed` kept; nothing for
/// the others.
fn suppressed_prefix(f: &Finding, paint: Paint) -> String {
    match f.suppressed_by() {
        Some(by) => format!(
            "{} ",
            paint.dim(&format!("[SUPPRESSED:{}]", one_line(by.as_str())))
        ),
        None => String::new(),
    }
}

/// `Suppressed: 2 (inline=1, config=1, baseline=0)` when suppressed findings are listed; they are
/// not in the total above it.
fn suppressed_summary(findings: &[Finding]) -> Option<String> {
    let by = |mechanism: SuppressedBy| {
        findings
            .iter()
            .filter(|f| f.suppressed_by() == Some(&mechanism))
            .count()
    };
    let (inline, config, baseline) = (
        by(SuppressedBy::Inline),
        by(SuppressedBy::Config),
        by(SuppressedBy::Baseline),
    );
    let total = findings.iter().filter(|f| f.is_suppressed()).count();
    (total > 0).then(|| {
        format!("Suppressed: {total} (inline={inline}, config={config}, baseline={baseline})")
    })
}

fn render_scanners(out: &mut String, result: &ScanResult, paint: Paint) {
    let width = result
        .scanners
        .iter()
        .map(|s| s.scanner.chars().count())
        .max()
        .unwrap_or(0);
    for scanner in &result.scanners {
        let status = match &scanner.status {
            ScannerStatus::Completed { findings } => {
                one_line(&completed_detail(result, scanner, *findings))
            }
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => paint.dim(&match install_hint {
                Some(hint) => format!(
                    "skipped: {} (install: {})",
                    one_line(reason),
                    one_line(hint)
                ),
                None => format!("skipped: {}", one_line(reason)),
            }),
            ScannerStatus::Failed { kind, error } => {
                paint.red(&format!("FAILED ({kind}): {}", one_line(error)))
            }
        };
        let _ = writeln!(out, "  {:width$}  {status}", one_line(&scanner.scanner));
        for warning in &scanner.warnings {
            let continuation = format!("\n  {:width$}           ", "");
            let _ = writeln!(
                out,
                "  {:width$}  {}",
                "",
                paint.yellow(&format!("warning: {}", prose(warning, &continuation)))
            );
        }
    }
}

/// A heading per severity that has findings, then its findings (see
/// [`by_severity_and_location`]), each on one line with its remediation indented below it.
fn render_findings(
    out: &mut String,
    findings: &[Finding],
    explanations: &Explanations,
    paint: Paint,
) {
    let width = findings
        .iter()
        .map(|f| f.scanner.chars().count())
        .max()
        .unwrap_or(0);
    for (severity, group) in by_severity_and_location(findings) {
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        let _ = writeln!(out, "\n{}", paint.severity(severity, &heading));
        for f in group {
            let location = match (&f.file_path, f.line_start) {
                (Some(path), Some(line)) => format!("{}:{line}  ", one_line(path)),
                (Some(path), None) => format!("{}  ", one_line(path)),
                _ => String::new(),
            };
            let rule = f
                .rule_id
                .as_deref()
                .map(|r| format!(" {}", paint.dim(&format!("[{}]", one_line(r)))))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}{:width$}  {location}{}{rule}",
                suppressed_prefix(f, paint),
                one_line(&f.scanner),
                one_line(&headline(f))
            );
            if let Some(reason) = f.suppression.as_ref().and_then(|s| s.reason.as_deref()) {
                let _ = writeln!(
                    out,
                    "  {:width$}  {} {}",
                    "",
                    paint.dim("reason:"),
                    one_line(reason)
                );
            }
            if let Some(fix) = f.remediation.as_deref().filter(|r| !r.trim().is_empty()) {
                let continuation = format!("\n  {:width$}       ", "");
                let _ = writeln!(
                    out,
                    "  {:width$}  {} {}",
                    "",
                    paint.green("fix:"),
                    prose(fix.trim(), &continuation)
                );
            }
            if let Some(ai) = explanations.get(&f.fingerprint) {
                render_explanation(out, ai, width, paint);
            }
        }
    }
}

/// `AI:` and `AI fix:` lines under a finding, labelled so nobody mistakes a model's words for
/// the scanner's.
fn render_explanation(out: &mut String, ai: &Explanation, width: usize, paint: Paint) {
    for (label, text) in [("AI:", &ai.explanation), ("AI fix:", &ai.remediation)] {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let continuation = format!("\n  {:width$}  {:pad$}", "", "", pad = label.len() + 1);
        let _ = writeln!(
            out,
            "  {:width$}  {} {}",
            "",
            paint.cyan(label),
            prose(text, &continuation)
        );
    }
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Adapters already neutralize what they return; the report does it again for everything it
/// prints, so no text from a scanned tree (a file name, a title) can drive the terminal.
fn one_line(text: &str) -> String {
    sanitize_line(text, usize::MAX)
}

/// Multi-line text with each line after the first starting with `continuation`.
fn prose(text: &str, continuation: &str) -> String {
    text.lines()
        .map(one_line)
        .collect::<Vec<_>>()
        .join(continuation)
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    fn cyan(self, text: &str) -> String {
        self.wrap("36", text)
    }

    fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    fn severity(self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1",
        };
        self.wrap(code, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use securescan_model::ScanType;
    use securescan_model::ScannerOutcome;

    fn finding(severity: Severity, path: &str, line: u32, title: &str) -> Finding {
        Finding {
            file_path: Some(path.into()),
            line_start: Some(line),
            rule_id: Some(format!("rule-{title}")),
            ..Finding::sample("semgrep", title, severity)
        }
    }

    /// A scan of `findings`, with an outcome for semgrep and for each other scanner among them,
    /// whose counts agree with the findings.
    fn result(findings: Vec<Finding>) -> ScanResult {
        let mut findings = findings;
        securescan_model::sort_canonical(&mut findings);
        let mut ids = vec!["semgrep".to_string()];
        for f in &findings {
            if !ids.contains(&f.scanner) {
                ids.push(f.scanner.clone());
            }
        }
        let scanners = ids
            .into_iter()
            .map(|scanner| ScannerOutcome {
                status: ScannerStatus::Completed {
                    findings: findings.iter().filter(|f| f.scanner == scanner).count(),
                },
                scanner,
                scan_type: ScanType::Code,
                tool_version: None,
                warnings: Vec::new(),
                duration: Default::default(),
            })
            .collect();
        ScanResult {
            scan_id: String::new(),
            target: "app".into(),
            scan_types: vec![ScanType::Code],
            scanners,
            findings,
        }
    }

    fn sample() -> ScanResult {
        let mut secret = finding(Severity::Critical, "settings.py", 2, "AWS key");
        secret.scanner = "secrets".into();
        secret.remediation = Some("Rotate the key.\nThen remove it from history.".into());
        result(vec![
            finding(Severity::Low, "a.py", 1, "low one"),
            finding(Severity::High, "b.py", 9, "high b"),
            secret,
            finding(Severity::High, "a.py", 3, "high a"),
        ])
    }

    #[test]
    fn findings_are_grouped_most_severe_first_under_a_heading_with_their_count() {
        let text = render(&sample(), TextStyle::PLAIN);
        let expected = "\
Scanning app (code)
  semgrep  3 findings
  secrets  1 finding

CRITICAL (1)
  secrets  settings.py:2  AWS key [rule-AWS key]
           fix: Rotate the key.
                Then remove it from history.

HIGH (2)
  semgrep  a.py:3  high a [rule-high a]
  semgrep  b.py:9  high b [rule-high b]

LOW (1)
  semgrep  a.py:1  low one [rule-low one]

Summary
Total: 4 findings (1 critical, 2 high, 0 medium, 1 low, 0 info)
";
        let score = format!("Risk score: {:.1}\n", sample().summary().risk_score);
        assert_eq!(text, format!("{expected}{score}"));
    }

    #[test]
    fn a_finding_without_file_or_rule_keeps_the_columns() {
        let mut f = finding(Severity::Medium, "", 1, "in git history");
        f.file_path = None;
        f.line_start = None;
        f.rule_id = None;
        let text = render(&result(vec![f]), TextStyle::PLAIN);
        assert!(
            text.contains("\nMEDIUM (1)\n  semgrep  in git history\n"),
            "{text}"
        );
    }

    #[test]
    fn no_findings_means_no_headings() {
        let text = render(&result(Vec::new()), TextStyle::PLAIN);
        assert_eq!(
            text,
            "Scanning app (code)\n  semgrep  0 findings\n\nSummary\n\
             Total: 0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info)\nRisk score: 0.0\n"
        );
    }

    #[test]
    fn colour_adds_escapes_and_nothing_else() {
        let plain = render(&sample(), TextStyle::PLAIN);
        let coloured = render(&sample(), TextStyle { colour: true });
        assert!(!plain.contains("\x1b["), "{plain}");
        assert!(
            coloured.contains("\x1b[1;35mCRITICAL (1)\x1b[0m"),
            "{coloured}"
        );
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
            .expect("regex")
            .replace_all(&coloured, "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn escape_sequences_in_scanned_text_never_reach_the_terminal() {
        let mut f = finding(Severity::High, "evil\x1b]0;owned\x07.py", 1, "title\x1b[2J");
        f.remediation = Some("fix\x1b[31m it\r\nnow\u{9b}".into());
        f.rule_id = Some("r\x1b[0m".into());
        let text = render(&result(vec![f]), TextStyle::PLAIN);
        assert!(!text.contains('\x1b'), "{text:?}");
        assert!(!text.contains('\x07') && !text.contains('\r') && !text.contains('\u{9b}'));
        assert!(
            text.contains("evil\u{fffd}]0;owned\u{fffd}.py:1  title\u{fffd}[2J"),
            "{text}"
        );
    }

    #[test]
    fn no_color_wins_and_force_reaches_a_pipe() {
        let s = |v: &'static str| Some(OsStr::new(v));
        assert!(wants_colour(true, None, None, s("xterm-256color")));
        assert!(wants_colour(true, None, None, None));
        assert!(!wants_colour(false, None, None, s("xterm")), "a pipe");
        assert!(!wants_colour(true, s("1"), None, None));
        assert!(
            wants_colour(true, s(""), None, None),
            "an empty NO_COLOR is unset"
        );
        assert!(
            !wants_colour(true, s("1"), s("1"), None),
            "NO_COLOR beats the force"
        );
        assert!(wants_colour(false, None, s("1"), None));
        assert!(!wants_colour(false, None, s("0"), None));
        assert!(!wants_colour(false, None, s(""), None));
        assert!(!wants_colour(true, None, None, s("dumb")));
    }

    #[test]
    fn an_explained_finding_shows_the_ai_text_labelled_and_neutralized() {
        let mut scan = sample();
        for (n, f) in scan.findings.iter_mut().enumerate() {
            f.fingerprint = format!("fp{n}");
        }
        let explained = scan
            .findings
            .iter()
            .find(|f| f.title == "high b")
            .map(|f| f.fingerprint.clone())
            .unwrap();
        let mut explanations = Explanations::default();
        explanations.insert(
            explained,
            Explanation {
                explanation: "Shell injection.\nAn attacker\x1b[2J runs commands.".into(),
                remediation: "Pass a list.".into(),
            },
        );
        let text = render_explained(&scan, TextStyle::PLAIN, &explanations);
        assert!(
            text.contains(
                "  semgrep  b.py:9  high b [rule-high b]\n\
                 \x20          AI: Shell injection.\n\
                 \x20              An attacker\u{fffd}[2J runs commands.\n\
                 \x20          AI fix: Pass a list.\n"
            ),
            "{text}"
        );
        assert_eq!(text.matches("AI:").count(), 1, "{text}");
        assert_eq!(
            render_explained(&scan, TextStyle::PLAIN, &Explanations::default()),
            render(&scan, TextStyle::PLAIN)
        );
    }

    #[test]
    fn a_file_is_never_coloured() {
        assert_eq!(
            TextStyle::for_destination(Some(Path::new("report.txt"))),
            TextStyle::PLAIN
        );
    }
}
