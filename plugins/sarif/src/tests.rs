use std::time::{Duration, Instant};

use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Output, ParseError, Severity};
use serde_json::{Value, json};

use crate::Sarif;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Sarif);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Sarif>(bytes)
}

fn parse_json(log: Value) -> Result<Output, ParseError> {
    parse(log.to_string().as_bytes())
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

/// Another adapter's fixture: a real report of another tool.
fn sibling_fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// A one-run log of `results` whose driver defines `rules`.
fn log(rules: Value, results: Value) -> Value {
    json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "T", "version": "1.2", "rules": rules}}, "results": results}]
    })
}

// Counts from ../shared/corpus/INDEX.tsv (results summed over runs; no corpus result is
// suppressed or of a kind other than `fail`).
#[test]
fn every_result_of_every_run_is_a_finding() {
    let expected = [
        ("semgrep-1.182.0/semgrep-generated.sarif", 15),
        ("bandit-1.9.4/bandit-generated.sarif", 27),
        ("trivy-other/trivy-golden-alpine.sarif", 4),
        ("gitleaks-8.0.0/gitleaks-repo-simple.sarif", 1),
        ("sarif-other/dd-no-runs.sarif", 0),
        ("sarif-other/dd-appendix-k1-empty-results.sarif", 0),
        ("semgrep-0.17.0/dd-semgrep-owasp-benchmark.sarif", 1768),
        ("codeql-2.5.4/dd-codeql.sarif", 72),
        ("gitleaks-7.4.0/dd-gitleaks-7.5.0.sarif", 8),
    ];
    for (name, count) in expected {
        let output = parse(&fixture(name)).unwrap();
        assert_eq!(output.findings.len(), count, "{name}");
        assert!(output.warnings.is_empty(), "{name}: {:?}", output.warnings);
    }
}

#[test]
fn the_large_semgrep_log_parses_quickly() {
    let bytes = fixture("semgrep-0.17.0/dd-semgrep-owasp-benchmark.sarif");
    let started = Instant::now();
    let output = parse(&bytes).unwrap();
    // Generous for an unoptimized test build on a shared machine; a quadratic rule lookup
    // or per-result re-parse of the log would blow far past it.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(output.findings.len(), 1768);
}

#[test]
fn codeql_rules_are_found_by_index_with_their_description_and_help() {
    let output = parse(&fixture("codeql-2.5.4/dd-codeql.sarif")).unwrap();
    let first = &output.findings[0];
    assert_eq!(first.rule_id.as_deref(), Some("py/empty-except"));
    assert_eq!(first.title, "Empty except");
    assert_eq!(
        first.description,
        "'except' clause does nothing but pass and there is no explanatory comment."
    );
    assert_eq!(first.file.as_deref(), Some("good/db_init.py"));
    assert_eq!((first.line_start, first.line_end), (Some(39), Some(39)));
    assert_eq!(first.metadata.get("tool"), json!("CodeQL"));
    assert_eq!(first.metadata.get("tool_version"), json!("2.5.4"));
    assert_eq!(
        first.metadata.get("partial_fingerprints"),
        json!({"primaryLocationLineHash": "9cbc869fbfffeb60:1", "primaryLocationStartColumnFingerprint": "0"})
    );
}

