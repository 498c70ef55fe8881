//! Whether a scanner could run on this machine: what `securescan status` and the dashboard's
//! status page show.

use serde::Serialize;

use crate::ScanType;

/// One scanner's readiness. Field order is the JSON key order of `status --output json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScannerHealth {
    pub scanner: String,
    pub scan_type: ScanType,
    /// The adapter is intact and its tool (or daemon) usable.
    pub available: bool,
    pub tool: Option<String>,
    pub tool_version: Option<String>,
    /// The tool versions the adapter supports.
    pub required: Option<String>,
    /// Where the tool is, or why it is not usable.
    pub detail: String,
    pub install_hint: Option<String>,
    /// `ok`, or what is wrong with the adapter component.
    pub adapter: String,
}
