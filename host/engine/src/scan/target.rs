//! What a scan target must look like for each kind of adapter, checked before anything runs: a
//! network scanner is never handed something that could be read as an option or a file.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use securescan_registry::TargetKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("target path does not exist: {0}")]
    MissingPath(String),
    #[error("{0:?} is not an http:// or https:// URL with a host")]
    NotUrl(String),
    #[error("{0:?} is not an IPv4 or IPv6 address, a host name, or a CIDR range")]
    NotHost(String),
}

pub fn check_target(kind: TargetKind, target: &str, working_dir: &Path) -> Result<(), TargetError> {
    match kind {
        TargetKind::Path if working_dir.join(target).exists() => Ok(()),
        TargetKind::Path => Err(TargetError::MissingPath(target.to_string())),
        TargetKind::Url if is_url(target) => Ok(()),
        TargetKind::Url => Err(TargetError::NotUrl(target.to_string())),
        TargetKind::Host if is_host(target) => Ok(()),
        TargetKind::Host => Err(TargetError::NotHost(target.to_string())),
    }
}

/// Whether the target reads as a URL at all (to pick the scan types a bare target means).
pub fn looks_like_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn is_url(target: &str) -> bool {
    !target.chars().any(|c| c.is_whitespace() || c.is_control()) && url_host(target).is_some()
}

/// The host an http(s) URL names (an IPv6 address without its brackets), if it names one.
pub fn url_host(target: &str) -> Option<&str> {
    if !looks_like_url(target) {
        return None;
    }
    let rest = target.split_once("://").map_or("", |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    (!host.is_empty()).then_some(host)
}

/// IPv4, IPv6, or an RFC 1123 host name, each optionally with a `/prefix`.
fn is_host(target: &str) -> bool {
    let (address, prefix) = match target.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (target, None),
    };
    let prefix_ok = |max: u8| {
        prefix.is_none_or(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok_and(|n| n <= max)
        })
    };
    if address.parse::<Ipv4Addr>().is_ok() {
        return prefix_ok(32);
    }
    if address.parse::<Ipv6Addr>().is_ok() {
        return prefix_ok(128);
    }
    prefix.is_none() && is_host_name(address)
}

fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        // All-numeric names are malformed addresses (300.1.1.1), not host names.
        && !name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_addresses_and_ranges_are_accepted() {
        for ok in [
            "10.0.0.1",
            "10.0.0.0/24",
            "::1",
            "fe80::1/64",
            "example.com",
            "localhost",
            "a-b.example.org.",
        ] {
            assert!(
                check_target(TargetKind::Host, ok, Path::new(".")).is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn options_files_and_malformed_addresses_are_not_hosts() {
        for bad in [
            "-oX/tmp/x",
            "--script=evil",
            "300.1.1.1",
            "10.0.0.0/33",
            "10.0.0.0/",
            "host name",
            "a..b",
            "example.com/24",
            "",
            "http://example.com",
            "bad_host",
        ] {
            assert!(
                check_target(TargetKind::Host, bad, Path::new(".")).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(
            check_target(
                TargetKind::Url,
                "https://staging.example.com/app",
                Path::new(".")
            )
            .is_ok()
        );
        assert!(check_target(TargetKind::Url, "http://[::1]:8080/", Path::new(".")).is_ok());
        assert!(check_target(TargetKind::Url, "ftp://example.com", Path::new(".")).is_err());
        assert!(check_target(TargetKind::Url, "http:///path", Path::new(".")).is_err());
        assert!(check_target(TargetKind::Url, "http://a b", Path::new(".")).is_err());
    }
}
