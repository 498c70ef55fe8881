//! `securescan adapter …`: what an adapter author and a release engineer need.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::build::{BuildArgs, build, find_workspace, write_pins};
use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::output::write_artifact;
use super::scaffold::{NewArgs, new_adapter};
use securescan_engine::gather::gather_files;
use securescan_registry::abi;
use securescan_registry::{FileSelection, Input, LargeFiles, Limits, Registry};
use securescan_sandbox::{WitGatheredFile, WitInput, WitToolReport, component_sha256};

#[derive(Debug, Subcommand)]
pub enum AdapterCommand {
    /// Run one adapter on a tool report (or a directory of files) and print its findings as JSON.
    Run {
        /// A registry scanner id, or the path of a component under development (not pinned).
        adapter: String,
        /// A tool report to parse.
        #[arg(long, conflicts_with = "files", required_unless_present = "files")]
        input: Option<PathBuf>,
        /// A directory whose files are gathered for a built-in analyzer.
        #[arg(long)]
        files: Option<PathBuf>,
    },
    /// Show a component's sha256, ABI version, imports and exports, and whether it is pinned.
    Inspect { component: PathBuf },
    /// Check that every registry component exists, matches its pin and fits this host's ABI.
    Verify {
        /// The registry file to check (default: the one built into this binary).
        #[arg(long)]
        registry: Option<PathBuf>,
        /// Directory of components (default: the adapter directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Instead of checking, rewrite the pins in the registry file (--registry, else the
        /// registry.toml of the enclosing source tree) to match the components.
        #[arg(long)]
        write_pins: bool,
    },
    /// Build the registry's adapters from this source tree and check (or rewrite) their pins.
    Build(BuildArgs),
    /// Start a new adapter crate in this source tree: code, fixture, snapshot test, workspace
    /// and registry entries.
    New(NewArgs),
}

pub async fn run(command: AdapterCommand) -> CommandResult {
    match command {
        AdapterCommand::Run {
            adapter,
            input,
            files,
        } => run_adapter(&adapter, input.as_deref(), files.as_deref()).await,
        AdapterCommand::Inspect { component } => inspect(&component),
        AdapterCommand::Verify {
            registry,
            dir,
            write_pins,
        } => {
            let dir = dir.unwrap_or_else(locations::adapter_dir);
            if write_pins {
                let path = registry
                    .or_else(|| find_workspace().map(|root| root.join("registry.toml")))
                    .ok_or_else(|| {
                        Failure::usage(
                            "no registry.toml above the current directory; pass --registry",
                        )
                    })?;
                return rewrite_from_components(&path, &dir);
            }
            let registry = match registry {
                Some(path) => {
                    Registry::load(&path).map_err(|err| Failure::usage(err.to_string()))?
                }
                None => locations::builtin_registry()?,
            };
            verify(&registry, &dir)
        }
        AdapterCommand::Build(args) => build(args).await,
        AdapterCommand::New(args) => new_adapter(args).await,
    }
}

async fn run_adapter(adapter: &str, input: Option<&Path>, files: Option<&Path>) -> CommandResult {
    let registry = locations::builtin_registry()?;
    let sandbox = locations::sandbox()?;
    let (loaded, selection) = match registry.get(adapter) {
        Some(entry) => {
            let selection = match &entry.input {
                Input::Files(rules) => Some(rules.clone()),
                _ => None,
            };
            (sandbox.load(entry, &locations::adapter_dir()), selection)
        }
        None if Path::new(adapter).is_file() => {
            let bytes = std::fs::read(adapter)
                .map_err(|err| Failure::usage(format!("cannot read {adapter}: {err}")))?;
            (sandbox.load_bytes("dev", &bytes, Limits::default()), None)
        }
        None => {
            return Err(Failure::usage(format!(
                "{adapter:?} is neither a registry scanner ({}) nor a component file",
                registry.ids().join(", ")
            )));
        }
    };
    let loaded = loaded.map_err(|failure| Failure {
        exit: Exit::ScannerFailed,
        message: failure.to_string(),
    })?;
    let wit_input = match (input, files) {
        (Some(path), _) => report_input(path)?,
        (None, Some(dir)) => files_input(dir, selection)?,
        (None, None) => return Err(Failure::usage("give --input or --files")),
    };
    let result = tokio::task::spawn_blocking(move || loaded.call(wit_input))
        .await
        .map_err(|err| Failure::internal(err.to_string()))?;
    match result {
        Ok(output) => {
            let text = serde_json::to_string_pretty(&output)
                .map_err(|err| Failure::internal(err.to_string()))?;
            write_artifact(&(text + "\n"), None)?;
            Ok(Exit::Ok)
        }
        Err(failure) => Err(Failure {
            exit: Exit::ScannerFailed,
            message: format!("adapter {} ({})", failure, failure.kind()),
        }),
    }
}

