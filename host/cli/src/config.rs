//! `securescan config …` and the project config as every scanning command loads it.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit::{CommandResult, Exit, Failure};
use securescan_engine::config::{
    CONFIG_NAMES, FindingPolicy, Lint, ProjectConfig, check_trusted, discover, lint,
    parse_severity, severity_names,
};
use securescan_engine::findings::{Finding, Severity};
use securescan_engine::snapshot::baseline_fingerprints;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Lint .securescan.yml: unknown keys, bad severities and scan types, missing rule-pack paths,
    /// rules both ignored and overridden. Exit 0 when valid, 1 with errors, 2 when no config is
    /// found.
    Validate {
        /// The config file, or a directory to look for one from (default: the current directory,
        /// walking up to the repository root).
        path: Option<PathBuf>,
    },
}

/// The flags that decide what a scan's findings do to the exit code and which are suppressed.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Exit with 4 when a kept (not suppressed) finding is at or above this severity: critical,
    /// high, medium, low, info, or none to turn off the config's fail_on_severity.
    #[arg(long, value_parser = parse_threshold)]
    fail_on_severity: Option<Threshold>,
    /// Suppress nothing: findings of inline `securescan: ignore` comments and of ignored_rules
    /// are kept and counted.
    #[arg(long)]
    no_suppress: bool,
    /// Keep suppressed findings in the output, marked as suppressed (text prefixes them with
    /// [SUPPRESSED:<by>], JSON stamps metadata.suppressed_by, SARIF adds suppressions); they
    /// still never count.
    #[arg(long)]
    show_suppressed: bool,
    /// A baseline file (`securescan baseline`): findings whose fingerprint it lists are
    /// suppressed as `baseline`. A missing or unreadable file is a warning, and suppresses
    /// nothing.
    #[arg(long)]
    baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy)]
pub enum Threshold {
    Off,
    At(Severity),
}

fn parse_threshold(text: &str) -> Result<Threshold, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(Threshold::Off);
    }
    parse_severity(text).map(Threshold::At).ok_or_else(|| {
        format!(
            "invalid severity {text:?}; valid: {}, none",
            severity_names()
        )
    })
}

impl GateArgs {
    /// The finding policy of the config and these flags; reading the baseline file warns on
    /// stderr when it is missing or broken.
    pub fn policy(&self, config: Option<&ProjectConfig>) -> FindingPolicy {
        let baseline = match &self.baseline {
            Some(path) => {
                let (prints, warning) = baseline_fingerprints(path);
                if let Some(warning) = warning {
                    tell!("securescan: {warning}");
                }
                prints
            }
            None => Default::default(),
        };
        FindingPolicy {
            no_suppress: self.no_suppress,
            show_suppressed: self.show_suppressed,
            baseline,
            ..config.map(FindingPolicy::from_config).unwrap_or_default()
        }
    }

    /// The defaults of a scan of staged changes, for what neither the flags nor the config set:
    /// fail at `high` (a pre-commit check that never fails checks nothing), and suppress what
    /// the baseline file at `baseline` lists when there is one (its absence is no warning).
    pub fn staged_defaults(&mut self, config: Option<&ProjectConfig>, baseline: PathBuf) {
        if self.fail_on_severity.is_none() && config.is_none_or(|c| c.fail_on_severity.is_none()) {
            self.fail_on_severity = Some(Threshold::At(Severity::High));
        }
        if self.baseline.is_none() && baseline.is_file() {
            self.baseline = Some(baseline);
        }
    }

    /// The flag wins over the config's `fail_on_severity`.
    fn threshold(&self, config: Option<&ProjectConfig>) -> Option<Severity> {
        match self.fail_on_severity {
            Some(Threshold::Off) => None,
            Some(Threshold::At(severity)) => Some(severity),
            None => config.and_then(|c| c.fail_on_severity),
        }
    }

    pub fn show_suppressed(&self) -> bool {
        self.show_suppressed
    }

