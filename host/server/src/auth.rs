//! Who is calling: the operator's `SECURESCAN_API_KEY`, a key from `/api/v1/keys` (checked
//! against its salted hash, its revocation and its expiry on every request, so revoking takes
//! effect on the next one), a dashboard session cookie, an SSE event token on the events route,
//! or nobody in dev mode
//! (no credential of any kind exists).

use std::sync::atomic::Ordering;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use securescan_engine::stamp::utc_before_now;

use crate::access::Principal;
use crate::config::ServerConfig;
use crate::credentials::{self, key_matches, same_secret, unix_now};
use crate::error::ApiError;
use crate::sessions::{self, Session};
use crate::state::AppState;
use crate::time;

/// The SSE route, the only one that honours `?event_token=` (browsers cannot send headers on
/// an `EventSource`).
pub const EVENTS_ROUTE: &str = "/api/v1/scans/{scan_id}/events";

/// Seconds between two writes of a key's `last_used_at`: a busy CI key must not turn every read
/// into a write.
const TOUCH_INTERVAL: i64 = 60;

/// How the server will authenticate, as decided before it listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posture {
    /// No credential of any kind: every request passes (the documented dev mode).
    Dev,
    /// The env key or API keys exist.
    Keys,
}

#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error("SECURESCAN_AUTH_REQUIRED is set, but {0}; not starting")]
    Missing(String),
    #[error(transparent)]
    Store(#[from] securescan_store::StoreError),
}

/// Check the auth settings against the store before listening. With `SECURESCAN_AUTH_REQUIRED`
/// the server needs an admin credential (the env key or an active admin key) and a stable
/// event-token secret, and refuses to start without them instead of falling back to dev mode.
pub fn preflight(
    config: &ServerConfig,
    keys: &dyn securescan_store::KeyStore,
) -> Result<Posture, PreflightError> {
    let any_keys = keys.any_keys()?;
    if config.auth_required {
        let mut missing = Vec::new();
        if config.api_key.is_none() && keys.active_admin_keys(&time::now())? == 0 {
            missing.push(
                "no admin credential exists (set SECURESCAN_API_KEY, or create an admin key \
                 with POST /api/v1/keys while the server runs without SECURESCAN_AUTH_REQUIRED)",
            );
        }
        if config.event_token_secret.is_none() {
            missing.push(
                "SECURESCAN_EVENT_TOKEN_SECRET is not set (live progress needs a secret that \
                 survives restarts; e.g. `openssl rand -hex 32`)",
            );
        }
        if !missing.is_empty() {
            return Err(PreflightError::Missing(missing.join("; and ")));
        }
    }
    Ok(if config.api_key.is_none() && !any_keys {
        Posture::Dev
    } else {
        Posture::Keys
    })
}

/// The non-empty `event_token` query parameter.
pub fn event_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(name, value)| name == "event_token" && !value.trim().is_empty())
        .map(|(_, value)| value.into_owned())
}

/// The scan id in an events path (`…/scans/<id>/events`).
pub fn events_scan_id(path: &str) -> &str {
    path.trim_end_matches('/')
        .trim_end_matches("/events")
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// Whether the request presents a key (in either documented header).
pub fn presents_key(headers: &HeaderMap) -> bool {
    presented_key(headers).is_some()
}

/// The key presented in `X-API-Key`, else as `Authorization: Bearer`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let api_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty());
    api_key.or_else(|| {
        let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, key) = value.trim().split_once(' ')?;
        let key = key.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
    })
}

