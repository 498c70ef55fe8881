use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Output, ParseError, Severity};

use crate::Trivy;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Trivy);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Trivy>(bytes)
}

fn fixture(name: &str) -> Output {
    parse(&fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)).unwrap()
}

fn class_counts(output: &Output) -> [usize; 4] {
    let count = |class: &str| {
        output
            .findings
            .iter()
            .filter(|f| f.metadata.clone().into_map()["finding_class"] == class)
            .count()
    };
    [
        count("vulnerability"),
        count("misconfiguration"),
        count("secret"),
        count("license"),
    ]
}

// Counts from ../shared/corpus/INDEX.tsv, where every entry is kept.
#[test]
fn every_class_of_every_report_is_kept() {
    let cases = [
        (
            "trivy-schema2/dd-vulns-misconfig-secrets.json",
            [2, 1, 2, 0],
        ),
        ("trivy-schema2/dd-licenses-only.json", [0, 0, 0, 19]),
        (
            "trivy-schema2/trivy-golden-helm-misconfig.json",
            [0, 18, 0, 0],
        ),
        ("trivy-schema2/scb-juice-shop-image.json", [182, 0, 3, 0]),
        ("trivy-schema2/dd-schema2-no-vulns.json", [0, 0, 0, 0]),
        (
            "trivy-schema2/scb-juice-shop-no-results-key.json",
            [0, 0, 0, 0],
        ),
        ("trivy-legacy/ssf-legacy-list-python3.json", [1427, 0, 0, 0]),
    ];
    for (name, expected) in cases {
        assert_eq!(class_counts(&fixture(name)), expected, "{name}");
    }
}

#[test]
fn vulnerabilities_map_like_the_docs_say() {
    let output = fixture("trivy-schema2/trivy-golden-pip-fs.json");
    let f = &output.findings[0];
    assert!(f.title.contains(" in "), "{}", f.title);
    assert!(
        f.rule_id
            .as_deref()
            .is_some_and(|r| r.starts_with("CVE-") || r.starts_with("GHSA-"))
    );
    assert!(
        f.remediation
            .as_deref()
            .is_some_and(|r| r.starts_with("Update "))
    );
}

#[test]
fn misconfigurations_carry_their_lines_and_null_references_parse() {
    let helm = fixture("trivy-schema2/trivy-golden-helm-misconfig.json");
    assert!(helm.findings.iter().any(|f| f.line_start.is_some()));
    let null_refs = br#"{"SchemaVersion":2,"Results":[{"Target":"r.txt","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","Severity":"HIGH","References":null,"CweIDs":null}]}]}"#;
    let output = parse(null_refs).unwrap();
    assert_eq!(output.findings[0].severity, Severity::High);
}

#[test]
fn passed_checks_are_not_findings() {
    let report = br#"{"SchemaVersion":2,"Results":[{"Target":"Dockerfile","Misconfigurations":[{"ID":"DS001","Status":"PASS","Severity":"HIGH"},{"ID":"DS002","Status":"FAIL","Severity":"HIGH"}]}]}"#;
    let ids: Vec<_> = parse(report)
        .unwrap()
        .findings
        .into_iter()
        .filter_map(|f| f.rule_id)
        .collect();
    assert_eq!(ids, vec!["DS002"]);
}

#[test]
fn secret_matches_are_never_kept() {
    let output = fixture("trivy-schema2/trivy-golden-secrets.json");
    let text = serde_json::to_string(&output).unwrap();
    assert!(
        !text.contains("*****"),
        "the matched (redacted) text stays out of findings"
    );
}

#[test]
fn other_tools_and_bad_bytes_are_typed_errors() {
    let bandit = br#"{"errors":[],"generated_at":"x","metrics":{},"results":[]}"#;
    assert!(matches!(parse(bandit), Err(ParseError::WrongTool(_))));
    let truncated = fixture_bytes(
        env!("CARGO_MANIFEST_DIR"),
        "trivy-schema2/dd-vulns-misconfig-secrets.json",
    );
    let err = parse(&truncated[..truncated.len() / 2]).unwrap_err();
    assert!(err.message().starts_with("truncated JSON"), "{err}");
    assert!(matches!(parse(b" "), Err(ParseError::Empty(_))));
    assert!(matches!(parse(b"[1, 2]"), Err(ParseError::Malformed(_))));
}

#[test]
fn unknown_severities_are_info_with_a_warning() {
    let report = br#"{"SchemaVersion":2,"Results":[{"Target":"t","Secrets":[{"RuleID":"x","Severity":"SEVERE"}]}]}"#;
    let output = parse(report).unwrap();
    assert_eq!(output.findings[0].severity, Severity::Info);
    assert_eq!(output.warnings.len(), 1);
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Trivy>(env!("CARGO_MANIFEST_DIR"), 200);
}
