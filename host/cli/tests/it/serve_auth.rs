//! `securescan serve` auth as an operator deploys it, against the real binary on loopback: the
//! smoke tests of the two documented checklists as written, the route × scope matrix, key
//! lifecycle (revoke, expire, rotate, lockout), dev mode ending for good, `AUTH_REQUIRED`
//! start-up failures, the rate limit under a flood, secrets kept out of logs and findings, and
//! DAST/network targets refused on their resolved addresses.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve_live::{Home, Quiet, Reply, Server};
use crate::support::with_parameters;

const ENV_KEY: &str = "env-key-4f9c2a7d1e8b3c6a";
const TOKEN_SECRET: &str = "event-token-secret-8d2e61f0";

fn with_key(key: &str) -> [(&str, &str); 1] {
    [("x-api-key", key)]
}

fn detail(reply: &Reply) -> Value {
    reply.json()["detail"].clone()
}

/// Create a key with `scopes` using `admin`; returns (id, plaintext).
fn create_key(server: &Server, admin: &str, name: &str, scopes: &[&str]) -> (String, String) {
    let reply = server.call(
        "POST",
        "/api/v1/keys",
        &with_key(admin),
        Some(&json!({"name": name, "scopes": scopes})),
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    (
        body["id"].as_str().expect("id").to_string(),
        body["key"].as_str().expect("key").to_string(),
    )
}

/// Run `serve` expecting it to refuse to start: the exit status and stderr.
fn refused_start(home: &Home, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = home.command();
    command.args(["serve", "--host", "127.0.0.1", "--port", "0"]);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.contains("serving http://"),
        "it listened before refusing: {stderr}"
    );
    (output.status.code(), stderr)
}

