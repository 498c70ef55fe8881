//! One scanner within a scan: check its tool, load its adapter, collect its input, call it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use super::FailureKind;
use super::files_input::files_scan;
use super::probes_input::probes_scan;
use super::report_input::{AvailableTool, report_scan, run_report};
use super::runner::Context;
use super::url_input::{http_scan, zap_scan};
use crate::tools::{ChildEnv, ToolStatus, find_tool, probe_found, probe_tool};
use securescan_model::{ScannerOutcome, ScannerStatus};
use securescan_registry::{AdapterEntry, Input};
use securescan_sandbox::{AdapterFailure, AdapterFinding, AdapterOutput, LoadedAdapter, WitInput};

pub struct ScannerRun {
    pub outcome: ScannerOutcome,
    pub findings: Vec<AdapterFinding>,
}

/// Why a scanner produced no result: the failure kind and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScanError {
    pub kind: FailureKind,
    pub message: String,
}

impl ScanError {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> ScanError {
        ScanError {
            kind,
            message: message.into(),
        }
    }

    fn into_status(self) -> ScannerStatus {
        ScannerStatus::Failed {
            kind: self.kind,
            error: self.message,
        }
    }
}

impl From<AdapterFailure> for ScanError {
    fn from(failure: AdapterFailure) -> ScanError {
        ScanError::new(failure.kind(), failure.to_string())
    }
}

/// What a scanner's input stage hands back: findings, or a skip (no daemon, …), or a failure.
pub(super) enum Collected {
    Findings(Vec<AdapterFinding>),
    Skipped {
        reason: String,
        install_hint: Option<String>,
    },
    /// Some of several runs failed: the scanner failed, but the other runs' findings are kept.
    Partial {
        findings: Vec<AdapterFinding>,
        error: ScanError,
    },
}

/// What one scanner run needs to know besides its registry entry.
pub(super) struct Job {
    pub ctx: Arc<Context>,
    pub entry: AdapterEntry,
    pub target: Arc<str>,
    pub vars: BTreeMap<String, Vec<String>>,
    /// Baseline probes of the whole host even when the target is a directory.
    pub host_probes: bool,
    /// The environment of every tool and command run for the target: git sees the target's
    /// repository only through the scan's [`crate::git::RepositoryView`].
    pub git_env: Arc<ChildEnv>,
    /// The user allowed tools to run the target's own interpreter.
    pub run_project_python: bool,
    pub warnings: Vec<String>,
}

impl Job {
    /// One adapter call, bounded by the scan's call semaphore; warnings are kept.
    pub async fn call(
        &mut self,
        adapter: &LoadedAdapter,
        input: WitInput,
    ) -> Result<Vec<AdapterFinding>, AdapterFailure> {
        let output = call(&self.ctx, adapter, input).await?;
        self.warnings.extend(output.warnings);
        Ok(output.findings)
    }
}

