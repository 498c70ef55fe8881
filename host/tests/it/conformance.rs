//! Every registry adapter, loaded exactly as production loads it (pin, ABI, compile, link), gives
//! the same result through WebAssembly as its crate gives natively on the same input.

use securescan::gather::gather_files;
use securescan::registry::{Input, Registry};
use securescan::sandbox::{AdapterFailure, WitGatheredFile, validate};
use securescan_adapter_sdk::Adapter;
use securescan_adapter_sdk::testing::{Outcome, fixtures, run_report};

use crate::support::{fake_aws_key, load, report_input, tree, workspace};

fn wasm_outcome(result: Result<securescan_adapter_sdk::Output, AdapterFailure>) -> Outcome {
    match result {
        Ok(output) => Outcome::Parsed(output),
        Err(AdapterFailure::Parse { kind, message }) => Outcome::Failed { kind, message },
        Err(other) => panic!("the sandbox failed where the native adapter did not: {other}"),
    }
}

/// A native result after the checks the host applies to every adapter's output, so the comparison
/// is with what the host would have accepted from the native adapter.
fn through_host_checks(outcome: Outcome, limits: &securescan::registry::Limits) -> Outcome {
    match outcome {
        Outcome::Parsed(output) => wasm_outcome(validate(output.into(), limits)),
        failed => failed,
    }
}

fn replay_fixtures<A: Adapter>(id: &str) {
    let adapter = load(id);
    let crate_dir = workspace().join("plugins").join(id);
    for fixture in fixtures(crate_dir.to_str().expect("utf-8 path")) {
        let native = through_host_checks(run_report::<A>(&fixture), &adapter.limits);
        let wasm = wasm_outcome(adapter.call(&report_input(fixture.bytes.clone())));
        assert_eq!(
            wasm, native,
            "{id} fixture {} differs between wasm and native",
            fixture.name
        );
    }
}

#[test]
fn semgrep_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_semgrep::Semgrep>("semgrep");
}

#[test]
fn bandit_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_bandit::Bandit>("bandit");
}

#[test]
fn trivy_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_trivy::Trivy>("trivy");
}

#[test]
fn secrets_over_gathered_files_through_wasm_match_native() {
    let key = fake_aws_key();
    let dir = tree(&[
        (
            "app/config.py",
            &format!("KEY = '{key}'\npassword = \"s3cr3tpass!\"\n"),
        ),
        (".env", "API_TOKEN=abcdef123456\n"),
        ("node_modules/dep/index.js", &format!("k = '{key}'")),
        ("logo.min.js", &format!("k = '{key}'")),
    ]);
    let registry = Registry::builtin().expect("registry");
    let Input::Files(rules) = &registry.get("secrets").expect("secrets entry").input else {
        panic!("secrets gathers files")
    };
    let target = dir.path().to_str().expect("utf-8").to_string();
    let gathered = gather_files(&target, rules).expect("gather");
    let mut input = report_input(Vec::new());
    input.report = None;
    input.target = target.clone();
    input.files = gathered
        .files
        .iter()
        .map(|(path, bytes)| WitGatheredFile {
            path: path.clone(),
            bytes: bytes.clone(),
        })
        .collect();

    let native_input = securescan_adapter_sdk::Input {
        target,
        files: gathered
            .files
            .iter()
            .map(|(p, b)| securescan_adapter_sdk::GatheredFile {
                path: p.clone(),
                bytes: b.clone(),
            })
            .collect(),
        ..Default::default()
    };
    let secrets = load("secrets");
    let native = through_host_checks(
        Outcome::from(securescan_adapter_secrets::Secrets::parse(&native_input)),
        &secrets.limits,
    );
    let wasm = wasm_outcome(secrets.call(&input));
    assert_eq!(wasm, native);
    let Outcome::Parsed(output) = wasm else {
        unreachable!()
    };
    let files: Vec<&str> = output
        .findings
        .iter()
        .filter_map(|f| f.file.as_deref())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.contains("node_modules") && !f.ends_with(".min.js")),
        "skip rules applied: {files:?}"
    );
    assert_eq!(output.findings.len(), 3, "{:#?}", output.findings);
}

#[test]
fn every_registry_adapter_has_a_conformance_case() {
    let covered = ["semgrep", "bandit", "trivy", "secrets"];
    for entry in Registry::builtin().expect("registry").adapters {
        assert!(
            covered.contains(&entry.id.as_str()),
            "registry adapter {} has no conformance test here",
            entry.id
        );
    }
}

#[test]
fn built_components_match_the_registry_pins() {
    let registry = Registry::builtin().expect("registry");
    for entry in &registry.adapters {
        let bytes =
            std::fs::read(crate::support::adapter_dir().join(&entry.component)).expect("component");
        assert_eq!(
            securescan::sandbox::component_sha256(&bytes),
            entry.sha256,
            "{}: rebuild with `securescan adapter build --write-pins`",
            entry.id
        );
    }
}
