//! Rendering a scan for people (text) and machines (json, sarif, csv, junit). Machine formats are
//! deterministic: the same scan renders to the same bytes.

mod csv;
mod json;
mod junit;
mod sarif;
mod text;

use clap::ValueEnum;

use sarif::SourceRoots;

use crate::scan::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable summary and findings.
    Text,
    /// Machine-readable JSON (for `scan` and `ingest`: the array of findings, in canonical order).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
    Sarif,
    /// CSV (RFC 4180), one row per finding, for spreadsheets.
    Csv,
    /// JUnit XML for CI test-result tabs: critical and high findings fail.
    Junit,
}

/// Renders the scan; SARIF reports file paths under the scan target or the current directory
/// relative to `%SRCROOT%`.
pub fn render(result: &ScanResult, format: OutputFormat) -> String {
    match format {
        OutputFormat::Text => text::render(result),
        OutputFormat::Json => json::render(result),
        OutputFormat::Sarif => sarif::render(result, &SourceRoots::for_target(&result.target)),
        OutputFormat::Csv => csv::render(result),
        OutputFormat::Junit => junit::render(result),
    }
}
