//! The scan store: one SQLite file (`SECURESCAN_DB_PATH`, default `~/.securescan/scans.db`) that
//! `scan` saves to, `history` lists, and `serve` runs its scans, findings and triage from. The
//! API reaches it through [`ScanStore`], so another backend can be added without touching the
//! handlers. The schema is versioned (see [`schema`]).

mod connection;
mod keys;
mod notifications;
mod records;
mod scans;
pub mod schema;
#[cfg(test)]
mod tests;
mod triage;
mod webhooks;

use std::path::{Path, PathBuf};

pub use connection::Store;
pub use records::{
    Actor, AttemptResult, Cancellation, CommentRecord, Deletion, DeliveryRecord, DueDelivery,
    FailedScanner, FindingFilter, FindingRow, FindingsPage, KeyInsert, KeyRecord, NewKey, NewScan,
    NewWebhook, NotificationRecord, Page, Revocation, Rotation, SavedScan, ScanRecord, ScanStatus,
    SkippedScanner, StateRecord, Stats, StoredKey, TrendPoint, TriageStatus, WebhookChange,
    WebhookRecord,
};
use securescan_model::{ScanResult, ScannerOutcome};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("scan store {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("scan store {path}: cannot create its directory: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "scan store {path} has schema version {found}, newer than this SecureScan knows ({known}); upgrade SecureScan or point SECURESCAN_DB_PATH elsewhere"
    )]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("scan store {path}: migration to version {version} left broken references: {detail}")]
    Migration {
        path: String,
        version: i64,
        detail: String,
    },
    #[error("scan store {path}: scan {id} has an unreadable {column}: {detail}")]
    Corrupt {
        path: String,
        id: String,
        column: &'static str,
        detail: String,
    },
}

/// What the API needs of a store. Every method is one short, blocking transaction: async callers
/// run them on a blocking thread.
pub trait ScanStore: Send + Sync {
    /// The store can be opened and queried (readiness).
    fn ping(&self) -> Result<(), StoreError>;

    /// A new scan, `pending`, queued at `at`.
    fn create_scan(&self, scan: &NewScan, at: &str) -> Result<ScanRecord, StoreError>;
    fn scan(&self, id: &str) -> Result<Option<ScanRecord>, StoreError>;
    /// Most recently started (or queued, for a scan still pending) first, then by id.
    fn scans(&self, page: Page) -> Result<Vec<ScanRecord>, StoreError>;
    fn count_scans(&self) -> Result<u64, StoreError>;

    /// `pending` → `running`. False when the scan is no longer pending (cancelled meanwhile).
    fn start_scan(&self, id: &str, at: &str) -> Result<bool, StoreError>;
    /// `running` → `completed`, with the findings, in one transaction. False (and nothing
    /// written) when the scan is no longer running: a cancel that landed first wins.
    fn complete_scan(&self, id: &str, result: &ScanResult, at: &str) -> Result<bool, StoreError>;
    /// `pending`/`running` → `failed` with `error` and how each scanner ended so far.
    fn fail_scan(
        &self,
        id: &str,
        error: &str,
        scanners: &[ScannerOutcome],
        at: &str,
    ) -> Result<bool, StoreError>;
    /// `pending`/`running` → `cancelled` with `reason`.
    fn cancel_scan(&self, id: &str, reason: &str, at: &str) -> Result<Cancellation, StoreError>;
    /// A finished scan and its findings (triage stays: it is keyed on fingerprints).
    fn delete_scan(&self, id: &str) -> Result<Deletion, StoreError>;
    /// Every `pending` or `running` scan becomes `failed` with `reason`: what a process that
    /// died mid-scan left behind. Returns their ids.
    fn fail_unfinished(&self, reason: &str, at: &str) -> Result<Vec<String>, StoreError>;

    /// One page of a scan's findings, most severe first, then in the scan's canonical order, each
    /// with its triage state. `None` when the scan does not exist.
    fn findings(
        &self,
        scan_id: &str,
        filter: &FindingFilter,
        page: Page,
    ) -> Result<Option<FindingsPage>, StoreError>;
    /// Every finding of a scan as stored (JSON), in canonical order: what reports are made from.
    fn finding_documents(&self, scan_id: &str) -> Result<Vec<String>, StoreError>;
    /// One finding of a scan as stored (JSON), by fingerprint; the first when several share it.
    fn finding_document(
        &self,
        scan_id: &str,
        fingerprint: &str,
    ) -> Result<Option<String>, StoreError>;
    /// The findings of a scan in one file (JSON), in canonical order.
    fn file_finding_documents(
        &self,
        scan_id: &str,
        file_path: &str,
    ) -> Result<Vec<String>, StoreError>;
    /// How each scanner of a scan ended, as saved: with the findings, a scan's result again.
    fn scanner_outcomes(&self, id: &str) -> Result<Vec<ScannerOutcome>, StoreError>;

