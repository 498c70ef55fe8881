//! The dashboard's files and how they are served: the build embedded at compile time, or the
//! one in `SECURESCAN_DASHBOARD_DIR` (read once at start, so no request can reach any other
//! file). Paths that are not files are the app's own routes (`/scan/<id>`, `/history?…`): a
//! browser asking for a page gets `index.html`, which routes them; API clients and every
//! `/api/*` path keep the JSON 404.

use std::collections::HashMap;
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/dashboard_files.rs"));

/// The app's pages may load only what the server itself serves: no inline script, no other
/// origin, never inside a frame.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(Debug, thiserror::Error)]
pub enum AppFilesError {
    #[error(
        "SECURESCAN_DASHBOARD_DIR={0}: no index.html there (point it at a `npm run build` output, frontend/dist)"
    )]
    NoIndex(String),
    #[error("SECURESCAN_DASHBOARD_DIR: cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Default)]
pub struct AppFiles {
    files: HashMap<String, Bytes>,
}

impl AppFiles {
    /// The build embedded in the binary (empty when it was compiled without one).
    pub fn embedded() -> AppFiles {
        AppFiles {
            files: FILES
                .iter()
                .map(|(path, bytes)| ((*path).to_string(), Bytes::from_static(bytes)))
                .collect(),
        }
    }

    /// Every file under `dir`, read now.
    pub fn from_dir(dir: &Path) -> Result<AppFiles, AppFilesError> {
        if !dir.join("index.html").is_file() {
            return Err(AppFilesError::NoIndex(dir.display().to_string()));
        }
        let mut files = HashMap::new();
        read_dir(dir, "", &mut files)?;
        Ok(AppFiles { files })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer for a GET of `path` outside the API, if the dashboard has one.
    pub fn serve(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
        if !matches!(*method, Method::GET | Method::HEAD) {
            return None;
        }
        let path = uri.path();
        if path == "/api" || path.starts_with("/api/") {
            return None;
        }
        let relative = path.trim_start_matches('/');
        if let Some(bytes) = self
            .files
            .get(relative)
            .filter(|_| relative != "index.html")
        {
            // Vite names built assets by their content hash: they never change under one name.
            let cache = if relative.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            return Some(file(bytes.clone(), content_type(relative), cache));
        }
        let wants_page = headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        let last = relative.rsplit('/').next().unwrap_or_default();
        if !wants_page || last.contains('.') {
            return None;
        }
        Some(match self.files.get("index.html") {
            Some(index) => file(index.clone(), "text/html; charset=utf-8", "no-cache"),
            None => not_built(),
        })
    }
}

fn read_dir(
    dir: &Path,
    prefix: &str,
    files: &mut HashMap<String, Bytes>,
) -> Result<(), AppFilesError> {
    let failed = |path: &Path, source| AppFilesError::Read {
        path: path.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|err| failed(dir, err))? {
        let entry = entry.map_err(|err| failed(dir, err))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(|err| failed(&path, err))?;
        if kind.is_dir() {
            read_dir(&path, &format!("{prefix}{name}/"), files)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).map_err(|err| failed(&path, err))?;
            files.insert(format!("{prefix}{name}"), Bytes::from(bytes));
        }
    }
    Ok(())
}

fn file(bytes: Bytes, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    secure(headers);
    response
}

/// The headers every dashboard response carries.
fn secure(headers: &mut HeaderMap) {
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

/// A binary compiled without the dashboard says so, and how to get it, instead of a blank page.
fn not_built() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        "<!doctype html><html lang=\"en\"><title>SecureScan</title><h1>The dashboard is not in this build</h1>\
         <p>This securescan binary was compiled without frontend/dist. Build the dashboard \
         (<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, which scripts/setup.sh runs) and \
         rebuild, or point <code>SECURESCAN_DASHBOARD_DIR</code> at a build. The API is at \
         <a href=\"/docs\">/docs</a>.</p></html>",
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers);
    response
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> AppFiles {
        AppFiles {
            files: [
                ("index.html", "<!doctype html>app"),
                ("assets/index-abc.js", "js"),
                ("robots.txt", "no"),
            ]
            .into_iter()
            .map(|(p, b)| (p.to_string(), Bytes::from_static(b.as_bytes())))
            .collect(),
        }
    }

    fn get(files: &AppFiles, path: &str, accept: &str) -> Option<Response> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(accept).expect("header"));
        files.serve(&Method::GET, &path.parse().expect("uri"), &headers)
    }

    #[test]
    fn pages_route_to_the_app_and_the_api_keeps_its_404() {
        let files = files();
        let html = "text/html,application/xhtml+xml";
        for page in ["/scan/0f1a93cb", "/history", "/settings/keys"] {
            let response = get(&files, page, html).expect("a page");
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
            assert!(response.headers().contains_key("content-security-policy"));
        }
        let asset = get(&files, "/assets/index-abc.js", "*/*").expect("asset");
        assert_eq!(
            asset.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert!(
            asset.headers()[CACHE_CONTROL]
                .to_str()
                .expect("ascii")
                .contains("immutable")
        );
        assert!(get(&files, "/api/v1/nope", html).is_none());
        assert!(get(&files, "/api", html).is_none());
        assert!(get(&files, "/history", "application/json").is_none());
        assert!(get(&files, "/missing.png", html).is_none());
        let post = files.serve(
            &Method::POST,
            &"/history".parse().expect("uri"),
            &HeaderMap::new(),
        );
        assert!(post.is_none());
        let empty = AppFiles::default();
        let response = get(&empty, "/scan/1", html).expect("the not-built page");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_directory_without_index_html_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            AppFiles::from_dir(dir.path()),
            Err(AppFilesError::NoIndex(_))
        ));
        std::fs::create_dir(dir.path().join("assets")).expect("mkdir");
        std::fs::write(dir.path().join("index.html"), "x").expect("write");
        std::fs::write(dir.path().join("assets/a.css"), "y").expect("write");
        let files = AppFiles::from_dir(dir.path()).expect("files");
        assert_eq!(files.files.len(), 2);
        assert!(files.files.contains_key("assets/a.css"));
    }
}
