//! Deterministic ids: the same inputs give the same scan id and finding ids, so outputs are
//! byte-identical run to run.

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
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for finding in findings {
        let occurrence = seen.entry(finding.fingerprint.clone()).or_insert(0);
        let digest = Sha256::digest(format!("{scan_id}|{}|{occurrence}", finding.fingerprint));
        *occurrence += 1;
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
