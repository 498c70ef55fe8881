use securescan_adapter_sdk::testing::{
    fixture_bytes, fixtures, mutations, parse_mutated_fixtures, parse_report,
};
use securescan_adapter_sdk::{
    Adapter, CommandOutput, Finding, Input, Output, ParseError, Severity,
};
use serde_json::Value;

use crate::GitHygiene;
use crate::git_status::{IGNORED, TRACKED};
use crate::gitignore::{IgnoreFile, IgnoreRules};
use crate::hygiene::{TARGET_IS_DIRECTORY, gathered_names};

// ---------------------------------------------------------------- gitleaks reports

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(GitHygiene);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<GitHygiene>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

fn corpus(path: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/corpus/raw/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

// Counts from ../shared/corpus/INDEX.tsv (number of entries).
#[test]
fn every_leak_of_every_gitleaks_version_is_kept() {
    let expected = [
        ("gitleaks-8/gitleaks-repo-empty.json", 0),
        ("gitleaks-8/gitleaks-repo-json-simple.json", 1),
        ("gitleaks-8/gitleaks-repo-baseline-redacted.json", 2),
        ("gitleaks-8/juice-shop-v8-many.json", 135),
        ("gitleaks-8/scb-v8-tags.json", 3),
        ("gitleaks-7/gitleaks-repo-v8-with-config.json", 5),
        ("gitleaks-7/dd-v7-unicode-emoji.json", 1),
        ("gitleaks-7.5.0/dd-v7.5.0-format.json", 8),
        ("gitleaks-4.1.1/ssf-v4.1.1-format.json", 69),
        ("gitleaks-other/dd-null-no-findings.json", 0),
    ];
    for (name, count) in expected {
        assert_eq!(
            parse(&fixture(name)).unwrap().findings.len(),
            count,
            "{name}"
        );
    }
    assert_eq!(fixtures(env!("CARGO_MANIFEST_DIR")).len(), expected.len());
}

/// Every string of the finding, metadata included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn no_secret_or_matched_text_reaches_any_finding() {
    for fixture in fixtures(env!("CARGO_MANIFEST_DIR")) {
        let report: Value = serde_json::from_slice(&fixture.bytes).unwrap();
        let secrets: Vec<String> = report
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|leak| ["Secret", "Match", "offender", "line"].map(|k| leak.get(k).cloned()))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .filter(|s| s.len() >= 6 && !s.chars().all(|c| c == '*'))
            .collect();
        let output = parse(&fixture.bytes).unwrap();
        let mut shown = Vec::new();
        strings(&serde_json::to_value(&output).unwrap(), &mut shown);
        for secret in &secrets {
            assert!(
                shown.iter().all(|s| !s.contains(secret.as_str())),
                "{}: {secret:?} leaked into a finding",
                fixture.name
            );
        }
    }
}

#[test]
fn a_literal_null_report_means_no_leaks() {
    let output = parse(b"null\n").unwrap();
    assert!(output.findings.is_empty() && output.warnings.is_empty());
}

#[test]
fn gitleaks_8_leaks_keep_rule_lines_commit_author_and_fingerprint() {
    let mut input = Input::from_report(fixture("gitleaks-8/gitleaks-repo-baseline-redacted.json"));
    input.target = "repo/".into();
    let output = GitHygiene::parse(&input).unwrap();
    let leak = &output.findings[1];
    assert_eq!(leak.rule_id.as_deref(), Some("gitleaks/pypi-upload-token"));
    assert_eq!(leak.severity, Severity::High);
    assert_eq!(leak.cwe.as_deref(), Some("CWE-798"));
    assert_eq!(leak.file.as_deref(), Some("repo/detect/detect_test.go"));
    assert_eq!((leak.line_start, leak.line_end), (Some(33), Some(33)));
    let meta = leak.metadata.clone().into_map();
    assert_eq!(meta["commit"], "9326f35380636bcbe61e94b0584d1618c4b5c2c2");
    assert_eq!(meta["author"], "****");
    assert_eq!(
        meta["fingerprint"],
        "9326f35380636bcbe61e94b0584d1618c4b5c2c2:detect/detect_test.go:pypi-upload-token:33"
    );
    assert_eq!(meta["start_column"], 21);
    // Already redacted by gitleaks: no length to give.
    assert!(!meta.contains_key("secret_length"));
}

