//! `/api/v1/keys`: API keys. A key's plaintext is in exactly one response, the one that made it
//! (creation or rotation), marked `Cache-Control: no-store`; the store keeps a salted hash.
//! Nobody can lock the deployment out of key management through the API: without an env key,
//! the first key must be an admin key and the last active admin key cannot be revoked.

use axum::Extension;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use securescan_engine::stamp::normalize_utc;
use securescan_store::{KeyInsert, KeyRecord, NewKey, Revocation, Rotation};

use crate::access::{Principal, Scope, Source};
use crate::credentials::{self, IssuedKey};
use crate::error::{ApiError, Invalid};
use crate::extract::{Body, too_long};
use crate::state::AppState;
use crate::time;

const MAX_NAME: usize = 200;
/// Draws of a fresh id before giving up (ids are 60 random bits: a clash is already unlikely).
const ID_ATTEMPTS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    Read,
    Write,
    Admin,
}

impl From<ApiKeyScope> for Scope {
    fn from(scope: ApiKeyScope) -> Scope {
        match scope {
            ApiKeyScope::Read => Scope::Read,
            ApiKeyScope::Write => Scope::Write,
            ApiKeyScope::Admin => Scope::Admin,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct KeyCreate {
    /// Who or what the key is for (`ci-runner`, `read-only-monitoring`): 1 to 200 characters.
    pub name: String,
    /// Default `["read", "write"]`; admin is never granted unless asked for.
    #[serde(default)]
    pub scopes: Option<Vec<ApiKeyScope>>,
    /// RFC 3339; after it the key no longer authenticates. Must be in the future.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// A key with its plaintext: the only response that carries it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyCreated {
    #[serde(flatten)]
    pub view: KeyRecord,
    /// `ssk_<id>_<secret>`: save it now, it is never shown again.
    pub key: String,
}

/// The calling principal: a key from this API, the env key, or dev mode.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Caller {
    /// The key id, `env`, or `dev`.
    pub id: String,
    pub name: String,
    pub source: Source,
    pub scopes: Vec<ApiKeyScope>,
    /// The key itself, for a key from this API.
    pub key: Option<KeyRecord>,
}

fn invalid(field: &str, msg: &str, input: serde_json::Value) -> ApiError {
    ApiError::Validation(vec![Invalid::new(
        "value_error",
        vec![json!("body"), json!(field)],
        msg,
        input,
    )])
}

/// The scopes in canonical order, each once.
fn canonical_scopes(scopes: Option<Vec<ApiKeyScope>>) -> Result<Vec<String>, ApiError> {
    let given = scopes.unwrap_or_else(|| vec![ApiKeyScope::Read, ApiKeyScope::Write]);
    if given.is_empty() {
        return Err(invalid(
            "scopes",
            "give at least one scope (read, write, admin)",
            json!([]),
        ));
    }
    Ok(Scope::ALL
        .into_iter()
        .filter(|scope| given.iter().any(|g| Scope::from(*g) == *scope))
        .map(|scope| scope.as_str().to_string())
        .collect())
}

/// A response carrying a key's plaintext: never cached by a proxy or browser.
fn secret_response(status: StatusCode, created: KeyCreated) -> Response {
    let mut response = (status, axum::Json(created)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn issued(result: Result<IssuedKey, credentials::RandomError>) -> Result<IssuedKey, ApiError> {
    result.map_err(|err| ApiError::Internal(err.to_string()))
}

/// Issue a key. Its plaintext is in this response and nowhere else.
#[utoipa::path(
    post, path = "/keys", tag = "keys",
    request_body = KeyCreate,
    security(("api_key" = ["admin"])),
    responses(
        (status = 201, body = KeyCreated),
        (status = 409, body = Object, description = "The key would leave no admin key"),
        (status = 422, body = Object)
    )
)]
pub async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    Body(create): Body<KeyCreate>,
) -> Result<Response, ApiError> {
    let name = create.name.trim().to_string();
    if name.is_empty() {
        return Err(invalid(
            "name",
            "the name must not be blank",
            json!(create.name),
        ));
    }
    too_long("name", Some(&name), MAX_NAME)?;
    let scopes = canonical_scopes(create.scopes)?;
    let now = time::now();
    let expires_at = match create.expires_at {
        None => None,
        Some(text) => match normalize_utc(&text) {
            Some(utc) if utc > now => Some(utc),
            Some(_) => return Err(invalid("expires_at", "must be in the future", json!(text))),
            None => {
                return Err(invalid(
                    "expires_at",
                    "expected an RFC 3339 time such as 2027-01-31T00:00:00Z",
                    json!(text),
                ));
            }
        },
    };
    let need_an_admin = state.config.api_key.is_none();
    for _ in 0..ID_ATTEMPTS {
        let issued = issued(credentials::issue_key())?;
        let key = NewKey {
            id: issued.id.clone(),
            name: name.clone(),
            prefix: issued.prefix.clone(),
            key_hash: issued.hash.clone(),
            scopes: scopes.clone(),
            created_at: now.clone(),
            created_by: caller.actor(),
            expires_at: expires_at.clone(),
        };
        let inserted = state
            .keys_blocking(move |keys| keys.insert_key(&key, need_an_admin))
            .await?;
        match inserted {
            KeyInsert::Created(view) => {
                tracing::info!(
                    target: "securescan.server",
                    key_id = %view.id,
                    scopes = %view.scopes.join(","),
                    by = %caller.key_id,
                    "API key created"
                );
                return Ok(secret_response(
                    StatusCode::CREATED,
                    KeyCreated {
                        view: *view,
                        key: issued.plaintext.expose().to_string(),
                    },
                ));
            }
            KeyInsert::IdTaken => continue,
            KeyInsert::NoAdminLeft => {
                return Err(ApiError::conflict(
                    "The first API key must have the admin scope while SECURESCAN_API_KEY is \
                     not set: without one, nobody could manage keys",
                ));
            }
        }
    }
    Err(ApiError::Internal(
        "could not draw an unused key id; please retry".into(),
    ))
}

/// Every key, revoked ones too, newest first; never a secret.
#[utoipa::path(
    get, path = "/keys", tag = "keys",
    security(("api_key" = ["admin"])),
    responses((status = 200, body = Vec<KeyRecord>))
)]
pub async fn list_keys(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<KeyRecord>>, ApiError> {
    Ok(axum::Json(state.keys_blocking(|keys| keys.keys()).await?))
}

/// The calling key: useful from CI to check the right key is plumbed in.
#[utoipa::path(
    get, path = "/keys/me", tag = "keys",
    security(("api_key" = [])),
    responses((status = 200, body = Caller))
)]
pub async fn read_me(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
) -> Result<axum::Json<Caller>, ApiError> {
    caller_of(&state, caller).await.map(axum::Json)
}

