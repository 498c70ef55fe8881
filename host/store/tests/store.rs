//! The store through its public API, on real files: the schema upgrade from what the CLI saved
//! before the server, the scan lifecycle's conditional updates, and the findings queries the
//! API pages and filters.

use std::path::Path;

use rusqlite::Connection;
use securescan_model::{
    Finding, ScanResult, ScanType, ScannerOutcome, ScannerStatus, Severity, SuppressedBy,
    Suppression,
};
use securescan_store::schema::{MIGRATIONS, SCHEMA_VERSION};
use securescan_store::{
    Actor, Cancellation, CommentRecord, Deletion, FindingFilter, KeyInsert, KeyStore, NewKey,
    NewScan, Page, Revocation, Rotation, ScanStatus, ScanStore, Store, StoreError, TriageStatus,
};

fn finding(scanner: &str, title: &str, severity: Severity, fingerprint: &str) -> Finding {
    Finding {
        fingerprint: fingerprint.to_string(),
        ..Finding::sample(scanner, title, severity)
    }
}

fn result(findings: Vec<Finding>) -> ScanResult {
    ScanResult {
        scan_id: "content-derived".into(),
        target: "/src/app".into(),
        scan_types: vec![ScanType::Code],
        scanners: vec![ScannerOutcome {
            scanner: "semgrep".into(),
            scan_type: ScanType::Code,
            status: ScannerStatus::Completed {
                findings: findings.len(),
            },
            tool_version: Some("1.0".into()),
            warnings: Vec::new(),
            duration: std::time::Duration::ZERO,
        }],
        findings,
    }
}

fn new_scan(id: &str) -> NewScan {
    NewScan {
        id: id.to_string(),
        target_path: "/src/app".into(),
        target_url: None,
        target_host: None,
        scan_types: vec!["code".into()],
    }
}

/// A scan run to the end through the server's lifecycle, completed at `at`.
fn completed(store: &Store, id: &str, findings: Vec<Finding>, at: &str) {
    store.create_scan(&new_scan(id), at).expect("create");
    assert!(store.start_scan(id, at).expect("start"));
    assert!(
        store
            .complete_scan(id, &result(findings), at)
            .expect("complete")
    );
}

fn open(dir: &Path) -> Store {
    Store::open(&dir.join("scans.db")).expect("open store")
}

fn titles(store: &Store, id: &str, filter: &FindingFilter, page: Page) -> (u64, Vec<String>) {
    let found = store
        .findings(id, filter, page)
        .expect("findings")
        .expect("scan exists");
    let titles = found
        .rows
        .iter()
        .map(|row| {
            let doc: serde_json::Value = serde_json::from_str(&row.document).expect("JSON");
            doc["title"].as_str().expect("title").to_string()
        })
        .collect();
    (found.total, titles)
}

#[test]
fn a_v1_file_upgrades_in_place_and_history_still_lists_its_scans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scans.db");
    let old = Finding {
        scan_type: ScanType::Dependency,
        compliance_tags: vec!["OWASP-A06".into()],
        suppression: Some(Suppression::by(SuppressedBy::Inline)),
        ..finding("safety", "old finding", Severity::High, "fp-old")
    };
    {
        // What `securescan scan` wrote before the server existed.
        let connection = Connection::open(&path).expect("sqlite");
        connection
            .execute_batch(MIGRATIONS[0].sql)
            .expect("v1 schema");
        connection
            .execute(
                "INSERT INTO scans VALUES ('old-1', '/src/app', '[\"dependency\"]',
                 'completed-with-failures', '2026-01-02T03:04:05Z', '2026-01-02T03:05:00Z', 1,
                 12.5, '{\"total_findings\":1,\"high\":1,\"risk_score\":12.5}', '[]')",
                [],
            )
            .expect("v1 scan");
        connection
            .execute(
                "INSERT INTO findings VALUES ('old-1', 0, 'fp-old', 'high', ?1)",
                [serde_json::to_string(&old).expect("finding JSON")],
            )
            .expect("v1 finding");
        connection
            .execute_batch("PRAGMA user_version = 1")
            .expect("version");
    }

    let store = Store::open(&path).expect("the v1 file opens");
    let history = store.history(10).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].id, "old-1");
    assert_eq!(history[0].status, "completed");
    assert_eq!(history[0].started_at, "2026-01-02T03:04:05Z");
    assert_eq!(history[0].findings_count, 1);
    assert_eq!(history[0].risk_score, 12.5);

    let record = store.scan("old-1").expect("read").expect("present");
    assert_eq!(record.status, ScanStatus::Completed);
    assert_eq!(record.created_at, "2026-01-02T03:04:05Z");
    assert_eq!(record.completed_at.as_deref(), Some("2026-01-02T03:05:00Z"));
    // The columns the API filters on were filled from the stored documents.
    let by = |filter: FindingFilter| titles(&store, "old-1", &filter, Page::default()).1;
    assert_eq!(
        by(FindingFilter {
            scanners: vec!["safety".into()],
            scan_types: vec!["dependency".into()],
            compliance: Some("OWASP-A06".into()),
            suppressed: Some(true),
            ..FindingFilter::default()
        }),
        ["old finding"]
    );
    assert!(
        by(FindingFilter {
            suppressed: Some(false),
            ..FindingFilter::default()
        })
        .is_empty()
    );
    drop(store);
    let version: i64 = Connection::open(&path)
        .expect("sqlite")
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    // Opening an upgraded file again changes nothing.
    assert_eq!(
        Store::open(&path)
            .expect("reopen")
            .history(10)
            .expect("history"),
        history
    );
}

