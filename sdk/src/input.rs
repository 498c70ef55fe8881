use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed};

use crate::ParseError;
use crate::text::utf8_lossy;

/// What an external tool printed, captured by the host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolReport {
    pub bytes: Vec<u8>,
    /// `None` when the process was killed by a signal.
    pub exit_code: Option<i32>,
    pub tool_version: Option<String>,
}

/// A file the host read for a built-in analyzer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatheredFile {
    /// Target-prefixed path, exactly as findings should report it.
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    Other,
    Missing,
}

/// File metadata the host probed, without contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetadata {
    pub path: String,
    pub kind: FileKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// One HTTP request the host made and its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub headers: Vec<Header>,
    pub body_prefix: Vec<u8>,
}

/// What a command the host ran printed, named as in the adapter's registry entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    pub name: String,
    /// `None` when the command could not be started, timed out or was killed by a signal.
    pub exit_code: Option<i32>,
    pub stdout: Vec<u8>,
}

impl CommandOutput {
    /// The output as text when the command ran and exited 0; lossy, since system tools print
    /// whatever bytes file names hold.
    pub fn succeeded_text(&self) -> Option<String> {
        (self.exit_code == Some(0)).then(|| String::from_utf8_lossy(&self.stdout).into_owned())
    }
}

/// Everything the host hands an adapter for one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub target: String,
    pub report: Option<ToolReport>,
    pub files: Vec<GatheredFile>,
    pub metadata: Vec<FileMetadata>,
    pub exchanges: Vec<HttpExchange>,
    pub commands: Vec<CommandOutput>,
    /// Host environment variables the registry entry asked for, by name.
    pub environment: BTreeMap<String, String>,
    /// Facts about this call (`file`, `mode`, `tool`); see `wit/adapter.wit`.
    pub settings: BTreeMap<String, String>,
}

impl Input {
    /// An input carrying only a tool report: what tests of tool adapters start from.
    pub fn from_report(bytes: impl Into<Vec<u8>>) -> Self {
        Input {
            report: Some(ToolReport {
                bytes: bytes.into(),
                exit_code: Some(0),
                tool_version: None,
            }),
            ..Input::default()
        }
    }

    /// An input carrying only gathered files: what tests of built-in analyzers start from.
    pub fn from_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Input {
            files: files
                .into_iter()
                .map(|(path, bytes)| GatheredFile { path, bytes })
                .collect(),
            ..Input::default()
        }
    }

    /// The output of the command the registry entry named `name`, if the host ran it.
    pub fn command(&self, name: &str) -> Option<&CommandOutput> {
        self.commands.iter().find(|c| c.name == name)
    }

    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }

    /// The tool report, or a clear error when the host gave none.
    pub fn report(&self) -> Result<&ToolReport, ParseError> {
        self.report
            .as_ref()
            .ok_or_else(|| ParseError::Malformed("no tool report was given to this adapter".into()))
    }

    /// The report as text, without the byte-order mark Windows tools often write (JSON parsers
    /// refuse it); a UTF-16 report (with its byte-order mark) is decoded. Bytes that are not text
    /// cost only themselves, never the report: an invalid UTF-8 sequence or UTF-16 unit becomes
    /// U+FFFD, and so does a JSON `\u` escape of a lone UTF-16 surrogate, which no Rust string
    /// can hold (Python's `json` writes `\udcff` for a file name holding the byte 0xff). The text
    /// is borrowed from the report unless something had to be replaced. Empty or blank output is
    /// [`ParseError::Empty`].
    pub fn report_text(&self) -> Result<Cow<'_, str>, ParseError> {
        let text = decode_text(&self.report()?.bytes);
        if text.trim().is_empty() {
            return Err(ParseError::Empty("the tool printed nothing".into()));
        }
        Ok(text)
    }

    /// The report parsed as JSON into `T`, with the line and column of the first problem.
    pub fn report_json<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        parse_json(&self.report_text()?)
    }

    /// The top-level keys of a JSON-object report, or `None` if it is not one. For telling another
    /// tool's output apart once a typed parse has failed.
    pub fn report_json_keys(&self) -> Option<Vec<String>> {
        let keys: BTreeMap<String, serde::de::IgnoredAny> = self.report_json().ok()?;
        Some(keys.into_keys().collect())
    }

    /// The report parsed as XML into `T`.
    pub fn report_xml<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        quick_xml::de::from_str(&self.report_text()?)
            .map_err(|err| ParseError::Malformed(format!("invalid XML: {err}")))
    }
}

/// `bytes` as text: a UTF-8 or UTF-16 byte-order mark picks the encoding (UTF-8 without one),
/// and what cannot be decoded becomes U+FFFD; see [`Input::report_text`].
fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    let utf16 = |rest: &[u8], decode: fn([u8; 2]) -> u16| {
        let units = rest.chunks(2).map(|pair| match pair {
            [a, b] => decode([*a, *b]),
            // An odd trailing byte is half a unit.
            _ => 0xFFFD,
        });
        Cow::Owned(
            char::decode_utf16(units)
                .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    };
    let text = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8_lossy(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => utf8_lossy(bytes),
    };
    replace_lone_surrogate_escapes(text)
}

