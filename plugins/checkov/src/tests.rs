use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Adapter, Input, Output, ParseError, Severity};

use crate::Checkov;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Checkov);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Checkov>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

// Counts from ../shared/corpus/INDEX.tsv (failed checks over all blocks).
#[test]
fn every_failed_check_of_every_framework_is_kept() {
    assert_eq!(
        parse(&fixture("checkov-3.3.30/generated-multi-framework.json"))
            .unwrap()
            .findings
            .len(),
        51
    );
    assert_eq!(
        parse(&fixture("checkov-other/ssf-secrets.json"))
            .unwrap()
            .findings
            .len(),
        52
    );
}

#[test]
fn paths_land_under_the_target_and_null_severity_is_medium() {
    let mut input = Input::from_report(fixture("checkov-3.3.30/generated-multi-framework.json"));
    input.target = "infra/".into();
    let output = Checkov::parse(&input).unwrap();
    assert!(output.findings.iter().all(|f| {
        f.file
            .as_deref()
            .is_some_and(|p| p.starts_with("infra/") && !p.contains("//"))
    }));
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.severity == Severity::Medium)
    );
    let windows = parse(&fixture("checkov-other/ssf-secrets.json")).unwrap();
    assert_eq!(
        windows.findings[0].file.as_deref(),
        Some("bitnami/apisix/values.yaml")
    );
}

#[test]
fn utf16_and_bom_reports_parse_like_utf8() {
    let utf8 = fixture("checkov-3.3.30/generated-multi-framework.json");
    let text = String::from_utf8(utf8.clone()).unwrap();
    let mut utf16le = vec![0xFF, 0xFE];
    utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend(&utf8);
    let expected = parse(&utf8).unwrap();
    assert_eq!(parse(&utf16le).unwrap(), expected);
    assert_eq!(parse(&bom8).unwrap(), expected);
}

#[test]
fn odd_shapes_are_handled() {
    let summary = br#"{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0, "checkov_version": "3.3.30"}"#;
    assert!(parse(summary).unwrap().findings.is_empty());
    assert!(parse(b"[]").unwrap().findings.is_empty());
    let empty_range = br#"{"check_type":"terraform","results":{"failed_checks":[{"check_id":"CKV_AWS_1","check_name":"n","file_path":"/a.tf","file_line_range":[],"severity":"HIGH"}],"parsing_errors":["/b.tf"]}}"#;
    let output = parse(empty_range).unwrap();
    assert_eq!(output.findings[0].line_start, None);
    assert_eq!(output.findings[0].severity, Severity::High);
    assert_eq!(
        output.warnings,
        vec!["checkov (terraform) could not parse /b.tf".to_string()]
    );
}

#[test]
fn other_tools_and_bad_bytes_are_typed_errors() {
    let semgrep = br#"{"paths":{},"results":[],"errors":[],"version":"1.0.0"}"#;
    assert!(matches!(
        parse(semgrep),
        Err(ParseError::Malformed(_) | ParseError::WrongTool(_))
    ));
    let bandit = br#"{"errors":[],"generated_at":"x","metrics":{}}"#;
    assert!(matches!(parse(bandit), Err(ParseError::WrongTool(_))));
    assert!(matches!(parse(b"\n"), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(&[0xFF, 0xFE, 0x00, 0xD8]),
        Err(ParseError::Malformed(_))
    ));
    let bytes = fixture("checkov-3.3.30/generated-multi-framework.json");
    assert!(
        parse(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Checkov>(env!("CARGO_MANIFEST_DIR"), 200);
}

// Recorded with checkov 3.3.30 (`checkov -d . -o json --quiet --compact --skip-download`) on a
// workflow without top-level `permissions` and a Dockerfile without USER or HEALTHCHECK.
#[test]
fn a_file_level_check_keeps_line_one_and_a_null_platform_id() {
    let output = parse(&fixture(
        "checkov-3.3.30/generated-github-actions-file-level.json",
    ))
    .unwrap();
    let permissions = output
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("CKV2_GHA_1"))
        .expect("checkov flags the workflow without top-level permissions");
    assert_eq!(
        (permissions.line_start, permissions.line_end),
        (Some(1), Some(1))
    );
    assert!(output.findings.iter().all(|f| {
        let json = serde_json::to_value(f).unwrap();
        json["metadata"]["bc_check_id"].is_null()
    }));
}

#[test]
fn line_ranges_keep_every_line_that_exists() {
    use crate::line_span;
    assert_eq!(line_span(&[0, 1]), Some((1, 1)));
    assert_eq!(line_span(&[0, 5]), Some((1, 5)));
    assert_eq!(line_span(&[3, 7]), Some((3, 7)));
    assert_eq!(line_span(&[3]), Some((3, 3)));
    assert_eq!(line_span(&[3, 1]), Some((3, 3)));
    assert_eq!(line_span(&[0, 0]), None);
    assert_eq!(line_span(&[0]), None);
    assert_eq!(line_span(&[]), None);
}
