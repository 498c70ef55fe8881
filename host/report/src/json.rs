use serde::Serialize;

use securescan_model::{Finding, ScanResult, ScanType, ScannerOutcome, ScannerStatus, Summary};

/// The findings, two-space indented, keys in the documented order, with a final newline.
pub fn render(result: &ScanResult) -> String {
    to_string(|out| write(result, out))
}

/// [`render`], streamed into `out`.
pub fn write(result: &ScanResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &result.findings)?;
    out.write_all(b"\n")
}

/// `json-envelope`: the same findings inside an object that says how every scanner ended, so a
/// consumer can tell a clean scan from one where nothing ran. Opt-in: `json` stays the bare array
/// the docs promise.
#[derive(Serialize)]
struct Envelope<'a> {
    /// The envelope's own shape; a change that breaks a reader raises it.
    version: u32,
    scan_id: &'a str,
    target: &'a str,
    scan_types: &'a [ScanType],
    /// Every selected scanner completed: none was skipped and none failed.
    complete: bool,
    scanners: &'a [ScannerOutcome],
    summary: Summary,
    findings: &'a [Finding],
}

pub fn render_envelope(result: &ScanResult) -> String {
    to_string(|out| write_envelope(result, out))
}

/// [`render_envelope`], streamed into `out`.
pub fn write_envelope(result: &ScanResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let envelope = Envelope {
        version: 1,
        scan_id: &result.scan_id,
        target: &result.target,
        scan_types: &result.scan_types,
        complete: result
            .scanners
            .iter()
            .all(|s| matches!(s.status, ScannerStatus::Completed { .. })),
        scanners: &result.scanners,
        summary: result.summary(),
        findings: &result.findings,
    };
    serde_json::to_writer_pretty(&mut *out, &envelope)?;
    out.write_all(b"\n")
}

fn to_string(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut bytes = Vec::new();
    write(&mut bytes)
        .unwrap_or_else(|err| unreachable!("findings are plain data and always serialize: {err}"));
    String::from_utf8(bytes).unwrap_or_else(|err| unreachable!("serde_json writes UTF-8: {err}"))
}
