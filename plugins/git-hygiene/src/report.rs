//! The parts of gitleaks' JSON report this adapter reads. Every gitleaks version prints a list
//! of leaks (or `null` when there are none); only the keys differ:
//! - gitleaks 8: `RuleID`, `Description`, `StartLine`, `EndLine`, `File`, `Commit`, `Tags` (a
//!   list), `Fingerprint`, `Link`, …;
//! - gitleaks 7 (and early 8.0 test data): `rule`, `lineNumber`, `file`, `commit`, `tags` (one
//!   comma-separated string), `leakURL`, …;
//! - gitleaks 4 to 6: the version 7 keys without `lineNumber`.
//!
//! The secret-bearing keys (`Secret`, `Match`, `offender`, `line`) are read only to measure the
//! secret; their text never leaves this module.

use std::collections::BTreeMap;

use securescan_adapter_sdk::{Input, ParseError, parse_json};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// One leak, whichever version printed it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Leak {
    /// `RuleID` (8) or the rule's name (`rule`, 4 to 7).
    pub rule: String,
    pub description: Option<String>,
    pub file: Option<String>,
    pub start_line: Option<u32>,
    pub end_line: Option<u32>,
    pub start_column: Option<u32>,
    pub end_column: Option<u32>,
    pub commit: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub link: Option<String>,
    pub fingerprint: Option<String>,
    pub tags: Vec<String>,
    /// Characters in the secret, when gitleaks did not already redact it.
    pub secret_length: Option<usize>,
}

/// The leaks of a report, and warnings about entries that were skipped.
#[derive(Debug, Default)]
pub struct Report {
    pub leaks: Vec<Leak>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "StartLine")]
    start_line: Option<i64>,
    #[serde(rename = "EndLine")]
    end_line: Option<i64>,
    #[serde(rename = "StartColumn")]
    start_column: Option<i64>,
    #[serde(rename = "EndColumn")]
    end_column: Option<i64>,
    #[serde(rename = "Secret")]
    secret: Option<String>,
    #[serde(rename = "File")]
    file_v8: Option<String>,
    #[serde(rename = "Commit")]
    commit_v8: Option<String>,
    #[serde(rename = "Author")]
    author_v8: Option<String>,
    #[serde(rename = "Date")]
    date_v8: Option<String>,
    #[serde(rename = "Link")]
    link: Option<String>,
    #[serde(rename = "Fingerprint")]
    fingerprint: Option<String>,
    #[serde(rename = "Tags")]
    tags_v8: Option<Vec<String>>,

    rule: Option<String>,
    #[serde(rename = "lineNumber")]
    line_number: Option<i64>,
    offender: Option<String>,
    file: Option<String>,
    commit: Option<String>,
    author: Option<String>,
    date: Option<String>,
    #[serde(rename = "leakURL")]
    leak_url: Option<String>,
    tags: Option<String>,
}

pub fn parse(input: &Input) -> Result<Report, ParseError> {
    let text = input.report_text()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).trim();
    match text.chars().next() {
        Some('[' | 'n') => {}
        Some('{') => return Err(explain_object(text)),
        _ => {
            return Err(ParseError::Malformed(
                "expected gitleaks' JSON report (a list of leaks, or null)".into(),
            ));
        }
    }
    let entries: Option<Vec<&RawValue>> = serde_json::from_str(text).map_err(|err| {
        let what = if err.is_eof() {
            "truncated JSON"
        } else {
            "invalid JSON"
        };
        ParseError::Malformed(format!("{what}: {err}"))
    })?;
    let mut report = Report::default();
    let mut unrecognized = 0;
    let total = entries.as_ref().map_or(0, Vec::len);
    for (index, raw) in entries.into_iter().flatten().enumerate() {
        match leak(raw) {
            Ok(Some(leak)) => report.leaks.push(leak),
            Ok(None) => unrecognized += 1,
            Err(err) => {
                return Err(ParseError::Malformed(format!(
                    "leak {} of {total}: {err}",
                    index + 1
                )));
            }
        }
    }
    if unrecognized > 0 && report.leaks.is_empty() {
        return Err(ParseError::WrongTool(
            "the list's entries have neither `RuleID` (gitleaks 8) nor `rule` (gitleaks 4 to 7): \
             not a gitleaks JSON report"
                .into(),
        ));
    }
    if unrecognized > 0 {
        report.warnings.push(format!(
            "skipped {unrecognized} of {total} report entries that are not gitleaks leaks"
        ));
    }
    if report.leaks.iter().any(|l| l.start_line.is_none()) {
        report.warnings.push(
            "some gitleaks leaks carry no line number (gitleaks 4 to 6 report): they point at the file only"
                .into(),
        );
    }
    Ok(report)
}

