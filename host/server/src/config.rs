//! The server's settings, read once at start from the environment (the documented
//! `SECURESCAN_*` variables). A bad value stops the server with a message naming the variable,
//! never a silent default.

use std::path::{Path, PathBuf};

const DEFAULT_CORS_ORIGINS: &str =
    "http://localhost:3000,http://127.0.0.1:3000,http://localhost:3003,http://127.0.0.1:3003";
const DEFAULT_MAX_CONCURRENT_SCANS: usize = 2;
/// Request bodies are small JSON documents; a megabyte is far above any real one.
const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

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
    /// `SECURESCAN_API_KEY`: when set, every API route needs it (it holds every scope).
    pub api_key: Option<String>,
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
            api_key: var("SECURESCAN_API_KEY"),
        })
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
