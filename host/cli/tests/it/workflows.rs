//! The change workflows as the docs promise them: `baseline` and `--baseline`, `compare`,
//! `diff` in snapshot and ref mode with its GitHub outputs, `init`, and the saved scans
//! `history` lists. Findings come from the built-in `secrets` scanner (scan type `code`), with
//! only `git` on PATH so no external tool runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{fake_aws_key, git, isolated, run, stderr, tree};

/// What the tests run the binary in: a PATH holding only `git`, a scan store of its own, and
/// none of the GitHub Actions variables a CI runner exports.
struct Offline {
    path_dir: tempfile::TempDir,
    store: tempfile::TempDir,
}

impl Offline {
    fn new() -> Offline {
        let path_dir = tempfile::tempdir().expect("temp dir");
        let git = securescan_engine::tools::find_tool("git").expect("git is installed");
        std::os::unix::fs::symlink(git, path_dir.path().join("git")).expect("link git");
        Offline {
            path_dir,
            store: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn db(&self) -> PathBuf {
        self.store.path().join("scans.db")
    }

    fn securescan(&self) -> Command {
        let mut command = isolated(self.path_dir.path());
        command
            .env("SECURESCAN_DB_PATH", self.db())
            .env_remove("GITHUB_REPOSITORY")
            .env_remove("GITHUB_SHA")
            .env_remove("GITHUB_BASE_REF");
        command
    }
}

/// A Python line assigning the fake key to `name`; distinct names give distinct fingerprints,
/// since a fingerprint hashes the code on the finding's line.
fn key_line(name: &str) -> String {
    format!("{name} = \"{}\"\n", fake_aws_key())
}

/// A tree of `files` plus a `.gitignore`, so git-hygiene has nothing to say.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let mut all = vec![(".gitignore", "*.pyc\n")];
    all.extend_from_slice(files);
    tree(&all)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn succeeded(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("json ({err}): {}", stderr(output)))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("no array {key} in {value}"))
}

fn paths_and_lines(findings: &[Value]) -> Vec<(String, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f["file_path"].as_str().expect("file path").to_string(),
                f["line_start"].as_u64().expect("line"),
            )
        })
        .collect()
}

fn write_baseline(offline: &Offline, target: &Path, file: &Path) -> Output {
    let output = run(offline
        .securescan()
        .arg("baseline")
        .arg(target)
        .arg("-o")
        .arg(file)
        .args(["--type", "code"]));
    succeeded(&output);
    output
}

fn commit_all(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

/// A repository whose `main` holds `dir/src/app.py` without a key and whose branch `leak` adds
/// `line` to it; `leak` is checked out.
fn leaking_repo(dir: &str, line: &str) -> tempfile::TempDir {
    let app = format!("{dir}src/app.py");
    let repo = project(&[(&app, "print('hello')\n"), ("README.md", "readme\n")]);
    git(repo.path(), &["init", "-q", "-b", "main"]);
    commit_all(repo.path(), "base");
    git(repo.path(), &["checkout", "-q", "-b", "leak"]);
    write(&repo.path().join(&app), &format!("print('hello')\n{line}"));
    commit_all(repo.path(), "head");
    repo
}

fn diff_refs(offline: &Offline, target: &Path, extra: &[&str]) -> Output {
    run(offline
        .securescan()
        .arg("diff")
        .arg(target)
        .args(["--base-ref", "main", "--head-ref", "HEAD", "--type", "code"])
        .args(extra))
}

#[test]
fn baseline_is_byte_identical_across_runs_and_checkout_locations() {
    let offline = Offline::new();
    let app = key_line("aws_key");
    let files = [("src/app.py", app.as_str())];
    let (first, second) = (project(&files), project(&files));
    let baseline_of = |dir: &Path| {
        let file = dir.join(".securescan/baseline.json");
        let output = write_baseline(&offline, dir, &file);
        (std::fs::read(&file).expect("baseline written"), output)
    };
    let (bytes, output) = baseline_of(first.path());
    let (again, _) = baseline_of(first.path());
    let (elsewhere, _) = baseline_of(second.path());
    assert_eq!(bytes, again, "same tree, same bytes");
    assert_eq!(bytes, elsewhere, "same tree at another path, same bytes");

    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(text.ends_with("}\n"), "a trailing newline: {text:?}");
    let baseline: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(baseline["target_path"], "..");
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["generated_by"], "securescan");
    let findings = array(&baseline, "findings");
    assert_eq!(findings.len(), 1, "{text}");
    assert_eq!(findings[0]["file_path"], "src/app.py");
    assert_eq!(findings[0]["rule_id"], "secrets/aws-access-key");
    // serde_json keeps the file's key order here (`preserve_order`), so this sees the bytes.
    for object in [&baseline, &findings[0]] {
        let keys: Vec<&String> = object.as_object().expect("object").keys().collect();
        assert!(keys.is_sorted(), "keys not sorted: {keys:?}");
    }

    let message = stderr(&output);
    let file = first.path().join(".securescan/baseline.json");
    assert!(
        message.contains(&format!(
            "Wrote baseline to {} (1 findings, {} bytes)",
            file.display(),
            bytes.len()
        )),
        "{message}"
    );
}

