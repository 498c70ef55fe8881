//! `securescan serve`: the REST API and the scan queue, over the same engine and store as the
//! other commands.

use std::sync::Arc;

use clap::Args;

use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use securescan_server::auth::{Posture, PreflightError};
use securescan_server::{AppState, ServerConfig};
use securescan_store::Store;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. The default keeps the API on this machine; use 0.0.0.0 in a
    /// container, behind authentication (SECURESCAN_API_KEY).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8000)]
    port: u16,
}

pub async fn run(args: ServeArgs) -> CommandResult {
    securescan_server::logging::init().map_err(|err| Failure::usage(err.to_string()))?;
    let config = ServerConfig::from_env(&locations::working_dir()?)
        .map_err(|err| Failure::usage(err.to_string()))?;
    let store = Store::open(&config.db_path).map_err(|err| Failure::internal(err.to_string()))?;
    let engine = locations::engine()?;
    let db_path = config.db_path.display().to_string();
    let roots: Vec<String> = config
        .allowed_roots
        .iter()
        .map(|r| r.display().to_string())
        .collect();
    // Before listening: with SECURESCAN_AUTH_REQUIRED and something missing, nothing listens.
    let posture = securescan_server::auth::preflight(&config, &store).map_err(|err| match err {
        PreflightError::Missing(_) => Failure::usage(err.to_string()),
        PreflightError::Store(_) => Failure::internal(err.to_string()),
    })?;
    let ephemeral_tokens = config.event_token_secret.is_none();
    let state = AppState::new(config, engine, Arc::new(store))
        .map_err(|err| Failure::internal(err.to_string()))?;
    state
        .queue
        .recover()
        .map_err(|err| Failure::internal(err.to_string()))?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|err| {
            Failure::usage(format!(
                "cannot listen on {}:{}: {err}",
                args.host, args.port
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|err| Failure::internal(format!("cannot read the listening address: {err}")))?;
    tell!(
        "securescan: store {db_path}; scans allowed under {}",
        roots.join(":")
    );
    if posture == Posture::Dev {
        tell!(
            "securescan: warning: SECURESCAN_API_KEY not set; API is unauthenticated (dev mode): \
             anyone who can reach {address} can use it. Set SECURESCAN_API_KEY or create an \
             admin key (POST /api/v1/keys), and SECURESCAN_AUTH_REQUIRED=1"
        );
    }
    if ephemeral_tokens {
        tell!(
            "securescan: SECURESCAN_EVENT_TOKEN_SECRET not set: event tokens are signed with a \
             random secret and stop working when the server restarts"
        );
    }
    // Last: what scripts wait for to know the server is ready.
    tell!("securescan: serving http://{address} (API docs: http://{address}/docs)");
    securescan_server::serve(listener, state)
        .await
        .map_err(|err| Failure::internal(format!("the server stopped: {err}")))?;
    tell!("securescan: server stopped");
    Ok(Exit::Ok)
}