#[test]
fn rules_in_extensions_are_found_through_tool_component() {
    let log = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {"name": "CodeQL", "rules": [{"id": "d0", "shortDescription": {"text": "Driver rule"}}]},
                "extensions": [
                    {"name": "pack-a", "rules": [{"id": "a0"}]},
                    {"name": "codeql/python-queries", "rules": [
                        {"id": "py/sql-injection", "shortDescription": {"text": "SQL query built from user-controlled sources"},
                         "properties": {"tags": ["security", "external/cwe/cwe-089"], "security-severity": "8.8"}}
                    ]}
                ]
            },
            "results": [
                {"ruleId": "py/sql-injection", "rule": {"id": "py/sql-injection", "index": 0, "toolComponent": {"index": 1}},
                 "message": {"text": "This query depends on a user-provided value."}},
                {"rule": {"id": "py/sql-injection", "toolComponent": {"name": "codeql/python-queries"}}, "message": {"text": "by name"}},
                {"ruleId": "py/sql-injection", "message": {"text": "no toolComponent: the extensions are searched"}},
                {"ruleIndex": 0, "message": {"text": "index into the driver"}}
            ]
        }]
    });
    let output = parse_json(log).unwrap();
    let [by_index, by_name, searched, driver] = &output.findings[..] else {
        panic!("{output:?}")
    };
    for finding in [by_index, by_name, searched] {
        assert_eq!(
            finding.title,
            "SQL query built from user-controlled sources"
        );
        assert_eq!(finding.rule_id.as_deref(), Some("py/sql-injection"));
        assert_eq!(finding.cwe.as_deref(), Some("CWE-89"));
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(
            finding.metadata.get("tool_extension"),
            json!("codeql/python-queries")
        );
        assert_eq!(finding.metadata.get("security_severity"), json!("8.8"));
    }
    assert_eq!(driver.title, "Driver rule");
    assert_eq!(driver.rule_id.as_deref(), Some("d0"));
    assert_eq!(driver.metadata.get("tool_extension"), Value::Null);
}

#[test]
fn titles_prefer_the_short_description_then_a_human_name_then_the_message() {
    let rules = json!([
        {"id": "R1", "name": "blacklist"},
        {"id": "R2", "name": "AWS Access Key"},
        {"id": "R3", "shortDescription": {"text": "  \nFirst line\n\nsecond paragraph"}, "name": "Ignored name"}
    ]);
    let results = json!([
        {"ruleId": "R1", "message": {"text": "\nConsider the pickle module.\nMore."}},
        {"ruleId": "R2", "message": {"text": "m"}},
        {"ruleId": "R3", "message": {"text": "m"}},
        {"ruleId": "UNLISTED", "message": {}},
        {"message": {"text": ""}}
    ]);
    let titles: Vec<String> = parse_json(log(rules, results))
        .unwrap()
        .findings
        .into_iter()
        .map(|f| f.title)
        .collect();
    assert_eq!(
        titles,
        [
            "Consider the pickle module.",
            "AWS Access Key",
            "First line",
            "UNLISTED",
            "SARIF result"
        ]
    );
}

#[test]
fn semgrep_placeholder_titles_and_restated_help_give_way_to_the_message() {
    let output = parse(&fixture("semgrep-1.182.0/semgrep-generated.sarif")).unwrap();
    let first = &output.findings[0];
    assert_eq!(
        first.title,
        "Hardcoded credential assigned to 'DB_PASSWORD'"
    );
    assert_eq!(first.remediation, None);
    let benchmark = parse(&fixture("semgrep-0.17.0/dd-semgrep-owasp-benchmark.sarif")).unwrap();
    assert_eq!(
        benchmark.findings[0].title,
        "Using CBC with PKCS5Padding is susceptible to padding orcale attacks."
    );
}

#[test]
fn message_ids_resolve_through_message_strings_with_arguments() {
    let rules = json!([{"id": "CA2101", "messageStrings": {
        "default": {"text": "Variable '{0}' is assigned {1} times; {{literal}}"}
    }}]);
    let results = json!([
        {"ruleId": "CA2101/1", "message": {"id": "default", "arguments": ["x", "3"]}},
        {"ruleId": "CA2101", "message": {"text": "Own text {0}", "id": "default", "arguments": ["wins"]}}
    ]);
    let output = parse_json(log(rules, results)).unwrap();
    assert_eq!(
        output.findings[0].description,
        "Variable 'x' is assigned 3 times; {literal}"
    );
    assert_eq!(output.findings[0].rule_id.as_deref(), Some("CA2101/1"));
    assert_eq!(output.findings[1].description, "Own text wins");
}

