//! A scan: the registry's scanners for the requested types, run concurrently; each tool's output
//! (or the gathered files) normalized by its adapter; findings given identity and order.

mod files_input;
mod health;
mod identity;
mod probes_input;
mod report_input;
pub(crate) mod runner;
mod scanner;
mod staged;
mod target;
mod url_input;

pub(crate) use health::health;
pub use identity::identify;
pub use runner::ScanRequest;
pub use securescan_model::{FailureKind, ScanResult, ScannerOutcome, ScannerStatus};
pub(crate) use staged::nothing_staged_for;
pub use target::{TargetError, check_target, looks_like_url, url_host};
