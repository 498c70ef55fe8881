//! Tool-report adapters: run the tool (once, or once per matching file) and parse what it printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::FailureKind;
use super::scanner::{Collected, Job, ScanError};
use crate::gather::{VENV_DIRS, list_files};
use crate::tools::{Overflow, ToolFailure, ToolRun, run_capped, run_tool};
use securescan_model::text::sanitize;
use securescan_registry::argv::{self, ArgvError};
use securescan_registry::{FileSelection, ToolSpec};
use securescan_sandbox::{AdapterFinding, LoadedAdapter, WitInput, WitToolReport};

const STDERR_LINES_SHOWN: usize = 6;
const STDERR_BYTES_SHOWN: usize = 4096;

/// A tool that passed its probe.
pub(super) struct AvailableTool {
    pub spec: ToolSpec,
    /// Where the probe found it.
    pub path: PathBuf,
    /// The version it printed.
    pub version: String,
}

pub(super) async fn report_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    tool: &AvailableTool,
    each_file: Option<&FileSelection>,
    started: Option<Result<ToolRun, ScanError>>,
) -> Result<Collected, ScanError> {
    let Some(selection) = each_file else {
        let run = match started {
            Some(run) => run?,
            None => run_report(job, &tool.spec, &tool.path, &BTreeMap::new()).await?,
        };
        let parsed = parse_report(job, adapter, tool, run, BTreeMap::new()).await?;
        return Ok(match parsed.tool_error {
            None => Collected::Findings(parsed.findings),
            Some(error) => Collected::Partial {
                findings: parsed.findings,
                error,
            },
        });
    };
    let (target, rules) = (job.target.to_string(), selection.clone());
    let (candidates, notes) = tokio::task::spawn_blocking(move || list_files(&target, &rules))
        .await
        .map_err(|err| ScanError::new(FailureKind::Gather, err.to_string()))?
        .map_err(|err| {
            ScanError::new(
                FailureKind::Gather,
                format!("cannot read {}: {err}", job.target),
            )
        })?;
    job.warnings.extend(notes);
    if candidates.is_empty() {
        job.warnings.push(format!(
            "no files for {} here (looked for {})",
            tool.spec.name,
            selection.include.join(", ")
        ));
    }
    // A tool that takes only the directory (npm audit reads whichever lockfile is there) runs
    // once per directory, however many matching files it holds.
    let per_dir = !tool.spec.invoke.iter().any(|arg| arg.contains("{file}"));
    let mut seen_dirs = std::collections::BTreeSet::new();
    let mut findings = Vec::new();
    let mut errors: Vec<ScanError> = Vec::new();
    for candidate in candidates {
        if per_dir && !seen_dirs.insert(candidate.path.parent().map(Path::to_path_buf)) {
            continue;
        }
        let dir = candidate
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| ".".to_string(), |p| p.to_string_lossy().into_owned());
        let per_file = BTreeMap::from([
            (
                "file".to_string(),
                candidate.path.to_string_lossy().into_owned(),
            ),
            ("file_dir".to_string(), dir),
        ]);
        let settings = BTreeMap::from([("file".to_string(), candidate.shown.clone())]);
        // One manifest the tool cannot read must not cost the findings of the others.
        let failure = match run_and_parse_with(job, adapter, tool, &per_file, settings).await {
            Ok(mut parsed) => {
                findings.append(&mut parsed.findings);
                parsed.tool_error
            }
            Err(error) => Some(error),
        };
        if let Some(error) = failure {
            errors.push(ScanError::new(
                error.kind,
                format!("{}: {}", candidate.shown, error.message),
            ));
        }
    }
    match errors.first() {
        None => Ok(Collected::Findings(findings)),
        Some(first) => {
            let message = errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            Ok(Collected::Partial {
                findings,
                error: ScanError::new(first.kind, message),
            })
        }
    }
}

/// What one tool run gave: the findings its report held, and the tool's own failure when it
/// exited with a code its registry entry does not list as success (a mistyped semgrep config
/// exits 7 and may still print a well-formed, empty report: that is a failed scanner, not a clean
/// one).
struct Parsed {
    findings: Vec<AdapterFinding>,
    tool_error: Option<ScanError>,
}

async fn run_and_parse_with(
    job: &mut Job,
    adapter: &LoadedAdapter,
    tool: &AvailableTool,
    extra: &BTreeMap<String, String>,
    settings: BTreeMap<String, String>,
) -> Result<Parsed, ScanError> {
    let run = run_report(job, &tool.spec, &tool.path, extra).await?;
    parse_report(job, adapter, tool, run, settings).await
}

