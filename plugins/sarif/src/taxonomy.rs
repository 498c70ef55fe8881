//! CWE references in the forms SARIF producers use: CodeQL and bandit tags
//! (`external/cwe/cwe-089`), semgrep tags (`CWE-79: Improper Neutralization…`), a `cwe`
//! property (string, number or list), and relationships to or taxa of a `CWE` taxonomy.

use securescan_adapter_sdk::normalize_cwe;
use serde_json::Value;

use crate::report::{DescriptorReference, Properties};

/// Every distinct CWE named by `properties` and `references`, in order of appearance.
pub fn cwes<'a>(
    properties: impl IntoIterator<Item = &'a Properties>,
    references: impl IntoIterator<Item = &'a DescriptorReference>,
) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |cwe: Option<String>| {
        if let Some(cwe) = cwe.filter(|c| !found.contains(c)) {
            found.push(cwe);
        }
    };
    for bag in properties {
        for tag in strings(bag.get("tags")) {
            add(from_tag(tag));
        }
        for (key, value) in bag {
            if key.eq_ignore_ascii_case("cwe") || key.eq_ignore_ascii_case("cwes") {
                for_each_value(value, &mut |raw| add(normalize_cwe(raw)));
            }
        }
    }
    for reference in references {
        let taxonomy = reference
            .tool_component
            .as_ref()
            .and_then(|c| c.name.as_deref());
        if taxonomy.is_some_and(|name| name.eq_ignore_ascii_case("cwe")) {
            add(reference.id.as_deref().and_then(normalize_cwe));
        }
    }
    found
}

/// A tag names a CWE only when it says so: a bare `89` tag is not one.
fn from_tag(tag: &str) -> Option<String> {
    let tag = tag.trim();
    let tag = match tag.get(..13) {
        Some(prefix) if prefix.eq_ignore_ascii_case("external/cwe/") => tag.get(13..)?,
        _ => tag,
    };
    let named = tag.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("cwe"));
    named.then(|| normalize_cwe(tag)).flatten()
}

pub fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A `cwe` property's value: `"CWE-79"`, `"79, 80"`, `79` or a list of those.
fn for_each_value(value: &Value, add: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => text.split(',').for_each(add),
        Value::Number(number) => add(&number.to_string()),
        Value::Array(items) => items.iter().for_each(|item| for_each_value(item, add)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bag(value: Value) -> Properties {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn every_common_spelling_is_found_once_in_order() {
        let result = bag(
            json!({"tags": ["security", "89", "external/cwe/cwe-089"], "CWE": [79, "CWE-22, cwe-89"]}),
        );
        let rule = bag(
            json!({"tags": ["CWE-79: Improper Neutralization", "OWASP-A03"], "cwe": "cwe-352"}),
        );
        let taxon: DescriptorReference =
            serde_json::from_value(json!({"id": "798", "toolComponent": {"name": "CWE"}})).unwrap();
        let other: DescriptorReference =
            serde_json::from_value(json!({"id": "A03", "toolComponent": {"name": "OWASP"}}))
                .unwrap();
        assert_eq!(
            cwes([&result, &rule], [&taxon, &other]),
            ["CWE-89", "CWE-79", "CWE-22", "CWE-352", "CWE-798"]
        );
    }
}
