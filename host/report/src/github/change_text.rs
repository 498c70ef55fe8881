//! The plain-text summary `diff` and `compare` print on a terminal (§12.10): one count line, then
//! the findings one per line.

use super::{file_path, finish, grouped_by_severity, is_shown, line_number, shown, terminal_text};
use crate::suppressed_prefix;
use securescan_model::{ChangeMode, ChangeSet, Finding};

/// The summary, ending in `\n`.
pub fn render_change_text(changes: &ChangeSet, mode: ChangeMode, show_suppressed: bool) -> String {
    let new = shown(&changes.new, show_suppressed).len();
    let fixed = shown(&changes.fixed, show_suppressed).len();
    let unchanged = changes.unchanged.len();
    let mut lines = vec![match mode {
        ChangeMode::Diff => {
            format!("SecureScan diff: {new} new, {fixed} fixed, {unchanged} unchanged")
        }
        ChangeMode::Compare => format!(
            "SecureScan compare: {new} new since baseline, {fixed} disappeared, \
             {unchanged} still present"
        ),
    }];
    if new == 0 && fixed == 0 {
        lines.push(String::new());
        lines.push(
            match mode {
                ChangeMode::Diff => "No new or fixed findings.",
                ChangeMode::Compare => "No drift since baseline.",
            }
            .to_string(),
        );
        return finish(lines);
    }
    let list = |lines: &mut Vec<String>, heading: &str, findings: &[Finding]| {
        lines.push(String::new());
        lines.push(heading.to_string());
        for (_, group) in grouped_by_severity(findings, |f| is_shown(f, show_suppressed)) {
            lines.extend(group.into_iter().map(|f| entry(f, show_suppressed)));
        }
    };
    match mode {
        ChangeMode::Diff => {
            if new > 0 {
                list(&mut lines, "New findings:", &changes.new);
            }
            // A fixed finding needs no action, so the terminal only counts them.
            if fixed > 0 {
                lines.push(String::new());
                lines.push(format!("Fixed findings: {fixed}"));
            }
        }
        ChangeMode::Compare => {
            if new > 0 {
                list(&mut lines, "New since baseline:", &changes.new);
            }
            if fixed > 0 {
                list(
                    &mut lines,
                    "Disappeared from baseline (drift?):",
                    &changes.fixed,
                );
            }
        }
    }
    finish(lines)
}

/// `  [<SEVERITY>] [SUPPRESSED:<reason>] <title> (<file>[:<line>])`.
fn entry(finding: &Finding, show_suppressed: bool) -> String {
    let badge = if show_suppressed {
        terminal_text(&suppressed_prefix(finding))
    } else {
        String::new()
    };
    let location = match (file_path(finding), line_number(finding.line_start)) {
        (Some(path), Some(line)) => format!(" ({}:{line})", terminal_text(path)),
        (Some(path), None) => format!(" ({})", terminal_text(path)),
        (None, _) => String::new(),
    };
    format!(
        "  [{}] {badge}{}{location}",
        finding.severity.as_str().to_uppercase(),
        terminal_text(&finding.title)
    )
}

#[cfg(test)]
mod tests {
    use super::super::appendix;
    use super::*;

    #[test]
    fn appendix_a9_diff_text_with_suppressed_findings() {
        assert_eq!(
            render_change_text(&appendix::changes(), ChangeMode::Diff, true),
            "SecureScan diff: 3 new, 1 fixed, 0 unchanged\n\
             \n\
             New findings:\n  \
             [CRITICAL] CVE-2024-0001 in requests (requirements.txt)\n  \
             [HIGH] Use of eval (src/app.py:42)\n  \
             [MEDIUM] [SUPPRESSED:config] subprocess_popen_with_shell_equals_true (src/run.py:10)\n\
             \n\
             Fixed findings: 1\n"
        );
    }

    #[test]
    fn appendix_a9_compare_text_without_suppressed_findings() {
        assert_eq!(
            render_change_text(&appendix::changes(), ChangeMode::Compare, false),
            "SecureScan compare: 2 new since baseline, 1 disappeared, 0 still present\n\
             \n\
             New since baseline:\n  \
             [CRITICAL] CVE-2024-0001 in requests (requirements.txt)\n  \
             [HIGH] Use of eval (src/app.py:42)\n\
             \n\
             Disappeared from baseline (drift?):\n  \
             [INFO] No active firewall detected\n"
        );
    }

    #[test]
    fn nothing_new_or_fixed_says_so_and_still_counts_unchanged() {
        let changes = ChangeSet {
            new: vec![appendix::shell()],
            fixed: Vec::new(),
            unchanged: vec![appendix::eval(), appendix::shell()],
        };
        assert_eq!(
            render_change_text(&changes, ChangeMode::Diff, false),
            "SecureScan diff: 0 new, 0 fixed, 2 unchanged\n\nNo new or fixed findings.\n"
        );
        assert_eq!(
            render_change_text(&ChangeSet::default(), ChangeMode::Compare, false),
            "SecureScan compare: 0 new since baseline, 0 disappeared, 0 still present\n\n\
             No drift since baseline.\n"
        );
    }

    #[test]
    fn only_the_sections_with_findings_are_printed() {
        let fixed_only = ChangeSet {
            fixed: vec![appendix::cve()],
            ..ChangeSet::default()
        };
        assert_eq!(
            render_change_text(&fixed_only, ChangeMode::Diff, false),
            "SecureScan diff: 0 new, 1 fixed, 0 unchanged\n\nFixed findings: 1\n"
        );
        assert_eq!(
            render_change_text(&fixed_only, ChangeMode::Compare, false),
            "SecureScan compare: 0 new since baseline, 1 disappeared, 0 still present\n\n\
             Disappeared from baseline (drift?):\n  [CRITICAL] CVE-2024-0001 in requests \
             (requirements.txt)\n"
        );
    }
}
