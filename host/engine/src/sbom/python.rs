//! Python: `requirements*.txt`, `Pipfile.lock`, `poetry.lock` and `pyproject.toml`.
//!
//! Names are normalized as PEP 503 says (lowercase, runs of `-_.` become `-`), which is also the
//! purl spec's rule for `pkg:pypi`, so `Django` and `django` are one component.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::{Ecosystem, Package, ParseError};

/// PEP 508: a name, optional `[extras]`, then a version specifier, a `@ url`, or nothing.
static REQUIREMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")
        .expect("valid regex")
});

/// `==1.2.3` or `===1.2.3` alone pins a version; `==1.*`, ranges and lists do not.
static PIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)$").expect("valid regex"));

pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A requirements file. Options (`-r`, `-c`, `-e`, `--index-url`, `--hash`) are not
/// requirements: an included file counts when the walk finds it under its own name, never by
/// following `-r` (which could point outside the target), and editable installs are local
/// checkouts with no released version. Unpinned requirements are listed without a version.
pub fn requirements(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut packages = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = index + 1;
        }
        let line = strip_comment(raw);
        if let Some(continued) = line.strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let requirement = std::mem::take(&mut logical);
        if let Some(package) = requirement_line(&requirement, start)? {
            packages.push(package);
        }
    }
    if let Some(package) = requirement_line(&logical, start)? {
        packages.push(package);
    }
    Ok(packages)
}

/// pip treats `#` as a comment at the start of a line or after whitespace (so `#egg=` in a URL
/// stays).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (at, &byte) in bytes.iter().enumerate() {
        if byte == b'#' && (at == 0 || bytes[at - 1].is_ascii_whitespace()) {
            return line[..at].trim_end();
        }
    }
    line.trim_end()
}

fn requirement_line(line: &str, number: usize) -> Result<Option<Package>, ParseError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return Ok(None);
    }
    // A bare URL or path (`https://…/pkg.whl`, `./libs/x`) names no package reliably.
    let direct_reference = line.contains("@ ") || line.contains(" @");
    if (line.contains("://") && !direct_reference) || line.starts_with(['.', '/']) {
        return Ok(None);
    }
    // Per-requirement options (`--hash=…`) follow the requirement after whitespace.
    let line = line.split(" --").next().unwrap_or(line);
    pep508(line)
        .map(Some)
        .ok_or_else(|| ParseError::at(number, format!("not a requirement: {line:?}")))
}

/// A PEP 508 string: `name[extras] specifiers ; markers` or `name @ url ; markers`.
fn pep508(text: &str) -> Option<Package> {
    let text = text.split(';').next().unwrap_or(text).trim();
    let caps = REQUIREMENT.captures(text)?;
    let rest = caps[2].trim();
    let version = if rest.starts_with('@') {
        None
    } else {
        let rest = rest.trim_start_matches('(').trim_end_matches(')').trim();
        if !rest.is_empty() && !rest.starts_with(['=', '<', '>', '!', '~']) {
            return None;
        }
        PIN.captures(rest).map(|pin| pin[1].to_string())
    };
    Some(Package::new(
        Ecosystem::Pypi,
        &normalize(&caps[1]),
        version.as_deref(),
    ))
}

/// `Pipfile.lock`: `default` and `develop`, each name to `{"version": "==x"}`; git and path
/// entries have no version.
pub fn pipfile_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let mut packages = Vec::new();
    for section in ["default", "develop"] {
        let Some(entries) = lock.get(section) else {
            continue;
        };
        let entries = entries
            .as_object()
            .ok_or_else(|| ParseError::shape(format!("`{section}` is not an object")))?;
        for (name, entry) in entries {
            let version = entry
                .get("version")
                .and_then(Value::as_str)
                .and_then(|v| PIN.captures(v.trim()).map(|pin| pin[1].to_string()));
            packages.push(Package::new(
                Ecosystem::Pypi,
                &normalize(name),
                version.as_deref(),
            ));
        }
    }
    Ok(packages)
}

#[derive(serde::Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(serde::Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    source: Option<PoetrySource>,
}

#[derive(serde::Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    resolved_reference: Option<String>,
}

/// `poetry.lock`: `[[package]]` tables. Local `directory`/`file` sources are the project's own
/// code and left out; git sources carry a `vcs_url`, other indexes a `repository_url`.
pub fn poetry_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: PoetryLock = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let mut packages = Vec::new();
    for entry in lock.package {
        let package = Package::new(
            Ecosystem::Pypi,
            &normalize(&entry.name),
            Some(&entry.version),
        );
        let package = match entry.source {
            None => package,
            Some(source) => match (source.kind.as_str(), source.url) {
                ("directory" | "file", _) => continue,
                ("git", Some(url)) => {
                    let commit = source.resolved_reference.unwrap_or_default();
                    let vcs = if commit.is_empty() {
                        format!("git+{url}")
                    } else {
                        format!("git+{url}@{commit}")
                    };
                    package.qualifier("vcs_url", &vcs)
                }
                (_, Some(url)) => package.qualifier("repository_url", &url),
                (_, None) => package,
            },
        };
        packages.push(package);
    }
    Ok(packages)
}

