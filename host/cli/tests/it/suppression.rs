//! Inline `securescan: ignore` comments, their precedence over `ignored_rules`, and what
//! `--show-suppressed` and `--no-suppress` do, as the Suppression docs promise. Each test ingests
//! a bandit report about files written in a temp tree.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::{isolated, tree};

/// A bandit report: `(file, test id, severity, line)` per result.
fn bandit(results: &[(&str, &str, &str, u32)]) -> String {
    let results: Vec<Value> = results
        .iter()
        .map(|(file, rule, severity, line)| {
            serde_json::json!({
                "filename": file, "test_id": rule, "test_name": rule,
                "issue_text": format!("{rule} here"), "issue_severity": severity,
                "issue_confidence": "HIGH", "line_number": line, "line_range": [line],
            })
        })
        .collect();
    serde_json::json!({"errors": [], "metrics": {}, "results": results}).to_string()
}

/// `securescan ingest` of `dir/bandit.json` for target `dir`, in `format`, plus extra arguments;
/// tools cannot run (empty PATH) and no user config is read.
fn ingest(dir: &Path, format: &str, extra: &[&str]) -> Output {
    let empty = tempfile::tempdir().expect("temp dir");
    isolated(empty.path())
        .current_dir(dir)
        .args(["ingest", "--scanner", "bandit", "-o", format, "--target"])
        .arg(dir)
        .arg(dir.join("bandit.json"))
        .args(extra)
        .output()
        .expect("securescan runs")
}

fn findings(output: &Output) -> Vec<Value> {
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("json ({err}): {}", String::from_utf8_lossy(&output.stderr)));
    json.as_array().expect("an array of findings").clone()
}

fn rules(found: &[Value]) -> Vec<&str> {
    found
        .iter()
        .map(|f| f["rule_id"].as_str().expect("rule id"))
        .collect()
}

/// The one finding of `rule` at `line`.
fn at<'a>(found: &'a [Value], rule: &str, line: u64) -> &'a Value {
    found
        .iter()
        .find(|f| f["rule_id"] == rule && f["line_start"] == line)
        .unwrap_or_else(|| panic!("no {rule} at line {line} in {found:?}"))
}

/// A repository with `config`, `settings.py` holding `settings`, and a report of B105 (high) on
/// each of its lines.
fn settings_repo(config: &str, settings: &str) -> tempfile::TempDir {
    let results: Vec<(&str, &str, &str, u32)> = (1..=settings.lines().count() as u32)
        .map(|line| ("settings.py", "B105", "HIGH", line))
        .collect();
    tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".securescan.yml", config),
        ("settings.py", settings),
        ("bandit.json", &bandit(&results)),
    ])
}

#[test]
fn inline_ignore_beats_config() {
    let dir = settings_repo(
        "ignored_rules: [B105]\n",
        "password = 'a'  # securescan: ignore B105\npassword = 'b'\n",
    );
    assert!(findings(&ingest(dir.path(), "json", &[])).is_empty());
    let shown = findings(&ingest(dir.path(), "json", &["--show-suppressed"]));
    assert_eq!(at(&shown, "B105", 1)["metadata"]["suppressed_by"], "inline");
    assert_eq!(at(&shown, "B105", 2)["metadata"]["suppressed_by"], "config");
}

#[test]
fn ignore_next_line_targets_the_next_line() {
    let dir = settings_repo(
        "{}\n",
        "# securescan: ignore-next-line B105\npassword = 'a'\npassword = 'b'\n",
    );
    let found = findings(&ingest(dir.path(), "json", &[]));
    let lines: Vec<&Value> = found.iter().map(|f| &f["line_start"]).collect();
    assert_eq!(lines, [1, 3], "only line 2 is silenced: {found:?}");
}

#[test]
fn a_trailing_reason_is_allowed_and_kept() {
    let dir = settings_repo(
        "{}\n",
        "password = 'a'  # securescan: ignore B105 because it is a test fixture\n",
    );
    let shown = findings(&ingest(dir.path(), "json", &["--show-suppressed"]));
    let metadata = &at(&shown, "B105", 1)["metadata"];
    assert_eq!(metadata["suppressed_by"], "inline");
    assert_eq!(
        metadata["suppression_reason"],
        "because it is a test fixture"
    );
}

