//! Finding identity on what the real tools print: the same tree named every way a user can name
//! it, semgrep rules run from different checkouts and working directories, and checkov's
//! file-level checks. Each test runs the real tool (scripts/setup.sh installs it).

use std::collections::BTreeSet;
use std::path::Path;

use crate::real_tools::require;
use crate::support::{scan_json, securescan, workspace};

/// The shipped vulnerable example, as `pkg/app.py` under `root`.
fn write_app(root: &Path) {
    let app = std::fs::read_to_string(workspace().join("examples/vulnerable-app/app.py"))
        .expect("the example app");
    std::fs::create_dir_all(root.join("pkg")).expect("mkdir");
    std::fs::write(root.join("pkg/app.py"), app).expect("write app");
}

fn rules_text() -> String {
    std::fs::read_to_string(workspace().join("rules/semgrep-python.yml")).expect("the rules")
}

fn code_scan(cwd: &Path, target: &str, semgrep_config: Option<&str>) -> Vec<serde_json::Value> {
    let mut command = securescan();
    command
        .current_dir(cwd)
        .env_remove("SECURESCAN_SEMGREP_CONFIG")
        .args(["scan", target, "--type", "code", "--output", "json"]);
    if let Some(config) = semgrep_config {
        command.args(["--semgrep-config", config]);
    }
    scan_json(&mut command).as_array().expect("array").clone()
}

fn text<'a>(finding: &'a serde_json::Value, key: &str) -> &'a str {
    finding[key].as_str().unwrap_or("")
}

// Regression: with target `.` bandit printed `./pkg/app.py` and semgrep `pkg/app.py`, so no
// finding merged and `scan .` listed more findings than `scan /abs/path` of the same tree.
#[test]
fn real_bandit_and_semgrep_name_a_file_one_way_however_the_target_is_spelled() {
    require("semgrep");
    require("bandit");
    let base = tempfile::tempdir().expect("temp dir");
    let base = base.path();
    let proj = base.join("real/proj");
    write_app(&proj);
    std::fs::write(base.join("rules.yml"), rules_text()).expect("write rules");
    std::os::unix::fs::symlink(base.join("real"), base.join("alias")).expect("symlink");
    let rules = base.join("rules.yml").to_string_lossy().into_owned();
    let abs = proj.to_string_lossy().into_owned();
    let through_link = base.join("alias/proj").to_string_lossy().into_owned();
    // (cwd, target, how the findings name the tree)
    let spellings: [(&Path, &str, &str); 8] = [
        (&proj, ".", ""),
        (&proj, "./", ""),
        (&proj, "pkg/..", ""),
        (base, &abs, &abs),
        (base, &format!("{abs}/"), &abs),
        (base, "real/proj/pkg/../", "real/proj"),
        (base, "alias/proj", "alias/proj"),
        (base, &format!("{through_link}/"), &through_link),
    ];
    let mut identities = Vec::new();
    for (cwd, target, named) in spellings {
        let findings = code_scan(cwd, target, Some(&rules));
        let app = if named.is_empty() {
            "pkg/app.py".to_string()
        } else {
            format!("{named}/pkg/app.py")
        };
        let root = if named.is_empty() { "." } else { named };
        for f in &findings {
            let path = text(f, "file_path");
            assert!(
                path == app || (f["scanner"] == "git-hygiene" && path == root),
                "target {target:?}: {path:?} is not {app:?}"
            );
        }
        // The pair both tools give one CWE (shell=True, CWE-78) is one finding, whatever the
        // spelling.
        let shell: Vec<_> = findings.iter().filter(|f| f["line_start"] == 14).collect();
        assert_eq!(shell.len(), 1, "target {target:?}: {shell:#?}");
        let merged = shell[0]["metadata"]["also_reported_by"]
            .as_array()
            .expect("merged");
        assert_eq!(
            (text(shell[0], "scanner"), text(&merged[0], "scanner")),
            ("semgrep", "bandit"),
            "target {target:?}"
        );
        let identity: BTreeSet<(String, String, String)> = findings
            .iter()
            .map(|f| {
                (
                    text(f, "scanner").to_string(),
                    text(f, "rule_id").to_string(),
                    text(f, "fingerprint").to_string(),
                )
            })
            .collect();
        identities.push((target.to_string(), identity));
    }
    let (first_target, first) = &identities[0];
    for (target, identity) in &identities[1..] {
        assert_eq!(identity, first, "{target:?} against {first_target:?}");
    }
}

