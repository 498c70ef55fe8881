//! Files under a target, selected by an adapter's registry rules, in a deterministic order.
//!
//! Listing and reading are separate so a scan can read one batch at a time: memory holds one
//! batch of contents, not the whole tree.

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::virtualenv::list_virtualenv_metadata;
use securescan_model::text::sanitize;
use securescan_registry::{FileSelection, LargeFiles};

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

/// List and read everything at once: for small inputs (`securescan adapter run --files`). Files
/// a scan reads in windows are left out: one call has no place to say where a window starts.
pub fn gather_files(target: &str, rules: &FileSelection) -> std::io::Result<GatheredFiles> {
    let (mut candidates, mut notes) = list_files(target, rules)?;
    let before = candidates.len();
    candidates.retain(|c| !rules.windowed(c.size));
    if candidates.len() < before {
        notes.push(format!(
            "skipped {} file(s) larger than {} bytes (a scan reads them in windows)",
            before - candidates.len(),
            rules.max_file_bytes
        ));
    }
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
        name_only: 0,
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
    if walk.name_only > 0 {
        notes.push(name_only_note(walk.name_only, rules.max_file_bytes));
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
    name_only: usize,
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
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if !name_selected(self.rules, &name) {
            return;
        }
        if size > self.rules.max_file_bytes {
            match self.rules.large_files {
                LargeFiles::Skip => {
                    self.large += 1;
                    return;
                }
                LargeFiles::NameOnly => self.name_only += 1,
                LargeFiles::Windows => {}
            }
        }
        self.candidates.push(Candidate {
            shown: shown.to_string(),
            path: path.to_path_buf(),
            size,
        });
    }
}

/// Whether the rules gather a file of this name: no skipped suffix, and an include pattern
/// (when there are any) matches.
fn name_selected(rules: &FileSelection, name: &str) -> bool {
    let name = name.to_lowercase();
    if rules
        .skip_suffixes
        .iter()
        .any(|s| name.ends_with(&s.to_lowercase()))
    {
        return false;
    }
    rules.include.is_empty() || any_name_matches(&rules.include, &name)
}

/// Whether the rules gather the file at `relative` (`/`-separated, from the target) by its name
/// and the directories it is in, whatever its size and contents: which files of a list matter
/// to an analyzer, without walking a tree.
pub fn selects(rules: &FileSelection, relative: &str) -> bool {
    let mut parts: Vec<&str> = relative.split('/').collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    !parts
        .iter()
        .any(|dir| rules.skip_dirs.iter().any(|d| d == dir))
        && name_selected(rules, name)
}

