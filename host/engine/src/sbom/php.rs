//! PHP: `composer.lock`.

use serde_json::Value;

use super::{Ecosystem, Package, ParseError};

/// `packages` and `packages-dev`, each with `name` (`vendor/package`), `version` and a `license`
/// array. Composer means an array of licences as a choice, so two become `A OR B`. A leading
/// `v` is dropped from tag versions (`v6.4.3` → `6.4.3`), as Packagist reports them.
pub fn composer_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let mut packages = Vec::new();
    for section in ["packages", "packages-dev"] {
        let Some(entries) = lock.get(section) else {
            continue;
        };
        let entries = entries
            .as_array()
            .ok_or_else(|| ParseError::shape(format!("`{section}` is not an array")))?;
        for entry in entries {
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::shape(format!("a `{section}` entry has no name")))?;
            let version =
                entry
                    .get("version")
                    .and_then(Value::as_str)
                    .map(|v| match v.strip_prefix('v') {
                        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
                        _ => v,
                    });
            let mut package = Package::new(Ecosystem::Composer, &name.to_lowercase(), version);
            let licenses: Vec<&str> = entry
                .get("license")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|l| !l.trim().is_empty())
                .collect();
            package.licenses = match licenses.as_slice() {
                [] => Vec::new(),
                [one] => vec![one.to_string()],
                several => vec![format!("({})", several.join(" OR "))],
            };
            packages.push(package);
        }
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_dev_packages_with_their_licences() {
        let text = r#"{
  "packages": [
    {"name": "symfony/console", "version": "v6.4.3", "license": ["MIT"]},
    {"name": "acme/dual", "version": "2.0.0", "license": ["GPL-2.0-or-later", "MIT"]},
    {"name": "acme/closed", "version": "dev-main", "license": ["proprietary"]}
  ],
  "packages-dev": [{"name": "phpunit/phpunit", "version": "10.5.10", "license": ["BSD-3-Clause"]}]
}"#;
        let listed: Vec<String> = composer_lock(text)
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}@{} {:?}",
                    p.name,
                    p.version.as_deref().unwrap_or("-"),
                    p.licenses
                )
            })
            .collect();
        assert_eq!(
            listed,
            vec![
                "symfony/console@6.4.3 [\"MIT\"]",
                "acme/dual@2.0.0 [\"(GPL-2.0-or-later OR MIT)\"]",
                "acme/closed@dev-main [\"proprietary\"]",
                "phpunit/phpunit@10.5.10 [\"BSD-3-Clause\"]",
            ]
        );
    }

    #[test]
    fn an_entry_without_a_name_is_an_error() {
        assert!(composer_lock(r#"{"packages": [{"version": "1.0.0"}]}"#).is_err());
    }
}
