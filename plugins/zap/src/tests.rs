use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Adapter, Input, Output, ParseError, Severity};
use serde_json::Value;

use crate::Zap;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Zap);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Zap>(bytes)
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)).unwrap()
}

fn fixture(name: &str) -> Output {
    parse(fixture_text(name).as_bytes()).unwrap()
}

// Counts from ../shared/corpus/INDEX.tsv: alerts summed over sites, or the list length.
#[test]
fn every_alert_of_every_site_and_list_is_kept() {
    let cases = [
        ("zap-2.14.0/llowgn-2.14.0-traditional.json", 15),
        ("zap-2.14.0/llowgn-2.14.0-two-sites.json", 15),
        ("zap-2.14.0/lightbroker-2.14.0-compact.json", 16),
        ("zap-2.17.0/inholland-2.17.0-insights.json", 5),
        ("zap-2.17.0/vulpy-2.17.0.json", 18),
        ("zap-2.14.0/kene-2.14.0-many-instances.json", 23),
        ("zap-2.15.0/django-helloworld-2.15.0.json", 5),
        ("zap-other/vsuraj-api-alerts-list.json", 10),
        ("zap-other/syn-transport-api-alerts-list.json", 79),
    ];
    for (name, expected) in cases {
        let output = fixture(name);
        assert_eq!(output.findings.len(), expected, "{name}");
        assert!(output.warnings.is_empty(), "{name}: {:?}", output.warnings);
    }
}

// QUIRK fixed: the original read `riskcode`/`pluginid` from API alerts, which have
// `risk`/`pluginId`, so every API alert was info and `zap-unknown`.
#[test]
fn api_alerts_read_risk_and_plugin_id() {
    let output = fixture("zap-other/vsuraj-api-alerts-list.json");
    let first = &output.findings[0];
    assert_eq!(first.title, "Cross-Domain Misconfiguration");
    assert_eq!(first.severity, Severity::Medium);
    assert_eq!(first.rule_id.as_deref(), Some("zap-10098"));
    assert_eq!(
        first.metadata.get("url"),
        "https://backend.auenkumar64.workers.dev/sitemap.xml"
    );
    assert_eq!(
        first.metadata.get("evidence"),
        "Access-Control-Allow-Origin: *"
    );
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.rule_id.as_deref() != Some("zap-unknown"))
    );
}

#[test]
fn risk_codes_and_words_map_to_severities() {
    let output = fixture("zap-2.14.0/lightbroker-2.14.0-compact.json");
    let severities: Vec<Severity> = output.findings.iter().map(|f| f.severity).collect();
    for severity in [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        assert!(severities.contains(&severity), "{severity:?}");
    }
    let words = br#"[{"pluginId":"1","alert":"a","risk":"High"},{"pluginId":"2","alert":"b","risk":"informational"}]"#;
    let output = parse(words).unwrap();
    assert_eq!(output.findings[0].severity, Severity::High);
    assert_eq!(output.findings[1].severity, Severity::Info);
}

// Changed from the original, which kept cweid only in metadata.
#[test]
fn positive_cweids_become_the_cwe() {
    let output = fixture("zap-2.17.0/vulpy-2.17.0.json");
    let csrf = output
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("zap-10202"))
        .unwrap();
    assert_eq!(csrf.cwe.as_deref(), Some("CWE-352"));
    assert_eq!(csrf.metadata.get("cweid"), "352");
    let no_cwe = output
        .findings
        .iter()
        .find(|f| f.metadata.get("cweid") == "-1")
        .unwrap();
    assert_eq!(no_cwe.cwe, None);
    let zero = br#"[{"pluginId":"1","alert":"a","risk":"Low","cweid":"0"}]"#;
    assert_eq!(parse(zero).unwrap().findings[0].cwe, None);
}

