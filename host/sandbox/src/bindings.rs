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
        use securescan_adapter_sdk::FileKind;
        WitInput {
            target: input.target,
            report: input.report.map(|r| WitToolReport {
                bytes: r.bytes,
                exit_code: r.exit_code,
                tool_version: r.tool_version,
            }),
            files: input
                .files
                .into_iter()
                .map(|f| WitGatheredFile {
                    path: f.path,
                    bytes: f.bytes,
                })
                .collect(),
            metadata: input
                .metadata
                .into_iter()
                .map(|m| WitFileMetadata {
                    path: m.path,
                    kind: match m.kind {
                        FileKind::Regular => WitFileKind::Regular,
                        FileKind::Directory => WitFileKind::Directory,
                        FileKind::Symlink => WitFileKind::Symlink,
                        FileKind::Other => WitFileKind::Other,
                        FileKind::Missing => WitFileKind::Missing,
                    },
                    mode: m.mode,
                    uid: m.uid,
                    gid: m.gid,
                    size: m.size,
                })
                .collect(),
            exchanges: input
                .exchanges
                .into_iter()
                .map(|e| WitHttpExchange {
                    method: e.method,
                    url: e.url,
                    status: e.status,
                    headers: e
                        .headers
                        .into_iter()
                        .map(|h| WitHeader {
                            name: h.name,
                            value: h.value,
                        })
                        .collect(),
                    body_prefix: e.body_prefix,
                })
                .collect(),
            commands: input
                .commands
                .into_iter()
                .map(|c| WitCommandOutput {
                    name: c.name,
                    exit_code: c.exit_code,
                    stdout: c.stdout,
                })
                .collect(),
            environment: input.environment.into_iter().collect(),
            settings: input.settings.into_iter().collect(),
        }
    }
}

/// An SDK output as the component model would carry it: what a natively linked adapter's result
/// must go through to be compared with, or treated like, a sandboxed one.
impl From<securescan_adapter_sdk::Output> for WitOutput {
    fn from(output: securescan_adapter_sdk::Output) -> WitOutput {
        use securescan_adapter_sdk::Severity;
        let findings = output
            .findings
            .into_iter()
            .map(|f| WitFinding {
                rule_id: f.rule_id,
                title: f.title,
                description: f.description,
                severity: match f.severity {
                    Severity::Info => WitSeverity::Info,
                    Severity::Low => WitSeverity::Low,
                    Severity::Medium => WitSeverity::Medium,
                    Severity::High => WitSeverity::High,
                    Severity::Critical => WitSeverity::Critical,
                },
                file: f.file,
                line_start: f.line_start,
                line_end: f.line_end,
                cwe: f.cwe,
                remediation: f.remediation,
                metadata: f.metadata.to_json(),
            })
            .collect();
        WitOutput {
            findings,
            warnings: output.warnings,
        }
    }
}
