//! Free text a tool printed: decoded, and shortened for a place that holds one line.

use std::borrow::Cow;

/// Characters of a headline, before the `…` that marks a cut.
const MAX_HEADLINE_CHARS: usize = 160;

/// A one-line title from free text: the first paragraph with its line breaks joined, cut after
/// its first sentence (tools wrap long messages, and semgrep's start with the gist), and capped.
/// Adapters use it to title a finding from a message; the host's reports to show a finding whose
/// title is only an identifier.
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
    let headline = match sentence.char_indices().nth(MAX_HEADLINE_CHARS) {
        Some((end, _)) => format!("{}…", sentence.get(..end).unwrap_or_default()),
        None => sentence.to_string(),
    };
    (!headline.is_empty()).then_some(headline)
}

/// `bytes` as UTF-8 text with each undecodable sequence as U+FFFD, borrowed when there is none:
/// what `String::from_utf8_lossy` returns, but valid text (nearly all of it) is checked by the
/// word-at-a-time validator instead of the lossy decoder's byte-at-a-time walk, several times
/// faster on the tens of megabytes of reports and files an adapter may read.
pub fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_utf8_borrows_valid_text_and_replaces_what_does_not_decode() {
        assert!(matches!(
            utf8_lossy("café".as_bytes()),
            Cow::Borrowed("café")
        ));
        assert_eq!(utf8_lossy(b"caf\xe9 \xff!"), "caf\u{fffd} \u{fffd}!");
        assert_eq!(utf8_lossy(b""), "");
    }

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
}
