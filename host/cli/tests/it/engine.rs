//! The engine as a library, used the way the server will use it: one process, several scans at
//! once, each of its own root under its own settings and policy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use securescan_engine::Engine;
use securescan_engine::config::FindingPolicy;
use securescan_engine::findings::{ScanType, Severity, SuppressedBy};
use securescan_engine::scan::ScanRequest;
use securescan_engine::settings::Settings;
use securescan_model::ScanEvent;
use securescan_registry::Registry;
use securescan_report::{OutputFormat, render};

use crate::support::{adapter_dir, engine_in, securescan, tree};

fn engine(working_dir: &Path, settings: Settings) -> Engine {
    engine_in(
        Registry::builtin().expect("registry"),
        adapter_dir(),
        working_dir,
        settings,
    )
}

/// `securescan scan ROOT --type baseline --output json`, run in `ROOT`.
fn cli_json(root: &Path) -> String {
    let output = securescan()
        .current_dir(root)
        .args([
            "scan",
            "--type",
            "baseline",
            "--output",
            "json",
            "--no-save",
        ])
        .arg(root)
        .output()
        .expect("run securescan");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 JSON")
}

fn request(root: &Path, policy: FindingPolicy) -> ScanRequest {
    ScanRequest {
        target: root.to_string_lossy().into_owned(),
        types: vec![ScanType::Baseline],
        policy,
        ..ScanRequest::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_roots_scanned_at_once_with_different_settings_match_two_separate_cli_runs() {
    let first = tree(&[
        (
            "etc/ssh/sshd_config",
            "PermitRootLogin yes\nPasswordAuthentication yes\n",
        ),
        (
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nbackdoor:x:0:0::/:/bin/sh\n",
        ),
    ]);
    let second = tree(&[
        (
            "etc/ssh/sshd_config",
            "PermitRootLogin yes\nPermitEmptyPasswords yes\n",
        ),
        ("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"),
    ]);
    // One rule both roots report, handled differently by each root's config: demoted in the
    // first, ignored in the second.
    let unconfigured: serde_json::Value =
        serde_json::from_str(&cli_json(first.path())).expect("JSON");
    let rule = unconfigured[0]["rule_id"]
        .as_str()
        .expect("the first root has findings with rule ids")
        .to_string();
    std::fs::write(
        first.path().join(".securescan.yml"),
        format!("severity_overrides:\n  {rule}: info\n"),
    )
    .expect("write config");
    std::fs::write(
        second.path().join(".securescan.yml"),
        format!("ignored_rules:\n  - {rule}\n"),
    )
    .expect("write config");
    let expected = (cli_json(first.path()), cli_json(second.path()));

    let first_policy = FindingPolicy {
        severity_overrides: BTreeMap::from([(rule.clone(), Severity::Info)]),
        ..FindingPolicy::default()
    };
    let second_policy = FindingPolicy {
        ignored_rules: BTreeSet::from([rule.clone()]),
        ..FindingPolicy::default()
    };
    // Different settings and working directories per engine: nothing is read from the process.
    let first_engine = engine(
        first.path(),
        Settings {
            home: Some(first.path().to_path_buf()),
            ..Settings::default()
        },
    );
    let second_engine = engine(
        second.path(),
        Settings {
            zap_address: Some("http://127.0.0.1:9".into()),
            home: None,
            ..Settings::default()
        },
    );
    let first_events = std::sync::Mutex::new(Vec::new());
    let record = |event: ScanEvent| first_events.lock().expect("events").push(event);
    let first_request = request(first.path(), first_policy);
    let second_request = request(second.path(), second_policy);
    let (first_result, second_result) = tokio::join!(
        first_engine.scan(&first_request, &record),
        second_engine.scan(&second_request, &|_| {}),
    );
    let (first_result, second_result) = (
        first_result.expect("a path target"),
        second_result.expect("a path target"),
    );

    let json = |result| render(result, OutputFormat::Json, Path::new("/"));
    assert_eq!(json(&first_result), expected.0);
    assert_eq!(json(&second_result), expected.1);
    assert_ne!(expected.0, expected.1, "the two roots' findings differ");
    assert!(
        first_result
            .findings
            .iter()
            .any(|f| f.rule_id.as_deref() == Some(rule.as_str()) && f.severity == Severity::Info),
        "the first root's override applied"
    );
    assert!(
        second_result
            .findings
            .iter()
            .filter(|f| f.rule_id.as_deref() == Some(rule.as_str()))
            .all(|f| f.suppressed_by() == Some(&SuppressedBy::Config)),
        "the second root's ignored rule applied"
    );

    // The first scan told its progress in order: started, each scanner started and ended, done.
    let events = first_events.into_inner().expect("events");
    assert!(
        matches!(events.first(), Some(ScanEvent::ScanStarted { scanners, .. }) if scanners == &["baseline"])
    );
    assert!(
        matches!(&events[1], ScanEvent::ScannerStarted { scanner, .. } if scanner == "baseline")
    );
    assert!(
        matches!(&events[2], ScanEvent::ScannerCompleted { scanner, findings, .. }
            if scanner == "baseline" && *findings > 0)
    );
    assert!(
        matches!(events.last(), Some(ScanEvent::ScanFinished { scan_id, failed_scanners: 0, .. })
        if *scan_id == first_result.scan_id)
    );
    assert_eq!(events.len(), 4);
}
