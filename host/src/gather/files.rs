//! Files under a target, selected by an adapter's registry rules, in a deterministic order.
//!
//! Listing and reading are separate so a scan can read one batch at a time: memory holds one
//! batch of contents, not the whole tree.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::virtualenv::list_virtualenv_metadata;
use crate::registry::FileSelection;
use crate::sandbox::sanitize;

/// Notes name files, and a file name can hold anything: they are sanitized and bounded.
const MAX_NOTE_BYTES: usize = 4096;

/// How much of a file is checked for NUL bytes when deciding whether it is binary.
const BINARY_SNIFF_BYTES: usize = 8192;

/// A file chosen by the rules, not read yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Target-prefixed path, as findings report it.
    pub shown: String,
    pub path: PathBuf,
    pub size: u64,
}

#[derive(Debug, Default)]
pub struct GatheredFiles {
    /// (target-prefixed path, contents), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// What was left out and why, for the scanner's warnings.
    pub notes: Vec<String>,
}

/// List and read everything at once: for small inputs (`securescan adapter run --files`).
pub fn gather_files(target: &str, rules: &FileSelection) -> std::io::Result<GatheredFiles> {
    let (candidates, mut notes) = list_files(target, rules)?;
    let mut gathered = read_files(&candidates, rules);
    notes.append(&mut gathered.notes);
    gathered.notes = notes;
    Ok(gathered)
}

/// The names in `dir`, unsorted; none when it cannot be read (a missing or unreadable directory
/// simply has nothing to look at).
pub fn entry_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Walk `target` (a file or a directory), sorted by name, never following symlinks below it,
/// pruning `skip_dirs`, skipping by suffix and by size; then, when the rules ask for them, the
/// metadata files of the target's virtualenvs.
pub fn list_files(
    target: &str,
    rules: &FileSelection,
) -> std::io::Result<(Vec<Candidate>, Vec<String>)> {
    let root = Path::new(target);
    // The target itself was named by the user, so a symlink there is followed.
    let meta = std::fs::metadata(root)?;
    let mut walk = Walk {
        rules,
        candidates: Vec::new(),
        large: 0,
        unreadable: Vec::new(),
    };
    if meta.is_file() {
        // Read through the resolved path, so the no-follow open below accepts a linked target.
        let resolved = std::fs::canonicalize(root)?;
        walk.consider(target, &resolved, meta.len());
    } else if meta.is_dir() {
        walk.dir(target.trim_end_matches('/'), root);
    }
    let mut notes = Vec::new();
    if rules.virtualenv_metadata && meta.is_dir() {
        let (mut found, mut venv_notes) = list_virtualenv_metadata(target, rules.max_file_bytes);
        walk.candidates.append(&mut found);
        notes.append(&mut venv_notes);
    }
    if walk.large > 0 {
        notes.push(format!(
            "skipped {} file(s) larger than {} bytes",
            walk.large, rules.max_file_bytes
        ));
    }
    notes.extend(
        walk.unreadable
            .into_iter()
            .map(|e| sanitize(&format!("could not read {e}"), MAX_NOTE_BYTES)),
    );
    Ok((walk.candidates, notes))
}

struct Walk<'a> {
    rules: &'a FileSelection,
    candidates: Vec<Candidate>,
    large: usize,
    unreadable: Vec<String>,
}

impl Walk<'_> {
    fn dir(&mut self, shown: &str, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.unreadable.push(format!("{shown}: {err}"));
                return;
            }
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let shown_child = format!("{shown}/{name}");
            // DirEntry metadata does not follow symlinks: links are neither walked nor read.
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                if !self.rules.skip_dirs.iter().any(|d| d == &name) {
                    self.dir(&shown_child, &entry.path());
                }
            } else if meta.is_file() {
                self.consider(&shown_child, &entry.path(), meta.len());
            }
        }
    }

    fn consider(&mut self, shown: &str, path: &Path, size: u64) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if self
            .rules
            .skip_suffixes
            .iter()
            .any(|s| name.ends_with(&s.to_lowercase()))
        {
            return;
        }
        let included = |pattern: &String| name_matches(&pattern.to_lowercase(), &name);
        if !self.rules.include.is_empty() && !self.rules.include.iter().any(included) {
            return;
        }
        if size > self.rules.max_file_bytes {
            self.large += 1;
            return;
        }
        self.candidates.push(Candidate {
            shown: shown.to_string(),
            path: path.to_path_buf(),
            size,
        });
    }
}

