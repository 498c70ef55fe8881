//! Any text as `.securescan.yml` (what `securescan config validate` and every scan read): a
//! lint with each problem located, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let lint = securescan_engine::config::lint_text(
            text,
            std::path::Path::new("/nonexistent/.securescan.yml"),
        );
        let _ = lint.render();
    }
});
