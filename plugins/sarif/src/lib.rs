//! Normalizes any SARIF 2.1.0 log (`securescan ingest --scanner sarif FILE`): CodeQL, ESLint,
//! semgrep, bandit, trivy, gitleaks, checkov and the rest. One finding per result of kind `fail`
//! in every run; the rule comes from the run's driver or extensions, the severity from the
//! `security-severity` score GitHub code scanning uses, else from the SARIF level.
//!
//! Results the producer marks as suppressed (an accepted `suppressions[]` entry: `nosemgrep`,
//! `// lgtm`, `# nosec`, an ESLint disable comment, a dismissal) are skipped and counted in a
//! warning: someone already decided about them in the tool, and keeping them would bring every
//! dismissed alert back on each ingest. Suppressions still under review or rejected are kept.

mod location;
mod message;
mod report;
mod rules;
mod taxonomy;

use std::collections::{BTreeMap, BTreeSet};

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use report::{Rule, Run, SarifResult};
use rules::{RuleIndex, RuleMatch};

/// SARIF levels (§3.27.10); `warning` is also the default when neither result nor rule sets one.
const LEVELS: SeverityMap = SeverityMap::new(
    &[
        ("error", Severity::High),
        ("warning", Severity::Medium),
        ("note", Severity::Low),
        ("none", Severity::Info),
    ],
    Severity::Medium,
);

/// Kinds that say the result is not a problem; other non-`fail` kinds are counted in a warning.
const ROUTINE_KINDS: &[&str] = &["pass", "notApplicable", "informational"];

/// Tool notifications repeated as warnings, so a noisy tool cannot bury the other warnings.
const MAX_NOTIFICATIONS: usize = 20;

pub struct Sarif;

impl Adapter for Sarif {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let text = input.report_text()?;
        let runs = report::runs(input, &text)?;
        let mut output = Output::default();
        let mut tally = Tally::default();
        for (position, run) in runs.iter().enumerate() {
            read_run(position + 1, run, &mut output, &mut tally);
        }
        // A producer that says it failed and found nothing did not find "no problems".
        if output.findings.is_empty() && !tally.failed_runs.is_empty() {
            return Err(ParseError::ToolFailed(tally.failed_runs.join("; ")));
        }
        output.warnings.extend(tally.failed_runs.iter().cloned());
        tally.into_warnings(&mut output.warnings);
        Ok(output)
    }
}

/// What one run shares across its results.
struct RunContext<'r> {
    run: &'r Run<'r>,
    rules: RuleIndex<'r>,
    tool: Option<&'r str>,
    tool_version: Option<&'r str>,
}

fn read_run(position: usize, run: &Run, output: &mut Output, tally: &mut Tally) {
    let driver = run.tool.as_ref().and_then(|t| t.driver.as_ref());
    let context = RunContext {
        run,
        rules: RuleIndex::new(run.tool.as_ref()),
        tool: driver.and_then(|d| d.name.as_deref()),
        tool_version: driver.and_then(|d| d.version.as_deref().or(d.semantic_version.as_deref())),
    };
    let label = match context.tool {
        Some(tool) => format!("run {position} ({tool})"),
        None => format!("run {position}"),
    };
    tally.invocations(&label, run);
    let Some(results) = &run.results else {
        output.warnings.push(format!(
            "{label} has no `results`: the tool did not report any (SARIF: results not computed)"
        ));
        return;
    };
    for (number, raw) in results.iter().enumerate() {
        match serde_json::from_str::<SarifResult>(raw.get()) {
            Ok(result) => {
                if let Some(finding) = to_finding(&result, &context, tally) {
                    output.findings.push(finding);
                }
            }
            Err(err) => tally
                .unreadable
                .push(format!("{label} result {}: {err}", number + 1)),
        }
    }
}