#[test]
fn auth_required_without_a_credential_or_a_token_secret_exits_2_before_listening() {
    let home = Home::new();
    let (code, stderr) = refused_start(&home, &[("SECURESCAN_AUTH_REQUIRED", "1")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no admin credential"), "{stderr}");
    assert!(stderr.contains("SECURESCAN_EVENT_TOKEN_SECRET"), "{stderr}");
    // A key alone is not enough: the token secret must be stable across restarts.
    let (code, stderr) = refused_start(
        &home,
        &[
            ("SECURESCAN_AUTH_REQUIRED", "true"),
            ("SECURESCAN_API_KEY", ENV_KEY),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SECURESCAN_EVENT_TOKEN_SECRET"), "{stderr}");
    assert!(!stderr.contains("no admin credential"), "{stderr}");
    assert!(!stderr.contains(ENV_KEY), "the key was printed: {stderr}");
    // The secret alone is not either.
    let (code, stderr) = refused_start(
        &home,
        &[
            ("SECURESCAN_AUTH_REQUIRED", "1"),
            ("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no admin credential"), "{stderr}");
    // A typo is not "off".
    let (code, stderr) = refused_start(&home, &[("SECURESCAN_AUTH_REQUIRED", "ture")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SECURESCAN_AUTH_REQUIRED"), "{stderr}");
}

/// The auth production checklist's six smoke tests and the production checklist's five, as the
/// docs write them, against a hardened server whose only admin credential is a DB key.
#[test]
fn the_checklists_smoke_tests_pass_as_written() {
    let quiet = Quiet::new();
    // Bootstrap as the docs say: a first admin key while the server runs in dev mode.
    let admin = {
        let server = quiet.serve(&[]);
        assert!(
            server.log().contains("API is unauthenticated (dev mode)"),
            "{}",
            server.log()
        );
        // A first key without admin would leave nobody able to manage keys.
        let refused = server.call(
            "POST",
            "/api/v1/keys",
            &[],
            Some(&json!({"name": "ci", "scopes": ["read", "write"]})),
        );
        assert_eq!(refused.status, 409, "{}", refused.text());
        let created = server.call(
            "POST",
            "/api/v1/keys",
            &[],
            Some(&json!({"name": "breakglass", "scopes": ["admin"]})),
        );
        assert_eq!(created.status, 201, "{}", created.text());
        created.json()["key"].as_str().expect("key").to_string()
    };
    let server = quiet.serve(&[
        ("SECURESCAN_AUTH_REQUIRED", "1"),
        ("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET),
    ]);
    let admin_id = admin.split('_').nth(1).expect("id").to_string();
    let (_, read_key) = create_key(&server, &admin, "read-only-monitoring", &["read"]);
    let (_, write_key) = create_key(&server, &admin, "ci-runner", &["write"]);

    // Auth checklist 1 (and production 2): no key = 401.
    let reply = server.call("GET", "/api/v1/scans", &[], None);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), json!({"detail": "X-API-Key header required"}));
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    // 2 (production 3): a bogus key = 401, not dev mode.
    let reply = server.call("GET", "/api/v1/scans", &with_key("nope"), None);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), json!({"detail": "Invalid API key"}));
    // 3 (production 4): a read-only key cannot create a scan.
    let reply = server.call(
        "POST",
        "/api/v1/scans",
        &with_key(&read_key),
        Some(&json!({"target_path": "/tmp", "scan_types": ["code"]})),
    );
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json(), json!({"detail": "Requires scope: write"}));
    // 4: a write key cannot list webhook subscriptions.
    let reply = server.call("GET", "/api/v1/webhooks", &with_key(&write_key), None);
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json(), json!({"detail": "Requires scope: admin"}));
    // 5 (production 1): /health and /ready are public.
    let reply = server.call("GET", "/health", &[], None);
    assert_eq!((reply.status, reply.json()), (200, json!({"status": "ok"})));
    let reply = server.call("GET", "/ready", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["status"], "ready");
    // 6: lockout protection refuses removing the last admin key.
    let reply = server.call(
        "DELETE",
        &format!("/api/v1/keys/{admin_id}"),
        &with_key(&admin),
        None,
    );
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.json(),
        json!({"detail": "Cannot revoke last admin key without an env-var fallback"})
    );
    // Production 5: /docs renders, the document is public.
    let reply = server.call("GET", "/openapi.json", &[], None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["info"]["title"], "SecureScan");
    assert_eq!(server.call("GET", "/docs", &[], None).status, 200);

    // No key, and no secret, is ever in a log line.
    let log = server.log();
    for secret in [admin.as_str(), &read_key, &write_key, TOKEN_SECRET] {
        assert!(!log.contains(secret), "a secret reached the log:\n{log}");
    }
}

/// Every operation (v1 and legacy) × every kind of caller: the declared scope lets in exactly
/// the callers it should, everyone else gets the documented 401 or 403.
#[test]
fn every_route_admits_exactly_the_scopes_it_declares() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[("SECURESCAN_API_KEY", ENV_KEY)]);
    let keys: Vec<(BTreeSet<&str>, String)> = [
        vec!["read"],
        vec!["write"],
        vec!["admin"],
        vec!["read", "write"],
    ]
    .into_iter()
    .map(|scopes| {
        let (_, key) = create_key(&server, ENV_KEY, &scopes.join("+"), &scopes);
        (scopes.into_iter().collect(), key)
    })
    .collect();
    let document = server.call("GET", "/openapi.json", &[], None).json();
    let mut checked = 0;
    for (template, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let Some(security) = operation.get("security") else {
                assert!(
                    !template.starts_with("/api/"),
                    "{method} {template} has no scope"
                );
                continue;
            };
            let scopes = security[0]["api_key"].as_array().expect("api_key scopes");
            let needed = scopes.first().and_then(Value::as_str);
            let method = method.to_uppercase();
            let body = matches!(method.as_str(), "POST" | "PATCH").then(|| json!({}));
            for prefix in ["/api/v1", "/api"] {
                let uri = with_parameters(
                    &template
                        .replacen("/api/v1", prefix, 1)
                        .replace("{scan_id}", "no-such-scan")
                        .replace("{key_id}", "nosuchkey0"),
                    "x-1",
                );
                let call =
                    |headers: &[(&str, &str)]| server.call(&method, &uri, headers, body.as_ref());
                let bare = call(&[]);
                assert_eq!(bare.status, 401, "{method} {uri} without a key");
                assert_eq!(detail(&bare), "X-API-Key header required");
                let bogus = call(&with_key("ssk_AAAAAAAAAA_bogus"));
                assert_eq!(bogus.status, 401, "{method} {uri} with a bogus key");
                assert_eq!(detail(&bogus), "Invalid API key");
                for header in [
                    ("x-api-key", ENV_KEY),
                    ("authorization", &*format!("Bearer {ENV_KEY}")),
                ] {
                    let reply = call(&[header]);
                    assert!(
                        ![401, 403, 405].contains(&reply.status),
                        "{method} {uri} with the env key: {}",
                        reply.status
                    );
                }
                for (scopes, key) in &keys {
                    let allowed = match needed {
                        None => true,
                        Some(scope) => scopes.contains(scope) || scopes.contains("admin"),
                    };
                    let reply = call(&with_key(key));
                    if allowed {
                        assert!(
                            ![401, 403].contains(&reply.status),
                            "{method} {uri} with {scopes:?}: {} {}",
                            reply.status,
                            reply.text()
                        );
                    } else {
                        assert_eq!(reply.status, 403, "{method} {uri} with {scopes:?}");
                        assert_eq!(
                            reply.json(),
                            json!({"detail": format!("Requires scope: {}", needed.unwrap_or(""))})
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 54, "only {checked} operations checked");
}

#[test]
fn revoked_expired_and_rotated_keys_stop_at_once_and_actions_name_the_key() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[("SECURESCAN_API_KEY", ENV_KEY)]);
    let (ci_id, ci) = create_key(&server, ENV_KEY, "ci-runner", &["read", "write"]);

    // Who am I; last use is recorded; the list never shows a secret.
    let me = server
        .call("GET", "/api/v1/keys/me", &with_key(&ci), None)
        .json();
    assert_eq!(me["id"], ci_id.as_str());
    assert_eq!(me["source"], "db");
    assert_eq!(me["scopes"], json!(["read", "write"]));
    assert!(me["key"]["last_used_at"].is_string(), "{me}");
    let env_me = server
        .call("GET", "/api/v1/keys/me", &with_key(ENV_KEY), None)
        .json();
    assert_eq!(env_me["source"], "env");
    let listed = server.call("GET", "/api/v1/keys", &with_key(ENV_KEY), None);
    assert!(!listed.text().contains(&ci), "a secret was listed");
    assert!(!listed.text().contains(&ci[16..]), "a secret was listed");
    assert!(listed.json()[0].get("key").is_none());

    // Triage is attributed to the key, whatever name the body claims.
    let state = server.call(
        "PATCH",
        "/api/v1/findings/fp-1/state",
        &with_key(&ci),
        Some(&json!({"status": "false_positive", "note": "test code", "updated_by": "mallory"})),
    );
    assert_eq!(state.status, 200, "{}", state.text());
    assert_eq!(state.json()["updated_by"], "ci-runner");
    assert_eq!(state.json()["updated_by_key"], ci_id.as_str());
    let comment = server.call(
        "POST",
        "/api/v1/findings/fp-1/comments",
        &with_key(&ci),
        Some(&json!({"text": "seen", "author": "mallory"})),
    );
    assert_eq!(comment.status, 201, "{}", comment.text());
    assert_eq!(comment.json()["author"], "ci-runner");
    assert_eq!(comment.json()["author_key"], ci_id.as_str());

    // Rotation: same id, new secret, the old one dead on the next request.
    let rotated = server.call(
        "POST",
        &format!("/api/v1/keys/{ci_id}/rotate"),
        &with_key(ENV_KEY),
        None,
    );
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    assert_eq!(rotated.header("cache-control"), Some("no-store"));
    let new_ci = rotated.json()["key"].as_str().expect("key").to_string();
    assert_eq!(rotated.json()["id"], ci_id.as_str());
    assert_ne!(new_ci, ci);
    let old = server.call("GET", "/api/v1/scans", &with_key(&ci), None);
    assert_eq!((old.status, detail(&old)), (401, json!("Invalid API key")));
    assert_eq!(
        server
            .call("GET", "/api/v1/scans", &with_key(&new_ci), None)
            .status,
        200
    );

    // Revocation: the next request fails; again is a no-op 204; a revoked key is not rotated.
    let revoke = format!("/api/v1/keys/{ci_id}");
    assert_eq!(
        server
            .call("DELETE", &revoke, &with_key(ENV_KEY), None)
            .status,
        204
    );
    let after = server.call("GET", "/api/v1/scans", &with_key(&new_ci), None);
    assert_eq!(
        (after.status, detail(&after)),
        (401, json!("Invalid API key"))
    );
    assert_eq!(
        server
            .call("DELETE", &revoke, &with_key(ENV_KEY), None)
            .status,
        204
    );
    let rotate_revoked = server.call(
        "POST",
        &format!("/api/v1/keys/{ci_id}/rotate"),
        &with_key(ENV_KEY),
        None,
    );
    assert_eq!(rotate_revoked.status, 409);
    let listed = server
        .call("GET", "/api/v1/keys", &with_key(ENV_KEY), None)
        .json();
    assert_eq!(listed[0]["revoked_by"], "env", "{listed}");

    // Expiry.
    let output = std::process::Command::new("date")
        .args(["-u", "-d", "+3 seconds", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    let expires_at = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let created = server.call(
        "POST",
        "/api/v1/keys",
        &with_key(ENV_KEY),
        Some(&json!({"name": "short-lived", "scopes": ["read"], "expires_at": expires_at})),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let short = created.json()["key"].as_str().expect("key").to_string();
    assert_eq!(
        server
            .call("GET", "/api/v1/scans", &with_key(&short), None)
            .status,
        200
    );
    std::thread::sleep(Duration::from_secs(5));
    let expired = server.call("GET", "/api/v1/scans", &with_key(&short), None);
    assert_eq!(
        (expired.status, detail(&expired)),
        (401, json!("API key expired"))
    );
    let past = server.call(
        "POST",
        "/api/v1/keys",
        &with_key(ENV_KEY),
        Some(&json!({"name": "past", "expires_at": "2001-01-01T00:00:00Z"})),
    );
    assert_eq!(past.status, 422, "{}", past.text());
}

#[test]
fn once_a_key_exists_dev_mode_is_over_even_after_the_last_one_is_revoked() {
    let quiet = Quiet::new();
    let admin = {
        let server = quiet.serve(&[]);
        assert_eq!(server.call("GET", "/api/v1/scans", &[], None).status, 200);
        // In dev mode too, a presented key is checked: it never falls through.
        let bogus = server.call("GET", "/api/v1/scans", &with_key("anything"), None);
        assert_eq!(bogus.status, 401);
        let (_, admin) = create_key(&server, "", "first-admin", &["admin"]);
        assert_eq!(
            server.call("GET", "/api/v1/scans", &[], None).status,
            401,
            "creating a key ends dev mode at once"
        );
        admin
    };
    let admin_id = admin.split('_').nth(1).expect("id").to_string();
    // With the env key as fallback, the last admin key may be revoked.
    {
        let server = quiet.serve(&[("SECURESCAN_API_KEY", ENV_KEY)]);
        let reply = server.call(
            "DELETE",
            &format!("/api/v1/keys/{admin_id}"),
            &with_key(&admin),
            None,
        );
        assert_eq!(reply.status, 204, "{}", reply.text());
    }
    // No env key and only a revoked key: not dev mode, and the revoked key is refused.
    let server = quiet.serve(&[]);
    assert!(!server.log().contains("dev mode"), "{}", server.log());
    let bare = server.call("GET", "/api/v1/scans", &[], None);
    assert_eq!(
        (bare.status, detail(&bare)),
        (401, json!("X-API-Key header required"))
    );
    let revoked = server.call("GET", "/api/v1/scans", &with_key(&admin), None);
    assert_eq!(revoked.status, 401);
}

/// The token header layer of SSE auth: minted per scan and key, `no-store`, refused on any other
/// route.
#[test]
fn event_tokens_are_minted_per_scan_and_refused_off_the_events_route() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[
        ("SECURESCAN_API_KEY", ENV_KEY),
        ("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET),
    ]);
    let (_, reader) = create_key(&server, ENV_KEY, "dashboard", &["read"]);
    let target = quiet.empty_target();
    let started = server.call(
        "POST",
        "/api/v1/scans",
        &with_key(ENV_KEY),
        Some(&json!({"target_path": target, "scan_types": ["code"]})),
    );
    assert_eq!(started.status, 200, "{}", started.text());
    let id = started.json()["id"].as_str().expect("id").to_string();
    let minted = server.call(
        "POST",
        &format!("/api/v1/scans/{id}/event-token"),
        &with_key(&reader),
        None,
    );
    assert_eq!(minted.status, 200, "{}", minted.text());
    assert_eq!(minted.header("cache-control"), Some("no-store"));
    assert_eq!(minted.json()["expires_in"], 300);
    let token = minted.json()["token"].as_str().expect("token").to_string();
    let missing = server.call(
        "POST",
        "/api/v1/scans/no-such-scan/event-token",
        &with_key(&reader),
        None,
    );
    assert_eq!(missing.status, 404);
    // A token is no credential anywhere else, even beside a valid key.
    let elsewhere = server.call(
        "GET",
        &format!("/api/v1/scans/{id}?event_token={token}"),
        &with_key(ENV_KEY),
        None,
    );
    assert_eq!(elsewhere.status, 401, "{}", elsewhere.text());
    assert!(!server.log().contains(&token), "the token reached the log");
}

/// 1,000 scan creations from one key: the documented 429s, another key unaffected, memory
/// bounded, no key in the log.
#[test]
fn a_flood_of_scan_creations_is_limited_per_key() {
    let quiet = Quiet::new();
    let server = quiet.serve(&[
        ("SECURESCAN_API_KEY", ENV_KEY),
        ("SECURESCAN_MAX_CONCURRENT_SCANS", "1"),
    ]);
    let (flooder_id, flooder) = create_key(&server, ENV_KEY, "flooder", &["read", "write"]);
    let target = quiet.empty_target();
    let (_, other_key) = create_key(&server, ENV_KEY, "other", &["read", "write"]);
    let body = json!({"target_path": target, "scan_types": ["code"]});
    let rss_before = server.rss_kib();
    let started = Instant::now();
    let (mut created, mut limited) = (0u32, 0u32);
    for n in 0..1000 {
        let reply = server.call(
            "POST",
            "/api/v1/scans",
            &[("x-api-key", &flooder), ("origin", "http://localhost:3000")],
            Some(&body),
        );
        assert!(reply.header("x-request-id").is_some(), "request {n}");
        assert!(
            reply.header("x-ratelimit-limit") == Some("60"),
            "request {n}"
        );
        match reply.status {
            200 => created += 1,
            429 => {
                limited += 1;
                let retry: u64 = reply
                    .header("retry-after")
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After");
                assert!((1..=1).contains(&retry), "{retry}");
                assert_eq!(reply.header("x-ratelimit-remaining"), Some("0"));
                assert!(reply.header("x-ratelimit-reset").is_some());
                assert_eq!(
                    reply.header("access-control-allow-origin"),
                    Some("http://localhost:3000"),
                    "a 429 carries CORS headers"
                );
                assert_eq!(
                    reply.json(),
                    json!({"detail": "Rate limit exceeded", "retry_after": retry, "limit_per_min": 60})
                );
            }
            other => panic!("request {n}: {other} {}", reply.text()),
        }
    }
    let elapsed = started.elapsed().as_secs();
    // The burst, then one a second.
    assert!(created >= 10, "{created}");
    assert!(
        u64::from(created) <= 10 + elapsed + 1,
        "{created} in {elapsed}s"
    );
    assert_eq!(created + limited, 1000);
    // Another key has its own bucket.
    let other = server.call("POST", "/api/v1/scans", &with_key(&other_key), Some(&body));
    assert_eq!(other.status, 200, "{}", other.text());
    assert_eq!(other.header("x-ratelimit-remaining"), Some("9"));
    let rss_after = server.rss_kib();
    eprintln!(
        "flood: {created} created, {limited} limited in {elapsed}s; RSS {rss_before} -> {rss_after} KiB"
    );
    assert!(
        rss_after < rss_before + 64 * 1024,
        "{rss_before} -> {rss_after} KiB"
    );
    let log = server.log();
    assert!(log.contains("rate limit reached"), "{log}");
    assert!(log.contains(&flooder_id), "the limit names the key id");
    for secret in [ENV_KEY, flooder.as_str(), other_key.as_str()] {
        assert!(!log.contains(secret), "a key reached the log");
    }
}

/// The baseline scanner run by the server reports secret-looking variables of the host, but
/// never the server's own credentials.
#[test]
fn the_baseline_scan_never_reports_the_servers_own_secrets() {
    let home = Home::new();
    let decoy = "decoy-value-71c3";
    let server = home.serve(&[
        ("SECURESCAN_API_KEY", ENV_KEY),
        ("SECURESCAN_EVENT_TOKEN_SECRET", TOKEN_SECRET),
        ("SECURESCAN_ALLOWED_ROOTS", "/"),
        ("DECOY_API_KEY", decoy),
    ]);
    let (_, reader) = create_key(&server, ENV_KEY, "reader", &["read"]);
    let started = server.call(
        "POST",
        "/api/v1/scans",
        &with_key(ENV_KEY),
        Some(&json!({"target_path": "/", "scan_types": ["baseline"]})),
    );
    assert_eq!(started.status, 200, "{}", started.text());
    let id = started.json()["id"].as_str().expect("id").to_string();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let scan = server
            .call(
                "GET",
                &format!("/api/v1/scans/{id}"),
                &with_key(&reader),
                None,
            )
            .json();
        if scan["status"] == "completed" {
            break;
        }
        assert!(
            scan["status"] == "pending" || scan["status"] == "running",
            "{scan}"
        );
        assert!(Instant::now() < deadline, "{scan}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let findings = server.call(
        "GET",
        &format!("/api/v1/scans/{id}/findings"),
        &with_key(&reader),
        None,
    );
    let text = findings.text();
    assert!(
        text.contains("DECOY_API_KEY"),
        "the host's own secret-looking variable is reported (the check works)"
    );
    for own in ["SECURESCAN_API_KEY", "SECURESCAN_EVENT_TOKEN_SECRET"] {
        assert!(
            !text.contains(own),
            "{own} reported to a read-scoped caller"
        );
    }
    for secret in [ENV_KEY, TOKEN_SECRET, decoy] {
        assert!(!text.contains(secret), "a secret value is in the findings");
    }
}

/// DAST URLs and network hosts from the API are checked on the addresses they resolve to.
#[test]
fn targets_inside_the_servers_networks_are_refused_unless_allowed() {
    let quiet = Quiet::new();
    let target = quiet.empty_target();
    let post = |server: &Server, field: &str, value: &str| {
        let scan_type = if field == "target_url" {
            "dast"
        } else {
            "network"
        };
        server.call(
            "POST",
            "/api/v1/scans",
            &[],
            Some(&json!({"target_path": target, "scan_types": [scan_type], field: value})),
        )
    };
    {
        let server = quiet.serve(&[]);
        for (field, value, why) in [
            ("target_url", "http://127.0.0.1:8000/", "loopback"),
            ("target_url", "http://[::1]:8000/", "loopback"),
            (
                "target_url",
                "http://169.254.169.254/latest/meta-data/",
                "metadata",
            ),
            ("target_url", "http://10.1.2.3/", "private"),
            ("target_url", "http://localhost:9/", "loopback"),
            ("target_host", "127.0.0.1", "loopback"),
            ("target_host", "192.168.0.0/16", "private"),
            ("target_host", "localhost", "loopback"),
        ] {
            let reply = post(&server, field, value);
            assert_eq!(reply.status, 400, "{value}: {}", reply.text());
            let message = detail(&reply).as_str().expect("message").to_string();
            assert!(message.contains(why), "{value}: {message}");
        }
    }
    let server = quiet.serve(&[("SECURESCAN_ALLOW_PRIVATE_TARGETS", "1")]);
    assert_eq!(post(&server, "target_host", "127.0.0.1").status, 200);
    let metadata = post(&server, "target_url", "http://169.254.169.254/");
    assert_eq!(metadata.status, 400, "metadata stays refused");
}
