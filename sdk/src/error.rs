use std::fmt;

/// Why an input could not be turned into findings. Mirrors the WIT `parse-error` variant; the
/// message says what was wrong and where (line, column, field), because the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The input was empty where the tool always prints something.
    Empty(String),
    /// Not valid for the format: bad JSON or XML, truncated, not UTF-8, wrong shape.
    Malformed(String),
    /// Well-formed, but some other tool's output.
    WrongTool(String),
    /// A tool version this adapter does not understand.
    UnsupportedVersion(String),
    /// Well-formed, but the report says the tool itself failed (an `error` object, a refused
    /// registry request). Never to be read as "no findings".
    ToolFailed(String),
}

impl ParseError {
    /// The kind as a stable lowercase word, for logs and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::Empty(_) => "empty",
            ParseError::Malformed(_) => "malformed",
            ParseError::WrongTool(_) => "wrong-tool",
            ParseError::UnsupportedVersion(_) => "unsupported-version",
            ParseError::ToolFailed(_) => "tool-failed",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ParseError::Empty(m)
            | ParseError::Malformed(m)
            | ParseError::WrongTool(m)
            | ParseError::UnsupportedVersion(m)
            | ParseError::ToolFailed(m) => m,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

impl std::error::Error for ParseError {}
