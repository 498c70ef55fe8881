//! A software bill of materials from a project's lockfiles and manifests, as CycloneDX 1.5 or
//! SPDX 2.3 JSON.
//!
//! Each manifest family has its own parser returning [`Package`]s; [`collect`] walks the target,
//! merges what the parsers found into sorted, de-duplicated [`Component`]s, and the renderers in
//! `cyclonedx` and `spdx` turn an [`Inventory`] into a document. Apart from the serial number and
//! the creation time (both pinned by `SECURESCAN_FAKE_NOW`), the output depends only on the
//! manifests' contents and their paths relative to the target.

mod cargo;
mod cyclonedx;
mod go;
mod license;
mod npm;
mod php;
mod purl;
mod python;
mod ruby;
mod spdx;
mod yarn;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::gather::{list_files, read_files};
use securescan_registry::{FileSelection, LargeFiles};

pub use crate::stamp::{Stamp, StampError};

/// Lockfiles can be large; anything bigger than this is skipped with a warning.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// The manifest names read, matched case-insensitively like the rest of SecureScan's walks.
const MANIFESTS: &[&str] = &[
    "requirements*.txt",
    "Pipfile.lock",
    "poetry.lock",
    "pyproject.toml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "go.sum",
    "Cargo.lock",
    "Gemfile.lock",
    "composer.lock",
];

/// Installed or vendored copies of dependencies: their manifests describe someone else's
/// project, not this one.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "venv",
    ".venv",
    "site-packages",
    "__pycache__",
    ".tox",
    "vendor",
];

/// The document formats `securescan sbom` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CycloneDx,
    Spdx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    Cargo,
    Composer,
    Gem,
    Golang,
    Npm,
    Pypi,
}

impl Ecosystem {
    /// The purl type, also used in SPDX ids.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Composer => "composer",
            Ecosystem::Gem => "gem",
            Ecosystem::Golang => "golang",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
        }
    }
}

/// One package as one manifest states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// `None` when the manifest pins no single version (`flask>=2`, a git checkout).
    pub version: Option<String>,
    /// purl qualifiers (`vcs_url`, `platform`, …), sorted by key.
    pub qualifiers: BTreeMap<String, String>,
    /// Licence expressions exactly as the manifest writes them.
    pub licenses: Vec<String>,
}

impl Package {
    pub fn new(ecosystem: Ecosystem, name: &str, version: Option<&str>) -> Package {
        Package {
            ecosystem,
            name: name.to_string(),
            version: version.map(str::to_string),
            qualifiers: BTreeMap::new(),
            licenses: Vec::new(),
        }
    }

    fn qualifier(mut self, key: &str, value: &str) -> Package {
        self.qualifiers.insert(key.to_string(), value.to_string());
        self
    }
}

/// A manifest that could not be read as its format: where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl ParseError {
    fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: Some(line),
            message: message.into(),
        }
    }

    fn json(err: &serde_json::Error) -> ParseError {
        ParseError {
            line: Some(err.line()),
            message: format!("not valid JSON: {err}"),
        }
    }

    fn toml(text: &str, err: &toml::de::Error) -> ParseError {
        ParseError {
            line: err
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
            message: format!("not valid TOML: {}", err.message()),
        }
    }

    fn shape(message: impl Into<String>) -> ParseError {
        ParseError {
            line: None,
            message: message.into(),
        }
    }
}

/// A package after merging every manifest that lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: Option<String>,
    pub purl: String,
    pub licenses: BTreeSet<String>,
    /// Manifest paths relative to the target, `/`-separated.
    pub sources: BTreeSet<String>,
}

/// Everything found under one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// The described project's name: the target's own file name.
    pub name: String,
    /// Sorted by (ecosystem, name, version, purl); one per purl.
    pub components: Vec<Component>,
    /// Files skipped or only partly read, for stderr.
    pub warnings: Vec<String>,
}

