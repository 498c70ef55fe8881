//! One scanner within a scan: check its tool, load its adapter, collect its input, call it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::outcome::{ScannerOutcome, ScannerStatus};
use super::runner::Context;
use crate::gather::{Candidate, list_files, read_files};
use crate::registry::{AdapterEntry, FileSelection, Input, ToolSpec};
use crate::sandbox::{
    AdapterFailure, AdapterFinding, AdapterOutput, LoadedAdapter, WitGatheredFile, WitInput,
    WitToolReport, sanitize,
};
use crate::tools::{ToolRun, ToolStatus, argv, probe_tool, run_tool};

/// Files are sent in calls of at most this share of the input limit, leaving room for paths.
const BATCH_SHARE: f64 = 0.9;
const STDERR_LINES_SHOWN: usize = 6;
const STDERR_BYTES_SHOWN: usize = 4096;

pub struct ScannerRun {
    pub outcome: ScannerOutcome,
    pub findings: Vec<AdapterFinding>,
}

struct Progress {
    entry: AdapterEntry,
    started: Instant,
    tool_version: Option<String>,
    warnings: Vec<String>,
}

impl Progress {
    fn finish(self, status: ScannerStatus, findings: Vec<AdapterFinding>) -> ScannerRun {
        let outcome = ScannerOutcome {
            scanner: self.entry.id.clone(),
            scan_type: self.entry.scan_type,
            status,
            tool_version: self.tool_version,
            warnings: self.warnings,
            duration: self.started.elapsed(),
        };
        ScannerRun { outcome, findings }
    }

    fn failed(self, kind: &str, error: String) -> ScannerRun {
        self.finish(
            ScannerStatus::Failed {
                kind: kind.to_string(),
                error,
            },
            Vec::new(),
        )
    }
}

pub async fn run_scanner(
    ctx: Arc<Context>,
    entry: AdapterEntry,
    target: Arc<str>,
    vars: BTreeMap<String, Vec<String>>,
) -> ScannerRun {
    let mut progress = Progress {
        entry: entry.clone(),
        started: Instant::now(),
        tool_version: None,
        warnings: Vec::new(),
    };
    let tool_status = match &entry.tool {
        Some(spec) => Some(probe_tool(spec).await),
        None => None,
    };
    progress.tool_version = tool_status
        .as_ref()
        .and_then(|s| s.version().map(str::to_string));
    if let (Input::ToolReport, Some(spec), Some(status)) = (&entry.input, &entry.tool, &tool_status)
        && let Some(reason) = status.reason(spec)
    {
        let skipped = ScannerStatus::Skipped {
            reason,
            install_hint: Some(spec.install_hint.clone()),
        };
        return progress.finish(skipped, Vec::new());
    }

    let adapter = match load(&ctx, &entry).await {
        Ok(adapter) => adapter,
        Err(failure) => return progress.failed(failure.kind(), failure.to_string()),
    };

    let result = match &entry.input {
        Input::ToolReport => {
            let (Some(spec), Some(ToolStatus::Available { path, version })) =
                (&entry.tool, &tool_status)
            else {
                unreachable!("a tool-report adapter without an available tool was skipped above")
            };
            report_scan(
                &ctx,
                &adapter,
                spec,
                path,
                version,
                &target,
                &vars,
                &mut progress.warnings,
            )
            .await
        }
        Input::Files(rules) => {
            let history = match (&entry.tool, &tool_status) {
                (Some(spec), Some(ToolStatus::Available { path, version })) => {
                    optional_report(
                        spec,
                        path,
                        version,
                        &target,
                        &vars,
                        adapter.limits.max_input_bytes,
                    )
                    .await
                }
                _ => None,
            };
            files_scan(
                &ctx,
                &adapter,
                rules,
                history,
                &target,
                &mut progress.warnings,
            )
            .await
        }
    };
    match result {
        Ok(findings) => progress.finish(
            ScannerStatus::Completed {
                findings: findings.len(),
            },
            findings,
        ),
        Err((kind, error)) => progress.failed(&kind, error),
    }
}

