//! Where a head-side line sits in a unified diff, as GitHub's review API counts it (§12.8): a
//! file's first hunk header is position 0, every following line of the file's diff is one more,
//! and later hunk headers take a position too.
//!
//! Unlike the original, `---`/`+++` are only file headers outside a hunk body: each hunk's header
//! says how many old and new lines follow, so a removed `-- comment` (`--- comment` in the diff) or
//! an added `++x` (`+++x`) is counted as the body line it is.

use std::collections::BTreeMap;

/// One head-side line present in the diff (added or context).
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeadLine {
    position: u32,
    text: String,
}

/// Positions (and text) of the head lines of every text file in a diff, by the repo-relative
/// path the diff names (its `b/` side).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffPositions {
    files: BTreeMap<String, BTreeMap<u32, HeadLine>>,
}

impl DiffPositions {
    /// Reads `git diff` output. Never fails: what it cannot read has no positions.
    pub fn parse(diff: &str) -> DiffPositions {
        let mut parser = Parser::default();
        // Only `\n` (or `\r\n`) ends a line: GitHub counts positions that way, and a form feed
        // or other separator inside a source line must not shift every later position.
        for line in diff.lines() {
            parser.line(line);
        }
        DiffPositions {
            files: parser.files,
        }
    }

    /// The review position of head line `line` of `path`, if the diff shows that line.
    pub fn position(&self, path: &str, line: u32) -> Option<u32> {
        self.head_line(path, line).map(|l| l.position)
    }

    /// The content of head line `line` of `path` (without the diff's ` `/`+` prefix), if the diff
    /// shows that line.
    pub fn line_text(&self, path: &str, line: u32) -> Option<&str> {
        self.head_line(path, line).map(|l| l.text.as_str())
    }

    fn head_line(&self, path: &str, line: u32) -> Option<&HeadLine> {
        self.files.get(path)?.get(&line)
    }
}

/// The state machine over the diff's lines.
#[derive(Debug, Default)]
struct Parser {
    files: BTreeMap<String, BTreeMap<u32, HeadLine>>,
    /// The file whose hunks are being read; `None` before a `+++`, for `/dev/null` and binaries.
    current: Option<String>,
    binary: bool,
    /// Position of the last line read in the current file; `None` before its first hunk header.
    position: Option<u32>,
    /// The head line the next context or added line is; `None` past the largest line number
    /// (a hunk header may claim any start), so such lines get no position.
    head_line: Option<u32>,
    /// Old and new lines the current hunk header announced that have not been read yet.
    hunk: Option<(u32, u32)>,
}

impl Parser {
    fn line(&mut self, line: &str) {
        if self.hunk.is_some() && self.body_line(line) {
            return;
        }
        self.hunk = None;
        if line.starts_with("diff --git ") {
            self.current = None;
            self.binary = false;
            self.position = None;
            self.head_line = Some(0);
        } else if line.starts_with("Binary files ") || line.starts_with("GIT binary patch") {
            self.binary = true;
            self.current = None;
        } else if line.starts_with("--- ") {
            // The old side's name: positions are only ever looked up by the new one.
        } else if let Some(target) = line.strip_prefix("+++ ") {
            self.start_file(target);
        } else if line.starts_with("@@") {
            self.hunk_header(line);
        } else {
            // A body line outside a counted hunk (a header that did not parse, or more lines than
            // it announced) still takes a position, as the original counted every such line.
            self.count(line);
        }
    }

    /// Reads `line` as part of the current hunk; false when it cannot be one, so it is a header.
    fn body_line(&mut self, line: &str) -> bool {
        let Some((old, new)) = self.hunk else {
            return false;
        };
        let remaining = match line.as_bytes().first() {
            None | Some(b' ') => (old.saturating_sub(1), new.saturating_sub(1)),
            Some(b'+') => (old, new.saturating_sub(1)),
            Some(b'-') => (old.saturating_sub(1), new),
            Some(b'\\') => (old, new),
            Some(_) => return false,
        };
        self.count(line);
        self.hunk = (remaining != (0, 0)).then_some(remaining);
        true
    }

