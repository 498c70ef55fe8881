//! Live progress and notifications against a real `securescan serve` on loopback: the SSE
//! stream's replay, `Last-Event-ID` resumption and end, streams of ended or silent scans closing
//! at once, event tokens on the one route that honours them, a thousand subscribers on one scan,
//! and the notifications a scan leaves.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::real_tools::require;
use crate::serve_live::{Quiet, Server};
use crate::support::fake_aws_key;

const ENV_KEY: &str = "env-key-events-5c1d";
const TOKEN_SECRET: &str = "token-secret-events-0a9e";

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    id: Option<u64>,
    event: String,
    data: Value,
}

/// Read an event stream to its end: the status and the events (comments dropped).
fn stream(server: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<Sse>) {
    let reply = server.call("GET", path, headers, None);
    if reply.status != 200 {
        return (reply.status, Vec::new());
    }
    assert_eq!(
        reply.header("content-type"),
        Some("text/event-stream"),
        "{path}"
    );
    (reply.status, parse(&reply.text()))
}

fn parse(text: &str) -> Vec<Sse> {
    text.split("\n\n")
        .filter_map(|block| {
            let (mut id, mut event, mut data) = (None, None, None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(v).expect("JSON data"));
                }
            }
            Some(Sse {
                id,
                event: event?,
                data: data.unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// A completed scan of a project with a hard-coded key (the built-in secrets analyzer finds it
/// without any tool); its id.
fn scan_with_a_finding(quiet: &Quiet, server: &Server, headers: &[(&str, &str)]) -> String {
    let project = quiet.home.root().join("leaky");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("settings.py"),
        format!("AWS_KEY = \"{}\"\n", fake_aws_key()),
    )
    .expect("write");
    let started = server.call(
        "POST",
        "/api/v1/scans",
        headers,
        Some(&json!({"target_path": project, "scan_types": ["code"]})),
    );
    assert_eq!(started.status, 200, "{}", started.text());
    let id = started.json()["id"].as_str().expect("id").to_string();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let scan = server
            .call("GET", &format!("/api/v1/scans/{id}"), headers, None)
            .json();
        if scan["status"] == "completed" {
            return id;
        }
        assert!(
            scan["status"] == "pending" || scan["status"] == "running",
            "{scan}"
        );
        assert!(Instant::now() < deadline, "{scan}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn events_replay_resume_after_last_event_id_and_end_with_the_scan() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[]);
    let id = scan_with_a_finding(&quiet, &server, &[]);
    let path = format!("/api/v1/scans/{id}/events");

    let started = Instant::now();
    let (status, events) = stream(&server, &path, &[]);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the stream did not end"
    );
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"scan.start"), "{names:?}");
    assert_eq!(names.last(), Some(&"scan.complete"), "{names:?}");
    assert!(names.contains(&"scanner.complete"), "{names:?}");
    assert!(names.contains(&"scanner.skipped"), "{names:?}");
    let ids: Vec<u64> = events.iter().map(|e| e.id.expect("id")).collect();
    assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
    let start = &events[0].data;
    assert_eq!(start["scan_types"], json!(["code"]));
    let complete = &events.last().expect("last").data;
    assert!(
        complete["findings_count"].as_u64().expect("count") >= 1,
        "{complete}"
    );
    for field in [
        "risk_score",
        "severity_counts",
        "scanners_run",
        "scanners_skipped",
        "duration_s",
    ] {
        assert!(
            complete.get(field).is_some(),
            "scan.complete lacks {field}: {complete}"
        );
    }
    let secrets = events
        .iter()
        .find(|e| e.event == "scanner.complete" && e.data["name"] == "secrets")
        .expect("the secrets scanner completed");
    assert!(secrets.data["findings_count"].as_u64() >= Some(1));

    // Resuming after event 2 gives exactly the rest.
    let (_, rest) = stream(&server, &path, &[("last-event-id", "2")]);
    assert_eq!(rest, events[2..].to_vec());

    // The scan left one notification: it has findings.
    let listed = server
        .call("GET", "/api/v1/notifications", &[], None)
        .json();
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    let notification = &listed[0];
    assert_eq!(notification["type"], "scan.complete");
    assert_eq!(notification["scan_id"], id.as_str());
    assert_eq!(notification["link"], format!("/scan/{id}"));
    assert!(
        ["critical", "high", "medium", "low", "info"]
            .contains(&notification["severity"].as_str().expect("severity")),
        "{notification}"
    );
    let count = server.call("GET", "/api/v1/notifications/unread-count", &[], None);
    assert_eq!(count.json(), json!({"count": 1}));
    let nid = notification["id"].as_str().expect("id");
    let read = server.call(
        "PATCH",
        &format!("/api/v1/notifications/{nid}/read"),
        &[],
        None,
    );
    assert_eq!(read.status, 200, "{}", read.text());
    let read_at = read.json()["read_at"].clone();
    assert!(read_at.is_string());
    let again = server.call(
        "PATCH",
        &format!("/api/v1/notifications/{nid}/read"),
        &[],
        None,
    );
    assert_eq!(again.json()["read_at"], read_at, "read once");
    let all = server.call("PATCH", "/api/v1/notifications/read-all", &[], None);
    assert_eq!(all.json(), json!({"marked_read": 0}));
    let unread = server.call("GET", "/api/v1/notifications?unread_only=true", &[], None);
    assert_eq!(unread.json(), json!([]));
    assert_eq!(
        server
            .call("GET", "/api/v1/notifications?limit=0", &[], None)
            .status,
        422
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/notifications?limit=100000", &[], None)
            .status,
        200,
        "larger limits are capped, as documented"
    );
    assert_eq!(
        server
            .call("PATCH", "/api/v1/notifications/nope/read", &[], None)
            .status,
        404
    );
    // Another scan leaves one only if it found something (the built-in git-hygiene check may
    // flag an empty directory).
    let empty = quiet.empty_target();
    let clean = server.call(
        "POST",
        "/api/v1/scans",
        &[],
        Some(&json!({"target_path": empty, "scan_types": ["code"]})),
    );
    let clean_id = clean.json()["id"].as_str().expect("id").to_string();
    let (_, clean_events) = stream(&server, &format!("/api/v1/scans/{clean_id}/events"), &[]);
    let last = clean_events.last().expect("events");
    assert_eq!(last.event, "scan.complete");
    let found = last.data["findings_count"].as_u64().expect("count");
    let count = server.call("GET", "/api/v1/notifications/unread-count", &[], None);
    let unread = server.call("GET", "/api/v1/notifications?unread_only=true", &[], None);
    assert_eq!(
        count.json(),
        json!({"count": u64::from(found > 0)}),
        "{}\n{clean_events:?}",
        unread.text()
    );
}

