//! Reading requests: JSON bodies, query strings and path ids, each failure a 4xx with a
//! `detail` that says what was wrong (never a panic, never a 500).

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::{ApiError, Invalid};

/// A JSON request body of type `T`. Unknown fields are ignored (as documented); every problem
/// with a known one is a 422 locating it (`["body", "scan_types", 0]`).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(|value| {
                let essence = value.split(';').next().unwrap_or("").trim();
                essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
            });
        if json_type == Some(false) {
            return Err(ApiError::Client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the request body must be JSON (Content-Type: application/json)".into(),
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::Client(rejection.status(), rejection.body_text()))?;
        parse_body(&bytes).map(Body)
    }
}

/// A 422 on body field `field` when `value` has more than `max` characters.
pub fn too_long(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::Validation(vec![Invalid::new(
            "string_too_long",
            vec![json!("body"), json!(field)],
            format!("String should have at most {max} characters"),
            Value::Null,
        )])),
        _ => Ok(()),
    }
}

/// `bytes` as a `T`, or the 422 saying why not.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    // Trailing bytes after the document are a syntax error like any other.
    if parsed.is_ok()
        && let Err(err) = deserializer.end()
    {
        return Err(ApiError::Validation(vec![describe(
            &err,
            vec![json!("body")],
        )]));
    }
    parsed.map_err(|err| {
        let mut loc = vec![json!("body")];
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => loc.push(json!(index)),
                serde_path_to_error::Segment::Map { key } => loc.push(json!(key)),
                serde_path_to_error::Segment::Enum { variant } => loc.push(json!(variant)),
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        ApiError::Validation(vec![describe(err.inner(), loc)])
    })
}

/// serde's error as a 422 entry. serde_json only says what went wrong in its message, so the
/// kind is read from it; the message itself is passed on.
fn describe(err: &serde_json::Error, mut loc: Vec<Value>) -> Invalid {
    let message = err.to_string();
    let text = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(head, _)| head)
        .to_string();
    if err.is_syntax() || err.is_eof() {
        return Invalid::new(
            "json_invalid",
            loc,
            "JSON decode error",
            json!({ "error": text }),
        );
    }
    if let Some(field) = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        loc.push(json!(field));
        return Invalid::new("missing", loc, "Field required", Value::Null);
    }
    if let Some(rest) = text.strip_prefix("unknown variant `") {
        let (given, expected) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        let options: Vec<&str> = expected
            .split(", ")
            .map(|o| o.trim_start_matches("one of ").trim_matches('`'))
            .filter(|o| !o.is_empty())
            .collect();
        return Invalid::new(
            "enum",
            loc,
            format!("Input should be {}", quoted_choice(&options)),
            json!(given.trim_end_matches('`')),
        );
    }
    let kind = if text.starts_with("invalid type") || text.starts_with("invalid value") {
        "type_error"
    } else {
        "value_error"
    };
    Invalid::new(kind, loc, text, Value::Null)
}

/// `'a', 'b' or 'c'`, as the original's enum errors read.
pub fn quoted_choice(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("'{o}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The query string as name/value pairs, in order (a name may repeat: `severity=high&severity=low`).
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Query::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Query {
    /// A raw query string (`a=1&b=x%20y`), percent-decoded; invalid UTF-8 is replaced.
    pub fn parse(raw: &str) -> Query {
        Query(
            form_urlencoded::parse(raw.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// The last value given for `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.text(name).ok_or_else(|| {
            ApiError::Validation(vec![Invalid::new(
                "missing",
                vec![json!("query"), json!(name)],
                "Field required",
                Value::Null,
            )])
        })
    }

    /// Every value of `name`, repeated or comma-separated, blanks dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// `name` as a whole number in `min..=max`, if given.
    pub fn bounded<T>(&self, name: &str, min: T, max: T) -> Result<Option<T>, ApiError>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(text) = self.text(name) else {
            return Ok(None);
        };
        let value: T = text.trim().parse().map_err(|_| {
            ApiError::query(
                name,
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                text,
            )
        })?;
        if value < min {
            return Err(ApiError::query(
                name,
                "greater_than_equal",
                format!("Input should be greater than or equal to {min}"),
                text,
            ));
        }
        if value > max {
            return Err(ApiError::query(
                name,
                "less_than_equal",
                format!("Input should be less than or equal to {max}"),
                text,
            ));
        }
        Ok(Some(value))
    }

    /// `name` as a boolean (`true`/`false`, `1`/`0`), if given.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.text(name).map(|t| t.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(t) if t == "true" || t == "1" => Ok(Some(true)),
            Some(t) if t == "false" || t == "0" => Ok(Some(false)),
            Some(t) => Err(ApiError::query(
                name,
                "bool_parsing",
                "Input should be a valid boolean, unable to interpret input",
                &t,
            )),
        }
    }

    /// Each value of `name` checked against `allowed`, as an enum.
    pub fn choices(&self, name: &str, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
        let values = self.list(name);
        for value in &values {
            if !allowed.contains(&value.as_str()) {
                return Err(ApiError::query(
                    name,
                    "enum",
                    format!("Input should be {}", quoted_choice(allowed)),
                    value,
                ));
            }
        }
        Ok(values)
    }
}
