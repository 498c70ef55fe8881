//! `securescan sbom`: both documents pass their standard's own validator, are byte-identical
//! across runs and checkouts with `SECURESCAN_FAKE_NOW`, and fail cleanly on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{bin, workspace};

const FAKE_NOW: &str = "2024-01-02T03:04:05Z";

fn fixture() -> PathBuf {
    workspace().join("host/cli/tests/sbom-fixtures/project")
}

fn sbom(args: &[&str]) -> Command {
    let mut command = Command::new(bin());
    command
        .arg("sbom")
        .args(args)
        .env("SECURESCAN_FAKE_NOW", FAKE_NOW)
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("securescan runs")
}

fn document(target: &Path, format: &str) -> String {
    let output = run(&mut sbom(&[
        target.to_str().expect("utf-8 path"),
        "--format",
        format,
    ]));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The interpreter `scripts/setup.sh` prepares with cyclonedx-python-lib and spdx-tools.
fn validators_python() -> PathBuf {
    let python = std::env::var_os("SECURESCAN_TEST_VALIDATORS_PYTHON").expect(
        "SECURESCAN_TEST_VALIDATORS_PYTHON is not set: run scripts/setup.sh (it installs the \
         CycloneDX and SPDX validators and exports it)",
    );
    PathBuf::from(python)
}

const CYCLONEDX_CHECK: &str = "\
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())
if error:
    print(error.data.message, list(error.data.absolute_path))
sys.exit(1 if error else 0)
";

fn assert_valid(text: &str, format: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("sbom.{format}.json"));
    std::fs::write(&file, text).expect("write the document");
    let python = validators_python();
    let output = match format {
        "cyclonedx" => run(Command::new(&python)
            .arg("-c")
            .arg(CYCLONEDX_CHECK)
            .arg(&file)),
        _ => run(Command::new(python.with_file_name("pyspdxtools"))
            .arg("-i")
            .arg(&file)),
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && said.trim().is_empty(),
        "{format} validator rejected the document: {said}"
    );
}

#[test]
fn every_manifest_format_gives_documents_the_standard_validators_accept() {
    for format in ["cyclonedx", "spdx"] {
        let text = document(&fixture(), format);
        assert_valid(&text, format);
    }
}

#[test]
fn an_empty_project_gives_valid_documents_with_no_components() {
    let empty = tempfile::tempdir().unwrap();
    for format in ["cyclonedx", "spdx"] {
        let text = document(empty.path(), format);
        assert_valid(&text, format);
    }
    let bom: serde_json::Value =
        serde_json::from_str(&document(empty.path(), "cyclonedx")).unwrap();
    assert_eq!(bom["components"], serde_json::json!([]));
}

#[test]
fn the_fixture_lists_every_ecosystem_with_purls_licences_and_sources() {
    let bom: serde_json::Value = serde_json::from_str(&document(&fixture(), "cyclonedx")).unwrap();
    let components = bom["components"].as_array().unwrap();
    let purls: Vec<&str> = components
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    for expected in [
        "pkg:cargo/serde@1.0.197",
        "pkg:composer/symfony/console@6.4.3",
        "pkg:gem/rack@3.0.9",
        "pkg:golang/github.com/google/uuid@v1.6.0",
        "pkg:npm/%40babel/core@7.24.0",
        "pkg:npm/%40types/node@20.11.5",
        "pkg:npm/commander@12.0.0",
        "pkg:npm/debug@2.6.9",
        "pkg:npm/react@18.2.0",
        "pkg:pypi/black@24.2.0",
        "pkg:pypi/django@5.0.2",
        "pkg:pypi/flask",
        "pkg:pypi/requests@2.31.0",
    ] {
        assert!(
            purls.contains(&expected),
            "{expected} missing from {purls:?}"
        );
    }
    assert!(
        !purls.iter().any(|p| p.contains("should-not-appear")),
        "node_modules and .venv are not walked: {purls:?}"
    );
    assert!(
        !purls.iter().any(|p| p.contains("golang.org/x/sys")),
        "{purls:?}"
    );
    let mut sorted = purls.clone();
    sorted.sort();
    assert_eq!(
        purls, sorted,
        "components sorted by ecosystem, name, version"
    );

    let by_purl = |purl: &str| components.iter().find(|c| c["purl"] == purl).unwrap();
    assert_eq!(
        by_purl("pkg:npm/axios@1.6.7")["licenses"],
        serde_json::json!([{"license": {"id": "MIT"}}])
    );
    assert_eq!(by_purl("pkg:pypi/requests@2.31.0").get("licenses"), None);
    assert_eq!(
        by_purl("pkg:pypi/requests@2.31.0")["evidence"]["occurrences"],
        serde_json::json!([{"location": "api/Pipfile.lock"}, {"location": "requirements.txt"}])
    );
}

#[test]
fn pinned_output_is_byte_identical_across_runs_and_checkout_paths() {
    let copies: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (index, copy) in copies.iter().enumerate() {
        let target = copy.path().join(format!("nested-{index}/project"));
        copy_tree(&fixture(), &target);
    }
    for format in ["cyclonedx", "spdx"] {
        let first = document(&copies[0].path().join("nested-0/project"), format);
        let again = document(&copies[0].path().join("nested-0/project"), format);
        let elsewhere = document(&copies[1].path().join("nested-1/project"), format);
        assert_eq!(first, again, "{format}: two runs differ");
        assert_eq!(
            first, elsewhere,
            "{format}: output depends on the checkout path"
        );
        assert!(
            first.contains(FAKE_NOW),
            "{format}: the pinned time is written"
        );
    }
}

#[test]
fn without_fake_now_every_run_gets_a_new_serial_number() {
    let serial = || {
        let mut command = sbom(&[fixture().to_str().unwrap()]);
        let output = run(command.env_remove("SECURESCAN_FAKE_NOW"));
        let bom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        bom["serialNumber"].as_str().unwrap().to_string()
    };
    assert_ne!(serial(), serial());
}

#[test]
fn an_unknown_format_lists_the_valid_ones() {
    let output = run(&mut sbom(&[
        fixture().to_str().unwrap(),
        "--format",
        "swid",
    ]));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cyclonedx") && stderr.contains("spdx"),
        "{stderr}"
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let output = run(&mut sbom(&["/nonexistent/securescan-sbom-target"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unwritable_output_file_is_an_error_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    // A directory cannot be replaced by a file, even by root (who ignores permission bits).
    let occupied = dir.path().join("occupied");
    std::fs::create_dir(&occupied).unwrap();
    for file in [occupied.clone(), dir.path().join("missing-dir/sbom.json")] {
        let output = run(&mut sbom(&[
            fixture().to_str().unwrap(),
            "--output-file",
            file.to_str().unwrap(),
        ]));
        assert_eq!(output.status.code(), Some(1), "{}", file.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot write"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["occupied"], "no temporary file left behind");
    assert_eq!(std::fs::read_dir(&occupied).unwrap().count(), 0);
}

#[test]
fn a_malformed_manifest_is_a_warning_naming_it_and_the_rest_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "flask==3.0.0\n").unwrap();
    std::fs::write(
        dir.path().join("go.sum"),
        "github.com/a/b v1.0.0 h1:x=\nbroken\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(fixture().join("web"), dir.path().join("linked")).unwrap();
    let output = run(&mut sbom(&[dir.path().to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("go.sum:2: skipped"), "{stderr}");
    let bom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let purls: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        vec!["pkg:pypi/flask@3.0.0"],
        "symlinks below the target are not followed"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}
