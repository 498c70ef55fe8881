//! Framework files: their JSON format, the built-in set, and the checks that turn a file into a
//! [`Framework`] or an error that says which file and what is wrong.
//!
//! ```json
//! { "framework": "OWASP Top 10", "version": "2021", "tag_prefix": "OWASP-",
//!   "source": "which public document the mapping follows",
//!   "controls": { "A03": { "name": "Injection", "cwes": ["CWE-89"], "keywords": ["sql injection"],
//!                          "rules": { "bandit": ["B608"], "semgrep": ["python.lang.*"] } } } }
//! ```
//!
//! A control's tag is `tag_prefix` + its id (`OWASP-A03`), so two frameworks may both have a
//! control `1` without their tags merging.

use std::collections::BTreeMap;
use std::fmt;

use securescan_adapter_sdk::normalize_cwe;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// The frameworks compiled into the binary, in the order reports list them: (id, file text).
pub(super) const BUILTIN: [(&str, &str); 4] = [
    (
        "owasp-top10-2021",
        include_str!("../../data/compliance/owasp-top10-2021.json"),
    ),
    (
        "cis-controls-v8",
        include_str!("../../data/compliance/cis-controls-v8.json"),
    ),
    (
        "pci-dss-v4",
        include_str!("../../data/compliance/pci-dss-v4.json"),
    ),
    ("soc2", include_str!("../../data/compliance/soc2.json")),
];

/// One framework, validated.
#[derive(Debug, Clone)]
pub(super) struct Framework {
    /// The file stem, e.g. `owasp-top10-2021`.
    pub id: String,
    pub name: String,
    pub version: String,
    pub tag_prefix: String,
    pub source: Option<String>,
    /// Controls in file order.
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone)]
pub(super) struct Control {
    /// `tag_prefix` + control id: what findings carry.
    pub tag: String,
    pub name: String,
    /// Canonical `CWE-<n>`, the form [`normalize_cwe`] gives a finding's CWE.
    pub cwes: Vec<String>,
    pub keywords: Vec<Keyword>,
    pub rules: Vec<RulePattern>,
}

/// A keyword as lowercase words; the text must hold them in a row (see `matcher`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keyword(pub Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RulePattern {
    pub scanner: String,
    pub rule: RuleMatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RuleMatch {
    Exact(String),
    /// From `prefix*`; `*` alone is the empty prefix: every finding of the scanner.
    Prefix(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: String,
    version: String,
    tag_prefix: String,
    /// The public document the mapping follows; a user file may leave it out.
    #[serde(default)]
    source: Option<String>,
    controls: ControlsInFileOrder,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlFile {
    name: String,
    #[serde(default)]
    cwes: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, Vec<String>>,
}

/// The `controls` object read as a list: file order is the order reports show, and a repeated
/// id is an error (a map would keep only the last one, silently).
struct ControlsInFileOrder(Vec<(String, ControlFile)>);

impl<'de> Deserialize<'de> for ControlsInFileOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ControlsVisitor;

        impl<'de> Visitor<'de> for ControlsVisitor {
            type Value = ControlsInFileOrder;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of control id to control")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut controls: Vec<(String, ControlFile)> = Vec::new();
                while let Some((id, control)) = map.next_entry::<String, ControlFile>()? {
                    if controls.iter().any(|(seen, _)| *seen == id) {
                        return Err(serde::de::Error::custom(format!(
                            "control id {id:?} appears twice"
                        )));
                    }
                    controls.push((id, control));
                }
                Ok(ControlsInFileOrder(controls))
            }
        }

        deserializer.deserialize_map(ControlsVisitor)
    }
}

