//! What a declared license means for the project that depends on it. A declaration is read, in
//! order, as: an `UNKNOWN`-style placeholder, a Trove classifier name as pip-licenses prints it
//! (`GNU Lesser General Public License v2 or later (LGPLv2+)`), an SPDX expression
//! (`MPL-2.0 AND (Apache-2.0 OR MIT)`), and last as free text (`Apache License, Version 2.0`),
//! classified by the license family it names.
//!
//! The original matched copyleft ids as substrings, so `LGPL-2.0` counted as `GPL-2.0`,
//! `MIT OR GPL-3.0` was copyleft, and pip-licenses' long names never matched at all.

use securescan_adapter_sdk::spdx::{self, Expression};

/// How far a copyleft license reaches into the code that uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copyleft {
    /// Changes to the dependency itself must be shared (LGPL, MPL, EPL, CDDL, …); code that only
    /// uses it keeps its own license.
    Weak,
    /// A distributed work that includes it must be released under the same terms (GPL, EUPL, …).
    Strong,
    /// Strong, and offering the software over a network counts as distributing it (AGPL, SSPL).
    Network,
}

impl Copyleft {
    pub fn as_str(self) -> &'static str {
        match self {
            Copyleft::Weak => "weak",
            Copyleft::Strong => "strong",
            Copyleft::Network => "network",
        }
    }
}

/// The kind of one license, or of an expression reduced to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Permissive,
    /// Named, but neither recognized as permissive nor as copyleft (proprietary, custom, rare).
    Other,
    /// No license information at all: `UNKNOWN`, `UNLICENSED`, empty.
    Unknown,
    Copyleft(Copyleft),
}

impl Class {
    /// `A AND B` carries the obligations of both, so the more demanding one decides.
    fn and_rank(self) -> u8 {
        match self {
            Class::Permissive => 0,
            Class::Other => 1,
            Class::Unknown => 2,
            Class::Copyleft(Copyleft::Weak) => 3,
            Class::Copyleft(Copyleft::Strong) => 4,
            Class::Copyleft(Copyleft::Network) => 5,
        }
    }

    /// `A OR B` lets the user pick the easier one. An unrecognized option ranks above copyleft:
    /// in `GPL-3.0 OR LicenseRef-Commercial` the free choice is the GPL.
    fn or_rank(self) -> u8 {
        match self {
            Class::Permissive => 0,
            Class::Copyleft(Copyleft::Weak) => 1,
            Class::Copyleft(Copyleft::Strong) => 2,
            Class::Copyleft(Copyleft::Network) => 3,
            Class::Other => 4,
            Class::Unknown => 5,
        }
    }

    fn all_of(self, other: Class) -> Class {
        if other.and_rank() > self.and_rank() {
            other
        } else {
            self
        }
    }

    fn any_of(self, other: Class) -> Class {
        if other.or_rank() < self.or_rank() {
            other
        } else {
            self
        }
    }
}

/// What a declaration amounts to, which is what a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Permissive, or a named license with no copyleft terms recognized.
    NoConcern,
    Unknown,
    Copyleft(Copyleft),
    /// A `; `-joined classifier list that mixes copyleft with other licenses. Classifiers cannot
    /// say whether the licenses are alternatives (text-unidecode: Artistic or GPL) or each cover
    /// a part (docutils: BSD, GPL and public-domain files), so this is worth a look, not an alarm.
    CopyleftAmongSeveral(Copyleft),
}

impl From<Class> for Verdict {
    fn from(class: Class) -> Self {
        match class {
            Class::Permissive | Class::Other => Verdict::NoConcern,
            Class::Unknown => Verdict::Unknown,
            Class::Copyleft(kind) => Verdict::Copyleft(kind),
        }
    }
}

/// One license string as a tool or manifest printed it. pip-licenses joins a package's
/// classifiers with `; `.
pub fn assess(text: &str) -> Verdict {
    let parts: Vec<&str> = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut classes = parts.iter().map(|part| class_of(part));
    let Some(first) = classes.next() else {
        return Verdict::Unknown;
    };
    let (alternatives, together) = classes.fold((first, first), |(any, all), class| {
        (any.any_of(class), all.all_of(class))
    });
    match (alternatives, together) {
        (Class::Copyleft(kind), _) => Verdict::Copyleft(kind),
        (_, Class::Copyleft(kind)) => Verdict::CopyleftAmongSeveral(kind),
        (alternatives, _) => alternatives.into(),
    }
}