#[test]
fn security_severity_sets_the_severity_and_level_is_the_fallback() {
    let rules = json!([
        {"id": "crit", "properties": {"security-severity": "9.8"}},
        {"id": "low", "properties": {"security-severity": 2.0}},
        {"id": "zero", "properties": {"security-severity": "0.0"}},
        {"id": "noted", "defaultConfiguration": {"level": "note"}},
        {"id": "bogus", "properties": {"security-severity": "HIGH"}, "defaultConfiguration": {"level": "error"}}
    ]);
    let results = json!([
        {"ruleId": "crit", "level": "note", "message": {"text": "m"}},
        {"ruleId": "low", "message": {"text": "m"}},
        {"ruleId": "zero", "message": {"text": "m"}},
        {"ruleId": "low", "properties": {"security-severity": "7.0"}, "message": {"text": "result score wins"}},
        {"ruleId": "noted", "message": {"text": "rule default level"}},
        {"ruleId": "noted", "level": "none", "message": {"text": "result level wins"}},
        {"ruleId": "unlisted", "message": {"text": "no level at all: warning"}},
        {"ruleId": "bogus", "message": {"text": "bad score: level used"}},
        {"ruleId": "unlisted", "level": "fatal", "message": {"text": "unknown level"}}
    ]);
    let output = parse_json(log(rules, results)).unwrap();
    let severities: Vec<Severity> = output.findings.iter().map(|f| f.severity).collect();
    use Severity::*;
    assert_eq!(
        severities,
        [Critical, Low, Info, High, Low, Info, Medium, High, Medium]
    );
    assert_eq!(output.findings[0].metadata.get("level"), json!("note"));
    assert_eq!(output.findings[6].metadata.get("level"), json!("warning"));
    assert_eq!(
        output.warnings,
        [
            "unknown SARIF level `fatal`, read as medium",
            "security-severity `HIGH` is not a 0-10 score; the level was used instead"
        ]
    );
}

#[test]
fn cwes_come_from_tags_and_properties_in_any_common_form() {
    let semgrep = parse(&fixture("semgrep-1.182.0/semgrep-generated.sarif")).unwrap();
    let password = &semgrep.findings[0];
    assert_eq!(password.cwe.as_deref(), Some("CWE-259"));
    assert_eq!(password.metadata.get("other_cwes"), json!(["CWE-798"]));
    let bandit = parse(&fixture("bandit-1.9.4/bandit-generated.sarif")).unwrap();
    assert_eq!(bandit.findings[0].cwe.as_deref(), Some("CWE-502"));
    let rules =
        json!([{"id": "R", "properties": {"tags": ["CWE-79: XSS", "cwe-80"], "cwe": "CWE-116"}}]);
    let results = json!([
        {"ruleId": "R", "message": {"text": "m"}},
        {"ruleId": "R", "properties": {"cwe": 89}, "message": {"text": "result first"}}
    ]);
    let output = parse_json(log(rules, results)).unwrap();
    assert_eq!(output.findings[0].cwe.as_deref(), Some("CWE-79"));
    assert_eq!(
        output.findings[0].metadata.get("other_cwes"),
        json!(["CWE-80", "CWE-116"])
    );
    assert_eq!(output.findings[1].cwe.as_deref(), Some("CWE-89"));
}

#[test]
fn locations_resolve_uri_bases_file_uris_and_percent_encoding() {
    let log = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "T"}},
            "originalUriBaseIds": {
                "SRCROOT": {"uri": "file:///home/runner/work/app/"},
                "WEB": {"uri": "web/", "uriBaseId": "SRCROOT"}
            },
            "artifacts": [{"location": {"uri": "listed/only.py", "uriBaseId": "SRCROOT"}}],
            "results": [
                {"message": {"text": "a"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/app.py", "uriBaseId": "SRCROOT"}, "region": {"startLine": 3, "endLine": 5}}}]},
                {"message": {"text": "b"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "pages/a%20b.js", "uriBaseId": "WEB"}, "region": {"startLine": 7}}}]},
                {"message": {"text": "c"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///opt/x/y.go"}, "region": {"startLine": 0}}}]},
                {"message": {"text": "d"}, "locations": [{"logicalLocations": []}, {"physicalLocation": {"artifactLocation": {"index": 0}}}]},
                {"message": {"text": "e"}}
            ]
        }]
    });
    let output = parse_json(log).unwrap();
    let places: Vec<(Option<&str>, Option<u32>, Option<u32>)> = output
        .findings
        .iter()
        .map(|f| (f.file.as_deref(), f.line_start, f.line_end))
        .collect();
    assert_eq!(
        places,
        [
            (Some("src/app.py"), Some(3), Some(5)),
            (Some("web/pages/a b.js"), Some(7), Some(7)),
            (Some("/opt/x/y.go"), None, None),
            (Some("listed/only.py"), None, None),
            (None, None, None),
        ]
    );
}

