//! SecureScan's data: findings, scan results and what changed between two scans. Plain values
//! every other host crate and every client (CLI, server, dashboard) shares; no I/O.

mod changes;
mod credential;
mod event;
mod explanation;
mod failure_kind;
mod finding;
mod health;
mod order;
mod outcome;
mod score;
mod suppression;
pub mod text;

pub use changes::{ChangeMode, ChangeSet};
pub use credential::is_about_a_secret;
pub use event::ScanEvent;
pub use explanation::{Explanation, Explanations};
pub use failure_kind::FailureKind;
pub use finding::{
    ALSO_REPORTED_BY, Finding, Metadata, ORIGINAL_SEVERITY, SUPPRESSED_BY, SUPPRESSION_REASON,
    ScanType, Severity, adapter_metadata,
};
pub use health::ScannerHealth;
pub use order::sort_canonical;
pub use outcome::{ScanResult, ScannerOutcome, ScannerStatus};
pub use score::{Summary, risk_score};
pub use suppression::{SuppressedBy, Suppression, comment_prefixes};
