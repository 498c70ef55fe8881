//! `.securescan.yml` as users write it: `config validate`, discovery, and what each key does to a
//! scan. Scans run the binary on trees written here, with a PATH that holds only fake tools.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{isolated, run, stderr, tree};

fn securescan(fake_path: &Path, cwd: &Path) -> Command {
    let mut command = isolated(fake_path);
    command.current_dir(cwd);
    command
}

/// Two bandit results: B602 (medium) in run.py and B105 (high) in settings.py.
const BANDIT_REPORT: &str = r#"{"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {}, "results": [
  {"filename": "run.py", "test_id": "B602", "test_name": "subprocess_popen_with_shell_equals_true",
   "issue_text": "shell=True", "issue_severity": "MEDIUM", "issue_confidence": "HIGH",
   "line_number": 1, "line_range": [1]},
  {"filename": "settings.py", "test_id": "B105", "test_name": "hardcoded_password_string",
   "issue_text": "hardcoded password", "issue_severity": "HIGH", "issue_confidence": "HIGH",
   "line_number": 1, "line_range": [1]}]}"#;

/// A repository (it has `.git`) with the given config, the files the report names, and the report.
fn repo(config: &str) -> tempfile::TempDir {
    tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".securescan.yml", config),
        ("run.py", "subprocess.call(cmd, shell=True)\n"),
        ("settings.py", "password = 'hunter2'\n"),
        ("bandit.json", BANDIT_REPORT),
    ])
}

/// `securescan ingest` of the bandit report for `dir`, as JSON, plus extra arguments.
fn ingest(dir: &Path, extra: &[&str]) -> Output {
    let empty = tempfile::tempdir().expect("temp dir");
    run(securescan(empty.path(), dir)
        .args(["ingest", "--scanner", "bandit", "-o", "json", "--target"])
        .arg(dir)
        .arg(dir.join("bandit.json"))
        .args(extra))
}

fn findings(output: &Output) -> Vec<Value> {
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("json ({err}): {}", stderr(output)));
    json.as_array().expect("an array of findings").clone()
}

fn validate(dir: &Path) -> Output {
    let empty = tempfile::tempdir().expect("temp dir");
    run(securescan(empty.path(), dir).args(["config", "validate"]))
}

const BROKEN: &str = "\
scan_types: [code, dependncy]
severity_overrides:
  B602: hgih
colour: blue
";

