//! The scanned repository as every git process sees it: SecureScan's own git calls and the git
//! calls of the tools it runs (semgrep, gitleaks, …). A repository is untrusted input, and git
//! runs programs its configuration names (`core.fsmonitor`, hooks, diff, filter and merge
//! drivers selected by `.gitattributes`, pagers, credential helpers, remote transports, …). Rather
//! than chase every such key, git is pointed at a git directory of our own: the repository's
//! objects, refs and index are linked into it, its configuration is written by us (only the
//! format the repository's data needs), and it has no hooks, no attributes file and no remotes.
//! The user's global and system configuration is left out too, so results do not depend on who
//! runs the scan. Nothing is written into the scanned repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::GitError;
use crate::tools::ChildEnv;

/// Variables of the user's environment that would point git somewhere else than the view.
const LOCATION_VARIABLES: [&str; 9] = [
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
];

/// Entries of a git directory that are not linked into the view: configuration, hooks, the
/// attributes and grafts under `info/` (its `exclude` is linked on its own), old-style remote
/// definitions, and other worktrees' administrative files.
const NOT_LINKED: [&str; 10] = [
    "config",
    "config.worktree",
    "hooks",
    "info",
    "branches",
    "remotes",
    "worktrees",
    "commondir",
    "gitdir",
    "objects",
];

/// A git directory of SecureScan's own for the repository a scan target is in; removed on drop.
#[derive(Debug)]
pub struct RepositoryView {
    dir: tempfile::TempDir,
    work_tree: PathBuf,
}

impl RepositoryView {
    /// The view of the repository `path` (a file or directory) is in, or `None` when it is in
    /// no repository.
    pub fn of(path: &Path) -> Result<Option<RepositoryView>, GitError> {
        let Some(found) = discover(path) else {
            return Ok(None);
        };
        let view = build(&found)
            .map_err(|err| GitError::View(found.git_dir.display().to_string(), err.to_string()))?;
        Ok(Some(view))
    }

    /// The top of the repository's working tree.
    pub fn work_tree(&self) -> &Path {
        &self.work_tree
    }

    /// The environment every git process started for this repository runs with.
    pub fn env(&self) -> ChildEnv {
        hardened_env()
            .set("GIT_DIR", self.dir.path())
            .set("GIT_WORK_TREE", &self.work_tree)
    }
}

/// The environment of git processes when the target is in no repository: git finds none (not a
/// parent directory's, not one the target holds), and the settings above hold all the same.
pub fn no_repository_env() -> ChildEnv {
    hardened_env().set("GIT_DIR", "/dev/null")
}

fn hardened_env() -> ChildEnv {
    let mut env = ChildEnv::new();
    for name in LOCATION_VARIABLES {
        env = env.remove(name);
    }
    // Overrides that hold whatever configuration is read: no file system monitor, no hooks, no
    // transport (no lazy fetch of a partial clone's objects from a remote the repository names).
    let overrides = [
        ("core.fsmonitor", "false"),
        ("core.hooksPath", "/dev/null"),
        ("protocol.allow", "never"),
    ];
    env = env.set("GIT_CONFIG_COUNT", overrides.len().to_string());
    for (index, (key, value)) in overrides.iter().enumerate() {
        env = env
            .set(format!("GIT_CONFIG_KEY_{index}"), key)
            .set(format!("GIT_CONFIG_VALUE_{index}"), value);
    }
    env.set("GIT_CONFIG_NOSYSTEM", "1")
        .set("GIT_CONFIG_GLOBAL", "/dev/null")
        .set("GIT_ATTR_NOSYSTEM", "1")
        .set("GIT_NO_REPLACE_OBJECTS", "1")
        .set("GIT_NO_LAZY_FETCH", "1")
        .set("GIT_TERMINAL_PROMPT", "0")
        // Read-only commands (status) must not refresh and rewrite the index.
        .set("GIT_OPTIONAL_LOCKS", "0")
        .set("GIT_PAGER", "cat")
}

/// A repository found above a path: its working tree, its git directory (a linked worktree's own
/// one) and the common git directory holding objects and refs.
#[derive(Debug)]
struct Found {
    work_tree: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
}

/// What git's own discovery would find from `path`: the nearest `.git` directory, or `.git`
/// file naming one (linked worktrees, submodules), in `path` or a parent.
fn discover(path: &Path) -> Option<Found> {
    let path = std::fs::canonicalize(path).ok()?;
    let mut dir = if path.is_dir() {
        path
    } else {
        path.parent()?.to_path_buf()
    };
    loop {
        let dot_git = dir.join(".git");
        let git_dir = match std::fs::metadata(&dot_git) {
            Ok(meta) if meta.is_dir() => Some(dot_git),
            Ok(meta) if meta.is_file() => gitdir_file(&dot_git, &dir),
            _ => None,
        };
        if let Some(git_dir) = git_dir.and_then(|d| std::fs::canonicalize(d).ok())
            && let Some(common_dir) = common_dir(&git_dir)
        {
            return Some(Found {
                work_tree: dir,
                git_dir,
                common_dir,
            });
        }
        dir = dir.parent()?.to_path_buf();
    }
}

/// The git directory a `.git` file points at (`gitdir: <path>`, relative to its directory).
fn gitdir_file(file: &Path, dir: &Path) -> Option<PathBuf> {
    let text = read_small(file)?;
    let target = text.strip_prefix("gitdir:")?.trim();
    (!target.is_empty()).then(|| dir.join(target))
}