#[test]
fn baseline_suppresses_known_findings_and_a_new_one_still_fails_the_build() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let baseline = dir.path().join(".securescan/baseline.json");
    write_baseline(&offline, dir.path(), &baseline);
    write(
        &dir.path().join("src/app.py"),
        &format!("{}{}", key_line("aws_key"), key_line("backup_key")),
    );
    let scan = |extra: &[&str]| {
        run(offline
            .securescan()
            .arg("scan")
            .arg(dir.path())
            .arg("--baseline")
            .arg(&baseline)
            .args(["--fail-on-severity", "high", "-o", "json", "--type", "code"])
            .args(extra))
    };
    let gated = scan(&[]);
    assert_eq!(gated.status.code(), Some(4), "{}", stderr(&gated));
    let kept = json(&gated);
    let kept = kept.as_array().expect("an array of findings");
    assert_eq!(
        kept.iter().map(|f| &f["line_start"]).collect::<Vec<_>>(),
        [2],
        "only the new key: {kept:?}"
    );

    let shown = json(&scan(&["--show-suppressed"]));
    let old = shown
        .as_array()
        .expect("an array of findings")
        .iter()
        .find(|f| f["line_start"] == 1)
        .unwrap_or_else(|| panic!("the baselined key is shown: {shown}"));
    assert_eq!(old["metadata"]["suppressed_by"], "baseline");
}

#[test]
fn inline_ignore_beats_baseline() {
    let offline = Offline::new();
    let ignored = format!(
        "aws_key = \"{}\"  # securescan: ignore secrets/aws-access-key\n",
        fake_aws_key()
    );
    let dir = project(&[("src/app.py", &ignored)]);
    let baseline = dir.path().join(".securescan/baseline.json");
    let listed = |file: &Path| -> usize {
        let baseline: Value =
            serde_json::from_slice(&std::fs::read(file).expect("baseline")).expect("json");
        array(&baseline, "findings").len()
    };
    write_baseline(&offline, dir.path(), &baseline);
    assert_eq!(
        listed(&baseline),
        1,
        "the baseline lists the marked finding"
    );
    let shown = json(&run(offline
        .securescan()
        .arg("scan")
        .arg(dir.path())
        .arg("--baseline")
        .arg(&baseline)
        .args(["--show-suppressed", "-o", "json", "--type", "code"])));
    let shown = shown.as_array().expect("an array of findings");
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["metadata"]["suppressed_by"], "inline");
}

#[test]
fn a_missing_or_corrupt_baseline_warns_and_suppresses_nothing() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let files = tempfile::tempdir().expect("temp dir");
    let corrupt = files.path().join("corrupt.json");
    write(&corrupt, "{\"findings\": [");
    for baseline in [files.path().join("missing.json"), corrupt] {
        let output = run(offline
            .securescan()
            .arg("scan")
            .arg(dir.path())
            .arg("--baseline")
            .arg(&baseline)
            .args(["-o", "json", "--type", "code"]));
        succeeded(&output);
        let kept = json(&output);
        assert_eq!(kept.as_array().map(Vec::len), Some(1), "{kept}");
        let name = baseline.file_name().expect("name").to_string_lossy();
        let message = stderr(&output);
        assert!(
            message
                .lines()
                .any(|l| l.contains("warning") && l.contains(name.as_ref())),
            "{message}"
        );
    }
}

