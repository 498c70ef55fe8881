//! What an npm `package.json` or lockfile entry says, read the same way by the licenses adapter
//! (in the sandbox) and by `securescan sbom` (in the host): which package a `node_modules/…`
//! path holds, and what a package declares about its license.

use serde_json::Value;

/// What a package says about its license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    /// A string: an SPDX expression, a name, `UNLICENSED`, …
    Text(String),
    /// The legacy `licenses` array, which meant "any of these".
    Alternatives(Vec<String>),
    Missing,
}

/// The package name a directory under `node_modules` holds, as in lockfile keys
/// (`node_modules/a/node_modules/@s/b` holds `@s/b`); `None` outside `node_modules`, and for
/// anything that is not a package directory (`node_modules/.bin`, `node_modules/a/lib`).
pub fn package_name_in(dir: &str) -> Option<String> {
    let segments: Vec<&str> = dir.split('/').collect();
    let at = segments.iter().rposition(|s| *s == "node_modules")?;
    let is_name = |s: &str| !s.is_empty() && !s.starts_with('.');
    match segments.get(at + 1..)? {
        [name] if is_name(name) && !name.starts_with('@') => Some((*name).to_string()),
        [scope, name] if scope.len() > 1 && scope.starts_with('@') && is_name(name) => {
            Some(format!("{scope}/{name}"))
        }
        _ => None,
    }
}

/// package.json's `license` (a string, or the legacy `{type, url}` object) or else the legacy
/// `licenses` array of such objects or strings. Lockfile entries copy `license` only.
pub fn declared(license: Option<&Value>, licenses: Option<&Value>) -> Declared {
    let from = |value: &Value| match value {
        Value::String(text) => Some(Declared::Text(text.clone())),
        Value::Object(_) => license_type(value).map(Declared::Text),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(license_type).collect();
            (!names.is_empty()).then_some(Declared::Alternatives(names))
        }
        _ => None,
    };
    license
        .and_then(from)
        .or_else(|| licenses.and_then(from))
        .unwrap_or(Declared::Missing)
}

fn license_type(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Object(object) => object.get("type")?.as_str().map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lockfile_keys_name_plain_scoped_and_nested_packages_only() {
        assert_eq!(package_name_in("node_modules/ms").as_deref(), Some("ms"));
        assert_eq!(
            package_name_in("node_modules/a/node_modules/@s/b").as_deref(),
            Some("@s/b")
        );
        assert_eq!(
            package_name_in("packages/ui/node_modules/react").as_deref(),
            Some("react")
        );
        for not_a_package in [
            "",
            "packages/ui",
            "node_modules/",
            "node_modules/.bin",
            "node_modules/@s",
            "node_modules/a/lib",
            "xnode_modules/y",
        ] {
            assert_eq!(package_name_in(not_a_package), None, "{not_a_package}");
        }
    }

    #[test]
    fn license_strings_objects_and_legacy_arrays() {
        let text = json!("MIT OR ISC");
        assert_eq!(
            declared(Some(&text), None),
            Declared::Text("MIT OR ISC".into())
        );
        let object = json!({"type": "WTFPL", "url": "x"});
        assert_eq!(
            declared(Some(&object), None),
            Declared::Text("WTFPL".into())
        );
        let legacy = json!([{"type": "MIT"}, "Apache-2.0", 3]);
        assert_eq!(
            declared(None, Some(&legacy)),
            Declared::Alternatives(vec!["MIT".into(), "Apache-2.0".into()])
        );
        assert_eq!(declared(Some(&json!([])), None), Declared::Missing);
        assert_eq!(declared(Some(&json!(7)), None), Declared::Missing);
    }
}
