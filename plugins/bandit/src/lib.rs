//! Normalizes `bandit -f json` output.
//!
//! One finding per `results[]` entry; bandit's `errors[]` (files it could not parse) become
//! warnings. Bandit 1.4 reports have no `issue_cwe` and no `more_info`; both are optional here.

mod report;

use securescan_adapter_sdk::prelude::*;

use report::{BanditResult, Report};

const SEVERITY: SeverityMap = SeverityMap::new(
    &[
        ("HIGH", Severity::High),
        ("MEDIUM", Severity::Medium),
        ("LOW", Severity::Low),
    ],
    Severity::Low,
);

pub struct Bandit;

impl Adapter for Bandit {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let report: Report = input
            .report_json()
            .map_err(|err| report::explain(input, err))?;
        let (results, errors) = report.into_parts()?;
        let mut output = Output::default();
        for result in results {
            output
                .findings
                .push(to_finding(result, &mut output.warnings));
        }
        output
            .warnings
            .extend(errors.iter().map(report::BanditError::describe));
        Ok(output)
    }
}

fn to_finding(result: BanditResult, warnings: &mut Vec<String>) -> Finding {
    let severity_word = result.issue_severity.as_deref().unwrap_or("LOW");
    if SEVERITY.lookup(severity_word).is_none() {
        warnings.push(format!(
            "{}: unknown bandit severity {severity_word:?}, reported as low",
            result.test_id
        ));
    }
    let line_end = flagged_end(&result);
    Finding::new(
        result.test_name.as_deref().unwrap_or("Unknown issue"),
        result.issue_text.as_deref().unwrap_or("No description"),
        SEVERITY.get(severity_word),
    )
    .rule(&result.test_id)
    .file(&result.filename)
    .lines(result.line_number, line_end)
    .cwe(
        result
            .issue_cwe
            .and_then(|cwe| cwe.id)
            .and_then(|id| normalize_cwe(&id.to_string())),
    )
    .meta(
        "confidence",
        result
            .issue_confidence
            .unwrap_or_else(|| "UNDEFINED".into()),
    )
    .meta("more_info", result.more_info.unwrap_or_default())
}

/// The last line of what bandit flagged. Its `line_range` is the flagged node's own lines when it
/// starts at `line_number` (an `eval(` call laid over four lines), but the enclosing statement's
/// when the flagged node sits inside one (the `"password": "x"` entry of a dict, the
/// `verify=False` argument of a call). Ending the finding there would make the rest of that
/// statement part of its identity and its location, so it ends on its own line.
fn flagged_end(result: &BanditResult) -> u32 {
    match (
        result.line_range.iter().min(),
        result.line_range.iter().max(),
    ) {
        (Some(&first), Some(&last)) if first == result.line_number => last,
        _ => result.line_number,
    }
}

securescan_adapter_sdk::export_adapter!(Bandit);

#[cfg(test)]
mod tests;
