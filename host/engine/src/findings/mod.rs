//! The host's finding model and the parts of the pipeline it owns: identity (read against the
//! scan root's files), inline suppression and order.

mod dedup;
mod equivalence;
mod fingerprint;
mod root;
mod source;
mod suppression;

pub use securescan_model::{
    ChangeMode, ChangeSet, Finding, Metadata, ORIGINAL_SEVERITY, SUPPRESSED_BY, SUPPRESSION_REASON,
    ScanType, Severity, Summary, adapter_metadata, risk_score, sort_canonical,
};

pub use dedup::deduplicate;
pub use fingerprint::fingerprint;
pub use root::{ScanRoot, name_from_root, name_under_target};
pub use source::{SourceCache, SourceFiles, SourceText};
pub use suppression::{IgnoreMark, InlineMarks, SuppressedBy, Suppression, comment_prefixes};
