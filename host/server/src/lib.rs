//! `securescan serve`: the REST API over the same [`Engine`](securescan_engine::Engine) the CLI
//! runs and the same store `history` reads. Where things are:
//!
//! - [`routes`]: every route, each declared with its method, path and scope in one attribute
//!   (the OpenAPI document and the router are built from the same declarations);
//! - [`queue`]: the scan queue (FIFO, bounded, cancellable) and the scan lifecycle;
//! - [`access`]: the scope check and rate limit every API route goes through;
//! - [`auth`]: who is calling (env key, API keys, event tokens, dev mode);
//! - [`credentials`]: issuing and checking API keys and event tokens;
//! - [`rate_limit`]: the per-caller token buckets;
//! - [`extract`]: request bodies, queries and ids, with the documented 422 errors;
//! - [`targets`]: which paths, URLs and hosts a scan may name;
//! - [`http`]: request ids, the access log, CORS, legacy-path deprecation headers, body limits;
//! - [`events`]: the event bus: each scan's numbered, replayable events (SSE reads them);
//! - [`progress`]: the documented event payloads, and the notifications they leave;
//! - [`webhooks`]: signed, ordered, durable webhook deliveries and their SSRF guard;
//! - [`leftovers`]: ending tool processes a crashed server left behind.

pub mod access;
pub mod app_files;
pub mod auth;
pub mod config;
pub mod credentials;
pub mod error;
pub mod events;
pub mod extract;
pub mod http;
pub mod leftovers;
pub mod logging;
pub mod openapi;
pub mod progress;
pub mod queue;
pub mod rate_limit;
pub mod routes;
pub mod sessions;
pub mod state;
pub mod targets;
mod time;
pub mod webhooks;

pub use config::{ConfigError, ServerConfig};
pub use routes::app;
pub use state::AppState;

/// Serve `state` on `listener` until SIGTERM or Ctrl-C; then stop accepting, cancel running
/// scans (killing their tools) and return.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    raise_open_file_limit();
    let queue = state.queue.clone();
    // Read notifications past their retention go at start-up and then daily.
    let pruning = tokio::spawn(prune_daily(state.clone()));
    let dispatching = tokio::spawn(state.dispatcher.clone().run());
    let router = app(state);
    // The peer address keys dev mode's rate limit (there is no key to key it by).
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    pruning.abort();
    dispatching.abort();
    queue.shut_down().await;
    Ok(())
}

/// Each live-progress subscriber holds a socket: take the whole allowance the system grants
/// (the soft limit is often 1,024, the hard one far more).
fn raise_open_file_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft < hard
        && let Err(err) = setrlimit(Resource::RLIMIT_NOFILE, hard, hard)
    {
        tracing::warn!(target: "securescan.server", soft, error = %err, "cannot raise the open-file limit");
    }
}

async fn prune_daily(state: AppState) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(86_400));
    loop {
        daily.tick().await;
        let pruning = state.clone();
        match tokio::task::spawn_blocking(move || routes::notifications::prune(&pruning)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(pruned)) => {
                tracing::info!(target: "securescan.server", pruned, "pruned read notifications past their retention")
            }
            Ok(Err(err)) => {
                tracing::warn!(target: "securescan.server", error = %err, "could not prune notifications")
            }
            Err(err) => {
                tracing::warn!(target: "securescan.server", error = %err, "pruning notifications stopped")
            }
        }
    }
}

/// A mutex whose holder panicked still guards consistent data here (each critical section is a
/// single insert, remove or push).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            // Without a SIGTERM handler the default action still ends the process.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!(target: "securescan.server", "shutting down: no new requests; cancelling running scans");
}