/// `Ok(None)` for an object that is not a leak of any gitleaks version.
fn leak(raw: &RawValue) -> Result<Option<Leak>, String> {
    if !raw.get().trim_start().starts_with('{') {
        return Ok(None);
    }
    let entry: Entry = serde_json::from_str(raw.get()).map_err(|err| err.to_string())?;
    let leak = if let Some(rule) = entry.rule_id {
        Leak {
            rule,
            description: non_empty(entry.description),
            file: non_empty(entry.file_v8),
            start_line: line(entry.start_line),
            end_line: line(entry.end_line),
            start_column: line(entry.start_column),
            end_column: line(entry.end_column),
            commit: non_empty(entry.commit_v8),
            author: non_empty(entry.author_v8),
            date: non_empty(entry.date_v8),
            link: non_empty(entry.link),
            fingerprint: non_empty(entry.fingerprint),
            tags: entry.tags_v8.unwrap_or_default(),
            secret_length: secret_length(entry.secret.as_deref()),
        }
    } else if let Some(rule) = entry.rule {
        Leak {
            rule,
            file: non_empty(entry.file),
            start_line: line(entry.line_number),
            end_line: line(entry.line_number),
            commit: non_empty(entry.commit),
            author: non_empty(entry.author),
            date: non_empty(entry.date).filter(|d| !d.starts_with("0001-01-01")),
            link: non_empty(entry.leak_url),
            tags: entry
                .tags
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            secret_length: secret_length(entry.offender.as_deref()),
            ..Leak::default()
        }
    } else {
        return Ok(None);
    };
    Ok(Some(leak))
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// Lines and columns are 1-based; gitleaks prints 0 (or nothing) when it has none.
fn line(value: Option<i64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok()).filter(|v| *v > 0)
}

/// `--redact` prints `REDACTED`; redacted baselines hold only `*`.
fn secret_length(secret: Option<&str>) -> Option<usize> {
    let secret = secret?;
    let redacted = secret.is_empty() || secret == "REDACTED" || secret.chars().all(|c| c == '*');
    (!redacted).then(|| secret.chars().count())
}

/// An object is never a gitleaks JSON report: say what it looks like.
fn explain_object(text: &str) -> ParseError {
    let keys: BTreeMap<String, IgnoredAny> = match parse_json(text) {
        Ok(keys) => keys,
        Err(err) => return err,
    };
    let has = |key: &str| keys.contains_key(key);
    if has("runs") {
        ParseError::WrongTool(
            "a SARIF log (`runs`), not gitleaks' JSON report: read it with the sarif scanner"
                .into(),
        )
    } else if has("RuleID") || has("rule") {
        ParseError::Malformed(
            "a single leak object: gitleaks' JSON report is a list of leaks".into(),
        )
    } else if keys.is_empty() {
        ParseError::WrongTool("an empty object: gitleaks' JSON report is a list of leaks".into())
    } else {
        ParseError::WrongTool(format!(
            "an object with keys {}: gitleaks' JSON report is a list of leaks",
            keys.keys()
                .take(8)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}
