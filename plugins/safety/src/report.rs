//! The parts of `safety check --json` output this adapter reads, in its two shapes: safety 1.x
//! prints a list of `[package, affected, installed, advisory, id, cvssv2?, cvssv3?]` arrays;
//! safety 2.x and 3.x print an object with `report_meta` and a `vulnerabilities` list. safety 3.x
//! wraps that object in deprecation banners on stdout, so the document is looked for first.

use std::collections::BTreeMap;

use securescan_adapter_sdk::{ParseError, parse_json};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A report in either of safety's JSON shapes.
pub enum Report {
    /// safety 1.x: one array per vulnerability.
    Legacy(Vec<LegacyVulnerability>),
    /// safety 2.x and 3.x.
    Current(Box<CurrentReport>),
}

/// One safety 1.x entry. Versions before 1.10 print only the first five fields.
pub struct LegacyVulnerability {
    pub package: String,
    pub affected: String,
    pub installed: String,
    pub advisory: String,
    pub id: String,
    pub cvssv2: Option<CvssScore>,
    pub cvssv3: Option<CvssScore>,
}

#[derive(Debug, Deserialize)]
pub struct CurrentReport {
    #[serde(default)]
    pub report_meta: Option<ReportMeta>,
    pub vulnerabilities: Vec<Vulnerability>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub affected_packages: BTreeMap<String, AffectedPackage>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub remediations: BTreeMap<String, Remediation>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportMeta {
    #[serde(default, deserialize_with = "null_is_default")]
    pub scanned: Vec<String>,
    /// safety 3.x only: the absolute paths of `scanned`.
    #[serde(default, deserialize_with = "null_is_default")]
    pub scanned_full_path: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Vulnerability {
    pub vulnerability_id: Option<Id>,
    pub package_name: Option<String>,
    /// A string in 2.x, a list of alternatives in 3.x.
    pub vulnerable_spec: Option<Specs>,
    pub analyzed_version: Option<String>,
    pub analyzed_requirement: Option<Requirement>,
    pub advisory: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub fixed_versions: Vec<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub closest_versions_without_known_vulnerabilities: Vec<String>,
    /// An id, or (safety 2.0) an object carrying the id and its CVSS scores.
    #[serde(rename = "CVE")]
    pub cve: Option<Cve>,
    pub severity: Option<Scores>,
    pub more_info_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Text(String),
    Number(serde_json::Number),
}

impl Id {
    pub fn text(&self) -> String {
        match self {
            Id::Text(text) => text.clone(),
            Id::Number(number) => number.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Specs {
    One(String),
    Many(Vec<String>),
}

impl Specs {
    /// The specs as one line; list items are alternatives (a `,` inside one spec means "and").
    pub fn text(&self) -> String {
        match self {
            Specs::One(spec) => spec.clone(),
            Specs::Many(specs) => specs.join(" or "),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Requirement {
    /// safety 3.x: the requirements file this requirement was read from.
    pub found: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Cve {
    Id(String),
    Scored(ScoredCve),
}

#[derive(Debug, Deserialize)]
pub struct ScoredCve {
    pub name: Option<String>,
    #[serde(flatten)]
    pub scores: Scores,
}

impl Cve {
    pub fn id(&self) -> Option<&str> {
        match self {
            Cve::Id(id) => Some(id),
            Cve::Scored(scored) => scored.name.as_deref(),
        }
    }

    pub fn scores(&self) -> Option<&Scores> {
        match self {
            Cve::Id(_) => None,
            Cve::Scored(scored) => Some(&scored.scores),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Scores {
    pub cvssv2: Option<CvssScore>,
    pub cvssv3: Option<CvssScore>,
}

#[derive(Debug, Deserialize)]
pub struct CvssScore {
    pub base_score: Option<f64>,
    /// CVSS v3 only: `CRITICAL`, `HIGH`, `MEDIUM`, `LOW` or `NONE`.
    pub base_severity: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AffectedPackage {
    /// The requirements file (2.x) or environment directory the package was found in.
    pub found: Option<String>,
    pub latest_version_without_known_vulnerabilities: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub secure_versions: Vec<String>,
}

/// safety 2.3 puts `recommended_version` on the package; 2.0 and 3.x per requirement spec.
#[derive(Debug, Deserialize)]
pub struct Remediation {
    pub recommended_version: Option<String>,
    #[serde(default, deserialize_with = "null_is_default")]
    pub requirements: BTreeMap<String, RequirementRemediation>,
}

#[derive(Debug, Deserialize)]
pub struct RequirementRemediation {
    pub version: Option<String>,
    pub recommended_version: Option<String>,
}

fn null_is_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The report in `text`: the whole text when it is JSON, else the first JSON object that starts a
/// line (safety 3.x prints banners before and after it).
pub fn parse(text: &str) -> Result<Report, ParseError> {
    let document: Value = if text.trim_start().starts_with(['{', '[']) {
        parse_json(text)?
    } else {
        embedded_object(text)?
    };
    match document {
        Value::Array(entries) => legacy(entries).map(Report::Legacy),
        Value::Object(object) => current(object).map(|r| Report::Current(Box::new(r))),
        _ => Err(ParseError::WrongTool(
            "a bare JSON value, not a safety check --json report (a list or an object with `vulnerabilities`)"
                .into(),
        )),
    }
}

fn embedded_object(text: &str) -> Result<Value, ParseError> {
    let mut offset = 0;
    let start = text.split_inclusive('\n').find_map(|line| {
        let at = offset;
        offset += line.len();
        line.trim_start().starts_with('{').then_some(at)
    });
    let Some(json) = start.and_then(|at| text.get(at..)) else {
        let first_line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        return Err(ParseError::Malformed(format!(
            "no JSON report in the output, only text (first line: {first_line:?}); expected safety check --json output"
        )));
    };
    // Banner text may follow the document, so read one value and ignore the rest.
    match serde_json::Deserializer::from_str(json)
        .into_iter::<Value>()
        .next()
    {
        Some(Ok(value)) => Ok(value),
        Some(Err(err)) if err.is_eof() => Err(ParseError::Malformed(format!(
            "truncated JSON inside safety's text output: {err}"
        ))),
        Some(Err(err)) => Err(ParseError::Malformed(format!(
            "invalid JSON inside safety's text output: {err}"
        ))),
        None => Err(ParseError::Malformed(
            "no JSON report in the output; expected safety check --json output".into(),
        )),
    }
}

fn legacy(entries: Vec<Value>) -> Result<Vec<LegacyVulnerability>, ParseError> {
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let Value::Array(fields) = entry else {
                return Err(ParseError::WrongTool(format!(
                    "list entry {index} is not an array: not safety 1.x's [package, affected, installed, advisory, id] entries"
                )));
            };
            legacy_entry(index, fields)
        })
        .collect()
}

fn legacy_entry(index: usize, fields: Vec<Value>) -> Result<LegacyVulnerability, ParseError> {
    if fields.len() < 5 {
        return Err(ParseError::Malformed(format!(
            "list entry {index} has {} fields; safety 1.x prints at least 5 ([package, affected, installed, advisory, id])",
            fields.len()
        )));
    }
    let mut fields = fields.into_iter();
    let mut text = |name: &str| -> Result<String, ParseError> {
        match fields.next() {
            Some(Value::String(text)) => Ok(text),
            Some(Value::Number(number)) => Ok(number.to_string()),
            Some(Value::Null) | None => Ok(String::new()),
            Some(other) => Err(ParseError::Malformed(format!(
                "list entry {index}: `{name}` should be text, found {other}"
            ))),
        }
    };
    let package = text("package")?;
    let affected = text("affected")?;
    let installed = text("installed")?;
    let advisory = text("advisory")?;
    let id = text("id")?;
    let mut score = |name: &str| -> Result<Option<CvssScore>, ParseError> {
        match fields.next() {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value).map(Some).map_err(|err| {
                ParseError::Malformed(format!("list entry {index}: invalid `{name}`: {err}"))
            }),
        }
    };
    let cvssv2 = score("cvssv2")?;
    let cvssv3 = score("cvssv3")?;
    Ok(LegacyVulnerability {
        package,
        affected,
        installed,
        advisory,
        id,
        cvssv2,
        cvssv3,
    })
}

fn current(object: Map<String, Value>) -> Result<CurrentReport, ParseError> {
    match object.get("vulnerabilities") {
        Some(Value::Array(_)) => serde_json::from_value(Value::Object(object))
            .map_err(|err| ParseError::Malformed(format!("invalid safety report: {err}"))),
        Some(Value::Object(_)) => Err(ParseError::WrongTool(
            "`vulnerabilities` is an object (npm audit's shape); safety prints a list".into(),
        )),
        _ if object.contains_key("scan_results") => Err(ParseError::UnsupportedVersion(
            "this is `safety scan` output; the adapter reads `safety check --json` output".into(),
        )),
        _ => {
            let keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
            Err(ParseError::WrongTool(format!(
                "no `vulnerabilities` list (keys: {}): not safety check --json output",
                keys.join(", ")
            )))
        }
    }
}
