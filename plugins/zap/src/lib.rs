//! Normalizes OWASP ZAP alerts: the alert list the host's ZAP driver fetched from the daemon's
//! API (`{"alerts": [...]}` or a bare list), or a traditional JSON report handed to `ingest`.
//!
//! One finding per traditional-report alert (one rule on one site, its instances summarised) and
//! one per API alert (one rule on one URL): each shape keeps ZAP's own unit, so counts match what
//! ZAP shows. Alerts a user marked as false positives in ZAP are skipped, with a warning.

mod report;
mod text;

use securescan_adapter_sdk::prelude::*;
use serde_json::{Value, json};

use report::{ApiAlert, Report, TraditionalAlert};

/// The API spells risk as a word, the report as a digit (`riskcode`).
const RISK: SeverityMap = SeverityMap::new(
    &[
        ("High", Severity::High),
        ("Medium", Severity::Medium),
        ("Low", Severity::Low),
        ("Informational", Severity::Info),
        ("3", Severity::High),
        ("2", Severity::Medium),
        ("1", Severity::Low),
        ("0", Severity::Info),
    ],
    Severity::Info,
);

/// How many instances of a report alert are listed in metadata; `count` gives the total.
const LISTED_INSTANCES: usize = 20;
/// Evidence is a slice of the response: sometimes a whole script block.
const EVIDENCE_CHARS: usize = 1000;

pub struct Zap;

impl Adapter for Zap {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut alerts = Alerts {
            target_url: target_url(&input.target),
            output: Output::default(),
            false_positives: 0,
        };
        match report::read(input)? {
            Report::Traditional(report) => {
                for site in report.site {
                    for alert in site.alerts {
                        alerts.add_traditional(&site.name, alert);
                    }
                }
            }
            Report::Api(list) => list.into_iter().for_each(|alert| alerts.add_api(alert)),
        }
        Ok(alerts.finish())
    }
}

struct Alerts {
    target_url: Option<String>,
    output: Output,
    false_positives: usize,
}

impl Alerts {
    fn add_traditional(&mut self, site: &str, alert: TraditionalAlert) {
        if alert.confidence.trim() == "0" {
            self.false_positives += 1;
            return;
        }
        let title = title(&alert.alert, &alert.name);
        // `riskdesc` ("Medium (High)") stands in when `riskcode` is missing or odd.
        let risk_word = alert.riskdesc.split_whitespace().next().unwrap_or("");
        let severity = match RISK
            .lookup(&alert.riskcode)
            .or_else(|| RISK.lookup(risk_word))
        {
            Some(severity) => severity,
            None => self.unknown_risk(&title, &alert.riskcode),
        };
        let description = text::unwrap_paragraphs(&alert.desc);
        let instances: Vec<Value> = alert
            .instances
            .iter()
            .take(LISTED_INSTANCES)
            .map(|i| json!({"uri": i.uri, "method": i.method, "param": i.param}))
            .collect();
        let count = alert
            .count
            .trim()
            .parse::<usize>()
            .unwrap_or(alert.instances.len());
        let mut finding = self
            .base(
                &title,
                &description,
                severity,
                &alert.pluginid,
                &alert.cweid,
            )
            .meta("site", site);
        if let Some(first) = alert.instances.first() {
            finding = finding.meta("url", first.uri.as_str());
        }
        finding = finding
            .meta("plugin_id", alert.pluginid.as_str())
            .meta("alert_ref", alert.alert_ref.as_str())
            .meta("confidence", confidence_word(&alert.confidence))
            .meta("cweid", alert.cweid.as_str())
            .meta("wascid", alert.wascid.as_str())
            .meta("count", count)
            .meta("instances", instances);
        finding = with_text(
            finding,
            &text::unwrap_paragraphs(&alert.solution),
            &text::unwrap_paragraphs(&alert.otherinfo),
            &text::unwrap_paragraphs(&alert.reference),
        );
        self.output.findings.push(finding);
    }

