//! Any text as a `Gemfile.lock` in the scanned project, as `securescan sbom` reads it
//! natively in the host: packages or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The SBOM walk skips files that are not UTF-8 before any parser sees them.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = securescan_engine::sbom::parse_manifest("Gemfile.lock", text).map_err(|e| e.to_string());
    }
});
