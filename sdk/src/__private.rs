//! The component glue behind [`crate::export_adapter!`]: wit-bindgen output and the conversions
//! between its types and the SDK's. Not part of the public API.

use crate as sdk;
use crate::log::Level;
use crate::{Adapter, Input, ParseError};

pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "adapter",
        pub_export_macro: true,
        export_macro_name: "__export_adapter_bindings",
        default_bindings_module: "securescan_adapter_sdk::__private::bindings",
    });
}

pub use bindings::__export_adapter_bindings as export_bindings;
pub use bindings::exports::securescan::adapter::parser::Guest as ParserGuest;
use bindings::securescan::adapter::log as wit_log;
use bindings::securescan::adapter::report as wit_report;
use bindings::securescan::adapter::sink as wit_sink;
use bindings::securescan::adapter::types as wit;
pub use wit::{AdapterInput as WitInput, AdapterOutput as WitOutput, ParseError as WitParseError};

pub fn emit_log(level: Level, message: &str) {
    let level = match level {
        Level::Trace => wit_log::Level::Trace,
        Level::Debug => wit_log::Level::Debug,
        Level::Info => wit_log::Level::Info,
        Level::Warn => wit_log::Level::Warn,
        Level::Error => wit_log::Level::Error,
    };
    wit_log::emit(level, message);
}

/// Findings leave the sandbox this many at a time: few enough that a page is small, enough that
/// the per-call cost of crossing into the host does not matter.
pub const PAGE: usize = 256;

/// Hand findings to the host now. Each is converted and freed page by page, so the memory it
/// held is reused for the next ones.
pub fn submit(findings: impl Iterator<Item = crate::Finding>) {
    let mut page = Vec::with_capacity(PAGE);
    for finding in findings {
        page.push(finding_to_wit(finding));
        if page.len() == PAGE {
            wit_sink::submit(&page);
            page.clear();
        }
    }
    if !page.is_empty() {
        wit_sink::submit(&page);
    }
}

/// Every finding goes out through `submit`, never in the returned output: the output would be
/// one more copy of all of them inside the sandbox.
pub fn parse_with<A: Adapter>(mut input: WitInput) -> Result<WitOutput, WitParseError> {
    // The report's bytes come apart from the input, so the host holds no copy of them while the
    // adapter parses (see the WIT's `report` interface).
    if let Some(report) = &mut input.report {
        report.bytes = wit_report::take();
    }
    let output = A::parse(&input_from_wit(input)).map_err(error_to_wit)?;
    submit(output.findings.into_iter());
    Ok(WitOutput {
        findings: Vec::new(),
        warnings: output.warnings,
    })
}

fn input_from_wit(input: WitInput) -> Input {
    crate::__map_input!(input, wit::AdapterInput => sdk::Input)
}

fn finding_to_wit(finding: crate::Finding) -> wit::Finding {
    crate::__finding_to_wit!(finding, wit)
}

fn error_to_wit(error: ParseError) -> WitParseError {
    match error {
        ParseError::Empty(m) => WitParseError::Empty(m),
        ParseError::Malformed(m) => WitParseError::Malformed(m),
        ParseError::WrongTool(m) => WitParseError::WrongTool(m),
        ParseError::UnsupportedVersion(m) => WitParseError::UnsupportedVersion(m),
        ParseError::ToolFailed(m) => WitParseError::ToolFailed(m),
    }
}
