//! The SQLite side of [`ScanStore`]: scans and their lifecycle, findings, stats and trends.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};

use securescan_model::{Finding, ScanResult, ScannerOutcome, ScannerStatus, Severity};

use crate::records::*;
use crate::{ScanStore, Store, StoreError, triage};

const SCAN_COLUMNS: &str = "id, target, target_url, target_host, scan_types, status, created_at, \
                            started_at, completed_at, findings_count, risk_score, scanners, error, \
                            summary";

impl Store {
    /// Save a scan `scan` ran to its end (for `history`), with its findings, in one transaction.
    pub fn save(
        &self,
        result: &ScanResult,
        id: &str,
        started_at: &str,
        completed_at: &str,
    ) -> Result<(), StoreError> {
        let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO scans (id, target, scan_types, status, created_at, started_at)
                 VALUES (?1, ?2, ?3, 'running', ?4, ?4)",
                params![id, result.target, to_json(&types), started_at],
            )
            .map_err(|e| self.error(e))?;
            self.finish(tx, id, result, completed_at).map(|_| ())
        })
    }

    /// The most recent scans first (ties by id, so the order is stable).
    pub fn history(&self, limit: usize) -> Result<Vec<SavedScan>, StoreError> {
        let page = Page {
            limit: Some(u32::try_from(limit).unwrap_or(u32::MAX)),
            offset: 0,
        };
        Ok(self
            .scans(page)?
            .into_iter()
            .map(|scan| SavedScan {
                id: scan.id,
                target: scan.target_path,
                // What `history` has always shown for a scan whose scanners did not all run.
                status: if scan.status == ScanStatus::Completed && !scan.scanners_failed.is_empty()
                {
                    "completed-with-failures".to_string()
                } else {
                    scan.status.as_str().to_string()
                },
                started_at: scan.started_at.unwrap_or(scan.created_at),
                findings_count: scan.findings_count,
                risk_score: scan.risk_score.unwrap_or(0.0),
            })
            .collect())
    }

    /// `running` → `completed` with `result`'s findings; false when the scan is not running.
    fn finish(
        &self,
        tx: &Transaction<'_>,
        id: &str,
        result: &ScanResult,
        at: &str,
    ) -> Result<bool, StoreError> {
        let summary = result.summary();
        let changed = tx
            .execute(
                "UPDATE scans SET status = 'completed', completed_at = ?2, findings_count = ?3,
                     risk_score = ?4, summary = ?5, scanners = ?6
                 WHERE id = ?1 AND status = 'running'",
                params![
                    id,
                    at,
                    summary.total_findings as i64,
                    summary.risk_score,
                    to_json(&summary),
                    to_json(&result.scanners),
                ],
            )
            .map_err(|e| self.error(e))?;
        if changed == 0 {
            return Ok(false);
        }
        let mut insert = tx
            .prepare(
                "INSERT INTO findings (scan_id, position, fingerprint, severity, rank, scanner,
                     scan_type, suppressed, tags, finding)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(|e| self.error(e))?;
        for (position, finding) in result.findings.iter().enumerate() {
            insert
                .execute(params![
                    id,
                    position as i64,
                    finding.fingerprint,
                    finding.severity.as_str(),
                    severity_rank(finding.severity),
                    finding.scanner,
                    finding.scan_type.as_str(),
                    finding.is_suppressed(),
                    to_json(&finding.compliance_tags),
                    document(finding, id),
                ])
                .map_err(|e| self.error(e))?;
        }
        Ok(true)
    }

    fn scan_on(&self, connection: &Connection, id: &str) -> Result<Option<ScanRecord>, StoreError> {
        let row = connection
            .query_row(
                &format!("SELECT {SCAN_COLUMNS} FROM scans WHERE id = ?1"),
                [id],
                RawScan::from_row,
            )
            .optional()
            .map_err(|e| self.error(e))?;
        row.map(|raw| raw.record(self)).transpose()
    }

    fn status_on(
        &self,
        connection: &Connection,
        id: &str,
    ) -> Result<Option<ScanStatus>, StoreError> {
        let status: Option<String> = connection
            .query_row("SELECT status FROM scans WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))?;
        Ok(status.and_then(|s| ScanStatus::parse(&s)))
    }
}

