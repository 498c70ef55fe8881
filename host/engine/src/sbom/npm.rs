//! npm: `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.

use securescan_adapter_sdk::npm::{self, Declared, package_name_in};
use serde_json::{Map, Value};

use super::{Ecosystem, Package, ParseError};

/// v2 and v3 list every installed package under `packages`, keyed by its `node_modules/…` path;
/// v1 has only the nested `dependencies` tree. v2 carries both, and `packages` is the truth.
pub fn package_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let lock = lock
        .as_object()
        .ok_or_else(|| ParseError::shape("not a JSON object"))?;
    let mut packages = Vec::new();
    if let Some(installed) = lock.get("packages") {
        let installed = installed
            .as_object()
            .ok_or_else(|| ParseError::shape("`packages` is not an object"))?;
        for (path, entry) in installed {
            if let Some(package) = installed_package(path, entry) {
                packages.push(package);
            }
        }
    } else if let Some(tree) = lock.get("dependencies") {
        let tree = tree
            .as_object()
            .ok_or_else(|| ParseError::shape("`dependencies` is not an object"))?;
        v1_tree(tree, &mut packages);
    }
    Ok(packages)
}

/// One `packages` entry. The root (`""`), workspace members (paths outside `node_modules`) and
/// links are the project's own code, not dependencies.
fn installed_package(path: &str, entry: &Value) -> Option<Package> {
    let installed_as = package_name_in(path)?;
    if entry.get("link").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    // An alias (`"x": "npm:real@1"`) is installed under its alias but is the package `name`.
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&installed_as);
    let version = entry.get("version").and_then(Value::as_str)?;
    let mut package = with_source(Package::new(Ecosystem::Npm, name, Some(version)), entry);
    package.licenses = licenses(entry.get("license"));
    Some(package)
}

/// The v1 tree: each name maps to `{version, dependencies: {…nested…}}`. Versions that are not
/// registry versions (`file:…`, `git+…`) are local or VCS checkouts and left out.
fn v1_tree(tree: &Map<String, Value>, packages: &mut Vec<Package>) {
    for (name, entry) in tree {
        let version = entry.get("version").and_then(Value::as_str);
        if let Some(version) = version.filter(|v| v.starts_with(|c: char| c.is_ascii_digit())) {
            packages.push(with_source(
                Package::new(Ecosystem::Npm, name, Some(version)),
                entry,
            ));
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            v1_tree(nested, packages);
        }
    }
}

/// A package fetched from git says so, rather than passing for the registry's release.
fn with_source(package: Package, entry: &Value) -> Package {
    match entry.get("resolved").and_then(Value::as_str) {
        Some(url) if url.starts_with("git") => package.qualifier("vcs_url", url),
        _ => package,
    }
}

/// Each licence the entry declares, trimmed; a blank one says nothing.
fn licenses(value: Option<&Value>) -> Vec<String> {
    let names = match npm::declared(value, None) {
        Declared::Text(text) => vec![text],
        Declared::Alternatives(names) => names,
        Declared::Missing => Vec::new(),
    };
    names
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(packages: &[Package]) -> Vec<String> {
        packages
            .iter()
            .map(|p| {
                format!(
                    "{}@{} {:?}",
                    p.name,
                    p.version.as_deref().unwrap_or("-"),
                    p.licenses
                )
            })
            .collect()
    }

    #[test]
    fn v1_nested_dependencies_are_all_listed_and_local_ones_left_out() {
        let text = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "debug": {"version": "2.6.9", "requires": {"ms": "2.0.0"},
      "dependencies": {"ms": {"version": "2.0.0"}}},
    "ms": {"version": "2.1.3"},
    "local-thing": {"version": "file:../local-thing"}
  }
}"#;
        assert_eq!(
            listed(&package_lock(text).unwrap()),
            vec!["debug@2.6.9 []", "ms@2.0.0 []", "ms@2.1.3 []"]
        );
    }

    #[test]
    fn v3_packages_carry_licences_and_skip_root_workspaces_and_links() {
        let text = r#"{
  "name": "app", "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "license": "MIT"},
    "packages/ui": {"name": "@app/ui", "version": "0.1.0"},
    "node_modules/@app/ui": {"resolved": "packages/ui", "link": true},
    "node_modules/@babel/core": {"version": "7.24.0", "license": "MIT"},
    "node_modules/left-pad": {"version": "1.3.0", "license": {"type": "WTFPL"}},
    "node_modules/a/node_modules/semver": {"version": "5.7.2", "license": "ISC"},
    "node_modules/str": {"name": "string-width", "version": "4.2.3"},
    "node_modules/tool": {"version": "2.0.0",
      "resolved": "git+ssh://git@github.com/org/tool.git#0123abcd"}
  }
}"#;
        let packages = package_lock(text).unwrap();
        assert_eq!(
            listed(&packages),
            vec![
                "@babel/core@7.24.0 [\"MIT\"]",
                "left-pad@1.3.0 [\"WTFPL\"]",
                "semver@5.7.2 [\"ISC\"]",
                "string-width@4.2.3 []",
                "tool@2.0.0 []",
            ]
        );
        assert!(packages[4].qualifiers.contains_key("vcs_url"));
    }

    #[test]
    fn keys_that_are_not_package_directories_are_not_packages() {
        let text = r#"{"lockfileVersion": 3, "packages": {
  "node_modules/ms": {"version": "2.1.3"},
  "node_modules/ms/lib": {"version": "1.0.0"},
  "node_modules/.cache": {"version": "1.0.0"},
  "xnode_modules/y": {"version": "1.0.0"}
}}"#;
        assert_eq!(listed(&package_lock(text).unwrap()), vec!["ms@2.1.3 []"]);
    }

    #[test]
    fn v2_prefers_packages_over_the_v1_tree() {
        let text = r#"{"lockfileVersion": 2,
  "packages": {"node_modules/ms": {"version": "2.1.3", "license": "MIT"}},
  "dependencies": {"ms": {"version": "2.1.3"}}}"#;
        assert_eq!(
            listed(&package_lock(text).unwrap()),
            vec!["ms@2.1.3 [\"MIT\"]"]
        );
    }

    #[test]
    fn malformed_locks_are_errors_with_a_line() {
        assert_eq!(
            package_lock("{\n\"packages\": {\n,").unwrap_err().line,
            Some(3)
        );
        assert!(package_lock("[]").is_err());
    }
}
