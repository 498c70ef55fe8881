//! Every recorded real tool output in the shared corpus goes through `securescan ingest`'s path
//! (registry entry, pinned component, sandbox, host checks) and keeps every entry it should.

use std::collections::BTreeMap;
use std::path::PathBuf;

use securescan_engine::IngestRequest;
use securescan_engine::config::FindingPolicy;
use securescan_engine::scan::{FailureKind, ScannerStatus};
use securescan_registry::Registry;

use crate::support::{adapter_dir, engine, workspace};

/// The shared corpus sits beside the repository (`../shared/corpus`), as in CI.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("SECURESCAN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/corpus"));
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "no corpus at {} (set SECURESCAN_CORPUS)",
        dir.display()
    );
    dir
}

/// Which scanner reads each corpus directory.
fn scanner_for(tool_dir: &str) -> &'static str {
    match tool_dir {
        "gitleaks" => "git-hygiene",
        "license_checker_npm" | "pip_licenses" => "licenses",
        "npm_audit" => "npm-audit",
        "bandit" => "bandit",
        "checkov" => "checkov",
        "nmap" => "nmap",
        "safety" => "safety",
        "sarif" => "sarif",
        "semgrep" => "semgrep",
        "trivy" => "trivy",
        "zap" => "zap",
        other => panic!("corpus directory {other} has no scanner"),
    }
}

struct Row {
    tool_dir: String,
    file: PathBuf,
    entries: usize,
}

fn index() -> Vec<Row> {
    let corpus = corpus_dir();
    let text = std::fs::read_to_string(corpus.join("INDEX.tsv")).expect("INDEX.tsv");
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let relative = cols[1];
            Row {
                tool_dir: relative
                    .split('/')
                    .nth(1)
                    .expect("raw/<tool>/file")
                    .to_string(),
                file: corpus.join(relative),
                entries: cols[3].parse().expect("a count"),
            }
        })
        .collect()
}

/// Scanners whose findings are not the corpus's entries one for one: a license report lists
/// packages, of which only copyleft and unknown ones become findings.
const NOT_ONE_FOR_ONE: &[&str] = &["licenses"];

#[tokio::test]
async fn every_corpus_file_is_ingested_and_keeps_every_entry() {
    let registry = Registry::builtin().expect("registry");
    let engine = engine(registry, adapter_dir());
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let rows = index();
    assert!(
        rows.len() > 90,
        "the corpus index lists {} files",
        rows.len()
    );
    for row in &rows {
        let id = scanner_for(&row.tool_dir);
        let bytes = std::fs::read(&row.file).expect("corpus file");
        let request = IngestRequest {
            scanner: id.to_string(),
            report: bytes,
            target: ".".into(),
            policy: FindingPolicy::default(),
        };
        let result = engine.ingest(request, &|_| {}).await.expect("ingest");
        let outcome = &result.scanners[0];
        let name = row.file.display();
        // The one recorded failure: npm's registry refused the audit request.
        if name
            .to_string()
            .ends_with("npm-11.19.1-audit-endpoint-405.json")
        {
            assert!(
                matches!(&outcome.status, ScannerStatus::Failed { kind, error }
                    if *kind == FailureKind::ToolFailed && error.contains("405")),
                "{name}: {:?}",
                outcome.status
            );
            continue;
        }
        assert!(
            matches!(outcome.status, ScannerStatus::Completed { .. }),
            "{name} through {id}: {:?}",
            outcome.status
        );
        if !NOT_ONE_FOR_ONE.contains(&id) {
            assert_eq!(
                result.findings.len(),
                row.entries,
                "{name} through {id}: findings vs INDEX.tsv"
            );
        }
        *seen.entry(id).or_default() += 1;
    }
    for id in [
        "semgrep",
        "bandit",
        "trivy",
        "checkov",
        "safety",
        "npm-audit",
        "licenses",
        "git-hygiene",
        "zap",
        "nmap",
        "sarif",
    ] {
        assert!(
            seen.get(id).copied().unwrap_or(0) > 0,
            "no corpus file for {id}"
        );
    }
}

#[test]
fn every_corpus_file_is_also_an_adapter_fixture() {
    let mut fixtures = Vec::new();
    for entry in std::fs::read_dir(workspace().join("plugins")).expect("plugins") {
        let dir = entry.expect("entry").path().join("fixtures");
        for version in std::fs::read_dir(&dir).into_iter().flatten() {
            for file in std::fs::read_dir(version.expect("entry").path())
                .into_iter()
                .flatten()
            {
                let path = file.expect("entry").path();
                if path.is_file() {
                    fixtures.push(std::fs::read(&path).expect("fixture"));
                }
            }
        }
    }
    for row in index() {
        let bytes = std::fs::read(&row.file).expect("corpus file");
        assert!(
            fixtures.contains(&bytes),
            "{} is not byte-for-byte a fixture of any adapter",
            row.file.display()
        );
    }
}
