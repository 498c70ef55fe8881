//! Host-configuration probes for the baseline analyzer: file contents and metadata under a root
//! (the scan target, or `/` for the live host), and the environment variables it asks for.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use securescan_registry::Probes;
use securescan_sandbox::{WitFileKind, WitFileMetadata, WitGatheredFile};

use crate::tools::is_own_variable;

/// Where probe paths are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeRoot {
    /// The live host: paths from `/`, `~/` from this home directory (if known). Symlinks are
    /// followed, as the system itself follows them.
    Host { home: Option<PathBuf> },
    /// A directory standing for a host (a chroot, a mounted snapshot), as the user named it.
    /// Symlinks are never followed: one pointing at `/etc/shadow` must not read the real host.
    Target(String),
}

/// What the probes found; missing and unreadable files are simply absent from `files`.
#[derive(Debug, Default)]
pub struct ProbeResults {
    pub files: Vec<WitGatheredFile>,
    pub metadata: Vec<WitFileMetadata>,
    pub environment: Vec<(String, String)>,
}

pub fn gather_probes(root: &ProbeRoot, probes: &Probes) -> ProbeResults {
    let mut results = ProbeResults::default();
    for relative in &probes.files {
        if let Some((path, shown)) = resolve(root, relative) {
            probe_file(
                root,
                &path,
                shown,
                probes.max_file_bytes,
                true,
                &mut results,
            );
        }
    }
    for relative in &probes.dirs {
        let Some((dir, shown_dir)) = resolve(root, relative) else {
            continue;
        };
        let mut names = super::entry_names(&dir);
        names.sort();
        for name in names {
            let shown = format!("{shown_dir}/{name}");
            probe_file(
                root,
                &dir.join(&name),
                shown,
                probes.max_file_bytes,
                true,
                &mut results,
            );
        }
    }
    for relative in &probes.metadata {
        if let Some((path, shown)) = resolve(root, relative) {
            probe_file(root, &path, shown, 0, false, &mut results);
        }
    }
    if matches!(root, ProbeRoot::Host { .. }) {
        results.environment = matching_environment(&probes.env_name_contains);
    }
    results
}

/// The filesystem path and the path findings show; `None` for `~/` outside host mode.
fn resolve(root: &ProbeRoot, relative: &str) -> Option<(PathBuf, String)> {
    match (root, relative.strip_prefix("~/")) {
        (ProbeRoot::Host { home }, Some(rest)) => {
            let path = home.as_ref()?.join(rest);
            let shown = path.to_string_lossy().into_owned();
            Some((path, shown))
        }
        (ProbeRoot::Host { .. }, None) => {
            Some((Path::new("/").join(relative), format!("/{relative}")))
        }
        (ProbeRoot::Target(_), Some(_)) => None,
        (ProbeRoot::Target(target), None) => {
            let shown = format!("{}/{relative}", target.trim_end_matches('/'));
            Some((PathBuf::from(&shown), shown))
        }
    }
}

fn probe_file(
    root: &ProbeRoot,
    path: &Path,
    shown: String,
    max_bytes: u64,
    read: bool,
    results: &mut ProbeResults,
) {
    let follow = matches!(root, ProbeRoot::Host { .. });
    let meta = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let Ok(meta) = meta else {
        results.metadata.push(WitFileMetadata {
            path: shown,
            kind: WitFileKind::Missing,
            mode: 0,
            uid: 0,
            gid: 0,
            size: 0,
        });
        return;
    };
    let kind = if meta.file_type().is_symlink() {
        WitFileKind::Symlink
    } else if meta.is_file() {
        WitFileKind::Regular
    } else if meta.is_dir() {
        WitFileKind::Directory
    } else {
        WitFileKind::Other
    };
    if read
        && kind == WitFileKind::Regular
        && let Some(bytes) = read_capped(path, max_bytes, follow)
    {
        results.files.push(WitGatheredFile {
            path: shown.clone(),
            bytes,
        });
    }
    results.metadata.push(WitFileMetadata {
        path: shown,
        kind,
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        size: meta.size(),
    });
}

/// Up to `max` bytes; `/proc` files report size 0, so the size is not trusted. Unreadable
/// (permission denied, as `/etc/shadow` is for most users) means `None`.
fn read_capped(path: &Path, max: u64, follow: bool) -> Option<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if !follow {
        options.custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// This process's environment variables whose upper-cased name holds one of `fragments`, but
/// never SecureScan's own (see [`is_own_variable`]).
fn matching_environment(fragments: &[String]) -> Vec<(String, String)> {
    if fragments.is_empty() {
        return Vec::new();
    }
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.to_string_lossy().into_owned();
            let upper = name.to_uppercase();
            (!is_own_variable(&name) && fragments.iter().any(|f| upper.contains(f.as_str())))
                .then(|| (name, value.to_string_lossy().into_owned()))
        })
        .collect();
    vars.sort();
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probes(files: &[&str], metadata: &[&str]) -> Probes {
        Probes {
            files: files.iter().map(|s| s.to_string()).collect(),
            metadata: metadata.iter().map(|s| s.to_string()).collect(),
            max_file_bytes: 1024,
            ..Probes::default()
        }
    }

    #[test]
    fn target_probes_read_under_the_target_and_record_missing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("etc")).expect("mkdir");
        std::fs::write(dir.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n")
            .expect("write");
        let target = dir.path().to_string_lossy().into_owned();
        let results = gather_probes(
            &ProbeRoot::Target(target.clone()),
            &probes(&["etc/passwd", "etc/shadow"], &["~/.ssh"]),
        );
        assert_eq!(results.files.len(), 1);
        assert_eq!(results.files[0].path, format!("{target}/etc/passwd"));
        let kinds: Vec<WitFileKind> = results.metadata.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, vec![WitFileKind::Regular, WitFileKind::Missing]);
        assert!(results.environment.is_empty());
    }

    #[test]
    fn a_symlink_in_a_target_is_not_followed_to_the_host() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("etc")).expect("mkdir");
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("etc/passwd"))
            .expect("symlink");
        let target = dir.path().to_string_lossy().into_owned();
        let results = gather_probes(&ProbeRoot::Target(target), &probes(&["etc/passwd"], &[]));
        assert!(results.files.is_empty());
        assert_eq!(results.metadata[0].kind, WitFileKind::Symlink);
    }
}
