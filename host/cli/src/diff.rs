//! `securescan diff`: the findings a change introduces (NEW), removes (FIXED) and keeps.
//!
//! Ref mode scans each ref in its own temporary git worktree, so the user's checkout, index and
//! HEAD are never touched (and a dirty tree is no obstacle); finding paths are made relative to
//! the repository, as pull requests name files. Snapshot mode compares two findings files
//! written earlier (`scan --output json`), possibly on different machines.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Map, Value};

use super::changes::{ChangeContext, ChangeOutputArgs, deliver_changes};
use super::config::{GateArgs, load_for};
use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::scan::{ScanOptions, config_start, progress, report_outcomes, request_failure};
use securescan_engine::config::FindingPolicy;
use securescan_engine::findings::{ChangeMode, ChangeSet, Finding, ScanType};
use securescan_engine::git::Repository;
use securescan_engine::scan::ScanRequest;
use securescan_engine::snapshot::load_snapshot;
use securescan_engine::{CommitSide, Engine};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The directory to scan (ref mode), or where the config and the git repository are
    /// (snapshot mode).
    #[arg(default_value = ".")]
    target: String,
    /// Ref mode: the ref the change starts from (branch, tag, sha).
    #[arg(long)]
    base_ref: Option<String>,
    /// Ref mode: the ref with the change (default: HEAD).
    #[arg(long)]
    head_ref: Option<String>,
    /// Snapshot mode: the findings of the base side (`scan --output json`).
    #[arg(long)]
    base_snapshot: Option<PathBuf>,
    /// Snapshot mode: the findings of the head side.
    #[arg(long)]
    head_snapshot: Option<PathBuf>,
    #[command(flatten)]
    options: ScanOptions,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    output: ChangeOutputArgs,
}

enum Mode {
    Refs { base: String, head: String },
    Snapshots { base: PathBuf, head: PathBuf },
}

pub async fn run(mut args: DiffArgs) -> CommandResult {
    let mode = mode(&args)?;
    let config = load_for(&config_start(&args.target))?;
    let policy = FindingPolicy {
        show_suppressed: true,
        ..args.gate.policy(config.as_ref())
    };
    let mut properties = Map::new();
    properties.insert("diffMode".into(), Value::Bool(true));
    let (base, head, types, repo_dir, exit) = match &mode {
        Mode::Snapshots { base, head } => {
            if args.output.base_sha.is_none()
                && let Some(base_ref) = std::env::var("GITHUB_BASE_REF")
                    .ok()
                    .filter(|r| !r.is_empty())
            {
                args.output.base_sha = Repository::containing(Path::new(&args.target))
                    .and_then(|repo| repo.commit(&base_ref))
                    .ok();
            }
            args.output.check_review_inputs("diff")?;
            let load = |path: &Path| {
                load_snapshot(path)
                    .map_err(|err| Failure::usage(format!("diff: failed to load snapshot: {err}")))
            };
            let (mut base, mut head) = (load(base)?, load(head)?);
            policy.apply_recorded(&mut base);
            policy.apply_recorded(&mut head);
            let types = snapshot_types(&base, &head);
            let repo_dir = Repository::containing(Path::new(&args.target))
                .ok()
                .map(|r| r.root);
            (base, head, types, repo_dir, Exit::Ok)
        }
        Mode::Refs { base, head } => {
            let target = std::path::absolute(&args.target).map_err(|err| {
                Failure::usage(format!("diff: cannot resolve {}: {err}", args.target))
            })?;
            let repo = Repository::containing(&target)
                .map_err(|err| Failure::usage(format!("diff: {err}")))?;
            let base_sha = repo
                .commit(base)
                .map_err(|err| Failure::usage(format!("diff: {err}")))?;
            let head_sha = repo
                .commit(head)
                .map_err(|err| Failure::usage(format!("diff: {err}")))?;
            args.output.sha.get_or_insert_with(|| head_sha.clone());
            args.output.base_sha.get_or_insert_with(|| base_sha.clone());
            args.output.check_review_inputs("diff")?;
            properties.insert("baseRef".into(), Value::from(base.as_str()));
            properties.insert("headRef".into(), Value::from(head.as_str()));
            let prefix = inside(&repo, &target)?;
            let scratch = tempfile::Builder::new()
                .prefix("securescan-diff-")
                .tempdir()
                .map_err(|err| {
                    Failure::internal(format!("diff: cannot make a temporary directory: {err}"))
                })?;
            let engine = locations::engine()?;
            let side = Side {
                engine: &engine,
                repo: &repo,
                prefix: &prefix,
                scratch: scratch.path(),
                request: args.options.request(
                    target.to_string_lossy().into_owned(),
                    config.as_ref(),
                    policy.clone(),
                )?,
            };
            let (base_findings, base_types, base_exit) = side.scan(&base_sha, "base").await?;
            let (head_findings, _, head_exit) = side.scan(&head_sha, "head").await?;
            let exit = if base_exit != Exit::Ok {
                base_exit
            } else {
                head_exit
            };
            (
                base_findings,
                head_findings,
                base_types,
                Some(repo.root.clone()),
                exit,
            )
        }
    };
    let suppressed = |side: &[Finding]| side.iter().filter(|f| f.is_suppressed()).count();
    let (base_suppressed, head_suppressed) = (suppressed(&base), suppressed(&head));
    if base_suppressed + head_suppressed > 0 {
        tell!(
            "diff: suppressed {base_suppressed} base / {head_suppressed} head finding(s) (inline + config + baseline)"
        );
    }
    let changes = ChangeSet::classify(base, head);
    deliver_changes(
        &changes,
        &args.output,
        &ChangeContext {
            mode: ChangeMode::Diff,
            target: &args.target,
            types: &types,
            repo_dir: repo_dir.as_deref(),
            sarif_properties: properties,
        },
        args.gate.show_suppressed(),
    )?;
    Ok(args.gate.gate(config.as_ref(), &changes.new, exit))
}

