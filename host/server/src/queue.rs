//! The scan queue and each scan's lifecycle: `pending` → `running` → `completed` | `failed` |
//! `cancelled`. A bounded number of scans run at once, the rest wait in the order they were
//! queued (tokio's semaphore is fair). Status changes are conditional updates in the store, so a
//! scan finishing at the moment it is cancelled can never overwrite `cancelled`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinSet};

use securescan_engine::Engine;
use securescan_engine::scan::ScanRequest;
use securescan_store::{Cancellation, NotificationStore, ScanStore};

use crate::events::EventBus;
use crate::lock;
use crate::progress;
use crate::time;
use crate::webhooks::Dispatcher;

/// The environment variable marking the tools a server's scans run: `<instance>:<scan id>`.
pub const TOOL_MARKER: &str = "SECURESCAN_SERVER_SCAN";

pub const CANCELLED_BY_USER: &str = "Scan cancelled by user";
const CANCELLED_AT_SHUTDOWN: &str = "Scan cancelled: the server shut down";

pub struct ScanQueue {
    engine: Engine,
    store: Arc<dyn ScanStore>,
    notifications: Arc<dyn NotificationStore>,
    dispatcher: Arc<Dispatcher>,
    events: Arc<dyn EventBus>,
    slots: Arc<Semaphore>,
    /// Scans queued or running in this process, to cancel them.
    tasks: Mutex<HashMap<String, AbortHandle>>,
    /// Joined at shutdown, so no tool outlives the process.
    joins: tokio::sync::Mutex<JoinSet<()>>,
    /// Which server's tools a marked process belongs to: one per store file.
    instance: String,
}

