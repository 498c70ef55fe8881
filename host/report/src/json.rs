use securescan_model::ScanResult;

/// The findings, two-space indented, keys in the documented order, with a final newline.
pub fn render(result: &ScanResult) -> String {
    let mut bytes = Vec::new();
    write(result, &mut bytes)
        .unwrap_or_else(|err| unreachable!("findings are plain data and always serialize: {err}"));
    String::from_utf8(bytes).unwrap_or_else(|err| unreachable!("serde_json writes UTF-8: {err}"))
}

/// [`render`], streamed into `out`.
pub fn write(result: &ScanResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &result.findings)?;
    out.write_all(b"\n")
}
