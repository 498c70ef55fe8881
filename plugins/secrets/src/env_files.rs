//! `.env`-style files: a `KEY=value` line whose key names a secret is a finding, whatever the value.

use securescan_adapter_sdk::{Finding, Severity};

use crate::false_positive::is_likely_false_positive;

const SECRET_KEY_WORDS: &[&str] = &["secret", "password", "key", "token", "auth", "credential"];
const MIN_VALUE_CHARS: usize = 6;

/// `.env`, `prod.env`, `.env.local`, `app.env.production`, …
pub fn is_env_file(path: &str) -> bool {
    let name = crate::basename(path);
    name.ends_with(".env") || name.contains(".env.")
}

/// `first_line` as in [`crate::patterns::scan_file`].
pub fn scan(path: &str, relative: &str, text: &str, first_line: u32) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim().trim_matches('"').trim_matches('\'');
        let key_lower = key.to_lowercase();
        if value.chars().count() < MIN_VALUE_CHARS
            || !SECRET_KEY_WORDS.iter().any(|word| key_lower.contains(word))
            || is_likely_false_positive(line, relative)
        {
            continue;
        }
        let number = crate::line_number(first_line, index);
        findings.push(
            Finding::new(
                &format!("Secret in env file: {key}"),
                &format!(
                    "Found secret value for '{key}' in {}. Env files with secrets should not be committed to version control.",
                    crate::basename(path)
                ),
                Severity::High,
            )
            .rule("secrets/env-file-secret")
            .file(path)
            .lines(number, number)
            .remediation("Add this file to .gitignore and use a secrets manager or CI/CD environment variables instead."),
        );
    }
    findings
}
