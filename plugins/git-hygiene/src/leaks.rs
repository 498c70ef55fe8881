//! One finding per gitleaks leak. The secret itself is never copied into a finding: only the
//! rule, where it is, and how long it is.

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use crate::report::Leak;

/// gitleaks has no severities. A leak is a credential-shaped string that is in the code and,
/// when gitleaks read the history, in a commit everyone with a clone has: high, like the
/// built-in secrets patterns of the same kind. Not critical: gitleaks cannot tell a live key
/// from a test value, and its generic and entropy rules match plenty of those.
const LEAK_SEVERITY: Severity = Severity::High;

pub fn to_finding(target: &str, leak: Leak) -> Finding {
    let file = leak.file.as_deref().map(|f| under_target(target, f));
    let mut place = match &file {
        Some(file) => format!(" Found in {file}"),
        None => " Found".to_string(),
    };
    if let Some(line) = leak.start_line {
        place.push_str(&format!(" at line {line}"));
    }
    match &leak.commit {
        Some(commit) => place.push_str(&format!(
            " in commit {}.",
            commit.chars().take(12).collect::<String>()
        )),
        None => place.push('.'),
    }
    let what = leak
        .description
        .clone()
        .unwrap_or_else(|| format!("Leak found by gitleaks rule '{}'.", leak.rule));
    let what = if what.ends_with('.') {
        what
    } else {
        format!("{what}.")
    };
    let mut finding = Finding::new(
        &format!("Secret detected by gitleaks: {}", leak.rule),
        &format!("{what}{place} The value is not shown here."),
        LEAK_SEVERITY,
    )
    .rule(&format!("gitleaks/{}", rule_slug(&leak.rule)))
    .cwe(normalize_cwe("CWE-798"))
    .remediation(
        "Rotate the credential if it is real, then remove it from the code and, if it was \
         committed, from the git history (git-filter-repo or BFG Repo-Cleaner). Add a gitleaks \
         allowlist entry if it is a false positive.",
    )
    .meta("gitleaks_rule", leak.rule.as_str());
    if let Some(file) = &file {
        finding = finding.file(file);
    }
    if let Some(start) = leak.start_line {
        finding = finding.lines(
            start,
            leak.end_line.filter(|e| *e >= start).unwrap_or(start),
        );
    }
    let optional = [
        ("commit", leak.commit),
        ("author", leak.author),
        ("date", leak.date),
        ("link", leak.link),
        ("fingerprint", leak.fingerprint),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            finding = finding.meta(key, value);
        }
    }
    if let Some(column) = leak.start_column {
        finding = finding.meta("start_column", column);
    }
    if let Some(column) = leak.end_column {
        finding = finding.meta("end_column", column);
    }
    if let Some(length) = leak.secret_length {
        finding = finding.meta("secret_length", length);
    }
    if !leak.tags.is_empty() {
        finding = finding.meta("tags", Value::from(leak.tags));
    }
    finding
}

/// gitleaks 8 rule ids are already slugs (`generic-api-key`) and stay as they are; older
/// versions name rules in words (`AWS Access Key` becomes `aws-access-key`).
fn rule_slug(rule: &str) -> String {
    if !rule.contains(char::is_whitespace) {
        return rule.to_string();
    }
    let mut slug = String::new();
    for c in rule.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}
