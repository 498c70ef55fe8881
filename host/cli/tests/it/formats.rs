//! The deterministic formats (sarif, csv, junit, html, report-pdf, and for changes
//! github-pr-comment, github-review and the baseline file): golden bytes, determinism, and each
//! format read back by a real reader — Microsoft's SARIF validator with GitHub's
//! ingestion rules, an RFC 4180 reader, an XML well-formedness check, poppler for the PDF.

use std::path::{Path, PathBuf};
use std::process::Command;

use securescan_engine::findings::{
    ChangeMode, ChangeSet, Finding, ScanType, Severity, SuppressedBy, Suppression, sort_canonical,
};
use securescan_engine::scan::{FailureKind, ScanResult, ScannerOutcome, ScannerStatus};
use securescan_engine::snapshot::render_baseline;
use securescan_report::github::{PrComment, Review, ReviewEvent, render_pr_comment, render_review};
use securescan_report::{OutputFormat, render, sarif_with};
use serde_json::{Map, Value};

use crate::support::{securescan, workspace};

fn finding(scanner: &str, scan_type: ScanType, severity: Severity, title: &str) -> Finding {
    Finding {
        id: format!("id-{}", title.len()),
        scan_id: "s1".into(),
        scanner: scanner.into(),
        scan_type,
        severity,
        title: title.into(),
        description: format!("{title}."),
        file_path: None,
        line_start: None,
        line_end: None,
        rule_id: None,
        cwe: None,
        remediation: None,
        metadata: Default::default(),
        original_severity: None,
        suppression: None,
        compliance_tags: Vec::new(),
        fingerprint: String::new(),
    }
}

/// Every shape a renderer must cope with, in canonical order: a finding without lines, ones
/// without a file, a duplicate fingerprint, a rule id with odd characters, unicode, quotes,
/// commas, newlines and a control character in text.
fn sample() -> ScanResult {
    let cve = Finding {
        file_path: Some("requirements.txt".into()),
        rule_id: Some("CVE-2024-0001".into()),
        description: "Bad bug".into(),
        remediation: Some("Update to 2.32.0".into()),
        fingerprint: "36c56bcb0274db524d1b3c4c8508bc56d50fdf59d19130aacc6791e6aa8aeef6".into(),
        ..finding(
            "trivy",
            ScanType::Dependency,
            Severity::Critical,
            "CVE-2024-0001 in requests",
        )
    };
    let eval = Finding {
        description: "Detected use of eval(). This is dangerous. More text here.".into(),
        file_path: Some("src/app.py".into()),
        line_start: Some(42),
        line_end: Some(42),
        rule_id: Some("python.lang.security.audit.eval-detected".into()),
        cwe: Some(
            "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code".into(),
        ),
        remediation: Some("Avoid eval.".into()),
        compliance_tags: vec!["OWASP-A03".into(), "PCI-DSS-6.5.1".into()],
        fingerprint: "698e2557ce15ec994e195553c860c23ad96c0aca421c6f271e0f799ae2a43240".into(),
        ..finding("semgrep", ScanType::Code, Severity::High, "Use of eval")
    };
    let eval_again = Finding {
        line_start: Some(57),
        line_end: Some(58),
        ..eval.clone()
    };
    let shell = Finding {
        description: "subprocess call with shell=True identified,\n\"security issue\".".into(),
        file_path: Some("src/run.py".into()),
        line_start: Some(10),
        line_end: Some(12),
        rule_id: Some("B602".into()),
        cwe: Some("CWE-78".into()),
        fingerprint: "4119bfde0a5009ed0238ddb65f17468d048b7a44b42ee758fff6c59f8a382ece".into(),
        // Listed with --show-suppressed: every format marks it and none counts it.
        suppression: Some(Suppression::by(SuppressedBy::Config)),
        ..finding(
            "bandit",
            ScanType::Code,
            Severity::Medium,
            "subprocess_popen_with_shell_equals_true",
        )
    };
    let unicode = Finding {
        description: "Clé trouvée: «AKIA…», voir \"docs\"".into(),
        file_path: Some("docs/naïve dir/ü #1.md".into()),
        line_start: Some(3),
        rule_id: Some("odd rule/\"id\",<&>".into()),
        remediation: Some("Révoquez-la,\r\npuis changez-la.".into()),
        fingerprint: "5b1f0c43f8e3c0b61c1b3f5e9d6a2c7e4f8a9b0c1d2e3f405162738495a6b7c8".into(),
        ..finding(
            "secrets",
            ScanType::Code,
            Severity::Medium,
            "Clé « secrète » exposée ☃",
        )
    };
    let docker = Finding {
        description: "Escape \u{1b}[31mred\u{1b}[0m & <tags> in \"quotes\"".into(),
        file_path: Some("Dockerfile".into()),
        rule_id: Some("DL3007".into()),
        ..finding(
            "dockerfile",
            ScanType::Iac,
            Severity::Low,
            "Using latest <tag> & \"friends\"",
        )
    };
    let csp = Finding {
        rule_id: Some("dast/missing-csp".into()),
        fingerprint: "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000".into(),
        ..finding(
            "builtin_dast",
            ScanType::Dast,
            Severity::Info,
            "Missing Content-Security-Policy header",
        )
    };
    let firewall = Finding {
        description: "Neither ufw nor iptables.".into(),
        ..finding(
            "baseline",
            ScanType::Baseline,
            Severity::Info,
            "No active firewall detected",
        )
    };
    let outcome = |scanner: &str, scan_type, status| ScannerOutcome {
        scanner: scanner.into(),
        scan_type,
        status,
        tool_version: None,
        warnings: Vec::new(),
        duration: std::time::Duration::ZERO,
    };
    ScanResult {
        scan_id: "s1".into(),
        target: "https://app.example.test/".into(),
        scan_types: vec![ScanType::Code, ScanType::Dast],
        scanners: vec![
            outcome(
                "semgrep",
                ScanType::Code,
                ScannerStatus::Completed { findings: 2 },
            ),
            outcome(
                "bandit",
                ScanType::Code,
                ScannerStatus::Failed {
                    kind: FailureKind::Parse,
                    error: "report is not JSON".into(),
                },
            ),
            outcome(
                "zap",
                ScanType::Dast,
                ScannerStatus::Skipped {
                    reason: "zap is not installed".into(),
                    install_hint: None,
                },
            ),
        ],
        findings: vec![cve, eval, eval_again, shell, unicode, docker, csp, firewall],
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().expect("current directory")
}

pub(crate) fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SECURESCAN_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("mkdir golden");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{}: {err}; run with SECURESCAN_UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs (SECURESCAN_UPDATE_GOLDEN=1 regenerates it after a deliberate change):\n{actual}",
        path.display()
    );
}

