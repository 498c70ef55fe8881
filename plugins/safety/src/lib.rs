//! Normalizes `safety check --json` output: one finding per vulnerability, in every format safety
//! has printed (1.x lists, 2.x and 3.x objects, 3.x objects wrapped in deprecation banners).
//!
//! The host runs safety once per requirements file and names that file in `settings["file"]`;
//! findings point at it. Under `securescan ingest` there is no such setting, so the file the report
//! itself names is used.

mod remediation;
mod report;
mod severity;

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use report::{CurrentReport, LegacyVulnerability, Report, Vulnerability};

pub struct Safety;

impl Adapter for Safety {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let text = input.report_text()?;
        let file = input.setting("file").filter(|f| !f.is_empty());
        Ok(match report::parse(&text)? {
            Report::Legacy(entries) => entries
                .into_iter()
                .map(|entry| legacy_finding(entry, file))
                .collect(),
            Report::Current(report) => current_findings(&report, file),
        })
    }
}

fn legacy_finding(entry: LegacyVulnerability, file: Option<&str>) -> Finding {
    let severity = severity::from_scores(entry.cvssv3.as_ref(), entry.cvssv2.as_ref());
    let fix = remediation::Fix {
        package: &entry.package,
        installed: &entry.installed,
        affected: &entry.affected,
        fixed_versions: &[],
        target: None,
    };
    let description = description(&entry.advisory, &entry.package, &entry.installed);
    let mut finding = Finding::new(
        &format!("Vulnerable package: {}", entry.package),
        &description,
        severity.unwrap_or(Severity::High),
    )
    .remediation(&fix.text())
    .meta("package", entry.package.as_str())
    .meta("installed_version", entry.installed.as_str())
    .meta("affected", entry.affected.as_str());
    if !entry.id.is_empty() {
        finding = finding.rule(&format!("safety/{}", entry.id));
    }
    if let Some(file) = file {
        finding = finding.file(file);
    }
    finding
}

fn current_findings(report: &CurrentReport, file: Option<&str>) -> Output {
    let mut output = Output::default();
    // The report's single scanned file, for vulnerabilities that do not name their own.
    let scanned = report.report_meta.as_ref().and_then(|meta| {
        let paths = if meta.scanned_full_path.is_empty() {
            &meta.scanned
        } else {
            &meta.scanned_full_path
        };
        match paths.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        }
    });
    for vulnerability in &report.vulnerabilities {
        let file = file
            .map(str::to_string)
            .or_else(|| reported_file(report, vulnerability))
            .or_else(|| scanned.map(str::to_string));
        output
            .findings
            .push(current_finding(report, vulnerability, file.as_deref()));
    }
    output
}

/// Where the report says the vulnerable requirement was found: its requirement (3.x) or its package (2.x).
fn reported_file(report: &CurrentReport, vulnerability: &Vulnerability) -> Option<String> {
    let from_requirement = vulnerability
        .analyzed_requirement
        .as_ref()
        .and_then(|r| r.found.clone());
    let from_package = || {
        let name = vulnerability.package_name.as_deref()?;
        report.affected_packages.get(name)?.found.clone()
    };
    from_requirement
        .or_else(from_package)
        .filter(|f| !f.is_empty())
}

fn current_finding(
    report: &CurrentReport,
    vulnerability: &Vulnerability,
    file: Option<&str>,
) -> Finding {
    let package = vulnerability.package_name.as_deref().unwrap_or("unknown");
    let installed = vulnerability.analyzed_version.as_deref().unwrap_or("");
    let affected = vulnerability
        .vulnerable_spec
        .as_ref()
        .map(report::Specs::text)
        .unwrap_or_default();
    let severity = severity::of_vulnerability(vulnerability);
    let target = remediation::target(report, vulnerability);
    let fix = remediation::Fix {
        package,
        installed,
        affected: &affected,
        fixed_versions: &vulnerability.fixed_versions,
        target: target.as_ref(),
    };
    let advisory = vulnerability.advisory.as_deref().unwrap_or("");
    let mut finding = Finding::new(
        &format!("Vulnerable package: {package}"),
        &description(advisory, package, installed),
        severity.unwrap_or(Severity::High),
    )
    .remediation(&fix.text())
    .meta("package", package)
    .meta("installed_version", installed)
    .meta("affected", affected.as_str());
    if let Some(id) = &vulnerability.vulnerability_id {
        finding = finding.rule(&format!("safety/{}", id.text()));
    }
    if let Some(file) = file {
        finding = finding.file(file);
    }
    if let Some(cve) = vulnerability
        .cve
        .as_ref()
        .and_then(report::Cve::id)
        .filter(|id| !id.is_empty())
    {
        finding = finding.meta("cves", vec![cve.to_string()]);
    }
    if !vulnerability.fixed_versions.is_empty() {
        finding = finding.meta("fixed_versions", vulnerability.fixed_versions.clone());
    }
    if let Some(target) = &target {
        finding = finding.meta("upgrade_to", target.version.as_str());
    }
    let secure = secure_versions(report, vulnerability);
    if !secure.is_empty() {
        finding = finding.meta("secure_versions", secure);
    }
    if let Some(url) = vulnerability
        .more_info_url
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        finding = finding.meta("more_info_url", url);
    }
    if let Some(score) = severity::cvss_score(vulnerability) {
        finding = finding.meta("cvss_score", Value::from(score));
    }
    finding
}

/// Versions without known vulnerabilities, as the report lists them.
fn secure_versions(report: &CurrentReport, vulnerability: &Vulnerability) -> Vec<String> {
    if !vulnerability
        .closest_versions_without_known_vulnerabilities
        .is_empty()
    {
        return vulnerability
            .closest_versions_without_known_vulnerabilities
            .clone();
    }
    vulnerability
        .package_name
        .as_deref()
        .and_then(|name| report.affected_packages.get(name))
        .map(|package| package.secure_versions.clone())
        .unwrap_or_default()
}

/// The advisory without the `\r` safety's database leaves in it, or a sentence when it has none.
fn description(advisory: &str, package: &str, installed: &str) -> String {
    let advisory = advisory.replace("\r\n", "\n").replace('\r', "\n");
    let advisory = advisory.trim();
    match (advisory.is_empty(), installed.is_empty()) {
        (false, _) => advisory.to_string(),
        (true, true) => format!("Known vulnerability in {package}."),
        (true, false) => format!("Known vulnerability in {package} {installed}."),
    }
}

securescan_adapter_sdk::export_adapter!(Safety);

#[cfg(test)]
mod tests;
