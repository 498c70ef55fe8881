//! npm 6: one finding per advisory. Several advisories often hit one package (lodash, handlebars),
//! so the rule is `npm-audit/<package>/<advisory id>`: npm's advisory ids are stable, and the
//! `npm-audit/<package>` prefix is the npm 7 rule for the same package.

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use crate::report::{Action, Advisory6, Npm6Report};

pub fn findings(report: Npm6Report, manifest: Option<&str>) -> Output {
    let mut output = Output::default();
    let mut advisories: Vec<(String, Advisory6)> = report.advisories.into_iter().collect();
    // The report keys advisories by id as text; numeric order reads better than "1065" < "118".
    advisories.sort_by_cached_key(|(key, advisory)| {
        let id = advisory_id(key, advisory);
        (id.parse::<u64>().unwrap_or(u64::MAX), id)
    });
    for (key, advisory) in &advisories {
        let finding = finding(
            key,
            advisory,
            &report.actions,
            manifest,
            &mut output.warnings,
        );
        output.findings.push(finding);
    }
    output
}

fn advisory_id(key: &str, advisory: &Advisory6) -> String {
    match &advisory.id {
        Some(Value::Number(id)) => id.to_string(),
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => key.to_string(),
    }
}

fn finding(
    key: &str,
    advisory: &Advisory6,
    actions: &[Action],
    manifest: Option<&str>,
    warnings: &mut Vec<String>,
) -> Finding {
    let id = advisory_id(key, advisory);
    let package = advisory.module_name.as_deref().unwrap_or("unknown");
    let title = advisory
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Vulnerability");
    let description = advisory
        .overview
        .as_deref()
        .map(crate::clean)
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| title.to_string());
    let severity = crate::severity(
        advisory.severity.as_deref(),
        &format!("advisory {id}"),
        warnings,
    );
    let raw_cwes: Vec<&str> = match &advisory.cwe {
        Some(Value::String(cwe)) => vec![cwe.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let (cwe, all_cwes) = crate::cwes(raw_cwes);
    let mut finding = Finding::new(
        &format!("Vulnerable npm package: {package} (advisory {id}: {title})"),
        &description,
        severity,
    )
    .rule(&format!("npm-audit/{package}/{id}"))
    .cwe(cwe)
    .remediation(&remediation(&id, package, advisory, actions))
    .meta("package", package)
    .meta("advisory_id", id.as_str())
    .meta(
        "vulnerable_versions",
        advisory.vulnerable_versions.as_deref().unwrap_or(""),
    )
    .meta(
        "patched_versions",
        advisory.patched_versions.as_deref().unwrap_or(""),
    )
    .meta("installed_versions", installed_versions(advisory))
    .meta("paths", paths(advisory));
    if let Some(file) = manifest {
        finding = finding.file(file);
    }
    if !advisory.cves.is_empty() {
        finding = finding.meta("cves", advisory.cves.clone());
    }
    if all_cwes.len() > 1 {
        finding = finding.meta("cwes", all_cwes);
    }
    if let Some(url) = advisory.url.as_deref().filter(|u| !u.is_empty()) {
        finding = finding.meta("url", url);
    }
    finding
}

fn remediation(id: &str, package: &str, advisory: &Advisory6, actions: &[Action]) -> String {
    let advice = advisory
        .recommendation
        .as_deref()
        .map(crate::clean)
        .filter(|r| !r.is_empty());
    let patched = advisory
        .patched_versions
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    let mut text = match (advice, patched) {
        (Some(advice), _) => advice,
        // npm's way of saying no version is patched.
        (None, "<0.0.0") => {
            format!("No patched version of {package} exists; remove or replace it.")
        }
        (None, "") => format!("Check for updates to {package} or find an alternative package."),
        (None, patched) => format!("Update {package} to a version matching {patched}."),
    };
    for action in actions.iter().filter(|a| resolves(a, id)) {
        if let (Some("install"), Some(module), Some(target)) = (
            action.action.as_deref(),
            action.module.as_deref(),
            action.target.as_deref(),
        ) {
            let major = if action.is_major {
                " (a semver-major change)"
            } else {
                ""
            };
            text.push_str(&format!(
                " npm audit suggests installing {module}@{target}{major}."
            ));
        }
    }
    text
}

fn resolves(action: &Action, id: &str) -> bool {
    action.resolves.iter().any(|r| match &r.id {
        Some(Value::Number(n)) => n.to_string() == id,
        Some(Value::String(s)) => s == id,
        _ => false,
    })
}

fn installed_versions(advisory: &Advisory6) -> Vec<String> {
    let mut versions: Vec<String> = advisory
        .findings
        .iter()
        .filter_map(|f| f.version.clone())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

/// Dependency paths (`a>b>vulnerable`) through which the package is installed.
fn paths(advisory: &Advisory6) -> Vec<String> {
    let mut paths: Vec<String> = advisory
        .findings
        .iter()
        .flat_map(|f| f.paths.iter().cloned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}
