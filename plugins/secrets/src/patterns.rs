//! Credential patterns, tried on every line that is not a likely false positive: each distinct
//! secret on a line is one finding. Matches that overlap are one secret seen by several patterns
//! (`aws_secret_access_key = …` is also a base64-looking `key = …`), reported by the earliest
//! pattern in table order; the same text matched twice by one pattern is one secret.
//!
//! Almost no line holds a credential, so a keyword search over the whole text (an Aho-Corasick
//! automaton, several times cheaper than the patterns' [`RegexSet`]) picks the only lines a pattern
//! could match; the set, the false-positive rules and the single patterns run on those alone.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input};
use regex::{Regex, RegexSet};
use securescan_adapter_sdk::{Finding, Severity};

use crate::false_positive::is_likely_false_positive;

/// Lines longer than this (in characters) are minified or generated data, not hand-written config.
const MAX_LINE_CHARS: usize = 1000;

pub struct Pattern {
    pub name: &'static str,
    pub severity: Severity,
    pub regex: Regex,
}

impl Pattern {
    /// `secrets/<name lowercased, spaces as dashes>`: the rule ids users already suppress by.
    pub fn slug(&self) -> String {
        self.name.to_lowercase().replace(' ', "-")
    }
}

/// The classic GitHub PAT comes before the general GitHub token rule: in the original order the
/// general rule matched every PAT first, so the PAT rule could never fire.
///
/// The last column is the pattern's keywords: every match of the pattern contains one of them,
/// ASCII case aside (see [`KEYWORDS`]).
const TABLE: &[(&str, Severity, &str, &[&str])] = &[
    (
        "AWS Access Key",
        Severity::Critical,
        r"AKIA[0-9A-Z]{16}",
        &["akia"],
    ),
    (
        "AWS Secret Key",
        Severity::Critical,
        r#"(?i)aws_secret_access_key\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})"#,
        &["secret"],
    ),
    (
        "GitHub Personal Access Token (Classic)",
        Severity::Critical,
        r"\bghp_[A-Za-z0-9]{36}\b",
        &["ghp_"],
    ),
    (
        "GitHub Token",
        Severity::Critical,
        r"gh[pousr]_[A-Za-z0-9_]{36,}",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    ),
    (
        "Generic API Key",
        Severity::High,
        r#"(?i)(api[_-]?key|apikey)\s*[=:]\s*["']?([A-Za-z0-9_\-]{20,})"#,
        &["api"],
    ),
    (
        "Generic Secret",
        Severity::High,
        r#"(?i)(secret|password|passwd|pwd)\s*[=:]\s*["']([^"']{8,})["']"#,
        &["secret", "passw", "pwd"],
    ),
    (
        "Private Key",
        Severity::Critical,
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----",
        &["-----begin "],
    ),
    (
        "Slack Token",
        Severity::High,
        r"xox[baprs]-[A-Za-z0-9\-]{10,}",
        &["xox"],
    ),
    (
        "Slack Webhook",
        Severity::High,
        r"https://hooks\.slack\.com/services/T[A-Z0-9]{8}/B[A-Z0-9]{8}/[A-Za-z0-9]{24}",
        &["://"],
    ),
    (
        "Google API Key",
        Severity::High,
        r"AIza[0-9A-Za-z_\-]{35}",
        &["aiza"],
    ),
    (
        "Heroku API Key",
        Severity::High,
        r"[hH][eE][rR][oO][kK][uU].*[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
        &["heroku"],
    ),
    (
        "JWT Token",
        Severity::Medium,
        r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        &["eyj"],
    ),
    (
        "Generic Token",
        Severity::Medium,
        r#"(?i)(token|bearer)\s*[=:]\s*["']?([A-Za-z0-9_\-\.]{20,})"#,
        &["token", "bearer"],
    ),
    (
        "Connection String",
        Severity::High,
        r#"(?i)(mongodb|postgres|mysql|redis|amqp)://[^\s"']+:[^\s"']+@"#,
        &["://"],
    ),
    (
        "Base64 Encoded Secret",
        Severity::Medium,
        r#"(?i)(password|secret|key|token)\s*[=:]\s*["']?[A-Za-z0-9+/]{40,}={0,2}["']?"#,
        &["passw", "secret", "key", "token"],
    ),
];

pub static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    TABLE
        .iter()
        .map(|(name, severity, regex, _)| Pattern {
            name,
            severity: *severity,
            regex: Regex::new(regex).unwrap_or_else(|err| panic!("pattern {name}: {err}")),
        })
        .collect()
});

