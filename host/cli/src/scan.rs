use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;

use super::ai::{AiArgs, explain};
use super::changes::ChangeFormat;
use super::config::{GateArgs, load_for};
use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::output::{ScanFormat, parse_output, write_streamed};
use sha2::Digest;

use securescan_engine::config::{FindingPolicy, ProjectConfig};
use securescan_engine::findings::ScanType;
use securescan_engine::scan::{
    ScanRequest, ScanResult, ScannerOutcome, ScannerStatus, check_target, looks_like_url,
};
use securescan_engine::stamp::Stamp;
use securescan_engine::{Engine, RequestError};
use securescan_model::ScanEvent;
use securescan_model::text::sanitize_line;
use securescan_registry::TargetKind;
use securescan_report::{OutputFormat, TextStyle, render_explained_to};
use securescan_store::Store;

mod staged;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan: a directory or file; a URL for dast; a host, IP address or CIDR range for
    /// network. With --staged: a directory of a git repository (default: the current one).
    #[arg(required_unless_present = "staged")]
    target: Option<String>,
    /// Scan only what the next commit records (the pre-commit check): the staged content of the
    /// staged files, read from the git index, not the working tree; deleted files are not
    /// scanned, and only the scanners that read one of the staged files run. Default types:
    /// code, dependency, iac; default --fail-on-severity: high (the config's fail_on_severity
    /// when it sets one); default --baseline: .securescan/baseline.json at the repository root
    /// when it exists. Never saved to the store.
    #[arg(long, conflicts_with = "baseline_host_probes")]
    staged: bool,
    #[command(flatten)]
    options: ScanOptions,
    #[command(flatten)]
    output: ReportArgs,
    #[command(flatten)]
    gate: GateArgs,
    /// Do not save this scan to the local store (SECURESCAN_DB_PATH, default
    /// ~/.securescan/scans.db) that `history` lists.
    #[arg(long)]
    no_save: bool,
}

/// Where a scan's report goes and in which format: `scan` and `ingest`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format: text, json, json-envelope (the findings with each scanner's outcome), sarif,
    /// csv, junit, html, report-pdf.
    #[arg(long, short = 'o', default_value = "text", value_parser = parse_scan_output)]
    output: OutputFormat,
    /// Write the output here instead of stdout.
    #[arg(long)]
    output_file: Option<PathBuf>,
    #[command(flatten)]
    ai: AiArgs,
}

/// What to run: the flags every scanning command (scan, baseline, compare, diff) shares.
#[derive(Debug, Args)]
pub struct ScanOptions {
    /// Scan type to run (repeatable): code, dependency, iac, baseline, dast, network.
    /// Default: the config's scan_types, else code and dependency for a path, dast for a URL,
    /// network for a host.
    #[arg(long = "type", short = 't', value_parser = parse_scan_type)]
    types: Vec<ScanType>,
    /// Semgrep rule source (repeatable): a rules file or directory, or a registry name such as
    /// `auto` or `p/ci` when semgrep can reach its registry. Default: the config's
    /// semgrep_rules, else auto.
    #[arg(
        long = "semgrep-config",
        env = "SECURESCAN_SEMGREP_CONFIG",
        value_delimiter = ','
    )]
    semgrep_config: Vec<String>,
    /// Safety: a local advisory database directory (safety's --db), for offline scans.
    #[arg(long = "safety-db", env = "SECURESCAN_SAFETY_DB")]
    safety_db: Option<String>,
    /// Network: the ports nmap probes, in nmap's -p syntax (`22,80,8000-8100`). Default: nmap's
    /// 1000 most common.
    #[arg(long, env = "SECURESCAN_NMAP_PORTS")]
    ports: Option<String>,
    /// Baseline: probe the live host (/etc, ~/.ssh, firewall, ports, …) even though the target
    /// is a directory. Implies --type baseline.
    #[arg(long)]
    baseline_host_probes: bool,
    /// Licenses: have pip-licenses list the target's Python packages by running the target's own
    /// virtualenv interpreter (.venv/bin/python, ...), instead of reading the virtualenv's package
    /// metadata files. That EXECUTES A PROGRAM FROM THE SCANNED TREE: only for trees you trust.
    /// Without it, nothing from the tree is run.
    #[arg(long)]
    run_project_python: bool,
}

/// `--output` of a command that renders one scan.
pub fn parse_scan_output(text: &str) -> Result<OutputFormat, String> {
    parse_output::<ScanFormat, ChangeFormat>(
        text,
        "shows what a change introduces, so it needs two sides: use it with `securescan diff` \
         or `securescan compare`",
    )
    .map(|format| format.0)
}

