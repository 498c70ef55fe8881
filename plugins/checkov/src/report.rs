//! The parts of `checkov -o json` output this adapter reads. checkov prints one check-type block
//! (an object), a list of them (several frameworks), or, when it found nothing to scan, only a
//! summary object.

use securescan_adapter_sdk::{Input, ParseError, parse_json};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct Block {
    #[serde(default)]
    pub check_type: String,
    pub results: Option<Results>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Results {
    #[serde(default)]
    pub failed_checks: Vec<FailedCheck>,
    #[serde(default)]
    pub parsing_errors: Vec<Value>,
}

#[derive(Debug, Deserialize)]
pub struct FailedCheck {
    pub check_id: Option<String>,
    pub check_name: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    pub file_path: Option<String>,
    #[serde(default)]
    pub file_line_range: Vec<i64>,
    pub resource: Option<String>,
    pub guideline: Option<String>,
    pub bc_check_id: Option<String>,
}

/// The blocks of a report in any of checkov's shapes. A report redirected on Windows arrives as
/// UTF-16; [`Input::report_text`] decodes it.
pub fn blocks(input: &Input) -> Result<Vec<Block>, ParseError> {
    let text = input.report_text()?;
    if text.trim_start().starts_with('[') {
        return parse_json(&text);
    }
    let object: serde_json::Map<String, Value> = parse_json(&text)?;
    // A checkov block's `results` is an object; semgrep's and bandit's are lists.
    if object.get("results").is_some_and(Value::is_object) || object.contains_key("check_type") {
        return Ok(vec![
            serde_json::from_value(Value::Object(object))
                .map_err(|err| ParseError::Malformed(format!("invalid checkov block: {err}")))?,
        ]);
    }
    // Nothing to scan: checkov prints only its summary.
    if object.contains_key("checkov_version") && object.contains_key("failed") {
        return Ok(Vec::new());
    }
    Err(ParseError::WrongTool(
        "no `results`, `check_type` or summary: not checkov -o json output".into(),
    ))
}
