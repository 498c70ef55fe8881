//! Paths in findings: tools print them relative to what they scanned, the host gathers them
//! prefixed with the target the user named, and findings report them the host's way.

/// A tool's `path` (relative to the scan target) as findings report it: under the target the
/// user named. Absolute paths and paths already under the target are kept; with no target (or
/// `.`) the path is kept as it is, without a leading `./`. Windows separators become `/`.
pub fn under_target(target: &str, path: &str) -> String {
    let path = path.replace('\\', "/");
    let root = target.trim_end_matches('/');
    let absolute = path.starts_with('/') || path.get(1..3) == Some(":/");
    let already_under = !matches!(root, "" | ".") && path.starts_with(&format!("{root}/"));
    if absolute || already_under {
        return path;
    }
    let relative = path.trim_start_matches("./");
    match root {
        "" | "." => relative.to_string(),
        root => format!("{root}/{relative}"),
    }
}

/// The part of a gathered (target-prefixed) `path` inside the target; `None` when the path is
/// the target itself. A path from another root is kept whole.
pub fn within_target<'a>(target: &str, path: &'a str) -> Option<&'a str> {
    let root = target.trim_end_matches('/');
    if root.is_empty() || root == "." {
        // No target named (tests, `adapter run`), `.`, or the root directory `/`.
        return Some(
            path.strip_prefix("./")
                .unwrap_or(path)
                .trim_start_matches('/'),
        );
    }
    match path.strip_prefix(root) {
        Some("") => None,
        Some(rest) if rest.starts_with('/') => Some(rest.trim_start_matches('/')),
        _ => Some(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_paths_land_under_the_target_once() {
        assert_eq!(under_target("repo/", "src/a.py"), "repo/src/a.py");
        assert_eq!(under_target("repo", "repo/src/a.py"), "repo/src/a.py");
        assert_eq!(under_target(".", "./src/a.py"), "src/a.py");
        assert_eq!(under_target("", "src\\a.py"), "src/a.py");
        assert_eq!(under_target("repo", "/abs/a.py"), "/abs/a.py");
        assert_eq!(under_target("repo", "C:\\x\\a.py"), "C:/x/a.py");
    }

    #[test]
    fn gathered_paths_lose_the_target_prefix() {
        assert_eq!(within_target("repo", "repo/src/a.py"), Some("src/a.py"));
        assert_eq!(within_target("repo/", "repo"), None);
        assert_eq!(
            within_target("repo", "repository/a.py"),
            Some("repository/a.py")
        );
        assert_eq!(within_target("", "./a.py"), Some("a.py"));
        assert_eq!(within_target("/", "/etc/passwd"), Some("etc/passwd"));
    }
}
