//! Scenarios in `testdata/` are exchanges as the host would pass them, written after real
//! servers' responses (cookie values are made up). They are not tool reports, so they live
//! outside `fixtures/` and have their own snapshots.

use securescan_adapter_sdk::testing::mutations;
use securescan_adapter_sdk::{
    Adapter, Finding, Header, HttpExchange, Input, Output, ParseError, Severity,
};
use serde::Deserialize;
use serde_json::Value;

use crate::BuiltinDast;

const SCENARIOS: [&str; 5] = [
    "apache-php-plain-http",
    "express-http-to-https-login",
    "hardened-nginx-https",
    "iis-https-downgrade",
    "weak-headers-https",
];

#[derive(Deserialize)]
struct Scenario {
    target: String,
    exchanges: Vec<Exchange>,
}

#[derive(Deserialize)]
struct Exchange {
    method: String,
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn scenario(name: &str) -> Input {
    let path = format!("{}/testdata/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let scenario: Scenario =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    Input {
        target: scenario.target,
        exchanges: scenario
            .exchanges
            .into_iter()
            .map(|e| HttpExchange {
                method: e.method,
                url: e.url,
                status: e.status,
                headers: e
                    .headers
                    .into_iter()
                    .map(|(name, value)| Header { name, value })
                    .collect(),
                body_prefix: e.body.into_bytes(),
            })
            .collect(),
        ..Input::default()
    }
}

fn run(name: &str) -> Output {
    BuiltinDast::parse(&scenario(name)).unwrap()
}

fn rules(output: &Output) -> Vec<&str> {
    output
        .findings
        .iter()
        .map(|f| f.rule_id.as_deref().unwrap_or(""))
        .collect()
}

fn find<'a>(output: &'a Output, rule: &str, title_end: &str) -> &'a Finding {
    output
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some(rule) && f.title.ends_with(title_end))
        .unwrap_or_else(|| panic!("no {rule} ending {title_end}"))
}

#[test]
fn every_scenario_matches_its_snapshot() {
    for name in SCENARIOS {
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!(name, run(name));
        });
    }
}

#[test]
fn missing_headers_keep_the_original_order_rule_ids_and_text() {
    let output = run("express-http-to-https-login");
    assert_eq!(
        rules(&output),
        [
            "missing-header-strict-transport-security",
            "missing-header-content-security-policy",
            "missing-header-referrer-policy",
            "missing-header-permissions-policy",
            "info-disclosure-server",
            "info-disclosure-x-powered-by",
            "cookie-missing-secure",
            "cookie-missing-samesite",
            "cookie-missing-httponly",
        ]
    );
    let hsts = &output.findings[0];
    assert_eq!(
        hsts.title,
        "Missing security header: Strict-Transport-Security"
    );
    assert_eq!(hsts.severity, Severity::Medium);
    assert_eq!(
        hsts.description,
        "The response from https://shop.example.com/login is missing the 'Strict-Transport-Security' \
         HTTP security header, which helps protect against common web attacks."
    );
    assert_eq!(
        hsts.remediation.as_deref(),
        Some("Add the 'Strict-Transport-Security' header to all HTTP responses.")
    );
    assert_eq!(hsts.cwe, None);
    assert_eq!(hsts.file, None);
    assert_eq!(hsts.metadata.get("target_url"), "http://shop.example.com");
    assert_eq!(hsts.metadata.get("header"), "Strict-Transport-Security");
    assert_eq!(hsts.metadata.get("url"), "https://shop.example.com/login");
}

#[test]
fn a_hardened_site_only_discloses_its_server_whatever_the_header_case() {
    let output = run("hardened-nginx-https");
    assert_eq!(rules(&output), ["info-disclosure-server"]);
    let server = &output.findings[0];
    assert_eq!(server.title, "Information disclosure header: Server");
    assert_eq!(server.severity, Severity::Low);
    assert_eq!(server.metadata.get("value"), "nginx");
    assert!(output.warnings.is_empty());
}

