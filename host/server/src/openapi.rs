//! The OpenAPI 3.1 document (built from the routes' declarations) and the two ways to read it
//! in a browser: Swagger UI at `/docs` and ReDoc at `/redoc`. Their assets are inside the
//! binary (vendored from npm: swagger-ui-dist 5.17.14, redoc 2.1.5, with their licenses), so
//! nothing is fetched at build or run time.

use std::sync::Arc;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::Modify;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use crate::access::SCHEME;
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "SecureScan",
        description = "Security-scanning orchestrator: scans, findings, triage, reports. Every \
                       operation under /api/v1 is also served under /api (deprecated: those \
                       responses carry Deprecation, Link and Sunset headers).",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&ApiKeyScheme),
    tags(
        (name = "public", description = "No authentication."),
        (name = "scans", description = "Start, list, cancel and delete scans; their findings and reports."),
        (name = "triage", description = "Verdicts and comments, keyed on the cross-scan fingerprint."),
        (name = "dashboard", description = "Scanner status, statistics, trends, the directory picker."),
        (name = "compliance", description = "Framework coverage of a scan's findings."),
        (name = "keys", description = "API keys: issue, list, rotate, revoke (admin)."),
        (name = "webhooks", description = "Signed outbound deliveries of scan events (admin)."),
        (name = "notifications", description = "The in-app inbox: scans with findings, failed scans and scanners."),
    )
)]
pub struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "An API key (`ssk_<id>_<secret>` from /api/v1/keys, or SECURESCAN_API_KEY), \
                 also accepted as `Authorization: Bearer <key>`. Each operation lists the \
                 scope it needs (read, write or admin; admin holds all three); an empty list \
                 means any valid key.",
            ))),
        );
        openapi.info.version = env!("CARGO_PKG_VERSION").to_string();
    }
}

/// Every secured operation answers 401 (no or a bad credential) and 403 (a scope it lacks), and
/// the rate-limited ones 429: said once here rather than on each route.
pub fn document_auth_responses(document: &mut serde_json::Value) {
    use serde_json::json;
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["detail"],
                "properties": {"detail": {"type": "string"}}
            }}}
        })
    };
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(operations) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            if operation.get("security").is_none() {
                continue;
            }
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
            else {
                continue;
            };
            responses
                .entry("401")
                .or_insert_with(|| error("No credential, or a wrong, revoked or expired one"));
            responses
                .entry("403")
                .or_insert_with(|| error("The credential lacks the scope this operation needs"));
            let limited = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .is_ok_and(|m| crate::access::rate_limited(&m, path));
            if limited {
                responses.entry("429").or_insert_with(|| {
                    json!({
                        "description": "Rate limit exceeded: retry after `Retry-After` seconds",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["detail", "retry_after", "limit_per_min"],
                            "properties": {
                                "detail": {"type": "string"},
                                "retry_after": {"type": "integer"},
                                "limit_per_min": {"type": "integer"}
                            }
                        }}}
                    })
                });
            }
        }
    }
}

const SWAGGER_JS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui.css");
const REDOC_JS: &[u8] = include_bytes!("../assets/redoc/redoc.standalone.js");

const SWAGGER_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SecureScan API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>"#;

const SWAGGER_INIT: &str =
    "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });\n";

const REDOC_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SecureScan API</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/docs/assets/redoc.standalone.js"></script>
</body></html>"#;

fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse + Clone {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
}

/// `/openapi.json`, `/docs`, `/redoc` and their assets (public, like the original's).
pub fn docs_routes(document: Arc<serde_json::Value>) -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .route("/docs", get(|| async { Html(SWAGGER_PAGE) }))
        .route("/redoc", get(|| async { Html(REDOC_PAGE) }))
        .route(
            "/docs/assets/swagger-ui-bundle.js",
            get(|| async { asset("text/javascript; charset=utf-8", SWAGGER_JS) }),
        )
        .route(
            "/docs/assets/swagger-ui.css",
            get(|| async { asset("text/css; charset=utf-8", SWAGGER_CSS) }),
        )
        .route(
            "/docs/assets/init.js",
            get(|| async { asset("text/javascript; charset=utf-8", SWAGGER_INIT.as_bytes()) }),
        )
        .route(
            "/docs/assets/redoc.standalone.js",
            get(|| async { asset("text/javascript; charset=utf-8", REDOC_JS) }),
        )
}

/// A finding with its triage state (`FindingWithState`): the finding exactly as
/// `securescan scan --output json` prints it, plus `state`. Describes the response; the server
/// sends the stored JSON.
#[derive(utoipa::ToSchema)]
pub struct FindingWithState {
    pub id: String,
    pub scan_id: String,
    pub scanner: String,
    pub scan_type: String,
    #[schema(value_type = String, example = "high")]
    pub severity: String,
    pub title: String,
    pub description: String,
    pub file_path: Option<String>,
    pub line_start: Option<u32>,
    pub line_end: Option<u32>,
    pub rule_id: Option<String>,
    pub cwe: Option<String>,
    pub remediation: Option<String>,
    /// The scanner's extra fields and the host's (`suppressed_by`, `also_reported_by`, …).
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    pub compliance_tags: Vec<String>,
    /// 64 hex characters; the key triage is stored under.
    pub fingerprint: String,
    /// What people read as the finding's title: the title without a leading rule id, or the
    /// first sentence of the scanner's message when the title is only an identifier (bandit's
    /// `blacklist`); what the text and HTML reports show.
    pub headline: String,
    pub state: Option<securescan_store::StateRecord>,
}

/// `GET /scans/compare`: what changed from scan A to scan B.
#[derive(utoipa::ToSchema)]
pub struct CompareResult {
    pub scan_a: securescan_store::ScanRecord,
    pub scan_b: securescan_store::ScanRecord,
    #[schema(value_type = Vec<Object>)]
    pub new_findings: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub fixed_findings: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub unchanged_findings: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
}
