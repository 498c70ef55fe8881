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
use securescan_store::{Cancellation, ScanStore};

use crate::events::{EventPublisher, LifecycleEvent};
use crate::time;

/// The environment variable marking the tools a server's scans run: `<instance>:<scan id>`.
pub const TOOL_MARKER: &str = "SECURESCAN_SERVER_SCAN";

pub const CANCELLED_BY_USER: &str = "Scan cancelled by user";
const CANCELLED_AT_SHUTDOWN: &str = "Scan cancelled: the server shut down";

pub struct ScanQueue {
    engine: Engine,
    store: Arc<dyn ScanStore>,
    events: EventPublisher,
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
        events: EventPublisher,
        max_running: usize,
        db_path: &Path,
    ) -> ScanQueue {
        ScanQueue {
            engine,
            store,
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

    async fn run(&self, id: &str, request: ScanRequest) {
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
            Ok(Err(err)) => return self.fail(id, &err.to_string()).await,
            Err(err) => {
                return self
                    .fail(id, &format!("the scan task stopped: {err}"))
                    .await;
            }
        }
        self.events.publish(id, LifecycleEvent::ScanRunning);
        let events = self.events.clone();
        let scan_id = id.to_string();
        let publish = move |event| events.publish(&scan_id, LifecycleEvent::Engine(event));
        let result = match self.engine.scan(&request, &publish).await {
            Ok(result) => result,
            Err(err) => return self.fail(id, &err.to_string()).await,
        };
        let summary = result.summary();
        let store = self.store.clone();
        let (done_id, at) = (id.to_string(), time::now());
        let completed =
            tokio::task::spawn_blocking(move || store.complete_scan(&done_id, &result, &at)).await;
        match completed {
            Ok(Ok(true)) => self.events.publish(
                id,
                LifecycleEvent::ScanCompleted {
                    findings_count: summary.total_findings,
                    risk_score: summary.risk_score,
                },
            ),
            Ok(Ok(false)) => {
                tracing::info!(target: "securescan.scan", scan_id = %id, "scan finished after it was cancelled; its findings were dropped")
            }
            Ok(Err(err)) => {
                self.fail(id, &format!("saving the findings failed: {err}"))
                    .await
            }
            Err(err) => {
                self.fail(id, &format!("saving the findings stopped: {err}"))
                    .await
            }
        }
    }

    async fn fail(&self, id: &str, error: &str) {
        let store = self.store.clone();
        let (failed_id, message, at) = (id.to_string(), error.to_string(), time::now());
        let failed =
            tokio::task::spawn_blocking(move || store.fail_scan(&failed_id, &message, &[], &at))
                .await;
        match failed {
            Ok(Ok(true)) => self.events.publish(
                id,
                LifecycleEvent::ScanFailed {
                    error: error.to_string(),
                },
            ),
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
            self.events.publish(
                id,
                LifecycleEvent::ScanCancelled {
                    reason: reason.to_string(),
                },
            );
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
                    LifecycleEvent::ScanCancelled {
                        reason: CANCELLED_AT_SHUTDOWN.to_string(),
                    },
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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
