//! Rendering a scan for people (text) and machines (json). Machine formats are deterministic: the
//! same scan renders to the same bytes.

mod json;
mod text;

use clap::ValueEnum;

use crate::scan::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable summary and findings.
    Text,
    /// Machine-readable JSON (for `scan` and `ingest`: the array of findings, in canonical order).
    Json,
}

pub fn render(result: &ScanResult, format: OutputFormat) -> String {
    match format {
        OutputFormat::Text => text::render(result),
        OutputFormat::Json => json::render(result),
    }
}
