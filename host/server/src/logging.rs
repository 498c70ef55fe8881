//! One log line per request and per scan event, on stderr: JSON objects
//! (`SECURESCAN_LOG_FORMAT=json`, for log shippers) or text, at `SECURESCAN_LOG_LEVEL`.

use tracing_subscriber::EnvFilter;

use crate::config::ConfigError;

/// Install the subscriber. `SECURESCAN_LOG_FORMAT` is `json` or `text` (default text, json when
/// `SECURESCAN_IN_CONTAINER` is set); `SECURESCAN_LOG_LEVEL` a level (default info).
pub fn init() -> Result<(), ConfigError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let level = var("SECURESCAN_LOG_LEVEL").unwrap_or_else(|| "info".into());
    let filter = EnvFilter::try_new(level.to_lowercase()).map_err(|err| ConfigError::Invalid {
        name: "SECURESCAN_LOG_LEVEL",
        value: level.clone(),
        reason: format!("expected error, warn, info, debug or trace ({err})"),
    })?;
    let format = var("SECURESCAN_LOG_FORMAT")
        .map(|f| f.to_lowercase())
        .unwrap_or_else(|| {
            if var("SECURESCAN_IN_CONTAINER").is_some() {
                "json".into()
            } else {
                "text".into()
            }
        });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format.as_str() {
        "json" => builder.json().flatten_event(true).try_init(),
        "text" => builder.try_init(),
        other => {
            return Err(ConfigError::Invalid {
                name: "SECURESCAN_LOG_FORMAT",
                value: other.to_string(),
                reason: "expected json or text".into(),
            });
        }
    };
    // Already installed (tests start several servers in one process): keep the first.
    let _ = installed;
    Ok(())
}
