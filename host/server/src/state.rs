//! What every handler shares.

use std::sync::Arc;

use securescan_engine::Engine;
use securescan_store::ScanStore;

use crate::access::DeclaredScopes;
use crate::config::ServerConfig;
use crate::events::EventPublisher;
use crate::queue::ScanQueue;
use crate::targets::AllowedRoots;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub engine: Engine,
    pub store: Arc<dyn ScanStore>,
    pub queue: Arc<ScanQueue>,
    pub events: EventPublisher,
    pub roots: Arc<AllowedRoots>,
    /// Filled in by [`crate::app`] from the routes' declarations.
    pub scopes: Arc<DeclaredScopes>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The server's state over `engine` and `store`, with its scan queue. Scans a previous
    /// process left `pending` or `running` are failed first (see [`ScanQueue::recover`]).
    pub fn new(config: ServerConfig, engine: Engine, store: Arc<dyn ScanStore>) -> AppState {
        let events = EventPublisher::new();
        let queue = Arc::new(ScanQueue::new(
            engine.clone(),
            store.clone(),
            events.clone(),
            config.max_concurrent_scans,
            &config.db_path,
        ));
        AppState {
            roots: Arc::new(AllowedRoots::new(config.allowed_roots.clone())),
            config: Arc::new(config),
            engine,
            store,
            queue,
            events,
            scopes: Arc::default(),
        }
    }

    /// Run a blocking store call off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn ScanStore) -> Result<T, securescan_store::StoreError> + Send + 'static,
    ) -> Result<T, crate::error::ApiError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || work(store.as_ref()))
            .await
            .map_err(|err| {
                crate::error::ApiError::Internal(format!("a store call stopped: {err}"))
            })?
            .map_err(Into::into)
    }
}
