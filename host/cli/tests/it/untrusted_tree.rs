//! A scanned tree is data, never code: a default scan runs nothing from it, even where a tool
//! would gladly run the tree's own interpreter. Uses the real pip-licenses scripts/setup.sh
//! installs, since pip-licenses is what ran the tree's interpreter.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::real_tools::require;
use crate::support::{run, securescan, stderr, tree, workspace};

/// A project whose every virtualenv interpreter (`.venv`, `venv`, `env`, `.env`; `python` and
/// `python3`) creates `marker` when run, and whose `.venv` has three distributions installed the
/// ways installers lay them out: a GPL one as a wheel (`*.dist-info/METADATA`), an AGPL one by
/// classifier (`*.egg-info/PKG-INFO`) and an MIT one.
fn trapped_project(marker: &Path) -> tempfile::TempDir {
    let site = ".venv/lib/python3.11/site-packages";
    let dir = tree(&[
        ("app.py", "print('hello')\n"),
        (
            &format!("{site}/gplthing-1.0.dist-info/METADATA"),
            "Metadata-Version: 2.1\nName: gplthing\nVersion: 1.0\nLicense: GPL-3.0-only\n\n\
             A long description.\n",
        ),
        (
            &format!("{site}/netthing-2.0-py3.11.egg-info/PKG-INFO"),
            "Metadata-Version: 1.2\nName: netthing\nVersion: 2.0\nLicense: UNKNOWN\n\
             Classifier: License :: OSI Approved :: GNU Affero General Public License v3\n",
        ),
        (
            &format!("{site}/fine-3.0.dist-info/METADATA"),
            "Metadata-Version: 2.4\nName: fine\nVersion: 3.0\nLicense-Expression: MIT\n",
        ),
    ]);
    let trap = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    for venv in [".venv", "venv", "env", ".env"] {
        let bin = dir.path().join(venv).join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        for python in ["python", "python3"] {
            let path = bin.join(python);
            std::fs::write(&path, &trap).expect("write the trap");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    dir
}

fn scan(target: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let output = run(securescan()
        .args(["scan", "--output", "json", "--no-save"])
        .args(args)
        .arg(target));
    let findings = serde_json::from_slice(&output.stdout).expect("json findings");
    (findings, stderr(&output))
}

fn license_findings(findings: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["scanner"] == "licenses")
        .map(|f| {
            (
                f["metadata"]["package"].as_str().unwrap_or("").to_string(),
                f["title"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_default_scan_never_runs_the_interpreter_of_the_scanned_virtualenv() {
    require("pip-licenses");
    let outside = tempfile::tempdir().expect("tempdir");
    let marker = outside.path().join("the-target-ran-code");
    let project = trapped_project(&marker);

    let (findings, stderr) = scan(project.path(), &["--type", "dependency"]);
    assert!(
        !marker.exists(),
        "a dependency scan ran the target's python: {stderr}"
    );
    // The licenses are still read, from the metadata files, as pip-licenses reported them.
    assert_eq!(
        license_findings(&findings),
        vec![
            (
                "gplthing".into(),
                "Copyleft license: gplthing (GPL-3.0-only)".into(),
                "medium".into()
            ),
            (
                "netthing".into(),
                "Copyleft license: netthing (GNU Affero General Public License v3)".into(),
                "medium".into()
            ),
        ],
        "{stderr}"
    );

    // Every scan type a directory takes, with semgrep on local rules (no registry download).
    let rules = workspace().join("rules/semgrep-python.yml");
    let (_, stderr) = scan(
        project.path(),
        &[
            "-t",
            "code",
            "-t",
            "dependency",
            "-t",
            "iac",
            "-t",
            "baseline",
            "--semgrep-config",
            rules.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        !marker.exists(),
        "a full scan ran the target's python: {stderr}"
    );
    let (_, stderr) = scan(project.path(), &[]);
    assert!(
        !marker.exists(),
        "a scan with the default types ran the target's python: {stderr}"
    );
}

#[test]
fn only_run_project_python_runs_the_targets_interpreter_and_it_says_so() {
    require("pip-licenses");
    let outside = tempfile::tempdir().expect("tempdir");
    let marker = outside.path().join("the-target-ran-code");
    let project = trapped_project(&marker);
    let output = run(securescan()
        .args([
            "scan",
            "--type",
            "dependency",
            "--no-save",
            "--run-project-python",
        ])
        .arg(project.path()));
    assert!(marker.exists(), "the flag is what allows it");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("pip-licenses ran the target's own interpreter")
            && stdout.contains("a program from the scanned tree was executed"),
        "{stdout}"
    );
}