    fn start_file(&mut self, target: &str) {
        self.position = None;
        self.head_line = Some(0);
        if target == "/dev/null" {
            self.current = None;
            return;
        }
        let path = unquote_path(target);
        let path = path.strip_prefix("b/").unwrap_or(&path).to_string();
        self.files.entry(path.clone()).or_default();
        self.current = Some(path);
    }

    fn hunk_header(&mut self, line: &str) {
        if self.current.is_none() || self.binary {
            return;
        }
        self.position = Some(self.position.map_or(0, |p| p.saturating_add(1)));
        if let Some(header) = HunkHeader::parse(line) {
            self.head_line = Some(header.new_start);
            let counts = (header.old_lines, header.new_lines);
            self.hunk = (counts != (0, 0)).then_some(counts);
        }
    }

    /// Gives a context, added or removed line of the current file its position.
    fn count(&mut self, line: &str) {
        let Some(path) = &self.current else {
            return;
        };
        let head_side = match line.as_bytes().first() {
            None => Some(""),
            Some(b' ' | b'+') => Some(&line[1..]),
            Some(b'-') => None,
            Some(_) => return,
        };
        let position = self.position.map_or(0, |p| p.saturating_add(1));
        self.position = Some(position);
        if let Some(text) = head_side
            && let Some(number) = self.head_line
        {
            let head = HeadLine {
                position,
                text: text.to_string(),
            };
            if let Some(lines) = self.files.get_mut(path) {
                lines.insert(number, head);
            }
            self.head_line = number.checked_add(1);
        }
    }
}

/// `@@ -<old start>[,<old lines>] +<new start>[,<new lines>] @@`; a missing count is 1.
#[derive(Debug, PartialEq, Eq)]
struct HunkHeader {
    old_lines: u32,
    new_start: u32,
    new_lines: u32,
}

impl HunkHeader {
    fn parse(line: &str) -> Option<HunkHeader> {
        let rest = line.strip_prefix("@@ -")?;
        let (_, old_lines, rest) = range(rest)?;
        let rest = rest.strip_prefix(" +")?;
        let (new_start, new_lines, rest) = range(rest)?;
        rest.starts_with(" @@").then_some(HunkHeader {
            old_lines,
            new_start,
            new_lines,
        })
    }
}

/// `<start>[,<count>]` at the start of `text`, and what follows.
fn range(text: &str) -> Option<(u32, u32, &str)> {
    let (start, rest) = number(text)?;
    match rest.strip_prefix(',') {
        Some(rest) => {
            let (count, rest) = number(rest)?;
            Some((start, count, rest))
        }
        None => Some((start, 1, rest)),
    }
}