#[test]
fn sarif_matches_its_golden_file() {
    golden(
        "scan.sarif",
        &render(&sample(), OutputFormat::Sarif, &cwd()),
    );
}

#[test]
fn csv_matches_its_golden_file() {
    golden("scan.csv", &render(&sample(), OutputFormat::Csv, &cwd()));
}

#[test]
fn junit_matches_its_golden_file() {
    golden(
        "scan.junit.xml",
        &render(&sample(), OutputFormat::Junit, &cwd()),
    );
}

#[test]
fn html_matches_its_golden_file() {
    golden("scan.html", &render(&sample(), OutputFormat::Html, &cwd()));
}

#[test]
fn pdf_matches_its_golden_file() {
    golden(
        "scan.pdf",
        &render(&sample(), OutputFormat::ReportPdf, &cwd()),
    );
}

/// The sample as a change: everything new but the firewall finding, which was fixed.
fn sample_changes() -> ChangeSet {
    let (mut fixed, mut new): (Vec<Finding>, Vec<Finding>) = sample()
        .findings
        .into_iter()
        .partition(|f| f.scanner == "baseline");
    sort_canonical(&mut new);
    sort_canonical(&mut fixed);
    ChangeSet {
        new,
        fixed,
        unchanged: Vec::new(),
    }
}

/// The diff text the review anchors on: the eval line is added.
const SAMPLE_DIFF: &str = "diff --git a/src/app.py b/src/app.py\n\
    index 111..222 100644\n--- a/src/app.py\n+++ b/src/app.py\n\
    @@ -39,3 +39,5 @@ def f():\n a = 1\n b = 2\n+c = 3\n+x = eval(y)\n d = 4\n";

#[test]
fn github_pr_comment_matches_its_golden_file() {
    let comment = render_pr_comment(
        &sample_changes(),
        &PrComment {
            repo: Some("o/r"),
            sha: Some("abc1234def"),
            mode: ChangeMode::Diff,
            show_suppressed: true,
        },
    );
    golden("diff.md", &comment);
}

#[test]
fn github_review_matches_its_golden_file() {
    let review = render_review(
        &sample_changes(),
        &Review {
            commit_id: "abc1234def5678",
            diff_text: SAMPLE_DIFF,
            mode: ChangeMode::Diff,
            event: ReviewEvent::Comment,
            repo: Some("o/r"),
            suggestions: true,
            show_suppressed: false,
            inline_limit: None,
        },
    );
    serde_json::from_str::<Value>(&review).expect("the review payload is JSON");
    golden("diff.review.json", &review);
}

#[test]
fn baseline_file_matches_its_golden_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = render_baseline(
        &sample().findings,
        dir.path(),
        &[ScanType::Code, ScanType::Dast],
        &dir.path().join(".securescan/baseline.json"),
        "securescan",
        &cwd(),
    );
    golden("baseline.json", &text);
}

