//! Inline suppression: `# securescan: ignore RULE-ID because …` comments in the scanned files,
//! and the [`Suppression`] every suppressed finding carries (shown as `metadata.suppressed_by`,
//! and `metadata.suppression_reason` when the comment gives one).
//!
//! Grammar (case-insensitive marker and directive):
//! `securescan: ignore|ignore-this-line|ignore-next-line ID[, ID…] [reason]`, where the marker is
//! at the start of the line or after whitespace, an id is `[A-Za-z0-9._\-/*]+` (`*` alone is every
//! rule), a block comment ends the mark at `*/`, and whatever follows the ids is the reason.

use super::{Finding, ScanRoot, SourceFiles};
pub use securescan_model::{SuppressedBy, Suppression, comment_prefixes};

/// Which line an inline mark silences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `ignore` and `ignore-this-line`.
    ThisLine,
    /// `ignore-next-line`: the line right below, blank or not.
    NextLine,
}

/// One `securescan: ignore…` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreMark {
    pub target: Target,
    /// Rule ids as written (compared case-sensitively); `*` is every rule.
    pub rules: Vec<String>,
    pub reason: Option<String>,
}

impl IgnoreMark {
    fn covers(&self, rule: &str) -> bool {
        self.rules.iter().any(|r| r == "*" || r == rule)
    }
}

const MARKER: &str = "securescan";

/// Every mark on `line` of a file whose comments start with one of `prefixes`.
pub fn parse_line(line: &str, prefixes: &[&str]) -> Vec<IgnoreMark> {
    if !prefixes.iter().any(|p| line.contains(p)) {
        return Vec::new();
    }
    // ASCII lowercasing keeps byte offsets, so positions found here index `line` too.
    let lower = line.to_ascii_lowercase();
    let mut marks = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(MARKER) {
        let start = from + found;
        from = start + MARKER.len();
        let at_boundary = line[..start]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if at_boundary && let Some(mark) = parse_mark(&line[from..]) {
            marks.push(mark);
        }
    }
    marks
}