/// Walk `target` (a directory or one manifest) and merge what its manifests list.
pub fn collect(target: &str) -> std::io::Result<Inventory> {
    let rules = FileSelection {
        include: MANIFESTS.iter().map(|m| m.to_string()).collect(),
        skip_dirs: SKIPPED_DIRS.iter().map(|d| d.to_string()).collect(),
        skip_suffixes: Vec::new(),
        max_file_bytes: MAX_MANIFEST_BYTES,
        skip_binary: true,
        virtualenv_metadata: false,
        large_files: LargeFiles::Skip,
    };
    let (candidates, mut warnings) = list_files(target, &rules)?;
    let gathered = read_files(&candidates, &rules);
    warnings.extend(gathered.notes);
    let prefix = format!("{}/", target.trim_end_matches('/'));
    let mut found = Vec::new();
    for (shown, bytes) in &gathered.files {
        let relative = shown
            .strip_prefix(&prefix)
            .or_else(|| Path::new(shown).file_name().and_then(|n| n.to_str()))
            .unwrap_or(shown)
            .to_string();
        let Ok(text) = std::str::from_utf8(bytes) else {
            warnings.push(format!("{shown}: skipped: not UTF-8 text"));
            continue;
        };
        match parse_manifest(&relative, text) {
            Ok(packages) => found.extend(packages.into_iter().map(|p| (p, relative.clone()))),
            Err(err) => warnings.push(match err.line {
                Some(line) => format!("{shown}:{line}: skipped: {err}"),
                None => format!("{shown}: skipped: {err}"),
            }),
        }
    }
    Ok(Inventory {
        name: project_name(target),
        components: merge(found),
        warnings,
    })
}

/// Render an inventory; `stamp` supplies the creation time and the document's unique id.
pub fn render(inventory: &Inventory, format: Format, stamp: &Stamp) -> String {
    let document = match format {
        Format::CycloneDx => cyclonedx::document(inventory, stamp),
        Format::Spdx => spdx::document(inventory, stamp),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

/// A digest of everything the document says apart from its id and time, so an id derived from
/// it changes whenever the content does.
pub fn content_digest(inventory: &Inventory, format: Format) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(match format {
        Format::CycloneDx => "cyclonedx-1.5\0",
        Format::Spdx => "spdx-2.3\0",
    });
    hash.update(inventory.name.as_bytes());
    for component in &inventory.components {
        hash.update(b"\0");
        hash.update(component.purl.as_bytes());
        for text in component.licenses.iter().chain(&component.sources) {
            hash.update(b"\x01");
            hash.update(text.as_bytes());
        }
    }
    hash.finalize().into()
}

/// The packages one manifest lists, read by the parser its file name (the last `/` segment of
/// `relative`, any case) selects; any other name is read as a pip requirements file. The text is
/// the untrusted content of a file in the scanned project: a malformed one is a [`ParseError`],
/// never a panic.
pub fn parse_manifest(relative: &str, text: &str) -> Result<Vec<Package>, ParseError> {
    let name = relative
        .rsplit('/')
        .next()
        .unwrap_or(relative)
        .to_lowercase();
    match name.as_str() {
        "pipfile.lock" => python::pipfile_lock(text),
        "poetry.lock" => python::poetry_lock(text),
        "pyproject.toml" => python::pyproject(text),
        "package-lock.json" | "npm-shrinkwrap.json" => npm::package_lock(text),
        "yarn.lock" => yarn::yarn_lock(text),
        "go.sum" => go::go_sum(text),
        "cargo.lock" => cargo::cargo_lock(text),
        "gemfile.lock" => ruby::gemfile_lock(text),
        "composer.lock" => php::composer_lock(text),
        _ => python::requirements(text),
    }
}

fn project_name(target: &str) -> String {
    std::fs::canonicalize(target)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "project".to_string())
}

