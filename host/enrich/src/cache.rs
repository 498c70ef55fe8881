//! Answers on disk, one small JSON file per (model, fingerprint), so a finding is asked about
//! once. The cache is read as untrusted input: an entry that is not a regular file of ours,
//! writable by no one else, small, well-formed and naming its own key is ignored (and rewritten
//! after the next answer), never believed.

use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use securescan_model::Explanation;
use sha2::{Digest, Sha256};

use crate::prompt::MAX_ANSWER_CHARS;

/// Bumped when what is sent changes, so old answers to other questions are not reused.
const VERSION: &str = "securescan-ai-cache/1";
/// Larger entries are not read: two answers of [`MAX_ANSWER_CHARS`] fit many times over.
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// The entry key of `fingerprint` answered by `model`.
pub(crate) fn key(model: &str, fingerprint: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{VERSION}\0{model}\0{fingerprint}").as_bytes(),
    ))
}

#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub(crate) fn new(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    pub(crate) fn load(&self, key: &str) -> Option<Explanation> {
        // No symlink is followed and a FIFO cannot block the open.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
            .open(self.path(key))
            .ok()?;
        let meta = file.metadata().ok()?;
        let ours = meta.uid() == nix::unistd::geteuid().as_raw() && meta.mode() & 0o022 == 0;
        if !meta.is_file() || !ours || meta.len() > MAX_ENTRY_BYTES {
            return None;
        }
        let mut bytes = Vec::new();
        file.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes).ok()?;
        let entry: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        if entry.get("key")?.as_str()? != key {
            return None;
        }
        let text = |name: &str| {
            entry
                .get(name)?
                .as_str()
                .filter(|t| t.chars().count() <= MAX_ANSWER_CHARS + 1)
                .map(str::to_string)
        };
        let explanation = text("explanation").filter(|t| !t.trim().is_empty())?;
        Some(Explanation {
            explanation,
            remediation: text("remediation")?,
        })
    }

    /// Write the entry atomically (readers see the old file or the new one, never half), private
    /// to the user.
    pub(crate) fn store(&self, key: &str, answer: &Explanation) -> std::io::Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        let entry = serde_json::json!({
            "key": key,
            "explanation": answer.explanation,
            "remediation": answer.remediation,
        });
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, entry.to_string().as_bytes())?;
        tmp.persist(self.path(key)).map_err(|err| err.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn answer() -> Explanation {
        Explanation {
            explanation: "Shell injection.".into(),
            remediation: "Pass a list.".into(),
        }
    }

    #[test]
    fn an_answer_comes_back_under_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("ai"));
        let k = key("m", "fp1");
        assert_eq!(cache.load(&k), None);
        cache.store(&k, &answer()).unwrap();
        assert_eq!(cache.load(&k), Some(answer()));
        assert_eq!(cache.load(&key("m", "fp2")), None);
        assert_eq!(cache.load(&key("other-model", "fp1")), None);
        let mode = std::fs::metadata(cache.path(&k)).unwrap().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    #[test]
    fn damaged_foreign_or_hostile_entries_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let k = key("m", "fp");
        let write = |bytes: &[u8]| std::fs::write(cache.path(&k), bytes).unwrap();
        let cases: Vec<Vec<u8>> = vec![
            b"{not json".to_vec(),
            b"[]".to_vec(),
            serde_json::json!({"key": "another", "explanation": "x", "remediation": ""})
                .to_string()
                .into_bytes(),
            serde_json::json!({"key": k, "explanation": 7, "remediation": ""})
                .to_string()
                .into_bytes(),
            serde_json::json!({"key": k, "explanation": "x".repeat(MAX_ANSWER_CHARS + 9), "remediation": ""})
                .to_string()
                .into_bytes(),
            vec![b' '; MAX_ENTRY_BYTES as usize + 1],
        ];
        for bytes in cases {
            write(&bytes);
            assert_eq!(cache.load(&k), None, "{}", String::from_utf8_lossy(&bytes));
        }
        // Writable by others: anyone could have put words in the model's mouth.
        cache.store(&k, &answer()).unwrap();
        std::fs::set_permissions(cache.path(&k), std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(cache.load(&k), None);
        // A symlink to somewhere else is not followed.
        std::fs::remove_file(cache.path(&k)).unwrap();
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(
            &elsewhere,
            serde_json::json!({"key": k, "explanation": "x", "remediation": ""}).to_string(),
        )
        .unwrap();
        std::os::unix::fs::symlink(&elsewhere, cache.path(&k)).unwrap();
        assert_eq!(cache.load(&k), None);
    }
}
