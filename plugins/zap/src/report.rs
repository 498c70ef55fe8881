//! The three shapes of ZAP output this adapter reads:
//!
//! - the traditional JSON report (`zap-baseline.py -J`, `zap.sh -cmd -quickout x.json`, the
//!   report add-on's "traditional-json" template): `{"@version", "site": [{"@name", "alerts"}]}`;
//! - the API response the host's ZAP driver fetched, `{"alerts": [...]}` from
//!   `/JSON/core/view/alerts/` (pages concatenated into one object by the host);
//! - a bare list of API alerts, as python `zapv2`'s `core.alerts()` returns and people dump.
//!
//! Every scalar is read as text: ZAP prints numbers as strings (`"riskcode": "2"`) but not always
//! (`"sourceMessageId": 7`), and hand-made dumps vary.

use securescan_adapter_sdk::{Input, ParseError, parse_json};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

pub enum Report {
    Traditional(TraditionalReport),
    Api(Vec<ApiAlert>),
}

#[derive(Debug, Deserialize)]
pub struct TraditionalReport {
    /// ZAP before 2.10 printed a lone site as an object rather than a one-element list.
    #[serde(default, deserialize_with = "sites")]
    pub site: Vec<Site>,
}

#[derive(Debug, Deserialize)]
pub struct Site {
    #[serde(rename = "@name", default, deserialize_with = "scalar")]
    pub name: String,
    #[serde(default, deserialize_with = "alerts")]
    pub alerts: Vec<TraditionalAlert>,
}

#[derive(Debug, Deserialize)]
pub struct TraditionalAlert {
    #[serde(default, deserialize_with = "scalar")]
    pub pluginid: String,
    #[serde(rename = "alertRef", default, deserialize_with = "scalar")]
    pub alert_ref: String,
    #[serde(default, deserialize_with = "scalar")]
    pub alert: String,
    #[serde(default, deserialize_with = "scalar")]
    pub name: String,
    #[serde(default, deserialize_with = "scalar")]
    pub riskcode: String,
    /// `"Medium (High)"`: risk, then confidence.
    #[serde(default, deserialize_with = "scalar")]
    pub riskdesc: String,
    /// `0` false positive, `1` low, `2` medium, `3` high, `4` user-confirmed.
    #[serde(default, deserialize_with = "scalar")]
    pub confidence: String,
    #[serde(default, deserialize_with = "scalar")]
    pub desc: String,
    #[serde(default, deserialize_with = "instances")]
    pub instances: Vec<Instance>,
    #[serde(default, deserialize_with = "scalar")]
    pub count: String,
    #[serde(default, deserialize_with = "scalar")]
    pub solution: String,
    #[serde(default, deserialize_with = "scalar")]
    pub otherinfo: String,
    #[serde(default, deserialize_with = "scalar")]
    pub reference: String,
    #[serde(default, deserialize_with = "scalar")]
    pub cweid: String,
    #[serde(default, deserialize_with = "scalar")]
    pub wascid: String,
}

#[derive(Debug, Deserialize)]
pub struct Instance {
    #[serde(default, deserialize_with = "scalar")]
    pub uri: String,
    #[serde(default, deserialize_with = "scalar")]
    pub method: String,
    #[serde(default, deserialize_with = "scalar")]
    pub param: String,
}

/// One alert of the ZAP API: one rule firing on one URL. The keys differ from the report's
/// (`pluginId`, `risk` as a word, `description`, `other`).
#[derive(Debug, Deserialize)]
pub struct ApiAlert {
    #[serde(rename = "pluginId", default, deserialize_with = "scalar")]
    pub plugin_id: String,
    #[serde(rename = "alertRef", default, deserialize_with = "scalar")]
    pub alert_ref: String,
    #[serde(default, deserialize_with = "scalar")]
    pub id: String,
    #[serde(default, deserialize_with = "scalar")]
    pub alert: String,
    #[serde(default, deserialize_with = "scalar")]
    pub name: String,
    /// `High`, `Medium`, `Low` or `Informational`.
    #[serde(default, deserialize_with = "scalar")]
    pub risk: String,
    #[serde(default, deserialize_with = "scalar")]
    pub confidence: String,
    #[serde(default, deserialize_with = "scalar")]
    pub description: String,
    #[serde(default, deserialize_with = "scalar")]
    pub solution: String,
    #[serde(default, deserialize_with = "scalar")]
    pub other: String,
    #[serde(default, deserialize_with = "scalar")]
    pub reference: String,
    #[serde(default, deserialize_with = "scalar")]
    pub cweid: String,
    #[serde(default, deserialize_with = "scalar")]
    pub wascid: String,
    #[serde(default, deserialize_with = "scalar")]
    pub url: String,
    #[serde(default, deserialize_with = "scalar")]
    pub method: String,
    #[serde(default, deserialize_with = "scalar")]
    pub param: String,
    #[serde(default, deserialize_with = "scalar")]
    pub attack: String,
    #[serde(default, deserialize_with = "scalar")]
    pub evidence: String,
    #[serde(rename = "messageId", default, deserialize_with = "scalar")]
    pub message_id: String,
    /// OWASP Top 10 / WSTG / CWE links keyed by tag name.
    #[serde(default)]
    pub tags: Option<Map<String, Value>>,
}