impl ScanStore for Store {
    fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM scans LIMIT 1", [], |_| Ok(()))
                .map_err(|e| self.error(e))
        })
    }

    fn create_scan(&self, scan: &NewScan, at: &str) -> Result<ScanRecord, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO scans (id, target, target_url, target_host, scan_types, status,
                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                params![
                    scan.id,
                    scan.target_path,
                    scan.target_url,
                    scan.target_host,
                    to_json(&scan.scan_types),
                    at
                ],
            )
            .map_err(|e| self.error(e))?;
            self.scan_on(tx, &scan.id)?
                .ok_or_else(|| self.corrupt(&scan.id, "id", "the inserted row is gone".into()))
        })
    }

    fn scan(&self, id: &str) -> Result<Option<ScanRecord>, StoreError> {
        self.read(|c| self.scan_on(c, id))
    }

    fn scans(&self, page: Page) -> Result<Vec<ScanRecord>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(&format!(
                    "SELECT {SCAN_COLUMNS} FROM scans
                     ORDER BY coalesce(started_at, created_at) DESC, id LIMIT ?1 OFFSET ?2"
                ))
                .map_err(|e| self.error(e))?;
            let raws = query
                .query_map(params![limit(page), page.offset], RawScan::from_row)
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))?;
            raws.into_iter().map(|raw| raw.record(self)).collect()
        })
    }

    fn count_scans(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM scans", [], |row| row.get(0))
                .map_err(|e| self.error(e))
        })
    }

    fn start_scan(&self, id: &str, at: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE scans SET status = 'running', started_at = ?2
                 WHERE id = ?1 AND status = 'pending'",
                params![id, at],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.error(e))
        })
    }

    fn complete_scan(&self, id: &str, result: &ScanResult, at: &str) -> Result<bool, StoreError> {
        // When the scan is no longer running, `finish` changed nothing and wrote no finding.
        self.write(|tx| self.finish(tx, id, result, at))
    }

    fn fail_scan(
        &self,
        id: &str,
        error: &str,
        scanners: &[ScannerOutcome],
        at: &str,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE scans SET status = 'failed', error = ?2, scanners = ?3, completed_at = ?4
                 WHERE id = ?1 AND status IN ('pending', 'running')",
                params![id, error, to_json(&scanners), at],
            )
            .map(|changed| changed == 1)
            .map_err(|e| self.error(e))
        })
    }

    fn cancel_scan(&self, id: &str, reason: &str, at: &str) -> Result<Cancellation, StoreError> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE scans SET status = 'cancelled', error = ?2, completed_at = ?3
                     WHERE id = ?1 AND status IN ('pending', 'running')",
                    params![id, reason, at],
                )
                .map_err(|e| self.error(e))?;
            if changed == 1 {
                let record = self
                    .scan_on(tx, id)?
                    .ok_or_else(|| self.corrupt(id, "id", "the cancelled row is gone".into()))?;
                return Ok(Cancellation::Cancelled(Box::new(record)));
            }
            Ok(match self.status_on(tx, id)? {
                Some(status) => Cancellation::AlreadyEnded(status),
                None => Cancellation::NotFound,
            })
        })
    }

    fn delete_scan(&self, id: &str) -> Result<Deletion, StoreError> {
        self.write(|tx| match self.status_on(tx, id)? {
            None => Ok(Deletion::NotFound),
            Some(status) if !status.is_terminal() => Ok(Deletion::Active(status)),
            Some(_) => {
                // Findings go by the foreign key's ON DELETE CASCADE.
                tx.execute("DELETE FROM scans WHERE id = ?1", [id])
                    .map_err(|e| self.error(e))?;
                Ok(Deletion::Deleted)
            }
        })
    }

    fn fail_unfinished(&self, reason: &str, at: &str) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let mut update = tx
                .prepare(
                    "UPDATE scans SET status = 'failed', error = ?1, completed_at = ?2
                     WHERE status IN ('pending', 'running') RETURNING id",
                )
                .map_err(|e| self.error(e))?;
            let mut ids = update
                .query_map(params![reason, at], |row| row.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))?;
            ids.sort();
            Ok(ids)
        })
    }

    fn findings(
        &self,
        scan_id: &str,
        filter: &FindingFilter,
        page: Page,
    ) -> Result<Option<FindingsPage>, StoreError> {
        self.read(|c| {
            if self.status_on(c, scan_id)?.is_none() {
                return Ok(None);
            }
            let (clause, values) = where_clause(scan_id, filter);
            // The verdicts are joined only where a status filter needs them: probing them for
            // every row counted, or skipped by an offset, made a 20,000-finding scan's first and
            // deep pages cost tens of milliseconds. With an offset, the page is chosen on the
            // rank index alone and only its rows are read and joined.
            let join = if filter.statuses.is_empty() {
                ""
            } else {
                JOIN_STATE
            };
            let total: u64 = c
                .query_row(
                    &format!("SELECT count(*) FROM findings f {join} WHERE {clause}"),
                    params_from_iter(values.iter()),
                    |row| row.get(0),
                )
                .map_err(|e| self.error(e))?;
            let chosen = if page.offset == 0 {
                format!("{clause} ORDER BY f.rank, f.position LIMIT ? OFFSET ?")
            } else {
                format!(
                    "f.rowid IN (SELECT f.rowid FROM findings f {join} WHERE {clause}
                                 ORDER BY f.rank, f.position LIMIT ? OFFSET ?)
                     ORDER BY f.rank, f.position"
                )
            };
            let mut query = c
                .prepare(&format!(
                    "SELECT f.finding, f.fingerprint, s.status, s.note, s.updated_at, s.updated_by,
                            s.updated_by_key
                     FROM findings f {JOIN_STATE} WHERE {chosen}"
                ))
                .map_err(|e| self.error(e))?;
            let mut values = values;
            values.push(Value::Integer(limit(page)));
            values.push(Value::Integer(i64::from(page.offset)));
            let rows = query
                .query_map(params_from_iter(values.iter()), |row| {
                    Ok(FindingRow {
                        document: row.get(0)?,
                        state: triage::state_from(row, 1)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))?;
            Ok(Some(FindingsPage { total, rows }))
        })
    }

    fn finding_documents(&self, scan_id: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare("SELECT finding FROM findings WHERE scan_id = ?1 ORDER BY position")
                .map_err(|e| self.error(e))?;
            query
                .query_map([scan_id], |row| row.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))
        })
    }

    fn finding_document(
        &self,
        scan_id: &str,
        fingerprint: &str,
    ) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT finding FROM findings WHERE scan_id = ?1 AND fingerprint = ?2 \
                 ORDER BY position LIMIT 1",
                [scan_id, fingerprint],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
        })
    }

    fn file_finding_documents(
        &self,
        scan_id: &str,
        file_path: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(
                    "SELECT finding FROM findings WHERE scan_id = ?1 \
                     AND json_extract(finding, '$.file_path') = ?2 ORDER BY position",
                )
                .map_err(|e| self.error(e))?;
            query
                .query_map([scan_id, file_path], |row| row.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))
        })
    }

    fn set_state(
        &self,
        fingerprint: &str,
        status: TriageStatus,
        note: Option<&str>,
        by: &Actor,
        at: &str,
    ) -> Result<StateRecord, StoreError> {
        let record = StateRecord {
            fingerprint: fingerprint.to_string(),
            status,
            note: note.map(str::to_string),
            updated_at: at.to_string(),
            updated_by: Some(by.name.clone()),
            updated_by_key: Some(by.key_id.clone()),
        };
        self.write(|tx| triage::replace_state(tx, &record).map_err(|e| self.error(e)))?;
        Ok(record)
    }

    fn comments(&self, fingerprint: &str) -> Result<Vec<CommentRecord>, StoreError> {
        self.read(|c| triage::comments(c, fingerprint).map_err(|e| self.error(e)))
    }

    fn add_comment(&self, comment: &CommentRecord) -> Result<(), StoreError> {
        self.write(|tx| triage::add_comment(tx, comment).map_err(|e| self.error(e)))
    }

    fn delete_comment(&self, fingerprint: &str, id: &str) -> Result<bool, StoreError> {
        self.write(|tx| triage::delete_comment(tx, fingerprint, id).map_err(|e| self.error(e)))
    }

    /// The scanner outcomes saved with a scan, for rebuilding its result (reports of stored scans).
    fn scanner_outcomes(&self, id: &str) -> Result<Vec<ScannerOutcome>, StoreError> {
        self.read(|c| {
            let text: Option<String> = c
                .query_row("SELECT scanners FROM scans WHERE id = ?1", [id], |row| {
                    row.get(0)
                })
                .optional()
                .map_err(|e| self.error(e))?;
            match text {
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| self.corrupt(id, "scanners", e.to_string())),
                None => Ok(Vec::new()),
            }
        })
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*), coalesce(sum(findings_count), 0),
                        avg(risk_score) FILTER (WHERE status = 'completed'),
                        count(*) FILTER (WHERE status = 'completed')
                 FROM scans",
                [],
                |row| {
                    let average: Option<f64> = row.get(2)?;
                    Ok(Stats {
                        total_scans: row.get(0)?,
                        total_findings: row.get(1)?,
                        average_risk_score: (average.unwrap_or(0.0) * 100.0).round() / 100.0,
                        completed_scans: row.get(3)?,
                    })
                },
            )
            .map_err(|e| self.error(e))
        })
    }

    fn trends(&self, since: &str) -> Result<Vec<TrendPoint>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(
                    "SELECT id, substr(completed_at, 1, 10), summary FROM scans
                     WHERE status = 'completed' AND completed_at >= ?1
                     ORDER BY completed_at, id",
                )
                .map_err(|e| self.error(e))?;
            let rows = query
                .query_map([since], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))?;
            let mut points: Vec<TrendPoint> = Vec::new();
            for (id, date, summary) in rows {
                let summary: serde_json::Value = match summary {
                    Some(text) => serde_json::from_str(&text)
                        .map_err(|e| self.corrupt(&id, "summary", e.to_string()))?,
                    None => serde_json::Value::Null,
                };
                let count = |key: &str| summary.get(key).and_then(|v| v.as_i64()).unwrap_or(0);
                let point = TrendPoint {
                    date,
                    risk_score: summary
                        .get("risk_score")
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0),
                    total_findings: count("total_findings"),
                    critical: count("critical"),
                    high: count("high"),
                    medium: count("medium"),
                    low: count("low"),
                    info: count("info"),
                };
                // Rows come oldest first, so the last scan completed on a day is its point.
                match points.last_mut() {
                    Some(last) if last.date == point.date => *last = point,
                    _ => points.push(point),
                }
            }
            Ok(points)
        })
    }
}