/// The rest of a mark after `securescan`: `: directive ids [reason]`.
fn parse_mark(rest: &str) -> Option<IgnoreMark> {
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let (target, rest) = [
        ("ignore-next-line", Target::NextLine),
        ("ignore-this-line", Target::ThisLine),
        ("ignore", Target::ThisLine),
    ]
    .into_iter()
    .find_map(|(word, target)| {
        let head = rest.get(..word.len())?;
        head.eq_ignore_ascii_case(word)
            .then(|| (target, &rest[word.len()..]))
    })?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    // A block comment's mark ends where the comment does.
    let rest = rest.split("*/").next().unwrap_or(rest);
    let (rules, rest) = rule_list(rest.trim_start());
    if rules.is_empty() {
        return None;
    }
    let reason = rest
        .trim()
        .trim_start_matches(['#', '/', '-', ':', '—'])
        .trim();
    Some(IgnoreMark {
        target,
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

/// Comma-separated ids from the start of `text`, and what follows them.
fn rule_list(mut text: &str) -> (Vec<String>, &str) {
    let is_id_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '*');
    let mut rules = Vec::new();
    loop {
        let end = text.find(|c: char| !is_id_char(c)).unwrap_or(text.len());
        let id = &text[..end];
        // `--` or `//` alone is a comment starting, not a rule.
        if id == "*" || id.chars().any(|c| c.is_ascii_alphanumeric()) {
            rules.push(id.to_string());
        } else if !id.is_empty() {
            return (rules, text);
        }
        let after = text[end..].trim_start();
        match after.strip_prefix(',') {
            Some(next) => text = next.trim_start(),
            None => return (rules, &text[end..]),
        }
    }
}

/// Finds the inline mark that silences a finding, reading the scanned files through `sources`.
pub struct InlineMarks<'a> {
    root: Option<&'a ScanRoot>,
    sources: &'a mut dyn SourceFiles,
}

impl<'a> InlineMarks<'a> {
    pub fn new(root: Option<&'a ScanRoot>, sources: &'a mut dyn SourceFiles) -> InlineMarks<'a> {
        InlineMarks { root, sources }
    }

    /// The mark silencing `finding`: one on its line (`ignore`, `ignore-this-line`) or the line
    /// above (`ignore-next-line`) that lists its rule or `*`. A finding needs a rule, a file
    /// inside the scan root and a line to be silenced inline.
    pub fn find(&mut self, finding: &Finding) -> Option<IgnoreMark> {
        let rule = finding.rule_id.as_deref()?;
        let line = finding.line_start.filter(|&l| l > 0)?;
        let relative = self.root?.relative(finding.file_path.as_deref()?)?;
        let prefixes = comment_prefixes(&relative);
        let text = self.sources.source(&relative)?;
        let on = |number: u32, target: Target| {
            text.lines(number, number)
                .flat_map(|l| parse_line(l, prefixes))
                .find(|m| m.target == target && m.covers(rule))
        };
        on(line, Target::ThisLine).or_else(|| on(line - 1, Target::NextLine))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(line: &str) -> Vec<IgnoreMark> {
        parse_line(line, comment_prefixes("any.txt"))
    }

    fn one(line: &str) -> IgnoreMark {
        let mut found = marks(line);
        assert_eq!(found.len(), 1, "{line}: {found:?}");
        found.remove(0)
    }

    fn ids(mark: &IgnoreMark) -> Vec<&str> {
        mark.rules.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_documented_python_examples_parse() {
        let same = one(
            "data = eval(payload) # securescan: ignore python.lang.security.audit.eval-detected",
        );
        assert_eq!(same.target, Target::ThisLine);
        assert_eq!(ids(&same), ["python.lang.security.audit.eval-detected"]);
        assert_eq!(same.reason, None);
        let next = one("# securescan: ignore-next-line python.lang.security.audit.eval-detected");
        assert_eq!(next.target, Target::NextLine);
        assert_eq!(ids(&next), ["python.lang.security.audit.eval-detected"]);
        assert_eq!(ids(&one("x = 1  # securescan: ignore B106")), ["B106"]);
    }

    #[test]
    fn the_documented_comma_list_parses() {
        let mark = one(
            "// securescan: ignore-next-line javascript.lang.security.detect-eval, \
             javascript.lang.security.detect-non-literal-regex",
        );
        assert_eq!(
            ids(&mark),
            [
                "javascript.lang.security.detect-eval",
                "javascript.lang.security.detect-non-literal-regex"
            ]
        );
        assert_eq!(mark.reason, None);
        assert_eq!(ids(&one("# securescan: ignore A,B ,C")), ["A", "B", "C"]);
    }

    #[test]
    fn the_documented_sql_wildcard_example_matches() {
        let mark = one("-- securescan: ignore * (wildcard — silences EVERY rule on this line)");
        assert_eq!(ids(&mark), ["*"]);
        assert_eq!(
            mark.reason.as_deref(),
            Some("(wildcard — silences EVERY rule on this line)")
        );
        assert!(mark.covers("anything"));
    }

    #[test]
    fn a_trailing_reason_is_kept_apart_from_the_rule() {
        let mark = one("# securescan: ignore RULE-A  because reasons");
        assert_eq!(ids(&mark), ["RULE-A"]);
        assert_eq!(mark.reason.as_deref(), Some("because reasons"));
        let dashed = one("# securescan: ignore B105 -- test fixture");
        assert_eq!(ids(&dashed), ["B105"]);
        assert_eq!(dashed.reason.as_deref(), Some("test fixture"));
    }

    #[test]
    fn a_block_comment_ends_the_mark() {
        let mark = one("/* securescan: ignore X */");
        assert_eq!(ids(&mark), ["X"]);
        assert_eq!(mark.reason, None);
        assert_eq!(ids(&one("f(); /* securescan: ignore X*/ g();")), ["X"]);
        let reasoned = one("/* securescan: ignore X, Y legacy API */");
        assert_eq!(ids(&reasoned), ["X", "Y"]);
        assert_eq!(reasoned.reason.as_deref(), Some("legacy API"));
    }

    #[test]
    fn marker_and_directive_are_case_insensitive_ids_are_not() {
        let mark = one("# SecureScan : IGNORE-THIS-LINE Rule.X");
        assert_eq!(mark.target, Target::ThisLine);
        assert_eq!(ids(&mark), ["Rule.X"]);
        assert!(!mark.covers("rule.x"));
    }

    #[test]
    fn the_marker_must_start_a_word_and_name_a_rule() {
        assert!(marks("#securescan: ignore X").is_empty());
        assert!(marks("# securescan: ignore").is_empty());
        assert!(marks("# securescan: ignore -- no rule").is_empty());
        assert!(marks("# securescan: ignored X").is_empty());
        assert!(marks("# securescan ignore X").is_empty());
    }

    #[test]
    fn a_line_may_hold_several_marks() {
        let found = marks("# securescan: ignore A # securescan: ignore-next-line B");
        assert_eq!(found.len(), 2);
        assert_eq!(ids(&found[0]), ["A"]);
        assert_eq!(found[1].target, Target::NextLine);
    }

    #[test]
    fn only_the_file_types_comment_prefixes_are_examined() {
        assert_eq!(comment_prefixes("src/app.py"), ["#"]);
        assert_eq!(comment_prefixes("web/App.TSX"), ["//", "/*"]);
        assert_eq!(comment_prefixes("db/init.sql"), ["--", "/*"]);
        assert_eq!(comment_prefixes("Dockerfile"), ["#"]);
        assert_eq!(comment_prefixes("Makefile.am"), ["#"]);
        assert_eq!(comment_prefixes("notes.txt"), ["#", "//", "--", "/*"]);
        assert!(parse_line("// securescan: ignore X", comment_prefixes("a.py")).is_empty());
        assert!(parse_line("/* securescan: ignore X */", comment_prefixes("a.py")).is_empty());
        assert_eq!(
            parse_line("-- securescan: ignore X", comment_prefixes("a.sql")).len(),
            1
        );
    }

    mod resolution {
        use std::collections::HashMap;
        use std::path::Path;

        use super::super::*;
        use crate::findings::{Severity, SourceText};

        struct Tree(HashMap<String, SourceText>);

        impl SourceFiles for Tree {
            fn source(&mut self, relative: &str) -> Option<&SourceText> {
                self.0.get(relative)
            }
        }

        fn finding(rule: &str, line: u32) -> Finding {
            Finding {
                file_path: Some("app.py".into()),
                line_start: Some(line),
                line_end: Some(line),
                rule_id: Some(rule.into()),
                ..Finding::sample("bandit", rule, Severity::High)
            }
        }

        fn found(text: &str, f: &Finding) -> Option<IgnoreMark> {
            let root = ScanRoot::at(Path::new("/repo"), Path::new("/repo"));
            let mut tree = Tree([("app.py".to_string(), SourceText::new(text.into()))].into());
            InlineMarks::new(Some(&root), &mut tree).find(f)
        }

        #[test]
        fn next_line_marks_target_only_the_line_below() {
            let text = "# securescan: ignore-next-line B1\nx()\ny()\n";
            assert!(found(text, &finding("B1", 2)).is_some());
            assert!(found(text, &finding("B1", 3)).is_none());
            assert!(found(text, &finding("B1", 1)).is_none());
            assert!(found(text, &finding("B2", 2)).is_none());
        }

        #[test]
        fn same_line_marks_need_the_rule_or_a_wildcard() {
            let text = "x() # securescan: ignore B1, B2\ny() # securescan: ignore *\n";
            assert!(found(text, &finding("B2", 1)).is_some());
            assert!(found(text, &finding("B3", 1)).is_none());
            assert!(found(text, &finding("B3", 2)).is_some());
        }
    }
}
