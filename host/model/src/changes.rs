//! What changed between two sets of findings, by fingerprint: the classification `diff` and
//! `compare` render.

use std::collections::BTreeSet;

use crate::{Finding, sort_canonical};

/// Which question a change set answers: new since a base ref, or drift since a saved baseline.
/// The renderers word their sections (and pick their upsert markers) by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeMode {
    Diff,
    Compare,
}

/// Findings of the head side missing from the base (`new`), of the base missing from the head
/// (`fixed`; compare calls them disappeared) and in both (`unchanged`, the head's copy). Each
/// bucket is in canonical order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    pub new: Vec<Finding>,
    pub fixed: Vec<Finding>,
    pub unchanged: Vec<Finding>,
}

impl ChangeSet {
    /// Classify by fingerprint. A fingerprint seen twice on one side is one finding (the first),
    /// as the identity says they are the same issue.
    pub fn classify(base: Vec<Finding>, head: Vec<Finding>) -> ChangeSet {
        let base = first_per_fingerprint(base);
        let head = first_per_fingerprint(head);
        let base_prints: BTreeSet<String> = base.iter().map(|f| f.fingerprint.clone()).collect();
        let head_prints: BTreeSet<String> = head.iter().map(|f| f.fingerprint.clone()).collect();
        let mut fixed: Vec<Finding> = base
            .into_iter()
            .filter(|f| !head_prints.contains(&f.fingerprint))
            .collect();
        let (mut unchanged, mut new): (Vec<Finding>, Vec<Finding>) = head
            .into_iter()
            .partition(|f| base_prints.contains(&f.fingerprint));
        sort_canonical(&mut new);
        sort_canonical(&mut fixed);
        sort_canonical(&mut unchanged);
        ChangeSet {
            new,
            fixed,
            unchanged,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty()
    }
}

fn first_per_fingerprint(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert(f.fingerprint.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    fn finding(print: &str, severity: Severity) -> Finding {
        Finding {
            file_path: Some("app.py".into()),
            line_start: Some(1),
            rule_id: Some(print.into()),
            fingerprint: print.into(),
            ..Finding::sample("semgrep", print, severity)
        }
    }

    #[test]
    fn buckets_by_fingerprint_with_the_head_copy_for_unchanged() {
        let base = vec![finding("a", Severity::Low), finding("b", Severity::Low)];
        let head = vec![finding("b", Severity::High), finding("c", Severity::Low)];
        let changes = ChangeSet::classify(base, head);
        let prints = |v: &[Finding]| v.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
        assert_eq!(prints(&changes.new), ["c"]);
        assert_eq!(prints(&changes.fixed), ["a"]);
        assert_eq!(prints(&changes.unchanged), ["b"]);
        assert_eq!(changes.unchanged[0].severity, Severity::High);
    }

    #[test]
    fn a_repeated_fingerprint_is_one_finding() {
        let head = vec![finding("a", Severity::Low), finding("a", Severity::High)];
        let changes = ChangeSet::classify(Vec::new(), head);
        assert_eq!(changes.new.len(), 1);
        assert_eq!(changes.new[0].severity, Severity::Low);
    }
}
