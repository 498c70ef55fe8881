//! The two license reports this adapter reads: `pip-licenses --format=json` (a list of packages)
//! and, under `securescan ingest`, `license-checker --json` (an object keyed by `name@version`).

use securescan_adapter_sdk::{Input, ParseError, parse_json};

use crate::truncate;
use serde::Deserialize;
use serde_json::{Map, Value};

/// One entry of pip-licenses' JSON. `LicenseText`, `URL`, `Author`, `Description` and the other
/// `--with-*` fields are not needed.
#[derive(Debug, Deserialize)]
pub struct PipPackage {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Version")]
    pub version: Option<String>,
    /// Missing means pip-licenses found nothing, as its own `UNKNOWN` does.
    #[serde(rename = "License")]
    pub license: Option<String>,
}

/// One entry of license-checker's JSON.
#[derive(Debug, Deserialize)]
pub struct CheckerEntry {
    pub licenses: Option<CheckerLicenses>,
    /// The package directory on the machine that ran license-checker.
    pub path: Option<String>,
}

/// license-checker prints one license as a string and a legacy `licenses` array as a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CheckerLicenses {
    One(String),
    Several(Vec<String>),
}

#[derive(Debug)]
pub enum Report {
    PipLicenses(Vec<PipPackage>),
    /// `(name@version, entry)` in the report's order.
    LicenseChecker(Vec<(String, CheckerEntry)>),
}

pub fn read(input: &Input) -> Result<Report, ParseError> {
    let text = input.report_text().map_err(|err| match err {
        ParseError::Empty(_) => ParseError::Empty(
            "the license report is empty (pip-licenses and license-checker always print JSON)"
                .into(),
        ),
        other => other,
    })?;
    match parse_json::<Value>(&text)? {
        Value::Array(items) => pip_licenses(items).map(Report::PipLicenses),
        Value::Object(object) => license_checker(object).map(Report::LicenseChecker),
        other => Err(ParseError::WrongTool(format!(
            "expected a JSON list (pip-licenses --format=json) or object (license-checker --json), got {}",
            json_kind(&other)
        ))),
    }
}

fn pip_licenses(items: Vec<Value>) -> Result<Vec<PipPackage>, ParseError> {
    let has = |key: &str| items.iter().any(|item| item.get(key).is_some());
    if !items.is_empty() && !has("Name") {
        let hint = if has("name") && has("licenses") {
            " (that is --format=json-license-finder; run pip-licenses with --format=json)"
        } else {
            ""
        };
        return Err(ParseError::WrongTool(format!(
            "a JSON list whose entries have no `Name`: not pip-licenses --format=json output{hint}"
        )));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            serde_json::from_value(item)
                .map_err(|err| ParseError::Malformed(format!("pip-licenses entry {index}: {err}")))
        })
        .collect()
}

fn license_checker(object: Map<String, Value>) -> Result<Vec<(String, CheckerEntry)>, ParseError> {
    if let Some(error) = object.get("error") {
        return Err(ParseError::ToolFailed(format!(
            "the report is an error object: {}",
            truncate(&error.to_string(), 300)
        )));
    }
    // Keys are `name@version` (`@scope/name@version` for scoped packages); npm audit, semgrep,
    // trivy and the rest use plain words.
    let is_package_key = |key: &str| key.get(1..).is_some_and(|rest| rest.contains('@'));
    if let Some((key, _)) = object
        .iter()
        .find(|(key, value)| !is_package_key(key) || !value.is_object())
    {
        let keys: Vec<&str> = object.keys().take(5).map(String::as_str).collect();
        return Err(ParseError::WrongTool(format!(
            "a JSON object with key `{}` that is not a `name@version` package entry (keys: {}): \
             not license-checker --json output",
            truncate(key, 100),
            keys.join(", ")
        )));
    }
    object
        .into_iter()
        .map(|(key, value)| {
            serde_json::from_value(value)
                .map(|entry| (key.clone(), entry))
                .map_err(|err| {
                    ParseError::Malformed(format!(
                        "license-checker entry `{}`: {err}",
                        truncate(&key, 100)
                    ))
                })
        })
        .collect()
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
