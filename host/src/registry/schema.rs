//! The TOML shape of `registry.toml` and its validation into [`Registry`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::Registry;
use super::limits::{Limits, RawLimits};
use crate::findings::ScanType;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRegistry {
    schema: u32,
    abi: String,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default)]
    adapter: Vec<RawAdapter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAdapter {
    id: String,
    scan_type: String,
    description: String,
    component: String,
    sha256: String,
    input: String,
    tool: Option<RawTool>,
    files: Option<FileSelection>,
    #[serde(default)]
    vars: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTool {
    name: String,
    versions: String,
    version_probe: Vec<String>,
    invoke: Vec<String>,
    install_hint: String,
    #[serde(default = "default_tool_timeout")]
    timeout_s: u64,
    #[serde(default = "default_ok_exit_codes")]
    ok_exit_codes: Vec<i32>,
    #[serde(default)]
    optional: bool,
}

fn default_tool_timeout() -> u64 {
    300
}

fn default_ok_exit_codes() -> Vec<i32> {
    vec![0]
}

/// Which files a built-in analyzer receives. Paths are never followed through symlinks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileSelection {
    /// File-name patterns to gather (`*` matches any run of characters, case ignored); empty
    /// means every file.
    #[serde(default)]
    pub include: Vec<String>,
    /// Directory names pruned wherever they appear.
    #[serde(default)]
    pub skip_dirs: Vec<String>,
    /// File-name endings skipped, compared case-insensitively (`.min.js` works).
    #[serde(default)]
    pub skip_suffixes: Vec<String>,
    pub max_file_bytes: u64,
    /// Skip files with a NUL byte in their first 8 KiB.
    #[serde(default)]
    pub skip_binary: bool,
}

/// How the host obtains an adapter's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Run the tool; its stdout is the report.
    ToolReport,
    /// Read files from the target; run the tool too if one is declared (its output is extra input).
    Files(FileSelection),
}

/// An external tool: how to find, probe and run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSpec {
    pub name: String,
    pub versions: semver::VersionReq,
    pub version_probe: Vec<String>,
    /// argv template; see [`crate::tools::argv`] for placeholders.
    pub invoke: Vec<String>,
    pub install_hint: String,
    pub timeout: Duration,
    pub ok_exit_codes: Vec<i32>,
    /// A failure to run it (not installed, not a git repository, …) means "no extra input", not
    /// a failed scanner. Only for tools that supplement gathered files.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterEntry {
    pub id: String,
    pub scan_type: ScanType,
    pub description: String,
    /// File name inside the adapter directory.
    pub component: String,
    /// Lowercase hex sha256 of the component's bytes.
    pub sha256: String,
    pub input: Input,
    pub tool: Option<ToolSpec>,
    /// Defaults for list placeholders in the tool's argv (overridable per scan).
    pub vars: BTreeMap<String, Vec<String>>,
    pub limits: Limits,
}

const BUILTIN_PLACEHOLDERS: &[&str] = &["target", "target_dir"];

impl RawRegistry {
    pub(super) fn resolve(self) -> Result<Registry, String> {
        if self.schema != 1 {
            return Err(format!(
                "schema {} is not supported (this build reads schema 1)",
                self.schema
            ));
        }
        let abi = semver::Version::parse(&self.abi)
            .map_err(|err| format!("abi {:?}: {err}", self.abi))?;
        crate::sandbox::abi::check(&abi, &crate::sandbox::abi::host_abi()).map_err(|err| {
            format!("abi {abi}: the registry was written for another host: {err}")
        })?;
        let defaults = self.defaults.limits.apply(Limits::default())?;
        let mut adapters: Vec<AdapterEntry> = Vec::new();
        for raw in self.adapter {
            let id = raw.id.clone();
            let entry = raw
                .resolve(defaults)
                .map_err(|err| format!("adapter {id:?}: {err}"))?;
            if adapters.iter().any(|a| a.id == entry.id) {
                return Err(format!("adapter {id:?} is listed twice"));
            }
            adapters.push(entry);
        }
        Ok(Registry { abi, adapters })
    }
}

impl RawAdapter {
    fn resolve(self, defaults: Limits) -> Result<AdapterEntry, String> {
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err("id must be lowercase letters, digits, '-' or '_'".into());
        }
        let scan_type = ScanType::parse(&self.scan_type).ok_or_else(|| {
            format!(
                "scan-type {:?} is not one of {}",
                self.scan_type,
                ScanType::names()
            )
        })?;
        if self.component.is_empty()
            || self.component.contains(['/', '\\'])
            || self.component.starts_with('.')
        {
            return Err(format!(
                "component {:?} must be a plain file name",
                self.component
            ));
        }
        if self.sha256.len() != 64
            || !self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "sha256 {:?} must be 64 lowercase hex digits",
                self.sha256
            ));
        }
        let input = match (self.input.as_str(), self.files) {
            ("tool-report", None) => Input::ToolReport,
            ("files", Some(files)) => Input::Files(files),
            ("tool-report", Some(_)) => {
                return Err("input \"tool-report\" takes no [files] table".into());
            }
            ("files", None) => return Err("input \"files\" needs a [files] table".into()),
            (other, _) => {
                return Err(format!(
                    "input {other:?} is not \"tool-report\" or \"files\""
                ));
            }
        };
        let tool = self.tool.map(|t| t.resolve(&self.vars)).transpose()?;
        match (&input, &tool) {
            (Input::ToolReport, None) => return Err("input \"tool-report\" needs a [tool]".into()),
            (Input::ToolReport, Some(t)) if t.optional => {
                return Err("a tool that produces the report cannot be optional".into());
            }
            (Input::Files(_), Some(t)) if !t.optional => {
                return Err("the tool of a \"files\" adapter only adds input, so it must say optional = true".into());
            }
            _ => {}
        }
        Ok(AdapterEntry {
            id: self.id,
            scan_type,
            description: self.description,
            component: self.component,
            sha256: self.sha256,
            input,
            tool,
            vars: self.vars,
            limits: self.limits.apply(defaults)?,
        })
    }
}

impl RawTool {
    fn resolve(self, vars: &BTreeMap<String, Vec<String>>) -> Result<ToolSpec, String> {
        let versions = semver::VersionReq::parse(&self.versions)
            .map_err(|err| format!("tool versions {:?}: {err}", self.versions))?;
        if self.invoke.first() != Some(&self.name) || self.version_probe.first() != Some(&self.name)
        {
            return Err(format!(
                "tool invoke and version-probe must start with the tool name {:?}",
                self.name
            ));
        }
        for arg in &self.version_probe {
            if !crate::tools::argv::placeholders(arg)?.is_empty() {
                return Err(format!("version-probe {arg:?} cannot use placeholders"));
            }
        }
        if self.timeout_s == 0 {
            return Err("tool timeout-s must be greater than zero".into());
        }
        for arg in &self.invoke {
            for name in crate::tools::argv::placeholders(arg)? {
                if !BUILTIN_PLACEHOLDERS.contains(&name) && !vars.contains_key(name) {
                    return Err(format!(
                        "argv {arg:?} uses {{{name}}}, which is neither built in nor in [vars]"
                    ));
                }
            }
        }
        Ok(ToolSpec {
            name: self.name,
            versions,
            version_probe: self.version_probe,
            invoke: self.invoke,
            install_hint: self.install_hint,
            timeout: Duration::from_secs(self.timeout_s),
            ok_exit_codes: self.ok_exit_codes,
            optional: self.optional,
        })
    }
}