pub(super) async fn run_scanner(mut job: Job) -> ScannerRun {
    let started = Instant::now();
    // Nothing from the scanned tree runs unless the user allowed it on the command line: the
    // tool is left out (a files adapter reads its files without it), or its scanner skipped.
    let forbidden = if job.run_project_python {
        None
    } else {
        job.entry.tool.take_if(|spec| spec.runs_project_python())
    };
    // A tool whose one report is the input starts at once, beside its version probe: a probe
    // that is not cached (every scan on a fresh CI runner) takes a second or two of interpreter
    // start-up, and waiting for it made the scan that much longer than the tool. Its run is
    // thrown away if the probe then rules the tool out.
    let starts_early = match (&job.entry.input, &job.entry.tool, &forbidden) {
        (Input::ToolReport { each_file: None }, Some(spec), None) => find_tool(&spec.name),
        _ => None,
    };
    let ctx = job.ctx.clone();
    let (tool_status, early_run) = match (job.entry.tool.clone(), starts_early) {
        (Some(spec), Some(path)) => {
            let no_extra = BTreeMap::new();
            let probe = probe_found(&spec, path.clone(), &ctx.probes);
            let run = run_report(&mut job, &spec, &path, &no_extra);
            tokio::pin!(probe, run);
            let mut ran = None;
            let status = loop {
                tokio::select! {
                    // A cached verdict comes first: a tool it rules out is never started.
                    biased;
                    status = &mut probe => break status,
                    result = &mut run, if ran.is_none() => ran = Some(result),
                }
            };
            // Not usable: dropping the run ends the tool at once.
            let run = match (status.is_available(), ran) {
                (false, _) => None,
                (true, Some(result)) => Some(result),
                (true, None) => Some(run.await),
            };
            (Some(status), run)
        }
        (Some(spec), None) => (Some(probe_tool(&spec, &ctx.probes).await), None),
        (None, _) => (None, None),
    };
    let tool_version = tool_status
        .as_ref()
        .and_then(|s| s.version().map(str::to_string));
    let finish = |job: Job, status: ScannerStatus, findings: Vec<AdapterFinding>| ScannerRun {
        outcome: ScannerOutcome {
            scanner: job.entry.id.clone(),
            scan_type: job.entry.scan_type,
            status,
            tool_version: tool_version.clone(),
            warnings: job.warnings,
            duration: started.elapsed(),
        },
        findings,
    };
    if let (Input::ToolReport { .. }, Some(spec)) = (&job.entry.input, &forbidden) {
        let skipped = ScannerStatus::Skipped {
            reason: format!(
                "{} would run the target's own Python interpreter, a program from the scanned \
                 tree; pass --run-project-python to allow that",
                spec.name
            ),
            install_hint: None,
        };
        return finish(job, skipped, Vec::new());
    }
    if let (Input::ToolReport { .. }, Some(spec), Some(status)) =
        (&job.entry.input, &job.entry.tool, &tool_status)
        && let Some(reason) = status.reason(spec)
    {
        let skipped = ScannerStatus::Skipped {
            reason,
            install_hint: Some(spec.install_hint.clone()),
        };
        return finish(job, skipped, Vec::new());
    }

    let adapter = match load(&job.ctx, &job.entry).await {
        Ok(adapter) => adapter,
        Err(failure) => {
            return finish(job, ScanError::from(failure).into_status(), Vec::new());
        }
    };
    let available_tool = match (&job.entry.tool, &tool_status) {
        (Some(spec), Some(ToolStatus::Available { path, version })) => Some(AvailableTool {
            spec: spec.clone(),
            path: path.clone(),
            version: version.clone(),
        }),
        _ => None,
    };
    let entry_input = job.entry.input.clone();
    let result = match &entry_input {
        Input::ToolReport { each_file } => match available_tool {
            Some(tool) => {
                report_scan(&mut job, &adapter, &tool, each_file.as_ref(), early_run).await
            }
            None => unreachable!("a tool-report adapter without an available tool was skipped"),
        },
        Input::Files(rules) => files_scan(&mut job, &adapter, rules, available_tool).await,
        Input::Probes(probes) => probes_scan(&mut job, &adapter, probes).await,
        Input::Http(http) => http_scan(&mut job, &adapter, http).await,
        Input::Zap(driver) => zap_scan(&mut job, &adapter, driver).await,
        Input::Ingest => Err(ScanError::new(
            FailureKind::Usage,
            "this adapter only reads reports given to `securescan ingest`",
        )),
    };
    match result {
        Ok(Collected::Findings(findings)) => finish(
            job,
            ScannerStatus::Completed {
                findings: findings.len(),
            },
            findings,
        ),
        Ok(Collected::Skipped {
            reason,
            install_hint,
        }) => finish(
            job,
            ScannerStatus::Skipped {
                reason,
                install_hint,
            },
            Vec::new(),
        ),
        Ok(Collected::Partial { findings, error }) => finish(job, error.into_status(), findings),
        Err(error) => finish(job, error.into_status(), Vec::new()),
    }
}

pub(super) async fn load(
    ctx: &Arc<Context>,
    entry: &AdapterEntry,
) -> Result<LoadedAdapter, AdapterFailure> {
    let (ctx, entry) = (ctx.clone(), entry.clone());
    tokio::task::spawn_blocking(move || ctx.sandbox.load(&entry, &ctx.adapter_dir))
        .await
        .unwrap_or_else(|err| {
            Err(AdapterFailure::Trap {
                message: format!("adapter loader stopped: {err}"),
            })
        })
}

pub(super) async fn call(
    ctx: &Arc<Context>,
    adapter: &LoadedAdapter,
    input: WitInput,
) -> Result<AdapterOutput, AdapterFailure> {
    let adapter = adapter.clone();
    blocking_call(ctx, move || adapter.call(input)).await
}

/// Run `work` (an adapter call, with any host work that builds its input) on a blocking thread
/// once the scan's call semaphore allows, so input is only built when it can be used at once.
pub(super) async fn blocking_call<T: Send + 'static>(
    ctx: &Context,
    work: impl FnOnce() -> Result<T, AdapterFailure> + Send + 'static,
) -> Result<T, AdapterFailure> {
    let _permit = ctx
        .calls
        .acquire()
        .await
        .map_err(|err| AdapterFailure::Trap {
            message: err.to_string(),
        })?;
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| {
            Err(AdapterFailure::Trap {
                message: format!("adapter call stopped: {err}"),
            })
        })
}
