//! Writing a rendered artifact: to stdout untouched, or atomically to `--output-file`.

use std::io::Write;
use std::path::Path;

use super::exit::Failure;

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
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let write = || -> std::io::Result<()> {
                let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
                tmp.write_all(text.as_bytes())?;
                tmp.persist(path).map_err(|err| err.error)?;
                Ok(())
            };
            write().map_err(|err| {
                Failure::internal(format!("cannot write {}: {err}", path.display()))
            })?;
            eprintln!("Output written to {}", path.display());
            Ok(())
        }
    }
}
