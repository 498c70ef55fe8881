//! Reading a file the user named (a tool report, a baseline, a findings snapshot, a config, a
//! compliance mapping) without trusting its size: at most one byte past the limit is read, so a
//! 1 GiB report or `/dev/zero` is refused with a clear error instead of filling memory.

use std::io::Read;
use std::path::Path;

/// The largest findings file (`--baseline`, `--base-snapshot`, `compare`'s baseline) read: a
/// scan's JSON is about 1 KiB a finding, so this is a quarter of a million findings.
pub const MAX_FINDINGS_FILE_BYTES: u64 = 256 << 20;
/// The largest `.securescan.yml` (or other small settings file) read.
pub const MAX_SETTINGS_FILE_BYTES: u64 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum LimitedReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is larger than {limit}, the most read for {what}; it was not read")]
    TooLarge {
        path: String,
        limit: String,
        what: &'static str,
    },
}

impl LimitedReadError {
    /// Whether the file is simply not there (some readers treat that as "none given").
    pub fn is_not_found(&self) -> bool {
        matches!(self, LimitedReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The whole file at `path`, or an error when it holds more than `limit` bytes. `what` names the
/// kind of file in the error ("a tool report").
pub fn read_limited(
    path: &Path,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>, LimitedReadError> {
    let io = |source| LimitedReadError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(LimitedReadError::TooLarge {
            path: path.display().to_string(),
            limit: size(limit),
            what,
        });
    }
    Ok(bytes)
}

/// [`read_limited`] as UTF-8 text.
pub fn read_limited_text(
    path: &Path,
    limit: u64,
    what: &'static str,
) -> Result<String, LimitedReadError> {
    let bytes = read_limited(path, limit, what)?;
    String::from_utf8(bytes).map_err(|err| LimitedReadError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, err.utf8_error()),
    })
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_after_one_byte_past_the_limit() {
        let err =
            read_limited(Path::new("/dev/zero"), 1 << 20, "a tool report").expect_err("refused");
        assert_eq!(
            err.to_string(),
            "/dev/zero is larger than 1 MiB, the most read for a tool report; it was not read"
        );
    }

    #[test]
    fn a_file_at_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, b"0123456789").expect("write");
        assert_eq!(
            read_limited(&path, 10, "a tool report").expect("read"),
            b"0123456789"
        );
        assert!(matches!(
            read_limited(&path, 9, "a tool report"),
            Err(LimitedReadError::TooLarge { .. })
        ));
        assert!(
            read_limited(&dir.path().join("missing"), 9, "a tool report")
                .expect_err("missing")
                .is_not_found()
        );
    }
}
