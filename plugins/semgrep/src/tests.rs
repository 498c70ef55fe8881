use securescan_adapter_sdk::testing::{
    Outcome, fixture_bytes, parse_mutated_fixtures, parse_report,
};
use securescan_adapter_sdk::{Output, ParseError, Severity};

use crate::Semgrep;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Semgrep);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Semgrep>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

#[test]
fn newer_severity_words_keep_their_meaning() {
    let output = parse(&fixture("semgrep-other/dd-low-severity.json")).unwrap();
    assert!(output.findings.iter().all(|f| f.severity == Severity::Low));
    let high = br#"{"paths":{},"results":[{"check_id":"r","path":"a.py","start":{"line":1},"end":{"line":2},"extra":{"severity":"CRITICAL"}}]}"#;
    assert_eq!(
        parse(high).unwrap().findings[0].severity,
        Severity::Critical
    );
}

#[test]
fn long_form_cwe_is_normalized() {
    let output = parse(&fixture("semgrep-1.182.0/generated-one-finding.json")).unwrap();
    assert_eq!(output.findings[0].cwe.as_deref(), Some("CWE-95"));
}

#[test]
fn tool_errors_become_warnings() {
    let output = parse(&fixture("semgrep-1.182.0/generated-parse-error.json")).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(output.warnings.len(), 1);
    assert!(
        output.warnings[0].contains("broken/bad.py"),
        "{:?}",
        output.warnings
    );
}

#[test]
fn bandit_output_is_the_wrong_tool() {
    let bandit =
        br#"{"errors":[],"generated_at":"2024-01-01T00:00:00Z","metrics":{},"results":[]}"#;
    assert!(matches!(parse(bandit), Err(ParseError::WrongTool(_))));
}

#[test]
fn a_real_bandit_report_is_the_wrong_tool() {
    let bandit = std::fs::read(format!(
        "{}/../bandit/fixtures/bandit-1.9.4/generated-python-vuln-app.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(
        matches!(parse(&bandit), Err(ParseError::WrongTool(_))),
        "{:?}",
        parse(&bandit)
    );
}

#[test]
fn truncated_report_is_malformed() {
    let bytes = fixture("semgrep-1.182.0/generated-one-finding.json");
    let err = parse(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(err.message().starts_with("truncated JSON"), "{err}");
}

#[test]
fn empty_and_non_utf8_output_are_typed_errors() {
    assert!(matches!(parse(b""), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(b"\xfe\xff{}"),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn unknown_severity_is_low_with_a_warning() {
    let odd = br#"{"paths":{},"results":[{"check_id":"r","path":"a.py","start":{"line":1},"end":{"line":1},"extra":{"severity":"SEVERE"}}]}"#;
    let output = parse(odd).unwrap();
    assert_eq!(output.findings[0].severity, Severity::Low);
    assert_eq!(output.warnings.len(), 1);
    assert!(matches!(Outcome::from(parse(odd)), Outcome::Parsed(_)));
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Semgrep>(env!("CARGO_MANIFEST_DIR"), 400);
}

#[test]
fn non_object_metadata_is_left_out_with_a_warning() {
    let odd = br#"{"paths":{},"results":[{"check_id":"r","path":"a.py","start":{"line":1},"end":{"line":1},"extra":{"metadata":[1,2]}}]}"#;
    let output = parse(odd).unwrap();
    assert_eq!(
        output.findings[0].metadata,
        securescan_adapter_sdk::Metadata::default()
    );
    assert_eq!(
        output.warnings,
        vec!["r: rule metadata is not an object; left out".to_string()]
    );
}
