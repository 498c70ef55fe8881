//! Outbound webhooks: durable, signed, ordered deliveries. A delivery is committed to the store
//! before any HTTP call; the dispatcher sends each webhook's oldest unfinished delivery, retries
//! it with full-jitter exponential backoff (capped at 5 minutes) and gives it up after 30
//! minutes, so a later event never overtakes an earlier one to the same receiver. Different
//! webhooks are sent to concurrently, so a dead receiver does not hold up the others.
//!
//! Every address a delivery connects to is checked when it is resolved (the HTTP client's
//! resolver refuses loopback, private, link-local and metadata addresses unless
//! `SECURESCAN_WEBHOOK_ALLOW_PRIVATE`), so a name that later resolves inwards is refused too; no
//! proxy is used and redirects are not followed.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::Notify;

use securescan_store::{AttemptResult, DueDelivery, WebhookStore};

use crate::credentials::unix_now;
use crate::lock;
use crate::targets::refused;
use crate::time;
use securescan_model::text::ellipsize;

/// The events webhooks may subscribe to.
pub const EVENTS: [&str; 4] = [
    "scan.complete",
    "scan.failed",
    "scanner.failed",
    "webhook.test",
];
const USER_AGENT: &str = "SecureScan-Webhook/0.9";
const TIMEOUT: Duration = Duration::from_secs(10);
const BASE_BACKOFF: u64 = 5;
const MAX_BACKOFF: u64 = 300;
/// A delivery still failing this long after it was queued is given up.
const MAX_AGE: i64 = 1800;
/// The receiver's answer kept with the delivery.
const MAX_RESPONSE: usize = 2000;

