//! The scan pipeline as one library call per thing a user asks for: every client (the CLI, the
//! server, the GitHub Action) builds one [`Engine`] and calls it, so none of them re-assembles the
//! pipeline. Everything the engine needs from outside arrives in [`EngineConfig`] or in the
//! request; nothing below reads the process's current directory or environment, so one process
//! can run scans of different roots under different settings at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::compliance::ComplianceMapper;
use crate::config::FindingPolicy;
use crate::findings::name_from_root;
use crate::git::{GitError, Repository, StagedTree};
use crate::scan::runner::{Context, run_ingest, run_scan};
use crate::scan::{ScanRequest, check_target, identify, nothing_staged_for};
use crate::settings::Settings;
use crate::snapshot::render_baseline;
use crate::tools::ProbeCache;
use securescan_model::{
    ChangeSet, Finding, ScanEvent, ScanResult, ScanType, ScannerHealth, ScannerOutcome,
};
use securescan_registry::{AdapterEntry, Registry, TargetKind};
use securescan_sandbox::{MAX_CONCURRENT_CALLS, Sandbox};

/// What an engine is built from.
#[derive(Debug)]
pub struct EngineConfig {
    /// The adapters scans may run (normally [`Registry::builtin`]).
    pub registry: Registry,
    /// The WebAssembly runtime, with its compiled-adapter cache.
    pub sandbox: Sandbox,
    /// Where the registry's adapter components are.
    pub adapter_dir: PathBuf,
    /// The compliance frameworks findings are tagged with.
    pub compliance: ComplianceMapper,
    /// The directory relative targets and finding paths are named against: roots, SARIF source
    /// roots, baseline targets. Tools and file reads open a relative target through the process's
    /// current directory, so a client that passes relative targets sets this to that directory
    /// (the CLI does); a server passes absolute targets.
    pub working_dir: PathBuf,
    /// The ZAP daemon and the user's home.
    pub settings: Settings,
}

/// Why the engine would not run a request. The scan itself never fails as a whole: a scanner
/// that fails is recorded in the result, and the others' findings are kept.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A scanner of the request cannot take its target (`scan type dast (…) needs a url target`).
    #[error("{reason}; scan type {} ({scanner}) needs a {} target", scan_type.as_str(), kind.as_str())]
    Target {
        reason: String,
        scanner: String,
        scan_type: ScanType,
        kind: TargetKind,
    },
    #[error("unknown scanner {id:?}; valid scanners: {}", valid.join(", "))]
    UnknownScanner { id: String, valid: Vec<String> },
    #[error(
        "{id} reads no tool report (it gathers its own input during a scan); scanners that \
         ingest reports: {}",
        readers.join(", ")
    )]
    ReadsNoReport { id: String, readers: Vec<String> },
    /// A commit of a diff could not be checked out.
    #[error(transparent)]
    Checkout(#[from] GitError),
}

/// A tool report to normalize as if a scan had run the tool.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub scanner: String,
    pub report: Vec<u8>,
    /// What the report was produced for; recorded as the scan target.
    pub target: String,
    pub policy: FindingPolicy,
}

/// The scan of one side of a comparison, paths named from the root.
#[derive(Debug, Clone, PartialEq)]
pub struct SideScan {
    pub findings: Vec<Finding>,
    pub scan_types: Vec<ScanType>,
    pub scanners: Vec<ScannerOutcome>,
}

/// Which commit a side of a diff scans, and where.
#[derive(Debug, Clone, Copy)]
pub struct CommitSide<'a> {
    pub repo: &'a Repository,
    pub commit: &'a str,
    /// `base` or `head`: names the worktree and the side's identity.
    pub name: &'a str,
    /// The target's place inside the repository (empty for its root).
    pub prefix: &'a Path,
    /// Where the worktree is made.
    pub scratch: &'a Path,
}

/// A scan of staged changes, and how many findings it left out for naming no staged file.
#[derive(Debug, Clone, PartialEq)]
pub struct StagedScan {
    pub result: ScanResult,
    pub outside: usize,
}

/// A baseline file's text and what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub text: String,
    pub findings: usize,
    pub scanners: Vec<ScannerOutcome>,
}