    /// [`Exit::FindingsAtThreshold`] when kept findings reach the threshold and nothing worse
    /// happened; `exit` otherwise.
    pub fn gate(&self, config: Option<&ProjectConfig>, findings: &[Finding], exit: Exit) -> Exit {
        let Some(threshold) = self.threshold(config) else {
            return exit;
        };
        let failing = findings
            .iter()
            .filter(|f| f.severity >= threshold && !f.is_suppressed())
            .count();
        if failing == 0 || exit != Exit::Ok {
            return exit;
        }
        tell!(
            "securescan: failing: {failing} finding(s) at or above {}",
            threshold.as_str()
        );
        Exit::FindingsAtThreshold
    }
}

/// The project config for a scan of `start`, if there is one; stderr always says which file
/// applies, or why the one found does not. A config with errors stops the command with the lint
/// `config validate` prints.
pub fn load_for(start: &Path) -> Result<Option<ProjectConfig>, Failure> {
    let Some(path) = discover(start) else {
        return Ok(None);
    };
    if let Err(untrusted) = check_trusted(&path) {
        tell!("securescan: not applying a config file: {untrusted}");
        return Ok(None);
    }
    tell!("securescan: config: {}", path.display());
    let checked = lint(&path);
    match checked.config {
        Some(config) => Ok(Some(config)),
        None => Err(Failure::usage(format!(
            "{}: invalid config; nothing was scanned (check it with `securescan config \
             validate`)\n{}",
            path.display(),
            checked.render().trim_end()
        ))),
    }
}

pub async fn run(command: ConfigCommand) -> CommandResult {
    match command {
        ConfigCommand::Validate { path } => validate(path.as_deref()),
    }
}

fn validate(path: Option<&Path>) -> CommandResult {
    let cwd = std::env::current_dir()
        .map_err(|err| Failure::internal(format!("cannot read the current directory: {err}")))?;
    let start = path.unwrap_or(&cwd);
    let file = if start.is_dir() {
        discover(start).ok_or_else(|| {
            Failure::usage(format!(
                "no .securescan.yml in this directory tree (looked for {} from {} up to the \
                 repository root)",
                CONFIG_NAMES.join(", "),
                start.display()
            ))
        })?
    } else {
        std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf())
    };
    let checked = lint(&file);
    let shown = file.strip_prefix(&cwd).unwrap_or(&file);
    tell!("{}", report(shown, &checked).trim_end());
    Ok(if checked.is_valid() {
        Exit::Ok
    } else {
        Exit::ConfigInvalid
    })
}

/// `<file>: OK` and what the config sets, or `<file>: invalid`; then the issues and the summary.
fn report(file: &Path, checked: &Lint) -> String {
    let mut out = String::new();
    match &checked.config {
        Some(config) => {
            out.push_str(&format!("{}: OK\n", file.display()));
            if !config.scan_types.is_empty() {
                let types: Vec<&str> = config.scan_types.iter().map(|t| t.as_str()).collect();
                out.push_str(&format!("scan_types: {}\n", types.join(", ")));
            }
            out.push_str(&format!("ignored_rules: {}\n", config.ignored_rules.len()));
            out.push_str(&format!(
                "severity_overrides: {}\n",
                config.severity_overrides.len()
            ));
            if !config.semgrep_rules.is_empty() {
                let dir = config.path.parent().unwrap_or(Path::new("/"));
                let rules: Vec<String> = config
                    .semgrep_rules
                    .iter()
                    .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
                    .collect();
                out.push_str(&format!("semgrep_rules: {}\n", rules.join(", ")));
            }
            if let Some(severity) = config.fail_on_severity {
                out.push_str(&format!("fail_on_severity: {}\n", severity.as_str()));
            }
        }
        None => out.push_str(&format!("{}: invalid\n", file.display())),
    }
    out.push_str(&checked.render());
    out
}
