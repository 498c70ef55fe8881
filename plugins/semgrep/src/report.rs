//! The parts of semgrep's JSON report this adapter reads, read in one pass: each result is
//! handed on as soon as it is read, borrowing its text from the report, so a report of tens of
//! thousands of results is never also held as a list of them.

use std::borrow::Cow;
use std::fmt;

use securescan_adapter_sdk::{Input, ParseError, parse_json_seed};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// What is left of a report once its results have been handed on.
#[derive(Debug, Default)]
pub struct Report {
    has_results: bool,
    pub errors: Vec<SemgrepError>,
    // Present in every semgrep report and in no other tool's: how wrong-tool input is recognised.
    has_paths: bool,
    has_generated_at: bool,
}

/// Bandit's JSON also has `results`; its `generated_at` (and no `paths`) gives it away.
fn wrong_tool(has_paths: bool, has_generated_at: bool) -> Option<ParseError> {
    (has_generated_at && !has_paths).then(|| {
        ParseError::WrongTool(
            "this looks like bandit output (`generated_at`, no `paths`), not semgrep --json".into(),
        )
    })
}

impl Report {
    /// Read the report (`text`, the input's [`Input::report_text`]), calling `each` for every
    /// result in order. The results are the caller's to keep only once
    /// [`Report::check_is_semgrep`] passed.
    pub fn read<'de>(
        input: &Input,
        text: &'de str,
        each: impl FnMut(SemgrepResult<'de>),
    ) -> Result<Report, ParseError> {
        parse_json_seed(text, ReportSeed(each)).map_err(|err| explain(input, err))
    }

    /// Refuses other tools' JSON.
    pub fn check_is_semgrep(&self) -> Result<(), ParseError> {
        if let Some(err) = wrong_tool(self.has_paths, self.has_generated_at) {
            return Err(err);
        }
        if !self.has_results {
            return Err(ParseError::WrongTool(
                "no `results` array: not semgrep --json output".into(),
            ));
        }
        Ok(())
    }
}

/// When a report does not fit semgrep's shape, say so plainly if it is another tool's output.
fn explain(input: &Input, err: ParseError) -> ParseError {
    let keys = input.report_json_keys().unwrap_or_default();
    let has = |key: &str| keys.iter().any(|k| k == key);
    wrong_tool(has("paths"), has("generated_at")).unwrap_or(err)
}

/// The top-level object; `null` for `results`, `paths` or `generated_at` counts as absent.
struct ReportSeed<F>(F);

impl<'de, F: FnMut(SemgrepResult<'de>)> DeserializeSeed<'de> for ReportSeed<F> {
    type Value = Report;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Report, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(SemgrepResult<'de>)> Visitor<'de> for ReportSeed<F> {
    type Value = Report;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a semgrep JSON report (an object with `results`)")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Report, A::Error> {
        let mut report = Report::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "results" => report.has_results |= map.next_value_seed(Results(&mut self.0))?,
                "errors" => report.errors = map.next_value()?,
                "paths" => report.has_paths |= map.next_value::<Option<IgnoredAny>>()?.is_some(),
                "generated_at" => {
                    report.has_generated_at |= map.next_value::<Option<IgnoredAny>>()?.is_some()
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(report)
    }
}

/// The `results` array, each element handed on as it is read; `false` for `null`.
struct Results<'f, F>(&'f mut F);

impl<'de, F: FnMut(SemgrepResult<'de>)> DeserializeSeed<'de> for Results<'_, F> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, F: FnMut(SemgrepResult<'de>)> Visitor<'de> for Results<'_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of results")
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(result) = seq.next_element()? {
            (self.0)(result);
        }
        Ok(true)
    }
}

/// Text borrows from the report unless it holds escapes.
#[derive(Debug, Deserialize)]
pub struct SemgrepResult<'a> {
    #[serde(borrow)]
    pub check_id: Cow<'a, str>,
    #[serde(borrow)]
    pub path: Cow<'a, str>,
    pub start: Position,
    pub end: Position,
    #[serde(borrow)]
    pub extra: Extra<'a>,
}

#[derive(Debug, Deserialize)]
pub struct Position {
    pub line: u32,
}

#[derive(Debug, Deserialize)]
pub struct Extra<'a> {
    #[serde(borrow)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub severity: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub fix: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub metadata: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize)]
pub struct SemgrepError {
    level: Option<String>,
    message: Option<String>,
    path: Option<String>,
}

impl SemgrepError {
    pub fn describe(&self) -> String {
        let level = self.level.as_deref().unwrap_or("error");
        let message = self.message.as_deref().unwrap_or("(no message)").trim();
        match &self.path {
            Some(path) => format!("semgrep {level} in {path}: {message}"),
            None => format!("semgrep {level}: {message}"),
        }
    }
}

/// `metadata.cwe` is a list in current rules and a plain string in older ones. Only that key is
/// decoded; the rest of the object passes through as raw text.
pub fn first_cwe(metadata: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct CweOnly {
        cwe: Option<Value>,
    }
    match serde_json::from_str::<CweOnly>(metadata.get()).ok()?.cwe? {
        Value::String(text) => Some(text),
        Value::Array(items) => items.into_iter().next().map(|item| match item {
            Value::String(text) => text,
            other => other.to_string(),
        }),
        _ => None,
    }
}