#[test]
fn a_file_from_a_newer_securescan_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scans.db");
    {
        let connection = Connection::open(&path).expect("sqlite");
        connection
            .execute_batch(&format!(
                "CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');
                 PRAGMA user_version = {};",
                SCHEMA_VERSION + 1
            ))
            .expect("newer file");
    }
    let before = std::fs::read(&path).expect("read");

    match Store::open(&path) {
        Err(StoreError::Newer { found, known, .. }) => {
            assert_eq!((found, known), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected Newer, got {other:?}"),
    }
    let after = std::fs::read(&path).expect("read");
    let changed: Vec<usize> = (0..before.len().max(after.len()))
        .filter(|&i| before.get(i) != after.get(i))
        .take(8)
        .collect();
    assert!(
        changed.is_empty(),
        "the file was modified at bytes {changed:?}"
    );
    assert!(!dir.path().join("scans.db-wal").exists());
}

#[test]
fn completing_writes_the_scan_and_every_finding_in_one_transaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    store
        .create_scan(&new_scan("s1"), "2026-03-01T10:00:00Z")
        .expect("create");
    assert!(
        store
            .start_scan("s1", "2026-03-01T10:00:01Z")
            .expect("start")
    );
    {
        // The second finding's insert fails: the first, and the status change, must go with it.
        let connection = Connection::open(store.path()).expect("sqlite");
        connection
            .execute_batch(
                "CREATE TRIGGER refuse_second BEFORE INSERT ON findings WHEN NEW.position = 1
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .expect("trigger");
    }
    let findings = vec![
        finding("semgrep", "a", Severity::High, "fa"),
        finding("semgrep", "b", Severity::Low, "fb"),
    ];
    assert!(
        store
            .complete_scan("s1", &result(findings.clone()), "2026-03-01T10:01:00Z")
            .is_err()
    );
    let record = store.scan("s1").expect("read").expect("present");
    assert_eq!(record.status, ScanStatus::Running);
    assert_eq!(record.findings_count, 0);
    assert!(store.finding_documents("s1").expect("documents").is_empty());

    Connection::open(store.path())
        .expect("sqlite")
        .execute_batch("DROP TRIGGER refuse_second")
        .expect("drop trigger");
    assert!(
        store
            .complete_scan("s1", &result(findings), "2026-03-01T10:01:00Z")
            .expect("complete")
    );
    let record = store.scan("s1").expect("read").expect("present");
    assert_eq!(record.status, ScanStatus::Completed);
    assert_eq!(record.findings_count, 2);
    assert_eq!(record.scanners_run, ["semgrep"]);
    assert_eq!(store.finding_documents("s1").expect("documents").len(), 2);
    // The documents name the stored scan, not the result's content-derived id.
    let doc: serde_json::Value =
        serde_json::from_str(&store.finding_documents("s1").expect("documents")[0]).expect("JSON");
    assert_eq!(doc["scan_id"], "s1");
}

#[test]
fn a_cancel_that_landed_first_wins_over_completion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    store
        .create_scan(&new_scan("s1"), "2026-03-01T10:00:00Z")
        .expect("create");
    assert!(
        store
            .start_scan("s1", "2026-03-01T10:00:01Z")
            .expect("start")
    );
    assert!(matches!(
        store.cancel_scan("s1", "Scan cancelled by user", "2026-03-01T10:00:02Z"),
        Ok(Cancellation::Cancelled(_))
    ));
    let findings = vec![finding("semgrep", "a", Severity::High, "fa")];
    assert!(
        !store
            .complete_scan("s1", &result(findings.clone()), "2026-03-01T10:01:00Z")
            .expect("complete")
    );
    let record = store.scan("s1").expect("read").expect("present");
    assert_eq!(record.status, ScanStatus::Cancelled);
    assert_eq!(record.error.as_deref(), Some("Scan cancelled by user"));
    assert_eq!(record.findings_count, 0);
    assert!(store.finding_documents("s1").expect("documents").is_empty());
    // Nothing leaves an ended state.
    assert!(
        !store
            .fail_scan("s1", "late", &[], "2026-03-01T10:02:00Z")
            .expect("fail")
    );
    assert_eq!(
        store
            .cancel_scan("s1", "again", "2026-03-01T10:02:00Z")
            .expect("cancel"),
        Cancellation::AlreadyEnded(ScanStatus::Cancelled)
    );
    assert_eq!(
        store
            .cancel_scan("nope", "x", "2026-03-01T10:02:00Z")
            .expect("cancel"),
        Cancellation::NotFound
    );
    // Cancelled while queued: it never starts.
    store
        .create_scan(&new_scan("s2"), "2026-03-01T10:00:00Z")
        .expect("create");
    store
        .cancel_scan("s2", "x", "2026-03-01T10:00:01Z")
        .expect("cancel");
    assert!(
        !store
            .start_scan("s2", "2026-03-01T10:00:02Z")
            .expect("start")
    );
}

