//! `securescan adapter build`: compile the registry's adapter crates for wasm32-wasip2 the way
//! releases are built, place the components in the adapter directory, and check or rewrite pins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use super::adapter::verify;
use super::exit::{CommandResult, Exit, Failure};
use securescan_registry::Registry;
use securescan_sandbox::component_sha256;

const WASM_TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "adapter";

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Rewrite the sha256 pins in registry.toml to the freshly built components.
    #[arg(long)]
    write_pins: bool,
    /// The source tree (default: the nearest directory above the current one holding registry.toml).
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// Build only this registry adapter (repeatable); the others are neither built nor checked,
    /// and their pins stay as they are.
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
}

pub async fn build(args: BuildArgs) -> CommandResult {
    let root = match args.workspace {
        Some(dir) => dir,
        None => find_workspace().ok_or_else(|| {
            Failure::usage("no registry.toml above the current directory; pass --workspace")
        })?,
    };
    let registry_path = root.join("registry.toml");
    let registry = Registry::load(&registry_path).map_err(|err| Failure::usage(err.to_string()))?;
    let registry = select(registry, &args.only)?;
    let target_dir = cargo_target_dir(&root).await?;

    let mut cargo =
        tokio::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&root).args([
        "build",
        "--locked",
        "--profile",
        PROFILE,
        "--target",
        WASM_TARGET,
    ]);
    for entry in &registry.adapters {
        cargo.args(["-p", &crate_name(&entry.component)]);
    }
    // Pins must not depend on where the tree or the cargo home is: remap both out of the binaries.
    // RUSTFLAGS would take precedence over the per-target flags and drop the path remapping.
    for overriding in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"] {
        if std::env::var_os(overriding).is_some() {
            tell!("note: ignoring {overriding} so the adapters build reproducibly");
            cargo.env_remove(overriding);
        }
    }
    cargo.env(
        format!(
            "CARGO_TARGET_{}_RUSTFLAGS",
            WASM_TARGET.to_uppercase().replace('-', "_")
        ),
        remap_flags(&root),
    );
    let status = cargo
        .status()
        .await
        .map_err(|err| Failure::internal(format!("cannot run cargo: {err}")))?;
    if !status.success() {
        return Err(Failure::internal(format!(
            "cargo build for {WASM_TARGET} failed ({status})"
        )));
    }

    let out_dir = target_dir.join("adapters");
    std::fs::create_dir_all(&out_dir)
        .map_err(|err| Failure::internal(format!("cannot create {}: {err}", out_dir.display())))?;
    let mut built = BTreeMap::new();
    for entry in &registry.adapters {
        let from = target_dir
            .join(WASM_TARGET)
            .join(PROFILE)
            .join(&entry.component);
        let bytes = std::fs::read(&from)
            .map_err(|err| Failure::internal(format!("cannot read {}: {err}", from.display())))?;
        std::fs::write(out_dir.join(&entry.component), &bytes).map_err(|err| {
            Failure::internal(format!("cannot write {}: {err}", out_dir.display()))
        })?;
        built.insert(entry.id.clone(), component_sha256(&bytes));
    }
    tell!("Adapters written to {}", out_dir.display());

    if args.write_pins {
        return write_pins(&registry_path, &built);
    }
    verify(&registry, &out_dir)
}

/// Rewrite the pins in the registry file at `path`, keeping everything else as it is.
pub fn write_pins(path: &Path, pins: &BTreeMap<String, String>) -> CommandResult {
    let text = std::fs::read_to_string(path)
        .map_err(|err| Failure::usage(format!("cannot read {}: {err}", path.display())))?;
    let updated = rewrite_pins(&text, pins);
    let rewritten = Registry::parse(&updated, "rewritten registry.toml")
        .map_err(|err| Failure::internal(err.to_string()))?;
    for entry in &rewritten.adapters {
        if pins.get(&entry.id).is_some_and(|pin| pin != &entry.sha256) {
            return Err(Failure::internal(format!(
                "could not rewrite the pin of {:?} in {}: keep `id` before `sha256` in each [[adapter]]",
                entry.id,
                path.display()
            )));
        }
    }
    if updated != text {
        std::fs::write(path, updated)
            .map_err(|err| Failure::internal(format!("cannot write {}: {err}", path.display())))?;
        tell!(
            "Pins rewritten in {}; rebuild securescan to embed them",
            path.display()
        );
    }
    Ok(Exit::Ok)
}