/// 401 with the documented `WWW-Authenticate: Bearer`.
pub fn unauthorized(detail: &str) -> Response {
    let mut response =
        ApiError::Client(StatusCode::UNAUTHORIZED, detail.to_string()).into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Dev mode: no env key, and no key was ever created (a revoked one still counts, so revoking
/// the last key does not reopen the API). Once keys exist they always will, so that is
/// remembered.
pub async fn in_dev_mode(state: &AppState) -> Result<bool, ApiError> {
    if state.config.api_key.is_some() || state.keys_exist.load(Ordering::Relaxed) {
        return Ok(false);
    }
    let exist = state.keys_blocking(|keys| keys.any_keys()).await?;
    if exist {
        state.keys_exist.store(true, Ordering::Relaxed);
    }
    Ok(!exist)
}

/// The caller of a request that carries no event token: its key, else its dashboard session
/// (whose writes must carry the CSRF token), else dev mode.
pub async fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Principal, Response> {
    if presented_key(headers).is_none()
        && let Some(id) = sessions::cookie(headers)
    {
        match session_principal(state, id).await? {
            Some((principal, session)) => {
                if !method.is_safe() && !sessions::csrf_matches(headers, &session) {
                    return Err(ApiError::Client(
                        StatusCode::FORBIDDEN,
                        "CSRF token missing or invalid (send the session's X-CSRF-Token)".into(),
                    )
                    .into_response());
                }
                return Ok(principal);
            }
            // A stale cookie in dev mode changes nothing; elsewhere the browser must sign in.
            None if !matches!(in_dev_mode(state).await, Ok(true)) => {
                return Err(unauthorized("Session expired or signed out; sign in again"));
            }
            None => {}
        }
    }
    authenticate_key(state, headers).await
}

/// The principal of a session cookie and the session, or None when the session is unknown,
/// expired, or its key is no longer valid (the session is then ended).
pub async fn session_principal(
    state: &AppState,
    id: &str,
) -> Result<Option<(Principal, Session)>, Response> {
    let Some(session) = state.sessions.find(id, unix_now()) else {
        return Ok(None);
    };
    match bound_principal(state, &session.key_id).await? {
        Some(principal) => Ok(Some((principal, session))),
        None => {
            state.sessions.close(id);
            Ok(None)
        }
    }
}

/// The caller of the key the request presents, or dev mode when it presents none.
pub async fn authenticate_key(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Principal, Response> {
    let Some(presented) = presented_key(headers) else {
        return match in_dev_mode(state).await {
            // Start-up refuses this; a store swapped underneath a running server could not.
            Ok(true) if state.config.auth_required => Err(ApiError::Client(
                StatusCode::SERVICE_UNAVAILABLE,
                "Auth required but no credentials configured".into(),
            )
            .into_response()),
            Ok(true) => Ok(Principal::dev()),
            Ok(false) => Err(unauthorized("X-API-Key header required")),
            Err(err) => Err(err.into_response()),
        };
    };
    // A presented key is always checked, in dev mode too: it never falls through to dev mode.
    if let Some(env_key) = &state.config.api_key
        && same_secret(presented, env_key.expose())
    {
        return Ok(Principal::env());
    }
    let Some(id) = credentials::key_id(presented).map(str::to_string) else {
        return Err(unauthorized("Invalid API key"));
    };
    let stored = state
        .keys_blocking(move |keys| keys.key(&id))
        .await
        .map_err(IntoResponse::into_response)?;
    let Some(key) = stored
        .filter(|k| key_matches(presented, &k.key_hash) && k.record.revoked_at.is_none())
        .map(|k| k.record)
    else {
        return Err(unauthorized("Invalid API key"));
    };
    let now = time::now();
    if key.expires_at.as_deref().is_some_and(|e| e <= now.as_str()) {
        return Err(unauthorized("API key expired"));
    }
    let stale = utc_before_now(TOUCH_INTERVAL);
    if key
        .last_used_at
        .as_deref()
        .is_none_or(|last| last < stale.as_str())
    {
        let id = key.id.clone();
        if let Err(err) = state
            .keys_blocking(move |keys| keys.touch_key(&id, &now))
            .await
        {
            tracing::warn!(target: "securescan.server", error = ?err, "could not record a key's last use");
        }
    }
    Ok(Principal::db(&key))
}

/// The principal an event token stands for, checked against the scan in the path and against
/// the key it was minted for as that key is now (a revoked key's tokens die with it).
pub async fn authenticate_token(
    state: &AppState,
    token: &str,
    scan_id: &str,
) -> Result<Principal, Response> {
    let Some(claim) = state.tokens.verify(token, unix_now()) else {
        return Err(unauthorized("Invalid or expired event token"));
    };
    if claim.scan_id != scan_id {
        return Err(unauthorized("Token does not match scan id"));
    }
    if claim.key_id == "dev" {
        return match in_dev_mode(state).await {
            Ok(true) => Ok(Principal::dev()),
            Ok(false) => Err(unauthorized(
                "Dev-mode token no longer valid (auth has been enabled)",
            )),
            Err(err) => Err(err.into_response()),
        };
    }
    match bound_principal(state, &claim.key_id).await? {
        Some(principal) => Ok(principal),
        None if claim.key_id == "env" => Err(unauthorized("Env-var key no longer configured")),
        None => Err(unauthorized("Bound key is revoked or missing")),
    }
}

/// The principal a token or a session was bound to (`env` or a key id), as that key is now:
/// None once the env key is unset or the key is revoked, expired or deleted.
async fn bound_principal(state: &AppState, key_id: &str) -> Result<Option<Principal>, Response> {
    if key_id == "env" {
        return Ok(state.config.api_key.is_some().then(Principal::env));
    }
    let id = key_id.to_string();
    let stored = state
        .keys_blocking(move |keys| keys.key(&id))
        .await
        .map_err(IntoResponse::into_response)?;
    let now = time::now();
    Ok(stored.map(|k| k.record).and_then(|key| {
        (key.revoked_at.is_none() && key.expires_at.as_deref().is_none_or(|e| e > now.as_str()))
            .then(|| Principal::db(&key))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_either_documented_header() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_str(value).expect("value"));
            }
            map
        };
        assert_eq!(presented_key(&headers(&[("x-api-key", " k ")])), Some("k"));
        assert_eq!(
            presented_key(&headers(&[("authorization", "bearer  k2")])),
            Some("k2")
        );
        assert_eq!(
            presented_key(&headers(&[
                ("x-api-key", ""),
                ("authorization", "Bearer k3")
            ])),
            Some("k3")
        );
        assert_eq!(
            presented_key(&headers(&[("authorization", "Basic abc")])),
            None
        );
        assert_eq!(presented_key(&headers(&[])), None);
    }

    #[test]
    fn the_events_path_names_its_scan() {
        assert_eq!(events_scan_id("/api/v1/scans/abc/events"), "abc");
        assert_eq!(events_scan_id("/api/scans/abc/events"), "abc");
        assert_eq!(event_token(Some("a=1&event_token=t%2B")), Some("t+".into()));
        assert_eq!(event_token(Some("event_token=")), None);
    }
}
