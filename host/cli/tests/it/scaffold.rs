//! `securescan adapter new` leaves a source tree in which the new adapter tests, builds, pins and
//! loads with no edit: checked end to end in a copy of this workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

use securescan_adapter_sdk::testing::Outcome;
use securescan_registry::Registry;
use securescan_sandbox::WitInput;
use serde_json::Value;

use crate::support::{
    adapter_dir, bin, git, report_input, run, sandbox, stderr, target_dir, workspace,
};

/// The copy lives at a fixed place, so the path-remapping flags `adapter build` passes (which
/// name the tree) are the same every run and its build stays incremental.
fn scratch() -> PathBuf {
    target_dir().join("scaffold-test")
}

/// This workspace's files as git sees them (committed or not, never what .gitignore excludes,
/// so no target/), copied with their modification times: cargo then finds the copy's shared
/// crates (the SDK) as fresh as the originals it already compiled.
fn copy_workspace(to: &Path) {
    let from = workspace();
    let listed = git(
        &from,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        let source = from.join(name);
        // Deleted in the work tree but still in the index.
        let Ok(modified) = source.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        let dest = to.join(name);
        std::fs::create_dir_all(dest.parent().expect("a file has a parent")).expect("mkdir");
        std::fs::copy(&source, &dest).unwrap_or_else(|err| panic!("copy {name}: {err}"));
        std::fs::File::options()
            .write(true)
            .open(&dest)
            .and_then(|file| file.set_modified(modified))
            .expect("set mtime");
    }
}

/// `securescan` in `dir` of the copy, building into `target`.
fn securescan_in(dir: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    run(Command::new(bin())
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args(args))
}

fn assert_ok(output: &std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: {:?}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        stderr(output)
    );
}

/// What a committed snapshot holds, without insta's header.
fn snapshot(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("snapshot");
    let body = text.splitn(3, "---\n").nth(2).expect("insta header");
    serde_json::from_str(body).expect("snapshot JSON")
}

#[test]
fn a_new_adapter_of_either_kind_tests_builds_pins_and_loads_at_once() {
    let root = scratch().join("workspace");
    let _ = std::fs::remove_dir_all(&root);
    copy_workspace(&root);
    // The components get a target of their own: built with the copy's path-remapping flags, the
    // shared dependencies would otherwise overwrite the ones `adapter build` made for this tree.
    let wasm_target = scratch().join("target");

    // From anywhere inside the tree.
    let tool = securescan_in(
        &root.join("plugins"),
        &wasm_target,
        &["adapter", "new", "demo_x", "--kind", "tool"],
    );
    assert_ok(&tool, "adapter new --kind tool");
    assert!(
        stderr(&tool).contains("Created plugins/demo_x/"),
        "{}",
        stderr(&tool)
    );
    let builtin = securescan_in(
        &root.join("host/cli/src"),
        &wasm_target,
        &["adapter", "new", "demo_y", "--kind", "builtin"],
    );
    assert_ok(&builtin, "adapter new --kind builtin");

    let again = securescan_in(
        &root,
        &wasm_target,
        &["adapter", "new", "demo_x", "--kind", "builtin"],
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    // The crates' own tests, against the snapshots the scaffold committed (never rewritten here),
    // in this build's profile and target so only the new crates compile; --locked proves
    // `adapter new` left Cargo.lock complete.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut test = Command::new(cargo);
    test.current_dir(&root)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("INSTA_UPDATE", "no")
        .args(["test", "--offline", "--locked"]);
    if target_dir().join("release").join("securescan") == bin() {
        test.arg("--release");
    }
    let tested = run(test.args([
        "-p",
        "securescan-adapter-demo-x",
        "-p",
        "securescan-adapter-demo-y",
    ]));
    assert_ok(&tested, "cargo test of the new crates");

    let built = securescan_in(
        &root,
        &wasm_target,
        &[
            "adapter",
            "build",
            "--write-pins",
            "--only",
            "demo_x",
            "--only",
            "demo_y",
        ],
    );
    assert_ok(&built, "adapter build --write-pins --only");

    // Every pin checks out: the two new ones against their components, the others (left alone by
    // --only) against the components this tree's own build made.
    let components = wasm_target.join("adapters");
    for entry in std::fs::read_dir(adapter_dir()).expect("adapter dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(&path, components.join(path.file_name().expect("name")))
                .expect("copy component");
        }
    }
    let registry_path = root.join("registry.toml");
    let verified = securescan_in(
        &root,
        &wasm_target,
        &[
            "adapter",
            "verify",
            "--registry",
            registry_path.to_str().expect("utf-8"),
            "--dir",
            components.to_str().expect("utf-8"),
        ],
    );
    assert_ok(&verified, "adapter verify of the copy's registry");
    let listing = String::from_utf8_lossy(&verified.stdout);
    for id in ["demo_x", "demo_y"] {
        assert!(
            listing
                .lines()
                .any(|l| l.starts_with(id) && l.contains(" ok ")),
            "{listing}"
        );
    }

    // Loaded as a scan loads it (pin, ABI, compile), each gives what its snapshot says.
    let registry = Registry::load(&registry_path).expect("the copy's registry loads");
    let call = |id: &str, input: WitInput| {
        let entry = registry.get(id).expect("new entry");
        let adapter = sandbox()
            .load(entry, &components)
            .unwrap_or_else(|err| panic!("{id}: {err}"));
        serde_json::to_value(Outcome::Parsed(
            adapter
                .call(input)
                .unwrap_or_else(|err| panic!("{id}: {err}")),
        ))
        .expect("JSON")
    };
    let crate_x = root.join("plugins/demo_x");
    let report =
        std::fs::read(crate_x.join("fixtures/demo_x-1.0.0/example.json")).expect("fixture");
    assert_eq!(
        call("demo_x", report_input(report)),
        snapshot(&crate_x.join("snapshots/demo_x-1.0.0__example.snap"))
    );
    let crate_y = root.join("plugins/demo_y");
    let file = std::fs::read(crate_y.join("fixtures/example/app.py")).expect("fixture");
    let files = securescan_adapter_sdk::Input::from_files([("app.py".to_string(), file)]);
    assert_eq!(
        call("demo_y", WitInput::from(files)),
        snapshot(&crate_y.join("snapshots/example.snap"))
    );

    std::fs::remove_dir_all(&root).expect("remove the copy");
}