#[test]
fn deleting_a_scan_takes_its_findings_and_keeps_triage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    store
        .create_scan(&new_scan("busy"), "2026-03-01T09:00:00Z")
        .expect("create");
    assert_eq!(
        store.delete_scan("busy").expect("delete"),
        Deletion::Active(ScanStatus::Pending)
    );
    assert!(
        store
            .start_scan("busy", "2026-03-01T09:00:01Z")
            .expect("start")
    );
    assert_eq!(
        store.delete_scan("busy").expect("delete"),
        Deletion::Active(ScanStatus::Running)
    );

    let findings = vec![finding("semgrep", "a", Severity::High, "fa")];
    completed(&store, "s1", findings.clone(), "2026-03-01T10:00:00Z");
    store
        .set_state(
            "fa",
            TriageStatus::FalsePositive,
            Some("test code"),
            &actor(),
            "2026-03-01T11:00:00Z",
        )
        .expect("state");
    let comment = CommentRecord {
        id: "c1".into(),
        fingerprint: "fa".into(),
        text: "seen".into(),
        author: Some("ci".into()),
        author_key: Some("k1".into()),
        created_at: "2026-03-01T11:00:00Z".into(),
    };
    store.add_comment(&comment).expect("comment");

    assert_eq!(store.delete_scan("s1").expect("delete"), Deletion::Deleted);
    assert!(store.scan("s1").expect("read").is_none());
    assert!(store.finding_documents("s1").expect("documents").is_empty());
    let orphans: i64 = Connection::open(store.path())
        .expect("sqlite")
        .query_row(
            "SELECT count(*) FROM findings WHERE scan_id = 's1'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(orphans, 0, "the findings outlived their scan");
    assert_eq!(store.delete_scan("s1").expect("delete"), Deletion::NotFound);
    assert_eq!(store.comments("fa").expect("comments"), [comment]);

    // The verdict comes back with the finding in the next scan.
    completed(&store, "s2", findings, "2026-03-02T10:00:00Z");
    let page = store
        .findings("s2", &FindingFilter::default(), Page::default())
        .expect("findings")
        .expect("scan");
    let state = page.rows[0].state.as_ref().expect("verdict kept");
    assert_eq!(state.status, TriageStatus::FalsePositive);
    assert_eq!(state.note.as_deref(), Some("test code"));
}