pub fn parse_scan_type(text: &str) -> Result<ScanType, String> {
    ScanType::parse(&text.to_lowercase())
        .ok_or_else(|| format!("invalid scan type {text:?}. Valid: {}", ScanType::names()))
}

pub async fn run(args: ScanArgs) -> CommandResult {
    if args.staged {
        return staged::run(args).await;
    }
    let target = args
        .target
        .ok_or_else(|| Failure::usage("scan: give a target to scan"))?;
    let config = load_for(&config_start(&target))?;
    let policy = args.gate.policy(config.as_ref());
    let request = args.options.request(target, config.as_ref(), policy)?;
    let started = Stamp::from_env().map_err(|err| Failure::usage(err.to_string()))?;
    // The process ends once this returns, and the system takes its memory back at once: freeing a
    // big scan's findings one allocation at a time was a fifth of W1's time after the tools.
    let result = std::mem::ManuallyDrop::new(scan(&locations::engine()?, &request).await?);
    if !args.no_save {
        save(&result, &started);
    }
    deliver(&result, &args.output, &args.gate, config.as_ref())
}

impl ScanOptions {
    /// The scan these flags ask for, of `target`, under `policy`: flags win over the config,
    /// which wins over the defaults for the target's kind.
    pub fn request(
        &self,
        target: String,
        config: Option<&ProjectConfig>,
        policy: FindingPolicy,
    ) -> Result<ScanRequest, Failure> {
        let mut types = match (config, self.types.is_empty()) {
            (_, false) => self.types.clone(),
            (Some(config), true) if !config.scan_types.is_empty() => config.scan_types.clone(),
            (_, true) => default_types(&target),
        };
        if self.baseline_host_probes {
            types.push(ScanType::Baseline);
        }
        types.sort();
        types.dedup();
        let mut vars: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        let mut set = |scanner: &str, var: &str, values: Vec<String>| {
            vars.entry(scanner.to_string())
                .or_default()
                .insert(var.to_string(), values);
        };
        let config_rules = config.map_or(Vec::new(), ProjectConfig::semgrep_config);
        if !self.semgrep_config.is_empty() {
            set("semgrep", "config", self.semgrep_config.clone());
        } else if !config_rules.is_empty() {
            set("semgrep", "config", config_rules);
        }
        if let Some(db) = &self.safety_db {
            set("safety", "db", vec![db.clone()]);
        }
        if let Some(ports) = &self.ports {
            if ports.is_empty()
                || !ports
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b",-".contains(&b))
            {
                return Err(Failure::usage(format!(
                    "--ports {ports:?}: give port numbers and ranges, like 22,80,8000-8100"
                )));
            }
            set("nmap", "ports", vec![ports.clone()]);
        }
        Ok(ScanRequest {
            target,
            types,
            vars,
            host_probes: self.baseline_host_probes,
            run_project_python: self.run_project_python,
            policy,
            ..ScanRequest::default()
        })
    }
}

/// Run a scan on `engine` (after [`announce`]), with progress on stderr when it is a terminal.
pub async fn scan(engine: &Engine, request: &ScanRequest) -> Result<ScanResult, Failure> {
    announce(engine, request)?;
    let result = engine
        .scan(request, &progress())
        .await
        .map_err(request_failure);
    crate::malloc::release_freed();
    result
}

/// Refuse a request whose scanners cannot take its target, and remind the user that live
/// systems may only be scanned with permission.
pub fn announce(engine: &Engine, request: &ScanRequest) -> Result<(), Failure> {
    if engine.check(request).map_err(request_failure)? {
        tell!(
            "securescan: dast and network scans send traffic to {}: run them only against \
             systems you own or are authorized to test.",
            request.target
        );
    }
    Ok(())
}

/// A request the engine refused is the user's to fix; a commit it could not check out is not.
pub fn request_failure(err: RequestError) -> Failure {
    match err {
        RequestError::Checkout(err) => Failure::internal(format!("diff: {err}")),
        other => Failure::usage(other.to_string()),
    }
}

/// Progress on stderr when it is a terminal: the scanners a scan starts, then how each ended.
pub fn progress() -> impl Fn(ScanEvent) + Sync {
    let show = std::io::stderr().is_terminal();
    move |event| {
        if show && let Some(line) = progress_line(&event) {
            tell!("{line}");
        }
    }
}

/// Save the scan for `history`. A store that cannot be written is a warning: the scan's output
/// matters more than its record.
fn save(result: &ScanResult, started: &Stamp) {
    let finished = Stamp::from_env().unwrap_or_else(|_| Stamp::now());
    let id = Stamp::now().uuid(&sha2::Sha256::digest(result.scan_id.as_bytes()).into());
    let path = securescan_store::default_path();
    let saved = Store::open(&path)
        .and_then(|store| store.save(result, &id, &started.created, &finished.created));
    if let Err(err) = saved {
        tell!("securescan: warning: the scan was not saved: {err} (use --no-save to skip)");
    }
}

