//! What a scan (and the directory browser) may name. Paths must resolve inside
//! `SECURESCAN_ALLOWED_ROOTS`: checked on the lexically normal path first (so nothing outside is
//! even looked at, and no error tells whether something exists there), then on the canonical one
//! (so `..` and symlinks cannot leave a root). URLs and hosts must not resolve to addresses no
//! scan has business with: link-local (cloud metadata), unspecified, multicast, broadcast.

use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub struct AllowedRoots {
    roots: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("Path is outside the allowed roots (SECURESCAN_ALLOWED_ROOTS): {0}")]
    Outside(String),
    #[error("Path does not exist: {0}")]
    Missing(String),
    #[error("Path is not a file or directory: {0}")]
    NotFileOrDirectory(String),
    #[error("Path is not a directory: {0}")]
    NotDirectory(String),
    #[error("Path cannot be read: {0}: {1}")]
    Unreadable(String, String),
    #[error("{0}")]
    Address(String),
}

impl AllowedRoots {
    pub fn new(roots: Vec<PathBuf>) -> AllowedRoots {
        AllowedRoots { roots }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn contains(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }

    /// `text` as a canonical path inside a root; relative paths are taken from the first root.
    pub fn resolve(&self, text: &str) -> Result<PathBuf, TargetError> {
        let given = Path::new(text);
        let absolute = match (given.is_absolute(), self.roots.first()) {
            (true, _) => given.to_path_buf(),
            (false, Some(root)) => root.join(given),
            (false, None) => return Err(TargetError::Outside(text.to_string())),
        };
        if text.contains('\0') || !self.contains(&lexically_normal(&absolute)) {
            return Err(TargetError::Outside(text.to_string()));
        }
        let canonical = absolute.canonicalize().map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => TargetError::Missing(text.to_string()),
            _ => TargetError::Unreadable(text.to_string(), err.to_string()),
        })?;
        if !self.contains(&canonical) {
            return Err(TargetError::Outside(text.to_string()));
        }
        Ok(canonical)
    }

    /// A scan target: a directory or a regular file inside a root.
    pub fn scan_target(&self, text: &str) -> Result<PathBuf, TargetError> {
        let path = self.resolve(text)?;
        if path.is_dir() || path.is_file() {
            Ok(path)
        } else {
            Err(TargetError::NotFileOrDirectory(text.to_string()))
        }
    }
}

/// `.` and `..` taken out without touching the file system (`..` at the root stays at the root).
fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

/// Refuse a URL or host target whose name resolves to an address a scan must never reach.
pub async fn check_address(what: &str, host: &str) -> Result<(), TargetError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => match tokio::net::lookup_host((bare, 0)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(err) => {
                return Err(TargetError::Address(format!(
                    "{what} {host:?} does not resolve: {err}"
                )));
            }
        },
    };
    for ip in addresses {
        if let Some(why) = forbidden(ip) {
            return Err(TargetError::Address(format!(
                "{what} {host:?} resolves to {ip}, {why}; scans may not reach it"
            )));
        }
    }
    Ok(())
}

fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) if v4.is_link_local() => {
            Some("a link-local address (cloud metadata lives there)")
        }
        IpAddr::V4(v4) if v4.is_unspecified() => Some("the unspecified address"),
        IpAddr::V4(v4) if v4.is_multicast() || v4.is_broadcast() => {
            Some("a multicast or broadcast address")
        }
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => Some("a link-local address"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address"),
        IpAddr::V6(v6) if v6.is_multicast() => Some("a multicast address"),
        IpAddr::V6(v6) => v6.to_ipv4_mapped().and_then(|v4| forbidden(IpAddr::V4(v4))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_and_symlinks_cannot_leave_a_root() {
        let outside = tempfile::tempdir().expect("tempdir");
        let root = tempfile::tempdir().expect("tempdir");
        let root_path = root.path().canonicalize().expect("canonical");
        std::fs::create_dir(root_path.join("repo")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path(), root_path.join("escape")).expect("symlink");
        let roots = AllowedRoots::new(vec![root_path.clone()]);

        assert_eq!(
            roots.scan_target(&root_path.join("repo").display().to_string()),
            Ok(root_path.join("repo"))
        );
        let dotdot = format!("{}/repo/../..", root_path.display());
        assert!(matches!(
            roots.scan_target(&dotdot),
            Err(TargetError::Outside(_))
        ));
        let through_link = root_path.join("escape").display().to_string();
        assert!(matches!(
            roots.scan_target(&through_link),
            Err(TargetError::Outside(_))
        ));
        // Outside the roots nothing is looked at: a missing path there is "outside", not
        // "does not exist".
        assert!(matches!(
            roots.scan_target("/no/such/dir"),
            Err(TargetError::Outside(_))
        ));
        let missing = root_path.join("nope").display().to_string();
        assert!(matches!(
            roots.scan_target(&missing),
            Err(TargetError::Missing(_))
        ));
    }

    #[test]
    fn metadata_and_unspecified_addresses_are_refused() {
        assert!(forbidden("169.254.169.254".parse().expect("ip")).is_some());
        assert!(forbidden("0.0.0.0".parse().expect("ip")).is_some());
        assert!(forbidden("::ffff:169.254.169.254".parse().expect("ip")).is_some());
        assert!(forbidden("127.0.0.1".parse().expect("ip")).is_none());
        assert!(forbidden("10.1.2.3".parse().expect("ip")).is_none());
    }
}
