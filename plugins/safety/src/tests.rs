use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Adapter, Finding, Input, Output, ParseError, Severity};

use crate::Safety;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Safety);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Safety>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

fn findings(name: &str) -> Vec<Finding> {
    parse(&fixture(name)).unwrap().findings
}

fn other_tool(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/other-tools/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn with_file(bytes: Vec<u8>, file: &str) -> Input {
    let mut input = Input::from_report(bytes);
    input.settings.insert("file".into(), file.into());
    input
}

const REPO_REPORT: &str = "safety-2.0.0.dev6/safety-repo-report-with-recommended-fix.json";

// Counts from ../shared/corpus/INDEX.tsv (len(list) or len(vulnerabilities)).
#[test]
fn one_finding_per_vulnerability_in_every_format() {
    for (name, count) in [
        ("safety-1.10.3/safety-1.10.3-list-empty.json", 0),
        ("safety-other/dd-list-5-fields.json", 3),
        ("safety-2.3.5/safety-2.3.5-dict-empty.json", 0),
        ("safety-2.3.5/safety-2.3.5-dict-one.json", 1),
        ("safety-2.3.5/safety-2.3.5-dict-many.json", 393),
        (REPO_REPORT, 4),
        ("safety-3.2.14/safety-3.2.14-save-json.json", 2),
    ] {
        assert_eq!(findings(name).len(), count, "{name}");
    }
}

#[test]
fn rule_title_and_description_come_from_the_advisory() {
    let finding = &findings("safety-2.3.5/safety-2.3.5-dict-one.json")[0];
    assert_eq!(finding.rule_id.as_deref(), Some("safety/36546"));
    assert_eq!(finding.title, "Vulnerable package: requests");
    assert!(
        finding
            .description
            .starts_with("Requests before 2.20.0 sends")
    );
    let legacy = &findings("safety-other/dd-list-5-fields.json")[1];
    assert_eq!(legacy.rule_id.as_deref(), Some("safety/33064"));
    assert_eq!(legacy.title, "Vulnerable package: django");
}

#[test]
fn advisory_line_breaks_lose_their_carriage_returns() {
    let findings = findings(REPO_REPORT);
    assert!(findings.iter().all(|f| !f.description.contains('\r')));
    assert!(
        findings[2]
            .description
            .contains("kwargs.\nhttps://www.djangoproject.com")
    );
}

#[test]
fn findings_point_at_the_requirements_file_the_host_ran_safety_on() {
    let input = with_file(
        fixture("safety-3.2.14/safety-3.2.14-save-json.json"),
        "myrepo/backend/requirements.txt",
    );
    let output = Safety::parse(&input).unwrap();
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.file.as_deref() == Some("myrepo/backend/requirements.txt"))
    );
    let legacy = with_file(
        fixture("safety-other/dd-list-5-fields.json"),
        "r/requirements-dev.txt",
    );
    assert_eq!(
        Safety::parse(&legacy).unwrap().findings[0].file.as_deref(),
        Some("r/requirements-dev.txt")
    );
}

#[test]
fn without_a_file_setting_the_reports_own_path_is_used() {
    assert_eq!(
        findings("safety-2.3.5/safety-2.3.5-dict-one.json")[0]
            .file
            .as_deref(),
        Some("requirements-one.txt")
    );
    assert_eq!(
        findings("safety-3.2.14/safety-3.2.14-save-json.json")[0]
            .file
            .as_deref(),
        Some("/tmp/targets/reqs/requirements-django18.txt")
    );
    // An environment scan names the directory it read.
    assert_eq!(
        findings(REPO_REPORT)[0].file.as_deref(),
        Some("/usr/local/lib/python3.9/site-packages")
    );
    // safety 1.x names no file at all.
    assert_eq!(findings("safety-other/dd-list-5-fields.json")[0].file, None);
}

