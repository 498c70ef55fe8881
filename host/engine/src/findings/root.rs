//! The scan root: the directory finding paths are named relative to, so a tree fingerprints alike
//! wherever it is checked out and however its path was spelled on the command line.

use std::path::{Component, Path, PathBuf};

/// Where a scan's files live. Built once per scan (it touches the filesystem); naming a path
/// against it is pure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRoot {
    /// Absolute and lexically normal (no `.`, `..` or repeated `/`).
    dir: PathBuf,
    /// `dir` with symlinks resolved, when that differs: a tool may print either spelling.
    resolved: Option<PathBuf>,
    /// Where tools ran, so where the relative paths they print start.
    cwd: PathBuf,
}

impl ScanRoot {
    /// The root of a scan of `target` run from `cwd`: the target directory, or a file target's
    /// parent. `None` when the target is not a local path (a URL, a host), so paths stay as printed.
    pub fn of_target(target: &str, cwd: &Path) -> Option<ScanRoot> {
        let absolute = lexical(&cwd.join(target));
        let meta = std::fs::metadata(&absolute).ok()?;
        let dir = if meta.is_dir() {
            absolute
        } else {
            absolute.parent()?.to_path_buf()
        };
        let resolved = std::fs::canonicalize(&dir).ok().filter(|r| *r != dir);
        Some(ScanRoot {
            dir,
            resolved,
            cwd: lexical(cwd),
        })
    }

    /// A root at `dir` (absolute) for tools run from `cwd`, without looking at the filesystem.
    pub fn at(dir: &Path, cwd: &Path) -> ScanRoot {
        ScanRoot {
            dir: lexical(dir),
            resolved: None,
            cwd: lexical(cwd),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `path` as a tool printed it, named relative to the root with `/` separators (`.` for the
    /// root itself); `None` when it lies outside. Purely lexical: whether the name may be read
    /// is the reader's decision.
    pub fn relative(&self, path: &str) -> Option<String> {
        let path = path.replace('\\', "/");
        if path.is_empty() {
            return None;
        }
        let printed = Path::new(&path);
        // Tools get the target as the user spelled it, so relative paths start at the cwd
        // (`repo/src/a.py` for target `repo`)…
        let from_cwd = lexical(&self.cwd.join(printed));
        let bases = std::iter::once(&self.dir).chain(self.resolved.as_ref());
        for base in bases {
            if let Ok(rest) = from_cwd.strip_prefix(base) {
                return Some(slash_joined(rest));
            }
        }
        // …but a report made inside the tree (ingested later) names paths from the root.
        if printed.is_relative() {
            let inside = lexical(printed);
            if !matches!(inside.components().next(), Some(Component::ParentDir)) {
                return Some(slash_joined(&inside));
            }
        }
        None
    }
}

fn slash_joined(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `.` dropped and `..` applied without touching the filesystem; a relative path keeps the `..`
/// that climb above its start, an absolute one stops at `/`.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let climbable = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if climbable {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Name each finding's file relative to the root of a scan of `target`, under `prefix` (the
/// root's place in a repository; empty for the root itself): what files that must read the same
/// in every checkout (baselines, diffs, pull-request links) show. Paths outside the root stay as
/// printed.
pub fn name_from_root(
    findings: &mut [super::Finding],
    target: &str,
    prefix: &Path,
    working_dir: &Path,
) {
    let Some(root) = ScanRoot::of_target(target, working_dir) else {
        return;
    };
    for finding in findings {
        let Some(relative) = finding.file_path.as_deref().and_then(|p| root.relative(p)) else {
            continue;
        };
        let named = match (relative.as_str(), prefix.as_os_str().is_empty()) {
            (_, true) => relative,
            (".", false) => prefix.to_string_lossy().replace('\\', "/"),
            (_, false) => prefix.join(&relative).to_string_lossy().replace('\\', "/"),
        };
        finding.file_path = Some(named);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> ScanRoot {
        ScanRoot::at(Path::new("/a/repo"), Path::new("/a"))
    }

    #[test]
    fn paths_printed_every_way_name_the_same_file() {
        for printed in [
            "repo/src/app.py",
            "./repo/src/app.py",
            "/a/repo/src/app.py",
            "/a/./repo//src/../src/app.py",
            "repo\\src\\app.py",
            "src/app.py",
        ] {
            assert_eq!(
                root().relative(printed).as_deref(),
                Some("src/app.py"),
                "{printed}"
            );
        }
    }

    #[test]
    fn paths_outside_the_root_have_no_relative_name() {
        for printed in ["/etc/passwd", "../outside.py", "src/../../x.py", ""] {
            assert_eq!(root().relative(printed), None, "{printed}");
        }
    }

    #[test]
    fn the_root_itself_is_dot() {
        assert_eq!(root().relative("repo").as_deref(), Some("."));
    }

    #[test]
    fn a_file_target_is_rooted_at_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
        let root = ScanRoot::of_target("app.py", dir.path()).unwrap();
        assert_eq!(root.dir(), dir.path());
        assert_eq!(root.relative("app.py").as_deref(), Some("app.py"));
    }

    #[test]
    fn a_target_that_is_not_a_path_has_no_root() {
        assert_eq!(
            ScanRoot::of_target("https://example.com", Path::new("/")),
            None
        );
    }
}
