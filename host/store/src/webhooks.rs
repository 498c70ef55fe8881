//! Webhooks and their delivery queue. Each webhook's deliveries leave in the order they were
//! queued: only the oldest unfinished one of a webhook is ever due, so a retry holds the ones
//! behind it (the original let later events overtake a retrying one).

use rusqlite::{OptionalExtension, Row, params};

use crate::records::{
    AttemptResult, DeliveryRecord, DueDelivery, NewWebhook, WebhookChange, WebhookRecord,
};
use crate::{Store, StoreError, WebhookStore};

const COLUMNS: &str = "id, name, url, event_filter, enabled, created_at, updated_at, created_by";
/// Finished deliveries kept per webhook (the API's delivery log).
const KEPT_DELIVERIES: u32 = 100;

fn json_error(column: usize, err: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(err))
}

fn webhook(row: &Row<'_>) -> rusqlite::Result<WebhookRecord> {
    let filter: String = row.get(3)?;
    Ok(WebhookRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        event_filter: serde_json::from_str(&filter).map_err(|e| json_error(3, e))?,
        enabled: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        created_by: row.get(7)?,
    })
}

fn find(connection: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<WebhookRecord>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?1"),
            [id],
            webhook,
        )
        .optional()
}

fn insert_delivery(
    tx: &rusqlite::Transaction<'_>,
    webhook_id: &str,
    event: &str,
    payload: &str,
    at: &str,
    unix: i64,
) -> rusqlite::Result<String> {
    let id = uuid_v4();
    tx.execute(
        "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, created_at,
                                         created_unix, next_attempt_unix, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6, ?5)",
        params![id, webhook_id, event, payload, at, unix],
    )?;
    Ok(id)
}

