//! Any bytes as the npm files the licenses adapter reads (installed `package.json` files, plain
//! and scoped, nested in another package, and a lockfile): findings and warnings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input::from_files(
        [
            "t/node_modules/x/package.json",
            "t/node_modules/@s/y/package.json",
            "t/node_modules/x/node_modules/z/package.json",
            "t/package-lock.json",
            "t/npm-shrinkwrap.json",
        ]
        .map(|path| (path.to_string(), data.to_vec())),
    );
    input.target = "t".into();
    let _ = securescan_adapter_licenses::Licenses::parse(&input);
});