impl std::fmt::Debug for ScanQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanQueue")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl ScanQueue {
    pub fn new(
        engine: Engine,
        store: Arc<dyn ScanStore>,
        notifications: Arc<dyn NotificationStore>,
        dispatcher: Arc<Dispatcher>,
        events: Arc<dyn EventBus>,
        max_running: usize,
        db_path: &Path,
    ) -> ScanQueue {
        ScanQueue {
            engine,
            store,
            notifications,
            dispatcher,
            events,
            slots: Arc::new(Semaphore::new(max_running.max(1))),
            tasks: Mutex::new(HashMap::new()),
            joins: tokio::sync::Mutex::new(JoinSet::new()),
            instance: instance_of(db_path),
        }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// At start-up: scans a previous process left `pending` or `running` (it crashed or was
    /// killed) are failed with the reason, and tools it left running are ended.
    pub fn recover(&self) -> Result<Vec<String>, securescan_store::StoreError> {
        let ended = crate::leftovers::end_marked_tools(&self.instance);
        if ended > 0 {
            tracing::warn!(target: "securescan.server", processes = ended, "ended tool processes a previous server left running");
        }
        let failed = self.store.fail_unfinished(
            "the server stopped while this scan was queued or running; start it again",
            &time::now(),
        )?;
        for id in &failed {
            tracing::warn!(target: "securescan.scan", scan_id = %id, "scan interrupted by a server restart: marked failed");
        }
        Ok(failed)
    }

    /// Queue `request` as scan `id` (already stored as `pending`).
    pub async fn submit(self: &Arc<Self>, id: String, mut request: ScanRequest) {
        request
            .tool_env
            .push((TOOL_MARKER.to_string(), format!("{}:{id}", self.instance)));
        let queue = self.clone();
        let task_id = id.clone();
        let mut joins = self.joins.lock().await;
        // Registered under the lock the task takes to deregister, so it cannot end first.
        let mut tasks = lock(&self.tasks);
        let handle = joins.spawn(async move {
            queue.run(&task_id, request).await;
            lock(&queue.tasks).remove(&task_id);
        });
        tasks.insert(id, handle);
        // Finished tasks are reaped here, so the set stays as small as the queue.
        while joins.try_join_next().is_some() {}
    }

    async fn run(self: &Arc<Self>, id: &str, request: ScanRequest) {
        let Ok(_slot) = self.slots.clone().acquire_owned().await else {
            return;
        };
        let store = self.store.clone();
        let (started_id, at) = (id.to_string(), time::now());
        let started = tokio::task::spawn_blocking(move || store.start_scan(&started_id, &at)).await;
        match started {
            Ok(Ok(true)) => {}
            // Cancelled while it waited.
            Ok(Ok(false)) => return,
            Ok(Err(err)) => return self.fail(id, &request.target, &err.to_string()).await,
            Err(err) => {
                return self
                    .fail(
                        id,
                        &request.target,
                        &format!("the scan task stopped: {err}"),
                    )
                    .await;
            }
        }
        let begun = std::time::Instant::now();
        let (scan_id, target, types) = (
            id.to_string(),
            request.target.clone(),
            request.types.clone(),
        );
        let queue = self.clone();
        let publish = move |event: securescan_model::ScanEvent| {
            if let Some((name, data)) = progress::engine_event(&event, &types) {
                // The engine reports synchronously: what the event calls for is stored behind it.
                drop(queue.announce(&scan_id, &target, name, data));
            }
        };
        let result = match self.engine.scan(&request, &publish).await {
            Ok(result) => result,
            Err(err) => return self.fail(id, &request.target, &err.to_string()).await,
        };
        let duration_ms = u64::try_from(begun.elapsed().as_millis()).unwrap_or(u64::MAX);
        let data = progress::completed(&result, duration_ms);
        let store = self.store.clone();
        let (done_id, at) = (id.to_string(), time::now());
        let completed =
            tokio::task::spawn_blocking(move || store.complete_scan(&done_id, &result, &at)).await;
        match completed {
            Ok(Ok(true)) => {
                let _ = self
                    .announce(id, &request.target, "scan.complete", data)
                    .await;
            }
            Ok(Ok(false)) => {
                tracing::info!(target: "securescan.scan", scan_id = %id, "scan finished after it was cancelled; its findings were dropped")
            }
            Ok(Err(err)) => {
                self.fail(
                    id,
                    &request.target,
                    &format!("saving the findings failed: {err}"),
                )
                .await
            }
            Err(err) => {
                self.fail(
                    id,
                    &request.target,
                    &format!("saving the findings stopped: {err}"),
                )
                .await
            }
        }
    }

    /// Publish a scan event, then record, off the async threads, what it calls for: a
    /// notification, webhook deliveries. Await the handle to know they are stored.
    fn announce(
        self: &Arc<Self>,
        id: &str,
        target: &str,
        event: &str,
        data: serde_json::Value,
    ) -> tokio::task::JoinHandle<()> {
        self.events.publish(id, event, data.clone());
        let queue = self.clone();
        let (id, target, event) = (id.to_string(), target.to_string(), event.to_string());
        tokio::task::spawn_blocking(move || queue.record(&id, &target, &event, &data))
    }

    fn record(&self, id: &str, target: &str, event: &str, data: &serde_json::Value) {
        let notification = progress::notification(
            id,
            target,
            event,
            data,
            uuid::Uuid::new_v4().to_string(),
            time::now(),
        );
        if let Some(notification) = notification
            && let Err(err) = self.notifications.add_notification(&notification)
        {
            tracing::error!(target: "securescan.scan", scan_id = %id, error = %err, "could not store a notification");
        }
        let delivered = progress::webhook_data(id, target, event, data);
        if let Err(err) = self.dispatcher.enqueue_event(event, &delivered) {
            tracing::error!(target: "securescan.scan", scan_id = %id, error = %err, "could not queue webhook deliveries");
        }
    }

    async fn fail(self: &Arc<Self>, id: &str, target: &str, error: &str) {
        let store = self.store.clone();
        let (failed_id, message, at) = (id.to_string(), error.to_string(), time::now());
        let failed =
            tokio::task::spawn_blocking(move || store.fail_scan(&failed_id, &message, &[], &at))
                .await;
        match failed {
            Ok(Ok(true)) => {
                let _ = self
                    .announce(id, target, "scan.failed", progress::failed(error))
                    .await;
            }
            Ok(Ok(false)) => {}
            Ok(Err(err)) => {
                tracing::error!(target: "securescan.scan", scan_id = %id, error = %err, "could not record the scan's failure")
            }
            Err(err) => {
                tracing::error!(target: "securescan.scan", scan_id = %id, error = %err, "recording the scan's failure stopped")
            }
        }
    }

    /// Cancel scan `id`: the store first (so nothing can overwrite `cancelled`), then its task,
    /// whose dropped engine future kills the tools' process groups.
    pub fn cancel(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<Cancellation, securescan_store::StoreError> {
        let outcome = self.store.cancel_scan(id, reason, &time::now())?;
        if let Cancellation::Cancelled(_) = &outcome {
            if let Some(task) = lock(&self.tasks).remove(id) {
                task.abort();
            }
            self.events
                .publish(id, "scan.cancelled", progress::cancelled(reason));
        }
        Ok(outcome)
    }

    /// Cancel every scan this process queued or runs, and wait for their tasks (and tools) to end.
    pub async fn shut_down(&self) {
        let ids: Vec<String> = lock(&self.tasks).keys().cloned().collect();
        for id in ids {
            let store = self.store.clone();
            let queue_id = id.clone();
            let cancelled = tokio::task::spawn_blocking(move || {
                store.cancel_scan(&queue_id, CANCELLED_AT_SHUTDOWN, &time::now())
            })
            .await;
            if let Ok(Ok(Cancellation::Cancelled(_))) = cancelled {
                self.events.publish(
                    &id,
                    "scan.cancelled",
                    progress::cancelled(CANCELLED_AT_SHUTDOWN),
                );
            }
            if let Some(task) = lock(&self.tasks).remove(&id) {
                task.abort();
            }
        }
        let mut joins = self.joins.lock().await;
        while joins.join_next().await.is_some() {}
    }
}

/// The store file's identity: two servers on different files never touch each other's tools.
fn instance_of(db_path: &Path) -> String {
    let path = db_path
        .canonicalize()
        .unwrap_or_else(|_| db_path.to_path_buf());
    let digest = Sha256::digest(path.to_string_lossy().as_bytes());
    hex_prefix(&digest)
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
