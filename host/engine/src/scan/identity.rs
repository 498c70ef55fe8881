//! Deterministic ids: the same inputs give the same scan id and finding ids, so outputs are
//! byte-identical run to run.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::findings::{Finding, ScanType};
use crate::stamp::uuid_text;

/// A UUID-shaped id derived from the target, the scan types and every kept finding's
/// fingerprint: listing suppressed findings too (`--show-suppressed`) does not change it.
pub fn scan_id(target: &str, types: &[ScanType], findings: &[Finding]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"securescan-scan\0");
    hasher.update(target.as_bytes());
    for t in types {
        hasher.update(b"\0");
        hasher.update(t.as_str());
    }
    let mut prints: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| (f.scanner.as_str(), f.fingerprint.as_str()))
        .collect();
    prints.sort_unstable();
    for (scanner, print) in prints {
        hasher.update(b"\0");
        hasher.update(scanner);
        hasher.update(print);
    }
    uuid_text(&hasher.finalize())
}

/// Ids for findings in their final order: the fingerprint plus how many earlier findings share it.
pub fn assign_finding_ids(scan_id: &str, findings: &mut [Finding]) {
    // Counted first, borrowing the fingerprints, so none is copied.
    let mut seen: HashMap<&str, u32> = HashMap::with_capacity(findings.len());
    let occurrences: Vec<u32> = findings
        .iter()
        .map(|f| {
            let count = seen.entry(f.fingerprint.as_str()).or_insert(0);
            *count += 1;
            *count - 1
        })
        .collect();
    drop(seen);
    for (finding, occurrence) in findings.iter_mut().zip(occurrences) {
        let digest = Sha256::digest(format!("{scan_id}|{}|{occurrence}", finding.fingerprint));
        finding.id = uuid_text(&digest);
        finding.scan_id = scan_id.to_string();
    }
}

/// Give `findings` (in their final order) the scan id of `target` and ids under it: for findings
/// whose scan ran somewhere temporary (a `diff` worktree), named by where they really are.
pub fn identify(target: &str, types: &[ScanType], findings: &mut [Finding]) -> String {
    let id = scan_id(target, types, findings);
    assign_finding_ids(&id, findings);
    id
}
