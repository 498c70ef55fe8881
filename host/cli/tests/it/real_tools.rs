//! The real scanner tools scripts/setup.sh installs (semgrep, bandit, checkov, safety, pip-licenses,
//! npm, git), run by `securescan scan` on the shipped example and on trees written here.

use std::process::Command;

use crate::support::{git, scan_json, securescan, tree, workspace};

pub fn require(tool: &str) {
    assert!(
        securescan_engine::tools::find_tool(tool).is_some(),
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
    // A scanner's result counts whether it is its own finding or merged into another scanner's
    // report of the same line and CWE (listed in `also_reported_by`).
    let has = |scanner: &str, rule_suffix: &str| {
        let matches = |f: &serde_json::Value| {
            f["scanner"] == scanner
                && f["rule_id"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(rule_suffix))
        };
        findings.as_array().expect("array").iter().any(|f| {
            matches(f)
                || f["metadata"]["also_reported_by"]
                    .as_array()
                    .is_some_and(|merged| merged.iter().any(matches))
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
    let tags = eval["compliance_tags"].as_array().expect("tags");
    assert!(tags.contains(&"OWASP-A03".into()), "{tags:?}");
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

fn findings_of<'a>(findings: &'a serde_json::Value, scanner: &str) -> Vec<&'a serde_json::Value> {
    findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["scanner"] == scanner)
        .collect()
}

#[test]
fn real_safety_runs_once_per_requirements_file_offline() {
    require("safety");
    let db = std::env::var("SECURESCAN_TEST_SAFETY_DB")
        .expect("scripts/setup.sh exports SECURESCAN_TEST_SAFETY_DB (the safety-db package)");
    let dir = tree(&[
        ("requirements.txt", "django==1.8\npyyaml==3.12\n"),
        ("services/api/requirements-dev.txt", "requests==2.9.0\n"),
        ("requirements-clean.txt", "six==1.16.0\n"),
        (".venv/lib/requirements.txt", "django==1.8\n"),
    ]);
    let findings = scan_json(
        securescan()
            .args([
                "scan",
                "--type",
                "dependency",
                "--output",
                "json",
                "--safety-db",
                &db,
            ])
            .arg(dir.path()),
    );
    let safety = findings_of(&findings, "safety");
    let root = dir.path().to_string_lossy().into_owned();
    let files: std::collections::BTreeSet<&str> = safety
        .iter()
        .filter_map(|f| f["file_path"].as_str())
        .collect();
    assert_eq!(
        files,
        [
            format!("{root}/requirements.txt"),
            format!("{root}/services/api/requirements-dev.txt"),
        ]
        .iter()
        .map(String::as_str)
        .collect(),
        "one run per requirements file, virtualenvs skipped"
    );
    assert!(
        safety
            .iter()
            .any(|f| f["title"] == "Vulnerable package: django"),
        "django 1.8 is known-vulnerable"
    );
}

#[test]
fn real_pip_licenses_audits_the_project_virtualenv_not_securescans() {
    require("pip-licenses");
    let dir = tree(&[("app.py", "")]);
    let venv = dir.path().join(".venv");
    let status = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .expect("python3 -m venv");
    assert!(status.success());
    // A distribution installed in the project's environment only, with a copyleft license.
    let site = std::fs::read_dir(venv.join("lib"))
        .expect("lib")
        .next()
        .expect("python3.X")
        .expect("entry")
        .path()
        .join("site-packages/gplthing-1.0.dist-info");
    std::fs::create_dir_all(&site).expect("mkdir");
    std::fs::write(
        site.join("METADATA"),
        "Metadata-Version: 2.1\nName: gplthing\nVersion: 1.0\nLicense: GPL-3.0-only\n",
    )
    .expect("write");
    let findings = scan_json(
        securescan()
            .args(["scan", "--type", "dependency", "--output", "json"])
            .arg("--run-project-python")
            .arg(dir.path()),
    );
    let licenses = findings_of(&findings, "licenses");
    assert!(
        licenses.iter().any(|f| f["rule_id"] == "licenses/copyleft"
            && f["metadata"]["package"] == "gplthing"
            && f["metadata"]["source"] == "pip-licenses"),
        "{licenses:#?}"
    );
    assert!(
        !licenses
            .iter()
            .any(|f| f["metadata"]["package"] == "semgrep"),
        "SecureScan's own environment is not audited"
    );
}

#[test]
fn real_npm_audit_never_reports_a_refused_audit_as_clean() {
    require("npm");
    let corpus = workspace().join("../shared/corpus/inputs/targets/npmapp");
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["package.json", "package-lock.json"] {
        std::fs::copy(corpus.join(name), dir.path().join(name)).expect("copy the npm app");
    }
    let output = securescan()
        .args(["scan", "--type", "dependency", "--output", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let npm = findings_of(&findings, "npm-audit");
    // Where the registry answers, the old lodash/minimist are found; where it refuses the audit
    // request (as this machine's registry does), the scanner fails loudly: never zero findings.
    if npm.is_empty() {
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("scanner npm-audit failed (tool-failed)"),
            "{stderr}"
        );
    } else {
        assert!(npm.iter().any(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("npm-audit/"))
        }));
    }
}

#[test]
fn git_hygiene_judges_what_git_tracks_not_what_lies_around() {
    require("git");
    let dir = tree(&[
        (".gitignore", "local.env\n.env\n"),
        ("deploy/.env", "TOKEN=committed\n"),
        ("app/.env", "TOKEN=ignored-and-untracked\n"),
        ("README.md", "hi\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(
        dir.path(),
        &["add", "-f", ".gitignore", "README.md", "deploy/.env"],
    );
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    let findings = scan_json(
        securescan()
            .args([
                "scan",
                "--type",
                "code",
                "--output",
                "json",
                "--semgrep-config",
            ])
            .arg(workspace().join("rules/semgrep-python.yml"))
            .arg(dir.path()),
    );
    let root = dir.path().to_string_lossy().into_owned();
    let sensitive: Vec<(&str, &str)> = findings_of(&findings, "git-hygiene")
        .into_iter()
        .filter(|f| f["rule_id"] == "git-hygiene/sensitive-file--env")
        .map(|f| {
            (
                f["file_path"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let tracked = format!("{root}/deploy/.env");
    assert_eq!(
        sensitive,
        vec![(tracked.as_str(), "critical")],
        "the committed .env fires, the ignored one does not"
    );
}

#[test]
fn baseline_audits_a_snapshot_directory_and_tags_its_scope() {
    let dir = tree(&[
        (
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nbackdoor:x:0:0::/:/bin/sh\n",
        ),
        (
            "etc/shadow",
            "root:$6$abc:19000:0:99999:7:::\nbackdoor:!!:19000::::::\n",
        ),
        ("etc/ssh/sshd_config", "PermitRootLogin yes\n"),
    ]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("etc/shadow"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let findings = scan_json(
        securescan()
            .args(["scan", "--type", "baseline", "--output", "json"])
            .arg(dir.path()),
    );
    let baseline = findings_of(&findings, "baseline");
    let rules: Vec<&str> = baseline
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    for rule in [
        "BASELINE-SSH-001",
        "BASELINE-USER-001",
        "BASELINE-USER-002",
        "BASELINE-PERM-001",
    ] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
    assert!(
        baseline
            .iter()
            .all(|f| f["metadata"]["baseline_scope"] == "target")
    );
    let empty = tree(&[("README.md", "")]);
    let scope = scan_json(
        securescan()
            .args(["scan", "--type", "baseline", "--output", "json"])
            .arg(empty.path()),
    );
    let rules: Vec<&str> = findings_of(&scope, "baseline")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(rules, vec!["BASELINE-SCOPE-001"]);
}

#[test]
fn baseline_host_probes_read_the_live_host() {
    let dir = tree(&[("README.md", "")]);
    let findings = scan_json(
        securescan()
            .args([
                "scan",
                "--type",
                "baseline",
                "--baseline-host-probes",
                "--output",
                "json",
            ])
            .arg(dir.path())
            .env("DEPLOY_TEST_API_TOKEN", "abcdefghijklmnop")
            // SecureScan's own settings are its configuration, not the host's posture: never
            // reported (a server's read-scoped callers would see its credentials).
            .env("SECURESCAN_TEST_API_TOKEN", "qrstuvwxyz012345"),
    );
    let baseline = findings_of(&findings, "baseline");
    assert!(
        baseline
            .iter()
            .all(|f| f["metadata"]["baseline_scope"] == "host"),
        "{baseline:#?}"
    );
    let env = baseline
        .iter()
        .find(|f| {
            f["rule_id"] == "BASELINE-ENV-001"
                && f["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("DEPLOY_TEST_API_TOKEN"))
        })
        .expect("the token in the environment is reported");
    let text = serde_json::to_string(env).expect("json");
    assert!(
        !text.contains("abcdefghijklmnop"),
        "only the masked value is shown"
    );
    let all = serde_json::to_string(&baseline).expect("json");
    assert!(
        !all.contains("SECURESCAN_TEST_API_TOKEN") && !all.contains("qrstuvwxyz012345"),
        "SecureScan's own variable was reported"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_costs_bandit_none_of_its_findings() {
    use std::os::unix::ffi::OsStrExt;

    require("bandit");
    let dir = tree(&[(
        "good.py",
        "import subprocess\nsubprocess.call(user_input, shell=True)\n",
    )]);
    // Python's json prints this name as "bad\udcff.py": a lone surrogate no Rust string holds.
    let bad = dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xff.py"));
    std::fs::write(&bad, "import os\nos.system(user_input)\n").expect("write");
    // semgrep gets a rule that matches nothing, so no bandit finding merges into one of its own.
    let rules = tree(&[(
        "never.yml",
        "rules:\n  - id: never\n    pattern: never_called_anywhere()\n    message: never\n    \
         languages: [python]\n    severity: INFO\n",
    )]);
    let output = securescan()
        .args(["scan", "--type", "code", "--output", "json", "--no-save"])
        .arg("--semgrep-config")
        .arg(rules.path().join("never.yml"))
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("scanner bandit failed"), "{stderr}");
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let root = dir.path().to_string_lossy().into_owned();
    let bandit: Vec<(String, String)> = findings_of(&findings, "bandit")
        .iter()
        .map(|f| {
            (
                f["file_path"].as_str().unwrap_or("").to_string(),
                f["rule_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        bandit.contains(&(format!("{root}/good.py"), "B602".into())),
        "{bandit:?}\n{stderr}"
    );
    // The undecodable name costs only its own byte: the finding keeps the rest of it.
    assert!(
        bandit.contains(&(format!("{root}/bad\u{fffd}.py"), "B605".into())),
        "{bandit:?}\n{stderr}"
    );
}

/// Reading a virtualenv's metadata files instead of running its interpreter loses nothing: over
/// the real virtualenv pip-licenses itself is installed in (about a hundred distributions), the
/// files give exactly the findings pip-licenses' report gives.
#[test]
fn real_virtualenv_metadata_gives_the_findings_pip_licenses_gives() {
    use securescan_adapter_sdk::{Adapter, Input, Metadata};

    require("pip-licenses");
    let pip_licenses = securescan_engine::tools::find_tool("pip-licenses").expect("on PATH");
    let venv = pip_licenses
        .parent()
        .and_then(std::path::Path::parent)
        .expect("pip-licenses lives in <venv>/bin");
    let report = Command::new(&pip_licenses)
        .arg("--python")
        .arg(venv.join("bin/python"))
        .arg("--format=json")
        .output()
        .expect("pip-licenses runs");
    assert!(report.status.success());

    // The same distributions' metadata, copied into a project's .venv and gathered as a scan
    // gathers them.
    let project = tempfile::tempdir().expect("tempdir");
    let mut copied = 0;
    for version in std::fs::read_dir(venv.join("lib")).expect("lib") {
        let site = version.expect("entry").path().join("site-packages");
        for entry in std::fs::read_dir(&site).into_iter().flatten() {
            let path = entry.expect("entry").path();
            let relative = path.strip_prefix(venv).expect("inside");
            let metadata = path.join("METADATA");
            if metadata.is_file() {
                let into = project.path().join(".venv").join(relative);
                std::fs::create_dir_all(&into).expect("mkdir");
                std::fs::copy(&metadata, into.join("METADATA")).expect("copy");
                copied += 1;
            }
        }
    }
    assert!(copied > 50, "a real virtualenv: {copied} distributions");
    let registry = securescan_registry::Registry::builtin().expect("registry");
    let securescan_registry::Input::Files(rules) =
        &registry.get("licenses").expect("licenses").input
    else {
        panic!("licenses gathers files")
    };
    let target = project.path().to_str().expect("utf-8").to_string();
    let gathered = securescan_engine::gather::gather_files(&target, rules).expect("gather");
    let files = Input::from_files(gathered.files);

    // pip-licenses leaves out its own environment's tools; none of them is copyleft.
    let summary = |input: &Input| {
        let mut found: Vec<String> = securescan_adapter_licenses::Licenses::parse(input)
            .expect("parses")
            .findings
            .into_iter()
            .map(|mut f| {
                if let Metadata::Map(map) = &mut f.metadata {
                    map.remove("source");
                }
                serde_json::to_string(&f).expect("json")
            })
            .collect();
        found.sort();
        found
    };
    let from_report = summary(&Input::from_report(report.stdout));
    assert!(
        !from_report.is_empty(),
        "the virtualenv has copyleft packages"
    );
    assert_eq!(summary(&files), from_report);
}
