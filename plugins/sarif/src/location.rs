//! A result's file and lines: its first physical location with a URI (§3.28), made into the
//! path a user would type. `%SRCROOT%`-style bases that the log defines as relative directories
//! are prefixed; bases pointing at the producer's absolute checkout are dropped, since SARIF
//! producers write repository-relative URIs against them.

use std::collections::BTreeMap;

use crate::report::{Artifact, ArtifactLocation, Run, SarifResult};

/// How many `uriBaseId`s may chain (a base defined against another base) before giving up.
const MAX_BASE_DEPTH: usize = 8;

pub struct Place {
    pub file: String,
    pub lines: Option<(u32, u32)>,
}

pub fn place(result: &SarifResult, run: &Run) -> Option<Place> {
    result.locations.iter().find_map(|location| {
        let physical = location.physical_location.as_ref()?;
        let artifact = physical.artifact_location.as_ref()?;
        let file = artifact_path(artifact, &run.artifacts, &run.original_uri_base_ids)?;
        let lines = physical.region.as_ref().and_then(|region| {
            let start = positive(region.start_line?)?;
            let end = region
                .end_line
                .and_then(positive)
                .filter(|end| *end >= start)
                .unwrap_or(start);
            Some((start, end))
        });
        Some(Place { file, lines })
    })
}

fn positive(line: i64) -> Option<u32> {
    u32::try_from(line).ok().filter(|l| *l > 0)
}

fn artifact_path(
    location: &ArtifactLocation,
    artifacts: &[Artifact],
    bases: &BTreeMap<String, ArtifactLocation>,
) -> Option<String> {
    // An artifactLocation may give only the index of an entry in `run.artifacts` (§3.4.5).
    let from_index = || {
        let index = usize::try_from(location.index?).ok()?;
        artifacts.get(index)?.location.as_ref()
    };
    let (uri, base) = match location.uri.as_deref() {
        Some(uri) => (uri, location.uri_base_id.as_deref()),
        None => {
            let listed = from_index()?;
            (
                listed.uri.as_deref()?,
                listed
                    .uri_base_id
                    .as_deref()
                    .or(location.uri_base_id.as_deref()),
            )
        }
    };
    let path = uri_to_path(uri);
    if path.is_empty() {
        return None;
    }
    if is_absolute(&path) {
        return Some(path);
    }
    match base.and_then(|id| relative_base(id, bases, 0)) {
        Some(prefix) if !prefix.is_empty() => {
            Some(format!("{}/{}", prefix.trim_end_matches('/'), path))
        }
        _ => Some(path),
    }
}

/// The directory a base id stands for when it resolves to a relative path; `None` when it is
/// undefined or absolute (the producer's checkout, meaningless here).
fn relative_base(
    id: &str,
    bases: &BTreeMap<String, ArtifactLocation>,
    depth: usize,
) -> Option<String> {
    if depth >= MAX_BASE_DEPTH {
        return None;
    }
    let base = bases.get(id)?;
    let path = uri_to_path(base.uri.as_deref().unwrap_or(""));
    if is_absolute(&path) {
        return None;
    }
    let parent = base
        .uri_base_id
        .as_deref()
        .and_then(|parent| relative_base(parent, bases, depth + 1));
    Some(match parent {
        Some(parent) if !parent.is_empty() => {
            format!("{}/{}", parent.trim_end_matches('/'), path)
        }
        _ => path,
    })
}

/// `file:///src/a%20b.py` → `/src/a b.py`; `file:///C:/x.py` → `C:/x.py`; relative URIs are
/// only percent-decoded.
fn uri_to_path(uri: &str) -> String {
    let uri = uri.trim();
    let path = match uri.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("file://") => {
            let rest = uri.get(7..).unwrap_or_default();
            rest.strip_prefix("localhost").unwrap_or(rest)
        }
        _ => uri,
    };
    let decoded = percent_decode(path);
    // `/C:/…` is how a file URI spells a Windows drive.
    match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => {
            decoded.get(1..).unwrap_or_default().to_string()
        }
        _ => decoded,
    }
}

fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.contains("://")
        || matches!(bytes, [drive, b':', ..] if drive.is_ascii_alphabetic())
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            uri_to_path("file:///home/ci/app/a%20b.py"),
            "/home/ci/app/a b.py"
        );
        assert_eq!(uri_to_path("file:///C:/src/x.cs"), "C:/src/x.cs");
        assert_eq!(uri_to_path("file://localhost/etc/x"), "/etc/x");
        assert_eq!(uri_to_path("src/%E2%82%AC.py"), "src/€.py");
        assert_eq!(uri_to_path("100%.txt"), "100%.txt");
        assert_eq!(uri_to_path("a%zz"), "a%zz");
    }

    fn base(uri: &str, parent: Option<&str>) -> ArtifactLocation {
        ArtifactLocation {
            uri: Some(uri.into()),
            uri_base_id: parent.map(str::to_string),
            index: None,
        }
    }

    #[test]
    fn relative_bases_chain_and_absolute_ones_are_dropped() {
        let bases = BTreeMap::from([
            ("ROOT".to_string(), base("file:///build/repo/", None)),
            ("SRC".to_string(), base("src/", Some("ROOT"))),
            ("LIB".to_string(), base("lib/", Some("SRC"))),
            ("LOOP".to_string(), base("x/", Some("LOOP"))),
        ]);
        let at = |uri: &str, id: &str| artifact_path(&base(uri, Some(id)), &[], &bases).unwrap();
        assert_eq!(at("a.py", "ROOT"), "a.py");
        assert_eq!(at("a.py", "SRC"), "src/a.py");
        assert_eq!(at("a.py", "LIB"), "src/lib/a.py");
        assert_eq!(at("a.py", "UNDEFINED"), "a.py");
        assert!(at("a.py", "LOOP").ends_with("x/a.py"));
    }
}
