//! Message text (§3.11): a result's own text, or the rule's message string it names by id, with
//! `{0}`-style placeholders filled from `arguments`.

use serde_json::Value;

use crate::report::{Message, Rule};

/// The result's message as plain text, or `None` when neither it nor its rule says anything.
pub fn text(message: Option<&Message>, rule: Option<&Rule>) -> Option<String> {
    let message = message?;
    let template = plain(message).or_else(|| {
        let id = message.id.as_deref()?;
        plain(rule?.message_strings.get(id)?)
    })?;
    Some(if message.arguments.is_empty() {
        template.to_string()
    } else {
        fill(template, &message.arguments)
    })
}

/// A message's text, or its Markdown when it has no text.
pub fn plain(message: &Message) -> Option<&str> {
    [message.text.as_deref(), message.markdown.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|t| !t.is_empty())
}

/// `{n}` becomes argument n; `{{` and `}}` are literal braces (§3.11.5). A placeholder without
/// an argument is left as written.
fn fill(template: &str, arguments: &[Value]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tail = rest.get(at..).unwrap_or_default();
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(tail.get(..1).unwrap_or_default());
            rest = tail.get(2..).unwrap_or_default();
            continue;
        }
        let placeholder = tail.strip_prefix('{').and_then(|after| {
            let (digits, _) = after.split_once('}')?;
            let index: usize = digits.parse().ok()?;
            Some((argument(arguments.get(index)?), digits.len() + 2))
        });
        match placeholder {
            Some((value, consumed)) => {
                out.push_str(&value);
                rest = tail.get(consumed..).unwrap_or_default();
            }
            None => {
                out.push_str(tail.get(..1).unwrap_or_default());
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn argument(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_and_escaped_braces() {
        let args = [json!("x"), json!(3)];
        assert_eq!(
            fill("{0} is {1}; {{0}} stays, {7} too}", &args),
            "x is 3; {0} stays, {7} too}"
        );
        assert_eq!(fill("{", &args), "{");
        assert_eq!(fill("é{0}é", &args), "éxé");
    }
}
