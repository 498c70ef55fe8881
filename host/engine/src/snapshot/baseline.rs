//! The baseline file: every current finding's identity, written so that two scans of the same
//! code give the same bytes (sorted entries and keys, no timestamps, the target relative to the
//! file), and read back as the set of fingerprints `--baseline` suppresses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::findings::{Finding, ScanType, sort_canonical};
use crate::limited_read::{MAX_FINDINGS_FILE_BYTES, read_limited};

/// The baseline document for `findings` of a scan of `target` with `types`, to be written to
/// `output`: the nine identity fields of each finding in canonical order, keys sorted at every
/// level, two-space indent, raw UTF-8, a final newline.
pub fn render_baseline(
    findings: &[Finding],
    target: &Path,
    types: &[ScanType],
    output: &Path,
    generated_by: &str,
    working_dir: &Path,
) -> String {
    let mut sorted = findings.to_vec();
    sort_canonical(&mut sorted);
    let entries: Vec<BTreeMap<&str, Value>> = sorted.iter().map(entry).collect();
    let mut types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    let mut document: BTreeMap<&str, Value> = BTreeMap::new();
    document.insert(
        "findings",
        serde_json::to_value(entries).unwrap_or_default(),
    );
    document.insert("generated_by", Value::from(generated_by));
    document.insert("scan_types", Value::from(types));
    document.insert(
        "target_path",
        Value::from(target_from(output, target, working_dir)),
    );
    document.insert("version", Value::from(1));
    let mut text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|err| unreachable!("plain JSON values always serialize: {err}"));
    text.push('\n');
    text
}

fn entry(f: &Finding) -> BTreeMap<&'static str, Value> {
    let text = |v: &Option<String>| v.as_deref().map_or(Value::Null, Value::from);
    BTreeMap::from([
        ("cwe", text(&f.cwe)),
        ("file_path", text(&f.file_path)),
        ("fingerprint", Value::from(f.fingerprint.as_str())),
        ("line_start", f.line_start.map_or(Value::Null, Value::from)),
        ("rule_id", text(&f.rule_id)),
        ("scan_type", Value::from(f.scan_type.as_str())),
        ("scanner", Value::from(f.scanner.as_str())),
        ("severity", Value::from(f.severity.as_str())),
        ("title", Value::from(f.title.as_str())),
    ])
}

/// The target as seen from the baseline file's directory, so the file reads the same in every
/// checkout; `/`-separated.
fn target_from(output: &Path, target: &Path, cwd: &Path) -> String {
    let absolute = |p: &Path| {
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        std::fs::canonicalize(&joined).unwrap_or_else(|_| lexical(&joined))
    };
    let output = absolute(output);
    let dir = output.parent().unwrap_or(Path::new("/"));
    let relative = relative_path(&absolute(target), dir);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.is_empty() { ".".into() } else { text }
}

/// `..` and `.` resolved without touching the file system (for paths that do not exist yet).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to the directory `from` (both absolute and normalized).
fn relative_path(path: &Path, from: &Path) -> PathBuf {
    let path: Vec<Component> = path.components().collect();
    let from: Vec<Component> = from.components().collect();
    let common = path.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &path[common..] {
        out.push(component);
    }
    out
}

/// The fingerprints of a baseline file (or any findings file) for `--baseline` suppression. A
/// missing or unreadable file suppresses nothing and says so: a broken baseline must never stop
/// a scan, and must never look like it worked.
pub fn baseline_fingerprints(path: &Path) -> (BTreeSet<String>, Option<String>) {
    let shown = path.display();
    let text = match read_limited(path, MAX_FINDINGS_FILE_BYTES, "a baseline file") {
        Ok(text) => text,
        Err(err) if err.is_not_found() => {
            return (
                BTreeSet::new(),
                Some(format!(
                    "warning: baseline file not found: {shown}; nothing is suppressed by it"
                )),
            );
        }
        Err(err) => {
            return (
                BTreeSet::new(),
                Some(format!(
                    "warning: {err}; nothing is suppressed by the baseline file {shown}"
                )),
            );
        }
    };
    let entries = match serde_json::from_slice::<Value>(&text) {
        Ok(Value::Array(entries)) => entries,
        Ok(Value::Object(mut object)) => match object.remove("findings") {
            Some(Value::Array(entries)) => entries,
            _ => {
                return (
                    BTreeSet::new(),
                    Some(format!(
                        "warning: baseline file {shown} has no `findings` array; nothing is \
                         suppressed by it"
                    )),
                );
            }
        },
        Ok(_) => Vec::new(),
        Err(err) => {
            return (
                BTreeSet::new(),
                Some(format!(
                    "warning: could not parse baseline file {shown}: {err}; nothing is \
                     suppressed by it"
                )),
            );
        }
    };
    let prints = entries
        .iter()
        .filter_map(|e| e.get("fingerprint")?.as_str())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    (prints, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative_path(Path::new("/w/proj"), Path::new("/w/proj/.securescan")),
            PathBuf::from("..")
        );
        assert_eq!(
            relative_path(Path::new("/w/proj/src"), Path::new("/w/other")),
            PathBuf::from("../proj/src")
        );
        assert_eq!(
            relative_path(Path::new("/w"), Path::new("/w")),
            PathBuf::new()
        );
    }

    #[test]
    fn a_missing_or_corrupt_baseline_warns_and_suppresses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (prints, warning) = baseline_fingerprints(&dir.path().join("nope.json"));
        assert!(prints.is_empty());
        assert!(warning.unwrap().contains("not found"));
        let corrupt = dir.path().join("bad.json");
        std::fs::write(&corrupt, "{\"findings\": [").unwrap();
        let (prints, warning) = baseline_fingerprints(&corrupt);
        assert!(prints.is_empty());
        assert!(warning.unwrap().contains("could not parse"));
    }
}
