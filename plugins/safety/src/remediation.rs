//! What to upgrade to. The original told users to update "to version <analyzed_version>", the
//! version they already had; this names a version the report says is fixed or safe.

use crate::report::{CurrentReport, Vulnerability};

/// A version to upgrade to and why the report suggests it.
pub struct Target {
    pub version: String,
    pub reason: Reason,
}

pub enum Reason {
    /// safety's own remediation for the package (fixes every vulnerability it found in it).
    Recommended,
    Closest,
    Latest,
}

/// The best upgrade target the report offers for this vulnerability's package.
pub fn target(report: &CurrentReport, vulnerability: &Vulnerability) -> Option<Target> {
    let package = vulnerability.package_name.as_deref().unwrap_or("");
    let installed = vulnerability.analyzed_version.as_deref();
    let recommended = report.remediations.get(package).and_then(|remediation| {
        let per_requirement = || {
            let specs = || remediation.requirements.values();
            specs()
                .find(|r| r.version.as_deref() == installed && r.recommended_version.is_some())
                .or_else(|| specs().find(|r| r.recommended_version.is_some()))
                .and_then(|r| r.recommended_version.clone())
        };
        remediation
            .recommended_version
            .clone()
            .or_else(per_requirement)
    });
    let closest = || {
        vulnerability
            .closest_versions_without_known_vulnerabilities
            .first()
            .cloned()
    };
    let latest = || {
        report
            .affected_packages
            .get(package)
            .and_then(|p| p.latest_version_without_known_vulnerabilities.clone())
    };
    let found = |version: Option<String>, reason: Reason| {
        version
            .filter(|v| !v.trim().is_empty())
            .map(|version| Target { version, reason })
    };
    found(recommended, Reason::Recommended)
        .or_else(|| found(closest(), Reason::Closest))
        .or_else(|| found(latest(), Reason::Latest))
}

/// Everything the remediation sentence is built from.
pub struct Fix<'a> {
    pub package: &'a str,
    pub installed: &'a str,
    pub affected: &'a str,
    pub fixed_versions: &'a [String],
    pub target: Option<&'a Target>,
}

impl Fix<'_> {
    pub fn text(&self) -> String {
        let package = self.package;
        let from = if self.installed.is_empty() {
            String::new()
        } else {
            format!(" from {}", self.installed)
        };
        let fixed = self.fixed_versions.join(", ");
        match self.target {
            Some(target) => {
                let why = match target.reason {
                    Reason::Recommended => "the version safety recommends",
                    Reason::Closest => "the closest version without known vulnerabilities",
                    Reason::Latest => "the latest version without known vulnerabilities",
                };
                let also = if fixed.is_empty() {
                    String::new()
                } else {
                    format!(" This vulnerability is fixed in {fixed}.")
                };
                format!(
                    "Update {package}{from} to {} ({why}).{also}",
                    target.version
                )
            }
            None if !fixed.is_empty() => {
                format!("Update {package}{from} to a fixed version: {fixed}.")
            }
            None if !self.affected.is_empty() => format!(
                "Update {package}{from} to a version outside the affected range {}.",
                self.affected
            ),
            None => format!("Update {package} to a patched version."),
        }
    }
}
