use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Output, ParseError, Severity};

use crate::Bandit;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Bandit);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Bandit>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

#[test]
fn severities_and_cwe_objects_map() {
    let output = parse(&fixture("bandit-1.9.4/generated-python-vuln-app.json")).unwrap();
    assert_eq!(output.findings.len(), 27);
    let shell = output
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("B602"))
        .unwrap();
    assert_eq!(shell.severity, Severity::High);
    assert_eq!(shell.cwe.as_deref(), Some("CWE-78"));
}

#[test]
fn old_reports_without_cwe_still_parse() {
    let output = parse(&fixture("bandit-1.4.0/ssf-bandit-1.4.0.json")).unwrap();
    assert_eq!(output.findings.len(), 60);
    assert!(output.findings.iter().all(|f| f.cwe.is_none()));
    assert_eq!(
        output.warnings,
        vec!["bandit error: No such file or directory".to_string()]
    );
}

#[test]
fn syntax_errors_become_warnings() {
    let output = parse(&fixture("bandit-1.9.4/generated-syntax-error.json")).unwrap();
    assert_eq!(
        output.warnings,
        vec![
            "bandit could not scan broken/bad.py: syntax error while parsing AST from file"
                .to_string()
        ]
    );
}

#[test]
fn semgrep_output_is_the_wrong_tool() {
    let semgrep = br#"{"paths":{"scanned":[]},"results":[],"errors":[],"version":"1.0.0"}"#;
    assert!(matches!(parse(semgrep), Err(ParseError::WrongTool(_))));
}

#[test]
fn a_real_semgrep_report_is_the_wrong_tool() {
    let semgrep = std::fs::read(format!(
        "{}/../semgrep/fixtures/semgrep-1.182.0/generated-python-vuln-app.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(
        matches!(parse(&semgrep), Err(ParseError::WrongTool(_))),
        "{:?}",
        parse(&semgrep)
    );
}

#[test]
fn truncated_empty_and_binary_output_are_typed_errors() {
    let bytes = fixture("bandit-1.9.4/generated-python-vuln-app.json");
    assert!(
        parse(&bytes[..bytes.len() - 10])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
    assert!(matches!(parse(b"\n"), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(b"\x00\x9f\x92\x96"),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Bandit>(env!("CARGO_MANIFEST_DIR"), 400);
}

#[test]
fn an_absurd_cwe_id_is_dropped_not_passed_to_the_host() {
    let report = br#"{"errors":[],"generated_at":"x","metrics":{},"results":[{"filename":"a.py","test_id":"B1","line_number":1,"issue_cwe":{"id":4294967295}}]}"#;
    assert_eq!(parse(report).unwrap().findings[0].cwe, None);
}

/// Real bandit 1.9.4 output of multi-line statements: a finding ends where the flagged node
/// ends, never at the end of an enclosing statement it sits inside.
#[test]
fn a_finding_inside_a_statement_ends_on_its_own_line() {
    let output = parse(&fixture(
        "bandit-1.9.4/generated-multi-line-statements.json",
    ))
    .unwrap();
    let lines = |rule: &str| -> Vec<(Option<u32>, Option<u32>)> {
        output
            .findings
            .iter()
            .filter(|f| f.rule_id.as_deref() == Some(rule))
            .map(|f| (f.line_start, f.line_end))
            .collect()
    };
    // Inside a dict (line_range 11..=15), a call (16..=20, 36..=39, 46..=50).
    assert_eq!(lines("B105"), [(Some(13), Some(13))]);
    assert_eq!(lines("B106"), [(Some(18), Some(18))]);
    assert_eq!(lines("B602"), [(Some(38), Some(38))]);
    assert_eq!(lines("B501"), [(Some(48), Some(48))]);
    // The flagged call itself spans lines.
    assert_eq!(
        lines("B307"),
        [
            (Some(25), Some(28)),
            (Some(51), Some(51)),
            (Some(52), Some(52)),
            (Some(53), Some(53))
        ]
    );
    assert_eq!(lines("B506"), [(Some(29), Some(32))]);
}
