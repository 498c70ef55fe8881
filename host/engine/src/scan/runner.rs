use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::identity::identify;
use super::scanner::{Job, ScannerRun, call, load, run_scanner};
use crate::compliance::ComplianceMapper;
use crate::config::FindingPolicy;
use crate::findings::{
    Finding, IgnoreMark, InlineMarks, ScanRoot, ScanType, SourceCache, adapter_metadata,
    deduplicate, fingerprint, name_under_target, sort_canonical,
};
use crate::git::{RepositoryView, no_repository_env};
use crate::settings::Settings;
use crate::tools::ProbeCache;
use securescan_model::{FailureKind, ScanEvent, ScanResult, ScannerOutcome, ScannerStatus};
use securescan_registry::{AdapterEntry, Registry, TargetKind};
use securescan_sandbox::{AdapterFinding, Sandbox, WitInput, WitToolReport};

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    pub target: String,
    /// The URL dast scanners probe, when the request also scans a path (the server's scans name
    /// a path, a URL and a host at once); else they take `target`.
    pub url: Option<String>,
    /// The host network scanners probe, likewise.
    pub host: Option<String>,
    /// Set in the environment of every tool the scan runs: the server marks its scans' tools
    /// so that, restarted after a crash, it can find and end the ones left running.
    pub tool_env: Vec<(String, String)>,
    pub types: Vec<ScanType>,
    /// Per-adapter overrides of argv vars, e.g. semgrep's `config`.
    pub vars: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Baseline probes the live host even though the target is a directory.
    pub host_probes: bool,
    /// Tools may run the target's own virtualenv interpreter (`{project_python}`): a program
    /// from the scanned tree. Only the command line sets it, never a config file in the tree.
    pub run_project_python: bool,
    /// The project config's severity overrides and ignored rules.
    pub policy: FindingPolicy,
}

impl ScanRequest {
    /// What a scanner taking `kind` of target scans.
    pub fn target_for(&self, kind: TargetKind) -> &str {
        let other = match kind {
            TargetKind::Path => None,
            TargetKind::Url => self.url.as_deref(),
            TargetKind::Host => self.host.as_deref(),
        };
        other.unwrap_or(&self.target)
    }
}

pub(crate) struct Context {
    pub registry: Registry,
    pub sandbox: Sandbox,
    pub adapter_dir: PathBuf,
    /// Bounds concurrent adapter calls to the cores available; tools run unbounded.
    pub calls: Semaphore,
    /// Tags findings with the framework controls they touch.
    pub compliance: ComplianceMapper,
    /// What relative targets and finding paths are relative to.
    pub working_dir: PathBuf,
    pub settings: Settings,
    /// Tool versions probed before, so a scan's tools start at once.
    pub probes: ProbeCache,
}

/// Why a scan leaves one of its scanners out (`None`: it runs); a scanner left out is recorded
/// as skipped with that reason.
pub(crate) type LeaveOut<'a> = &'a (dyn Fn(&AdapterEntry) -> Option<String> + Sync);

