//! Driving a running OWASP ZAP daemon through its JSON API: spider the target, actively scan it,
//! then page through the alerts. The adapter parses what comes back; the host does the I/O.

use std::time::{Duration, Instant};

use securescan_adapter_sdk::percent;
use serde_json::Value;

use securescan_registry::ZapDriver;

/// Where the daemon listens and the key it wants (sent as a header, never in a URL that could
/// end up in a log).
#[derive(Clone)]
pub struct ZapSession {
    pub address: String,
    pub api_key: Option<String>,
}

impl std::fmt::Debug for ZapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZapSession")
            .field("address", &self.address)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZapError {
    #[error("no ZAP daemon answered at {address}: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("ZAP refused {call}: {message}")]
    Refused { call: String, message: String },
    #[error("ZAP gave an unexpected answer to {call}: {detail}")]
    Unexpected { call: String, detail: String },
    #[error("the ZAP {phase} did not finish within {}s (stopped)", limit.as_secs())]
    Timeout { phase: String, limit: Duration },
    #[error("ZAP's alerts exceed {limit} bytes (the adapter's input limit)")]
    TooLarge { limit: usize },
}

impl ZapSession {
    fn agent(timeout: Duration) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // The daemon is addressed directly; a proxy from the environment must not sit between.
            .proxy(None)
            .build()
            .into()
    }

    /// One API call: `component/kind/name` with query parameters; the JSON object it returns.
    fn get(
        &self,
        agent: &ureq::Agent,
        call: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, ZapError> {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", percent::encode(v, percent::QUERY_VALUE)))
            .collect();
        let url = format!(
            "{}/JSON/{call}/?{}",
            self.address.trim_end_matches('/'),
            query.join("&")
        );
        let mut request = agent.get(&url);
        if let Some(key) = &self.api_key {
            request = request.header("X-ZAP-API-Key", key);
        }
        let mut response = request.call().map_err(|err| ZapError::Unreachable {
            address: self.address.clone(),
            reason: err.to_string(),
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|err| ZapError::Unexpected {
                call: call.to_string(),
                detail: err.to_string(),
            })?;
        let value: Value = serde_json::from_str(&body).map_err(|err| ZapError::Unexpected {
            call: call.to_string(),
            detail: format!("HTTP {status}, not JSON: {err}"),
        })?;
        // ZAP answers API errors as {"code": "...", "message": "..."}, usually with HTTP 400.
        if let Some(code) = value.get("code").and_then(Value::as_str) {
            let message = value.get("message").and_then(Value::as_str).unwrap_or(code);
            return Err(ZapError::Refused {
                call: call.to_string(),
                message: format!("{message} ({code})"),
            });
        }
        if status >= 400 {
            return Err(ZapError::Refused {
                call: call.to_string(),
                message: format!("HTTP {status}"),
            });
        }
        Ok(value)
    }

    /// The daemon's version: whether it is there and the key works.
    pub fn version(&self) -> Result<String, ZapError> {
        let agent = Self::agent(Duration::from_secs(10));
        let value = self.get(&agent, "core/view/version", &[])?;
        field(&value, "version", "core/view/version")
    }
}

/// Spider `target`, actively scan it, and return its alerts as one `{"alerts": [...]}` document.
/// Blocking; the whole run is bounded by `driver.timeout`, and a scan still running then is
/// stopped on the daemon.
pub fn zap_alerts(
    session: &ZapSession,
    target: &str,
    driver: &ZapDriver,
    max_bytes: usize,
) -> Result<Vec<u8>, ZapError> {
    let deadline = Instant::now() + driver.timeout;
    let agent = ZapSession::agent(driver.timeout);
    for (phase, component) in [("spider", "spider"), ("active scan", "ascan")] {
        let started = session.get(
            &agent,
            &format!("{component}/action/scan"),
            &[("url", target), ("recurse", "true")],
        )?;
        let id = field(&started, "scan", &format!("{component}/action/scan"))?;
        loop {
            let status = session.get(
                &agent,
                &format!("{component}/view/status"),
                &[("scanId", &id)],
            )?;
            let progress = field(&status, "status", &format!("{component}/view/status"))?;
            if progress.parse::<u32>().is_ok_and(|p| p >= 100) {
                break;
            }
            if Instant::now() + driver.poll > deadline {
                let _ = session.get(
                    &agent,
                    &format!("{component}/action/stop"),
                    &[("scanId", &id)],
                );
                return Err(ZapError::Timeout {
                    phase: phase.to_string(),
                    limit: driver.timeout,
                });
            }
            std::thread::sleep(driver.poll);
        }
    }
    let mut alerts: Vec<Value> = Vec::new();
    let mut size = 0usize;
    loop {
        let start = alerts.len().to_string();
        let count = driver.page_size.to_string();
        let page = session.get(
            &agent,
            "core/view/alerts",
            &[("baseurl", target), ("start", &start), ("count", &count)],
        )?;
        let Some(Value::Array(items)) = page.get("alerts").cloned() else {
            return Err(ZapError::Unexpected {
                call: "core/view/alerts".into(),
                detail: "no \"alerts\" list".into(),
            });
        };
        let got = items.len();
        size += items.iter().map(|a| a.to_string().len()).sum::<usize>();
        if size > max_bytes {
            return Err(ZapError::TooLarge { limit: max_bytes });
        }
        alerts.extend(items);
        if got < driver.page_size {
            break;
        }
    }
    serde_json::to_vec(&serde_json::json!({ "alerts": alerts })).map_err(|err| {
        ZapError::Unexpected {
            call: "core/view/alerts".into(),
            detail: err.to_string(),
        }
    })
}

/// A string field of an API answer (ZAP returns numbers as strings).
fn field(value: &Value, name: &str, call: &str) -> Result<String, ZapError> {
    match value.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(ZapError::Unexpected {
            call: call.to_string(),
            detail: format!(
                "no {name:?} in {}",
                securescan_model::text::sanitize(&value.to_string(), 200)
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            percent::encode("http://a.test/x?y=1&z", percent::QUERY_VALUE),
            "http%3A%2F%2Fa.test%2Fx%3Fy%3D1%26z"
        );
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let session = ZapSession {
            address: "http://127.0.0.1:8090".into(),
            api_key: Some("hunter2".into()),
        };
        assert!(!format!("{session:?}").contains("hunter2"));
    }
}
