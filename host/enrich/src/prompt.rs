//! What is sent about a finding, and how an answer is read. Everything that leaves the machine is
//! built here, so this file is the privacy contract docs/cli.md describes.

use securescan_model::text::ellipsize;
use securescan_model::{Explanation, Finding, is_about_a_secret};

/// Where a finding's lines come from: the scanned tree, read by the caller under its own rules
/// (never outside the scan root).
pub trait FindingSource {
    /// `path` (as the finding names it) relative to the scan root; `None` when it lies outside.
    fn relative(&self, path: &str) -> Option<String>;
    /// Lines `first..=last` (from 1) of the root-relative file; empty when it cannot be read.
    fn lines(&mut self, relative: &str, first: u32, last: u32) -> Vec<String>;
}

pub const SYSTEM_PROMPT: &str = "You are an application security engineer reviewing one finding \
of a security scanner. Explain in at most three sentences why it is a risk, then give a concrete \
fix for this code. Answer with only a JSON object: {\"explanation\": \"...\", \"remediation\": \
\"...\"}. Never repeat credentials or secret values.";

/// The most lines of a finding sent; a longer range is cut.
const MAX_LINES: u32 = 30;
/// Each line sent is cut to this many characters (minified code is one long line).
const MAX_LINE_CHARS: usize = 300;
/// The scanner's title and description are cut to this many characters each.
const MAX_FIELD_CHARS: usize = 1000;
/// An answer's explanation and remediation are cut to this many characters each.
pub(crate) const MAX_ANSWER_CHARS: usize = 2000;

/// The user message sent about `f`: scanner, rule, CWE, severity and place, then the scanner's
/// title and description and the finding's own lines (at most [`MAX_LINES`]). For a finding
/// [`is_about_a_secret`], only the first part: no scanner text, no code. Metadata is never sent.
pub fn describe(f: &Finding, source: &mut dyn FindingSource) -> String {
    let mut out = format!("Scanner: {}\n", f.scanner);
    if let Some(rule) = &f.rule_id {
        out.push_str(&format!("Rule: {}\n", ellipsize(rule, MAX_FIELD_CHARS)));
    }
    if let Some(cwe) = &f.cwe {
        out.push_str(&format!("CWE: {}\n", ellipsize(cwe, MAX_FIELD_CHARS)));
    }
    out.push_str(&format!("Severity: {}\n", f.severity.as_str()));
    let named = f.file_path.as_deref().map(|p| (p, source.relative(p)));
    // Inside the tree a file is named from the root (the root itself, `.`, names no file);
    // outside it only by its name, never where it lives.
    let relative = named
        .as_ref()
        .and_then(|(_, r)| r.clone())
        .filter(|r| r != ".");
    let file = match named {
        Some((_, Some(_))) => relative.clone(),
        Some((path, None)) => path.rsplit('/').next().map(str::to_string),
        None => None,
    };
    let range = f.line_start.filter(|&l| l > 0).map(|first| {
        let last = f.line_end.unwrap_or(first).max(first);
        (first, last.min(first + MAX_LINES - 1))
    });
    if let Some(file) = &file {
        match range {
            Some((first, last)) if last > first => {
                out.push_str(&format!("File: {file} (lines {first}-{last})\n"))
            }
            Some((first, _)) => out.push_str(&format!("File: {file} (line {first})\n")),
            None => out.push_str(&format!("File: {file}\n")),
        }
    }
    if is_about_a_secret(f) {
        out.push_str(
            "The scanner's message and the code are withheld: they may hold a secret value.\n",
        );
        return out;
    }
    out.push_str(&format!(
        "Title: {}\n",
        ellipsize(&f.title, MAX_FIELD_CHARS)
    ));
    if !f.description.trim().is_empty() {
        out.push_str(&format!(
            "Description: {}\n",
            ellipsize(f.description.trim(), MAX_FIELD_CHARS)
        ));
    }
    if let (Some(relative), Some((first, last))) = (relative, range) {
        let lines = source.lines(&relative, first, last);
        if !lines.is_empty() {
            out.push_str("Code:\n");
            for (number, line) in (first..).zip(&lines) {
                out.push_str(&format!("{number}: {}\n", ellipsize(line, MAX_LINE_CHARS)));
            }
        }
    }
    out
}