#[test]
fn fail_unfinished_fails_pending_and_running_scans_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    completed(&store, "done", Vec::new(), "2026-03-01T10:00:00Z");
    store
        .create_scan(&new_scan("b-queued"), "2026-03-01T10:00:00Z")
        .expect("create");
    store
        .create_scan(&new_scan("a-running"), "2026-03-01T10:00:00Z")
        .expect("create");
    assert!(
        store
            .start_scan("a-running", "2026-03-01T10:00:01Z")
            .expect("start")
    );

    let failed = store
        .fail_unfinished("the server stopped", "2026-03-01T10:05:00Z")
        .expect("fail");
    assert_eq!(failed, ["a-running", "b-queued"]);
    for id in &failed {
        let record = store.scan(id).expect("read").expect("present");
        assert_eq!(record.status, ScanStatus::Failed);
        assert_eq!(record.error.as_deref(), Some("the server stopped"));
        assert_eq!(record.completed_at.as_deref(), Some("2026-03-01T10:05:00Z"));
    }
    let done = store.scan("done").expect("read").expect("present");
    assert_eq!(done.status, ScanStatus::Completed);
    assert_eq!(done.error, None);
    assert!(
        store
            .fail_unfinished("again", "2026-03-01T10:06:00Z")
            .expect("fail")
            .is_empty()
    );
}

/// Six findings over two scanners, two scan types, tags with LIKE's wildcard characters, one
/// suppressed and one without identity.
fn varied() -> Vec<Finding> {
    vec![
        Finding {
            compliance_tags: vec!["PCI_DSS-6.5".into()],
            ..finding("semgrep", "low-1", Severity::Low, "f1")
        },
        Finding {
            compliance_tags: vec!["PCIXDSS-6.5".into(), "100%".into()],
            ..finding("semgrep", "critical-2", Severity::Critical, "f2")
        },
        Finding {
            scan_type: ScanType::Dependency,
            ..finding("safety", "high-3", Severity::High, "f3")
        },
        Finding {
            suppression: Some(Suppression::by(SuppressedBy::Config)),
            ..finding("semgrep", "high-4", Severity::High, "f4")
        },
        finding("bandit", "low-5", Severity::Low, ""),
        Finding {
            compliance_tags: vec!["1000".into()],
            ..finding("semgrep", "critical-6", Severity::Critical, "f6")
        },
    ]
}

#[test]
fn findings_filters_match_exactly_and_combine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    completed(&store, "s1", varied(), "2026-03-01T10:00:00Z");
    store
        .set_state(
            "f2",
            TriageStatus::FalsePositive,
            None,
            &actor(),
            "2026-03-01T11:00:00Z",
        )
        .expect("state");
    store
        .set_state(
            "f3",
            TriageStatus::New,
            None,
            &actor(),
            "2026-03-01T11:00:00Z",
        )
        .expect("state");
    // A verdict on the empty fingerprint must not attach to findings without identity.
    store
        .set_state(
            "",
            TriageStatus::Fixed,
            None,
            &actor(),
            "2026-03-01T11:00:00Z",
        )
        .expect("state");
    let by = |filter: FindingFilter| titles(&store, "s1", &filter, Page::default()).1;

    assert_eq!(
        by(FindingFilter::default()),
        [
            "critical-2",
            "critical-6",
            "high-3",
            "high-4",
            "low-1",
            "low-5"
        ]
    );
    assert_eq!(
        by(FindingFilter {
            severities: vec!["high".into(), "low".into()],
            scanners: vec!["semgrep".into()],
            ..FindingFilter::default()
        }),
        ["high-4", "low-1"]
    );
    assert_eq!(
        by(FindingFilter {
            scan_types: vec!["dependency".into()],
            ..FindingFilter::default()
        }),
        ["high-3"]
    );
    let tag = |tag: &str| {
        by(FindingFilter {
            compliance: Some(tag.into()),
            ..FindingFilter::default()
        })
    };
    assert_eq!(
        tag("PCI_DSS-6.5"),
        ["low-1"],
        "`_` matched another character"
    );
    assert_eq!(tag("PCI%"), Vec::<String>::new(), "`%` acted as a wildcard");
    assert_eq!(tag("100%"), ["critical-2"]);
    assert_eq!(tag("10%"), Vec::<String>::new());
    assert_eq!(
        tag("PCI"),
        Vec::<String>::new(),
        "a tag matched by its prefix"
    );
    let status = |statuses: Vec<TriageStatus>| {
        by(FindingFilter {
            statuses,
            ..FindingFilter::default()
        })
    };
    assert_eq!(
        status(vec![TriageStatus::New]),
        ["critical-6", "high-3", "high-4", "low-1", "low-5"]
    );
    assert_eq!(status(vec![TriageStatus::FalsePositive]), ["critical-2"]);
    assert_eq!(status(vec![TriageStatus::Fixed]), Vec::<String>::new());
    assert_eq!(
        by(FindingFilter {
            suppressed: Some(true),
            ..FindingFilter::default()
        }),
        ["high-4"]
    );
    assert_eq!(
        by(FindingFilter {
            suppressed: Some(false),
            severities: vec!["high".into()],
            ..FindingFilter::default()
        }),
        ["high-3"]
    );
    let without_identity = store
        .findings("s1", &FindingFilter::default(), Page::default())
        .expect("findings")
        .expect("scan")
        .rows
        .into_iter()
        .find(|row| row.document.contains("\"low-5\""))
        .expect("low-5");
    assert_eq!(without_identity.state, None);
    assert!(
        store
            .findings("nope", &FindingFilter::default(), Page::default())
            .expect("findings")
            .is_none()
    );
}

