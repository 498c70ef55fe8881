//! Just enough of gitignore(5) to answer "does this project's `.gitignore` exclude that file?".
//! The original asked whether the pattern text occurred anywhere in the file, so `venv/` counted
//! as an entry for `.env` and `monkey` for `*.key`; these are real pattern matches instead.
//!
//! Supported: comments, blank lines, trailing-space trimming, `\` escapes, `!` negation, trailing
//! `/` (directories only), leading or inner `/` (anchored to the `.gitignore`'s directory),
//! `*`, `?`, `[...]` classes, and `**` as a whole path segment. Patterns without a `/` match a
//! name at any depth. Nested `.gitignore` files apply to their own subtree and override the
//! ones above them, and nothing below an excluded directory can be re-included, as in git.

/// One pattern line of a `.gitignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    negated: bool,
    dir_only: bool,
    /// Matched against the whole path below the `.gitignore`'s directory, not only the name.
    anchored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`: one character other than `/`.
    AnyChar,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**/` (leading or between slashes): zero or more whole directories.
    AnyDirs,
    /// A trailing `/**`'s `**`: everything below.
    AnyPath,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Pattern {
    /// The pattern on one `.gitignore` line, or `None` for a comment or blank line.
    pub fn parse(line: &str) -> Option<Pattern> {
        let line = trim_unescaped_trailing_spaces(line.strip_suffix('\r').unwrap_or(line));
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let (negated, body) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (dir_only, body) = match body.strip_suffix('/') {
            Some(rest) if !rest.ends_with('\\') => (true, rest),
            _ => (false, body),
        };
        let anchored = body.contains('/');
        let body = body.strip_prefix('/').unwrap_or(body);
        if body.is_empty() {
            return None;
        }
        Some(Pattern {
            tokens: tokenize(body),
            negated,
            dir_only,
            anchored,
        })
    }

    /// Whether the pattern matches `path` (relative to the `.gitignore`'s directory, `/`-separated).
    pub fn matches(&self, path: &str, is_dir: bool) -> bool {
        if self.dir_only && !is_dir {
            return false;
        }
        let subject = if self.anchored {
            path
        } else {
            path.rsplit('/').next().unwrap_or(path)
        };
        glob_match(&self.tokens, &subject.chars().collect::<Vec<_>>())
    }
}

/// The patterns of one `.gitignore` file and the directory it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    /// Directory relative to the scan target: `""` for the top level, else `a/b`.
    base: String,
    patterns: Vec<Pattern>,
}

impl IgnoreFile {
    pub fn parse(base: &str, text: &str) -> IgnoreFile {
        IgnoreFile {
            base: base.trim_matches('/').to_string(),
            patterns: text.lines().filter_map(Pattern::parse).collect(),
        }
    }

    /// `path` relative to this file's directory, if the file governs it.
    fn governs<'a>(&self, path: &'a str) -> Option<&'a str> {
        if self.base.is_empty() {
            return Some(path);
        }
        path.strip_prefix(self.base.as_str())?
            .strip_prefix('/')
            .filter(|rest| !rest.is_empty())
    }

    /// `Some(true)` excluded, `Some(false)` re-included, `None` when no line matches: the last
    /// matching line wins.
    fn verdict(&self, path: &str, is_dir: bool) -> Option<bool> {
        let relative = self.governs(path)?;
        self.patterns
            .iter()
            .rev()
            .find(|p| p.matches(relative, is_dir))
            .map(|p| !p.negated)
    }
}

/// All `.gitignore` files of the scanned tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreRules {
    /// Deepest directory first, so a nested file overrides the ones above it.
    files: Vec<IgnoreFile>,
}

impl IgnoreRules {
    pub fn new(mut files: Vec<IgnoreFile>) -> IgnoreRules {
        files.sort_by(|a, b| {
            depth(&b.base)
                .cmp(&depth(&a.base))
                .then_with(|| a.base.cmp(&b.base))
        });
        IgnoreRules { files }
    }

    /// Whether the file at `path` (relative to the target) is excluded, directly or through one
    /// of its directories.
    pub fn excludes_file(&self, path: &str) -> bool {
        let dirs = path.match_indices('/').map(|(at, _)| &path[..at]);
        for dir in dirs {
            if self.excludes(dir, true) {
                return true;
            }
        }
        self.excludes(path, false)
    }

    fn excludes(&self, path: &str, is_dir: bool) -> bool {
        self.files
            .iter()
            .find_map(|file| file.verdict(path, is_dir))
            .unwrap_or(false)
    }
}