/// Resolves names for the webhook client and refuses addresses a delivery must not reach.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some((ip, why)) = addresses
                .iter()
                .find_map(|a| refused(a.ip(), allow_private).map(|why| (a.ip(), why)))
            {
                return Err(
                    format!("{host} resolves to {ip}, {why}; webhooks may not reach it").into(),
                );
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Sends the queued deliveries.
pub struct Dispatcher {
    store: Arc<dyn WebhookStore>,
    client: reqwest::Client,
    allow_private: bool,
    wake: Notify,
    /// Webhooks with a delivery on the wire: one at a time each, to keep their order.
    inflight: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

impl Dispatcher {
    pub fn new(
        store: Arc<dyn WebhookStore>,
        allow_private: bool,
    ) -> Result<Dispatcher, ClientError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .user_agent(USER_AGENT)
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Dispatcher {
            store,
            client,
            allow_private,
            wake: Notify::new(),
            inflight: Mutex::new(HashSet::new()),
        })
    }

    /// Something was queued: look now rather than at the next tick.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Queue `event` for every webhook subscribed to it (blocking: the store's transaction).
    pub fn enqueue_event(
        &self,
        event: &str,
        data: &Value,
    ) -> Result<usize, securescan_store::StoreError> {
        if !EVENTS.contains(&event) {
            return Ok(0);
        }
        let queued =
            self.store
                .enqueue_event(event, &data.to_string(), &time::now(), unix_now() as i64)?;
        if !queued.is_empty() {
            self.wake();
        }
        Ok(queued.len())
    }

    /// Send due deliveries until the process ends. Deliveries a previous process left on the
    /// wire are due again first (at least once: the receiver may see one twice).
    pub async fn run(self: Arc<Self>) {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || {
            store.resume_deliveries(&time::now(), unix_now() as i64)
        })
        .await
        {
            Ok(Ok(0)) => {}
            Ok(Ok(resumed)) => {
                tracing::warn!(target: "securescan.webhooks", resumed, "resumed deliveries a previous process left in flight")
            }
            Ok(Err(err)) => {
                tracing::error!(target: "securescan.webhooks", error = %err, "could not resume deliveries")
            }
            Err(err) => {
                tracing::error!(target: "securescan.webhooks", error = %err, "resuming deliveries stopped")
            }
        }
        loop {
            let store = self.store.clone();
            let due =
                tokio::task::spawn_blocking(move || store.due_deliveries(unix_now() as i64)).await;
            match due {
                Ok(Ok(due)) => {
                    for delivery in due {
                        if lock(&self.inflight).insert(delivery.webhook_id.clone()) {
                            tokio::spawn(self.clone().deliver(delivery));
                        }
                    }
                }
                Ok(Err(err)) => {
                    tracing::error!(target: "securescan.webhooks", error = %err, "could not read the delivery queue")
                }
                Err(err) => {
                    tracing::error!(target: "securescan.webhooks", error = %err, "reading the delivery queue stopped")
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    async fn deliver(self: Arc<Self>, delivery: DueDelivery) {
        let webhook_id = delivery.webhook_id.clone();
        if let Err(err) = self.attempt(delivery).await {
            tracing::error!(target: "securescan.webhooks", webhook_id = %webhook_id, error = %err, "could not record a delivery attempt");
        }
        lock(&self.inflight).remove(&webhook_id);
        self.wake();
    }

    async fn attempt(&self, delivery: DueDelivery) -> Result<(), securescan_store::StoreError> {
        let store = self.store.clone();
        let id = delivery.id.clone();
        let claimed = tokio::task::spawn_blocking(move || store.claim_delivery(&id, &time::now()))
            .await
            .unwrap_or(Ok(false))?;
        if !claimed {
            return Ok(());
        }
        let result = if delivery.enabled {
            let outcome = self.send(&delivery).await;
            tracing::info!(
                target: "securescan.webhooks",
                webhook_id = %delivery.webhook_id,
                delivery_id = %delivery.id,
                event = %delivery.event,
                attempt = delivery.attempt + 1,
                status = ?outcome.as_ref().map(|(code, _)| *code),
                "webhook delivery attempt"
            );
            next_step(&delivery, outcome, unix_now() as i64, jitter)
        } else {
            AttemptResult {
                status: "failed",
                next_attempt_unix: 0,
                response_code: None,
                response_body: None,
                error: Some("the webhook is disabled".into()),
            }
        };
        let store = self.store.clone();
        let id = delivery.id.clone();
        tokio::task::spawn_blocking(move || store.record_attempt(&id, &result, &time::now()))
            .await
            .unwrap_or(Ok(()))
    }

    /// POST the delivery: the receiver's status and (start of its) answer, or why it could not
    /// be reached.
    async fn send(&self, delivery: &DueDelivery) -> Result<(u16, String), String> {
        let url = reqwest::Url::parse(&delivery.url).map_err(|err| format!("bad URL: {err}"))?;
        // Addresses written in the URL are not resolved, so the resolver never sees them.
        if let Some(ip) = url
            .host_str()
            .and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok())
            && let Some(why) = refused(ip, self.allow_private)
        {
            return Err(format!("{ip} is {why}; webhooks may not reach it"));
        }
        let data: Value = serde_json::from_str(&delivery.payload).unwrap_or(Value::Null);
        let body = payload(&url, &delivery.event, &data, &time::now()).to_string();
        let timestamp = unix_now();
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-securescan-event", &delivery.event)
            .header("x-securescan-webhook-id", &delivery.webhook_id)
            .header("x-securescan-delivery-id", &delivery.id)
            .header(
                "x-securescan-signature",
                signature(&delivery.secret, timestamp, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map_err(|err| describe(&err))?;
        let status = response.status().as_u16();
        let mut response = response;
        let mut answer = Vec::new();
        while answer.len() < MAX_RESPONSE * 4 {
            match response.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                _ => break,
            }
        }
        let answer: String = String::from_utf8_lossy(&answer)
            .chars()
            .take(MAX_RESPONSE)
            .collect();
        Ok((status, answer))
    }
}

/// What to record after an attempt: done on a 2xx; otherwise due again after a random delay
/// up to `5 × 2^attempt` seconds (at most 5 minutes), or given up once the delivery is 30
/// minutes old.
fn next_step(
    delivery: &DueDelivery,
    outcome: Result<(u16, String), String>,
    now: i64,
    jitter: fn(u64) -> u64,
) -> AttemptResult {
    let (code, body, error) = match outcome {
        Ok((code, body)) if (200..300).contains(&code) => {
            return AttemptResult {
                status: "succeeded",
                next_attempt_unix: 0,
                response_code: Some(code),
                response_body: Some(body),
                error: None,
            };
        }
        Ok((code, body)) => (
            Some(code),
            Some(body),
            format!("the receiver answered {code}"),
        ),
        Err(error) => (None, None, error),
    };
    if now - delivery.created_unix > MAX_AGE {
        return AttemptResult {
            status: "failed",
            next_attempt_unix: 0,
            response_code: code,
            response_body: body,
            error: Some(format!(
                "given up after {} attempts over 30 minutes; last: {error}",
                delivery.attempt + 1
            )),
        };
    }
    let cap = BASE_BACKOFF
        .saturating_mul(1u64 << delivery.attempt.min(16))
        .min(MAX_BACKOFF);
    AttemptResult {
        status: "pending",
        next_attempt_unix: now + jitter(cap) as i64,
        response_code: code,
        response_body: body,
        error: Some(error),
    }
}

/// Uniform in `0..=cap`.
fn jitter(cap: u64) -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return cap;
    }
    u64::from_le_bytes(bytes) % (cap + 1)
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`.
pub fn signature(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// A reqwest error with its causes (the resolver's refusal is one of them).
fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

enum Receiver {
    Slack,
    Discord,
    Generic,
}

/// Slack and Discord get their own shapes, chosen by the URL's exact host and path (a substring
/// anywhere in the URL, as the original matched, could be spoofed).
fn receiver(url: &reqwest::Url) -> Receiver {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let path = url.path();
    if url.scheme() == "https" && host == "hooks.slack.com" && path.starts_with("/services/") {
        Receiver::Slack
    } else if url.scheme() == "https"
        && (host == "discord.com" || host == "discordapp.com")
        && path.starts_with("/api/webhooks/")
    {
        Receiver::Discord
    } else {
        Receiver::Generic
    }
}

/// The body for `url`: the generic envelope, or Slack's or Discord's shape within their limits.
pub fn payload(url: &reqwest::Url, event: &str, data: &Value, delivered_at: &str) -> Value {
    let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or("");
    let scan = text("scan_id");
    let summary = match event {
        "scan.complete" => format!(
            "Scan complete: {} — {} findings",
            text("target_path"),
            data["findings_count"].as_u64().unwrap_or(0)
        ),
        "scan.failed" => format!("Scan failed: {}", text("target_path")),
        "scanner.failed" => format!("Scanner {} failed in scan {scan}", text("scanner")),
        "webhook.test" => "SecureScan webhook test".to_string(),
        other => other.to_string(),
    };
    let mut details: Vec<(&str, String)> = Vec::new();
    match event {
        "scan.complete" => {
            details.push(("Findings", data["findings_count"].to_string()));
            details.push(("Risk score", data["risk_score"].to_string()));
            let run: Vec<&str> = data["scanners_run"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !run.is_empty() {
                details.push(("Scanners", run.join(", ")));
            }
        }
        "scan.failed" | "scanner.failed" => {
            let error = text("error");
            details.push((
                "Error",
                if error.is_empty() {
                    "unknown error".into()
                } else {
                    error.to_string()
                },
            ));
        }
        _ => {}
    }
    match receiver(url) {
        Receiver::Generic => json!({"event": event, "data": data, "delivered_at": delivered_at}),
        Receiver::Slack => {
            let mut blocks = vec![json!({
                "type": "header",
                // Slack refuses a header over 150 characters.
                "text": {"type": "plain_text", "text": ellipsize(&summary, 150), "emoji": true}
            })];
            if !details.is_empty() {
                let fields: Vec<Value> = details
                    .iter()
                    .map(|(name, value)| json!({"type": "mrkdwn", "text": ellipsize(&format!("*{name}:*\n{value}"), 2000)}))
                    .collect();
                blocks.push(json!({"type": "section", "fields": fields}));
            }
            if !scan.is_empty() {
                blocks.push(json!({
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": format!("Scan `{scan}`")}]
                }));
            }
            json!({"text": ellipsize(&summary, 3000), "blocks": blocks})
        }
        Receiver::Discord => {
            let color = match event {
                "scan.complete" => 0x2ECC71,
                "scan.failed" => 0xE74C3C,
                "scanner.failed" => 0xFF8C00,
                _ => 0x3498DB,
            };
            let fields: Vec<Value> = details
                .iter()
                .map(|(name, value)| json!({"name": name, "value": ellipsize(value, 1024), "inline": *name != "Error"}))
                .collect();
            json!({
                "content": ellipsize(&summary, 2000),
                "embeds": [{
                    "title": ellipsize(&summary, 256),
                    "color": color,
                    "fields": fields,
                    "footer": {"text": if scan.is_empty() { "SecureScan".to_string() } else { format!("Scan {scan}") }},
                    "timestamp": delivered_at,
                }]
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(attempt: u32, created_unix: i64) -> DueDelivery {
        DueDelivery {
            id: "d".into(),
            webhook_id: "w".into(),
            event: "scan.complete".into(),
            payload: "{}".into(),
            attempt,
            created_unix,
            url: "http://example.com".into(),
            secret: "s".into(),
            enabled: true,
        }
    }

    #[test]
    fn retries_back_off_exponentially_up_to_five_minutes_then_give_up() {
        let most = |cap: u64| cap;
        let failing = || Ok::<_, String>((500, "no".to_string()));
        assert_eq!(
            next_step(&due(0, 1000), failing(), 1000, most).next_attempt_unix,
            1005
        );
        assert_eq!(
            next_step(&due(1, 1000), failing(), 1000, most).next_attempt_unix,
            1010
        );
        assert_eq!(
            next_step(&due(9, 1000), failing(), 1000, most).next_attempt_unix,
            1300
        );
        assert_eq!(
            next_step(&due(3, 1000), failing(), 1000, most).status,
            "pending"
        );
        let late = next_step(&due(3, 1000), failing(), 1000 + MAX_AGE + 1, most);
        assert_eq!(late.status, "failed");
        assert!(
            late.error
                .as_deref()
                .is_some_and(|e| e.contains("given up"))
        );
        let ok = next_step(&due(3, 1000), Ok((204, String::new())), 1000, most);
        assert_eq!(ok.status, "succeeded");
        // A redirect is not followed, and not a success either.
        assert_eq!(
            next_step(&due(0, 1000), Ok((302, String::new())), 1000, most).status,
            "pending"
        );
    }

    #[test]
    fn the_signature_is_the_documented_hmac() {
        // HMAC-SHA256("secret", "1700000000.{}") computed independently (Python hmac).
        assert_eq!(
            signature("secret", 1_700_000_000, b"{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }

    #[test]
    fn slack_and_discord_are_chosen_by_exact_host_and_stay_within_their_limits() {
        let data = json!({"scan_id": "s1", "target_path": "/t", "error": "e".repeat(500)});
        let slack = reqwest::Url::parse("https://hooks.slack.com/services/T/B/x").expect("url");
        let body = payload(
            &slack,
            "scan.failed",
            &json!({"scan_id": "s1", "target_path": "/".repeat(400), "error": "x"}),
            "t",
        );
        let header = body["blocks"][0]["text"]["text"].as_str().expect("header");
        assert!(header.chars().count() <= 150, "{header}");
        let spoof =
            reqwest::Url::parse("https://evil.example/hooks.slack.com/services/x").expect("url");
        assert!(
            payload(&spoof, "scan.failed", &data, "t")
                .get("event")
                .is_some()
        );
        let discord = reqwest::Url::parse("https://discord.com/api/webhooks/1/x").expect("url");
        let body = payload(&discord, "scan.failed", &data, "t");
        assert!(
            body["embeds"][0]["fields"][0]["value"]
                .as_str()
                .expect("value")
                .chars()
                .count()
                <= 1024
        );
        let test = payload(&spoof, "webhook.test", &json!({"message": "m"}), "t");
        assert_eq!(
            test,
            json!({"event": "webhook.test", "data": {"message": "m"}, "delivered_at": "t"})
        );
    }
}
