//! The TOML shape of `registry.toml` and its validation into [`Registry`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::Registry;
use super::inputs::{
    CommandSpec, HttpProbe, Probes, RawCommand, RawHttpProbe, RawProbes, RawZapDriver, TargetKind,
    ZapDriver,
};
use super::limits::{Limits, RawLimits};
use securescan_model::ScanType;

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
    #[serde(default)]
    target: Option<String>,
    tool: Option<RawTool>,
    files: Option<FileSelection>,
    each_file: Option<FileSelection>,
    #[serde(default)]
    command: Vec<RawCommand>,
    probes: Option<RawProbes>,
    http: Option<RawHttpProbe>,
    zap: Option<RawZapDriver>,
    #[serde(default)]
    vars: BTreeMap<String, Vec<String>>,
    /// `[adapter.vars-if.VAR.VALUE]`: vars set when VAR's list holds VALUE.
    #[serde(default)]
    vars_if: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>>,
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
    #[serde(default)]
    install: Option<Vec<String>>,
    #[serde(default = "default_tool_timeout")]
    timeout_s: u64,
    #[serde(default = "default_ok_exit_codes")]
    ok_exit_codes: Vec<i32>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    each_item: Option<Vec<String>>,
    #[serde(default)]
    failure_hint: Vec<RawFailureHint>,
    #[serde(default)]
    reads: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFailureHint {
    stderr_contains: Vec<String>,
    hint: String,
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
    /// Also the metadata files of the Python distributions installed in the target's
    /// virtualenvs (see the engine's virtualenv metadata listing), which `skip-dirs` and
    /// `include` do not reach.
    #[serde(default)]
    pub virtualenv_metadata: bool,
    /// What becomes of a file larger than `max_file_bytes`.
    #[serde(default)]
    pub large_files: LargeFiles,
}

impl FileSelection {
    /// Whether a file of `size` bytes is read in windows rather than whole.
    pub fn windowed(&self, size: u64) -> bool {
        self.large_files == LargeFiles::Windows && size > self.max_file_bytes
    }

    /// How many bytes of a file of `size` bytes a call carries: none of one judged by name only.
    pub fn bytes_sent(&self, size: u64) -> u64 {
        if self.large_files == LargeFiles::NameOnly && size > self.max_file_bytes {
            0
        } else {
            size.min(self.max_file_bytes)
        }
    }
}

/// How a file larger than `max-file-bytes` reaches the analyzer. Whatever the choice, a warning
/// says how many files it concerned, so a size cap never hides a file silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LargeFiles {
    /// Left out.
    #[default]
    Skip,
    /// Read in windows of whole lines of at most `max-file-bytes`, each in a call of its own with
    /// the setting `first-line`: for analyzers that judge one line at a time.
    Windows,
    /// Sent with empty contents: for analyzers that judge a file by its name.
    NameOnly,
}

/// How the host obtains an adapter's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Run the tool; its stdout is the report. With `each_file`, run it once per matching file
    /// (`{file}`, `{file_dir}`), each report parsed on its own.
    ToolReport { each_file: Option<FileSelection> },
    /// Read files from the target; run the tool too if one is declared (its output is extra input).
    Files(FileSelection),
    /// Read host configuration: files, metadata, commands, environment.
    Probes(Probes),
    /// Fetch the target URL.
    Http(HttpProbe),
    /// Drive a running ZAP daemon against the target URL.
    Zap(ZapDriver),
    /// Reports handed to `securescan ingest` only: no tool, never part of a scan.
    Ingest,
}

