//! Any bytes as an nmap XML report: findings or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, Input};

fuzz_target!(|data: &[u8]| {
    let _ = securescan_adapter_nmap::Nmap::parse(&Input::from_report(data.to_vec()));
});
