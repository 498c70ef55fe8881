//! The host's finding model and the parts of the pipeline it owns: identity (read against the
//! scan root's files), inline suppression and order.

mod changes;
mod dedup;
mod fingerprint;
mod model;
mod order;
mod root;
mod score;
mod source;
mod suppression;

pub use changes::{ChangeMode, ChangeSet};
pub use dedup::deduplicate;
pub use fingerprint::fingerprint;
pub use model::{
    Finding, Metadata, ORIGINAL_SEVERITY, SUPPRESSED_BY, SUPPRESSION_REASON, ScanType, Severity,
    adapter_metadata,
};
pub use order::sort_canonical;
pub use root::{ScanRoot, name_from_root};
pub use score::{Summary, risk_score};
pub use source::{SourceCache, SourceFiles, SourceText};
pub use suppression::{IgnoreMark, InlineMarks, SuppressedBy, Suppression, comment_prefixes};
