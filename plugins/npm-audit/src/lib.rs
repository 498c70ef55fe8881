//! Normalizes `npm audit --json` output: one finding per advisory from npm 6 (`advisories`), one
//! per vulnerable package from npm 7 and later (`vulnerabilities`). A report that says the audit
//! failed (npm's error object, the registry refusing the request) is a `ToolFailed` error, never
//! an empty result.
//!
//! The host runs npm audit once per lockfile and names it in `settings["file"]`; findings point at
//! the `package.json` beside it, where the dependency is declared. npm's report names no file, so
//! under `securescan ingest` findings have none.

mod npm6;
mod npm7;
mod report;

use securescan_adapter_sdk::prelude::*;

use report::Report;

/// npm's words; `moderate` is its medium. Unknown words are medium, as before, with a warning.
const SEVERITY: SeverityMap = SeverityMap::new(
    &[
        ("critical", Severity::Critical),
        ("high", Severity::High),
        ("moderate", Severity::Medium),
        ("medium", Severity::Medium),
        ("low", Severity::Low),
        ("info", Severity::Info),
    ],
    Severity::Medium,
);

pub struct NpmAudit;

impl Adapter for NpmAudit {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let manifest = manifest_beside(input.setting("file"));
        Ok(match report::parse(input)? {
            Report::Npm6(report) => npm6::findings(report, manifest.as_deref()),
            Report::Npm7(report) => npm7::findings(report, manifest.as_deref()),
        })
    }
}

/// `<dir>/package.json` for the lockfile `<dir>/package-lock.json` the host audited.
fn manifest_beside(lockfile: Option<&str>) -> Option<String> {
    let lockfile = lockfile.filter(|f| !f.is_empty())?;
    Some(match lockfile.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/package.json"),
        None => "package.json".to_string(),
    })
}

/// The severity for npm's word, warning about words this adapter does not know.
fn severity(word: Option<&str>, what: &str, warnings: &mut Vec<String>) -> Severity {
    let word = word.unwrap_or("").trim();
    SEVERITY.lookup(word).unwrap_or_else(|| {
        if !word.is_empty() {
            warnings.push(format!(
                "unknown npm audit severity {word:?} for {what}; reported as medium"
            ));
        }
        Severity::Medium
    })
}

/// The distinct CWEs in first-seen order, and the finding's CWE: only when there is exactly one,
/// since a finding carries one CWE and picking one of several would misfile the others.
fn cwes<'a>(raw: impl IntoIterator<Item = &'a str>) -> (Option<String>, Vec<String>) {
    let mut distinct: Vec<String> = Vec::new();
    for cwe in raw.into_iter().filter_map(normalize_cwe) {
        if !distinct.contains(&cwe) {
            distinct.push(cwe);
        }
    }
    let single = match distinct.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    (single, distinct)
}

/// Advisory text without carriage returns.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

securescan_adapter_sdk::export_adapter!(NpmAudit);

#[cfg(test)]
mod tests;