impl ApiAlert {
    /// An object from another tool's list deserializes into an all-empty alert; ZAP always
    /// prints a risk and a plugin id or alert name.
    fn is_zap_alert(&self) -> bool {
        let named = [&self.plugin_id, &self.alert, &self.name]
            .iter()
            .any(|field| !field.is_empty());
        named && !self.risk.is_empty()
    }
}

/// Read the report in whichever shape it came.
pub fn read(input: &Input) -> Result<Report, ParseError> {
    let text = input.report_text()?;
    match parse_json::<Value>(text.trim_start_matches('\u{feff}'))? {
        Value::Array(items) => api_alerts(items, "the list").map(Report::Api),
        Value::Object(object) => read_object(object),
        other => Err(ParseError::Malformed(format!(
            "expected a ZAP JSON report (an object with `site`) or a list of ZAP API alerts, got a JSON {}",
            json_type(&other)
        ))),
    }
}

fn read_object(mut object: Map<String, Value>) -> Result<Report, ParseError> {
    if object.contains_key("site") {
        return serde_json::from_value(Value::Object(object))
            .map(Report::Traditional)
            .map_err(|err| ParseError::Malformed(format!("invalid ZAP JSON report: {err}")));
    }
    if let Some(alerts) = object.remove("alerts") {
        return match alerts {
            Value::Array(items) => api_alerts(items, "`alerts`").map(Report::Api),
            other => Err(ParseError::Malformed(format!(
                "`alerts` of a ZAP API response must be a list, got a JSON {}",
                json_type(&other)
            ))),
        };
    }
    // What the ZAP API answers instead of data, e.g. `{"code": "bad_api_key", "message": "Bad API Key"}`.
    if let (Some(code), Some(message)) = (object.get("code"), object.get("message")) {
        return Err(ParseError::ToolFailed(format!(
            "the ZAP API returned an error instead of alerts: {} ({})",
            text_of(message),
            text_of(code)
        )));
    }
    let keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
    Err(ParseError::WrongTool(format!(
        "no `site` (ZAP JSON report) or `alerts` (ZAP API response) key, found [{}]: not ZAP output",
        keys.join(", ")
    )))
}

fn api_alerts(items: Vec<Value>, container: &str) -> Result<Vec<ApiAlert>, ParseError> {
    let mut alerts = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let alert = match item {
            Value::Object(_) => serde_json::from_value::<ApiAlert>(item).map_err(|err| {
                ParseError::Malformed(format!("alert {index} of {container}: {err}"))
            })?,
            other => {
                return Err(not_an_alert(
                    index,
                    container,
                    &format!("a JSON {}", json_type(&other)),
                ));
            }
        };
        if !alert.is_zap_alert() {
            return Err(not_an_alert(
                index,
                container,
                "an object without `risk` and `pluginId`",
            ));
        }
        alerts.push(alert);
    }
    Ok(alerts)
}

/// A list whose very first entry is foreign is another tool's list; a foreign entry further down
/// is a damaged ZAP list.
fn not_an_alert(index: usize, container: &str, what: &str) -> ParseError {
    let message = format!("entry {index} of {container} is {what}, not a ZAP API alert");
    if index == 0 {
        ParseError::WrongTool(message)
    } else {
        ParseError::Malformed(message)
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected text or a number, got a JSON {}",
            json_type(&other)
        ))),
    }
}

fn sites<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Site>, D::Error> {
    one_or_many(deserializer, "site")
}

fn alerts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<TraditionalAlert>, D::Error> {
    one_or_many(deserializer, "alert")
}

fn instances<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Instance>, D::Error> {
    one_or_many(deserializer, "instance")
}

/// A list, a lone object, or nothing; a bad entry is named by its index.
fn one_or_many<'de, D, T>(deserializer: D, what: &str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let entry = |index: usize, value: Value| {
        T::deserialize(value)
            .map_err(|err| serde::de::Error::custom(format!("{what} {index}: {err}")))
    };
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, value)| entry(index, value))
            .collect(),
        value => Ok(vec![entry(0, value)?]),
    }
}