/// A finding without its verdict has none: an empty fingerprint (a finding with no identity)
/// never matches one.
const JOIN_STATE: &str =
    "LEFT JOIN finding_states s ON s.fingerprint = f.fingerprint AND f.fingerprint <> ''";

/// The filter as SQL built from fixed fragments, every value a bound parameter.
fn where_clause(scan_id: &str, filter: &FindingFilter) -> (String, Vec<Value>) {
    let mut clause = String::from("f.scan_id = ?");
    let mut values = vec![Value::Text(scan_id.to_string())];
    let mut any_of = |column: &str, wanted: &[String], clause: &mut String| {
        if wanted.is_empty() {
            return;
        }
        let marks = vec!["?"; wanted.len()].join(", ");
        clause.push_str(&format!(" AND {column} IN ({marks})"));
        values.extend(wanted.iter().cloned().map(Value::Text));
    };
    any_of("f.severity", &filter.severities, &mut clause);
    any_of("f.scanner", &filter.scanners, &mut clause);
    any_of("f.scan_type", &filter.scan_types, &mut clause);
    let statuses: Vec<String> = filter
        .statuses
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    any_of("coalesce(s.status, 'new')", &statuses, &mut clause);
    if let Some(tag) = &filter.compliance {
        clause.push_str(" AND EXISTS (SELECT 1 FROM json_each(f.tags) t WHERE t.value = ?)");
        values.push(Value::Text(tag.clone()));
    }
    if let Some(suppressed) = filter.suppressed {
        clause.push_str(" AND f.suppressed = ?");
        values.push(Value::Integer(i64::from(suppressed)));
    }
    if let Some(text) = &filter.contains {
        // instr, not LIKE: the user's `%` and `_` are text, not wildcards.
        clause.push_str(
            " AND (instr(lower(json_extract(f.finding, '$.title')), ?) > 0 \
             OR instr(lower(coalesce(json_extract(f.finding, '$.file_path'), '')), ?) > 0 \
             OR instr(lower(coalesce(json_extract(f.finding, '$.rule_id'), '')), ?) > 0)",
        );
        values.extend(std::iter::repeat_n(Value::Text(text.clone()), 3));
    }
    (clause, values)
}

