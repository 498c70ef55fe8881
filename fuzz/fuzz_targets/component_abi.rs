//! Any bytes as an adapter component: the pre-compile readers (ABI stamp, interface names) must
//! refuse garbage with an error, never panic, before anything reaches the compiler.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_registry::abi;

fuzz_target!(|data: &[u8]| {
    if let Ok(found) = abi::read_abi(data) {
        let _ = abi::check(&found, &abi::host_abi());
    }
    let _ = abi::interface_names(data);
});