#[test]
fn remediation_names_a_fixed_version_not_the_installed_one() {
    for finding in findings(REPO_REPORT) {
        let remediation = finding.remediation.unwrap();
        assert!(
            remediation
                .starts_with("Update django from 4.0.1 to 4.0.4 (the version safety recommends)."),
            "{remediation}"
        );
    }
    let first = findings(REPO_REPORT).remove(0);
    assert!(
        first
            .remediation
            .unwrap()
            .ends_with("This vulnerability is fixed in 2.2.27, 3.2.12, 4.0.2.")
    );
    // No fixed version in the report: say which range to leave instead of "update to 2.9.0".
    assert_eq!(
        findings("safety-2.3.5/safety-2.3.5-dict-one.json")[0]
            .remediation
            .as_deref(),
        Some("Update requests from 2.9.0 to a version outside the affected range <=2.19.1.")
    );
    assert_eq!(
        findings("safety-3.2.14/safety-3.2.14-save-json.json")[0]
            .remediation
            .as_deref(),
        Some("Update django from 1.8 to 2.1 (the latest version without known vulnerabilities).")
    );
    assert_eq!(
        findings("safety-other/dd-list-5-fields.json")[0]
            .remediation
            .as_deref(),
        Some("Update django from 1.2.2 to a version outside the affected range <1.2.7.")
    );
}

#[test]
fn cvss_severity_is_used_when_the_report_carries_one_else_high() {
    let severities: Vec<Severity> = findings(REPO_REPORT).iter().map(|f| f.severity).collect();
    // severity.cvssv3 MEDIUM; CVE.cvssv3 HIGH, CRITICAL, CRITICAL (safety 2.0 puts scores on the CVE).
    assert_eq!(
        severities,
        [
            Severity::Medium,
            Severity::High,
            Severity::Critical,
            Severity::Critical
        ]
    );
    assert!(
        findings("safety-2.3.5/safety-2.3.5-dict-many.json")
            .iter()
            .all(|f| f.severity == Severity::High)
    );
    assert!(
        findings("safety-other/dd-list-5-fields.json")
            .iter()
            .all(|f| f.severity == Severity::High)
    );
}

#[test]
fn cve_ids_and_package_facts_are_in_metadata() {
    let finding = &findings(REPO_REPORT)[1];
    assert_eq!(
        finding.metadata.get("cves"),
        serde_json::json!(["CVE-2022-23833"])
    );
    assert_eq!(finding.metadata.get("package"), "django");
    assert_eq!(finding.metadata.get("installed_version"), "4.0.1");
    assert_eq!(finding.metadata.get("affected"), ">=4.0a1,<4.0.2");
    assert_eq!(
        finding.metadata.get("fixed_versions"),
        serde_json::json!(["2.2.27", "3.2.12", "4.0.2"])
    );
    assert_eq!(finding.metadata.get("upgrade_to"), "4.0.4");
    assert_eq!(finding.metadata.get("cvss_score"), 7.5);
    assert_eq!(
        finding.metadata.get("more_info_url"),
        "https://pyup.io/vulnerabilities/CVE-2022-23833/44741/"
    );
    let three = &findings("safety-3.2.14/safety-3.2.14-save-json.json")[0];
    assert_eq!(three.metadata.get("affected"), "<1.9");
    assert_eq!(
        three.metadata.get("secure_versions"),
        serde_json::json!(["2.1", "1.9", "2.0"])
    );
    assert_eq!(three.metadata.get("cves"), serde_json::Value::Null);
}

fn bar() -> String {
    format!("+{}+", "=".repeat(187))
}

/// What `safety check --output json` (3.x) prints on stdout: the deprecation banner, the report,
/// the banner again.
fn banner_wrapped(report: &str) -> String {
    let banner = format!(
        "\n\n{bar}\n\n\nDEPRECATED: this command (`check`) has been DEPRECATED, and will be unsupported beyond 01 June 2024.\n\n\n\
         We highly encourage switching to the new `scan` command which is easier to use, more powerful, and can be set up to mimic the deprecated command if required.\n\n\n{bar}\n\n\n",
        bar = bar()
    );
    format!("{banner}{report}\n{banner}")
}

#[test]
fn safety_3_banner_wrapped_stdout_parses_like_the_bare_report() {
    let bare = fixture("safety-3.2.14/safety-3.2.14-save-json.json");
    let wrapped = banner_wrapped(std::str::from_utf8(&bare).unwrap());
    let output = parse(wrapped.as_bytes()).unwrap();
    assert_eq!(output, parse(&bare).unwrap());
    assert_eq!(output.findings.len(), 2);
}

