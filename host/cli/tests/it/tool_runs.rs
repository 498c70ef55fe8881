//! Time and advice around the tools: version probes run at once and are remembered between
//! scans; semgrep's default `auto` config runs, and fails with advice when its registry is
//! unreachable.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::corpus::corpus_dir;
use crate::real_tools::require;
use crate::support::{isolated, run, securescan, stderr, tree};

/// How long each stand-in's `--version` takes: three in a row would take 4.5 s.
const PROBE_SECONDS: &str = "1.5";
/// Generous for a loaded 2-core machine, and still well under three probes in a row.
const AT_ONCE: Duration = Duration::from_millis(3500);

/// A PATH of stand-ins for semgrep, bandit and checkov whose `--version` is slow and counted, and
/// whose scans print real clean reports recorded from semgrep 1.182.0, bandit 1.9.4 and checkov
/// 3.3.30 (../shared/corpus).
struct SlowProbes {
    dir: tempfile::TempDir,
}

impl SlowProbes {
    fn new() -> SlowProbes {
        let dir = tempfile::tempdir().expect("temp dir");
        let raw = corpus_dir().join("raw");
        let probes = SlowProbes { dir };
        for (tool, version, report) in [
            (
                "semgrep",
                "1.182.0",
                raw.join("semgrep/generated-clean-no-findings.json"),
            ),
            (
                "bandit",
                "bandit 1.9.4",
                raw.join("bandit/generated-clean-no-findings.json"),
            ),
            (
                "checkov",
                "3.3.30",
                raw.join("checkov/generated-empty-dir.json"),
            ),
        ] {
            probes.write(tool, version, &report);
        }
        if let Some(git) = securescan_engine::tools::find_tool("git") {
            std::os::unix::fs::symlink(git, probes.path().join("git")).expect("link git");
        }
        probes
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// (Re)write `tool` as a new file, as an upgrade does.
    fn write(&self, tool: &str, version: &str, report: &Path) {
        self.write_slow(tool, version, report, "0");
    }

    /// [`write`](Self::write) a tool whose scan takes `scan_seconds` (and leaves its pid in
    /// `<tool>.pid`).
    fn write_slow(&self, tool: &str, version: &str, report: &Path, scan_seconds: &str) {
        let count = self.path().join(format!("{tool}.probes"));
        let pid = self.path().join(format!("{tool}.pid"));
        let script = format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then\n  echo probed >> '{}'\n  /bin/sleep {PROBE_SECONDS}\n  echo '{version}'\n  exit 0\nfi\necho $$ > '{}'\n/bin/sleep {scan_seconds}\nexec /bin/cat '{}'\n",
            count.display(),
            pid.display(),
            report.display()
        );
        let path = self.path().join(tool);
        let new = self.path().join(format!("{tool}.new"));
        std::fs::write(&new, script).expect("write tool");
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::rename(&new, &path).expect("install tool");
    }

    fn probes_of(&self, tool: &str) -> usize {
        std::fs::read_to_string(self.path().join(format!("{tool}.probes")))
            .map_or(0, |text| text.lines().count())
    }

    fn command(&self, cache: &Path) -> Command {
        let mut command = isolated(self.path());
        command.env("XDG_CACHE_HOME", cache);
        command
    }
}

/// Each of the stand-ins' scanners line in a text report, if it ran.
fn ran(report: &str) -> Vec<&str> {
    ["semgrep", "bandit", "checkov"]
        .into_iter()
        .filter(|tool| {
            report
                .lines()
                .any(|l| l.trim_start().starts_with(tool) && l.contains("0 findings"))
        })
        .collect()
}

// Before, `status` probed one tool after another: 3 x 1.5 s.
#[test]
fn status_probes_every_tool_at_once() {
    let tools = SlowProbes::new();
    let cache = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let output = run(tools
        .command(cache.path())
        .args(["status", "--output", "json"]));
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(took < AT_ONCE, "status took {took:?}");
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let version = |scanner: &str| {
        rows.as_array()
            .expect("rows")
            .iter()
            .find(|r| r["scanner"] == scanner)
            .and_then(|r| r["tool_version"].as_str())
            .map(str::to_string)
    };
    assert_eq!(version("semgrep").as_deref(), Some("1.182.0"));
    assert_eq!(version("bandit").as_deref(), Some("1.9.4"));
    assert_eq!(version("checkov").as_deref(), Some("3.3.30"));
    // `status` always probes afresh: it is how a user refreshes what scans remember.
    run(tools.command(cache.path()).args(["status"]));
    assert_eq!(tools.probes_of("checkov"), 2);
}