#[test]
fn findings_pages_are_stable_and_count_every_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    completed(&store, "s1", varied(), "2026-03-01T10:00:00Z");
    let all = titles(&store, "s1", &FindingFilter::default(), Page::default());
    let mut paged = Vec::new();
    for offset in [0, 2, 4, 6] {
        let (total, page) = titles(
            &store,
            "s1",
            &FindingFilter::default(),
            Page {
                limit: Some(2),
                offset,
            },
        );
        assert_eq!(total, 6);
        assert!(page.len() <= 2);
        paged.extend(page);
    }
    assert_eq!(paged, all.1);
    let filtered = FindingFilter {
        scanners: vec!["semgrep".into()],
        ..FindingFilter::default()
    };
    let (total, page) = titles(
        &store,
        "s1",
        &filtered,
        Page {
            limit: Some(1),
            offset: 1,
        },
    );
    assert_eq!((total, page), (4, vec!["critical-6".to_string()]));
}

#[test]
fn trends_take_each_days_last_completed_scan_and_stats_count_every_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    let critical = |n: usize| -> Vec<Finding> {
        (0..n)
            .map(|i| {
                finding(
                    "semgrep",
                    &format!("c{i}"),
                    Severity::Critical,
                    &format!("c{i}"),
                )
            })
            .collect()
    };
    completed(&store, "old", critical(5), "2026-02-27T10:00:00Z");
    // Completed later in the day, though created first: completion time decides.
    completed(&store, "day1-late", critical(1), "2026-03-01T23:00:00Z");
    completed(&store, "day1-early", critical(3), "2026-03-01T08:00:00Z");
    completed(&store, "day2", critical(2), "2026-03-02T12:00:00Z");
    store
        .create_scan(&new_scan("queued"), "2026-03-02T13:00:00Z")
        .expect("create");
    store
        .create_scan(&new_scan("failed"), "2026-03-02T13:00:00Z")
        .expect("create");
    store
        .fail_scan("failed", "boom", &[], "2026-03-02T13:01:00Z")
        .expect("fail");

    let points = store.trends("2026-03-01").expect("trends");
    let summary: Vec<(&str, i64, i64)> = points
        .iter()
        .map(|p| (p.date.as_str(), p.total_findings, p.critical))
        .collect();
    assert_eq!(summary, [("2026-03-01", 1, 1), ("2026-03-02", 2, 2)]);
    let expected_day2 = result(critical(2)).summary().risk_score;
    assert_eq!(points[1].risk_score, expected_day2);

    let stats = store.stats().expect("stats");
    assert_eq!(stats.total_scans, 6);
    assert_eq!(stats.completed_scans, 4);
    assert_eq!(stats.total_findings, 11);
    let scores: Vec<f64> = [5, 1, 3, 2]
        .iter()
        .map(|n| result(critical(*n)).summary().risk_score)
        .collect();
    let mean = scores.iter().sum::<f64>() / 4.0;
    assert_eq!(stats.average_risk_score, (mean * 100.0).round() / 100.0);
}

