//! The parts of bandit's JSON report this adapter reads.

use securescan_adapter_sdk::{Input, ParseError};
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Debug, Deserialize)]
pub struct Report {
    results: Option<Vec<BanditResult>>,
    #[serde(default)]
    errors: Vec<BanditError>,
    // Every bandit report has these two; semgrep's has neither.
    generated_at: Option<IgnoredAny>,
    metrics: Option<IgnoredAny>,
}

/// Semgrep's JSON also has `results`; it has `paths` and neither of bandit's own keys.
fn wrong_tool(has_bandit_keys: bool) -> Option<ParseError> {
    (!has_bandit_keys).then(|| {
        ParseError::WrongTool(
            "no `generated_at` or `metrics`: not bandit -f json output (semgrep's JSON also has `results`)".into(),
        )
    })
}

impl Report {
    /// The results and errors, or a wrong-tool error for JSON that is not bandit's.
    pub fn into_parts(self) -> Result<(Vec<BanditResult>, Vec<BanditError>), ParseError> {
        let Some(results) = self.results else {
            return Err(ParseError::WrongTool(
                "no `results` array: not bandit -f json output".into(),
            ));
        };
        if let Some(err) = wrong_tool(self.generated_at.is_some() || self.metrics.is_some()) {
            return Err(err);
        }
        Ok((results, self.errors))
    }
}

/// When a report does not fit bandit's shape, say so plainly if it is another tool's output.
pub fn explain(input: &Input, err: ParseError) -> ParseError {
    match input.report_json_keys() {
        Some(keys) if keys.iter().any(|k| k == "results") => {
            wrong_tool(keys.iter().any(|k| k == "generated_at" || k == "metrics")).unwrap_or(err)
        }
        _ => err,
    }
}

#[derive(Debug, Deserialize)]
pub struct BanditResult {
    pub filename: String,
    pub test_id: String,
    pub test_name: Option<String>,
    pub issue_text: Option<String>,
    pub issue_severity: Option<String>,
    pub issue_confidence: Option<String>,
    pub issue_cwe: Option<Cwe>,
    pub more_info: Option<String>,
    pub line_number: u32,
    #[serde(default)]
    pub line_range: Vec<u32>,
}

#[derive(Debug, Deserialize)]
pub struct Cwe {
    pub id: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct BanditError {
    filename: Option<String>,
    reason: Option<String>,
}

impl BanditError {
    pub fn describe(&self) -> String {
        let reason = self.reason.as_deref().unwrap_or("(no reason given)");
        match self.filename.as_deref().filter(|f| !f.is_empty()) {
            Some(file) => format!("bandit could not scan {file}: {reason}"),
            None => format!("bandit error: {reason}"),
        }
    }
}
