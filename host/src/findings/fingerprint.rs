//! Finding identity: sha256 of `scanner|rule_id|path|line context|cwe`. Baselines, diffs, SARIF
//! partial fingerprints and triage verdicts all key on it, so its inputs never change shape.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Finding;

/// Lowercase hex sha256 of the identity payload. `cwd` is the directory whose prefix is stripped
/// from absolute paths, so the same tree fingerprints alike wherever it is checked out.
pub fn fingerprint(finding: &Finding, cwd: &Path) -> String {
    let payload = [
        finding.scanner.as_str(),
        finding.rule_id.as_deref().unwrap_or(""),
        &normalize_path(finding.file_path.as_deref().unwrap_or(""), cwd),
        &line_context(finding),
        finding.cwe.as_deref().unwrap_or(""),
    ]
    .join("|");
    hex::encode(Sha256::digest(payload.as_bytes()))
}

fn normalize_path(path: &str, cwd: &Path) -> String {
    let path = path.replace('\\', "/");
    let cwd = cwd.to_string_lossy().replace('\\', "/");
    let prefix = format!("{}/", cwd.trim_end_matches('/'));
    match path.strip_prefix(&prefix) {
        Some(rest) if path.starts_with('/') => rest.to_string(),
        _ => path,
    }
}

/// The `line_snippet` metadata with comments and whitespace normalized; empty when absent.
fn line_context(finding: &Finding) -> String {
    let snippet = match finding.metadata.get("line_snippet") {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => return String::new(),
    };
    normalize_snippet(&snippet)
}

fn normalize_snippet(snippet: &str) -> String {
    let text = snippet.replace("\r\n", "\n").replace('\r', "\n");
    let text = strip_block_comments(&text);
    let lines: Vec<String> = text.split('\n').map(strip_line_comment).collect();
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        match rest[start + 2..].find("*/") {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &rest[start + 2 + end + 2..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// Cut at the first `#`, `//` or `--` along with the whitespace before it.
fn strip_line_comment(line: &str) -> String {
    let mut line = line.to_string();
    for marker in ["#", "//", "--"] {
        if let Some(at) = line.find(marker) {
            line.truncate(at);
            line.truncate(line.trim_end().len());
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ScanType, Severity};

    fn finding(
        scanner: &str,
        rule: Option<&str>,
        path: Option<&str>,
        cwe: Option<&str>,
    ) -> Finding {
        Finding {
            id: String::new(),
            scan_id: String::new(),
            scanner: scanner.into(),
            scan_type: ScanType::Code,
            severity: Severity::High,
            title: "t".into(),
            description: "d".into(),
            file_path: path.map(Into::into),
            line_start: None,
            line_end: None,
            rule_id: rule.map(Into::into),
            cwe: cwe.map(Into::into),
            remediation: None,
            metadata: serde_json::Map::new(),
            compliance_tags: Vec::new(),
            fingerprint: String::new(),
        }
    }

    // Values recorded from the original implementation; baselines in the wild depend on them.
    #[test]
    fn matches_recorded_fingerprints() {
        let cwd = Path::new("/elsewhere");
        let cases = [
            (
                finding(
                    "semgrep",
                    Some("python.lang.security.audit.eval-detected"),
                    Some("app.py"),
                    Some("CWE-95"),
                ),
                "946980ab81e0d5b2591dd12a70d508b5bfed0df8ef3255c6fd00118a93c47898",
            ),
            (
                finding("bandit", Some("B307"), Some("src/app.py"), Some("CWE-78")),
                "d0c39e1deb8628293c28b68d52f6001f13158a0151088afb21c07a660368b88c",
            ),
            (
                finding("secrets", None, None, None),
                "062ccb8a09c65d5048238801ba8a7a0579536651fa7a4541cdca3469e8b168b8",
            ),
        ];
        for (f, expected) in cases {
            assert_eq!(fingerprint(&f, cwd), expected);
        }
        let mut with_snippet = finding(
            "semgrep",
            Some("RULE-001"),
            Some("src/x.py"),
            Some("CWE-89"),
        );
        with_snippet
            .metadata
            .insert("line_snippet".into(), "x = 1  # noqa".into());
        assert_eq!(
            fingerprint(&with_snippet, cwd),
            "7ec526d3d15c63d5d790570eb606145c1d5f733a7eac0c9251eb349d8f3b91e5"
        );
    }

    #[test]
    fn absolute_paths_under_cwd_fingerprint_like_relative_ones() {
        let relative = finding("bandit", Some("B307"), Some("src/app.py"), Some("CWE-78"));
        let absolute = finding(
            "bandit",
            Some("B307"),
            Some("/repo/src/app.py"),
            Some("CWE-78"),
        );
        assert_eq!(
            fingerprint(&relative, Path::new("/repo/")),
            fingerprint(&absolute, Path::new("/repo/"))
        );
    }

    #[test]
    fn snippet_comments_and_whitespace_do_not_count() {
        assert_eq!(
            normalize_snippet("A = /* c */ 1\r\n  b  -- note"),
            "a = 1 b"
        );
    }
}
