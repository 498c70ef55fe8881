//! Finding identity over whole scans: `securescan ingest` of reports whose paths we write, against
//! trees we build, so the fingerprint's promises hold end to end (root, file reading, caching).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::{scan_json, securescan, tree};

/// A semgrep report with one eval finding per `(path, start line, end line)`.
fn semgrep_report(results: &[(&str, u32, u32)]) -> String {
    let results: Vec<serde_json::Value> = results
        .iter()
        .map(|(path, start, end)| {
            serde_json::json!({
                "check_id": "python.lang.security.audit.eval-detected",
                "path": path,
                "start": {"line": start, "col": 1, "offset": 0},
                "end": {"line": end, "col": 2, "offset": 0},
                "extra": {
                    "message": "Use of eval()",
                    "metadata": {"cwe": ["CWE-95: Eval Injection"]},
                    "severity": "ERROR",
                    "lines": "requires login"
                }
            })
        })
        .collect();
    serde_json::json!({"version": "1.182.0", "results": results, "errors": []}).to_string()
}

/// The fingerprints of ingesting `report` for `target`, run from `cwd`.
fn fingerprints(cwd: &Path, target: &str, report: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.json");
    std::fs::write(&file, report).expect("write report");
    let findings = scan_json(
        securescan()
            .current_dir(cwd)
            .args([
                "ingest",
                "--scanner",
                "semgrep",
                "-o",
                "json",
                "--target",
                target,
            ])
            .arg(&file),
    );
    findings
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
        .collect()
}

fn one(cwd: &Path, target: &str, path: &str, lines: (u32, u32)) -> String {
    let all = fingerprints(cwd, target, &semgrep_report(&[(path, lines.0, lines.1)]));
    assert_eq!(all.len(), 1);
    all.into_iter().next().expect("one")
}

const APP: &str = "def run(payload):\n    result = eval(payload)\n    return result\n";

#[test]
fn reflow_keeps_the_fingerprint() {
    let before = tree(&[("src/app.py", APP)]);
    let after = tree(&[(
        "src/app.py",
        "def run(payload):\n    result = eval(\n        payload,\n    )\n    return result\n",
    )]);
    assert_eq!(
        one(before.path(), ".", "src/app.py", (2, 2)),
        one(after.path(), ".", "src/app.py", (2, 4))
    );
}

#[test]
fn tabs_and_reindentation_keep_the_fingerprint() {
    let before = tree(&[("src/app.py", APP)]);
    let after = tree(&[(
        "src/app.py",
        "def run(payload):\n\tresult  =  eval(payload)\n\treturn result\n",
    )]);
    assert_eq!(
        one(before.path(), ".", "src/app.py", (2, 2)),
        one(after.path(), ".", "src/app.py", (2, 2))
    );
}

#[test]
fn renaming_a_variable_on_the_line_changes_the_fingerprint() {
    let before = tree(&[("src/app.py", APP)]);
    let after = tree(&[("src/app.py", &APP.replace("payload", "data"))]);
    assert_ne!(
        one(before.path(), ".", "src/app.py", (2, 2)),
        one(after.path(), ".", "src/app.py", (2, 2))
    );
}

#[test]
fn moving_the_file_changes_the_fingerprint() {
    let before = tree(&[("src/app.py", APP)]);
    let after = tree(&[("lib/app.py", APP)]);
    assert_ne!(
        one(before.path(), ".", "src/app.py", (2, 2)),
        one(after.path(), ".", "lib/app.py", (2, 2))
    );
}

#[test]
fn the_same_tree_at_two_paths_fingerprints_alike() {
    let (a, b) = (
        tree(&[("repo/src/app.py", APP)]),
        tree(&[("checkout/src/app.py", APP)]),
    );
    let at = |dir: &Path| {
        let absolute = dir.join("src/app.py");
        one(
            dir,
            dir.to_str().expect("utf-8"),
            absolute.to_str().expect("utf-8"),
            (2, 2),
        )
    };
    assert_eq!(at(&a.path().join("repo")), at(&b.path().join("checkout")));
}

