//! `securescan adapter new`: a new adapter crate that tests, builds and pins from the first
//! command, already wired into the workspace manifest, `Cargo.lock` and `registry.toml`.
//!
//! The crate starts from the templates in `scaffold/`: an example parser (or check), one fixture
//! and the snapshot of what the example makes of it, so `cargo test` passes before any edit.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::build::{crate_name, find_workspace};
use super::exit::{CommandResult, Exit, Failure};
use crate::atomic::write_atomically;
use securescan_registry::{Registry, RegistryError, is_valid_id};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The scanner id: lowercase letters, digits, '-' or '_'. The crate goes to plugins/<ID>.
    id: String,
    /// `tool`: parses the report an external tool prints; `builtin`: analyzes the files the host
    /// gathers.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The source tree (default: the nearest directory above the current one holding registry.toml).
    #[arg(long)]
    workspace: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Tool,
    Builtin,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("no registry.toml above the current directory; pass --workspace")]
    NoWorkspace,
    #[error("{}: no [workspace] table, so this is not the SecureScan source tree", .0.display())]
    NotAWorkspace(PathBuf),
    #[error("{0:?} is not a valid adapter id: use lowercase letters, digits, '-' or '_'")]
    InvalidId(String),
    #[error("adapter {id:?} already exists: {place}")]
    Exists { id: String, place: String },
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}; add the crate to it by hand (see plugins/README.md)", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error(
        "plugins/{id} and its entries are written, but `cargo {command}` failed ({reason}); run it yourself"
    )]
    Cargo {
        id: String,
        command: String,
        reason: String,
    },
}

impl From<ScaffoldError> for Failure {
    fn from(err: ScaffoldError) -> Failure {
        let exit = match err {
            ScaffoldError::NoWorkspace
            | ScaffoldError::NotAWorkspace(_)
            | ScaffoldError::InvalidId(_)
            | ScaffoldError::Exists { .. }
            | ScaffoldError::Registry(_)
            | ScaffoldError::Read { .. } => Exit::Usage,
            ScaffoldError::Write { .. }
            | ScaffoldError::Manifest { .. }
            | ScaffoldError::Cargo { .. } => Exit::Internal,
        };
        Failure {
            exit,
            message: format!("adapter new: {err}"),
        }
    }
}

pub async fn new_adapter(args: NewArgs) -> CommandResult {
    let root = match args.workspace {
        Some(dir) => dir,
        None => find_workspace().ok_or(ScaffoldError::NoWorkspace)?,
    };
    let plan = Plan::new(&root, &args.id, args.kind)?;
    plan.write()?;
    // The new crate depends only on crates already locked, so resolving it needs no network;
    // `--workspace` leaves every other locked version as it is.
    cargo(
        &root,
        &plan.names,
        &["update", "--workspace", "--offline", "--quiet"],
    )
    .await?;
    // The templates are formatted for a short type name; a longer one may wrap differently.
    cargo(&root, &plan.names, &["fmt", "-p", &plan.names.package]).await?;
    tell!("{}", plan.summary());
    Ok(Exit::Ok)
}

/// The names one adapter id gives rise to.
#[derive(Debug)]
struct Names {
    id: String,
    /// `securescan-adapter-<id>` with `_` as `-`: the name `adapter build` derives from the component.
    package: String,
    /// The component's file name.
    component: String,
    /// The adapter type, `demo_x` → `DemoX`.
    type_name: String,
}

impl Names {
    fn new(id: &str) -> Names {
        let component = format!("securescan_adapter_{}.wasm", id.replace('-', "_"));
        let camel: String = id
            .split(['-', '_'])
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        // `1x` and `self` would not be Rust type names.
        let type_name = if camel.starts_with(|c: char| c.is_ascii_alphabetic()) && camel != "Self" {
            camel
        } else {
            format!("Scanner{camel}")
        };
        Names {
            id: id.to_string(),
            package: crate_name(&component),
            component,
            type_name,
        }
    }

    fn render(&self, template: &str) -> String {
        template
            .replace("{{id}}", &self.id)
            .replace("{{package}}", &self.package)
            .replace("{{lib}}", self.component.trim_end_matches(".wasm"))
            .replace("{{Type}}", &self.type_name)
    }

    fn crate_dir(&self) -> String {
        format!("plugins/{}", self.id)
    }
}

const CARGO_TOML: &str = include_str!("scaffold/Cargo.toml.in");

