//! Repositories built to attack the scanner that looks at them (issue: a hostile repository
//! cannot run code, replace files, exhaust memory or hide findings). Each test builds the
//! hostile input and checks that the harm does not happen.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{fake_aws_key, git, securescan, workspace};

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A repository whose configuration, attributes and hooks name a program everywhere git would
/// run one. The program leaves a marker file named after the place that ran it (and passes its
/// input through, so filters "work").
struct TrappedRepository {
    dir: tempfile::TempDir,
}

impl TrappedRepository {
    fn new() -> TrappedRepository {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).expect("mkdir");
        let trap = dir.path().join("trap");
        executable(
            &trap,
            &format!(
                "#!/bin/sh\nmkdir -p {markers}\ntouch {markers}/\"$1\"\ncat 2>/dev/null\nexit 0\n",
                markers = dir.path().join("markers").display()
            ),
        );
        git(&repo, &["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("app.py"), "import os\nos.system(input())\n").expect("write");
        std::fs::write(repo.join(".gitattributes"), "* diff=trap filter=trap\n").expect("write");
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);
        std::fs::write(repo.join(".env"), format!("AWS_KEY={}\n", fake_aws_key())).expect("write");
        std::fs::write(repo.join("deploy.key"), "-----BEGIN PRIVATE KEY-----\n").expect("write");
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "a key"]);
        git(&repo, &["rm", "-q", ".env"]);
        git(&repo, &["commit", "-q", "-m", "the key removed"]);
        // Armed only now: the set-up's own commits ran nothing.
        let command = |place: &str| format!("{} {place}", trap.display());
        let hooks = dir.path().join("hooks");
        for hook in [
            "post-checkout",
            "pre-commit",
            "post-index-change",
            "reference-transaction",
            "fsmonitor-watchman",
        ] {
            executable(
                &hooks.join(hook),
                &format!("#!/bin/sh\n{}\n", command(hook)),
            );
            executable(
                &repo.join(".git/hooks").join(hook),
                &format!("#!/bin/sh\n{}\n", command(&format!("git-dir-{hook}"))),
            );
        }
        let settings: Vec<(&str, String)> = vec![
            ("core.fsmonitor", command("fsmonitor")),
            ("core.hooksPath", hooks.display().to_string()),
            ("core.pager", command("pager")),
            ("core.editor", command("editor")),
            ("core.sshCommand", command("ssh")),
            ("core.askPass", command("askpass")),
            ("diff.external", command("external-diff")),
            ("diff.trap.textconv", command("textconv")),
            ("diff.trap.command", command("diff-driver")),
            ("filter.trap.clean", command("clean")),
            ("filter.trap.smudge", command("smudge")),
            ("filter.trap.process", command("filter-process")),
            ("merge.trap.driver", command("merge-driver")),
            ("credential.helper", format!("!{}", command("credential"))),
            ("gpg.program", command("gpg")),
            ("log.showSignature", "true".into()),
            ("pager.log", command("pager-log")),
            ("sequence.editor", command("sequence-editor")),
            ("uploadpack.packObjectsHook", command("pack-objects-hook")),
        ];
        for (key, value) in &settings {
            git(&repo, &["config", "--local", key, value]);
        }
        TrappedRepository { dir }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The places whose program ran.
    fn sprung(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("markers"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// The same set-up armed as the test's is armed for a plain git: without the protection, the
/// commands SecureScan and its tools run would spring it.
#[test]
fn the_trapped_repository_does_spring_on_plain_git() {
    let trapped = TrappedRepository::new();
    let status = Command::new("git")
        .current_dir(trapped.repo())
        .args(["log", "-p", "-n", "1"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PAGER", "")
        .stdout(std::process::Stdio::null())
        // The trap is no real filter process; git says so on stderr.
        .stderr(std::process::Stdio::null())
        .status()
        .expect("git");
    assert!(status.success());
    let sprung = trapped.sprung();
    assert!(
        sprung.contains(&"textconv".to_string()),
        "a plain `git log -p` runs the repository's textconv driver: {sprung:?}"
    );
}

#[test]
fn scanning_a_repository_runs_no_program_its_git_config_attributes_or_hooks_name() {
    let trapped = TrappedRepository::new();
    let mut command = securescan();
    command
        .args(["scan", "-t", "code", "--no-save", "--output", "json"])
        .arg("--semgrep-config")
        .arg(workspace().join("rules/semgrep-python.yml"))
        .arg(trapped.repo())
        .stdin(std::process::Stdio::null());
    let output = command.output().expect("securescan runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "the scan finished: {stderr}"
    );
    assert_eq!(trapped.sprung(), Vec::<String>::new(), "{stderr}");
    // The history is still read (through the view): the key is only in a removed file.
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let rules: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(
        rules.iter().any(|r| r.contains("aws-access-key")),
        "{rules:?}"
    );
}

#[test]
fn a_diff_between_refs_runs_no_program_the_repository_names_and_leaves_it_untouched() {
    let trapped = TrappedRepository::new();
    let worktrees_before = std::fs::read_dir(trapped.repo().join(".git"))
        .expect("git dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect::<Vec<_>>();
    let output = securescan()
        .current_dir(trapped.repo())
        .args([
            "diff",
            ".",
            "--base-ref",
            "HEAD~1",
            "-t",
            "code",
            "-o",
            "json",
        ])
        .arg("--semgrep-config")
        .arg(workspace().join("rules/semgrep-python.yml"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("securescan runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "the diff finished: {stderr}"
    );
    assert_eq!(trapped.sprung(), Vec::<String>::new(), "{stderr}");
    let after = std::fs::read_dir(trapped.repo().join(".git"))
        .expect("git dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect::<Vec<_>>();
    assert_eq!(
        worktrees_before.len(),
        after.len(),
        "nothing was registered in the scanned repository: {after:?}"
    );
    assert!(!trapped.repo().join(".git/worktrees").exists());
}

/// A project below a directory holding someone else's `.securescan.yml` that ignores the rule
/// the project's one finding has.
fn project_below_a_suppressing_config() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join(".securescan.yml");
    std::fs::write(&config, "ignored_rules:\n  - secrets/aws-access-key\n").expect("write");
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("settings.py"),
        format!("KEY = '{}'\n", fake_aws_key()),
    )
    .expect("write");
    std::fs::write(project.join(".gitignore"), "*.pyc\n").expect("write");
    (dir, config, project)
}

fn secrets_scan(project: &Path) -> (Vec<String>, String) {
    let output = securescan()
        .args(["scan", "-t", "code", "--no-save", "-o", "json"])
        .arg(project)
        .env("PATH", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("securescan runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let rules = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["rule_id"].as_str().map(str::to_string))
        .collect();
    (rules, stderr)
}

// Regression: a `.securescan.yml` in a parent directory that anyone could write (a shared
// temporary directory) was applied silently and suppressed every finding.
#[test]
fn a_parent_config_that_other_users_can_write_suppresses_nothing() {
    let (_dir, config, project) = project_below_a_suppressing_config();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let (rules, stderr) = secrets_scan(&project);
    assert!(
        rules.contains(&"secrets/aws-access-key".to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains("not applying a config file")
            && stderr.contains("can be changed by any user"),
        "{stderr}"
    );
}

#[test]
fn a_parent_config_of_another_user_suppresses_nothing() {
    let (_dir, config, project) = project_below_a_suppressing_config();
    // Giving a file away takes root; CI runs as root. As another user the file is already not
    // ours only if we are not its owner, which a test cannot arrange.
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to give the config file to another user");
        return;
    }
    let given = Command::new("chown")
        .arg("65534")
        .arg(&config)
        .status()
        .expect("chown");
    assert!(given.success());
    let (rules, stderr) = secrets_scan(&project);
    assert!(
        rules.contains(&"secrets/aws-access-key".to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains("belongs to another user (uid 65534"),
        "{stderr}"
    );
}

#[test]
fn the_config_that_applies_is_always_named_on_stderr() {
    let (_dir, config, project) = project_below_a_suppressing_config();
    let (rules, stderr) = secrets_scan(&project);
    assert!(
        !rules.contains(&"secrets/aws-access-key".to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("securescan: config: {}", config.display())),
        "{stderr}"
    );
}

/// `scan --output-file PATH` of a tree with nothing to find; returns the exit code and stderr.
fn scan_into(path: &Path, shell_prefix: &str) -> (Option<i32>, String) {
    let project = crate::support::tree(&[("README.md", "nothing\n"), (".gitignore", "x\n")]);
    let command = format!(
        "{shell_prefix} exec \"$0\" scan -t code --no-save -o json --output-file \"$1\" \"$2\""
    );
    let mut shell = Command::new("/bin/sh");
    shell
        .arg("-c")
        .arg(command)
        .arg(crate::support::bin())
        .arg(path)
        .arg(project.path());
    for (name, value) in securescan().get_envs() {
        match value {
            Some(value) => shell.env(name, value),
            None => shell.env_remove(name),
        };
    }
    let output = shell
        .env("PATH", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// Regression: as root, `--output-file /dev/full` turned the device into a regular file. The
// test makes its own /dev/full (same device numbers) rather than risk the machine's.
#[test]
fn an_output_file_that_is_a_device_is_written_through_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: making a device node takes root");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let full = dir.path().join("full");
    let made = Command::new("mknod")
        .arg(&full)
        .args(["c", "1", "7"])
        .status()
        .expect("mknod");
    assert!(made.success());
    let (code, stderr) = scan_into(&full, "");
    assert_eq!(code, Some(1), "writing to a full device fails: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let kind = std::fs::symlink_metadata(&full)
        .expect("still there")
        .file_type();
    assert!(kind.is_char_device(), "the device was replaced: {kind:?}");
    let null = dir.path().join("null");
    assert!(
        Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .expect("mknod")
            .success()
    );
    let (code, stderr) = scan_into(&null, "");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        std::fs::symlink_metadata(&null)
            .expect("there")
            .file_type()
            .is_char_device()
    );
}

#[test]
fn an_output_file_that_is_a_fifo_is_written_through() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("results.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .expect("open fifo")
                .read_to_string(&mut text)
                .expect("read");
            text
        })
    };
    let (code, stderr) = scan_into(&fifo, "");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reader.join().expect("reader").trim(), "[]");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .expect("there")
            .file_type()
            .is_fifo()
    );
}

// Regression: a symlink at the output path was replaced (or could have been followed to any
// file the user can write: a checkout can ship `results.sarif -> ~/.bashrc`).
#[test]
fn an_output_file_that_is_a_link_to_a_file_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").expect("write");
    let link = dir.path().join("results.json");
    std::os::unix::fs::symlink(&victim, &link).expect("link");
    let (code, stderr) = scan_into(&link, "");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "precious\n"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("there")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn dev_stdout_as_the_output_file_writes_to_the_redirected_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.json");
    let (code, stderr) = scan_into(
        Path::new("/dev/stdout"),
        &format!("exec >{};", out.display()),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).expect("read").trim(), "[]");
}

#[test]
fn output_files_keep_an_existing_mode_and_new_ones_honour_the_umask() {
    let dir = tempfile::tempdir().expect("temp dir");
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "old").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let (code, stderr) = scan_into(&existing, "umask 077;");
    assert_eq!(code, Some(0), "{stderr}");
    let mode = |path: &Path| std::fs::metadata(path).expect("there").permissions().mode() & 0o777;
    assert_eq!(mode(&existing), 0o640);
    let fresh = dir.path().join("fresh.json");
    let (code, stderr) = scan_into(&fresh, "umask 027;");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(mode(&fresh), 0o640, "0666 less the umask 027");
}

// Regression: `ingest --scanner x /dev/zero` read until the OOM killer stopped it, and a 1 GiB
// report took 1 GiB of memory before its size was checked.
#[test]
fn an_endless_report_baseline_or_snapshot_is_refused_after_its_limit() {
    let project = crate::support::tree(&[("README.md", "nothing\n")]);
    let run = |args: &[&str]| {
        let output = securescan()
            .args(args)
            .env("PATH", "/nonexistent")
            .current_dir(project.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["ingest", "--scanner", "bandit", "/dev/zero"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "/dev/zero is larger than 64 MiB, the most read for a report of this scanner"
        ),
        "{stderr}"
    );
    let (code, stderr) = run(&[
        "diff",
        ".",
        "--base-snapshot",
        "/dev/zero",
        "--head-snapshot",
        "/dev/zero",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/zero is larger than 256 MiB"),
        "{stderr}"
    );
    let (code, stderr) = run(&[
        "scan",
        ".",
        "-t",
        "code",
        "--no-save",
        "--baseline",
        "/dev/zero",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("/dev/zero is larger than 256 MiB, the most read for a baseline file"),
        "{stderr}"
    );
    let (code, stderr) = run(&["config", "validate", "/dev/zero"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("larger than 1 MiB"), "{stderr}");
}