#[test]
fn cookies_of_every_hop_are_checked_once_per_rule() {
    let output = run("express-http-to-https-login");
    // Set on the redirect and again on the login page: reported once, at the hop that set it first.
    let session = find(&output, "cookie-missing-secure", ": connect.sid");
    assert_eq!(session.metadata.get("url"), "https://shop.example.com/");
    assert_eq!(session.metadata.get("cookie"), "connect.sid");
    assert_eq!(
        output
            .findings
            .iter()
            .filter(|f| f.title.ends_with(": connect.sid"))
            .count(),
        2,
        "Secure and SameSite, not HttpOnly"
    );
    let xsrf = find(&output, "cookie-missing-httponly", ": XSRF-TOKEN");
    assert_eq!(xsrf.title, "Cookie missing HttpOnly flag: XSRF-TOKEN");
    assert_eq!(
        xsrf.remediation.as_deref(),
        Some("Set the HttpOnly flag on all session/auth cookies.")
    );
    assert!(!output.findings.iter().any(|f| f.title.contains("__cf_bm")));
}

#[test]
fn cookie_values_never_appear_in_any_finding() {
    let secrets = [
        "aB3xYz9QwErTy",
        "Zm9vYmFyYmF6cXV4",
        "q3l1t8v0m5k2n9b7c4x6z1a8s3",
        "tracking-opaque-token-4f9a",
        "z2m4x1c3v5b7n9q8w6e4r2t0",
        "eyJvcGVuIjp0cnVlfQ",
        "8f14e45fceea167a5a36dedd4bea2543",
    ];
    for name in SCENARIOS {
        let text = serde_json::to_string(&run(name)).unwrap();
        for secret in secrets {
            assert!(!text.contains(secret), "{name} leaks {secret}");
        }
    }
}

#[test]
fn plain_http_is_reported_instead_of_missing_hsts() {
    let output = run("apache-php-plain-http");
    let rules = rules(&output);
    assert_eq!(rules[0], "plain-http");
    assert!(!rules.contains(&"missing-header-strict-transport-security"));
    let plain = &output.findings[0];
    assert_eq!(plain.title, "Site served over plain HTTP");
    assert_eq!(plain.severity, Severity::Medium);
    assert_eq!(plain.cwe.as_deref(), Some("CWE-319"));
    assert!(!plain.description.contains("HTTPS down to HTTP"));
}

#[test]
fn an_https_to_http_downgrade_is_called_out() {
    let output = run("iis-https-downgrade");
    let plain = find(&output, "plain-http", "HTTP");
    assert!(
        plain
            .description
            .ends_with("The redirect chain went from HTTPS down to HTTP.")
    );
    assert_eq!(
        plain.metadata.get("url"),
        "http://legacy.example.com/Default.aspx"
    );
    // HSTS sent over HTTP is ignored, so neither missing nor weak is claimed.
    assert!(
        !rules(&output)
            .iter()
            .any(|r| r.ends_with("strict-transport-security"))
    );
    let disclosed: Vec<Value> = output
        .findings
        .iter()
        .filter(|f| {
            f.rule_id
                .as_deref()
                .is_some_and(|r| r.starts_with("info-disclosure-"))
        })
        .map(|f| f.metadata.get("header"))
        .collect();
    assert_eq!(
        disclosed,
        [
            "Server",
            "X-Powered-By",
            "X-AspNet-Version",
            "X-AspNetMvc-Version"
        ]
    );
}

#[test]
fn values_browsers_ignore_are_weak_headers() {
    let apache = run("apache-php-plain-http");
    let nosniff = find(
        &apache,
        "weak-header-x-content-type-options",
        "X-Content-Type-Options",
    );
    assert_eq!(
        nosniff.title,
        "Weak security header: X-Content-Type-Options"
    );
    assert_eq!(nosniff.metadata.get("value"), "nosnif");
    assert_eq!(nosniff.severity, Severity::Medium);
    find(&apache, "weak-header-x-frame-options", "X-Frame-Options");
    let weak = run("weak-headers-https");
    let hsts = find(
        &weak,
        "weak-header-strict-transport-security",
        "Strict-Transport-Security",
    );
    assert!(hsts.description.contains("max-age=0"));
    find(&weak, "weak-header-referrer-policy", "Referrer-Policy");
    assert!(!rules(&weak).contains(&"weak-header-x-content-type-options"));
}

