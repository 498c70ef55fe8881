//! Fixture-driven tests for adapters: every file under `fixtures/<tool>-<version>/` is one case.
//! The same cases are replayed through the real WebAssembly host by the host's test suite.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Adapter, Input, Output, ParseError};

/// One fixture: its name (`<tool>-<version>/<file stem>`) and the bytes the tool printed.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// What parsing a fixture produced, in a form snapshots can hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Parsed(Output),
    Failed { kind: String, message: String },
}

impl From<Result<Output, ParseError>> for Outcome {
    fn from(result: Result<Output, ParseError>) -> Self {
        match result {
            Ok(output) => Outcome::Parsed(output),
            Err(err) => Outcome::Failed {
                kind: err.kind().to_string(),
                message: err.message().to_string(),
            },
        }
    }
}

/// All fixtures of the adapter crate at `crate_dir`, sorted by name. Panics when there are none,
/// so a misplaced directory cannot turn the suite into a test of nothing.
pub fn fixtures(crate_dir: &str) -> Vec<Fixture> {
    let root = Path::new(crate_dir).join("fixtures");
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = read_sorted(&root)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        for path in read_sorted(&dir).into_iter().filter(|p| p.is_file()) {
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap_or_default().to_string_lossy(),
                path.file_stem().unwrap_or_default().to_string_lossy()
            );
            let bytes =
                std::fs::read(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
            found.push(Fixture { name, path, bytes });
        }
    }
    assert!(!found.is_empty(), "no fixtures under {}", root.display());
    found
}

/// The bytes of `fixtures/<name>` in the adapter crate at `crate_dir`.
pub fn fixture_bytes(crate_dir: &str, name: &str) -> Vec<u8> {
    let path = Path::new(crate_dir).join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Parse report bytes natively.
pub fn parse_report<A: Adapter>(bytes: &[u8]) -> Result<Output, ParseError> {
    A::parse(&Input::from_report(bytes.to_vec()))
}

/// Snapshot every fixture of the calling adapter crate (`snapshots/<tool>-<version>__<case>.snap`).
/// The caller needs `insta` as a dev-dependency.
#[macro_export]
macro_rules! assert_fixture_snapshots {
    ($adapter:ty) => {
        for fixture in $crate::testing::fixtures(env!("CARGO_MANIFEST_DIR")) {
            insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_json_snapshot!(
                    fixture.name.replace('/', "__"),
                    $crate::testing::run_report::<$adapter>(&fixture)
                );
            });
        }
    };
}

/// Feed every fixture (under 100 KB) of the adapter crate at `crate_dir`, corrupted `count` ways,
/// to the adapter: each must come back as findings or a [`ParseError`]; a panic fails the test.
pub fn parse_mutated_fixtures<A: Adapter>(crate_dir: &str, count: usize) {
    for fixture in fixtures(crate_dir)
        .iter()
        .filter(|f| f.bytes.len() < 100_000)
    {
        for bytes in mutations(&fixture.bytes, count) {
            let _ = parse_report::<A>(&bytes);
        }
    }
}

/// Parse a tool-report fixture natively, the way the host would hand it over.
pub fn run_report<A: Adapter>(fixture: &Fixture) -> Outcome {
    A::parse(&Input::from_report(fixture.bytes.clone())).into()
}

/// `count` corrupted copies of `bytes` (bytes flipped, cut short, spliced with noise), the same
/// every run. An adapter must answer each with findings or a [`ParseError`], never a panic.
pub fn mutations(bytes: &[u8], count: usize) -> Vec<Vec<u8>> {
    const NOISE: &[u8] = b"{}[]\":,0123456789e\\u";
    let mut state: u64 = 0x5eed_5ca7;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % bound.max(1)
    };
    (0..count)
        .map(|i| {
            let mut copy = bytes.to_vec();
            match i % 4 {
                0 => {
                    for _ in 0..=next(8) {
                        let at = next(copy.len());
                        if let Some(byte) = copy.get_mut(at) {
                            *byte = next(256) as u8;
                        }
                    }
                }
                1 => copy.truncate(next(copy.len() + 1)),
                2 => {
                    let at = next(copy.len() + 1);
                    let noise: Vec<u8> = (0..next(64)).map(|_| NOISE[next(NOISE.len())]).collect();
                    copy.splice(at..at, noise);
                }
                _ => {
                    let (from, len) = (next(copy.len()), next(256));
                    let end = (from + len).min(copy.len());
                    copy.drain(from..end);
                }
            }
            copy
        })
        .collect()
}

fn read_sorted(dir: &Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|err| panic!("read {}: {err}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    paths.sort();
    paths
}
