//! What the host probed, looked up by path under the audited root: `/` in host mode, the target
//! directory in target mode. The host reports each path target-prefixed; lookups compare paths
//! with repeated and trailing `/` and `.` segments ignored, so `dir/` and `dir` as a target agree.

use std::collections::BTreeMap;

use securescan_adapter_sdk::{FileKind, FileMetadata, Input};

pub struct Probes<'a> {
    input: &'a Input,
    /// Prefix of every probed path, without a trailing `/` (empty for `/`).
    root: String,
    home: Option<String>,
}

/// A gathered file as text, with the path exactly as the host reported it.
pub struct TextFile {
    pub path: String,
    pub text: String,
}

impl<'a> Probes<'a> {
    pub fn host(input: &'a Input, home: Option<&str>) -> Self {
        Probes {
            input,
            root: String::new(),
            home: home.map(|h| h.trim_end_matches('/').to_string()),
        }
    }

    pub fn target(input: &'a Input) -> Self {
        Probes {
            input,
            root: input.target.trim_end_matches('/').to_string(),
            home: None,
        }
    }

    /// Where the host probed the system path `path` (`etc/passwd` or `/etc/passwd`).
    pub fn path(&self, path: &str) -> String {
        format!("{}/{}", self.root, path.trim_start_matches('/'))
    }

    /// Where the host probed `relative` inside the user's home; `None` without a home (target
    /// mode, or a host that did not say).
    pub fn home_path(&self, relative: &str) -> Option<String> {
        self.home.as_ref().map(|home| format!("{home}/{relative}"))
    }

    /// The contents of the gathered file at `path`, decoded lossily (a stray byte in a config
    /// file must not hide the rest) and without a byte-order mark.
    pub fn file(&self, path: &str) -> Option<TextFile> {
        let wanted = normalize(path);
        self.input
            .files
            .iter()
            .find(|f| normalize(&f.path) == wanted)
            .map(|f| TextFile {
                path: f.path.clone(),
                text: decode(&f.bytes),
            })
    }

    /// The gathered regular files directly inside `dir`, sorted by path.
    pub fn files_in(&self, dir: &str) -> Vec<TextFile> {
        let wanted = normalize(dir);
        let mut found: Vec<TextFile> = self
            .input
            .files
            .iter()
            .filter(|f| {
                let path = normalize(&f.path);
                path.rsplit_once('/')
                    .is_some_and(|(parent, name)| !name.is_empty() && parent == wanted)
            })
            .filter(|f| {
                self.kind(&f.path)
                    .is_none_or(|kind| kind == FileKind::Regular)
            })
            .map(|f| TextFile {
                path: f.path.clone(),
                text: decode(&f.bytes),
            })
            .collect();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        found
    }

    /// The metadata of `path` if it exists.
    pub fn metadata(&self, path: &str) -> Option<&'a FileMetadata> {
        let wanted = normalize(path);
        self.input
            .metadata
            .iter()
            .find(|m| m.kind != FileKind::Missing && normalize(&m.path) == wanted)
    }

    /// Every probed path that exists with the world-writable bit set.
    pub fn world_writable_metadata(&self) -> impl Iterator<Item = &'a FileMetadata> {
        self.input
            .metadata
            .iter()
            .filter(|m| m.kind == FileKind::Regular && m.mode & 0o002 != 0)
    }

    /// Whether `path` is a regular file: by its metadata, or, should the host have sent the
    /// contents without metadata, by the contents being there.
    pub fn is_regular_file(&self, path: &str) -> bool {
        match self.kind(path) {
            Some(kind) => kind == FileKind::Regular,
            None => self.file(path).is_some(),
        }
    }

    fn kind(&self, path: &str) -> Option<FileKind> {
        let wanted = normalize(path);
        self.input
            .metadata
            .iter()
            .find(|m| normalize(&m.path) == wanted)
            .map(|m| m.kind)
    }

    /// The stdout of command `name` if it ran and exited 0.
    pub fn command_output(&self, name: &str) -> Option<String> {
        self.input.command(name)?.succeeded_text()
    }

    /// The stdout of command `name` if it ran to the end, whatever its exit code: `find` exits 1
    /// when it met an unreadable directory, yet what it printed is still true.
    pub fn completed_command_output(&self, name: &str) -> Option<String> {
        let command = self.input.command(name)?;
        command
            .exit_code
            .map(|_| String::from_utf8_lossy(&command.stdout).into_owned())
    }

    pub fn environment(&self) -> &'a BTreeMap<String, String> {
        &self.input.environment
    }
}

/// Lines numbered from 1, without the `\r` of Windows line endings.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.split('\n').enumerate().map(|(index, line)| {
        (
            u32::try_from(index + 1).unwrap_or(u32::MAX),
            line.strip_suffix('\r').unwrap_or(line),
        )
    })
}

/// The file name of a path (the text after its last `/`).
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether two probed paths name the same place (see the module comment).
pub fn same_path(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

fn decode(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()
}

fn normalize(path: &str) -> String {
    let joined = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_without_doubled_or_trailing_slashes() {
        assert_eq!(normalize("/mnt//snap/./etc/passwd"), "/mnt/snap/etc/passwd");
        assert_eq!(normalize("snap/etc/"), "snap/etc");
        assert_eq!(normalize("/"), "/");
    }

    #[test]
    fn lines_lose_their_carriage_returns() {
        let lines: Vec<_> = numbered_lines("a\r\nb\n").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, "")]);
    }
}
