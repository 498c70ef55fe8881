//! Whether a route lets its caller in. Every API route declares its scope where it is declared
//! (the `security` of its `#[utoipa::path]`), the router is checked against those declarations,
//! and a route that declares none answers 403 to everyone: a forgotten declaration fails
//! closed, and a test fails on it. Who the caller is comes from [`crate::auth`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH, RETRY_AFTER, TRANSFER_ENCODING};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use securescan_store::{Actor, KeyRecord};

use crate::auth::{self, EVENTS_ROUTE};
use crate::credentials::unix_now;
use crate::error::ApiError;
use crate::rate_limit::Decision;
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
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// A key with this scope (admin holds every scope).
    Scope(Scope),
    /// Any authenticated caller, whatever its scopes (declared as an empty scope list):
    /// `GET /keys/me`.
    AnyCaller,
}

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// No credential exists at all: the documented dev mode, every scope allowed (the server
    /// warns at start-up).
    Dev,
    /// The operator's `SECURESCAN_API_KEY`: every scope.
    Env,
    /// A key from `/api/v1/keys`, with its own scopes.
    Db,
}

/// The caller of an API route, once authenticated: the key's id (`dev`, `env` or the key id),
/// its name, and its scopes. Triage and key changes are attributed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub key_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub source: Source,
}

impl Principal {
    pub fn dev() -> Principal {
        Principal {
            key_id: "dev".into(),
            name: "dev mode".into(),
            scopes: Scope::ALL.to_vec(),
            source: Source::Dev,
        }
    }

    pub fn env() -> Principal {
        Principal {
            key_id: "env".into(),
            name: "SECURESCAN_API_KEY".into(),
            scopes: Scope::ALL.to_vec(),
            source: Source::Env,
        }
    }

    pub fn db(key: &KeyRecord) -> Principal {
        Principal {
            key_id: key.id.clone(),
            name: key.name.clone(),
            scopes: key.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
            source: Source::Db,
        }
    }

    /// Admin holds every scope (the documented "all of the above"); read and write are
    /// independent of each other.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    fn meets(&self, requirement: Requirement) -> bool {
        match requirement {
            Requirement::Scope(scope) => self.allows(scope),
            Requirement::AnyCaller => true,
        }
    }

    /// Who to record as having done something.
    pub fn actor(&self) -> Actor {
        Actor {
            key_id: self.key_id.clone(),
            name: self.name.clone(),
        }
    }

    /// The bucket its rate limit is counted in: the key's id, never the key.
    fn bucket(&self, client: Option<SocketAddr>) -> String {
        match (self.source, client) {
            (Source::Dev, Some(address)) => format!("ip:{}", address.ip()),
            (Source::Dev, None) => "anonymous".into(),
            (Source::Env, _) => "env".into(),
            (Source::Db, _) => format!("key:{}", self.key_id),
        }
    }
}

/// The requirement each API operation declared, by method and path template
/// (`/api/v1/scans/{scan_id}`).
#[derive(Debug, Clone, Default)]
pub struct DeclaredScopes(HashMap<(Method, String), Requirement>);

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
                if let Some(requirement) = declared_requirement(operation) {
                    scopes.insert((method, path.clone()), requirement);
                }
            }
        }
        DeclaredScopes(scopes)
    }

    pub fn get(&self, method: &Method, template: &str) -> Option<Requirement> {
        self.0.get(&(method.clone(), template.to_string())).copied()
    }
}

/// What an operation's `security: [{"api_key": ["read"]}]` asks: exactly one scope, or an
/// empty list for any authenticated caller. Anything else (no entry, two scopes, an unknown
/// one) declares nothing, and the route refuses everyone.
pub fn declared_requirement(operation: &Value) -> Option<Requirement> {
    let requirements = operation.get("security")?.as_array()?;
    let [requirement] = requirements.as_slice() else {
        return None;
    };
    let scopes = requirement.get(SCHEME)?.as_array()?;
    match scopes.as_slice() {
        [] => Some(Requirement::AnyCaller),
        [scope] => scope
            .as_str()
            .and_then(Scope::parse)
            .map(Requirement::Scope),
        _ => None,
    }
}

/// The v1 template a route's matched path stands for: legacy `/api/...` routes are the same
/// operations under their old prefix.
pub fn v1_template(matched: &str) -> String {
    match matched.strip_prefix("/api/") {
        Some(rest) if !rest.starts_with("v1/") => format!("/api/v1/{rest}"),
        _ => matched.to_string(),
    }
}

