//! For `scripts/bench-server.sh`: times how long the store takes to save a finished scan's
//! findings, through the call the scan queue saves them by (`ScanStore::complete_scan`: the scan
//! row updated and every finding inserted, one transaction, committed).
//!
//! Usage: `store_insert FROM_DB SCAN_ID TO_DB`. Reads scan SCAN_ID (findings and scanner
//! outcomes, as the server stored them) from FROM_DB, creates it in TO_DB (a new file) as the
//! server does (`create_scan`, `start_scan`), then times `complete_scan` alone. Prints
//! `<findings> <milliseconds>`.

use std::path::Path;
use std::time::Instant;

use securescan_engine::snapshot::parse_snapshot;
use securescan_model::{ScanResult, ScanType};
use securescan_store::{NewScan, ScanStore, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, id, to] = args.as_slice() else {
        return Err("usage: store_insert FROM_DB SCAN_ID TO_DB".into());
    };
    if Path::new(to).exists() {
        return Err(format!("{to} exists: the insert is timed into a new store").into());
    }
    let source = Store::open(Path::new(from))?;
    let record = source
        .scan(id)?
        .ok_or_else(|| format!("no scan {id} in {from}"))?;
    let documents = source.finding_documents(id)?;
    let findings = parse_snapshot(format!("[{}]", documents.join(",")).as_bytes(), from)?;
    let result = ScanResult {
        scan_id: id.clone(),
        target: record.target_path.clone(),
        scan_types: record
            .scan_types
            .iter()
            .filter_map(|t| ScanType::parse(t))
            .collect(),
        scanners: source.scanner_outcomes(id)?,
        findings,
    };

    let store = Store::open(Path::new(to))?;
    let at = "2026-01-01T00:00:00Z";
    store.create_scan(
        &NewScan {
            id: id.clone(),
            target_path: record.target_path,
            target_url: None,
            target_host: None,
            scan_types: record.scan_types,
        },
        at,
    )?;
    if !store.start_scan(id, at)? {
        return Err("the new scan did not start".into());
    }
    let started = Instant::now();
    let completed = store.complete_scan(id, &result, at)?;
    let elapsed = started.elapsed();
    if !completed {
        return Err("the scan was not completed".into());
    }
    // The bench script reads this line: the example's whole output.
    use std::io::Write;
    writeln!(
        std::io::stdout(),
        "{} {:.1}",
        result.findings.len(),
        elapsed.as_secs_f64() * 1000.0
    )?;
    Ok(())
}
