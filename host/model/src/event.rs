//! What a running scan reports as it goes: the CLI's progress lines today, the server's
//! server-sent events tomorrow. Serialized with an `event` tag naming the variant.

use serde::Serialize;

use crate::{FailureKind, ScanResult, ScanType, ScannerOutcome, ScannerStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ScanEvent {
    /// The scan checked its request and is starting these scanners, in registry order.
    ScanStarted {
        target: String,
        scanners: Vec<String>,
    },
    /// A scanner began: its tool is probed, then run, then its output parsed.
    ScannerStarted {
        scanner: String,
        scan_type: ScanType,
    },
    ScannerCompleted {
        scanner: String,
        findings: usize,
        duration_ms: u64,
    },
    ScannerSkipped {
        scanner: String,
        reason: String,
        install_hint: Option<String>,
    },
    ScannerFailed {
        scanner: String,
        kind: FailureKind,
        error: String,
        duration_ms: u64,
    },
    /// Every scanner is done and the findings went through the pipeline.
    ScanFinished {
        scan_id: String,
        findings: usize,
        failed_scanners: usize,
    },
}

impl ScanEvent {
    /// The event that closes `result`'s scan.
    pub fn finished(result: &ScanResult) -> ScanEvent {
        ScanEvent::ScanFinished {
            scan_id: result.scan_id.clone(),
            findings: result.findings.len(),
            failed_scanners: result.failed().count(),
        }
    }

    /// The event that says how `outcome`'s scanner ended.
    pub fn scanner_ended(outcome: &ScannerOutcome) -> ScanEvent {
        let scanner = outcome.scanner.clone();
        let duration_ms = u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX);
        match &outcome.status {
            ScannerStatus::Completed { findings } => ScanEvent::ScannerCompleted {
                scanner,
                findings: *findings,
                duration_ms,
            },
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => ScanEvent::ScannerSkipped {
                scanner,
                reason: reason.clone(),
                install_hint: install_hint.clone(),
            },
            ScannerStatus::Failed { kind, error } => ScanEvent::ScannerFailed {
                scanner,
                kind: *kind,
                error: error.clone(),
                duration_ms,
            },
        }
    }
}
