//! API keys: a salted hash of each (never the key), its scopes, and its life (created, used,
//! rotated, revoked, expiring). Rows are never deleted, so the record says who made a key and
//! when it was revoked; and the lockout rules are checked in the same transaction as the change
//! they guard, so two admins revoking each other's keys at once cannot both win.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::records::{Actor, KeyInsert, KeyRecord, NewKey, Revocation, Rotation, StoredKey};
use crate::{KeyStore, Store, StoreError};

const COLUMNS: &str = "id, name, prefix, scopes, created_at, created_by, expires_at, \
                       last_used_at, rotated_at, revoked_at, revoked_by, key_hash";

/// A key that authenticates at `?1` (an RFC 3339 UTC time): not revoked, not expired.
const ACTIVE: &str = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)";
/// A key whose scopes include admin (the exact element, not a substring of the JSON).
const ADMIN: &str = "EXISTS (SELECT 1 FROM json_each(scopes) WHERE value = 'admin')";

fn stored(row: &Row<'_>) -> rusqlite::Result<StoredKey> {
    let scopes: String = row.get(3)?;
    let scopes: Vec<String> = serde_json::from_str(&scopes).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(err))
    })?;
    Ok(StoredKey {
        record: KeyRecord {
            id: row.get(0)?,
            name: row.get(1)?,
            prefix: row.get(2)?,
            scopes,
            created_at: row.get(4)?,
            created_by: row.get(5)?,
            expires_at: row.get(6)?,
            last_used_at: row.get(7)?,
            rotated_at: row.get(8)?,
            revoked_at: row.get(9)?,
            revoked_by: row.get(10)?,
        },
        key_hash: row.get(11)?,
    })
}

fn find(connection: &Connection, id: &str) -> rusqlite::Result<Option<StoredKey>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"),
            [id],
            stored,
        )
        .optional()
}

fn active_admins(connection: &Connection, now: &str) -> rusqlite::Result<u64> {
    connection.query_row(
        &format!("SELECT count(*) FROM api_keys WHERE {ACTIVE} AND {ADMIN}"),
        [now],
        |row| row.get(0),
    )
}

impl KeyStore for Store {
    fn insert_key(&self, key: &NewKey, need_an_admin: bool) -> Result<KeyInsert, StoreError> {
        let scopes = serde_json::to_string(&key.scopes).unwrap_or_else(|_| "[]".into());
        self.write(|tx| {
            let fail = |e| self.error(e);
            if find(tx, &key.id).map_err(fail)?.is_some() {
                return Ok(KeyInsert::IdTaken);
            }
            let admin = key.scopes.iter().any(|s| s == "admin");
            if need_an_admin && !admin && active_admins(tx, &key.created_at).map_err(fail)? == 0 {
                return Ok(KeyInsert::NoAdminLeft);
            }
            tx.execute(
                "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created_at, created_by,
                                       expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    key.id,
                    key.name,
                    key.prefix,
                    key.key_hash,
                    scopes,
                    key.created_at,
                    key.created_by.key_id,
                    key.expires_at
                ],
            )
            .map_err(fail)?;
            let inserted = find(tx, &key.id).map_err(fail)?;
            Ok(inserted.map_or(KeyInsert::IdTaken, |k| {
                KeyInsert::Created(Box::new(k.record))
            }))
        })
    }

    fn key(&self, id: &str) -> Result<Option<StoredKey>, StoreError> {
        self.read(|c| find(c, id).map_err(|e| self.error(e)))
    }

    fn keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.read(|c| {
            let mut query = c
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, id"
                ))
                .map_err(|e| self.error(e))?;
            let rows = query
                .query_map([], stored)
                .and_then(|rows| rows.map(|r| r.map(|k| k.record)).collect())
                .map_err(|e| self.error(e))?;
            Ok(rows)
        })
    }

    fn any_keys(&self) -> Result<bool, StoreError> {
        self.read(|c| {
            c.query_row("SELECT EXISTS (SELECT 1 FROM api_keys)", [], |row| {
                row.get(0)
            })
            .map_err(|e| self.error(e))
        })
    }

    fn active_admin_keys(&self, now: &str) -> Result<u64, StoreError> {
        self.read(|c| active_admins(c, now).map_err(|e| self.error(e)))
    }

    fn touch_key(&self, id: &str, at: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
                params![id, at],
            )
            .map_err(|e| self.error(e))?;
            Ok(())
        })
    }

    fn revoke_key(
        &self,
        id: &str,
        by: &Actor,
        at: &str,
        need_an_admin: bool,
    ) -> Result<Revocation, StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            let Some(key) = find(tx, id).map_err(fail)? else {
                return Ok(Revocation::NotFound);
            };
            if key.record.revoked_at.is_some() {
                return Ok(Revocation::AlreadyRevoked);
            }
            let admin = key.record.scopes.iter().any(|s| s == "admin");
            let active = key.record.expires_at.as_deref().is_none_or(|e| e > at);
            if need_an_admin && admin && active && active_admins(tx, at).map_err(fail)? <= 1 {
                return Ok(Revocation::LastAdmin);
            }
            tx.execute(
                "UPDATE api_keys SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1",
                params![id, at, by.key_id],
            )
            .map_err(fail)?;
            Ok(Revocation::Revoked)
        })
    }

    fn rotate_key(
        &self,
        id: &str,
        prefix: &str,
        key_hash: &str,
        at: &str,
    ) -> Result<Rotation, StoreError> {
        self.write(|tx| {
            let fail = |e| self.error(e);
            let Some(key) = find(tx, id).map_err(fail)? else {
                return Ok(Rotation::NotFound);
            };
            if key.record.revoked_at.is_some() {
                return Ok(Rotation::Revoked);
            }
            tx.execute(
                "UPDATE api_keys SET prefix = ?2, key_hash = ?3, rotated_at = ?4 WHERE id = ?1",
                params![id, prefix, key_hash, at],
            )
            .map_err(fail)?;
            let rotated = find(tx, id).map_err(fail)?;
            Ok(rotated.map_or(Rotation::NotFound, |k| {
                Rotation::Rotated(Box::new(k.record))
            }))
        })
    }
}
