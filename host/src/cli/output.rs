//! Writing a rendered artifact: to stdout untouched, or atomically to `--output-file`.

use std::io::Write;
use std::path::Path;

use super::exit::Failure;
use crate::atomic::write_atomically_with;

pub fn write_artifact(text: &str, file: Option<&Path>) -> Result<(), Failure> {
    write_streamed(file, |out| out.write_all(text.as_bytes()))
}

/// Write what `write` produces to stdout (buffered) or atomically to `file`, without holding it
/// all in memory first.
pub fn write_streamed(
    file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    match file {
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut stdout)
                .and_then(|()| stdout.flush())
                .map_err(|err| Failure::internal(format!("cannot write to stdout: {err}")))
        }
        Some(path) => {
            write_atomically_with(path, write).map_err(|err| {
                Failure::internal(format!("cannot write {}: {err}", path.display()))
            })?;
            eprintln!("Output written to {}", path.display());
            Ok(())
        }
    }
}