async fn load(ctx: &Arc<Context>, entry: &AdapterEntry) -> Result<LoadedAdapter, AdapterFailure> {
    let (ctx, entry) = (ctx.clone(), entry.clone());
    tokio::task::spawn_blocking(move || ctx.sandbox.load(&entry, &ctx.adapter_dir))
        .await
        .unwrap_or_else(|err| {
            Err(AdapterFailure::Trap {
                message: format!("adapter loader stopped: {err}"),
            })
        })
}

type ScanError = (String, String);

#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the pieces are unrelated"
)]
async fn report_scan(
    ctx: &Arc<Context>,
    adapter: &LoadedAdapter,
    spec: &ToolSpec,
    program: &Path,
    version: &str,
    target: &str,
    vars: &BTreeMap<String, Vec<String>>,
    warnings: &mut Vec<String>,
) -> Result<Vec<AdapterFinding>, ScanError> {
    let args = tool_args(spec, target, vars).map_err(|err| ("tool".to_string(), err))?;
    let run = run_tool(
        program,
        &args,
        None,
        spec.timeout,
        adapter.limits.max_input_bytes,
    )
    .await
    .map_err(|err| ("tool".to_string(), format!("{} {err}", spec.name)))?;
    let exit_ok = run
        .exit_code
        .is_some_and(|code| spec.ok_exit_codes.contains(&code));
    let report = WitToolReport {
        bytes: run.stdout.clone(),
        exit_code: run.exit_code,
        tool_version: Some(version.to_string()),
    };
    let input = WitInput::for_report(target, report);
    match call(ctx, adapter, input).await {
        Ok(output) => {
            if !exit_ok {
                warnings.push(format!("{} {}", spec.name, describe_exit(&run)));
            }
            warnings.extend(output.warnings);
            Ok(output.findings)
        }
        Err(failure) if !exit_ok => Err((
            failure.kind().to_string(),
            format!("{failure}; {} {}", spec.name, describe_exit(&run)),
        )),
        Err(failure) => Err((failure.kind().to_string(), failure.to_string())),
    }
}

/// Output of a tool that only supplements gathered files; its failure just means no extra input.
async fn optional_report(
    spec: &ToolSpec,
    program: &Path,
    version: &str,
    target: &str,
    vars: &BTreeMap<String, Vec<String>>,
    limit: usize,
) -> Option<WitToolReport> {
    let args = tool_args(spec, target, vars).ok()?;
    match run_tool(program, &args, None, spec.timeout, limit).await {
        Ok(run)
            if run
                .exit_code
                .is_some_and(|c| spec.ok_exit_codes.contains(&c)) =>
        {
            Some(WitToolReport {
                bytes: run.stdout,
                exit_code: run.exit_code,
                tool_version: Some(version.to_string()),
            })
        }
        Ok(run) => {
            tracing::debug!(tool = %spec.name, "optional input not used: {}", describe_exit(&run));
            None
        }
        Err(err) => {
            tracing::debug!(tool = %spec.name, "optional input not used: {err}");
            None
        }
    }
}

