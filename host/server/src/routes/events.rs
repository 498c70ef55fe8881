//! `GET /api/v1/scans/{scan_id}/events`: a scan's progress as server-sent events. What was
//! published before the client connected is replayed, then events arrive live; each carries an
//! `id`, so a client that reconnects with `Last-Event-ID` resumes without gaps or duplicates. The
//! stream ends after the terminal event, and at once for a scan that already ended (the
//! original hung on scans that never published anything).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::json;

use securescan_store::ScanStatus;

use crate::error::ApiError;
use crate::events::{Subscription, WireEvent};
use crate::state::AppState;

/// A comment line goes out after this long without an event, so idle proxies keep the
/// connection; the scan's stored status is checked as often.
const KEEPALIVE: Duration = Duration::from_secs(15);

#[utoipa::path(
    get, path = "/scans/{scan_id}/events", tag = "scans",
    params(
        ("scan_id" = String, Path),
        ("event_token" = Option<String>, Query, description = "From POST /scans/{scan_id}/event-token, for browsers (EventSource cannot send X-API-Key)"),
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
        ("last_event_id" = Option<u64>, Query, description = "The same, for a browser that reopens the stream with a new event token (EventSource cannot set the header); the header wins")
    ),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, content_type = "text/event-stream", description = "`id`, `event` and JSON `data` per event: scan.start, scanner.start, scanner.complete, scanner.skipped, scanner.failed, then one of scan.complete, scan.failed, scan.cancelled"),
        (status = 404, body = Object)
    )
)]
pub async fn stream_events(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let from_query = || {
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .find(|(name, _)| name == "last_event_id")
            .and_then(|(_, value)| value.trim().parse::<u64>().ok())
    };
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(from_query)
        .unwrap_or(0);
    let lookup = scan_id.clone();
    let scan = state
        .blocking(move |store| store.scan(&lookup))
        .await?
        .ok_or_else(|| ApiError::not_found("Scan"))?;
    let subscription = if !scan.status.is_terminal() {
        Some(state.events.subscribe(&scan.id))
    } else {
        // An ended scan's events are kept a short while; past that there is only its status.
        state.events.subscribe_existing(&scan.id)
    };
    let watch = Watch {
        state,
        scan_id: scan.id,
        subscription,
        after,
        pending: VecDeque::new(),
        done: false,
    };
    let events = stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok::<Event, Infallible>(event), watch))
    });
    Ok(sse(events).into_response())
}

fn sse(events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEPALIVE).text("keepalive"))
        .into_response();
    // Proxies (nginx) must pass events through as they come.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}

struct Watch {
    state: AppState,
    scan_id: String,
    subscription: Option<Subscription>,
    /// The last event id sent (or the client's `Last-Event-ID`).
    after: u64,
    pending: VecDeque<Arc<WireEvent>>,
    done: bool,
}

impl Watch {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.done {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                self.after = event.id;
                self.done = event.is_terminal();
                return Some(frame(&event));
            }
            let fresh = match self.subscription.as_mut() {
                Some(subscription) => subscription.next_after(self.after, KEEPALIVE).await,
                None => Vec::new(),
            };
            if !fresh.is_empty() {
                self.pending.extend(fresh);
                continue;
            }
            // Nothing new: if the store says the scan ended without this process seeing its
            // terminal event (another process ran it, or its events were dropped), say so and
            // end; otherwise keep waiting (the keep-alive comment goes out meanwhile).
            if let Some(terminal) = self.ended().await {
                self.done = true;
                return Some(terminal);
            }
        }
    }

    /// The terminal event for a scan the store says has ended.
    async fn ended(&self) -> Option<Event> {
        let id = self.scan_id.clone();
        let scan = self.state.blocking(move |store| store.scan(&id)).await;
        let status = match scan {
            Ok(Some(scan)) if scan.status.is_terminal() => scan.status,
            // Deleted under the stream: it has ended too.
            Ok(None) => ScanStatus::Cancelled,
            _ => return None,
        };
        let name = match status {
            ScanStatus::Completed => "scan.complete",
            ScanStatus::Failed => "scan.failed",
            _ => "scan.cancelled",
        };
        Some(frame(&WireEvent {
            id: self.after + 1,
            event: name.to_string(),
            data: json!({ "status": status.as_str() }),
        }))
    }
}

fn frame(event: &WireEvent) -> Event {
    Event::default()
        .id(event.id.to_string())
        .event(&event.event)
        .data(event.data.to_string())
}