/// Whether any of `patterns` (`*` matches any run of characters, case ignored) matches the
/// file name `name`.
pub fn any_name_matches(patterns: &[String], name: &str) -> bool {
    let name = name.to_lowercase();
    patterns
        .iter()
        .any(|pattern| name_matches(&pattern.to_lowercase(), &name))
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

/// A note that names a file, made safe to print.
pub fn file_note(text: &str) -> String {
    sanitize(text, MAX_NOTE_BYTES)
}

/// A file that could not be read.
pub fn unreadable_note(shown: &str, err: &std::io::Error) -> String {
    file_note(&format!("could not read {shown}: {err}"))
}

fn name_only_note(count: usize, max_file_bytes: u64) -> String {
    format!(
        "{count} file(s) larger than {max_file_bytes} bytes were judged by name only (contents not read)"
    )
}

/// Read candidates, re-checking size (files change) and skipping binary content. A file larger
/// than the limit is sent with empty contents when the selection judges such files by name.
pub fn read_files(candidates: &[Candidate], rules: &FileSelection) -> GatheredFiles {
    let mut gathered = GatheredFiles::default();
    let (mut large, mut binary, mut grown_name_only) = (0, 0, 0);
    let name_only = rules.large_files == LargeFiles::NameOnly;
    for candidate in candidates {
        if name_only && candidate.size > rules.max_file_bytes {
            gathered.files.push((candidate.shown.clone(), Vec::new()));
            continue;
        }
        match read_selected(&candidate.path, rules) {
            Ok(bytes) => gathered.files.push((candidate.shown.clone(), bytes)),
            Err(Selection::Large) if name_only => {
                grown_name_only += 1;
                gathered.files.push((candidate.shown.clone(), Vec::new()));
            }
            Err(Selection::Large) => large += 1,
            Err(Selection::Binary) => binary += 1,
            Err(Selection::Unreadable(err)) => {
                gathered.notes.push(unreadable_note(&candidate.shown, &err))
            }
        }
    }
    if large > 0 {
        gathered.notes.push(format!(
            "skipped {large} file(s) that grew past {} bytes",
            rules.max_file_bytes
        ));
    }
    if grown_name_only > 0 {
        gathered
            .notes
            .push(name_only_note(grown_name_only, rules.max_file_bytes));
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
    let file = open_regular(path).map_err(Selection::Unreadable)?;
    let mut bytes = Vec::new();
    // Read one byte past the limit: the file may have grown since it was listed.
    file.take(rules.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(Selection::Unreadable)?;
    if bytes.len() as u64 > rules.max_file_bytes {
        return Err(Selection::Large);
    }
    if rules.skip_binary && is_binary(&bytes) {
        return Err(Selection::Binary);
    }
    Ok(bytes)
}

fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    // A file swapped for a symlink after the walk is refused (O_NOFOLLOW), and one swapped for a
    // FIFO cannot block the open (O_NONBLOCK) and is refused as not a regular file.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("no longer a regular file"));
    }
    Ok(file)
}

fn is_binary(head: &[u8]) -> bool {
    head[..head.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// Where a window of a large file starts: a byte offset at the start of a line, and that line's
/// number (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowStart {
    pub offset: u64,
    pub line: u32,
}

impl WindowStart {
    pub const FILE_START: WindowStart = WindowStart { offset: 0, line: 1 };
}

/// Whole lines of a large file, at most the window size of them. Windows are cut at line breaks,
/// so a line (and any secret on it) is in exactly one window: none is lost at a boundary, none
/// reported twice.
#[derive(Debug, PartialEq, Eq)]
pub struct Window {
    pub bytes: Vec<u8>,
    pub first_line: u32,
    /// Where the next window starts; `None` after the last.
    pub next: Option<WindowStart>,
    /// This window is the head of one line longer than the window size; the rest of that line
    /// is skipped.
    pub cut_line: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("binary file")]
    Binary,
    #[error(transparent)]
    Unreadable(#[from] std::io::Error),
}

/// The window of the file at `path` that starts at `start`, of at most `size` bytes.
pub fn read_window(
    path: &Path,
    start: WindowStart,
    size: usize,
    rules: &FileSelection,
) -> Result<Window, WindowError> {
    let mut file = open_regular(path)?;
    file.seek(SeekFrom::Start(start.offset))?;
    let mut bytes = Vec::new();
    // One byte more than the window tells a window that ends the file from one that does not.
    (&mut file).take(size as u64 + 1).read_to_end(&mut bytes)?;
    if start.offset == 0 && rules.skip_binary && is_binary(&bytes) {
        return Err(WindowError::Binary);
    }
    if bytes.len() <= size {
        return Ok(Window {
            bytes,
            first_line: start.line,
            next: None,
            cut_line: false,
        });
    }
    if let Some(end) = bytes[..size].iter().rposition(|&b| b == b'\n') {
        bytes.truncate(end + 1);
        let lines =
            u32::try_from(bytes.iter().filter(|&&b| b == b'\n').count()).unwrap_or(u32::MAX);
        return Ok(Window {
            bytes,
            first_line: start.line,
            next: Some(WindowStart {
                offset: start.offset + bytes_len(end + 1),
                line: start.line.saturating_add(lines),
            }),
            cut_line: false,
        });
    }
    // One line fills the whole window: keep its head, skip to the line after it.
    let ends_here = bytes[size] == b'\n';
    bytes.truncate(size);
    let after_window = start.offset + bytes_len(size) + 1;
    let next_line = if ends_here {
        Some(after_window)
    } else {
        skip_line(&mut file)?.map(|skipped| after_window + skipped)
    };
    Ok(Window {
        bytes,
        first_line: start.line,
        next: next_line.map(|offset| WindowStart {
            offset,
            line: start.line.saturating_add(1),
        }),
        cut_line: !ends_here,
    })
}

fn bytes_len(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// Read past the next line break: how many bytes that took, or `None` at the end of the file.
fn skip_line(file: &mut std::fs::File) -> std::io::Result<Option<u64>> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut skipped = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(at) = buf[..n].iter().position(|&b| b == b'\n') {
            return Ok(Some(skipped + bytes_len(at + 1)));
        }
        skipped += bytes_len(n);
    }
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

    #[test]
    fn a_listed_path_is_selected_like_a_walk_would_gather_it() {
        let mut selection = rules();
        assert!(selects(&selection, "src/app.py"));
        assert!(!selects(&selection, "web/node_modules/x/index.js"));
        assert!(!selects(&selection, "static/app.MIN.js"));
        selection.include = vec!["Dockerfile".into(), "*.dockerfile".into()];
        assert!(selects(&selection, "deploy/Dockerfile"));
        assert!(selects(&selection, "web.Dockerfile"));
        assert!(!selects(&selection, "src/app.py"));
    }

    fn rules() -> FileSelection {
        FileSelection {
            include: Vec::new(),
            skip_dirs: vec!["node_modules".into()],
            skip_suffixes: vec![".min.js".into(), ".png".into()],
            max_file_bytes: 1000,
            skip_binary: true,
            virtualenv_metadata: false,
            large_files: LargeFiles::Skip,
        }
    }

    /// Every window of the file at `path`, in order.
    fn windows(path: &Path, size: usize) -> Vec<Window> {
        let mut all = Vec::new();
        let mut start = Some(WindowStart::FILE_START);
        while let Some(at) = start {
            let window = read_window(path, at, size, &rules()).unwrap();
            start = window.next;
            all.push(window);
        }
        all
    }

    #[test]
    fn windows_hold_every_line_once_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.env");
        let text: String = (1..=200)
            .map(|n| format!("LINE{n}={}\n", "v".repeat(n % 13)))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let all = windows(&path, 64);
        assert!(all.len() > 10);
        let mut joined: Vec<u8> = Vec::new();
        let mut expected_line = 1;
        for window in &all {
            assert!(window.bytes.len() <= 64 && !window.cut_line);
            assert_eq!(window.first_line, expected_line);
            let text = String::from_utf8(window.bytes.clone()).unwrap();
            assert!(text.starts_with(&format!("LINE{expected_line}=")), "{text}");
            expected_line += u32::try_from(text.matches('\n').count()).unwrap();
            joined.extend(&window.bytes);
        }
        assert_eq!(joined, text.as_bytes(), "nothing lost, nothing twice");
    }

    #[test]
    fn a_line_longer_than_a_window_is_cut_and_the_next_line_keeps_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.env");
        std::fs::write(
            &path,
            format!("A=1\n{}\nB=2\n{}\n", "x".repeat(300), "y".repeat(10)),
        )
        .unwrap();
        let all = windows(&path, 100);
        let seen: Vec<(u32, bool, String)> = all
            .iter()
            .map(|w| {
                (
                    w.first_line,
                    w.cut_line,
                    String::from_utf8_lossy(&w.bytes)[..3].to_string(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, false, "A=1".to_string()),
                (2, true, "xxx".to_string()),
                (3, false, "B=2".to_string()),
            ]
        );
        assert_eq!(all[1].bytes.len(), 100);
    }

    #[test]
    fn a_binary_file_is_not_read_in_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blob.env");
        std::fs::write(&path, b"\0\0\0\nA=1\n").unwrap();
        assert!(matches!(
            read_window(&path, WindowStart::FILE_START, 4, &rules()),
            Err(WindowError::Binary)
        ));
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