/// Run every registry scanner for the request's types that `leave_out` keeps, concurrently,
/// telling `events` as each starts and ends. Dropping the future kills running tools.
pub(crate) async fn run_scan(
    ctx: &Arc<Context>,
    request: &ScanRequest,
    leave_out: LeaveOut<'_>,
    events: &(dyn Fn(ScanEvent) + Sync),
) -> ScanResult {
    let target: Arc<str> = Arc::from(request.target.as_str());
    // Held until every scanner is done: the tools' git processes read through it.
    let view = repository_view(&ctx.working_dir.join(&request.target));
    let mut tool_env = view
        .as_ref()
        .map_or_else(no_repository_env, RepositoryView::env)
        .without_own_variables();
    for (name, value) in &request.tool_env {
        tool_env = tool_env.set(name, value);
    }
    let git_env = Arc::new(tool_env);
    let entries = ctx.registry.for_types(&request.types);
    events(ScanEvent::ScanStarted {
        target: request.target.clone(),
        scanners: entries.iter().map(|e| e.id.clone()).collect(),
    });
    let mut tasks = JoinSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let vars = entry.scan_vars(request.vars.get(&entry.id));
        events(ScanEvent::ScannerStarted {
            scanner: entry.id.clone(),
            scan_type: entry.scan_type,
        });
        let reason = leave_out(entry);
        let run = run_scanner(Job {
            ctx: ctx.clone(),
            entry: (*entry).clone(),
            target: match entry.target {
                TargetKind::Path => target.clone(),
                kind => Arc::from(request.target_for(kind)),
            },
            vars,
            host_probes: request.host_probes,
            git_env: git_env.clone(),
            run_project_python: request.run_project_python,
            warnings: Vec::new(),
        });
        let entry = (*entry).clone();
        tasks.spawn(async move {
            let run = match reason {
                Some(reason) => left_out(&entry, reason),
                None => run.await,
            };
            (index, run)
        });
    }
    // Each scanner's findings are prepared as it ends, on a blocking thread, while the
    // others still run: only the cross-scanner steps wait for the last tool.
    let root = ScanRoot::of_target(&request.target, &ctx.working_dir);
    let mut preparing = JoinSet::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, run)) => {
                events(ScanEvent::scanner_ended(&run.outcome));
                let (ctx, root) = (ctx.clone(), root.clone());
                preparing
                    .spawn_blocking(move || (index, prepare(&ctx.compliance, root.as_ref(), run)));
            }
            Err(err) => tracing::error!("a scanner task stopped unexpectedly: {err}"),
        }
    }
    drop(view);
    let mut prepared: Vec<Option<Prepared>> = entries.iter().map(|_| None).collect();
    while let Some(joined) = preparing.join_next().await {
        match joined {
            Ok((index, run)) => prepared[index] = Some(run),
            Err(err) => {
                tracing::error!("preparing a scanner's findings stopped unexpectedly: {err}")
            }
        }
    }
    let prepared = prepared
        .into_iter()
        .zip(&entries)
        .map(|(run, entry)| run.unwrap_or_else(|| stopped(entry)))
        .collect();
    let result = finalize(&request.target, &request.types, &request.policy, prepared);
    events(ScanEvent::finished(&result));
    result
}

/// Normalize an existing tool report through `entry`'s adapter: a scan minus running the tool,
/// its adapter call bounded like a scan's.
pub(crate) async fn run_ingest(
    ctx: &Arc<Context>,
    entry: &AdapterEntry,
    report: Vec<u8>,
    target: &str,
    policy: &FindingPolicy,
    events: &(dyn Fn(ScanEvent) + Sync),
) -> ScanResult {
    events(ScanEvent::ScanStarted {
        target: target.to_string(),
        scanners: vec![entry.id.clone()],
    });
    events(ScanEvent::ScannerStarted {
        scanner: entry.id.clone(),
        scan_type: entry.scan_type,
    });
    let started = Instant::now();
    let input = WitInput::for_report(
        target,
        WitToolReport {
            bytes: report,
            exit_code: None,
            tool_version: None,
        },
    );
    let result = match load(ctx, entry).await {
        Ok(adapter) => call(ctx, &adapter, input).await,
        Err(failure) => Err(failure),
    };
    let (status, findings, warnings) = match result {
        Ok(output) => (
            ScannerStatus::Completed {
                findings: output.findings.len(),
            },
            output.findings,
            output.warnings,
        ),
        Err(failure) => (
            ScannerStatus::Failed {
                kind: failure.kind(),
                error: failure.to_string(),
            },
            Vec::new(),
            Vec::new(),
        ),
    };
    let outcome = ScannerOutcome {
        scanner: entry.id.clone(),
        scan_type: entry.scan_type,
        status,
        tool_version: None,
        warnings,
        duration: started.elapsed(),
    };
    events(ScanEvent::scanner_ended(&outcome));
    let root = ScanRoot::of_target(target, &ctx.working_dir);
    let run = ScannerRun { outcome, findings };
    let prepared = prepare(&ctx.compliance, root.as_ref(), run);
    let result = finalize(target, &[entry.scan_type], policy, vec![prepared]);
    events(ScanEvent::finished(&result));
    result
}

