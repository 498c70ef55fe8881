//! SecureScan's data: findings, scan results and what changed between two scans. Plain values
//! every other host crate and every client (CLI, server, dashboard) shares; no I/O.

mod changes;
mod event;
mod finding;
mod health;
mod order;
mod outcome;
mod score;
mod suppression;
pub mod text;

pub use changes::{ChangeMode, ChangeSet};
pub use event::ScanEvent;
pub use finding::{Finding, Metadata, ScanType, Severity};
pub use health::ScannerHealth;
pub use order::sort_canonical;
pub use outcome::{ScanResult, ScannerOutcome, ScannerStatus};
pub use score::{Summary, risk_score};
pub use suppression::{
    SuppressedBy, clear_stamps, comment_prefixes, is_suppressed, stamp, suppressed_by,
};
