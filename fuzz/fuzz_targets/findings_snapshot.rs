//! Any bytes as a findings file (`scan --output json`, a baseline file, a `diff --output json`
//! side, as `diff`/`compare` read them back): a finding list or a typed error naming the entry,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(err) = securescan_engine::snapshot::parse_snapshot(data, "fuzz") {
        let _ = err.to_string();
    }
});
