//! Normalizes `trivy fs --format json` output: vulnerabilities, misconfigurations (failed checks
//! only), secrets and licenses, from SchemaVersion 2 reports and the legacy top-level list. The
//! original implementation read only vulnerabilities, and failed on `"References": null`.
//!
//! Every finding says which of the four it is in `metadata.finding_class`.

mod report;

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use report::{License, Misconfiguration, Secret, TrivyResult, Vulnerability};

const SEVERITY: SeverityMap = SeverityMap::new(
    &[
        ("CRITICAL", Severity::Critical),
        ("HIGH", Severity::High),
        ("MEDIUM", Severity::Medium),
        ("LOW", Severity::Low),
        ("UNKNOWN", Severity::Info),
    ],
    Severity::Info,
);

/// References beyond this many add length, not information.
const MAX_REFERENCES: usize = 5;

pub struct Trivy;

impl Adapter for Trivy {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        for result in report::results(input)? {
            collect(result, &mut output);
        }
        Ok(output)
    }
}

fn collect(result: TrivyResult, output: &mut Output) {
    let target = result.target;
    let mut severity = |word: Option<&str>, what: &str| {
        let word = word.unwrap_or("UNKNOWN");
        if SEVERITY.lookup(word).is_none() {
            output.warnings.push(format!(
                "{what}: unknown trivy severity {word:?}, reported as info"
            ));
        }
        SEVERITY.get(word)
    };
    let mut findings = Vec::new();
    for v in result.vulnerabilities {
        let id = v
            .vulnerability_id
            .clone()
            .unwrap_or_else(|| "Unknown".into());
        let sev = severity(v.severity.as_deref(), &id);
        findings.push(vulnerability(&target, &id, sev, v));
    }
    let mut passed = 0;
    for m in result.misconfigurations {
        // Reports made with --include-non-failures list passed checks too; they are not findings.
        if m.status
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("FAIL"))
        {
            passed += 1;
            continue;
        }
        let id =
            m.id.clone()
                .or_else(|| m.avd_id.clone())
                .unwrap_or_else(|| "Unknown".into());
        let sev = severity(m.severity.as_deref(), &id);
        findings.push(misconfiguration(&target, &id, sev, m));
    }
    for s in result.secrets {
        let id = s.rule_id.clone().unwrap_or_else(|| "unknown".into());
        let sev = severity(s.severity.as_deref(), &id);
        findings.push(secret(&target, &id, sev, s));
    }
    for l in result.licenses {
        let name = l.name.clone().unwrap_or_else(|| "unknown".into());
        let sev = severity(l.severity.as_deref(), &name);
        findings.push(license(&target, &name, sev, l));
    }
    if passed > 0 {
        securescan_adapter_sdk::log::debug(&format!("{target}: {passed} passed checks left out"));
    }
    let class = result.class.unwrap_or_default();
    let kind = result.kind.unwrap_or_default();
    output.findings.extend(findings.into_iter().map(|f| {
        f.meta("target_class", class.clone())
            .meta("target_type", kind.clone())
    }));
}

fn references(mut list: Vec<String>) -> Value {
    list.truncate(MAX_REFERENCES);
    list.into()
}

fn vulnerability(target: &str, id: &str, severity: Severity, v: Vulnerability) -> Finding {
    let package = v.pkg_name.unwrap_or_else(|| "unknown".into());
    let description = v
        .description
        .or(v.title.clone())
        .unwrap_or_else(|| "No description".into());
    let mut finding = Finding::new(&format!("{id} in {package}"), &description, severity)
        .rule(id)
        .file(target)
        .cwe(v.cwe_ids.first().and_then(|c| normalize_cwe(c)));
    if let Some(fixed) = v.fixed_version.as_deref().filter(|f| !f.is_empty()) {
        finding = finding.remediation(&format!("Update {package} to {fixed}"));
    }
    finding
        .meta("finding_class", "vulnerability")
        .meta("package", package)
        .meta("installed_version", v.installed_version.unwrap_or_default())
        .meta("fixed_version", v.fixed_version.unwrap_or_default())
        .meta("vulnerability_title", v.title.unwrap_or_default())
        .meta("primary_url", v.primary_url.unwrap_or_default())
        .meta("references", references(v.references))
}

fn misconfiguration(target: &str, id: &str, severity: Severity, m: Misconfiguration) -> Finding {
    let title = m.title.unwrap_or_else(|| id.to_string());
    let description = m
        .message
        .or(m.description)
        .unwrap_or_else(|| "No description".into());
    let mut finding = Finding::new(&title, &description, severity)
        .rule(id)
        .file(target);
    if let Some(cause) = m.cause_metadata
        && let Some(start) = cause.start_line.filter(|l| *l > 0)
    {
        finding = finding.lines(
            start,
            cause.end_line.filter(|e| *e >= start).unwrap_or(start),
        );
    }
    if let Some(resolution) = m.resolution.as_deref().filter(|r| !r.is_empty()) {
        finding = finding.remediation(resolution);
    }
    finding
        .meta("finding_class", "misconfiguration")
        .meta("check_type", m.kind.unwrap_or_default())
        .meta("avd_id", m.avd_id.unwrap_or_default())
        .meta("primary_url", m.primary_url.unwrap_or_default())
        .meta("references", references(m.references))
}

/// Trivy already redacts the matched text; the host never needs it, so it is not kept at all.
fn secret(target: &str, id: &str, severity: Severity, s: Secret) -> Finding {
    let title = s.title.unwrap_or_else(|| id.to_string());
    let category = s.category.unwrap_or_default();
    let mut finding = Finding::new(
        &title,
        &format!("trivy found a {title} ({category}) in {target}. Rotate it and remove it from the code."),
        severity,
    )
    .rule(id)
    .file(target)
    .remediation("Remove the secret from the code and history, rotate it, and load it from a secrets manager.");
    if let Some(start) = s.start_line.filter(|l| *l > 0) {
        finding = finding.lines(start, s.end_line.filter(|e| *e >= start).unwrap_or(start));
    }
    finding
        .meta("finding_class", "secret")
        .meta("category", category)
}

fn license(target: &str, name: &str, severity: Severity, l: License) -> Finding {
    let package = l.pkg_name.unwrap_or_else(|| "unknown".into());
    let category = l.category.unwrap_or_default();
    let file = l
        .file_path
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| target.to_string());
    Finding::new(
        &format!("License {name} in {package}"),
        &format!("{package} is licensed under {name}, which trivy classifies as {category}."),
        severity,
    )
    .rule(&format!("license/{name}"))
    .file(&file)
    .meta("finding_class", "license")
    .meta("package", package)
    .meta("license", name)
    .meta("category", category)
    .meta("link", l.link.unwrap_or_default())
}

securescan_adapter_sdk::export_adapter!(Trivy);

#[cfg(test)]
mod tests;