fn actor() -> Actor {
    Actor {
        key_id: "k1".into(),
        name: "ci".into(),
    }
}

fn new_key(id: &str, scopes: &[&str], expires_at: Option<&str>) -> NewKey {
    NewKey {
        id: id.into(),
        name: format!("key {id}"),
        prefix: format!("ssk_{id}_x"),
        key_hash: format!("salt${id}"),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        created_at: "2026-03-01T10:00:00Z".into(),
        created_by: actor(),
        expires_at: expires_at.map(str::to_string),
    }
}

#[test]
fn keys_are_stored_hashed_and_the_last_admin_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path());
    assert!(!store.any_keys().expect("any"));
    // Without an env key, the first key must be an admin key.
    assert_eq!(
        store
            .insert_key(&new_key("aaaaaaaaaa", &["read"], None), true)
            .expect("insert"),
        KeyInsert::NoAdminLeft
    );
    assert!(!store.any_keys().expect("any"));
    let KeyInsert::Created(admin) = store
        .insert_key(&new_key("bbbbbbbbbb", &["admin"], None), true)
        .expect("insert")
    else {
        panic!("admin key refused");
    };
    assert_eq!(admin.created_by.as_deref(), Some("k1"));
    assert_eq!(
        store
            .insert_key(&new_key("bbbbbbbbbb", &["read"], None), true)
            .expect("insert"),
        KeyInsert::IdTaken
    );
    assert!(matches!(
        store
            .insert_key(&new_key("cccccccccc", &["read", "write"], None), true)
            .expect("insert"),
        KeyInsert::Created(_)
    ));
    // An admin key that has expired does not count.
    assert!(matches!(
        store
            .insert_key(
                &new_key("dddddddddd", &["admin"], Some("2026-03-01T10:30:00Z")),
                true
            )
            .expect("insert"),
        KeyInsert::Created(_)
    ));
    let later = "2026-03-02T00:00:00Z";
    assert_eq!(store.active_admin_keys(later).expect("count"), 1);
    assert_eq!(
        store
            .revoke_key("bbbbbbbbbb", &actor(), later, true)
            .expect("revoke"),
        Revocation::LastAdmin
    );
    // With an env key to fall back on, it may go; twice is a no-op.
    assert_eq!(
        store
            .revoke_key("bbbbbbbbbb", &actor(), later, false)
            .expect("revoke"),
        Revocation::Revoked
    );
    assert_eq!(
        store
            .revoke_key("bbbbbbbbbb", &actor(), later, true)
            .expect("revoke"),
        Revocation::AlreadyRevoked
    );
    assert_eq!(
        store
            .revoke_key("nonexisten", &actor(), later, true)
            .expect("revoke"),
        Revocation::NotFound
    );
    // Revoked keys are kept (and still count as "keys exist").
    assert!(store.any_keys().expect("any"));
    let listed = store.keys().expect("list");
    assert_eq!(listed.len(), 3);
    let revoked = listed.iter().find(|k| k.id == "bbbbbbbbbb").expect("kept");
    assert_eq!(revoked.revoked_at.as_deref(), Some(later));
    assert_eq!(revoked.revoked_by.as_deref(), Some("k1"));

    // Rotation replaces the hash, keeps the id; a revoked key is not rotated.
    let Rotation::Rotated(rotated) = store
        .rotate_key("cccccccccc", "ssk_cccccccccc_y", "salt2$new", later)
        .expect("rotate")
    else {
        panic!("not rotated");
    };
    assert_eq!(rotated.prefix, "ssk_cccccccccc_y");
    assert_eq!(rotated.rotated_at.as_deref(), Some(later));
    assert_eq!(
        store
            .key("cccccccccc")
            .expect("read")
            .expect("exists")
            .key_hash,
        "salt2$new"
    );
    assert_eq!(
        store
            .rotate_key("bbbbbbbbbb", "p", "h", later)
            .expect("rotate"),
        Rotation::Revoked
    );
    store.touch_key("cccccccccc", later).expect("touch");
    assert_eq!(
        store
            .key("cccccccccc")
            .expect("read")
            .expect("exists")
            .record
            .last_used_at
            .as_deref(),
        Some(later)
    );
}