#[test]
fn an_empty_header_counts_as_missing() {
    let output = run("apache-php-plain-http");
    let csp = find(
        &output,
        "missing-header-content-security-policy",
        "Content-Security-Policy",
    );
    assert!(
        csp.description
            .ends_with("The header is present but empty, which browsers treat as absent.")
    );
}

#[test]
fn csp_frame_ancestors_stands_in_for_x_frame_options() {
    let output = run("weak-headers-https");
    assert!(
        !rules(&output)
            .iter()
            .any(|r| r.ends_with("x-frame-options"))
    );
}

#[test]
fn samesite_none_without_secure_and_invalid_samesite_are_flagged() {
    let output = run("weak-headers-https");
    let none = find(
        &output,
        "cookie-samesite-none-without-secure",
        ": widget_state",
    );
    assert_eq!(none.severity, Severity::Low);
    assert_eq!(none.cwe.as_deref(), Some("CWE-1275"));
    let sloppy = find(&output, "cookie-missing-samesite", ": prefs");
    assert_eq!(sloppy.title, "Cookie missing SameSite attribute: prefs");
}

#[test]
fn deleted_cookies_are_not_judged_and_value_only_cookies_are_unnamed() {
    let output = run("apache-php-plain-http");
    assert!(
        !output
            .findings
            .iter()
            .any(|f| f.title.contains("remember_me"))
    );
    let unnamed = find(&output, "cookie-missing-secure", ": (unnamed)");
    assert_eq!(unnamed.metadata.get("cookie"), "(unnamed)");
    find(&output, "cookie-missing-httponly", ": PHPSESSID");
}

#[test]
fn no_exchange_is_an_error_not_zero_findings() {
    let input = Input {
        target: "https://example.com".into(),
        ..Input::default()
    };
    let err = BuiltinDast::parse(&input).unwrap_err();
    assert!(matches!(err, ParseError::Malformed(_)));
    assert!(err.message().starts_with("no HTTP response"), "{err}");
}

#[test]
fn a_chain_that_ends_on_a_redirect_warns() {
    let mut input = scenario("express-http-to-https-login");
    input.exchanges.truncate(2);
    let output = BuiltinDast::parse(&input).unwrap();
    assert_eq!(
        output.warnings,
        [
            "the redirect chain ended on a 302 redirect from https://shop.example.com/: the host \
          stopped following redirects, so the header checks ran on that redirect"
        ]
    );
}

#[test]
fn without_a_target_the_first_hop_names_it() {
    let mut input = scenario("hardened-nginx-https");
    input.target.clear();
    let output = BuiltinDast::parse(&input).unwrap();
    assert_eq!(
        output.findings[0].metadata.get("target_url"),
        "https://docs.example.org/"
    );
}

#[test]
fn corrupted_exchanges_never_panic() {
    for name in SCENARIOS {
        let input = scenario(name);
        for (hop, exchange) in input.exchanges.iter().enumerate() {
            for (index, header) in exchange.headers.iter().enumerate() {
                for bytes in mutations(header.value.as_bytes(), 40) {
                    let mut copy = input.clone();
                    copy.exchanges[hop].headers[index].value =
                        String::from_utf8_lossy(&bytes).into_owned();
                    let _ = BuiltinDast::parse(&copy);
                }
            }
            for bytes in mutations(exchange.url.as_bytes(), 40) {
                let mut copy = input.clone();
                copy.exchanges[hop].url = String::from_utf8_lossy(&bytes).into_owned();
                let _ = BuiltinDast::parse(&copy);
            }
        }
    }
}
