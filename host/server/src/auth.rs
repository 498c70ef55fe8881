//! Who is calling: the operator's `SECURESCAN_API_KEY`, a key from `/api/v1/keys` (checked
//! against its salted hash, its revocation and its expiry on every request, so revoking takes
//! effect on the next one), an SSE event token on the events route, or nobody in dev mode
//! (no credential of any kind exists).

use std::sync::atomic::Ordering;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use securescan_engine::stamp::utc_before_now;

use crate::access::Principal;
use crate::config::ServerConfig;
use crate::credentials::{self, key_matches, same_secret, unix_now};
use crate::error::ApiError;
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

/// The caller of a request that carries no event token.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, Response> {
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
    match claim.key_id.as_str() {
        "dev" => match in_dev_mode(state).await {
            Ok(true) => Ok(Principal::dev()),
            Ok(false) => Err(unauthorized(
                "Dev-mode token no longer valid (auth has been enabled)",
            )),
            Err(err) => Err(err.into_response()),
        },
        "env" if state.config.api_key.is_some() => Ok(Principal::env()),
        "env" => Err(unauthorized("Env-var key no longer configured")),
        id => {
            let id = id.to_string();
            let stored = state
                .keys_blocking(move |keys| keys.key(&id))
                .await
                .map_err(IntoResponse::into_response)?;
            let now = time::now();
            match stored.map(|k| k.record) {
                Some(key)
                    if key.revoked_at.is_none()
                        && key.expires_at.as_deref().is_none_or(|e| e > now.as_str()) =>
                {
                    Ok(Principal::db(&key))
                }
                _ => Err(unauthorized("Bound key is revoked or missing")),
            }
        }
    }
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
