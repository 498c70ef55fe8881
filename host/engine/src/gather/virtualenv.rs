//! The metadata files of the Python distributions installed in a project's virtualenvs. Reading
//! them replaces asking the virtualenv's interpreter (pip-licenses `--python`), which would run a
//! program from the scanned tree.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use super::files::{Candidate, entry_names};

/// Where projects keep their virtualenv, directly under the target, most common first.
pub const VENV_DIRS: &[&str] = &[".venv", "venv", "env", ".env"];

/// Distributions listed per scan at most: a real virtualenv holds hundreds, and a tree built to
/// hold millions must not make a scan list them all.
const MAX_DISTRIBUTIONS: usize = 20_000;

/// `<venv>/lib/python*/site-packages/*.dist-info/METADATA`, `…/*.egg-info/PKG-INFO` and
/// `…/*.egg-info` files (what distutils installed), with `Lib/site-packages` for a virtualenv
/// made on Windows, for each of [`VENV_DIRS`] under the directory `target`. Sorted by path.
/// Symlinks are never followed, at any level: a virtualenv's `lib64 -> lib` is read once, and a
/// link out of the tree is not read at all. Files over `max_file_bytes` are counted, not listed.
/// The notes say what was left out.
pub fn list_virtualenv_metadata(
    target: &str,
    max_file_bytes: u64,
) -> (Vec<Candidate>, Vec<String>) {
    let root = Path::new(target);
    let shown_root = target.trim_end_matches('/');
    let mut found = Vec::new();
    let (mut large, mut over_limit) = (0usize, 0usize);
    for site in VENV_DIRS
        .iter()
        .flat_map(|venv| site_packages(&root.join(venv)))
    {
        let mut names = entry_names(&site);
        names.sort();
        for name in names {
            let Some(file) = metadata_file(&site, &name) else {
                continue;
            };
            let Some(meta) = real(&file).filter(Metadata::is_file) else {
                continue;
            };
            if meta.len() > max_file_bytes {
                large += 1;
            } else if found.len() >= MAX_DISTRIBUTIONS {
                over_limit += 1;
            } else {
                let relative = file.strip_prefix(root).unwrap_or(&file);
                found.push(Candidate {
                    shown: format!("{shown_root}/{}", relative.to_string_lossy()),
                    path: file,
                    size: meta.len(),
                });
            }
        }
    }
    let mut notes = Vec::new();
    if large > 0 {
        notes.push(format!(
            "skipped {large} virtualenv metadata file(s) larger than {max_file_bytes} bytes"
        ));
    }
    if over_limit > 0 {
        notes.push(format!(
            "read the metadata of the first {MAX_DISTRIBUTIONS} installed Python distributions; \
             skipped {over_limit} more"
        ));
    }
    (found, notes)
}

/// The site-packages directories of the virtualenv at `venv`, if it is one.
fn site_packages(venv: &Path) -> Vec<PathBuf> {
    if !is_real_dir(venv) {
        return Vec::new();
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    let lib = venv.join("lib");
    if is_real_dir(&lib) {
        let mut versions: Vec<String> = entry_names(&lib)
            .into_iter()
            .filter(|name| name.starts_with("python") || name.starts_with("pypy"))
            .collect();
        versions.sort();
        dirs.extend(
            versions
                .iter()
                .map(|version| lib.join(version).join("site-packages")),
        );
    }
    dirs.push(venv.join("Lib").join("site-packages"));
    dirs.into_iter()
        .filter(|dir| dir.parent().is_some_and(is_real_dir) && is_real_dir(dir))
        .collect()
}

/// The metadata file of the site-packages entry `name`, if it is a distribution's.
fn metadata_file(site: &Path, name: &str) -> Option<PathBuf> {
    let entry = site.join(name);
    if name.ends_with(".dist-info") {
        is_real_dir(&entry).then(|| entry.join("METADATA"))
    } else if name.ends_with(".egg-info") {
        Some(if is_real_dir(&entry) {
            entry.join("PKG-INFO")
        } else {
            entry
        })
    } else {
        None
    }
}

/// The metadata of `path` itself, never of what a symlink there points to.
fn real(path: &Path) -> Option<Metadata> {
    std::fs::symlink_metadata(path).ok()
}

fn is_real_dir(path: &Path) -> bool {
    real(path).is_some_and(|meta| meta.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn listed(root: &Path, max_file_bytes: u64) -> (Vec<String>, Vec<String>) {
        let target = root.to_str().unwrap();
        let (found, notes) = list_virtualenv_metadata(target, max_file_bytes);
        let relative = found
            .iter()
            .map(|c| {
                c.shown
                    .strip_prefix(&format!("{target}/"))
                    .unwrap()
                    .to_string()
            })
            .collect();
        (relative, notes)
    }

    #[test]
    fn every_installer_layout_is_found_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for relative in [
            ".venv/lib/python3.11/site-packages/a-1.0.dist-info/METADATA",
            ".venv/lib/python3.11/site-packages/b-2.0-py3.11.egg-info/PKG-INFO",
            ".venv/lib/python3.11/site-packages/c-3.0-py3.11.egg-info",
            "venv/Lib/site-packages/d-4.0.dist-info/METADATA",
            "env/lib/pypy3.10/site-packages/e-5.0.dist-info/METADATA",
            // Not where an installer puts metadata.
            ".venv/lib/python3.11/site-packages/pkg/METADATA",
            ".venv/lib/python3.11/METADATA",
            "src/f-6.0.dist-info/METADATA",
            "nested/.venv/lib/python3.11/site-packages/g-7.0.dist-info/METADATA",
        ] {
            write(root, relative, "Name: x\n");
        }
        assert_eq!(
            listed(root, 1000).0,
            vec![
                ".venv/lib/python3.11/site-packages/a-1.0.dist-info/METADATA",
                ".venv/lib/python3.11/site-packages/b-2.0-py3.11.egg-info/PKG-INFO",
                ".venv/lib/python3.11/site-packages/c-3.0-py3.11.egg-info",
                "venv/Lib/site-packages/d-4.0.dist-info/METADATA",
                "env/lib/pypy3.10/site-packages/e-5.0.dist-info/METADATA",
            ]
        );
    }

    #[test]
    fn symlinks_anywhere_in_a_virtualenv_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        write(
            outside.path(),
            "lib/python3.11/site-packages/secret-1.0.dist-info/METADATA",
            "Name: secret\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(outside.path(), root.join(".venv")).unwrap();
        let site = root.join("venv/lib/python3.11/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        std::os::unix::fs::symlink(
            outside
                .path()
                .join("lib/python3.11/site-packages/secret-1.0.dist-info"),
            site.join("linked-1.0.dist-info"),
        )
        .unwrap();
        std::fs::create_dir(site.join("file-1.0.dist-info")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", site.join("file-1.0.dist-info/METADATA"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path().join("lib"), root.join("venv/lib64")).unwrap();
        assert_eq!(listed(root, 1000), (Vec::new(), Vec::new()));
    }

    #[test]
    fn oversized_metadata_is_counted_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".venv/lib/python3.12/site-packages/big-1.0.dist-info/METADATA",
            &"x".repeat(101),
        );
        assert_eq!(
            listed(dir.path(), 100),
            (
                Vec::new(),
                vec!["skipped 1 virtualenv metadata file(s) larger than 100 bytes".to_string()]
            )
        );
    }
}
