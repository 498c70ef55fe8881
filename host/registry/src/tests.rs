use std::collections::BTreeMap;

use super::*;

const MINIMAL: &str = r#"
schema = 1
abi = "0.3.0"

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
            "baseline",
            "secrets",
            "safety",
            "licenses",
            "dockerfile",
            "npm-audit",
            "git-hygiene",
            "builtin_dast",
            "zap",
            "nmap",
            "sarif",
        ]
    );
    let scanned: Vec<&str> = registry
        .for_types(&ScanType::ALL)
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(
        scanned.len(),
        14,
        "the ingest-only sarif adapter never runs in a scan"
    );
    assert!(!scanned.contains(&"sarif"));
}

#[test]
fn inputs_take_only_their_own_tables_and_targets() {
    let files = MINIMAL.replace(
        "input = \"tool-report\"",
        "input = \"tool-report\"\n\n[adapter.http]\ntimeout-s = 5",
    );
    assert!(error(&files).contains("takes no [http] table"));
    let url_tool = MINIMAL.replace(
        "input = \"tool-report\"",
        "input = \"tool-report\"\ntarget = \"url\"",
    );
    assert!(error(&url_tool).contains("take target = \"url\""));
    let http = "schema = 1\nabi = \"0.3.0\"\n[[adapter]]\nid = \"d\"\nscan-type = \"dast\"\ndescription = \"d\"\ncomponent = \"d.wasm\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\ninput = \"http\"\ntarget = \"url\"\n";
    let registry = Registry::parse(http, "test").unwrap();
    assert!(matches!(registry.adapters[0].input, Input::Http(_)));
    assert!(error(&http.replace("target = \"url\"\n", "")).contains("take target = \"url\""));
    assert!(
        error(&http.replace("input = \"http\"", "input = \"magic\"")).contains("is not one of")
    );
}

#[test]
fn per_file_placeholders_need_an_each_file_table() {
    let per_file = MINIMAL.replace("\"{target}\"]", "\"{file}\"]");
    assert!(error(&per_file).contains("{file}"));
    let with_table =
        format!("{per_file}\n[adapter.each-file]\ninclude = [\"*.py\"]\nmax-file-bytes = 10\n");
    let registry = Registry::parse(&with_table, "test").unwrap();
    assert!(matches!(
        &registry.adapters[0].input,
        Input::ToolReport { each_file: Some(selection) } if selection.include == ["*.py"]
    ));
}

