//! The routes anyone may call: the API root, liveness, readiness; and the answers to unknown
//! paths and methods.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Root {
    name: &'static str,
    status: &'static str,
    docs: &'static str,
    health: &'static str,
}

/// API root: where the docs and the health check are. A browser (asking for HTML) gets the
/// dashboard instead.
#[utoipa::path(
    get, path = "/", tag = "public",
    responses(
        (status = 200, description = "The API root; the dashboard page for `Accept: text/html`",
         content((Root = "application/json"), (String = "text/html")))
    )
)]
pub async fn root(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    if let Some(page) = state.app_files.serve(&Method::GET, &uri, &headers) {
        return page;
    }
    axum::Json(Root {
        name: "SecureScan API",
        status: "ok",
        docs: "/docs",
        health: "/health",
    })
    .into_response()
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "public", responses((status = 200, body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness: the store answers a query and the registry's adapters are all present and intact.
/// 503 names what failed.
#[utoipa::path(
    get, path = "/ready", tag = "public",
    responses(
        (status = 200, description = "Ready", body = Object),
        (status = 503, description = "Not ready: `detail` says which check failed", body = Object)
    )
)]
pub async fn ready(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let db = match state.blocking(|store| store.ping()).await {
        Ok(()) => json!({ "status": "ok" }),
        Err(err) => json!({ "status": "fail", "error": describe(err) }),
    };
    let broken = state.engine.broken_adapters();
    let adapters = state.engine.registry().adapters.len();
    let scanners = if broken.is_empty() {
        json!({ "status": "ok", "count": adapters })
    } else {
        json!({ "status": "fail", "count": adapters, "error": broken.join("; ") })
    };
    let ok = db["status"] == "ok" && scanners["status"] == "ok";
    let checks = json!({ "db": db, "scanners": scanners });
    if ok {
        Ok(axum::Json(json!({ "status": "ready", "checks": checks })))
    } else {
        Err(ApiError::Unavailable(
            json!({ "status": "not_ready", "checks": checks }),
        ))
    }
}

fn describe(err: ApiError) -> String {
    match err {
        ApiError::Internal(message) | ApiError::Client(_, message) => message,
        other => format!("{other:?}"),
    }
}

/// Anything no route matched: a dashboard page or file for a browser, else the JSON 404 (always
/// under `/api`).
pub async fn fallback(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    state
        .app_files
        .serve(&method, &uri, &headers)
        .unwrap_or_else(|| not_found().into_response())
}

fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "detail": "Not Found" })),
    )
}

pub async fn method_not_allowed() -> impl IntoResponse {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(json!({ "detail": "Method Not Allowed" })),
    )
}