/// One run of the tool at `program` for a report, with `extra` placeholders (a file's).
pub(super) async fn run_report(
    job: &mut Job,
    spec: &ToolSpec,
    program: &Path,
    extra: &BTreeMap<String, String>,
) -> Result<ToolRun, ScanError> {
    let args = tool_args(spec, &job.target, &job.vars, extra)
        .map_err(|err| ScanError::new(FailureKind::Tool, err.to_string()))?
        .ok_or_else(|| {
            ScanError::new(
                FailureKind::Tool,
                format!("{} needs a placeholder this target cannot fill", spec.name),
            )
        })?;
    job.warnings
        .extend(project_python_warning(spec, &job.target));
    run_tool(
        program,
        &args,
        &job.git_env,
        spec.timeout,
        job.entry.limits.max_input_bytes,
    )
    .await
    .map_err(|err| ScanError::new(FailureKind::Tool, format!("{} {err}", spec.name)))
}

/// What the adapter makes of one run's report; the run's exit code says whether the tool failed.
async fn parse_report(
    job: &mut Job,
    adapter: &LoadedAdapter,
    tool: &AvailableTool,
    mut run: ToolRun,
    settings: BTreeMap<String, String>,
) -> Result<Parsed, ScanError> {
    let AvailableTool { spec, version, .. } = tool;
    let exit_ok = run
        .exit_code
        .is_some_and(|code| spec.ok_exit_codes.contains(&code));
    let report = WitToolReport {
        // Moved, not copied: a report can be tens of megabytes, and only the exit code and the
        // stderr tail are needed after the call.
        bytes: std::mem::take(&mut run.stdout),
        exit_code: run.exit_code,
        tool_version: Some(version.clone()),
    };
    let mut input = WitInput::for_report(&job.target, report);
    input.settings = settings.into_iter().collect();
    match job.call(adapter, input).await {
        Ok(findings) => Ok(Parsed {
            findings,
            tool_error: (!exit_ok)
                .then(|| ScanError::new(FailureKind::ToolFailed, failed_run(spec, &run))),
        }),
        // The registry knows what this failure means: an empty or broken report follows from it.
        Err(_) if !exit_ok && spec.failure_hint(&run.stderr_tail).is_some() => Err(ScanError::new(
            FailureKind::ToolFailed,
            failed_run(spec, &run),
        )),
        Err(failure) if !exit_ok => Err(ScanError::new(
            failure.kind(),
            format!("{failure}; {}", failed_run(spec, &run)),
        )),
        Err(failure) => Err(failure.into()),
    }
}

/// How an optional tool's output is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OptionalOutput {
    /// A whole report (JSON): past the input limit it is not used, since a report cut short
    /// would be misread.
    Whole,
    /// Lines of text: past the input limit it is cut after its last whole line.
    Lines,
}

/// One run of a tool that only supplements gathered files, of `template` (its `invoke` or
/// `each-item`) with `extra` placeholders. A failure to run just means no extra input; output
/// left out for its size is a warning.
pub(super) async fn optional_report(
    job: &mut Job,
    AvailableTool {
        spec,
        path: program,
        version,
    }: &AvailableTool,
    template: &[String],
    extra: &BTreeMap<String, String>,
    limit: usize,
    read: OptionalOutput,
) -> Option<WitToolReport> {
    let args = match template_args(template, &job.target, &job.vars, extra) {
        Ok(Some(args)) => args,
        Ok(None) => {
            job.warnings
                .push(format!("{} not run: {}", spec.name, unfilled_reason(spec)));
            return None;
        }
        Err(err) => {
            tracing::debug!(tool = %spec.name, "optional input not used: {err}");
            return None;
        }
    };
    job.warnings
        .extend(project_python_warning(spec, &job.target));
    let overflow = match read {
        OptionalOutput::Whole => Overflow::Fail,
        OptionalOutput::Lines => Overflow::KeepHead,
    };
    let what = match extra.get("item") {
        Some(item) => format!("{}'s output for {item}", spec.name),
        None => format!("{}'s output", spec.name),
    };
    match run_capped(program, &args, &job.git_env, spec.timeout, limit, overflow).await {
        Ok(mut run)
            if run
                .exit_code
                .is_some_and(|c| spec.ok_exit_codes.contains(&c)) =>
        {
            if run.stdout_truncated {
                let whole_lines = run
                    .stdout
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |end| end + 1);
                run.stdout.truncate(whole_lines);
                job.warnings.push(sanitize(
                    &format!(
                        "{what} is larger than {limit} bytes (the adapter's input limit): only its first {whole_lines} bytes were scanned"
                    ),
                    STDERR_BYTES_SHOWN,
                ));
            }
            Some(WitToolReport {
                bytes: run.stdout,
                exit_code: run.exit_code,
                tool_version: Some(version.clone()),
            })
        }
        // Not a git repository, no project to look at: the optional input has nothing to add.
        Ok(run) => {
            tracing::debug!(tool = %spec.name, "optional input not used: {}", describe_exit(&run));
            None
        }
        Err(err @ ToolFailure::OutputTooLarge { .. }) => {
            job.warnings.push(sanitize(
                &format!("{what} was not scanned: it {err}"),
                STDERR_BYTES_SHOWN,
            ));
            None
        }
        Err(err) => {
            tracing::debug!(tool = %spec.name, "optional input not used: {err}");
            None
        }
    }
}