/// Runs scans; cheap to clone, and every clone shares the adapters and the call bound.
#[derive(Clone)]
pub struct Engine {
    ctx: Arc<Context>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("adapter_dir", &self.ctx.adapter_dir)
            .field("working_dir", &self.ctx.working_dir)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Engine {
        let cores = std::thread::available_parallelism()
            .map_or(2, usize::from)
            .min(MAX_CONCURRENT_CALLS);
        Engine {
            ctx: Arc::new(Context {
                registry: config.registry,
                sandbox: config.sandbox,
                adapter_dir: config.adapter_dir,
                calls: Semaphore::new(cores),
                compliance: config.compliance,
                working_dir: config.working_dir,
                probes: ProbeCache::new(config.settings.tool_cache.clone()),
                settings: config.settings,
            }),
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.ctx.registry
    }

    /// The adapters whose component file is not where the registry says (readiness: cheap
    /// enough to ask often; a scan still checks each component's pin before running it).
    pub fn broken_adapters(&self) -> Vec<String> {
        self.ctx
            .registry
            .adapters
            .iter()
            .filter(|entry| !self.ctx.adapter_dir.join(&entry.component).is_file())
            .map(|entry| format!("{}: adapter component missing", entry.id))
            .collect()
    }

    /// The compliance frameworks findings are tagged with (coverage reports read them too).
    pub fn compliance(&self) -> &ComplianceMapper {
        &self.ctx.compliance
    }

    pub fn working_dir(&self) -> &Path {
        &self.ctx.working_dir
    }

    /// The registry entries a request runs, in registry order.
    pub fn scanners_for(&self, request: &ScanRequest) -> Vec<&AdapterEntry> {
        self.ctx.registry.for_types(&request.types)
    }

    /// Every scanner of the request can take its target. Returns whether any of them sends
    /// traffic to a live system (dast, network), which users may only scan with permission.
    pub fn check(&self, request: &ScanRequest) -> Result<bool, RequestError> {
        let mut live = false;
        for entry in self.scanners_for(request) {
            check_target(
                entry.target,
                request.target_for(entry.target),
                &self.ctx.working_dir,
            )
            .map_err(|err| RequestError::Target {
                reason: err.to_string(),
                scanner: entry.id.clone(),
                scan_type: entry.scan_type,
                kind: entry.target,
            })?;
            live |= entry.target != TargetKind::Path;
        }
        Ok(live)
    }

    /// Run every scanner for the request's types, concurrently, telling `events` as each starts
    /// and ends. Dropping the future kills running tools.
    pub async fn scan(
        &self,
        request: &ScanRequest,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<ScanResult, RequestError> {
        self.check(request)?;
        Ok(run_scan(&self.ctx, request, &|_| None, events).await)
    }

    /// A scan of what the next commit records: the staged content in `tree`, by the request's
    /// scanners that read one of the staged files (the others, and those in `left_out`, are
    /// recorded as skipped with why). The request's target names the scan; findings name files
    /// from the repository root and are fingerprinted from the target, as a scan of the target
    /// holding the same content would; findings about anything but a staged file (a
    /// `.gitignore` the tree does not hold) are left out and counted.
    pub async fn scan_staged(
        &self,
        tree: &StagedTree,
        request: &ScanRequest,
        left_out: &BTreeMap<String, String>,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<StagedScan, RequestError> {
        self.check(request)?;
        let staged = ScanRequest {
            target: tree.path().to_string_lossy().into_owned(),
            ..request.clone()
        };
        let leave_out = |entry: &AdapterEntry| {
            left_out
                .get(&entry.id)
                .cloned()
                .or_else(|| nothing_staged_for(entry, tree.files()))
        };
        // The temporary tree is no name to show; the scan's end is told once findings are kept.
        let inner = |event: ScanEvent| match event {
            ScanEvent::ScanStarted { scanners, .. } => events(ScanEvent::ScanStarted {
                target: request.target.clone(),
                scanners,
            }),
            ScanEvent::ScanFinished { .. } => {}
            other => events(other),
        };
        let mut result = run_scan(&self.ctx, &staged, &leave_out, &inner).await;
        name_from_root(
            &mut result.findings,
            &staged.target,
            tree.prefix(),
            &self.ctx.working_dir,
        );
        let named: std::collections::BTreeSet<String> = tree
            .files()
            .iter()
            .map(|file| {
                tree.prefix()
                    .join(file)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let before = result.findings.len();
        result
            .findings
            .retain(|f| f.file_path.as_ref().is_some_and(|p| named.contains(p)));
        let outside = before - result.findings.len();
        result.target = request.target.clone();
        result.scan_id = identify(
            &format!("staged:{}", request.target),
            &result.scan_types,
            &mut result.findings,
        );
        events(ScanEvent::finished(&result));
        Ok(StagedScan { result, outside })
    }

    /// Normalize an existing tool report through its scanner's adapter: a scan minus running
    /// the tool, through the same bounded adapter calls and the same pipeline.
    pub async fn ingest(
        &self,
        request: IngestRequest,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<ScanResult, RequestError> {
        let entry = self.report_reader(&request.scanner)?;
        Ok(run_ingest(
            &self.ctx,
            entry,
            request.report,
            &request.target,
            &request.policy,
            events,
        )
        .await)
    }

    /// The registry entry of `id`, if it reads tool reports (what `ingest` accepts).
    pub fn report_reader(&self, id: &str) -> Result<&AdapterEntry, RequestError> {
        let registry = &self.ctx.registry;
        let entry = registry
            .get(id)
            .ok_or_else(|| RequestError::UnknownScanner {
                id: id.to_string(),
                valid: registry.ids().into_iter().map(str::to_string).collect(),
            })?;
        if !entry.reads_reports() {
            return Err(RequestError::ReadsNoReport {
                id: entry.id.clone(),
                readers: registry
                    .adapters
                    .iter()
                    .filter(|e| e.reads_reports())
                    .map(|e| e.id.clone())
                    .collect(),
            });
        }
        Ok(entry)
    }

    /// Scan, then name every finding's file from the target's root (under `prefix`, the root's
    /// place in a repository): what must read the same in every checkout.
    pub async fn scan_from_root(
        &self,
        request: &ScanRequest,
        prefix: &Path,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<SideScan, RequestError> {
        let result = self.scan(request, events).await?;
        let mut findings = result.findings;
        name_from_root(
            &mut findings,
            &request.target,
            prefix,
            &self.ctx.working_dir,
        );
        Ok(SideScan {
            findings,
            scan_types: result.scan_types,
            scanners: result.scanners,
        })
    }

    /// What drifted since `baseline` (findings of an earlier scan or baseline file): the scan of
    /// the request classified against it.
    pub async fn compare(
        &self,
        request: &ScanRequest,
        baseline: Vec<Finding>,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<(ChangeSet, SideScan), RequestError> {
        let mut scan = self.scan_from_root(request, Path::new(""), events).await?;
        let changes = ChangeSet::classify(baseline, std::mem::take(&mut scan.findings));
        Ok((changes, scan))
    }

    /// One side of a diff of two commits: the request's scan of `side.commit`, checked out in
    /// a worktree of its own (the user's checkout is never touched), paths made
    /// repository-relative and identity given under the side's name. The request's target is
    /// replaced by the worktree's.
    pub async fn scan_commit(
        &self,
        side: &CommitSide<'_>,
        request: &ScanRequest,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<SideScan, RequestError> {
        let worktree = side.repo.worktree(side.commit, side.scratch, side.name)?;
        let request = ScanRequest {
            target: worktree
                .path
                .join(side.prefix)
                .to_string_lossy()
                .into_owned(),
            ..request.clone()
        };
        let mut scan = self.scan_from_root(&request, side.prefix, events).await?;
        identify(
            &format!(
                "{}:{}:{}",
                side.name,
                side.commit,
                side.prefix.to_string_lossy()
            ),
            &scan.scan_types,
            &mut scan.findings,
        );
        Ok(scan)
    }

    /// The baseline file for the request's scan, to be written at `output`: what the scanners
    /// report before overrides and suppression (those are decided when it is used).
    pub async fn baseline(
        &self,
        request: &ScanRequest,
        output: &Path,
        events: &(dyn Fn(ScanEvent) + Sync),
    ) -> Result<Baseline, RequestError> {
        let request = ScanRequest {
            policy: FindingPolicy {
                no_suppress: true,
                ..FindingPolicy::default()
            },
            ..request.clone()
        };
        let scan = self.scan_from_root(&request, Path::new(""), events).await?;
        let text = render_baseline(
            &scan.findings,
            Path::new(&request.target),
            &scan.scan_types,
            output,
            "securescan",
            &self.ctx.working_dir,
        );
        Ok(Baseline {
            text,
            findings: scan.findings.len(),
            scanners: scan.scanners,
        })
    }

    /// Whether each scanner could run here: its adapter present and intact, its tool installed
    /// in a supported version (or its daemon reachable). Registry order.
    ///
    /// Every tool is probed afresh (the probes run at once), and the probe cache updated.
    pub async fn status(&self) -> Vec<ScannerHealth> {
        let probes = Arc::new(self.ctx.probes.refreshing());
        let mut tasks = JoinSet::new();
        for (index, entry) in self.ctx.registry.adapters.iter().enumerate() {
            let (ctx, entry, probes) = (self.ctx.clone(), entry.clone(), probes.clone());
            tasks.spawn(async move {
                let row =
                    crate::scan::health(&entry, &ctx.adapter_dir, &ctx.settings, &probes).await;
                (index, row)
            });
        }
        let mut rows: Vec<(usize, ScannerHealth)> = tasks.join_all().await;
        rows.sort_by_key(|(index, _)| *index);
        rows.into_iter().map(|(_, row)| row).collect()
    }
}