#[test]
fn zaps_paragraph_markup_is_removed_but_quoted_tags_stay() {
    let output = fixture("zap-2.14.0/lightbroker-2.14.0-compact.json");
    for finding in &output.findings {
        for text in [Some(&finding.description), finding.remediation.as_ref()]
            .into_iter()
            .flatten()
        {
            assert!(!text.contains("<p>") && !text.contains("</p>"), "{text}");
        }
    }
    let relative_path = output
        .findings
        .iter()
        .find(|f| {
            f.metadata
                .get("other_info")
                .as_str()
                .is_some_and(|t| t.contains("<base>"))
        })
        .unwrap();
    assert!(
        relative_path
            .metadata
            .get("other_info")
            .as_str()
            .unwrap()
            .starts_with("No <base> tag was specified in the HTML <head> tag")
    );
    let references = output.findings[0].metadata.get("references");
    assert!(references.as_array().is_some_and(
        |r| !r.is_empty() && r.iter().all(|u| u.as_str().unwrap().starts_with("http"))
    ));
}

#[test]
fn report_instances_are_counted_and_listed_up_to_a_cap() {
    let output = fixture("zap-2.14.0/kene-2.14.0-many-instances.json");
    let comments = output
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("zap-10027"))
        .unwrap();
    assert_eq!(comments.metadata.get("count"), 21);
    let listed = comments.metadata.get("instances");
    assert_eq!(listed.as_array().unwrap().len(), 20);
    let first = &listed[0];
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["uri", "method", "param"]
    );
    assert_eq!(comments.metadata.get("url"), first["uri"]);
}

#[test]
fn the_api_response_object_reads_like_the_bare_list() {
    let list = fixture_text("zap-other/vsuraj-api-alerts-list.json");
    let wrapped = format!("{{\"alerts\": {list}}}");
    assert_eq!(
        parse(wrapped.as_bytes()).unwrap(),
        parse(list.as_bytes()).unwrap()
    );
    assert!(parse(br#"{"alerts": []}"#).unwrap().findings.is_empty());
}

#[test]
fn the_target_url_lands_in_metadata_when_the_host_ran_zap() {
    let mut input = Input::from_report(fixture_text("zap-other/vsuraj-api-alerts-list.json"));
    input.target = "https://backend.auenkumar64.workers.dev".into();
    let output = Zap::parse(&input).unwrap();
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.metadata.get("target_url") == "https://backend.auenkumar64.workers.dev")
    );
    // `ingest` passes `.`, which is no URL.
    input.target = ".".into();
    let output = Zap::parse(&input).unwrap();
    assert_eq!(output.findings[0].metadata.get("target_url"), Value::Null);
}

