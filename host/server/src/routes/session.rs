//! Dashboard sign-in: an API key presented once becomes a session cookie (see
//! [`crate::sessions`]). These routes sit outside `/api`, so asking whether anyone is signed in
//! never answers 401 (a signed-out page would otherwise log an error for its first request).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::access::too_many;
use crate::auth::{self, in_dev_mode};
use crate::credentials::unix_now;
use crate::error::ApiError;
use crate::routes::keys::{Caller, caller_of};
use crate::sessions::{self, SESSION_TTL};
use crate::state::AppState;

/// Who the browser is signed in as.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The signed-in caller (`source` is `dev` in dev mode); null when nobody is signed in.
    pub caller: Option<Caller>,
    /// Send it as `X-CSRF-Token` on every write made with the session cookie. Null without a
    /// session (dev mode, or nobody signed in).
    pub csrf_token: Option<String>,
    /// When the session ends (UTC, RFC 3339); it is not extended by use.
    pub expires_at: Option<String>,
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn expires_at(expires_unix: u64) -> String {
    securescan_engine::stamp::format_utc(i64::try_from(expires_unix).unwrap_or(i64::MAX))
}

/// The browser's session: the caller, or `caller: null` when it must sign in.
#[utoipa::path(
    get, path = "/auth/session", tag = "session",
    responses((status = 200, body = SessionInfo))
)]
pub async fn read_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let signed_out = SessionInfo {
        caller: None,
        csrf_token: None,
        expires_at: None,
    };
    let info = match sessions::cookie(&headers) {
        Some(id) => match auth::session_principal(&state, id).await {
            Ok(Some((principal, session))) => match caller_of(&state, principal).await {
                Ok(caller) => SessionInfo {
                    caller: Some(caller),
                    csrf_token: Some(session.csrf),
                    expires_at: Some(expires_at(session.expires_unix)),
                },
                Err(err) => return err.into_response(),
            },
            Ok(None) => dev_session(&state).await.unwrap_or(signed_out),
            Err(response) => return response,
        },
        None => dev_session(&state).await.unwrap_or(signed_out),
    };
    no_store(axum::Json(info).into_response())
}

/// The dev-mode caller, when the server has no credentials at all.
async fn dev_session(state: &AppState) -> Option<SessionInfo> {
    if !matches!(in_dev_mode(state).await, Ok(true)) {
        return None;
    }
    let caller = caller_of(state, crate::access::Principal::dev())
        .await
        .ok()?;
    Some(SessionInfo {
        caller: Some(caller),
        csrf_token: None,
        expires_at: None,
    })
}

/// Sign in: present the key in `X-API-Key` (or `Authorization: Bearer`); the answer sets the
/// HttpOnly session cookie and carries the CSRF token. The key is checked like on any request
/// (unknown, revoked, expired: 401). Attempts are rate limited per client address.
#[utoipa::path(
    post, path = "/auth/session", tag = "session",
    params(("X-API-Key" = Option<String>, Header, description = "The key to sign in with")),
    responses(
        (status = 200, body = SessionInfo, description = "Signed in; `Set-Cookie` carries the session"),
        (status = 401, body = Object, description = "No key, or an invalid, revoked or expired one"),
        (status = 429, body = Object, description = "Too many sign-in attempts from this address")
    )
)]
pub async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers();
    if state.limiter.enabled() {
        let address = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
        let decision = state.limiter.check(
            &format!("/auth/session ip:{address}"),
            Instant::now(),
            unix_now(),
        );
        if !decision.allowed {
            return too_many(&decision);
        }
    }
    if !auth::presents_key(headers) {
        return match dev_session(&state).await {
            Some(info) => no_store(axum::Json(info).into_response()),
            None => auth::unauthorized("X-API-Key header required"),
        };
    }
    let principal = match auth::authenticate_key(&state, headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    let opened = match state.sessions.open(&principal.key_id, unix_now()) {
        Ok(opened) => opened,
        Err(err) => return ApiError::Internal(err.to_string()).into_response(),
    };
    tracing::info!(target: "securescan.server", key_id = %principal.key_id, "dashboard sign-in");
    let caller = match caller_of(&state, principal).await {
        Ok(caller) => caller,
        Err(err) => return err.into_response(),
    };
    let cookie = sessions::set_cookie(&opened.id, SESSION_TTL, sessions::over_https(headers));
    let info = SessionInfo {
        caller: Some(caller),
        csrf_token: Some(opened.session.csrf),
        expires_at: Some(expires_at(opened.session.expires_unix)),
    };
    let mut response = no_store(axum::Json(info).into_response());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// Sign out: the session ends on the server and the cookie is cleared. With a live session the
/// request must carry its CSRF token (another site cannot sign the user out).
#[utoipa::path(
    delete, path = "/auth/session", tag = "session",
    responses(
        (status = 204, description = "Signed out (also when no session existed)"),
        (status = 403, body = Object, description = "A live session, without its CSRF token")
    )
)]
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = sessions::cookie(&headers) {
        if let Some(session) = state.sessions.find(id, unix_now()) {
            if !sessions::csrf_matches(&headers, &session) {
                return ApiError::Client(
                    StatusCode::FORBIDDEN,
                    "CSRF token missing or invalid (send the session's X-CSRF-Token)".into(),
                )
                .into_response();
            }
            tracing::info!(target: "securescan.server", key_id = %session.key_id, "dashboard sign-out");
        }
        state.sessions.close(id);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cleared = sessions::set_cookie("", 0, sessions::over_https(&headers));
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    no_store(response)
}
