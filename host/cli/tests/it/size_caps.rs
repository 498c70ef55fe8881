//! No finding is lost to a size cap: a hostile repository that pads a file or a commit past a
//! limit gets the rest of its secrets reported anyway, and the scan says what it cut.

use std::path::Path;

use crate::support::{fake_aws_key, git, isolated, run, stderr, tree};

/// A PATH holding only `git`: no semgrep or bandit, so the code scan is the built-ins.
fn git_only_path() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let git = securescan_engine::tools::find_tool("git").expect("git is installed");
    std::os::unix::fs::symlink(git, dir.path().join("git")).expect("link git");
    dir
}

/// The code scan of `target` as JSON, and its stderr (the scanners' warnings).
fn code_scan(target: &Path) -> (Vec<serde_json::Value>, String) {
    let path = git_only_path();
    let output = run(isolated(path.path())
        .args(["scan", "--type", "code", "--output", "json", "--no-save"])
        .arg(target));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    (findings.as_array().expect("array").clone(), stderr(&output))
}

fn with_rule<'a>(findings: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    findings.iter().filter(|f| f["rule_id"] == rule).collect()
}

/// A GitHub token assembled at run time, so the repository itself holds no such literal.
fn fake_github_token() -> String {
    format!("ghp_{}", "aB3d".repeat(9))
}

#[test]
fn a_huge_commit_does_not_hide_the_secrets_of_other_commits() {
    let dir = tree(&[(".gitignore", "*.pyc\n")]);
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::write(root.join("old.env"), format!("AWS={}\n", fake_aws_key())).expect("write");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "a key, committed"]);
    git(root, &["rm", "-q", "old.env"]);
    git(root, &["commit", "-q", "-m", "and removed"]);
    // 33 MiB of patch in one commit: more than the secrets adapter's 32 MiB input limit. Its
    // head holds a token, which is still read; the cut is said on stderr.
    let mut huge = format!("GH={}\n", fake_github_token());
    let pad = format!("PADDING={}\n", "p".repeat(90));
    huge.push_str(&pad.repeat(33 * 1024 * 1024 / pad.len()));
    std::fs::write(root.join("huge.env"), huge).expect("write");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "a huge env file"]);
    git(root, &["rm", "-q", "huge.env"]);
    git(root, &["commit", "-q", "-m", "and removed"]);

    let (findings, stderr) = code_scan(root);
    for rule in [
        "secrets/git-history-aws-access-key",
        "secrets/git-history-github-personal-access-token-(classic)",
    ] {
        assert_eq!(with_rule(&findings, rule).len(), 1, "{rule}: {stderr}");
    }
    assert!(
        stderr.contains("git's output for ")
            && stderr.contains("is larger than 33554432 bytes (the adapter's input limit)"),
        "{stderr}"
    );
}

#[test]
fn a_padded_env_file_is_still_scanned_and_flagged() {
    // Lines of 100 bytes up to byte 999,900, one of 80: the next line starts at byte 999,980
    // and crosses the 1,000,000-byte window boundary. It is line 10,001.
    let mut env = format!("PAD={}\n", "x".repeat(95)).repeat(9999);
    env.push_str(&format!("PAD={}\n", "y".repeat(75)));
    let (first, second) = (fake_aws_key(), format!("AKIA{}", "ZZ99".repeat(4)));
    env.push_str(&format!("AWS_KEYS={first},{second}\n"));
    env.push_str(&format!("PAD={}\n", "z".repeat(95)).repeat(2000));
    env.push_str("API_TOKEN=abcdef123456\n");
    let dir = tree(&[(".gitignore", "*.pyc\n"), (".env", &env)]);
    assert!(env.len() > 1_000_000);

    let (findings, stderr) = code_scan(dir.path());
    let shown = format!("{}/.env", dir.path().display());
    let located = |rule: &str| -> Vec<(String, u64)> {
        with_rule(&findings, rule)
            .iter()
            .map(|f| {
                (
                    f["file_path"].as_str().unwrap_or("").to_string(),
                    f["line_start"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let aws = with_rule(&findings, "secrets/aws-access-key");
    assert_eq!(
        located("secrets/aws-access-key"),
        vec![(shown.clone(), 10_001), (shown.clone(), 10_001)],
        "both keys of the line on the window boundary, once each: {stderr}"
    );
    assert_ne!(aws[0]["fingerprint"], aws[1]["fingerprint"]);
    assert_eq!(
        located("secrets/env-file-secret"),
        vec![(shown.clone(), 10_001), (shown.clone(), 12_002)],
        "{stderr}"
    );
    for rule in [
        "git-hygiene/missing-ignore-env",
        "git-hygiene/sensitive-file--env",
    ] {
        assert_eq!(with_rule(&findings, rule).len(), 1, "{rule}: {stderr}");
    }
    assert!(
        stderr.contains("1 file(s) larger than 1000000 bytes were judged by name only"),
        "{stderr}"
    );
}
