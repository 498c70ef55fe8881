//! A finding with only the fields compliance matching reads set, for this module's tests.

use crate::findings::{Finding, ScanType, Severity};

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
        scanner: scanner.into(),
        scan_type: ScanType::Code,
        severity: Severity::Medium,
        title: title.into(),
        description: description.into(),
        file_path: None,
        line_start: None,
        line_end: None,
        rule_id: rule_id.map(str::to_string),
        cwe: cwe.map(str::to_string),
        remediation: None,
        metadata: Default::default(),
        compliance_tags: Vec::new(),
        fingerprint: "fp".into(),
    }
}