/// Licenses a package offers as a choice: npm's legacy `licenses` array, which npm's own docs
/// replace with an `OR` expression, and license-checker's list form of it.
pub fn assess_alternatives<S: AsRef<str>>(licenses: &[S]) -> Verdict {
    licenses
        .iter()
        .map(|license| class_of(license.as_ref()))
        .reduce(Class::any_of)
        .unwrap_or(Class::Unknown)
        .into()
}

/// The class of one license string (no `; ` lists).
pub fn class_of(text: &str) -> Class {
    let text = text.trim();
    if is_placeholder(text) {
        return Class::Unknown;
    }
    if let Some(class) = classifier(text) {
        return class;
    }
    if let Some(expression) = spdx::parse(text) {
        return class_of_expression(&expression);
    }
    class_of_free_text(text)
}

/// Strings that say there is no license information (npm's `UNLICENSED` means "no rights
/// granted", which for a dependency is no better). `SEE LICENSE IN <file>` and license-checker's
/// `Custom: <file>` point at a license text nobody classified.
fn is_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "" | "unknown"
            | "unlicensed"
            | "none"
            | "n/a"
            | "na"
            | "noassertion"
            | "undefined"
            | "null"
    ) || lower.starts_with("see license in")
        || lower.starts_with("custom:")
}

fn class_of_expression(expression: &Expression) -> Class {
    match expression {
        Expression::License(id) if is_placeholder(id) => Class::Unknown,
        Expression::License(id) => class_of_words(id).unwrap_or(Class::Other),
        Expression::With { license, exception } => {
            let class = class_of_expression(license);
            match class {
                Class::Copyleft(Copyleft::Strong | Copyleft::Network)
                    if is_linking_exception(exception) =>
                {
                    Class::Copyleft(Copyleft::Weak)
                }
                _ => class,
            }
        }
        Expression::And(left, right) => {
            class_of_expression(left).all_of(class_of_expression(right))
        }
        Expression::Or(left, right) => class_of_expression(left).any_of(class_of_expression(right)),
    }
}

/// Exceptions that let other code link with or be compiled by the licensed code without taking
/// on its license (`GPL-2.0 WITH Classpath-exception-2.0`, GCC's runtime library exception):
/// what is left is a weak copyleft.
fn is_linking_exception(exception: &str) -> bool {
    let lower = exception.to_ascii_lowercase();
    [
        "classpath",
        "gcc-exception",
        "linking-exception",
        "llvm-exception",
        "font-exception",
        "bison-exception",
        "autoconf-exception",
        "libtool-exception",
        "universal-foss-exception",
    ]
    .iter()
    .any(|name| lower.contains(name))
}

/// Free text: a license's full text is read by its first line (its title) first. Short text is
/// split at ` or ` the way the words read (`MIT or GPL-2.0`), except in `v2 or later`.
fn class_of_free_text(text: &str) -> Class {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    if lines.next().is_some() {
        return match class_of_words(first) {
            Some(class) => class,
            None => class_of_words(text).unwrap_or(Class::Other),
        };
    }
    alternatives_in_words(first)
        .into_iter()
        .map(|part| class_of_words(part).unwrap_or(Class::Other))
        .reduce(Class::any_of)
        .unwrap_or(Class::Unknown)
}

fn alternatives_in_words(text: &str) -> Vec<&str> {
    let lower = text.to_ascii_lowercase();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find(" or ")) {
        let at = from + found;
        let after = lower
            .get(at + 4..)
            .unwrap_or("")
            .trim_start_matches(['(', ' ']);
        let is_version_range = ["later", "any later", "newer", "at your option"]
            .iter()
            .any(|w| after.starts_with(w));
        if !is_version_range {
            parts.push(text.get(start..at).unwrap_or(""));
            start = at + 4;
        }
        from = at + 4;
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts.retain(|p| !p.trim().is_empty());
    parts
}