/// One component per purl, sources and licences unioned. A versionless entry (an unpinned
/// requirement) is folded into the pinned ones of the same name when any manifest pins it.
fn merge(found: Vec<(Package, String)>) -> Vec<Component> {
    let pinned: BTreeSet<(Ecosystem, String)> = found
        .iter()
        .filter(|(p, _)| p.version.is_some())
        .map(|(p, _)| (p.ecosystem, p.name.clone()))
        .collect();
    let mut by_purl: BTreeMap<String, Component> = BTreeMap::new();
    let mut unpinned_sources: BTreeMap<(Ecosystem, String), BTreeSet<String>> = BTreeMap::new();
    for (package, source) in found {
        let key = (package.ecosystem, package.name.clone());
        if package.version.is_none() && pinned.contains(&key) {
            unpinned_sources.entry(key).or_default().insert(source);
            continue;
        }
        let purl = purl::purl(&package);
        let component = by_purl.entry(purl.clone()).or_insert_with(|| Component {
            ecosystem: package.ecosystem,
            name: package.name.clone(),
            version: package.version.clone(),
            purl,
            licenses: BTreeSet::new(),
            sources: BTreeSet::new(),
        });
        component.licenses.extend(package.licenses);
        component.sources.insert(source);
    }
    let mut components: Vec<Component> = by_purl.into_values().collect();
    for component in &mut components {
        if let Some(sources) = unpinned_sources.get(&(component.ecosystem, component.name.clone()))
        {
            component.sources.extend(sources.iter().cloned());
        }
    }
    components.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version, &a.purl).cmp(&(
            b.ecosystem,
            &b.name,
            &b.version,
            &b.purl,
        ))
    });
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_merge_and_unpinned_names_fold_into_pinned_ones() {
        let flask = |v: Option<&str>| Package::new(Ecosystem::Pypi, "flask", v);
        let found = vec![
            (flask(Some("3.0.0")), "poetry.lock".to_string()),
            (flask(None), "requirements.txt".to_string()),
            (flask(Some("3.0.0")), "sub/requirements.txt".to_string()),
            (
                Package::new(Ecosystem::Npm, "a", None),
                "yarn.lock".to_string(),
            ),
            (
                Package::new(Ecosystem::Cargo, "z", Some("1.0.0")),
                "Cargo.lock".to_string(),
            ),
        ];
        let merged = merge(found);
        let summary: Vec<(&str, Option<&str>, Vec<&str>)> = merged
            .iter()
            .map(|c| {
                (
                    c.purl.as_str(),
                    c.version.as_deref(),
                    c.sources.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("pkg:cargo/z@1.0.0", Some("1.0.0"), vec!["Cargo.lock"]),
                ("pkg:npm/a", None, vec!["yarn.lock"]),
                (
                    "pkg:pypi/flask@3.0.0",
                    Some("3.0.0"),
                    vec!["poetry.lock", "requirements.txt", "sub/requirements.txt"]
                ),
            ]
        );
    }

    #[test]
    fn a_manifest_that_does_not_parse_is_a_warning_and_the_others_still_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "flask==3.0.0\n").unwrap();
        std::fs::write(dir.path().join("composer.lock"), "{\n  \"packages\": [\n").unwrap();
        std::fs::create_dir(dir.path().join("node_modules")).unwrap();
        std::fs::write(
            dir.path().join("node_modules/requirements.txt"),
            "django==5.0\n",
        )
        .unwrap();
        let inventory = collect(dir.path().to_str().unwrap()).unwrap();
        let purls: Vec<&str> = inventory
            .components
            .iter()
            .map(|c| c.purl.as_str())
            .collect();
        assert_eq!(purls, vec!["pkg:pypi/flask@3.0.0"]);
        assert_eq!(inventory.warnings.len(), 1, "{:?}", inventory.warnings);
        assert!(
            inventory.warnings[0].contains("composer.lock:3: skipped: not valid JSON"),
            "{:?}",
            inventory.warnings
        );
    }
}