// Before, every scan probed every tool again, on the critical path of each scanner.
#[test]
fn scans_probe_at_once_and_reuse_versions_until_the_tool_changes() {
    let tools = SlowProbes::new();
    let cache = tempfile::tempdir().expect("temp dir");
    let target = tree(&[("app.py", "print('hi')\n"), ("main.tf", "locals {}\n")]);
    let scan = || {
        let started = Instant::now();
        let output = run(tools
            .command(cache.path())
            .args([
                "scan",
                "--type",
                "code",
                "--type",
                "iac",
                "--semgrep-config",
                "rules.yml",
            ])
            .args(["--output", "text", "--no-save"])
            .arg(target.path()));
        let took = started.elapsed();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        (String::from_utf8_lossy(&output.stdout).into_owned(), took)
    };
    let all = vec!["semgrep", "bandit", "checkov"];

    let (first, took) = scan();
    assert!(took < AT_ONCE, "the first scan took {took:?}");
    assert_eq!(ran(&first), all, "{first}");
    let (second, _) = scan();
    assert_eq!(ran(&second), all, "{second}");
    for tool in ["semgrep", "bandit", "checkov"] {
        assert_eq!(tools.probes_of(tool), 1, "{tool} was probed again");
    }

    // An upgrade replaces the executable: its version is read again (here one this build does not
    // support, so the scanner is skipped), the others' are not.
    let raw = corpus_dir().join("raw");
    tools.write(
        "checkov",
        "9.0.0",
        &raw.join("checkov/generated-empty-dir.json"),
    );
    let (third, _) = scan();
    assert_eq!(tools.probes_of("checkov"), 2);
    assert_eq!(tools.probes_of("semgrep"), 1);
    assert!(
        third.contains("checkov 9.0.0 is outside the supported range"),
        "{third}"
    );
}

/// Stand-ins whose semgrep prints `version` and takes `scan_seconds` to scan, and a cache
/// directory for their versions (empty: nothing probed yet).
fn with_slow_semgrep(version: &str, scan_seconds: &str) -> (SlowProbes, tempfile::TempDir) {
    let tools = SlowProbes::new();
    let report = corpus_dir().join("raw/semgrep/generated-clean-no-findings.json");
    tools.write_slow("semgrep", version, &report, scan_seconds);
    (tools, tempfile::tempdir().expect("temp dir"))
}

/// A code scan of a one-file tree with `tools`: its text report, and how long it took.
fn code_scan(tools: &SlowProbes, cache: &Path) -> (String, Duration) {
    let target = tree(&[("app.py", "print('hi')\n")]);
    let started = Instant::now();
    let output = run(tools
        .command(cache)
        .args(["scan", "--type", "code", "--semgrep-config", "rules.yml"])
        .args(["--output", "text", "--no-save"])
        .arg(target.path()));
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (String::from_utf8_lossy(&output.stdout).into_owned(), took)
}

// A scan on a fresh machine (every CI run) waited for each tool's version probe before starting
// the tool: the first scan took a probe longer than the tool. Now the tool starts beside its probe.
#[test]
fn an_uncached_probe_runs_beside_its_tool_not_before_it() {
    let (tools, cache) = with_slow_semgrep("1.182.0", "2.5");
    let (report, took) = code_scan(&tools, cache.path());
    assert_eq!(ran(&report), vec!["semgrep", "bandit"], "{report}");
    // One after the other: 1.5 s of probe, then 2.5 s of scan.
    assert!(took < AT_ONCE, "the scan took {took:?}");
    assert_eq!(tools.probes_of("semgrep"), 1);
}

