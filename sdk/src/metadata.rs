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
            Metadata::Raw(raw) => match serde_json::from_str(raw.get()) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
        }
    }

    /// The value under `key` (`Null` when absent): what tests of an adapter's metadata read.
    pub fn get(&self, key: &str) -> Value {
        self.clone().into_map().remove(key).unwrap_or(Value::Null)
    }

    pub fn insert(&mut self, key: &str, value: Value) {
        if let Metadata::Raw(_) = self {
            *self = Metadata::Map(std::mem::take(self).into_map());
        }
        if let Metadata::Map(map) = self {
            map.insert(key.to_string(), value);
        }
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
        self.clone().into_map() == other.clone().into_map()
    }
}

/// Serialized as the object itself, so snapshots and JSON output look the same either way.
impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.clone().into_map().serialize(serializer)
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
    }
}
