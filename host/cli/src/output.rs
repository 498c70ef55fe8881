//! Writing a rendered artifact: to stdout untouched, or atomically to `--output-file`.

use std::io::Write;

use clap::ValueEnum;
use securescan_report::OutputFormat;
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
            tell!("Output written to {}", path.display());
            Ok(())
        }
    }
}

/// An `--output` value of `T` (any case). A format only `Other` has (the diff formats on `scan`,
/// the one-scan reports on `diff`) gets `elsewhere`, saying where it applies, instead of a bare
/// "unknown"; both errors list `T`'s formats.
pub fn parse_output<T: ValueEnum, Other: ValueEnum>(
    text: &str,
    elsewhere: &str,
) -> Result<T, String> {
    if let Ok(format) = T::from_str(text, true) {
        return Ok(format);
    }
    let valid: Vec<String> = T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect();
    let valid = valid.join(", ");
    if Other::from_str(text, true).is_ok() {
        Err(format!("{text} {elsewhere}; here choose {valid}"))
    } else {
        Err(format!("unknown output format {text:?}; choose {valid}"))
    }
}

/// `--output` of a command that renders one scan: the report crate's formats, named for clap
/// here so the renderers stay free of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanFormat(pub OutputFormat);

impl ValueEnum for ScanFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<ScanFormat>> =
            std::sync::LazyLock::new(|| OutputFormat::ALL.map(ScanFormat).to_vec());
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()))
    }
}
