//! The fix-it blocks a review comment offers (§12.9): an inline ignore the author can commit with
//! one click, and the `.securescan.yml` lines that pin the rule's severity.
//!
//! The original anchored its one-line suggestion on the line above the finding, so accepting it
//! replaced that line's code with the comment. Here the suggestion sits on the finding's own line
//! and carries that line's text below the `ignore-next-line` comment: accepting it inserts the
//! comment and keeps the code.

use securescan_model::{Severity, comment_prefixes};

/// The line-comment leader for `path`'s file type. Block comments (`/*`) are skipped: the mark
/// must be a whole line of its own without a closing `*/` to add.
pub fn line_comment_prefix(path: &str) -> Option<&'static str> {
    comment_prefixes(path)
        .iter()
        .copied()
        .find(|prefix| matches!(*prefix, "#" | "//" | "--"))
}

/// Whether the inline-suppression parser can read `rule_id` back: `[A-Za-z0-9._\-/]+` with at
/// least one letter or digit (it takes `--` or `//` alone for a comment starting). Offering a
/// mark it cannot read would suppress nothing.
pub fn is_markable_rule_id(rule_id: &str) -> bool {
    let id_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/');
    rule_id.chars().all(id_char) && rule_id.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The suggestion that suppresses `rule_id` on a line whose current text is `line_text`, for a
/// comment anchored on that line. `None` when the rule id cannot be marked, the file type has no
/// line comment, or the line itself contains a code fence (it would end the block early).
pub fn ignore_next_line(rule_id: &str, path: &str, line_text: &str) -> Option<String> {
    if !is_markable_rule_id(rule_id) || line_text.contains("```") {
        return None;
    }
    let prefix = line_comment_prefix(path)?;
    let indent_len = line_text.len() - line_text.trim_start_matches([' ', '\t']).len();
    let indent = &line_text[..indent_len];
    Some(format!(
        "Suppress this finding by committing this:\n\n\
         ```suggestion\n\
         {indent}{prefix} securescan: ignore-next-line {rule_id}\n\
         {line_text}\n\
         ```"
    ))
}

/// The `.securescan.yml` snippet that pins `rule_id` one severity step below `severity`, the
/// usual reason to pin (the original's default when no explicit level is asked for). `None` for
/// a rule id holding a control character: a line break in it would end the YAML line (and the
/// code block) and let the rest render as Markdown, and no config key could name it anyway.
pub fn severity_pin(rule_id: &str, severity: Severity) -> Option<String> {
    if rule_id.chars().any(char::is_control) {
        return None;
    }
    let lower = match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    };
    Some(format!(
        "Pin this rule's severity in `.securescan.yml`:\n\n\
         ```yaml\n\
         severity_overrides:\n  {rule_id}: {}\n\
         ```",
        lower.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ignore_comment_goes_above_the_unchanged_line_with_its_indentation() {
        assert_eq!(
            ignore_next_line("B602", "src/run.py", "    subprocess.call(cmd, shell=True)")
                .as_deref(),
            Some(
                "Suppress this finding by committing this:\n\n```suggestion\n    \
                 # securescan: ignore-next-line B602\n    subprocess.call(cmd, shell=True)\n```"
            )
        );
        let tabbed = ignore_next_line("R1", "main.go", "\t\teval(x)").unwrap_or_default();
        assert!(
            tabbed.contains("\n\t\t// securescan: ignore-next-line R1\n\t\teval(x)\n"),
            "{tabbed}"
        );
    }

    #[test]
    fn the_comment_leader_follows_the_file_type() {
        assert_eq!(line_comment_prefix("a.py"), Some("#"));
        assert_eq!(line_comment_prefix("web/App.tsx"), Some("//"));
        assert_eq!(line_comment_prefix("db/init.sql"), Some("--"));
        assert_eq!(line_comment_prefix("Dockerfile"), Some("#"));
        assert_eq!(line_comment_prefix("notes.txt"), Some("#"));
        let sql = ignore_next_line("R", "q.sql", "SELECT 1;").unwrap_or_default();
        assert!(
            sql.contains("\n-- securescan: ignore-next-line R\nSELECT 1;\n"),
            "{sql}"
        );
    }

    #[test]
    fn only_rule_ids_the_inline_parser_reads_get_a_suggestion() {
        assert!(is_markable_rule_id(
            "python.lang.security.audit.eval-detected"
        ));
        assert!(is_markable_rule_id("dockerfile/DL001"));
        assert!(is_markable_rule_id("CVE-2024-0001"));
        for unreadable in ["", "--", "//", "*", "npm@1.0", "a:b", "has space", "é"] {
            assert!(!is_markable_rule_id(unreadable), "{unreadable:?}");
            assert_eq!(ignore_next_line(unreadable, "a.py", "x"), None);
        }
    }

    #[test]
    fn a_line_holding_a_code_fence_gets_no_suggestion() {
        assert_eq!(ignore_next_line("R", "a.py", "s = '```'"), None);
    }

    #[test]
    fn the_pin_lowers_the_severity_one_step() {
        assert_eq!(
            severity_pin("python.lang.security.audit.eval-detected", Severity::High).as_deref(),
            Some(
                "Pin this rule's severity in `.securescan.yml`:\n\n```yaml\nseverity_overrides:\n  \
             python.lang.security.audit.eval-detected: medium\n```"
            )
        );
        let pinned = |s| severity_pin("R", s).unwrap_or_default();
        assert!(pinned(Severity::Critical).contains("  R: high\n"));
        assert!(pinned(Severity::Medium).contains("  R: low\n"));
        assert!(pinned(Severity::Low).contains("  R: info\n"));
        assert!(pinned(Severity::Info).contains("  R: info\n"));
    }

    #[test]
    fn a_rule_id_that_could_end_the_code_block_gets_no_pin() {
        let breakout = "R\n```\n<details><summary>ok</summary>";
        assert_eq!(severity_pin(breakout, Severity::High), None);
        assert_eq!(severity_pin("R\r```", Severity::High), None);
    }
}
