use serde::Serialize;

pub use securescan_adapter_sdk::{Metadata, Severity};

/// What a scan looks at. Declaration order is the documented order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanType {
    Code,
    Dependency,
    Iac,
    Baseline,
    Dast,
    Network,
}

impl ScanType {
    pub const ALL: [ScanType; 6] = [
        ScanType::Code,
        ScanType::Dependency,
        ScanType::Iac,
        ScanType::Baseline,
        ScanType::Dast,
        ScanType::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScanType::Code => "code",
            ScanType::Dependency => "dependency",
            ScanType::Iac => "iac",
            ScanType::Baseline => "baseline",
            ScanType::Dast => "dast",
            ScanType::Network => "network",
        }
    }

    pub fn parse(text: &str) -> Option<ScanType> {
        ScanType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// "code, dependency, iac, baseline, dast, network"
    pub fn names() -> String {
        ScanType::ALL.map(ScanType::as_str).join(", ")
    }
}

/// A finding after the host validated it and gave it identity. Field order is the JSON key
/// order users' tooling reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub id: String,
    pub scan_id: String,
    pub scanner: String,
    pub scan_type: ScanType,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    pub file_path: Option<String>,
    pub line_start: Option<u32>,
    pub line_end: Option<u32>,
    pub rule_id: Option<String>,
    pub cwe: Option<String>,
    pub remediation: Option<String>,
    /// Held as the adapter's JSON text until something changes it: tens of thousands of findings
    /// stay small (a decoded map costs about ten times its text).
    pub metadata: Metadata,
    pub compliance_tags: Vec<String>,
    pub fingerprint: String,
}

#[cfg(any(test, feature = "testing"))]
impl Finding {
    /// A code finding with every optional field empty and no identity yet: what unit tests start
    /// from, filling in what they look at with struct update syntax.
    pub fn sample(scanner: &str, title: &str, severity: Severity) -> Finding {
        Finding {
            id: String::new(),
            scan_id: String::new(),
            scanner: scanner.into(),
            scan_type: ScanType::Code,
            severity,
            title: title.into(),
            description: String::new(),
            file_path: None,
            line_start: None,
            line_end: None,
            rule_id: None,
            cwe: None,
            remediation: None,
            metadata: Metadata::default(),
            compliance_tags: Vec::new(),
            fingerprint: String::new(),
        }
    }
}