/// The common git directory of `git_dir` (itself, unless it is a linked worktree's), when
/// `git_dir` looks like a git directory at all.
fn common_dir(git_dir: &Path) -> Option<PathBuf> {
    if !git_dir.join("HEAD").is_file() {
        return None;
    }
    let common = match read_small(&git_dir.join("commondir")) {
        Some(text) => std::fs::canonicalize(git_dir.join(text.trim())).ok()?,
        None => git_dir.to_path_buf(),
    };
    (common.join("objects").is_dir() && common.join("refs").is_dir()).then_some(common)
}

/// A small text file (`.git`, `commondir`), or `None`; never more than 4 KiB of it.
fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(4096).read_to_string(&mut text).ok()?;
    Some(text)
}

fn build(found: &Found) -> std::io::Result<RepositoryView> {
    let dir = tempfile::Builder::new()
        .prefix("securescan-git-")
        .tempdir()?;
    let view = dir.path();
    link_entries(&found.common_dir, view, false)?;
    if found.git_dir != found.common_dir {
        // A linked worktree's own HEAD and index take the place of the main worktree's.
        link_entries(&found.git_dir, view, true)?;
    }
    std::os::unix::fs::symlink(
        std::fs::canonicalize(found.common_dir.join("objects"))?,
        view.join("objects"),
    )?;
    std::fs::create_dir(view.join("info"))?;
    let exclude = found.common_dir.join("info/exclude");
    if exclude.is_file() {
        std::os::unix::fs::symlink(exclude, view.join("info/exclude"))?;
    }
    std::fs::write(view.join("config"), config_text(&found.common_dir))?;
    Ok(RepositoryView {
        dir,
        work_tree: found.work_tree.clone(),
    })
}

/// Link the entries of `from` into `to` (only its files when `files_only`), but those in
/// [`NOT_LINKED`] and lock files, replacing links already there.
fn link_entries(from: &Path, to: &Path, files_only: bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if NOT_LINKED.iter().any(|s| name == *s)
            || name.to_string_lossy().ends_with(".lock")
            || (files_only && !entry.file_type()?.is_file())
        {
            continue;
        }
        let link = to.join(&name);
        if std::fs::symlink_metadata(&link).is_ok() {
            std::fs::remove_file(&link)?;
        }
        if name == "HEAD" {
            // git refuses a HEAD that is a symbolic link to anything but `refs/…`.
            let head = read_small(&entry.path()).ok_or_else(|| {
                std::io::Error::other(format!("cannot read {}", entry.path().display()))
            })?;
            std::fs::write(link, head)?;
        } else {
            std::os::unix::fs::symlink(entry.path(), link)?;
        }
    }
    Ok(())
}

/// The view's configuration: the repository format its data is stored in, nothing else.
fn config_text(common_dir: &Path) -> String {
    let mut version = "0".to_string();
    let mut extensions = Vec::new();
    for (key, value) in format_settings(&common_dir.join("config")) {
        match key.as_str() {
            "core.repositoryformatversion" if value == "0" || value == "1" => version = value,
            "extensions.objectformat" if value == "sha1" || value == "sha256" => {
                extensions.push(format!("\tobjectformat = {value}\n"));
            }
            "extensions.refstorage" if value == "files" || value == "reftable" => {
                extensions.push(format!("\trefstorage = {value}\n"));
            }
            _ => {}
        }
    }
    let mut text = format!("[core]\n\trepositoryformatversion = {version}\n\tbare = false\n");
    if !extensions.is_empty() {
        text.push_str("[extensions]\n");
        text.extend(extensions);
    }
    text
}

/// The repository-format keys of a config file, read by git itself (`--file` reads that one
/// file and follows no includes; reading runs nothing).
fn format_settings(config: &Path) -> Vec<(String, String)> {
    let mut command = Command::new("git");
    command
        .arg("config")
        .arg("--file")
        .arg(config)
        .args([
            "--get-regexp",
            r"^(core\.repositoryformatversion|extensions\.(objectformat|refstorage))$",
        ])
        .stdin(std::process::Stdio::null());
    no_repository_env().apply(&mut command);
    let Ok(output) = command.output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(key, value)| (key.to_ascii_lowercase(), value.trim().to_ascii_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn through(view: &RepositoryView, dir: &Path, args: &[&str]) -> String {
        let mut command = Command::new("git");
        command.current_dir(dir).args(args);
        view.env().apply(&mut command);
        let output = command.output().expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    #[test]
    fn the_view_sees_the_commits_files_and_worktrees_the_repository_has() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join("src")).expect("mkdir");
        git(&repo, &["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("src/a.py"), "a\n").expect("write");
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "one"]);
        std::fs::write(repo.join("src/a.py"), "b\n").expect("write");
        git(&repo, &["commit", "-q", "-am", "two"]);
        let first = git(&repo, &["rev-parse", "HEAD~1"]);
        git(
            &repo,
            &["worktree", "add", "-q", "--detach", "../linked", "HEAD~1"],
        );

        let view = RepositoryView::of(&repo.join("src"))
            .expect("view")
            .expect("a repo");
        assert_eq!(
            view.work_tree(),
            std::fs::canonicalize(&repo).expect("canonical")
        );
        assert_eq!(
            through(&view, &repo.join("src"), &["rev-parse", "HEAD~1"]),
            first
        );
        assert_eq!(through(&view, &repo.join("src"), &["ls-files"]), "a.py");

        let linked = dir.path().join("linked");
        let view = RepositoryView::of(&linked).expect("view").expect("a repo");
        assert_eq!(through(&view, &linked, &["rev-parse", "HEAD"]), first);
        assert_eq!(through(&view, &linked, &["ls-files"]), "src/a.py");

        let outside = tempfile::tempdir().expect("temp dir");
        assert!(
            RepositoryView::of(outside.path())
                .expect("no error")
                .is_none()
        );
    }
}