fn report_input(path: &Path) -> Result<WitInput, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", path.display())))?;
    let report = WitToolReport {
        bytes,
        exit_code: None,
        tool_version: None,
    };
    Ok(WitInput::for_report(".", report))
}

fn files_input(dir: &Path, selection: Option<FileSelection>) -> Result<WitInput, Failure> {
    let rules = selection.unwrap_or(FileSelection {
        include: Vec::new(),
        skip_dirs: vec![".git".into()],
        skip_suffixes: Vec::new(),
        max_file_bytes: 1_000_000,
        skip_binary: true,
        virtualenv_metadata: false,
        large_files: LargeFiles::Skip,
    });
    let target = dir.to_string_lossy().into_owned();
    let gathered = gather_files(&target, &rules)
        .map_err(|err| Failure::usage(format!("cannot read {target}: {err}")))?;
    for note in &gathered.notes {
        tell!("note: {note}");
    }
    let files = gathered
        .files
        .into_iter()
        .map(|(path, bytes)| WitGatheredFile { path, bytes })
        .collect();
    Ok(WitInput::for_files(&target, files, None))
}

fn inspect(path: &Path) -> CommandResult {
    let bytes = std::fs::read(path)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", path.display())))?;
    let sha256 = component_sha256(&bytes);
    let registry = locations::builtin_registry()?;
    let mut out = format!(
        "file:    {}\nsize:    {} bytes\nsha256:  {sha256}\n",
        path.display(),
        bytes.len()
    );
    let abi_line = match abi::read_abi(&bytes) {
        Ok(found) => match abi::check(&found, &abi::host_abi()) {
            Ok(()) => format!("{found} (this securescan supports {})", abi::HOST_ABI),
            Err(err) => format!("{found}: {err}"),
        },
        Err(err) => err.to_string(),
    };
    out.push_str(&format!("abi:     {abi_line}\n"));
    match abi::interface_names(&bytes) {
        Ok((imports, exports)) => {
            out.push_str(&format!(
                "imports: {}\nexports: {}\n",
                imports.join(", "),
                exports.join(", ")
            ));
        }
        Err(err) => out.push_str(&format!("interfaces: unreadable ({err})\n")),
    }
    let pinned: Vec<&str> = registry
        .adapters
        .iter()
        .filter(|a| a.sha256 == sha256)
        .map(|a| a.id.as_str())
        .collect();
    out.push_str(&if pinned.is_empty() {
        "pinned:  no registry entry has this sha256\n".to_string()
    } else {
        format!("pinned:  as {}\n", pinned.join(", "))
    });
    write_artifact(&out, None)?;
    Ok(Exit::Ok)
}

fn rewrite_from_components(registry_path: &Path, dir: &Path) -> CommandResult {
    let registry = Registry::load(registry_path).map_err(|err| Failure::usage(err.to_string()))?;
    let mut pins = std::collections::BTreeMap::new();
    for entry in &registry.adapters {
        let path = dir.join(&entry.component);
        let bytes = std::fs::read(&path)
            .map_err(|err| Failure::usage(format!("cannot read {}: {err}", path.display())))?;
        pins.insert(entry.id.clone(), component_sha256(&bytes));
    }
    write_pins(registry_path, &pins)
}

/// One line per entry; exit 3 if any component is missing, differs from its pin or has the wrong ABI.
pub fn verify(registry: &Registry, dir: &Path) -> CommandResult {
    let mut out = String::new();
    let mut bad = 0;
    for entry in &registry.adapters {
        let path = dir.join(&entry.component);
        let verdict = match std::fs::read(&path) {
            Err(_) => Err(format!("missing {}", path.display())),
            Ok(bytes) => {
                let actual = component_sha256(&bytes);
                if actual != entry.sha256 {
                    Err(format!(
                        "sha256 {actual} does not match the pin {}",
                        entry.sha256
                    ))
                } else {
                    abi::read_abi(&bytes)
                        .and_then(|found| abi::check(&found, &abi::host_abi()).map(|()| found))
                        .map_err(|err| err.to_string())
                        .map(|found| format!("ok (abi {found})"))
                }
            }
        };
        match verdict {
            Ok(ok) => out.push_str(&format!("{:<14} {ok}\n", entry.id)),
            Err(err) => {
                bad += 1;
                out.push_str(&format!("{:<14} FAILED: {err}\n", entry.id));
            }
        }
    }
    write_artifact(&out, None)?;
    if bad > 0 {
        tell!("securescan: {bad} adapter(s) failed verification");
        return Ok(Exit::ScannerFailed);
    }
    Ok(Exit::Ok)
}
