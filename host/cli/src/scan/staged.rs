//! `securescan scan --staged`, the pre-commit check: what the next commit records (the staged
//! content of the staged files, from the git index) through the engine's staged scan, gated like
//! any scan. The config comes from the working tree, as for `scan` of the same directory: it is
//! the policy of whoever commits, its relative `semgrep_rules` paths point into the working
//! tree, and pre-commit stashes unstaged changes while hooks run, so there it is the staged one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ScanArgs, deliver, progress, request_failure};
use crate::config::load_for;
use crate::diff::inside;
use crate::exit::{CommandResult, Exit, Failure};
use crate::locations;
use securescan_engine::findings::ScanType;
use securescan_engine::git::{Repository, StagedTree};

/// Where `securescan baseline` writes by default, looked for at the repository root.
const BASELINE: &str = ".securescan/baseline.json";

pub async fn run(mut args: ScanArgs) -> CommandResult {
    let target = args.target.take().unwrap_or_else(|| ".".to_string());
    let absolute = std::path::absolute(&target)
        .map_err(|err| Failure::usage(format!("scan --staged: cannot resolve {target}: {err}")))?;
    if !absolute.is_dir() {
        return Err(Failure::usage(format!(
            "scan --staged: {target} is not a directory; give the repository (or a directory in \
             it) whose staged changes to scan"
        )));
    }
    let repo = Repository::containing(&absolute)
        .map_err(|err| Failure::usage(format!("scan --staged needs a git repository: {err}")))?;
    let prefix = inside(&repo, &absolute)?;
    let tree = StagedTree::read(&repo, commit_index().as_deref(), &prefix)
        .map_err(|err| Failure::internal(format!("scan --staged: {err}")))?;
    for note in tree.left_out() {
        tell!("securescan: staged {note}; left out");
    }
    if tree.is_empty() {
        tell!("securescan: no staged files; nothing to scan");
        return Ok(Exit::Ok);
    }
    let config = load_for(&absolute)?;
    args.gate
        .staged_defaults(config.as_ref(), repo.root.join(BASELINE));
    let policy = args.gate.policy(config.as_ref());
    let no_types =
        args.options.types.is_empty() && config.as_ref().is_none_or(|c| c.scan_types.is_empty());
    let mut request = args.options.request(target, config.as_ref(), policy)?;
    if no_types {
        // What a commit can carry; scanners that read none of the staged files do not run.
        request.types = vec![ScanType::Code, ScanType::Dependency, ScanType::Iac];
    }
    let mut left_out = BTreeMap::new();
    if !request
        .vars
        .get("semgrep")
        .is_some_and(|v| v.contains_key("config"))
    {
        left_out.insert(
            "semgrep".to_string(),
            "a staged scan does not fetch semgrep's registry rules (`auto`) on every commit; give \
             local rules with --semgrep-config or semgrep_rules in .securescan.yml"
                .to_string(),
        );
    }
    let engine = locations::engine()?;
    let staged = engine
        .scan_staged(&tree, &request, &left_out, &progress())
        .await
        .map_err(request_failure)?;
    drop(tree);
    if staged.outside > 0 {
        tell!(
            "securescan: left out {} finding(s) about files that are not staged",
            staged.outside
        );
    }
    deliver(&staged.result, &args.output, &args.gate, config.as_ref())
}

/// The index a commit hook is given (`GIT_INDEX_FILE`, relative to the working directory):
/// `git commit -a` or `git commit <paths>` commit another index than the repository's own.
fn commit_index() -> Option<PathBuf> {
    let index = std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty())?;
    std::path::absolute(Path::new(&index)).ok()
}