fn limit(page: Page) -> i64 {
    page.limit.map_or(-1, i64::from)
}

fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Plain data (strings, numbers, lists of them) always serializes.
    serde_json::to_string(value).unwrap_or_default()
}

/// The finding as the API returns it: its JSON, naming the stored scan as its `scan_id` (a
/// result's own id is derived from its content; the store's is what the API addresses).
fn document(finding: &Finding, scan_id: &str) -> String {
    let json = to_json(finding);
    let from = format!("\"scan_id\":{}", to_json(&finding.scan_id));
    let to = format!("\"scan_id\":{}", to_json(scan_id));
    json.replacen(&from, &to, 1)
}

/// A `scans` row before its JSON columns are read.
struct RawScan {
    id: String,
    target: String,
    target_url: Option<String>,
    target_host: Option<String>,
    scan_types: String,
    status: String,
    created_at: String,
    started_at: Option<String>,
    completed_at: Option<String>,
    findings_count: i64,
    risk_score: Option<f64>,
    scanners: String,
    error: Option<String>,
    summary: Option<String>,
}

impl RawScan {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<RawScan> {
        Ok(RawScan {
            id: row.get(0)?,
            target: row.get(1)?,
            target_url: row.get(2)?,
            target_host: row.get(3)?,
            scan_types: row.get(4)?,
            status: row.get(5)?,
            created_at: row.get(6)?,
            started_at: row.get(7)?,
            completed_at: row.get(8)?,
            findings_count: row.get(9)?,
            risk_score: row.get(10)?,
            scanners: row.get(11)?,
            error: row.get(12)?,
            summary: row.get(13)?,
        })
    }

