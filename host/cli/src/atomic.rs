//! Writing a file the user named, so that readers see the old content or the new, never a part:
//! a temporary file in the same directory, synced, then renamed over the target. What is at the
//! path decides how: a regular file is replaced (keeping its mode), a new file honours the umask,
//! a device, pipe or the process's own output stream (`/dev/stdout`, `/dev/fd/N`) is written
//! through and never replaced, and a symbolic link to anything else is refused — a link in a
//! scanned checkout could point at any file the user can write.

use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
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
    let keep_mode = match destination(path)? {
        Destination::Stream => return write_through(path, write),
        Destination::Absent => None,
        Destination::RegularFile(permissions) => Some(permissions),
    };
    // Created 0666 less the umask, as any program's new file is (not tempfile's private 0600).
    let mut tmp = tempfile::Builder::new()
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(parent(path))?;
    if let Some(permissions) = keep_mode {
        tmp.as_file().set_permissions(permissions)?;
    }
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
    destination(path)?;
    tempfile::NamedTempFile::new_in(dir).map(drop)
}

/// What is at an output path, as far as writing it is concerned.
enum Destination {
    Absent,
    RegularFile(Permissions),
    /// A character device, pipe or socket, or the process's own output stream.
    Stream,
}

fn destination(path: &Path) -> std::io::Result<Destination> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Destination::Absent),
        Err(err) => return Err(err),
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(Destination::RegularFile(meta.permissions()));
    }
    if is_stream(kind) {
        return Ok(Destination::Stream);
    }
    if kind.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        ));
    }
    if kind.is_symlink() {
        if std::fs::metadata(path).is_ok_and(|target| is_stream(target.file_type()))
            || is_own_stream(path)
        {
            return Ok(Destination::Stream);
        }
        let target = std::fs::read_link(path)
            .map(|t| format!(" to {}", t.display()))
            .unwrap_or_default();
        return Err(std::io::Error::other(format!(
            "it is a symbolic link{target}, and output is not written through links to files \
             (one in a checkout could point at any file you can write): remove the link or name \
             the file itself"
        )));
    }
    Err(std::io::Error::other(
        "it is not a regular file, a device or a pipe",
    ))
}

fn is_stream(kind: std::fs::FileType) -> bool {
    kind.is_char_device() || kind.is_fifo() || kind.is_socket()
}

/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: links to this process's own
/// descriptors, which the user set up (`> out.json`), whatever they point at.
fn is_own_stream(path: &Path) -> bool {
    [
        "/dev/stdout",
        "/dev/stderr",
        "/dev/fd/",
        "/proc/self/fd/",
        "/proc/thread-self/fd/",
    ]
    .iter()
    .any(|own| {
        let text = path.as_os_str().as_encoded_bytes();
        if own.ends_with('/') {
            text.starts_with(own.as_bytes())
        } else {
            text == own.as_bytes()
        }
    })
}

/// Write into what is there, without creating, truncating or replacing it: a device stays a
/// device, and a redirected stdout is appended to as the shell left it.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().append(true).open(path)?;
    let mut buffered = std::io::BufWriter::new(file);
    write(&mut buffered)?;
    buffered.flush()
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