#[test]
fn compare_reports_new_disappeared_and_still_present() {
    let offline = Offline::new();
    let dir = project(&[
        ("src/a.py", &key_line("aws_key")),
        ("src/c.py", &key_line("aws_key")),
    ]);
    let baseline = dir.path().join(".securescan/baseline.json");
    write_baseline(&offline, dir.path(), &baseline);
    std::fs::remove_file(dir.path().join("src/a.py")).expect("remove a");
    write(&dir.path().join("src/b.py"), &key_line("aws_key"));
    let compare = |format: &str| {
        let output = run(offline
            .securescan()
            .arg("compare")
            .arg(dir.path())
            .arg(&baseline)
            .args(["--type", "code", "-o", format]));
        succeeded(&output);
        output
    };
    let drift = json(&compare("json"));
    assert_eq!(
        paths_and_lines(array(&drift, "new")),
        [("src/b.py".to_string(), 1)]
    );
    assert_eq!(
        paths_and_lines(array(&drift, "disappeared")),
        [("src/a.py".to_string(), 1)]
    );
    assert_eq!(drift["unchanged_count"], 1);

    let comment = stdout(&compare("github-pr-comment"));
    assert_eq!(comment.lines().next(), Some("<!-- securescan:compare -->"));
    let text = stdout(&compare("text"));
    assert_eq!(
        text.lines().next(),
        Some("SecureScan compare: 1 new since baseline, 1 disappeared, 1 still present")
    );
}

#[test]
fn compare_with_only_the_baseline_argument_scans_the_current_directory() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let baseline = dir.path().join(".securescan/baseline.json");
    write_baseline(&offline, dir.path(), &baseline);
    write(&dir.path().join("src/new.py"), &key_line("aws_key"));
    let output = run(offline
        .securescan()
        .current_dir(dir.path())
        .arg("compare")
        .arg(&baseline)
        .args(["--type", "code", "-o", "json"]));
    succeeded(&output);
    let drift = json(&output);
    assert_eq!(
        paths_and_lines(array(&drift, "new")),
        [("src/new.py".to_string(), 1)]
    );
    assert_eq!(array(&drift, "disappeared").len(), 0);
    assert_eq!(drift["unchanged_count"], 1);
}

#[test]
fn diff_snapshot_mode_classifies_by_fingerprint() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let snapshots = tempfile::tempdir().expect("temp dir");
    let snapshot = |name: &str| {
        let file = snapshots.path().join(name);
        succeeded(&run(offline
            .securescan()
            .arg("scan")
            .arg(dir.path())
            .args(["--type", "code", "-o", "json", "--no-save", "--output-file"])
            .arg(&file)));
        file
    };
    let base = snapshot("a.json");
    write(
        &dir.path().join("src/app.py"),
        &format!("{}{}", key_line("aws_key"), key_line("backup_key")),
    );
    let head = snapshot("b.json");
    let diff = |format: &str| {
        let output = run(offline
            .securescan()
            .arg("diff")
            .arg(dir.path())
            .arg("--base-snapshot")
            .arg(&base)
            .arg("--head-snapshot")
            .arg(&head)
            .args(["-o", format]));
        succeeded(&output);
        output
    };
    let first = diff("json");
    let change = json(&first);
    let new = array(&change, "new");
    assert_eq!(new.len(), 1, "{change}");
    assert_eq!(new[0]["line_start"], 2);
    assert_eq!(array(&change, "fixed").len(), 0);
    assert_eq!(first.stdout, diff("json").stdout, "same inputs, same bytes");
    let comment = stdout(&diff("github-pr-comment"));
    assert_eq!(comment.lines().next(), Some("<!-- securescan:diff -->"));
}

#[test]
fn diff_ref_mode_leaves_head_the_index_and_the_working_tree_untouched() {
    let offline = Offline::new();
    let repo = leaking_repo("", &key_line("aws_key"));
    let root = repo.path();
    write(&root.join("README.md"), "readme, staged\n");
    git(root, &["add", "README.md"]);
    write(&root.join("README.md"), "readme, staged, then edited\n");
    write(&root.join("notes.txt"), "untracked\n");
    let state = || {
        [
            git(root, &["rev-parse", "HEAD"]),
            git(root, &["symbolic-ref", "HEAD"]),
            git(root, &["status", "--porcelain"]),
            git(root, &["stash", "list"]),
            git(root, &["worktree", "list", "--porcelain"]),
            std::fs::read_to_string(root.join("README.md")).expect("readme"),
            git(root, &["diff", "--cached"]),
        ]
    };
    let before = state();
    let output = diff_refs(&offline, root, &["-o", "json"]);
    succeeded(&output);
    assert_eq!(state(), before);
    let change = json(&output);
    assert_eq!(
        paths_and_lines(array(&change, "new")),
        [("src/app.py".to_string(), 2)]
    );
}

