use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

pub use securescan_adapter_sdk::{Metadata, Severity};

use crate::{SuppressedBy, Suppression};

/// What a scan looks at. Declaration order is the documented order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanType {
    Code,
    Dependency,
    Iac,
    Baseline,
    Dast,
    Network,
}

impl ScanType {
    pub const ALL: [ScanType; 6] = [
        ScanType::Code,
        ScanType::Dependency,
        ScanType::Iac,
        ScanType::Baseline,
        ScanType::Dast,
        ScanType::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScanType::Code => "code",
            ScanType::Dependency => "dependency",
            ScanType::Iac => "iac",
            ScanType::Baseline => "baseline",
            ScanType::Dast => "dast",
            ScanType::Network => "network",
        }
    }

    pub fn parse(text: &str) -> Option<ScanType> {
        ScanType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// "code, dependency, iac, baseline, dast, network"
    pub fn names() -> String {
        ScanType::ALL.map(ScanType::as_str).join(", ")
    }
}

/// A finding after the host validated it and gave it identity. Field order is the JSON key
/// order users' tooling reads; the host's own fields are written into the `metadata` object (see
/// [`Finding::serialize`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: String,
    pub scan_id: String,
    pub scanner: String,
    pub scan_type: ScanType,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    pub file_path: Option<String>,
    pub line_start: Option<u32>,
    pub line_end: Option<u32>,
    pub rule_id: Option<String>,
    pub cwe: Option<String>,
    pub remediation: Option<String>,
    /// Held as the adapter's JSON text until something changes it: tens of thousands of findings
    /// stay small (a decoded map costs about ten times its text). Never holds the host's keys
    /// (see [`adapter_metadata`]).
    pub metadata: Metadata,
    /// The scanner's severity, when the project config overrode it with `severity`.
    pub original_severity: Option<Severity>,
    /// Set by the host only: why this finding is left out of the counts, the score and the gate.
    pub suppression: Option<Suppression>,
    pub compliance_tags: Vec<String>,
    pub fingerprint: String,
}

impl Finding {
    /// Suppressed findings are never counted, scored or gated on.
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    /// The mechanism that suppressed this finding, if any.
    pub fn suppressed_by(&self) -> Option<&SuppressedBy> {
        self.suppression.as_ref().map(|s| &s.by)
    }
}

/// The `metadata` key dedup lists the other scanners that reported a merged finding under.
pub const ALSO_REPORTED_BY: &str = "also_reported_by";

/// The `metadata` keys that hold the host's fields in the output (and in findings files read
/// back).
pub const ORIGINAL_SEVERITY: &str = "original_severity";
pub const SUPPRESSED_BY: &str = "suppressed_by";
pub const SUPPRESSION_REASON: &str = "suppression_reason";
const HOST_KEYS: [&str; 3] = [ORIGINAL_SEVERITY, SUPPRESSED_BY, SUPPRESSION_REASON];

/// An adapter's metadata without keys named like the host's fields: what a tool printed must
/// never read as the host's decision, nor sit beside it twice in the output.
pub fn adapter_metadata(mut metadata: Metadata) -> Metadata {
    for key in HOST_KEYS {
        metadata.remove(key);
    }
    metadata
}

/// The host's fields as `metadata` entries, in the order the output has always had them.
fn host_entries(finding: &Finding) -> Vec<(&'static str, Value)> {
    let mut entries = Vec::new();
    if let Some(severity) = finding.original_severity {
        entries.push((ORIGINAL_SEVERITY, Value::from(severity.as_str())));
    }
    if let Some(suppression) = &finding.suppression {
        entries.push((SUPPRESSED_BY, Value::from(suppression.by.as_str())));
        if let Some(reason) = &suppression.reason {
            entries.push((SUPPRESSION_REASON, Value::from(reason.as_str())));
        }
    }
    entries
}

/// The `metadata` object of the output: the adapter's keys, then the host's. When dedup's
/// `also_reported_by` closes the adapter's keys it goes after the host's, where dedup (which runs
/// after suppression) has always appended it.
struct MetadataView<'a>(&'a Finding);