/// All of [`TABLE`] at once, in table order, so the lowest match index is the first pattern.
static ANY_PATTERN: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(TABLE.iter().map(|(_, _, regex, _)| regex))
        .unwrap_or_else(|err| panic!("pattern set: {err}"))
});

/// Every table keyword, ASCII case-insensitively, and the two non-ASCII letters Unicode folds to
/// ASCII ones (the Kelvin sign to `k`, the long s to `s`): a `(?i)` pattern matches `ſecret`, so a
/// line holding either is tried too. A line holding none of these cannot match any pattern.
static KEYWORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let words = TABLE.iter().flat_map(|(_, _, _, words)| words.iter());
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words.chain(&["\u{212A}", "\u{17F}"]))
        .unwrap_or_else(|err| panic!("keywords: {err}"))
});

/// Findings for one file's text, or for a window of a large file whose first line is
/// `first_line` (1 for a whole file). `path` is reported; `relative` feeds the false-positive rules.
pub fn scan_file(path: &str, relative: &str, text: &str, first_line: u32) -> Vec<Finding> {
    let mut findings = Vec::new();
    let bytes = text.as_bytes();
    // Lines before `counted` hold `index` line breaks; `from` is the start of a line.
    let (mut index, mut counted, mut from) = (0, 0, 0);
    while let Some(hit) = KEYWORDS.find(Input::new(bytes).span(from..bytes.len())) {
        let start = bytes[from..hit.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(from, |at| from + at + 1);
        let end = bytes[hit.end()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |at| hit.end() + at);
        index += bytes[counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = start;
        // Both ends are at a line break or an end of the text: character boundaries.
        let line = &text[start..end];
        if ANY_PATTERN.is_match(line)
            && line.chars().count() <= MAX_LINE_CHARS
            && !is_likely_false_positive(line, relative)
        {
            let number = crate::line_number(first_line, index);
            for secret in distinct_secrets(line) {
                findings.push(finding(
                    &PATTERNS[secret.pattern],
                    path,
                    number,
                    secret.occurrence,
                ));
            }
        }
        from = end + 1;
        if from >= bytes.len() {
            break;
        }
    }
    findings
}

/// One secret on a line: the pattern that names it, and which match of that pattern on the line
/// it is (1 for the first, counted by column).
#[derive(Debug, PartialEq, Eq)]
struct Secret {
    pattern: usize,
    occurrence: usize,
}

/// The distinct secrets on `line`, by column.
fn distinct_secrets(line: &str) -> Vec<Secret> {
    let mut accepted: Vec<(usize, Range<usize>)> = Vec::new();
    // `matches` yields pattern indexes in ascending order: earlier patterns claim their spans first.
    for pattern in ANY_PATTERN.matches(line).iter() {
        for found in PATTERNS[pattern].regex.find_iter(line) {
            let span = found.range();
            let same_secret = accepted.iter().any(|(claimed, range)| {
                (range.start < span.end && span.start < range.end)
                    || (*claimed == pattern && line[range.clone()] == *found.as_str())
            });
            if !same_secret {
                accepted.push((pattern, span));
            }
        }
    }
    accepted.sort_by_key(|(_, range)| range.start);
    let mut seen: Vec<usize> = Vec::new();
    accepted
        .into_iter()
        .map(|(pattern, _)| {
            seen.push(pattern);
            Secret {
                pattern,
                occurrence: seen.iter().filter(|&&p| p == pattern).count(),
            }
        })
        .collect()
}

fn finding(pattern: &Pattern, path: &str, line: u32, occurrence: usize) -> Finding {
    let finding = Finding::new(
        &format!("Potential {} detected", pattern.name),
        &format!(
            "Found potential {} in {} at line {line}. Review and rotate if this is a real credential.",
            pattern.name,
            crate::basename(path)
        ),
        pattern.severity,
    )
    .rule(&format!("secrets/{}", pattern.slug()))
    .file(path)
    .lines(line, line)
    .remediation(&format!(
        "Remove the hardcoded {} and use environment variables or a secrets manager instead. \
         If this is a real credential, rotate it immediately.",
        pattern.name.to_lowercase()
    ));
    // The host's fingerprint is rule, path and the code on the line: a second match of one rule
    // on one line needs this to keep an identity of its own. The first carries nothing, so its
    // fingerprint is what it was when a line had one finding.
    if occurrence > 1 {
        finding.meta("occurrence", occurrence)
    } else {
        finding
    }
}