#[test]
fn the_stream_of_a_scan_whose_events_are_gone_ends_at_once() {
    let quiet = Quiet::new();
    let id = {
        let server = quiet.serve(&[]);
        scan_with_a_finding(&quiet, &server, &[])
    };
    // A new process has none of the scan's events: one terminal event from the store, then the
    // end (the original kept such streams open forever).
    let server = quiet.serve(&[]);
    let started = Instant::now();
    let (status, events) = stream(&server, &format!("/api/v1/scans/{id}/events"), &[]);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        events,
        vec![Sse {
            id: Some(1),
            event: "scan.complete".into(),
            data: json!({"status": "completed"}),
        }]
    );
    let missing = server.call("GET", "/api/v1/scans/no-such-scan/events", &[], None);
    assert_eq!(missing.status, 404);
}

#[test]
fn event_tokens_open_their_own_scans_stream_while_their_key_lives() {
    let quiet = Quiet::new();
    // A dev-mode token dies once auth is enabled (same signing secret across the restart).
    let (dev_token, dev_scan) = {
        let server = quiet.serve(&[("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET)]);
        let id = scan_with_a_finding(&quiet, &server, &[]);
        let minted = server.call(
            "POST",
            &format!("/api/v1/scans/{id}/event-token"),
            &[],
            None,
        );
        assert_eq!(minted.status, 200);
        let token = minted.json()["token"].as_str().expect("token").to_string();
        let (status, _) = stream(
            &server,
            &format!("/api/v1/scans/{id}/events?event_token={token}"),
            &[],
        );
        assert_eq!(status, 200, "a dev-mode token works in dev mode");
        (token, id)
    };
    let server = quiet.serve(&[
        ("SECURESCAN_API_KEY", ENV_KEY),
        ("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET),
    ]);
    let dev = server.call(
        "GET",
        &format!("/api/v1/scans/{dev_scan}/events?event_token={dev_token}"),
        &[],
        None,
    );
    assert_eq!(dev.status, 401);
    assert_eq!(
        dev.json()["detail"],
        "Dev-mode token no longer valid (auth has been enabled)"
    );

    let created = server.call(
        "POST",
        "/api/v1/keys",
        &[("x-api-key", ENV_KEY)],
        Some(&json!({"name": "dashboard", "scopes": ["read"]})),
    );
    let key_id = created.json()["id"].as_str().expect("id").to_string();
    let reader = created.json()["key"].as_str().expect("key").to_string();
    let id = scan_with_a_finding(&quiet, &server, &[("x-api-key", ENV_KEY)]);
    let minted = server.call(
        "POST",
        &format!("/api/v1/scans/{id}/event-token"),
        &[("x-api-key", &reader)],
        None,
    );
    let token = minted.json()["token"].as_str().expect("token").to_string();
    // No header needed: the token is the credential, on this scan's events only.
    let (status, events) = stream(
        &server,
        &format!("/api/v1/scans/{id}/events?event_token={token}"),
        &[],
    );
    assert_eq!(status, 200);
    assert_eq!(
        events.last().map(|e| e.event.as_str()),
        Some("scan.complete")
    );
    let other = server.call(
        "GET",
        &format!("/api/v1/scans/{dev_scan}/events?event_token={token}"),
        &[],
        None,
    );
    assert_eq!(
        (other.status, other.json()["detail"].clone()),
        (401, json!("Token does not match scan id"))
    );
    let garbage = server.call(
        "GET",
        &format!("/api/v1/scans/{id}/events?event_token=garbage"),
        &[("x-api-key", ENV_KEY)],
        None,
    );
    assert_eq!(
        (garbage.status, garbage.json()["detail"].clone()),
        (401, json!("Invalid or expired event token")),
        "a bad token fails even beside a valid key"
    );
    // Revoking the key kills its tokens at once.
    let revoked = server.call(
        "DELETE",
        &format!("/api/v1/keys/{key_id}"),
        &[("x-api-key", ENV_KEY)],
        None,
    );
    assert_eq!(revoked.status, 204);
    let dead = server.call(
        "GET",
        &format!("/api/v1/scans/{id}/events?event_token={token}"),
        &[],
        None,
    );
    assert_eq!(
        (dead.status, dead.json()["detail"].clone()),
        (401, json!("Bound key is revoked or missing"))
    );
    assert!(!server.log().contains(&token), "the token reached the log");
}

fn open_files_raised() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("limit");
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).expect("raise the limit");
    }
}

fn sockets(server: &Server) -> usize {
    std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// A thousand browsers watching one queued scan all see it end.
#[test]
fn a_thousand_subscribers_on_one_scan_all_receive_the_terminal_event() {
    require("semgrep");
    require("bandit");
    const SUBSCRIBERS: usize = 1000;
    open_files_raised();
    let home = crate::serve_live::Home::new();
    let server = home.serve(&[("SECURESCAN_MAX_CONCURRENT_SCANS", "1")]);
    // A long scan holds the only slot, so the watched one stays queued until cancelled.
    let long = server.start_scan(&home.big_project("big", 600));
    let watched_target = home.small_project("small");
    let watched = server.start_scan(&watched_target);
    assert_eq!(server.scan(&watched)["status"], "pending");
    let base_sockets = sockets(&server);
    let rss_before = server.rss_kib();
    let url = format!("{}/api/v1/scans/{watched}/events", server.base);
    let subscribers: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let url = url.clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .proxy(None)
                        .timeout_global(Some(Duration::from_secs(600)))
                        .build()
                        .new_agent();
                    let mut response = agent.get(&url).call().expect("subscribe");
                    response
                        .body_mut()
                        .with_config()
                        .limit(1 << 20)
                        .read_to_string()
                        .expect("read the stream")
                })
                .expect("thread")
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(300);
    while sockets(&server) < base_sockets + SUBSCRIBERS {
        assert!(
            Instant::now() < deadline,
            "only {} subscribers connected",
            sockets(&server) - base_sockets
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let rss_connected = server.rss_kib();
    assert_eq!(
        server.scan(&watched)["status"],
        "pending",
        "the long scan ended before every subscriber connected"
    );
    let started = Instant::now();
    let (status, _) = server.json("POST", &format!("/api/v1/scans/{watched}/cancel"), None);
    assert_eq!(status, 200);
    let mut received = 0;
    for subscriber in subscribers {
        let text = subscriber.join().expect("subscriber");
        let events = parse(&text);
        if events.last().map(|e| e.event.as_str()) == Some("scan.cancelled") {
            received += 1;
        }
    }
    let delivered = started.elapsed();
    eprintln!(
        "{SUBSCRIBERS} subscribers: {received} received scan.cancelled within {delivered:?}; server RSS {rss_before} KiB before, {rss_connected} KiB connected ({:.1} KiB per idle connection)",
        (rss_connected.saturating_sub(rss_before)) as f64 / SUBSCRIBERS as f64
    );
    assert_eq!(received, SUBSCRIBERS);
    // Done with the long scan (409 if it already ended).
    let _ = server.json("POST", &format!("/api/v1/scans/{long}/cancel"), None);
}
