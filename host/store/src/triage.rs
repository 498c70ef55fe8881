//! Triage: verdicts and comments keyed on the cross-scan fingerprint, so they outlive the scan
//! they were made on and come back with the finding.

use rusqlite::{Connection, Row, params};

use crate::records::{CommentRecord, StateRecord, TriageStatus};

/// Replace, not merge: a verdict without a note clears the old note.
pub fn replace_state(connection: &Connection, state: &StateRecord) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO finding_states
             (fingerprint, status, note, updated_at, updated_by, updated_by_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (fingerprint) DO UPDATE SET status = excluded.status,
             note = excluded.note, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by, updated_by_key = excluded.updated_by_key",
        params![
            state.fingerprint,
            state.status.as_str(),
            state.note,
            state.updated_at,
            state.updated_by,
            state.updated_by_key
        ],
    )?;
    Ok(())
}

/// The state in `row`'s columns from `first` on: fingerprint, status, note, updated_at,
/// updated_by, updated_by_key; `None` when the finding has no verdict (the status is NULL from the outer join).
pub fn state_from(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<StateRecord>> {
    let Some(status) = row.get::<_, Option<String>>(first + 1)? else {
        return Ok(None);
    };
    let status = TriageStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            first + 1,
            rusqlite::types::Type::Text,
            format!("unknown triage status {status:?}").into(),
        )
    })?;
    Ok(Some(StateRecord {
        fingerprint: row.get(first)?,
        status,
        note: row.get(first + 2)?,
        updated_at: row.get(first + 3)?,
        updated_by: row.get(first + 4)?,
        updated_by_key: row.get(first + 5)?,
    }))
}

/// Oldest first; comments made in the same second keep the order they were added in.
pub fn comments(
    connection: &Connection,
    fingerprint: &str,
) -> rusqlite::Result<Vec<CommentRecord>> {
    let mut query = connection.prepare(
        "SELECT id, fingerprint, text, author, author_key, created_at FROM finding_comments
         WHERE fingerprint = ?1 ORDER BY created_at, rowid",
    )?;
    query
        .query_map([fingerprint], |row| {
            Ok(CommentRecord {
                id: row.get(0)?,
                fingerprint: row.get(1)?,
                text: row.get(2)?,
                author: row.get(3)?,
                author_key: row.get(4)?,
                created_at: row.get(5)?,
            })
        })?
        .collect()
}

pub fn add_comment(connection: &Connection, comment: &CommentRecord) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO finding_comments (id, fingerprint, text, author, author_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            comment.id,
            comment.fingerprint,
            comment.text,
            comment.author,
            comment.author_key,
            comment.created_at
        ],
    )?;
    Ok(())
}

/// Only a comment of that fingerprint: the path names both, and both must match (the original
/// deleted by id alone, whatever fingerprint the path gave).
pub fn delete_comment(
    connection: &Connection,
    fingerprint: &str,
    id: &str,
) -> rusqlite::Result<bool> {
    let deleted = connection.execute(
        "DELETE FROM finding_comments WHERE id = ?1 AND fingerprint = ?2",
        params![id, fingerprint],
    )?;
    Ok(deleted == 1)
}
