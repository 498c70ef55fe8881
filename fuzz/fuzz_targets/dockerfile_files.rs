//! Any bytes as a Dockerfile: findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, Input};

fuzz_target!(|data: &[u8]| {
    let input = Input::from_files([("Dockerfile".to_string(), data.to_vec())]);
    let _ = securescan_adapter_dockerfile::Dockerfile::parse(&input);
});