#[test]
fn every_machine_format_renders_the_same_bytes_twice() {
    for format in [
        OutputFormat::Sarif,
        OutputFormat::Csv,
        OutputFormat::Junit,
        OutputFormat::Html,
        OutputFormat::ReportPdf,
    ] {
        assert_eq!(
            render(&sample(), format, &cwd()),
            render(&sample(), format, &cwd()),
            "{format:?}"
        );
    }
}

/// The errors `sarif-multitool validate` reports, from its own SARIF log, with the SARIF rules
/// plus GitHub's ingestion rules (`Gh`). Warnings (such as a file finding without a region) pass.
pub(crate) fn validate_sarif(sarif: &str) -> Vec<String> {
    let tool = std::env::var("SECURESCAN_TEST_SARIF_MULTITOOL").expect(
        "scripts/setup.sh exports SECURESCAN_TEST_SARIF_MULTITOOL (@microsoft/sarif-multitool)",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input.sarif");
    let log = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).expect("write sarif");
    // The npm wrapper hands its arguments to a shell, so they must be plain words.
    let plain = |p: &PathBuf| {
        let text = p.to_str().expect("utf-8 temp path").to_string();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
            "{text}"
        );
        text
    };
    let output = Command::new(&tool)
        .arg("validate")
        .arg(plain(&input))
        // The multitool skips files over 10,000 KB by default; GitHub's limit is on the
        // compressed upload, so a log within it can be larger than that.
        .args(["--max-file-size-in-kb", "1000000"])
        .args(["--rule-kind", "Sarif", "Gh", "-o"])
        .arg(plain(&log))
        .output()
        .unwrap_or_else(|err| panic!("{tool}: {err}"));
    let console = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{tool} failed:\n{console}");
    let log: Value = serde_json::from_slice(
        &std::fs::read(&log).unwrap_or_else(|err| panic!("no validation log ({err}):\n{console}")),
    )
    .expect("the validation log is JSON");
    let mut errors = Vec::new();
    for run in log["runs"].as_array().expect("runs") {
        let notifications = run["invocations"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|i| {
                [
                    "toolExecutionNotifications",
                    "toolConfigurationNotifications",
                ]
                .map(|key| i[key].as_array().cloned().unwrap_or_default())
            })
            .flatten();
        for item in run["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .chain(notifications)
        {
            if item["level"] == "error" {
                errors.push(item.to_string());
            }
        }
    }
    errors
}

#[test]
fn sarif_passes_microsofts_validator_with_githubs_rules() {
    let errors = validate_sarif(&render(&sample(), OutputFormat::Sarif, &cwd()));
    assert!(errors.is_empty(), "{errors:#?}");
}

/// `diff --output sarif`: the new findings, with the refs on the invocation.
#[test]
fn diff_sarif_passes_microsofts_validator_with_githubs_rules() {
    let changes = sample_changes();
    let result = ScanResult {
        findings: changes.new,
        ..sample()
    };
    let properties = Map::from_iter([
        ("diffMode".to_string(), Value::Bool(true)),
        ("baseRef".to_string(), Value::from("main")),
        ("headRef".to_string(), Value::from("HEAD")),
    ]);
    let sarif = sarif_with(&result, Some(properties), &cwd());
    let errors = validate_sarif(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let document: Value = serde_json::from_str(&sarif).expect("json");
    assert_eq!(
        document["runs"][0]["invocations"][0]["properties"]["baseRef"],
        "main"
    );
}

#[test]
fn json_matches_its_golden_file() {
    golden("scan.json", &render(&sample(), OutputFormat::Json, &cwd()));
}

#[test]
fn text_matches_its_golden_file() {
    golden("scan.txt", &render(&sample(), OutputFormat::Text, &cwd()));
}

#[test]
fn sarif_collapses_equal_fingerprints_and_reports_the_failed_scanner() {
    let sarif: Value = serde_json::from_str(&render(&sample(), OutputFormat::Sarif, &cwd()))
        .expect("sarif is JSON");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), sample().findings.len() - 1);
    let eval: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "python.lang.security.audit.eval-detected")
        .collect();
    assert_eq!(eval.len(), 1);
    assert_eq!(
        eval[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        42
    );
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let mut sorted = rules.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(rules, sorted);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

/// RFC 4180 records: CRLF-terminated, quoted fields with doubled quotes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(
                    field.is_empty(),
                    "a quote inside an unquoted field: {field:?}"
                );
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF outside quotes");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record lacks its CRLF"
    );
    records
}

