//! The one place the WIT contract is turned into Rust types for the host.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "adapter",
});

pub use self::exports::securescan::adapter::parser::ParseError as WitParseError;
pub use self::securescan::adapter::log::Level as WitLogLevel;
pub use self::securescan::adapter::types::{
    AdapterInput as WitInput, AdapterOutput as WitOutput, FileKind as WitFileKind,
    FileMetadata as WitFileMetadata, Finding as WitFinding, GatheredFile as WitGatheredFile,
    Header as WitHeader, HttpExchange as WitHttpExchange, Severity as WitSeverity,
    ToolReport as WitToolReport,
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
            settings: Vec::new(),
        }
    }
}
