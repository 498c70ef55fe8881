//! A deliberately hostile adapter, proven contained: each attack ends as the right typed failure,
//! and the other scanners of the same scan still complete.

use std::time::{Duration, Instant};

use securescan_engine::findings::ScanType;
use securescan_engine::scan::{ScanRequest, ScannerStatus};
use securescan_registry::abi;
use securescan_registry::{Limits, Registry};
use securescan_sandbox::{AdapterFailure, AdapterOutput, component_sha256};

use crate::support::{
    adapter_dir, engine, fake_aws_key, hostile_component, report_input, sandbox, tree,
};

fn tight_limits() -> Limits {
    Limits {
        max_input_bytes: 1024 * 1024,
        memory_bytes: 64 * 1024 * 1024,
        timeout: Duration::from_millis(300),
        max_findings: 1000,
        max_output_bytes: 8 * 1024 * 1024,
    }
}

fn call_with(word: &str, limits: Limits) -> Result<AdapterOutput, AdapterFailure> {
    sandbox()
        .load_bytes("hostile", &hostile_component(), limits)
        .expect("the hostile component loads")
        .call(report_input(word.as_bytes().to_vec()))
}

fn attack(word: &str) -> AdapterFailure {
    call_with(word, tight_limits()).expect_err("the attack must fail")
}

fn refusal(failure: AdapterFailure) -> String {
    match failure {
        AdapterFailure::InvalidOutput { reason } => reason,
        other => panic!("expected invalid output, got {other}"),
    }
}

