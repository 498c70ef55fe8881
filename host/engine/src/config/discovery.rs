//! Where a project's config lives: the nearest config file from the target up to the repository
//! root.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The file names looked for in each directory, first match wins.
pub const CONFIG_NAMES: [&str; 3] = [".securescan.yml", ".securescan.yaml", "securescan.yml"];

/// How many directories discovery looks at when no repository root stops it first.
const MAX_LEVELS: usize = 25;

/// The config file for `start` (a directory or a file): checked in `start` and each parent, up to
/// and including the directory holding `.git`, at most [`MAX_LEVELS`] directories.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    for _ in 0..MAX_LEVELS {
        if let Some(found) = CONFIG_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
        {
            return Some(found);
        }
        // `.git` is a directory in a clone and a file in a worktree or submodule.
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
    None
}

/// Why a config file that discovery found is not applied. Discovery climbs out of the target
/// (up to 25 directories when no `.git` stops it), so the file it finds may be anybody's: one in
/// a shared temporary directory could suppress every finding of every scan below it.
#[derive(Debug, thiserror::Error)]
pub enum UntrustedConfig {
    #[error(
        "{path} belongs to another user (uid {owner}; you are uid {user}): only your own \
         config files and root's are applied"
    )]
    ForeignOwner { path: String, owner: u32, user: u32 },
    #[error("{path} can be changed by any user (mode {mode:o}): remove write access for others")]
    WritableByOthers { path: String, mode: u32 },
    #[error("cannot check who owns {path}: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
}

/// Whether the config file at `path` may be applied: owned by the user running SecureScan or by
/// root, and not writable by other users.
pub fn check_trusted(path: &Path) -> Result<(), UntrustedConfig> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| UntrustedConfig::Unreadable {
        path: shown.clone(),
        source,
    })?;
    let user = nix::unistd::geteuid().as_raw();
    if meta.uid() != user && meta.uid() != 0 {
        return Err(UntrustedConfig::ForeignOwner {
            path: shown,
            owner: meta.uid(),
            user,
        });
    }
    if meta.mode() & 0o002 != 0 {
        return Err(UntrustedConfig::WritableByOthers {
            path: shown,
            mode: meta.mode() & 0o7777,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, "").expect("write");
    }

    #[test]
    fn the_first_name_wins_within_a_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(&dir.path().join("securescan.yml"));
        touch(&dir.path().join(".securescan.yaml"));
        assert_eq!(
            discover(dir.path()),
            Some(dir.path().join(".securescan.yaml"))
        );
        touch(&dir.path().join(".securescan.yml"));
        assert_eq!(
            discover(dir.path()),
            Some(dir.path().join(".securescan.yml"))
        );
    }

    #[test]
    fn a_parent_config_is_found_from_a_file_deep_inside() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(&dir.path().join(".git/HEAD"));
        touch(&dir.path().join(".securescan.yml"));
        touch(&dir.path().join("src/app/main.py"));
        assert_eq!(
            discover(&dir.path().join("src/app/main.py")),
            Some(dir.path().join(".securescan.yml"))
        );
    }

    #[test]
    fn the_repository_root_is_checked_but_not_passed() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(&dir.path().join(".securescan.yml"));
        touch(&dir.path().join("repo/.git"));
        touch(&dir.path().join("repo/src/main.py"));
        assert_eq!(discover(&dir.path().join("repo/src")), None);
        touch(&dir.path().join("repo/.securescan.yml"));
        assert_eq!(
            discover(&dir.path().join("repo/src")),
            Some(dir.path().join("repo/.securescan.yml"))
        );
    }

    #[test]
    fn a_config_anyone_can_change_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(".securescan.yml");
        touch(&path);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(check_trusted(&path).is_ok());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        assert!(matches!(
            check_trusted(&path),
            Err(UntrustedConfig::WritableByOthers { mode: 0o666, .. })
        ));
    }

    #[test]
    fn discovery_gives_up_after_twenty_five_directories() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(&dir.path().join(".securescan.yml"));
        let deep: PathBuf = (0..MAX_LEVELS).map(|i| format!("d{i}")).collect();
        std::fs::create_dir_all(dir.path().join(&deep)).expect("mkdir");
        assert_eq!(discover(&dir.path().join(&deep)), None);
        assert!(discover(&dir.path().join(deep.parent().expect("parent"))).is_some());
    }
}
