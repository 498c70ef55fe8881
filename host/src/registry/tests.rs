use super::*;

const MINIMAL: &str = r#"
schema = 1
abi = "0.1.0"

[[adapter]]
id = "bandit"
scan-type = "code"
description = "d"
component = "a.wasm"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
input = "tool-report"

[adapter.tool]
name = "bandit"
versions = ">=1.0.0"
version-probe = ["bandit", "--version"]
invoke = ["bandit", "{target}"]
install-hint = "pip install bandit"
"#;

fn error(text: &str) -> String {
    Registry::parse(text, "test").unwrap_err().to_string()
}

#[test]
fn the_built_in_registry_is_valid() {
    let registry = Registry::builtin().unwrap();
    assert_eq!(
        registry.ids(),
        vec![
            "semgrep",
            "bandit",
            "trivy",
            "checkov",
            "secrets",
            "dockerfile"
        ]
    );
}

#[test]
fn a_minimal_entry_gets_the_default_limits() {
    let registry = Registry::parse(MINIMAL, "test").unwrap();
    assert_eq!(registry.adapters[0].limits, Limits::default());
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    let text = MINIMAL.replace("install-hint", "instal-hint");
    let message = error(&text);
    assert!(
        message.starts_with("test: line 18: unknown field `instal-hint`"),
        "{message}"
    );
}

#[test]
fn bad_values_are_refused_with_the_adapter_named() {
    assert!(
        error(&MINIMAL.replace("a.wasm", "../a.wasm"))
            .contains("adapter \"bandit\": component \"../a.wasm\" must be a plain file name")
    );
    assert!(
        error(&MINIMAL.replace("\"0000", "\"Z000")).contains("must be 64 lowercase hex digits")
    );
    assert!(
        error(&MINIMAL.replace("{target}", "{rules}"))
            .contains("uses {rules}, which is neither built in nor in [vars]")
    );
    assert!(
        error(&MINIMAL.replace("scan-type = \"code\"", "scan-type = \"sast\""))
            .contains("is not one of code, dependency")
    );
    assert!(
        error(&MINIMAL.replace("invoke = [\"bandit\"", "invoke = [\"sh\""))
            .contains("must start with the tool name")
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let twice = format!(
        "{MINIMAL}{}",
        &MINIMAL[MINIMAL.find("[[adapter]]").unwrap()..]
    );
    assert!(error(&twice).contains("listed twice"));
}

#[test]
fn per_adapter_limits_override_defaults() {
    let text = format!("{MINIMAL}\n[adapter.limits]\ntimeout-ms = 250\nmemory-mib = 32\n");
    let limits = Registry::parse(&text, "test").unwrap().adapters[0].limits;
    assert_eq!(limits.timeout, std::time::Duration::from_millis(250));
    assert_eq!(limits.memory_bytes, 32 * 1024 * 1024);
    assert!(
        error(&text.replace("timeout-ms = 250", "timeout-ms = 0")).contains("greater than zero")
    );
}

#[test]
fn a_registry_for_another_abi_is_refused() {
    assert!(
        error(&MINIMAL.replace("abi = \"0.1.0\"", "abi = \"0.2.0\""))
            .contains("the registry was written for another host")
    );
}

#[test]
fn probes_take_no_placeholders_and_timeouts_are_positive() {
    assert!(
        error(&MINIMAL.replace("[\"bandit\", \"--version\"]", "[\"bandit\", \"{target}\"]"))
            .contains("cannot use placeholders")
    );
    let text = MINIMAL.replace(
        "install-hint = \"pip install bandit\"",
        "install-hint = \"pip install bandit\"\ntimeout-s = 0",
    );
    assert!(error(&text).contains("timeout-s must be greater than zero"));
    let huge = format!(
        "{MINIMAL}\n[adapter.limits]\nmemory-mib = {}\n",
        usize::MAX / 2
    );
    assert!(error(&huge).contains("is too large"));
}

#[test]
fn a_files_adapter_tool_must_be_declared_optional() {
    let text = MINIMAL.replace(
        "input = \"tool-report\"",
        "input = \"files\"\n\n[adapter.files]\nmax-file-bytes = 10",
    );
    assert!(error(&text).contains("must say optional = true"));
    let optional = text.replace(
        "install-hint = \"pip install bandit\"",
        "install-hint = \"pip install bandit\"\noptional = true",
    );
    assert!(Registry::parse(&optional, "test").is_ok());
}
