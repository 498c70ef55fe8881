//! Scanned content made inert in GitHub-flavoured Markdown. A PR comment or review quotes file
//! names, titles, descriptions, rule ids and suppression reasons that a stranger's pull request
//! chose; none of them may open HTML, a link, an image, a heading, a list, a table cell, maths, a
//! `@mention` that notifies someone or an `#123` cross-reference, nor close the code span or
//! emphasis around it. Every renderer quotes scanned text through [`text`] or [`code`] and
//! nothing else.

use super::one_line;

/// Goes between `@`/`#` and a name, `:` and `//`, `www` and `.`: invisible, but it is not a
/// character GitHub's mention, reference or autolink patterns accept there.
const JOINER: char = '\u{200D}';

/// Scanned text as inline Markdown that renders as exactly that text and nothing else.
///
/// `&`, `<` and `>` become entities (no HTML, no second upsert marker); the characters that
/// open inline constructs (`` ` `` `*` `~` `[` `]` `|` `$` `\`, and `_` unless inside a word)
/// are backslash-escaped; a leading `#`, `-`, `+`, `=` or `1.` is escaped so the text cannot
/// start a heading, list or setext underline where it begins a line; a [`JOINER`] breaks
/// `@name`, `#123`, `://` and `www.`, so nobody is notified and nothing is linked. The text ends
/// up on one line (see [`one_line`]).
pub fn text(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().filter_map(one_line).collect();
    let start = chars.iter().position(|c| *c != ' ').unwrap_or(chars.len());
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '~' | '[' | ']' | '|' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // Inside a word `_` never opens emphasis, and rule names are full of it.
            '_' if word(before) && word(after) => out.push('_'),
            '_' => out.push_str("\\_"),
            '@' => {
                out.push('@');
                if word(after) {
                    out.push(JOINER);
                }
            }
            '#' => {
                if i == start {
                    out.push('\\');
                }
                out.push('#');
                if word(after) {
                    out.push(JOINER);
                }
            }
            '-' | '+' | '=' if i == start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i > start && i - start <= 9 && all_digits(&chars[start..i]) => {
                out.push('\\');
                out.push(c);
            }
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/'][..]) => {
                out.push(':');
                out.push(JOINER);
            }
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) => {
                out.push(JOINER);
                out.push('.');
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether `prefix` is all ASCII digits: a `.` or `)` after it would start an ordered list.
fn all_digits(prefix: &[char]) -> bool {
    prefix.iter().all(char::is_ascii_digit)
}

/// Scanned text as one code span that shows it verbatim: the fence is one backtick longer than
/// the longest backtick run inside, so no backtick in a file name can close it early, and a
/// space pads content that starts or ends with a backtick or space (CommonMark strips one of
/// each). Inside a code span nothing is HTML, a link or a mention; only line breaks matter, and
/// [`one_line`] removes them.
pub fn code(raw: &str) -> String {
    let content: String = raw.chars().filter_map(one_line).collect();
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad =
        content.is_empty() || content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{content}{space}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_text_cannot_become_html_or_a_second_upsert_marker() {
        assert_eq!(
            text("<!-- securescan:diff --> <script>x & y</script>"),
            "&lt;!-- securescan:diff --&gt; &lt;script&gt;x &amp; y&lt;/script&gt;"
        );
        assert_eq!(text("red \u{1b}[31mtext\nnext"), "red \\[31mtext next");
    }

    #[test]
    fn links_images_and_autolinks_stay_text() {
        assert_eq!(
            text("[click](https://evil.test/x) ![p](http://t.test/p.png)"),
            "\\[click\\](https:\u{200D}//evil.test/x) !\\[p\\](http:\u{200D}//t.test/p.png)"
        );
        assert_eq!(
            text("see www.evil.test or WWW.evil.test"),
            "see www\u{200D}.evil.test or WWW\u{200D}.evil.test"
        );
        assert_eq!(text("mail a@b.test"), "mail a@\u{200D}b.test");
    }

    #[test]
    fn mentions_and_references_notify_nobody() {
        assert_eq!(
            text("@someone and @org/team fix #123, GH @ 1"),
            "@\u{200D}someone and @\u{200D}org/team fix #\u{200D}123, GH @ 1"
        );
    }

    #[test]
    fn inline_markup_is_escaped_but_words_with_underscores_are_not() {
        assert_eq!(
            text("**bold** _em_ ~~gone~~ `code` a|b $x$ back\\slash"),
            "\\*\\*bold\\*\\* \\_em\\_ \\~\\~gone\\~\\~ \\`code\\` a\\|b \\$x\\$ back\\\\slash"
        );
        assert_eq!(
            text("subprocess_popen_with_shell_equals_true"),
            "subprocess_popen_with_shell_equals_true"
        );
        assert_eq!(text("Use of eval(). Done."), "Use of eval(). Done.");
    }

    #[test]
    fn text_cannot_start_a_block_where_it_starts_a_line() {
        assert_eq!(text("# Looks good"), "\\# Looks good");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("+ item"), "\\+ item");
        assert_eq!(text("==="), "\\===");
        assert_eq!(text("---"), "\\---");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("3) item"), "3\\) item");
        assert_eq!(text("> quote"), "&gt; quote");
        assert_eq!(text("a - b = 1. c"), "a - b = 1. c");
        assert_eq!(text("v1.2"), "v1.2");
    }

    #[test]
    fn code_spans_cannot_be_closed_by_the_backticks_they_hold() {
        assert_eq!(code("src/app.py:42"), "`src/app.py:42`");
        assert_eq!(
            code("a`<details>`b.py"),
            "``a`<details>`b.py``",
            "the fence outgrows the single backticks"
        );
        assert_eq!(code("x```y``z"), "````x```y``z````");
        assert_eq!(code("`edge`"), "`` `edge` ``");
        assert_eq!(code(" lead"), "`  lead `");
        assert_eq!(code("two\nlines\u{1b}[0m"), "`two lines[0m`");
        assert_eq!(code(""), "`  `");
    }
}
