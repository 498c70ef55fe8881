//! The server's settings, read once at start from the environment (the documented
//! `SECURESCAN_*` variables). A bad value stops the server with a message naming the variable,
//! never a silent default.

use std::path::{Path, PathBuf};

const DEFAULT_CORS_ORIGINS: &str =
    "http://localhost:3000,http://127.0.0.1:3000,http://localhost:3003,http://127.0.0.1:3003";
const DEFAULT_MAX_CONCURRENT_SCANS: usize = 2;
/// Request bodies are small JSON documents; a megabyte is far above any real one.
const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// A secret from the environment: its `Debug` never shows it, so no log line or panic message
/// carries it by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// `SECURESCAN_RATE_LIMIT_*`: a token bucket per caller on the routes that start work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// `SECURESCAN_RATE_LIMIT_ENABLED` (default true).
    pub enabled: bool,
    /// `SECURESCAN_RATE_LIMIT_PER_MIN` (default 60): the sustained rate.
    pub per_min: u32,
    /// `SECURESCAN_RATE_LIMIT_BURST` (default 10): what a caller that has been quiet may send at
    /// once.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> RateLimit {
        RateLimit {
            enabled: true,
            per_min: 60,
            burst: 10,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `SECURESCAN_DB_PATH`: the same file `scan` and `history` use.
    pub db_path: PathBuf,
    /// `SECURESCAN_ALLOWED_ROOTS`, canonicalized: scans and the directory browser stay inside.
    pub allowed_roots: Vec<PathBuf>,
    /// `SECURESCAN_MAX_CONCURRENT_SCANS`: scans running at once; the rest wait in FIFO order.
    pub max_concurrent_scans: usize,
    /// `SECURESCAN_CORS_ORIGINS`: origins a browser may call the API from.
    pub cors_origins: Vec<String>,
    /// `SECURESCAN_MAX_BODY_BYTES`.
    pub body_limit: usize,
    /// `SECURESCAN_API_KEY`: the operator's key, with every scope (compared in constant time).
    pub api_key: Option<Secret>,
    /// `SECURESCAN_AUTH_REQUIRED`: refuse to start without credentials and an event-token
    /// secret, instead of falling back to dev mode.
    pub auth_required: bool,
    /// `SECURESCAN_EVENT_TOKEN_SECRET`: signs the SSE event tokens (a random one per process
    /// when unset, so tokens die with the process).
    pub event_token_secret: Option<Secret>,
    pub rate_limit: RateLimit,
    /// `SECURESCAN_ALLOW_PRIVATE_TARGETS`: let API scans reach loopback, private and link-local
    /// addresses (cloud metadata addresses stay refused).
    pub allow_private_targets: bool,
    /// `SECURESCAN_WEBHOOK_ALLOW_PRIVATE`: let webhooks deliver to loopback, private and
    /// link-local addresses (cloud metadata addresses stay refused).
    pub webhook_allow_private: bool,
    /// `SECURESCAN_DASHBOARD_DIR`: serve this dashboard build (frontend/dist) instead of the one
    /// embedded in the binary, e.g. while working on the dashboard.
    pub dashboard_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

impl ServerConfig {
    /// From the environment; `cwd` is the default allowed root.
    pub fn from_env(cwd: &Path) -> Result<ServerConfig, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let db_path = var("SECURESCAN_DB_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(securescan_store::default_path);
        let roots_text = var("SECURESCAN_ALLOWED_ROOTS");
        let allowed_roots = match &roots_text {
            Some(text) => parse_roots(text)?,
            None => vec![canonical_root("SECURESCAN_ALLOWED_ROOTS", cwd)?],
        };
        let max_concurrent_scans = match var("SECURESCAN_MAX_CONCURRENT_SCANS") {
            Some(text) => positive("SECURESCAN_MAX_CONCURRENT_SCANS", &text)?,
            None => DEFAULT_MAX_CONCURRENT_SCANS,
        };
        let body_limit = match var("SECURESCAN_MAX_BODY_BYTES") {
            Some(text) => positive("SECURESCAN_MAX_BODY_BYTES", &text)?,
            None => DEFAULT_BODY_LIMIT,
        };
        let cors_origins = var("SECURESCAN_CORS_ORIGINS")
            .unwrap_or_else(|| DEFAULT_CORS_ORIGINS.to_string())
            .split(',')
            .map(|origin| origin.trim().trim_end_matches('/').to_string())
            .filter(|origin| !origin.is_empty())
            .collect();
        Ok(ServerConfig {
            db_path,
            allowed_roots,
            max_concurrent_scans,
            cors_origins,
            body_limit,
            api_key: var("SECURESCAN_API_KEY").map(|key| Secret::new(key.trim())),
            auth_required: flag(
                "SECURESCAN_AUTH_REQUIRED",
                var("SECURESCAN_AUTH_REQUIRED"),
                false,
            )?,
            event_token_secret: var("SECURESCAN_EVENT_TOKEN_SECRET")
                .map(|secret| Secret::new(secret.trim())),
            rate_limit: rate_limit(&var)?,
            allow_private_targets: flag(
                "SECURESCAN_ALLOW_PRIVATE_TARGETS",
                var("SECURESCAN_ALLOW_PRIVATE_TARGETS"),
                false,
            )?,
            webhook_allow_private: flag(
                "SECURESCAN_WEBHOOK_ALLOW_PRIVATE",
                var("SECURESCAN_WEBHOOK_ALLOW_PRIVATE"),
                false,
            )?,
            dashboard_dir: var("SECURESCAN_DASHBOARD_DIR").map(PathBuf::from),
        })
    }
}

fn rate_limit(var: &dyn Fn(&str) -> Option<String>) -> Result<RateLimit, ConfigError> {
    let defaults = RateLimit::default();
    let number = |name: &'static str, default: u32| match var(name) {
        Some(text) => positive(name, &text).and_then(|value| {
            u32::try_from(value).map_err(|_| ConfigError::Invalid {
                name,
                value: text.clone(),
                reason: "too large".into(),
            })
        }),
        None => Ok(default),
    };
    Ok(RateLimit {
        enabled: flag(
            "SECURESCAN_RATE_LIMIT_ENABLED",
            var("SECURESCAN_RATE_LIMIT_ENABLED"),
            defaults.enabled,
        )?,
        per_min: number("SECURESCAN_RATE_LIMIT_PER_MIN", defaults.per_min)?,
        burst: number("SECURESCAN_RATE_LIMIT_BURST", defaults.burst)?,
    })
}