fn to_finding(result: &SarifResult, context: &RunContext, tally: &mut Tally) -> Option<Finding> {
    let kind = result.kind.as_deref().unwrap_or("fail");
    if !kind.eq_ignore_ascii_case("fail") {
        if !ROUTINE_KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
            *tally.unusual_kinds.entry(kind.to_string()).or_default() += 1;
        }
        return None;
    }
    if is_suppressed(result) {
        tally.suppressed += 1;
        return None;
    }
    let matched = context.rules.resolve(result);
    let rule = matched.as_ref().map(|m| m.rule);
    let rule_id = [
        result.rule_id.as_deref(),
        result.rule.as_ref().and_then(|r| r.id.as_deref()),
        rule.and_then(|r| r.id.as_deref()),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|id| !id.is_empty());

    let description = message::text(result.message.as_ref(), rule).or_else(|| {
        let rule = rule?;
        [&rule.full_description, &rule.short_description]
            .into_iter()
            .flatten()
            .find_map(message::plain)
            .map(str::to_string)
    });
    let title = title(rule, description.as_deref(), rule_id);
    let level = result
        .level
        .as_deref()
        .or_else(|| rule?.default_configuration.as_ref()?.level.as_deref())
        .unwrap_or("warning");
    let score = security_severity(result, rule, tally);
    let severity = match score {
        Some((_, score)) => from_score(score),
        None => LEVELS.lookup(level).unwrap_or_else(|| {
            tally.unknown_levels.insert(level.to_string());
            LEVELS.get(level)
        }),
    };
    let references = result.taxa.iter().chain(
        rule.into_iter()
            .flat_map(|r| r.relationships.iter().filter_map(|r| r.target.as_ref())),
    );
    let cwes = taxonomy::cwes(
        std::iter::once(&result.properties).chain(rule.map(|r| &r.properties)),
        references,
    );

    let mut finding = Finding::new(&title, description.as_deref().unwrap_or(&title), severity)
        .cwe(cwes.first().cloned());
    if let Some(id) = rule_id {
        finding = finding.rule(id);
    }
    if let Some(place) = location::place(result, context.run) {
        finding = finding.file(&place.file);
        if let Some((start, end)) = place.lines {
            finding = finding.lines(start, end);
        }
    }
    if let Some(help) = rule.and_then(remediation) {
        finding = finding.remediation(help);
    }
    Some(with_metadata(
        finding,
        context,
        result,
        matched.as_ref(),
        level,
        score.map(|(raw, _)| raw),
        &cwes,
    ))
}

