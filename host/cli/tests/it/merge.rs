//! Identity and cross-scanner merging on what the real tools print: bandit 1.9.4 and semgrep
//! 1.182 (scripts/setup.sh installs both) scan Python whose statements span several lines.
//! Semgrep's registry is unreachable here, so it runs `tests/semgrep-registry-mirror/`: rules
//! with the registry rules' ids, CWEs, severities and messages, matching the same code.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

use crate::real_tools::require;
use crate::support::{securescan, tree, workspace};

/// Line numbers below are this file's.
const APP: &str = r#"import hashlib
import os
import pickle
import subprocess

import requests
import yaml


def connect(db, password="hunter2"):
    settings = {
        "user": "admin",
        "password": "hunter2",
        "timeout": 30,
    }
    conn = db.connect(
        host="localhost",
        password="s3cret",
        port=5432,
    )
    return settings, conn


def run(expr, data, cmd, blob):
    value = eval(
        expr,
        {"__builtins__": {}},
    )
    config = yaml.load(
        data,
        Loader=yaml.Loader,
    )
    obj = pickle.loads(
        blob,
    )
    subprocess.call(
        cmd,
        shell=True,
    )
    os.system(
        cmd,
    )
    digest = hashlib.md5(
        data,
    ).hexdigest()
    resp = requests.get(
        "https://example.com",
        verify=False,
        timeout=5,
    )
    first = eval(expr)
    second = eval(data)
    both = eval(expr) or pickle.loads(blob)
    exec(
        expr,
    )
    weak = hashlib.md5(data).hexdigest() + hashlib.sha1(data).hexdigest()
    return value, config, obj, digest, resp, first, second, both, weak
"#;

fn mirror_rules() -> String {
    workspace()
        .join("host/cli/tests/semgrep-registry-mirror/python-security.yml")
        .to_string_lossy()
        .into_owned()
}

/// `scan --type code` of `dir` with the real tools, as JSON findings, once both semgrep and
/// bandit have reported. Several scans at once here sometimes get no results from semgrep at
/// all, and the scan does not say so (issue 13, item 6): one scan of this module runs at a time,
/// and a scan without semgrep's results is run again, at most three times.
fn scan(dir: &Path) -> Vec<Value> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut silent = String::new();
    for _ in 0..3 {
        let output = securescan()
            .args(["scan", "--type", "code", "--no-save", "--output", "json"])
            .args(["--semgrep-config", &mirror_rules()])
            .arg(dir)
            .output()
            .expect("securescan runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        let findings: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json array");
        let reported = |scanner: &str| {
            findings.iter().any(|f| {
                f["scanner"] == scanner
                    || f["metadata"]["also_reported_by"]
                        .as_array()
                        .is_some_and(|also| also.iter().any(|m| m["scanner"] == scanner))
            })
        };
        if reported("semgrep") && reported("bandit") {
            return findings;
        }
        silent = stderr;
    }
    panic!("semgrep or bandit reported nothing in three scans: {silent}");
}

/// A rule's own id, without the directory semgrep puts in front of a local rule's id.
fn own(rule: &Value) -> &str {
    let rule = rule.as_str().unwrap_or("");
    rule.rsplit('.').next().unwrap_or(rule)
}

/// The semgrep and bandit findings kept as findings of their own: (scanner, own rule id, line)
/// -> their fingerprints.
fn kept(findings: &[Value]) -> BTreeMap<(String, String, u64), Vec<String>> {
    let mut out: BTreeMap<(String, String, u64), Vec<String>> = BTreeMap::new();
    for f in findings {
        if f["scanner"] == "semgrep" || f["scanner"] == "bandit" {
            out.entry((
                f["scanner"].as_str().expect("scanner").to_string(),
                own(&f["rule_id"]).to_string(),
                f["line_start"].as_u64().expect("line"),
            ))
            .or_default()
            .push(f["fingerprint"].as_str().expect("fingerprint").to_string());
        }
    }
    out
}