#[test]
fn remediation_comes_from_the_rules_help_text() {
    let trivy = parse(&fixture("trivy-other/trivy-golden-alpine.sarif")).unwrap();
    let first = &trivy.findings[0];
    assert!(
        first
            .remediation
            .as_deref()
            .unwrap()
            .starts_with("Vulnerability CVE-2019-1549\nSeverity: MEDIUM\nPackage: libssl1.1")
    );
    assert_eq!(first.severity, Severity::Medium, "security-severity 5.3");
    assert_eq!(first.title, "openssl: information disclosure in fork()");
    assert_eq!(
        first.metadata.get("help_uri"),
        json!("https://avd.aquasec.com/nvd/cve-2019-1549")
    );
}

#[test]
fn suppressed_results_are_skipped_and_counted() {
    let results = json!([
        {"ruleId": "R", "message": {"text": "in source"}, "suppressions": [{"kind": "inSource"}]},
        {"ruleId": "R", "message": {"text": "accepted"}, "suppressions": [{"kind": "external", "status": "accepted"}]},
        {"ruleId": "R", "message": {"text": "under review: kept"}, "suppressions": [{"kind": "external", "status": "underReview"}]},
        {"ruleId": "R", "message": {"text": "rejected: kept"}, "suppressions": [{"kind": "inSource"}, {"kind": "external", "status": "rejected"}]},
        {"ruleId": "R", "message": {"text": "empty list: kept"}, "suppressions": []}
    ]);
    let output = parse_json(log(json!([]), results)).unwrap();
    let kept: Vec<&str> = output
        .findings
        .iter()
        .map(|f| f.description.as_str())
        .collect();
    assert_eq!(
        kept,
        ["under review: kept", "rejected: kept", "empty list: kept"]
    );
    assert_eq!(
        output.findings[0].metadata.get("suppression_status"),
        json!("underReview")
    );
    assert_eq!(
        output.warnings,
        ["skipped 2 results the producer marked as suppressed"]
    );
}

#[test]
fn results_of_kind_pass_not_applicable_or_informational_are_not_findings() {
    let results = json!([
        {"ruleId": "R", "kind": "pass", "message": {"text": "m"}},
        {"ruleId": "R", "kind": "notApplicable", "message": {"text": "m"}},
        {"ruleId": "R", "kind": "informational", "message": {"text": "m"}},
        {"ruleId": "R", "kind": "review", "message": {"text": "m"}},
        {"ruleId": "R", "kind": "fail", "message": {"text": "kept"}},
        {"ruleId": "R", "message": {"text": "kept too"}}
    ]);
    let output = parse_json(log(json!([]), results)).unwrap();
    assert_eq!(output.findings.len(), 2);
    assert_eq!(
        output.warnings,
        ["skipped 1 results of kind `review` (not a failure; may need review)"]
    );
}

#[test]
fn multi_run_logs_and_runs_without_results_are_handled() {
    let log = json!({
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": {"name": "eslint", "rules": [{"id": "no-eval", "shortDescription": {"text": "Disallow eval()"}}]}},
             "results": [{"ruleId": "no-eval", "ruleIndex": 0, "level": "error", "message": {"text": "eval can be harmful."}}]},
            {"tool": {"driver": {"name": "quiet"}}},
            {"tool": {"driver": {"name": "bandit", "rules": [{"id": "B307", "shortDescription": {"text": "Use of eval"}}]}},
             "results": [{"ruleId": "B307", "ruleIndex": 0, "level": "warning", "message": {"text": "b"}}]}
        ]
    });
    let output = parse_json(log).unwrap();
    let seen: Vec<(String, Value)> = output
        .findings
        .iter()
        .map(|f| (f.title.clone(), f.metadata.get("tool")))
        .collect();
    assert_eq!(
        seen,
        [
            ("Disallow eval()".to_string(), json!("eslint")),
            ("Use of eval".to_string(), json!("bandit"))
        ]
    );
    assert_eq!(
        output.warnings,
        [
            "run 2 (quiet) has no `results`: the tool did not report any (SARIF: results not computed)"
        ]
    );
}