    fn record(self, store: &Store) -> Result<ScanRecord, StoreError> {
        let scan_types: Vec<String> = serde_json::from_str(&self.scan_types)
            .map_err(|e| store.corrupt(&self.id, "scan_types", e.to_string()))?;
        let status = ScanStatus::parse(&self.status)
            .ok_or_else(|| store.corrupt(&self.id, "status", self.status.clone()))?;
        let outcomes: Vec<ScannerOutcome> = serde_json::from_str(&self.scanners)
            .map_err(|e| store.corrupt(&self.id, "scanners", e.to_string()))?;
        let mut scanners_run = Vec::new();
        let mut scanners_skipped = Vec::new();
        let mut scanners_failed = Vec::new();
        for outcome in outcomes {
            match outcome.status {
                ScannerStatus::Completed { .. } => scanners_run.push(outcome.scanner),
                ScannerStatus::Skipped {
                    reason,
                    install_hint,
                } => scanners_skipped.push(SkippedScanner {
                    name: outcome.scanner,
                    reason,
                    install_hint,
                }),
                ScannerStatus::Failed { kind, error } => scanners_failed.push(FailedScanner {
                    name: outcome.scanner,
                    kind: kind.as_str().to_string(),
                    error,
                }),
            }
        }
        scanners_run.sort();
        scanners_skipped.sort_by(|a, b| a.name.cmp(&b.name));
        scanners_failed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(ScanRecord {
            id: self.id,
            target_path: self.target,
            scan_types,
            status,
            started_at: self.started_at,
            completed_at: self.completed_at,
            findings_count: self.findings_count,
            risk_score: self.risk_score,
            summary: None,
            error: self.error,
            target_url: self.target_url,
            target_host: self.target_host,
            scanners_run,
            scanners_skipped,
            scanners_failed,
            created_at: self.created_at,
            counts: self
                .summary
                .and_then(|text| serde_json::from_str(&text).ok()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30 findings of mixed severity, one of every third triaged: pages read with an offset (the
    /// rank index picks the rows, the verdicts are joined after) are the same rows, in the same
    /// order and with the same verdicts, as the full listing's, with or without a status filter.
    #[test]
    fn offset_pages_are_slices_of_the_full_listing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("scans.db"))?;
        let severities = [
            Severity::Low,
            Severity::Critical,
            Severity::Info,
            Severity::High,
        ];
        let findings: Vec<Finding> = (0..30)
            .map(|i| Finding {
                fingerprint: format!("fp{i:02}"),
                ..Finding::sample("semgrep", &format!("finding {i}"), severities[i % 4])
            })
            .collect();
        let result = ScanResult {
            scan_id: "s".into(),
            target: "/t".into(),
            scan_types: vec![securescan_model::ScanType::Code],
            scanners: Vec::new(),
            findings,
        };
        let new = NewScan {
            id: "s".into(),
            target_path: "/t".into(),
            target_url: None,
            target_host: None,
            scan_types: vec!["code".into()],
        };
        let at = "2026-01-01T00:00:00Z";
        store.create_scan(&new, at)?;
        assert!(store.start_scan("s", at)?);
        assert!(store.complete_scan("s", &result, at)?);
        let by = Actor {
            key_id: "dev".into(),
            name: "dev mode".into(),
        };
        for i in (0..30).step_by(3) {
            store.set_state(&format!("fp{i:02}"), TriageStatus::Triaged, None, &by, at)?;
        }
        let shown = |rows: &[FindingRow]| -> Vec<(String, Option<String>)> {
            rows.iter()
                .map(|r| {
                    (
                        r.document.clone(),
                        r.state.as_ref().map(|s| s.fingerprint.clone()),
                    )
                })
                .collect()
        };
        let triaged = FindingFilter {
            statuses: vec![TriageStatus::Triaged],
            ..FindingFilter::default()
        };
        let containing = |text: &str| FindingFilter {
            contains: Some(text.to_string()),
            ..FindingFilter::default()
        };
        for (filter, expected_total) in [
            (FindingFilter::default(), 30),
            (triaged, 10),
            // "finding 1" and "finding 10" to "finding 19".
            (containing("finding 1"), 11),
            // The user's text is text: `%` is no wildcard.
            (containing("finding%"), 0),
        ] {
            let all = store
                .findings("s", &filter, Page::default())?
                .ok_or("the scan is missing")?;
            assert_eq!(all.total, expected_total);
            assert_eq!(all.rows.len() as u64, expected_total);
            let ranks: Vec<i64> = all
                .rows
                .iter()
                .map(|r| {
                    let value: serde_json::Value = serde_json::from_str(&r.document)?;
                    let severity = value["severity"].as_str().unwrap_or_default().to_string();
                    Ok(["critical", "high", "medium", "low", "info"]
                        .iter()
                        .position(|s| *s == severity)
                        .unwrap_or(9) as i64)
                })
                .collect::<Result<_, serde_json::Error>>()?;
            assert!(
                ranks.windows(2).all(|w| w[0] <= w[1]),
                "most severe first: {ranks:?}"
            );
            for offset in [1, 4, 7, 9, 29] {
                let page = store
                    .findings(
                        "s",
                        &filter,
                        Page {
                            limit: Some(4),
                            offset,
                        },
                    )?
                    .ok_or("the scan is missing")?;
                assert_eq!(page.total, expected_total);
                let from = (offset as usize).min(all.rows.len());
                let to = (from + 4).min(all.rows.len());
                assert_eq!(
                    shown(&page.rows),
                    shown(&all.rows[from..to]),
                    "offset {offset}"
                );
            }
        }
        Ok(())
    }
}