fn with_metadata(
    finding: Finding,
    context: &RunContext,
    result: &SarifResult,
    matched: Option<&RuleMatch>,
    level: &str,
    security_severity: Option<String>,
    cwes: &[String],
) -> Finding {
    let rule = matched.map(|m| m.rule);
    let mut tags: Vec<&str> = Vec::new();
    for tag in rule
        .into_iter()
        .flat_map(|r| taxonomy::strings(r.properties.get("tags")))
        .chain(taxonomy::strings(result.properties.get("tags")))
    {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let suppression = result.suppressions.iter().find_map(|s| s.status.as_deref());
    let entries: [(&str, Option<Value>); 12] = [
        ("tool", context.tool.map(Value::from)),
        ("tool_version", context.tool_version.map(Value::from)),
        (
            "tool_extension",
            matched.and_then(|m| m.extension).map(Value::from),
        ),
        (
            "rule_name",
            rule.and_then(|r| r.name.as_deref()).map(Value::from),
        ),
        ("level", Some(Value::from(level))),
        ("security_severity", security_severity.map(Value::from)),
        ("tags", (!tags.is_empty()).then(|| Value::from(tags))),
        (
            "other_cwes",
            (cwes.len() > 1).then(|| Value::from(cwes.get(1..).unwrap_or_default())),
        ),
        (
            "help_uri",
            rule.and_then(|r| r.help_uri.as_deref()).map(Value::from),
        ),
        (
            "fingerprints",
            result.fingerprints.clone().map(Value::Object),
        ),
        (
            "partial_fingerprints",
            result.partial_fingerprints.clone().map(Value::Object),
        ),
        ("suppression_status", suppression.map(Value::from)),
    ];
    entries
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .fold(finding, |finding, (key, value)| finding.meta(key, value))
}

/// The rule's short description, a human rule name, the message, or the id: the first that
/// exists, as one line. Names like `blacklist` or `py/unused-import` are identifiers, not titles,
/// and semgrep's `Semgrep Finding: <rule id>` descriptions only restate the id.
fn title(rule: Option<&Rule>, description: Option<&str>, rule_id: Option<&str>) -> String {
    let restates_id = |text: &&str| {
        rule_id.is_some_and(|id| id.contains(['.', '/', '_', '-']) && text.contains(id))
    };
    let short = rule
        .and_then(|r| r.short_description.as_ref())
        .and_then(message::plain)
        .filter(|text| !restates_id(text));
    let human_name = rule
        .and_then(|r| r.name.as_deref())
        .filter(|name| name.trim().contains(char::is_whitespace));
    [short, human_name, description, rule_id]
        .into_iter()
        .flatten()
        .find_map(securescan_adapter_sdk::text::headline)
        .unwrap_or_else(|| "SARIF result".to_string())
}

/// The rule's help, unless it only repeats the rule's description (semgrep copies its message
/// there), which would not tell anyone how to fix anything.
fn remediation(rule: &Rule) -> Option<&str> {
    let help = message::plain(rule.help.as_ref()?)?;
    let repeats = [&rule.full_description, &rule.short_description]
        .into_iter()
        .flatten()
        .filter_map(message::plain)
        .any(|description| description == help);
    (!repeats).then_some(help)
}

/// An accepted suppression (status `accepted` or absent, §3.35.3) not contradicted by one under
/// review or rejected.
fn is_suppressed(result: &SarifResult) -> bool {
    let has = |wanted: &str| {
        result.suppressions.iter().any(|s| {
            s.status
                .as_deref()
                .unwrap_or("accepted")
                .eq_ignore_ascii_case(wanted)
        })
    };
    has("accepted") && !has("underReview") && !has("rejected")
}

/// `security-severity` from the result's properties, else the rule's: the score as written and
/// as a number. A value that is not a 0-10 score is reported and ignored.
fn security_severity(
    result: &SarifResult,
    rule: Option<&Rule>,
    tally: &mut Tally,
) -> Option<(String, f64)> {
    let raw = result
        .properties
        .get("security-severity")
        .or_else(|| rule?.properties.get("security-severity"))?;
    let (text, score) = match raw {
        Value::String(text) => (text.trim().to_string(), text.trim().parse::<f64>().ok()),
        Value::Number(number) => (number.to_string(), number.as_f64()),
        other => (other.to_string(), None),
    };
    match score.filter(|s| (0.0..=10.0).contains(s)) {
        Some(score) => Some((text, score)),
        None => {
            tally.bad_scores.insert(text);
            None
        }
    }
}

/// The CVSS bands GitHub code scanning uses for `security-severity`.
fn from_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// Things worth one warning each, counted across the whole log.
#[derive(Default)]
struct Tally {
    failed_runs: Vec<String>,
    notifications: Vec<String>,
    unreadable: Vec<String>,
    suppressed: usize,
    unusual_kinds: BTreeMap<String, usize>,
    unknown_levels: BTreeSet<String>,
    bad_scores: BTreeSet<String>,
}

impl Tally {
    /// `executionSuccessful: false` marks the run failed; error notifications become warnings.
    fn invocations(&mut self, label: &str, run: &Run) {
        for invocation in &run.invocations {
            let errors: Vec<&str> = invocation
                .tool_execution_notifications
                .iter()
                .filter(|n| n.level.as_deref().unwrap_or("warning") == "error")
                .filter_map(|n| n.message.as_ref().and_then(message::plain))
                .collect();
            if invocation.execution_successful == Some(false) {
                let why = match errors.first() {
                    Some(first) => format!(": {first}"),
                    None => String::new(),
                };
                self.failed_runs.push(format!(
                    "{label} says the tool did not run successfully{why}"
                ));
            }
            self.notifications.extend(
                errors
                    .iter()
                    .map(|e| format!("{label} reported an error: {e}")),
            );
        }
    }

    fn into_warnings(self, warnings: &mut Vec<String>) {
        let extra = self.notifications.len().saturating_sub(MAX_NOTIFICATIONS);
        warnings.extend(self.notifications.into_iter().take(MAX_NOTIFICATIONS));
        if extra > 0 {
            warnings.push(format!("… and {extra} more tool error notifications"));
        }
        if let Some(first) = self.unreadable.first() {
            warnings.push(format!(
                "skipped {} results that could not be read (first: {first})",
                self.unreadable.len()
            ));
        }
        if self.suppressed > 0 {
            warnings.push(format!(
                "skipped {} results the producer marked as suppressed",
                self.suppressed
            ));
        }
        for (kind, count) in self.unusual_kinds {
            warnings.push(format!(
                "skipped {count} results of kind `{kind}` (not a failure; may need review)"
            ));
        }
        for level in self.unknown_levels {
            warnings.push(format!("unknown SARIF level `{level}`, read as medium"));
        }
        for score in self.bad_scores {
            warnings.push(format!(
                "security-severity `{score}` is not a 0-10 score; the level was used instead"
            ));
        }
    }
}

securescan_adapter_sdk::export_adapter!(Sarif);

#[cfg(test)]
mod tests;