#[test]
fn a_run_the_producer_says_failed_is_tool_failed_when_nothing_was_found() {
    let failed = json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": [],
                  "invocations": [{"executionSuccessful": false, "toolExecutionNotifications": [
                      {"level": "error", "message": {"text": "Could not process database"}}]}]}]
    });
    assert_eq!(
        parse_json(failed).unwrap_err(),
        ParseError::ToolFailed(
            "run 1 (CodeQL) says the tool did not run successfully: Could not process database"
                .into()
        )
    );
    let partial = json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "T"}}, "results": [{"ruleId": "R", "message": {"text": "m"}}],
                  "invocations": [{"executionSuccessful": false}]}]
    });
    let output = parse_json(partial).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(
        output.warnings,
        ["run 1 (T) says the tool did not run successfully"]
    );
    assert!(matches!(
        parse(br#"{"version": "2.1.0", "runs": null}"#),
        Err(ParseError::ToolFailed(_))
    ));
}

#[test]
fn an_unreadable_result_costs_a_warning_not_the_log() {
    let results = json!([
        {"ruleId": "R", "message": {"text": "fine"}},
        {"ruleId": "R", "locations": [{"physicalLocation": {"region": {"startLine": "twelve"}}}]}
    ]);
    let output = parse_json(log(json!([]), results)).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(output.warnings.len(), 1);
    assert!(
        output.warnings[0].starts_with(
            "skipped 1 results that could not be read (first: run 1 (T) result 2: invalid type"
        ),
        "{:?}",
        output.warnings
    );
}

#[test]
fn other_tools_and_other_versions_are_typed_errors() {
    let semgrep_json =
        sibling_fixture("semgrep/fixtures/semgrep-1.182.0/generated-one-finding.json");
    assert!(
        matches!(parse(&semgrep_json), Err(ParseError::WrongTool(m)) if m.starts_with("no `runs`"))
    );
    let trivy_json = sibling_fixture("trivy/fixtures/trivy-schema2/trivy-golden-secrets.json");
    assert!(matches!(parse(&trivy_json), Err(ParseError::WrongTool(_))));
    let trivy_legacy_list =
        sibling_fixture("trivy/fixtures/trivy-legacy/ssf-legacy-list-python3.json");
    assert!(matches!(
        parse(&trivy_legacy_list),
        Err(ParseError::WrongTool(_))
    ));
    let nmap_xml = sibling_fixture("nmap/fixtures/nmap-7.93/localhost-one-port.xml");
    assert!(
        matches!(parse(&nmap_xml), Err(ParseError::Malformed(m)) if m.starts_with("invalid JSON"))
    );
    assert_eq!(
        parse(br#"{"version": "1.0.0", "runs": []}"#).unwrap_err(),
        ParseError::UnsupportedVersion(
            "SARIF version \"1.0.0\"; this adapter reads SARIF 2.1.0".into()
        )
    );
    assert!(matches!(
        parse(br#"{"runs": []}"#),
        Err(ParseError::Malformed(m)) if m.contains("without `version`")
    ));
    assert!(
        parse(br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}"#)
            .unwrap()
            .findings
            .is_empty()
    );
}

#[test]
fn bad_bytes_are_typed_errors() {
    assert!(matches!(parse(b" \n"), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(b"{\"version\": \"2.1.0\", \"runs\": [\xff]}"),
        Err(ParseError::Malformed(m)) if m.starts_with("invalid JSON")
    ));
    let bytes = fixture("bandit-1.9.4/bandit-generated.sarif");
    assert!(matches!(
        parse(&bytes[..bytes.len() / 2]),
        Err(ParseError::Malformed(m)) if m.starts_with("truncated JSON")
    ));
    assert!(matches!(
        parse(br#"{"version": "2.1.0", "runs": [{"tool": 3}]}"#),
        Err(ParseError::Malformed(m)) if m.starts_with("invalid SARIF runs")
    ));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(fixture("gitleaks-8.0.0/gitleaks-repo-simple.sarif"));
    assert_eq!(
        parse(&bom).unwrap(),
        parse(&fixture("gitleaks-8.0.0/gitleaks-repo-simple.sarif")).unwrap()
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Sarif>(env!("CARGO_MANIFEST_DIR"), 200);
}
