//! Findings for one package's license verdict, in the original's wording and rule ids.

use securescan_adapter_sdk::{Finding, Severity};

use crate::classify::{Copyleft, Verdict};
use crate::truncate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Pypi,
    Npm,
}

/// A package whose license was assessed, and where that came from.
#[derive(Debug)]
pub struct Subject<'a> {
    pub ecosystem: Ecosystem,
    pub name: &'a str,
    pub version: Option<&'a str>,
    /// The license as declared; empty when nothing was declared.
    pub license: &'a str,
    /// `pip-licenses`, `METADATA`, `PKG-INFO`, `license-checker`, `package.json` or `lockfile`.
    pub source: &'a str,
    /// npm only: the package.json or lockfile it was read from. Python findings have none, as
    /// pip-licenses' had, so their fingerprints do not depend on which way they were read.
    pub file: Option<&'a str>,
    /// license-checker marks a license it guessed from a LICENSE or README file with `*`.
    pub guessed: bool,
}

/// Strong and network copyleft stay medium, as before: distributing (or, for AGPL and SSPL,
/// serving) the project can oblige you to publish its source. SSPL counts as network copyleft:
/// its service clause reaches further than the AGPL's. Weak copyleft is low: only changes to
/// the dependency itself must be shared (the original rated LGPL medium and ignored MPL). A
/// copyleft license in an ambiguous classifier list is info: it may well be an unused option.
fn severity(verdict: Verdict) -> Option<Severity> {
    match verdict {
        Verdict::NoConcern => None,
        Verdict::Copyleft(Copyleft::Strong | Copyleft::Network) => Some(Severity::Medium),
        Verdict::Copyleft(Copyleft::Weak) | Verdict::Unknown => Some(Severity::Low),
        Verdict::CopyleftAmongSeveral(_) => Some(Severity::Info),
    }
}

pub fn finding(subject: &Subject, verdict: Verdict) -> Option<Finding> {
    let severity = severity(verdict)?;
    let (who, label, copyleft_rule, copyleft_fix) = match subject.ecosystem {
        Ecosystem::Pypi => (
            "Package",
            subject.name.to_string(),
            "licenses/copyleft",
            format!(
                "Review the license terms for '{}'. Consider using an alternative package with a \
                 permissive license (MIT, Apache-2.0, BSD).",
                subject.name
            ),
        ),
        Ecosystem::Npm => (
            "npm package",
            match subject.version {
                Some(version) => format!("{}@{version}", subject.name),
                None => subject.name.to_string(),
            },
            "licenses/copyleft-npm",
            "Review license terms or find an alternative with a permissive license.".to_string(),
        ),
    };
    let license = subject.license.trim();
    let shown = truncate(license.lines().next().unwrap_or(""), 100);
    let mut finding = match verdict {
        Verdict::NoConcern => return None,
        Verdict::Unknown => {
            let why = if license.is_empty() {
                "declares no license".to_string()
            } else if license.eq_ignore_ascii_case("UNLICENSED") {
                "is marked UNLICENSED: its authors grant no rights to use it".to_string()
            } else {
                "has no recognized license".to_string()
            };
            Finding::new(
                &format!("Unknown license: {label}"),
                &format!("{who} '{label}' {why}. This may pose legal risks."),
                severity,
            )
            .rule("licenses/unknown")
            .remediation(&format!(
                "Check the source repository for '{}' to determine its license.",
                subject.name
            ))
        }
        Verdict::Copyleft(kind) => Finding::new(
            &format!("Copyleft license: {label} ({shown})"),
            &format!("{who} '{label}' uses {shown}, {}", what_it_asks(kind)),
            severity,
        )
        .rule(copyleft_rule)
        .remediation(&copyleft_fix)
        .meta("copyleft", kind.as_str()),
        Verdict::CopyleftAmongSeveral(kind) => Finding::new(
            &format!("Copyleft license: {label} ({shown})"),
            &format!(
                "{who} '{label}' lists several licenses ({shown}), including a {} copyleft one; \
                 the list does not say whether they are alternatives or each cover part of the \
                 package. If you may choose, a non-copyleft option avoids the copyleft terms.",
                kind.as_str()
            ),
            severity,
        )
        .rule(copyleft_rule)
        .remediation(&copyleft_fix)
        .meta("copyleft", kind.as_str()),
    };
    if let Some(file) = subject.file {
        finding = finding.file(file);
    }
    if subject.guessed {
        finding = finding.meta("license_guessed", true);
    }
    Some(
        finding
            .meta("package", subject.name)
            .meta("version", subject.version.unwrap_or(""))
            .meta("license", truncate(license, 500))
            .meta(
                "ecosystem",
                match subject.ecosystem {
                    Ecosystem::Pypi => "pypi",
                    Ecosystem::Npm => "npm",
                },
            )
            .meta("source", subject.source),
    )
}

fn what_it_asks(kind: Copyleft) -> &'static str {
    match kind {
        Copyleft::Strong => {
            "a copyleft license that may require you to open-source your code if distributed."
        }
        Copyleft::Network => {
            "a network copyleft license that may require you to open-source your code if \
             distributed or offered to users over a network."
        }
        Copyleft::Weak => {
            "a weak copyleft license: changes to the package itself must be shared under the same \
             license if distributed; code that only uses it keeps its own license."
        }
    }
}