#[test]
fn probe_paths_cannot_climb_out_of_the_probe_root() {
    let probes = |path: &str| {
        format!(
            "schema = 1\nabi = \"0.3.0\"\n[[adapter]]\nid = \"b\"\nscan-type = \"baseline\"\ndescription = \"b\"\ncomponent = \"b.wasm\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\ninput = \"probes\"\n[adapter.probes]\nfiles = [\"{path}\"]\n"
        )
    };
    assert!(Registry::parse(&probes("etc/passwd"), "test").is_ok());
    for bad in ["/etc/passwd", "etc/../../root", "~/../x", ""] {
        assert!(error(&probes(bad)).contains("must be relative"), "{bad}");
    }
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
        error(&MINIMAL.replace("abi = \"0.3.0\"", "abi = \"0.4.0\""))
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

/// The argv the built-in semgrep entry gets for `config` (the registry default when `None`).
fn semgrep_argv(config: Option<&[&str]>) -> Vec<String> {
    let registry = Registry::builtin().unwrap();
    let entry = registry.get("semgrep").unwrap();
    let overrides = config.map(|values| {
        BTreeMap::from([(
            "config".to_string(),
            values.iter().map(|v| v.to_string()).collect(),
        )])
    });
    let mut vars = entry.scan_vars(overrides.as_ref());
    vars.insert("target".into(), vec![".".into()]);
    argv::expand(&entry.tool.as_ref().unwrap().invoke, &vars).unwrap()
}

// semgrep refuses `--config auto` with `--metrics=off` ("Cannot create auto config when metrics
// are off"), so the default scan never ran it; every other config keeps metrics off.
#[test]
fn semgrep_runs_auto_without_metrics_off_and_everything_else_with_it() {
    let default = semgrep_argv(None);
    assert!(
        default.contains(&"--config=auto".to_string()),
        "{default:?}"
    );
    assert!(
        !default.iter().any(|a| a.starts_with("--metrics")),
        "{default:?}"
    );
    let mixed = semgrep_argv(Some(&["rules.yml", "auto"]));
    assert!(
        !mixed.iter().any(|a| a.starts_with("--metrics")),
        "{mixed:?}"
    );
    for local in [&["rules.yml"][..], &["p/ci"], &["a.yml", "b.yml"]] {
        let argv = semgrep_argv(Some(local));
        assert!(argv.contains(&"--metrics=off".to_string()), "{argv:?}");
    }
}

#[test]
fn vars_if_names_only_known_vars_and_never_the_one_it_tests() {
    let with = |extra: &str| {
        format!(
            "{}\n[adapter.vars]\nconfig = [\"a\"]\nflag = [\"x\"]\n{extra}",
            MINIMAL.replace("\"{target}\"]", "\"{target}\", \"{config}\", \"{flag}\"]")
        )
    };
    let ok = Registry::parse(&with("[adapter.vars-if.config.a]\nflag = []\n"), "test").unwrap();
    let entry = &ok.adapters[0];
    assert_eq!(entry.scan_vars(None)["flag"], Vec::<String>::new());
    let other = BTreeMap::from([("config".to_string(), vec!["b".to_string()])]);
    assert_eq!(entry.scan_vars(Some(&other))["flag"], vec!["x".to_string()]);
    assert!(
        error(&with("[adapter.vars-if.nope.a]\nflag = []\n"))
            .contains("vars-if.nope.a names \"nope\", which is not in [vars]")
    );
    assert!(
        error(&with("[adapter.vars-if.config.a]\nnope = []\n"))
            .contains("vars-if.config.a names \"nope\", which is not in [vars]")
    );
    assert!(
        error(&with("[adapter.vars-if.config.a]\nconfig = []\n"))
            .contains("cannot set \"config\", the var it tests")
    );
}

#[test]
fn failure_hints_match_stderr_and_must_say_something() {
    let with = |hint: &str| format!("{MINIMAL}\n[[adapter.tool.failure-hint]]\n{hint}\n");
    let registry = Registry::parse(
        &with("stderr-contains = [\"offline\", \"unreachable\"]\nhint = \"use local rules\""),
        "test",
    )
    .unwrap();
    let tool = registry.adapters[0].tool.as_ref().unwrap();
    assert_eq!(
        tool.failure_hint("x: host unreachable\n"),
        Some("use local rules")
    );
    assert_eq!(tool.failure_hint("a syntax error"), None);
    for bad in [
        "stderr-contains = []\nhint = \"h\"",
        "stderr-contains = [\"\"]\nhint = \"h\"",
        "stderr-contains = [\"x\"]\nhint = \" \"",
    ] {
        assert!(error(&with(bad)).contains("a failure-hint needs"), "{bad}");
    }
}

#[test]
fn tool_reads_is_only_for_a_tool_run_once_over_the_target() {
    let reads = MINIMAL.replace(
        "install-hint = \"pip install bandit\"",
        "install-hint = \"pip install bandit\"\nreads = [\"*.py\"]",
    );
    let registry = Registry::parse(&reads, "test").unwrap();
    assert_eq!(registry.adapters[0].tool.as_ref().unwrap().reads, ["*.py"]);
    let per_file = format!(
        "{}\n[adapter.each-file]\ninclude = [\"*.py\"]\nmax-file-bytes = 10\n",
        reads.replace("\"{target}\"]", "\"{file}\"]")
    );
    assert!(error(&per_file).contains("tool reads"));
}
