use serde::{Deserialize, Serialize};

/// Why a scanner failed, as one stable word: the `kind` of a failed scanner in JSON, SARIF, the
/// text report and the messages on stderr. Serialized as [`FailureKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The adapter's component file is not there.
    Missing,
    /// The component file is not the one the registry pins.
    IntegrityMismatch,
    /// The component speaks another adapter ABI.
    AbiMismatch,
    /// The component could not be compiled.
    Compile,
    /// The input is over the adapter's input limit.
    InputTooLarge,
    /// The adapter ran out of time.
    Timeout,
    /// The adapter ran out of memory.
    MemoryLimit,
    /// The adapter crashed (or the call could not be made).
    Trap,
    /// The adapter's output broke the contract.
    InvalidOutput,
    /// The adapter could not read the tool's output.
    #[serde(rename = "parse-error")]
    Parse,
    /// The tool said it failed: by its exit code, or in its report.
    ToolFailed,
    /// The tool could not be started, or its argv not built.
    Tool,
    /// The scanner's input could not be gathered from the target.
    Gather,
    /// The HTTP exchange a DAST adapter reads could not be made.
    Http,
    /// The ZAP daemon could not be driven.
    Zap,
    /// The scanner cannot run in a scan (it only reads reports given to `ingest`).
    Usage,
    /// The host lost the scanner's task.
    Internal,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Missing => "missing",
            FailureKind::IntegrityMismatch => "integrity-mismatch",
            FailureKind::AbiMismatch => "abi-mismatch",
            FailureKind::Compile => "compile",
            FailureKind::InputTooLarge => "input-too-large",
            FailureKind::Timeout => "timeout",
            FailureKind::MemoryLimit => "memory-limit",
            FailureKind::Trap => "trap",
            FailureKind::InvalidOutput => "invalid-output",
            FailureKind::Parse => "parse-error",
            FailureKind::ToolFailed => "tool-failed",
            FailureKind::Tool => "tool",
            FailureKind::Gather => "gather",
            FailureKind::Http => "http",
            FailureKind::Zap => "zap",
            FailureKind::Usage => "usage",
            FailureKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [FailureKind; 17] = [
        FailureKind::Missing,
        FailureKind::IntegrityMismatch,
        FailureKind::AbiMismatch,
        FailureKind::Compile,
        FailureKind::InputTooLarge,
        FailureKind::Timeout,
        FailureKind::MemoryLimit,
        FailureKind::Trap,
        FailureKind::InvalidOutput,
        FailureKind::Parse,
        FailureKind::ToolFailed,
        FailureKind::Tool,
        FailureKind::Gather,
        FailureKind::Http,
        FailureKind::Zap,
        FailureKind::Usage,
        FailureKind::Internal,
    ];

    #[test]
    fn json_and_text_spell_every_kind_alike() {
        for kind in ALL {
            assert_eq!(
                serde_json::to_value(kind).expect("a unit variant serializes"),
                kind.as_str(),
                "{kind:?}"
            );
        }
    }
}
