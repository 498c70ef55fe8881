//! Any bytes as a `securescan serve` request body, and as a query string: a value or a 422
//! detail locating the problem, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_server::extract::{Query, parse_body};
use securescan_server::routes::scans::ScanCreate;
use securescan_server::routes::triage::{CommentCreate, StateUpdate};

fuzz_target!(|data: &[u8]| {
    let _ = parse_body::<ScanCreate>(data);
    let _ = parse_body::<StateUpdate>(data);
    let _ = parse_body::<CommentCreate>(data);
    let query = Query::parse(&String::from_utf8_lossy(data));
    let _ = query.bounded("limit", 1u32, 10_000);
    let _ = query.flag("suppressed");
    let _ = query.choices("severity", &["critical", "high"]);
    let _ = query.required("scan_a");
});