#[test]
fn an_infinite_loop_times_out() {
    let started = Instant::now();
    assert_eq!(
        attack("spin"),
        AdapterFailure::Timeout {
            limit: Duration::from_millis(300)
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the deadline stopped the loop"
    );
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    assert_eq!(
        attack("allocate"),
        AdapterFailure::MemoryLimit {
            limit: 64 * 1024 * 1024
        }
    );
}

#[test]
fn a_panic_reaches_the_user_with_its_message() {
    match attack("panic") {
        AdapterFailure::Trap { message } => assert!(
            message.contains("hostile adapter panicked on purpose"),
            "{message}"
        ),
        other => panic!("expected a trap, got {other}"),
    }
}

#[test]
fn huge_output_is_refused() {
    let mut limits = tight_limits();
    limits.memory_bytes = 1024 * 1024 * 1024;
    limits.timeout = Duration::from_secs(30);
    let reason = refusal(call_with("flood", limits).expect_err("refused"));
    assert!(
        reason.contains("findings exceed") || reason.contains("bytes of output exceed"),
        "{reason}"
    );
}

#[test]
fn a_forged_finding_is_refused_not_stored() {
    assert_eq!(
        refusal(attack("forge")),
        "finding 0: line_end 2 is before line_start 10"
    );
}

#[test]
fn a_forged_finding_in_a_submitted_page_ends_the_call_there() {
    // The adapter loops forever after the page: only stopping at the refusal avoids the timeout.
    assert_eq!(
        refusal(attack("forge-then-spin")),
        "finding 255: line_end 2 is before line_start 10"
    );
}

#[test]
fn findings_submitted_before_a_parse_error_are_dropped_with_it() {
    assert_eq!(
        attack("fail-after-pages"),
        AdapterFailure::Parse {
            kind: "malformed".into(),
            message: "gave up after 600 records".into()
        }
    );
}

#[test]
fn paged_findings_count_against_the_limit_of_the_whole_call() {
    let mut limits = tight_limits();
    limits.max_findings = 500;
    // 600 findings in pages of 256: the second page crosses 500 and is refused.
    assert_eq!(
        refusal(call_with("fail-after-pages", limits).expect_err("refused")),
        "512 findings exceed the limit of 500"
    );
}

#[test]
fn the_sdk_allocator_survives_churn_and_reuses_freed_memory() {
    let mut limits = tight_limits();
    limits.memory_bytes = 512 * 1024 * 1024;
    limits.timeout = Duration::from_secs(60);
    let output =
        call_with("churn", limits).expect("no block was handed out twice or lost its contents");
    let title = &output.findings[0].title;
    let numbers: Vec<u64> = title
        .split(' ')
        .filter_map(|word| word.parse().ok())
        .collect();
    let [volume, memory] = numbers[..] else {
        panic!("unexpected title {title:?}")
    };
    // Without reuse the memory would be at least the volume allocated.
    assert!(memory * 8 < volume, "{title}");
}

#[test]
fn oversized_input_is_refused_before_the_call() {
    let failure = attack(&"x".repeat(2 * 1024 * 1024));
    assert!(
        matches!(
            failure,
            AdapterFailure::InputTooLarge { limit: 1048576, .. }
        ),
        "{failure}"
    );
}

/// The component with its ABI stamp rewritten, as if built by another SDK release.
fn restamped(version: &str) -> Vec<u8> {
    let mut bytes = hostile_component();
    let marker = abi::ABI_SECTION.as_bytes();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("the component carries the ABI section")
        + marker.len();
    assert_eq!(
        &bytes[at..at + abi::HOST_ABI.len()],
        abi::HOST_ABI.as_bytes()
    );
    bytes[at..at + version.len()].copy_from_slice(version.as_bytes());
    bytes
}

#[test]
fn a_newer_abi_is_refused_before_compiling_and_says_upgrade_securescan() {
    match sandbox().load_bytes("hostile", &restamped("9.1.0"), tight_limits()) {
        Err(AdapterFailure::AbiMismatch(message)) => {
            assert!(message.ends_with("upgrade securescan"), "{message}")
        }
        other => panic!("expected an ABI mismatch, got {other:?}"),
    }
}

#[test]
fn an_older_abi_says_rebuild_the_adapter() {
    match sandbox().load_bytes("hostile", &restamped("0.0.9"), tight_limits()) {
        Err(AdapterFailure::AbiMismatch(message)) => {
            assert!(message.contains("rebuild the adapter"), "{message}")
        }
        other => panic!("expected an ABI mismatch, got {other:?}"),
    }
}

fn hostile_entry(id: &str, word: &str, component: &str, sha256: &str, limits: &str) -> String {
    format!(
        r#"
[[adapter]]
id = "{id}"
scan-type = "code"
description = "hostile: {word}"
component = "{component}"
sha256 = "{sha256}"
input = "tool-report"
[adapter.tool]
name = "echo"
versions = ">=1.0.0"
version-probe = ["echo", "1.0.0"]
invoke = ["echo", "{word}"]
install-hint = "coreutils"
[adapter.limits]
{limits}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attack_in_one_scan_is_contained_while_secrets_completes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile = hostile_component();
    let pin = component_sha256(&hostile);
    std::fs::write(dir.path().join("hostile.wasm"), &hostile).expect("write");
    let mut tampered = hostile.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0xff;
    std::fs::write(dir.path().join("tampered.wasm"), &tampered).expect("write");
    let wrong_abi = restamped("9.1.0");
    std::fs::write(dir.path().join("wrong-abi.wasm"), &wrong_abi).expect("write");
    let secrets_entry = Registry::builtin()
        .expect("registry")
        .get("secrets")
        .expect("secrets")
        .clone();
    std::fs::copy(
        adapter_dir().join(&secrets_entry.component),
        dir.path().join(&secrets_entry.component),
    )
    .expect("copy");

    let tight = "timeout-ms = 300\nmemory-mib = 64\nmax-output-mib = 8";
    let mut toml = format!("schema = 1\nabi = \"{}\"\n", abi::HOST_ABI);
    toml += &hostile_entry("spin", "spin", "hostile.wasm", &pin, tight);
    toml += &hostile_entry("allocate", "allocate", "hostile.wasm", &pin, tight);
    toml += &hostile_entry(
        "flood",
        "flood",
        "hostile.wasm",
        &pin,
        "timeout-ms = 30000\nmemory-mib = 1024\nmax-output-mib = 8",
    );
    toml += &hostile_entry("panic", "panic", "hostile.wasm", &pin, tight);
    toml += &hostile_entry("tampered", "ok", "tampered.wasm", &pin, tight);
    toml += &hostile_entry(
        "wrong-abi",
        "ok",
        "wrong-abi.wasm",
        &component_sha256(&wrong_abi),
        tight,
    );
    let mut registry = Registry::parse(&toml, "test registry").expect("test registry parses");
    registry.adapters.push(secrets_entry);

    let target = tree(&[("settings.py", &format!("KEY = '{}'\n", fake_aws_key()))]);
    let engine = engine(registry, dir.path().to_path_buf());
    let request = ScanRequest {
        target: target.path().to_string_lossy().into_owned(),
        types: vec![ScanType::Code],
        ..Default::default()
    };
    let result = engine.scan(&request, &|_| {}).await.expect("a path target");

    let kinds: Vec<(String, String)> = result
        .scanners
        .iter()
        .map(|s| {
            let kind = match &s.status {
                ScannerStatus::Completed { findings } => format!("completed:{findings}"),
                ScannerStatus::Skipped { reason, .. } => format!("skipped:{reason}"),
                ScannerStatus::Failed { kind, .. } => kind.to_string(),
            };
            (s.scanner.clone(), kind)
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("spin", "timeout"),
        ("allocate", "memory-limit"),
        ("flood", "invalid-output"),
        ("panic", "trap"),
        ("tampered", "integrity-mismatch"),
        ("wrong-abi", "abi-mismatch"),
        ("secrets", "completed:1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(kinds, expected);
    assert_eq!(result.findings.len(), 1);
    assert_eq!(
        result.findings[0].rule_id.as_deref(),
        Some("secrets/aws-access-key")
    );
}