/// `text` with each `\u` escape of a UTF-16 surrogate that is not half of a pair turned into
/// `\ufffd`. The two have the same length, so offsets in later parse errors stay right. A
/// backslash starts an escape only when it is not itself escaped (`\\udcff` is text).
fn replace_lone_surrogate_escapes(mut text: Cow<'_, str>) -> Cow<'_, str> {
    let is_high = |u: u16| (0xD800..=0xDBFF).contains(&u);
    let is_low = |u: u16| (0xDC00..=0xDFFF).contains(&u);
    let mut at = 0;
    while let Some(found) = text.as_bytes()[at..].iter().position(|b| *b == b'\\') {
        at += found;
        let bytes = text.as_bytes();
        match escaped_unit(bytes, at) {
            Some(high) if is_high(high) && escaped_unit(bytes, at + 6).is_some_and(is_low) => {
                at += 12;
            }
            Some(unit) if is_high(unit) || is_low(unit) => {
                text.to_mut().replace_range(at + 2..at + 6, "fffd");
                at += 6;
            }
            Some(_) => at += 6,
            // Any other escape, an escaped backslash included, is two characters long.
            None => at += 2,
        }
        at = at.min(text.len());
    }
    text
}

/// The UTF-16 unit of the `\uXXXX` escape at `at`, if one is there.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 6)?.strip_prefix(b"\\u")?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Parse JSON text into `T` (which may borrow from it); errors say where (line, column) and why,
/// and call a cut-off document truncated rather than merely invalid.
pub fn parse_json<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(json_error)
}

/// Like [`parse_json`], driven by a seed: for reading a large report in one pass while handing
/// each record on as it is read, instead of collecting all of them first.
pub fn parse_json_seed<'a, S: DeserializeSeed<'a>>(
    text: &'a str,
    seed: S,
) -> Result<S::Value, ParseError> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut reader).map_err(json_error)?;
    reader.end().map_err(json_error)?;
    Ok(value)
}

fn json_error(err: serde_json::Error) -> ParseError {
    let what = if err.is_eof() {
        "truncated JSON"
    } else {
        "invalid JSON"
    };
    ParseError::Malformed(format!("{what}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        #[allow(dead_code, reason = "only its presence is checked")]
        results: Vec<u32>,
    }

    fn json_error(bytes: &[u8]) -> ParseError {
        Input::from_report(bytes).report_json::<Doc>().unwrap_err()
    }

    #[test]
    fn blank_output_is_empty() {
        assert!(matches!(json_error(b"  \n"), ParseError::Empty(_)));
    }

    #[test]
    fn cut_off_json_is_called_truncated() {
        let err = json_error(br#"{"results": [1, 2"#);
        assert!(err.message().starts_with("truncated JSON"), "{err}");
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = json_error(b"{\n  \"results\": nope }");
        assert!(err.message().contains("line 2 column"), "{err}");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Issue {
        filename: String,
        line: u32,
    }

    fn issues(bytes: &[u8]) -> Vec<(String, u32)> {
        Input::from_report(bytes)
            .report_json::<Vec<Issue>>()
            .unwrap()
            .into_iter()
            .map(|issue| (issue.filename, issue.line))
            .collect()
    }

    #[test]
    fn a_byte_that_is_not_utf8_costs_only_itself_not_the_report() {
        assert_eq!(
            issues(b"[{\"filename\": \"bad\xff.py\", \"line\": 2}, {\"filename\": \"ok.py\", \"line\": 5}]"),
            vec![("bad\u{fffd}.py".into(), 2), ("ok.py".into(), 5)]
        );
        // A cut-off multi-byte sequence before the closing quote leaves the quote alone.
        assert_eq!(
            issues(b"[{\"filename\": \"bad\xe2\x82\", \"line\": 1}]"),
            vec![("bad\u{fffd}".into(), 1)]
        );
    }

    #[test]
    fn python_escapes_of_undecodable_file_names_cost_only_those_characters() {
        // What bandit (Python's json, ensure_ascii) prints for the file name b"bad\xff.py".
        assert_eq!(
            issues(br#"[{"filename": "./bad\udcff.py", "line": 2}, {"filename": "./good.py", "line": 3}]"#),
            vec![("./bad\u{fffd}.py".into(), 2), ("./good.py".into(), 3)]
        );
        // A lone high surrogate, at the very end of a string and before another escape.
        assert_eq!(
            issues(
                br#"[{"filename": "a\ud800", "line": 1}, {"filename": "b\ud83d\n", "line": 2}]"#
            ),
            vec![("a\u{fffd}".into(), 1), ("b\u{fffd}\n".into(), 2)]
        );
    }

    #[test]
    fn surrogate_pairs_and_escaped_backslashes_are_left_as_they_are() {
        let report = br#"[{"filename": "\ud83d\ude00 \\udcff \\\udcff", "line": 1}]"#;
        assert_eq!(
            issues(report),
            vec![("\u{1f600} \\udcff \\\u{fffd}".into(), 1)]
        );
        let clean = Input::from_report(br#"{"a": "\\ud800"}"#.to_vec());
        assert!(matches!(clean.report_text().unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_reports_are_decoded_and_their_broken_units_replaced() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "[{\"filename\": \"x".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        // An unpaired surrogate unit inside the name.
        bytes.extend(0xDC00u16.to_le_bytes());
        for unit in "\", \"line\": 4}]".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert_eq!(issues(&bytes), vec![("x\u{fffd}".into(), 4)]);
    }

    #[test]
    fn missing_report_is_an_error_not_a_panic() {
        assert!(matches!(
            Input::default().report_json::<Doc>(),
            Err(ParseError::Malformed(_))
        ));
    }

    #[test]
    fn xml_errors_are_malformed() {
        let err = Input::from_report(b"<a><b></a>".to_vec())
            .report_xml::<serde_json::Value>()
            .unwrap_err();
        assert_eq!(err.kind(), "malformed");
    }
}
