//! The contract every route shares: public routes, scopes and the API key, the legacy mount,
//! request ids, CORS, and what bad requests get (a 4xx with the documented body, nothing stored).

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Adapters, App, BODY_LIMIT, ORIGIN};
use crate::support::{with_parameters, workspace};

const SUNSET: &str = "Wed, 31 Dec 2026 23:59:59 GMT";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_routes_answer_without_a_key_and_unknown_paths_get_the_documented_404() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let root = app.get("/").await;
    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.json()["docs"], "/docs");
    let health = app.get("/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), json!({ "status": "ok" }));
    for name in ["deprecation", "link", "sunset"] {
        assert_eq!(health.header(name), None, "/health carries {name}");
    }
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.json());
    assert_eq!(ready.json()["status"], "ready");
    let document = app.get("/openapi.json").await;
    assert_eq!(document.status, StatusCode::OK);
    assert!(
        document.json()["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.1")
    );
    for page in ["/docs", "/redoc"] {
        let answer = app.get(page).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"))
        );
    }
    let missing = app.get("/nonexistent").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.detail(), "Not Found");
    let wrong_method = app.call(Method::PUT, "/health", None, &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.detail(), "Method Not Allowed");
}

/// `{scan_id}` and `{id}` alike: the docs and the document may name parameters differently.
fn template(path: &str) -> String {
    with_parameters(path, "{}")
}

/// The API operations docs/server.md's route table lists: (method, path template, scope).
fn documented_operations() -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(workspace().join("docs/server.md")).expect("docs/server.md");
    let mut operations = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (methods, path, scopes) = (cells[1], cells[2].trim_matches('`'), cells[3]);
        let Some(path) = path.strip_prefix("/api/v1/") else {
            continue;
        };
        let path = path.split('?').next().unwrap_or(path);
        for (method, scope) in methods.split(", ").zip(scopes.split(", ")) {
            operations.insert((
                method.to_string(),
                template(&format!("/api/v1/{path}")),
                scope.to_string(),
            ));
        }
    }
    operations
}

/// Every operation of the OpenAPI document under `/api/v1`, with the one scope it declares
/// (the test fails on none, several or an unknown one).
fn declared_operations(document: &Value) -> BTreeSet<(String, String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if !path.starts_with("/api/") {
                assert!(
                    operation.get("security").is_none(),
                    "public {method} {path} declares a scope"
                );
                continue;
            }
            assert!(path.starts_with("/api/v1/"), "{path}: outside /api/v1");
            let requirements = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares no scope"));
            assert_eq!(requirements.len(), 1, "{method} {path}: one requirement");
            let scopes: Vec<&str> = requirements[0]["api_key"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares no api_key scope"))
                .iter()
                .filter_map(Value::as_str)
                .collect();
            // One scope, or none at all: any authenticated caller (`/keys/me`).
            let scope = match scopes.as_slice() {
                [] => "any",
                [one] if ["read", "write", "admin"].contains(one) => one,
                _ => panic!(
                    "{method} {path} must declare one of read/write/admin, declares {scopes:?}"
                ),
            };
            operations.insert((method.to_uppercase(), template(path), scope.to_string()));
        }
    }
    operations
}

