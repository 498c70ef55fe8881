//! The field-by-field mapping between the SDK's plain types and the Rust types generated from
//! `wit/types.wit`, written once for both sides of the sandbox: the component's glue
//! (wit-bindgen's types, in `__private`) and the host (wasmtime's, which also feeds SDK values
//! through the WIT types to compare a native parse with a sandboxed one). The two generators
//! emit different types with the same names and fields, so the mapping is a macro over the
//! module each side's types live in.
//!
//! Not part of the public API.

/// Map an input between two modules that each define `FileKind`, `ToolReport`, `GatheredFile`,
/// `FileMetadata`, `HttpExchange`, `Header` and `CommandOutput` with the WIT record's fields:
/// `__map_input!(input, wit::AdapterInput => sdk::Input)` in the component,
/// `__map_input!(input, sdk::Input => wit::AdapterInput)` in the host, where `sdk` names this
/// crate and `wit` the generated `types` interface.
#[doc(hidden)]
#[macro_export]
macro_rules! __map_input {
    ($input:expr, $from:ident :: $FromInput:ident => $to:ident :: $ToInput:ident) => {{
        let input: $from::$FromInput = $input;
        $to::$ToInput {
            target: input.target,
            report: input.report.map(|r| $to::ToolReport {
                bytes: r.bytes,
                exit_code: r.exit_code,
                tool_version: r.tool_version,
            }),
            files: input
                .files
                .into_iter()
                .map(|f| $to::GatheredFile {
                    path: f.path,
                    bytes: f.bytes,
                })
                .collect(),
            metadata: input
                .metadata
                .into_iter()
                .map(|m| $to::FileMetadata {
                    path: m.path,
                    kind: match m.kind {
                        $from::FileKind::Regular => $to::FileKind::Regular,
                        $from::FileKind::Directory => $to::FileKind::Directory,
                        $from::FileKind::Symlink => $to::FileKind::Symlink,
                        $from::FileKind::Other => $to::FileKind::Other,
                        $from::FileKind::Missing => $to::FileKind::Missing,
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
                .map(|e| $to::HttpExchange {
                    method: e.method,
                    url: e.url,
                    status: e.status,
                    headers: e
                        .headers
                        .into_iter()
                        .map(|h| $to::Header {
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
                .map(|c| $to::CommandOutput {
                    name: c.name,
                    exit_code: c.exit_code,
                    stdout: c.stdout,
                })
                .collect(),
            environment: input.environment.into_iter().collect(),
            settings: input.settings.into_iter().collect(),
        }
    }};
}

/// An SDK [`Finding`](crate::Finding) as the WIT `finding` record of the generated module `$wit`
/// (its metadata as the JSON text the record carries).
#[doc(hidden)]
#[macro_export]
macro_rules! __finding_to_wit {
    ($finding:expr, $wit:ident) => {{
        let finding: $crate::Finding = $finding;
        $wit::Finding {
            rule_id: finding.rule_id,
            title: finding.title,
            description: finding.description,
            severity: match finding.severity {
                $crate::Severity::Info => $wit::Severity::Info,
                $crate::Severity::Low => $wit::Severity::Low,
                $crate::Severity::Medium => $wit::Severity::Medium,
                $crate::Severity::High => $wit::Severity::High,
                $crate::Severity::Critical => $wit::Severity::Critical,
            },
            file: finding.file,
            line_start: finding.line_start,
            line_end: finding.line_end,
            cwe: finding.cwe,
            remediation: finding.remediation,
            metadata: finding.metadata.to_json(),
        }
    }};
}
