//! Writing a rendered artifact: to stdout untouched, or atomically to `--output-file`.

use std::io::Write;
use std::path::Path;

use super::exit::Failure;
use crate::atomic::write_atomically;

pub fn write_artifact(text: &str, file: Option<&Path>) -> Result<(), Failure> {
    match file {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|err| Failure::internal(format!("cannot write to stdout: {err}")))
        }
        Some(path) => {
            write_atomically(path, text.as_bytes()).map_err(|err| {
                Failure::internal(format!("cannot write {}: {err}", path.display()))
            })?;
            eprintln!("Output written to {}", path.display());
            Ok(())
        }
    }
}
