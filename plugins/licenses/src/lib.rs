//! License risks in the scanned project's dependencies: copyleft licenses and packages with no
//! usable license. Two kinds of call:
//!
//! * files calls: the metadata files of the Python distributions installed in the project's
//!   virtualenvs (`*.dist-info/METADATA`, `*.egg-info`), the `package.json` files of installed
//!   packages under `node_modules` and the v2/v3 npm lockfiles. Nothing is run or downloaded.
//! * a report call: `pip-licenses --python <project venv python> --format=json`, only when the
//!   user allowed running the project's interpreter (`--run-project-python`), or, under
//!   `securescan ingest`, a `license-checker --json` report.
//!
//! The original ran pip-licenses in SecureScan's own environment, so it audited SecureScan's
//! dependencies instead of the project's.

mod classify;
mod findings;
mod npm_files;
mod python_files;
mod report;

use securescan_adapter_sdk::npm::Declared;
use securescan_adapter_sdk::prelude::*;

use classify::Verdict;
use findings::{Ecosystem, Subject};
use report::{CheckerEntry, CheckerLicenses, Report};

pub struct Licenses;

impl Adapter for Licenses {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        if input.report.is_some() {
            output.findings = match report::read(input)? {
                Report::PipLicenses(packages) => packages
                    .iter()
                    .filter_map(|package| {
                        // pip-licenses prints UNKNOWN itself; a missing field means the same.
                        let license = package.license.as_deref().unwrap_or("UNKNOWN");
                        let subject = Subject {
                            ecosystem: Ecosystem::Pypi,
                            name: &package.name,
                            version: package.version.as_deref(),
                            license,
                            source: "pip-licenses",
                            file: None,
                            guessed: false,
                        };
                        findings::finding(&subject, classify::assess(license))
                    })
                    .collect(),
                Report::LicenseChecker(entries) => entries
                    .iter()
                    .filter_map(|(key, entry)| license_checker_finding(&input.target, key, entry))
                    .collect(),
            };
        }
        for dist in python_files::distributions(&input.files, &mut output.warnings) {
            let subject = Subject {
                ecosystem: Ecosystem::Pypi,
                name: &dist.name,
                version: dist.version.as_deref(),
                license: &dist.license,
                source: dist.source,
                file: None,
                guessed: false,
            };
            output
                .findings
                .extend(findings::finding(&subject, classify::assess(&dist.license)));
        }
        for package in npm_files::packages(&input.files, &mut output.warnings) {
            let (license, verdict) = match &package.declared {
                Declared::Text(text) => (text.clone(), classify::assess(text)),
                Declared::Alternatives(names) => {
                    (names.join(" OR "), classify::assess_alternatives(names))
                }
                Declared::Missing => (String::new(), Verdict::Unknown),
            };
            let subject = Subject {
                ecosystem: Ecosystem::Npm,
                name: &package.name,
                version: package.version.as_deref(),
                license: &license,
                source: package.source.as_str(),
                file: Some(&package.file),
                guessed: false,
            };
            output.findings.extend(findings::finding(&subject, verdict));
        }
        Ok(output)
    }
}

fn license_checker_finding(target: &str, key: &str, entry: &CheckerEntry) -> Option<Finding> {
    let path = entry.path.as_deref().map(|p| p.replace('\\', "/"));
    // license-checker lists the project it started in too; its license is the user's business.
    let relative = match &path {
        Some(path) => Some(from_node_modules(path)?),
        None => None,
    };
    let (name, version) = match key.rfind('@').filter(|at| *at > 0) {
        Some(at) => (key.get(..at)?, key.get(at + 1..)),
        None => (key, None),
    };
    let unmark = |license: &str| license.trim().trim_end_matches('*').to_string();
    let guessed = |license: &str| license.trim().ends_with('*');
    let (license, verdict, was_guessed) = match &entry.licenses {
        Some(CheckerLicenses::One(license)) => {
            let plain = unmark(license);
            let verdict = classify::assess(&plain);
            (plain, verdict, guessed(license))
        }
        Some(CheckerLicenses::Several(licenses)) => {
            let plain: Vec<String> = licenses.iter().map(|l| unmark(l)).collect();
            let verdict = classify::assess_alternatives(&plain);
            (
                plain.join(" OR "),
                verdict,
                licenses.iter().any(|l| guessed(l)),
            )
        }
        None => (String::new(), Verdict::Unknown, false),
    };
    let file = relative.map(|relative| under_target(target, &format!("{relative}/package.json")));
    let subject = Subject {
        ecosystem: Ecosystem::Npm,
        name,
        version: version.filter(|v| !v.is_empty()),
        license: &license,
        source: "license-checker",
        file: file.as_deref(),
        guessed: was_guessed,
    };
    findings::finding(&subject, verdict)
}

/// `/tmp/app/node_modules/a/node_modules/b` → `node_modules/a/node_modules/b`: the package's
/// place in the project, since license-checker prints paths of the machine it ran on. `None`
/// for a path outside `node_modules`, which is the project itself.
fn from_node_modules(path: &str) -> Option<&str> {
    let at = path
        .match_indices("node_modules")
        .map(|(at, _)| at)
        .find(|at| {
            let before = path.get(..*at).unwrap_or("");
            let after = path.get(at + "node_modules".len()..).unwrap_or("");
            (before.is_empty() || before.ends_with('/')) && after.starts_with('/')
        })?;
    path.get(at..)
}

/// At most `max_chars` characters of `text`, with `…` when cut: license fields can hold a whole
/// license text, and keys and error values are echoed into messages.
fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_string(),
    }
}

securescan_adapter_sdk::export_adapter!(Licenses);

#[cfg(test)]
mod tests;
