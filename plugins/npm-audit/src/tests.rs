use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Adapter, Finding, Input, Output, ParseError, Severity};
use serde_json::json;

use crate::NpmAudit;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(NpmAudit);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<NpmAudit>(bytes)
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

// Counts from ../shared/corpus/INDEX.tsv (len(advisories) for npm 6, len(vulnerabilities) for 7+).
#[test]
fn one_finding_per_npm6_advisory_and_per_npm7_package() {
    for (name, count) in [
        ("npm-other/dd-npm6-no-vuln.json", 0),
        ("npm-other/dd-npm6-one-vuln.json", 1),
        ("npm-other/dd-npm6-cwe-null.json", 1),
        ("npm-other/availity-npm6-many.json", 51),
        ("npm-other/dd-npm7-no-vuln.json", 0),
        ("npm-other/dd-npm7-one-vuln.json", 1),
        ("npm-other/dd-npm7-many.json", 15),
        ("npm-other/clayton-npm7-189.json", 189),
    ] {
        assert_eq!(findings(name).len(), count, "{name}");
    }
}

#[test]
fn npm7_findings_keep_the_original_rule_title_and_description() {
    let finding = &findings("npm-other/dd-npm7-one-vuln.json")[0];
    assert_eq!(finding.rule_id.as_deref(), Some("npm-audit/debug"));
    assert_eq!(finding.title, "Vulnerable npm package: debug");
    assert_eq!(
        finding.description,
        "Regular Expression Denial of Service in debug; debug Inefficient Regular Expression Complexity vulnerability"
    );
    assert_eq!(finding.severity, Severity::High);
    assert_eq!(finding.metadata.get("range"), "<=2.6.8");
    assert_eq!(finding.metadata.get("via"), json!(["ms"]));
    assert_eq!(
        finding.metadata.get("fix_available"),
        json!({"name": "express", "version": "4.18.3", "isSemVerMajor": false})
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("Run 'npm audit fix' to install express@4.18.3, or manually update debug.")
    );
}

#[test]
fn npm7_packages_vulnerable_only_through_others_say_which() {
    let all = findings("npm-other/dd-npm7-many.json");
    let transitive: Vec<&Finding> = all
        .iter()
        .filter(|f| f.metadata.get("advisories").is_null())
        .collect();
    assert!(!transitive.is_empty());
    for finding in transitive {
        assert!(
            finding
                .description
                .contains("is vulnerable through its dependencies: "),
            "{}",
            finding.description
        );
        assert!(finding.metadata.get("via").is_array());
    }
}

#[test]
fn npm7_cwe_is_set_only_when_the_advisories_name_exactly_one() {
    let one = &findings("npm-other/dd-npm7-one-vuln.json")[0];
    // Two advisories, two CWEs: none is picked, both are kept.
    assert_eq!(one.cwe, None);
    assert_eq!(one.metadata.get("cwes"), json!(["CWE-400", "CWE-1333"]));
    let many = findings("npm-other/clayton-npm7-189.json");
    let single: Vec<&Finding> = many.iter().filter(|f| f.cwe.is_some()).collect();
    assert!(!single.is_empty());
    for finding in single {
        assert_eq!(
            finding.metadata.get("cwes"),
            json!([finding.cwe.as_deref().unwrap()])
        );
    }
}

#[test]
fn npm6_advisories_keep_their_cwe() {
    let finding = &findings("npm-other/dd-npm6-one-vuln.json")[0];
    assert_eq!(finding.cwe.as_deref(), Some("CWE-94"));
    assert_eq!(finding.rule_id.as_deref(), Some("npm-audit/growl/146"));
    assert_eq!(
        finding.title,
        "Vulnerable npm package: growl (advisory 146: Command Injection)"
    );
    assert_eq!(finding.severity, Severity::Critical);
    assert!(
        finding
            .description
            .starts_with("Affected versions of `growl`")
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some(
            "Update to version 1.10.2 or later. npm audit suggests installing mocha-jenkins-reporter@0.3.12."
        )
    );
    assert_eq!(finding.metadata.get("cves"), json!(["CVE-2017-16042"]));
    assert_eq!(
        finding.metadata.get("paths"),
        json!(["mocha-jenkins-reporter>mocha>growl"])
    );
    assert_eq!(finding.metadata.get("patched_versions"), ">=1.10.2");
    assert_eq!(
        finding.metadata.get("url"),
        "https://www.npmjs.com/advisories/146"
    );
    let many = findings("npm-other/availity-npm6-many.json");
    assert!(many.iter().all(|f| f.cwe.is_some()));
}

