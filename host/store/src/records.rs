//! What the store hands out. Field order is the JSON key order of the API (the documented
//! models first, then what SecureScan adds).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Pending => "pending",
            ScanStatus::Running => "running",
            ScanStatus::Completed => "completed",
            ScanStatus::Failed => "failed",
            ScanStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<ScanStatus> {
        [
            ScanStatus::Pending,
            ScanStatus::Running,
            ScanStatus::Completed,
            ScanStatus::Failed,
            ScanStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Nothing leaves a terminal state.
    pub fn is_terminal(self) -> bool {
        !matches!(self, ScanStatus::Pending | ScanStatus::Running)
    }
}

/// A scan to queue.
#[derive(Debug, Clone)]
pub struct NewScan {
    pub id: String,
    pub target_path: String,
    pub target_url: Option<String>,
    pub target_host: Option<String>,
    pub scan_types: Vec<String>,
}

/// A scan as the API shows it (`Scan`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanRecord {
    pub id: String,
    pub target_path: String,
    pub scan_types: Vec<String>,
    pub status: ScanStatus,
    /// UTC, RFC 3339. Null until the scan leaves the queue.
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// Findings counted (suppressed ones are not).
    pub findings_count: i64,
    pub risk_score: Option<f64>,
    /// The AI summary of the scan; the server does not make one.
    pub summary: Option<String>,
    pub error: Option<String>,
    pub target_url: Option<String>,
    pub target_host: Option<String>,
    /// Scanners that ran to the end, sorted.
    pub scanners_run: Vec<String>,
    /// Scanners that could not run here, sorted by name, with how to install their tool.
    pub scanners_skipped: Vec<SkippedScanner>,
    /// Scanners that failed, sorted by name, with the typed reason: their findings are missing.
    pub scanners_failed: Vec<FailedScanner>,
    /// When the scan was queued (UTC, RFC 3339).
    pub created_at: String,
    /// The severity counts and score of a completed scan (the model's `Summary`, as JSON).
    #[serde(skip)]
    pub counts: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedScanner {
    pub name: String,
    pub reason: String,
    pub install_hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedScanner {
    pub name: String,
    /// One stable word: `timeout`, `tool-failed`, `parse-error`, …
    pub kind: String,
    pub error: String,
}

/// One saved scan, as `history` lists it (and `history --json` prints it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SavedScan {
    pub id: String,
    pub target: String,
    pub status: String,
    pub started_at: String,
    pub findings_count: i64,
    pub risk_score: f64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    pub limit: Option<u32>,
    pub offset: u32,
}

/// Which findings to list; every field set must match.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub severities: Vec<String>,
    pub scanners: Vec<String>,
    pub scan_types: Vec<String>,
    /// A compliance tag the finding carries, exactly.
    pub compliance: Option<String>,
    /// Triage statuses; a finding with no verdict is `new`.
    pub statuses: Vec<TriageStatus>,
    pub suppressed: Option<bool>,
    /// Text (lowercase) the title, file path or rule id contains, in any case.
    pub contains: Option<String>,
}

/// A finding as stored (its JSON document), with its triage state.
#[derive(Debug, Clone)]
pub struct FindingRow {
    pub document: String,
    pub state: Option<StateRecord>,
}

#[derive(Debug, Clone)]
pub struct FindingsPage {
    /// How many findings match the filter, over all pages.
    pub total: u64,
    pub rows: Vec<FindingRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    New,
    Triaged,
    FalsePositive,
    AcceptedRisk,
    Fixed,
    WontFix,
}

