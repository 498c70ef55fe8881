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