fn number(text: &str) -> Option<(u32, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// A `+++` path as git writes it: `"…"` with C escapes (octal for non-ASCII bytes) when the name
/// needs quoting, else raw. A tab ends an unquoted name: git only writes one there (before a
/// timestamp, or after a name with spaces), since a name containing a tab is always quoted.
fn unquote_path(target: &str) -> String {
    let Some(quoted) = target.strip_prefix('"') else {
        return target.split('\t').next().unwrap_or(target).to_string();
    };
    let mut bytes = Vec::with_capacity(quoted.len());
    let mut rest = quoted.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'"' => return String::from_utf8_lossy(&bytes).into_owned(),
            b'\\' => {
                let Some((&escaped, tail)) = rest.split_first() else {
                    break;
                };
                rest = tail;
                bytes.push(match escaped {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'0'..=b'7' => {
                        let digits = rest
                            .iter()
                            .take(2)
                            .take_while(|d| (b'0'..=b'7').contains(d));
                        let mut value = u32::from(escaped - b'0');
                        let mut used = 0;
                        for digit in digits {
                            value = value * 8 + u32::from(digit - b'0');
                            used += 1;
                        }
                        rest = &rest[used..];
                        // Three octal digits can exceed a byte (`\777`); git never writes that.
                        u8::try_from(value).unwrap_or(u8::MAX)
                    }
                    other => other,
                });
            }
            _ => bytes.push(byte),
        }
    }
    // No closing quote: not a quoted name after all.
    target.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diff of Appendix A.7.
    const A7: &str = "diff --git a/src/app.py b/src/app.py\n\
                      index 111..222 100644\n\
                      --- a/src/app.py\n\
                      +++ b/src/app.py\n\
                      @@ -39,3 +39,5 @@ def f():\n \
                      a = 1\n \
                      b = 2\n\
                      +c = 3\n\
                      +x = eval(y)\n \
                      d = 4\n";

    /// Paths the diff names as a `+++` target, sorted.
    fn files(parsed: &DiffPositions) -> Vec<&str> {
        parsed.files.keys().map(String::as_str).collect()
    }

    fn positions(diff: &str, path: &str) -> Vec<(u32, u32)> {
        let parsed = DiffPositions::parse(diff);
        (0..200)
            .filter_map(|line| parsed.position(path, line).map(|p| (line, p)))
            .collect()
    }

    #[test]
    fn the_appendix_diff_maps_head_lines_to_positions() {
        let parsed = DiffPositions::parse(A7);
        assert_eq!(parsed.position("src/app.py", 42), Some(4));
        assert_eq!(parsed.position("src/app.py", 41), Some(3));
        assert_eq!(
            positions(A7, "src/app.py"),
            [(39, 1), (40, 2), (41, 3), (42, 4), (43, 5)]
        );
        assert_eq!(parsed.line_text("src/app.py", 42), Some("x = eval(y)"));
        assert_eq!(parsed.line_text("src/app.py", 39), Some("a = 1"));
        assert_eq!(parsed.position("src/app.py", 44), None);
        assert_eq!(parsed.position("b/src/app.py", 42), None);
        assert_eq!(files(&parsed), ["src/app.py"]);
    }

    #[test]
    fn a_later_hunk_header_takes_a_position_and_removed_lines_count() {
        let diff = "--- a/m.py\n+++ b/m.py\n\
                    @@ -1,2 +1,2 @@\n-old\n+new\n same\n\
                    @@ -10 +10,2 @@\n ten\n+eleven\n";
        assert_eq!(positions(diff, "m.py"), [(1, 2), (2, 3), (10, 5), (11, 6)]);
    }

    #[test]
    fn positions_restart_for_each_file_and_files_are_listed_sorted() {
        let diff = "diff --git a/z.py b/z.py\n--- a/z.py\n+++ b/z.py\n@@ -1 +1 @@\n-a\n+b\n\
                    diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -4,0 +5 @@\n+x\n";
        let parsed = DiffPositions::parse(diff);
        assert_eq!(parsed.position("z.py", 1), Some(2));
        assert_eq!(parsed.position("a.py", 5), Some(1));
        assert_eq!(files(&parsed), ["a.py", "z.py"]);
    }

    #[test]
    fn deleted_and_binary_files_have_no_positions() {
        let diff = "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n\
                    --- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\
                    diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n\
                    diff --git a/blob.bin b/blob.bin\nGIT binary patch\nliteral 4\n+abc\n\n\
                    diff --git a/ok.py b/ok.py\n--- a/ok.py\n+++ b/ok.py\n@@ -0,0 +1 @@\n+y\n";
        let parsed = DiffPositions::parse(diff);
        assert_eq!(files(&parsed), ["ok.py"]);
        assert_eq!(parsed.position("ok.py", 1), Some(1));
        assert_eq!(parsed.position("/dev/null", 1), None);
        assert_eq!(parsed.position("logo.png", 1), None);
    }

    #[test]
    fn quoted_paths_are_unquoted_with_octal_utf8_bytes() {
        let diff = "--- \"a/a\\tb.py\"\n+++ \"b/a\\tb.py\"\n@@ -0,0 +1 @@\n+x\n\
                    --- \"a/caf\\303\\251.py\"\n+++ \"b/caf\\303\\251.py\"\n@@ -0,0 +1 @@\n+y\n\
                    --- \"a/q\\\"\\\\.py\"\n+++ \"b/q\\\"\\\\.py\"\n@@ -0,0 +1 @@\n+z\n";
        let parsed = DiffPositions::parse(diff);
        assert_eq!(parsed.position("a\tb.py", 1), Some(1));
        assert_eq!(parsed.position("café.py", 1), Some(1));
        assert_eq!(parsed.position("q\"\\.py", 1), Some(1));
    }

    #[test]
    fn an_unquoted_name_ends_at_a_tab() {
        let diff = "--- a/with space.py\t\n+++ b/with space.py\t\n@@ -0,0 +1 @@\n+x\n";
        assert_eq!(
            DiffPositions::parse(diff).position("with space.py", 1),
            Some(1)
        );
    }

    #[test]
    fn dash_and_plus_lines_inside_a_hunk_are_body_not_headers() {
        // Removing the SQL comment `-- comment` shows as `--- comment`; adding `++x` as `+++x`
        // and adding `++ y` as `+++ y`, which the original took for a new file.
        let diff = "--- a/q.sql\n+++ b/q.sql\n\
                    @@ -1,3 +1,4 @@\n--- comment\n keep\n+++x\n+++ y\n-old\n+new\n";
        let parsed = DiffPositions::parse(diff);
        assert_eq!(positions(diff, "q.sql"), [(1, 2), (2, 3), (3, 4), (4, 6)]);
        assert_eq!(parsed.line_text("q.sql", 3), Some("++ y"));
        assert_eq!(files(&parsed), ["q.sql"]);
    }

    #[test]
    fn headers_are_recognised_again_once_a_hunk_is_complete() {
        let diff = "--- a/one.py\n+++ b/one.py\n@@ -1 +1 @@\n-a\n+b\n\
                    --- a/two.py\n+++ b/two.py\n@@ -1 +1 @@\n-c\n+d\n";
        let parsed = DiffPositions::parse(diff);
        assert_eq!(parsed.position("one.py", 1), Some(2));
        assert_eq!(parsed.position("two.py", 1), Some(2));
    }

    #[test]
    fn no_newline_markers_take_no_position() {
        let diff =
            "--- a/n.py\n+++ b/n.py\n@@ -1 +1,2 @@\n-a\n\\ No newline at end of file\n+a\n+b\n";
        assert_eq!(positions(diff, "n.py"), [(1, 2), (2, 3)]);
    }

    #[test]
    fn crlf_diffs_read_like_lf_diffs() {
        let diff = A7.replace('\n', "\r\n");
        let parsed = DiffPositions::parse(&diff);
        assert_eq!(parsed.position("src/app.py", 42), Some(4));
        assert_eq!(parsed.line_text("src/app.py", 42), Some("x = eval(y)"));
    }

    /// Found by the `review_diff` fuzz target: a hunk claiming to start at the largest line
    /// number overflowed the head-line counter.
    #[test]
    fn a_hunk_starting_at_the_largest_line_number_does_not_overflow() {
        let parsed = DiffPositions::parse("+++ \n@@ -2 +4294967295 @@\n\n x\n");
        assert_eq!(parsed.position("", u32::MAX), Some(1));
        assert_eq!(parsed.position("", 0), None);
    }

    #[test]
    fn hunk_headers_parse_with_and_without_counts() {
        let header =
            |h: &str| HunkHeader::parse(h).map(|h| (h.old_lines, h.new_start, h.new_lines));
        assert_eq!(header("@@ -39,3 +39,5 @@ def f():"), Some((3, 39, 5)));
        assert_eq!(header("@@ -1 +1 @@"), Some((1, 1, 1)));
        assert_eq!(header("@@ -0,0 +1,2 @@"), Some((0, 1, 2)));
        assert_eq!(header("@@ -1 +x @@"), None);
        assert_eq!(header("@@@ -1 -1 +1 @@@"), None);
    }
}