/// Render the result, write it where it goes, report scanners that were skipped or failed and
/// apply the severity gate:
/// how `scan` and `ingest` both end.
pub fn deliver(
    result: &ScanResult,
    output: &ReportArgs,
    gate: &GateArgs,
    config: Option<&ProjectConfig>,
) -> CommandResult {
    let output_file = output.output_file.as_deref();
    let style = TextStyle::for_destination(output_file);
    let working_dir = locations::working_dir()?;
    let explanations = explain(result, &output.ai, output.output, config, &working_dir);
    write_streamed(output_file, |out| {
        render_explained_to(
            result,
            output.output,
            style,
            &working_dir,
            &explanations,
            out,
        )
    })?;
    // The text report on stdout shows each scanner's warnings; anywhere else they go to stderr
    // too (a warning can be the only sign that input was cut, and csv has no place for them).
    if output.output != OutputFormat::Text || output_file.is_some() {
        report_warnings(result);
    }
    Ok(gate.gate(config, &result.findings, report_outcomes(&result.scanners)))
}

/// Tell stderr each scanner's warnings (input cut or left out, a helper that gave nothing).
fn report_warnings(result: &ScanResult) {
    for outcome in &result.scanners {
        for warning in &outcome.warnings {
            tell!(
                "securescan: scanner {}: warning: {warning}",
                outcome.scanner
            );
        }
    }
}

/// Where config discovery starts: the target when it is a path, else the current directory.
pub fn config_start(target: &str) -> PathBuf {
    if !looks_like_url(target) && Path::new(target).exists() {
        PathBuf::from(target)
    } else {
        PathBuf::from(".")
    }
}

/// A URL means dast and a host means network; anything else is a path.
fn default_types(target: &str) -> Vec<ScanType> {
    if looks_like_url(target) {
        vec![ScanType::Dast]
    } else if !Path::new(target).exists()
        && check_target(TargetKind::Host, target, Path::new(".")).is_ok()
    {
        vec![ScanType::Network]
    } else {
        vec![ScanType::Code, ScanType::Dependency]
    }
}

/// Tell stderr about each scanner that did not complete, one line each, whatever the output format
/// and whether or not stderr is a terminal: a skipped scanner with its reason, a failed one with
/// its kind and error. A machine reading `[]` can then tell a clean scan from one where nothing
/// ran. The exit code says whether any failed (a skipped scanner does not change it).
pub fn report_outcomes(scanners: &[ScannerOutcome]) -> Exit {
    let mut exit = Exit::Ok;
    for outcome in scanners {
        match &outcome.status {
            ScannerStatus::Completed { .. } => {}
            ScannerStatus::Skipped {
                reason,
                install_hint,
            } => {
                let hint = install_hint
                    .as_deref()
                    .map(|hint| format!(" (install: {})", sanitize_line(hint, usize::MAX)))
                    .unwrap_or_default();
                tell!(
                    "securescan: scanner {} skipped: {}{hint}",
                    outcome.scanner,
                    sanitize_line(reason, usize::MAX)
                );
            }
            ScannerStatus::Failed { kind, error } => {
                tell!(
                    "securescan: scanner {} failed ({kind}): {error}",
                    outcome.scanner
                );
                exit = Exit::ScannerFailed;
            }
        }
    }
    exit
}

fn progress_line(event: &ScanEvent) -> Option<String> {
    let seconds = |ms: &u64| std::time::Duration::from_millis(*ms).as_secs_f64();
    Some(match event {
        ScanEvent::ScanStarted { target, scanners } => {
            format!("Scanning {target} with {}", scanners.join(", "))
        }
        ScanEvent::ScannerCompleted {
            scanner,
            findings,
            duration_ms,
        } => format!(
            "  ✓ {scanner}: {findings} finding(s) ({:.2}s)",
            seconds(duration_ms)
        ),
        ScanEvent::ScannerSkipped {
            scanner, reason, ..
        } => format!("  ⏭ {scanner}: skipped, {reason}"),
        ScanEvent::ScannerFailed {
            scanner,
            kind,
            duration_ms,
            ..
        } => format!(
            "  ✗ {scanner}: failed ({kind}) after {:.2}s",
            seconds(duration_ms)
        ),
        ScanEvent::ScannerStarted { .. } | ScanEvent::ScanFinished { .. } => return None,
    })
}
