//! The one place the WIT contract is turned into Rust types for the host.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "adapter",
    // A page the host refuses ends the call there: the adapter does not get to go on producing
    // findings that would all be thrown away.
    imports: { "securescan:adapter/sink.submit": trappable },
});

pub use self::exports::securescan::adapter::parser::ParseError as WitParseError;
pub use self::securescan::adapter::log::Level as WitLogLevel;
pub use self::securescan::adapter::types::{
    AdapterInput as WitInput, AdapterOutput as WitOutput, CommandOutput as WitCommandOutput,
    FileKind as WitFileKind, FileMetadata as WitFileMetadata, Finding as WitFinding,
    GatheredFile as WitGatheredFile, Header as WitHeader, HttpExchange as WitHttpExchange,
    Severity as WitSeverity, ToolReport as WitToolReport,
};

impl WitInput {
    /// A call carrying one tool report.
    pub fn for_report(target: &str, report: WitToolReport) -> WitInput {
        WitInput::for_files(target, Vec::new(), Some(report))
    }

    /// A call carrying gathered files, and the output of a supplementary tool if there is one.
    pub fn for_files(
        target: &str,
        files: Vec<WitGatheredFile>,
        report: Option<WitToolReport>,
    ) -> WitInput {
        WitInput {
            target: target.to_string(),
            report,
            files,
            metadata: Vec::new(),
            exchanges: Vec::new(),
            commands: Vec::new(),
            environment: Vec::new(),
            settings: Vec::new(),
        }
    }
}

/// An SDK input as the host would send it: what lets one input be parsed natively and through
/// the sandbox and the results compared.
impl From<securescan_adapter_sdk::Input> for WitInput {
    fn from(input: securescan_adapter_sdk::Input) -> WitInput {
        use self::securescan::adapter::types as wit;
        use securescan_adapter_sdk as sdk;
        securescan_adapter_sdk::__map_input!(input, sdk::Input => wit::AdapterInput)
    }
}

/// An SDK output as the component model would carry it: what a natively linked adapter's result
/// must go through to be compared with, or treated like, a sandboxed one.
impl From<securescan_adapter_sdk::Output> for WitOutput {
    fn from(output: securescan_adapter_sdk::Output) -> WitOutput {
        use self::securescan::adapter::types as wit;
        WitOutput {
            findings: output
                .findings
                .into_iter()
                .map(|finding| securescan_adapter_sdk::__finding_to_wit!(finding, wit))
                .collect(),
            warnings: output.warnings,
        }
    }
}