#[test]
fn absolute_and_relative_targets_fingerprint_alike() {
    let parent = tree(&[("repo/src/app.py", APP)]);
    let repo = parent.path().join("repo");
    let absolute = repo.to_str().expect("utf-8");
    let expected = one(&repo, ".", "src/app.py", (2, 2));
    // Tools print paths prefixed by the target as it was spelled.
    assert_eq!(
        one(parent.path(), "repo", "repo/src/app.py", (2, 2)),
        expected
    );
    assert_eq!(
        one(parent.path(), "./repo/", "./repo/src/app.py", (2, 2)),
        expected
    );
    assert_eq!(
        one(
            parent.path(),
            absolute,
            &format!("{absolute}/src/app.py"),
            (2, 2)
        ),
        expected
    );
    // A file target is rooted at its parent.
    assert_eq!(
        one(&repo, "src", "src/app.py", (2, 2)),
        one(&repo, "src/app.py", "src/app.py", (2, 2))
    );
}

/// The fingerprint a finding at `printed` has when no code is read for it.
fn unread(printed: &str) -> String {
    let payload = format!("semgrep|python.lang.security.audit.eval-detected|{printed}||CWE-95");
    hex::encode(Sha256::digest(payload.as_bytes()))
}

#[test]
fn a_path_escaping_the_root_is_not_read() {
    let parent = tree(&[("secret.py", APP), ("repo/src/app.py", APP)]);
    let repo = parent.path().join("repo");
    let outside = parent.path().join("secret.py");
    for printed in [
        "../secret.py",
        "src/../../secret.py",
        outside.to_str().expect("utf-8"),
    ] {
        assert_eq!(
            one(&repo, ".", printed, (2, 2)),
            unread(printed),
            "{printed}"
        );
    }
    assert_ne!(one(&repo, ".", "src/app.py", (2, 2)), unread("src/app.py"));
}

#[test]
fn a_symlink_out_of_the_root_is_not_followed() {
    let parent = tree(&[
        ("secret.py", APP),
        ("outside/app.py", APP),
        ("repo/src/real.py", APP),
    ]);
    let repo = parent.path().join("repo");
    let link = |to: &str, at: &str| {
        std::os::unix::fs::symlink(parent.path().join(to), repo.join(at)).expect("symlink");
    };
    link("secret.py", "src/app.py");
    link("outside", "lib");
    link("repo/src/real.py", "src/inner.py");
    assert_eq!(one(&repo, ".", "src/app.py", (2, 2)), unread("src/app.py"));
    assert_eq!(one(&repo, ".", "lib/app.py", (2, 2)), unread("lib/app.py"));
    // A link that stays inside the tree is read like any file.
    assert_ne!(
        one(&repo, ".", "src/inner.py", (2, 2)),
        unread("src/inner.py")
    );
}

#[test]
fn an_unreadable_or_binary_file_gives_an_empty_context() {
    let root = tree(&[("README.md", "")]);
    std::fs::create_dir_all(root.path().join("src/dir.py")).expect("mkdir");
    std::fs::write(
        root.path().join("src/blob.py"),
        b"x\n    result = eval(payload)\0\n",
    )
    .expect("write");
    for printed in ["src/blob.py", "src/dir.py", "src/missing.py"] {
        assert_eq!(
            one(root.path(), ".", printed, (2, 2)),
            unread(printed),
            "{printed}"
        );
    }
}

/// 20,000 findings in 1,000 files (issue 4's W1 shape) get their context from 1,000 reads (the
/// cache's own count is pinned by the unit test of the same name); here, that it stays fast.
#[test]
fn files_are_read_once_per_scan() {
    let files: Vec<(String, String)> = (0..1000)
        .map(|n| (format!("src/m{n}.py"), "x = eval(y)\n".repeat(40)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let root = tree(&refs);
    let results: Vec<(&str, u32, u32)> = (0..20_000u32)
        .map(|n| {
            (
                files[(n % 1000) as usize].0.as_str(),
                n % 40 + 1,
                n % 40 + 1,
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let all = fingerprints(root.path(), ".", &semgrep_report(&results));
    assert_eq!(all.len(), 20_000);
    let distinct: std::collections::BTreeSet<_> = all.iter().collect();
    assert_eq!(
        distinct.len(),
        1000,
        "one identity per file: same rule, same line text"
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