/// A kind's templates: (path inside the crate, template) pairs, and the registry entry.
fn templates(kind: Kind) -> (Vec<(&'static str, &'static str)>, &'static str) {
    match kind {
        Kind::Tool => (
            vec![
                ("src/lib.rs", include_str!("scaffold/tool/lib.rs.in")),
                ("src/tests.rs", include_str!("scaffold/tool/tests.rs.in")),
                (
                    "fixtures/{{id}}-1.0.0/example.json",
                    include_str!("scaffold/tool/example.json.in"),
                ),
                (
                    "snapshots/{{id}}-1.0.0__example.snap",
                    include_str!("scaffold/tool/example.snap.in"),
                ),
            ],
            include_str!("scaffold/tool/registry.toml.in"),
        ),
        Kind::Builtin => (
            vec![
                ("src/lib.rs", include_str!("scaffold/builtin/lib.rs.in")),
                ("src/tests.rs", include_str!("scaffold/builtin/tests.rs.in")),
                (
                    "fixtures/example/app.py",
                    include_str!("scaffold/builtin/app.py.in"),
                ),
                (
                    "snapshots/example.snap",
                    include_str!("scaffold/builtin/example.snap.in"),
                ),
            ],
            include_str!("scaffold/builtin/registry.toml.in"),
        ),
    }
}

/// Everything `adapter new` writes, worked out (and checked) before anything is written.
#[derive(Debug)]
struct Plan {
    root: PathBuf,
    kind: Kind,
    names: Names,
    /// Paths relative to the crate directory, with their contents.
    files: Vec<(String, String)>,
    manifest: String,
    registry: String,
}

impl Plan {
    fn new(root: &Path, id: &str, kind: Kind) -> Result<Plan, ScaffoldError> {
        if !is_valid_id(id) {
            return Err(ScaffoldError::InvalidId(id.to_string()));
        }
        let names = Names::new(id);
        let exists = |place: String| ScaffoldError::Exists {
            id: id.to_string(),
            place,
        };
        let crate_dir = root.join(names.crate_dir());
        if crate_dir.symlink_metadata().is_ok() {
            return Err(exists(format!("{} is there", crate_dir.display())));
        }
        let registry_path = root.join("registry.toml");
        let registry_text = read(&registry_path)?;
        let registry = Registry::parse(&registry_text, &registry_path.display().to_string())?;
        if let Some(entry) = registry
            .adapters
            .iter()
            .find(|a| a.id == id || a.component == names.component)
        {
            return Err(exists(format!(
                "registry.toml has adapter {:?} (component {})",
                entry.id, entry.component
            )));
        }
        let manifest_path = root.join("Cargo.toml");
        let manifest_text = read(&manifest_path)?;
        let manifest = add_member(&manifest_text, &names).map_err(|edit| match edit {
            ManifestEdit::NotAWorkspace => ScaffoldError::NotAWorkspace(manifest_path.clone()),
            ManifestEdit::Taken(place) => exists(place),
            ManifestEdit::Failed(message) => ScaffoldError::Manifest {
                path: manifest_path.clone(),
                message,
            },
        })?;

        let (crate_templates, entry) = templates(kind);
        let mut files = vec![("Cargo.toml".to_string(), names.render(CARGO_TOML))];
        files.extend(
            crate_templates
                .into_iter()
                .map(|(path, template)| (names.render(path), names.render(template))),
        );
        let mut registry_text = registry_text;
        if !registry_text.is_empty() && !registry_text.ends_with('\n') {
            registry_text.push('\n');
        }
        registry_text.push_str(&names.render(entry));
        // The entry must load as it is, so `adapter build` accepts the registry straight away.
        Registry::parse(&registry_text, "registry.toml with the new entry")?;
        Ok(Plan {
            root: root.to_path_buf(),
            kind,
            names,
            files,
            manifest,
            registry: registry_text,
        })
    }

