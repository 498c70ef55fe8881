//! Adapter benchmarks that print ratios, not pass/fail: these machines are noisy, so each
//! comparison runs both sides in the same process, interleaved, and reports the best of several.
//!
//!   cargo bench -p securescan --bench adapters
//!
//! 1. Parsing a 20,000-result semgrep report through the WASM adapter vs the same adapter
//!    compiled natively (serde over the same bytes). Target: WASM ≥ 0.5 of native throughput.
//! 2. Start-up: engine creation plus 14 adapters verified, loaded from the compile cache and
//!    pre-instantiated. Target: ≤ 50 ms.
//!
//! Needs the built components (scripts/setup.sh builds them).

#![allow(clippy::print_stdout, reason = "a bench reports on stdout")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use securescan_adapter_sdk::{Adapter, Input};
use securescan_adapter_semgrep::Semgrep;
use securescan_registry::Registry;
use securescan_sandbox::{CompileCache, Sandbox, WitInput, WitToolReport};

const RESULTS: usize = 20_000;
/// Interleaved rounds per comparison; the best of each side is reported (noise only adds time).
const ROUNDS: usize = 11;
const STARTUP_ADAPTERS: usize = 14;

fn main() {
    let adapter_dir = adapter_dir();
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let report = semgrep_report(RESULTS);
    println!(
        "workload: semgrep report with {RESULTS} results, {:.1} MiB",
        report.len() as f64 / 1048576.0
    );

    let sandbox = Sandbox::new(Some(CompileCache::new(cache_dir.path()))).expect("engine");
    let registry = Registry::builtin().expect("registry");
    let semgrep = sandbox
        .load(
            registry.get("semgrep").expect("semgrep entry"),
            &adapter_dir,
        )
        .expect("semgrep loads");
    let input = WitInput::for_report(
        ".",
        WitToolReport {
            bytes: report.clone(),
            exit_code: Some(0),
            tool_version: None,
        },
    );
    let native_input = Input::from_report(report.clone());

    // One untimed round each, so neither side pays first-touch page faults in the timings.
    Semgrep::parse(&native_input).expect("native parse");
    semgrep.call(input.clone()).expect("wasm parse");
    let (mut native_best, mut wasm_best) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let native = Semgrep::parse(&native_input).expect("native parse");
        native_best = native_best.min(started.elapsed());
        let round = input.clone();
        let started = Instant::now();
        let wasm = semgrep.call(round).expect("wasm parse");
        wasm_best = wasm_best.min(started.elapsed());
        assert_eq!(native.findings.len(), wasm.findings.len());
    }
    let mib = report.len() as f64 / 1048576.0;
    println!(
        "parse  native: {:>8.1} ms ({:.1} MiB/s)   wasm: {:>8.1} ms ({:.1} MiB/s)",
        ms(native_best),
        mib / native_best.as_secs_f64(),
        ms(wasm_best),
        mib / wasm_best.as_secs_f64()
    );
    println!(
        "parse  wasm throughput / native throughput = {:.2}  (target >= 0.50)",
        native_best.as_secs_f64() / wasm_best.as_secs_f64()
    );

    // Warm the cache for every registry component, then time a cold process's view of start-up.
    for entry in &registry.adapters {
        sandbox.load(entry, &adapter_dir).expect("adapter loads");
    }
    let mut startup_best = Duration::MAX;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let fresh = Sandbox::new(Some(CompileCache::new(cache_dir.path()))).expect("engine");
        let ready: Vec<_> = registry
            .adapters
            .iter()
            .cycle()
            .take(STARTUP_ADAPTERS)
            .map(|entry| fresh.load(entry, &adapter_dir).expect("adapter loads"))
            .collect();
        startup_best = startup_best.min(started.elapsed());
        assert_eq!(ready.len(), STARTUP_ADAPTERS);
    }
    println!(
        "start  engine + {STARTUP_ADAPTERS} adapters ready from the compile cache: {:.1} ms  (target <= 50 ms; \
         {} distinct components cycled)",
        ms(startup_best),
        registry.adapters.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn adapter_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("bench binary path");
    // target/release/deps/adapters-<hash> → target/adapters
    let dir = exe
        .ancestors()
        .nth(3)
        .map(|t| t.join("adapters"))
        .expect("inside target/");
    assert!(
        dir.join("securescan_adapter_semgrep.wasm").is_file(),
        "{}: run scripts/setup.sh first",
        dir.display()
    );
    dir
}

/// A semgrep --json report shaped like real output (same fields as the corpus files), with
/// deterministic pseudo-random variety.
fn semgrep_report(count: usize) -> Vec<u8> {
    let severities = ["ERROR", "WARNING", "INFO"];
    let cwes = [78, 89, 95, 22, 798];
    let mut state: u64 = 7;
    let mut next = move |bound: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % bound
    };
    let results: Vec<serde_json::Value> = (0..count)
        .map(|_| {
            let line = next(600) + 1;
            serde_json::json!({
                "check_id": format!("python.lang.security.audit.rule-{}", next(200)),
                "path": format!("/work/target/src/pkg{}/mod_{}.py", next(100), next(10)),
                "start": {"line": line, "col": 5, "offset": 0},
                "end": {"line": line, "col": 40, "offset": 0},
                "extra": {
                    "message": "Detected subprocess function 'run' with user controlled data.",
                    "metadata": {
                        "cwe": [format!("CWE-{}: Improper Neutralization", cwes[next(5) as usize])],
                        "owasp": ["A03:2021 - Injection"],
                        "confidence": "MEDIUM",
                        "references": ["https://owasp.org/Top10/A03_2021-Injection"]
                    },
                    "severity": severities[next(3) as usize],
                    "fingerprint": "requires login",
                    "lines": "requires login",
                    "is_ignored": false,
                    "engine_kind": "OSS"
                }
            })
        })
        .collect();
    let doc = serde_json::json!({"version": "1.90.0", "results": results, "errors": [], "paths": {"scanned": ["src"]}});
    serde_json::to_vec(&doc).expect("serializes")
}
