//! Any text as the `git diff` of a pull request (what `securescan diff --output github-review`
//! places inline comments by), with a fixed change set: the review is always valid JSON for
//! GitHub's create-review API, never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use securescan_model::{ChangeMode, ChangeSet, Finding, ScanType, Severity};
use securescan_report::github::{Review, ReviewEvent, render_review};
use serde_json::Value;

#[allow(clippy::too_many_arguments)]
fn finding(
    scanner: &str,
    severity: Severity,
    title: &str,
    file_path: Option<&str>,
    lines: Option<(u32, u32)>,
    rule_id: Option<&str>,
    cwe: Option<&str>,
    fingerprint: &str,
) -> Finding {
    Finding {
        id: format!("{scanner}-{fingerprint}"),
        scan_id: "scan-fuzz".into(),
        scanner: scanner.into(),
        scan_type: ScanType::Code,
        severity,
        title: title.into(),
        description: format!("{title}. Found by {scanner}; see the rule's documentation."),
        file_path: file_path.map(str::to_string),
        line_start: lines.map(|l| l.0),
        line_end: lines.map(|l| l.1),
        rule_id: rule_id.map(str::to_string),
        cwe: cwe.map(str::to_string),
        remediation: Some("Pass arguments as a list and drop `shell=True`.".into()),
        metadata: Default::default(),
        compliance_tags: vec!["OWASP-A03".into()],
        fingerprint: fingerprint.into(),
    }
}

static CHANGES: LazyLock<ChangeSet> = LazyLock::new(|| {
    let mut suppressed = finding(
        "semgrep",
        Severity::Medium,
        "Hard-coded password",
        Some("src/app.py"),
        Some((12, 12)),
        Some("python.lang.security.hardcoded-password"),
        Some("CWE-798"),
        "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988",
    );
    suppressed
        .metadata
        .insert("suppressed_by", Value::String("inline".into()));
    ChangeSet {
        new: vec![
            finding(
                "bandit",
                Severity::High,
                "subprocess call with shell=True identified",
                Some("src/app.py"),
                Some((3, 5)),
                Some("B602"),
                Some("CWE-78"),
                "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
            ),
            finding(
                "semgrep",
                Severity::Low,
                "Use of assert detected",
                Some("src/app.py"),
                Some((50, 50)),
                None,
                None,
                "deadbeef",
            ),
            finding(
                "trivy",
                Severity::Critical,
                "Image runs as root",
                None,
                None,
                Some("DS002"),
                None,
                "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
            ),
            suppressed,
        ],
        fixed: vec![finding(
            "bandit",
            Severity::Medium,
            "Use of insecure MD5 hash function",
            Some("lib/util.py"),
            Some((20, 21)),
            Some("B303"),
            Some("CWE-327"),
            "9999999999999999999999999999999999999999999999999999999999999999",
        )],
        unchanged: Vec::new(),
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let review = Review {
        commit_id: "abc1234def5678",
        diff_text: text,
        mode: ChangeMode::Diff,
        event: ReviewEvent::Comment,
        repo: Some("o/r"),
        suggestions: true,
        show_suppressed: false,
    };
    let out = render_review(&CHANGES, &review);
    if let Err(err) = serde_json::from_str::<Value>(&out) {
        panic!("render_review gave invalid JSON ({err}):\n{out}");
    }
});
