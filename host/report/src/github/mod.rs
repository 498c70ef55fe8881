//! What `diff` and `compare` hand to GitHub: the PR comment the Action upserts (§12.5), the
//! review payload it posts (§12.6–§12.9), and the plain-text summary for a terminal (§12.10).
//!
//! The Markdown and JSON are a compatibility contract with the Action, which finds its earlier
//! comment by the marker on line 1 and its earlier review comments by their fingerprint marker;
//! every renderer is deterministic (same change set, same bytes).

mod change_text;
mod diff_positions;
pub mod limits;
mod markdown;
pub mod markers;
mod pr_comment;
mod review;
mod sentence;
mod suggestions;
mod wording;

#[cfg(test)]
mod appendix;

pub use change_text::render_change_text;
pub use pr_comment::{PrComment, render_pr_comment};
pub use review::{Review, ReviewEvent, render_review};

use crate::{by_severity, severity_heading};
use securescan_model::{Finding, Severity};

/// Whether a finding is rendered: suppressed ones only when the user asked to see them.
fn is_shown(finding: &Finding, show_suppressed: bool) -> bool {
    show_suppressed || !finding.is_suppressed()
}

/// The findings that are rendered, in their (canonical) order.
pub fn shown(findings: &[Finding], show_suppressed: bool) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| is_shown(f, show_suppressed))
        .collect()
}

/// [`by_severity`] over the findings `keep` accepts.
fn grouped_by_severity(
    findings: &[Finding],
    keep: impl Fn(&Finding) -> bool,
) -> Vec<(Severity, Vec<&Finding>)> {
    by_severity(findings)
        .into_iter()
        .map(|(severity, mut group)| {
            group.retain(|f| keep(f));
            (severity, group)
        })
        .filter(|(_, group)| !group.is_empty())
        .collect()
}

/// `#### <severity> (<count>)` and the blank line after it, where a severity's group starts.
fn push_severity_heading(lines: &mut Vec<String>, severity: Severity, count: usize) {
    lines.push(format!("#### {} ({count})", severity_heading(severity)));
    lines.push(String::new());
}

/// A character of scanned text kept on one line: line breaks and tabs become spaces (in
/// Markdown a line break could start a new block), other control characters (terminal escapes)
/// are dropped.
fn one_line(c: char) -> Option<char> {
    match c {
        '\n' | '\r' | '\t' => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    }
}

/// Scanned text for a terminal: [`one_line`], nothing escaped.
fn terminal_text(text: &str) -> String {
    text.chars().filter_map(one_line).collect()
}

/// `` `[SUPPRESSED:<reason>]` `` for a suppressed finding being shown, so a reader never takes
/// it for an active one.
fn suppressed_badge(finding: &Finding, show_suppressed: bool) -> Option<String> {
    finding
        .suppressed_by()
        .filter(|_| show_suppressed)
        .map(|reason| markdown::code(&format!("[SUPPRESSED:{reason}]")))
}

/// A line number as the original tested it: absent and 0 both mean "no line".
fn line_number(line: Option<u32>) -> Option<u32> {
    line.filter(|&l| l > 0)
}

/// The finding's file, when it has one (an empty path is none, as in the original).
fn file_path(finding: &Finding) -> Option<&str> {
    finding.file_path.as_deref().filter(|p| !p.is_empty())
}

/// `lines` joined with `\n`, trailing blank lines dropped, ending in exactly one `\n`.
fn finish(mut lines: Vec<String>) -> String {
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_drops_control_characters() {
        assert_eq!(terminal_text("a\u{1b}[0m\tb"), "a[0m b");
    }
}