fn depth(base: &str) -> usize {
    if base.is_empty() {
        0
    } else {
        base.matches('/').count() + 1
    }
}

/// Trailing spaces are dropped unless the last one is escaped with `\`.
fn trim_unescaped_trailing_spaces(line: &str) -> &str {
    let trimmed = line.trim_end_matches(' ');
    if trimmed.len() < line.len() && trimmed.ends_with('\\') && !trimmed.ends_with("\\\\") {
        &line[..trimmed.len() + 1]
    } else {
        trimmed
    }
}

fn tokenize(body: &str) -> Vec<Token> {
    let chars: Vec<char> = body.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        match c {
            '\\' => {
                // A trailing lone backslash matches nothing in git; a literal one is close enough.
                tokens.push(Token::Literal(chars.get(at + 1).copied().unwrap_or('\\')));
                at += 2;
            }
            '*' if chars.get(at + 1) == Some(&'*') => {
                let starts_segment = at == 0 || chars.get(at - 1) == Some(&'/');
                match chars.get(at + 2) {
                    Some('/') if starts_segment => {
                        tokens.push(Token::AnyDirs);
                        at += 3;
                    }
                    None if starts_segment => {
                        tokens.push(Token::AnyPath);
                        at += 2;
                    }
                    // Not a whole segment: just two stars.
                    _ => {
                        tokens.push(Token::Star);
                        at += 2;
                    }
                }
            }
            '*' => {
                tokens.push(Token::Star);
                at += 1;
            }
            '?' => {
                tokens.push(Token::AnyChar);
                at += 1;
            }
            '[' => match parse_class(&chars, at) {
                Some((class, next)) => {
                    tokens.push(class);
                    at = next;
                }
                None => {
                    tokens.push(Token::Literal('['));
                    at += 1;
                }
            },
            _ => {
                tokens.push(Token::Literal(c));
                at += 1;
            }
        }
    }
    tokens
}

/// A `[...]` class starting at `open`, and the index after its `]`; `None` if it never closes.
fn parse_class(chars: &[char], open: usize) -> Option<(Token, usize)> {
    let mut at = open + 1;
    let negated = matches!(chars.get(at), Some('!' | '^'));
    if negated {
        at += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(at)?;
        if c == ']' && !first {
            return Some((Token::Class { negated, ranges }, at + 1));
        }
        first = false;
        let low = if c == '\\' {
            at += 1;
            *chars.get(at)?
        } else {
            c
        };
        match (chars.get(at + 1), chars.get(at + 2)) {
            (Some('-'), Some(&high)) if high != ']' => {
                ranges.push((low, high));
                at += 3;
            }
            _ => {
                ranges.push((low, low));
                at += 1;
            }
        }
    }
}

/// Dynamic programming over (token, character) positions: `**` and `*` mixed in one pattern
/// cannot make this exponential.
fn glob_match(tokens: &[Token], text: &[char]) -> bool {
    let width = text.len() + 1;
    // matches[i * width + j]: tokens[i..] match text[j..].
    let mut matches = vec![false; (tokens.len() + 1) * width];
    let cell = |i: usize, j: usize| i * width + j;
    if let Some(last) = matches.get_mut(cell(tokens.len(), text.len())) {
        *last = true;
    }
    for (i, token) in tokens.iter().enumerate().rev() {
        for j in (0..=text.len()).rev() {
            let rest = |k: usize| matches.get(cell(i + 1, k)).copied().unwrap_or(false);
            let here = |k: usize| matches.get(cell(i, k)).copied().unwrap_or(false);
            let next = text.get(j).copied();
            let value = match token {
                Token::Literal(c) => next == Some(*c) && rest(j + 1),
                Token::AnyChar => next.is_some_and(|c| c != '/') && rest(j + 1),
                Token::Class { negated, ranges } => {
                    next.is_some_and(|c| {
                        c != '/'
                            && ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
                    }) && rest(j + 1)
                }
                Token::Star => rest(j) || (next.is_some_and(|c| c != '/') && here(j + 1)),
                Token::AnyPath => rest(j) || (next.is_some() && here(j + 1)),
                // Zero directories, or a run of characters ending with `/`.
                Token::AnyDirs => {
                    rest(j)
                        || (j..text.len()).any(|end| text.get(end) == Some(&'/') && rest(end + 1))
                }
            };
            if let Some(slot) = matches.get_mut(cell(i, j)) {
                *slot = value;
            }
        }
    }
    matches.first().copied().unwrap_or(false)
}
