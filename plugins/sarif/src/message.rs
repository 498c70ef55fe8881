//! Message text (§3.11): a result's own text, or the rule's message string it names by id, with
//! `{0}`-style placeholders filled from `arguments`.

use serde_json::Value;

use crate::report::{Message, Rule};

/// Characters of a title made from a message.
const MAX_TITLE_CHARS: usize = 160;

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

/// A one-line title from free text: the first paragraph with its line breaks joined, cut after
/// its first sentence (tools wrap long messages, and semgrep's start with the gist), and capped.
pub fn headline(text: &str) -> Option<String> {
    let paragraph: Vec<&str> = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let joined = paragraph.join(" ");
    let sentence = match joined.find(". ") {
        Some(end) => joined.get(..=end).unwrap_or(&joined),
        None => &joined,
    };
    let headline = match sentence.char_indices().nth(MAX_TITLE_CHARS) {
        Some((end, _)) => format!("{}…", sentence.get(..end).unwrap_or_default()),
        None => sentence.to_string(),
    };
    (!headline.is_empty()).then_some(headline)
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
    fn headlines_join_wrapped_lines_and_stop_after_the_first_sentence() {
        assert_eq!(
            headline("\nUsing CBC is risky. A malicious\nactor could tell.\n\nMore.").as_deref(),
            Some("Using CBC is risky.")
        );
        assert_eq!(
            headline("Found in auth.py at commit 00ab.").as_deref(),
            Some("Found in auth.py at commit 00ab.")
        );
        assert_eq!(headline(&"x".repeat(200)).unwrap().chars().count(), 161);
        assert_eq!(headline(" \n "), None);
    }

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
