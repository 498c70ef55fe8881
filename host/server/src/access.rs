//! Who is calling, and whether the route lets them. Every API route declares its scope where
//! it is declared (the `security` of its `#[utoipa::path]`), the router is checked against
//! those declarations at start-up, and a route that declares none answers 403 to everyone: a
//! forgotten declaration fails closed, and a test fails on it.

use std::collections::HashMap;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The name of the security scheme in the OpenAPI document.
pub const SCHEME: &str = "api_key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// The caller of an API route, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No `SECURESCAN_API_KEY`: the documented dev mode, every scope allowed. The server says so
    /// at start-up.
    Dev,
    /// The operator's `SECURESCAN_API_KEY`: every scope.
    EnvKey,
}

impl Principal {
    pub fn allows(&self, _scope: Scope) -> bool {
        match self {
            Principal::Dev | Principal::EnvKey => true,
        }
    }
}

/// The scope each API operation declared, by method and path template (`/api/v1/scans/{scan_id}`).
#[derive(Debug, Clone, Default)]
pub struct DeclaredScopes(HashMap<(Method, String), Scope>);

impl DeclaredScopes {
    /// Read from the OpenAPI document the routes were declared in.
    pub fn from_openapi(document: &Value) -> DeclaredScopes {
        let mut scopes = HashMap::new();
        let Some(paths) = document.get("paths").and_then(Value::as_object) else {
            return DeclaredScopes(scopes);
        };
        for (path, item) in paths {
            let Some(operations) = item.as_object() else {
                continue;
            };
            for (method, operation) in operations {
                let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                    continue;
                };
                if let Some(scope) = declared_scope(operation) {
                    scopes.insert((method, path.clone()), scope);
                }
            }
        }
        DeclaredScopes(scopes)
    }

    pub fn get(&self, method: &Method, template: &str) -> Option<Scope> {
        self.0.get(&(method.clone(), template.to_string())).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Method, &str, Scope)> {
        self.0.iter().map(|((m, p), s)| (m, p.as_str(), *s))
    }
}

/// The one scope in an operation's `security: [{"api_key": ["read"]}]`.
pub fn declared_scope(operation: &Value) -> Option<Scope> {
    let requirements = operation.get("security")?.as_array()?;
    let mut scopes = requirements
        .iter()
        .filter_map(|r| r.get(SCHEME))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(Scope::parse);
    let scope = scopes.next()?;
    scopes.next().is_none().then_some(scope)
}

/// The v1 template a route's matched path stands for: legacy `/api/...` routes are the same
/// operations under their old prefix.
pub fn v1_template(matched: &str) -> String {
    match matched.strip_prefix("/api/") {
        Some(rest) if !rest.starts_with("v1/") => format!("/api/v1/{rest}"),
        _ => matched.to_string(),
    }
}

/// Route middleware for every API route: authenticate, then check the declared scope.
pub async fn require_scope(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let template = matched.map(|m| v1_template(m.as_str())).unwrap_or_default();
    // `/`, `/health`, `/ready` and the docs are public by the documented contract.
    if !template.starts_with("/api/") {
        return next.run(request).await;
    }
    let Some(scope) = state.scopes.get(request.method(), &template) else {
        tracing::error!(target: "securescan.server", route = %template, "route declares no scope; refused");
        return ApiError::Client(
            StatusCode::FORBIDDEN,
            "this route declares no scope, so no caller may use it".into(),
        )
        .into_response();
    };
    let principal = match authenticate(state.config.api_key.as_deref(), request.headers()) {
        Ok(principal) => principal,
        Err(response) => return *response,
    };
    if !principal.allows(scope) {
        return ApiError::Client(
            StatusCode::FORBIDDEN,
            format!("this key lacks the {scope:?} scope").to_lowercase(),
        )
        .into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// The key presented in `X-API-Key`, else as `Authorization: Bearer`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim());
    }
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

fn authenticate(configured: Option<&str>, headers: &HeaderMap) -> Result<Principal, Box<Response>> {
    let Some(configured) = configured else {
        return Ok(Principal::Dev);
    };
    let unauthorized = |detail: &str| {
        let mut response =
            ApiError::Client(StatusCode::UNAUTHORIZED, detail.to_string()).into_response();
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("ApiKey"),
        );
        Box::new(response)
    };
    match presented_key(headers) {
        None => Err(unauthorized("Missing API key")),
        Some(key) if same_secret(key, configured) => Ok(Principal::EnvKey),
        Some(_) => Err(unauthorized("Invalid API key")),
    }
}

/// Compares digests, so the time taken says nothing about how much of the key was right (nor
/// its length).
fn same_secret(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_paths_map_to_their_v1_operation() {
        assert_eq!(
            v1_template("/api/scans/{scan_id}"),
            "/api/v1/scans/{scan_id}"
        );
        assert_eq!(v1_template("/api/v1/scans"), "/api/v1/scans");
    }

    #[test]
    fn only_the_exact_key_passes() {
        assert!(same_secret("k-123", "k-123"));
        assert!(!same_secret("k-12", "k-123"));
        assert!(!same_secret("", "k-123"));
    }
}
