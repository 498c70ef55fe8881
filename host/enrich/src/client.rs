//! One chat-completions request per finding.

use securescan_model::Explanation;
use serde_json::json;

use crate::config::AiConfig;
use crate::prompt::{SYSTEM_PROMPT, read_answer};

/// The largest answer read; a chat completion of a few hundred tokens is a few KiB.
const MAX_RESPONSE_BYTES: u64 = 1 << 20;
/// Enough for the two short answers asked for.
const MAX_TOKENS: u32 = 400;

pub(crate) struct Client {
    agent: ureq::Agent,
    url: String,
    authorization: Option<String>,
    model: String,
}

impl Client {
    pub(crate) fn new(config: &AiConfig) -> Result<Client, String> {
        // Only the proxy the user named for this: an HTTP(S)_PROXY set for other tools must not
        // silently route findings (and the key) through another host.
        let proxy = match &config.proxy {
            Some(url) => Some(
                ureq::Proxy::new(url)
                    .map_err(|err| format!("SECURESCAN_AI_PROXY {url:?}: {err}"))?,
            ),
            None => None,
        };
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .proxy(proxy)
            // A redirect would take the key and the finding somewhere the user did not name.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("securescan/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            url: config.endpoint(),
            authorization: config.api_key.as_ref().map(|key| format!("Bearer {key}")),
            model: config.model.clone(),
        })
    }

    /// The model's explanation of the finding `question` describes; the error says why there is
    /// none (without the key or the question).
    pub(crate) fn ask(&self, question: &str) -> Result<Explanation, String> {
        let body = json!({
            "model": self.model,
            "temperature": 0.2,
            "max_tokens": MAX_TOKENS,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": question},
            ],
        });
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        let mut response = request
            .send(body.to_string().as_bytes())
            .map_err(|err| match err {
                ureq::Error::Timeout(_) => "no answer within the timeout".to_string(),
                other => other.to_string(),
            })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(match status {
                401 | 403 => format!("HTTP {status}: the API key was refused"),
                429 => "HTTP 429: rate limited".to_string(),
                _ => format!("HTTP {status}"),
            });
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(|err| format!("reading the answer: {err}"))?;
        let reply: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| "the answer is not a chat completion (not JSON)".to_string())?;
        let content = reply
            .pointer("/choices/0/message/content")
            .and_then(serde_json::Value::as_str)
            .ok_or("the answer is not a chat completion (no choices[0].message.content)")?;
        read_answer(content).ok_or_else(|| "the model's answer was empty".to_string())
    }
}
