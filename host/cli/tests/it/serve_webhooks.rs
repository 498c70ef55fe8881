//! Webhooks against a real `securescan serve` and real receivers on loopback: every delivery
//! signed as documented, one receiver's deliveries in order across retries, a dead receiver
//! beside a live one, kill -9 in the middle of a burst (nothing lost), and SSRF refusals at
//! creation and at delivery.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::serve_live::{Quiet, Server};

const ALLOW: (&str, &str) = ("SECURESCAN_WEBHOOK_ALLOW_PRIVATE", "1");

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Hit {
    delivery: String,
    event: String,
    signature: String,
    body: Vec<u8>,
}

/// An HTTP receiver on loopback answering each request with the next planned status (200 once
/// the plan is used up), after `delay`.
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Receiver {
    fn start(plan: &[u16], delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let plan = Arc::new(Mutex::new(plan.iter().copied().collect::<VecDeque<u16>>()));
        let recorded = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (hits, plan) = (recorded.clone(), plan.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    let (mut length, mut delivery, mut event, mut signature) =
                        (0usize, String::new(), String::new(), String::new());
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                        if let Some((name, value)) = line.trim_end().split_once(": ") {
                            match name.to_ascii_lowercase().as_str() {
                                "content-length" => length = value.parse().unwrap_or(0),
                                "x-securescan-delivery-id" => delivery = value.to_string(),
                                "x-securescan-event" => event = value.to_string(),
                                "x-securescan-signature" => signature = value.to_string(),
                                _ => {}
                            }
                        }
                        line.clear();
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    std::thread::sleep(delay);
                    let status = plan
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .pop_front()
                        .unwrap_or(200);
                    hits.lock().unwrap_or_else(|p| p.into_inner()).push(Hit {
                        delivery,
                        event,
                        signature,
                        body,
                    });
                    let mut stream = reader.into_inner();
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                    );
                });
            }
        });
        Receiver { url, hits }
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Wait until `done` holds for the hits so far.
    fn wait(&self, what: &str, within: Duration, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        let start = Instant::now();
        loop {
            let hits = self.hits();
            if done(&hits) {
                return hits;
            }
            assert!(start.elapsed() < within, "{what}: {hits:#?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The documented check: `v1` is the hex HMAC-SHA256 of `"<t>." + body`, and `t` is recent.
fn verify(secret: &str, hit: &Hit) {
    let parts: std::collections::HashMap<&str, &str> = hit
        .signature
        .split(',')
        .filter_map(|p| p.split_once('='))
        .collect();
    let t: u64 = parts["t"].parse().expect("t");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(now.abs_diff(t) < 300, "stale signature {t}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(&hit.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(parts["v1"], expected, "bad signature on {hit:?}");
}

/// Create a webhook; (id, secret).
fn create(server: &Server, name: &str, url: &str, events: &[&str]) -> (String, String) {
    let reply = server.call(
        "POST",
        "/api/v1/webhooks",
        &[],
        Some(&json!({"name": name, "url": url, "event_filter": events})),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    (
        body["id"].as_str().expect("id").to_string(),
        body["secret"].as_str().expect("secret").to_string(),
    )
}

fn test_delivery(server: &Server, webhook: &str) -> String {
    let reply = server.call(
        "POST",
        &format!("/api/v1/webhooks/{webhook}/test"),
        &[],
        None,
    );
    assert_eq!(reply.status, 202, "{}", reply.text());
    reply.json()["delivery_id"]
        .as_str()
        .expect("delivery id")
        .to_string()
}

fn deliveries(server: &Server, webhook: &str) -> Vec<Value> {
    let reply = server.call(
        "GET",
        &format!("/api/v1/webhooks/{webhook}/deliveries"),
        &[],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json().as_array().expect("list").clone()
}

/// A port nothing listens on.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}/gone")
}

#[test]
fn deliveries_are_signed_stay_in_order_across_retries_and_a_dead_receiver_holds_up_no_one() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[ALLOW]);
    let flaky = Receiver::start(&[500, 503], Duration::ZERO);
    let steady = Receiver::start(&[], Duration::ZERO);
    let (flaky_id, flaky_secret) = create(
        &server,
        "flaky",
        &flaky.url,
        &["webhook.test", "scan.complete"],
    );
    let (dead_id, _) = create(&server, "dead", &dead_url(), &["webhook.test"]);
    let (steady_id, steady_secret) = create(
        &server,
        "steady",
        &steady.url,
        &["webhook.test", "scan.complete"],
    );

    let queued: Vec<String> = (0..3).map(|_| test_delivery(&server, &flaky_id)).collect();
    test_delivery(&server, &dead_id);
    let steady_test = test_delivery(&server, &steady_id);

    // The live receiver is served at once, whatever the dead one does.
    let hits = steady.wait("the steady receiver's test", Duration::from_secs(10), |h| {
        !h.is_empty()
    });
    assert_eq!(hits[0].delivery, steady_test);
    assert_eq!(hits[0].event, "webhook.test");
    verify(&steady_secret, &hits[0]);
    let body: Value = serde_json::from_slice(&hits[0].body).expect("JSON");
    assert_eq!(body["event"], "webhook.test");
    assert_eq!(body["data"]["message"], "Test from SecureScan");
    assert!(body["data"].get("event").is_none(), "one envelope, not two");

    // The flaky receiver fails twice: the first delivery is retried, and the two behind it
    // wait for it.
    let hits = flaky.wait("all three deliveries", Duration::from_secs(120), |h| {
        h.len() >= 5
    });
    let order: Vec<&str> = hits.iter().map(|h| h.delivery.as_str()).collect();
    assert_eq!(
        order,
        [&queued[0], &queued[0], &queued[0], &queued[1], &queued[2]],
        "a later delivery overtook a retrying one"
    );
    for hit in &hits {
        verify(&flaky_secret, hit);
    }
    let log = deliveries(&server, &flaky_id);
    let first = log
        .iter()
        .find(|d| d["id"] == queued[0].as_str())
        .expect("logged");
    assert_eq!(
        (first["status"].clone(), first["attempt"].clone()),
        (json!("succeeded"), json!(3))
    );
    let dead = deliveries(&server, &dead_id);
    assert_eq!(dead[0]["status"], "pending", "{dead:?}");
    assert!(
        dead[0]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{dead:?}"
    );

    // A real scan's completion reaches both subscribers of scan.complete.
    let target = quiet.empty_target();
    let started = server.call(
        "POST",
        "/api/v1/scans",
        &[],
        Some(&json!({"target_path": target, "scan_types": ["code"]})),
    );
    let scan_id = started.json()["id"].as_str().expect("id").to_string();
    for (receiver, secret) in [(&steady, &steady_secret), (&flaky, &flaky_secret)] {
        let hits = receiver.wait("scan.complete", Duration::from_secs(60), |h| {
            h.iter().any(|hit| hit.event == "scan.complete")
        });
        let hit = hits
            .iter()
            .find(|hit| hit.event == "scan.complete")
            .expect("hit");
        verify(secret, hit);
        let body: Value = serde_json::from_slice(&hit.body).expect("JSON");
        assert_eq!(body["data"]["scan_id"], scan_id.as_str());
        assert_eq!(body["data"]["target_path"], target.display().to_string());
        assert!(body["data"]["findings_count"].is_u64(), "{body}");
        assert!(
            body["delivered_at"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
    }
    // Secrets are never listed again; rotating keeps the id and signs with the new one.
    let listed = server.call("GET", "/api/v1/webhooks", &[], None).text();
    assert!(!listed.contains(&flaky_secret) && !listed.contains(&steady_secret));
    let rotated = server.call(
        "POST",
        &format!("/api/v1/webhooks/{steady_id}/rotate-secret"),
        &[],
        None,
    );
    assert_eq!(rotated.json()["id"], steady_id.as_str());
    let new_secret = rotated.json()["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    let again = test_delivery(&server, &steady_id);
    let hits = steady.wait(
        "the delivery after rotation",
        Duration::from_secs(10),
        |h| h.iter().any(|hit| hit.delivery == again),
    );
    verify(
        &new_secret,
        hits.iter().find(|hit| hit.delivery == again).expect("hit"),
    );
    assert!(
        !server.log().contains(&new_secret),
        "a secret reached the log"
    );
}

#[test]
fn kill_9_in_the_middle_of_a_burst_loses_no_delivery_and_keeps_the_order() {
    const BURST: usize = 20;
    let quiet = Quiet::new();
    let receiver = Receiver::start(&[], Duration::from_millis(150));
    let mut server = quiet.serve(&[ALLOW]);
    let (webhook, secret) = create(&server, "slow", &receiver.url, &["webhook.test"]);
    let queued: Vec<String> = (0..BURST)
        .map(|_| test_delivery(&server, &webhook))
        .collect();
    receiver.wait("the burst to start", Duration::from_secs(30), |h| {
        h.len() >= 4
    });
    server.kill9();
    let before = receiver.hits().len();
    let server = quiet.serve(&[ALLOW]);
    let hits = receiver.wait(
        "every delivery after the restart",
        Duration::from_secs(120),
        |h| {
            queued
                .iter()
                .all(|id| h.iter().any(|hit| &hit.delivery == id))
        },
    );
    // First arrivals in queue order; a delivery cut off by the kill may arrive twice.
    let mut first_arrivals: Vec<&str> = Vec::new();
    for hit in &hits {
        verify(&secret, hit);
        if !first_arrivals.contains(&hit.delivery.as_str()) {
            first_arrivals.push(&hit.delivery);
        }
    }
    assert_eq!(
        first_arrivals,
        queued.iter().map(String::as_str).collect::<Vec<_>>()
    );
    eprintln!(
        "kill -9 after {before} of {BURST} deliveries: all {BURST} arrived, {} requests in all ({} repeated)",
        hits.len(),
        hits.len() - BURST
    );
    let log = deliveries(&server, &webhook);
    assert_eq!(log.len(), BURST);
    assert!(log.iter().all(|d| d["status"] == "succeeded"), "{log:?}");
}

#[test]
fn webhook_urls_reaching_inwards_are_refused_at_creation_and_at_delivery() {
    let quiet = Quiet::new();
    {
        let server = quiet.serve(&[]);
        for (url, why) in [
            ("http://127.0.0.1:8000/hook", "loopback"),
            ("http://[::1]:8000/hook", "loopback"),
            ("http://169.254.169.254/latest/meta-data/", "metadata"),
            ("http://10.0.0.1/hook", "private"),
            ("http://localhost:8000/hook", "loopback"),
            ("ftp://example.com/hook", "http"),
            ("http://example.com/ hook", "whitespace"),
        ] {
            let reply = server.call(
                "POST",
                "/api/v1/webhooks",
                &[],
                Some(&json!({"name": "x", "url": url, "event_filter": ["webhook.test"]})),
            );
            assert_eq!(reply.status, 422, "{url}: {}", reply.text());
            assert!(reply.text().contains(why), "{url}: {}", reply.text());
        }
        let empty = server.call(
            "POST",
            "/api/v1/webhooks",
            &[],
            Some(&json!({"name": "x", "url": "https://example.com/", "event_filter": []})),
        );
        assert_eq!(empty.status, 422);
        let unknown = server.call(
            "POST",
            "/api/v1/webhooks",
            &[],
            Some(&json!({"name": "x", "url": "https://example.com/", "event_filter": ["scan.start"]})),
        );
        assert_eq!(unknown.status, 422);
    }
    // Allowed by the operator, a loopback receiver can be registered (metadata never)...
    let receiver = Receiver::start(&[], Duration::ZERO);
    let webhook = {
        let server = quiet.serve(&[ALLOW]);
        let metadata = server.call(
            "POST",
            "/api/v1/webhooks",
            &[],
            Some(&json!({"name": "m", "url": "http://169.254.169.254/", "event_filter": ["webhook.test"]})),
        );
        assert_eq!(metadata.status, 422);
        let named = receiver.url.replace("127.0.0.1", "localhost");
        create(&server, "local", &named, &["webhook.test"]).0
    };
    // ...but once the operator withdraws that, delivery refuses the resolved address.
    let server = quiet.serve(&[]);
    let delivery = test_delivery(&server, &webhook);
    let start = Instant::now();
    let logged = loop {
        let log = deliveries(&server, &webhook);
        let entry = log
            .into_iter()
            .find(|d| d["id"] == delivery.as_str())
            .expect("logged");
        if entry["attempt"].as_u64() >= Some(1) {
            break entry;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{entry}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(logged["status"], "pending");
    let error = logged["error"].as_str().expect("error");
    assert!(error.contains("loopback"), "{error}");
    assert!(receiver.hits().is_empty(), "the refused delivery arrived");
}
