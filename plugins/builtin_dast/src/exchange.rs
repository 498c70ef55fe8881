//! What the checks share: the exchanges of one scan and header lookup.

use securescan_adapter_sdk::{Finding, HttpExchange, Input, ParseError, Severity};

/// Header values and cookie names come from the server; keep them readable in titles and
/// metadata.
pub const VALUE_CHARS: usize = 200;

pub struct Scan<'a> {
    /// The URL the user gave (the first hop's URL if the host passed none).
    pub target_url: &'a str,
    pub hops: &'a [HttpExchange],
    pub last: &'a HttpExchange,
}

impl<'a> Scan<'a> {
    pub fn new(input: &'a Input) -> Result<Self, ParseError> {
        let (Some(first), Some(last)) = (input.exchanges.first(), input.exchanges.last()) else {
            return Err(ParseError::Malformed(
                "no HTTP response was given to builtin_dast: expected the host's exchanges for \
                 one GET of the target URL (one per redirect hop)"
                    .into(),
            ));
        };
        let target_url = match input.target.trim() {
            "" => first.url.as_str(),
            target => target,
        };
        Ok(Scan {
            target_url,
            hops: &input.exchanges,
            last,
        })
    }

    /// A finding with the metadata every DAST finding carries.
    pub fn finding(
        &self,
        severity: Severity,
        title: &str,
        description: &str,
        url: &str,
    ) -> Finding {
        Finding::new(title, description, severity)
            .meta("target_url", self.target_url)
            .meta("url", url)
    }
}

/// Every value of header `name` (case-insensitive), trimmed, in the order received.
pub fn values<'a>(exchange: &'a HttpExchange, name: &str) -> Vec<&'a str> {
    exchange
        .headers
        .iter()
        .filter(|h| h.name.trim().eq_ignore_ascii_case(name))
        .map(|h| h.value.trim())
        .collect()
}

/// Whether `url` uses `scheme` (`http`, `https`), in any case.
pub fn has_scheme(url: &str, scheme: &str) -> bool {
    url.trim()
        .split_once("://")
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case(scheme))
}

/// At most [`VALUE_CHARS`] characters, with `…` marking a cut.
pub fn capped(text: &str) -> String {
    match text.char_indices().nth(VALUE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
