//! What the next commit would record: the staged files, read from the index (never the working
//! tree, which may hold other changes) and written into a private temporary tree a scan can read.
//! Files keep their place under the target, so a scan of the tree names and fingerprints them as
//! a scan of the target with the same content would.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;

use super::{GitError, Repository, checked};

/// Index modes of the entries written out: regular files (executable or not).
const REGULAR_MODES: [&str; 2] = ["100644", "100755"];

/// The staged content of a repository (or of a directory in it), written out.
#[derive(Debug)]
pub struct StagedTree {
    dir: tempfile::TempDir,
    prefix: PathBuf,
    files: BTreeSet<String>,
    left_out: Vec<String>,
}

/// One staged entry: its path from the repository root, index mode and blob.
struct Entry {
    path: String,
    mode: String,
    blob: String,
}

impl StagedTree {
    /// The files added, copied, modified or changed in type in the index (`index`, else the
    /// repository's own; a commit hook is given the one being committed in `GIT_INDEX_FILE`)
    /// under `prefix` (the target's place in the repository, empty for its root), their staged
    /// content written under a new temporary directory, which is removed on drop. Deleted files
    /// are not there; symbolic links and submodules are left out (see [`left_out`]).
    ///
    /// [`left_out`]: StagedTree::left_out
    pub fn read(
        repo: &Repository,
        index: Option<&Path>,
        prefix: &Path,
    ) -> Result<StagedTree, GitError> {
        let dir = tempfile::Builder::new()
            .prefix("securescan-staged-")
            .tempdir()
            .map_err(|err| GitError::Failed("staged tree".into(), err.to_string()))?;
        let mut tree = StagedTree {
            dir,
            prefix: prefix.to_path_buf(),
            files: BTreeSet::new(),
            left_out: Vec::new(),
        };
        let prefix = prefix.to_string_lossy().replace('\\', "/");
        let mut wanted = Vec::new();
        for entry in staged_entries(repo, index, &prefix)? {
            let Some(relative) = under(&entry.path, &prefix) else {
                continue;
            };
            match entry.mode.as_str() {
                mode if REGULAR_MODES.contains(&mode) && is_plain(relative) => {
                    wanted.push((relative.to_string(), entry.blob));
                }
                "120000" => tree.left_out.push(format!(
                    "{}: a symbolic link (what it points to is not scanned)",
                    entry.path
                )),
                "160000" => tree
                    .left_out
                    .push(format!("{}: a submodule (scan it on its own)", entry.path)),
                _ => tree
                    .left_out
                    .push(format!("{}: not a regular file path", entry.path)),
            }
        }
        write_blobs(repo, &wanted, tree.dir.path())?;
        tree.files = wanted.into_iter().map(|(path, _)| path).collect();
        Ok(tree)
    }

    /// Where the staged files are.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The target's place in the repository (empty for its root).
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The staged files written out, relative to the target (`/`-separated).
    pub fn files(&self) -> &BTreeSet<String> {
        &self.files
    }

    /// Staged entries not written out, each with why.
    pub fn left_out(&self) -> &[String] {
        &self.left_out
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// `git diff --cached --raw`: each staged change against HEAD (against nothing before the first
/// commit) with its new mode and blob. Renames count as the new path added.
fn staged_entries(
    repo: &Repository,
    index: Option<&Path>,
    prefix: &str,
) -> Result<Vec<Entry>, GitError> {
    let mut args = vec![
        "diff",
        "--cached",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        "--diff-filter=ACMT",
    ];
    let pathspec = format!(":(literal){prefix}");
    if !prefix.is_empty() {
        args.extend(["--", &pathspec]);
    }
    let mut command = repo.command(&args);
    if let Some(index) = index {
        command.env("GIT_INDEX_FILE", index);
    }
    let output = command.output().map_err(GitError::Spawn)?;
    checked("diff --cached", &output)?;
    parse_raw(&output.stdout)
}

/// Records of `--raw -z`: `:<old mode> <new mode> <old blob> <new blob> <status>` NUL `<path>` NUL.
fn parse_raw(out: &[u8]) -> Result<Vec<Entry>, GitError> {
    let bad = |what: &str| GitError::Failed("diff --cached".into(), format!("unexpected {what}"));
    let mut fields = out.split(|&b| b == 0).filter(|f| !f.is_empty());
    let mut entries = Vec::new();
    while let Some(meta) = fields.next() {
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, mode, _, blob, _] = parts.as_slice() else {
            return Err(bad(&format!("record {meta:?}")));
        };
        let path = fields.next().ok_or_else(|| bad("end of output"))?;
        entries.push(Entry {
            path: String::from_utf8_lossy(path).into_owned(),
            mode: mode.to_string(),
            blob: blob.to_string(),
        });
    }
    Ok(entries)
}

/// `path` relative to `prefix` (a directory from the repository root), if it is under it.
fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        return Some(path);
    }
    path.strip_prefix(prefix)?.strip_prefix('/')
}