#[test]
fn csv_reads_back_field_for_field() {
    let result = sample();
    let records = read_csv(&render(&result, OutputFormat::Csv, &cwd()));
    assert_eq!(
        records[0],
        [
            "severity",
            "scanner",
            "title",
            "file",
            "line",
            "rule_id",
            "cwe",
            "description",
            "remediation",
            "suppressed"
        ]
    );
    assert_eq!(records.len(), result.findings.len() + 1);
    for (record, f) in records[1..].iter().zip(&result.findings) {
        let suppressed = f.suppressed_by().map(SuppressedBy::as_str);
        let expected = [
            f.severity.as_str().to_string(),
            f.scanner.clone(),
            f.title.clone(),
            f.file_path.clone().unwrap_or_default(),
            f.line_start.map(|l| l.to_string()).unwrap_or_default(),
            f.rule_id.clone().unwrap_or_default(),
            f.cwe.clone().unwrap_or_default(),
            f.description.clone(),
            f.remediation.clone().unwrap_or_default(),
            suppressed.unwrap_or_default().to_string(),
        ];
        assert_eq!(record, &expected);
    }
}

#[test]
fn csv_defuses_cells_a_spreadsheet_would_run() {
    let mut result = sample();
    result.findings.truncate(1);
    result.findings[0].title = "=HYPERLINK(\"http://evil.test\",\"click\")".into();
    result.findings[0].file_path = Some("@SUM(A1).py".into());
    let records = read_csv(&render(&result, OutputFormat::Csv, &cwd()));
    assert_eq!(records[1][2], "'=HYPERLINK(\"http://evil.test\",\"click\")");
    assert_eq!(records[1][3], "'@SUM(A1).py");
}

#[test]
fn csv_cuts_description_and_remediation_at_200_characters() {
    let mut result = sample();
    result.findings.truncate(1);
    result.findings[0].description = "é".repeat(250);
    let records = read_csv(&render(&result, OutputFormat::Csv, &cwd()));
    assert_eq!(records[1][7], "é".repeat(200));
}

/// An XML element tree, enough to check well-formedness and read attributes and text back.
#[derive(Debug)]
pub(crate) struct Element {
    pub(crate) name: String,
    attributes: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    text: String,
}

impl Element {
    pub(crate) fn attribute(&self, name: &str) -> &str {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }
}

fn decode_xml(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        assert!(rest[at..].starts_with('&'), "raw < in {raw:?}");
        let end = rest[at..].find(';').expect("entity ends with ;") + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = entity.strip_prefix('#').expect("known entity");
                let value = match code.strip_prefix('x') {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => code.parse(),
                }
                .expect("numeric reference");
                char::from_u32(value).expect("a character")
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    assert!(
        out.chars().all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)),
        "a character XML 1.0 forbids in {out:?}"
    );
    out
}

fn parse_element(xml: &str) -> (Element, &str) {
    let rest = xml.strip_prefix('<').expect("an element starts with <");
    let name_end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .expect("element name ends");
    let mut element = Element {
        name: rest[..name_end].to_string(),
        attributes: Vec::new(),
        children: Vec::new(),
        text: String::new(),
    };
    let mut rest = rest[name_end..].trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("/>") {
            return (element, after);
        }
        if let Some(after) = rest.strip_prefix('>') {
            rest = after;
            break;
        }
        let (name, after) = rest.split_once("=\"").expect("attribute=\"value\"");
        let end = after.find('"').expect("attribute value closes");
        let name = name.trim().to_string();
        assert!(
            element.attributes.iter().all(|(n, _)| *n != name),
            "duplicate attribute {name}"
        );
        element.attributes.push((name, decode_xml(&after[..end])));
        rest = after[end + 1..].trim_start();
    }
    loop {
        let close = format!("</{}>", element.name);
        if let Some(after) = rest.strip_prefix(close.as_str()) {
            return (element, after);
        }
        if rest.starts_with('<') {
            let (child, after) = parse_element(rest);
            element.children.push(child);
            rest = after;
        } else {
            let end = rest.find('<').expect("element closes");
            element.text.push_str(&decode_xml(&rest[..end]));
            rest = &rest[end..];
        }
    }
}

pub(crate) fn parse_xml(document: &str) -> Element {
    let body = document
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let (root, rest) = parse_element(body);
    assert_eq!(rest, "\n", "one root element, then the final newline");
    root
}

