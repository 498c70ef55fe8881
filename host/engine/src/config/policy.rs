//! What a project's config does to findings once the adapters are done: severity overrides, then
//! suppression, inline comments first (the most local wins), then ignored rules.

use std::collections::{BTreeMap, BTreeSet};

use super::ProjectConfig;
use crate::findings::{Finding, IgnoreMark, Severity, SuppressedBy, Suppression};

/// The finding rules of one scan. The default changes nothing but honours inline comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingPolicy {
    pub severity_overrides: BTreeMap<String, Severity>,
    pub ignored_rules: BTreeSet<String>,
    /// Fingerprints of the `--baseline` file: findings already known when it was written.
    pub baseline: BTreeSet<String>,
    /// `--no-suppress`: keep every finding, whatever inline comments and `ignored_rules` say.
    pub no_suppress: bool,
    /// `--show-suppressed`: suppressed findings stay in the result, marked, uncounted.
    pub show_suppressed: bool,
}

impl FindingPolicy {
    pub fn from_config(config: &ProjectConfig) -> FindingPolicy {
        FindingPolicy {
            severity_overrides: config.severity_overrides.clone(),
            ignored_rules: config.ignored_rules.iter().cloned().collect(),
            ..FindingPolicy::default()
        }
    }

    /// Override severities (keeping the scanner's in `original_severity`), then decide each
    /// finding's `suppression`: inline for a finding whose ignore comment is in `marks` (index for
    /// index) and silences it (with the comment's reason), else config for an ignored rule, else
    /// baseline for a fingerprint in the baseline file.
    /// Suppressed findings are removed and returned, unless `show_suppressed` keeps them in
    /// `findings` (then the returned list is empty).
    pub fn apply(&self, findings: &mut Vec<Finding>, marks: &[Option<IgnoreMark>]) -> Vec<Finding> {
        for (index, finding) in findings.iter_mut().enumerate() {
            self.override_severity(finding);
            finding.suppression = if self.no_suppress {
                None
            } else if let Some(mark) = marks.get(index).and_then(Option::as_ref) {
                Some(Suppression {
                    by: SuppressedBy::Inline,
                    reason: mark.reason.clone(),
                })
            } else {
                self.ignored_or_known(finding).map(Suppression::by)
            };
        }
        if self.show_suppressed {
            return Vec::new();
        }
        findings.extract_if(.., |f| f.is_suppressed()).collect()
    }

    /// The policy over findings read back from a file (a `diff` snapshot), whose files may not
    /// exist here: overrides, then ignored rules and the baseline for findings the file does
    /// not record as suppressed already (its inline marks were read when it was written).
    /// Everything stays in `findings`; `no_suppress` drops the recorded suppressions.
    pub fn apply_recorded(&self, findings: &mut [Finding]) {
        for finding in findings.iter_mut() {
            self.override_severity(finding);
            if self.no_suppress {
                finding.suppression = None;
            } else if finding.suppression.is_none() {
                finding.suppression = self.ignored_or_known(finding).map(Suppression::by);
            }
        }
    }

    /// `config` for an ignored rule, else `baseline` for a fingerprint the baseline lists.
    fn ignored_or_known(&self, finding: &Finding) -> Option<SuppressedBy> {
        if finding
            .rule_id
            .as_ref()
            .is_some_and(|rule| self.ignored_rules.contains(rule))
        {
            Some(SuppressedBy::Config)
        } else if self.baseline.contains(&finding.fingerprint) {
            Some(SuppressedBy::Baseline)
        } else {
            None
        }
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
        if finding.original_severity.is_some() {
            return;
        }
        finding.original_severity = Some(finding.severity);
        finding.severity = *severity;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            file_path: Some("app.py".into()),
            line_start: Some(1),
            line_end: Some(1),
            rule_id: Some(rule.into()),
            ..Finding::sample("semgrep", rule, severity)
        }
    }

    fn policy() -> FindingPolicy {
        FindingPolicy {
            severity_overrides: [("loud".to_string(), Severity::Low)].into(),
            ignored_rules: ["noisy".to_string()].into(),
            ..FindingPolicy::default()
        }
    }

    /// Applies `policy` with no inline marks.
    fn apply(policy: &FindingPolicy, findings: &mut Vec<Finding>) -> Vec<Finding> {
        policy.apply(findings, &[])
    }

    #[test]
    fn an_override_keeps_the_scanner_severity_and_is_idempotent() {
        let mut findings = vec![finding("loud", Severity::High)];
        apply(&policy(), &mut findings);
        apply(&policy(), &mut findings);
        assert_eq!(findings[0].severity, Severity::Low);
        assert_eq!(findings[0].original_severity, Some(Severity::High));
    }

    #[test]
    fn ignored_rules_are_removed_and_stamped() {
        let mut findings = vec![
            finding("noisy", Severity::Critical),
            finding("other", Severity::Low),
        ];
        let suppressed = apply(&policy(), &mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0].suppressed_by(), Some(&SuppressedBy::Config));
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
        assert!(apply(&policy, &mut findings).is_empty());
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[1].severity, Severity::Low);
    }

    #[test]
    fn show_suppressed_keeps_stamped_findings() {
        let mut findings = vec![
            finding("noisy", Severity::Critical),
            finding("other", Severity::Low),
        ];
        let policy = FindingPolicy {
            show_suppressed: true,
            ..policy()
        };
        assert!(apply(&policy, &mut findings).is_empty());
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].suppressed_by(), Some(&SuppressedBy::Config));
        assert!(!findings[1].is_suppressed());
    }

    #[test]
    fn config_beats_baseline_and_baseline_stamps_the_rest() {
        let mut known = finding("other", Severity::High);
        known.fingerprint = "known".into();
        let mut ignored = finding("noisy", Severity::High);
        ignored.fingerprint = "known".into();
        let mut findings = vec![known, ignored, finding("fresh", Severity::High)];
        let policy = FindingPolicy {
            baseline: ["known".to_string()].into(),
            show_suppressed: true,
            ..policy()
        };
        apply(&policy, &mut findings);
        assert_eq!(findings[0].suppressed_by(), Some(&SuppressedBy::Baseline));
        assert_eq!(findings[1].suppressed_by(), Some(&SuppressedBy::Config));
        assert!(!findings[2].is_suppressed());
    }

    #[test]
    fn a_metadata_key_named_like_a_suppression_is_not_one() {
        let mut stamped = finding("other", Severity::High);
        stamped
            .metadata
            .insert("suppressed_by", Value::from("baseline"));
        let mut findings = vec![stamped];
        assert!(apply(&policy(), &mut findings).is_empty());
        assert!(!findings[0].is_suppressed());
    }
}
