use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{FailureKind, Finding, ScanType, Summary};

/// What happened to one scanner in a scan.
/// Deserialized when a saved scan is read back (the server's reports of stored scans).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScannerOutcome {
    pub scanner: String,
    pub scan_type: ScanType,
    #[serde(flatten)]
    pub status: ScannerStatus,
    /// The tool's version, when one was probed.
    pub tool_version: Option<String>,
    /// Tool and adapter notes that are not findings (files the tool could not parse, …).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ScannerStatus {
    Completed {
        findings: usize,
    },
    Skipped {
        reason: String,
        install_hint: Option<String>,
    },
    Failed {
        kind: FailureKind,
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanResult {
    pub scan_id: String,
    pub target: String,
    pub scan_types: Vec<ScanType>,
    pub scanners: Vec<ScannerOutcome>,
    pub findings: Vec<Finding>,
}

impl ScanResult {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }

    pub fn failed(&self) -> impl Iterator<Item = &ScannerOutcome> {
        self.scanners
            .iter()
            .filter(|s| matches!(s.status, ScannerStatus::Failed { .. }))
    }
}
