//! In-app notifications. Unread ones are kept until read; read ones are pruned after a while.

use rusqlite::{OptionalExtension, Row, params};

use crate::records::NotificationRecord;
use crate::{NotificationStore, Store, StoreError};

const COLUMNS: &str = "id, type, severity, title, body, scan_id, link, created_at, read_at";

fn record(row: &Row<'_>) -> rusqlite::Result<NotificationRecord> {
    Ok(NotificationRecord {
        id: row.get(0)?,
        kind: row.get(1)?,
        severity: row.get(2)?,
        title: row.get(3)?,
        body: row.get(4)?,
        scan_id: row.get(5)?,
        link: row.get(6)?,
        created_at: row.get(7)?,
        read_at: row.get(8)?,
    })
}

impl NotificationStore for Store {
    fn add_notification(&self, n: &NotificationRecord) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO notifications ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    n.id, n.kind, n.severity, n.title, n.body, n.scan_id, n.link, n.created_at,
                    n.read_at
                ],
            )
            .map_err(|e| self.error(e))?;
            Ok(())
        })
    }

    fn notifications(
        &self,
        unread_only: bool,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        self.read(|c| {
            let filter = if unread_only {
                "WHERE read_at IS NULL"
            } else {
                ""
            };
            let mut query = c
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM notifications {filter}
                     ORDER BY created_at DESC, rowid DESC LIMIT ?1"
                ))
                .map_err(|e| self.error(e))?;
            query
                .query_map([limit], record)
                .and_then(|rows| rows.collect())
                .map_err(|e| self.error(e))
        })
    }

    fn unread_notifications(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT count(*) FROM notifications WHERE read_at IS NULL",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.error(e))
        })
    }

    fn mark_notification_read(
        &self,
        id: &str,
        at: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE notifications SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL",
                params![id, at],
            )
            .map_err(|e| self.error(e))?;
            tx.query_row(
                &format!("SELECT {COLUMNS} FROM notifications WHERE id = ?1"),
                [id],
                record,
            )
            .optional()
            .map_err(|e| self.error(e))
        })
    }

    fn mark_all_notifications_read(&self, at: &str) -> Result<u64, StoreError> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE notifications SET read_at = ?1 WHERE read_at IS NULL",
                    [at],
                )
                .map_err(|e| self.error(e))?;
            Ok(changed as u64)
        })
    }

    fn prune_read_notifications(&self, before: &str) -> Result<u64, StoreError> {
        self.write(|tx| {
            let deleted = tx
                .execute(
                    "DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < ?1",
                    [before],
                )
                .map_err(|e| self.error(e))?;
            Ok(deleted as u64)
        })
    }
}
