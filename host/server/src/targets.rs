//! What a scan (and the directory browser) may name. Paths must resolve inside
//! `SECURESCAN_ALLOWED_ROOTS`: checked on the lexically normal path first (so nothing outside is
//! even looked at, and no error tells whether something exists there), then on the canonical one
//! (so `..` and symlinks cannot leave a root). URLs and hosts from the API must not resolve to
//! the server's own networks (loopback, private, link-local) unless the operator allows it
//! (`SECURESCAN_ALLOW_PRIVATE_TARGETS`), nor ever to cloud metadata, unspecified, multicast or
//! broadcast addresses.

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

/// Refuse a URL or host target (a name, an address, or an address range `addr/len`) when any
/// address it resolves to, or any address in its range, is one an API caller must not make the
/// server reach. The check is on the resolved addresses, not the name, so a name pointing
/// inwards is refused like the address itself.
pub async fn check_address(what: &str, host: &str, allow_private: bool) -> Result<(), TargetError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let (address, prefix) = match bare.split_once('/') {
        Some((address, prefix)) => (address, prefix.parse::<u8>().ok()),
        None => (bare, None),
    };
    let ranges: Vec<(IpAddr, u8)> = match address.parse::<IpAddr>() {
        Ok(ip) => vec![(ip, prefix.unwrap_or(if ip.is_ipv4() { 32 } else { 128 }))],
        Err(_) => match tokio::net::lookup_host((address, 0)).await {
            Ok(found) => found
                .map(|a| (a.ip(), if a.is_ipv4() { 32 } else { 128 }))
                .collect(),
            Err(err) => {
                return Err(TargetError::Address(format!(
                    "{what} {host:?} does not resolve: {err}"
                )));
            }
        },
    };
    for (ip, prefix) in ranges {
        if let Some(why) = forbidden(ip, prefix, allow_private) {
            return Err(TargetError::Address(format!(
                "{what} {host:?} reaches {ip}{}, {why}; scans from the API may not reach it",
                if prefix < bits(ip) {
                    format!("/{prefix}")
                } else {
                    String::new()
                }
            )));
        }
    }
    Ok(())
}

/// Addresses refused whatever the operator allows: where cloud instances keep their
/// credentials, and addresses that are not one host.
const ALWAYS: &[(&str, u8, &str)] = &[
    ("169.254.169.254", 32, "a cloud metadata address"),
    ("169.254.170.2", 32, "a cloud metadata address"),
    ("100.100.100.200", 32, "a cloud metadata address"),
    ("fd00:ec2::254", 128, "a cloud metadata address"),
    ("0.0.0.0", 8, "the unspecified network"),
    ("::", 128, "the unspecified address"),
    ("224.0.0.0", 4, "a multicast range"),
    ("240.0.0.0", 4, "a reserved or broadcast range"),
    ("ff00::", 8, "a multicast range"),
];

/// Addresses inside the operator's own networks: refused unless
/// `SECURESCAN_ALLOW_PRIVATE_TARGETS` allows them.
const PRIVATE: &[(&str, u8, &str)] = &[
    ("127.0.0.0", 8, "a loopback address"),
    ("::1", 128, "a loopback address"),
    ("10.0.0.0", 8, "a private range"),
    ("172.16.0.0", 12, "a private range"),
    ("192.168.0.0", 16, "a private range"),
    ("100.64.0.0", 10, "a shared (carrier-grade NAT) range"),
    ("192.0.0.0", 24, "an IETF protocol range"),
    ("198.18.0.0", 15, "a benchmarking range"),
    ("169.254.0.0", 16, "a link-local range"),
    ("fe80::", 10, "a link-local range"),
    ("fc00::", 7, "a unique-local (private) range"),
];

/// Why a single address is refused, if it is.
pub fn refused(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    forbidden(ip, bits(ip), allow_private)
}

fn bits(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

/// `ip` as a 128-bit number and its family's width; IPv4-mapped IPv6 addresses count as the
/// IPv4 address they carry.
fn number(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (u128::from(u32::from(v4)), 32),
            None => (u128::from(v6), 128),
        },
    }
}

/// Whether the ranges `a/a_len` and `b/b_len` share an address: CIDR ranges either nest or are
/// apart, so they overlap when they agree on the shorter prefix.
fn overlaps(a: IpAddr, a_len: u8, b: IpAddr, b_len: u8) -> bool {
    let ((a, a_width), (b, b_width)) = (number(a), number(b));
    if a_width != b_width {
        return false;
    }
    // A mapped address's prefix counted the 96 bits in front of it.
    let a_len = if a_width == 32 && a_len > 32 {
        a_len.saturating_sub(96)
    } else {
        a_len
    };
    let shared = u32::from(a_len.min(b_len).min(a_width));
    if shared == 0 {
        return true;
    }
    let shift = u32::from(a_width) - shared;
    (a >> shift) == (b >> shift)
}

fn forbidden(ip: IpAddr, prefix: u8, allow_private: bool) -> Option<&'static str> {
    let listed = |table: &'static [(&'static str, u8, &'static str)]| {
        table.iter().find_map(|(net, len, why)| {
            let net: IpAddr = net.parse().ok()?;
            overlaps(ip, prefix, net, *len).then_some(*why)
        })
    };
    listed(ALWAYS).or_else(|| if allow_private { None } else { listed(PRIVATE) })
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
    fn metadata_and_unspecified_addresses_are_always_refused() {
        for (ip, len) in [
            ("169.254.169.254", 32),
            ("0.0.0.0", 32),
            ("::ffff:169.254.169.254", 128),
            ("fd00:ec2::254", 128),
            ("224.0.0.1", 32),
        ] {
            assert!(
                forbidden(ip.parse().expect("ip"), len, true).is_some(),
                "{ip}"
            );
        }
        assert!(forbidden("8.8.8.8".parse().expect("ip"), 32, false).is_none());
        assert!(forbidden("2606:4700::1111".parse().expect("ip"), 128, false).is_none());
    }

    #[test]
    fn private_ranges_are_refused_unless_allowed() {
        for (ip, len) in [
            ("127.0.0.1", 32),
            ("::1", 128),
            ("10.1.2.3", 32),
            ("172.31.255.255", 32),
            ("192.168.1.1", 32),
            ("100.64.0.1", 32),
            ("169.254.1.1", 32),
            ("fe80::1", 128),
            ("fd12:3456::1", 128),
            ("::ffff:127.0.0.1", 128),
            // A range reaching into a private one.
            ("8.0.0.0", 4),
            ("0.0.0.0", 0),
        ] {
            let ip: IpAddr = ip.parse().expect("ip");
            assert!(forbidden(ip, len, false).is_some(), "{ip}/{len}");
        }
        assert!(forbidden("10.1.2.3".parse().expect("ip"), 32, true).is_none());
        assert!(forbidden("127.0.0.1".parse().expect("ip"), 32, true).is_none());
        assert!(forbidden("172.32.0.1".parse().expect("ip"), 32, false).is_none());
        assert!(forbidden("93.184.0.0".parse().expect("ip"), 16, false).is_none());
    }

    #[tokio::test]
    async fn names_are_checked_on_what_they_resolve_to() {
        let refused = check_address("target_host", "localhost", false).await;
        assert!(
            matches!(&refused, Err(TargetError::Address(m)) if m.contains("loopback")),
            "{refused:?}"
        );
        assert_eq!(
            check_address("target_host", "localhost", true).await,
            Ok(())
        );
        assert!(
            check_address("target_host", "10.0.0.0/8", false)
                .await
                .is_err()
        );
    }
}
