//! Licence strings from manifests, sorted into what each format can state without inventing.
//!
//! Both formats reject identifiers that are not on the SPDX licence list, and manifests hold
//! anything (`proprietary`, `SEE LICENSE IN LICENSE.md`). So a string whose every identifier is
//! one we know becomes an SPDX id or expression; anything else stays a free-text name (CycloneDX)
//! or a comment (SPDX).

use securescan_adapter_sdk::spdx::{self, Token};

/// Common SPDX licence list identifiers (the list has hundreds; these cover most packages).
const KNOWN_IDS: &[&str] = &[
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "BlueOak-1.0.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "OFL-1.1",
    "PHP-3.01",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "Vim",
    "WTFPL",
    "X11",
    "Zlib",
];

/// How one manifest licence string is written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    /// One identifier from the SPDX list.
    Id(String),
    /// Several known identifiers joined by `AND`/`OR`, possibly parenthesized.
    Expression(String),
    /// Text that is not (only) SPDX identifiers.
    Name(String),
}

pub fn classify(text: &str) -> License {
    let text = text.trim();
    if let Some(id) = known(text) {
        return License::Id(id.to_string());
    }
    // Any character outside SPDX idstrings makes the text a name, as an unknown id does.
    let Some(tokens) = spdx::tokenize(text) else {
        return License::Name(text.to_string());
    };
    let mut canonical = Vec::new();
    let mut depth = 0i32;
    let mut expect_id = true;
    for token in &tokens {
        // SPDX operators are case-sensitive: `MIT and ISC` is a name, not an expression.
        let written = match token {
            Token::Open if expect_id => {
                depth += 1;
                "("
            }
            Token::Close if !expect_id && depth > 0 => {
                depth -= 1;
                ")"
            }
            Token::Word(operator) if !expect_id && (operator == "AND" || operator == "OR") => {
                expect_id = true;
                operator
            }
            Token::Word(id) if expect_id => match known(id) {
                Some(id) => {
                    expect_id = false;
                    id
                }
                None => return License::Name(text.to_string()),
            },
            _ => return License::Name(text.to_string()),
        };
        canonical.push(written);
    }
    if canonical.len() < 2 || depth != 0 || expect_id {
        return License::Name(text.to_string());
    }
    License::Expression(canonical.join(" ").replace("( ", "(").replace(" )", ")"))
}

/// The list's spelling of a known id, matched case-insensitively as SPDX ids are.
fn known(id: &str) -> Option<&'static str> {
    KNOWN_IDS
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_and_expressions_are_spdx_and_the_rest_is_free_text() {
        assert_eq!(classify("mit"), License::Id("MIT".into()));
        assert_eq!(
            classify("(MIT OR Apache-2.0)"),
            License::Expression("(MIT OR Apache-2.0)".into())
        );
        assert_eq!(
            classify("MIT AND bsd-3-clause"),
            License::Expression("MIT AND BSD-3-Clause".into())
        );
        for text in [
            "proprietary",
            "SEE LICENSE IN LICENSE.md",
            "MIT OR",
            "(MIT",
            "GPL-2.0+",
        ] {
            assert_eq!(classify(text), License::Name(text.into()), "{text}");
        }
    }
}