#[test]
fn a_bad_api_key_is_a_tool_failure_not_zero_findings() {
    let err = parse(br#"{"code": "bad_api_key", "message": "Bad API Key"}"#).unwrap_err();
    assert_eq!(
        err,
        ParseError::ToolFailed(
            "the ZAP API returned an error instead of alerts: Bad API Key (bad_api_key)".into()
        )
    );
}

#[test]
fn alerts_marked_false_positive_in_zap_are_skipped_with_a_warning() {
    let list = br#"[{"pluginId":"1","alert":"a","risk":"Low","confidence":"False Positive"},{"pluginId":"2","alert":"b","risk":"Low","confidence":"High"}]"#;
    let output = parse(list).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(
        output.warnings,
        ["skipped 1 ZAP alert(s) marked as false positives in ZAP"]
    );
    let report = br#"{"@version":"2.14.0","site":[{"@name":"http://x","alerts":[{"pluginid":"1","alert":"a","riskcode":"2","confidence":"0"}]}]}"#;
    assert!(parse(report).unwrap().findings.is_empty());
}

#[test]
fn an_unknown_risk_is_info_with_a_warning() {
    let list = br#"[{"pluginId":"1","alert":"a","risk":"Severe"},{"pluginId":"1","alert":"a","risk":"Severe"}]"#;
    let output = parse(list).unwrap();
    assert!(output.findings.iter().all(|f| f.severity == Severity::Info));
    assert_eq!(
        output.warnings,
        ["ZAP alert 'a' has an unknown risk 'Severe'; reported as info"]
    );
    let by_riskdesc = br#"{"site":[{"@name":"x","alerts":[{"pluginid":"1","alert":"a","riskdesc":"High (Medium)"}]}]}"#;
    assert_eq!(
        parse(by_riskdesc).unwrap().findings[0].severity,
        Severity::High
    );
}

#[test]
fn odd_shapes_are_handled() {
    // ZAP before 2.10: a lone site as an object; numbers as numbers.
    let old = br#"{"@version":"2.7.0","site":{"@name":"http://x","alerts":[{"pluginid":10021,"alert":"X-Content-Type-Options Header Missing","riskcode":1,"confidence":2,"instances":[{"uri":"http://x/","method":"GET","param":"X-Content-Type-Options"}],"count":1,"cweid":16}]}}"#;
    let output = parse(old).unwrap();
    assert_eq!(output.findings[0].rule_id.as_deref(), Some("zap-10021"));
    assert_eq!(output.findings[0].cwe.as_deref(), Some("CWE-16"));
    assert_eq!(output.findings[0].metadata.get("confidence"), "Medium");
    // No sites, no alerts, a site without alerts, a UTF-8 byte-order mark.
    assert!(
        parse(br#"{"@version":"2.14.0","site":[]}"#)
            .unwrap()
            .findings
            .is_empty()
    );
    assert!(parse(b"[]").unwrap().findings.is_empty());
    let two_sites = fixture("zap-2.14.0/llowgn-2.14.0-two-sites.json");
    assert!(
        two_sites
            .findings
            .iter()
            .all(|f| f.metadata.get("site") == "http://www.itsecgames.com")
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(fixture_text("zap-2.15.0/django-helloworld-2.15.0.json").bytes());
    assert_eq!(parse(&bom).unwrap().findings.len(), 5);
    // An entry with neither plugin id nor name is nobody's alert; a report alert without them
    // still gives a readable finding.
    let bare = parse(br#"[{"risk":"Low","pluginId":""  ,"name":""},{"risk":"Low","alert":"x"}]"#);
    assert!(matches!(bare, Err(ParseError::WrongTool(_))), "{bare:?}");
    let nameless = parse(br#"{"site":[{"alerts":[{"riskcode":"1"}]}]}"#).unwrap();
    assert_eq!(nameless.findings[0].title, "ZAP Alert");
    assert_eq!(nameless.findings[0].description, "ZAP Alert");
    assert_eq!(nameless.findings[0].rule_id.as_deref(), Some("zap-unknown"));
}

#[test]
fn other_tools_reports_are_wrong_tool() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/other-tools");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let err = parse(&std::fs::read(&path).unwrap()).unwrap_err();
        let expected = if path.extension().is_some_and(|e| e == "xml") {
            "malformed"
        } else {
            "wrong-tool"
        };
        assert_eq!(err.kind(), expected, "{}: {err}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 9);
}

#[test]
fn bad_bytes_are_typed_errors() {
    assert!(matches!(parse(b"  \n"), Err(ParseError::Empty(_))));
    assert!(matches!(
        parse(b"\xff\xfe{}"),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(parse(b"42"), Err(ParseError::Malformed(_))));
    let bytes = fixture_bytes(
        env!("CARGO_MANIFEST_DIR"),
        "zap-2.14.0/llowgn-2.14.0-traditional.json",
    );
    assert!(
        parse(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
    let bad_instance =
        br#"{"site":[{"@name":"x","alerts":[{"alert":"a","instances":[{"uri":["x"]}]}]}]}"#;
    let err = parse(bad_instance).unwrap_err();
    assert!(
        err.message().contains("site 0: alert 0: instance 0"),
        "{err}"
    );
    let damaged_list = br#"[{"pluginId":"1","alert":"a","risk":"Low"},{"foo":1}]"#;
    assert!(matches!(parse(damaged_list), Err(ParseError::Malformed(_))));
    assert!(matches!(
        parse(br#"{"alerts": {"x": 1}}"#),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Zap>(env!("CARGO_MANIFEST_DIR"), 200);
}