#[test]
fn junit_is_well_formed_and_reads_back() {
    let result = sample();
    let suite = parse_xml(&render(&result, OutputFormat::Junit, &cwd()));
    assert_eq!(suite.name, "testsuite");
    assert_eq!(suite.attribute("tests"), result.findings.len().to_string());
    assert_eq!(suite.attribute("failures"), "3");
    assert_eq!(suite.attribute("skipped"), "1");
    // How each scanner ended, then one test case per finding.
    let properties = &suite.children[0];
    assert_eq!(properties.name, "properties");
    assert_eq!(properties.children.len(), result.scanners.len());
    assert_eq!(
        properties.children[1].attribute("value"),
        "failed: parse-error: report is not JSON"
    );
    let cases = &suite.children[1..];
    assert_eq!(cases.len(), result.findings.len());
    for (case, f) in cases.iter().zip(&result.findings) {
        assert_eq!(case.name, "testcase");
        assert_eq!(case.attribute("name"), f.title);
        assert_eq!(
            case.attribute("classname"),
            format!("securescan.{}", f.scanner)
        );
        if let Some(by) = f.suppressed_by() {
            // A suppressed finding never fails the tab: it is skipped, saying why.
            assert_eq!(case.children[0].name, "skipped");
            assert_eq!(
                case.children[0].attribute("message"),
                format!("SUPPRESSED:{by}")
            );
            continue;
        }
        match f.severity {
            Severity::Critical | Severity::High => {
                let failure = &case.children[0];
                assert_eq!(failure.name, "failure");
                assert_eq!(failure.attribute("message"), f.title);
                assert!(failure.text.starts_with(&f.description), "{failure:?}");
            }
            Severity::Medium => {
                assert_eq!(case.children[0].name, "system-out");
                assert_eq!(case.children[0].text, f.description);
            }
            Severity::Low | Severity::Info => assert!(case.children.is_empty()),
        }
    }
}

#[test]
fn junit_replaces_characters_xml_cannot_carry() {
    let mut result = sample();
    result.findings.truncate(1);
    result.findings[0].description = "nul\u{0} bell\u{7} esc\u{1b}".into();
    let suite = parse_xml(&render(&result, OutputFormat::Junit, &cwd()));
    assert!(
        suite.children[1].children[0]
            .text
            .starts_with("nul\u{FFFD} bell\u{FFFD} esc\u{FFFD}\n"),
        "{suite:?}"
    );
}

