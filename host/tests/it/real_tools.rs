//! The real semgrep and bandit, installed by scripts/test.sh, on the shipped vulnerable example.

use std::process::Command;

use crate::support::{adapter_dir, bin, target_dir, workspace};

/// The binary with the built adapters and the shared compile cache, and the real PATH.
fn securescan() -> Command {
    let mut command = Command::new(bin());
    command.env("SECURESCAN_ADAPTER_DIR", adapter_dir()).env(
        "SECURESCAN_CACHE_DIR",
        target_dir().join("test-compile-cache"),
    );
    command
}

/// Run a scan that must succeed and return its JSON findings.
fn scan_json(command: &mut Command) -> serde_json::Value {
    let output = command.output().expect("securescan runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

fn require(tool: &str) {
    assert!(
        securescan::tools::find_tool(tool).is_some(),
        "{tool} is not on PATH: scripts/test.sh installs it (pip) and puts it on PATH"
    );
}

#[test]
fn real_semgrep_bandit_and_secrets_scan_the_example_tree() {
    require("semgrep");
    require("bandit");
    let findings = scan_json(securescan().current_dir(workspace()).args([
        "scan",
        "examples/vulnerable-app",
        "--type",
        "code",
        "--semgrep-config",
        "rules/semgrep-python.yml",
        "--output",
        "json",
    ]));
    let has = |scanner: &str, rule_suffix: &str| {
        findings.as_array().expect("array").iter().any(|f| {
            f["scanner"] == scanner
                && f["rule_id"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(rule_suffix))
        })
    };
    assert!(has("semgrep", "python-eval"), "semgrep found eval()");
    assert!(
        has("semgrep", "python-sql-format"),
        "semgrep found the SQL injection"
    );
    assert!(has("bandit", "B602"), "bandit found shell=True");
    assert!(has("secrets", "aws-access-key"), "secrets found the key");
    let eval = findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|r| r.ends_with("python-eval"))
        })
        .expect("eval");
    assert_eq!(eval["cwe"], "CWE-95");
    assert_eq!(eval["file_path"], "examples/vulnerable-app/app.py");
}

#[test]
fn real_checkov_and_the_dockerfile_analyzer_scan_an_iac_tree() {
    require("checkov");
    let dir = crate::support::tree(&[
        (
            "infra/main.tf",
            "resource \"aws_security_group\" \"open\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
        ),
        (
            "Dockerfile",
            "FROM ubuntu:latest\nRUN apt-get install -y curl\n",
        ),
    ]);
    let findings = scan_json(
        securescan()
            .args(["scan", "--type", "iac", "--output", "json"])
            .arg(dir.path()),
    );
    let root = dir.path().to_string_lossy().into_owned();
    let ssh = findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["scanner"] == "checkov" && f["rule_id"] == "CKV_AWS_24")
        .expect("checkov flags SSH open to the world");
    assert_eq!(ssh["file_path"], format!("{root}/infra/main.tf"));
    assert_eq!(ssh["line_start"], 1);
    assert!(
        findings
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["scanner"] == "dockerfile" && f["rule_id"] == "dockerfile/DL001")
    );
}
