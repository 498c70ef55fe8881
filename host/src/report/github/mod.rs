//! What `diff` and `compare` hand to GitHub: the PR comment the Action upserts (§12.5), the
//! review payload it posts (§12.6–§12.9), and the plain-text summary for a terminal (§12.10).
//!
//! The Markdown and JSON are a compatibility contract with the Action, which finds its earlier
//! comment by the marker on line 1 and its earlier review comments by their fingerprint marker;
//! every renderer is deterministic (same change set, same bytes).

mod change_text;
mod diff_positions;
pub mod markers;
mod pr_comment;
mod review;
mod sentence;
mod suggestions;

#[cfg(test)]
mod appendix;

pub use change_text::render_change_text;
pub use pr_comment::{PrComment, render_pr_comment};
pub use review::{Review, ReviewEvent, render_review};

use crate::findings::{Finding, Severity, suppressed_by};
use crate::report::by_severity;

/// Whether a finding is rendered: suppressed ones only when the user asked to see them.
fn is_shown(finding: &Finding, show_suppressed: bool) -> bool {
    show_suppressed || suppressed_by(finding).is_none()
}

/// The findings that are rendered, in their (canonical) order.
pub(crate) fn shown(findings: &[Finding], show_suppressed: bool) -> Vec<&Finding> {
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

/// Scanned text (titles, descriptions, remediation) made inert in GitHub Markdown: `&`, `<`
/// and `>` as entities, so a finding about `<script>` or `<!-- securescan:diff -->` shows as
/// text and never becomes HTML or a second upsert marker; control characters (terminal escape
/// sequences) dropped, line breaks kept as spaces.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// [`markdown_text`] for a terminal: control characters dropped, nothing escaped.
fn terminal_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect()
}

/// `` `[SUPPRESSED:<reason>]` `` for a suppressed finding being shown, so a reader never takes
/// it for an active one.
fn suppressed_badge(finding: &Finding, show_suppressed: bool) -> Option<String> {
    suppressed_by(finding)
        .filter(|_| show_suppressed)
        .map(|reason| format!("`[SUPPRESSED:{reason}]`"))
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
    fn scanned_text_cannot_become_html_or_a_second_upsert_marker() {
        assert_eq!(
            markdown_text("<!-- securescan:diff --> <script>x & y</script>"),
            "&lt;!-- securescan:diff --&gt; &lt;script&gt;x &amp; y&lt;/script&gt;"
        );
        assert_eq!(
            markdown_text("red \u{1b}[31mtext\nnext"),
            "red [31mtext next"
        );
        assert_eq!(terminal_text("a\u{1b}[0m\tb"), "a[0m b");
    }
}
