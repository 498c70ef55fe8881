//! `/api/v1/findings/{fingerprint}`: verdicts and comments, keyed on the cross-scan fingerprint
//! (any string is accepted: a verdict may be recorded before the finding is seen again). Each is
//! attributed to the key that made it; a name in the body (`updated_by`, `author`, as the
//! original took them) is ignored.

use axum::Extension;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use serde::Deserialize;

use securescan_store::{CommentRecord, StateRecord, TriageStatus};

use crate::access::Principal;
use crate::error::ApiError;
use crate::extract::{Body, too_long};
use crate::state::AppState;
use crate::time;

/// Longest note or comment accepted: triage text is for people, not payloads.
const MAX_TEXT: usize = 10_000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StateUpdate {
    pub status: TriageStatus,
    /// Replaces the old note; leaving it out clears it.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CommentCreate {
    pub text: String,
}

/// Set or replace the verdict on a fingerprint (replace, not merge).
#[utoipa::path(
    patch, path = "/findings/{fingerprint}/state", tag = "triage",
    params(("fingerprint" = String, Path)),
    request_body = StateUpdate,
    security(("api_key" = ["write"])),
    responses((status = 200, body = StateRecord), (status = 422, body = Object))
)]
pub async fn set_state(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    UrlPath(fingerprint): UrlPath<String>,
    Body(update): Body<StateUpdate>,
) -> Result<axum::Json<StateRecord>, ApiError> {
    too_long("note", update.note.as_deref(), MAX_TEXT)?;
    let at = time::now();
    let record = state
        .blocking(move |store| {
            store.set_state(
                &fingerprint,
                update.status,
                update.note.as_deref(),
                &caller.actor(),
                &at,
            )
        })
        .await?;
    Ok(axum::Json(record))
}

/// A fingerprint's comments, oldest first.
#[utoipa::path(
    get, path = "/findings/{fingerprint}/comments", tag = "triage",
    params(("fingerprint" = String, Path)),
    security(("api_key" = ["read"])),
    responses((status = 200, body = Vec<CommentRecord>))
)]
pub async fn list_comments(
    State(state): State<AppState>,
    UrlPath(fingerprint): UrlPath<String>,
) -> Result<axum::Json<Vec<CommentRecord>>, ApiError> {
    Ok(axum::Json(
        state
            .blocking(move |store| store.comments(&fingerprint))
            .await?,
    ))
}

#[utoipa::path(
    post, path = "/findings/{fingerprint}/comments", tag = "triage",
    params(("fingerprint" = String, Path)),
    request_body = CommentCreate,
    security(("api_key" = ["write"])),
    responses((status = 201, body = CommentRecord), (status = 422, body = Object))
)]
pub async fn add_comment(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    UrlPath(fingerprint): UrlPath<String>,
    Body(create): Body<CommentCreate>,
) -> Result<(StatusCode, axum::Json<CommentRecord>), ApiError> {
    too_long("text", Some(&create.text), MAX_TEXT)?;
    let comment = CommentRecord {
        id: uuid::Uuid::new_v4().to_string(),
        fingerprint,
        text: create.text,
        author: Some(caller.name),
        author_key: Some(caller.key_id),
        created_at: time::now(),
    };
    let saved = comment.clone();
    state
        .blocking(move |store| store.add_comment(&saved))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(comment)))
}

/// Delete one comment of this fingerprint.
#[utoipa::path(
    delete, path = "/findings/{fingerprint}/comments/{comment_id}", tag = "triage",
    params(("fingerprint" = String, Path), ("comment_id" = String, Path)),
    security(("api_key" = ["write"])),
    responses((status = 204, description = "Deleted"), (status = 404, body = Object))
)]
pub async fn delete_comment(
    State(state): State<AppState>,
    UrlPath((fingerprint, comment_id)): UrlPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let deleted = state
        .blocking(move |store| store.delete_comment(&fingerprint, &comment_id))
        .await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("Comment"))
    }
}