/// A random id (the store has no clock or randomness of its own otherwise: SQLite's).
fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl WebhookStore for Store {
    fn create_webhook(&self, new: &NewWebhook) -> Result<(), StoreError> {
        let w = &new.record;
        let filter = serde_json::to_string(&w.event_filter).unwrap_or_else(|_| "[]".into());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO webhooks (id, name, url, secret, event_filter, enabled, created_at,
                                       updated_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    w.id,
                    w.name,
                    w.url,
                    new.secret,
                    filter,
                    w.enabled,
                    w.created_at,
                    w.updated_at,
                    w.created_by
                ],
            )
            .map_err(|e| self.error(e))?;
            Ok(())
        })
    }

    fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM webhooks ORDER BY created_at DESC, rowid DESC"
                ))
                .map_err(|e| self.error(e))?;
            query
                .query_map([], webhook)
                .and_then(|rows| rows.collect())
                .map_err(|e| self.error(e))
        })
    }

    fn webhook(&self, id: &str) -> Result<Option<WebhookRecord>, StoreError> {
        self.read(|c| find(c, id).map_err(|e| self.error(e)))
    }

    fn update_webhook(
        &self,
        id: &str,
        change: &WebhookChange,
        at: &str,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            if find(tx, id).map_err(fail)?.is_none() {
                return Ok(None);
            }
            let filter = change
                .event_filter
                .as_ref()
                .map(|f| serde_json::to_string(f).unwrap_or_else(|_| "[]".into()));
            tx.execute(
                "UPDATE webhooks SET name = coalesce(?2, name), url = coalesce(?3, url),
                     event_filter = coalesce(?4, event_filter), enabled = coalesce(?5, enabled),
                     secret = coalesce(?6, secret), updated_at = ?7
                 WHERE id = ?1",
                params![
                    id,
                    change.name,
                    change.url,
                    filter,
                    change.enabled,
                    change.secret,
                    at
                ],
            )
            .map_err(fail)?;
            find(tx, id).map_err(fail)
        })
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let deleted = tx
                .execute("DELETE FROM webhooks WHERE id = ?1", [id])
                .map_err(|e| self.error(e))?;
            Ok(deleted == 1)
        })
    }

    fn enqueue_event(
        &self,
        event: &str,
        payload: &str,
        at: &str,
        unix: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            let targets: Vec<String> = {
                let mut query = tx
                    .prepare(
                        "SELECT id FROM webhooks WHERE enabled
                           AND EXISTS (SELECT 1 FROM json_each(event_filter) WHERE value = ?1)
                         ORDER BY created_at, rowid",
                    )
                    .map_err(fail)?;
                query
                    .query_map([event], |row| row.get(0))
                    .and_then(|rows| rows.collect())
                    .map_err(fail)?
            };
            targets
                .iter()
                .map(|webhook_id| {
                    insert_delivery(tx, webhook_id, event, payload, at, unix).map_err(fail)
                })
                .collect()
        })
    }

    fn enqueue_delivery(
        &self,
        webhook_id: &str,
        event: &str,
        payload: &str,
        at: &str,
        unix: i64,
    ) -> Result<Option<String>, StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            if find(tx, webhook_id).map_err(fail)?.is_none() {
                return Ok(None);
            }
            insert_delivery(tx, webhook_id, event, payload, at, unix)
                .map(Some)
                .map_err(fail)
        })
    }

    fn due_deliveries(&self, unix: i64) -> Result<Vec<DueDelivery>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(
                    "SELECT d.id, d.webhook_id, d.event, d.payload, d.attempt, d.created_unix,
                            w.url, w.secret, w.enabled, d.status, d.next_attempt_unix
                     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE d.rowid IN (SELECT min(rowid) FROM webhook_deliveries
                                       WHERE status IN ('pending', 'delivering')
                                       GROUP BY webhook_id)
                     ORDER BY d.rowid",
                )
                .map_err(|e| self.error(e))?;
            let rows = query
                .query_map([], |row| {
                    let status: String = row.get(9)?;
                    let next: i64 = row.get(10)?;
                    Ok((
                        status == "pending" && next <= unix,
                        DueDelivery {
                            id: row.get(0)?,
                            webhook_id: row.get(1)?,
                            event: row.get(2)?,
                            payload: row.get(3)?,
                            attempt: row.get(4)?,
                            created_unix: row.get(5)?,
                            url: row.get(6)?,
                            secret: row.get(7)?,
                            enabled: row.get(8)?,
                        },
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.error(e))?;
            Ok(rows
                .into_iter()
                .filter_map(|(due, delivery)| due.then_some(delivery))
                .collect())
        })
    }

    fn claim_delivery(&self, id: &str, at: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let claimed = tx
                .execute(
                    "UPDATE webhook_deliveries SET status = 'delivering', updated_at = ?2
                     WHERE id = ?1 AND status = 'pending'",
                    params![id, at],
                )
                .map_err(|e| self.error(e))?;
            Ok(claimed == 1)
        })
    }

    fn record_attempt(&self, id: &str, result: &AttemptResult, at: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            tx.execute(
                "UPDATE webhook_deliveries SET status = ?2, attempt = attempt + 1,
                     next_attempt_unix = ?3, response_code = ?4, response_body = ?5, error = ?6,
                     updated_at = ?7
                 WHERE id = ?1",
                params![
                    id,
                    result.status,
                    result.next_attempt_unix,
                    result.response_code,
                    result.response_body,
                    result.error,
                    at
                ],
            )
            .map_err(fail)?;
            tx.execute(
                "DELETE FROM webhook_deliveries
                 WHERE webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?1)
                   AND status IN ('succeeded', 'failed')
                   AND rowid NOT IN (
                       SELECT rowid FROM webhook_deliveries
                       WHERE webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?1)
                       ORDER BY rowid DESC LIMIT ?2)",
                params![id, KEPT_DELIVERIES],
            )
            .map_err(fail)?;
            Ok(())
        })
    }

    fn resume_deliveries(&self, at: &str, unix: i64) -> Result<u64, StoreError> {
        self.write(|tx| {
            let resumed = tx
                .execute(
                    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_unix = ?2,
                         updated_at = ?1
                     WHERE status = 'delivering'",
                    params![at, unix],
                )
                .map_err(|e| self.error(e))?;
            Ok(resumed as u64)
        })
    }

    fn deliveries(
        &self,
        webhook_id: &str,
        limit: u32,
    ) -> Result<Option<Vec<DeliveryRecord>>, StoreError> {
        self.read(|c| {
            let fail = |e| self.error(e);
            if find(c, webhook_id).map_err(fail)?.is_none() {
                return Ok(None);
            }
            let mut query = c
                .prepare(
                    "SELECT id, webhook_id, event, status, attempt, created_at, updated_at,
                            next_attempt_unix, response_code, response_body, error
                     FROM webhook_deliveries WHERE webhook_id = ?1
                     ORDER BY rowid DESC LIMIT ?2",
                )
                .map_err(fail)?;
            query
                .query_map(params![webhook_id, limit], |row| {
                    Ok(DeliveryRecord {
                        id: row.get(0)?,
                        webhook_id: row.get(1)?,
                        event: row.get(2)?,
                        status: row.get(3)?,
                        attempt: row.get(4)?,
                        created_at: row.get(5)?,
                        updated_at: row.get(6)?,
                        next_attempt_unix: row.get(7)?,
                        response_code: row.get(8)?,
                        response_body: row.get(9)?,
                        error: row.get(10)?,
                    })
                })
                .and_then(|rows| rows.collect())
                .map(Some)
                .map_err(fail)
        })
    }
}