#[test]
fn diff_ref_mode_names_paths_relative_to_the_repository_for_a_subdirectory_target() {
    let offline = Offline::new();
    let repo = leaking_repo("service/", &key_line("aws_key"));
    let service = repo.path().join("service");
    let output = diff_refs(&offline, &service, &["-o", "json"]);
    succeeded(&output);
    let change = json(&output);
    assert_eq!(
        paths_and_lines(array(&change, "new")),
        [("service/src/app.py".to_string(), 2)]
    );

    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    let output = diff_refs(
        &offline,
        &service,
        &["--repo", "o/r", "-o", "github-pr-comment"],
    );
    succeeded(&output);
    let comment = stdout(&output);
    let link = format!(
        "https://github.com/o/r/blob/{}/service/src/app.py#L",
        head.trim()
    );
    assert!(comment.contains(&link), "no {link} in {comment}");
}

#[test]
fn diff_fails_on_a_new_finding_but_not_on_a_suppressed_one() {
    let offline = Offline::new();
    let gate = |line: &str| {
        let repo = leaking_repo("", line);
        let output = diff_refs(
            &offline,
            repo.path(),
            &["--fail-on-severity", "high", "-o", "json"],
        );
        (output.status.code(), stderr(&output))
    };
    let (code, message) = gate(&key_line("aws_key"));
    assert_eq!(code, Some(4), "{message}");
    let ignored = format!(
        "aws_key = \"{}\"  # securescan: ignore secrets/aws-access-key\n",
        fake_aws_key()
    );
    let (code, message) = gate(&ignored);
    assert_eq!(code, Some(0), "{message}");
}