#[test]
fn config_validate_lists_each_issue_with_its_location() {
    let dir = repo(BROKEN);
    let output = validate(dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stderr(&output);
    for line in [
        "error: line 1, scan_types[1]: invalid scan type \"dependncy\"",
        "error: line 3, severity_overrides.B602: invalid severity \"hgih\"",
        "error: line 4, colour: unknown key \"colour\"",
        "Config invalid: 3 errors, 0 warnings, 0 info issues.",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}

#[test]
fn a_valid_config_says_ok_with_warnings_and_infos_counted() {
    let dir = repo("ignored_rules: [B602]\nseverity_overrides:\n  B602: low\n");
    let output = validate(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.starts_with(".securescan.yml: OK\n"), "{text}");
    assert!(text.contains("warning: severity_overrides.B602: rule 'B602' appears in both"));
    assert!(
        text.contains("Config valid: 0 errors, 1 warning, 0 info issues."),
        "{text}"
    );

    let empty = repo("# nothing yet\n");
    let text = stderr(&validate(empty.path()));
    assert!(text.contains("info: -: config file is empty"), "{text}");
    assert!(
        text.contains("0 errors, 0 warnings, 1 info issue."),
        "{text}"
    );
}

#[test]
fn a_broken_config_refuses_the_scan_with_the_same_message() {
    let dir = repo(BROKEN);
    let validated = stderr(&validate(dir.path()));
    let output = ingest(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let refused = stderr(&output);
    assert!(
        refused.contains("invalid config; nothing was scanned"),
        "{refused}"
    );
    let issues = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("error: ") || l.starts_with("Config "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(issues(&refused), issues(&validated));
    assert!(!refused.contains("panicked"), "{refused}");

    let empty = tempfile::tempdir().expect("temp dir");
    let scan = run(securescan(empty.path(), dir.path()).args(["scan", ".", "-t", "code"]));
    assert_eq!(scan.status.code(), Some(2));
    assert_eq!(issues(&stderr(&scan)), issues(&validated));
}

#[test]
fn unknown_keys_are_errors() {
    let dir = repo("ignore_rules: [B602]\n");
    let text = stderr(&validate(dir.path()));
    assert!(
        text.contains(
            "error: line 1, ignore_rules: unknown key \"ignore_rules\"; valid keys: scan_types, \
             severity_overrides, ignored_rules, semgrep_rules, fail_on_severity, ai"
        ),
        "{text}"
    );
}

#[test]
fn a_bad_severity_lists_the_valid_ones() {
    let dir = repo("fail_on_severity: severe\n");
    let text = stderr(&validate(dir.path()));
    assert!(
        text.contains(
            "error: line 1, fail_on_severity: invalid severity \"severe\"; valid: critical, high, \
             medium, low, info"
        ),
        "{text}"
    );
}

#[test]
fn malformed_yaml_is_an_error_with_its_line() {
    let dir = repo("ignored_rules: [B602\nai: true\n");
    let output = validate(dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: line 2: malformed YAML: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn discovery_stops_at_the_repo_root() {
    let outer = tree(&[
        (".securescan.yml", "ignored_rules: [B602]\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/src/run.py", "x\n"),
    ]);
    let inside = outer.path().join("repo/src");
    let output = validate(&inside);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no .securescan.yml in this directory tree"));

    std::fs::write(outer.path().join("repo/.securescan.yml"), "ai: false\n").expect("write");
    let output = validate(&inside);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// A semgrep that records its arguments and finds nothing.
fn fake_semgrep(dir: &Path) {
    let path = dir.join("semgrep");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncase \"$1\" in --version) echo 1.50.0; exit 0;; esac\n\
             echo \"$@\" > {}/semgrep-args\necho '{{\"results\": [], \"errors\": []}}'\n",
            dir.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn type_wins_over_scan_types() {
    let dir = repo("scan_types: [iac]\n");
    let tools = tempfile::tempdir().expect("temp dir");
    fake_semgrep(tools.path());
    let scan = |extra: &[&str]| {
        let output = run(securescan(tools.path(), dir.path())
            .args(["scan", "."])
            .args(extra));
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let from_config = scan(&[]);
    assert!(from_config.contains("(iac)"), "{from_config}");
    assert!(!tools.path().join("semgrep-args").exists());
    let from_flag = scan(&["--type", "code"]);
    assert!(from_flag.contains("(code)"), "{from_flag}");
    assert!(tools.path().join("semgrep-args").exists());
}

#[test]
fn semgrep_rules_are_taken_from_the_config_directory_unless_the_flag_is_given() {
    let dir = repo("semgrep_rules: [rules/team.yml]\n");
    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    std::fs::write(dir.path().join("rules/team.yml"), "rules: []\n").expect("write");
    let tools = tempfile::tempdir().expect("temp dir");
    fake_semgrep(tools.path());
    let args = |extra: &[&str]| {
        let output = run(securescan(tools.path(), dir.path())
            .args(["scan", ".", "-t", "code"])
            .args(extra));
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::read_to_string(tools.path().join("semgrep-args")).expect("semgrep ran")
    };
    let rules = dir.path().join("rules/team.yml");
    assert!(args(&[]).contains(&format!("--config={}", rules.display())));
    let flagged = args(&["--semgrep-config", "p/ci"]);
    assert!(
        flagged.contains("--config=p/ci") && !flagged.contains("team.yml"),
        "{flagged}"
    );
}

#[test]
fn severity_override_keeps_the_original_severity() {
    let dir = repo("severity_overrides:\n  B602: critical\n");
    let found = findings(&ingest(dir.path(), &[]));
    assert_eq!(
        found[0]["rule_id"], "B602",
        "the override reorders: {found:?}"
    );
    assert_eq!(found[0]["severity"], "critical");
    assert_eq!(found[0]["metadata"]["original_severity"], "medium");
    assert!(found[1]["metadata"].get("original_severity").is_none());

    let empty = tempfile::tempdir().expect("temp dir");
    let summary = run(securescan(empty.path(), dir.path())
        .args(["ingest", "--scanner", "bandit", "--target"])
        .arg(dir.path())
        .arg(dir.path().join("bandit.json")));
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(text.contains("1 critical"), "{text}");
}

#[test]
fn ignored_rules_are_suppressed_and_not_counted() {
    let dir = repo("ignored_rules: [B105]\n");
    let found = findings(&ingest(dir.path(), &[]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["rule_id"], "B602");

    let kept = findings(&ingest(dir.path(), &["--no-suppress"]));
    assert_eq!(kept.len(), 2, "--no-suppress keeps every finding");
}

#[test]
fn fail_on_severity_from_the_config_gates_the_exit_code_and_the_flag_wins() {
    let dir = repo("fail_on_severity: high\n");
    let output = ingest(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("failing: 1 finding(s) at or above high"));
    assert_eq!(findings(&output).len(), 2, "the output is written in full");

    assert_eq!(
        ingest(dir.path(), &["--fail-on-severity", "critical"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        ingest(dir.path(), &["--fail-on-severity", "none"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        ingest(dir.path(), &["--fail-on-severity", "MEDIUM"])
            .status
            .code(),
        Some(4)
    );
    let bad = ingest(dir.path(), &["--fail-on-severity", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("valid: critical, high, medium, low, info, none"));
}

#[test]
fn suppressed_findings_never_fail_the_build() {
    let dir = repo("ignored_rules: [B105]\nfail_on_severity: high\n");
    assert_eq!(ingest(dir.path(), &[]).status.code(), Some(0));
    assert_eq!(
        ingest(dir.path(), &["--fail-on-severity", "high"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        ingest(dir.path(), &["--no-suppress"]).status.code(),
        Some(4)
    );
}

/// The bytes of `stderr` a terminal would act on: ESC, BEL and every other C0 control but the
/// newline, DEL, and the C1 controls (U+0080–U+009F, which some terminals take as ESC-sequences).
fn terminal_controls(stderr: &str) -> Vec<char> {
    stderr
        .chars()
        .filter(|&c| c != '\n' && c.is_control())
        .collect()
}

/// A `.securescan.yml` whose unknown key, rule ids and rule-pack path hold escape sequences:
/// clear the screen, set the window title, colour, a C1 CSI, a tab and a line break that would
/// forge a line of the report.
const ESCAPING_CONFIG: &str = r#""\e]0;owned\a\e[2J": 1
severity_overrides:
  "\e[31mB602\e[0m\tx": high
ignored_rules: ["\e[31mB602\e[0m\tx", "B1\nerror: line 1, forged"]
semgrep_rules: ["\e[2Jrules\x9b31m.yml"]
"#;

#[test]
fn a_hostile_config_cannot_send_escape_sequences_to_the_terminal() {
    let dir = repo(ESCAPING_CONFIG);
    let validated = validate(dir.path());
    assert_eq!(validated.status.code(), Some(1), "{}", stderr(&validated));
    let refused = ingest(dir.path(), &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    for output in [&validated, &refused] {
        let text = stderr(output);
        assert_eq!(terminal_controls(&text), Vec::<char>::new(), "{text:?}");
        // Each quoted value is still there, its controls shown as U+FFFD, on its own line.
        for quoted in [
            "semgrep_rules path does not exist: ",
            "\u{FFFD}[2Jrules\u{FFFD}31m.yml",
            "severity_overrides.\u{FFFD}[31mB602\u{FFFD}[0m\u{FFFD}x",
            "'B1\u{FFFD}error: line 1, forged'",
        ] {
            assert!(text.contains(quoted), "{quoted:?} missing from {text:?}");
        }
        assert!(!text.contains("\nerror: line 1, forged"), "{text:?}");
    }
}

#[test]
fn log_lines_through_a_pipe_carry_no_colour() {
    let dir = repo("ignored_rules: [B105]\n");
    let empty = tempfile::tempdir().expect("temp dir");
    let output = run(securescan(empty.path(), dir.path())
        .env("SECURESCAN_LOG", "info")
        .args(["ingest", "--scanner", "bandit", "-o", "json", "--target"])
        .arg(dir.path())
        .arg(dir.path().join("bandit.json")));
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("INFO"), "{text}");
    assert!(text.contains("suppressed 1 finding(s)"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}
