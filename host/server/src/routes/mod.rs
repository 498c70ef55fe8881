//! Every route. API operations are declared once, each with its `#[utoipa::path]` (method,
//! path, parameters, responses and scope); the router and the OpenAPI document are both built
//! from those declarations, so they cannot disagree. The API is mounted at `/api/v1` and, for
//! old clients, at `/api` (with deprecation headers).

mod compliance;
mod dashboard;
mod events;
pub mod keys;
pub mod notifications;
mod public;
pub mod scans;
mod session;
mod source;
pub mod triage;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{DeclaredScopes, require_scope};
use crate::openapi::{ApiDoc, docs_routes};
use crate::state::AppState;

/// The API operations, at paths relative to the API prefix.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scans::create_scan, scans::list_scans))
        .routes(routes!(scans::compare_scans))
        .routes(routes!(scans::read_scan, scans::delete_scan))
        .routes(routes!(scans::cancel_scan))
        .routes(routes!(scans::mint_event_token))
        .routes(routes!(events::stream_events))
        .routes(routes!(scans::list_findings))
        .routes(routes!(source::read_source))
        .routes(routes!(scans::read_summary))
        .routes(routes!(scans::read_report))
        .routes(routes!(scans::read_sbom))
        .routes(routes!(triage::set_state))
        .routes(routes!(triage::list_comments, triage::add_comment))
        .routes(routes!(triage::delete_comment))
        .routes(routes!(dashboard::status))
        .routes(routes!(dashboard::stats))
        .routes(routes!(dashboard::trends))
        .routes(routes!(dashboard::browse))
        .routes(routes!(dashboard::install))
        .routes(routes!(compliance::coverage))
        .routes(routes!(compliance::frameworks))
        .routes(routes!(keys::create_key, keys::list_keys))
        .routes(routes!(keys::read_me))
        .routes(routes!(keys::revoke_key))
        .routes(routes!(keys::rotate_key))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(
            webhooks::read_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::test_webhook))
}

/// The router and the OpenAPI document, from the same declarations; `state` learns the scopes
/// declared (before the scope check is given its copy).
pub fn build(state: &mut AppState) -> (Router<AppState>, serde_json::Value) {
    let (v1, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(public::root))
        .routes(routes!(public::health))
        .routes(routes!(public::ready))
        .routes(routes!(
            session::read_session,
            session::sign_in,
            session::sign_out
        ))
        .nest("/api/v1", api_routes())
        .split_for_parts();
    let mut document = serde_json::to_value(&document).unwrap_or_default();
    crate::openapi::document_auth_responses(&mut document);
    state.scopes = Arc::new(DeclaredScopes::from_openapi(&document));
    let (legacy, _) = OpenApiRouter::<AppState>::new()
        .nest("/api", api_routes())
        .split_for_parts();
    let guard = from_fn_with_state(state.clone(), require_scope);
    let router = v1
        .route_layer(guard.clone())
        .merge(legacy.route_layer(guard));
    (router, document)
}

/// The whole application: what `serve` listens with, and what tests call without a socket.
pub fn app(mut state: AppState) -> Router {
    let (router, document) = build(&mut state);
    let body_limit = state.config.body_limit;
    let cors = crate::http::cors(&state.config.cors_origins);
    router
        .merge(docs_routes(Arc::new(document)))
        .fallback(public::fallback)
        .method_not_allowed_fallback(public::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        // A handler that panics answers 500 like any other error (with CORS and the request id),
        // instead of dropping the connection.
        .layer(CatchPanicLayer::custom(crate::error::panic_response))
        .layer(cors)
        .layer(from_fn(crate::http::around))
}
