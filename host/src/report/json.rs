use crate::scan::ScanResult;

/// The findings, two-space indented, keys in the documented order, with a final newline.
pub fn render(result: &ScanResult) -> String {
    let mut text = serde_json::to_string_pretty(&result.findings)
        .unwrap_or_else(|err| unreachable!("findings are plain data and always serialize: {err}"));
    text.push('\n');
    text
}