/// The license family named in an id or phrase, from its words; `None` when nothing is known.
/// Copyleft families are tested first, and the narrower before the wider (`LGPL` before `GPL`,
/// `Affero` before `General Public`).
fn class_of_words(text: &str) -> Option<Class> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let word = |w: &str| words.contains(&w);
    let word_starting = |prefix: &str| words.iter().any(|w| w.starts_with(prefix));
    let phrase = |p: &str| lower.contains(p);

    let network = phrase("affero")
        || word_starting("agpl")
        || phrase("server side public")
        || word_starting("sspl");
    let weak = phrase("lesser general public")
        || phrase("library general public")
        || phrase("library or lesser")
        || word_starting("lgpl")
        || phrase("mozilla public")
        || word_starting("mpl")
        || phrase("eclipse public")
        || word_starting("epl")
        || phrase("common development and distribution")
        || word_starting("cddl")
        || phrase("free documentation license")
        || word_starting("gfdl")
        || phrase("common public license")
        || word("cpl")
        || word("ipl")
        || word("apsl")
        || phrase("apple public source")
        || (word("ms") && word("rl"))
        || (word("cecill") && word("c"))
        || (word("cc") && word("by") && word("sa"))
        || phrase("share alike")
        || phrase("sharealike");
    let linking_exception = phrase("classpath") || (word("gcc") && word("exception"));
    let strong = phrase("general public license")
        || word_starting("gpl")
        || phrase("gnu gpl")
        || phrase("european union public")
        || word_starting("eupl")
        || phrase("open software license")
        || word("osl")
        || word("rpl")
        || word("sleepycat")
        || (word("cecill") && !word("b") && !word("c"));
    if network {
        return Some(Class::Copyleft(Copyleft::Network));
    }
    if weak || (strong && linking_exception) {
        return Some(Class::Copyleft(Copyleft::Weak));
    }
    if strong {
        return Some(Class::Copyleft(Copyleft::Strong));
    }
    let permissive = word_starting("mit")
        || word_starting("bsd")
        || word("0bsd")
        || word_starting("apache")
        || word("isc")
        || word("iscl")
        || word("zlib")
        || word_starting("psf")
        || word("python")
        || word("cnri")
        || word("unlicense")
        || word("cc0")
        || word("wtfpl")
        || word("x11")
        || word("boost")
        || word("bsl")
        || word("artistic")
        || word("hpnd")
        || word("ncsa")
        || word("postgresql")
        || word("zpl")
        || word("zope")
        || word("afl")
        || word("upl")
        || word("blueoak")
        || word_starting("mulanpsl")
        || (word("cc") && word("by"))
        || phrase("public domain")
        || phrase("permission is hereby granted")
        || phrase("redistribution and use in source and binary forms");
    permissive.then_some(Class::Permissive)
}

/// Trove license classifiers by the name pip-licenses prints (the part after the last ` :: `),
/// where the words alone would mislead (`Nethack General Public License` is no GPL) or say
/// nothing (`Netscape Public License` is MPL's ancestor). The rest read right by their words,
/// which the table tests check.
const CLASSIFIERS: &[(&str, Class)] = &[
    ("Aladdin Free Public License (AFPL)", Class::Other),
    ("Nethack General Public License", Class::Other),
    ("Qt Public License (QPL)", Class::Other),
    ("Other/Proprietary License", Class::Other),
    ("Freely Distributable", Class::Other),
    ("Freeware", Class::Other),
    ("DFSG approved", Class::Other),
    ("OSI Approved", Class::Other),
    (
        "Netscape Public License (NPL)",
        Class::Copyleft(Copyleft::Weak),
    ),
    (
        "Nokia Open Source License (NOKOS)",
        Class::Copyleft(Copyleft::Weak),
    ),
    ("Sun Public License", Class::Copyleft(Copyleft::Weak)),
    (
        "Sun Industry Standards Source License (SISSL)",
        Class::Copyleft(Copyleft::Weak),
    ),
    ("IBM Public License", Class::Copyleft(Copyleft::Weak)),
    (
        "Jabber Open Source License",
        Class::Copyleft(Copyleft::Weak),
    ),
    ("Motosoto License", Class::Copyleft(Copyleft::Weak)),
    (
        "Ricoh Source Code Public License",
        Class::Copyleft(Copyleft::Weak),
    ),
    (
        "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)",
        Class::Copyleft(Copyleft::Strong),
    ),
    (
        "Historical Permission Notice and Disclaimer (HPND)",
        Class::Permissive,
    ),
    ("Eiffel Forum License", Class::Permissive),
    ("Eiffel Forum License (EFL)", Class::Permissive),
    ("Intel Open Source License", Class::Permissive),
    ("Attribution Assurance License", Class::Permissive),
    (
        "Educational Community License, Version 2.0 (ECL-2.0)",
        Class::Permissive,
    ),
    (
        "MITRE Collaborative Virtual Workspace License (CVW)",
        Class::Permissive,
    ),
    ("MirOS License (MirOS)", Class::Permissive),
    ("Universal Permissive License (UPL)", Class::Permissive),
    (
        "University of Illinois/NCSA Open Source License",
        Class::Permissive,
    ),
    ("Vovida Software License 1.0", Class::Permissive),
    ("W3C License", Class::Permissive),
    ("X.Net License", Class::Permissive),
    ("Repoze Public License", Class::Permissive),
    ("zlib/libpng License", Class::Permissive),
];

