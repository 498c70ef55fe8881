//! What a project's config does to findings once the adapters are done: severity overrides, then
//! suppression of ignored rules.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ProjectConfig;
use crate::findings::{Finding, Severity};

/// The finding rules of one scan. The default changes nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingPolicy {
    pub severity_overrides: BTreeMap<String, Severity>,
    pub ignored_rules: BTreeSet<String>,
    /// `--no-suppress`: keep every finding, whatever `ignored_rules` says.
    pub no_suppress: bool,
}

impl FindingPolicy {
    pub fn from_config(config: &ProjectConfig) -> FindingPolicy {
        FindingPolicy {
            severity_overrides: config.severity_overrides.clone(),
            ignored_rules: config.ignored_rules.iter().cloned().collect(),
            no_suppress: false,
        }
    }

    /// Override severities (keeping the scanner's in `metadata.original_severity`), then remove
    /// the findings of ignored rules. Returns the suppressed findings, each stamped
    /// `metadata.suppressed_by = "config"`.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> Vec<Finding> {
        for finding in findings.iter_mut() {
            self.override_severity(finding);
        }
        if self.no_suppress || self.ignored_rules.is_empty() {
            return Vec::new();
        }
        let (suppressed, kept): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(findings).into_iter().partition(|f| {
                f.rule_id
                    .as_ref()
                    .is_some_and(|rule| self.ignored_rules.contains(rule))
            });
        *findings = kept;
        suppressed
            .into_iter()
            .map(|mut finding| {
                finding
                    .metadata
                    .entry("suppressed_by")
                    .or_insert_with(|| Value::from("config"));
                finding
            })
            .collect()
    }

    /// Idempotent: a finding already carrying an original severity keeps it.
    fn override_severity(&self, finding: &mut Finding) {
        let Some(severity) = finding
            .rule_id
            .as_ref()
            .and_then(|rule| self.severity_overrides.get(rule))
        else {
            return;
        };
        if finding
            .metadata
            .get("original_severity")
            .is_some_and(|v| !v.is_null())
        {
            return;
        }
        finding.metadata.insert(
            "original_severity".into(),
            Value::from(finding.severity.as_str()),
        );
        finding.severity = *severity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::ScanType;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            id: String::new(),
            scan_id: String::new(),
            scanner: "semgrep".into(),
            scan_type: ScanType::Code,
            severity,
            title: rule.into(),
            description: String::new(),
            file_path: Some("app.py".into()),
            line_start: Some(1),
            line_end: Some(1),
            rule_id: Some(rule.into()),
            cwe: None,
            remediation: None,
            metadata: Default::default(),
            compliance_tags: Vec::new(),
            fingerprint: String::new(),
        }
    }

    fn policy() -> FindingPolicy {
        FindingPolicy {
            severity_overrides: [("loud".to_string(), Severity::Low)].into(),
            ignored_rules: ["noisy".to_string()].into(),
            no_suppress: false,
        }
    }

    #[test]
    fn an_override_keeps_the_scanner_severity_and_is_idempotent() {
        let mut findings = vec![finding("loud", Severity::High)];
        policy().apply(&mut findings);
        policy().apply(&mut findings);
        assert_eq!(findings[0].severity, Severity::Low);
        assert_eq!(findings[0].metadata["original_severity"], "high");
    }

    #[test]
    fn ignored_rules_are_removed_and_stamped() {
        let mut findings = vec![
            finding("noisy", Severity::Critical),
            finding("other", Severity::Low),
        ];
        let suppressed = policy().apply(&mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0].metadata["suppressed_by"], "config");
    }

    #[test]
    fn no_suppress_keeps_ignored_rules_but_still_overrides() {
        let mut findings = vec![
            finding("noisy", Severity::Critical),
            finding("loud", Severity::High),
        ];
        let policy = FindingPolicy {
            no_suppress: true,
            ..policy()
        };
        assert!(policy.apply(&mut findings).is_empty());
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[1].severity, Severity::Low);
    }
}