/// `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (any case); anything else is a mistake worth
/// stopping for (a typo in `SECURESCAN_AUTH_REQUIRED` must not leave the API open).
fn flag(name: &'static str, value: Option<String>, default: bool) -> Result<bool, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            name,
            value: text,
            reason: "expected 1/true/yes/on or 0/false/no/off".into(),
        }),
    }
}

fn parse_roots(text: &str) -> Result<Vec<PathBuf>, ConfigError> {
    text.split(':')
        .filter(|part| !part.trim().is_empty())
        .map(|part| canonical_root("SECURESCAN_ALLOWED_ROOTS", Path::new(part.trim())))
        .collect()
}

/// A root must exist: a typo would otherwise refuse every scan with a confusing message.
fn canonical_root(name: &'static str, path: &Path) -> Result<PathBuf, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name,
        value: path.display().to_string(),
        reason,
    };
    if !path.is_absolute() {
        return Err(invalid(
            "give absolute directories, separated by ':'".into(),
        ));
    }
    let canonical = path
        .canonicalize()
        .map_err(|err| invalid(format!("cannot resolve it: {err}")))?;
    if !canonical.is_dir() {
        return Err(invalid("not a directory".into()));
    }
    Ok(canonical)
}

fn positive(name: &'static str, text: &str) -> Result<usize, ConfigError> {
    match text.trim().parse::<usize>() {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(ConfigError::Invalid {
            name,
            value: text.to_string(),
            reason: "expected a whole number above 0".into(),
        }),
    }
}
