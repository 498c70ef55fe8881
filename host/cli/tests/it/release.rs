//! The release archive `scripts/package.sh` builds (what `.github/workflows/release.yml`
//! publishes and the GitHub Action installs): unpacked into a fresh directory it scans with the
//! adapters beside the binary and nothing from the source tree; its SHA256SUMS verifies with
//! `sha256sum -c`; the same inputs give the same bytes. The script and the workflow pass
//! shellcheck and actionlint.
//!
//! The tests package the binary and adapters cargo and `securescan adapter build` already built
//! (`--binary`, `--adapters`), rather than building a second binary inside the test run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::real_tools::require;
use crate::support::{adapter_dir, bin, fake_aws_key, git, target_dir, tree, workspace};
use securescan_registry::Registry;

/// The archive's top directory: the asset name without `.tar.gz`.
fn archive_dir() -> String {
    format!(
        "securescan-v{}-{}-unknown-linux-gnu",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH
    )
}

/// `scripts/package.sh` with `args`, run under `umask`, with `SOURCE_DATE_EPOCH` set to `epoch`
/// (else unset: the commit time) and no adapter directory in the environment.
fn package_sh(umask: &str, epoch: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(r#"umask "$1"; shift; exec "$@""#)
        .arg("package")
        .arg(umask)
        .arg(workspace().join("scripts/package.sh"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("SECURESCAN_ADAPTER_DIR");
    if let Some(epoch) = epoch {
        command.env("SOURCE_DATE_EPOCH", epoch);
    }
    command.output().expect("bash runs")
}

/// Package the built binary and adapters into `out`; returns the archive's path.
fn package(out: &Path, umask: &str, epoch: Option<&str>) -> PathBuf {
    let (binary, adapters) = (bin(), adapter_dir());
    let output = package_sh(
        umask,
        epoch,
        &[
            "--binary",
            binary.to_str().expect("utf-8 path"),
            "--adapters",
            adapters.to_str().expect("utf-8 path"),
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "package.sh failed: {stderr}");
    let archive = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    assert_eq!(archive, out.join(format!("{}.tar.gz", archive_dir())));
    archive
}

/// Two packagings of the same inputs under different umasks, at different times (each takes
/// seconds), shared by the tests below: `(first out dir, second out dir)`. The first takes its
/// timestamp from the commit, the second from SOURCE_DATE_EPOCH set to the commit's time (read
/// here, so a commit made while the tests run cannot give them different ones).
fn packaged_twice() -> &'static (PathBuf, PathBuf) {
    static DIRS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DIRS.get_or_init(|| {
        let root = target_dir().join("test-release");
        // A previous run's files must not stand in for this run's.
        let _ = std::fs::remove_dir_all(&root);
        let (one, two) = (root.join("one"), root.join("two"));
        let commit_time = git(&workspace(), &["log", "-1", "--format=%ct"]);
        package(&one, "022", None);
        package(&two, "077", Some(commit_time.trim()));
        (one, two)
    })
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{program} runs: {err}"))
}

#[test]
fn the_unpacked_archive_scans_from_anywhere_with_the_adapters_beside_it() {
    require("bandit");
    let (out, _) = packaged_twice();
    let archive = out.join(format!("{}.tar.gz", archive_dir()));

    // Exactly one top directory holding the binary, the registry's components, LICENSE, README.
    let registry = Registry::builtin().expect("built-in registry");
    let top = archive_dir();
    let mut expected: Vec<String> = vec![
        format!("{top}/"),
        format!("{top}/LICENSE"),
        format!("{top}/README.md"),
        format!("{top}/adapters/"),
        format!("{top}/securescan"),
    ];
    expected.extend(
        registry
            .adapters
            .iter()
            .map(|a| format!("{top}/adapters/{}", a.component)),
    );
    expected.sort();
    let listing = run_in(out, "tar", &["-tvzf", archive.to_str().expect("utf-8")]);
    assert!(listing.status.success());
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    let names: Vec<String> = listing
        .lines()
        .map(|l| l.rsplit(' ').next().expect("name").to_string())
        .collect();
    assert_eq!(
        names, expected,
        "archive entries, in this order:\n{listing}"
    );
    for line in listing.lines() {
        let owner = line.split_whitespace().nth(1).expect("owner column");
        assert_eq!(owner, "0/0", "{line}");
        let mode = line.split_whitespace().next().expect("mode column");
        let want = if line.ends_with('/') || line.ends_with("/securescan") {
            "rwxr-xr-x"
        } else {
            "rw-r--r--"
        };
        assert!(mode.ends_with(want), "{line}");
    }

    // A fresh directory outside the source tree; the binary runs from there with a cwd elsewhere,
    // no adapter directory from the environment, its caches and config in temporary homes, and a
    // PATH holding only the tools this scan runs.
    let fresh = tempfile::tempdir().expect("temp dir");
    let untar = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(fresh.path())
        .output()
        .expect("tar runs");
    assert!(untar.status.success());
    let binary = fresh.path().join(&top).join("securescan");
    let tools = tempfile::tempdir().expect("temp dir");
    for tool in ["bandit", "git"] {
        let found = securescan_engine::tools::find_tool(tool).expect("tool on PATH");
        std::os::unix::fs::symlink(found, tools.path().join(tool)).expect("link tool");
    }
    let (home, cache, cwd) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let project = tree(&[(
        "app.py",
        &format!(
            "import subprocess\n\nAWS_KEY = \"{}\"\nsubprocess.call(\"ls \" + AWS_KEY, shell=True)\n",
            fake_aws_key()
        ),
    )]);
    let run_as = |program: &Path, args: &[&str]| {
        Command::new(program)
            .env_clear()
            .env("PATH", tools.path())
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", cache.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .current_dir(cwd.path())
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("the unpacked binary runs")
    };
    // Through a symlink on PATH too: the binary looks beside its resolved path.
    let link = home.path().join("securescan");
    std::os::unix::fs::symlink(&binary, &link).expect("link the binary");
    for program in [&binary, &link] {
        let verify = run_as(program, &["adapter", "verify"]);
        assert!(
            verify.status.success(),
            "{}: {}",
            program.display(),
            String::from_utf8_lossy(&verify.stdout)
        );
    }
    let scan = run_as(
        &binary,
        &[
            "scan",
            project.path().to_str().expect("utf-8"),
            "--type",
            "code",
            "--output",
            "json",
            "--no-ai",
            "--no-save",
        ],
    );
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert_eq!(scan.status.code(), Some(0), "{stderr}");
    let findings: serde_json::Value = serde_json::from_slice(&scan.stdout).expect("json");
    let has = |scanner: &str, rule: &str| {
        findings
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["scanner"] == scanner && f["rule_id"] == rule)
    };
    assert!(has("secrets", "secrets/aws-access-key"), "{findings:#}");
    assert!(has("bandit", "B602"), "{findings:#}");
    // The components were compiled from the unpacked adapters/ into the temporary cache.
    let compiled = std::fs::read_dir(cache.path().join("securescan/adapters"))
        .expect("compile cache")
        .count();
    assert!(compiled >= 2, "{compiled} compiled components");
}

#[test]
fn sha256sums_verifies_and_packaging_twice_gives_the_same_bytes() {
    let (one, two) = packaged_twice();
    let name = format!("{}.tar.gz", archive_dir());
    let check = run_in(one, "sha256sum", &["-c", "SHA256SUMS"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        format!("{name}: OK\n")
    );
    let read = |dir: &Path, file: &str| std::fs::read(dir.join(file)).expect("read");
    assert!(
        read(one, &name) == read(two, &name),
        "two packagings of the same binary and adapters differ"
    );
    assert_eq!(read(one, "SHA256SUMS"), read(two, "SHA256SUMS"));

    // The sums cover the bytes: one changed byte fails the check.
    let tampered = tempfile::tempdir().expect("temp dir");
    let mut bytes = read(one, &name);
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(tampered.path().join(&name), bytes).expect("write");
    std::fs::write(tampered.path().join("SHA256SUMS"), read(one, "SHA256SUMS")).expect("write");
    let check = run_in(tampered.path(), "sha256sum", &["-c", "SHA256SUMS"]);
    assert!(!check.status.success(), "a damaged archive passed");
}

#[test]
fn package_refuses_a_component_that_does_not_match_its_pin() {
    let adapters = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(adapter_dir()).expect("adapters") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, adapters.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let victim = adapters.path().join("securescan_adapter_secrets.wasm");
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes.push(0);
    std::fs::write(&victim, bytes).expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let binary = bin();
    let output = package_sh(
        "022",
        None,
        &[
            "--binary",
            binary.to_str().expect("utf-8"),
            "--adapters",
            adapters.path().to_str().expect("utf-8"),
            "--out",
            out.path().to_str().expect("utf-8"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("secrets:") && stderr.contains("registry.toml pins"),
        "{stderr}"
    );
    assert!(
        std::fs::read_dir(out.path())
            .map(|d| d.count() == 0)
            .unwrap_or(true),
        "nothing is written"
    );
}

#[test]
fn package_script_and_release_workflow_pass_shellcheck_and_actionlint() {
    require("shellcheck");
    require("actionlint");
    let root = workspace();
    let shellcheck = run_in(&root, "shellcheck", &["scripts/package.sh"]);
    assert!(
        shellcheck.status.success(),
        "{}",
        String::from_utf8_lossy(&shellcheck.stdout)
    );
    // actionlint also runs shellcheck on every `run:` block.
    let actionlint = run_in(
        &root,
        "actionlint",
        &["-no-color", ".github/workflows/release.yml"],
    );
    assert!(
        actionlint.status.success(),
        "{}",
        String::from_utf8_lossy(&actionlint.stdout)
    );
}

#[test]
fn release_workflow_pins_every_action_by_commit_and_packages_with_the_script() {
    let text = std::fs::read_to_string(workspace().join(".github/workflows/release.yml"))
        .expect("release.yml");
    let uses: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("uses: "))
        .collect();
    assert!(!uses.is_empty());
    for reference in &uses {
        let pin = reference
            .split_whitespace()
            .next()
            .and_then(|r| r.rsplit_once('@'))
            .map(|(_, pin)| pin)
            .unwrap_or_default();
        assert!(
            pin.len() == 40 && pin.bytes().all(|b| b.is_ascii_hexdigit()),
            "not pinned by commit: {reference}"
        );
    }
    assert!(text.contains("scripts/package.sh"));
    // Keyless signing needs the OIDC token; nothing gets write access at the top level.
    assert!(text.contains("id-token: write"));
    let top = text.split("\njobs:").next().expect("header");
    assert!(
        top.contains("permissions: {}") || top.contains("contents: read"),
        "{top}"
    );
}
