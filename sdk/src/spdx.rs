//! SPDX license expressions, as both the licenses adapter and `securescan sbom` read them from
//! manifests. [`tokenize`] splits the text into words and parentheses; [`parse`] is a small
//! parser over those: `AND`, `OR`, `WITH`, parentheses, a trailing `+`, and the `-only` /
//! `-or-later` suffixes. Operators are matched case-insensitively, since npm manifests write
//! `mit or gpl-3.0` too. Anything that is not an expression (free text such as
//! `Apache License, Version 2.0`) is `None`, so the caller can fall back to reading it as a name.

/// A parsed expression. `OR` binds loosest, then `AND`, then `WITH`, as in SPDX annex D.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    /// A license id without its `+`, `-only` or `-or-later` suffix: those choose a version of
    /// the same license, never a different kind of license.
    License(String),
    With {
        license: Box<Expression>,
        exception: String,
    },
    And(Box<Expression>, Box<Expression>),
    Or(Box<Expression>, Box<Expression>),
}

/// Deeper nesting than this is not a real license expression; refusing it keeps hostile input
/// from exhausting the stack.
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Option<Expression> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let expression = parser.or(0)?;
    (parser.at == parser.tokens.len()).then_some(expression)
}

/// One token of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Open,
    Close,
    Word(String),
}

/// Words are SPDX idstrings (`[A-Za-z0-9.-]+`, `LicenseRef-…`, `DocumentRef-…:…`) with an
/// optional `+`. Any other character (`,`, `/`, `*`, …) means the text is not an expression.
pub fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let is_word_char = c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':' | '_');
        if is_word_char {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(&mut word)));
        }
        match c {
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    if !word.is_empty() {
        tokens.push(Token::Word(word));
    }
    Some(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn or(&mut self, depth: usize) -> Option<Expression> {
        let mut left = self.and(depth)?;
        while self.eat_operator("or") {
            let right = self.and(depth)?;
            left = Expression::Or(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn and(&mut self, depth: usize) -> Option<Expression> {
        let mut left = self.with(depth)?;
        while self.eat_operator("and") {
            let right = self.with(depth)?;
            left = Expression::And(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn with(&mut self, depth: usize) -> Option<Expression> {
        let license = self.primary(depth)?;
        if !self.eat_operator("with") {
            return Some(license);
        }
        let exception = self.word()?;
        Some(Expression::With {
            license: Box::new(license),
            exception,
        })
    }

    fn primary(&mut self, depth: usize) -> Option<Expression> {
        if depth >= MAX_DEPTH {
            return None;
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            if self.tokens.get(self.at) != Some(&Token::Close) {
                return None;
            }
            self.at += 1;
            return Some(inner);
        }
        let word = self.word()?;
        let id = word.strip_suffix('+').unwrap_or(&word);
        let id = strip_suffix_ignore_case(id, "-or-later")
            .or_else(|| strip_suffix_ignore_case(id, "-only"))
            .unwrap_or(id);
        if id.is_empty() || id.contains('+') {
            return None;
        }
        Some(Expression::License(id.to_string()))
    }

    /// The next token if it is a word that is not an operator.
    fn word(&mut self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(word)) if !is_operator(word) => {
                self.at += 1;
                Some(word.clone())
            }
            _ => None,
        }
    }

    fn eat_operator(&mut self, operator: &str) -> bool {
        let found = matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(operator));
        if found {
            self.at += 1;
        }
        found
    }
}

fn is_operator(word: &str) -> bool {
    ["and", "or", "with"]
        .iter()
        .any(|op| word.eq_ignore_ascii_case(op))
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let (head, tail) = (text.get(..split)?, text.get(split..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn license(id: &str) -> Expression {
        Expression::License(id.into())
    }

    #[test]
    fn or_binds_looser_than_and_and_with_tighter() {
        let parsed = parse("MIT OR Apache-2.0 AND GPL-2.0 WITH Classpath-exception-2.0").unwrap();
        let expected = Expression::Or(
            Box::new(license("MIT")),
            Box::new(Expression::And(
                Box::new(license("Apache-2.0")),
                Box::new(Expression::With {
                    license: Box::new(license("GPL-2.0")),
                    exception: "Classpath-exception-2.0".into(),
                }),
            )),
        );
        assert_eq!(parsed, expected);
    }

    #[test]
    fn parentheses_lowercase_operators_and_version_suffixes() {
        let parsed = parse("(mit or GPL-2.0+) and LGPL-2.1-or-later").unwrap();
        let expected = Expression::And(
            Box::new(Expression::Or(
                Box::new(license("mit")),
                Box::new(license("GPL-2.0")),
            )),
            Box::new(license("LGPL-2.1")),
        );
        assert_eq!(parsed, expected);
        assert_eq!(parse("GPL-3.0-only"), Some(license("GPL-3.0")));
        assert_eq!(parse("gpl-3.0-ONLY"), Some(license("gpl-3.0")));
    }

    #[test]
    fn free_text_and_broken_expressions_are_not_expressions() {
        for text in [
            "Apache License, Version 2.0",
            "Apache 2.0",
            "GNU General Public License v2 or later (GPLv2+)",
            "MIT OR",
            "AND MIT",
            "(MIT",
            "MIT)",
            "()",
            "",
            "MIT WITH",
            "MIT*",
            "GPL-2.0 WITH (MIT)",
            "+",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}MIT{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse(&deep), None);
        let fine = format!("{}MIT{}", "(".repeat(10), ")".repeat(10));
        assert_eq!(parse(&fine), Some(license("MIT")));
    }
}