/// An external tool: how to find, probe and run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSpec {
    pub name: String,
    pub versions: semver::VersionReq,
    pub version_probe: Vec<String>,
    /// argv template; see [`crate::argv`] for placeholders.
    pub invoke: Vec<String>,
    pub install_hint: String,
    /// argv that installs the tool (no shell, no placeholders): the only command the server's
    /// install endpoint runs, so what it may run is fixed here, never taken from a request.
    pub install: Option<Vec<String>>,
    pub timeout: Duration,
    pub ok_exit_codes: Vec<i32>,
    /// A failure to run it (not installed, not a git repository, …) means "no extra input", not
    /// a failed scanner. Only for tools that supplement gathered files.
    pub optional: bool,
    /// argv of a run that prints items, one a line (commit ids): `invoke` then runs once per item
    /// (`{item}`), and each output, read as lines of text, is parsed in a call of its own, so
    /// one large item cannot crowd out the others. Only for optional tools.
    pub each_item: Option<Vec<String>>,
    /// What to tell the user when a run fails in a way the tool explains badly.
    pub failure_hints: Vec<FailureHint>,
    /// File-name patterns of the files the tool looks at (`*` matches any run of characters, case
    /// ignored), for a tool-report adapter without `each-file`: a scan of staged changes runs the
    /// tool only when one of them is staged. Empty: any file may matter to it.
    pub reads: Vec<String>,
}

/// Advice for a failed run whose stderr holds any of `stderr_contains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureHint {
    pub stderr_contains: Vec<String>,
    pub hint: String,
}

/// Vars set for a scan whose `var` list holds `value` (`[adapter.vars-if.VAR.VALUE]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarsIf {
    pub var: String,
    pub value: String,
    pub set: BTreeMap<String, Vec<String>>,
}

impl ToolSpec {
    /// The hint for a failed run that printed `stderr`: the first whose text it contains.
    pub fn failure_hint(&self, stderr: &str) -> Option<&str> {
        self.failure_hints
            .iter()
            .find(|h| {
                h.stderr_contains
                    .iter()
                    .any(|s| stderr.contains(s.as_str()))
            })
            .map(|h| h.hint.as_str())
    }

    /// Whether running the tool runs the target's own interpreter (`{project_python}`): a program
    /// from the scanned tree, so only with the user's explicit permission.
    pub fn runs_project_python(&self) -> bool {
        self.invoke
            .iter()
            .any(|arg| arg.contains("{project_python}"))
    }
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
    pub target: TargetKind,
    pub tool: Option<ToolSpec>,
    /// Commands whose output goes with the gathered files (a `files` adapter only).
    pub commands: Vec<CommandSpec>,
    /// Defaults for list placeholders in the tool's argv (overridable per scan).
    pub vars: BTreeMap<String, Vec<String>>,
    /// Vars that follow from others' values, whatever set those.
    pub vars_if: Vec<VarsIf>,
    pub limits: Limits,
}

impl AdapterEntry {
    /// The vars of one scan: the defaults, with `overrides` replacing whole lists, then every
    /// `vars-if` whose condition holds (judged on those values, so one cannot trigger another).
    pub fn scan_vars(
        &self,
        overrides: Option<&BTreeMap<String, Vec<String>>>,
    ) -> BTreeMap<String, Vec<String>> {
        let mut vars = self.vars.clone();
        if let Some(overrides) = overrides {
            vars.extend(overrides.clone());
        }
        let triggered: Vec<&VarsIf> = self
            .vars_if
            .iter()
            .filter(|rule| vars.get(&rule.var).is_some_and(|v| v.contains(&rule.value)))
            .collect();
        for rule in triggered {
            vars.extend(rule.set.clone());
        }
        vars
    }

    /// Whether `securescan ingest` can hand this adapter a tool's report.
    pub fn reads_reports(&self) -> bool {
        match self.input {
            Input::ToolReport { .. } | Input::Zap(_) | Input::Ingest => true,
            Input::Files(_) => self.tool.is_some(),
            Input::Probes(_) | Input::Http(_) => false,
        }
    }
}

