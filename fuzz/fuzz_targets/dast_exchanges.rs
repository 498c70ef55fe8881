//! Any bytes as the HTTP exchanges of one scan: split at each 0xFF byte into hops (a redirect
//! chain), each read as text whose first line is `[status] url` and whose other lines are
//! `Name: value` headers (a line without a colon is one more Set-Cookie value). Findings or a
//! typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, Header, HttpExchange, Input};

/// More hops than the host follows; more only repeats the same checks.
const MAX_HOPS: usize = 8;

fn exchange(bytes: &[u8], last: bool) -> HttpExchange {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let (status, url) = match first.split_once(' ') {
        Some((code, url)) if code.parse::<u16>().is_ok() => (code.parse().unwrap_or(0), url),
        _ => (if last { 200 } else { 302 }, first),
    };
    let headers = lines
        .map(|line| match line.split_once(':') {
            Some((name, value)) => Header {
                name: name.into(),
                value: value.into(),
            },
            None => Header {
                name: "Set-Cookie".into(),
                value: line.into(),
            },
        })
        .collect();
    HttpExchange {
        method: "GET".into(),
        url: url.into(),
        status,
        headers,
        body_prefix: Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let hops: Vec<&[u8]> = data.split(|b| *b == 0xff).take(MAX_HOPS).collect();
    let input = Input {
        exchanges: hops
            .iter()
            .enumerate()
            .map(|(index, hop)| exchange(hop, index + 1 == hops.len()))
            .collect(),
        ..Input::default()
    };
    let _ = securescan_adapter_builtin_dast::BuiltinDast::parse(&input);
});
