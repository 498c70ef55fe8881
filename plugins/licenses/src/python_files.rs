//! The Python distributions installed in the project's virtualenvs, read from the metadata files
//! the host gathered: `<name>.dist-info/METADATA`, `<name>.egg-info/PKG-INFO`, and a
//! `<name>.egg-info` file (what distutils installed). Nothing is run: pip-licenses used to ask the
//! virtualenv's own interpreter, an executable from the scanned tree.
//!
//! The license is chosen as pip-licenses (`--from=mixed`, its default) chooses it, so the findings
//! are the ones it gave: `License-Expression`; else the `License ::` classifiers, last segment,
//! without `OSI Approved`, sorted and joined with `; `; else the `License` field; else `UNKNOWN`.

use std::collections::BTreeMap;

use securescan_adapter_sdk::GatheredFile;

/// One installed distribution and the license pip-licenses would print for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub name: String,
    pub version: Option<String>,
    pub license: String,
    /// `METADATA` or `PKG-INFO`: the kind of file it was read from.
    pub source: &'static str,
}

/// pip-licenses' word for a license it could not find.
const UNKNOWN: &str = "UNKNOWN";

/// The distributions in `files`, one per name and version (the first path wins: two virtualenvs
/// holding the same release are one dependency), sorted by name and version. Other files are not
/// looked at; a metadata file without a name becomes a warning.
pub fn distributions(files: &[GatheredFile], warnings: &mut Vec<String>) -> Vec<Distribution> {
    let mut found: BTreeMap<(String, Option<String>), Distribution> = BTreeMap::new();
    for file in files {
        let path = file.path.replace('\\', "/");
        let Some(source) = metadata_kind(&path) else {
            continue;
        };
        match distribution(&String::from_utf8_lossy(&file.bytes), source) {
            Some(dist) => {
                found
                    .entry((dist.name.clone(), dist.version.clone()))
                    .or_insert(dist);
            }
            None => warnings.push(format!("{path}: no `Name` field; skipped")),
        }
    }
    found.into_values().collect()
}

/// What kind of distribution metadata `path` is, if it is one: the file the host gathered must
/// sit where an installer puts it, so a stray `METADATA` elsewhere is not taken for a package.
fn metadata_kind(path: &str) -> Option<&'static str> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let parent = dir.rsplit('/').next().unwrap_or(dir);
    match name {
        "METADATA" if parent.ends_with(".dist-info") => Some("METADATA"),
        "PKG-INFO" if parent.ends_with(".egg-info") => Some("PKG-INFO"),
        _ if name.ends_with(".egg-info") => Some("PKG-INFO"),
        _ => None,
    }
}

fn distribution(text: &str, source: &'static str) -> Option<Distribution> {
    let headers = headers(text);
    let first = |key: &str| {
        headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    let name = first("Name")?.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let mut classified: Vec<&str> = headers
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("Classifier"))
        .map(|(_, value)| value.as_str())
        .filter(|value| value.starts_with("License"))
        .filter_map(|value| value.rsplit(" :: ").next())
        .filter(|license| *license != "OSI Approved")
        .collect();
    classified.sort_unstable();
    classified.dedup();
    let license = match first("License-Expression").filter(|e| *e != UNKNOWN) {
        Some(expression) => expression.to_string(),
        None if !classified.is_empty() => classified.join("; "),
        None => first("License").unwrap_or(UNKNOWN).to_string(),
    };
    Some(Distribution {
        name,
        version: first("Version").map(|v| v.trim().to_string()),
        license,
        source,
    })
}

/// The header fields of a core-metadata file (RFC 822 style), in order, as Python's `email`
/// parser reads them: they end at the first blank line or at the first line that is neither a
/// field nor a continuation. A continuation line (leading whitespace) joins its field after a
/// newline, dedented as `importlib.metadata` does (setuptools indents them by eight spaces).
fn headers(text: &str) -> Vec<(&str, String)> {
    let mut fields: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some((_, lines)) => lines.push(line),
                None => break,
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            break;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            break;
        }
        fields.push((name, vec![value.trim()]));
    }
    fields
        .into_iter()
        .map(|(name, lines)| (name, dedented(&lines)))
        .collect()
}

fn dedented(lines: &[&str]) -> String {
    let indent = |line: &&str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let common = lines
        .iter()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(indent)
        .min()
        .unwrap_or(0)
        .min(8);
    let mut value = lines.first().copied().unwrap_or("").to_string();
    for line in lines.iter().skip(1) {
        value.push('\n');
        value.push_str(
            line.get(common.min(indent(line))..)
                .unwrap_or("")
                .trim_end(),
        );
    }
    value.trim_end().to_string()
}
