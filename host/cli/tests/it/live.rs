//! Scans of live systems, all on 127.0.0.1: a web app with bad headers and cookies for the
//! built-in DAST checks, a stand-in ZAP daemon replaying recorded API answers, and real nmap
//! against listeners started here.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::real_tools::require;
use crate::support::{StubResponse, StubServer, scan_json, securescan, workspace};

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// `/` redirects to `/login`, setting a session cookie without flags on the way; `/login`
/// discloses its server and sets another weak cookie.
fn bad_web_app() -> StubServer {
    StubServer::start(|request| -> StubResponse {
        match request.path() {
            "/" => (
                302,
                vec![
                    header("Location", "/login"),
                    header("Set-Cookie", "sid=abc123secret; Path=/"),
                ],
                Vec::new(),
            ),
            _ => (
                200,
                vec![
                    header("Server", "Apache/2.4.1 (Unix)"),
                    header("X-Powered-By", "PHP/5.6.0"),
                    header("Set-Cookie", "prefs=dark; Secure"),
                    header("Content-Type", "text/html"),
                ],
                b"<html><body>login</body></html>".to_vec(),
            ),
        }
    })
}

/// ZAP's API as the daemon answers it: the key checked, the spider reporting progress once
/// before it is done, and the alerts of a recorded run, in pages.
fn zap_stand_in(alerts: Vec<serde_json::Value>) -> StubServer {
    let polls = Arc::new(AtomicU32::new(0));
    StubServer::start(move |request| -> StubResponse {
        let json = |value: serde_json::Value| {
            (
                200,
                vec![header("Content-Type", "application/json")],
                value.to_string().into_bytes(),
            )
        };
        if request.header("x-zap-api-key") != Some("test-key") {
            return (
                400,
                vec![],
                br#"{"code":"bad_api_key","message":"Missing or invalid API key"}"#.to_vec(),
            );
        }
        match request.path() {
            "/JSON/core/view/version/" => json(serde_json::json!({"version": "2.15.0"})),
            "/JSON/spider/action/scan/" => json(serde_json::json!({"scan": "3"})),
            "/JSON/spider/view/status/" => {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                json(serde_json::json!({"status": if n == 0 { "40" } else { "100" }}))
            }
            "/JSON/ascan/action/scan/" => json(serde_json::json!({"scan": "4"})),
            "/JSON/ascan/view/status/" => json(serde_json::json!({"status": "100"})),
            "/JSON/core/view/alerts/" => {
                let start: usize = request
                    .query("start")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let count: usize = request
                    .query("count")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(usize::MAX);
                let page: Vec<_> = alerts.iter().skip(start).take(count).cloned().collect();
                json(serde_json::json!({"alerts": page}))
            }
            other => (404, vec![], format!("no {other}").into_bytes()),
        }
    })
}

#[test]
fn dast_checks_headers_and_cookies_of_a_live_app_and_zap_is_driven_to_its_alerts() {
    let app = bad_web_app();
    let recorded: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            workspace().join("plugins/zap/fixtures/zap-other/vsuraj-api-alerts-list.json"),
        )
        .expect("recorded ZAP alerts"),
    )
    .expect("json");
    let alerts = recorded.as_array().expect("a list").clone();
    let zap = zap_stand_in(alerts.clone());
    let home = tempfile::tempdir().expect("home");
    let output = securescan()
        .args(["scan", &app.url("/"), "--output", "json"])
        .env("HOME", home.path())
        .env("SECURESCAN_ZAP_ADDRESS", zap.url(""))
        .env("SECURESCAN_ZAP_API_KEY", "test-key")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("authorized to test"),
        "the authorization reminder: {stderr}"
    );
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let all = findings.as_array().expect("array");
    let dast: Vec<&str> = all
        .iter()
        .filter(|f| f["scanner"] == "builtin_dast")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    for rule in [
        "missing-header-content-security-policy",
        "missing-header-x-frame-options",
        "info-disclosure-server",
        "info-disclosure-x-powered-by",
        "cookie-missing-secure",
        "cookie-missing-httponly",
    ] {
        assert!(dast.contains(&rule), "{rule} missing from {dast:?}");
    }
    assert!(
        !stdout_contains(&output.stdout, "abc123secret"),
        "cookie values stay out of the findings"
    );
    let zap_findings = all.iter().filter(|f| f["scanner"] == "zap").count();
    assert_eq!(
        zap_findings,
        alerts.len(),
        "every recorded alert is a finding"
    );
    let requests = zap.requests.lock().expect("lock");
    assert!(
        requests.iter().all(|r| !r.target.contains("test-key")),
        "the API key travels in a header, never in a URL"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.path() == "/JSON/ascan/action/scan/")
    );
}

fn stdout_contains(stdout: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(stdout).contains(needle)
}

#[test]
fn a_wrong_zap_key_skips_zap_with_the_daemon_answer_and_keeps_the_other_findings() {
    let app = bad_web_app();
    let zap = zap_stand_in(Vec::new());
    let home = tempfile::tempdir().expect("home");
    let output = securescan()
        .args(["scan", &app.url("/"), "--type", "dast", "--output", "text"])
        .env("HOME", home.path())
        .env("SECURESCAN_ZAP_ADDRESS", zap.url(""))
        .env("SECURESCAN_ZAP_API_KEY", "wrong")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("info-disclosure-server") || text.contains("Information disclosure"),
        "{text}"
    );
}

#[test]
fn dast_and_network_refuse_targets_of_the_wrong_kind() {
    let dir = tempfile::tempdir().expect("dir");
    let output = securescan()
        .args(["scan", "--type", "dast"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs a url target"));
    let output = securescan()
        .args(["scan", "--type", "network", "--", "-oX/tmp/owned"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "an option is never a host");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("is not an IPv4 or IPv6 address"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn real_nmap_reports_only_the_open_loopback_ports() {
    require("nmap");
    let web = bad_web_app();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_port = closed.local_addr().expect("addr").port();
    drop(closed);
    let ports = format!("{},{closed_port}", web.port);
    let findings = scan_json(securescan().args([
        "scan",
        "127.0.0.1",
        "--type",
        "network",
        "--ports",
        &ports,
        "--output",
        "json",
    ]));
    let open: Vec<(String, String)> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["scanner"] == "nmap")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["metadata"]["host_addr"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        open,
        vec![(format!("open-port-{}", web.port), "127.0.0.1".to_string())]
    );
}
