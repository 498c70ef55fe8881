//! Built-in analyzers over gathered files: the files in bounded batches, plus the output of the
//! adapter's commands (with every batch) and of its optional tool (in a call of its own).

use super::report_input::{AvailableTool, optional_report, target_dir};
use super::scanner::{Collected, Job, ScanError, failed};
use crate::gather::{Candidate, list_files, read_files, run_commands};
use crate::registry::FileSelection;
use crate::sandbox::{LoadedAdapter, WitCommandOutput, WitGatheredFile, WitInput};

/// Files are sent in calls of at most this share of the input limit, leaving room for paths.
const BATCH_SHARE: f64 = 0.9;
/// …and of at most this many bytes: the host holds one batch and the sandbox a copy of it, so
/// smaller batches keep a big tree's scan small in memory (a call costs well under a
/// millisecond to set up).
const MAX_BATCH_BYTES: usize = 4 << 20;

pub(super) async fn files_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    selection: &FileSelection,
    tool: Option<AvailableTool>,
) -> Result<Collected, ScanError> {
    let gather_error = |err: String| ("gather".to_string(), err);
    let mut findings = Vec::new();
    let mut rules = selection.clone();
    // The supplementary report goes alone, so it never pushes a batch of files over the limit.
    if let Some(tool) = &tool
        && let Some(report) = optional_report(job, tool, adapter.limits.max_input_bytes).await
    {
        let mut input = WitInput::for_files(&job.target, Vec::new(), Some(report));
        input.settings = vec![("tool".to_string(), tool.0.name.clone())];
        findings.extend(job.call(adapter, input).await.map_err(failed)?);
        // The interpreter listed the virtualenv's distributions: their metadata files would
        // report each one twice.
        if tool.0.runs_project_python() {
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
    let mut all = batches(candidates, budget);
    // Analyzers that judge what is missing (no .gitignore) need a call even with no files.
    if all.is_empty() {
        all.push(Vec::new());
    }
    for batch in all {
        let rules = rules.clone();
        let read = tokio::task::spawn_blocking(move || read_files(&batch, &rules))
            .await
            .map_err(|err| gather_error(err.to_string()))?;
        job.warnings.extend(read.notes);
        let files = read
            .files
            .into_iter()
            .map(|(path, bytes)| WitGatheredFile { path, bytes })
            .collect();
        let mut input = WitInput::for_files(&job.target, files, None);
        input.commands = commands.clone();
        findings.extend(job.call(adapter, input).await.map_err(failed)?);
    }
    Ok(Collected::Findings(findings))
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
        let names: Vec<Vec<String>> = batches(candidates, 100)
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
        )
        .iter()
        .map(Vec::len)
        .collect();
        assert_eq!(sizes, vec![1, 1, 1]);
        assert!(batches(Vec::new(), 100).is_empty());
    }
}
