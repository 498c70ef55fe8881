//! Built-in analyzers over gathered files: the files in bounded batches, plus the output of the
//! adapter's commands (with every batch) and of its optional tool (in calls of their own). A file
//! over the size limit that the registry reads in windows goes one window a call.

use std::collections::{BTreeMap, VecDeque};

use super::FailureKind;
use super::report_input::{AvailableTool, OptionalOutput, optional_report, target_dir};
use super::scanner::{Collected, Job, ScanError, blocking_call};
use crate::gather::{
    Candidate, WindowError, WindowStart, file_note, list_files, read_files, read_window,
    run_commands, unreadable_note,
};
use securescan_registry::FileSelection;
use securescan_sandbox::{
    AdapterFinding, LoadedAdapter, WitCommandOutput, WitGatheredFile, WitInput,
};

/// Batches read or analyzed at once: the next is read while one is analyzed, or both analyzed
/// when a core is free. A batch is read only once its call may start (see [`blocking_call`]),
/// so one waiting for a core holds no memory.
const BATCHES_IN_FLIGHT: usize = 2;
/// Files are sent in calls of at most this share of the input limit, leaving room for paths.
const BATCH_SHARE: f64 = 0.9;
/// …and of at most this many bytes: the host holds a batch and the sandbox a copy of it while
/// another scanner's call may hold a whole tool report, so smaller batches keep a big tree's
/// scan small in memory (a call costs well under a millisecond to set up; W1 peaked 4 MB lower
/// at 1 MiB than at 4 MiB, no slower).
const MAX_BATCH_BYTES: usize = 1 << 20;

pub(super) async fn files_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    selection: &FileSelection,
    tool: Option<AvailableTool>,
) -> Result<Collected, ScanError> {
    let gather_error = |err: String| ScanError::new(FailureKind::Gather, err);
    let mut findings = Vec::new();
    let mut rules = selection.clone();
    // The supplementary reports go alone, so they never push a batch of files over the limit.
    if let Some(tool) = &tool {
        findings = supplement(job, adapter, tool).await?;
        // The interpreter listed the virtualenv's distributions: their metadata files would
        // report each one twice.
        if tool.spec.runs_project_python() {
            rules.virtualenv_metadata = false;
        }
    }
    let (owned_target, owned_rules) = (job.target.to_string(), rules.clone());
    let (candidates, notes) =
        tokio::task::spawn_blocking(move || list_files(&owned_target, &owned_rules))
            .await
            .map_err(|err| gather_error(err.to_string()))?
            .map_err(|err| gather_error(format!("cannot read {}: {err}", job.target)))?;
    job.warnings.extend(notes);
    let dir = target_dir(&job.target);
    let commands: Vec<WitCommandOutput> = run_commands(
        &job.entry.commands,
        &[("target", job.target.as_ref()), ("target_dir", &dir)],
        &job.git_env,
        adapter.limits.max_input_bytes,
    )
    .await;
    let commands_size: usize = commands.iter().map(|c| c.stdout.len()).sum();
    let budget = ((adapter.limits.max_input_bytes as f64 * BATCH_SHARE) as usize)
        .min(MAX_BATCH_BYTES)
        .saturating_sub(commands_size)
        .max(1);
    let (windowed, whole): (Vec<Candidate>, Vec<Candidate>) =
        candidates.into_iter().partition(|c| rules.windowed(c.size));
    // Sized by what is sent, so a file judged by name only does not push the files it is judged
    // with (a `.gitignore`) into another call.
    let mut all = batches(whole, budget, |c| rules.bytes_sent(c.size));
    // Analyzers that judge what is missing (no .gitignore) need a call even with no files.
    if all.is_empty() {
        all.push(Vec::new());
    }
    let mut pending = all.into_iter();
    let mut in_flight = VecDeque::with_capacity(BATCHES_IN_FLIGHT);
    loop {
        while in_flight.len() < BATCHES_IN_FLIGHT {
            let Some(batch) = pending.next() else { break };
            let (ctx, adapter, rules) = (job.ctx.clone(), adapter.clone(), rules.clone());
            let (target, commands) = (job.target.clone(), commands.clone());
            in_flight.push_back(tokio::spawn(async move {
                blocking_call(&ctx, move || {
                    let read = read_files(&batch, &rules);
                    let files = read
                        .files
                        .into_iter()
                        .map(|(path, bytes)| WitGatheredFile { path, bytes })
                        .collect();
                    let mut input = WitInput::for_files(&target, files, None);
                    input.commands = commands;
                    adapter.call(input).map(|output| (read.notes, output))
                })
                .await
            }));
        }
        let Some(next) = in_flight.pop_front() else {
            break;
        };
        let (notes, output) = next.await.map_err(|err| gather_error(err.to_string()))??;
        job.warnings.extend(notes);
        job.warnings.extend(output.warnings);
        findings.extend(output.findings);
    }
    let window_bytes = usize::try_from(rules.max_file_bytes)
        .unwrap_or(usize::MAX)
        .min(budget);
    for candidate in windowed {
        findings
            .extend(scan_windows(job, adapter, &rules, &candidate, window_bytes, &commands).await?);
    }
    Ok(Collected::Findings(findings))
}

