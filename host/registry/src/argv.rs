//! argv templates: `{name}` placeholders filled from the scan target and the adapter's vars.

use std::collections::BTreeMap;

/// The placeholder names in one argument, in order. Errors on an unclosed or empty `{}`.
pub fn placeholders(arg: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = arg;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("argv {arg:?} has an unclosed '{{'"))?;
        let name = &after[..close];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("argv {arg:?} has a bad placeholder {{{name}}}"));
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
) -> Result<Vec<String>, String> {
    let mut argv = Vec::new();
    for arg in template {
        let names = placeholders(arg)?;
        let values = |name: &str| {
            vars.get(name)
                .ok_or_else(|| format!("no value for {{{name}}} in {arg:?}"))
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
                            return Err(format!(
                                "{{{name}}} in {arg:?} must have exactly one value"
                            ));
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
    fn a_target_that_looks_like_an_option_is_not_one() {
        assert_eq!(path_arg("--config=evil"), "./--config=evil");
        assert_eq!(path_arg("src"), "src");
    }
}