impl Serialize for MetadataView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let host = host_entries(self.0);
        if host.is_empty() {
            return self.0.metadata.serialize(serializer);
        }
        let mut adapter = self.0.metadata.clone().into_map();
        let merged = if adapter
            .keys()
            .next_back()
            .is_some_and(|k| k == ALSO_REPORTED_BY)
        {
            adapter.shift_remove(ALSO_REPORTED_BY)
        } else {
            None
        };
        let mut map = serializer.serialize_map(Some(adapter.len() + host.len() + 1))?;
        for (key, value) in &adapter {
            map.serialize_entry(key, value)?;
        }
        for (key, value) in &host {
            map.serialize_entry(key, value)?;
        }
        if let Some(merged) = &merged {
            map.serialize_entry(ALSO_REPORTED_BY, merged)?;
        }
        map.end()
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Finding", 16)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("scan_id", &self.scan_id)?;
        out.serialize_field("scanner", &self.scanner)?;
        out.serialize_field("scan_type", &self.scan_type)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("title", &self.title)?;
        out.serialize_field("description", &self.description)?;
        out.serialize_field("file_path", &self.file_path)?;
        out.serialize_field("line_start", &self.line_start)?;
        out.serialize_field("line_end", &self.line_end)?;
        out.serialize_field("rule_id", &self.rule_id)?;
        out.serialize_field("cwe", &self.cwe)?;
        out.serialize_field("remediation", &self.remediation)?;
        out.serialize_field("metadata", &MetadataView(self))?;
        out.serialize_field("compliance_tags", &self.compliance_tags)?;
        out.serialize_field("fingerprint", &self.fingerprint)?;
        out.end()
    }
}

#[cfg(any(test, feature = "testing"))]
impl Finding {
    /// A code finding with every optional field empty and no identity yet: what unit tests start
    /// from, filling in what they look at with struct update syntax.
    pub fn sample(scanner: &str, title: &str, severity: Severity) -> Finding {
        Finding {
            id: String::new(),
            scan_id: String::new(),
            scanner: scanner.into(),
            scan_type: ScanType::Code,
            severity,
            title: title.into(),
            description: String::new(),
            file_path: None,
            line_start: None,
            line_end: None,
            rule_id: None,
            cwe: None,
            remediation: None,
            metadata: Metadata::default(),
            original_severity: None,
            suppression: None,
            compliance_tags: Vec::new(),
            fingerprint: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn metadata_json(f: &Finding) -> String {
        serde_json::to_value(f).expect("a finding serializes")["metadata"].to_string()
    }

    // The bytes the host wrote when these were stamps into the metadata: adapter keys, then
    // original_severity, suppressed_by, suppression_reason as inserted, then dedup's list.
    #[test]
    fn host_fields_sit_where_the_metadata_stamps_were() {
        let mut f = Finding::sample("semgrep", "t", Severity::Low);
        f.metadata.insert("b", json!(1));
        f.metadata.insert("a", json!(2));
        assert_eq!(metadata_json(&f), r#"{"b":1,"a":2}"#);
        f.original_severity = Some(Severity::High);
        f.suppression = Some(Suppression {
            by: SuppressedBy::Inline,
            reason: Some("fixture".into()),
        });
        assert_eq!(
            metadata_json(&f),
            r#"{"b":1,"a":2,"original_severity":"high","suppressed_by":"inline","suppression_reason":"fixture"}"#
        );
        f.metadata
            .insert(ALSO_REPORTED_BY, json!([{"scanner": "bandit"}]));
        assert_eq!(
            metadata_json(&f),
            r#"{"b":1,"a":2,"original_severity":"high","suppressed_by":"inline","suppression_reason":"fixture","also_reported_by":[{"scanner":"bandit"}]}"#
        );
    }

    #[test]
    fn adapter_keys_named_like_host_fields_are_dropped_on_arrival() {
        let mut metadata = Metadata::default();
        for key in [
            "x",
            "suppressed_by",
            "original_severity",
            "suppression_reason",
        ] {
            metadata.insert(key, json!("forged"));
        }
        assert_eq!(adapter_metadata(metadata).to_json(), r#"{"x":"forged"}"#);
    }
}
