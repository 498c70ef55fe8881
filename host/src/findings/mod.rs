//! The host's finding model and the parts of the pipeline it owns: identity (read against the
//! scan root's files), inline suppression and order.

mod fingerprint;
mod model;
mod order;
mod root;
mod score;
mod source;
mod suppression;

pub use fingerprint::fingerprint;
pub use model::{Finding, ScanType, Severity};
pub use order::sort_canonical;
pub use root::ScanRoot;
pub use score::{Summary, risk_score};
pub use source::{SourceCache, SourceFiles, SourceText};
pub use suppression::{InlineMarks, SuppressedBy, clear_stamps, is_suppressed, stamp};
