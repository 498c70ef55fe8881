//! Paths to built artifacts and small builders shared by the test modules.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use securescan::registry::Registry;
use securescan::sandbox::{CompileCache, LoadedAdapter, Sandbox, WitInput, WitToolReport};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_securescan"))
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

/// `target/` of this build: the binary is `target/<profile>/securescan`.
pub fn target_dir() -> PathBuf {
    bin()
        .parent()
        .and_then(Path::parent)
        .expect("binary inside target/<profile>/")
        .to_path_buf()
}

const BUILD_HINT: &str = "build the adapters first: `scripts/test.sh` does, or `cargo run --release -p securescan -- adapter build`";

/// Where `securescan adapter build` put the registry's components.
pub fn adapter_dir() -> PathBuf {
    let dir = target_dir().join("adapters");
    assert!(
        dir.join("securescan_adapter_semgrep.wasm").is_file(),
        "no adapters in {}: {BUILD_HINT}",
        dir.display()
    );
    dir
}

pub fn hostile_component() -> Vec<u8> {
    let path = target_dir().join("wasm32-wasip2/adapter/securescan_hostile_adapter.wasm");
    std::fs::read(&path).unwrap_or_else(|err| {
        panic!("{}: {err}; build it with `cargo build --profile adapter --target wasm32-wasip2 -p securescan-hostile-adapter` (scripts/test.sh does)", path.display())
    })
}

/// One sandbox for the whole test binary, with a compile cache so each component compiles once.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: LazyLock<Sandbox> = LazyLock::new(|| {
        Sandbox::new(Some(CompileCache::new(
            target_dir().join("test-compile-cache"),
        )))
        .expect("engine starts")
    });
    &SANDBOX
}

pub fn load(id: &str) -> LoadedAdapter {
    let registry = Registry::builtin().expect("built-in registry parses");
    let entry = registry
        .get(id)
        .unwrap_or_else(|| panic!("{id} is not in the registry"));
    sandbox()
        .load(entry, &adapter_dir())
        .unwrap_or_else(|err| panic!("{id}: {err}"))
}

pub fn report_input(bytes: Vec<u8>) -> WitInput {
    WitInput::for_report(
        ".",
        WitToolReport {
            bytes,
            exit_code: Some(0),
            tool_version: None,
        },
    )
}

/// A directory of files, each `(relative path, contents)`.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

/// An AWS-style key assembled at run time, so the repository itself holds no such literal.
pub fn fake_aws_key() -> String {
    format!("AKIA{}", "Q7RM".repeat(4))
}