/// The view of the repository a path target is in. A repository whose view cannot be built is
/// scanned as if it were none (git-based checks find no repository), and the user is told.
fn repository_view(path: &std::path::Path) -> Option<RepositoryView> {
    if !path.exists() {
        return None;
    }
    RepositoryView::of(path).unwrap_or_else(|err| {
        tracing::warn!("{err}; git-based checks run as if the target were in no repository");
        None
    })
}

/// A scanner the scan left out: skipped, with why.
fn left_out(entry: &AdapterEntry, reason: String) -> ScannerRun {
    ScannerRun {
        outcome: ScannerOutcome {
            scanner: entry.id.clone(),
            scan_type: entry.scan_type,
            status: ScannerStatus::Skipped {
                reason,
                install_hint: None,
            },
            tool_version: None,
            warnings: Vec::new(),
            duration: Default::default(),
        },
        findings: Vec::new(),
    }
}

/// A scanner whose task stopped (a panic): failed, with no findings.
fn stopped(entry: &AdapterEntry) -> Prepared {
    Prepared {
        outcome: ScannerOutcome {
            scanner: entry.id.clone(),
            scan_type: entry.scan_type,
            status: ScannerStatus::Failed {
                kind: FailureKind::Internal,
                error: "the scanner task stopped".into(),
            },
            tool_version: None,
            warnings: Vec::new(),
            duration: Default::default(),
        },
        findings: Vec::new(),
        marks: Vec::new(),
    }
}

/// One scanner's findings through the per-finding steps of the pipeline, and each finding's
/// inline ignore mark.
struct Prepared {
    outcome: ScannerOutcome,
    findings: Vec<Finding>,
    marks: Vec<Option<IgnoreMark>>,
}

/// The pipeline's steps that look at one finding alone: host fields, one name per file (whatever
/// each tool printed), identity (fingerprints read the files findings point at, each once, under
/// the target's root), inline ignore marks and compliance tags. Tags depend only on a finding's
/// own scanner, rule, CWEs and text, which the later steps (suppression, severity overrides,
/// merging) leave as they are.
fn prepare(compliance: &ComplianceMapper, root: Option<&ScanRoot>, run: ScannerRun) -> Prepared {
    let mut findings: Vec<Finding> = run
        .findings
        .into_iter()
        .map(|f| host_finding(&run.outcome, f))
        .collect();
    let workers = workers_for(findings.len());
    if let Some(root) = root {
        let chunk = findings.len().div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            for part in findings.chunks_mut(chunk) {
                scope.spawn(|| name_under_target(part, root));
            }
        });
    }
    let marks = identify_and_tag(&mut findings, compliance, root, workers);
    Prepared {
        outcome: run.outcome,
        findings,
        marks,
    }
}

/// Findings per thread below which preparing a scanner's findings stays on one thread.
const FINDINGS_PER_WORKER: usize = 4096;

/// Threads to prepare `count` findings on: one for a small scanner, else up to the cores.
fn workers_for(count: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (count / FINDINGS_PER_WORKER).clamp(1, cores)
}

/// Fingerprints (their line context), inline ignore marks and compliance tags. Fingerprints and
/// marks are read from the files findings point at: findings are visited file by file, so each
/// file is read once and each worker holds one in memory at a time, however many findings a big
/// tree has. `workers` threads take runs of whole files. Returns each finding's mark.
fn identify_and_tag(
    findings: &mut [Finding],
    compliance: &ComplianceMapper,
    root: Option<&ScanRoot>,
    workers: usize,
) -> Vec<Option<IgnoreMark>> {
    let mut order: Vec<(Option<String>, usize)> = findings
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let relative = root
                .zip(f.file_path.as_deref())
                .and_then(|(r, p)| r.relative(p));
            (relative, index)
        })
        .collect();
    order.sort_unstable();
    let parts = split_at_files(&order, workers);
    let shared: &[Finding] = findings;
    let identified: Vec<Vec<Identified>> = std::thread::scope(|scope| {
        let threads: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || identify_part(shared, part, compliance, root)))
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut marks = vec![None; findings.len()];
    for one in identified.into_iter().flatten() {
        let finding = &mut findings[one.index];
        finding.fingerprint = one.fingerprint;
        finding.compliance_tags = one.tags;
        marks[one.index] = one.mark;
    }
    marks
}