/// Route middleware for every API route: authenticate, check the declared requirement, and
/// count the request against the caller's rate limit where the route has one.
pub async fn require_scope(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let template = matched.map(|m| v1_template(m.as_str())).unwrap_or_default();
    // `/`, `/health`, `/ready` and the docs are public by the documented contract.
    if !template.starts_with("/api/") {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    match admit(&state, &template, &parts).await {
        Ok((principal, decision)) => {
            parts.extensions.insert(principal);
            let mut response = next.run(Request::from_parts(parts, body)).await;
            if let Some(decision) = decision {
                rate_headers(response.headers_mut(), &decision);
            }
            response
        }
        Err(mut refusal) => {
            // The body was not read: the connection cannot carry another request reliably, so
            // say so rather than let a keep-alive client send its next request into a closing
            // socket.
            if parts.headers.contains_key(CONTENT_LENGTH)
                || parts.headers.contains_key(TRANSFER_ENCODING)
            {
                refusal
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            refusal
        }
    }
}

/// The caller, if the route admits it, and what the request did to its rate limit.
async fn admit(
    state: &AppState,
    template: &str,
    request: &Parts,
) -> Result<(Principal, Option<Decision>), Response> {
    let Some(requirement) = state.scopes.get(&request.method, template) else {
        tracing::error!(target: "securescan.server", route = %template, "route declares no scope; refused");
        return Err(ApiError::Client(
            StatusCode::FORBIDDEN,
            "this route declares no scope, so no caller may use it".into(),
        )
        .into_response());
    };
    let principal = match auth::event_token(request.uri.query()) {
        Some(token) if template == EVENTS_ROUTE => {
            let scan_id = auth::events_scan_id(request.uri.path());
            auth::authenticate_token(state, &token, scan_id).await?
        }
        Some(_) => {
            return Err(auth::unauthorized(
                "event_token is only accepted on /api/v1/scans/{scan_id}/events",
            ));
        }
        None => auth::authenticate(state, &request.method, &request.headers).await?,
    };
    if let Requirement::Scope(scope) = requirement
        && !principal.meets(requirement)
    {
        return Err(ApiError::Client(
            StatusCode::FORBIDDEN,
            format!("Requires scope: {}", scope.as_str()),
        )
        .into_response());
    }
    let decision =
        (state.limiter.enabled() && rate_limited(&request.method, template)).then(|| {
            let client = request
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0);
            let bucket = format!("{template} {}", principal.bucket(client));
            state.limiter.check(&bucket, Instant::now(), unix_now())
        });
    if let Some(decision) = decision.filter(|d| !d.allowed) {
        tracing::info!(
            target: "securescan.ratelimit",
            route = %template,
            key_id = %principal.key_id,
            retry_after = decision.retry_after,
            "rate limit reached"
        );
        return Err(too_many(&decision));
    }
    Ok((principal, decision))
}

/// The routes that start work or mint credentials: a flood of them is the DoS (reads are
/// cheap, and throttling them would hurt triage during an incident).
pub fn rate_limited(method: &Method, template: &str) -> bool {
    *method == Method::POST
        && matches!(
            template,
            "/api/v1/scans" | "/api/v1/keys" | "/api/v1/keys/{key_id}/rotate"
        )
}

pub(crate) fn too_many(decision: &Decision) -> Response {
    let body = json!({
        "detail": "Rate limit exceeded",
        "retry_after": decision.retry_after,
        "limit_per_min": decision.limit,
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    rate_headers(response.headers_mut(), decision);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(decision.retry_after));
    response
}

fn rate_headers(headers: &mut HeaderMap, decision: &Decision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset));
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
    fn a_requirement_is_one_scope_or_an_empty_list() {
        let declared = |security: Value| declared_requirement(&json!({ "security": security }));
        assert_eq!(
            declared(json!([{ "api_key": ["write"] }])),
            Some(Requirement::Scope(Scope::Write))
        );
        assert_eq!(
            declared(json!([{ "api_key": [] }])),
            Some(Requirement::AnyCaller)
        );
        assert_eq!(declared(json!([{ "api_key": ["read", "write"] }])), None);
        assert_eq!(declared(json!([{ "api_key": ["root"] }])), None);
        assert_eq!(declared(json!([])), None);
        assert_eq!(declared_requirement(&json!({})), None);
    }

    #[test]
    fn admin_holds_every_scope_and_read_and_write_are_independent() {
        let with = |scopes: &[Scope]| Principal {
            scopes: scopes.to_vec(),
            ..Principal::env()
        };
        assert!(with(&[Scope::Admin]).allows(Scope::Read));
        assert!(with(&[Scope::Admin]).allows(Scope::Write));
        assert!(!with(&[Scope::Write]).allows(Scope::Read));
        assert!(!with(&[Scope::Read]).allows(Scope::Write));
        assert!(!with(&[Scope::Read, Scope::Write]).allows(Scope::Admin));
    }
}
