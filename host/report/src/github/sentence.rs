//! Shortening scanner prose for GitHub: a description or remediation becomes its first sentence,
//! or the whole text, or a cut ending in `…`, whichever fits the limit (§12.5).

/// Whitespace as Python's `str.isspace` sees it: the original collapsed with `\s`, which also
/// matches the ASCII separators U+001C–U+001F that Rust's `char::is_whitespace` does not.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `text` trimmed, with every whitespace run turned into one space.
pub fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// The first sentence of `text` if it has at most `limit` characters, else the whole (collapsed)
/// text if that fits, else its first `limit - 1` characters, right-trimmed, and `…`. A sentence
/// ends at `.`, `!` or `?` followed by whitespace; lengths count characters, never bytes, so a
/// cut never splits one.
pub fn first_sentence(text: &str, limit: usize) -> String {
    let text = collapse_whitespace(text);
    // After collapsing every whitespace is a single space, so "punctuation then whitespace" is
    // the regex look-behind `(?<=[.!?])\s` of the original.
    let sentence_end = text
        .char_indices()
        .zip(text.chars().skip(1))
        .find(|&((_, c), next)| matches!(c, '.' | '!' | '?') && next == ' ')
        .map(|((at, c), _)| at + c.len_utf8());
    if let Some(end) = sentence_end
        && text[..end].chars().count() <= limit
    {
        return text[..end].to_string();
    }
    if text.chars().count() <= limit {
        return text;
    }
    let cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end_matches(is_space))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_without_a_sentence_break_is_kept_whole() {
        assert_eq!(first_sentence("Bad bug", 120), "Bad bug");
        assert_eq!(
            first_sentence("Ends with a stop.", 120),
            "Ends with a stop."
        );
    }

    #[test]
    fn the_first_sentence_is_taken() {
        assert_eq!(
            first_sentence(
                "Detected use of eval(). This is dangerous. More text here.",
                120
            ),
            "Detected use of eval()."
        );
        assert_eq!(first_sentence("Stop! Or not.", 120), "Stop!");
        assert_eq!(first_sentence("Really? Yes.", 120), "Really?");
    }

    #[test]
    fn punctuation_inside_a_word_does_not_end_a_sentence() {
        assert_eq!(
            first_sentence("Use os.path.join here. Then more.", 120),
            "Use os.path.join here."
        );
        assert_eq!(first_sentence("v1.2.3 is bad", 120), "v1.2.3 is bad");
    }

    #[test]
    fn whitespace_runs_collapse_before_measuring() {
        assert_eq!(first_sentence("  one\n\ttwo.\n\nthree  ", 120), "one two.");
        assert_eq!(collapse_whitespace(" a \u{1f} b\u{a0}c "), "a b c");
    }

    #[test]
    fn a_first_sentence_over_the_limit_is_cut_not_skipped() {
        let text = format!("{}. tail", "x".repeat(10));
        assert_eq!(first_sentence(&text, 11), "xxxxxxxxxx.");
        assert_eq!(first_sentence(&text, 10), "xxxxxxxxx…");
    }

    #[test]
    fn long_text_without_punctuation_is_cut_to_the_limit_with_an_ellipsis() {
        let text = "word ".repeat(40);
        let cut = first_sentence(&text, 120);
        assert_eq!(cut.chars().count(), 120);
        assert!(cut.ends_with("word…"), "{cut}");
        let plain = "a".repeat(200);
        assert_eq!(first_sentence(&plain, 120), format!("{}…", "a".repeat(119)));
    }

    #[test]
    fn the_cut_is_right_trimmed_before_the_ellipsis() {
        // The 119th character is the space before the b's.
        let text = format!("{} {}", "a".repeat(118), "b".repeat(10));
        assert_eq!(first_sentence(&text, 120), format!("{}…", "a".repeat(118)));
    }

    #[test]
    fn multibyte_characters_are_counted_and_never_split() {
        let text = "é".repeat(130);
        let cut = first_sentence(&text, 120);
        assert_eq!(cut, format!("{}…", "é".repeat(119)));
        let exactly = "日".repeat(120);
        assert_eq!(first_sentence(&exactly, 120), exactly);
        assert_eq!(first_sentence("安全。 Next. more", 120), "安全。 Next.");
    }

    #[test]
    fn empty_and_blank_text_stay_empty() {
        assert_eq!(first_sentence("", 120), "");
        assert_eq!(first_sentence(" \n\t ", 200), "");
    }
}
