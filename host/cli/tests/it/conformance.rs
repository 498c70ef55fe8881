//! Every registry adapter, loaded exactly as production loads it (pin, ABI, compile, link), gives
//! the same result through WebAssembly as its crate gives natively on the same input.

use securescan_adapter_sdk::Adapter;
use securescan_adapter_sdk::testing::{Outcome, fixtures, run_report};
use securescan_engine::gather::gather_files;
use securescan_registry::{Input, Registry};
use securescan_sandbox::{AdapterFailure, WitGatheredFile, WitInput, validate};

use crate::support::{fake_aws_key, load, report_input, tree, workspace};

fn wasm_outcome(result: Result<securescan_adapter_sdk::Output, AdapterFailure>) -> Outcome {
    match result {
        Ok(output) => Outcome::Parsed(output),
        Err(AdapterFailure::Parse { kind, message }) => Outcome::Failed { kind, message },
        Err(AdapterFailure::ToolFailed { message }) => Outcome::Failed {
            kind: "tool-failed".into(),
            message,
        },
        Err(other) => panic!("the sandbox failed where the native adapter did not: {other}"),
    }
}

/// A native result after the checks the host applies to every adapter's output, so the comparison
/// is with what the host would have accepted from the native adapter.
fn through_host_checks(outcome: Outcome, limits: &securescan_registry::Limits) -> Outcome {
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
        let wasm = wasm_outcome(adapter.call(report_input(fixture.bytes.clone())));
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
fn checkov_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_checkov::Checkov>("checkov");
}

#[test]
fn trivy_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_trivy::Trivy>("trivy");
}

/// Gather `files` the way a scan gathers them for adapter `id`, then run the built-in analyzer
/// natively and through the sandbox: the outputs must match. Returns the sandboxed output.
fn replay_gathered<A: Adapter>(id: &str, files: &[(&str, &str)]) -> securescan_adapter_sdk::Output {
    let dir = tree(files);
    let registry = Registry::builtin().expect("registry");
    let Input::Files(rules) = &registry.get(id).expect("registry entry").input else {
        panic!("{id} gathers files")
    };
    let target = dir.path().to_str().expect("utf-8").to_string();
    let gathered = gather_files(&target, rules).expect("gather");
    let wit_files = gathered
        .files
        .iter()
        .map(|(path, bytes)| WitGatheredFile {
            path: path.clone(),
            bytes: bytes.clone(),
        })
        .collect();
    let native_files = gathered
        .files
        .iter()
        .map(|(p, b)| securescan_adapter_sdk::GatheredFile {
            path: p.clone(),
            bytes: b.clone(),
        })
        .collect();
    let native_input = securescan_adapter_sdk::Input {
        target: target.clone(),
        files: native_files,
        ..Default::default()
    };
    let adapter = load(id);
    let native = through_host_checks(Outcome::from(A::parse(&native_input)), &adapter.limits);
    let wasm = wasm_outcome(adapter.call(WitInput::for_files(&target, wit_files, None)));
    assert_eq!(wasm, native, "{id}: wasm and native differ");
    let Outcome::Parsed(output) = wasm else {
        panic!("{id} failed: {wasm:?}")
    };
    output
}

