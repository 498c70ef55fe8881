//! A finding with only the fields compliance matching reads set, for this module's tests.

use crate::findings::{Finding, Severity};

pub(super) fn finding(
    scanner: &str,
    rule_id: Option<&str>,
    cwe: Option<&str>,
    title: &str,
    description: &str,
) -> Finding {
    Finding {
        id: "f-1".into(),
        scan_id: "s-1".into(),
        description: description.into(),
        rule_id: rule_id.map(str::to_string),
        cwe: cwe.map(str::to_string),
        fingerprint: "fp".into(),
        ..Finding::sample(scanner, title, Severity::Medium)
    }
}
