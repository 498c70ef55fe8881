//! A scan: the registry's scanners for the requested types, run concurrently; each tool's output
//! (or the gathered files) normalized by its adapter; findings given identity and order.

mod failure_kind;
mod files_input;
mod identity;
mod outcome;
mod probes_input;
mod report_input;
mod runner;
mod scanner;
mod target;
mod url_input;

pub use failure_kind::FailureKind;
pub use identity::identify;
pub use outcome::{ScanResult, ScannerOutcome, ScannerStatus};
pub use runner::{IngestError, ScanRequest, Scanner, unknown_scanner as runner_unknown_scanner};
pub use target::{TargetError, check_target, looks_like_url};