#[test]
fn banner_without_a_report_or_with_a_cut_report_is_an_error() {
    let nothing = banner_wrapped("");
    let err = parse(nothing.as_bytes()).unwrap_err();
    assert!(matches!(err, ParseError::Malformed(_)), "{err}");
    assert!(err.message().contains("no JSON report"), "{err}");
    let bare = fixture("safety-2.3.5/safety-2.3.5-dict-one.json");
    let cut = format!(
        "{}\n\n{}",
        bar(),
        std::str::from_utf8(&bare[..800]).unwrap()
    );
    assert!(
        parse(cut.as_bytes())
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
}

#[test]
fn safety_1_seven_field_entries_use_their_cvss() {
    let report = br#"[["jinja2", "<2.10.1", "2.10", "sandbox escape", "37052",
        {"base_score": 6.8, "impact_score": 6.4, "vector_string": "AV:N/AC:M/Au:N/C:P/I:P/A:P"},
        {"base_score": 8.6, "impact_score": 6.0, "base_severity": "HIGH", "vector_string": "CVSS:3.0/AV:N"}],
        ["pyyaml", "<4.1", "3.12", "load() is unsafe", 38100, {"base_score": 4.3}, null],
        ["six", "<1", "0.9", "", "1", null, null]]"#;
    let output = parse(report).unwrap();
    let severities: Vec<Severity> = output.findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [Severity::High, Severity::Medium, Severity::High]
    );
    assert_eq!(output.findings[1].rule_id.as_deref(), Some("safety/38100"));
    assert_eq!(
        output.findings[2].description,
        "Known vulnerability in six 0.9."
    );
}

#[test]
fn odd_shapes_are_handled() {
    let minimal = br#"{"vulnerabilities": [{"package_name": "flask", "vulnerability_id": 1234, "CVE": null, "fixed_versions": null}]}"#;
    let finding = &parse(minimal).unwrap().findings[0];
    assert_eq!(finding.rule_id.as_deref(), Some("safety/1234"));
    assert_eq!(finding.file, None);
    assert_eq!(
        finding.remediation.as_deref(),
        Some("Update flask to a patched version.")
    );
    let no_id = br#"[["a", "<1", "0.1", "x", null]]"#;
    assert_eq!(parse(no_id).unwrap().findings[0].rule_id, None);
    let short = br#"[["a", "<1", "0.1", "x"]]"#;
    let err = parse(short).unwrap_err();
    assert!(err.message().contains("has 4 fields"), "{err}");
    let scan = br#"{"meta": {}, "scan_results": {"projects": []}}"#;
    assert!(matches!(
        parse(scan),
        Err(ParseError::UnsupportedVersion(_))
    ));
}

#[test]
fn other_tools_reports_are_wrong_tool() {
    for name in [
        "dd-npm7-one-vuln.json",
        "generated-clean-no-findings.json",
        "gitleaks-repo-json-simple.json",
        "generated-empty-dir.json",
    ] {
        let err = parse(&other_tool(name)).unwrap_err();
        assert!(matches!(err, ParseError::WrongTool(_)), "{name}: {err}");
    }
    let err = parse(&other_tool("localhost-one-port.xml")).unwrap_err();
    assert!(matches!(err, ParseError::Malformed(_)), "{err}");
    assert!(err.message().contains("safety check --json"), "{err}");
}

#[test]
fn bad_bytes_are_typed_errors() {
    assert!(matches!(parse(b""), Err(ParseError::Empty(_))));
    assert!(matches!(parse(b" \n"), Err(ParseError::Empty(_))));
    assert!(matches!(parse(b"[\xff]"), Err(ParseError::Malformed(_))));
    assert!(matches!(parse(b"{not json"), Err(ParseError::Malformed(_))));
    assert!(matches!(parse(b"42"), Err(ParseError::Malformed(_))));
    assert!(matches!(
        parse(b"{\"a\": 1}"),
        Err(ParseError::WrongTool(_))
    ));
    let bytes = fixture("safety-2.3.5/safety-2.3.5-dict-many.json");
    assert!(
        parse(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Safety>(env!("CARGO_MANIFEST_DIR"), 200);
}
