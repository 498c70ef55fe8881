//! The git operations `diff` needs: resolve refs, check a ref out somewhere else, and the
//! unified diff between two commits. The user's checkout, index and HEAD are never touched: each
//! side is scanned in its own temporary worktree.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
}

/// The repository a path is in.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The top of the working tree.
    pub root: PathBuf,
}

impl Repository {
    /// The repository containing `path` (a file or directory).
    pub fn containing(path: &Path) -> Result<Repository, GitError> {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        let output = git(dir, &["rev-parse", "--show-toplevel"])?;
        if !output.status.success() {
            return Err(GitError::NotARepository(path.display().to_string()));
        }
        let root = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim_end());
        Ok(Repository { root })
    }

    /// The commit `reference` names (a branch, tag, sha, `HEAD~1`, …).
    pub fn commit(&self, reference: &str) -> Result<String, GitError> {
        // `--end-of-options` keeps a ref that starts with `-` from being read as an option.
        let spec = format!("{reference}^{{commit}}");
        let output = git(
            &self.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )?;
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
        let output = git(
            &self.root,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--end-of-options",
                base,
                head,
            ],
        )?;
        checked("diff", &output)?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Check `commit` out in a new detached worktree under `parent`; removed again on drop.
    pub fn worktree(&self, commit: &str, parent: &Path, name: &str) -> Result<Worktree, GitError> {
        let path = parent.join(name);
        let path_text = path.to_string_lossy().into_owned();
        let output = git(
            &self.root,
            &["worktree", "add", "--detach", "--quiet", &path_text, commit],
        )?;
        checked("worktree add", &output)?;
        Ok(Worktree {
            repo: self.root.clone(),
            path,
        })
    }
}

/// A temporary checkout of one commit. Dropping it removes the checkout and git's record of it.
#[derive(Debug)]
pub struct Worktree {
    repo: PathBuf,
    pub path: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let path = self.path.to_string_lossy().into_owned();
        let removed = git(&self.repo, &["worktree", "remove", "--force", &path]);
        if !removed.is_ok_and(|o| o.status.success()) {
            tracing::warn!(
                "could not remove the temporary worktree {path}; `git worktree prune` will"
            );
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = git(&self.repo, &["worktree", "prune"]);
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("LC_ALL", "C")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(GitError::Spawn)
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