fn mode(args: &DiffArgs) -> Result<Mode, Failure> {
    let refs = args.base_ref.is_some() || args.head_ref.is_some();
    let snapshots = args.base_snapshot.is_some() || args.head_snapshot.is_some();
    match (refs, snapshots) {
        (true, true) => Err(Failure::usage(
            "diff: choose either --base-ref/--head-ref OR --base-snapshot/--head-snapshot, not both",
        )),
        (false, false) => Err(Failure::usage(
            "diff: must provide either --base-ref (with optional --head-ref) or --base-snapshot AND --head-snapshot",
        )),
        (false, true) => match (&args.base_snapshot, &args.head_snapshot) {
            (Some(base), Some(head)) => Ok(Mode::Snapshots {
                base: base.clone(),
                head: head.clone(),
            }),
            _ => Err(Failure::usage(
                "diff: snapshot mode requires BOTH --base-snapshot AND --head-snapshot",
            )),
        },
        (true, false) => match &args.base_ref {
            Some(base) => Ok(Mode::Refs {
                base: base.clone(),
                head: args.head_ref.clone().unwrap_or_else(|| "HEAD".into()),
            }),
            None => Err(Failure::usage(
                "diff: ref mode requires --base-ref (--head-ref defaults to HEAD)",
            )),
        },
    }
}

/// Where the target is inside the repository (empty for its root).
pub fn inside(repo: &Repository, target: &Path) -> Result<PathBuf, Failure> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, target) = (canonical(&repo.root), canonical(target));
    target
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .map_err(|_| {
            Failure::usage(format!(
                "diff: {} is not inside the repository at {}",
                target.display(),
                root.display()
            ))
        })
}

/// One side of a ref-mode diff: the same scan of a different commit.
struct Side<'a> {
    engine: &'a Engine,
    repo: &'a Repository,
    prefix: &'a Path,
    scratch: &'a Path,
    /// The scan of the user's target, which each side runs on its own checkout of it.
    request: ScanRequest,
}

impl Side<'_> {
    /// Scan `commit` in a worktree of its own (removed afterwards), paths made
    /// repository-relative.
    async fn scan(
        &self,
        commit: &str,
        name: &str,
    ) -> Result<(Vec<Finding>, Vec<ScanType>, Exit), Failure> {
        let side = self
            .engine
            .scan_commit(
                &CommitSide {
                    repo: self.repo,
                    commit,
                    name,
                    prefix: self.prefix,
                    scratch: self.scratch,
                },
                &self.request,
                &progress(),
            )
            .await
            .map_err(request_failure)?;
        let exit = report_outcomes(&side.scanners);
        if exit != Exit::Ok {
            // A scanner missing on one side makes its findings look new or fixed.
            tell!(
                "diff: the {name} side ({}) had failed scanners: what they would have found is \
                 missing from it, so the classification is incomplete",
                &commit[..commit.len().min(12)]
            );
        }
        Ok((side.findings, side.scan_types, exit))
    }
}

/// The scan types the snapshots hold, for SARIF's run description.
fn snapshot_types(base: &[Finding], head: &[Finding]) -> Vec<ScanType> {
    let mut types: Vec<ScanType> = base.iter().chain(head).map(|f| f.scan_type).collect();
    types.sort();
    types.dedup();
    types
}
