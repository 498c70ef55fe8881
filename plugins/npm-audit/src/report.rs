//! The parts of `npm audit --json` output this adapter reads. npm 6 prints `advisories` keyed by
//! advisory id; npm 7 and later print `vulnerabilities` keyed by package name. When the audit
//! itself fails npm still prints JSON: an `{"error": {...}}` object, or the registry's refusal
//! (`statusCode`, `method`, `uri`, `message`).

use std::collections::BTreeMap;

use securescan_adapter_sdk::{Input, ParseError};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

pub enum Report {
    Npm6(Npm6Report),
    Npm7(Npm7Report),
}

#[derive(Debug, Deserialize)]
pub struct Npm6Report {
    pub advisories: BTreeMap<String, Advisory6>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub actions: Vec<Action>,
}

#[derive(Debug, Deserialize)]
pub struct Advisory6 {
    pub id: Option<Value>,
    pub title: Option<String>,
    pub module_name: Option<String>,
    pub severity: Option<String>,
    /// A CWE string in most reports; `null` or a list in some.
    pub cwe: Option<Value>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub cves: Vec<String>,
    pub vulnerable_versions: Option<String>,
    pub patched_versions: Option<String>,
    pub overview: Option<String>,
    pub recommendation: Option<String>,
    pub url: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub findings: Vec<Advisory6Finding>,
}

#[derive(Debug, Deserialize)]
pub struct Advisory6Finding {
    pub version: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub paths: Vec<String>,
}

/// What `npm audit fix` would do: install `module@target`, resolving some advisory ids.
#[derive(Debug, Deserialize)]
pub struct Action {
    pub action: Option<String>,
    pub module: Option<String>,
    pub target: Option<String>,
    #[serde(rename = "isMajor", default)]
    pub is_major: bool,
    #[serde(default, deserialize_with = "null_is_default")]
    pub resolves: Vec<Resolve>,
}

#[derive(Debug, Deserialize)]
pub struct Resolve {
    pub id: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct Npm7Report {
    #[serde(rename = "auditReportVersion")]
    pub audit_report_version: Option<Value>,
    pub vulnerabilities: BTreeMap<String, Vulnerability>,
}

#[derive(Debug, Deserialize)]
pub struct Vulnerability {
    pub severity: Option<String>,
    #[serde(rename = "isDirect")]
    pub is_direct: Option<bool>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub via: Vec<Via>,
    pub range: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub nodes: Vec<String>,
    /// `true`, `false`, or the upgrade `npm audit fix` would make.
    #[serde(rename = "fixAvailable")]
    pub fix_available: Option<Value>,
}

/// A package is vulnerable through an advisory of its own, or through another vulnerable package
/// (named by a plain string).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Via {
    Package(String),
    Advisory(Advisory7),
}

#[derive(Debug, Deserialize)]
pub struct Advisory7 {
    pub source: Option<Value>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub severity: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub cwe: Vec<String>,
    pub cvss: Option<Cvss>,
    pub range: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Cvss {
    pub score: Option<f64>,
}

fn null_is_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

pub fn parse(input: &Input) -> Result<Report, ParseError> {
    let text = input.report_text()?;
    let object: Map<String, Value> = match securescan_adapter_sdk::parse_json::<Value>(&text)? {
        Value::Object(object) => object,
        _ => {
            return Err(ParseError::WrongTool(
                "not a JSON object: npm audit --json prints an object".into(),
            ));
        }
    };
    if object.get("advisories").is_some_and(Value::is_object) {
        return serde_json::from_value(Value::Object(object))
            .map(Report::Npm6)
            .map_err(|err| invalid("npm 6 advisories", err));
    }
    if object.get("vulnerabilities").is_some_and(Value::is_object) {
        return serde_json::from_value(Value::Object(object))
            .map(Report::Npm7)
            .map_err(|err| invalid("npm 7+ vulnerabilities", err));
    }
    if let Some(refusal) = registry_refusal(&object) {
        return Err(ParseError::ToolFailed(refusal));
    }
    if let Some(error) = object.get("error") {
        return Err(ParseError::ToolFailed(audit_error(error)));
    }
    let keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
    Err(ParseError::WrongTool(format!(
        "no `advisories` or `vulnerabilities` object (keys: {}): not npm audit --json output",
        keys.join(", ")
    )))
}

fn invalid(format: &str, err: serde_json::Error) -> ParseError {
    ParseError::Malformed(format!("invalid npm audit report ({format}): {err}"))
}

/// The registry's answer when it refused the audit request (npm prints the HTTP error).
fn registry_refusal(object: &Map<String, Value>) -> Option<String> {
    let status = object.get("statusCode")?.as_u64()?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or("").trim();
    let request = [text("method"), text("uri")]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let request = if request.is_empty() {
        "the audit request".to_string()
    } else {
        request
    };
    let mut message = format!("npm audit failed: the registry answered HTTP {status} to {request}");
    // npm's `message` usually repeats the request; keep it only when it says more.
    if !text("message").is_empty() && !text("message").contains(text("uri")) {
        message.push_str(&format!(" ({})", text("message")));
    }
    if !text("body").is_empty() {
        message.push_str(&format!(": {}", text("body")));
    }
    Some(message)
}

/// npm's own error object (`ENOAUDIT`, `ENOLOCK`, …), which it prints instead of a report.
fn audit_error(error: &Value) -> String {
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let parts: Vec<&str> = [text("code"), text("summary"), text("detail")]
        .into_iter()
        .flatten()
        .collect();
    match (parts.is_empty(), error.as_str()) {
        (false, _) => format!("npm audit failed: {}", parts.join(": ")),
        (true, Some(message)) if !message.trim().is_empty() => {
            format!("npm audit failed: {}", message.trim())
        }
        _ => format!("npm audit failed: {error}"),
    }
}
