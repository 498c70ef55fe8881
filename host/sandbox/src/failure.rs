use std::time::Duration;

use securescan_model::FailureKind;
use securescan_registry::abi::AbiError;

/// Why an adapter produced no findings. Recorded as that scanner's failure; the scan goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdapterFailure {
    #[error("component file {path} is missing (run `securescan adapter build`)")]
    Missing { path: String },
    #[error(
        "integrity check failed: registry pins sha256 {expected}, the component file has {actual}"
    )]
    IntegrityMismatch { expected: String, actual: String },
    #[error("ABI mismatch: {0}")]
    AbiMismatch(String),
    #[error("could not compile the component: {0}")]
    Compile(String),
    #[error("input of {size} bytes exceeds the adapter's limit of {limit} bytes")]
    InputTooLarge { size: usize, limit: usize },
    #[error("timed out after {}ms", limit.as_millis())]
    Timeout { limit: Duration },
    #[error("exceeded its memory limit of {} MiB", limit / (1024 * 1024))]
    MemoryLimit { limit: usize },
    #[error("crashed: {message}")]
    Trap { message: String },
    #[error("returned invalid output: {reason}")]
    InvalidOutput { reason: String },
    /// The adapter ran fine and said the input is not something it can read.
    #[error("could not parse the tool output ({kind}): {message}")]
    Parse { kind: String, message: String },
    /// The adapter read the report, and the report says the tool itself failed.
    #[error("{message}")]
    ToolFailed { message: String },
}

impl AdapterFailure {
    /// What kind of failure this is, for logs, JSON and events.
    pub fn kind(&self) -> FailureKind {
        match self {
            AdapterFailure::Missing { .. } => FailureKind::Missing,
            AdapterFailure::IntegrityMismatch { .. } => FailureKind::IntegrityMismatch,
            AdapterFailure::AbiMismatch(_) => FailureKind::AbiMismatch,
            AdapterFailure::Compile(_) => FailureKind::Compile,
            AdapterFailure::InputTooLarge { .. } => FailureKind::InputTooLarge,
            AdapterFailure::Timeout { .. } => FailureKind::Timeout,
            AdapterFailure::MemoryLimit { .. } => FailureKind::MemoryLimit,
            AdapterFailure::Trap { .. } => FailureKind::Trap,
            AdapterFailure::InvalidOutput { .. } => FailureKind::InvalidOutput,
            AdapterFailure::Parse { .. } => FailureKind::Parse,
            AdapterFailure::ToolFailed { .. } => FailureKind::ToolFailed,
        }
    }
}

impl From<AbiError> for AdapterFailure {
    fn from(err: AbiError) -> Self {
        AdapterFailure::AbiMismatch(err.to_string())
    }
}