impl TriageStatus {
    pub const ALL: [TriageStatus; 6] = [
        TriageStatus::New,
        TriageStatus::Triaged,
        TriageStatus::FalsePositive,
        TriageStatus::AcceptedRisk,
        TriageStatus::Fixed,
        TriageStatus::WontFix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageStatus::New => "new",
            TriageStatus::Triaged => "triaged",
            TriageStatus::FalsePositive => "false_positive",
            TriageStatus::AcceptedRisk => "accepted_risk",
            TriageStatus::Fixed => "fixed",
            TriageStatus::WontFix => "wont_fix",
        }
    }

    pub fn parse(text: &str) -> Option<TriageStatus> {
        TriageStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The verdict on a fingerprint (`FindingState`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateRecord {
    pub fingerprint: String,
    pub status: TriageStatus,
    pub note: Option<String>,
    pub updated_at: String,
    /// The name of the key that set it (`SECURESCAN_API_KEY` for the env key, `dev mode` when
    /// the server has no credentials).
    pub updated_by: Option<String>,
    /// That key's id (`env`, `dev`, or the id of a key from `/api/v1/keys`).
    pub updated_by_key: Option<String>,
}

/// One comment on a fingerprint (`FindingComment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentRecord {
    pub id: String,
    pub fingerprint: String,
    pub text: String,
    /// The name of the key that wrote it.
    pub author: Option<String>,
    /// That key's id.
    pub author_key: Option<String>,
    pub created_at: String,
}

/// Who did something through the API: the key used, by id and name. Recorded with verdicts,
/// comments and key changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `env`, `dev`, or a key id.
    pub key_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub total_scans: i64,
    pub total_findings: i64,
    /// Mean risk score of completed scans, two decimals.
    pub average_risk_score: f64,
    pub completed_scans: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// UTC date, `YYYY-MM-DD`.
    pub date: String,
    pub risk_score: f64,
    pub total_findings: i64,
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub info: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cancellation {
    Cancelled(Box<ScanRecord>),
    NotFound,
    AlreadyEnded(ScanStatus),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    Deleted,
    NotFound,
    Active(ScanStatus),
}

/// An API key as the API shows it (`ApiKeyView`): never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRecord {
    /// The stable id (10 characters), the middle of `ssk_<id>_<secret>`.
    pub id: String,
    pub name: String,
    /// `ssk_<id>_` and the secret's first character: enough to recognise a key, safe to show.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    /// The id of the key that created it (`env`, `dev`, or a key id).
    pub created_by: Option<String>,
    /// After this time the key no longer authenticates.
    pub expires_at: Option<String>,
    /// The last time the key authenticated (updated at most once a minute).
    pub last_used_at: Option<String>,
    /// When its secret was last replaced.
    pub rotated_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The id of the key that revoked it.
    pub revoked_by: Option<String>,
}

/// A key with the salted hash it is checked against.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub record: KeyRecord,
    /// `<salt-hex>$<sha256-hex>`.
    pub key_hash: String,
}

/// A key to store.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub created_by: Actor,
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInsert {
    Created(Box<KeyRecord>),
    /// Another key has this id: draw another.
    IdTaken,
    /// The key has no admin scope, and no active admin key (nor an env key) exists: nobody
    /// could manage keys after it.
    NoAdminLeft,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    AlreadyRevoked,
    NotFound,
    /// It is the last active admin key and no env key exists.
    LastAdmin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    Rotated(Box<KeyRecord>),
    Revoked,
    NotFound,
}

/// One in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationRecord {
    pub id: String,
    /// The event that made it: `scan.complete`, `scan.failed`, `scanner.failed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: String,
    pub title: String,
    pub body: Option<String>,
    pub scan_id: Option<String>,
    /// The dashboard page it points to (`/scan/<id>`).
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A webhook subscription as the API shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookRecord {
    pub id: String,
    pub name: String,
    pub url: String,
    pub event_filter: Vec<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// The id of the key that created it.
    pub created_by: Option<String>,
}

/// A webhook to store, with its signing secret.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub record: WebhookRecord,
    pub secret: String,
}

/// What a PATCH changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub name: Option<String>,
    pub url: Option<String>,
    pub event_filter: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub secret: Option<String>,
}

/// One delivery attempt series of one event to one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    /// `pending`, `delivering`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts made so far.
    pub attempt: u32,
    pub created_at: String,
    pub updated_at: String,
    /// When the next attempt is due (unix seconds), while pending.
    pub next_attempt_unix: i64,
    pub response_code: Option<u16>,
    /// The receiver's answer (its first 2,000 characters).
    pub response_body: Option<String>,
    /// Why the last attempt failed, or why delivery was given up.
    pub error: Option<String>,
}

/// A delivery due now, with what sending it needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub payload: String,
    pub attempt: u32,
    pub created_unix: i64,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// `succeeded`, `pending` (retry at `next_attempt_unix`) or `failed` (given up).
    pub status: &'static str,
    pub next_attempt_unix: i64,
    pub response_code: Option<u16>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}