#[test]
fn block_comments_and_sql_comments_work() {
    let report = bandit(&[
        ("app.js", "B307", "MEDIUM", 1),
        ("app.js", "B307", "MEDIUM", 2),
        ("db/init.sql", "B608", "MEDIUM", 2),
        ("db/init.sql", "B608", "MEDIUM", 3),
        ("app.py", "B307", "MEDIUM", 1),
    ]);
    let dir = tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "app.js",
            "eval(code); /* securescan: ignore B307 */\neval(other);\n",
        ),
        (
            "db/init.sql",
            "-- securescan: ignore-next-line * (wildcard — silences EVERY rule on this line)\n\
             SELECT * FROM users WHERE id = '${user_id}';\n\
             SELECT 1; -- securescan: ignore * (wildcard — silences EVERY rule on this line)\n",
        ),
        // A Python file's marks follow `#`; a `//` comment is not one.
        ("app.py", "eval(code)  // securescan: ignore B307\n"),
        ("bandit.json", &report),
    ]);
    let found = findings(&ingest(dir.path(), "json", &[]));
    let kept: Vec<(&Value, &Value)> = found
        .iter()
        .map(|f| (&f["file_path"], &f["line_start"]))
        .collect();
    // The report names files inside the (absolute) target: they are shown under it, as a scan
    // of that target names them.
    let root = dir.path().to_string_lossy();
    assert_eq!(
        kept,
        [
            (&Value::from(format!("{root}/app.js")), &Value::from(2)),
            (&Value::from(format!("{root}/app.py")), &Value::from(1))
        ]
    );
    let shown = findings(&ingest(dir.path(), "json", &["--show-suppressed"]));
    let sql = shown
        .iter()
        .find(|f| f["file_path"] == format!("{root}/db/init.sql").as_str() && f["line_start"] == 3)
        .expect("the second SQL finding");
    assert_eq!(
        sql["metadata"]["suppression_reason"],
        "(wildcard — silences EVERY rule on this line)"
    );
}

#[test]
fn a_wildcard_suppresses_every_rule_on_the_line() {
    let dir = tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "run.py",
            "subprocess.call(eval(cmd), shell=True)  # securescan: ignore *\nos.system(cmd)\n",
        ),
        (
            "bandit.json",
            &bandit(&[
                ("run.py", "B602", "HIGH", 1),
                ("run.py", "B307", "MEDIUM", 1),
                ("run.py", "B605", "HIGH", 2),
            ]),
        ),
    ]);
    let found = findings(&ingest(dir.path(), "json", &[]));
    assert_eq!(rules(&found), ["B605"]);
}

#[test]
fn suppressed_critical_does_not_fail_the_build() {
    let dir = settings_repo(
        "severity_overrides: {B105: critical}\nfail_on_severity: critical\n",
        "password = 'a'  # securescan: ignore B105\n",
    );
    assert_eq!(ingest(dir.path(), "json", &[]).status.code(), Some(0));
    let shown = ingest(dir.path(), "json", &["--show-suppressed"]);
    assert_eq!(shown.status.code(), Some(0));
    assert_eq!(findings(&shown)[0]["severity"], "critical");
    let text = ingest(dir.path(), "text", &["--show-suppressed"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Total: 0 findings (0 critical"), "{text}");
    assert!(text.contains("Risk score: 0.0"), "{text}");
    assert_eq!(
        ingest(dir.path(), "json", &["--no-suppress"]).status.code(),
        Some(4)
    );
}

#[test]
fn show_suppressed_keeps_them_marked() {
    let dir = settings_repo(
        "ignored_rules: [B105]\n",
        "password = 'a'  # securescan: ignore B105 -- fixture\npassword = 'b'\npassword = 'c'  # securescan: ignore B999\n",
    );
    let text = ingest(dir.path(), "text", &["--show-suppressed"]);
    let text = String::from_utf8_lossy(&text.stdout);
    let marked: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("settings.py:"))
        .collect();
    assert_eq!(marked.len(), 3, "{text}");
    assert!(
        marked[0]
            .trim_start()
            .starts_with("[SUPPRESSED:inline] bandit"),
        "{text}"
    );
    assert!(
        marked[1]
            .trim_start()
            .starts_with("[SUPPRESSED:config] bandit"),
        "{text}"
    );
    assert!(text.contains("reason: fixture"), "{text}");
    assert!(
        text.contains("Suppressed: 3 (inline=1, config=2, baseline=0)"),
        "{text}"
    );
    assert!(text.contains("Total: 0 findings"), "{text}");

    let sarif = ingest(dir.path(), "sarif", &["--show-suppressed"]);
    let sarif: Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let kinds: Vec<&Value> = results
        .iter()
        .map(|r| &r["suppressions"][0]["kind"])
        .collect();
    assert_eq!(kinds, ["inSource", "external", "external"]);
    assert_eq!(results[0]["suppressions"][0]["justification"], "fixture");

    let hidden = ingest(dir.path(), "sarif", &[]);
    let hidden: Value = serde_json::from_slice(&hidden.stdout).expect("sarif");
    assert_eq!(hidden["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn no_suppress_ignores_inline_marks_too() {
    let dir = settings_repo(
        "ignored_rules: [B105]\n",
        "password = 'a'  # securescan: ignore B105\npassword = 'b'\n",
    );
    let found = findings(&ingest(
        dir.path(),
        "json",
        &["--no-suppress", "--show-suppressed"],
    ));
    assert_eq!(found.len(), 2);
    assert!(
        found
            .iter()
            .all(|f| f["metadata"].get("suppressed_by").is_none()),
        "{found:?}"
    );
}