#[test]
fn a_secret_is_described_by_its_length_only() {
    let output = parse(&fixture("gitleaks-8/gitleaks-repo-json-simple.json")).unwrap();
    let leak = &output.findings[0];
    assert_eq!(leak.metadata.clone().into_map()["secret_length"], 8);
    assert_eq!(
        leak.description,
        "Leak found by gitleaks rule 'test-rule'. Found in auth.py at line 1 in commit \
         000000000000. The value is not shown here."
    );
    assert_eq!((leak.line_start, leak.line_end), (Some(1), Some(2)));
}

#[test]
fn gitleaks_8_tags_are_kept_as_a_list() {
    let output = parse(&fixture("gitleaks-8/scb-v8-tags.json")).unwrap();
    let tags: Vec<Option<Value>> = output
        .findings
        .iter()
        .map(|f| f.metadata.clone().into_map().get("tags").cloned())
        .collect();
    assert_eq!(
        tags,
        vec![
            Some(serde_json::json!(["HIGH"])),
            None,
            Some(serde_json::json!(["LOW"]))
        ]
    );
    assert!(output.findings.iter().all(|f| f.severity == Severity::High));
}

#[test]
fn gitleaks_7_rule_names_become_rule_ids_and_tags_are_split() {
    let output = parse(&fixture("gitleaks-7.5.0/dd-v7.5.0-format.json")).unwrap();
    let first = &output.findings[0];
    assert_eq!(first.rule_id.as_deref(), Some("gitleaks/aws-access-key"));
    assert_eq!(first.title, "Secret detected by gitleaks: AWS Access Key");
    assert_eq!((first.line_start, first.line_end), (Some(13), Some(13)));
    let meta = first.metadata.clone().into_map();
    assert_eq!(meta["tags"], serde_json::json!(["key", "AWS"]));
    assert_eq!(meta["gitleaks_rule"], "AWS Access Key");
    assert_eq!(meta["secret_length"], 20);
    assert!(output.warnings.is_empty());
}

#[test]
fn unicode_lines_of_gitleaks_7_survive() {
    let mut input = Input::from_report(fixture("gitleaks-7/dd-v7-unicode-emoji.json"));
    input.target = "docs".into();
    let output = GitHygiene::parse(&input).unwrap();
    let leak = &output.findings[0];
    assert_eq!(leak.rule_id.as_deref(), Some("gitleaks/twitter-client-id"));
    assert_eq!(leak.file.as_deref(), Some("docs/README.md"));
    assert_eq!(leak.line_start, Some(23));
    let meta = leak.metadata.clone().into_map();
    // An empty commit and gitleaks' zero date say nothing.
    assert!(!meta.contains_key("commit") && !meta.contains_key("date"));
    assert_eq!(meta["secret_length"], 45);
}

#[test]
fn gitleaks_4_leaks_point_at_files_and_say_why() {
    let output = parse(&fixture("gitleaks-4.1.1/ssf-v4.1.1-format.json")).unwrap();
    assert!(output.findings.iter().all(|f| f.line_start.is_none()));
    assert_eq!(output.findings[0].file.as_deref(), Some("cloud/.tugboat"));
    assert_eq!(output.warnings.len(), 1, "{:?}", output.warnings);
    assert!(output.warnings[0].contains("no line number"));
}

#[test]
fn leak_paths_land_under_the_target_unless_absolute_or_already_there() {
    let report = br#"[{"RuleID":"r","File":"a/b.py","StartLine":3},
                      {"RuleID":"r","File":"/abs/c.py"},
                      {"RuleID":"r","File":"proj/d.py"},
                      {"RuleID":"r","File":"win\\e.py"},
                      {"RuleID":"r","File":""}]"#;
    let mut input = Input::from_report(report.to_vec());
    input.target = "proj".into();
    let files: Vec<Option<String>> = GitHygiene::parse(&input)
        .unwrap()
        .findings
        .into_iter()
        .map(|f| f.file)
        .collect();
    assert_eq!(
        files,
        vec![
            Some("proj/a/b.py".into()),
            Some("/abs/c.py".into()),
            Some("proj/d.py".into()),
            Some("proj/win/e.py".into()),
            None
        ]
    );
}