/// The registry cut down to the adapters `--only` names (all of them when it names none).
fn select(mut registry: Registry, only: &[String]) -> Result<Registry, Failure> {
    if let Some(unknown) = only.iter().find(|id| registry.get(id).is_none()) {
        return Err(Failure::usage(format!(
            "--only {unknown:?} is not in the registry ({})",
            registry.ids().join(", ")
        )));
    }
    if !only.is_empty() {
        registry.adapters.retain(|entry| only.contains(&entry.id));
    }
    Ok(registry)
}

pub fn find_workspace() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|dir| dir.join("registry.toml").is_file() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

async fn cargo_target_dir(root: &Path) -> Result<PathBuf, Failure> {
    let output =
        tokio::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .await
            .map_err(|err| Failure::internal(format!("cannot run cargo metadata: {err}")))?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|err| Failure::internal(format!("cargo metadata printed no JSON: {err}")))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| Failure::internal("cargo metadata has no target_directory"))
}

/// `securescan_adapter_semgrep.wasm` is built by crate `securescan-adapter-semgrep`.
pub(super) fn crate_name(component: &str) -> String {
    component.trim_end_matches(".wasm").replace('_', "-")
}

pub fn remap_flags(root: &Path) -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    format!(
        "--remap-path-prefix={}=/securescan --remap-path-prefix={}=/cargo",
        root.display(),
        cargo_home.display()
    )
}

/// Replace the `sha256 = "…"` line of each `[[adapter]]` block whose id has a new value; every
/// other byte of the file (comments, order, layout) is kept.
fn rewrite_pins(text: &str, pins: &BTreeMap<String, String>) -> String {
    let mut current: Option<String> = None;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed == "[[adapter]]" {
            current = None;
        } else if let Some(id) = trimmed
            .strip_prefix("id = \"")
            .and_then(|rest| rest.strip_suffix('"'))
        {
            current = Some(id.to_string());
        } else if trimmed.starts_with("sha256 = \"")
            && let Some(pin) = current.as_ref().and_then(|id| pins.get(id))
        {
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            out.push_str(&format!("sha256 = \"{pin}\"{newline}"));
            continue;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_touches_only_the_named_pins() {
        let text = "# c\n[[adapter]]\nid = \"a\"\nsha256 = \"old\"\n\n[[adapter]]\nid = \"b\"\nsha256 = \"keep\"\n";
        let pins = BTreeMap::from([("a".to_string(), "new".to_string())]);
        assert_eq!(
            rewrite_pins(text, &pins),
            "# c\n[[adapter]]\nid = \"a\"\nsha256 = \"new\"\n\n[[adapter]]\nid = \"b\"\nsha256 = \"keep\"\n"
        );
    }

    #[test]
    fn only_keeps_the_named_adapters_and_refuses_unknown_ones() {
        let registry = Registry::builtin().unwrap();
        let picked = select(registry.clone(), &["nmap".into(), "bandit".into()]).unwrap();
        assert_eq!(picked.ids(), vec!["bandit", "nmap"]);
        assert_eq!(select(registry.clone(), &[]).unwrap().ids(), registry.ids());
        assert!(select(registry, &["nope".into()]).is_err());
    }

    #[test]
    fn crate_names_follow_component_names() {
        assert_eq!(
            crate_name("securescan_adapter_npm_audit.wasm"),
            "securescan-adapter-npm-audit"
        );
    }
}
