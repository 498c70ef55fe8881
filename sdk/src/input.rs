use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed};

use crate::ParseError;

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

    /// The report as strict UTF-8 text, without the byte-order mark Windows tools often write
    /// (JSON parsers refuse it); empty or blank output is [`ParseError::Empty`].
    pub fn report_text(&self) -> Result<&str, ParseError> {
        let bytes = &self.report()?.bytes;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|err| {
            ParseError::Malformed(format!(
                "output is not UTF-8 (invalid byte at offset {})",
                err.valid_up_to()
            ))
        })?;
        if text.trim().is_empty() {
            return Err(ParseError::Empty("the tool printed nothing".into()));
        }
        Ok(text)
    }

    /// The report parsed as JSON into `T`, with the line and column of the first problem.
    pub fn report_json<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        parse_json(self.report_text()?)
    }

    /// The top-level keys of a JSON-object report, or `None` if it is not one. For telling another
    /// tool's output apart once a typed parse has failed.
    pub fn report_json_keys(&self) -> Option<Vec<String>> {
        let keys: BTreeMap<String, serde::de::IgnoredAny> = self.report_json().ok()?;
        Some(keys.into_keys().collect())
    }

    /// The report parsed as XML into `T`.
    pub fn report_xml<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        quick_xml::de::from_str(self.report_text()?)
            .map_err(|err| ParseError::Malformed(format!("invalid XML: {err}")))
    }
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

    #[test]
    fn non_utf8_names_the_offset() {
        let err = json_error(b"{\"results\": \xff}");
        assert_eq!(
            err,
            ParseError::Malformed("output is not UTF-8 (invalid byte at offset 12)".into())
        );
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
