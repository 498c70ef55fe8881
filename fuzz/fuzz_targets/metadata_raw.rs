//! Any text as a finding's metadata and any key: reading, adding and removing the key on the raw
//! text (the form the host keeps every finding's metadata in) answers exactly what the decoded
//! map answers, including for keys spelled with escapes, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::Metadata;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    // The first byte says where the key ends and the JSON text starts.
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let split = usize::from(split).min(text.len());
    if !text.is_char_boundary(split) {
        return;
    }
    let (key, json) = text.split_at(split);
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
        return;
    };
    let raw = Metadata::Raw(RawValue::from_string(json.to_string()).expect("valid JSON"));
    let decoded = Metadata::Map(map.clone());

    assert_eq!(raw.get(key), map.get(key).cloned().unwrap_or(Value::Null));
    assert_eq!(raw.contains_key(key), map.contains_key(key));
    assert_eq!(raw, decoded);

    let (mut raw_removed, mut decoded_removed) = (raw.clone(), decoded.clone());
    assert_eq!(raw_removed.remove(key), decoded_removed.remove(key));
    assert_eq!(raw_removed, decoded_removed);
    assert!(!raw_removed.contains_key(key));

    let (mut raw_added, mut decoded_added) = (raw, decoded);
    raw_added.insert(key, Value::from("added"));
    decoded_added.insert(key, Value::from("added"));
    assert_eq!(raw_added, decoded_added);
    assert_eq!(raw_added.get(key), Value::from("added"));
    assert!(matches!(raw_added, Metadata::Raw(_)), "text stays text");
    let reread: Map<String, Value> =
        serde_json::from_str(&raw_added.to_json()).expect("the host can read it back");
    assert_eq!(reread, decoded_added.into_map());
});
