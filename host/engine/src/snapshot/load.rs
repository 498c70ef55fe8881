//! Reading a findings file back: a JSON array of findings (`scan --output json`), or an object
//! with a `findings` array (a baseline file, a `diff --output json` side). Every entry must be a
//! finding; anything else is an error naming the entry, never a silently shorter list.

use std::path::Path;

use serde_json::Value;

use crate::config::parse_severity;
use crate::findings::{
    Finding, Metadata, ORIGINAL_SEVERITY, SUPPRESSED_BY, SUPPRESSION_REASON, ScanType, Severity,
    SuppressedBy, Suppression,
};
use crate::limited_read::{LimitedReadError, MAX_FINDINGS_FILE_BYTES, read_limited};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Read(#[from] LimitedReadError),
    #[error("{path} is not JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path} is not a findings file: {reason}")]
    Shape { path: String, reason: String },
}

/// The findings of the file at `path`. Fingerprints recorded in the file are kept as they are:
/// they are the identity the file was written with.
pub fn load_snapshot(path: &Path) -> Result<Vec<Finding>, SnapshotError> {
    let bytes = read_limited(path, MAX_FINDINGS_FILE_BYTES, "a findings file")?;
    parse_snapshot(&bytes, &path.display().to_string())
}

/// The findings of a findings file's bytes; `shown` names the file in errors.
pub fn parse_snapshot(bytes: &[u8], shown: &str) -> Result<Vec<Finding>, SnapshotError> {
    let shown = shown.to_string();
    let value: Value = serde_json::from_slice(bytes).map_err(|source| SnapshotError::Json {
        path: shown.clone(),
        source,
    })?;
    let shape = |reason: String| SnapshotError::Shape {
        path: shown.clone(),
        reason,
    };
    let entries = match &value {
        Value::Array(entries) => entries,
        Value::Object(object) => match object.get("findings") {
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(shape("`findings` is not an array".into())),
            None => {
                return Err(shape(
                    "expected a JSON array of findings or an object with a `findings` array".into(),
                ));
            }
        },
        _ => {
            return Err(shape(
                "expected a JSON array of findings or an object with a `findings` array".into(),
            ));
        }
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            finding(entry).map_err(|reason| shape(format!("finding {index}: {reason}")))
        })
        .collect()
}

