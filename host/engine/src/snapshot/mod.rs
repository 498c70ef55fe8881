//! Findings files written earlier and read again: `scan --output json` snapshots that `diff`
//! compares, and the baseline file `securescan baseline` writes for suppression and `compare`.

mod baseline;
mod load;

pub use baseline::{baseline_fingerprints, render_baseline};
pub use load::{SnapshotError, load_snapshot, parse_snapshot};
