//! Text that came from outside (a tool's output, an adapter's strings, a scanned file's name)
//! made safe to show: it can neither flood nor drive a terminal.

/// How much of the layout a cleaned value may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One line: every control character goes, newline and tab too.
    Line,
    /// Prose: newline and tab stay.
    Prose,
}

/// Informational text (warnings, a tool's stderr, an adapter's error message): control
/// characters other than newline and tab replaced, then shortened, so it can neither flood nor
/// rewrite a terminal. Never refused.
pub fn sanitize(text: &str, max: usize) -> String {
    clean(text.to_string(), max, Shape::Prose)
}

/// [`sanitize`] for a value quoted inside a one-line message (a config key, a rule id, a path):
/// newline and tab are replaced too, so the value cannot start a line of its own either.
pub fn sanitize_line(text: &str, max: usize) -> String {
    clean(text.to_string(), max, Shape::Line)
}

/// Text that comes from scanned content (a file name, an env key, a rule's message) may be
/// hostile, but it must not be able to switch a scanner off: it is neutralized, not refused.
/// One-line fields lose every control character, prose keeps newline and tab; both are cut to
/// their size limit on a character boundary.
pub fn clean(value: String, max: usize, shape: Shape) -> String {
    // Fast path: no byte below 0x20, no DEL and no 0xC2 (which starts every C1 control).
    if value.len() <= max && !value.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return value;
    }
    // Line endings are line endings, not control sequences: CRLF and lone CR become LF in prose.
    let value = if shape == Shape::Prose && value.contains('\r') {
        value.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        value
    };
    let allowed = |c: char| shape == Shape::Prose && (c == '\n' || c == '\t');
    let cleaned: String = value
        .chars()
        .map(|c| {
            if c.is_control() && !allowed(c) {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    truncate(&cleaned, max).to_string()
}

/// `text` in at most `max` characters: cut, it ends with `…` (the server's event errors, chat
/// message limits, the AI prompt's fields).
pub fn ellipsize(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(text.len(), |(at, _)| at);
            format!("{}…", &text[..keep])
        }
    }
}

/// `text` cut to at most `max` bytes, on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod ellipsize_tests {
    use super::ellipsize;

    #[test]
    fn a_cut_text_keeps_max_characters_with_its_ellipsis() {
        assert_eq!(ellipsize("short", 5), "short");
        assert_eq!(ellipsize("abcdef", 5), "abcd…");
        assert_eq!(ellipsize("ééééé-é", 6), "ééééé…");
        assert_eq!(ellipsize(&"x".repeat(500), 200).chars().count(), 200);
    }
}