fn finding(entry: &Value) -> Result<Finding, String> {
    let Value::Object(object) = entry else {
        return Err("not an object".into());
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{key}` is not a string")),
        }
    };
    let required = |key: &str| -> Result<String, String> {
        text(key)?.ok_or_else(|| format!("`{key}` is missing"))
    };
    let line = |key: &str| -> Result<Option<u32>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| format!("`{key}` is not a line number")),
        }
    };
    let severity = required("severity")?;
    let scan_type = required("scan_type")?;
    let mut metadata = match object.get("metadata") {
        None | Some(Value::Null) => Metadata::default(),
        Some(Value::Object(map)) => map.clone().into(),
        Some(_) => return Err("`metadata` is not an object".into()),
    };
    let (original_severity, suppression) = recorded_host_fields(&mut metadata)?;
    Ok(Finding {
        id: text("id")?.unwrap_or_default(),
        scan_id: text("scan_id")?.unwrap_or_default(),
        scanner: required("scanner")?,
        scan_type: ScanType::parse(&scan_type.to_lowercase()).ok_or_else(|| {
            format!(
                "unknown scan_type {scan_type:?}; valid: {}",
                ScanType::names()
            )
        })?,
        severity: parse_severity(&severity)
            .ok_or_else(|| format!("unknown severity {severity:?}"))?,
        title: required("title")?,
        description: text("description")?.unwrap_or_default(),
        file_path: text("file_path")?,
        line_start: line("line_start")?,
        line_end: line("line_end")?,
        rule_id: text("rule_id")?,
        cwe: text("cwe")?,
        remediation: text("remediation")?,
        metadata,
        original_severity,
        suppression,
        compliance_tags: match object.get("compliance_tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(tags)) => tags
                .iter()
                .map(|t| t.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("`compliance_tags` holds a non-string")?,
            Some(_) => return Err("`compliance_tags` is not an array".into()),
        },
        fingerprint: text("fingerprint")?.unwrap_or_default(),
    })
}

/// The host's fields a findings file records in `metadata` (where the output writes them), taken
/// out of it: the file's suppressions stand as recorded (its inline marks were read when it was
/// written), and an override is not applied twice.
fn recorded_host_fields(
    metadata: &mut Metadata,
) -> Result<(Option<Severity>, Option<Suppression>), String> {
    let mut text = |key: &str| match metadata.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(format!("`metadata.{key}` is not a string")),
    };
    let original_severity = match text(ORIGINAL_SEVERITY)? {
        None => None,
        Some(text) => Some(
            parse_severity(&text)
                .ok_or_else(|| format!("unknown `metadata.{ORIGINAL_SEVERITY}` {text:?}"))?,
        ),
    };
    let reason = text(SUPPRESSION_REASON)?;
    let suppression = match (text(SUPPRESSED_BY)?, reason) {
        (Some(by), reason) => Some(Suppression {
            by: SuppressedBy::parse(&by),
            reason,
        }),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(format!(
                "`metadata.{SUPPRESSION_REASON}` without `metadata.{SUPPRESSED_BY}`"
            ));
        }
    };
    Ok((original_severity, suppression))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Vec<Finding>, SnapshotError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, text).unwrap();
        load_snapshot(&path)
    }

    const ONE: &str = r#"{"scanner":"semgrep","scan_type":"code","severity":"HIGH","title":"t","fingerprint":"ab","line_start":3}"#;

    #[test]
    fn a_bare_array_and_a_findings_object_both_load() {
        assert_eq!(load(&format!("[{ONE}]")).unwrap().len(), 1);
        let found = load(&format!(r#"{{"version":1,"findings":[{ONE}]}}"#)).unwrap();
        assert_eq!(found[0].fingerprint, "ab");
        assert_eq!(found[0].line_start, Some(3));
    }

    #[test]
    fn something_that_is_not_a_findings_file_is_an_error_naming_why() {
        let err = load(r#"{"runs": []}"#).unwrap_err().to_string();
        assert!(err.contains("not a findings file"), "{err}");
        let err = load(r#"[{"scanner":"x","scan_type":"code","title":"t"}]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("finding 0: `severity` is missing"), "{err}");
        assert!(
            load("not json")
                .unwrap_err()
                .to_string()
                .contains("not JSON")
        );
    }

    #[test]
    fn recorded_host_keys_become_the_typed_fields_and_are_written_back_in_place() {
        let entry = r#"{"scanner":"semgrep","scan_type":"code","severity":"low","title":"t","metadata":{"a":1,"original_severity":"high","suppressed_by":"inline","suppression_reason":"fixture","also_reported_by":[{"scanner":"bandit"}]}}"#;
        let found = load(&format!("[{entry}]")).unwrap();
        let f = &found[0];
        assert_eq!(f.original_severity, Some(Severity::High));
        assert_eq!(
            f.suppression,
            Some(Suppression {
                by: SuppressedBy::Inline,
                reason: Some("fixture".into())
            })
        );
        assert!(!f.metadata.contains_key(SUPPRESSED_BY));
        let written = serde_json::to_value(f).unwrap();
        let keys: Vec<&String> = written["metadata"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "a",
                "original_severity",
                "suppressed_by",
                "suppression_reason",
                "also_reported_by"
            ]
        );
    }

    #[test]
    fn a_mechanism_this_version_does_not_know_still_suppresses_as_written() {
        let entry = r#"{"scanner":"x","scan_type":"code","severity":"low","title":"t","metadata":{"suppressed_by":"waiver"}}"#;
        let found = load(&format!("[{entry}]")).unwrap();
        assert!(found[0].is_suppressed());
        assert_eq!(found[0].suppressed_by().map(|b| b.as_str()), Some("waiver"));
    }

    #[test]
    fn malformed_host_keys_are_errors_naming_the_finding() {
        let with = |metadata: &str| {
            load(&format!(
                r#"[{{"scanner":"x","scan_type":"code","severity":"low","title":"t","metadata":{metadata}}}]"#
            ))
            .unwrap_err()
            .to_string()
        };
        assert!(
            with(r#"{"suppressed_by":1}"#)
                .contains("finding 0: `metadata.suppressed_by` is not a string")
        );
        assert!(
            with(r#"{"original_severity":"huge"}"#)
                .contains(r#"finding 0: unknown `metadata.original_severity` "huge""#)
        );
        assert!(
            with(r#"{"suppression_reason":"r"}"#).contains(
                "finding 0: `metadata.suppression_reason` without `metadata.suppressed_by`"
            )
        );
    }
}
