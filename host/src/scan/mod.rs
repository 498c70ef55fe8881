//! A scan: the registry's scanners for the requested types, run concurrently; each tool's output
//! (or the gathered files) normalized by its adapter; findings given identity and order.

mod identity;
mod outcome;
mod runner;
mod scanner;

pub use outcome::{ScanResult, ScannerOutcome, ScannerStatus};
pub use runner::{ScanRequest, Scanner, unknown_scanner as runner_unknown_scanner};