/// The argv after the program, or `None` when a placeholder has no value for this target (a
/// Python tool with no project virtualenv to point at).
pub(super) fn tool_args(
    spec: &ToolSpec,
    target: &str,
    vars: &BTreeMap<String, Vec<String>>,
    extra: &BTreeMap<String, String>,
) -> Result<Option<Vec<String>>, ArgvError> {
    template_args(&spec.invoke, target, vars, extra)
}

/// [`tool_args`] of any argv template of the tool.
fn template_args(
    template: &[String],
    target: &str,
    vars: &BTreeMap<String, Vec<String>>,
    extra: &BTreeMap<String, String>,
) -> Result<Option<Vec<String>>, ArgvError> {
    let mut all = vars.clone();
    all.insert("target".into(), vec![argv::path_arg(target)]);
    all.insert(
        "target_dir".into(),
        vec![argv::path_arg(&target_dir(target))],
    );
    for (name, value) in extra {
        all.insert(name.clone(), vec![argv::path_arg(value)]);
    }
    if template.iter().any(|arg| arg.contains("{project_python}")) {
        match project_python(Path::new(&target_dir(target))) {
            Some(python) => {
                all.insert(
                    "project_python".into(),
                    vec![python.to_string_lossy().into_owned()],
                );
            }
            None => return Ok(None),
        }
    }
    let argv = argv::expand(template, &all)?;
    Ok(Some(argv[1..].to_vec()))
}

fn unfilled_reason(spec: &ToolSpec) -> String {
    if spec.runs_project_python() {
        format!(
            "the target has no virtualenv ({}), so its Python dependencies cannot be listed",
            VENV_DIRS.join(", ")
        )
    } else {
        "a placeholder has no value for this target".to_string()
    }
}

/// Said each time a tool is started with the target's own interpreter, which runs a program from
/// the scanned tree (the user allowed it with `--run-project-python`).
fn project_python_warning(spec: &ToolSpec, target: &str) -> Option<String> {
    if !spec.runs_project_python() {
        return None;
    }
    let python = project_python(Path::new(&target_dir(target)))?;
    Some(sanitize(
        &format!(
            "{} ran the target's own interpreter {} (--run-project-python): a program from the \
             scanned tree was executed",
            spec.name,
            python.display()
        ),
        STDERR_BYTES_SHOWN,
    ))
}

/// The scanned project's own interpreter, so its dependencies are audited, not SecureScan's.
fn project_python(dir: &Path) -> Option<PathBuf> {
    VENV_DIRS
        .iter()
        .flat_map(|venv| ["python3", "python"].map(|exe| dir.join(venv).join("bin").join(exe)))
        .find(|python| python.is_file())
}

/// The target when it is a directory, else its parent (tools like git need a directory).
pub(super) fn target_dir(target: &str) -> String {
    let path = PathBuf::from(target);
    if path.is_dir() {
        return target.to_string();
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_string_lossy().into_owned(),
        _ => ".".to_string(),
    }
}

/// What the user is told about a run that exited with a code its entry does not count as success:
/// the exit and the tool's last stderr lines, or, when the registry knows what that stderr means,
/// its advice and the tool's last line.
fn failed_run(spec: &ToolSpec, run: &ToolRun) -> String {
    let Some(hint) = spec.failure_hint(&run.stderr_tail) else {
        return format!("{} {}", spec.name, describe_exit(run));
    };
    let code = exit_code_text(run);
    let said = run
        .stderr_tail
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .map(|line| sanitize(line.trim(), STDERR_BYTES_SHOWN))
        .unwrap_or_default();
    format!("{} {code}: {hint} ({} said: {said})", spec.name, spec.name)
}

fn exit_code_text(run: &ToolRun) -> String {
    run.exit_code.map_or_else(
        || "was killed by a signal".to_string(),
        |c| format!("exited with code {c}"),
    )
}

pub(super) fn describe_exit(run: &ToolRun) -> String {
    let code = exit_code_text(run);
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

    #[test]
    fn the_project_virtualenv_is_found_and_absent_means_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(project_python(dir.path()), None);
        let bin = dir.path().join("venv/bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::write(bin.join("python"), "").expect("write");
        assert_eq!(project_python(dir.path()), Some(bin.join("python")));
    }
}
