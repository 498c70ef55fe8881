//! `/api/v1/webhooks` (admin only: a webhook sends scan data wherever its URL points). The
//! signing secret is in the response that created or rotated it and nowhere else; a URL must
//! be http(s) and, unless `SECURESCAN_WEBHOOK_ALLOW_PRIVATE`, resolve outside the server's own
//! networks (checked again on every delivery).

use axum::Extension;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;

use securescan_store::{DeliveryRecord, NewWebhook, WebhookChange, WebhookRecord};

use crate::access::Principal;
use crate::credentials::unix_now;
use crate::error::{ApiError, Invalid};
use crate::extract::{Body, too_long};
use crate::state::AppState;
use crate::targets::check_address;
use crate::time;

const MAX_NAME: usize = 200;
const MAX_URL: usize = 2048;
const DELIVERY_LOG: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum WebhookEvent {
    #[serde(rename = "scan.complete")]
    ScanComplete,
    #[serde(rename = "scan.failed")]
    ScanFailed,
    #[serde(rename = "scanner.failed")]
    ScannerFailed,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl WebhookEvent {
    fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ScanComplete => "scan.complete",
            WebhookEvent::ScanFailed => "scan.failed",
            WebhookEvent::ScannerFailed => "scanner.failed",
            WebhookEvent::WebhookTest => "webhook.test",
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookCreate {
    pub name: String,
    /// http(s); Slack (`https://hooks.slack.com/services/…`) and Discord
    /// (`https://discord.com/api/webhooks/…`) URLs get those services' message shapes.
    pub url: String,
    /// At least one of scan.complete, scan.failed, scanner.failed, webhook.test.
    pub event_filter: Vec<WebhookEvent>,
    /// Deliver from the start (the default); `false` creates it paused.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct WebhookUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub event_filter: Option<Vec<WebhookEvent>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A webhook with its signing secret: the only responses that carry it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: WebhookRecord,
    /// Verify `X-SecureScan-Signature` with it; it is never shown again.
    pub secret: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestQueued {
    pub delivery_id: String,
    pub webhook_id: String,
    pub event: String,
}

fn invalid(field: &str, msg: impl Into<String>, input: serde_json::Value) -> ApiError {
    ApiError::Validation(vec![Invalid::new(
        "value_error",
        vec![json!("body"), json!(field)],
        msg,
        input,
    )])
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(invalid("name", "the name must not be blank", json!(name)));
    }
    too_long("name", Some(trimmed), MAX_NAME)?;
    Ok(trimmed.to_string())
}

/// An http(s) URL with a host, without whitespace, whose addresses a delivery may reach.
async fn check_url(state: &AppState, url: &str) -> Result<String, ApiError> {
    too_long("url", Some(url), MAX_URL)?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            "url",
            "url must not contain whitespace or control characters",
            json!(url),
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|err| invalid("url", format!("not a URL: {err}"), json!(url)))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "url",
            "url must start with http:// or https://",
            json!(url),
        ));
    }
    let Some(host) = parsed.host_str() else {
        return Err(invalid("url", "url has no host", json!(url)));
    };
    check_address("url", host, state.config.webhook_allow_private)
        .await
        .map_err(|err| invalid("url", err.to_string(), json!(url)))?;
    Ok(parsed.to_string())
}

