//! The local scan store: every `scan` saved to one SQLite file (`SECURESCAN_DB_PATH`, default
//! `~/.securescan/scans.db`) so `history` can list them. The schema is versioned with SQLite's
//! `user_version`; a file from a newer SecureScan is refused, never rewritten.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use securescan_model::ScanResult;

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    scan_types TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    completed_at TEXT NOT NULL,
    findings_count INTEGER NOT NULL,
    risk_score REAL NOT NULL,
    summary TEXT NOT NULL,
    scanners TEXT NOT NULL
);
CREATE TABLE findings (
    scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    severity TEXT NOT NULL,
    finding TEXT NOT NULL,
    PRIMARY KEY (scan_id, position)
);
CREATE INDEX findings_by_fingerprint ON findings(fingerprint);
";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("scan store {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("scan store {path}: cannot create its directory: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "scan store {path} has schema version {found}, newer than this SecureScan knows ({SCHEMA_VERSION}); upgrade SecureScan or point SECURESCAN_DB_PATH elsewhere"
    )]
    Newer { path: String, found: i64 },
}

/// One saved scan, as `history` lists it (and `history --json` prints it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SavedScan {
    pub id: String,
    pub target: String,
    pub status: String,
    pub started_at: String,
    pub findings_count: i64,
    pub risk_score: f64,
}

pub struct Store {
    connection: Connection,
    path: String,
}

impl Store {
    /// `SECURESCAN_DB_PATH`, else `~/.securescan/scans.db`.
    pub fn default_path() -> PathBuf {
        if let Some(path) = std::env::var_os("SECURESCAN_DB_PATH").filter(|p| !p.is_empty()) {
            return PathBuf::from(path);
        }
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
        home.join(".securescan").join("scans.db")
    }

    /// Open (creating the file and its directory, private to the user, when missing).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            create_private_dir(dir).map_err(|source| StoreError::Directory {
                path: shown.clone(),
                source,
            })?;
        }
        let sqlite = |source| StoreError::Sqlite {
            path: shown.clone(),
            source,
        };
        let connection = Connection::open(path).map_err(sqlite)?;
        // Another process (a second CI job, the server) may hold the write lock for a moment.
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        connection
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
            .map_err(sqlite)?;
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(sqlite)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: shown,
                found: version,
            });
        }
        if version < SCHEMA_VERSION {
            connection
                .execute_batch(&format!(
                    "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                ))
                .map_err(sqlite)?;
        }
        Ok(Store {
            connection,
            path: shown,
        })
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Save a finished scan and its findings in one transaction, under a fresh id (the same
    /// tree scanned twice is two saved scans; the result's own id is content-derived).
    pub fn save(
        &mut self,
        result: &ScanResult,
        id: &str,
        started_at: &str,
        completed_at: &str,
    ) -> Result<(), StoreError> {
        let summary = result.summary();
        let status = if result.failed().next().is_some() {
            "completed-with-failures"
        } else {
            "completed"
        };
        let json = |value: serde_json::Result<String>| value.unwrap_or_default();
        let types: Vec<&str> = result.scan_types.iter().map(|t| t.as_str()).collect();
        // The transaction borrows the connection, so errors are built from a copy of the path.
        let path = self.path.clone();
        let sqlite = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let transaction = self.connection.transaction().map_err(sqlite)?;
        transaction
            .execute(
                "INSERT INTO scans (id, target, scan_types, status, started_at, completed_at,
                     findings_count, risk_score, summary, scanners)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    result.target,
                    json(serde_json::to_string(&types)),
                    status,
                    started_at,
                    completed_at,
                    summary.total_findings as i64,
                    summary.risk_score,
                    json(serde_json::to_string(&summary)),
                    json(serde_json::to_string(&result.scanners)),
                ],
            )
            .map_err(sqlite)?;
        {
            let mut insert = transaction
                .prepare(
                    "INSERT INTO findings (scan_id, position, fingerprint, severity, finding)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sqlite)?;
            for (position, finding) in result.findings.iter().enumerate() {
                insert
                    .execute(params![
                        id,
                        position as i64,
                        finding.fingerprint,
                        finding.severity.as_str(),
                        json(serde_json::to_string(finding)),
                    ])
                    .map_err(sqlite)?;
            }
        }
        transaction.commit().map_err(sqlite)
    }

    /// The most recent scans first (ties by id, so the order is stable).
    pub fn history(&self, limit: usize) -> Result<Vec<SavedScan>, StoreError> {
        let mut query = self
            .connection
            .prepare(
                "SELECT id, target, status, started_at, findings_count, risk_score FROM scans
                 ORDER BY started_at DESC, id LIMIT ?1",
            )
            .map_err(|e| self.error(e))?;
        let rows = query
            .query_map(params![limit as i64], |row| {
                Ok(SavedScan {
                    id: row.get(0)?,
                    target: row.get(1)?,
                    status: row.get(2)?,
                    started_at: row.get(3)?,
                    findings_count: row.get(4)?,
                    risk_score: row.get(5)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}