#[test]
fn an_unknown_ref_is_a_clear_error_naming_it() {
    let offline = Offline::new();
    let repo = leaking_repo("", &key_line("aws_key"));
    let output = run(offline.securescan().arg("diff").arg(repo.path()).args([
        "--base-ref",
        "does-not-exist",
        "--type",
        "code",
        "-o",
        "json",
    ]));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does-not-exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_snapshot_that_is_not_a_findings_file_is_a_clear_error() {
    let offline = Offline::new();
    let dir = project(&[]);
    let files = tempfile::tempdir().expect("temp dir");
    let findings = files.path().join("findings.json");
    write(&findings, "[]\n");
    let sarif = files.path().join("report.sarif");
    write(&sarif, "{\"runs\": []}\n");
    let garbage = files.path().join("garbage.txt");
    write(&garbage, "not json at all\n");
    let diff = |base: &Path| {
        run(offline
            .securescan()
            .arg("diff")
            .arg(dir.path())
            .arg("--base-snapshot")
            .arg(base)
            .arg("--head-snapshot")
            .arg(&findings)
            .args(["-o", "json"]))
    };
    for (file, complaint) in [(&sarif, "not a findings file"), (&garbage, "not JSON")] {
        let output = diff(file);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(message.contains(complaint), "{message}");
        let name = file.file_name().expect("name").to_string_lossy();
        assert!(message.contains(name.as_ref()), "{message}");
    }

    let alone = run(offline
        .securescan()
        .arg("diff")
        .arg(dir.path())
        .arg("--base-snapshot")
        .arg(&findings)
        .args(["-o", "json"]));
    let message = stderr(&alone);
    assert_eq!(alone.status.code(), Some(2), "{message}");
    assert!(
        message.contains("--base-snapshot") && message.contains("--head-snapshot"),
        "{message}"
    );
}

#[test]
fn github_review_without_its_inputs_is_a_clear_error() {
    let offline = Offline::new();
    let dir = project(&[]);
    // Snapshots that do not exist: an error about them would mean they were read first.
    let output = run(offline.securescan().arg("diff").arg(dir.path()).args([
        "--base-snapshot",
        "absent-base.json",
        "--head-snapshot",
        "absent-head.json",
        "-o",
        "github-review",
    ]));
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    for flag in ["--repo", "--sha", "--base-sha"] {
        assert!(message.contains(flag), "{flag} not named: {message}");
    }
    assert!(!message.contains("absent-"), "{message}");
}

#[test]
fn github_review_in_ref_mode_anchors_new_findings_on_the_diff() {
    let offline = Offline::new();
    let repo = leaking_repo("", &key_line("aws_key"));
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    let change = diff_refs(&offline, repo.path(), &["-o", "json"]);
    succeeded(&change);
    let change = json(&change);
    let fingerprint = array(&change, "new")[0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();

    let output = diff_refs(
        &offline,
        repo.path(),
        &["--repo", "o/r", "-o", "github-review"],
    );
    succeeded(&output);
    let review = json(&output);
    assert_eq!(review["commit_id"], head.trim());
    assert_eq!(review["event"], "COMMENT");
    let comments = array(&review, "comments");
    assert_eq!(comments.len(), 1, "{review}");
    assert_eq!(comments[0]["path"], "src/app.py");
    assert!(comments[0]["position"].is_u64(), "{review}");
    let body = comments[0]["body"].as_str().expect("body");
    let marker = format!("<!-- securescan:fp:{}", &fingerprint[..12]);
    assert!(body.contains(&marker), "no {marker} in {body}");
}

#[test]
fn init_writes_config_workflow_and_empty_baseline_and_refuses_to_overwrite() {
    let offline = Offline::new();
    let dir = tree(&[("requirements.txt", "requests==2.31.0\n")]);
    let root = dir.path();
    let init = |extra: &[&str]| run(offline.securescan().arg("init").arg(root).args(extra));
    succeeded(&init(&[]));
    let config = root.join(".securescan.yml");
    let workflow = root.join(".github/workflows/securescan.yml");
    let baseline = root.join(".securescan/baseline.json");
    succeeded(&run(offline
        .securescan()
        .args(["config", "validate"])
        .arg(&config)));
    assert!(workflow.is_file());
    let empty: Value =
        serde_json::from_slice(&std::fs::read(&baseline).expect("baseline")).expect("json");
    assert_eq!(empty["findings"], Value::Array(Vec::new()));
    assert_eq!(empty["generated_by"], "securescan init");

    let written = [&config, &workflow, &baseline];
    let contents = || written.map(|f| std::fs::read(f).expect("read"));
    let before = contents();
    for file in written {
        std::fs::write(file, "edited\n").expect("edit");
    }
    let edited = contents();
    let again = init(&[]);
    let message = stderr(&again);
    assert_eq!(again.status.code(), Some(1), "{message}");
    for name in [".securescan.yml", "securescan.yml", "baseline.json"] {
        assert!(message.contains(name), "{name} not listed: {message}");
    }
    assert_eq!(contents(), edited, "a refused init changes nothing");
    succeeded(&init(&["--force"]));
    assert_eq!(contents(), before, "--force writes them again");

    let bad = init(&["--force", "--threshold", "info"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn init_workflow_runs_the_action_with_the_baseline_it_writes() {
    crate::real_tools::require("actionlint");
    let offline = Offline::new();
    let dir = tree(&[("requirements.txt", "requests==2.31.0\n")]);
    let root = dir.path();
    let workflow_path = root.join(".github/workflows/securescan.yml");
    let workflow = || std::fs::read_to_string(&workflow_path).expect("workflow");
    succeeded(&run(offline.securescan().arg("init").arg(root)));
    let with_baseline = workflow();
    crate::formats::golden("init.workflow.yml", &with_baseline);
    let lint = Command::new("actionlint")
        .arg("-no-color")
        .arg(&workflow_path)
        .output()
        .expect("actionlint runs");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );

    // Without the baseline file the workflow names none.
    succeeded(&run(offline
        .securescan()
        .args(["init", "--force", "--no-baseline"])
        .arg(root)));
    let without = workflow();
    assert!(!without.contains("baseline:"), "{without}");
    let baseline_line = with_baseline
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("baseline: .securescan/baseline.json")
        })
        .expect("the baseline input");
    assert_eq!(
        without,
        with_baseline.replace(&format!("{baseline_line}\n"), "")
    );
}

#[test]
fn scans_are_saved_and_history_lists_them_newest_first() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let scan = |extra: &[&str]| {
        let output = run(offline
            .securescan()
            .env_remove("SECURESCAN_FAKE_NOW")
            .arg("scan")
            .arg(dir.path())
            .args(["--type", "code", "-o", "json"])
            .args(extra));
        succeeded(&output);
    };
    let history = || {
        let output = run(offline.securescan().args(["history", "--json"]));
        succeeded(&output);
        json(&output).as_array().expect("an array of scans").clone()
    };
    scan(&[]);
    // Saved times have whole seconds: a second apart, the order is observable.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    scan(&[]);
    let saved = history();
    assert_eq!(saved.len(), 2, "{saved:?}");
    for entry in &saved {
        assert_eq!(entry["target"], dir.path().to_string_lossy().as_ref());
        assert_eq!(entry["findings_count"], 1);
    }
    let started: Vec<&str> = saved
        .iter()
        .map(|s| s["started_at"].as_str().expect("started_at"))
        .collect();
    assert!(started[0] > started[1], "newest first: {started:?}");
    scan(&["--no-save"]);
    assert_eq!(history().len(), 2, "--no-save saves nothing");

    let nowhere = tempfile::tempdir().expect("temp dir");
    let empty = run(offline
        .securescan()
        .env("SECURESCAN_DB_PATH", nowhere.path().join("absent.db"))
        .arg("history"));
    succeeded(&empty);
    let said = format!("{}{}", stdout(&empty), stderr(&empty));
    assert!(said.to_lowercase().contains("no saved scans"), "{said}");
}

/// A user framework file: one control that every secrets finding touches.
const HOUSE_RULES: &str = r#"{
  "framework": "House rules",
  "version": "1",
  "tag_prefix": "HOUSE-",
  "controls": {
    "7": {"name": "No credentials in code", "cwes": [], "keywords": [], "rules": {"secrets": ["*"]}}
  }
}"#;

