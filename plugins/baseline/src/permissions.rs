//! BASELINE-PERM-001: a sensitive path whose permission bits go beyond what it needs.

use securescan_adapter_sdk::{FileKind, Finding, Output, Severity};

use crate::probes::Probes;

/// One permission check: the most permissive mode allowed and the kind of file expected (a
/// symlink's own mode says nothing about its target, so other kinds are not judged).
pub struct Limit {
    pub max: u32,
    pub kind: FileKind,
    pub severity: Severity,
}

pub const PASSWD: Limit = Limit {
    max: 0o644,
    kind: FileKind::Regular,
    severity: Severity::High,
};
pub const SHADOW: Limit = Limit {
    max: 0o640,
    kind: FileKind::Regular,
    severity: Severity::Critical,
};
pub const SSH_DIR: Limit = Limit {
    max: 0o700,
    kind: FileKind::Directory,
    severity: Severity::High,
};
pub const AUTHORIZED_KEYS: Limit = Limit {
    max: 0o600,
    kind: FileKind::Regular,
    severity: Severity::High,
};

pub fn check(probes: &Probes, path: &str, limit: &Limit, out: &mut Output) {
    let Some(metadata) = probes.metadata(path) else {
        return;
    };
    let mode = metadata.mode & 0o7777;
    if metadata.kind != limit.kind || mode & !limit.max == 0 {
        return;
    }
    let expected = format!("{:o}", limit.max);
    out.findings.push(
        Finding::new(
            &format!("Insecure permissions on {}", metadata.path),
            &format!("Permissions are {mode:o} but should be {expected} or more restrictive."),
            limit.severity,
        )
        .rule("BASELINE-PERM-001")
        .file(&metadata.path)
        .remediation(&format!("Run: sudo chmod {expected} {}", metadata.path))
        .meta("mode", format!("{mode:o}"))
        .meta("expected_mode", expected)
        .meta("uid", metadata.uid)
        .meta("gid", metadata.gid),
    );
}
