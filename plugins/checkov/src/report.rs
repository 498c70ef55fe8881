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

/// The blocks of a report in any of checkov's shapes, decoding a UTF-8 or UTF-16 byte-order mark
/// (a report redirected on Windows arrives as UTF-16).
pub fn blocks(input: &Input) -> Result<Vec<Block>, ParseError> {
    let text = decode(&input.report()?.bytes)?;
    if text.trim().is_empty() {
        return Err(ParseError::Empty("checkov printed nothing".into()));
    }
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

fn decode(bytes: &[u8]) -> Result<String, ParseError> {
    let utf16 = |big_endian: bool| {
        let units = bytes[2..].chunks_exact(2).map(|pair| {
            if big_endian {
                u16::from_be_bytes([pair[0], pair[1]])
            } else {
                u16::from_le_bytes([pair[0], pair[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|err| ParseError::Malformed(format!("output is not valid UTF-16: {err}")))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, ParseError> {
    String::from_utf8(bytes.to_vec()).map_err(|err| {
        ParseError::Malformed(format!(
            "output is not UTF-8 (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        ))
    })
}