#[test]
fn secrets_over_gathered_files_through_wasm_match_native() {
    let key = fake_aws_key();
    let output = replay_gathered::<securescan_adapter_secrets::Secrets>(
        "secrets",
        &[
            (
                "app/config.py",
                &format!("KEY = '{key}'\npassword = \"s3cr3tpass!\"\n"),
            ),
            (".env", "API_TOKEN=abcdef123456\n"),
            ("node_modules/dep/index.js", &format!("k = '{key}'")),
            ("logo.min.js", &format!("k = '{key}'")),
        ],
    );
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
fn dockerfile_over_gathered_files_through_wasm_match_native() {
    let insecure = "FROM ubuntu:latest\nRUN apt-get install -y curl\nEXPOSE 22\n";
    let output = replay_gathered::<securescan_adapter_dockerfile::Dockerfile>(
        "dockerfile",
        &[
            ("Dockerfile", insecure),
            ("deploy/Dockerfile.prod", "FROM alpine:3.20\nUSER app\n"),
            ("svc/api.dockerfile", "FROM alpine:3.20\n"),
            ("Containerfile", "FROM a:latest\nUSER a\n"),
            ("README.md", insecure),
        ],
    );
    let mut seen: Vec<(String, String)> = output
        .findings
        .iter()
        .map(|f| {
            (
                f.file
                    .clone()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                f.rule_id.clone().unwrap_or_default(),
            )
        })
        .collect();
    seen.sort();
    let expected = [
        ("Containerfile", "dockerfile/DL001"),
        ("Dockerfile", "dockerfile/DL001"),
        ("Dockerfile", "dockerfile/DL004"),
        ("Dockerfile", "dockerfile/DL005"),
        ("Dockerfile", "dockerfile/DL010"),
        ("api.dockerfile", "dockerfile/DL010"),
    ];
    assert_eq!(
        seen,
        expected
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec(),
        "README.md is not gathered"
    );
}

#[test]
fn safety_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_safety::Safety>("safety");
}

#[test]
fn npm_audit_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_npm_audit::NpmAudit>("npm-audit");
}

#[test]
fn licenses_reports_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_licenses::Licenses>("licenses");
}

#[test]
fn gitleaks_reports_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_git_hygiene::GitHygiene>("git-hygiene");
}

#[test]
fn zap_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_zap::Zap>("zap");
}

#[test]
fn nmap_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_nmap::Nmap>("nmap");
}

#[test]
fn sarif_fixtures_through_wasm_match_native() {
    replay_fixtures::<securescan_adapter_sarif::Sarif>("sarif");
}

/// One input, parsed natively and through the sandbox: the outputs must match. Returns the
/// sandboxed output.
fn replay_input<A: Adapter>(
    id: &str,
    input: securescan_adapter_sdk::Input,
) -> securescan_adapter_sdk::Output {
    let adapter = load(id);
    let native = through_host_checks(Outcome::from(A::parse(&input)), &adapter.limits);
    let wasm = wasm_outcome(adapter.call(WitInput::from(input)));
    assert_eq!(wasm, native, "{id}: wasm and native differ");
    let Outcome::Parsed(output) = wasm else {
        panic!("{id} failed: {wasm:?}")
    };
    output
}

#[test]
fn npm_licenses_over_gathered_files_through_wasm_match_native() {
    let output = replay_gathered::<securescan_adapter_licenses::Licenses>(
        "licenses",
        &[
            (
                "package.json",
                r#"{"name":"app","version":"1.0.0","license":"UNLICENSED"}"#,
            ),
            (
                "node_modules/left-pad/package.json",
                r#"{"name":"left-pad","version":"1.3.0","license":"GPL-3.0-only"}"#,
            ),
            (
                "node_modules/either/package.json",
                r#"{"name":"either","version":"2.0.0","license":"(MIT OR GPL-3.0)"}"#,
            ),
        ],
    );
    let packages: Vec<&str> = output
        .findings
        .iter()
        .filter_map(|f| f.file.as_deref())
        .collect();
    assert_eq!(packages.len(), 1, "{:#?}", output.findings);
    assert!(packages[0].ends_with("node_modules/left-pad/package.json"));
}

#[test]
fn git_hygiene_over_gathered_files_through_wasm_match_native() {
    let output = replay_gathered::<securescan_adapter_git_hygiene::GitHygiene>(
        "git-hygiene",
        &[
            (".gitignore", "venv/\n"),
            ("config/.env", "A=1\n"),
            ("app.py", ""),
        ],
    );
    let rules: Vec<&str> = output
        .findings
        .iter()
        .filter_map(|f| f.rule_id.as_deref())
        .collect();
    assert!(
        rules.contains(&"git-hygiene/missing-ignore-env"),
        "venv/ does not cover .env: {rules:?}"
    );
    assert!(
        rules.contains(&"git-hygiene/sensitive-file--env"),
        "{rules:?}"
    );
}