    /// Create or replace the verdict on a fingerprint.
    fn set_state(
        &self,
        fingerprint: &str,
        status: TriageStatus,
        note: Option<&str>,
        by: &Actor,
        at: &str,
    ) -> Result<StateRecord, StoreError>;
    fn comments(&self, fingerprint: &str) -> Result<Vec<CommentRecord>, StoreError>;
    fn add_comment(&self, comment: &CommentRecord) -> Result<(), StoreError>;
    /// False when no comment of `fingerprint` has that id.
    fn delete_comment(&self, fingerprint: &str, id: &str) -> Result<bool, StoreError>;

    fn stats(&self) -> Result<Stats, StoreError>;
    /// One point per day since `since` (UTC date), from the last scan completed that day.
    fn trends(&self, since: &str) -> Result<Vec<TrendPoint>, StoreError>;
}

/// What the API needs to authenticate callers and manage their keys. Times are RFC 3339 UTC
/// strings (they compare in time order as text).
pub trait KeyStore: Send + Sync {
    /// Store a new key. With `need_an_admin` (no env key to fall back on), a key without the
    /// admin scope is refused while no active admin key exists.
    fn insert_key(&self, key: &NewKey, need_an_admin: bool) -> Result<KeyInsert, StoreError>;
    fn key(&self, id: &str) -> Result<Option<StoredKey>, StoreError>;
    /// Every key, revoked ones too, newest first.
    fn keys(&self) -> Result<Vec<KeyRecord>, StoreError>;
    /// Whether any key was ever created (revoked ones count: revoking the last key does not
    /// reopen the API).
    fn any_keys(&self) -> Result<bool, StoreError>;
    /// Keys with the admin scope that authenticate at `now`.
    fn active_admin_keys(&self, now: &str) -> Result<u64, StoreError>;
    fn touch_key(&self, id: &str, at: &str) -> Result<(), StoreError>;
    /// With `need_an_admin`, the last active admin key is not revoked.
    fn revoke_key(
        &self,
        id: &str,
        by: &Actor,
        at: &str,
        need_an_admin: bool,
    ) -> Result<Revocation, StoreError>;
    /// A new secret for the same key id: the old one stops working in the same commit.
    fn rotate_key(
        &self,
        id: &str,
        prefix: &str,
        key_hash: &str,
        at: &str,
    ) -> Result<Rotation, StoreError>;
}

/// The in-app notifications: one queue per deployment, newest first.
pub trait NotificationStore: Send + Sync {
    fn add_notification(&self, notification: &NotificationRecord) -> Result<(), StoreError>;
    /// At most `limit`, newest first.
    fn notifications(
        &self,
        unread_only: bool,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError>;
    fn unread_notifications(&self) -> Result<u64, StoreError>;
    /// Mark one read (once: a second call keeps the first time). `None` when unknown.
    fn mark_notification_read(
        &self,
        id: &str,
        at: &str,
    ) -> Result<Option<NotificationRecord>, StoreError>;
    /// How many were unread.
    fn mark_all_notifications_read(&self, at: &str) -> Result<u64, StoreError>;
    /// Delete those read before `before`; how many.
    fn prune_read_notifications(&self, before: &str) -> Result<u64, StoreError>;
}

/// Webhooks and their delivery queue.
pub trait WebhookStore: Send + Sync {
    fn create_webhook(&self, webhook: &NewWebhook) -> Result<(), StoreError>;
    /// Newest first.
    fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError>;
    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError>;
    fn update_webhook(
        &self,
        id: &str,
        change: &WebhookChange,
        at: &str,
    ) -> Result<Option<WebhookRecord>, StoreError>;
    /// With its deliveries. False when unknown.
    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError>;
    /// One delivery of `event` to every enabled webhook whose filter has it, in one commit;
    /// their ids.
    fn enqueue_event(
        &self,
        event: &str,
        payload: &str,
        at: &str,
        unix: i64,
    ) -> Result<Vec<String>, StoreError>;
    /// One delivery to webhook `webhook_id` (its test); `None` when unknown.
    fn enqueue_delivery(
        &self,
        webhook_id: &str,
        event: &str,
        payload: &str,
        at: &str,
        unix: i64,
    ) -> Result<Option<String>, StoreError>;
    /// Each webhook's oldest unfinished delivery, when it is due at `unix`: a later delivery
    /// never goes before an earlier one to the same webhook, retries included.
    fn due_deliveries(&self, unix: i64) -> Result<Vec<DueDelivery>, StoreError>;
    /// `pending` → `delivering`; false if another claimed it.
    fn claim_delivery(&self, id: &str, at: &str) -> Result<bool, StoreError>;
    /// Record an attempt; finished deliveries beyond the newest 100 of the webhook are dropped.
    fn record_attempt(&self, id: &str, result: &AttemptResult, at: &str) -> Result<(), StoreError>;
    /// At start-up: deliveries a dead process left `delivering` are due again.
    fn resume_deliveries(&self, at: &str, unix: i64) -> Result<u64, StoreError>;
    /// The newest `limit` deliveries of a webhook; `None` when it is unknown.
    fn deliveries(
        &self,
        webhook_id: &str,
        limit: u32,
    ) -> Result<Option<Vec<DeliveryRecord>>, StoreError>;
}

/// `SECURESCAN_DB_PATH`, else `~/.securescan/scans.db`.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("SECURESCAN_DB_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".securescan").join("scans.db")
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}
