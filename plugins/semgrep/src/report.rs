//! The parts of semgrep's JSON report this adapter reads.

use securescan_adapter_sdk::{Input, ParseError};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Deserialize)]
pub struct Report {
    results: Option<Vec<SemgrepResult>>,
    #[serde(default)]
    pub errors: Vec<SemgrepError>,
    // Present in every semgrep report and in no other tool's: how wrong-tool input is recognised.
    paths: Option<Value>,
    generated_at: Option<Value>,
}

impl Report {
    /// Refuses other tools' JSON (bandit's has `results` too) before any finding is built.
    pub fn check_is_semgrep(&self) -> Result<(), ParseError> {
        if self.generated_at.is_some() && self.paths.is_none() {
            return Err(ParseError::WrongTool(
                "this looks like bandit output (`generated_at`, no `paths`), not semgrep --json"
                    .into(),
            ));
        }
        if self.results.is_none() {
            return Err(ParseError::WrongTool(
                "no `results` array: not semgrep --json output".into(),
            ));
        }
        Ok(())
    }
}

impl IntoIterator for Report {
    type Item = SemgrepResult;
    type IntoIter = std::vec::IntoIter<SemgrepResult>;
    fn into_iter(self) -> Self::IntoIter {
        self.results.unwrap_or_default().into_iter()
    }
}

/// Just enough of a JSON document to tell whose output it is.
#[derive(Debug, Deserialize)]
struct Envelope {
    paths: Option<serde::de::IgnoredAny>,
    generated_at: Option<serde::de::IgnoredAny>,
}

/// When a report does not fit semgrep's shape, say so plainly if it is bandit's output.
pub fn explain(input: &Input, err: ParseError) -> ParseError {
    match input.report_json::<Envelope>() {
        Ok(Envelope {
            paths: None,
            generated_at: Some(_),
        }) => ParseError::WrongTool(
            "this looks like bandit output (`generated_at`, no `paths`), not semgrep --json".into(),
        ),
        _ => err,
    }
}

#[derive(Debug, Deserialize)]
pub struct SemgrepResult {
    pub check_id: String,
    pub path: String,
    pub start: Position,
    pub end: Position,
    pub extra: Extra,
}

#[derive(Debug, Deserialize)]
pub struct Position {
    pub line: u32,
}

#[derive(Debug, Deserialize)]
pub struct Extra {
    pub message: Option<String>,
    pub severity: Option<String>,
    pub fix: Option<String>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
pub struct SemgrepError {
    level: Option<String>,
    message: Option<String>,
    path: Option<String>,
}

impl SemgrepError {
    pub fn describe(&self) -> String {
        let level = self.level.as_deref().unwrap_or("error");
        let message = self.message.as_deref().unwrap_or("(no message)").trim();
        match &self.path {
            Some(path) => format!("semgrep {level} in {path}: {message}"),
            None => format!("semgrep {level}: {message}"),
        }
    }
}

/// `metadata.cwe` is a list in current rules and a plain string in older ones.
pub fn first_cwe(metadata: &Map<String, Value>) -> Option<String> {
    match metadata.get("cwe")? {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => items.first().map(|item| match item {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }),
        _ => None,
    }
}