async fn files_scan(
    ctx: &Arc<Context>,
    adapter: &LoadedAdapter,
    rules: &FileSelection,
    history: Option<WitToolReport>,
    target: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<AdapterFinding>, ScanError> {
    let gather_error = |err: String| ("gather".to_string(), err);
    let (owned_target, owned_rules) = (target.to_string(), rules.clone());
    let (candidates, notes) =
        tokio::task::spawn_blocking(move || list_files(&owned_target, &owned_rules))
            .await
            .map_err(|err| gather_error(err.to_string()))?
            .map_err(|err| gather_error(format!("cannot read {target}: {err}")))?;
    warnings.extend(notes);
    let mut findings = Vec::new();
    // The supplementary report goes alone, so it never pushes a batch of files over the limit.
    if let Some(report) = history {
        let output = call(
            ctx,
            adapter,
            WitInput::for_files(target, Vec::new(), Some(report)),
        )
        .await
        .map_err(failed)?;
        warnings.extend(output.warnings);
        findings.extend(output.findings);
    }
    let budget = (adapter.limits.max_input_bytes as f64 * BATCH_SHARE) as usize;
    for batch in batches(candidates, budget) {
        let rules = rules.clone();
        let read = tokio::task::spawn_blocking(move || read_files(&batch, &rules))
            .await
            .map_err(|err| gather_error(err.to_string()))?;
        warnings.extend(read.notes);
        let files = read
            .files
            .into_iter()
            .map(|(path, bytes)| WitGatheredFile { path, bytes })
            .collect();
        let output = call(ctx, adapter, WitInput::for_files(target, files, None))
            .await
            .map_err(failed)?;
        warnings.extend(output.warnings);
        findings.extend(output.findings);
    }
    Ok(findings)
}

fn failed(failure: AdapterFailure) -> ScanError {
    (failure.kind().to_string(), failure.to_string())
}

/// Consecutive runs of candidates whose sizes (path included) add up to at most `budget`; a
/// candidate larger than the budget travels alone.
fn batches(candidates: Vec<Candidate>, budget: usize) -> Vec<Vec<Candidate>> {
    let mut batches: Vec<Vec<Candidate>> = Vec::new();
    let mut size: usize = 0;
    for candidate in candidates {
        let candidate_size =
            candidate.shown.len() + usize::try_from(candidate.size).unwrap_or(usize::MAX);
        match batches.last_mut() {
            Some(last) if size.saturating_add(candidate_size) <= budget => last.push(candidate),
            _ => {
                batches.push(vec![candidate]);
                size = 0;
            }
        }
        size = size.saturating_add(candidate_size);
    }
    batches
}

async fn call(
    ctx: &Arc<Context>,
    adapter: &LoadedAdapter,
    input: WitInput,
) -> Result<AdapterOutput, AdapterFailure> {
    let _permit = ctx
        .calls
        .acquire()
        .await
        .map_err(|err| AdapterFailure::Trap {
            message: err.to_string(),
        })?;
    let adapter = adapter.clone();
    tokio::task::spawn_blocking(move || adapter.call(&input))
        .await
        .unwrap_or_else(|err| {
            Err(AdapterFailure::Trap {
                message: format!("adapter call stopped: {err}"),
            })
        })
}

fn tool_args(
    spec: &ToolSpec,
    target: &str,
    vars: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<String>, String> {
    let mut all = vars.clone();
    all.insert("target".into(), vec![argv::path_arg(target)]);
    all.insert(
        "target_dir".into(),
        vec![argv::path_arg(&target_dir(target))],
    );
    let argv = argv::expand(&spec.invoke, &all)?;
    Ok(argv[1..].to_vec())
}

/// The target when it is a directory, else its parent (tools like git need a directory).
fn target_dir(target: &str) -> String {
    let path = PathBuf::from(target);
    if path.is_dir() {
        return target.to_string();
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_string_lossy().into_owned(),
        _ => ".".to_string(),
    }
}

fn describe_exit(run: &ToolRun) -> String {
    let code = run.exit_code.map_or_else(
        || "was killed by a signal".to_string(),
        |c| format!("exited with code {c}"),
    );
    let lines: Vec<&str> = run
        .stderr_tail
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let tail = sanitize(
        &lines[lines.len().saturating_sub(STDERR_LINES_SHOWN)..].join("\n"),
        STDERR_BYTES_SHOWN,
    );
    if tail.is_empty() {
        code
    } else {
        format!("{code}: {tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(name: &str, size: u64) -> Candidate {
        Candidate {
            shown: name.to_string(),
            path: PathBuf::from(name),
            size,
        }
    }

    #[test]
    fn batches_respect_the_budget_and_keep_order() {
        let candidates = (0..5).map(|i| candidate(&format!("f{i}"), 40)).collect();
        let names: Vec<Vec<String>> = batches(candidates, 100)
            .into_iter()
            .map(|b| b.into_iter().map(|c| c.shown).collect())
            .collect();
        assert_eq!(names, vec![vec!["f0", "f1"], vec!["f2", "f3"], vec!["f4"]]);
    }

    #[test]
    fn an_oversized_file_travels_alone_and_no_files_means_no_calls() {
        let sizes: Vec<usize> = batches(
            vec![
                candidate("a", 10),
                candidate("big", 500),
                candidate("c", 10),
            ],
            100,
        )
        .iter()
        .map(Vec::len)
        .collect();
        assert_eq!(sizes, vec![1, 1, 1]);
        assert!(batches(Vec::new(), 100).is_empty());
    }
}
