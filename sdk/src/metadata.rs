use std::borrow::Cow;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A finding's metadata: a JSON object. Either built key by key, or the raw text of an object
/// the tool printed, passed through untouched — which spares the adapter building a map only to
/// encode it again for the host.
#[derive(Debug, Clone)]
pub enum Metadata {
    Map(Map<String, Value>),
    Raw(Box<RawValue>),
}

impl Metadata {
    /// The JSON text the host receives.
    pub fn to_json(&self) -> String {
        match self {
            Metadata::Map(map) => serde_json::to_string(map).unwrap_or_else(|_| "{}".into()),
            Metadata::Raw(raw) => raw.get().to_string(),
        }
    }

    /// As a map. Raw text that is not a JSON object gives an empty map (the host would refuse it).
    pub fn into_map(self) -> Map<String, Value> {
        match self {
            Metadata::Map(map) => map,
            Metadata::Raw(raw) => decode(&raw),
        }
    }

    /// The object, decoded only when it is held as text.
    fn as_map(&self) -> Cow<'_, Map<String, Value>> {
        match self {
            Metadata::Map(map) => Cow::Borrowed(map),
            Metadata::Raw(raw) => Cow::Owned(decode(raw)),
        }
    }

    /// The value under `key` (`Null` when absent).
    pub fn get(&self, key: &str) -> Value {
        match self {
            Metadata::Map(map) => map.get(key).cloned().unwrap_or(Value::Null),
            Metadata::Raw(raw) if !may_hold(raw, key) => Value::Null,
            Metadata::Raw(raw) => decode(raw).remove(key).unwrap_or(Value::Null),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        match self {
            Metadata::Map(map) => map.contains_key(key),
            Metadata::Raw(raw) => may_hold(raw, key) && decode(raw).contains_key(key),
        }
    }

    /// Text stays text: a host holding tens of thousands of findings keeps each object compact.
    pub fn insert(&mut self, key: &str, value: Value) {
        match self {
            Metadata::Map(map) => {
                map.insert(key.to_string(), value);
            }
            Metadata::Raw(raw) => {
                let mut map = decode(raw);
                map.insert(key.to_string(), value);
                *self = encode(map);
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        match self {
            Metadata::Map(map) => map.shift_remove(key),
            Metadata::Raw(raw) if !may_hold(raw, key) => None,
            Metadata::Raw(raw) => {
                let mut map = decode(raw);
                let removed = map.shift_remove(key)?;
                *self = encode(map);
                Some(removed)
            }
        }
    }
}

/// Whether raw text can hold `key` at all: it must appear literally, unless an escape sequence
/// could spell it. Most lookups of a key a finding does not have end here, without decoding.
fn may_hold(raw: &RawValue, key: &str) -> bool {
    let text = raw.get();
    text.contains(key) || text.contains('\\')
}

fn decode(raw: &RawValue) -> Map<String, Value> {
    match serde_json::from_str(raw.get()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn encode(map: Map<String, Value>) -> Metadata {
    match serde_json::value::to_raw_value(&map) {
        Ok(raw) => Metadata::Raw(raw),
        // Unreachable for a map of JSON values; keeping the map loses nothing either way.
        Err(_) => Metadata::Map(map),
    }
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata::Map(Map::new())
    }
}

impl From<Map<String, Value>> for Metadata {
    fn from(map: Map<String, Value>) -> Self {
        Metadata::Map(map)
    }
}

/// Equal when they hold the same object, however each is stored.
impl PartialEq for Metadata {
    fn eq(&self, other: &Self) -> bool {
        self.as_map() == other.as_map()
    }
}

/// Serialized as the object itself, so snapshots and JSON output look the same either way.
impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_map().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_built_metadata_compare_and_serialize_alike() {
        let raw = Metadata::Raw(RawValue::from_string(r#"{"a": 1, "b": [true]}"#.into()).unwrap());
        let mut built = Metadata::default();
        built.insert("a", 1.into());
        built.insert("b", serde_json::json!([true]));
        assert_eq!(raw, built);
        assert_eq!(
            serde_json::to_string(&raw).unwrap(),
            r#"{"a":1,"b":[true]}"#
        );
        assert_eq!(
            raw.to_json(),
            r#"{"a": 1, "b": [true]}"#,
            "raw text passes through untouched"
        );
    }

    #[test]
    fn inserting_into_raw_metadata_keeps_its_keys() {
        let mut raw = Metadata::Raw(RawValue::from_string(r#"{"a": 1}"#.into()).unwrap());
        raw.insert("b", 2.into());
        assert_eq!(raw.to_json(), r#"{"a":1,"b":2}"#);
        assert!(matches!(raw, Metadata::Raw(_)), "text stays text");
    }

    // Found by the metadata_raw fuzz target: without exact float parsing, a number re-encoded
    // after an insert read back one unit in the last place off what the first decoding gave.
    #[test]
    fn numbers_survive_an_insert_into_raw_metadata_exactly() {
        let text = r#"{"n": 4444444444444444444444444444444441}"#;
        let mut raw = Metadata::Raw(RawValue::from_string(text.into()).unwrap());
        let before = raw.get("n");
        raw.insert("k", Value::from("v"));
        assert_eq!(raw.get("n"), before);
    }

    #[test]
    fn lookups_read_raw_text_including_keys_spelled_with_escapes() {
        let raw = Metadata::Raw(
            RawValue::from_string(r#"{"a": 1, "suppressed\u005fby": "x"}"#.into()).unwrap(),
        );
        assert_eq!(raw.get("a"), 1);
        assert!(raw.get("b").is_null());
        assert!(raw.contains_key("suppressed_by"));
        assert!(!raw.contains_key("b"));
    }

    #[test]
    fn removing_from_raw_metadata_keeps_the_other_keys_in_order() {
        for mut metadata in [
            Metadata::Raw(RawValue::from_string(r#"{"c": 1, "a": 2, "b": 3}"#.into()).unwrap()),
            Metadata::Raw(RawValue::from_string(r#"{"c": 1, "a": 2, "b": 3}"#.into()).unwrap())
                .into_map()
                .into(),
        ] {
            assert_eq!(metadata.remove("a"), Some(Value::from(2)));
            assert_eq!(metadata.remove("z"), None);
            assert_eq!(metadata.to_json(), r#"{"c":1,"b":3}"#);
        }
    }
}
