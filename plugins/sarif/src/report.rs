//! The parts of a SARIF 2.1.0 log this adapter reads (OASIS SARIF 2.1.0, §3). Every field is
//! optional or defaulted: producers leave out much of what the schema requires. Results are kept
//! as raw JSON and decoded one by one, so one odd result costs a warning, not the whole log. Raw
//! parts borrow from the report text: the component's allocator never frees, and copies of a
//! large log would count against its memory limit.

use std::collections::BTreeMap;

use securescan_adapter_sdk::{Input, ParseError, parse_json};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub type Properties = Map<String, Value>;

/// The top level, read before the runs so the version is checked first.
#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    version: Option<Value>,
    #[serde(rename = "$schema")]
    schema: Option<String>,
    /// Raw, so `runs: null` (present) is told apart from no `runs` at all.
    #[serde(borrow, default, deserialize_with = "present")]
    runs: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Option<Tool>,
    /// `None` when the producer wrote no `results` (SARIF: "not computed"), unlike `[]`.
    #[serde(borrow)]
    pub results: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
    #[serde(default)]
    pub invocations: Vec<Invocation>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Tool {
    pub driver: Option<ToolComponent>,
    #[serde(default)]
    pub extensions: Vec<ToolComponent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    pub name: Option<String>,
    pub guid: Option<String>,
    pub version: Option<String>,
    pub semantic_version: Option<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A `reportingDescriptor`: one rule of a tool component.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: Option<String>,
    pub name: Option<String>,
    pub short_description: Option<Message>,
    pub full_description: Option<Message>,
    pub help: Option<Message>,
    pub help_uri: Option<String>,
    pub default_configuration: Option<Configuration>,
    #[serde(default)]
    pub message_strings: BTreeMap<String, Message>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    #[serde(default)]
    pub properties: Properties,
}

#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    pub level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Relationship {
    pub target: Option<DescriptorReference>,
}

/// A `message` or `multiformatMessageString`.
#[derive(Debug, Default, Deserialize)]
pub struct Message {
    pub text: Option<String>,
    pub markdown: Option<String>,
    pub id: Option<String>,
    #[serde(default)]
    pub arguments: Vec<Value>,
}

/// A `reportingDescriptorReference`: a rule (or taxon) by id and/or index in a tool component.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorReference {
    pub id: Option<String>,
    pub index: Option<i64>,
    pub tool_component: Option<ToolComponentReference>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ToolComponentReference {
    pub name: Option<String>,
    pub index: Option<i64>,
    pub guid: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: Option<String>,
    pub rule_index: Option<i64>,
    pub rule: Option<DescriptorReference>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub message: Option<Message>,
    #[serde(default)]
    pub locations: Vec<Location>,
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    pub fingerprints: Option<Properties>,
    pub partial_fingerprints: Option<Properties>,
    #[serde(default)]
    pub taxa: Vec<DescriptorReference>,
    #[serde(default)]
    pub properties: Properties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: Option<PhysicalLocation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: Option<ArtifactLocation>,
    pub region: Option<Region>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: Option<String>,
    pub uri_base_id: Option<String>,
    pub index: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Artifact {
    pub location: Option<ArtifactLocation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: Option<i64>,
    pub end_line: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Suppression {
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: Option<bool>,
    #[serde(default)]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Notification {
    pub level: Option<String>,
    pub message: Option<Message>,
}

/// The runs of the SARIF 2.1.0 log in `text` (the input's [`Input::report_text`]), or a typed
/// error saying what the input is instead.
pub fn runs<'a>(input: &Input, text: &'a str) -> Result<Vec<Run<'a>>, ParseError> {
    if text.trim_start().starts_with('[') {
        return Err(ParseError::WrongTool(
            "a JSON list, not a SARIF log (an object with `version` and `runs`)".into(),
        ));
    }
    let envelope: Envelope = parse_json(text)?;
    let Some(runs) = envelope.runs else {
        let keys = input.report_json_keys().unwrap_or_default();
        return Err(ParseError::WrongTool(format!(
            "no `runs`: not a SARIF log (top-level keys: {})",
            keys.join(", ")
        )));
    };
    match envelope.version {
        Some(Value::String(version)) if version == "2.1.0" => {}
        // `version` is required, but a `$schema` naming 2.1.0 says as much.
        None if envelope
            .schema
            .as_deref()
            .is_some_and(|s| s.contains("2.1.0")) => {}
        None => {
            return Err(ParseError::Malformed(
                "SARIF log without `version` (expected \"2.1.0\")".into(),
            ));
        }
        Some(other) => {
            return Err(ParseError::UnsupportedVersion(format!(
                "SARIF version {other}; this adapter reads SARIF 2.1.0"
            )));
        }
    }
    // SARIF §3.13.4: `runs: null` means the producer failed before it could start a run.
    if runs.get().trim() == "null" {
        return Err(ParseError::ToolFailed(
            "the SARIF log has `runs: null`: its producer failed before any run".into(),
        ));
    }
    parse_json(runs.get())
        .map_err(|err| ParseError::Malformed(format!("invalid SARIF runs: {}", err.message())))
}