    fn add_api(&mut self, alert: ApiAlert) {
        if alert
            .confidence
            .trim()
            .eq_ignore_ascii_case("False Positive")
        {
            self.false_positives += 1;
            return;
        }
        let title = title(&alert.alert, &alert.name);
        let severity = match RISK.lookup(&alert.risk) {
            Some(severity) => severity,
            None => self.unknown_risk(&title, &alert.risk),
        };
        let description = text::plain(&alert.description);
        let mut finding = self
            .base(
                &title,
                &description,
                severity,
                &alert.plugin_id,
                &alert.cweid,
            )
            .meta("url", alert.url.as_str())
            .meta("method", alert.method.as_str())
            .meta("param", alert.param.as_str())
            .meta("attack", alert.attack.as_str())
            .meta("evidence", text::capped(&alert.evidence, EVIDENCE_CHARS))
            .meta("plugin_id", alert.plugin_id.as_str())
            .meta("alert_ref", alert.alert_ref.as_str())
            .meta("alert_id", alert.id.as_str())
            .meta("message_id", alert.message_id.as_str())
            .meta("confidence", alert.confidence.as_str())
            .meta("cweid", alert.cweid.as_str())
            .meta("wascid", alert.wascid.as_str());
        if let Some(tags) = alert.tags.filter(|tags| !tags.is_empty()) {
            finding = finding.meta("tags", Value::Object(tags));
        }
        finding = with_text(
            finding,
            &text::plain(&alert.solution),
            &text::plain(&alert.other),
            &text::plain(&alert.reference),
        );
        self.output.findings.push(finding);
    }

    /// What both shapes share: title, description, rule, CWE and the scanned URL.
    fn base(
        &self,
        title: &str,
        description: &str,
        severity: Severity,
        plugin_id: &str,
        cweid: &str,
    ) -> Finding {
        let plugin = match plugin_id.trim() {
            "" => "unknown",
            id => id,
        };
        let description = if description.is_empty() {
            title
        } else {
            description
        };
        // ZAP prints `-1` or `0` for "no CWE"; normalize_cwe refuses both.
        let mut finding = Finding::new(title, description, severity)
            .rule(&format!("zap-{plugin}"))
            .cwe(normalize_cwe(cweid));
        if let Some(target) = &self.target_url {
            finding = finding.meta("target_url", target.as_str());
        }
        finding
    }

    fn unknown_risk(&mut self, title: &str, risk: &str) -> Severity {
        let warning = format!("ZAP alert '{title}' has an unknown risk '{risk}'; reported as info");
        if !self.output.warnings.contains(&warning) {
            self.output.warnings.push(warning);
        }
        Severity::Info
    }

    fn finish(mut self) -> Output {
        if self.false_positives > 0 {
            self.output.warnings.push(format!(
                "skipped {} ZAP alert(s) marked as false positives in ZAP",
                self.false_positives
            ));
        }
        self.output
    }
}

/// Remediation, ZAP's "other info" and its reference links, each only when ZAP gave one.
fn with_text(mut finding: Finding, solution: &str, other_info: &str, reference: &str) -> Finding {
    if !solution.is_empty() {
        finding = finding.remediation(solution);
    }
    if !other_info.is_empty() {
        finding = finding.meta("other_info", other_info);
    }
    let references = text::references(reference);
    if !references.is_empty() {
        finding = finding.meta("references", references);
    }
    finding
}

fn title(alert: &str, name: &str) -> String {
    [alert, name]
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty())
        .unwrap_or("ZAP Alert")
        .to_string()
}

/// The target is a URL when the host ran ZAP; `ingest` passes `.` or a path, which is not one.
fn target_url(target: &str) -> Option<String> {
    let target = target.trim();
    let lower = target.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| target.to_string())
}

/// The report's confidence digit as the word the API and ZAP's UI use.
fn confidence_word(code: &str) -> &str {
    match code.trim() {
        "0" => "False Positive",
        "1" => "Low",
        "2" => "Medium",
        "3" => "High",
        "4" => "Confirmed",
        other => other,
    }
}

securescan_adapter_sdk::export_adapter!(Zap);

#[cfg(test)]
mod tests;
