//! Any bytes as a gathered file (an env file, so both content passes run) and as git history.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, Input, ToolReport};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::from_files([("t/app/.env".to_string(), data.to_vec())]);
    input.target = "t".into();
    input.report = Some(ToolReport {
        bytes: data.to_vec(),
        exit_code: Some(0),
        tool_version: None,
    });
    let _ = securescan_adapter_secrets::Secrets::parse(&input);
});
