//! The parts of semgrep's JSON report this adapter reads.

use securescan_adapter_sdk::{Input, ParseError};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Deserialize)]
pub struct Report {
    results: Option<Vec<SemgrepResult>>,
    #[serde(default)]
    pub errors: Vec<SemgrepError>,
    // Present in every semgrep report and in no other tool's: how wrong-tool input is recognised.
    paths: Option<IgnoredAny>,
    generated_at: Option<IgnoredAny>,
}

/// Bandit's JSON also has `results`; its `generated_at` (and no `paths`) gives it away.
fn wrong_tool(has_paths: bool, has_generated_at: bool) -> Option<ParseError> {
    (has_generated_at && !has_paths).then(|| {
        ParseError::WrongTool(
            "this looks like bandit output (`generated_at`, no `paths`), not semgrep --json".into(),
        )
    })
}

impl Report {
    /// Refuses other tools' JSON before any finding is built.
    pub fn check_is_semgrep(&self) -> Result<(), ParseError> {
        if let Some(err) = wrong_tool(self.paths.is_some(), self.generated_at.is_some()) {
            return Err(err);
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

/// When a report does not fit semgrep's shape, say so plainly if it is another tool's output.
pub fn explain(input: &Input, err: ParseError) -> ParseError {
    let keys = input.report_json_keys().unwrap_or_default();
    let has = |key: &str| keys.iter().any(|k| k == key);
    wrong_tool(has("paths"), has("generated_at")).unwrap_or(err)
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
    pub metadata: Option<Box<RawValue>>,
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

/// `metadata.cwe` is a list in current rules and a plain string in older ones. Only that key is
/// decoded; the rest of the object passes through as raw text.
pub fn first_cwe(metadata: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct CweOnly {
        cwe: Option<Value>,
    }
    match serde_json::from_str::<CweOnly>(metadata.get()).ok()?.cwe? {
        Value::String(text) => Some(text),
        Value::Array(items) => items.into_iter().next().map(|item| match item {
            Value::String(text) => text,
            other => other.to_string(),
        }),
        _ => None,
    }
}
