//! Compiled components on disk, keyed by component sha256 and the engine's compatibility hash, so
//! a restart (or a CI run with a restored cache) skips compilation.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
    /// One warning per process about an unusable directory, not one per adapter.
    warned: Arc<AtomicBool>,
}

impl CompileCache {
    pub fn new(dir: impl Into<PathBuf>) -> CompileCache {
        CompileCache {
            dir: dir.into(),
            warned: Arc::new(AtomicBool::new(false)),
        }
    }

    fn warn_once(&self, reason: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(dir = %self.dir.display(), "not using the compiled-adapter cache: {reason}");
        }
    }

    /// `$SECURESCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/securescan/adapters`, else
    /// `~/.cache/securescan/adapters`; none when no home is known.
    pub fn default_location() -> Option<CompileCache> {
        let env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dir = env("SECURESCAN_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("securescan/adapters")))
            .or_else(|| env("HOME").map(|d| d.join(".cache/securescan/adapters")))?;
        Some(CompileCache::new(dir))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, component_sha256: &str, compat: &str) -> PathBuf {
        self.dir.join(format!("{component_sha256}-{compat}.cwasm"))
    }

    /// The cached compilation, if one exists whose own checksum still matches. A damaged or
    /// foreign entry is ignored (and later overwritten), never deserialized.
    pub fn load(&self, engine: &Engine, component_sha256: &str, compat: &str) -> Option<Component> {
        // A cache that does not exist yet is simply empty (the first run creates it).
        if !self.dir.exists() {
            return None;
        }
        if let Err(reason) = self.trusted() {
            self.warn_once(&reason);
            return None;
        }
        let path = self.path(component_sha256, compat);
        let bytes = std::fs::read(&path).ok()?;
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if Sha256::digest(body).as_slice() != checksum {
            tracing::warn!(path = %path.display(), "ignoring a compiled-adapter cache entry whose checksum does not match");
            return None;
        }
        deserialize_trusted(engine, body).ok()
    }

    /// Compiled code in this directory runs as native code, so it must be exactly as trusted as the
    /// binary: owned by this user and writable by no one else. A shared or foreign directory is
    /// not used at all (every start compiles instead).
    fn trusted(&self) -> Result<(), String> {
        let meta = std::fs::metadata(&self.dir).map_err(|err| err.to_string())?;
        if meta.uid() != nix::unistd::geteuid().as_raw() {
            return Err("the directory is owned by another user".into());
        }
        if meta.mode() & 0o022 != 0 {
            return Err(format!(
                "the directory is writable by others (mode {:o})",
                meta.mode() & 0o777
            ));
        }
        Ok(())
    }

    /// Store a compilation; failures only cost a recompile next time, so they are logged, not raised.
    pub fn store(&self, component_sha256: &str, compat: &str, component: &Component) {
        let result = (|| -> Result<(), String> {
            let mut bytes = component.serialize().map_err(|err| err.to_string())?;
            let checksum = Sha256::digest(&bytes);
            bytes.extend_from_slice(&checksum);
            let write = || -> std::io::Result<()> {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)?;
                self.trusted().map_err(std::io::Error::other)?;
                let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
                std::io::Write::write_all(&mut tmp, &bytes)?;
                tmp.persist(self.path(component_sha256, compat))
                    .map_err(|err| err.error)?;
                Ok(())
            };
            write().map_err(|err| err.to_string())
        })();
        if let Err(err) = result {
            self.warn_once(&err);
        }
    }
}

/// Deserialize precompiled code.
///
/// SAFETY: `Component::deserialize` runs the native code it is given, so it must only see bytes
/// this host produced. Entries come only from `CompileCache::load`, which reads them from a
/// directory that `trusted()` confirmed is owned by this user and writable by no one else — the
/// same trust as the binary itself — into memory, so the file cannot change between the checks
/// and the use. The trailing sha256 guards against truncation and corruption (not against an
/// attacker, who would need this user's rights anyway). Entries are keyed by the engine
/// compatibility hash, and wasmtime itself refuses code built for another engine configuration.
#[allow(
    unsafe_code,
    reason = "the one audited place that loads precompiled adapter code"
)]
fn deserialize_trusted(engine: &Engine, body: &[u8]) -> wasmtime::Result<Component> {
    unsafe { Component::deserialize(engine, body) }
}
