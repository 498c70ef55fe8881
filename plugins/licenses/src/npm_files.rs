//! The npm packages a project has installed or locked, read from the files the host gathered:
//! `node_modules/<name>/package.json` of each installed package, and the `packages` entries of a
//! v2/v3 `package-lock.json` / `npm-shrinkwrap.json`. Nothing is downloaded: the original ran
//! `npx --yes license-checker`, which fetched license-checker from the registry at scan time.

use std::collections::BTreeMap;

use securescan_adapter_sdk::GatheredFile;
use securescan_adapter_sdk::npm::{Declared, declared, package_name_in};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::truncate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmPackage {
    pub name: String,
    pub version: Option<String>,
    pub declared: Declared,
    /// The package.json or lockfile it was read from.
    pub file: String,
    pub source: Source,
}

/// Ordered by preference: an installed package.json is what is really on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    PackageJson,
    Lockfile,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::PackageJson => "package.json",
            Source::Lockfile => "lockfile",
        }
    }
}

#[derive(Debug, Deserialize)]
struct PackageJson {
    name: Option<String>,
    version: Option<String>,
    license: Option<Value>,
    licenses: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Lockfile {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<Value>,
    /// v2 and v3 only; v1 has `dependencies` without licenses. Kept raw until each entry is
    /// read, so one odd entry is skipped alone and a big lockfile is not held as a `Value` tree.
    packages: Option<BTreeMap<String, Box<RawValue>>>,
}

#[derive(Debug, Deserialize)]
struct LockedPackage {
    name: Option<String>,
    version: Option<String>,
    license: Option<Value>,
    #[serde(default)]
    link: bool,
}

/// The packages in `files`, one per `name@version` (an installed package.json wins over a
/// lockfile entry, then the first path), sorted by name and version. Files that cannot be read
/// become warnings: one broken manifest must not hide the rest.
pub fn packages(files: &[GatheredFile], warnings: &mut Vec<String>) -> Vec<NpmPackage> {
    let mut found: BTreeMap<(String, Option<String>), NpmPackage> = BTreeMap::new();
    for file in files {
        let path = file.path.replace('\\', "/");
        let read = match file_name(&path) {
            "package.json" => {
                installed_package(&path, &file.bytes).map(|p| p.into_iter().collect())
            }
            "package-lock.json" | "npm-shrinkwrap.json" => {
                locked_packages(&path, &file.bytes, warnings)
            }
            _ => Ok(Vec::new()),
        };
        match read {
            Ok(packages) => {
                for package in packages {
                    keep_preferred(&mut found, package);
                }
            }
            Err(why) => warnings.push(format!("{path}: {why}; skipped")),
        }
    }
    found.into_values().collect()
}

fn keep_preferred(found: &mut BTreeMap<(String, Option<String>), NpmPackage>, package: NpmPackage) {
    let key = (package.name.clone(), package.version.clone());
    match found.get(&key) {
        Some(kept) if (kept.source, &kept.file) <= (package.source, &package.file) => {}
        _ => {
            found.insert(key, package);
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`: the
/// manifest of an installed package. A package.json elsewhere is the project's own (its license
/// is the user's business) or a file inside a package (`node_modules/x/esm/package.json`).
fn installed_name(path: &str) -> Option<String> {
    package_name_in(path.strip_suffix("/package.json")?)
}

fn installed_package(path: &str, bytes: &[u8]) -> Result<Option<NpmPackage>, String> {
    let Some(dir_name) = installed_name(path) else {
        return Ok(None);
    };
    let manifest: PackageJson = json(bytes)?;
    Ok(Some(NpmPackage {
        name: manifest
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(dir_name),
        version: manifest.version.filter(|v| !v.trim().is_empty()),
        declared: declared(manifest.license.as_ref(), manifest.licenses.as_ref()),
        file: path.to_string(),
        source: Source::PackageJson,
    }))
}

fn locked_packages(
    path: &str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<NpmPackage>, String> {
    let lockfile: Lockfile = json(bytes)?;
    let Some(entries) = lockfile.packages else {
        let version = lockfile
            .lockfile_version
            .map_or_else(|| "unknown".to_string(), |v| v.to_string());
        warnings.push(format!(
            "{path}: lockfileVersion {version} records no licenses; only installed \
             node_modules/*/package.json files are checked for this project"
        ));
        return Ok(Vec::new());
    };
    let mut packages = Vec::new();
    for (key, raw) in entries {
        // "" is the project itself; keys outside node_modules are its workspaces.
        let Some(dir_name) = package_name_in(&key) else {
            continue;
        };
        let entry: LockedPackage = match serde_json::from_str(raw.get()) {
            Ok(entry) => entry,
            Err(err) => {
                warnings.push(format!(
                    "{path}: entry `{}` is not a package ({err}); skipped",
                    truncate(&key, 100)
                ));
                continue;
            }
        };
        // A link points at a workspace folder, whose own entry has the details.
        if entry.link {
            continue;
        }
        packages.push(NpmPackage {
            name: entry
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(dir_name),
            version: entry.version.filter(|v| !v.trim().is_empty()),
            declared: declared(entry.license.as_ref(), None),
            file: path.to_string(),
            source: Source::Lockfile,
        });
    }
    Ok(packages)
}

fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|err| {
        let what = if err.is_eof() {
            "truncated JSON"
        } else {
            "not valid JSON"
        };
        format!("{what} ({err})")
    })
}
