//! What every handler shares.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use securescan_engine::Engine;
use securescan_store::{KeyStore, NotificationStore, ScanStore, StoreError, WebhookStore};

use crate::access::DeclaredScopes;
use crate::app_files::AppFiles;
use crate::config::ServerConfig;
use crate::credentials::{EventTokens, RandomError};
use crate::error::ApiError;
use crate::events::{EventBus, LocalBus};
use crate::queue::ScanQueue;
use crate::rate_limit::RateLimiter;
use crate::sessions::Sessions;
use crate::targets::AllowedRoots;
use crate::webhooks::Dispatcher;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Client(#[from] crate::webhooks::ClientError),
    #[error(transparent)]
    AppFiles(#[from] crate::app_files::AppFilesError),
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<ServerConfig>,
    pub engine: Engine,
    pub store: Arc<dyn ScanStore>,
    pub keys: Arc<dyn KeyStore>,
    /// Set once any API key exists: dev mode is over for good.
    pub keys_exist: Arc<AtomicBool>,
    pub tokens: EventTokens,
    pub limiter: Arc<RateLimiter>,
    pub queue: Arc<ScanQueue>,
    pub events: Arc<dyn EventBus>,
    pub notifications: Arc<dyn NotificationStore>,
    pub webhooks: Arc<dyn WebhookStore>,
    /// Sends queued webhook deliveries ([`crate::serve`] runs it).
    pub dispatcher: Arc<Dispatcher>,
    pub roots: Arc<AllowedRoots>,
    /// Filled in by [`crate::app`] from the routes' declarations.
    pub scopes: Arc<DeclaredScopes>,
    /// Dashboard sign-ins.
    pub sessions: Arc<Sessions>,
    /// The dashboard's files.
    pub app_files: Arc<AppFiles>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The server's state over `engine` and `store`, with its scan queue. Event tokens are
    /// signed with `SECURESCAN_EVENT_TOKEN_SECRET`, or a random secret when it is unset.
    pub fn new<S: ScanStore + KeyStore + NotificationStore + WebhookStore + 'static>(
        config: ServerConfig,
        engine: Engine,
        stores: Arc<S>,
    ) -> Result<AppState, StateError> {
        let tokens = EventTokens::new(config.event_token_secret.as_ref().map(|s| s.expose()))?;
        let store: Arc<dyn ScanStore> = stores.clone();
        let keys: Arc<dyn KeyStore> = stores.clone();
        let notifications: Arc<dyn NotificationStore> = stores.clone();
        let webhooks: Arc<dyn WebhookStore> = stores;
        let dispatcher = Arc::new(Dispatcher::new(
            webhooks.clone(),
            config.webhook_allow_private,
        )?);
        let events: Arc<dyn EventBus> = Arc::new(LocalBus::new());
        let app_files = match &config.dashboard_dir {
            Some(dir) => AppFiles::from_dir(dir)?,
            None => AppFiles::embedded(),
        };
        let queue = Arc::new(ScanQueue::new(
            engine.clone(),
            store.clone(),
            notifications.clone(),
            dispatcher.clone(),
            events.clone(),
            config.max_concurrent_scans,
            &config.db_path,
        ));
        Ok(AppState {
            roots: Arc::new(AllowedRoots::new(config.allowed_roots.clone())),
            limiter: Arc::new(RateLimiter::new(config.rate_limit)),
            config: Arc::new(config),
            engine,
            store,
            keys,
            keys_exist: Arc::default(),
            tokens,
            queue,
            events,
            notifications,
            webhooks,
            dispatcher,
            scopes: Arc::default(),
            sessions: Arc::default(),
            app_files: Arc::new(app_files),
        })
    }

    /// Run a blocking store call off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn ScanStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self.store.clone();
        off_thread(move || work(store.as_ref())).await
    }

    /// Run a blocking notification-store call off the async threads.
    pub async fn notifications_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn NotificationStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let notifications = self.notifications.clone();
        off_thread(move || work(notifications.as_ref())).await
    }

    /// Run a blocking webhook-store call off the async threads.
    pub async fn webhooks_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn WebhookStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let webhooks = self.webhooks.clone();
        off_thread(move || work(webhooks.as_ref())).await
    }

    /// Run a blocking key-store call off the async threads.
    pub async fn keys_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn KeyStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let keys = self.keys.clone();
        off_thread(move || work(keys.as_ref())).await
    }
}

async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| ApiError::Internal(format!("a store call stopped: {err}")))?
        .map_err(Into::into)
}
