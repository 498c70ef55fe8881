//! argv templates: `{name}` placeholders filled from the scan target and the adapter's vars.

use std::collections::BTreeMap;

/// An argv template that cannot be read or filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgvError {
    #[error("argv {arg:?} has an unclosed '{{'")]
    Unclosed { arg: String },
    #[error("argv {arg:?} has a bad placeholder {{{name}}}")]
    BadPlaceholder { arg: String, name: String },
    #[error("no value for {{{name}}} in {arg:?}")]
    NoValue { name: String, arg: String },
    #[error("{{{name}}} in {arg:?} must have exactly one value")]
    NotOneValue { name: String, arg: String },
}

/// The placeholder names in one argument, in order. Errors on an unclosed or empty `{}`.
pub fn placeholders(arg: &str) -> Result<Vec<&str>, ArgvError> {
    let mut names = Vec::new();
    let mut rest = arg;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| ArgvError::Unclosed { arg: arg.into() })?;
        let name = &after[..close];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(ArgvError::BadPlaceholder {
                arg: arg.into(),
                name: name.into(),
            });
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// Expand a template. An argument with a placeholder is repeated once per value of that
/// placeholder (and dropped when it has none); an argument may hold several placeholders only if
/// each has exactly one value.
pub fn expand(
    template: &[String],
    vars: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<String>, ArgvError> {
    let mut argv = Vec::new();
    for arg in template {
        let names = placeholders(arg)?;
        let values = |name: &str| {
            vars.get(name).ok_or_else(|| ArgvError::NoValue {
                name: name.into(),
                arg: arg.clone(),
            })
        };
        match names.as_slice() {
            [] => argv.push(arg.clone()),
            [name] => {
                for value in values(name)? {
                    argv.push(arg.replace(&format!("{{{name}}}"), value));
                }
            }
            many => {
                let mut expanded = arg.clone();
                for name in many {
                    match values(name)?.as_slice() {
                        [one] => expanded = expanded.replace(&format!("{{{name}}}"), one),
                        _ => {
                            return Err(ArgvError::NotOneValue {
                                name: name.to_string(),
                                arg: arg.clone(),
                            });
                        }
                    }
                }
                argv.push(expanded);
            }
        }
    }
    Ok(argv)
}

/// A path as one safe argument: a leading `-` would be read as an option, so it gets `./`.
pub fn path_arg(path: &str) -> String {
    if path.starts_with('-') {
        format!("./{path}")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn list_placeholders_repeat_their_argument() {
        let argv = expand(
            &strings(&["semgrep", "--config={config}", "{target}"]),
            &vars(&[("config", &["a.yml", "b.yml"]), ("target", &["src"])]),
        );
        assert_eq!(
            argv.unwrap(),
            strings(&["semgrep", "--config=a.yml", "--config=b.yml", "src"])
        );
    }

    #[test]
    fn empty_lists_drop_the_argument() {
        let argv = expand(&strings(&["t", "--x={x}"]), &vars(&[("x", &[])]));
        assert_eq!(argv.unwrap(), strings(&["t"]));
    }

    #[test]
    fn unknown_and_malformed_placeholders_are_errors() {
        assert!(expand(&strings(&["{nope}"]), &vars(&[])).is_err());
        assert!(placeholders("{open").is_err());
        assert!(placeholders("{a b}").is_err());
    }

    #[test]
    fn errors_quote_the_argument_and_the_placeholder() {
        let text = |err: ArgvError| err.to_string();
        assert_eq!(
            text(placeholders("--x={open").unwrap_err()),
            r#"argv "--x={open" has an unclosed '{'"#
        );
        assert_eq!(
            text(placeholders("{a b}").unwrap_err()),
            r#"argv "{a b}" has a bad placeholder {a b}"#
        );
        assert_eq!(
            text(expand(&strings(&["-c={nope}"]), &vars(&[])).unwrap_err()),
            r#"no value for {nope} in "-c={nope}""#
        );
        let two = vars(&[("a", &["1", "2"]), ("b", &["3"])]);
        assert_eq!(
            text(expand(&strings(&["{a}{b}"]), &two).unwrap_err()),
            r#"{a} in "{a}{b}" must have exactly one value"#
        );
    }

    #[test]
    fn a_target_that_looks_like_an_option_is_not_one() {
        assert_eq!(path_arg("--config=evil"), "./--config=evil");
        assert_eq!(path_arg("src"), "src");
    }
}
