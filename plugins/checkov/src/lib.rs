//! Normalizes `checkov -d <dir> -o json` output: one finding per failed check, across every
//! framework block. Passed and skipped checks are not findings; files checkov could not parse
//! become warnings.

mod report;

use securescan_adapter_sdk::prelude::*;

use report::FailedCheck;

/// Open-source checkov usually prints `severity: null`; those are medium, as before.
const SEVERITY: SeverityMap = SeverityMap::new(
    &[
        ("CRITICAL", Severity::Critical),
        ("HIGH", Severity::High),
        ("MEDIUM", Severity::Medium),
        ("LOW", Severity::Low),
        ("INFO", Severity::Info),
    ],
    Severity::Medium,
);

pub struct Checkov;

impl Adapter for Checkov {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        for block in report::blocks(input)? {
            let results = block.results.unwrap_or_default();
            for error in &results.parsing_errors {
                let file = error
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| error.to_string());
                output.warnings.push(format!(
                    "checkov ({}) could not parse {file}",
                    block.check_type
                ));
            }
            for check in results.failed_checks {
                output
                    .findings
                    .push(to_finding(&input.target, &block.check_type, check));
            }
        }
        Ok(output)
    }
}

fn to_finding(target: &str, check_type: &str, check: FailedCheck) -> Finding {
    let id = check.check_id.unwrap_or_else(|| "Unknown".into());
    let name = check.check_name.unwrap_or_else(|| "Unknown check".into());
    let description = check
        .description
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| name.clone());
    let mut finding = Finding::new(
        &format!("{id}: {name}"),
        &description,
        SEVERITY.get(check.severity.as_deref().unwrap_or("")),
    )
    .rule(&id);
    if let Some(path) = check.file_path.as_deref().filter(|p| !p.is_empty()) {
        finding = finding.file(&checkov_path(target, path));
    }
    if let Some((start, end)) = line_span(&check.file_line_range) {
        finding = finding.lines(start, end);
    }
    if let Some(guideline) = check.guideline.as_deref().filter(|g| !g.is_empty()) {
        finding = finding.remediation(guideline);
    }
    finding
        .meta("check_type", check_type)
        .meta("resource", check.resource.unwrap_or_default())
        // Open-source checkov prints `null` without a platform key: "none" stays distinguishable
        // from an id.
        .meta("bc_check_id", check.bc_check_id)
}

/// checkov prints paths relative to the scanned directory with a leading `/` (and Windows runs
/// use `\`): report them under the target the user named, like every other scanner.
fn checkov_path(target: &str, path: &str) -> String {
    let relative = path.replace('\\', "/");
    under_target(target, relative.trim_start_matches('/'))
}

/// `[start, end]`, `[line]` or `[]`; zero, negative or reversed ranges are kept as far as they make
/// sense. A file-level check (a workflow without top-level `permissions`, CKV2_GHA_1) prints
/// `[0, 1]`: line 0 does not exist, but the range still reaches line 1, so it starts there.
fn line_span(range: &[i64]) -> Option<(u32, u32)> {
    let line = |value: Option<&i64>| {
        value
            .and_then(|v| u32::try_from(*v).ok())
            .filter(|l| *l > 0)
    };
    let end = line(range.get(1));
    let start = line(range.first()).or(end.map(|_| 1))?;
    Some((start, end.filter(|e| *e >= start).unwrap_or(start)))
}

securescan_adapter_sdk::export_adapter!(Checkov);

#[cfg(test)]
mod tests;
