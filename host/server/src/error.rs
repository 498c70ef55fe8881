//! Every error response: `{"detail": …}` with the documented status, a string for the caller to
//! read or, for 422, the list of what was wrong with the request.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use securescan_store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    /// 4xx with a message.
    Client(StatusCode, String),
    /// 422: each field that failed, all at once.
    Validation(Vec<Invalid>),
    /// 503 with a structured detail (`/ready`).
    Unavailable(Value),
    /// 500: the store failed. The message is logged with the request id; the client gets a
    /// generic one (store paths and SQL are not the caller's business).
    Internal(String),
}

/// One entry of a 422's `detail`, shaped like the original's (FastAPI/pydantic) so clients
/// written against it keep working.
#[derive(Debug, Clone, Serialize)]
pub struct Invalid {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub loc: Vec<Value>,
    pub msg: String,
    pub input: Value,
}

impl Invalid {
    pub fn new(
        kind: &'static str,
        loc: Vec<Value>,
        msg: impl Into<String>,
        input: Value,
    ) -> Invalid {
        Invalid {
            kind,
            loc,
            msg: msg.into(),
            input,
        }
    }
}

impl ApiError {
    pub fn not_found(what: &str) -> ApiError {
        ApiError::Client(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::Client(StatusCode::BAD_REQUEST, message.into())
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::Client(StatusCode::CONFLICT, message.into())
    }

    /// One invalid query parameter.
    pub fn query(name: &str, kind: &'static str, msg: impl Into<String>, input: &str) -> ApiError {
        ApiError::Validation(vec![Invalid::new(
            kind,
            vec![json!("query"), json!(name)],
            msg,
            json!(input),
        )])
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        ApiError::Internal(err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Client(status, detail) => {
                (status, axum::Json(json!({ "detail": detail }))).into_response()
            }
            ApiError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({ "detail": errors })),
            )
                .into_response(),
            ApiError::Unavailable(detail) => (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "detail": detail })),
            )
                .into_response(),
            ApiError::Internal(message) => {
                tracing::error!(target: "securescan.server", error = %message, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(
                        json!({ "detail": "internal error; the server log has the details" }),
                    ),
                )
                    .into_response()
            }
        }
    }
}

/// The response to a handler that panicked: logged, and a generic 500 for the caller.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a handler panicked".to_string());
    ApiError::Internal(format!("panic: {message}")).into_response()
}
