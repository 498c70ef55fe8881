//! NSE script output, kept readable and bounded: `vulners` alone can print tens of kilobytes per
//! port, which would swamp the description and the host's metadata limits.

use serde_json::{Map, Value};

use crate::report::Script;

/// Bytes of one script's output kept in metadata.
const MAX_OUTPUT_BYTES: usize = 2048;
/// Characters of a script's first line shown in the description.
const MAX_SUMMARY_CHARS: usize = 160;
/// Scripts summarised in the description; all of them stay in metadata.
const MAX_SUMMARY_LINES: usize = 8;

/// `{script id: output}`, each output trimmed and capped.
pub fn metadata(scripts: &[&Script]) -> Value {
    let map: Map<String, Value> = scripts
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                Value::String(cap_bytes(s.output.trim(), MAX_OUTPUT_BYTES)),
            )
        })
        .collect();
    Value::Object(map)
}

/// One line per script, `NSE <id>: <first line of its output>`, for the description.
pub fn summary(scripts: &[&Script]) -> Vec<String> {
    let mut lines: Vec<String> = scripts
        .iter()
        .take(MAX_SUMMARY_LINES)
        .map(|s| {
            let first = s
                .output
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("(no output)");
            format!("NSE {}: {}", s.id, cap_chars(first, MAX_SUMMARY_CHARS))
        })
        .collect();
    if scripts.len() > MAX_SUMMARY_LINES {
        lines.push(format!(
            "… and {} more NSE results in the metadata.",
            scripts.len() - MAX_SUMMARY_LINES
        ));
    }
    lines
}

fn cap_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [truncated, {} bytes in all]",
        text.get(..end).unwrap_or_default(),
        text.len()
    )
}

fn cap_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_cut_on_character_boundaries() {
        let text = "é".repeat(2000);
        let capped = cap_bytes(&text, 2047);
        assert!(capped.starts_with(&"é".repeat(1023)));
        assert!(capped.ends_with("[truncated, 4000 bytes in all]"));
        assert_eq!(cap_chars("ab€d", 3), "ab€…");
        assert_eq!(cap_chars("abc", 3), "abc");
    }
}