fn check_filter(events: &[WebhookEvent]) -> Result<Vec<String>, ApiError> {
    if events.is_empty() {
        return Err(invalid(
            "event_filter",
            "give at least one event",
            json!([]),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    for event in events {
        if !names.iter().any(|n| n == event.as_str()) {
            names.push(event.as_str().to_string());
        }
    }
    Ok(names)
}

fn new_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| ApiError::Internal(format!("random source: {err}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn with_secret(status: StatusCode, webhook: WebhookRecord, secret: String) -> Response {
    let mut response = (status, axum::Json(WebhookCreated { webhook, secret })).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn not_found() -> ApiError {
    ApiError::not_found("Webhook")
}

#[utoipa::path(
    post, path = "/webhooks", tag = "webhooks",
    request_body = WebhookCreate,
    security(("api_key" = ["admin"])),
    responses((status = 201, body = WebhookCreated), (status = 422, body = Object))
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Body(create): Body<WebhookCreate>,
) -> Result<Response, ApiError> {
    let name = check_name(&create.name)?;
    let event_filter = check_filter(&create.event_filter)?;
    let url = check_url(&state, &create.url).await?;
    let now = time::now();
    let webhook = WebhookRecord {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        url,
        event_filter,
        enabled: create.enabled,
        created_at: now.clone(),
        updated_at: now,
        created_by: Some(caller.key_id.clone()),
    };
    let secret = new_secret()?;
    let new = NewWebhook {
        record: webhook.clone(),
        secret: secret.clone(),
    };
    state
        .webhooks_blocking(move |w| w.create_webhook(&new))
        .await?;
    tracing::info!(target: "securescan.webhooks", webhook_id = %webhook.id, by = %caller.key_id, "webhook created");
    Ok(with_secret(StatusCode::CREATED, webhook, secret))
}

/// Newest first; never a secret.
#[utoipa::path(
    get, path = "/webhooks", tag = "webhooks",
    security(("api_key" = ["admin"])),
    responses((status = 200, body = Vec<WebhookRecord>))
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<WebhookRecord>>, ApiError> {
    Ok(axum::Json(state.webhooks_blocking(|w| w.webhooks()).await?))
}

#[utoipa::path(
    get, path = "/webhooks/{webhook_id}", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses((status = 200, body = WebhookRecord), (status = 404, body = Object))
)]
pub async fn read_webhook(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
) -> Result<axum::Json<WebhookRecord>, ApiError> {
    state
        .webhooks_blocking(move |w| w.webhook(&webhook_id))
        .await?
        .map(axum::Json)
        .ok_or_else(not_found)
}

/// Change name, URL, events or `enabled`; fields left out stay.
#[utoipa::path(
    patch, path = "/webhooks/{webhook_id}", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    request_body = WebhookUpdate,
    security(("api_key" = ["admin"])),
    responses((status = 200, body = WebhookRecord), (status = 404, body = Object), (status = 422, body = Object))
)]
pub async fn update_webhook(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
    Body(update): Body<WebhookUpdate>,
) -> Result<axum::Json<WebhookRecord>, ApiError> {
    let change = WebhookChange {
        name: update.name.as_deref().map(check_name).transpose()?,
        url: match &update.url {
            Some(url) => Some(check_url(&state, url).await?),
            None => None,
        },
        event_filter: update
            .event_filter
            .as_deref()
            .map(check_filter)
            .transpose()?,
        enabled: update.enabled,
        secret: None,
    };
    state
        .webhooks_blocking(move |w| w.update_webhook(&webhook_id, &change, &time::now()))
        .await?
        .map(axum::Json)
        .ok_or_else(not_found)
}

/// A new signing secret, same id; deliveries from now on are signed with it.
#[utoipa::path(
    post, path = "/webhooks/{webhook_id}/rotate-secret", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses((status = 200, body = WebhookCreated), (status = 404, body = Object))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let secret = new_secret()?;
    let change = WebhookChange {
        secret: Some(secret.clone()),
        ..WebhookChange::default()
    };
    let webhook = state
        .webhooks_blocking(move |w| w.update_webhook(&webhook_id, &change, &time::now()))
        .await?
        .ok_or_else(not_found)?;
    Ok(with_secret(StatusCode::OK, webhook, secret))
}

/// Delete a webhook and its deliveries.
#[utoipa::path(
    delete, path = "/webhooks/{webhook_id}", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses((status = 204, description = "Deleted"), (status = 404, body = Object))
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .webhooks_blocking(move |w| w.delete_webhook(&webhook_id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}

/// The newest 100 deliveries.
#[utoipa::path(
    get, path = "/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses((status = 200, body = Vec<DeliveryRecord>), (status = 404, body = Object))
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
) -> Result<axum::Json<Vec<DeliveryRecord>>, ApiError> {
    state
        .webhooks_blocking(move |w| w.deliveries(&webhook_id, DELIVERY_LOG))
        .await?
        .map(axum::Json)
        .ok_or_else(not_found)
}

/// Queue a `webhook.test` delivery: the same queue, signature and retries as real events.
#[utoipa::path(
    post, path = "/webhooks/{webhook_id}/test", tag = "webhooks",
    params(("webhook_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses((status = 202, body = TestQueued), (status = 404, body = Object))
)]
pub async fn test_webhook(
    State(state): State<AppState>,
    UrlPath(webhook_id): UrlPath<String>,
) -> Result<(StatusCode, axum::Json<TestQueued>), ApiError> {
    let now = time::now();
    let payload = json!({"message": "Test from SecureScan", "timestamp": now}).to_string();
    let id = webhook_id.clone();
    let delivery_id = state
        .webhooks_blocking(move |w| {
            w.enqueue_delivery(&id, "webhook.test", &payload, &now, unix_now() as i64)
        })
        .await?
        .ok_or_else(not_found)?;
    state.dispatcher.wake();
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(TestQueued {
            delivery_id,
            webhook_id,
            event: "webhook.test".into(),
        }),
    ))
}
