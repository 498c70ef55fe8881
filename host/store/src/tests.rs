//! What needs the store's own connections: the integration tests in `tests/` see only its API.

use crate::{NewScan, ScanStore, Store};

#[test]
fn every_connection_enforces_foreign_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("scans.db")).expect("open");
    let orphan = "INSERT INTO findings (scan_id, position, fingerprint, severity, finding)
                  VALUES ('no-such-scan', 0, 'fp', 'high', '{}')";
    let written = store.write(|tx| tx.execute(orphan, []).map_err(|e| store.error(e)));
    assert!(written.is_err(), "a finding of no scan was written");
    let on: i64 = store
        .read(|c| {
            c.query_row("PRAGMA foreign_keys", [], |row| row.get(0))
                .map_err(|e| store.error(e))
        })
        .expect("pragma");
    assert_eq!(on, 1, "reader connections run without foreign keys");

    // The same insert for a scan that exists goes through: the refusal was the foreign key.
    let scan = NewScan {
        id: "s1".into(),
        target_path: "/src".into(),
        target_url: None,
        target_host: None,
        scan_types: vec!["code".into()],
    };
    store
        .create_scan(&scan, "2026-03-01T10:00:00Z")
        .expect("create");
    let existing = orphan.replace("no-such-scan", "s1");
    store
        .write(|tx| tx.execute(&existing, []).map_err(|e| store.error(e)))
        .expect("a finding of an existing scan");
}
