//! `/api/v1/notifications`: the operator's inbox. Completed scans with findings, failed scans
//! and failed scanners leave one each (see [`crate::progress::notification`]); read ones older
//! than [`RETENTION_DAYS`] are pruned at start-up and daily.

use axum::extract::{Path as UrlPath, State};
use serde::Serialize;

use securescan_engine::stamp::utc_before_now;
use securescan_store::NotificationRecord;

use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use crate::time;

/// The documented default and cap of a listing (more is silently capped, as documented).
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;
pub const RETENTION_DAYS: i64 = 30;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    pub marked_read: u64,
}

/// Newest first.
#[utoipa::path(
    get, path = "/notifications", tag = "notifications",
    params(
        ("unread_only" = Option<bool>, Query),
        ("limit" = Option<u32>, Query, description = "1 or more (default 50); above 200 is capped at 200")
    ),
    security(("api_key" = ["read"])),
    responses((status = 200, body = Vec<NotificationRecord>), (status = 422, body = Object))
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    query: Query,
) -> Result<axum::Json<Vec<NotificationRecord>>, ApiError> {
    let unread_only = query.flag("unread_only")?.unwrap_or(false);
    let limit = query
        .bounded("limit", 1, u32::MAX)?
        .unwrap_or(DEFAULT_LIMIT)
        .min(MAX_LIMIT);
    let listed = state
        .notifications_blocking(move |n| n.notifications(unread_only, limit))
        .await?;
    Ok(axum::Json(listed))
}

#[utoipa::path(
    get, path = "/notifications/unread-count", tag = "notifications",
    security(("api_key" = ["read"])),
    responses((status = 200, body = UnreadCount))
)]
pub async fn unread_count(
    State(state): State<AppState>,
) -> Result<axum::Json<UnreadCount>, ApiError> {
    let count = state
        .notifications_blocking(|n| n.unread_notifications())
        .await?;
    Ok(axum::Json(UnreadCount { count }))
}

/// Mark one read; again keeps the first time.
#[utoipa::path(
    patch, path = "/notifications/{notification_id}/read", tag = "notifications",
    params(("notification_id" = String, Path)),
    security(("api_key" = ["write"])),
    responses((status = 200, body = NotificationRecord), (status = 404, body = Object))
)]
pub async fn mark_read(
    State(state): State<AppState>,
    UrlPath(notification_id): UrlPath<String>,
) -> Result<axum::Json<NotificationRecord>, ApiError> {
    let marked = state
        .notifications_blocking(move |n| n.mark_notification_read(&notification_id, &time::now()))
        .await?;
    marked
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("Notification"))
}

/// Mark every unread one read; says how many were.
#[utoipa::path(
    patch, path = "/notifications/read-all", tag = "notifications",
    security(("api_key" = ["write"])),
    responses((status = 200, body = MarkedRead))
)]
pub async fn mark_all_read(
    State(state): State<AppState>,
) -> Result<axum::Json<MarkedRead>, ApiError> {
    let marked_read = state
        .notifications_blocking(|n| n.mark_all_notifications_read(&time::now()))
        .await?;
    Ok(axum::Json(MarkedRead { marked_read }))
}

/// Delete read notifications older than the retention; how many went.
pub fn prune(state: &AppState) -> Result<u64, securescan_store::StoreError> {
    state
        .notifications
        .prune_read_notifications(&utc_before_now(RETENTION_DAYS * 86_400))
}
