//! Any bytes as a bandit report: findings or a typed error, never a panic. And a byte that is not
//! UTF-8 in a file name costs that name only: the report keeps every finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_bandit::Bandit;
use securescan_adapter_sdk::{Adapter, Input};

const NAME: &[u8] = b"\"filename\": \"";

fuzz_target!(|data: &[u8]| {
    let Ok(clean) = Bandit::parse(&Input::from_report(data.to_vec())) else {
        return;
    };
    // Outside a string a quote is never escaped, so this finds only real `filename` fields.
    let mut marked = Vec::with_capacity(data.len() + 16);
    let mut rest = data;
    while let Some(at) = rest.windows(NAME.len()).position(|w| w == NAME) {
        marked.extend_from_slice(&rest[..at + NAME.len()]);
        marked.push(0xff);
        rest = &rest[at + NAME.len()..];
    }
    marked.extend_from_slice(rest);
    let output = Bandit::parse(&Input::from_report(marked)).expect("still a bandit report");
    assert_eq!(output.findings.len(), clean.findings.len());
});