/// `pattern` against a (lowercased) file name, where `*` matches any run of characters.
fn name_matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Read candidates, re-checking size (files change) and skipping binary content.
pub fn read_files(candidates: &[Candidate], rules: &FileSelection) -> GatheredFiles {
    let mut gathered = GatheredFiles::default();
    let (mut large, mut binary) = (0, 0);
    for candidate in candidates {
        match read_selected(&candidate.path, rules) {
            Ok(bytes) => gathered.files.push((candidate.shown.clone(), bytes)),
            Err(Selection::Large) => large += 1,
            Err(Selection::Binary) => binary += 1,
            Err(Selection::Unreadable(err)) => gathered.notes.push(sanitize(
                &format!("could not read {}: {err}", candidate.shown),
                MAX_NOTE_BYTES,
            )),
        }
    }
    if large > 0 {
        gathered.notes.push(format!(
            "skipped {large} file(s) that grew past {} bytes",
            rules.max_file_bytes
        ));
    }
    if binary > 0 {
        gathered
            .notes
            .push(format!("skipped {binary} binary file(s)"));
    }
    gathered
}

enum Selection {
    Large,
    Binary,
    Unreadable(std::io::Error),
}

fn read_selected(path: &Path, rules: &FileSelection) -> Result<Vec<u8>, Selection> {
    // A file swapped for a symlink after the walk is refused (O_NOFOLLOW), and one swapped for a
    // FIFO cannot block the open (O_NONBLOCK) and is refused as not a regular file.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(Selection::Unreadable)?;
    if !file.metadata().map_err(Selection::Unreadable)?.is_file() {
        return Err(Selection::Unreadable(std::io::Error::other(
            "no longer a regular file",
        )));
    }
    let mut bytes = Vec::new();
    // Read one byte past the limit: the file may have grown since it was listed.
    file.take(rules.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(Selection::Unreadable)?;
    if bytes.len() as u64 > rules.max_file_bytes {
        return Err(Selection::Large);
    }
    if rules.skip_binary && bytes[..bytes.len().min(BINARY_SNIFF_BYTES)].contains(&0) {
        return Err(Selection::Binary);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_patterns_match_like_shell_globs() {
        for (pattern, name, expected) in [
            ("dockerfile", "dockerfile", true),
            ("dockerfile", "dockerfile.prod", false),
            ("dockerfile.*", "dockerfile.prod", true),
            ("dockerfile.*", "dockerfile", false),
            ("*.dockerfile", "app.dockerfile", true),
            ("*.dockerfile", "dockerfile", false),
            ("a*b*c", "a-x-b-y-c", true),
            ("a*b*c", "a-c-b", false),
        ] {
            assert_eq!(name_matches(pattern, name), expected, "{pattern} vs {name}");
        }
    }

    #[test]
    fn include_patterns_select_files_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["Dockerfile", "Dockerfile.prod", "app.py", "web.dockerfile"] {
            std::fs::write(dir.path().join(name), "FROM x").unwrap();
        }
        let mut selection = rules();
        selection.include = vec![
            "Dockerfile".into(),
            "Dockerfile.*".into(),
            "*.dockerfile".into(),
        ];
        let (listed, _) = list_files(dir.path().to_str().unwrap(), &selection).unwrap();
        let names: Vec<_> = listed
            .iter()
            .map(|c| c.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["Dockerfile", "Dockerfile.prod", "web.dockerfile"]
        );
    }

    fn rules() -> FileSelection {
        FileSelection {
            include: Vec::new(),
            skip_dirs: vec!["node_modules".into()],
            skip_suffixes: vec![".min.js".into(), ".png".into()],
            max_file_bytes: 1000,
            skip_binary: true,
            virtualenv_metadata: false,
        }
    }

    #[test]
    fn skips_binary_huge_excluded_and_linked_files_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("b.py"), "b = 1\n").unwrap();
        std::fs::write(root.join("a.py"), "a = 1\n").unwrap();
        std::fs::write(root.join("blob.dat"), b"ELF\0\0\x01binary").unwrap();
        std::fs::write(root.join("huge.txt"), "x".repeat(1001)).unwrap();
        std::fs::write(root.join("app.MIN.JS"), "minified").unwrap();
        std::fs::create_dir(root.join("node_modules")).unwrap();
        std::fs::write(root.join("node_modules/dep.js"), "dep").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd-link")).unwrap();

        let target = root.to_str().unwrap();
        let gathered = gather_files(target, &rules()).unwrap();
        let paths: Vec<&str> = gathered.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            vec![format!("{target}/a.py"), format!("{target}/b.py")]
        );
        assert_eq!(
            gathered.notes,
            vec![
                "skipped 1 file(s) larger than 1000 bytes",
                "skipped 1 binary file(s)"
            ]
        );
    }

    #[test]
    fn a_single_file_target_is_gathered_as_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one.env");
        std::fs::write(&file, "TOKEN=abcdef").unwrap();
        let gathered = gather_files(file.to_str().unwrap(), &rules()).unwrap();
        assert_eq!(
            gathered.files,
            vec![(file.to_str().unwrap().to_string(), b"TOKEN=abcdef".to_vec())]
        );
    }
}