#[test]
fn odd_leak_values_are_tolerated() {
    let report = br#"[{"RuleID":"r","StartLine":0,"EndLine":-4,"Tags":null,"Secret":null},
                      {"RuleID":"r","StartLine":9,"EndLine":2}]"#;
    let output = parse(report).unwrap();
    assert_eq!(output.findings[0].line_start, None);
    assert_eq!(
        (output.findings[1].line_start, output.findings[1].line_end),
        (Some(9), Some(9))
    );
}

#[test]
fn other_tools_reports_are_wrong_tool() {
    for path in [
        "sarif/gitleaks-repo-simple.sarif",
        "semgrep/generated-one-finding.json",
        "pip_licenses/empty-venv.json",
        "pip_licenses/semgrep-venv-default.json",
        "bandit/generated-clean-no-findings.json",
        "npm_audit/dd-npm7-one-vuln.json",
    ] {
        let bytes = corpus(path);
        match parse(&bytes) {
            Err(ParseError::WrongTool(message)) => {
                assert!(
                    message.contains("gitleaks") || message.contains("sarif"),
                    "{path}: {message}"
                )
            }
            // An empty list is a valid gitleaks report too.
            Ok(output) if bytes.starts_with(b"[]") => assert!(output.findings.is_empty()),
            other => panic!("{path}: {other:?}"),
        }
    }
    assert!(matches!(
        parse(&corpus("nmap/localhost-one-port.xml")),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(parse(b"[[1, 2]]"), Err(ParseError::WrongTool(_))));
}

#[test]
fn bad_bytes_are_typed_errors() {
    assert!(matches!(parse(b""), Err(ParseError::Empty(_))));
    assert!(matches!(parse(b" \n"), Err(ParseError::Empty(_))));
    // A byte that is not UTF-8 costs only itself: the leak is still reported.
    assert_eq!(
        parse(b"[{\"RuleID\": \"\xff\"}]").unwrap().findings[0].rule_id,
        Some("gitleaks/\u{fffd}".into())
    );
    let bytes = fixture("gitleaks-8/juice-shop-v8-many.json");
    let err = parse(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(err.message().starts_with("truncated JSON"), "{err}");
    let err = parse(br#"[{"RuleID": "r", "StartLine": "one"}]"#).unwrap_err();
    assert!(err.message().starts_with("leak 1 of 1"), "{err}");
    assert!(matches!(
        parse(br#"{"RuleID": "r", "File": "a"}"#),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(parse(b"{}"), Err(ParseError::WrongTool(_))));
    assert!(matches!(parse(b"nul"), Err(ParseError::Malformed(_))));
}

#[test]
fn a_mixed_list_keeps_the_leaks_and_warns_about_the_rest() {
    let output = parse(br#"[{"RuleID":"r","File":"a","StartLine":1},{"Name":"x"},7]"#).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(
        output.warnings,
        vec!["skipped 2 of 3 report entries that are not gitleaks leaks".to_string()]
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<GitHygiene>(env!("CARGO_MANIFEST_DIR"), 200);
}

// ---------------------------------------------------------------- .gitignore matching

fn rules(gitignores: &[(&str, &str)]) -> IgnoreRules {
    IgnoreRules::new(
        gitignores
            .iter()
            .map(|(base, text)| IgnoreFile::parse(base, text))
            .collect(),
    )
}

fn ignored(gitignore: &str, path: &str) -> bool {
    rules(&[("", gitignore)]).excludes_file(path)
}

// Regression: the original counted `venv/` as an entry for `.env` (substring of the text).
#[test]
fn an_entry_must_match_not_merely_occur_in_the_text() {
    assert!(!ignored("venv/\n", ".env"));
    assert!(!ignored("monkey\n", "server.key"));
    assert!(!ignored("# .env\n", ".env"));
    assert!(ignored("venv/\n.env\n", "config/.env"));
}

#[test]
fn gitignore_syntax_is_honoured() {
    // Negation: the last matching line wins.
    assert!(!ignored(".env*\n!.env.example\n", ".env.example"));
    assert!(ignored(".env*\n!.env.example\n", ".env.local"));
    // Trailing slash: directories only.
    assert!(ignored("secrets/\n", "secrets/id_rsa"));
    assert!(!ignored("id_rsa/\n", "id_rsa"));
    // Leading and inner slashes anchor to the .gitignore's directory.
    assert!(ignored("/.env\n", ".env"));
    assert!(!ignored("/.env\n", "app/.env"));
    assert!(ignored("config/*.pem\n", "config/a.pem"));
    assert!(!ignored("config/*.pem\n", "x/config/a.pem"));
    // `*` stays within a segment; `**` crosses them.
    assert!(!ignored("config*pem\n", "config/a.pem"));
    assert!(ignored("**/keys/*.pem\n", "a/b/keys/x.pem"));
    assert!(ignored("**/keys/*.pem\n", "keys/x.pem"));
    assert!(ignored("deploy/**/id_rsa\n", "deploy/id_rsa"));
    assert!(ignored("deploy/**/id_rsa\n", "deploy/a/b/id_rsa"));
    assert!(ignored("private/**\n", "private/a/b.db"));
    assert!(!ignored("private/**\n", "private.db"));
    // `?` and classes.
    assert!(ignored("id_??25519\n", "id_ed25519"));
    assert!(ignored("*.p[0-9][0-9]\n", "cert.p12"));
    assert!(!ignored("*.p[!0-9]2\n", "cert.p12"));
    // Escapes, trailing spaces, CRLF and blank lines.
    assert!(ignored("\\#notes\n", "#notes"));
    assert!(ignored("\\!important\n", "!important"));
    assert!(ignored(".env   \r\n\n\n", ".env"));
    assert!(ignored("a\\ \n", "a "));
    // A file below an excluded directory cannot be re-included.
    assert!(ignored("build/\n!build/.env\n", "build/.env"));
}

#[test]
fn nested_gitignores_rule_their_own_subtree() {
    let rules = rules(&[("", "*.db\n"), ("app", "!local.db\n/.env\n")]);
    assert!(rules.excludes_file("data.db"));
    assert!(!rules.excludes_file("app/local.db"));
    assert!(rules.excludes_file("app/other.db"));
    assert!(rules.excludes_file("app/.env"));
    assert!(!rules.excludes_file(".env"));
    assert!(!rules.excludes_file("app/sub/.env"));
}

#[test]
fn odd_patterns_never_panic() {
    for text in [
        "[",
        "[]",
        "[!]",
        "[a-",
        "\\",
        "!",
        "/",
        "**",
        "***",
        "a/**/",
        "**/",
        "[\\",
        "é[é-ï]*",
    ] {
        let rules = rules(&[("", text)]);
        for path in ["", "a", "a/b", "é/ï", "]", "**"] {
            let _ = rules.excludes_file(path);
        }
    }
}

// ---------------------------------------------------------------- built-in checks

fn file(path: &str, text: &str) -> (String, Vec<u8>) {
    (path.to_string(), text.as_bytes().to_vec())
}

fn nul_list(paths: &[&str]) -> Vec<u8> {
    paths
        .iter()
        .flat_map(|p| format!("{p}\0").into_bytes())
        .collect()
}

/// A files call for target `repo`, in a git work tree when `git` holds (tracked, ignored).
fn scan(files: Vec<(String, Vec<u8>)>, git: Option<(&[&str], &[&str])>) -> Output {
    let mut input = Input::from_files(files);
    input.target = "repo".into();
    if let Some((tracked, ignored)) = git {
        input.commands = vec![
            CommandOutput {
                name: TRACKED.into(),
                exit_code: Some(0),
                stdout: nul_list(tracked),
            },
            CommandOutput {
                name: IGNORED.into(),
                exit_code: Some(0),
                stdout: nul_list(ignored),
            },
        ];
    }
    GitHygiene::parse(&input).unwrap()
}

fn rules_and_severities(output: &Output) -> Vec<(String, Severity)> {
    output
        .findings
        .iter()
        .map(|f| (f.rule_id.clone().unwrap_or_default(), f.severity))
        .collect()
}

fn rule_ids(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter_map(|f| f.rule_id.as_deref())
        .collect()
}

#[test]
fn a_project_without_gitignore_gets_one_medium_finding_on_the_target() {
    let output = scan(vec![], Some((&[], &[])));
    assert_eq!(rule_ids(&output.findings), vec!["git-hygiene/no-gitignore"]);
    let finding = &output.findings[0];
    assert_eq!(finding.severity, Severity::Medium);
    assert_eq!(finding.file.as_deref(), Some("repo"));
    assert_eq!(finding.title, "No .gitignore file found");
    // A .gitignore git tracks counts even when another batch of files carries it.
    assert!(
        scan(vec![], Some((&[".gitignore"], &[])))
            .findings
            .is_empty()
    );
}

#[test]
fn a_correctly_ignored_untracked_env_file_does_not_fire() {
    let files = || vec![file("repo/.gitignore", ".env\n"), file("repo/.env", "A=1")];
    assert!(
        scan(files(), Some((&[".gitignore"], &[".env"])))
            .findings
            .is_empty()
    );
    // Without git the .gitignore alone decides.
    let output = scan(files(), None);
    assert!(
        output.findings.is_empty(),
        "{:?}",
        rule_ids(&output.findings)
    );
}

#[test]
fn a_tracked_sensitive_file_fires_at_full_severity_even_if_gitignore_lists_it() {
    let output = scan(
        vec![
            file("repo/.gitignore", ".env\n"),
            file("repo/config/.env", "A=1"),
        ],
        Some((&[".gitignore", "config/.env"], &[])),
    );
    assert_eq!(
        rules_and_severities(&output),
        vec![(
            "git-hygiene/sensitive-file--env".to_string(),
            Severity::Critical
        )]
    );
    let finding = &output.findings[0];
    assert_eq!(finding.title, "Sensitive file in project: .env");
    assert_eq!(finding.file.as_deref(), Some("repo/config/.env"));
    assert!(
        finding
            .description
            .starts_with("Environment file with potential secrets. File found at config/.env.")
    );
    assert!(finding.description.contains("Git tracks it"));
    assert_eq!(finding.metadata.clone().into_map()["git_status"], "tracked");
}

#[test]
fn an_untracked_unignored_sensitive_file_fires_one_step_lower() {
    let output = scan(
        vec![
            file("repo/.gitignore", "venv/\n"),
            file("repo/.env", "A=1"),
            file("repo/.htpasswd", "u:x"),
        ],
        Some((&[".gitignore"], &[])),
    );
    assert_eq!(
        rules_and_severities(&output),
        vec![
            (
                "git-hygiene/missing-ignore-env".to_string(),
                Severity::Critical
            ),
            (
                "git-hygiene/sensitive-file--env".to_string(),
                Severity::High
            ),
            (
                "git-hygiene/sensitive-file--htpasswd".to_string(),
                Severity::Medium
            ),
        ]
    );
    assert_eq!(
        output.findings[1].metadata.clone().into_map()["git_status"],
        "untracked"
    );
}

#[test]
fn missing_ignore_entries_are_real_matches_at_any_depth() {
    let output = scan(
        vec![
            file("repo/.gitignore", "venv/\nmonkey\n*.db\n"),
            file("repo/.env.local", ""),
            file("repo/certs/server.key", ""),
            file("repo/data/app.db", ""),
            file("repo/data/app.sqlite3", ""),
        ],
        None,
    );
    assert_eq!(
        rules_and_severities(&output),
        vec![
            (
                "git-hygiene/missing-ignore-env.local".to_string(),
                Severity::Critical
            ),
            (
                "git-hygiene/missing-ignore-key".to_string(),
                Severity::Critical
            ),
            (
                "git-hygiene/missing-ignore-sqlite3".to_string(),
                Severity::Medium
            ),
            (
                "git-hygiene/sensitive-file--env-local".to_string(),
                Severity::Critical
            ),
        ]
    );
    let key = &output.findings[1];
    assert_eq!(key.title, "'*.key' not in .gitignore but exists in project");
    assert_eq!(key.file.as_deref(), Some("repo/.gitignore"));
    assert_eq!(
        key.remediation.as_deref(),
        Some("Add '*.key' to your .gitignore file.")
    );
    let meta = key.metadata.clone().into_map();
    assert_eq!(meta["files"], serde_json::json!(["repo/certs/server.key"]));
    assert_eq!(meta["files_not_ignored"], 1);
    assert_eq!(
        output.warnings.len(),
        1,
        "the no-git fallback is said once: {:?}",
        output.warnings
    );
}

#[test]
fn git_ignore_rules_outside_the_gitignore_count_as_covered() {
    // e.g. .git/info/exclude or a parent directory's .gitignore.
    let output = scan(
        vec![
            file("repo/.gitignore", "node_modules/\n"),
            file("repo/local.db", ""),
        ],
        Some((&[".gitignore"], &["local.db"])),
    );
    assert!(
        output.findings.is_empty(),
        "{:?}",
        rule_ids(&output.findings)
    );
}

#[test]
fn without_git_the_fallback_is_said_once() {
    for commands in [
        vec![],
        vec![
            CommandOutput {
                name: TRACKED.into(),
                exit_code: Some(128),
                stdout: b"".to_vec(),
            },
            CommandOutput {
                name: IGNORED.into(),
                exit_code: Some(128),
                stdout: b"".to_vec(),
            },
        ],
        vec![CommandOutput {
            name: TRACKED.into(),
            exit_code: Some(0),
            stdout: nul_list(&[".env"]),
        }],
    ] {
        let mut input = Input::from_files([file("repo/.env", "A=1")]);
        input.target = "repo".into();
        input.commands = commands;
        let output = GitHygiene::parse(&input).unwrap();
        assert_eq!(output.warnings.len(), 1);
        assert!(output.warnings[0].starts_with("repo is not in a git work tree"));
        assert_eq!(
            rules_and_severities(&output),
            vec![
                ("git-hygiene/no-gitignore".to_string(), Severity::Medium),
                (
                    "git-hygiene/sensitive-file--env".to_string(),
                    Severity::Critical
                ),
            ]
        );
        assert_eq!(
            output.findings[1].metadata.clone().into_map()["git_status"],
            "unknown"
        );
    }
}

#[test]
fn findings_come_in_the_same_order_whatever_the_file_order() {
    let mut files = vec![
        file("repo/.gitignore", "x\n"),
        file("repo/b/id_rsa", ""),
        file("repo/a/id_rsa", ""),
        file("repo/.env", ""),
        file("repo/z.pem", ""),
        file("repo/a.pem", ""),
    ];
    let forward = scan(files.clone(), None);
    files.reverse();
    assert_eq!(scan(files, None), forward);
    let paths: Vec<&str> = forward
        .findings
        .iter()
        .filter_map(|f| f.file.as_deref())
        .collect();
    assert_eq!(
        paths,
        vec![
            "repo/.gitignore",
            "repo/.gitignore",
            "repo/.gitignore",
            "repo/.env",
            "repo/a/id_rsa",
            "repo/b/id_rsa"
        ]
    );
    assert_eq!(
        forward.findings[1].metadata.clone().into_map()["files"],
        serde_json::json!(["repo/a.pem", "repo/z.pem"])
    );
}

#[test]
fn the_checks_match_names_exactly() {
    let output = scan(
        vec![
            file("repo/.gitignore", "venv/\n"),
            file("repo/.env.example", ""),
            file("repo/my.env", ""),
            file("repo/ID_RSA", ""),
        ],
        Some((&[".gitignore", ".env.example", "my.env", "ID_RSA"], &[])),
    );
    assert!(
        output.findings.is_empty(),
        "{:?}",
        rule_ids(&output.findings)
    );
}

#[test]
fn a_target_that_is_itself_a_file_is_not_a_project() {
    let mut input = Input::from_files([file("repo/.env", "A=1")]);
    input.target = "repo/.env".into();
    assert_eq!(GitHygiene::parse(&input).unwrap(), Output::default());
    // A file the include list does not select: nothing gathered, `test -d` says no.
    let mut input = Input {
        target: "app.py".into(),
        ..Input::default()
    };
    input.commands = vec![CommandOutput {
        name: TARGET_IS_DIRECTORY.into(),
        exit_code: Some(1),
        stdout: Vec::new(),
    }];
    assert_eq!(GitHygiene::parse(&input).unwrap(), Output::default());
    input.commands[0].exit_code = Some(0);
    assert_eq!(
        rule_ids(&GitHygiene::parse(&input).unwrap().findings),
        vec!["git-hygiene/no-gitignore"]
    );
}

#[test]
fn targets_with_a_slash_or_dot_resolve_relative_paths() {
    for (target, prefix) in [("repo/", "repo/"), (".", "./"), ("/", "/")] {
        let mut input = Input::from_files([
            file(&format!("{prefix}.gitignore"), "/.env\n"),
            file(&format!("{prefix}.env"), ""),
            file(&format!("{prefix}sub/.env"), ""),
        ]);
        // `/.env` covers the top-level file only.
        input.target = target.into();
        let output = GitHygiene::parse(&input).unwrap();
        assert_eq!(
            output
                .findings
                .iter()
                .filter_map(|f| f.file.as_deref())
                .collect::<Vec<_>>(),
            vec![format!("{prefix}.gitignore"), format!("{prefix}sub/.env")],
            "target {target}"
        );
    }
}

#[test]
fn a_mixed_project_matches_its_snapshot() {
    let output = scan(
        vec![
            file("repo/.gitignore", "# local\nvenv/\n.env*\n!.env.example\n"),
            file("repo/.env", "A=1"),
            file("repo/.env.production", "A=1"),
            file("repo/deploy/id_ed25519", ""),
            file("repo/deploy/service-account.json", "{}"),
            file("repo/site/wp-config.php", "<?php"),
            file("repo/db/dev.sqlite3", ""),
            file("repo/web/.gitignore", "!.env\n"),
            file("repo/web/.env", "A=1"),
        ],
        Some((
            &[
                ".gitignore",
                ".env.production",
                "deploy/service-account.json",
                "web/.gitignore",
            ],
            &[".env"],
        )),
    );
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("hygiene__mixed-project", output);
    });
}

#[test]
fn the_proposed_registry_include_list_covers_every_check() {
    let include = [
        ".gitignore",
        ".env",
        ".env.local",
        ".env.production",
        ".env.staging",
        "*.pem",
        "*.key",
        "*.p12",
        "*.pfx",
        "id_rsa",
        "id_ed25519",
        "*.sqlite3",
        "*.db",
        "credentials.json",
        "service-account.json",
        ".htpasswd",
        "wp-config.php",
    ];
    let mut names: Vec<&str> = gathered_names().collect();
    names.sort_unstable();
    names.dedup();
    let mut include = include.to_vec();
    include.sort_unstable();
    assert_eq!(names, include);
}

#[test]
fn corrupted_files_never_panic() {
    let gitignore = "# c\n/venv/\n**/keys/**\n!*.example\n[a-z]?.db\n\\!x \n";
    for bytes in mutations(gitignore.as_bytes(), 2000) {
        let mut input = Input::from_files([
            ("repo/.gitignore".to_string(), bytes.clone()),
            ("repo/keys/a/.env".to_string(), Vec::new()),
        ]);
        input.target = "repo".into();
        input.commands = vec![
            CommandOutput {
                name: TRACKED.into(),
                exit_code: Some(0),
                stdout: bytes.clone(),
            },
            CommandOutput {
                name: IGNORED.into(),
                exit_code: Some(0),
                stdout: bytes,
            },
        ];
        let _ = GitHygiene::parse(&input);
    }
}
