//! `config validate`: every problem in a config file, each with where it is, most serious first.

use std::fmt::Write;
use std::path::Path;

use regex::Regex;
use serde_saphyr::Spanned;

use super::node::Node;
use super::schema::{self, ProjectConfig};
use crate::limited_read::{MAX_SETTINGS_FILE_BYTES, read_limited_text};
use securescan_model::text::sanitize_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

/// One problem: how bad, where (`line 3, severity_overrides.B602`), and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub level: Level,
    pub location: Option<String>,
    pub message: String,
}

impl Issue {
    pub fn error(line: u64, at: &str, message: impl Into<String>) -> Issue {
        Issue {
            level: Level::Error,
            location: Some(format!("line {line}, {at}")),
            message: message.into(),
        }
    }

    fn file(level: Level, message: impl Into<String>) -> Issue {
        Issue {
            level,
            location: None,
            message: message.into(),
        }
    }
}

/// The outcome of checking one file: the settings when it has no errors, and every issue.
#[derive(Debug, Clone)]
pub struct Lint {
    pub config: Option<ProjectConfig>,
    pub issues: Vec<Issue>,
}

impl Lint {
    pub fn count(&self, level: Level) -> usize {
        self.issues.iter().filter(|i| i.level == level).count()
    }

    pub fn is_valid(&self) -> bool {
        self.count(Level::Error) == 0
    }

    /// One `<severity>: <location or ->: <message>` line per issue, errors first, then the
    /// summary line. Locations and messages quote the file's keys, values and rule ids, so each
    /// is kept to its line with its control characters replaced ([`sanitize_line`]): a hostile
    /// `.securescan.yml` can neither drive the terminal nor forge a line of the report. Length
    /// is bounded where the report is printed.
    pub fn render(&self) -> String {
        let mut issues: Vec<&Issue> = self.issues.iter().collect();
        issues.sort_by_key(|i| i.level);
        let mut out = String::new();
        for issue in issues {
            let _ = writeln!(
                out,
                "{}: {}: {}",
                issue.level.as_str(),
                sanitize_line(issue.location.as_deref().unwrap_or("-"), usize::MAX),
                sanitize_line(&issue.message, usize::MAX)
            );
        }
        let _ = writeln!(
            out,
            "Config {}: {}, {}, {}.",
            if self.is_valid() { "valid" } else { "invalid" },
            plural(self.count(Level::Error), "error", "errors"),
            plural(self.count(Level::Warning), "warning", "warnings"),
            plural(self.count(Level::Info), "info issue", "info issues"),
        );
        out
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Check the config file at `path` (absolute).
pub fn lint(path: &Path) -> Lint {
    match read_limited_text(path, MAX_SETTINGS_FILE_BYTES, "a config file") {
        Ok(text) => lint_text(&text, path),
        Err(err) if err.is_not_found() => {
            failed(format!("config file not found: {}", path.display()))
        }
        Err(err) => failed(format!("could not read config file: {err}")),
    }
}

/// Check `text` as the config file at `path` (relative rule paths are taken from its
/// directory).
pub fn lint_text(text: &str, path: &Path) -> Lint {
    let mut issues = Vec::new();
    let root = match parse(text) {
        Ok(root) => root,
        Err(err) => {
            let location = err.location().map(|l| format!("line {}", l.line()));
            return Lint {
                config: None,
                issues: vec![Issue {
                    level: Level::Error,
                    location,
                    message: format!("malformed YAML: {}", err.without_snippet()),
                }],
            };
        }
    };
    let entries = match root.map(|r| r.value) {
        None | Some(Node::Null) => {
            issues.push(Issue::file(
                Level::Info,
                "config file is empty; no overrides will apply (this is a valid starter state)",
            ));
            Vec::new()
        }
        Some(Node::Map(entries)) => {
            if entries.is_empty() {
                issues.push(Issue::file(
                    Level::Info,
                    "config file is empty; no overrides will apply (this is a valid starter state)",
                ));
            }
            entries
        }
        Some(other) => {
            return failed(format!(
                "top-level YAML must be a mapping, got {}",
                other.kind()
            ));
        }
    };
    let dir = path.parent().unwrap_or(Path::new("/"));
    let config = schema::read(&entries, path, dir, &mut issues);
    check_references(&config, &entries, &mut issues);
    Lint {
        config: Some(config),
        issues,
    }
    .keep_config_only_if_valid()
}

impl Lint {
    fn keep_config_only_if_valid(mut self) -> Lint {
        if !self.is_valid() {
            self.config = None;
        }
        self
    }
}

fn failed(message: String) -> Lint {
    Lint {
        config: None,
        issues: vec![Issue::file(Level::Error, message)],
    }
}

/// Comment-only and empty documents have no root node.
fn parse(text: &str) -> Result<Option<Spanned<Node>>, serde_saphyr::Error> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(None);
    }
    serde_saphyr::from_str::<Spanned<Node>>(text).map(Some)
}

/// What the values refer to: rule-pack paths that exist, rule ids that look like rule ids, and
/// rules both ignored and overridden.
fn check_references(
    config: &ProjectConfig,
    entries: &[(Spanned<String>, Spanned<Node>)],
    issues: &mut Vec<Issue>,
) {
    let at = |key: &str| entries.iter().find(|(k, _)| k.value == key).map(|(_, v)| v);
    if let Some(Spanned {
        value: Node::List(items),
        ..
    }) = at("semgrep_rules")
    {
        for (index, (item, path)) in items.iter().zip(&config.semgrep_rules).enumerate() {
            if !path.exists() {
                issues.push(Issue::error(
                    item.referenced.line(),
                    &format!("semgrep_rules[{index}]"),
                    format!("semgrep_rules path does not exist: {}", path.display()),
                ));
            }
        }
    }
    let valid = rule_id_pattern();
    let rule_ids = config
        .severity_overrides
        .keys()
        .map(|rule| (format!("severity_overrides.{rule}"), rule))
        .chain(
            config
                .ignored_rules
                .iter()
                .enumerate()
                .map(|(i, rule)| (format!("ignored_rules[{i}]"), rule)),
        );
    for (at, rule) in rule_ids {
        if !valid.is_match(rule) {
            issues.push(Issue {
                level: Level::Warning,
                location: Some(at),
                message: format!(
                    "rule ID '{rule}' does not look like a valid identifier (expected non-empty, \
                     no whitespace, alphanumeric / dot / dash / slash / underscore)"
                ),
            });
        }
    }
    for rule in config.severity_overrides.keys() {
        if config.ignored_rules.contains(rule) {
            issues.push(Issue {
                level: Level::Warning,
                location: Some(format!("severity_overrides.{rule}")),
                message: format!(
                    "rule '{rule}' appears in both ignored_rules and severity_overrides; the \
                     override will never show because the rule is suppressed"
                ),
            });
        }
    }
}

fn rule_id_pattern() -> Regex {
    Regex::new(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$").expect("a constant pattern")
}