// The tool started beside its probe is ended as soon as the probe rules it out, and none of what
// it printed is used.
#[test]
fn a_tool_its_probe_rules_out_is_ended_at_once() {
    let (tools, cache) = with_slow_semgrep("9.0.0", "60");
    let (report, took) = code_scan(&tools, cache.path());
    assert!(
        report.contains("semgrep 9.0.0 is outside the supported range"),
        "{report}"
    );
    assert_eq!(ran(&report), vec!["bandit"], "{report}");
    assert!(took < AT_ONCE, "the scan took {took:?}");
    let pid_file = tools.path().join("semgrep.pid");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .expect("the tool had started")
        .trim()
        .parse()
        .expect("pid");
    // Gone, or a zombie nobody has reaped yet.
    let alive = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(") ")
            .next()
            .is_some_and(|rest| !rest.starts_with('Z'))
    });
    assert!(!alive, "the ruled-out tool {pid} is still running");

    // With the verdict cached, the ruled-out tool is not even started.
    std::fs::remove_file(&pid_file).expect("remove pid file");
    code_scan(&tools, cache.path());
    assert!(!pid_file.exists());
    assert_eq!(tools.probes_of("semgrep"), 1);
}

fn python_tree() -> tempfile::TempDir {
    tree(&[(
        "app.py",
        "import subprocess\n\ndef run(cmd):\n    return eval(cmd)\n",
    )])
}

/// The real semgrep with semgrep's own settings as a user has them (none), on the real PATH.
fn real_semgrep_scan(target: &Path, extra: &[&str]) -> std::process::Output {
    require("semgrep");
    run(securescan()
        .env_remove("SECURESCAN_SEMGREP_CONFIG")
        .env_remove("SEMGREP_SEND_METRICS")
        .args(["scan", "--type", "code", "--output", "json", "--no-save"])
        .args(extra)
        .arg(target))
}

// `securescan scan .` with semgrep installed used to fail at once, every time: the host passed
// --metrics=off, and semgrep refuses `--config auto` without metrics. Now semgrep runs `auto`;
// here its registry is unreachable (no network), and the failure says so and what to do.
// semgrep retries for about two minutes before it gives up.
#[test]
fn real_semgrep_default_config_fails_with_advice_when_its_registry_is_unreachable() {
    let target = python_tree();
    let output = real_semgrep_scan(target.path(), &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(!text.contains("metrics are off"), "{text}");
    // The tool's failure leads, not the empty report it left.
    assert!(
        text.contains(
            "scanner semgrep failed (tool-failed): semgrep exited with code 2: semgrep could not \
             reach its rule registry (semgrep.dev)"
        ),
        "{text}"
    );
    assert!(
        text.contains("--semgrep-config path/to/rules.yml"),
        "{text}"
    );
    assert!(text.contains("semgrep_rules"), "{text}");
    // The other scanners' findings are still there.
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(
        findings
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["scanner"] == "bandit"),
        "{findings}"
    );
}

// A user who turned semgrep's metrics off gets told why `auto` cannot run.
#[test]
fn real_semgrep_auto_with_metrics_turned_off_by_the_user_says_what_to_change() {
    require("semgrep");
    let target = python_tree();
    let output = run(securescan()
        .env_remove("SECURESCAN_SEMGREP_CONFIG")
        .env("SEMGREP_SEND_METRICS", "off")
        .args(["scan", "--type", "code", "--output", "text", "--no-save"])
        .arg(target.path()));
    let text = stderr(&output);
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{text}\n{report}");
    assert!(
        text.contains("SEMGREP_SEND_METRICS=off turned them off"),
        "{text}"
    );
}

// Local rules keep working, with metrics off.
#[test]
fn real_semgrep_local_rules_run_with_metrics_off() {
    let target = python_tree();
    let rules: PathBuf = crate::support::workspace().join("rules/semgrep-python.yml");
    let output = real_semgrep_scan(
        target.path(),
        &["--semgrep-config", &rules.display().to_string()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let semgrep_eval = |f: &serde_json::Value| {
        f["scanner"] == "semgrep"
            && f["rule_id"]
                .as_str()
                .is_some_and(|r| r.ends_with("python-eval"))
    };
    assert!(
        findings.as_array().expect("array").iter().any(|f| {
            semgrep_eval(f)
                || f["metadata"]["also_reported_by"]
                    .as_array()
                    .is_some_and(|merged| merged.iter().any(semgrep_eval))
        }),
        "{findings}"
    );
}
