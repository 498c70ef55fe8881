//! Any text as registry.toml (what `securescan adapter verify --registry FILE` reads): a registry
//! or an error with a line number, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = securescan_registry::Registry::parse(text, "fuzz");
    }
});
