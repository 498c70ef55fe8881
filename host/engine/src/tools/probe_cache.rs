//! Tool versions remembered between runs. A version probe starts the tool's whole runtime
//! (`checkov --version` takes about 2 s, semgrep's about 1 s), and it sits on every scan's critical
//! path before the tool's real run, where the original implementation spent nothing. So a version
//! read once is kept, keyed by what changes whenever the tool does: the executable as found and
//! as resolved, its size, mtime, ctime, inode and device, and the probe's argv. An upgrade
//! rewrites the executable (pip rewrites every entry-point script), which changes the key.
//! `securescan status` always probes afresh.
//!
//! The file is the user's own: one that is not a regular file owned by this user and writable by
//! no one else, is too large, or does not parse is ignored (and replaced on the next write), and
//! every version in it must read back as a version.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::probe::parse_version;

/// A cache file this large is not one this code wrote.
const MAX_FILE_BYTES: u64 = 256 * 1024;
/// The entries kept; the oldest go first.
const MAX_ENTRIES: usize = 64;
const FORMAT: u32 = 1;

/// What identifies one build of a tool, as its probe would run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    path: PathBuf,
    resolved: PathBuf,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    inode: u64,
    device: u64,
    probe: Vec<String>,
}

impl Stamp {
    fn of(path: &Path, probe: &[String]) -> Option<Stamp> {
        let resolved = std::fs::canonicalize(path).ok()?;
        let meta = std::fs::metadata(&resolved).ok()?;
        Some(Stamp {
            path: path.to_path_buf(),
            resolved,
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
            device: meta.dev(),
            probe: probe.to_vec(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    stamp: Stamp,
    version: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    entries: Vec<Entry>,
}

/// The versions of tools probed before, in one file; without a file, nothing is remembered.
#[derive(Debug)]
pub struct ProbeCache {
    file: Option<PathBuf>,
    /// Whether versions are read from the file, or only written to it.
    reuse: bool,
    /// Serializes this process's writes.
    lock: Mutex<()>,
}

impl ProbeCache {
    pub fn new(file: Option<PathBuf>) -> ProbeCache {
        ProbeCache {
            file,
            reuse: true,
            lock: Mutex::new(()),
        }
    }

    /// The same file, but every tool is probed again (and the file updated): what `status`
    /// uses, so it is also the way to refresh the cache by hand.
    pub fn refreshing(&self) -> ProbeCache {
        ProbeCache {
            reuse: false,
            ..ProbeCache::new(self.file.clone())
        }
    }

    /// The version the probe `probe` of the executable `path` printed last time, if it has not
    /// changed since.
    pub fn version(&self, path: &Path, probe: &[String]) -> Option<semver::Version> {
        let file = self.file.as_deref().filter(|_| self.reuse)?;
        let stamp = Stamp::of(path, probe)?;
        read(file)
            .entries
            .into_iter()
            .find(|e| e.stamp == stamp)
            .and_then(|e| parse_version(&e.version))
    }

    /// Remember `version` for `path` as it is now. A failure costs only a probe next time.
    pub fn record(&self, path: &Path, probe: &[String], version: &semver::Version) {
        let (Some(file), Some(stamp)) = (self.file.as_deref(), Stamp::of(path, probe)) else {
            return;
        };
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Read again: another scan may have written since.
        let mut cache = read(file);
        cache
            .entries
            .retain(|e| e.stamp.path != stamp.path && e.stamp.path.exists());
        cache.entries.push(Entry {
            stamp,
            version: version.to_string(),
        });
        let excess = cache.entries.len().saturating_sub(MAX_ENTRIES);
        cache.entries.drain(..excess);
        cache.format = FORMAT;
        if let Err(err) = write(file, &cache) {
            tracing::debug!(file = %file.display(), "tool versions not cached: {err}");
        }
    }
}

/// The cache's entries, or none when the file is missing, untrusted or unreadable.
fn read(file: &Path) -> CacheFile {
    let trusted = std::fs::symlink_metadata(file).is_ok_and(|meta| {
        meta.is_file()
            && meta.uid() == nix::unistd::geteuid().as_raw()
            && meta.mode() & 0o022 == 0
            && meta.len() <= MAX_FILE_BYTES
    });
    if !trusted {
        return CacheFile::default();
    }
    let parsed = std::fs::read(file)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
        .filter(|cache| cache.format == FORMAT);
    let Some(mut cache) = parsed else {
        tracing::debug!(file = %file.display(), "ignoring an unreadable tool-version cache");
        return CacheFile::default();
    };
    // Only versions as this code writes them: nothing else reaches a report.
    cache
        .entries
        .retain(|e| parse_version(&e.version).is_some_and(|v| v.to_string() == e.version));
    let excess = cache.entries.len().saturating_sub(MAX_ENTRIES);
    cache.entries.drain(..excess);
    cache
}

fn write(file: &Path, cache: &CacheFile) -> std::io::Result<()> {
    let dir = file
        .parent()
        .ok_or_else(|| std::io::Error::other("the cache file has no directory"))?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // A new file (mode 0600) renamed over the old one: a reader sees the old or the new.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, cache).map_err(std::io::Error::other)?;
    tmp.persist(file).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn tool(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("tool");
        std::fs::write(&path, body).expect("write tool");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    fn probe() -> Vec<String> {
        vec!["tool".to_string(), "--version".to_string()]
    }

    fn version(text: &str) -> semver::Version {
        semver::Version::parse(text).expect("version")
    }

    #[test]
    fn a_recorded_version_is_read_back_until_the_tool_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("cache/tool-versions.json");
        let path = tool(dir.path(), "#!/bin/sh\necho 1.2.3\n");
        let cache = ProbeCache::new(Some(file.clone()));
        assert_eq!(cache.version(&path, &probe()), None);
        cache.record(&path, &probe(), &version("1.2.3"));
        // Another process reads the same file.
        let again = ProbeCache::new(Some(file.clone()));
        assert_eq!(again.version(&path, &probe()), Some(version("1.2.3")));
        assert_eq!(
            std::fs::metadata(&file).expect("cache file").mode() & 0o777,
            0o600
        );
        // Another probe argv is another question.
        assert_eq!(again.version(&path, &["tool".to_string()]), None);
        // An upgrade that keeps the size (and lands within the same clock tick) still changes
        // the ctime or, written as a new file and renamed into place, the inode.
        let new = dir.path().join("tool.new");
        std::fs::write(&new, "#!/bin/sh\necho 1.2.4\n").expect("write");
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::rename(&new, &path).expect("replace");
        assert_eq!(again.version(&path, &probe()), None);
    }

    #[test]
    fn a_rewritten_tool_is_probed_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = ProbeCache::new(Some(dir.path().join("v.json")));
        let path = tool(dir.path(), "#!/bin/sh\necho 1.2.3\n");
        cache.record(&path, &probe(), &version("1.2.3"));
        std::fs::write(&path, "#!/bin/sh\necho 1.10.0\n").expect("rewrite");
        assert_eq!(cache.version(&path, &probe()), None);
    }

    #[test]
    fn a_hostile_or_damaged_cache_file_is_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("v.json");
        let path = tool(dir.path(), "#!/bin/sh\necho 1.2.3\n");
        let cache = ProbeCache::new(Some(file.clone()));
        cache.record(&path, &probe(), &version("1.2.3"));
        let good = std::fs::read_to_string(&file).expect("cache file");

        // Writable by others: anyone could have put a version there.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        assert_eq!(cache.version(&path, &probe()), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(cache.version(&path, &probe()), Some(version("1.2.3")));

        // A version that is not one, or carries terminal escapes into a report.
        for forged in ["not a version", "1.2.3\u{1b}[2J", "1.2"] {
            std::fs::write(
                &file,
                good.replace("\"1.2.3\"", &serde_json::to_string(forged).unwrap()),
            )
            .expect("write");
            assert_eq!(cache.version(&path, &probe()), None, "{forged:?}");
        }
        // Garbage, another format, a symlink, a huge file.
        std::fs::write(&file, "{\"format\": 1, \"entries\": [").expect("write");
        assert_eq!(cache.version(&path, &probe()), None);
        std::fs::write(&file, good.replace("\"format\":1", "\"format\":2")).expect("write");
        assert_eq!(cache.version(&path, &probe()), None);
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, &good).expect("write");
        std::fs::remove_file(&file).expect("remove");
        std::os::unix::fs::symlink(&elsewhere, &file).expect("symlink");
        assert_eq!(cache.version(&path, &probe()), None);
        std::fs::remove_file(&file).expect("remove");
        let padded = format!("{}{}", good, " ".repeat(MAX_FILE_BYTES as usize));
        std::fs::write(&file, padded).expect("write");
        assert_eq!(cache.version(&path, &probe()), None);

        // The next record replaces whatever was there with a good file.
        cache.record(&path, &probe(), &version("1.2.3"));
        assert_eq!(cache.version(&path, &probe()), Some(version("1.2.3")));
    }

    #[test]
    fn tools_that_are_gone_are_dropped_and_the_file_stays_bounded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("v.json");
        let cache = ProbeCache::new(Some(file.clone()));
        let gone = dir.path().join("gone");
        std::fs::create_dir(&gone).expect("mkdir");
        let old = tool(&gone, "#!/bin/sh\necho 1.0.0\n");
        cache.record(&old, &probe(), &version("1.0.0"));
        std::fs::remove_dir_all(&gone).expect("remove");
        for n in 0..MAX_ENTRIES + 3 {
            let sub = dir.path().join(format!("t{n}"));
            std::fs::create_dir(&sub).expect("mkdir");
            cache.record(&tool(&sub, "#!/bin/sh\n"), &probe(), &version("1.0.0"));
        }
        let kept = read(&file).entries;
        assert_eq!(kept.len(), MAX_ENTRIES);
        assert!(kept.iter().all(|e| e.stamp.path != old));
        assert!(
            kept.iter()
                .any(|e| e.stamp.path.ends_with(format!("t{}/tool", MAX_ENTRIES + 2)))
        );
    }
}
