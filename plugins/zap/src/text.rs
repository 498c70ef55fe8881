//! Turning ZAP's text fields into plain text.

/// ZAP's traditional report wraps each line of a text in `<p>…</p>` (it replaces every `\n` with
/// `</p><p>`) and escapes nothing else: in `No <base> tag was specified in the HTML <head> tag`
/// the tags are literal text. So only that wrapping is undone, giving back the lines the API
/// prints; stripping every tag would eat the markup ZAP quotes as evidence.
pub fn unwrap_paragraphs(text: &str) -> String {
    let text = plain(text);
    let text = text.trim();
    let inner = text
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
        .unwrap_or(text);
    inner.replace("</p><p>", "\n").trim().to_string()
}

/// Line endings as `\n`: the host would turn a `\r` into U+FFFD.
pub fn plain(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// The reference URLs ZAP prints one per line (or per paragraph).
pub fn references(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// At most `max` characters, with `…` marking a cut.
pub fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zaps_paragraph_wrapping_is_undone() {
        assert_eq!(
            unwrap_paragraphs(
                "<p>No <base> tag was specified in the HTML <head> tag.</p><p>Second line.</p>"
            ),
            "No <base> tag was specified in the HTML <head> tag.\nSecond line."
        );
        assert_eq!(
            unwrap_paragraphs("no wrapping\r\nat all"),
            "no wrapping\nat all"
        );
        assert_eq!(unwrap_paragraphs("<p></p>"), "");
    }

    #[test]
    fn caps_count_characters_not_bytes() {
        assert_eq!(capped("ééé", 2), "éé…");
        assert_eq!(capped("abc", 3), "abc");
    }
}