#[test]
fn baseline_over_host_probes_through_wasm_match_native() {
    use securescan_adapter_sdk::{CommandOutput, FileKind, FileMetadata, GatheredFile, Input};
    let passwd = "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n";
    let input = Input {
        target: "/".into(),
        files: vec![
            GatheredFile {
                path: "/etc/ssh/sshd_config".into(),
                bytes: b"PermitRootLogin yes\nPasswordAuthentication yes\n".to_vec(),
            },
            GatheredFile {
                path: "/etc/passwd".into(),
                bytes: passwd.as_bytes().to_vec(),
            },
        ],
        metadata: vec![FileMetadata {
            path: "/etc/passwd".into(),
            kind: FileKind::Regular,
            mode: 0o666,
            uid: 0,
            gid: 0,
            size: passwd.len() as u64,
        }],
        commands: vec![CommandOutput {
            name: "ufw-status".into(),
            exit_code: Some(0),
            stdout: b"Status: inactive\n".to_vec(),
        }],
        environment: [("DEPLOY_TOKEN".to_string(), "abcdefghijkl".to_string())].into(),
        settings: [
            ("mode".to_string(), "host".to_string()),
            ("home".to_string(), "/root".to_string()),
        ]
        .into(),
        ..Input::default()
    };
    let output = replay_input::<securescan_adapter_baseline::Baseline>("baseline", input);
    assert_rules_without(
        &output,
        &[
            "BASELINE-SSH-001",
            "BASELINE-PERM-001",
            "BASELINE-USER-001",
            "BASELINE-ENV-001",
        ],
        "abcdefghijkl",
    );
}

#[test]
fn builtin_dast_over_exchanges_through_wasm_match_native() {
    use securescan_adapter_sdk::{Header, HttpExchange, Input};
    let header = |name: &str, value: &str| Header {
        name: name.into(),
        value: value.into(),
    };
    let input = Input {
        target: "https://app.test/".into(),
        exchanges: vec![
            HttpExchange {
                method: "GET".into(),
                url: "https://app.test/".into(),
                status: 302,
                headers: vec![
                    header("location", "/login"),
                    header("set-cookie", "sid=s3cr3tvalue; Path=/"),
                ],
                body_prefix: Vec::new(),
            },
            HttpExchange {
                method: "GET".into(),
                url: "https://app.test/login".into(),
                status: 200,
                headers: vec![
                    header("server", "nginx/1.18.0"),
                    header("x-powered-by", "PHP/7.4"),
                ],
                body_prefix: b"<html></html>".to_vec(),
            },
        ],
        ..Input::default()
    };
    let output =
        replay_input::<securescan_adapter_builtin_dast::BuiltinDast>("builtin_dast", input);
    assert_rules_without(
        &output,
        &[
            "missing-header-strict-transport-security",
            "cookie-missing-secure",
            "cookie-missing-httponly",
            "info-disclosure-server",
            "info-disclosure-x-powered-by",
        ],
        "s3cr3tvalue",
    );
}

/// Every rule in `rules` fired, and `secret` (a value the input held) is nowhere in the output.
fn assert_rules_without(output: &securescan_adapter_sdk::Output, rules: &[&str], secret: &str) {
    let fired: Vec<&str> = output
        .findings
        .iter()
        .filter_map(|f| f.rule_id.as_deref())
        .collect();
    for rule in rules {
        assert!(fired.contains(rule), "{rule} missing from {fired:?}");
    }
    let json = serde_json::to_string(output).expect("json");
    assert!(!json.contains(secret), "{secret:?} leaked into the output");
}

#[test]
fn every_registry_adapter_has_a_conformance_case() {
    let covered = [
        "semgrep",
        "bandit",
        "trivy",
        "checkov",
        "secrets",
        "dockerfile",
        "safety",
        "npm-audit",
        "licenses",
        "git-hygiene",
        "baseline",
        "builtin_dast",
        "zap",
        "nmap",
        "sarif",
    ];
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
            securescan_sandbox::component_sha256(&bytes),
            entry.sha256,
            "{}: rebuild with `securescan adapter build --write-pins`",
            entry.id
        );
    }
}