    /// The crate first (its directory is created exclusively, so a concurrent `adapter new` of
    /// the same id fails here), then the manifest and the registry, each replaced atomically.
    fn write(&self) -> Result<(), ScaffoldError> {
        let crate_dir = self.root.join(self.names.crate_dir());
        std::fs::create_dir(&crate_dir).map_err(|source| write_error(&crate_dir, source))?;
        for (relative, contents) in &self.files {
            let path = crate_dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| write_error(parent, source))?;
            }
            std::fs::write(&path, contents).map_err(|source| write_error(&path, source))?;
        }
        for (name, contents) in [
            ("Cargo.toml", &self.manifest),
            ("registry.toml", &self.registry),
        ] {
            let path = self.root.join(name);
            write_atomically(&path, contents.as_bytes())
                .map_err(|source| write_error(&path, source))?;
        }
        Ok(())
    }

    /// What was made, and the rest of the checklist in plugins/README.md.
    fn summary(&self) -> String {
        let Names { id, package, .. } = &self.names;
        let dir = self.names.crate_dir();
        let (what, input) = match self.kind {
            Kind::Tool => (
                "a parser for an example JSON report",
                "the tool's real output in fixtures/<tool>-<version>/",
            ),
            Kind::Builtin => (
                "a check for eval( over gathered *.py files",
                "input trees in fixtures/<case>/",
            ),
        };
        format!(
            "Created {dir}/ (crate {package}): {what}, one fixture and its snapshot.\n\
             Added it to Cargo.toml (members, default-members, [workspace.dependencies]) and\n\
             Cargo.lock, and appended [[adapter]] id = \"{id}\" (placeholder pin) to registry.toml.\n\
             \n\
             Next (plugins/README.md has the details):\n\
             \x20 2. Write the adapter against real input: {input}, the code in {dir}/src/;\n\
             \x20    `cargo test -p {package}`, and review every new snapshot.\n\
             \x20 3. Wire it in: finish its entry in registry.toml, then\n\
             \x20    `securescan adapter build --write-pins --only {id}`, `cargo build --release -p securescan`,\n\
             \x20    `securescan adapter run {id} ...`; add its case to host/cli/tests/it/conformance.rs.\n\
             \x20 4. Run scripts/test.sh; commit the crate, Cargo.toml, Cargo.lock, registry.toml and the rest."
        )
    }
}