#[test]
fn ingested_semgrep_report_gives_valid_repo_relative_sarif() {
    let report =
        workspace().join("plugins/semgrep/fixtures/semgrep-1.182.0/generated-python-vuln-app.json");
    let output = securescan()
        .args(["ingest", "--scanner", "semgrep", "--output", "sarif"])
        .arg(&report)
        .output()
        .expect("securescan runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sarif = String::from_utf8(output.stdout).expect("utf-8");
    let errors = validate_sarif(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let sarif: Value = serde_json::from_str(&sarif).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{result}");
        assert!(
            artifact["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("pyapp/")),
            "{result}"
        );
    }
}

#[test]
fn an_unknown_output_format_lists_the_valid_ones() {
    let output = securescan()
        .args(["scan", ".", "--output", "yaml"])
        .output()
        .expect("securescan runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("choose text, json, json-envelope, sarif, csv, junit, html, report-pdf"),
        "{stderr}"
    );
}

#[test]
fn a_format_of_another_command_says_where_it_applies() {
    let stderr_of = |args: &[&str]| {
        let output = securescan().args(args).output().expect("securescan runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let review = stderr_of(&["scan", ".", "--output", "github-review"]);
    assert!(review.contains("`securescan diff`"), "{review}");
    assert!(
        review.contains("choose text, json, json-envelope, sarif, csv"),
        "{review}"
    );
    let html = stderr_of(&["diff", "--output", "html"]);
    assert!(html.contains("`securescan scan`"), "{html}");
    assert!(
        html.contains("choose text, json, sarif, github-pr-comment, github-review"),
        "{html}"
    );
}

#[test]
fn the_validator_check_does_catch_github_errors() {
    let mut sarif: Value = serde_json::from_str(&render(&sample(), OutputFormat::Sarif, &cwd()))
        .expect("sarif is JSON");
    let result = sarif["runs"][0]["results"][0]
        .as_object_mut()
        .expect("a result");
    result.remove("locations");
    let errors = validate_sarif(&sarif.to_string());
    assert!(errors.iter().any(|e| e.contains("GH1015")), "{errors:#?}");
}

#[test]
fn html_escapes_everything_scanned_content_controls() {
    let mut result = sample();
    result.target = "<img src=x onerror=alert(1)>".into();
    result.findings[0].title = "<script>alert('pwned')</script>".into();
    result.findings[0].file_path = Some("a\"><b>.txt".into());
    result.findings[1].description = "</td></tr><iframe src=//evil.test>".into();
    result.scanners[0].scanner = "<svg onload=x>".into();
    let html = render(&result, OutputFormat::Html, &cwd());
    let tags: std::collections::BTreeSet<&str> = html
        .split('<')
        .skip(1)
        .map(|rest| {
            let name = rest.trim_start_matches('/');
            &name[..name.find([' ', '>']).expect("a tag ends")]
        })
        .collect();
    let ours = [
        "!DOCTYPE", "b", "body", "code", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
        "head", "header", "html", "li", "main", "meta", "section", "span", "strong", "style",
        "table", "tbody", "td", "th", "thead", "title", "tr", "ul",
    ];
    for tag in &tags {
        assert!(ours.contains(tag), "<{tag}> reached the report");
    }
    for raw in ["url(", "@import", "href="] {
        assert!(!html.contains(raw), "{raw} reached the report");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
}

#[test]
fn html_shows_compliance_coverage_only_when_findings_carry_tags() {
    let html = render(&sample(), OutputFormat::Html, &cwd());
    assert!(html.contains("<h2>Compliance Coverage</h2>"));
    assert!(html.contains("<tr><td>OWASP-A03</td><td>2</td></tr>"));
    let mut untagged = sample();
    for f in &mut untagged.findings {
        f.compliance_tags.clear();
    }
    assert!(!render(&untagged, OutputFormat::Html, &cwd()).contains("Compliance Coverage"));
}

#[test]
fn html_groups_findings_by_severity_most_severe_first() {
    let html = render(&sample(), OutputFormat::Html, &cwd());
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} is missing"))
    };
    assert!(at("Critical (1)</span></h3>") < at("High (2)</span></h3>"));
    assert!(at("High (2)</span></h3>") < at("Medium (2)</span></h3>"));
    assert!(at("Low (1)</span></h3>") < at("Info (2)</span></h3>"));
    assert!(at("CVE-2024-0001 in requests") < at("High (2)"));
}

/// What poppler's `pdfinfo` or `pdftotext` prints for the PDF (scripts/setup.sh installs it).
fn poppler(tool: &str, pdf: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let mut command = Command::new(tool);
    command.arg(&file);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(err) => panic!("{tool}: {err} (scripts/setup.sh installs poppler-utils)"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{tool} failed: {stderr}");
    // Poppler reports a broken xref or stream but carries on; any such note is a failure here.
    assert!(stderr.is_empty(), "{tool} complained: {stderr}");
    String::from_utf8(output.stdout).expect("utf-8")
}

fn pdf_pages(pdf: &str) -> usize {
    let info = poppler("pdfinfo", pdf);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo prints Pages:");
    pages.trim().parse().expect("a page count")
}

#[test]
fn pdf_text_reads_back_with_poppler() {
    let result = sample();
    let pdf = render(&result, OutputFormat::ReportPdf, &cwd());
    assert!(pdf.is_ascii() && pdf.starts_with("%PDF-1.4\n"));
    let text = poppler("pdftotext", &pdf);
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = words(&text);
    for f in &result.findings {
        // WinAnsi has no snowman; everything else in the titles shown survives the round trip.
        let title = words(&securescan_report::headline(f).replace('☃', "?"));
        assert!(text.contains(&title), "{title:?} is not in:\n{text}");
    }
    for needle in [
        "Risk Score: 71.9 — CRITICAL",
        "Critical: 1 High: 2 Medium: 1 Low: 1 Info: 2",
        "OWASP-A03: 2 findings",
        "Location: docs/naïve dir/ü #1.md:3",
        "bandit (code): failed — parse-error: report is not JSON",
    ] {
        assert!(text.contains(needle), "{needle:?} is not in:\n{text}");
    }
    assert_eq!(pdf_pages(&pdf), 2);
}

#[test]
fn a_long_pdf_report_has_as_many_pages_as_poppler_counts() {
    let mut result = sample();
    let template = result.findings[1].clone();
    result.findings = (0..120)
        .map(|i| Finding {
            title: format!("Finding number {i} (with \\ and parentheses)"),
            description: "A long description that must wrap. ".repeat(8),
            ..template.clone()
        })
        .collect();
    let pdf = render(&result, OutputFormat::ReportPdf, &cwd());
    let written = pdf.matches("/Type /Page /Parent").count();
    assert!(written > 5, "{written} pages");
    assert!(pdf.contains(&format!("page {written} of {written})")));
    assert_eq!(pdf_pages(&pdf), written);
    let text = poppler("pdftotext", &pdf);
    assert!(
        text.contains("Finding number 119 (with \\ and parentheses)"),
        "{text}"
    );
}

#[test]
fn ingest_writes_a_pdf_and_an_html_report_to_files() {
    let report =
        workspace().join("plugins/semgrep/fixtures/semgrep-1.182.0/generated-python-vuln-app.json");
    let dir = tempfile::tempdir().expect("temp dir");
    for (format, name, start) in [
        ("report-pdf", "report.pdf", "%PDF-1.4\n"),
        ("html", "report.html", "<!DOCTYPE html>\n"),
    ] {
        let file = dir.path().join(name);
        let output = securescan()
            .args(["ingest", "--scanner", "semgrep", "--output", format])
            .arg(&report)
            .arg("--output-file")
            .arg(&file)
            .output()
            .expect("securescan runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = std::fs::read_to_string(&file).expect("the report file");
        assert!(written.starts_with(start), "{format}");
        assert!(written.contains("Findings by Severity"), "{format}");
    }
}

/// What GitHub's renderer acts on in `markdown`: the text outside code spans and fenced blocks
/// (CommonMark: a backtick run opens a span that the next run of the same length closes; an
/// escaped backtick opens none), each span left as one space. A backslash-escaped bracket, angle
/// bracket or backtick is literal text and becomes `·`; any other escaped character stays, as
/// GitHub still reads it for mentions and references.
fn outside_code(markdown: &str) -> String {
    let chars: Vec<char> = markdown.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                let escaped = chars[i + 1];
                out.push(if "[]<>`".contains(escaped) {
                    '·'
                } else {
                    escaped
                });
                i += 2;
            }
            '`' => {
                let run = run_at(i);
                let mut j = i + run;
                let mut close = None;
                while j < chars.len() && close.is_none() {
                    if chars[j] == '`' {
                        let other = run_at(j);
                        close = (other == run).then_some(j);
                        j += other;
                    } else {
                        j += 1;
                    }
                }
                match close {
                    Some(at) => {
                        out.push(' ');
                        i = at + run;
                    }
                    None => {
                        out.extend(&chars[i..i + run]);
                        i += run;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Asserts that nothing in `markdown` but SecureScan's own markup is live for a GitHub reader:
/// no HTML (the upsert markers are ours and whole lines), no link but to `links_to`, no
/// autolink, no `@mention` and no `#123` reference.
fn assert_inert(markdown: &str, links_to: &[&str]) {
    let mut text = outside_code(markdown)
        .lines()
        .filter(|line| !(line.starts_with("<!-- securescan:") && line.ends_with(" -->")))
        .collect::<Vec<_>>()
        .join("\n");
    for (at, _) in text.match_indices("](") {
        let destination = &text[at + 2..];
        assert!(
            links_to.iter().any(|ours| destination.starts_with(ours)),
            "a link to {:?} in:\n{markdown}",
            destination.lines().next()
        );
    }
    for ours in links_to {
        text = text.replace(&format!("]({ours}"), "]");
    }
    assert!(!text.contains('<'), "HTML in:\n{markdown}");
    for live in ["://", "www.", "](", "]["] {
        assert!(!text.contains(live), "{live:?} in:\n{markdown}");
    }
    let after = |mark: char| {
        text.match_indices(mark)
            .filter_map(|(at, _)| text[at + 1..].chars().next())
            .collect::<Vec<char>>()
    };
    assert!(
        !after('@').iter().any(char::is_ascii_alphanumeric),
        "a mention in:\n{markdown}"
    );
    assert!(
        !after('#').iter().any(char::is_ascii_digit),
        "a reference in:\n{markdown}"
    );
}

/// A directory and a `.env` file a stranger's pull request could add: the directory name holds
/// backticks around `<details>`, which would close the code span quoting the path and fold the
/// rest of the comment under "All checks passed"; the secret's key, which becomes the title, is
/// a link, a mention, a reference and an autolink.
const HOSTILE_ENV_FILE: &str = "a`<details><summary>All checks passed</summary>`/x.env";
const HOSTILE_ENV_LINE: &str =
    "[review](https://evil.test/x) @someone #1 www.evil.test TOKEN=s3cr3tvalue99\n";

#[test]
fn a_hostile_repository_cannot_fold_link_or_mention_in_the_pr_comment() {
    let dir = crate::support::tree(&[(HOSTILE_ENV_FILE, HOSTILE_ENV_LINE)]);
    let empty = tempfile::tempdir().expect("temp dir");
    let baseline = empty.path().join("baseline.json");
    std::fs::write(&baseline, "[]").expect("write baseline");
    let output = crate::support::isolated(empty.path())
        .current_dir(dir.path())
        .arg("compare")
        .arg(".")
        .arg(&baseline)
        .args(["--type", "code", "-o", "github-pr-comment"])
        .args(["--repo", "o/r", "--sha", "abc"])
        .output()
        .expect("securescan runs");
    let comment = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{comment}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_inert(&comment, &["https://github.com/o/r/blob/abc/"]);
    let bullet = "- **Secret in env file: \\[review\\](https:\u{200D}//evil.test/x) \
        @\u{200D}someone #\u{200D}1 www\u{200D}.evil.test TOKEN** — \
        [``a`<details><summary>All checks passed</summary>`/x.env:1``]\
        (https://github.com/o/r/blob/abc/a%60%3Cdetails%3E%3Csummary%3EAll%20checks%20passed\
        %3C/summary%3E%60/x.env#L1) ([secrets])\n";
    assert!(comment.contains(bullet), "{comment}");
}

#[test]
fn a_hostile_finding_cannot_fold_link_or_mention_in_the_review() {
    let hostile = |line: u32, fingerprint: &str| Finding {
        file_path: Some("src/app.py".into()),
        line_start: Some(line),
        rule_id: Some("R1\n```\n<details>".into()),
        cwe: Some("CWE-79".into()),
        description: "# Approved\n\n<details><summary>ok</summary> @someone fixed #12".into(),
        remediation: Some("See [docs](https://evil.test) or www.evil.test".into()),
        fingerprint: fingerprint.repeat(64),
        ..finding(
            "semgrep",
            ScanType::Code,
            Severity::High,
            "x](https://evil.test) `<img src=x>` @org/team",
        )
    };
    let mut fallback = hostile(1, "b");
    fallback.file_path = Some("a`<details>`.py".into());
    let fixed = hostile(2, "c");
    let changes = ChangeSet {
        new: vec![hostile(42, "a"), fallback],
        fixed: vec![fixed],
        unchanged: Vec::new(),
    };
    let diff = "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n\
        @@ -41,0 +42 @@\n+x = eval(y)\n";
    let review = render_review(
        &changes,
        &Review {
            commit_id: "abc1234def5678",
            diff_text: diff,
            mode: ChangeMode::Diff,
            event: ReviewEvent::Comment,
            repo: Some("o/r"),
            suggestions: true,
            show_suppressed: false,
            inline_limit: None,
        },
    );
    let review: Value = serde_json::from_str(&review).expect("the review payload is JSON");
    let cwe = "https://cwe.mitre.org/data/definitions/79.html)";
    let body = review["body"].as_str().expect("a body");
    assert_inert(body, &[cwe]);
    assert!(
        body.contains("\n- **[x\\](https:\u{200D}//evil.test) \\`&lt;img src=x&gt;\\` @\u{200D}org/team](https://cwe.mitre.org/data/definitions/79.html)** (semgrep) ``a`<details>`.py:1``\n  \\# Approved &lt;details&gt;&lt;summary&gt;ok&lt;/summary&gt; @\u{200D}someone fixed #\u{200D}12\n"),
        "{body}"
    );
    let comment = review["comments"][0]["body"]
        .as_str()
        .expect("an inline comment");
    assert_inert(comment, &[cwe]);
    assert!(
        comment.contains("\n\n_Remediation:_ See \\[docs\\](https:\u{200D}//evil.test) or www\u{200D}.evil.test\n\n"),
        "{comment}"
    );
    assert!(
        !comment.contains("```yaml"),
        "no pin for a rule id that ends the block: {comment}"
    );
}

#[test]
fn a_hostile_report_cannot_point_sarif_outside_the_source_root() {
    let result = |file: &str| {
        format!(
            r#"{{"filename": "{file}", "test_id": "B105", "test_name": "hardcoded_password_string",
            "issue_text": "x", "issue_severity": "HIGH", "issue_confidence": "HIGH",
            "line_number": 1, "line_range": [1]}}"#
        )
    };
    // More `..` than the temp directory is deep: past `/` they stay at `/`.
    let up = "../".repeat(12);
    let climbing = [
        format!("{up}etc/passwd"),
        format!("src/../{up}etc/shadow"),
        "/etc/hosts".to_string(),
    ];
    let results: Vec<String> = ["src/app.py".to_string()]
        .iter()
        .chain(&climbing)
        .map(|file| result(file))
        .collect();
    let report = format!(
        r#"{{"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {{}}, "results": [{}]}}"#,
        results.join(",")
    );
    let dir = crate::support::tree(&[
        ("src/app.py", "password = 'hunter2'\n"),
        ("bandit.json", &report),
    ]);
    let empty = tempfile::tempdir().expect("temp dir");
    let output = crate::support::isolated(empty.path())
        .current_dir(dir.path())
        .args([
            "ingest",
            "--scanner",
            "bandit",
            "-o",
            "sarif",
            "--target",
            ".",
        ])
        .arg("bandit.json")
        .output()
        .expect("securescan runs");
    let sarif = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{sarif}",
        String::from_utf8_lossy(&output.stderr)
    );
    let errors = validate_sarif(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let document: Value = serde_json::from_str(&sarif).expect("json");
    let mut uris: Vec<(String, Option<String>)> = document["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (
                artifact["uri"].as_str().unwrap_or_default().to_string(),
                artifact["uriBaseId"].as_str().map(str::to_string),
            )
        })
        .collect();
    uris.sort();
    let srcroot = Some("%SRCROOT%".to_string());
    assert_eq!(
        uris,
        [
            ("file:///etc/hosts".to_string(), None),
            ("file:///etc/passwd".to_string(), None),
            ("file:///etc/shadow".to_string(), None),
            ("src/app.py".to_string(), srcroot),
        ]
    );
}
