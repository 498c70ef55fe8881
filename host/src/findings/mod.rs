//! The host's finding model and the parts of the pipeline it owns: identity and order.

mod fingerprint;
mod model;
mod order;
mod score;

pub use fingerprint::fingerprint;
pub use model::{Finding, ScanType, Severity};
pub use order::sort_canonical;
pub use score::{Summary, risk_score};
