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
    /// How findings name the root: the target as the user spelled it, lexically normal (empty
    /// for the current directory), so `scan src`, `scan ./src/` and `scan src/../src` all
    /// print `src/app.py`, and an absolute target absolute paths.
    named: PathBuf,
}

impl ScanRoot {
    /// The root of a scan of `target` run from `cwd`: the target directory, or a file target's
    /// parent. `None` when the target is not a local path (a URL, a host), so paths stay as printed.
    pub fn of_target(target: &str, cwd: &Path) -> Option<ScanRoot> {
        let absolute = lexical(&cwd.join(target));
        let spelled = lexical(Path::new(target));
        let meta = std::fs::metadata(&absolute).ok()?;
        let (dir, named) = if meta.is_dir() {
            (absolute, spelled)
        } else {
            let named = spelled.parent().map(Path::to_path_buf).unwrap_or_default();
            (absolute.parent()?.to_path_buf(), named)
        };
        let resolved = std::fs::canonicalize(&dir).ok().filter(|r| *r != dir);
        Some(ScanRoot {
            dir,
            resolved,
            cwd: lexical(cwd),
            named,
        })
    }

    /// A root at `dir` (absolute) for tools run from `cwd`, without looking at the filesystem.
    pub fn at(dir: &Path, cwd: &Path) -> ScanRoot {
        ScanRoot {
            dir: lexical(dir),
            resolved: None,
            cwd: lexical(cwd),
            named: lexical(dir),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `path` as a tool printed it, named relative to the root with `/` separators (`.` for the
    /// root itself); `None` when it lies outside. Purely lexical: whether the name may be read
    /// is the reader's decision.
    pub fn relative(&self, path: &str) -> Option<String> {
        self.plain_relative(path)
            .or_else(|| self.relative_by_components(path))
    }

    /// [`relative`](Self::relative) by string comparison alone, for the path tools print most:
    /// absolute, or relative to the cwd, under the root as spelled, with no `\`, `.`, `..`, empty
    /// or trailing component. `None` for any other path, not only one outside the root. Called
    /// several times for each of tens of thousands of findings; the component walk it skips
    /// allocates at every step.
    fn plain_relative(&self, path: &str) -> Option<String> {
        if path.contains('\\') {
            return None;
        }
        let joined;
        let absolute = if path.starts_with('/') {
            path
        } else {
            joined = format!("{}/{path}", self.cwd.to_str()?);
            &joined
        };
        let rest = absolute
            .strip_prefix(self.dir.to_str()?)?
            .strip_prefix('/')?;
        let plain = rest.split('/').all(|part| !matches!(part, "" | "." | ".."));
        plain.then(|| rest.to_string())
    }

    fn relative_by_components(&self, path: &str) -> Option<String> {
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

impl ScanRoot {
    /// `path` as a tool printed it, in the one form every finding of the scan shows: the
    /// [`relative`](Self::relative) name under the target as the user spelled it. `None` when it
    /// lies outside the root (then it stays as printed).
    pub fn shown(&self, path: &str) -> Option<String> {
        let relative = self.relative(path)?;
        if self.named.as_os_str().is_empty() {
            return Some(relative);
        }
        let named = self.named.to_string_lossy().replace('\\', "/");
        Some(match relative.as_str() {
            "." => named,
            _ if named.ends_with('/') => format!("{named}{relative}"),
            _ => format!("{named}/{relative}"),
        })
    }
}

/// Give every finding's file the one form [`ScanRoot::shown`] names it by, before identity,
/// suppression, dedup and output see it: two tools that print `./app.py` and `app.py` (or one
/// absolute and one relative) then name the same file alike, so they merge and sort together.
pub fn name_under_target(findings: &mut [super::Finding], root: &ScanRoot) {
    for finding in findings {
        if let Some(shown) = finding.file_path.as_deref().and_then(|p| root.shown(p)) {
            finding.file_path = Some(shown);
        }
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
    fn plain_paths_are_named_as_the_component_walk_names_them() {
        let roots = [
            root(),
            ScanRoot::at(Path::new("/a/repo"), Path::new("/a/repo")),
            ScanRoot::at(Path::new("/a/repo"), Path::new("/a/repo/src")),
            ScanRoot::at(Path::new("/"), Path::new("/")),
        ];
        let printed = [
            "repo/src/app.py",
            "src/app.py",
            "app.py",
            "/a/repo/src/app.py",
            "/a/repo",
            "/a/repo/",
            "/a/repository/x.py",
            "/a/repo/./x.py",
            "/a/repo/x/../y.py",
            "/a/repo//x.py",
            "/a/repo/.../x.py",
            "x/.",
            "/etc/passwd",
            "../outside.py",
            "repo\\src\\app.py",
            "",
        ];
        for root in &roots {
            for path in printed {
                assert_eq!(
                    root.relative(path),
                    root.relative_by_components(path),
                    "{path:?} under {root:?}"
                );
            }
        }
        for path in ["/a/repo/src/app.py", "repo/src/app.py"] {
            assert!(root().plain_relative(path).is_some(), "{path}");
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

    // Regression: with target `.` bandit printed `./x.py` and semgrep `x.py`, so the two never
    // named one file alike.
    #[test]
    fn every_spelling_of_a_target_shows_one_name_per_file() {
        let base = tempfile::tempdir().unwrap();
        let base = base.path();
        let repo = base.join("repo");
        std::fs::create_dir_all(repo.join("src")).unwrap();
        std::fs::write(repo.join("src/app.py"), "x = 1\n").unwrap();
        std::os::unix::fs::symlink(&repo, base.join("link")).unwrap();
        let abs = repo.to_string_lossy().into_owned();
        let under_abs = format!("{abs}/src/app.py");
        let cases: [(&str, &Path, &str); 9] = [
            (".", &repo, "src/app.py"),
            ("./", &repo, "src/app.py"),
            ("src/..", &repo, "src/app.py"),
            (&abs, base, &under_abs),
            (&format!("{abs}/"), base, &under_abs),
            (&format!("{abs}/src/.."), &repo, &under_abs),
            ("./repo/", base, "repo/src/app.py"),
            ("link", base, "link/src/app.py"),
            ("repo/src/app.py", base, "repo/src/app.py"),
        ];
        for (target, cwd, expected) in cases {
            let root = ScanRoot::of_target(target, cwd).unwrap();
            let joined = if target.ends_with("app.py") {
                target.to_string()
            } else {
                format!("{target}/src/app.py")
            };
            for printed in [joined.as_str(), under_abs.as_str(), "./src/app.py"]
                .into_iter()
                .filter(|p| *p != "./src/app.py" || cwd == repo)
            {
                assert_eq!(
                    root.shown(printed).as_deref(),
                    Some(expected),
                    "target {target:?} from {cwd:?}, printed {printed:?}"
                );
            }
        }
    }

    #[test]
    fn the_root_itself_shows_as_the_target_and_outside_paths_stay_as_printed() {
        let root = ScanRoot::at(Path::new("/a/repo/"), Path::new("/a"));
        assert_eq!(root.shown("/a/repo").as_deref(), Some("/a/repo"));
        assert_eq!(root.shown("/etc/passwd"), None);
        let dir = tempfile::tempdir().unwrap();
        let root = ScanRoot::of_target(".", dir.path()).unwrap();
        assert_eq!(root.shown("./").as_deref(), Some("."));
    }

    #[test]
    fn a_target_that_is_not_a_path_has_no_root() {
        assert_eq!(
            ScanRoot::of_target("https://example.com", Path::new("/")),
            None
        );
    }
}
