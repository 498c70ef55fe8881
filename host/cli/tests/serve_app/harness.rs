//! One application over a store and an allowed root of its own, and requests to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use securescan_registry::Registry;
use securescan_server::config::{RateLimit, Secret};
use securescan_server::{AppState, ServerConfig};
use securescan_store::{ScanStore, Store};

use crate::support::{adapter_dir, engine};

pub const ORIGIN: &str = "http://localhost:3000";
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct App {
    pub router: Router,
    pub store: Arc<Store>,
    /// The allowed root, canonical.
    pub root: PathBuf,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "{} is not JSON ({err}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `detail` of an error answer, which must have the documented shape.
    pub fn detail(&self) -> Value {
        let body = self.json();
        let object = body.as_object().expect("an error body is an object");
        assert_eq!(object.len(), 1, "only `detail`: {body}");
        body["detail"].clone()
    }
}

/// Which adapters the engine has.
pub enum Adapters {
    /// The whole registry: semgrep and bandit run for real.
    All,
    /// Only the built-in secrets analyzer: a `code` scan in a second.
    SecretsOnly,
}

impl App {
    pub fn new(adapters: Adapters, api_key: Option<&str>) -> App {
        let root_dir = tempfile::tempdir().expect("tempdir");
        let db_dir = tempfile::tempdir().expect("tempdir");
        let root = root_dir.path().canonicalize().expect("canonical root");
        let mut registry = Registry::builtin().expect("registry");
        if let Adapters::SecretsOnly = adapters {
            registry.adapters.retain(|a| a.id == "secrets");
        }
        let config = ServerConfig {
            db_path: db_dir.path().join("scans.db"),
            allowed_roots: vec![root.clone()],
            max_concurrent_scans: 2,
            cors_origins: vec![ORIGIN.to_string()],
            body_limit: BODY_LIMIT,
            api_key: api_key.map(Secret::new),
            auth_required: false,
            event_token_secret: None,
            rate_limit: RateLimit {
                enabled: false,
                ..RateLimit::default()
            },
            allow_private_targets: false,
            webhook_allow_private: false,
            dashboard_dir: None,
        };
        let store = Arc::new(Store::open(&config.db_path).expect("store"));
        let state =
            AppState::new(config, engine(registry, adapter_dir()), store.clone()).expect("state");
        App {
            router: securescan_server::app(state),
            store,
            root,
            _dirs: (root_dir, db_dir),
        }
    }

    /// Write `files` under the root, in directory `name`; returns its path.
    pub fn project(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.root.join(name);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        dir
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder().method(method.clone()).uri(uri);
        let typed = headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec();
        assert!(
            !status.is_server_error(),
            "{method} {uri} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.call(Method::GET, uri, None, &[]).await
    }

    pub async fn send(&self, method: Method, uri: &str, body: &Value) -> Answer {
        let bytes = serde_json::to_vec(body).expect("JSON");
        self.call(method, uri, Some(bytes), &[]).await
    }

    /// Start a scan of `target` and wait for it to end; returns the scan as it ended.
    pub async fn scan(&self, target: &Path, types: &[&str]) -> Value {
        let started = self
            .send(
                Method::POST,
                "/api/v1/scans",
                &serde_json::json!({ "target_path": target, "scan_types": types }),
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.json());
        let id = started.json()["id"].as_str().expect("id").to_string();
        self.wait(&id).await
    }

    pub async fn wait(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let scan = self.get(&format!("/api/v1/scans/{id}")).await.json();
            if !matches!(scan["status"].as_str(), Some("pending" | "running")) {
                return scan;
            }
            assert!(Instant::now() < deadline, "scan {id} did not end: {scan}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn scan_count(&self) -> u64 {
        self.store.count_scans().expect("count")
    }
}