#[test]
fn npm6_null_or_listed_cwes_are_handled() {
    assert_eq!(findings("npm-other/dd-npm6-cwe-null.json")[0].cwe, None);
    let listed =
        br#"{"advisories": {"7": {"id": 7, "title": "t", "module_name": "m", "severity": "low",
        "cwe": ["CWE-79", "CWE-80"], "patched_versions": "<0.0.0"}}}"#;
    let finding = &parse(listed).unwrap().findings[0];
    assert_eq!(finding.cwe, None);
    assert_eq!(finding.metadata.get("cwes"), json!(["CWE-79", "CWE-80"]));
    assert_eq!(
        finding.remediation.as_deref(),
        Some("No patched version of m exists; remove or replace it.")
    );
}

#[test]
fn npm6_advisories_of_one_package_stay_distinct_and_in_id_order() {
    let many = findings("npm-other/availity-npm6-many.json");
    let lodash: Vec<&str> = many
        .iter()
        .filter(|f| f.metadata.get("package") == "lodash")
        .filter_map(|f| f.rule_id.as_deref())
        .collect();
    assert_eq!(
        lodash,
        [
            "npm-audit/lodash/577",
            "npm-audit/lodash/782",
            "npm-audit/lodash/1065",
            "npm-audit/lodash/1523"
        ]
    );
    let first = &many[0];
    assert_eq!(first.rule_id.as_deref(), Some("npm-audit/minimatch/118"));
    let debug = many
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("npm-audit/debug/534"))
        .unwrap();
    assert!(debug.remediation.as_deref().unwrap().contains(
        "npm audit suggests installing metalsmith-markdown@1.3.0 (a semver-major change)."
    ));
}

#[test]
fn findings_point_at_the_package_json_beside_the_audited_lockfile() {
    let mut input = Input::from_report(fixture("npm-other/dd-npm7-many.json"));
    input
        .settings
        .insert("file".into(), "myrepo/web/package-lock.json".into());
    let output = NpmAudit::parse(&input).unwrap();
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.file.as_deref() == Some("myrepo/web/package.json"))
    );
    input
        .settings
        .insert("file".into(), "npm-shrinkwrap.json".into());
    input.report = Some(securescan_adapter_sdk::ToolReport {
        bytes: fixture("npm-other/dd-npm6-one-vuln.json"),
        exit_code: Some(1),
        tool_version: None,
    });
    assert_eq!(
        NpmAudit::parse(&input).unwrap().findings[0].file.as_deref(),
        Some("package.json")
    );
    // Ingested reports name no file.
    assert_eq!(findings("npm-other/dd-npm7-one-vuln.json")[0].file, None);
}

#[test]
fn registry_refusal_is_a_tool_failure_not_zero_findings() {
    let err = parse(&fixture("npm-11.19.1/npm-11.19.1-audit-endpoint-405.json")).unwrap_err();
    assert_eq!(
        err,
        ParseError::ToolFailed(
            "npm audit failed: the registry answered HTTP 405 to POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk"
                .into()
        )
    );
}

