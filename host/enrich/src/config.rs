//! Which endpoint, model and limits: read once from the user's settings.

use std::path::PathBuf;
use std::time::Duration;

/// Groq's OpenAI-compatible API, used when no `SECURESCAN_AI_BASE_URL` is set.
pub const GROQ_BASE_URL: &str = "https://api.groq.com/openai/v1";
/// The model asked when `SECURESCAN_AI_MODEL` is not set: Groq's, as the original used.
pub const DEFAULT_MODEL: &str = "llama-3.3-70b-versatile";

const DEFAULT_TIMEOUT_SECS: u64 = 30;
const DEFAULT_CONCURRENCY: usize = 4;
const DEFAULT_MAX_FINDINGS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiConfig {
    /// Without the trailing `/`; `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<String>,
    pub model: String,
    /// For each request, connect to last byte.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The most findings explained per run (the most severe first).
    pub max_findings: usize,
    /// The only proxy used: the `HTTP(S)_PROXY` environment is ignored.
    pub proxy: Option<String>,
    /// Where answers are cached; `None` when no home directory is known.
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?}: expected {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl AiConfig {
    /// The configuration `setting` (a lookup of the user's settings, empty values unset) gives,
    /// or `None` when no endpoint is configured: neither a Groq key nor a base URL.
    ///
    /// The Groq key goes only to Groq: with `SECURESCAN_AI_BASE_URL` set, the key sent is
    /// `SECURESCAN_AI_API_KEY` (a local server usually needs none).
    pub fn from_settings(
        setting: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<AiConfig>, ConfigError> {
        let get = |name: &str| setting(name).filter(|v| !v.trim().is_empty());
        let (base_url, api_key) = match get("SECURESCAN_AI_BASE_URL") {
            Some(url) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(invalid(
                        "SECURESCAN_AI_BASE_URL",
                        url,
                        "an http:// or https:// URL",
                    ));
                }
                (url, get("SECURESCAN_AI_API_KEY"))
            }
            None => match get("SECURESCAN_GROQ_API_KEY") {
                Some(key) => (GROQ_BASE_URL.to_string(), Some(key)),
                None => return Ok(None),
            },
        };
        let cache_dir = get("SECURESCAN_AI_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| get("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("securescan/ai")))
            .or_else(|| get("HOME").map(|d| PathBuf::from(d).join(".cache/securescan/ai")));
        Ok(Some(AiConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.map(|k| k.trim().to_string()),
            model: get("SECURESCAN_AI_MODEL").unwrap_or_else(|| DEFAULT_MODEL.to_string()),
            timeout: Duration::from_secs(number(
                &get,
                "SECURESCAN_AI_TIMEOUT",
                DEFAULT_TIMEOUT_SECS,
                1..=600,
                "seconds from 1 to 600",
            )?),
            concurrency: number(
                &get,
                "SECURESCAN_AI_CONCURRENCY",
                DEFAULT_CONCURRENCY,
                1..=16,
                "a number from 1 to 16",
            )?,
            max_findings: number(
                &get,
                "SECURESCAN_AI_MAX_FINDINGS",
                DEFAULT_MAX_FINDINGS,
                0..=10_000,
                "a number from 0 to 10000",
            )?,
            proxy: get("SECURESCAN_AI_PROXY"),
            cache_dir,
        }))
    }

    /// The URL requests go to.
    pub fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

fn invalid(name: &'static str, value: String, expected: &'static str) -> ConfigError {
    ConfigError::Invalid {
        name,
        value,
        expected,
    }
}

fn number<T: std::str::FromStr + PartialOrd>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    expected: &'static str,
) -> Result<T, ConfigError> {
    let Some(text) = get(name) else {
        return Ok(default);
    };
    match text.trim().parse::<T>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(invalid(name, text, expected)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Option<AiConfig>, ConfigError> {
        AiConfig::from_settings(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn nothing_configured_means_no_endpoint() {
        assert_eq!(config(&[("HOME", "/home/me")]), Ok(None));
        assert_eq!(config(&[("SECURESCAN_GROQ_API_KEY", " ")]), Ok(None));
    }

    #[test]
    fn a_groq_key_means_groq_with_the_documented_defaults() {
        let c = config(&[("SECURESCAN_GROQ_API_KEY", "gsk_x"), ("HOME", "/home/me")])
            .unwrap()
            .unwrap();
        assert_eq!(
            c.endpoint(),
            "https://api.groq.com/openai/v1/chat/completions"
        );
        assert_eq!(c.api_key.as_deref(), Some("gsk_x"));
        assert_eq!(c.model, "llama-3.3-70b-versatile");
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!((c.concurrency, c.max_findings), (4, 50));
        assert_eq!(c.proxy, None);
        assert_eq!(
            c.cache_dir,
            Some(PathBuf::from("/home/me/.cache/securescan/ai"))
        );
    }

    #[test]
    fn the_groq_key_never_goes_to_another_endpoint() {
        let c = config(&[
            ("SECURESCAN_GROQ_API_KEY", "gsk_x"),
            ("SECURESCAN_AI_BASE_URL", "http://127.0.0.1:8080/v1/"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.endpoint(), "http://127.0.0.1:8080/v1/chat/completions");
        assert_eq!(c.api_key, None);
        let c = config(&[
            ("SECURESCAN_AI_BASE_URL", "http://127.0.0.1:8080/v1"),
            ("SECURESCAN_AI_API_KEY", "local"),
            ("XDG_CACHE_HOME", "/xdg"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.api_key.as_deref(), Some("local"));
        assert_eq!(c.cache_dir, Some(PathBuf::from("/xdg/securescan/ai")));
    }

    #[test]
    fn bad_values_are_named() {
        let err = config(&[
            ("SECURESCAN_GROQ_API_KEY", "k"),
            ("SECURESCAN_AI_TIMEOUT", "0"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "SECURESCAN_AI_TIMEOUT=\"0\": expected seconds from 1 to 600"
        );
        assert!(config(&[("SECURESCAN_AI_BASE_URL", "ftp://x")]).is_err());
        assert!(
            config(&[
                ("SECURESCAN_GROQ_API_KEY", "k"),
                ("SECURESCAN_AI_CONCURRENCY", "99")
            ])
            .is_err()
        );
    }
}
