//! `securescan scan --staged`, the pre-commit check: what a commit records (the index, never the
//! working tree) is scanned, and the repository's own `.pre-commit-hooks.yaml`, run by the real
//! pre-commit (PyPI) from `git commit`, fails exactly the commits that stage a finding at the
//! threshold.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use crate::real_tools::require;
use crate::support::{bin, fake_aws_key, git, securescan, stderr, workspace};

/// A new repository with one commit (a README), so HEAD exists.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "README.md", "# demo\n");
    git(dir.path(), &["add", "README.md"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

fn write(repo: &Path, path: &str, text: &str) {
    let full = repo.join(path);
    std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

fn secret_line() -> String {
    format!("AWS_ACCESS_KEY_ID = \"{}\"\n", fake_aws_key())
}

/// `securescan scan --staged` in `repo`, semgrep's rules unset (it is left out) and the scan
/// not saved anywhere but the tests' store.
fn staged_scan(repo: &Path, args: &[&str]) -> Output {
    securescan()
        .current_dir(repo)
        .env_remove("SECURESCAN_SEMGREP_CONFIG")
        .env_remove("GIT_INDEX_FILE")
        .args(["scan", "--staged"])
        .args(args)
        .output()
        .expect("securescan runs")
}

fn findings(output: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(&output.stdout)
        .unwrap_or_else(|err| panic!("json ({err}): {}", stderr(output)))
        .as_array()
        .expect("an array")
        .clone()
}

fn rules_at(findings: &[serde_json::Value]) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["file_path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_staged_content_is_scanned_not_the_working_tree() {
    let repo = repository();
    // Staged with a key, then cleaned in the working tree only.
    write(repo.path(), "src/settings.py", &secret_line());
    git(repo.path(), &["add", "src/settings.py"]);
    write(repo.path(), "src/settings.py", "AWS_ACCESS_KEY_ID = None\n");
    // Staged clean, then given a key in the working tree only; and an untracked file with one.
    write(repo.path(), "src/clean.py", "import os\n");
    git(repo.path(), &["add", "src/clean.py"]);
    write(
        repo.path(),
        "src/clean.py",
        &format!("import os\n{}", secret_line()),
    );
    write(repo.path(), "untracked.py", &secret_line());

    let output = staged_scan(repo.path(), &["--type", "code", "-o", "json"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let found = findings(&output);
    assert_eq!(
        rules_at(&found),
        BTreeSet::from([(
            "secrets/aws-access-key".to_string(),
            "src/settings.py".to_string()
        )]),
        "{found:#?}"
    );
    assert_eq!(found[0]["line_start"], 1);
    assert!(
        stderr(&output).contains("failing: 1 finding(s) at or above high"),
        "{}",
        stderr(&output)
    );
}

// Fingerprints are what baselines, triage and PR comments key on: a finding caught at commit time
// must be the same finding a later scan of the tree reports.
#[test]
fn staged_findings_have_the_paths_and_fingerprints_of_a_scan_of_the_same_tree() {
    require("bandit");
    require("semgrep");
    let repo = repository();
    write(
        repo.path(),
        "app/views.py",
        &format!(
            "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n{}",
            secret_line()
        ),
    );
    write(repo.path(), "app/.env", &secret_line());
    git(repo.path(), &["add", "."]);
    let rules = workspace().join("rules/semgrep-python.yml");
    let rules = rules.to_str().expect("utf-8 path");
    let args = ["--type", "code", "--semgrep-config", rules, "-o", "json"];

    let staged = staged_scan(
        repo.path(),
        &[&args[..], &["--fail-on-severity", "none"]].concat(),
    );
    assert_eq!(staged.status.code(), Some(0), "{}", stderr(&staged));
    let staged = findings(&staged);
    let full = securescan()
        .current_dir(repo.path())
        .args(["scan", ".", "--no-save"])
        .args(args)
        .output()
        .expect("securescan runs");
    assert_eq!(full.status.code(), Some(0), "{}", stderr(&full));
    let staged_files = ["app/views.py", "app/.env"];
    let full: Vec<_> = findings(&full)
        .into_iter()
        .filter(|f| staged_files.contains(&f["file_path"].as_str().unwrap_or_default()))
        .collect();

    let identity = |findings: &[serde_json::Value]| -> BTreeSet<(String, String, String)> {
        findings
            .iter()
            .map(|f| {
                (
                    f["scanner"].as_str().unwrap_or_default().to_string(),
                    f["file_path"].as_str().unwrap_or_default().to_string(),
                    f["fingerprint"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let scanners: BTreeSet<&str> = staged
        .iter()
        .filter_map(|f| f["scanner"].as_str())
        .collect();
    for scanner in ["bandit", "semgrep", "secrets", "git-hygiene"] {
        assert!(scanners.contains(scanner), "{scanner}: {staged:#?}");
    }
    assert_eq!(identity(&staged), identity(&full));
}

#[test]
fn nothing_staged_is_a_clean_exit_with_a_line_saying_so() {
    let repo = repository();
    write(repo.path(), "untracked.py", &secret_line());
    let output = staged_scan(repo.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no staged files; nothing to scan"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn outside_a_git_repository_it_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = staged_scan(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("scan --staged needs a git repository")
            && stderr(&output).contains("is not inside a git working tree"),
        "{}",
        stderr(&output)
    );
}

/// A repository with pre-commit installed from a hooks repository holding this workspace's
/// `.pre-commit-hooks.yaml`, and `securescan` (the built binary) first on PATH.
struct Hooked {
    repo: tempfile::TempDir,
    /// The hooks repository, pre-commit's cache and the PATH directory.
    scratch: tempfile::TempDir,
}

impl Hooked {
    fn new() -> Hooked {
        require("pre-commit");
        let scratch = tempfile::tempdir().expect("temp dir");
        let hooks = scratch.path().join("hooks");
        std::fs::create_dir_all(&hooks).expect("mkdir");
        git(&hooks, &["init", "-q", "-b", "main"]);
        std::fs::copy(
            workspace().join(".pre-commit-hooks.yaml"),
            hooks.join(".pre-commit-hooks.yaml"),
        )
        .expect("the repository ships .pre-commit-hooks.yaml");
        git(&hooks, &["add", "."]);
        git(&hooks, &["commit", "-q", "-m", "hooks"]);
        let rev = git(&hooks, &["rev-parse", "HEAD"]);
        let path_dir = scratch.path().join("bin");
        std::fs::create_dir_all(&path_dir).expect("mkdir");
        std::os::unix::fs::symlink(bin(), path_dir.join("securescan")).expect("symlink");

        let repo = repository();
        write(
            repo.path(),
            ".pre-commit-config.yaml",
            &format!(
                "repos:\n- repo: {}\n  rev: {}\n  hooks:\n  - id: securescan\n",
                hooks.display(),
                rev.trim()
            ),
        );
        git(repo.path(), &["add", ".pre-commit-config.yaml"]);
        git(repo.path(), &["commit", "-q", "-m", "pre-commit"]);
        let hooked = Hooked { repo, scratch };
        let installed = hooked.run(&["pre-commit", "install"]);
        assert!(installed.status.success(), "{}", stderr(&installed));
        hooked
    }

    fn path(&self) -> &Path {
        self.repo.path()
    }

    /// `program args` in the repository with securescan's test environment (adapters, caches),
    /// the built binary first on PATH, and pre-commit's cache in the scratch directory.
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(args[0]);
        let test_env = securescan();
        for (name, value) in test_env.get_envs() {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.scratch.path().join("bin")];
        dirs.extend(std::env::split_paths(&path));
        command
            .current_dir(self.repo.path())
            .args(&args[1..])
            .env("PATH", std::env::join_paths(dirs).expect("a PATH"))
            .env("PRE_COMMIT_HOME", self.scratch.path().join("pre-commit"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .env_remove("SECURESCAN_SEMGREP_CONFIG")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("runs")
    }

    fn commit(&self, args: &[&str]) -> Output {
        self.run(&[&["git", "commit", "-m", "change"][..], args].concat())
    }

    fn head(&self) -> String {
        git(self.path(), &["rev-parse", "HEAD"])
    }
}

fn all_output(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_staged_secret_fails_the_commit_and_nothing_is_committed() {
    let hooked = Hooked::new();
    let before = hooked.head();
    write(hooked.path(), "config.py", &secret_line());
    git(hooked.path(), &["add", "config.py"]);
    let commit = hooked.commit(&[]);
    assert!(!commit.status.success(), "{}", all_output(&commit));
    assert!(
        all_output(&commit).contains("secrets/aws-access-key"),
        "{}",
        all_output(&commit)
    );
    assert_eq!(hooked.head(), before);
}

#[test]
fn a_secret_only_in_the_working_tree_does_not_fail_the_commit() {
    let hooked = Hooked::new();
    let before = hooked.head();
    // The staged version is clean; the key is in an unstaged edit and in an untracked file
    // (which pre-commit does not stash away).
    write(hooked.path(), "config.py", "KEY = None\n");
    git(hooked.path(), &["add", "config.py"]);
    write(hooked.path(), "config.py", &secret_line());
    write(hooked.path(), "scratch.py", &secret_line());
    let commit = hooked.commit(&[]);
    assert!(commit.status.success(), "{}", all_output(&commit));
    assert_ne!(hooked.head(), before);
    let committed = git(hooked.path(), &["show", "HEAD:config.py"]);
    assert_eq!(committed, "KEY = None\n");
}

// `git commit -a` commits an index of its own (GIT_INDEX_FILE), not the repository's.
#[test]
fn a_secret_committed_with_commit_all_fails_the_commit() {
    let hooked = Hooked::new();
    let before = hooked.head();
    write(
        hooked.path(),
        "README.md",
        &format!("# demo\n{}", secret_line()),
    );
    let commit = hooked.commit(&["-a"]);
    assert!(!commit.status.success(), "{}", all_output(&commit));
    assert!(
        all_output(&commit).contains("secrets/aws-access-key"),
        "{}",
        all_output(&commit)
    );
    assert_eq!(hooked.head(), before);
}

#[test]
fn a_suppressed_secret_does_not_fail_the_commit() {
    let hooked = Hooked::new();
    let before = hooked.head();
    write(
        hooked.path(),
        "config.py",
        &format!(
            "{}  # securescan: ignore secrets/aws-access-key\n",
            secret_line().trim_end()
        ),
    );
    git(hooked.path(), &["add", "config.py"]);
    let commit = hooked.commit(&[]);
    assert!(commit.status.success(), "{}", all_output(&commit));
    assert_ne!(hooked.head(), before);
}

#[test]
fn a_deleted_file_is_not_scanned() {
    let hooked = Hooked::new();
    write(hooked.path(), "old.py", &secret_line());
    git(hooked.path(), &["add", "old.py"]);
    let bypass = hooked.commit(&["--no-verify"]);
    assert!(bypass.status.success(), "{}", all_output(&bypass));
    let before = hooked.head();
    // With a clean file beside the deletion, so pre-commit runs the hook at all.
    git(hooked.path(), &["rm", "-q", "old.py"]);
    write(hooked.path(), "new.py", "import os\n");
    git(hooked.path(), &["add", "new.py"]);
    let direct = staged_scan(hooked.path(), &["-o", "json"]);
    assert_eq!(direct.status.code(), Some(0), "{}", stderr(&direct));
    assert_eq!(findings(&direct), Vec::<serde_json::Value>::new());
    let commit = hooked.commit(&[]);
    assert!(commit.status.success(), "{}", all_output(&commit));
    assert_ne!(hooked.head(), before);
}
