//! Git, with the scanned repository treated as untrusted input: every git process SecureScan
//! starts, or a tool it runs starts, sees the repository through a [`RepositoryView`], so nothing
//! the repository's configuration names is ever run. Here also: the operations `diff` needs
//! (resolve refs, check a commit out somewhere else, the unified diff between two commits). The
//! user's repository, index and HEAD are never written to: each side of a diff is checked out in
//! a temporary worktree registered in the view, not in the repository.

mod staged;
mod view;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

pub use staged::StagedTree;
pub use view::{RepositoryView, no_repository_env};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    #[error("{0} is not inside a git working tree")]
    NotARepository(String),
    #[error("unknown git ref {0:?}: {1}")]
    UnknownRef(String, String),
    #[error("git {0} failed: {1}")]
    Failed(String, String),
    #[error("cannot prepare a view of the git directory {0}: {1}")]
    View(String, String),
}

/// The repository a path is in.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The top of the working tree.
    pub root: PathBuf,
    view: Arc<RepositoryView>,
}

impl Repository {
    /// The repository containing `path` (a file or directory).
    pub fn containing(path: &Path) -> Result<Repository, GitError> {
        let view = RepositoryView::of(path)?
            .ok_or_else(|| GitError::NotARepository(path.display().to_string()))?;
        Ok(Repository {
            root: view.work_tree().to_path_buf(),
            view: Arc::new(view),
        })
    }

    /// The commit `reference` names (a branch, tag, sha, `HEAD~1`, …).
    pub fn commit(&self, reference: &str) -> Result<String, GitError> {
        // `--end-of-options` keeps a ref that starts with `-` from being read as an option.
        let spec = format!("{reference}^{{commit}}");
        let output = self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])?;
        if !output.status.success() {
            return Err(GitError::UnknownRef(
                reference.to_string(),
                "no such commit in this repository (fetch it first?)".into(),
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// The unified diff from `base` to `head` (commits), paths relative to the repository root,
    /// as GitHub shows a pull request.
    pub fn diff(&self, base: &str, head: &str) -> Result<String, GitError> {
        let output = self.git(&[
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--end-of-options",
            base,
            head,
        ])?;
        checked("diff", &output)?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Check `commit` out in a new detached worktree under `parent`; removed again on drop.
    pub fn worktree(&self, commit: &str, parent: &Path, name: &str) -> Result<Worktree, GitError> {
        let path = parent.join(name);
        let path_text = path.to_string_lossy().into_owned();
        let output = self.git(&["worktree", "add", "--detach", "--quiet", &path_text, commit])?;
        checked("worktree add", &output)?;
        Ok(Worktree {
            path,
            _view: self.view.clone(),
        })
    }

    fn git(&self, args: &[&str]) -> Result<Output, GitError> {
        self.command(args).output().map_err(GitError::Spawn)
    }

    /// git with `args`, run at the root through the repository's view.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(&self.root)
            .args(args)
            .env("LC_ALL", "C")
            .stdin(std::process::Stdio::null());
        self.view.env().apply(&mut command);
        command
    }
}

/// A temporary checkout of one commit. It is registered in the view, never in the user's
/// repository, so dropping it (or the process dying) leaves nothing behind there.
#[derive(Debug)]
pub struct Worktree {
    pub path: PathBuf,
    /// The view the checkout's `.git` file points into lives at least as long as the checkout.
    _view: Arc<RepositoryView>,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if let Err(err) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(
                "could not remove the temporary checkout {}: {err}",
                self.path.display()
            );
        }
    }
}

fn checked(what: &str, output: &Output) -> Result<(), GitError> {
    if output.status.success() {
        return Ok(());
    }
    Err(GitError::Failed(
        what.to_string(),
        String::from_utf8_lossy(&output.stderr).trim().to_string(),
    ))
}
