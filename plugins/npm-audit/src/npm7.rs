//! npm 7 and later: one finding per vulnerable package, as the original reported them. A package's
//! `via` lists its own advisories (objects) and the vulnerable packages it depends on (names).

use securescan_adapter_sdk::prelude::*;
use serde_json::{Value, json};

use crate::report::{Advisory7, Npm7Report, Via, Vulnerability};

pub fn findings(report: Npm7Report, manifest: Option<&str>) -> Output {
    let mut output = Output::default();
    if let Some(version) = &report.audit_report_version
        && version.as_u64() != Some(2)
    {
        output.warnings.push(format!(
            "npm audit auditReportVersion {version} is not the 2 this adapter knows; read as version 2"
        ));
    }
    for (package, vulnerability) in &report.vulnerabilities {
        let finding = finding(package, vulnerability, manifest, &mut output.warnings);
        output.findings.push(finding);
    }
    output
}

fn finding(
    package: &str,
    vulnerability: &Vulnerability,
    manifest: Option<&str>,
    warnings: &mut Vec<String>,
) -> Finding {
    let advisories: Vec<&Advisory7> = vulnerability
        .via
        .iter()
        .filter_map(|via| match via {
            Via::Advisory(advisory) => Some(advisory),
            Via::Package(_) => None,
        })
        .collect();
    let through: Vec<&str> = vulnerability
        .via
        .iter()
        .filter_map(|via| match via {
            Via::Package(name) => Some(name.as_str()),
            Via::Advisory(_) => None,
        })
        .collect();
    let severity = crate::severity(vulnerability.severity.as_deref(), package, warnings);
    let (cwe, all_cwes) = crate::cwes(
        advisories
            .iter()
            .flat_map(|a| a.cwe.iter().map(String::as_str)),
    );
    let fix_available = vulnerability
        .fix_available
        .clone()
        .unwrap_or(Value::Bool(false));
    let mut finding = Finding::new(
        &format!("Vulnerable npm package: {package}"),
        &description(package, &advisories, &through),
        severity,
    )
    .rule(&format!("npm-audit/{package}"))
    .cwe(cwe)
    .remediation(&remediation(package, &fix_available))
    .meta("fix_available", fix_available)
    .meta("range", vulnerability.range.as_deref().unwrap_or(""))
    .meta("package", package);
    if let Some(file) = manifest {
        finding = finding.file(file);
    }
    if let Some(direct) = vulnerability.is_direct {
        finding = finding.meta("is_direct", direct);
    }
    if !through.is_empty() {
        finding = finding.meta("via", through.clone());
    }
    if !vulnerability.nodes.is_empty() {
        finding = finding.meta("nodes", vulnerability.nodes.clone());
    }
    if !all_cwes.is_empty() {
        finding = finding.meta("cwes", all_cwes);
    }
    if !advisories.is_empty() {
        let list: Vec<Value> = advisories.iter().map(|a| advisory_meta(a)).collect();
        finding = finding.meta("advisories", list);
    }
    finding
}

/// The advisories' titles, as the original joined them; a package vulnerable only through its
/// dependencies says which.
fn description(package: &str, advisories: &[&Advisory7], through: &[&str]) -> String {
    let titles: Vec<String> = advisories
        .iter()
        .filter_map(|a| a.title.as_deref().map(crate::clean))
        .filter(|t| !t.is_empty())
        .collect();
    match (titles.is_empty(), through.is_empty()) {
        (false, _) => titles.join("; "),
        (true, false) => format!(
            "{package} is vulnerable through its dependencies: {}.",
            through.join(", ")
        ),
        (true, true) => format!("Vulnerability in {package}"),
    }
}

fn remediation(package: &str, fix_available: &Value) -> String {
    let upgrade = fix_available
        .get("name")
        .and_then(Value::as_str)
        .zip(fix_available.get("version").and_then(Value::as_str));
    let major = fix_available
        .get("isSemVerMajor")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match (upgrade, major) {
        (Some((name, version)), true) => format!(
            "Run 'npm audit fix --force' to install {name}@{version} (a semver-major change), or manually update {package}."
        ),
        (Some((name, version)), false) => format!(
            "Run 'npm audit fix' to install {name}@{version}, or manually update {package}."
        ),
        (None, _) if truthy(fix_available) => {
            format!("Run 'npm audit fix' to auto-fix, or manually update {package}.")
        }
        (None, _) => format!("Check for updates to {package} or find an alternative package."),
    }
}

/// Python truthiness, which the original's remediation test used.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn advisory_meta(advisory: &Advisory7) -> Value {
    json!({
        "title": advisory.title,
        "url": advisory.url,
        "severity": advisory.severity,
        "range": advisory.range,
        "source": advisory.source,
        "cvss_score": advisory.cvss.as_ref().and_then(|c| c.score),
    })
}
