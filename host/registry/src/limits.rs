use std::time::Duration;

use serde::Deserialize;

/// Resource limits for one adapter call. Registry defaults, overridable per adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input (tool report plus gathered files) handed to one call.
    pub max_input_bytes: usize,
    /// Largest linear memory the adapter may grow to.
    pub memory_bytes: usize,
    /// Wall-clock budget for one call.
    pub timeout: Duration,
    pub max_findings: usize,
    /// Largest total size of what one call returns.
    pub max_output_bytes: usize,
}

const MIB: usize = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * MIB,
            memory_bytes: 512 * MIB,
            timeout: Duration::from_secs(30),
            max_findings: 100_000,
            max_output_bytes: 128 * MIB,
        }
    }
}

/// The TOML form: every key optional, applied over the level below.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLimits {
    max_input_mib: Option<usize>,
    memory_mib: Option<usize>,
    timeout_ms: Option<u64>,
    max_findings: Option<usize>,
    max_output_mib: Option<usize>,
}

impl RawLimits {
    pub(crate) fn apply(&self, base: Limits) -> Result<Limits, String> {
        let mib = |value: Option<usize>, base: usize, key: &str| match value {
            None => Ok(base),
            Some(m) => m
                .checked_mul(MIB)
                .ok_or_else(|| format!("{key} = {m} is too large")),
        };
        let limits = Limits {
            max_input_bytes: mib(self.max_input_mib, base.max_input_bytes, "max-input-mib")?,
            memory_bytes: mib(self.memory_mib, base.memory_bytes, "memory-mib")?,
            timeout: self.timeout_ms.map_or(base.timeout, Duration::from_millis),
            max_findings: self.max_findings.unwrap_or(base.max_findings),
            max_output_bytes: mib(self.max_output_mib, base.max_output_bytes, "max-output-mib")?,
        };
        if limits.memory_bytes == 0 || limits.timeout.is_zero() || limits.max_input_bytes == 0 {
            return Err("limits must be greater than zero".into());
        }
        Ok(limits)
    }
}