/// The explanation and remediation of a model's answer: the JSON object it was asked for
/// (possibly fenced or with words around it), else the whole answer as the explanation. `None`
/// for an empty answer.
pub(crate) fn read_answer(content: &str) -> Option<Explanation> {
    let content = content.trim();
    if content.is_empty() {
        return None;
    }
    let object = content
        .find('{')
        .zip(content.rfind('}'))
        .filter(|(start, end)| start < end)
        .and_then(|(start, end)| {
            serde_json::from_str::<serde_json::Value>(&content[start..=end]).ok()
        });
    let field = |name: &str| {
        object
            .as_ref()
            .and_then(|o| o.get(name))
            .and_then(serde_json::Value::as_str)
            .map(|text| ellipsize(text.trim(), MAX_ANSWER_CHARS))
    };
    match field("explanation") {
        Some(explanation) if !explanation.is_empty() => Some(Explanation {
            explanation,
            remediation: field("remediation").unwrap_or_default(),
        }),
        _ => Some(Explanation {
            explanation: ellipsize(content, MAX_ANSWER_CHARS),
            remediation: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use securescan_model::Severity;

    struct Tree(Vec<String>);

    impl FindingSource for Tree {
        fn relative(&self, path: &str) -> Option<String> {
            path.strip_prefix("/repo/").map(str::to_string)
        }
        fn lines(&mut self, _: &str, first: u32, last: u32) -> Vec<String> {
            self.0
                .iter()
                .skip(first as usize - 1)
                .take((last - first + 1) as usize)
                .cloned()
                .collect()
        }
    }

    fn tree() -> Tree {
        Tree((1..=100).map(|n| format!("code {n}")).collect())
    }

    fn finding(line_start: u32, line_end: u32) -> Finding {
        Finding {
            file_path: Some("/repo/app/x.py".into()),
            line_start: Some(line_start),
            line_end: Some(line_end),
            rule_id: Some("B602".into()),
            cwe: Some("CWE-78".into()),
            description: "subprocess call with shell=True identified".into(),
            ..Finding::sample(
                "bandit",
                "subprocess_popen_with_shell_equals_true",
                Severity::High,
            )
        }
    }

    #[test]
    fn a_finding_is_described_by_its_own_lines_only() {
        let text = describe(&finding(10, 11), &mut tree());
        assert_eq!(
            text,
            "Scanner: bandit\nRule: B602\nCWE: CWE-78\nSeverity: high\n\
             File: app/x.py (lines 10-11)\nTitle: subprocess_popen_with_shell_equals_true\n\
             Description: subprocess call with shell=True identified\n\
             Code:\n10: code 10\n11: code 11\n"
        );
    }

    #[test]
    fn a_long_range_is_cut() {
        let text = describe(&finding(1, 90), &mut tree());
        assert!(text.contains("30: code 30\n"), "{text}");
        assert!(!text.contains("code 31"), "{text}");
    }

    #[test]
    fn a_file_outside_the_tree_is_named_but_never_read() {
        let mut f = finding(1, 1);
        f.file_path = Some("/etc/shadow".into());
        let text = describe(&f, &mut tree());
        assert!(text.contains("File: shadow (line 1)\n"), "{text}");
        assert!(!text.contains("Code:"), "{text}");
    }

    #[test]
    fn a_credential_finding_sends_neither_its_message_nor_its_code() {
        let mut bandit = finding(5, 5);
        bandit.rule_id = Some("B105".into());
        bandit.cwe = Some("CWE-259".into());
        bandit.title = "Possible hardcoded password: 'hunter2'".into();
        bandit.description = bandit.title.clone();
        let mut secrets = finding(5, 5);
        secrets.scanner = "secrets".into();
        secrets.cwe = None;
        secrets.rule_id = Some("secrets/aws-access-key".into());
        let mut named = finding(5, 5);
        named.cwe = None;
        named.rule_id = Some("generic.secrets.gitleaks.github-pat".into());
        for f in [bandit, secrets, named] {
            assert!(is_about_a_secret(&f), "{f:?}");
            let text = describe(&f, &mut tree());
            assert!(!text.contains("code 5"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!text.contains("Title:"), "{text}");
            assert!(text.contains("(line 5)\n"), "{text}");
        }
        assert!(!is_about_a_secret(&finding(1, 1)));
    }

    #[test]
    fn answers_are_read_as_json_or_as_prose() {
        let json = read_answer(
            "```json\n{\"explanation\": \"Shell injection.\", \"remediation\": \"Pass a list.\"}\n```",
        )
        .unwrap();
        assert_eq!(json.explanation, "Shell injection.");
        assert_eq!(json.remediation, "Pass a list.");
        let prose = read_answer("It is risky.").unwrap();
        assert_eq!(prose.explanation, "It is risky.");
        assert_eq!(prose.remediation, "");
        assert_eq!(read_answer("  \n"), None);
        let long = read_answer(&"x".repeat(5000)).unwrap();
        assert_eq!(long.explanation.chars().count(), MAX_ANSWER_CHARS);
        assert!(long.explanation.ends_with('…'));
    }
}