fn classifier(text: &str) -> Option<Class> {
    let name = text.rsplit(" :: ").next().unwrap_or(text).trim();
    CLASSIFIERS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, class)| *class)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEAK: Verdict = Verdict::Copyleft(Copyleft::Weak);
    const STRONG: Verdict = Verdict::Copyleft(Copyleft::Strong);
    const NETWORK: Verdict = Verdict::Copyleft(Copyleft::Network);

    fn check(cases: &[(&str, Verdict)]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(text, expected)| assess(text) != *expected)
            .map(|(text, expected)| format!("{text:?}: {:?}, expected {expected:?}", assess(text)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    // Every distinct `License` of the pip-licenses corpus and `licenses` of the license-checker
    // corpus (fixtures/), with what it must mean.
    #[test]
    fn every_license_string_of_the_corpus_is_classified_right() {
        use Verdict::{CopyleftAmongSeveral, NoConcern, Unknown};
        check(&[
            ("0BSD OR CC0-1.0", NoConcern),
            ("3-Clause BSD License", NoConcern),
            ("Apache 2.0", NoConcern),
            ("Apache License, Version 2.0", NoConcern),
            ("Apache Software License", NoConcern),
            ("Apache Software License; BSD License", NoConcern),
            (
                "Apache Software License; Python Software Foundation License",
                NoConcern,
            ),
            ("Apache-2.0", NoConcern),
            ("Apache-2.0 AND BSD-2-Clause", NoConcern),
            (
                "Apache-2.0 AND BSD-2-Clause AND BSD-3-Clause AND ISC AND MIT",
                NoConcern,
            ),
            ("Apache-2.0 AND CNRI-Python", NoConcern),
            ("Apache-2.0 AND MIT", NoConcern),
            ("Apache-2.0 OR BSD-2-Clause", NoConcern),
            ("Apache-2.0 OR BSD-3-Clause", NoConcern),
            (
                "Artistic License; GNU General Public License (GPL); GNU General Public License v2 or later (GPLv2+)",
                CopyleftAmongSeveral(Copyleft::Strong),
            ),
            ("BSD", NoConcern),
            ("BSD License", NoConcern),
            (
                "BSD License; GNU General Public License (GPL); Public Domain",
                CopyleftAmongSeveral(Copyleft::Strong),
            ),
            ("BSD-2-Clause", NoConcern),
            ("BSD-3-Clause", NoConcern),
            (
                "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0",
                NoConcern,
            ),
            ("Freely Distributable; MIT License", NoConcern),
            (
                "GNU Lesser General Public License v2 or later (LGPLv2+)",
                WEAK,
            ),
            ("GNU Library or Lesser General Public License (LGPL)", WEAK),
            ("ISC License (ISCL)", NoConcern),
            ("LGPL-2.1-or-later", WEAK),
            ("MIT", NoConcern),
            ("MIT License", NoConcern),
            ("MIT-0", NoConcern),
            ("MIT-CMU", NoConcern),
            ("MPL-2.0", WEAK),
            ("MPL-2.0 AND (Apache-2.0 OR MIT)", WEAK),
            ("MPL-2.0 AND MIT", WEAK),
            ("Mozilla Public License 2.0 (MPL 2.0)", WEAK),
            ("PSF-2.0", NoConcern),
            ("Python Software Foundation License", NoConcern),
            ("UNKNOWN", Unknown),
            // license-checker (its `*` guess marker is stripped before this)
            ("BSD-3-Clause OR MIT", NoConcern),
            ("ISC", NoConcern),
            ("UNLICENSED", Unknown),
        ]);
    }

    #[test]
    fn spdx_expressions_follow_and_or_with() {
        check(&[
            ("GPL-3.0", STRONG),
            ("GPL-2.0+", STRONG),
            ("gpl-3.0-or-later", STRONG),
            ("AGPL-3.0-only", NETWORK),
            ("SSPL-1.0", NETWORK),
            ("LGPL-2.0", WEAK),
            ("EPL-2.0", WEAK),
            ("CDDL-1.1", WEAK),
            ("EUPL-1.2", STRONG),
            ("MIT OR GPL-3.0", Verdict::NoConcern),
            ("mit or gpl-3.0", Verdict::NoConcern),
            ("MIT AND GPL-3.0", STRONG),
            ("(MIT OR GPL-2.0) AND AGPL-3.0", NETWORK),
            ("(LGPL-2.1 OR MPL-2.0) AND BSD-3-Clause", WEAK),
            ("GPL-2.0 OR AGPL-3.0", STRONG),
            ("GPL-2.0-only WITH Classpath-exception-2.0", WEAK),
            ("GPL-3.0-or-later WITH GCC-exception-3.1", WEAK),
            (
                "GPL-2.0 WITH Autoconf-exception-2.0 OR MIT",
                Verdict::NoConcern,
            ),
            ("GPL-2.0-with-classpath-exception", WEAK),
            ("GPL-3.0 OR LicenseRef-Commercial", STRONG),
            ("MIT AND UNKNOWN", Verdict::Unknown),
            ("CECILL-2.1", STRONG),
            ("CECILL-B", Verdict::NoConcern),
            ("CECILL-C", WEAK),
            ("CC-BY-SA-4.0", WEAK),
            ("CC-BY-4.0", Verdict::NoConcern),
            ("Unlicense", Verdict::NoConcern),
            ("LicenseRef-Proprietary", Verdict::NoConcern),
        ]);
    }

    #[test]
    fn pip_licenses_classifier_names_are_understood() {
        check(&[
            ("GNU General Public License v3 (GPLv3)", STRONG),
            ("GNU General Public License v2 or later (GPLv2+)", STRONG),
            ("GNU General Public License (GPL)", STRONG),
            ("GNU Affero General Public License v3", NETWORK),
            (
                "GNU Affero General Public License v3 or later (AGPLv3+)",
                NETWORK,
            ),
            (
                "GNU Lesser General Public License v3 or later (LGPLv3+)",
                WEAK,
            ),
            ("GNU Lesser General Public License v2 (LGPLv2)", WEAK),
            ("GNU Free Documentation License (FDL)", WEAK),
            ("Mozilla Public License 1.1 (MPL 1.1)", WEAK),
            ("Eclipse Public License 2.0 (EPL-2.0)", WEAK),
            (
                "Common Development and Distribution License 1.0 (CDDL-1.0)",
                WEAK,
            ),
            ("European Union Public Licence 1.2 (EUPL 1.2)", STRONG),
            ("Open Software License 3.0 (OSL-3.0)", STRONG),
            ("Netscape Public License (NPL)", WEAK),
            (
                "CeCILL-B Free Software License Agreement (CECILL-B)",
                Verdict::NoConcern,
            ),
            ("CeCILL-C Free Software License Agreement (CECILL-C)", WEAK),
            (
                "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)",
                STRONG,
            ),
            ("Nethack General Public License", Verdict::NoConcern),
            ("Other/Proprietary License", Verdict::NoConcern),
            ("The Unlicense (Unlicense)", Verdict::NoConcern),
            ("Zero-Clause BSD (0BSD)", Verdict::NoConcern),
            ("Boost Software License 1.0 (BSL-1.0)", Verdict::NoConcern),
            (
                "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
                STRONG,
            ),
            (
                "GNU Lesser General Public License v3 (LGPLv3); MIT License",
                Verdict::CopyleftAmongSeveral(Copyleft::Weak),
            ),
            (
                "GNU General Public License v3 (GPLv3); GNU Lesser General Public License v3 (LGPLv3)",
                WEAK,
            ),
            (
                "MIT License ;GNU General Public License (GPL)",
                Verdict::CopyleftAmongSeveral(Copyleft::Strong),
            ),
        ]);
    }

    #[test]
    fn free_text_and_placeholders() {
        check(&[
            ("", Verdict::Unknown),
            ("  ", Verdict::Unknown),
            ("SEE LICENSE IN LICENSE.md", Verdict::Unknown),
            ("Custom: https://example.com/LICENSE", Verdict::Unknown),
            ("GPLv2 or later", STRONG),
            ("GPL v3", STRONG),
            ("Dual licensed under MIT or GPL v2", Verdict::NoConcern),
            ("LGPL/MIT", WEAK),
            ("Apache License 2.0", Verdict::NoConcern),
            ("Free for non-commercial use", Verdict::NoConcern),
            (
                "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n... use the GNU Lesser General Public License instead",
                STRONG,
            ),
            (
                "Copyright (c) 2020 A\n\nPermission is hereby granted, free of charge",
                Verdict::NoConcern,
            ),
        ]);
    }

    #[test]
    fn alternatives_need_one_easy_option() {
        assert_eq!(assess_alternatives(&["MIT", "GPL-2.0"]), Verdict::NoConcern);
        assert_eq!(assess_alternatives(&["GPL-2.0", "LGPL-2.1"]), WEAK);
        assert_eq!(assess_alternatives::<&str>(&[]), Verdict::Unknown);
    }
}
