//! The four findings and the diff behind the golden outputs of the spec's Appendix A, rebuilt for
//! the renderers' tests.

use securescan_model::{ChangeSet, Finding, ScanType, Severity, SuppressedBy, Suppression};

/// The diff of Appendix A.7.
pub const DIFF: &str = "diff --git a/src/app.py b/src/app.py
index 111..222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -39,3 +39,5 @@ def f():
 a = 1
 b = 2
+c = 3
+x = eval(y)
 d = 4
";

/// The finding as the appendix describes it, before the per-finding details are filled in.
fn finding(scanner: &str, severity: Severity, title: &str, fingerprint: &str) -> Finding {
    Finding {
        scan_id: "s1".into(),
        fingerprint: fingerprint.into(),
        ..Finding::sample(scanner, title, severity)
    }
}

/// Finding 1: semgrep's eval at `src/app.py:42`.
pub fn eval() -> Finding {
    Finding {
        description: "Detected use of eval(). This is dangerous. More text here.".into(),
        file_path: Some("src/app.py".into()),
        line_start: Some(42),
        line_end: Some(42),
        rule_id: Some("python.lang.security.audit.eval-detected".into()),
        cwe: Some("CWE-95".into()),
        remediation: Some("Avoid eval.".into()),
        ..finding(
            "semgrep",
            Severity::High,
            "Use of eval",
            "698e2557ce15ec994e195553c860c23ad96c0aca421c6f271e0f799ae2a43240",
        )
    }
}

/// Finding 2: bandit's B602 at `src/run.py:10-12`, suppressed by config.
pub fn shell() -> Finding {
    Finding {
        description: "subprocess call with shell=True identified, \"security issue\".".into(),
        file_path: Some("src/run.py".into()),
        line_start: Some(10),
        line_end: Some(12),
        rule_id: Some("B602".into()),
        cwe: Some("CWE-78".into()),
        suppression: Some(Suppression::by(SuppressedBy::Config)),
        ..finding(
            "bandit",
            Severity::Medium,
            "subprocess_popen_with_shell_equals_true",
            "4119bfde0a5009ed0238ddb65f17468d048b7a44b42ee758fff6c59f8a382ece",
        )
    }
}

/// Finding 3: trivy's critical CVE in `requirements.txt` (no line).
pub fn cve() -> Finding {
    Finding {
        description: "Bad bug".into(),
        file_path: Some("requirements.txt".into()),
        rule_id: Some("CVE-2024-0001".into()),
        remediation: Some("Update to 2.32.0".into()),
        ..finding(
            "trivy",
            Severity::Critical,
            "CVE-2024-0001 in requests",
            "36c56bcb0274db524d1b3c4c8508bc56d50fdf59d19130aacc6791e6aa8aeef6",
        )
    }
}

/// Finding 4: the baseline check without a file or rule.
pub fn firewall() -> Finding {
    Finding {
        scan_type: ScanType::Baseline,
        description: "Neither ufw nor iptables.".into(),
        ..finding(
            "baseline",
            Severity::Info,
            "No active firewall detected",
            "996733a5025ec02d38ab7b606c58ee50cd7227102ec1460e77a61d93e36b9266",
        )
    }
}

/// new = [1, 2, 3], fixed = [4], each bucket in canonical order, as `classify` leaves them.
pub fn changes() -> ChangeSet {
    ChangeSet {
        new: vec![cve(), eval(), shell()],
        fixed: vec![firewall()],
        unchanged: Vec::new(),
    }
}

#[test]
fn the_buckets_are_in_canonical_order() {
    let mut new = changes().new;
    securescan_model::sort_canonical(&mut new);
    assert_eq!(new, changes().new);
}