fn concrete(template: &str) -> String {
    template.replace("{}", "x-1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_operation_has_one_scope_and_the_key_guards_each_of_them() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let document = app.get("/openapi.json").await.json();
    let declared = declared_operations(&document);
    assert_eq!(
        declared,
        documented_operations(),
        "docs/server.md and /openapi.json disagree"
    );
    assert!(declared.len() >= 20, "{declared:?}");

    let paths: BTreeSet<&String> = declared.iter().map(|(_, path, _)| path).collect();
    let methods = [
        Method::GET,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::PUT,
    ];
    for path in paths {
        for method in &methods {
            let is_declared = declared
                .iter()
                .any(|(m, p, _)| p == path && m == method.as_str());
            for prefix in ["/api/v1", "/api"] {
                let uri = concrete(&path.replacen("/api/v1", prefix, 1));
                let body = matches!(*method, Method::POST | Method::PATCH).then(|| b"{}".to_vec());
                if !is_declared {
                    // The router answers no undocumented operation on a documented path.
                    let keyed = app
                        .call(
                            method.clone(),
                            &uri,
                            body.clone(),
                            &[("x-api-key", "s3cret")],
                        )
                        .await;
                    assert_eq!(
                        keyed.status,
                        StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {uri}"
                    );
                    continue;
                }
                let bare = app.call(method.clone(), &uri, body.clone(), &[]).await;
                assert_eq!(
                    bare.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {uri} without a key"
                );
                assert_eq!(bare.detail(), "X-API-Key header required");
                let wrong = app
                    .call(
                        method.clone(),
                        &uri,
                        body.clone(),
                        &[("x-api-key", "s3creT")],
                    )
                    .await;
                assert_eq!(
                    wrong.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {uri} wrong key"
                );
                for key in [("x-api-key", "s3cret"), ("authorization", "Bearer s3cret")] {
                    let keyed = app.call(method.clone(), &uri, body.clone(), &[key]).await;
                    assert!(
                        ![401, 403, 405].contains(&keyed.status.as_u16()),
                        "{method} {uri} with {key:?}: {}",
                        keyed.status
                    );
                    if keyed.status == StatusCode::NOT_FOUND {
                        assert_ne!(keyed.detail(), "Not Found", "{method} {uri} is not routed");
                    }
                }
                assert_eq!(
                    bare.header("deprecation").is_some(),
                    prefix == "/api",
                    "{method} {uri}: deprecation headers"
                );
            }
        }
    }

    let listed = app
        .call(
            Method::GET,
            "/api/v1/scans",
            None,
            &[("authorization", "Bearer s3cret")],
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json(), json!([]));
    assert_eq!(listed.header("x-total-count"), Some("0"));
    let unauthorized = app.get("/api/v1/scans").await;
    assert_eq!(unauthorized.header("www-authenticate"), Some("Bearer"));
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_legacy_mount_answers_with_deprecation_headers_even_when_it_404s() {
    let app = App::new(Adapters::SecretsOnly, None);
    let legacy = app.get("/api/scans?limit=5").await;
    assert_eq!(legacy.status, StatusCode::OK);
    assert_eq!(legacy.json(), json!([]));
    assert_eq!(legacy.header("deprecation"), Some("true"));
    assert_eq!(
        legacy.header("link"),
        Some("</api/v1/scans>; rel=\"successor-version\"")
    );
    assert_eq!(legacy.header("sunset"), Some(SUNSET));

    let unknown = app.get("/api/nonexistent").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.detail(), "Not Found");
    assert_eq!(unknown.header("deprecation"), Some("true"));
    assert_eq!(
        unknown.header("link"),
        Some("</api/v1/nonexistent>; rel=\"successor-version\"")
    );
    let missing_scan = app.get("/api/scans/nope").await;
    assert_eq!(missing_scan.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_scan.detail(), "Scan not found");
    assert_eq!(missing_scan.header("sunset"), Some(SUNSET));

    let current = app.get("/api/v1/scans").await;
    for name in ["deprecation", "link", "sunset"] {
        assert_eq!(current.header(name), None, "/api/v1 carries {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_when_well_formed_and_replaced_otherwise() {
    let app = App::new(Adapters::SecretsOnly, None);
    let with = |id: &str| {
        let id = id.to_string();
        let app = &app;
        async move {
            app.call(Method::GET, "/health", None, &[("x-request-id", &id)])
                .await
                .header("x-request-id")
                .expect("a request id")
                .to_string()
        }
    };
    assert_eq!(with("trace-42.a:b/c+d=e@f").await, "trace-42.a:b/c+d=e@f");
    let longest = "a".repeat(128);
    assert_eq!(with(&longest).await, longest);
    let is_new = |id: &str| uuid_like(id);
    for bad in ["has space", "semi;colon", "quote\"d", &"a".repeat(129)] {
        let answered = with(bad).await;
        assert!(is_new(&answered), "{bad:?} became {answered:?}");
    }
    let none = app.get("/api/v1/scans/nope").await;
    assert!(is_new(none.header("x-request-id").expect("id on a 404")));
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36
        && id.chars().filter(|c| *c == '-').count() == 4
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_headers_come_on_successes_and_on_errors_for_allowed_origins_only() {
    let app = App::new(Adapters::SecretsOnly, Some("s3cret"));
    let origin = [("origin", ORIGIN)];
    let cases = [
        (Method::GET, "/health", None, StatusCode::OK),
        (Method::GET, "/api/v1/scans", None, StatusCode::UNAUTHORIZED),
        (Method::GET, "/api/v1/nope", None, StatusCode::NOT_FOUND),
    ];
    for (method, uri, body, status) in cases {
        let answer = app.call(method, uri, body, &origin).await;
        assert_eq!(answer.status, status, "{uri}");
        assert_eq!(
            answer.header("access-control-allow-origin"),
            Some(ORIGIN),
            "{uri}"
        );
        let exposed = answer
            .header("access-control-expose-headers")
            .expect("exposed headers")
            .to_ascii_lowercase();
        for name in ["x-request-id", "content-disposition", "x-total-count"] {
            assert!(
                exposed.contains(name),
                "{uri}: {name} not exposed: {exposed}"
            );
        }
    }
    let keyed = [("origin", ORIGIN), ("x-api-key", "s3cret")];
    let invalid = app
        .call(Method::POST, "/api/v1/scans", Some(b"{".to_vec()), &keyed)
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.header("access-control-allow-origin"), Some(ORIGIN));
    let too_big = app
        .call(
            Method::POST,
            "/api/v1/scans",
            Some(vec![b' '; BODY_LIMIT + 1]),
            &keyed,
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.header("access-control-allow-origin"), Some(ORIGIN));

    let preflight = app
        .call(
            Method::OPTIONS,
            "/api/v1/scans",
            None,
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "x-api-key, content-type"),
            ],
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert!(
        preflight
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST"))
    );

    let foreign = app
        .call(
            Method::GET,
            "/health",
            None,
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
}

/// The 422 `detail` entries as (type, loc).
fn problems(detail: &Value) -> Vec<(String, Value)> {
    detail
        .as_array()
        .unwrap_or_else(|| panic!("a 422 detail is a list: {detail}"))
        .iter()
        .map(|entry| {
            for key in ["type", "loc", "msg", "input"] {
                assert!(entry.get(key).is_some(), "{key} missing in {entry}");
            }
            (
                entry["type"].as_str().expect("type").to_string(),
                entry["loc"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_scan_requests_get_a_4xx_and_store_nothing() {
    let app = App::new(Adapters::All, None);
    let project = app.project("repo", &[("app.py", "print('hi')\n")]);
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.py"), "x = 1\n").expect("write");
    std::os::unix::fs::symlink(outside.path(), app.root.join("link-out")).expect("symlink");
    let repo = project.display().to_string();

    let unprocessable: [(&[u8], &str, Value); 7] = [
        (b"not json", "json_invalid", json!(["body"])),
        (
            b"{\"target_path\": ",
            "json_invalid",
            json!(["body", "target_path"]),
        ),
        (b"\"text\"", "type_error", json!(["body"])),
        (
            b"{\"target_path\": 5}",
            "type_error",
            json!(["body", "target_path"]),
        ),
        (
            b"{\"scan_types\": [\"code\"]}",
            "missing",
            json!(["body", "target_path"]),
        ),
        (
            b"{\"target_path\": \"/x\", \"scan_types\": [\"code\", \"bogus\"]}",
            "enum",
            json!(["body", "scan_types", 1]),
        ),
        (
            b"{\"target_path\": \"/x\", \"scan_types\": []}",
            "too_short",
            json!(["body", "scan_types"]),
        ),
    ];
    for (body, kind, loc) in unprocessable {
        let answer = app
            .call(Method::POST, "/api/v1/scans", Some(body.to_vec()), &[])
            .await;
        let shown = String::from_utf8_lossy(body);
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{shown}");
        assert_eq!(
            problems(&answer.detail()),
            [(kind.to_string(), loc)],
            "{shown}"
        );
    }
    let enum_error = app
        .send(
            Method::POST,
            "/api/v1/scans",
            &json!({"target_path": repo, "scan_types": ["bogus"]}),
        )
        .await;
    assert_eq!(enum_error.detail()[0]["input"], "bogus");

    let too_big = format!("{{\"target_path\": \"{}\"}}", "a".repeat(BODY_LIMIT));
    let answer = app
        .call(
            Method::POST,
            "/api/v1/scans",
            Some(too_big.into_bytes()),
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let not_json = app
        .call(
            Method::POST,
            "/api/v1/scans",
            Some(b"target_path=/x".to_vec()),
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let code = |path: String| json!({ "target_path": path, "scan_types": ["code"] });
    let refused = [
        (code(outside.path().display().to_string()), "outside"),
        (
            code(app.root.join("link-out").display().to_string()),
            "outside",
        ),
        (
            code(app.root.join("link-out/secret.py").display().to_string()),
            "outside",
        ),
        (code(format!("{repo}/../..")), "outside"),
        (code("repo/../../..".to_string()), "outside"),
        (code("/etc".to_string()), "outside"),
        (
            code(app.root.join("missing").display().to_string()),
            "does not exist",
        ),
        (
            json!({ "target_path": repo, "scan_types": ["dast"] }),
            "target_url",
        ),
        (
            json!({ "target_path": repo, "scan_types": ["dast"], "target_url": "http://169.254.169.254/latest/meta-data" }),
            "169.254.169.254",
        ),
        (
            json!({ "target_path": repo, "scan_types": ["dast"], "target_url": "http://user@[::ffff:169.254.169.254]:80/" }),
            "metadata",
        ),
        (
            json!({ "target_path": repo, "scan_types": ["network"] }),
            "target_host",
        ),
        (
            json!({ "target_path": repo, "scan_types": ["network"], "target_host": "169.254.169.254" }),
            "169.254.169.254",
        ),
    ];
    for (body, says) in refused {
        let answer = app.send(Method::POST, "/api/v1/scans", &body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.json()
        );
        let detail = answer.detail();
        let detail = detail.as_str().expect("a 400 detail is a string");
        assert!(detail.contains(says), "{body}: {detail}");
    }
    assert_eq!(app.scan_count(), 0, "a refused request stored a scan");

    for uri in [
        "/api/v1/scans/nope",
        "/api/v1/scans/nope/findings",
        "/api/v1/scans/nope/summary",
        "/api/v1/scans/nope/report?format=csv",
        "/api/v1/scans/nope/sbom",
        "/api/v1/scans/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/compliance/coverage?scan_id=nope",
        "/api/v1/scans/compare?scan_a=nope&scan_b=nope2",
    ] {
        let answer = app.get(uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            answer
                .detail()
                .as_str()
                .expect("text")
                .ends_with("not found"),
            "{uri}"
        );
    }
    for (method, uri) in [
        (Method::DELETE, "/api/v1/scans/nope"),
        (Method::POST, "/api/v1/scans/nope/cancel"),
        (Method::DELETE, "/api/v1/findings/fp/comments/nope"),
    ] {
        let answer = app.call(method.clone(), uri, None, &[]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
    let queries = [
        ("/api/v1/scans?limit=0", "greater_than_equal", "limit"),
        ("/api/v1/scans?limit=1001", "less_than_equal", "limit"),
        ("/api/v1/scans?offset=-1", "int_parsing", "offset"),
        (
            "/api/v1/scans/nope/findings?severity=urgent",
            "enum",
            "severity",
        ),
        ("/api/v1/scans/nope/findings?status=done", "enum", "status"),
        (
            "/api/v1/scans/nope/findings?suppressed=maybe",
            "bool_parsing",
            "suppressed",
        ),
        ("/api/v1/scans/nope/report?format=docx", "enum", "format"),
        ("/api/v1/scans/compare?scan_a=x", "missing", "scan_b"),
        (
            "/api/v1/dashboard/trends?days=366",
            "less_than_equal",
            "days",
        ),
        ("/api/v1/compliance/coverage", "missing", "scan_id"),
    ];
    for (uri, kind, name) in queries {
        let answer = app.get(uri).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_eq!(
            problems(&answer.detail()),
            [(kind.to_string(), json!(["query", name]))],
            "{uri}"
        );
    }
    let browse_out = app.get("/api/v1/dashboard/browse?path=/etc").await;
    assert_eq!(browse_out.status, StatusCode::BAD_REQUEST);
    let browse_link = app
        .get(&format!(
            "/api/v1/dashboard/browse?path={}/link-out",
            app.root.display()
        ))
        .await;
    assert_eq!(browse_link.status, StatusCode::BAD_REQUEST);
    let browse = app.get("/api/v1/dashboard/browse").await;
    assert_eq!(browse.status, StatusCode::OK);
    let listing = browse.json();
    assert_eq!(listing["current"], app.root.display().to_string());
    assert_eq!(listing["parent"], Value::Null);
    let names: Vec<&str> = listing["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(names, ["repo"], "a symlink out of the root was listed");

    let bad_triage = [
        (json!({}), "missing"),
        (json!({ "status": "resolved" }), "enum"),
        (json!({ "status": "fixed", "note": 3 }), "type_error"),
        (
            json!({ "status": "fixed", "note": "n".repeat(10_001) }),
            "string_too_long",
        ),
    ];
    for (body, kind) in bad_triage {
        let answer = app
            .send(Method::PATCH, "/api/v1/findings/fp/state", &body)
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problems(&answer.detail())[0].0, kind, "{body}");
    }
    let empty_comment = app
        .send(
            Method::POST,
            "/api/v1/findings/fp/comments",
            &json!({ "author": "a" }),
        )
        .await;
    assert_eq!(empty_comment.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_verdict = app.get("/api/v1/findings/fp/comments").await;
    assert_eq!(no_verdict.json(), json!([]));
    assert_eq!(app.scan_count(), 0);
}
