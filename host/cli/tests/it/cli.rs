//! The `securescan` binary as users run it: exit codes, clean stdout, determinism, Ctrl-C.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{adapter_dir, bin, fake_aws_key, isolated, run, stderr, tree};

/// A PATH holding only `git` and the given fake tools, so scans never touch a real semgrep that
/// would try to reach its registry.
struct FakePath {
    dir: tempfile::TempDir,
}

impl FakePath {
    fn new() -> FakePath {
        let dir = tempfile::tempdir().expect("temp dir");
        if let Some(git) = securescan_engine::tools::find_tool("git") {
            std::os::unix::fs::symlink(git, dir.path().join("git")).expect("link git");
        }
        FakePath { dir }
    }

    fn tool(self, name: &str, script: &str) -> FakePath {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("write tool");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn securescan(path: &FakePath) -> Command {
    isolated(path.path())
}

fn secret_tree() -> tempfile::TempDir {
    tree(&[
        (
            "settings.py",
            &format!("KEY = '{}'\npassword = \"s3cr3tpass!\"\n", fake_aws_key()),
        ),
        ("README.md", "nothing here\n"),
        // So git-hygiene, which also runs for `code`, has nothing to say.
        (".gitignore", "*.pyc\n"),
    ])
}

#[test]
fn json_on_stdout_is_clean_and_byte_identical_across_runs() {
    let target = secret_tree();
    let path = FakePath::new();
    let scan = || {
        run(securescan(&path)
            .args(["scan", "--type", "code", "--output", "json"])
            .arg(target.path()))
    };
    let (first, second) = (scan(), scan());
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(first.stdout, second.stdout, "same inputs, same bytes");
    let findings: serde_json::Value =
        serde_json::from_slice(&first.stdout).expect("stdout is exactly one JSON document");
    let rules: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(
        rules,
        vec!["secrets/aws-access-key", "secrets/generic-secret"]
    );
    assert_eq!(findings[0]["fingerprint"].as_str().map(str::len), Some(64));
}

#[test]
fn output_file_gets_the_artifact_and_stdout_stays_empty() {
    let target = secret_tree();
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("findings.json");
    let path = FakePath::new();
    let output = run(securescan(&path)
        .args(["scan", "-t", "code", "-o", "json", "--output-file"])
        .arg(&file)
        .arg(target.path()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("file written")).expect("json");
    assert_eq!(written.as_array().map(Vec::len), Some(2));
}

#[test]
fn a_missing_target_is_a_usage_error() {
    let output = run(securescan(&FakePath::new()).args(["scan", "/definitely/not/here"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("target path does not exist: /definitely/not/here"));
}

#[test]
fn an_unknown_scanner_lists_the_valid_ones() {
    let output =
        run(securescan(&FakePath::new()).args(["ingest", "--scanner", "nope", "report.json"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("valid scanners: semgrep, bandit, trivy, checkov, baseline, secrets, safety, licenses, dockerfile, npm-audit, git-hygiene, builtin_dast, zap, nmap, sarif"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_scan_type_lists_the_valid_ones() {
    let output = run(securescan(&FakePath::new()).args(["scan", ".", "--type", "bogus"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Valid: code, dependency, iac, baseline, dast, network"));
}

#[test]
fn a_truncated_report_fails_that_scanner_with_exit_3() {
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let full = std::fs::read(
        crate::support::workspace()
            .join("plugins/bandit/fixtures/bandit-1.9.4/generated-python-vuln-app.json"),
    )
    .expect("fixture");
    std::fs::write(report.path(), &full[..full.len() / 3]).expect("write");
    let output = run(securescan(&FakePath::new())
        .args(["ingest", "--scanner", "bandit"])
        .arg(report.path()));
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("scanner bandit failed (parse-error): could not parse the tool output (malformed): truncated JSON"), "{}", stderr(&output));
}

#[test]
fn one_broken_tool_loses_no_other_findings() {
    let target = secret_tree();
    let path = FakePath::new().tool(
        "semgrep",
        "case \"$1\" in --version) echo 1.50.0; exit 0;; esac\necho 'this is not json'",
    );
    let output = run(securescan(&path)
        .args(["scan", "-t", "code", "-o", "json"])
        .arg(target.path()));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("scanner semgrep failed (parse-error)"),
        "{}",
        stderr(&output)
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        findings.as_array().map(Vec::len),
        Some(2),
        "the secrets findings are all there"
    );
}

#[test]
fn missing_tools_are_skipped_with_their_install_hint() {
    let target = secret_tree();
    let output = run(securescan(&FakePath::new())
        .args(["scan", "-t", "code"])
        .arg(target.path()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.lines()
            .any(|line| line.trim_start().starts_with("semgrep")
                && line
                    .ends_with("skipped: semgrep is not installed (install: pip install semgrep)")),
        "{text}"
    );
    assert!(
        !text.contains("not a git repository"),
        "an optional tool that has nothing to add is not a warning: {text}"
    );
}

#[test]
fn text_groups_findings_under_severity_headings() {
    let target = secret_tree();
    let output = run(securescan(&FakePath::new())
        .args(["scan", "-t", "code"])
        .arg(target.path()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let settings = target.path().join("settings.py");
    let critical = format!(
        "\nCRITICAL (1)\n  secrets  {}:1  Potential AWS Access Key detected [secrets/aws-access-key]\n",
        settings.display()
    );
    assert!(text.contains(&critical), "{text}");
    assert!(text.contains("\nHIGH (1)\n  secrets  "), "{text}");
    assert!(
        text.contains(
            "\nSummary\nTotal: 2 findings (1 critical, 1 high, 0 medium, 0 low, 0 info)\n"
        ),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "a pipe gets no colour: {text:?}");
}

#[test]
fn clicolor_force_colours_a_pipe_but_no_color_and_output_files_stay_plain() {
    let target = secret_tree();
    let scan = |configure: &dyn Fn(&mut Command)| {
        let mut command = securescan(&FakePath::new());
        command.args(["scan", "-t", "code"]).arg(target.path());
        configure(&mut command);
        let output = run(&mut command);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let forced = scan(&|c| {
        c.env("CLICOLOR_FORCE", "1");
    });
    assert!(
        forced.contains("\x1b[1;35mCRITICAL (1)\x1b[0m"),
        "{forced:?}"
    );
    let vetoed = scan(&|c| {
        c.env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1");
    });
    assert!(!vetoed.contains('\x1b'), "{vetoed:?}");
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("report.txt");
    scan(&|c| {
        c.env("CLICOLOR_FORCE", "1").arg("--output-file").arg(&file);
    });
    let written = std::fs::read_to_string(&file).expect("file written");
    assert!(written.contains("\nCRITICAL (1)\n"), "{written}");
    assert!(!written.contains('\x1b'), "{written:?}");
}

#[test]
fn escape_sequences_in_a_report_never_reach_the_terminal() {
    let report = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        report.path(),
        r#"{"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {}, "results": [{
            "filename": "evil\u001b]0;owned\u0007.py", "test_id": "B105\u001b[0m",
            "test_name": "hardcoded_password\u001b[2J\u001b[31m", "issue_text": "x\u009b2J",
            "issue_severity": "HIGH", "issue_confidence": "HIGH",
            "line_number": 3, "line_range": [3]}]}"#,
    )
    .expect("write");
    let output = run(securescan(&FakePath::new())
        .env("CLICOLOR_FORCE", "1")
        .args(["ingest", "--scanner", "bandit"])
        .arg(report.path()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("hardcoded_password"))
        .unwrap_or_else(|| panic!("the finding is listed: {text}"));
    assert!(
        line.starts_with("  bandit  evil\u{fffd}]0;owned\u{fffd}.py:3  hardcoded_password\u{fffd}[2J\u{fffd}[31m "),
        "{line:?}"
    );
    // The only escapes are the report's own colour, each a complete SGR sequence.
    let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").expect("regex");
    assert!(!sgr.replace_all(&text, "").contains('\x1b'), "{text:?}");
    assert!(
        !text.contains('\x07') && !text.contains('\u{9b}'),
        "{text:?}"
    );
    // Neutralized at the adapter boundary already, so every format gets the cleaned title.
    let json = run(securescan(&FakePath::new())
        .args(["ingest", "--scanner", "bandit", "-o", "json"])
        .arg(report.path()));
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(
        findings[0]["title"],
        "hardcoded_password\u{fffd}[2J\u{fffd}[31m"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let output = run(Command::new(bin()).arg("--help"));
    let text = String::from_utf8_lossy(&output.stdout);
    for line in [
        "0    success",
        "2    usage error",
        "3    finished, but at least one scanner failed",
        "130  interrupted",
    ] {
        assert!(text.contains(line), "--help lacks {line:?}");
    }
}

#[test]
fn status_lists_every_registry_scanner_as_json() {
    let output = run(securescan(&FakePath::new()).args(["status", "--output", "json"]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let ids: Vec<&str> = rows
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["scanner"].as_str())
        .collect();
    assert_eq!(
        ids,
        vec![
            "semgrep",
            "bandit",
            "trivy",
            "checkov",
            "baseline",
            "secrets",
            "safety",
            "licenses",
            "dockerfile",
            "npm-audit",
            "git-hygiene",
            "builtin_dast",
            "zap",
            "nmap",
            "sarif",
        ]
    );
    assert_eq!(rows[0]["available"], false);
    assert_eq!(rows[0]["install_hint"], "pip install semgrep");
    assert_eq!(rows[5]["adapter"], "ok");
    assert!(
        rows.as_array()
            .expect("array")
            .iter()
            .all(|r| r["adapter"] == "ok")
    );
    let zap = &rows[12];
    assert_eq!(zap["available"], false, "no daemon configured here");
    assert!(
        zap["install_hint"]
            .as_str()
            .is_some_and(|h| h.contains("SECURESCAN_ZAP_ADDRESS")),
        "{zap}"
    );
    assert_eq!(
        rows[2]["install_hint"],
        "See https://trivy.dev/docs/latest/getting-started/installation/"
    );
}

#[test]
fn adapter_verify_accepts_the_built_components() {
    let output = run(securescan(&FakePath::new()).args(["adapter", "verify"]));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

#[test]
fn adapter_verify_flags_a_tampered_component() {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(adapter_dir()).expect("adapters") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    let victim = dir.path().join("securescan_adapter_bandit.wasm");
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes.push(0);
    std::fs::write(&victim, bytes).expect("write");
    let output = run(securescan(&FakePath::new())
        .args(["adapter", "verify", "--dir"])
        .arg(dir.path()));
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stdout).contains("bandit         FAILED: sha256"));
}

#[test]
fn adapter_inspect_shows_abi_and_pin() {
    let output = run(securescan(&FakePath::new())
        .args(["adapter", "inspect"])
        .arg(adapter_dir().join("securescan_adapter_semgrep.wasm")));
    let text = String::from_utf8_lossy(&output.stdout);
    let abi = securescan_registry::abi::HOST_ABI;
    assert!(text.contains(&format!("abi:     {abi}")), "{text}");
    assert!(
        text.contains(&format!("exports: securescan:adapter/parser@{abi}")),
        "{text}"
    );
    assert!(text.contains("pinned:  as semgrep"), "{text}");
}

/// Start a scan whose semgrep leaves a long-running child, send `signal` to securescan, and
/// return its exit code once the child is checked dead.
fn stop_a_running_scan_with(signal: nix::sys::signal::Signal) -> Option<i32> {
    let target = secret_tree();
    let pidfile = target
        .path()
        .join("..")
        .join(format!("{}-{signal}-semgrep.pid", std::process::id()));
    let script = format!(
        "case \"$1\" in --version) echo 1.50.0; exit 0;; esac\n/bin/sleep 300 & echo $! > {}\nwait",
        pidfile.display()
    );
    let path = FakePath::new().tool("semgrep", &script);
    let child = securescan(&path)
        .args(["scan", "-t", "code"])
        .arg(target.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = wait_for_file(&pidfile);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid")),
        signal,
    )
    .expect("signal");
    let output = child.wait_with_output().expect("wait");
    let _ = std::fs::remove_file(&pidfile);
    assert!(
        crate::processes::is_dead(pid),
        "the tool's child survived {signal}: {}",
        stderr(&output)
    );
    output.status.code()
}

#[test]
fn ctrl_c_kills_running_tools_and_exits_130() {
    assert_eq!(
        stop_a_running_scan_with(nix::sys::signal::Signal::SIGINT),
        Some(130)
    );
}

// Regression: a CI runner's cancel (SIGTERM, SIGHUP) left semgrep and bandit running.
#[test]
fn a_ci_cancel_kills_running_tools_like_ctrl_c() {
    assert_eq!(
        stop_a_running_scan_with(nix::sys::signal::Signal::SIGTERM),
        Some(143)
    );
    assert_eq!(
        stop_a_running_scan_with(nix::sys::signal::Signal::SIGHUP),
        Some(129)
    );
}

fn wait_for_file(path: &PathBuf) -> i32 {
    for _ in 0..500 {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn adapter_verify_can_rewrite_pins_in_a_registry_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = dir.path().join("registry.toml");
    let original = std::fs::read_to_string(crate::support::workspace().join("registry.toml"))
        .expect("registry");
    let first_pin = original.find("\nsha256 = \"").expect("a pin") + "\nsha256 = \"".len();
    let mut stale_bytes = original.clone().into_bytes();
    stale_bytes[first_pin] = if stale_bytes[first_pin] == b'0' {
        b'1'
    } else {
        b'0'
    };
    std::fs::write(&registry, &stale_bytes).expect("write");
    let check = run(securescan(&FakePath::new())
        .args(["adapter", "verify", "--registry"])
        .arg(&registry));
    assert_eq!(check.status.code(), Some(3), "the stale pin is caught");
    let rewrite = run(securescan(&FakePath::new())
        .args(["adapter", "verify", "--write-pins", "--registry"])
        .arg(&registry));
    assert_eq!(rewrite.status.code(), Some(0), "{}", stderr(&rewrite));
    assert_eq!(
        std::fs::read_to_string(&registry).expect("read"),
        original,
        "only the stale pin changed back"
    );
}

// Regression: a mistyped `--semgrep-config` made semgrep exit 7 ("invalid config") with a
// well-formed, empty report, and the scan reported success (exit 0, SARIF
// `executionSuccessful: true`): a consumer read "no findings" where nothing had been scanned.
#[test]
fn a_tool_that_exits_with_a_failure_code_fails_its_scanner_even_with_a_readable_report() {
    let target = secret_tree();
    let report = r#"{"results": [], "errors": [{"level": "error", "message": "invalid configuration file found (1 configs were invalid)"}], "paths": {"scanned": []}}"#;
    let script = format!(
        "case \"$1\" in --version) echo 1.182.0; exit 0;; esac\necho '{report}'\necho 'invalid configuration file found' >&2\nexit 7"
    );
    let path = FakePath::new().tool("semgrep", &script);
    let output = run(securescan(&path)
        .args(["scan", "-t", "code", "--no-save", "-o", "sarif"])
        .arg(target.path()));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("semgrep exited with code 7"),
        "{}",
        stderr(&output)
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("sarif");
    let failed_semgrep = sarif["runs"][0]["invocations"][0]["executionSuccessful"] == false;
    assert!(failed_semgrep, "{sarif:#}");
}