#[test]
fn npm_error_objects_are_tool_failures() {
    // npm 11 without a lockfile, as printed on this machine.
    let enolock = br#"{
  "error": {
    "code": "ENOLOCK",
    "summary": "This command requires an existing lockfile.",
    "detail": "Try creating one first with: npm i --package-lock-only\nOriginal error: loadVirtual requires existing shrinkwrap file"
  }
}"#;
    let err = parse(enolock).unwrap_err();
    assert!(matches!(err, ParseError::ToolFailed(_)), "{err}");
    assert!(
        err.message().starts_with(
            "npm audit failed: ENOLOCK: This command requires an existing lockfile.: Try creating"
        ),
        "{err}"
    );
    let enoaudit = br#"{"error": {"code": "ENOAUDIT", "summary": "Your configured registry (https://registry.example/) does not support audit requests.", "detail": ""}}"#;
    let err = parse(enoaudit).unwrap_err();
    assert_eq!(
        err.message(),
        "npm audit failed: ENOAUDIT: Your configured registry (https://registry.example/) does not support audit requests."
    );
    assert!(matches!(
        parse(br#"{"error": "registry unreachable"}"#),
        Err(ParseError::ToolFailed(_))
    ));
}

#[test]
fn unknown_severity_is_medium_with_a_warning() {
    let report = br#"{"auditReportVersion": 2, "vulnerabilities": {"x": {"name": "x", "severity": "severe", "via": ["y"], "fixAvailable": false}}}"#;
    let output = parse(report).unwrap();
    assert_eq!(output.findings[0].severity, Severity::Medium);
    assert_eq!(
        output.warnings,
        ["unknown npm audit severity \"severe\" for x; reported as medium"]
    );
    assert_eq!(
        output.findings[0].remediation.as_deref(),
        Some("Check for updates to x or find an alternative package.")
    );
}

#[test]
fn odd_shapes_are_handled() {
    let newer = br#"{"auditReportVersion": 3, "vulnerabilities": {}}"#;
    let output = parse(newer).unwrap();
    assert!(output.findings.is_empty());
    assert_eq!(output.warnings.len(), 1);
    let bare = br#"{"vulnerabilities": {"x": {"severity": "low", "via": [{"title": "  "}], "fixAvailable": true}}}"#;
    let finding = &parse(bare).unwrap().findings[0];
    assert_eq!(finding.description, "Vulnerability in x");
    assert_eq!(
        finding.remediation.as_deref(),
        Some("Run 'npm audit fix' to auto-fix, or manually update x.")
    );
    let major = br#"{"vulnerabilities": {"x": {"severity": "low", "via": [], "fixAvailable": {"name": "y", "version": "2.0.0", "isSemVerMajor": true}}}}"#;
    assert_eq!(
        parse(major).unwrap().findings[0].remediation.as_deref(),
        Some(
            "Run 'npm audit fix --force' to install y@2.0.0 (a semver-major change), or manually update x."
        )
    );
    let bad_via = br#"{"vulnerabilities": {"x": {"severity": "low", "via": [42]}}}"#;
    assert!(matches!(parse(bad_via), Err(ParseError::Malformed(_))));
}

#[test]
fn other_tools_reports_are_wrong_tool() {
    for name in [
        "safety-2.3.5-dict-one.json",
        "generated-clean-no-findings.json",
        "gitleaks-repo-json-simple.json",
        "npm-empty-project.json",
        "generated-empty-dir.json",
    ] {
        let err = parse(&other_tool(name)).unwrap_err();
        assert!(matches!(err, ParseError::WrongTool(_)), "{name}: {err}");
        assert!(err.message().contains("npm audit"), "{name}: {err}");
    }
    assert!(matches!(
        parse(&other_tool("localhost-one-port.xml")),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn bad_bytes_are_typed_errors() {
    assert!(matches!(parse(b""), Err(ParseError::Empty(_))));
    assert!(matches!(parse(b"\n\t"), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(b"{\"vulnerabilities\": \xff}"),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(parse(b"not json"), Err(ParseError::Malformed(_))));
    let bytes = fixture("npm-other/clayton-npm7-189.json");
    assert!(
        parse(&bytes[..bytes.len() / 3])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<NpmAudit>(env!("CARGO_MANIFEST_DIR"), 200);
}