#[test]
fn a_user_compliance_file_adds_a_framework_and_a_built_in_one_can_be_replaced() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let mappings = tempfile::tempdir().expect("temp dir");
    write(&mappings.path().join("house.json"), HOUSE_RULES);
    // Replacing OWASP with a file that maps nothing takes its tags away.
    write(
        &mappings.path().join("owasp-top10-2021.json"),
        r#"{"framework": "OWASP Top 10", "version": "2021", "tag_prefix": "OWASP-",
            "controls": {"A01": {"name": "Broken Access Control", "cwes": ["CWE-22"],
                                 "keywords": [], "rules": {}}}}"#,
    );
    let scan = |compliance_dir: Option<&Path>| {
        let mut command = offline.securescan();
        command.args(["scan", "--type", "code", "-o", "json", "--no-save"]);
        command.arg(dir.path());
        if let Some(path) = compliance_dir {
            command.env("SECURESCAN_COMPLIANCE_DIR", path);
        }
        let output = run(&mut command);
        succeeded(&output);
        json(&output)[0]["compliance_tags"].clone()
    };
    let builtin = scan(None);
    let builtin_tags = builtin.as_array().expect("tags");
    assert!(
        builtin_tags
            .iter()
            .any(|t| t.as_str().is_some_and(|t| t.starts_with("OWASP-"))),
        "{builtin}"
    );
    let custom = scan(Some(mappings.path()));
    let custom_tags = custom.as_array().expect("tags");
    assert!(custom_tags.contains(&Value::from("HOUSE-7")), "{custom}");
    assert!(
        !custom_tags
            .iter()
            .any(|t| t.as_str().is_some_and(|t| t.starts_with("OWASP-"))),
        "{custom}"
    );
}

#[test]
fn a_broken_compliance_file_stops_the_scan_naming_it() {
    let offline = Offline::new();
    let dir = project(&[("src/app.py", &key_line("aws_key"))]);
    let mappings = tempfile::tempdir().expect("temp dir");
    write(
        &mappings.path().join("broken.json"),
        r#"{"framework": "x", "version": "1", "tag_prefix": "X-", "controls": {"1": {"name": "n", "cwes": ["eighty-nine"], "keywords": [], "rules": {}}}}"#,
    );
    let output = run(offline
        .securescan()
        .args(["scan", "--type", "code", "-o", "json", "--no-save"])
        .arg(dir.path())
        .env("SECURESCAN_COMPLIANCE_DIR", mappings.path()));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("broken.json"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}