/// Placeholders every argv may use. `project_python` is the target's virtualenv interpreter; a
/// tool that needs it runs only when the user allows it and the target has one.
const BUILTIN_PLACEHOLDERS: &[&str] = &["target", "target_dir", "project_python"];
/// Placeholders of a tool run once per file (`[adapter.each-file]`).
const EACH_FILE_PLACEHOLDERS: &[&str] = &["file", "file_dir"];
/// The placeholder of a tool run once per item (`each-item`).
const EACH_ITEM_PLACEHOLDER: &str = "item";

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
        crate::abi::check(&abi, &crate::abi::host_abi()).map_err(|err| {
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

/// Whether `id` may name an adapter. It is also a directory under `plugins/` and, with `_` read
/// as `-`, part of the crate name, so nothing but lowercase letters, digits, `-` and `_`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl RawAdapter {
    fn resolve(self, defaults: Limits) -> Result<AdapterEntry, String> {
        if !is_valid_id(&self.id) {
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
        let target = self
            .target
            .as_deref()
            .map_or(Ok(TargetKind::Path), TargetKind::parse)?;
        let input = self.input.as_str();
        let table = |present: bool, name: &str| -> Result<(), String> {
            let wanted = matches!(
                (input, name),
                ("files", "files")
                    | ("tool-report", "each-file")
                    | ("files", "command")
                    | ("probes", "probes")
                    | ("http", "http")
                    | ("zap", "zap")
            );
            match (present, wanted) {
                (true, false) => Err(format!("input {input:?} takes no [{name}] table")),
                _ => Ok(()),
            }
        };
        table(self.files.is_some(), "files")?;
        table(self.each_file.is_some(), "each-file")?;
        table(!self.command.is_empty(), "command")?;
        table(self.probes.is_some(), "probes")?;
        table(self.http.is_some(), "http")?;
        table(self.zap.is_some(), "zap")?;
        let missing = |name: &str| format!("input {input:?} needs a [{name}] table");
        let each_file = self.each_file.is_some();
        let input = match input {
            "tool-report" => Input::ToolReport {
                each_file: self.each_file,
            },
            "files" => Input::Files(self.files.ok_or_else(|| missing("files"))?),
            "probes" => Input::Probes(self.probes.ok_or_else(|| missing("probes"))?.resolve()?),
            "http" => Input::Http(self.http.unwrap_or_default().resolve()?),
            "zap" => Input::Zap(self.zap.ok_or_else(|| missing("zap"))?.resolve()?),
            "ingest" => Input::Ingest,
            other => {
                return Err(format!(
                    "input {other:?} is not one of \"tool-report\", \"files\", \"probes\", \"http\", \"zap\", \"ingest\""
                ));
            }
        };
        let wants_url = matches!(input, Input::Http(_) | Input::Zap(_));
        if wants_url != (target == TargetKind::Url) {
            return Err("inputs \"http\" and \"zap\", and only they, take target = \"url\"".into());
        }
        if target == TargetKind::Host && !matches!(input, Input::ToolReport { each_file: None }) {
            return Err("target = \"host\" is for a tool-report adapter run once".into());
        }
        let tool = self
            .tool
            .map(|t| t.resolve(&self.vars, each_file))
            .transpose()?;
        let vars_if = resolve_vars_if(self.vars_if, &self.vars)?;
        match (&input, &tool) {
            (Input::ToolReport { .. }, None) => {
                return Err("input \"tool-report\" needs a [tool]".into());
            }
            (Input::ToolReport { .. }, Some(t)) if t.optional => {
                return Err("a tool that produces the report cannot be optional".into());
            }
            (Input::Files(_), Some(t)) if !t.optional => {
                return Err("the tool of a \"files\" adapter only adds input, so it must say optional = true".into());
            }
            (Input::Probes(_) | Input::Http(_) | Input::Zap(_) | Input::Ingest, Some(_)) => {
                return Err(format!("input {:?} takes no [tool]", self.input));
            }
            _ => {}
        }
        let commands = self
            .command
            .into_iter()
            .map(|c| c.resolve(&["target", "target_dir"]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AdapterEntry {
            id: self.id,
            scan_type,
            description: self.description,
            component: self.component,
            sha256: self.sha256,
            input,
            target,
            tool,
            commands,
            vars: self.vars,
            vars_if,
            limits: self.limits.apply(defaults)?,
        })
    }
}

impl RawTool {
    fn resolve(
        self,
        vars: &BTreeMap<String, Vec<String>>,
        each_file: bool,
    ) -> Result<ToolSpec, String> {
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
            if !crate::argv::placeholders(arg)
                .map_err(|e| e.to_string())?
                .is_empty()
            {
                return Err(format!("version-probe {arg:?} cannot use placeholders"));
            }
        }
        if self.timeout_s == 0 {
            return Err("tool timeout-s must be greater than zero".into());
        }
        let known = |name: &str| BUILTIN_PLACEHOLDERS.contains(&name) || vars.contains_key(name);
        let mut uses_item = false;
        for arg in &self.invoke {
            for name in crate::argv::placeholders(arg).map_err(|e| e.to_string())? {
                let per_file = each_file && EACH_FILE_PLACEHOLDERS.contains(&name);
                let per_item = self.each_item.is_some() && name == EACH_ITEM_PLACEHOLDER;
                uses_item |= per_item;
                if !per_file && !per_item && !known(name) {
                    return Err(format!(
                        "argv {arg:?} uses {{{name}}}, which is neither built in nor in [vars]"
                    ));
                }
            }
        }
        if !self.reads.is_empty() && (each_file || self.optional) {
            return Err(
                "tool reads is for a tool-report adapter without each-file (each-file and files \
                 already say which files matter)"
                    .into(),
            );
        }
        if let Some(list) = &self.each_item {
            if list.first() != Some(&self.name) || !uses_item || !self.optional {
                return Err(format!(
                    "each-item must start with the tool name {:?}, invoke must use {{item}}, and the tool must be optional",
                    self.name
                ));
            }
            for arg in list {
                for name in crate::argv::placeholders(arg).map_err(|e| e.to_string())? {
                    if !known(name) {
                        return Err(format!(
                            "each-item {arg:?} uses {{{name}}}, which is neither built in nor in [vars]"
                        ));
                    }
                }
            }
        }
        Ok(ToolSpec {
            name: self.name,
            versions,
            version_probe: self.version_probe,
            invoke: self.invoke,
            install_hint: self.install_hint,
            install: self.install,
            timeout: Duration::from_secs(self.timeout_s),
            ok_exit_codes: self.ok_exit_codes,
            optional: self.optional,
            each_item: self.each_item,
            failure_hints: self
                .failure_hint
                .into_iter()
                .map(RawFailureHint::resolve)
                .collect::<Result<_, _>>()?,
            reads: self.reads,
        })
    }
}

impl RawFailureHint {
    fn resolve(self) -> Result<FailureHint, String> {
        if self.stderr_contains.is_empty()
            || self.stderr_contains.iter().any(String::is_empty)
            || self.hint.trim().is_empty()
        {
            return Err(
                "a failure-hint needs a non-empty hint and stderr-contains of non-empty strings"
                    .into(),
            );
        }
        Ok(FailureHint {
            stderr_contains: self.stderr_contains,
            hint: self.hint,
        })
    }
}

/// `[vars-if]` may only name vars of `[vars]`, and a rule may not set the var it tests.
fn resolve_vars_if(
    raw: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>>,
    vars: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<VarsIf>, String> {
    let mut rules = Vec::new();
    for (var, by_value) in raw {
        for (value, set) in by_value {
            let unknown = std::iter::once(&var)
                .chain(set.keys())
                .find(|name| !vars.contains_key(name.as_str()));
            if let Some(name) = unknown {
                return Err(format!(
                    "vars-if.{var}.{value} names {name:?}, which is not in [vars]"
                ));
            }
            if set.contains_key(&var) {
                return Err(format!(
                    "vars-if.{var}.{value} cannot set {var:?}, the var it tests"
                ));
            }
            rules.push(VarsIf {
                var: var.clone(),
                value,
                set,
            });
        }
    }
    Ok(rules)
}