fn read(path: &Path) -> Result<String, ScaffoldError> {
    std::fs::read_to_string(path).map_err(|source| ScaffoldError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn write_error(path: &Path, source: std::io::Error) -> ScaffoldError {
    ScaffoldError::Write {
        path: path.to_path_buf(),
        source,
    }
}

async fn cargo(root: &Path, names: &Names, args: &[&str]) -> Result<(), ScaffoldError> {
    let failed = |reason: String| ScaffoldError::Cargo {
        id: names.id.clone(),
        command: args.join(" "),
        reason,
    };
    let status =
        tokio::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args(args)
            .status()
            .await
            .map_err(|err| failed(format!("cannot run cargo: {err}")))?;
    if !status.success() {
        return Err(failed(status.to_string()));
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
enum ManifestEdit {
    NotAWorkspace,
    Taken(String),
    Failed(String),
}

/// The workspace manifest with the new crate in `members`, `default-members` (when the manifest
/// has one) and `[workspace.dependencies]`, each after the entries already there. Only those
/// lines change; the result is checked to mean exactly the old manifest plus the three entries.
fn add_member(text: &str, names: &Names) -> Result<String, ManifestEdit> {
    let failed = |message: &str| ManifestEdit::Failed(message.to_string());
    let before: toml::Table = text
        .parse()
        .map_err(|err| ManifestEdit::Failed(format!("not valid TOML: {err}")))?;
    let Some(toml::Value::Table(workspace)) = before.get("workspace") else {
        return Err(ManifestEdit::NotAWorkspace);
    };
    let dir = names.crate_dir();
    let dir_value = toml::Value::String(dir.clone());
    for key in ["members", "default-members"] {
        if let Some(toml::Value::Array(list)) = workspace.get(key)
            && list.contains(&dir_value)
        {
            return Err(ManifestEdit::Taken(format!(
                "Cargo.toml lists {dir:?} in {key}"
            )));
        }
    }
    if let Some(toml::Value::Table(deps)) = workspace.get("dependencies")
        && deps.contains_key(&names.package)
    {
        return Err(ManifestEdit::Taken(format!(
            "Cargo.toml has {} in [workspace.dependencies]",
            names.package
        )));
    }

    let workspace_body =
        section(text, "[workspace]").ok_or_else(|| failed("no [workspace] header line"))?;
    let mut edited = append_to_array(text, workspace_body.clone(), "members", &dir)
        .ok_or_else(|| failed("no `members = [` line in [workspace]"))?;
    let has_defaults = workspace.contains_key("default-members");
    if has_defaults {
        let body = section(&edited, "[workspace]").ok_or_else(|| failed("no [workspace]"))?;
        edited = append_to_array(&edited, body, "default-members", &dir)
            .ok_or_else(|| failed("no `default-members = [` line in [workspace]"))?;
    }
    let dependency = format!("{} = {{ path = \"{dir}\" }}\n", names.package);
    edited = match section(&edited, "[workspace.dependencies]") {
        Some(body) => {
            let at = line_starts(&edited, body.clone())
                .filter(|&start| edited[start..].starts_with("securescan-adapter-"))
                .last()
                .map_or(body.start, |start| line_end(&edited, start));
            format!("{}{dependency}{}", &edited[..at], &edited[at..])
        }
        None => {
            let separator = if edited.ends_with('\n') { "\n" } else { "\n\n" };
            format!("{edited}{separator}[workspace.dependencies]\n{dependency}")
        }
    };

    let mut expected = before;
    if let Some(toml::Value::Table(workspace)) = expected.get_mut("workspace") {
        let keys: &[&str] = if has_defaults {
            &["members", "default-members"]
        } else {
            &["members"]
        };
        for key in keys {
            if let Some(toml::Value::Array(list)) = workspace.get_mut(*key) {
                list.push(dir_value.clone());
            }
        }
        let deps = workspace
            .entry("dependencies")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(deps) = deps {
            let mut path = toml::Table::new();
            path.insert("path".into(), dir_value.clone());
            deps.insert(names.package.clone(), toml::Value::Table(path));
        }
    }
    let after: toml::Table = edited
        .parse()
        .map_err(|err| ManifestEdit::Failed(format!("the edit broke the TOML: {err}")))?;
    if after != expected {
        return Err(failed("its layout defeated the edit"));
    }
    Ok(edited)
}

/// The byte range of a table's body: from the line after `header` to the next table header.
fn section(text: &str, header: &str) -> Option<std::ops::Range<usize>> {
    let header_start = line_starts(text, 0..text.len())
        .find(|&start| text[start..line_end(text, start)].trim_end() == header)?;
    let start = line_end(text, header_start);
    let end = line_starts(text, start..text.len())
        .find(|&at| text[at..].starts_with('['))
        .unwrap_or(text.len());
    Some(start..end)
}

/// The starts of the lines beginning inside `range`.
fn line_starts(text: &str, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
    let first = range.start;
    std::iter::once(first)
        .chain(
            text[range.clone()]
                .match_indices('\n')
                .map(move |(at, _)| first + at + 1),
        )
        .filter(move |&at| at < range.end)
}

/// Just past the newline ending the line that starts at `start` (or the end of the text).
fn line_end(text: &str, start: usize) -> usize {
    text[start..]
        .find('\n')
        .map_or(text.len(), |at| start + at + 1)
}

/// `key = [ … ]` in `body` with `"value"` added last: inside the brackets on a one-line array,
/// on a line of its own (indented like the one before) on a multi-line one. The arrays edited
/// hold paths, so the first `]` closes them.
fn append_to_array(
    text: &str,
    body: std::ops::Range<usize>,
    key: &str,
    value: &str,
) -> Option<String> {
    let start = line_starts(text, body.clone()).find(|&at| {
        text[at..]
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })?;
    let open = start + text[start..body.end].find('[')?;
    let close = open + text[open..body.end].find(']')?;
    let item = format!("\"{value}\"");
    let inside = &text[open + 1..close];
    if !inside.contains('\n') {
        let kept = inside.trim_end();
        let separator = match kept.trim() {
            "" => "",
            listed if listed.ends_with(',') => " ",
            _ => ", ",
        };
        return Some(format!(
            "{}{kept}{separator}{item}{}",
            &text[..=open],
            &text[close..]
        ));
    }
    let closing_line = text[..close].rfind('\n')? + 1;
    let last_item = text[open + 1..closing_line]
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())?;
    let indent: String = last_item
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let comma = if last_item.trim_end().ends_with(',') {
        ""
    } else {
        ","
    };
    let before_newline = closing_line - 1;
    let after_last = text[..before_newline].trim_end().len();
    Some(format!(
        "{}{comma}{}{indent}{item},\n{}",
        &text[..after_last],
        &text[after_last..closing_line],
        &text[closing_line..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[workspace]\nresolver = \"3\"\nmembers = [\n    \"host\",\n    \"plugins/semgrep\",\n    \"host/cli/tests/hostile-adapter\",\n]\nexclude = [\"fuzz\"]\ndefault-members = [\"host\", \"plugins/semgrep\"]\n\n[workspace.package]\nversion = \"0.1.0\"\n\n[workspace.dependencies]\nsecurescan-adapter-sdk = { path = \"sdk\" }\nsecurescan-adapter-semgrep = { path = \"plugins/semgrep\" }\n\n# Pinned once.\nwasmtime = \"1\"\n";

    #[test]
    fn the_manifest_gains_three_lines_and_nothing_else() {
        let edited = add_member(MANIFEST, &Names::new("demo_x")).unwrap();
        assert_eq!(
            edited,
            "[workspace]\nresolver = \"3\"\nmembers = [\n    \"host\",\n    \"plugins/semgrep\",\n    \"host/cli/tests/hostile-adapter\",\n    \"plugins/demo_x\",\n]\nexclude = [\"fuzz\"]\ndefault-members = [\"host\", \"plugins/semgrep\", \"plugins/demo_x\"]\n\n[workspace.package]\nversion = \"0.1.0\"\n\n[workspace.dependencies]\nsecurescan-adapter-sdk = { path = \"sdk\" }\nsecurescan-adapter-semgrep = { path = \"plugins/semgrep\" }\nsecurescan-adapter-demo-x = { path = \"plugins/demo_x\" }\n\n# Pinned once.\nwasmtime = \"1\"\n"
        );
    }

    #[test]
    fn a_last_member_without_a_trailing_comma_gets_one() {
        let manifest = "[workspace]\nmembers = [\n  \"host\"\n]\n";
        assert_eq!(
            add_member(manifest, &Names::new("a")).unwrap(),
            "[workspace]\nmembers = [\n  \"host\",\n  \"plugins/a\",\n]\n\n[workspace.dependencies]\nsecurescan-adapter-a = { path = \"plugins/a\" }\n"
        );
    }

    #[test]
    fn a_crate_the_manifest_already_names_is_refused() {
        assert!(matches!(
            add_member(MANIFEST, &Names::new("semgrep")),
            Err(ManifestEdit::Taken(_))
        ));
        assert_eq!(
            add_member("[package]\nname = \"x\"\n", &Names::new("a")),
            Err(ManifestEdit::NotAWorkspace)
        );
    }

    #[test]
    fn names_follow_the_existing_crates() {
        let names = Names::new("builtin_dast");
        assert_eq!(names.package, "securescan-adapter-builtin-dast");
        assert_eq!(names.component, "securescan_adapter_builtin_dast.wasm");
        assert_eq!(names.type_name, "BuiltinDast");
        assert_eq!(Names::new("npm-audit").type_name, "NpmAudit");
        assert_eq!(Names::new("7zip").type_name, "Scanner7zip");
        assert_eq!(Names::new("self").type_name, "ScannerSelf");
    }

    #[test]
    fn every_placeholder_is_filled() {
        let names = Names::new("x");
        for kind in [Kind::Tool, Kind::Builtin] {
            let (files, entry) = templates(kind);
            for text in files
                .iter()
                .flat_map(|(path, template)| [*path, *template])
                .chain([entry, CARGO_TOML])
            {
                assert!(!names.render(text).contains("{{"), "{text}");
            }
        }
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), MANIFEST).unwrap();
        std::fs::write(
            dir.path().join("registry.toml"),
            securescan_registry::BUILTIN_TOML,
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("plugins/taken")).unwrap();
        dir
    }

    #[test]
    fn an_id_the_registry_would_refuse_is_refused() {
        let dir = tree();
        for id in ["", "Demo", "a b", "../x", "x/y"] {
            assert!(
                matches!(
                    Plan::new(dir.path(), id, Kind::Tool),
                    Err(ScaffoldError::InvalidId(_))
                ),
                "{id:?}"
            );
        }
    }

    #[test]
    fn an_existing_adapter_is_refused_whichever_place_holds_it() {
        let dir = tree();
        // The registry's id, its crate spelled with `-` for `_`, and a directory in the way.
        for id in ["semgrep", "builtin-dast", "taken"] {
            assert!(
                matches!(
                    Plan::new(dir.path(), id, Kind::Builtin),
                    Err(ScaffoldError::Exists { .. })
                ),
                "{id:?}"
            );
        }
        assert!(Plan::new(dir.path(), "fresh", Kind::Builtin).is_ok());
    }

    #[test]
    fn the_new_entry_loads_with_a_placeholder_pin() {
        for kind in [Kind::Tool, Kind::Builtin] {
            let plan = Plan::new(tree().path(), "demo", kind).unwrap();
            let registry = Registry::parse(&plan.registry, "test").unwrap();
            let entry = registry.get("demo").unwrap();
            assert_eq!(entry.component, "securescan_adapter_demo.wasm");
            assert_eq!(entry.sha256, "0".repeat(64));
            assert!(plan.registry.starts_with(securescan_registry::BUILTIN_TOML));
        }
    }
}
