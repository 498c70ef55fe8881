//! The keys of `.securescan.yml`, what each may hold, and how values become a [`ProjectConfig`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

use super::lint::Issue;
use super::node::{Node, line};
use crate::findings::{ScanType, Severity};

pub const KEYS: [&str; 6] = [
    "scan_types",
    "severity_overrides",
    "ignored_rules",
    "semgrep_rules",
    "fail_on_severity",
    "ai",
];

pub const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// A project's settings; every key is optional and an absent key changes nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectConfig {
    /// The file these settings came from (absolute).
    pub path: PathBuf,
    /// Scan types used when the command line gives no `--type`.
    pub scan_types: Vec<ScanType>,
    /// Rule id → the severity its findings get instead of the scanner's.
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Rule ids whose findings are suppressed.
    pub ignored_rules: Vec<String>,
    /// Semgrep rule files or directories, absolute; they replace `--config auto`.
    pub semgrep_rules: Vec<PathBuf>,
    /// Fail when a kept finding is at or above this severity, unless `--fail-on-severity` says
    /// otherwise.
    pub fail_on_severity: Option<Severity>,
    pub ai: Option<bool>,
}

impl ProjectConfig {
    /// `semgrep_rules` as the semgrep adapter's `config` variable (empty: keep its default).
    pub fn semgrep_config(&self) -> Vec<String> {
        self.semgrep_rules
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }
}

/// "critical, high, medium, low, info"
pub fn severity_names() -> String {
    SEVERITIES.map(Severity::as_str).join(", ")
}

/// A severity name, any case.
pub fn parse_severity(text: &str) -> Option<Severity> {
    let text = text.trim().to_lowercase();
    SEVERITIES.into_iter().find(|s| s.as_str() == text)
}

/// Read the top-level mapping into a config, adding an error for each value that does not fit.
/// Relative `semgrep_rules` are taken from `dir`, the config file's directory.
pub fn read(
    entries: &[(Spanned<String>, Spanned<Node>)],
    path: &Path,
    dir: &Path,
    issues: &mut Vec<Issue>,
) -> ProjectConfig {
    let mut config = ProjectConfig {
        path: path.to_path_buf(),
        ..ProjectConfig::default()
    };
    for (key, value) in entries {
        let name = key.value.as_str();
        match name {
            "scan_types" => {
                for (index, item) in list(name, value, issues) {
                    let at = format!("{name}[{index}]");
                    match item
                        .value
                        .as_text()
                        .and_then(|t| ScanType::parse(&t.to_lowercase()))
                    {
                        Some(scan_type) => config.scan_types.push(scan_type),
                        None => issues.push(Issue::error(
                            line(item),
                            &at,
                            format!(
                                "invalid scan type {}; valid: {}",
                                shown(&item.value),
                                ScanType::names()
                            ),
                        )),
                    }
                }
            }
            "severity_overrides" => match &value.value {
                Node::Null => {}
                Node::Map(overrides) => {
                    for (rule, severity) in overrides {
                        let at = format!("{name}.{}", rule.value);
                        match severity_of(&severity.value) {
                            Some(severity) => {
                                config
                                    .severity_overrides
                                    .insert(rule.value.clone(), severity);
                            }
                            None => issues.push(bad_severity(severity, &at)),
                        }
                    }
                }
                other => issues.push(expected(
                    value,
                    name,
                    "a mapping of rule id to severity",
                    other,
                )),
            },
            "ignored_rules" => {
                for (index, item) in list(name, value, issues) {
                    match item.value.as_text() {
                        Some(rule) => config.ignored_rules.push(rule),
                        None => issues.push(expected(
                            item,
                            &format!("{name}[{index}]"),
                            "a rule id",
                            &item.value,
                        )),
                    }
                }
            }
            "semgrep_rules" => {
                for (index, item) in list(name, value, issues) {
                    match &item.value {
                        Node::Text(rules) if !rules.trim().is_empty() => {
                            config.semgrep_rules.push(dir.join(rules.trim()));
                        }
                        other => issues.push(expected(
                            item,
                            &format!("{name}[{index}]"),
                            "a path to a semgrep rules file or directory",
                            other,
                        )),
                    }
                }
            }
            "fail_on_severity" => match &value.value {
                Node::Null => {}
                other => match severity_of(other) {
                    Some(severity) => config.fail_on_severity = Some(severity),
                    None => issues.push(bad_severity(value, name)),
                },
            },
            "ai" => match &value.value {
                Node::Null => {}
                Node::Bool(on) => config.ai = Some(*on),
                other => issues.push(expected(value, name, "true or false", other)),
            },
            _ => issues.push(Issue::error(
                line(key),
                name,
                format!("unknown key {name:?}; valid keys: {}", KEYS.join(", ")),
            )),
        }
    }
    config
}

/// The items of a list value, numbered; null is an empty list, anything else an error.
fn list<'a>(
    name: &str,
    value: &'a Spanned<Node>,
    issues: &mut Vec<Issue>,
) -> Vec<(usize, &'a Spanned<Node>)> {
    match &value.value {
        Node::List(items) => items.iter().enumerate().collect(),
        Node::Null => Vec::new(),
        other => {
            issues.push(expected(value, name, "a list", other));
            Vec::new()
        }
    }
}

fn severity_of(node: &Node) -> Option<Severity> {
    node.as_text().as_deref().and_then(parse_severity)
}

fn bad_severity(value: &Spanned<Node>, at: &str) -> Issue {
    Issue::error(
        line(value),
        at,
        format!(
            "invalid severity {}; valid: {}",
            shown(&value.value),
            severity_names()
        ),
    )
}

fn expected(value: &Spanned<Node>, at: &str, wanted: &str, got: &Node) -> Issue {
    Issue::error(
        line(value),
        at,
        format!("expected {wanted}, got {}", got.kind()),
    )
}

fn shown(node: &Node) -> String {
    match node.as_text() {
        Some(text) => format!("{text:?}"),
        None => node.kind().to_string(),
    }
}