/// What the API says about a principal: its key record for a key from this API.
pub async fn caller_of(state: &AppState, caller: Principal) -> Result<Caller, ApiError> {
    let key = match caller.source {
        Source::Db => {
            let id = caller.key_id.clone();
            let stored = state.keys_blocking(move |keys| keys.key(&id)).await?;
            Some(stored.ok_or_else(|| ApiError::not_found("Key"))?.record)
        }
        Source::Env | Source::Dev => None,
    };
    let scopes = caller
        .scopes
        .iter()
        .map(|scope| match scope {
            Scope::Read => ApiKeyScope::Read,
            Scope::Write => ApiKeyScope::Write,
            Scope::Admin => ApiKeyScope::Admin,
        })
        .collect();
    Ok(Caller {
        id: caller.key_id,
        name: caller.name,
        source: caller.source,
        scopes,
        key,
    })
}

/// Revoke a key: it fails from the next request on, and its event tokens with it. Revoking a
/// revoked key changes nothing (204).
#[utoipa::path(
    delete, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, body = Object),
        (status = 409, body = Object, description = "The last admin key, with no env key")
    )
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    UrlPath(key_id): UrlPath<String>,
) -> Result<StatusCode, ApiError> {
    let need_an_admin = state.config.api_key.is_none();
    let by = caller.actor();
    let id = key_id.clone();
    let revocation = state
        .keys_blocking(move |keys| keys.revoke_key(&id, &by, &time::now(), need_an_admin))
        .await?;
    match revocation {
        Revocation::Revoked => {
            tracing::info!(target: "securescan.server", key_id = %key_id, by = %caller.key_id, "API key revoked");
            Ok(StatusCode::NO_CONTENT)
        }
        Revocation::AlreadyRevoked => Ok(StatusCode::NO_CONTENT),
        Revocation::NotFound => Err(ApiError::not_found("Key")),
        Revocation::LastAdmin => Err(ApiError::conflict(
            "Cannot revoke last admin key without an env-var fallback",
        )),
    }
}

/// A new secret for the same key id and scopes; the old secret fails from the next request on.
/// The new plaintext is in this response and nowhere else.
#[utoipa::path(
    post, path = "/keys/{key_id}/rotate", tag = "keys",
    params(("key_id" = String, Path)),
    security(("api_key" = ["admin"])),
    responses(
        (status = 200, body = KeyCreated),
        (status = 404, body = Object),
        (status = 409, body = Object, description = "The key is revoked")
    )
)]
pub async fn rotate_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    UrlPath(key_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    if !credentials::is_key_id(&key_id) {
        return Err(ApiError::not_found("Key"));
    }
    let issued = issued(credentials::reissue_key(&key_id))?;
    let (prefix, hash) = (issued.prefix.clone(), issued.hash.clone());
    let id = key_id.clone();
    let rotation = state
        .keys_blocking(move |keys| keys.rotate_key(&id, &prefix, &hash, &time::now()))
        .await?;
    match rotation {
        Rotation::Rotated(view) => {
            tracing::info!(target: "securescan.server", key_id = %key_id, by = %caller.key_id, "API key rotated");
            Ok(secret_response(
                StatusCode::OK,
                KeyCreated {
                    view: *view,
                    key: issued.plaintext.expose().to_string(),
                },
            ))
        }
        Rotation::NotFound => Err(ApiError::not_found("Key")),
        Rotation::Revoked => Err(ApiError::conflict("Key is revoked; issue a new one")),
    }
}