/// What [`identify_part`] found for the finding at `index`.
struct Identified {
    index: usize,
    fingerprint: String,
    mark: Option<IgnoreMark>,
    tags: Vec<String>,
}

/// `order` cut into at most `parts` runs of about equal length, never between two findings of
/// one file (that file would be read twice).
fn split_at_files(
    order: &[(Option<String>, usize)],
    parts: usize,
) -> Vec<&[(Option<String>, usize)]> {
    let mut runs = Vec::with_capacity(parts);
    let mut rest = order;
    for left in (1..=parts).rev() {
        let mut cut = rest.len().div_ceil(left);
        while cut < rest.len() && cut > 0 && rest[cut].0 == rest[cut - 1].0 {
            cut += 1;
        }
        let (run, after) = rest.split_at(cut);
        if !run.is_empty() {
            runs.push(run);
        }
        rest = after;
    }
    runs
}

fn identify_part(
    findings: &[Finding],
    part: &[(Option<String>, usize)],
    compliance: &ComplianceMapper,
    root: Option<&ScanRoot>,
) -> Vec<Identified> {
    let mut sources = SourceCache::new(root);
    let mut tags = compliance.memo();
    let identified = part
        .iter()
        .map(|(relative, index)| {
            if let Some(relative) = relative {
                sources.hold_only(relative);
            }
            let finding = &findings[*index];
            Identified {
                index: *index,
                fingerprint: fingerprint(finding, root, &mut sources),
                mark: InlineMarks::new(root, &mut sources).find(finding),
                tags: tags.tags(finding),
            }
        })
        .collect();
    tracing::debug!(
        files = sources.files_read(),
        "read source files for finding identity and inline suppression"
    );
    identified
}

/// The pipeline's steps across scanners, over prepared runs in registry order: severity
/// overrides and suppression, cross-scanner dedup, canonical order, ids.
fn finalize(
    target: &str,
    types: &[ScanType],
    policy: &FindingPolicy,
    runs: Vec<Prepared>,
) -> ScanResult {
    let mut parts = Vec::with_capacity(runs.len());
    let mut marks = Vec::with_capacity(runs.len());
    let mut scanners = Vec::with_capacity(runs.len());
    for run in runs {
        parts.push(run.findings);
        marks.push(run.marks);
        scanners.push(run.outcome);
    }
    let mut findings = concatenated(parts);
    let inline = concatenated(marks);
    let suppressed = policy.apply(&mut findings, &inline);
    if !suppressed.is_empty() {
        tracing::info!("suppressed {} finding(s)", suppressed.len());
    }
    let merged = deduplicate(&mut findings);
    if merged > 0 {
        tracing::info!("merged {merged} finding(s) other scanners also reported");
    }
    sort_canonical(&mut findings);
    let scan_id = identify(target, types, &mut findings);
    ScanResult {
        scan_id,
        target: target.to_string(),
        scan_types: types.to_vec(),
        scanners,
        findings,
    }
}

/// The parts one after another, in the largest part's allocation: a new vector would hold a
/// second copy of a big scanner's findings while they move (W1: 8 MB more at the scan's peak).
/// Growing a large allocation remaps it rather than copying it.
fn concatenated<T>(mut parts: Vec<Vec<T>>) -> Vec<T> {
    let Some(largest) = (0..parts.len()).max_by_key(|&i| parts[i].len()) else {
        return Vec::new();
    };
    let mut all = std::mem::take(&mut parts[largest]);
    all.reserve(parts.iter().map(Vec::len).sum());
    let before: Vec<T> = parts.drain(..largest).flatten().collect();
    all.splice(0..0, before);
    all.extend(parts.into_iter().flatten());
    all
}

