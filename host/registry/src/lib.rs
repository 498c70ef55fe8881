//! `registry.toml`: the fixed list of adapters this build loads, with their pins, tools and limits.
//! It is compiled into the binary ([`Registry::builtin`]); nothing outside it runs.

pub mod abi;
pub mod argv;
mod inputs;
mod limits;
mod schema;

use std::path::Path;

pub use inputs::{CommandSpec, HttpProbe, Probes, TargetKind, ZapDriver};
pub use limits::Limits;
pub use schema::{
    AdapterEntry, FailureHint, FileSelection, Input, LargeFiles, ToolSpec, VarsIf, is_valid_id,
};

use securescan_model::ScanType;

/// The registry this binary was built with.
pub const BUILTIN_TOML: &str = include_str!("../../../registry.toml");

#[derive(Debug, Clone)]
pub struct Registry {
    pub abi: semver::Version,
    pub adapters: Vec<AdapterEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Registry {
    pub fn builtin() -> Result<Registry, RegistryError> {
        Registry::parse(BUILTIN_TOML, "registry.toml (built in)")
    }

    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|err| RegistryError::Invalid {
            origin: path.display().to_string(),
            message: format!("cannot read: {err}"),
        })?;
        Registry::parse(&text, &path.display().to_string())
    }

    /// Parse and validate; `origin` names the source in errors. Unknown keys are refused with
    /// their line, so a typo cannot silently drop a limit.
    pub fn parse(text: &str, origin: &str) -> Result<Registry, RegistryError> {
        let invalid = |message: String| RegistryError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let raw: schema::RawRegistry =
            toml::from_str(text).map_err(|err| invalid(describe_toml_error(text, &err)))?;
        let registry = raw.resolve().map_err(invalid)?;
        Ok(registry)
    }

    pub fn get(&self, id: &str) -> Option<&AdapterEntry> {
        self.adapters.iter().find(|a| a.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.adapters.iter().map(|a| a.id.as_str()).collect()
    }

    /// Entries a scan of these types runs, in registry order (ingest-only adapters never).
    pub fn for_types(&self, types: &[ScanType]) -> Vec<&AdapterEntry> {
        self.adapters
            .iter()
            .filter(|a| types.contains(&a.scan_type) && a.input != Input::Ingest)
            .collect()
    }
}

/// toml's message with the 1-based line the problem is on.
fn describe_toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim().to_string();
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests;