/// Parses and validates one framework file. `origin` names the file in errors.
pub(super) fn parse_framework(id: &str, origin: &str, text: &str) -> Result<Framework, String> {
    let file: FrameworkFile =
        serde_json::from_str(text).map_err(|e| format!("{origin}: invalid framework file: {e}"))?;
    let fail = |what: String| format!("{origin}: {what}");
    if file.framework.trim().is_empty() {
        return Err(fail("\"framework\" is empty".into()));
    }
    if file.version.trim().is_empty() {
        return Err(fail("\"version\" is empty".into()));
    }
    if file.tag_prefix.trim().is_empty() || file.tag_prefix.chars().any(char::is_whitespace) {
        return Err(fail(format!(
            "\"tag_prefix\" {:?} must be non-empty and without spaces",
            file.tag_prefix
        )));
    }
    if file.controls.0.is_empty() {
        return Err(fail("\"controls\" is empty".into()));
    }
    let controls = file
        .controls
        .0
        .into_iter()
        .map(|(control_id, control)| {
            control_from_file(&file.tag_prefix, &control_id, control)
                .map_err(|what| fail(format!("control {control_id:?}: {what}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Framework {
        id: id.to_string(),
        name: file.framework,
        version: file.version,
        tag_prefix: file.tag_prefix,
        source: file.source,
        controls,
    })
}

fn control_from_file(prefix: &str, id: &str, control: ControlFile) -> Result<Control, String> {
    if id.trim().is_empty() {
        return Err("the control id is empty".into());
    }
    if id.chars().any(char::is_whitespace) {
        return Err("the control id has a space in it".into());
    }
    if control.name.trim().is_empty() {
        return Err("\"name\" is empty".into());
    }
    let cwes = control
        .cwes
        .into_iter()
        .map(|cwe| {
            // Only the canonical form: `CWE-089` or `89` would never equal a normalized finding CWE.
            match normalize_cwe(&cwe) {
                Some(canonical) if canonical == cwe => Ok(cwe),
                _ => Err(format!(
                    "cwe {cwe:?} is not of the form CWE-<digits> (no leading zeros)"
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let keywords = control
        .keywords
        .iter()
        .map(|keyword| parse_keyword(keyword))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rules = Vec::new();
    for (scanner, patterns) in control.rules {
        if scanner.trim().is_empty() {
            return Err("a \"rules\" scanner name is empty".into());
        }
        for pattern in patterns {
            rules.push(RulePattern {
                scanner: scanner.clone(),
                rule: parse_rule(&scanner, &pattern)?,
            });
        }
    }
    Ok(Control {
        tag: format!("{prefix}{id}"),
        name: control.name,
        cwes,
        keywords,
        rules,
    })
}

/// Spaces, `-` and `_` all separate words, so `content-security-policy` and
/// `content security policy` are the same keyword.
pub(super) fn is_word_joiner(c: char) -> bool {
    c.is_whitespace() || c == '-' || c == '_'
}

fn parse_keyword(keyword: &str) -> Result<Keyword, String> {
    let lowered = keyword.to_lowercase();
    let words: Vec<String> = lowered
        .split(is_word_joiner)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return Err(format!("keyword {keyword:?} is empty"));
    }
    // Findings' text is split into letter/digit runs, so a keyword with other characters
    // (`eval(`, `.env`) could never match as written.
    if let Some(bad) = words
        .iter()
        .flat_map(|w| w.chars())
        .find(|c| !c.is_alphanumeric())
    {
        return Err(format!(
            "keyword {keyword:?} has {bad:?}: keywords are letters and digits, words separated by spaces, '-' or '_'"
        ));
    }
    Ok(Keyword(words))
}

fn parse_rule(scanner: &str, pattern: &str) -> Result<RuleMatch, String> {
    if pattern.is_empty() {
        return Err(format!("an empty rule id for scanner {scanner:?}"));
    }
    match pattern.find('*') {
        None => Ok(RuleMatch::Exact(pattern.to_string())),
        Some(at) if at == pattern.len() - 1 => Ok(RuleMatch::Prefix(pattern[..at].to_string())),
        Some(_) => Err(format!(
            "rule {pattern:?} for scanner {scanner:?}: '*' is only allowed at the end"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Framework, String> {
        parse_framework("custom", "custom.json", text)
    }

    #[test]
    fn every_builtin_file_loads_and_every_control_can_match() {
        for (id, text) in BUILTIN {
            let framework = parse_framework(id, id, text).unwrap();
            assert!(!framework.controls.is_empty(), "{id}");
            for control in &framework.controls {
                assert!(
                    !(control.cwes.is_empty()
                        && control.keywords.is_empty()
                        && control.rules.is_empty()),
                    "{id} {} has nothing to match on",
                    control.tag
                );
            }
        }
    }

    #[test]
    fn builtin_files_carry_a_source() {
        for (id, text) in BUILTIN {
            let framework = parse_framework(id, id, text).unwrap();
            assert!(
                framework.source.is_some_and(|s| !s.trim().is_empty()),
                "{id} has no source"
            );
        }
    }

    #[test]
    fn builtin_tags_are_namespaced_as_the_docs_show() {
        let tags: Vec<String> = BUILTIN
            .iter()
            .flat_map(|(id, text)| parse_framework(id, id, text).unwrap().controls)
            .map(|c| c.tag)
            .collect();
        for tag in ["OWASP-A03", "CIS-16", "PCI-DSS-6.2.4", "SOC2-CC7.1"] {
            assert!(tags.iter().any(|t| t == tag), "{tag} missing");
        }
    }

    #[test]
    fn owasp_a03_holds_the_published_injection_cwes() {
        let owasp = parse_framework(BUILTIN[0].0, "owasp", BUILTIN[0].1).unwrap();
        let a03 = owasp
            .controls
            .iter()
            .find(|c| c.tag == "OWASP-A03")
            .unwrap();
        assert_eq!(a03.cwes.len(), 33);
        assert!(a03.cwes.iter().any(|c| c == "CWE-89"));
    }

    #[test]
    fn cwe_with_leading_zero_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"1":{"name":"n","cwes":["CWE-089"]}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("custom.json"), "{err}");
        assert!(err.contains("\"CWE-089\""), "{err}");
    }

    #[test]
    fn bare_cwe_number_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"1":{"name":"n","cwes":["89"]}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("CWE-<digits>"), "{err}");
    }

    #[test]
    fn empty_control_id_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"":{"name":"n","keywords":["a"]}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("control id is empty"), "{err}");
    }

    #[test]
    fn unknown_key_is_rejected_with_its_position() {
        let err = parse(
            "{\"framework\":\"X\",\"version\":\"1\",\"tag_prefix\":\"X-\",\n\"controls\":{\"1\":{\"name\":\"n\",\"rule_ids\":{}}}}",
        )
        .unwrap_err();
        assert!(err.contains("rule_ids"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn repeated_control_id_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"1":{"name":"a"},"1":{"name":"b"}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn star_inside_a_rule_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"1":{"name":"a","rules":{"semgrep":["a*b"]}}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("only allowed at the end"), "{err}");
    }

    #[test]
    fn keyword_with_punctuation_is_rejected() {
        let err = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"1":{"name":"a","keywords":["eval("]}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("eval("), "{err}");
    }

    #[test]
    fn controls_keep_file_order_and_take_the_prefix() {
        let framework = parse(
            r#"{"framework":"X","version":"1","tag_prefix":"X-","controls":{"b":{"name":"B","keywords":["b"]},"a":{"name":"A","keywords":["Content-Security  Policy"]}}}"#,
        )
        .unwrap();
        let tags: Vec<&str> = framework.controls.iter().map(|c| c.tag.as_str()).collect();
        assert_eq!(tags, ["X-b", "X-a"]);
        assert_eq!(
            framework.controls[1].keywords,
            [Keyword(vec![
                "content".into(),
                "security".into(),
                "policy".into()
            ])]
        );
    }
}