/// `pyproject.toml`: PEP 621 `[project]` dependencies and optional dependencies, and Poetry's
/// `[tool.poetry]` dependency tables. These declare ranges, so most have no version.
pub fn pyproject(text: &str) -> Result<Vec<Package>, ParseError> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let mut packages = Vec::new();
    let mut pep508_list = |list: Option<&toml::Value>, what: &str| -> Result<(), ParseError> {
        for item in list.and_then(toml::Value::as_array).into_iter().flatten() {
            let spec = item.as_str().unwrap_or_default();
            packages.push(pep508(spec).ok_or_else(|| {
                ParseError::shape(format!("{what}: not a requirement: {spec:?}"))
            })?);
        }
        Ok(())
    };
    let project = doc.get("project");
    pep508_list(
        project.and_then(|p| p.get("dependencies")),
        "project.dependencies",
    )?;
    if let Some(extras) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(toml::Value::as_table)
    {
        for list in extras.values() {
            pep508_list(Some(list), "project.optional-dependencies")?;
        }
    }
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    let mut tables: Vec<&toml::Value> = ["dependencies", "dev-dependencies"]
        .iter()
        .filter_map(|key| poetry.and_then(|p| p.get(*key)))
        .collect();
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(toml::Value::as_table)
    {
        tables.extend(groups.values().filter_map(|g| g.get("dependencies")));
    }
    for (name, spec) in tables
        .into_iter()
        .filter_map(toml::Value::as_table)
        .flatten()
    {
        if name == "python" {
            continue;
        }
        let constraint = match spec {
            toml::Value::String(s) => Some(s.as_str()),
            toml::Value::Table(t) => t.get("version").and_then(toml::Value::as_str),
            _ => None,
        };
        packages.push(Package::new(
            Ecosystem::Pypi,
            &normalize(name),
            constraint.and_then(poetry_pin).as_deref(),
        ));
    }
    Ok(packages)
}

/// In Poetry a bare `1.2.3` is an exact pin, like `==1.2.3`.
fn poetry_pin(constraint: &str) -> Option<String> {
    let constraint = constraint.trim();
    if constraint.starts_with(|c: char| c.is_ascii_digit()) && !constraint.contains(['*', ',', ' '])
    {
        return Some(constraint.to_string());
    }
    PIN.captures(constraint).map(|pin| pin[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(packages: &[Package]) -> Vec<(String, Option<String>)> {
        packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect()
    }

    fn pair(name: &str, version: Option<&str>) -> (String, Option<String>) {
        (name.to_string(), version.map(str::to_string))
    }

    #[test]
    fn requirements_with_extras_markers_hashes_and_options() {
        let text = "\
# pinned for prod
-r base.txt
-c constraints.txt
--index-url https://pypi.example/simple
-e git+https://github.com/org/tool.git#egg=tool
-e .
Requests[security,socks]==2.31.0  # the http client
urllib3==2.0.7 ; python_version >= \"3.8\"
certifi==2023.11.17 \\
    --hash=sha256:e036ab49d5b79556f99cfc2d9320b34cfbe5be05c5871b51de9329f0603b0474
Flask>=2.0,<3
Jinja2
zope.interface===6.1
pip @ https://github.com/pypa/pip/archive/22.0.2.zip
https://example.com/wheels/thing-1.0-py3-none-any.whl
python_dateutil==2.*
";
        assert_eq!(
            listed(&requirements(text).unwrap()),
            vec![
                pair("requests", Some("2.31.0")),
                pair("urllib3", Some("2.0.7")),
                pair("certifi", Some("2023.11.17")),
                pair("flask", None),
                pair("jinja2", None),
                pair("zope-interface", Some("6.1")),
                pair("pip", None),
                pair("python-dateutil", None),
            ]
        );
    }

    #[test]
    fn a_line_that_is_no_requirement_names_its_line() {
        let err = requirements("flask==3.0\n\n%%% not a package\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("not a requirement"), "{err}");
    }

    #[test]
    fn pipfile_lock_reads_default_and_develop_and_leaves_git_entries_versionless() {
        let text = r#"{"_meta": {"hash": {"sha256": "x"}},
            "default": {"requests": {"version": "==2.31.0", "hashes": []},
                        "mylib": {"git": "https://github.com/org/mylib.git", "ref": "abc"}},
            "develop": {"pytest": {"version": "==8.0.0"}}}"#;
        assert_eq!(
            listed(&pipfile_lock(text).unwrap()),
            vec![
                pair("requests", Some("2.31.0")),
                pair("mylib", None),
                pair("pytest", Some("8.0.0"))
            ]
        );
        assert_eq!(pipfile_lock("{\"default\": [").unwrap_err().line, Some(1));
    }

    #[test]
    fn poetry_lock_skips_local_sources_and_qualifies_git_ones() {
        let text = r#"
[[package]]
name = "Click"
version = "8.1.7"

[[package]]
name = "mylib"
version = "0.1.0"
[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "tool"
version = "1.0.0"
[package.source]
type = "git"
url = "https://github.com/org/tool.git"
reference = "main"
resolved_reference = "0123abcd"
"#;
        let packages = poetry_lock(text).unwrap();
        assert_eq!(
            listed(&packages),
            vec![pair("click", Some("8.1.7")), pair("tool", Some("1.0.0"))]
        );
        assert_eq!(
            packages[1].qualifiers.get("vcs_url").map(String::as_str),
            Some("git+https://github.com/org/tool.git@0123abcd")
        );
        assert_eq!(poetry_lock("[[package]\n").unwrap_err().line, Some(1));
    }

    #[test]
    fn pyproject_reads_pep621_and_poetry_tables() {
        let text = r#"
[project]
name = "app"
dependencies = ["httpx==0.27.0", "rich>=13"]
[project.optional-dependencies]
test = ["pytest==8.0.0; python_version > '3.8'"]

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "0.110.0"
pydantic = { version = "^2.6", extras = ["email"] }
[tool.poetry.group.dev.dependencies]
black = "==24.2.0"
"#;
        assert_eq!(
            listed(&pyproject(text).unwrap()),
            vec![
                pair("httpx", Some("0.27.0")),
                pair("rich", None),
                pair("pytest", Some("8.0.0")),
                pair("fastapi", Some("0.110.0")),
                pair("pydantic", None),
                pair("black", Some("24.2.0")),
            ]
        );
    }
}
