//! Writing a file so that readers see the old content or the new, never a part: a temporary file
//! in the same directory, synced, then renamed over the target.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path`, whose directory must exist (a mistyped `--output-file` directory is
/// an error, not a new tree). On error nothing is left behind (the temporary file is removed
/// when dropped).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// [`write_atomically`] of what `write` produces, streamed (buffered) into the temporary file.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = parent(path);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// [`write_atomically`], creating the directory first: for files with a conventional home
/// (`.securescan/baseline.json`, `.github/workflows/…`).
pub fn write_creating_dirs(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(parent(path))?;
    write_atomically(path, bytes)
}

/// Whether [`write_creating_dirs`] could write `path`, found out without touching an existing
/// file there (the directory is created; a temporary file is made in it and removed).
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    let dir = parent(path);
    std::fs::create_dir_all(dir)?;
    tempfile::NamedTempFile::new_in(dir).map(drop)
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
