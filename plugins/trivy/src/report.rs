//! The parts of trivy's JSON report this adapter reads: SchemaVersion 2 (an object with
//! `Results`) and the legacy format (a top-level list of results).

use securescan_adapter_sdk::{Input, ParseError, parse_json};
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    schema_version: Option<IgnoredAny>,
    artifact_name: Option<IgnoredAny>,
    /// Absent when trivy found nothing to scan.
    results: Option<Vec<TrivyResult>>,
}

/// The results of either shape trivy has printed over the years: a SchemaVersion 2 object, or the
/// legacy top-level list. The first byte decides, so parse errors keep their line and column.
pub fn results(input: &Input) -> Result<Vec<TrivyResult>, ParseError> {
    let text = input.report_text()?;
    if text.trim_start().starts_with('[') {
        return parse_json(&text);
    }
    let envelope: Envelope = parse_json(&text)?;
    if envelope.schema_version.is_none()
        && envelope.artifact_name.is_none()
        && envelope.results.is_none()
    {
        return Err(ParseError::WrongTool(
            "no `SchemaVersion`, `ArtifactName` or `Results`: not trivy --format json output"
                .into(),
        ));
    }
    Ok(envelope.results.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrivyResult {
    #[serde(default)]
    pub target: String,
    pub class: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub misconfigurations: Vec<Misconfiguration>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub secrets: Vec<Secret>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub licenses: Vec<License>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vulnerability {
    #[serde(rename = "VulnerabilityID")]
    pub vulnerability_id: Option<String>,
    pub pkg_name: Option<String>,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    #[serde(rename = "CweIDs", default, deserialize_with = "null_as_empty")]
    pub cwe_ids: Vec<String>,
    #[serde(rename = "PrimaryURL")]
    pub primary_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub references: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Misconfiguration {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    #[serde(rename = "ID")]
    pub id: Option<String>,
    #[serde(rename = "AVDID")]
    pub avd_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub message: Option<String>,
    pub resolution: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "PrimaryURL")]
    pub primary_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub references: Vec<String>,
    pub cause_metadata: Option<CauseMetadata>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CauseMetadata {
    pub start_line: Option<u32>,
    pub end_line: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    #[serde(rename = "RuleID")]
    pub rule_id: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub title: Option<String>,
    pub start_line: Option<u32>,
    pub end_line: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct License {
    pub severity: Option<String>,
    pub category: Option<String>,
    pub pkg_name: Option<String>,
    pub file_path: Option<String>,
    pub name: Option<String>,
    pub link: Option<String>,
}

/// trivy prints `null` for empty lists (`"Vulnerabilities": null`, `"References": null`).
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}
