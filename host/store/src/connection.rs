//! Opening the file, upgrading its schema, and the connections requests share.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use crate::schema::{MIGRATIONS, SCHEMA_VERSION};
use crate::{StoreError, create_private_dir};

/// Readers kept open between requests; more are opened under load and closed after.
const IDLE_READERS: usize = 8;

/// The SQLite store. Writes go through one connection (SQLite has one writer at a time anyway,
/// and waiting on a mutex is cheaper than on its busy handler); reads take a connection of their
/// own, so listings never wait for a scan's insert (WAL lets them read the last commit).
pub struct Store {
    path: PathBuf,
    shown: String,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (creating the file and its directory, private to the user, when missing), and
    /// upgrade an older schema in place.
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
        let mut writer = open_waiting(path).map_err(sqlite)?;
        // Before anything is written: switching to WAL alone rewrites a newer file's header.
        schema_version(&writer, &shown)?;
        configure(&writer).map_err(sqlite)?;
        migrate(&mut writer, &shown)?;
        Ok(Store {
            path: path.to_path_buf(),
            shown,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.shown.clone(),
            source,
        }
    }

    pub(crate) fn corrupt(&self, id: &str, column: &'static str, detail: String) -> StoreError {
        StoreError::Corrupt {
            path: self.shown.clone(),
            id: id.to_string(),
            column,
            detail,
        }
    }

    /// Run `work` in one transaction on the writer connection.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = lock(&self.writer);
        let transaction = connection.transaction().map_err(|e| self.error(e))?;
        let value = work(&transaction)?;
        transaction.commit().map_err(|e| self.error(e))?;
        Ok(value)
    }

    /// Run `work` on a reader connection (a transaction, so multi-query reads see one commit).
    pub(crate) fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = lock(&self.readers).pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => connect(&self.path).map_err(|e| self.error(e))?,
        };
        connection
            .execute_batch("BEGIN")
            .map_err(|e| self.error(e))?;
        let value = work(&connection);
        // A read transaction has nothing to keep; ending it can only fail if it already ended.
        let ended = connection.execute_batch("COMMIT");
        if ended.is_ok() {
            let mut idle = lock(&self.readers);
            if idle.len() < IDLE_READERS {
                idle.push(connection);
            }
        }
        value
    }
}

/// A mutex whose holder panicked still guards a usable connection: SQLite rolled back whatever
/// that transaction had not committed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let connection = open_waiting(path)?;
    configure(&connection)?;
    Ok(connection)
}

fn open_waiting(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    // Another process (a CI job's `scan`, a second server) may hold the write lock for a moment.
    connection.busy_timeout(Duration::from_secs(5))?;
    Ok(connection)
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
    )
}

/// The file's schema version; a file from a newer SecureScan is refused.
fn schema_version(connection: &Connection, shown: &str) -> Result<i64, StoreError> {
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|source| StoreError::Sqlite {
            path: shown.to_string(),
            source,
        })?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Newer {
            path: shown.to_string(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

fn migrate(connection: &mut Connection, shown: &str) -> Result<(), StoreError> {
    let sqlite = |source| StoreError::Sqlite {
        path: shown.to_string(),
        source,
    };
    let version = schema_version(connection, shown)?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let next = index as i64 + 1;
        if migration.rebuilds_tables {
            connection
                .execute_batch("PRAGMA foreign_keys = OFF")
                .map_err(sqlite)?;
        }
        let applied = (|| {
            let transaction = connection.transaction().map_err(sqlite)?;
            transaction.execute_batch(migration.sql).map_err(sqlite)?;
            let broken: Vec<String> = transaction
                .prepare("PRAGMA foreign_key_check")
                .and_then(|mut check| {
                    check
                        .query_map([], |row| row.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .map_err(sqlite)?;
            if !broken.is_empty() {
                return Err(StoreError::Migration {
                    path: shown.to_string(),
                    version: next,
                    detail: format!("rows of {} point at nothing", broken.join(", ")),
                });
            }
            transaction
                .execute_batch(&format!("PRAGMA user_version = {next}"))
                .map_err(sqlite)?;
            transaction.commit().map_err(sqlite)
        })();
        if migration.rebuilds_tables {
            connection
                .execute_batch("PRAGMA foreign_keys = ON")
                .map_err(sqlite)?;
        }
        applied?;
    }
    Ok(())
}
