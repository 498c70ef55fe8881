//! The dashboard's server side: sign-in turning a key into an HttpOnly session with a CSRF
//! token, sessions ending with their key, the app served for browser paths while the API keeps
//! its JSON 404s, and the dashboard's API types generated from the document the server serves.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Adapters, Answer, App};
use crate::support::workspace;

/// The session cookie's `name=value` from a sign-in answer.
fn session_cookie(answer: &Answer) -> String {
    let set = answer.header("set-cookie").expect("Set-Cookie");
    set.split(';').next().expect("name=value").to_string()
}

async fn sign_in(app: &App, key: &str) -> (String, String) {
    let answer = app
        .call(Method::POST, "/auth/session", None, &[("x-api-key", key)])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let csrf = answer.json()["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_string();
    (session_cookie(&answer), csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_turns_a_key_into_an_http_only_session_whose_writes_need_the_csrf_token() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let nobody = app.get("/auth/session").await;
    assert_eq!(nobody.status, StatusCode::OK);
    assert_eq!(nobody.json()["caller"], Value::Null);

    let no_key = app.call(Method::POST, "/auth/session", None, &[]).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    let wrong = app
        .call(
            Method::POST,
            "/auth/session",
            None,
            &[("x-api-key", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.header("set-cookie"), None);

    let answer = app
        .call(
            Method::POST,
            "/auth/session",
            None,
            &[("x-api-key", "s3cret")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let set = answer.header("set-cookie").expect("Set-Cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP on loopback: {set}");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let body = String::from_utf8_lossy(&answer.body).to_string();
    assert!(!body.contains("s3cret"), "the key is never echoed: {body}");
    let info = answer.json();
    assert_eq!(info["caller"]["source"], "env");
    let csrf = info["csrf_token"].as_str().expect("csrf token").to_string();
    let cookie = session_cookie(&answer);

    let again = app
        .call(Method::GET, "/auth/session", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(again.json()["csrf_token"], csrf.as_str());
    assert_eq!(again.json()["caller"]["id"], "env");
    let me = app
        .call(Method::GET, "/api/v1/keys/me", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["source"], "env");

    let create = serde_json::to_vec(&json!({ "name": "from-the-dashboard", "scopes": ["read"] }))
        .expect("JSON");
    let forged = app
        .call(
            Method::POST,
            "/api/v1/keys",
            Some(create.clone()),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.detail().as_str().expect("text").contains("CSRF"));
    let wrong_token = app
        .call(
            Method::POST,
            "/api/v1/keys",
            Some(create.clone()),
            &[("cookie", &cookie), ("x-csrf-token", "guess")],
        )
        .await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);
    let created = app
        .call(
            Method::POST,
            "/api/v1/keys",
            Some(create),
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json());
    assert_eq!(created.json()["created_by"], "env");

    let no_token_out = app
        .call(
            Method::DELETE,
            "/auth/session",
            None,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(no_token_out.status, StatusCode::FORBIDDEN);
    let out = app
        .call(
            Method::DELETE,
            "/auth/session",
            None,
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    let after = app
        .call(Method::GET, "/api/v1/keys/me", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        after.detail(),
        "Session expired or signed out; sign in again"
    );
    let gone = app
        .call(Method::GET, "/auth/session", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(gone.json()["caller"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_when_its_key_is_revoked_and_keeps_the_keys_scopes() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let create =
        serde_json::to_vec(&json!({ "name": "viewer", "scopes": ["read"] })).expect("JSON");
    let created = app
        .call(
            Method::POST,
            "/api/v1/keys",
            Some(create),
            &[("x-api-key", "s3cret")],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let key = created.json()["key"]
        .as_str()
        .expect("plaintext")
        .to_string();
    let id = created.json()["id"].as_str().expect("id").to_string();
    let (cookie, csrf) = sign_in(&app, &key).await;

    let read = app
        .call(Method::GET, "/api/v1/scans", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let write = app
        .call(
            Method::POST,
            "/api/v1/scans",
            Some(b"{\"target_path\": \".\"}".to_vec()),
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(write.detail(), "Requires scope: write");

    let revoked = app
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{id}"),
            None,
            &[("x-api-key", "s3cret")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = app
        .call(Method::GET, "/api/v1/scans", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let session = app
        .call(Method::GET, "/auth/session", None, &[("cookie", &cookie)])
        .await;
    assert_eq!(session.json()["caller"], Value::Null);
    let again = app
        .call(Method::POST, "/auth/session", None, &[("x-api-key", &key)])
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_mode_needs_no_sign_in() {
    let app = App::new(Adapters::SecretsOnly, None);
    let session = app.get("/auth/session").await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.json()["caller"]["source"], "dev");
    assert_eq!(session.json()["csrf_token"], Value::Null);
    let stale = app
        .call(
            Method::GET,
            "/api/v1/scans",
            None,
            &[("cookie", "securescan_session=old")],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::OK,
        "a stale cookie changes nothing in dev mode"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_get_the_embedded_app_on_every_page_and_the_api_keeps_its_json_404() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let html = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    for page in [
        "/",
        "/scan/0f1a93cb-0000-4000-8000-000000000000",
        "/history?sort=findings",
        "/settings/keys",
    ] {
        let answer = app.call(Method::GET, page, None, &html).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{page}: the dashboard is embedded in the build"
        );
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(
            answer
                .header("content-security-policy")
                .is_some_and(|p| p.contains("frame-ancestors 'none'"))
        );
        let text = String::from_utf8_lossy(&answer.body).to_string();
        let script = text
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("index.html loads its script");
        let asset = app.get(script).await;
        assert_eq!(asset.status, StatusCode::OK, "{script}");
        assert_eq!(
            asset.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
    }
    for path in ["/api/v1/nope", "/api/nope", "/api"] {
        let answer = app.call(Method::GET, path, None, &html).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.detail(), "Not Found");
    }
    assert_eq!(
        app.get("/history").await.detail(),
        "Not Found",
        "API clients keep the JSON 404"
    );
    assert_eq!(
        app.get("/").await.json()["docs"],
        "/docs",
        "and the JSON root"
    );
}

/// frontend/openapi.json is what the dashboard's types are generated from (`npm run api:types`;
/// `npm run api:check` fails when they are stale): it must be the document the server serves.
/// `SECURESCAN_UPDATE_OPENAPI=1` rewrites it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_copy_of_the_openapi_document_is_current() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let document = app.get("/openapi.json").await.json();
    let mut text = serde_json::to_string_pretty(&document).expect("JSON");
    text.push('\n');
    let path = workspace().join("frontend/openapi.json");
    if std::env::var_os("SECURESCAN_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &text).expect("write frontend/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).expect("frontend/openapi.json");
    assert!(
        committed == text,
        "frontend/openapi.json is stale: run `SECURESCAN_UPDATE_OPENAPI=1 cargo test --test serve_app the_dashboards_copy` then `npm run api:types` in frontend/"
    );
}
