use serde::Serialize;

use securescan_model::{Finding, ScanResult, ScanType, ScannerOutcome, ScannerStatus, Summary};

/// The findings, two-space indented, keys in the documented order, with a final newline.
pub fn render(result: &ScanResult) -> String {
    to_string(|out| write(result, out))
}

/// [`render`], streamed into `out`.
pub fn write(result: &ScanResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_array(&result.findings, out)?;
    out.write_all(b"\n")
}

/// Findings serialized together on one thread: enough that a piece costs far more than its
/// thread, few enough that the pieces in flight stay a few megabytes.
const FINDINGS_PER_PIECE: usize = 1024;

/// `findings` as `serde_json::to_writer_pretty` writes them, serialized in pieces on every core
/// (a big scan's output is otherwise one core's work after all the others are done). A piece is
/// a pretty array of some of the findings: without its brackets it is their elements, each on
/// its own line at the array's indent, and the pieces joined by commas are the whole array's.
fn write_array(findings: &[Finding], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if findings.is_empty() {
        return serde_json::to_writer_pretty(out, findings).map_err(Into::into);
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    out.write_all(b"[")?;
    for (round, findings) in findings.chunks(FINDINGS_PER_PIECE * cores).enumerate() {
        let pieces: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let mut pieces = findings.chunks(FINDINGS_PER_PIECE);
            let first = pieces.next();
            let threads: Vec<_> = pieces
                .map(|piece| scope.spawn(move || pretty_piece(piece)))
                .collect();
            // This thread serializes the first piece while the others serialize theirs.
            first
                .map(pretty_piece)
                .into_iter()
                .chain(threads.into_iter().map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }))
                .collect()
        });
        for (index, piece) in pieces.iter().enumerate() {
            if round > 0 || index > 0 {
                out.write_all(b",")?;
            }
            // `[` first, `\n]` last: what is between is the elements.
            out.write_all(&piece[1..piece.len() - 2])?;
        }
    }
    out.write_all(b"\n]")
}

fn pretty_piece(findings: &[Finding]) -> Vec<u8> {
    serde_json::to_vec_pretty(findings)
        .unwrap_or_else(|err| unreachable!("findings are plain data and always serialize: {err}"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use securescan_model::Severity;

    #[test]
    fn findings_serialized_in_pieces_are_the_bytes_of_one_pretty_array() {
        for count in [
            0,
            1,
            FINDINGS_PER_PIECE,
            FINDINGS_PER_PIECE + 1,
            5 * FINDINGS_PER_PIECE + 7,
        ] {
            let findings: Vec<Finding> = (0..count)
                .map(|n| Finding {
                    line_start: Some(n as u32),
                    compliance_tags: vec![format!("T-{n}")],
                    ..Finding::sample("semgrep", "t\n\"x\"", Severity::High)
                })
                .collect();
            let result = ScanResult {
                scan_id: String::new(),
                target: String::new(),
                scan_types: Vec::new(),
                scanners: Vec::new(),
                findings,
            };
            let whole = serde_json::to_string_pretty(&result.findings).unwrap() + "\n";
            assert!(render(&result) == whole, "{count} findings");
        }
    }
}
