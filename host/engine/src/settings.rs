//! What a scan needs from the machine it runs on besides its request: the ZAP daemon, the
//! user's home (for the baseline's host probes) and where tool versions are cached. A client reads them once, with
//! [`Settings::from_environment`], and hands them to the engine in its config; nothing below reads
//! the environment during a scan, so two scans in one process can run under different settings.

use std::path::PathBuf;

use crate::limited_read::{MAX_SETTINGS_FILE_BYTES, read_limited_text};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The running ZAP daemon, e.g. `http://127.0.0.1:8090`.
    pub zap_address: Option<String>,
    /// Its API key, sent in a header, never in a URL.
    pub zap_api_key: Option<String>,
    /// The user's home directory, whose files the live host's baseline probes look at.
    pub home: Option<PathBuf>,
    /// Where tool versions read by probes are remembered; `None` probes every tool every time.
    pub tool_cache: Option<PathBuf>,
}

impl Settings {
    /// `SECURESCAN_ZAP_ADDRESS` and `SECURESCAN_ZAP_API_KEY` from the environment, else from the
    /// user's `.env` file (`~/.config/securescan/.env`, or under `$XDG_CONFIG_HOME`): the shell
    /// always wins. `HOME` from the environment.
    pub fn from_environment() -> Settings {
        Settings {
            zap_address: user_setting("SECURESCAN_ZAP_ADDRESS"),
            zap_api_key: user_setting("SECURESCAN_ZAP_API_KEY"),
            home: std::env::var_os("HOME").map(PathBuf::from),
            tool_cache: user_cache_dir().map(|dir| dir.join("securescan/tool-versions.json")),
        }
    }
}

/// `$XDG_CACHE_HOME`, else `~/.cache`.
fn user_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
}

/// `name` from the environment, else from the user `.env` file; empty values count as unset.
pub fn user_setting(name: &str) -> Option<String> {
    if let Ok(value) = std::env::var(name) {
        return (!value.is_empty()).then_some(value);
    }
    let text = read_limited_text(
        &user_env_file()?,
        MAX_SETTINGS_FILE_BYTES,
        "a settings file",
    )
    .ok()?;
    dotenv_value(&text, name).filter(|v| !v.is_empty())
}

fn user_env_file() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("securescan").join(".env"))
}

/// The last `KEY=value` for `name`. `#` starts a comment line, whitespace around `=` is ignored,
/// and values are literal: quotes stay part of the value, as documented.
fn dotenv_value(text: &str, name: &str) -> Option<String> {
    text.lines()
        .rev()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_string())
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_are_read_literally_and_the_last_one_wins() {
        let text = "# zap\nSECURESCAN_ZAP_ADDRESS = http://127.0.0.1:8090\n\
                    SECURESCAN_ZAP_API_KEY=\"quoted\"\nSECURESCAN_ZAP_ADDRESS=http://[::1]:8090\n";
        assert_eq!(
            dotenv_value(text, "SECURESCAN_ZAP_ADDRESS").as_deref(),
            Some("http://[::1]:8090")
        );
        assert_eq!(
            dotenv_value(text, "SECURESCAN_ZAP_API_KEY").as_deref(),
            Some("\"quoted\"")
        );
        assert_eq!(dotenv_value(text, "MISSING"), None);
    }
}
