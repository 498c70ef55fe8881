//! `/api/v1/compliance`: which framework controls a scan's findings touch.

use axum::extract::State;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Framework {
    pub id: String,
    pub name: String,
    pub version: String,
    pub total_controls: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Frameworks {
    pub frameworks: Vec<Framework>,
}

/// The frameworks findings are tagged with.
#[utoipa::path(
    get, path = "/compliance/frameworks", tag = "compliance",
    security(("api_key" = ["read"])),
    responses((status = 200, body = Frameworks))
)]
pub async fn frameworks(State(state): State<AppState>) -> axum::Json<Frameworks> {
    let frameworks = state
        .engine
        .compliance()
        .frameworks()
        .into_iter()
        .map(|f| Framework {
            id: f.id,
            name: f.name,
            version: f.version,
            total_controls: f.total_controls,
        })
        .collect();
    axum::Json(Frameworks { frameworks })
}

/// Per framework: the controls a scan's counted findings violate and those they leave clear.
#[utoipa::path(
    get, path = "/compliance/coverage", tag = "compliance",
    params(("scan_id" = String, Query)),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = Object),
        (status = 404, body = Object),
        (status = 422, body = Object)
    )
)]
pub async fn coverage(
    State(state): State<AppState>,
    query: Query,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let scan_id = query.required("scan_id")?.to_string();
    let findings = super::scans::stored_findings(&state, scan_id).await?;
    let coverage = state.engine.compliance().coverage(&findings);
    Ok(axum::Json(serde_json::json!({ "coverage": coverage })))
}