/// The fingerprint of `scanner`'s one `rule` report, a finding of its own or merged into one.
fn fingerprint(findings: &[Value], scanner: &str, rule: &str) -> String {
    let is = |f: &Value| f["scanner"] == scanner && own(&f["rule_id"]) == rule;
    let matching: Vec<&Value> = findings
        .iter()
        .flat_map(|f| {
            let merged = f["metadata"]["also_reported_by"].as_array();
            std::iter::once(f).chain(merged.into_iter().flatten())
        })
        .filter(|f| is(f))
        .collect();
    assert_eq!(matching.len(), 1, "{scanner} {rule}: {findings:#?}");
    matching[0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

#[test]
fn real_bandit_fingerprints_survive_edits_to_other_lines_of_the_statement() {
    require("bandit");
    require("semgrep");
    let dir = tree(&[("app.py", APP)]);
    let before = scan(dir.path());
    // Bandit reports the flagged line of the dict and of the call, the whole function for B107.
    let b105 = before
        .iter()
        .find(|f| f["rule_id"] == "B105")
        .expect("B105");
    assert_eq!(
        (&b105["line_start"], &b105["line_end"]),
        (&13.into(), &13.into())
    );
    let rules = ["B105", "B106", "B107", "B501", "B602"];
    let print = |findings: &[Value]| -> Vec<String> {
        rules
            .iter()
            .map(|rule| fingerprint(findings, "bandit", rule))
            .collect()
    };
    let original = print(&before);

    // Other values of the dict, the call and the function; the flagged lines untouched.
    let edited = APP
        .replace("\"admin\"", "\"root\"")
        .replace("\"timeout\": 30", "\"timeout\": 60")
        .replace("port=5432", "port=6543")
        .replace("timeout=5", "timeout=10")
        .replace(
            "        cmd,\n        shell=True",
            "        cmd + \" -v\",\n        shell=True",
        );
    std::fs::write(dir.path().join("app.py"), &edited).expect("edit");
    assert_eq!(print(&scan(dir.path())), original);

    // The flagged code itself.
    let edited = edited
        .replace("\"password\": \"hunter2\"", "\"password\": \"letmein\"")
        .replace("password=\"s3cret\"", "password=\"changeme\"");
    std::fs::write(dir.path().join("app.py"), &edited).expect("edit");
    let after = print(&scan(dir.path()));
    assert_ne!(after[0], original[0], "B105's password changed");
    assert_ne!(after[1], original[1], "B106's password changed");
    assert_eq!(after[2..], original[2..]);
}

#[test]
fn real_semgrep_and_bandit_reports_of_one_statement_merge_and_distinct_issues_stay() {
    require("bandit");
    require("semgrep");
    let dir = tree(&[("app.py", APP)]);
    let findings = scan(dir.path());
    let own_findings = kept(&findings);
    // What each tool reported on its own (the fixture's line numbers).
    let bandit: Vec<(&str, u64)> = vec![
        ("B403", 3),
        ("B404", 4),
        ("B107", 10),
        ("B105", 13),
        ("B106", 18),
        ("B307", 25),
        ("B506", 29),
        ("B301", 33),
        ("B602", 38),
        ("B605", 40),
        ("B324", 43),
        ("B501", 48),
        ("B307", 51),
        ("B307", 52),
        ("B307", 53),
        ("B301", 53),
        ("B102", 54),
        ("B324", 57),
    ];
    // (bandit rule, line) -> (semgrep rule, line) it merged with.
    let merged: BTreeMap<(&str, u64), (&str, u64)> = [
        (("B107", 10), ("hardcoded-password-default-argument", 10)),
        (("B307", 25), ("eval-detected", 25)),
        (("B506", 29), ("avoid-pyyaml-load", 29)),
        (("B301", 33), ("avoid-pickle", 33)),
        (("B602", 38), ("subprocess-shell-true", 38)),
        (("B605", 40), ("dangerous-system-call-audit", 40)),
        (("B324", 43), ("insecure-hash-algorithm-md5", 43)),
        (("B501", 48), ("disabled-cert-validation", 46)),
        (("B307", 51), ("eval-detected", 51)),
        (("B307", 52), ("eval-detected", 52)),
        (("B307", 53), ("eval-detected", 53)),
        (("B301", 53), ("avoid-pickle", 53)),
        (("B102", 54), ("exec-detected", 54)),
    ]
    .into_iter()
    .collect();

    // Each merged pair is one finding: the more severe report, the other in also_reported_by.
    for (&(b_rule, b_line), &(s_rule, s_line)) in &merged {
        let holders: Vec<&Value> = findings
            .iter()
            .filter(|f| {
                let is = |scanner: &str, rule: &str, line: u64, f: &Value| {
                    f["scanner"] == scanner && own(&f["rule_id"]) == rule && f["line_start"] == line
                };
                let also = f["metadata"]["also_reported_by"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let lists = |scanner: &str, rule: &str| {
                    also.iter()
                        .any(|m| m["scanner"] == scanner && own(&m["rule_id"]) == rule)
                };
                (is("bandit", b_rule, b_line, f) && lists("semgrep", s_rule))
                    || (is("semgrep", s_rule, s_line, f) && lists("bandit", b_rule))
            })
            .collect();
        assert_eq!(
            holders.len(),
            1,
            "bandit {b_rule}@{b_line} + semgrep {s_rule}@{s_line}: {findings:#?}"
        );
    }

    // Nothing else merged: the lone reports stay findings of their own.
    let lone_bandit: Vec<(&str, u64)> = bandit
        .iter()
        .copied()
        .filter(|key| !merged.contains_key(key))
        .collect();
    assert_eq!(
        lone_bandit,
        [
            ("B403", 3),
            ("B404", 4),
            ("B105", 13),
            ("B106", 18),
            ("B324", 57)
        ]
    );
    for (rule, line) in &lone_bandit {
        let key = ("bandit".to_string(), rule.to_string(), *line);
        let count = if *rule == "B324" { 2 } else { 1 };
        assert_eq!(
            own_findings.get(&key).map(Vec::len),
            Some(count),
            "{key:?} stays a finding of its own"
        );
    }
    // md5 and sha1 on one line, which bandit both calls B324: no pairing is sure, none is made.
    for rule in [
        "insecure-hash-algorithm-md5",
        "insecure-hash-algorithm-sha1",
    ] {
        let key = ("semgrep".to_string(), rule.to_string(), 57);
        assert_eq!(own_findings.get(&key).map(Vec::len), Some(1), "{key:?}");
    }
    let merged_away = findings
        .iter()
        .filter(|f| f["scanner"] == "semgrep" || f["scanner"] == "bandit")
        .map(|f| {
            f["metadata"]["also_reported_by"]
                .as_array()
                .map_or(0, |also| {
                    also.iter()
                        .filter(|m| m["scanner"] == "semgrep" || m["scanner"] == "bandit")
                        .count()
                })
        })
        .sum::<usize>();
    let kept_count: usize = own_findings.values().map(Vec::len).sum();
    // 18 bandit lines (two B324 on line 57: 19 reports) and 15 semgrep reports; 13 pairs.
    assert_eq!((kept_count, merged_away), (21, 13), "{findings:#?}");
}
