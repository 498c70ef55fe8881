//! What every response goes through: a request id (the caller's if well-formed, else a new
//! one), one access-log line, CORS headers (on errors too, and with the headers a browser needs
//! exposed), and the deprecation headers of the legacy `/api/...` paths.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// When the legacy `/api/...` paths go away (the documented date).
const SUNSET: &str = "Wed, 31 Dec 2026 23:59:59 GMT";
const MAX_REQUEST_ID: usize = 128;

/// The request id the caller sent, when it is short and plain enough to put in a log line and a
/// header (the original echoed any value verbatim).
fn caller_request_id(request: &Request) -> Option<String> {
    let value = request.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let fine = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b));
    fine.then(|| value.to_string())
}

/// Outermost layer: the id, the log line, the deprecation headers.
pub async fn around(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = caller_request_id(&request).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let legacy = successor(&path);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    if let Some(successor) = legacy {
        headers.insert("deprecation", HeaderValue::from_static("true"));
        if let Ok(link) =
            HeaderValue::from_str(&format!("<{successor}>; rel=\"successor-version\""))
        {
            headers.insert("link", link);
        }
        headers.insert("sunset", HeaderValue::from_static(SUNSET));
    }
    let status = response.status().as_u16();
    let latency_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    tracing::info!(
        target: "securescan.request",
        request_id = %id,
        method = %method,
        path = %path,
        status,
        latency_ms,
        "request"
    );
    response
}

/// The `/api/v1/...` path a legacy `/api/...` path moved to.
fn successor(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/api")?;
    if rest == "/v1" || rest.starts_with("/v1/") || !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(format!("/api/v1{rest}"))
}

/// CORS for the configured origins. The headers a dashboard reads are exposed (the original
/// exposed none, so browsers could not read request ids or download names).
pub fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            HeaderName::from_static("content-type"),
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("authorization"),
            REQUEST_ID,
        ])
        .expose_headers([
            REQUEST_ID,
            HeaderName::from_static("content-disposition"),
            HeaderName::from_static("deprecation"),
            HeaderName::from_static("link"),
            HeaderName::from_static("sunset"),
            HeaderName::from_static("x-total-count"),
        ])
        .allow_credentials(true)
        .max_age(std::time::Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_legacy_api_paths_have_a_successor() {
        assert_eq!(
            successor("/api/scans/x").as_deref(),
            Some("/api/v1/scans/x")
        );
        assert_eq!(
            successor("/api/nonexistent").as_deref(),
            Some("/api/v1/nonexistent")
        );
        assert_eq!(successor("/api/v1/scans"), None);
        assert_eq!(successor("/api/v1"), None);
        assert_eq!(successor("/apix"), None);
        assert_eq!(successor("/health"), None);
    }
}
