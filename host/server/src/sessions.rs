//! Dashboard sessions. A browser signs in by presenting an API key once (`POST /auth/session`);
//! the server answers with a random session id in an HttpOnly, SameSite=Strict cookie, so the key
//! never sits in JavaScript-readable storage (the original baked its key into the bundle). A
//! session stands for the key it was opened with, checked as that key is now on every request
//! (revoked or expired: the session ends). Writes made with the cookie must also carry the
//! session's CSRF token in `X-CSRF-Token`, which a page from another origin cannot read.
//!
//! Sessions live in memory: a restart signs everyone out, and only a hash of each id is kept, so
//! a memory dump does not yield a usable cookie.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use sha2::{Digest, Sha256};

use crate::credentials::{RandomError, random_token, same_secret};

/// The cookie's name.
pub const COOKIE_NAME: &str = "securescan_session";
/// The header writes made with the cookie must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Seconds a session lasts from sign-in (a working day): it is not extended by use, so a
/// stolen cookie is not good forever.
pub const SESSION_TTL: u64 = 12 * 3600;
/// Sessions kept at once; past it the oldest is dropped (sign-ins are rate limited per caller,
/// this bounds memory whatever happens).
const MAX_SESSIONS: usize = 10_000;

/// What a session stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The key id, or `env` for the operator's key (the same binding event tokens use).
    pub key_id: String,
    pub csrf: String,
    pub expires_unix: u64,
}

#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: Mutex<HashMap<[u8; 32], Session>>,
}

/// A new session's cookie value and what it stands for.
#[derive(Debug)]
pub struct Opened {
    pub id: String,
    pub session: Session,
}

fn digest(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

impl Sessions {
    /// Open a session for `key_id`.
    pub fn open(&self, key_id: &str, now: u64) -> Result<Opened, RandomError> {
        let id = random_token(32)?;
        let session = Session {
            key_id: key_id.to_string(),
            csrf: random_token(32)?,
            expires_unix: now + SESSION_TTL,
        };
        let mut sessions = crate::lock(&self.by_hash);
        sessions.retain(|_, s| s.expires_unix > now);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.expires_unix)
                .map(|(hash, _)| *hash)
        {
            sessions.remove(&oldest);
        }
        sessions.insert(digest(&id), session.clone());
        Ok(Opened { id, session })
    }

    /// The live session of a cookie value (an expired one is forgotten).
    pub fn find(&self, id: &str, now: u64) -> Option<Session> {
        let hash = digest(id);
        let mut sessions = crate::lock(&self.by_hash);
        match sessions.get(&hash) {
            Some(session) if session.expires_unix > now => Some(session.clone()),
            Some(_) => {
                sessions.remove(&hash);
                None
            }
            None => None,
        }
    }

    /// End a session (sign-out, or its key is gone).
    pub fn close(&self, id: &str) {
        crate::lock(&self.by_hash).remove(&digest(id));
    }
}

/// The session id in the request's cookies, if any.
pub fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value)
}

/// Whether the request carries the session's CSRF token.
pub fn csrf_matches(headers: &HeaderMap, session: &Session) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|token| same_secret(token, &session.csrf))
}

/// `Set-Cookie` for a session: HttpOnly (scripts cannot read it), SameSite=Strict (other sites
/// cannot send it), `Secure` when the request came through HTTPS (a proxy says so).
pub fn set_cookie(id: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether the request reached us over HTTPS, as a TLS-terminating proxy reports it.
pub fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_session_is_found_by_its_id_until_it_expires_or_closes() {
        let sessions = Sessions::default();
        let opened = sessions.open("k1", 1_000).expect("random");
        assert_eq!(opened.session.expires_unix, 1_000 + SESSION_TTL);
        assert_eq!(
            sessions.find(&opened.id, 1_001),
            Some(opened.session.clone())
        );
        assert_eq!(sessions.find("someone-else", 1_001), None);
        assert_eq!(sessions.find(&opened.id, 1_000 + SESSION_TTL), None);
        let second = sessions.open("k1", 2_000).expect("random");
        assert_ne!(second.id, opened.id);
        assert_ne!(second.session.csrf, opened.session.csrf);
        sessions.close(&second.id);
        assert_eq!(sessions.find(&second.id, 2_001), None);
    }

    #[test]
    fn the_cookie_is_read_among_others_and_the_csrf_token_must_match() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; securescan_session=abc; other=1"),
        );
        assert_eq!(cookie(&headers), Some("abc"));
        let session = Session {
            key_id: "k".into(),
            csrf: "token".into(),
            expires_unix: 10,
        };
        assert!(!csrf_matches(&headers, &session));
        headers.insert(CSRF_HEADER, HeaderValue::from_static("tokeN"));
        assert!(!csrf_matches(&headers, &session));
        headers.insert(CSRF_HEADER, HeaderValue::from_static("token"));
        assert!(csrf_matches(&headers, &session));
        let set = set_cookie("abc", 60, false);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure")
        );
        assert!(set_cookie("abc", 60, true).ends_with("; Secure"));
    }
}