/// A file over `max-file-bytes`, one window of whole lines a call, each telling the analyzer its
/// first line (`settings.first-line`). What could not be read whole is a warning.
async fn scan_windows(
    job: &mut Job,
    adapter: &LoadedAdapter,
    rules: &FileSelection,
    candidate: &Candidate,
    window_bytes: usize,
    commands: &[WitCommandOutput],
) -> Result<Vec<AdapterFinding>, ScanError> {
    let mut findings = Vec::new();
    let mut cut_lines = 0;
    let mut start = Some(WindowStart::FILE_START);
    while let Some(at) = start {
        let (path, owned_rules) = (candidate.path.clone(), rules.clone());
        let window =
            tokio::task::spawn_blocking(move || read_window(&path, at, window_bytes, &owned_rules))
                .await
                .map_err(|err| ScanError::new(FailureKind::Gather, err.to_string()))?;
        let window = match window {
            Ok(window) => window,
            Err(WindowError::Binary) => {
                job.warnings.push(file_note(&format!(
                    "skipped 1 binary file(s): {}",
                    candidate.shown
                )));
                break;
            }
            Err(WindowError::Unreadable(err)) => {
                job.warnings.push(unreadable_note(&candidate.shown, &err));
                break;
            }
        };
        cut_lines += usize::from(window.cut_line);
        start = window.next;
        let file = WitGatheredFile {
            path: candidate.shown.clone(),
            bytes: window.bytes,
        };
        let mut input = WitInput::for_files(&job.target, vec![file], None);
        input.commands = commands.to_vec();
        input.settings = vec![("first-line".to_string(), window.first_line.to_string())];
        findings.extend(job.call(adapter, input).await?);
    }
    if cut_lines > 0 {
        job.warnings.push(file_note(&format!(
            "{cut_lines} line(s) of {} longer than {window_bytes} bytes were read up to that length; the rest of each was not scanned",
            candidate.shown
        )));
    }
    Ok(findings)
}

/// What the adapter's optional tool adds. Each report goes in a call of its own, so it never
/// pushes a batch of files over the limit. A tool with `each-item` runs once per item it lists (a
/// commit of the history), so a huge item costs only itself, and the host holds one item's output
/// at a time.
async fn supplement(
    job: &mut Job,
    adapter: &LoadedAdapter,
    tool: &AvailableTool,
) -> Result<Vec<AdapterFinding>, ScanError> {
    let limit = adapter.limits.max_input_bytes;
    let none = BTreeMap::new();
    let (items, read) = match &tool.spec.each_item {
        None => (vec![None], OptionalOutput::Whole),
        Some(list) => {
            let Some(listed) =
                optional_report(job, tool, list, &none, limit, OptionalOutput::Lines).await
            else {
                return Ok(Vec::new());
            };
            let items = items(&listed.bytes, &mut job.warnings, &tool.spec.name);
            (items.into_iter().map(Some).collect(), OptionalOutput::Lines)
        }
    };
    let mut findings: Vec<AdapterFinding> = Vec::new();
    for item in items {
        let extra = item.map_or_else(BTreeMap::new, |item| {
            BTreeMap::from([("item".to_string(), item)])
        });
        let Some(report) = optional_report(job, tool, &tool.spec.invoke, &extra, limit, read).await
        else {
            continue;
        };
        let mut input = WitInput::for_files(&job.target, Vec::new(), Some(report));
        input.settings = vec![("tool".to_string(), tool.spec.name.clone())];
        for finding in job.call(adapter, input).await? {
            // The items are parts of one input: a finding that several of them repeat (the same
            // credential pattern in two commits) is one finding, as it was in one report.
            if extra.is_empty() || !findings.contains(&finding) {
                findings.push(finding);
            }
        }
    }
    Ok(findings)
}

/// The items a tool listed, one a line. A line that would read as an option is refused.
fn items(listed: &[u8], warnings: &mut Vec<String>, tool: &str) -> Vec<String> {
    let mut refused = 0;
    let items = String::from_utf8_lossy(listed)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| {
            let safe = !line.starts_with('-') && !line.chars().any(char::is_control);
            refused += usize::from(!safe);
            safe
        })
        .map(str::to_string)
        .collect();
    if refused > 0 {
        warnings.push(format!(
            "{refused} item(s) {tool} listed were not scanned: they would read as options"
        ));
    }
    items
}

/// Consecutive runs of candidates whose sizes (path included) add up to at most `budget`; a
/// candidate larger than the budget travels alone.
fn batches(
    candidates: Vec<Candidate>,
    budget: usize,
    sent: impl Fn(&Candidate) -> u64,
) -> Vec<Vec<Candidate>> {
    let mut batches: Vec<Vec<Candidate>> = Vec::new();
    let mut size: usize = 0;
    for candidate in candidates {
        let candidate_size =
            candidate.shown.len() + usize::try_from(sent(&candidate)).unwrap_or(usize::MAX);
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

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
        let names: Vec<Vec<String>> = batches(candidates, 100, |c| c.size)
            .into_iter()
            .map(|b| b.into_iter().map(|c| c.shown).collect())
            .collect();
        assert_eq!(names, vec![vec!["f0", "f1"], vec!["f2", "f3"], vec!["f4"]]);
    }

    #[test]
    fn an_oversized_file_travels_alone_and_no_files_means_no_batches() {
        let sizes: Vec<usize> = batches(
            vec![
                candidate("a", 10),
                candidate("big", 500),
                candidate("c", 10),
            ],
            100,
            |c| c.size,
        )
        .iter()
        .map(Vec::len)
        .collect();
        assert_eq!(sizes, vec![1, 1, 1]);
        assert!(batches(Vec::new(), 100, |c| c.size).is_empty());
    }

    // A file judged by name only travels empty, so it must not push the `.gitignore` it is
    // judged against into another call.
    #[test]
    fn a_file_sent_empty_takes_no_room_in_its_batch() {
        let sizes: Vec<usize> = batches(
            vec![candidate(".env", 5_000), candidate(".gitignore", 10)],
            100,
            |c| if c.size > 100 { 0 } else { c.size },
        )
        .iter()
        .map(Vec::len)
        .collect();
        assert_eq!(sizes, vec![2]);
    }
}
