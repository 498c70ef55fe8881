//! Any bytes as a `securescan serve` request body, as a query string, as a presented API key and
//! as an SSE event token: a value, a 422 detail locating the problem, or a refusal, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_server::credentials::{EventTokens, key_id, key_matches};
use securescan_server::extract::{Query, parse_body};
use securescan_server::routes::keys::KeyCreate;
use securescan_server::routes::scans::ScanCreate;
use securescan_server::routes::triage::{CommentCreate, StateUpdate};

fuzz_target!(|data: &[u8]| {
    let _ = parse_body::<ScanCreate>(data);
    let _ = parse_body::<StateUpdate>(data);
    let _ = parse_body::<CommentCreate>(data);
    let _ = parse_body::<KeyCreate>(data);
    let text = String::from_utf8_lossy(data);
    let _ = key_id(&text);
    let _ = key_matches(&text, "00112233445566778899aabbccddeeff$abc");
    let _ = key_matches("ssk_AAAAAAAAAA_x", &text);
    if let Ok(tokens) = EventTokens::new(Some("fuzz")) {
        let _ = tokens.verify(&text, 0);
    }
    let query = Query::parse(&String::from_utf8_lossy(data));
    let _ = query.bounded("limit", 1u32, 10_000);
    let _ = query.flag("suppressed");
    let _ = query.choices("severity", &["critical", "high"]);
    let _ = query.required("scan_a");
});