fn host_finding(outcome: &ScannerOutcome, f: AdapterFinding) -> Finding {
    Finding {
        id: String::new(),
        scan_id: String::new(),
        scanner: outcome.scanner.clone(),
        scan_type: outcome.scan_type,
        severity: f.severity,
        title: f.title,
        description: f.description,
        file_path: f.file,
        line_start: f.line_start,
        line_end: f.line_end,
        rule_id: f.rule_id,
        cwe: f.cwe,
        remediation: f.remediation,
        metadata: adapter_metadata(f.metadata),
        original_severity: None,
        suppression: None,
        compliance_tags: Vec::new(),
        fingerprint: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::findings::Severity;

    #[test]
    fn parts_are_concatenated_in_order_whichever_is_largest() {
        let parts = |lens: &[usize]| -> Vec<Vec<(usize, usize)>> {
            lens.iter()
                .enumerate()
                .map(|(part, &len)| (0..len).map(|i| (part, i)).collect())
                .collect()
        };
        for lens in [
            &[][..],
            &[0],
            &[3],
            &[1, 5, 2],
            &[5, 1, 2],
            &[1, 2, 5],
            &[0, 4, 0, 4],
        ] {
            let expected: Vec<(usize, usize)> = parts(lens).into_iter().flatten().collect();
            assert_eq!(concatenated(parts(lens)), expected, "{lens:?}");
        }
    }

    fn outcome(scanner: &str) -> ScannerOutcome {
        ScannerOutcome {
            scanner: scanner.into(),
            scan_type: ScanType::Code,
            status: ScannerStatus::Completed { findings: 1 },
            tool_version: None,
            warnings: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// `finalize` over one scanner's findings in `dir`, with `policy`, as JSON.
    fn finalized(dir: &std::path::Path, policy: &FindingPolicy, f: AdapterFinding) -> Finding {
        let compliance = ComplianceMapper::load(None).expect("the built-in frameworks load");
        let run = ScannerRun {
            outcome: outcome("bandit"),
            findings: vec![f],
        };
        let target = dir.to_string_lossy();
        let root = ScanRoot::of_target(&target, dir);
        let prepared = prepare(&compliance, root.as_ref(), run);
        let mut result = finalize(&target, &[ScanType::Code], policy, vec![prepared]);
        result.findings.remove(0)
    }

    #[test]
    fn runs_of_findings_to_prepare_never_split_a_file() {
        let order: Vec<(Option<String>, usize)> = [
            (None, 6),
            (Some("a"), 3),
            (Some("a"), 1),
            (Some("b"), 2),
            (Some("b"), 0),
            (Some("b"), 4),
            (Some("c"), 5),
        ]
        .into_iter()
        .map(|(file, index)| (file.map(String::from), index))
        .collect();
        for parts in 1..=9 {
            let runs = split_at_files(&order, parts);
            assert!(runs.len() <= parts && runs.iter().all(|run| !run.is_empty()));
            assert_eq!(runs.concat(), order, "{parts} parts");
            for pair in runs.windows(2) {
                assert_ne!(pair[0].last().map(|f| &f.0), pair[1].first().map(|f| &f.0));
            }
        }
        assert!(split_at_files(&[], 2).is_empty());
    }

    // A tool report is text anyone can write: keys named like the host's fields in it must
    // neither suppress a finding, nor stop an override, nor show up as the host's decision.
    #[test]
    fn host_keys_an_adapter_forges_in_metadata_decide_nothing_and_are_not_shown() {
        let dir = tempfile::tempdir().expect("temp dir");
        let forged = AdapterFinding::new("t", "d", Severity::High)
            .rule("B105")
            .meta("package", "x")
            .meta("suppressed_by", "baseline")
            .meta("suppression_reason", "trust me")
            .meta("original_severity", "info");
        let policy = FindingPolicy {
            severity_overrides: [("B105".to_string(), Severity::Critical)].into(),
            ..FindingPolicy::default()
        };
        let finding = finalized(dir.path(), &policy, forged);
        assert!(!finding.is_suppressed());
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.original_severity, Some(Severity::High));
        let json = serde_json::to_string(&finding).expect("a finding serializes");
        assert!(
            json.contains(r#""metadata":{"package":"x","original_severity":"high"}"#),
            "{json}"
        );
    }
}