// Regression: semgrep prefixed a local rule's id with its file's directory seen from the cwd
// (`tmp.x.repo..securescan.python-eval`), so a baseline made in one checkout marked every semgrep
// finding new in another.
#[test]
fn real_semgrep_rule_ids_and_fingerprints_do_not_depend_on_the_checkout_or_the_cwd() {
    require("semgrep");
    let base = tempfile::tempdir().expect("temp dir");
    let checkouts = [base.path().join("a/repo"), base.path().join("b/c/d/repo")];
    for repo in &checkouts {
        write_app(repo);
        std::fs::create_dir_all(repo.join(".securescan")).expect("mkdir");
        std::fs::write(repo.join(".securescan/rules.yml"), rules_text()).expect("write rules");
        std::fs::write(
            repo.join(".securescan.yml"),
            "semgrep_rules: [.securescan/rules.yml]\n",
        )
        .expect("write config");
    }
    let mut runs = Vec::new();
    for repo in &checkouts {
        let parent = repo.parent().expect("parent");
        runs.push(code_scan(repo, ".", None));
        runs.push(code_scan(parent, "repo", None));
        runs.push(code_scan(
            parent,
            "repo",
            Some("repo/.securescan/rules.yml"),
        ));
        runs.push(code_scan(
            base.path(),
            &repo.to_string_lossy(),
            Some(&repo.join(".securescan/rules.yml").to_string_lossy()),
        ));
    }
    let semgrep = |findings: &[serde_json::Value]| -> BTreeSet<(String, String)> {
        findings
            .iter()
            .flat_map(|f| {
                let merged = f["metadata"]["also_reported_by"].as_array();
                std::iter::once(f).chain(merged.into_iter().flatten())
            })
            .filter(|f| f["scanner"] == "semgrep")
            .map(|f| {
                (
                    text(f, "rule_id").to_string(),
                    text(f, "fingerprint").to_string(),
                )
            })
            .collect()
    };
    let first = semgrep(&runs[0]);
    let ids: BTreeSet<&str> = first.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "python-eval",
            "python-os-system",
            "python-pickle-loads",
            "python-sql-format",
            "python-subprocess-shell",
            "python-weak-hash",
            "python-yaml-load",
        ]),
        "the ids the rule file gives"
    );
    for (index, run) in runs.iter().enumerate() {
        assert_eq!(semgrep(run), first, "run {index}");
    }
}

// Regression: checkov's `file_line_range` `[0, 1]` (a file-level check) lost its line, and its
// `bc_check_id: null` came out as `""`.
#[test]
fn real_checkov_keeps_line_one_of_a_file_level_check_and_a_null_platform_id() {
    require("checkov");
    let dir = crate::support::tree(&[(
        ".github/workflows/ci.yml",
        "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    )]);
    let findings = scan_json(
        securescan()
            .current_dir(dir.path())
            .args(["scan", ".", "--type", "iac", "--output", "json"]),
    );
    let permissions = findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["rule_id"] == "CKV2_GHA_1")
        .expect("checkov flags a workflow without top-level permissions");
    assert_eq!(permissions["file_path"], ".github/workflows/ci.yml");
    assert_eq!(
        (&permissions["line_start"], &permissions["line_end"]),
        (&1.into(), &1.into())
    );
    assert!(
        permissions["metadata"]["bc_check_id"].is_null(),
        "{permissions:#}"
    );
}
