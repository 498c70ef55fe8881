//! `securescan sbom`: a CycloneDX or SPDX bill of materials from the target's manifests.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::exit::{CommandResult, Exit, Failure};
use super::output::write_artifact;
use securescan_engine::sbom::{self, Format, Stamp};

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The project directory (or one manifest file).
    path: String,
    /// The document format.
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Cyclonedx)]
    format: SbomFormat,
    /// Write the document here (atomically) instead of stdout.
    #[arg(long)]
    output_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SbomFormat {
    /// CycloneDX 1.5 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

pub async fn run(args: SbomArgs) -> CommandResult {
    let stamp = Stamp::from_env().map_err(|err| Failure::usage(err.to_string()))?;
    let inventory = sbom::collect(&args.path)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", args.path)))?;
    for warning in &inventory.warnings {
        tell!("securescan: warning: {warning}");
    }
    let format = match args.format {
        SbomFormat::Cyclonedx => Format::CycloneDx,
        SbomFormat::Spdx => Format::Spdx,
    };
    write_artifact(
        &sbom::render(&inventory, format, &stamp),
        args.output_file.as_deref(),
    )?;
    Ok(Exit::Ok)
}