/// Only plain names: git refuses `..` and `.git` in the index, but the tree is written from it,
/// so nothing that could climb out of the tree is trusted.
fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(name) if !name.eq_ignore_ascii_case(".git")))
}

/// Each `(path, blob)` written under `dir` from `git cat-file --batch`, one streamed blob at a
/// time.
fn write_blobs(repo: &Repository, wanted: &[(String, String)], dir: &Path) -> Result<(), GitError> {
    if wanted.is_empty() {
        return Ok(());
    }
    let failed = |err: std::io::Error| GitError::Failed("cat-file --batch".into(), err.to_string());
    let mut child = repo
        .command(&["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed(std::io::Error::other("no stdin")))?;
    let request: String = wanted.iter().map(|(_, blob)| format!("{blob}\n")).collect();
    // Written from another thread: git answers while it reads, and a full pipe would stop both.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed(std::io::Error::other("no stdout")))?;
    let mut reader = BufReader::new(stdout);
    let result = wanted
        .iter()
        .try_for_each(|(path, blob)| write_blob(&mut reader, blob, &dir.join(path)));
    drop(reader);
    let wrote = writer.join().unwrap_or(Ok(()));
    let output = child.wait_with_output().map_err(GitError::Spawn)?;
    result?;
    wrote.map_err(failed)?;
    checked("cat-file --batch", &output)
}

/// One answer of `cat-file --batch` (`<blob> blob <size>` LF, the bytes, LF) written to `to`.
fn write_blob(reader: &mut impl BufRead, blob: &str, to: &Path) -> Result<(), GitError> {
    let failed = |what: String| GitError::Failed("cat-file --batch".into(), what);
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .map_err(|err| failed(err.to_string()))?;
    let size = match header.trim_end().split(' ').collect::<Vec<_>>().as_slice() {
        [id, "blob", size] if *id == blob => size
            .parse::<u64>()
            .map_err(|_| failed(format!("unexpected answer {header:?}")))?,
        _ => {
            return Err(failed(format!(
                "no staged blob {blob}: {}",
                header.trim_end()
            )));
        }
    };
    let io = |err: std::io::Error| failed(format!("cannot write {}: {err}", to.display()));
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::File::create_new(to).map_err(io)?;
    let copied = std::io::copy(&mut reader.take(size), &mut file).map_err(io)?;
    let mut newline = [0u8; 1];
    reader
        .read_exact(&mut newline)
        .map_err(|err| failed(err.to_string()))?;
    if copied != size {
        return Err(failed(format!("blob {blob} ended early")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_records_give_each_path_its_new_mode_and_blob() {
        let out = b":000000 100644 0000 aaaa A\0src/new.py\0:100644 120000 bbbb cccc T\0link\0";
        let entries = parse_raw(out).expect("parses");
        let listed: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|e| (e.path.as_str(), e.mode.as_str(), e.blob.as_str()))
            .collect();
        assert_eq!(
            listed,
            [("src/new.py", "100644", "aaaa"), ("link", "120000", "cccc")]
        );
    }

    #[test]
    fn paths_are_taken_under_the_target_and_never_climb_out() {
        assert_eq!(under("src/a.py", ""), Some("src/a.py"));
        assert_eq!(under("src/a.py", "src"), Some("a.py"));
        assert_eq!(under("srcx/a.py", "src"), None);
        assert!(is_plain("src/a.py"));
        assert!(!is_plain("../a.py"));
        assert!(!is_plain("sub/.GIT/config"));
        assert!(!is_plain("/etc/passwd"));
    }
}
