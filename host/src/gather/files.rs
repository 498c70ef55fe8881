//! Files under a target, selected by an adapter's registry rules, in a deterministic order.

use std::io::Read;
use std::path::Path;

use crate::registry::FileSelection;

/// How much of a file is checked for NUL bytes when deciding whether it is binary.
const BINARY_SNIFF_BYTES: usize = 8192;

#[derive(Debug, Default)]
pub struct GatheredFiles {
    /// (target-prefixed path, contents), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// What was left out and why, for the scanner's warnings.
    pub notes: Vec<String>,
}

/// Walk `target` (a file or a directory), never following symlinks, pruning `skip_dirs`, and
/// skipping by suffix, size and binary content.
pub fn gather_files(target: &str, rules: &FileSelection) -> std::io::Result<GatheredFiles> {
    let root = Path::new(target);
    let mut gathered = GatheredFiles::default();
    let meta = std::fs::symlink_metadata(root)?;
    let mut skipped = Skipped::default();
    if meta.is_file() {
        consider(target, root, rules, &mut gathered, &mut skipped);
    } else if meta.is_dir() {
        walk(
            target.trim_end_matches('/'),
            root,
            rules,
            &mut gathered,
            &mut skipped,
        );
    }
    gathered.notes.extend(skipped.describe(rules));
    Ok(gathered)
}

#[derive(Default)]
struct Skipped {
    large: usize,
    binary: usize,
    unreadable: Vec<String>,
}

impl Skipped {
    fn describe(self, rules: &FileSelection) -> Vec<String> {
        let mut notes = Vec::new();
        if self.large > 0 {
            notes.push(format!(
                "skipped {} file(s) larger than {} bytes",
                self.large, rules.max_file_bytes
            ));
        }
        if self.binary > 0 {
            notes.push(format!("skipped {} binary file(s)", self.binary));
        }
        notes.extend(
            self.unreadable
                .into_iter()
                .map(|e| format!("could not read {e}")),
        );
        notes
    }
}

fn walk(
    shown: &str,
    dir: &Path,
    rules: &FileSelection,
    gathered: &mut GatheredFiles,
    skipped: &mut Skipped,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            skipped.unreadable.push(format!("{shown}: {err}"));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown_child = format!("{shown}/{name}");
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !rules.skip_dirs.iter().any(|d| d == &name) {
                walk(&shown_child, &entry.path(), rules, gathered, skipped);
            }
        } else if kind.is_file() {
            consider(&shown_child, &entry.path(), rules, gathered, skipped);
        }
    }
}

fn consider(
    shown: &str,
    path: &Path,
    rules: &FileSelection,
    gathered: &mut GatheredFiles,
    skipped: &mut Skipped,
) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if rules
        .skip_suffixes
        .iter()
        .any(|s| name.ends_with(&s.to_lowercase()))
    {
        return;
    }
    match read_selected(path, rules) {
        Ok(bytes) => gathered.files.push((shown.to_string(), bytes)),
        Err(Selection::Large) => skipped.large += 1,
        Err(Selection::Binary) => skipped.binary += 1,
        Err(Selection::Unreadable(err)) => skipped.unreadable.push(format!("{shown}: {err}")),
    }
}

enum Selection {
    Large,
    Binary,
    Unreadable(std::io::Error),
}

fn read_selected(path: &Path, rules: &FileSelection) -> Result<Vec<u8>, Selection> {
    let file = std::fs::File::open(path).map_err(Selection::Unreadable)?;
    let len = file.metadata().map_err(Selection::Unreadable)?.len();
    if len > rules.max_file_bytes {
        return Err(Selection::Large);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // Read one byte past the limit: the file may have grown since the size check.
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

    fn rules() -> FileSelection {
        FileSelection {
            skip_dirs: vec!["node_modules".into()],
            skip_suffixes: vec![".min.js".into(), ".png".into()],
            max_file_bytes: 1000,
            skip_binary: true,
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
