//! `/api/v1/scans`: start, list, read, cancel and delete scans; their findings, summary,
//! reports and SBOM; compare two scans.

use std::collections::BTreeMap;
use std::path::Path;

use axum::Extension;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use securescan_engine::config::{FindingPolicy, check_trusted, discover, lint};
use securescan_engine::sbom;
use securescan_engine::scan::{ScanRequest, url_host};
use securescan_engine::snapshot::parse_snapshot;
use securescan_engine::stamp::Stamp;
use securescan_model::{ChangeSet, Finding, ScanResult, ScanType};
use securescan_registry::TargetKind;
use securescan_report::{OutputFormat, TextStyle, render_to};
use securescan_store::{
    Cancellation, Deletion, FindingFilter, NewScan, Page, ScanRecord, ScanStatus, TriageStatus,
};

use crate::access::Principal;
use crate::credentials::{EVENT_TOKEN_TTL, unix_now};
use crate::error::{ApiError, Invalid};
use crate::extract::{Body, Query};
use crate::openapi::{CompareResult, FindingWithState};
use crate::queue::CANCELLED_BY_USER;
use crate::state::AppState;
use crate::targets::check_address;
use crate::time;

const SCAN_NOT_FOUND: &str = "Scan";
const MAX_SCANS_PAGE: u32 = 1000;
const DEFAULT_SCANS_PAGE: u32 = 100;
const MAX_FINDINGS_PAGE: u32 = 10_000;

/// A scan type, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiScanType {
    Code,
    Dependency,
    Iac,
    Baseline,
    Dast,
    Network,
}

impl ApiScanType {
    fn engine(self) -> ScanType {
        match self {
            ApiScanType::Code => ScanType::Code,
            ApiScanType::Dependency => ScanType::Dependency,
            ApiScanType::Iac => ScanType::Iac,
            ApiScanType::Baseline => ScanType::Baseline,
            ApiScanType::Dast => ScanType::Dast,
            ApiScanType::Network => ScanType::Network,
        }
    }
}

fn default_types() -> Vec<ApiScanType> {
    vec![ApiScanType::Code, ApiScanType::Dependency]
}

/// What to scan (`ScanRequest`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScanCreate {
    /// The directory or file to scan: inside `SECURESCAN_ALLOWED_ROOTS` (relative paths are taken
    /// from the first root).
    pub target_path: String,
    /// At least one; default code and dependency.
    #[serde(default = "default_types")]
    pub scan_types: Vec<ApiScanType>,
    /// The URL `dast` scanners probe (required with `dast`).
    #[serde(default)]
    pub target_url: Option<String>,
    /// The host, IP address or CIDR range `network` scanners probe (required with `network`).
    #[serde(default)]
    pub target_host: Option<String>,
}

/// `GET /scans/{id}/summary`: the documented counts and score, with how each scanner ended and
/// when (the original's summary listed only scanners that had findings, and no timing).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScanSummary {
    pub total_findings: i64,
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub info: i64,
    pub risk_score: f64,
    pub scanners_run: Vec<String>,
    pub scanners_skipped: Vec<securescan_store::SkippedScanner>,
    pub scanners_failed: Vec<securescan_store::FailedScanner>,
    pub status: ScanStatus,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

impl ScanSummary {
    fn of(record: ScanRecord) -> ScanSummary {
        let counts = record.counts.unwrap_or_default();
        let count = |key: &str| counts.get(key).and_then(|v| v.as_i64()).unwrap_or(0);
        ScanSummary {
            total_findings: count("total_findings"),
            critical: count("critical"),
            high: count("high"),
            medium: count("medium"),
            low: count("low"),
            info: count("info"),
            risk_score: record.risk_score.unwrap_or(0.0),
            scanners_run: record.scanners_run,
            scanners_skipped: record.scanners_skipped,
            scanners_failed: record.scanners_failed,
            status: record.status,
            started_at: record.started_at,
            completed_at: record.completed_at,
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found(SCAN_NOT_FOUND)
}

/// Start a scan: it is stored `pending` and queued; the response comes at once.
#[utoipa::path(
    post, path = "/scans", tag = "scans",
    request_body = ScanCreate,
    security(("api_key" = ["write"])),
    responses(
        (status = 200, description = "Queued", body = ScanRecord),
        (status = 400, description = "A target the server will not scan", body = Object),
        (status = 422, description = "Invalid body", body = Object)
    )
)]
pub async fn create_scan(
    State(state): State<AppState>,
    Body(body): Body<ScanCreate>,
) -> Result<axum::Json<ScanRecord>, ApiError> {
    if body.scan_types.is_empty() {
        return Err(ApiError::Validation(vec![Invalid::new(
            "too_short",
            vec![json!("body"), json!("scan_types")],
            "List should have at least 1 item after validation, not 0",
            json!([]),
        )]));
    }
    let mut types: Vec<ScanType> = body.scan_types.iter().map(|t| t.engine()).collect();
    types.sort();
    types.dedup();
    let request = scan_request(&state, &body, types.clone()).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewScan {
        id: id.clone(),
        target_path: request.target.clone(),
        target_url: request.url.clone(),
        target_host: request.host.clone(),
        scan_types: types.iter().map(|t| t.as_str().to_string()).collect(),
    };
    let at = time::now();
    let record = state
        .blocking(move |store| store.create_scan(&new, &at))
        .await?;
    state.queue.submit(id, request).await;
    Ok(axum::Json(record))
}

/// The engine request for `body`: every target checked, the project config of a path target
/// applied as `scan` applies it.
async fn scan_request(
    state: &AppState,
    body: &ScanCreate,
    types: Vec<ScanType>,
) -> Result<ScanRequest, ApiError> {
    let kinds: Vec<TargetKind> = state
        .engine
        .registry()
        .for_types(&types)
        .iter()
        .map(|entry| entry.target)
        .collect();
    let needs = |kind| kinds.contains(&kind);
    let url = body
        .target_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let host = body
        .target_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    if needs(TargetKind::Url) && url.is_none() {
        return Err(ApiError::bad_request("scan type dast needs target_url"));
    }
    if needs(TargetKind::Host) && host.is_none() {
        return Err(ApiError::bad_request("scan type network needs target_host"));
    }
    let (target, config) = if needs(TargetKind::Path) {
        let path = state
            .roots
            .scan_target(&body.target_path)
            .map_err(|err| ApiError::bad_request(err.to_string()))?;
        let config = project_config(&path)?;
        (path.display().to_string(), config)
    } else {
        (body.target_path.clone(), None)
    };
    let mut vars: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    if let Some(rules) = config
        .as_ref()
        .map(|c| c.semgrep_config())
        .filter(|rules| !rules.is_empty())
    {
        vars.entry("semgrep".into())
            .or_default()
            .insert("config".into(), rules);
    }
    let request = ScanRequest {
        target,
        url: url.map(str::to_string),
        host: host.map(str::to_string),
        types,
        vars,
        policy: config
            .as_ref()
            .map(FindingPolicy::from_config)
            .unwrap_or_default(),
        ..ScanRequest::default()
    };
    state
        .engine
        .check(&request)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    let allow_private = state.config.allow_private_targets;
    if let Some(host) = url.and_then(url_host) {
        check_address("target_url", host, allow_private)
            .await
            .map_err(|err| ApiError::bad_request(err.to_string()))?;
    }
    if let Some(host) = host {
        check_address("target_host", host, allow_private)
            .await
            .map_err(|err| ApiError::bad_request(err.to_string()))?;
    }
    Ok(request)
}

/// The target's `.securescan.yml`, as `scan` would apply it; an invalid one refuses the scan
/// (as on the command line) rather than scanning under other rules than the project asked for.
fn project_config(
    target: &Path,
) -> Result<Option<securescan_engine::config::ProjectConfig>, ApiError> {
    let Some(path) = discover(target) else {
        return Ok(None);
    };
    if let Err(untrusted) = check_trusted(&path) {
        tracing::warn!(target: "securescan.server", "not applying a config file: {untrusted}");
        return Ok(None);
    }
    let checked = lint(&path);
    match checked.config {
        Some(config) => Ok(Some(config)),
        None => Err(ApiError::bad_request(format!(
            "{}: invalid config; nothing was scanned\n{}",
            path.display(),
            checked.render().trim_end()
        ))),
    }
}

/// Scans, most recent first; `X-Total-Count` says how many there are.
#[utoipa::path(
    get, path = "/scans", tag = "scans",
    params(
        ("limit" = Option<u32>, Query, description = "At most this many (1–1000, default 100)"),
        ("offset" = Option<u32>, Query, description = "Skip this many")
    ),
    security(("api_key" = ["read"])),
    responses((status = 200, body = Vec<ScanRecord>), (status = 422, body = Object))
)]
pub async fn list_scans(State(state): State<AppState>, query: Query) -> Result<Response, ApiError> {
    let page = Page {
        limit: Some(
            query
                .bounded("limit", 1, MAX_SCANS_PAGE)?
                .unwrap_or(DEFAULT_SCANS_PAGE),
        ),
        offset: query.bounded("offset", 0, u32::MAX)?.unwrap_or(0),
    };
    let (scans, total) = state
        .blocking(move |store| Ok((store.scans(page)?, store.count_scans()?)))
        .await?;
    Ok(with_total(axum::Json(scans).into_response(), total))
}

fn with_total(mut response: Response, total: u64) -> Response {
    response
        .headers_mut()
        .insert("x-total-count", HeaderValue::from(total));
    response
}

pub(super) async fn load_scan(state: &AppState, id: String) -> Result<ScanRecord, ApiError> {
    state
        .blocking(move |store| store.scan(&id))
        .await?
        .ok_or_else(not_found)
}

#[utoipa::path(
    get, path = "/scans/{scan_id}", tag = "scans",
    params(("scan_id" = String, Path)),
    security(("api_key" = ["read"])),
    responses((status = 200, body = ScanRecord), (status = 404, body = Object))
)]
pub async fn read_scan(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
) -> Result<axum::Json<ScanRecord>, ApiError> {
    Ok(axum::Json(load_scan(&state, scan_id).await?))
}

/// Delete a finished scan and its findings (triage verdicts and comments stay).
#[utoipa::path(
    delete, path = "/scans/{scan_id}", tag = "scans",
    params(("scan_id" = String, Path)),
    security(("api_key" = ["write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = Object),
        (status = 409, description = "Still pending or running: cancel it first", body = Object)
    )
)]
pub async fn delete_scan(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
) -> Result<StatusCode, ApiError> {
    match state
        .blocking(move |store| store.delete_scan(&scan_id))
        .await?
    {
        Deletion::Deleted => Ok(StatusCode::NO_CONTENT),
        Deletion::NotFound => Err(not_found()),
        Deletion::Active(status) => Err(ApiError::conflict(format!(
            "Cannot delete scan in '{}' state; cancel it first",
            status.as_str()
        ))),
    }
}

/// Cancel a pending or running scan; its tools are killed.
#[utoipa::path(
    post, path = "/scans/{scan_id}/cancel", tag = "scans",
    params(("scan_id" = String, Path)),
    security(("api_key" = ["write"])),
    responses(
        (status = 200, body = ScanRecord),
        (status = 404, body = Object),
        (status = 409, description = "Already ended", body = Object)
    )
)]
pub async fn cancel_scan(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
) -> Result<axum::Json<ScanRecord>, ApiError> {
    let queue = state.queue.clone();
    let outcome = tokio::task::spawn_blocking(move || queue.cancel(&scan_id, CANCELLED_BY_USER))
        .await
        .map_err(|err| ApiError::Internal(format!("cancelling stopped: {err}")))??;
    match outcome {
        Cancellation::Cancelled(record) => Ok(axum::Json(*record)),
        Cancellation::NotFound => Err(not_found()),
        Cancellation::AlreadyEnded(status) => Err(ApiError::conflict(format!(
            "Cannot cancel scan in '{}' state",
            status.as_str()
        ))),
    }
}

/// A short-lived token for this scan's event stream, for browsers (an `EventSource` cannot send
/// `X-API-Key`): bound to this scan and to the calling key, which must still be valid when it is
/// used.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventToken {
    pub token: String,
    /// Seconds the token is honoured for.
    pub expires_in: u64,
}

#[utoipa::path(
    post, path = "/scans/{scan_id}/event-token", tag = "scans",
    params(("scan_id" = String, Path)),
    security(("api_key" = ["read"])),
    responses((status = 200, body = EventToken), (status = 404, body = Object))
)]
pub async fn mint_event_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Principal>,
    UrlPath(scan_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let scan = load_scan(&state, scan_id).await?;
    let token = state.tokens.mint(&scan.id, &caller.key_id, unix_now());
    let mut response = axum::Json(EventToken {
        token,
        expires_in: EVENT_TOKEN_TTL,
    })
    .into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
const SCAN_TYPES: [&str; 6] = ["code", "dependency", "iac", "baseline", "dast", "network"];
const TRIAGE: [&str; 6] = [
    "new",
    "triaged",
    "false_positive",
    "accepted_risk",
    "fixed",
    "wont_fix",
];

/// A scan's findings, most severe first, then in the scan's canonical order, each with its
/// triage `state`. Filters combine with AND; a filter given several values (repeated or
/// comma-separated) matches any of them. `X-Total-Count` counts every page.
#[utoipa::path(
    get, path = "/scans/{scan_id}/findings", tag = "scans",
    params(
        ("scan_id" = String, Path),
        ("severity" = Option<String>, Query, description = "critical, high, medium, low, info"),
        ("scanner" = Option<String>, Query),
        ("scan_type" = Option<String>, Query),
        ("compliance" = Option<String>, Query, description = "A compliance tag, matched exactly"),
        ("status" = Option<String>, Query, description = "Triage status; no verdict is `new`"),
        ("suppressed" = Option<bool>, Query),
        ("q" = Option<String>, Query, description = "Text the title, file path or rule id contains (any case)"),
        ("limit" = Option<u32>, Query, description = "1–10000; default all"),
        ("offset" = Option<u32>, Query)
    ),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = Vec<FindingWithState>),
        (status = 404, body = Object),
        (status = 422, body = Object)
    )
)]
pub async fn list_findings(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
    query: Query,
) -> Result<Response, ApiError> {
    let statuses = query
        .choices("status", &TRIAGE)?
        .iter()
        .filter_map(|s| TriageStatus::parse(s))
        .collect();
    let filter = FindingFilter {
        severities: query.choices("severity", &SEVERITIES)?,
        scanners: query.list("scanner"),
        scan_types: query.choices("scan_type", &SCAN_TYPES)?,
        compliance: query.text("compliance").map(str::to_string),
        contains: query.text("q").map(str::to_lowercase),
        statuses,
        suppressed: query.flag("suppressed")?,
    };
    let page = Page {
        limit: query.bounded("limit", 1, MAX_FINDINGS_PAGE)?,
        offset: query.bounded("offset", 0, u32::MAX)?.unwrap_or(0),
    };
    let scan = scan_id.clone();
    let found = state
        .blocking(move |store| store.findings(&scan, &filter, page))
        .await?
        .ok_or_else(not_found)?;
    // The stored documents are the findings' JSON already: each gets its headline and state
    // appended, and is not re-serialized.
    let headlines: Vec<String> =
        parse_findings(found.rows.iter().map(|r| r.document.as_str()), &scan_id)?
            .iter()
            .map(securescan_report::headline)
            .collect();
    let mut body = String::with_capacity(found.rows.iter().map(|r| r.document.len() + 16).sum());
    body.push('[');
    for (index, row) in found.rows.iter().enumerate() {
        if index > 0 {
            body.push(',');
        }
        let open = row
            .document
            .trim_end()
            .strip_suffix('}')
            .unwrap_or(&row.document);
        body.push_str(open);
        body.push_str(",\"headline\":");
        let headline = headlines.get(index).map_or("", String::as_str);
        body.push_str(&serde_json::to_string(headline).unwrap_or_else(|_| "\"\"".into()));
        body.push_str(",\"state\":");
        body.push_str(&serde_json::to_string(&row.state).unwrap_or_else(|_| "null".into()));
        body.push('}');
    }
    body.push(']');
    let response = ([(CONTENT_TYPE, "application/json")], body).into_response();
    Ok(with_total(response, found.total))
}

/// Counts per severity, the risk score, how each scanner ended, and timing.
#[utoipa::path(
    get, path = "/scans/{scan_id}/summary", tag = "scans",
    params(("scan_id" = String, Path)),
    security(("api_key" = ["read"])),
    responses((status = 200, body = ScanSummary), (status = 404, body = Object))
)]
pub async fn read_summary(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
) -> Result<axum::Json<ScanSummary>, ApiError> {
    let record = load_scan(&state, scan_id).await?;
    Ok(axum::Json(ScanSummary::of(record)))
}

/// The scan as a result again: its stored findings and scanner outcomes.
async fn stored_result(state: &AppState, record: &ScanRecord) -> Result<ScanResult, ApiError> {
    let id = record.id.clone();
    let (documents, scanners) = state
        .blocking(move |store| Ok((store.finding_documents(&id)?, store.scanner_outcomes(&id)?)))
        .await?;
    let findings = parse_findings(documents.iter().map(String::as_str), &record.id)?;
    Ok(ScanResult {
        scan_id: record.id.clone(),
        target: record.target_path.clone(),
        scan_types: record
            .scan_types
            .iter()
            .filter_map(|t| ScanType::parse(t))
            .collect(),
        scanners,
        findings,
    })
}

/// A stored scan's findings (404 when there is no such scan).
pub(super) async fn stored_findings(
    state: &AppState,
    id: String,
) -> Result<Vec<Finding>, ApiError> {
    let record = load_scan(state, id).await?;
    let scan_id = record.id.clone();
    let documents = state
        .blocking(move |store| store.finding_documents(&scan_id))
        .await?;
    parse_findings(documents.iter().map(String::as_str), &record.id)
}

pub(super) fn parse_findings<'a>(
    documents: impl IntoIterator<Item = &'a str>,
    id: &str,
) -> Result<Vec<Finding>, ApiError> {
    let mut array = String::from("[");
    for (index, document) in documents.into_iter().enumerate() {
        if index > 0 {
            array.push(',');
        }
        array.push_str(document);
    }
    array.push(']');
    parse_snapshot(array.as_bytes(), &format!("scan {id}"))
        .map_err(|err| ApiError::Internal(format!("stored findings of scan {id}: {err}")))
}

/// A completed scan's report, rendered by the same renderers as `securescan scan --output`.
#[utoipa::path(
    get, path = "/scans/{scan_id}/report", tag = "scans",
    params(
        ("scan_id" = String, Path),
        ("format" = Option<String>, Query, description = "html (default), pdf, sarif, csv, junit, json")
    ),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, description = "The report", content_type = "text/html"),
        (status = 400, description = "The scan has not completed", body = Object),
        (status = 404, body = Object),
        (status = 422, body = Object)
    )
)]
pub async fn read_report(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
    query: Query,
) -> Result<Response, ApiError> {
    let format = query
        .choices("format", &["html", "pdf", "sarif", "csv", "junit", "json"])?
        .pop()
        .unwrap_or_else(|| "html".into());
    let record = load_scan(&state, scan_id).await?;
    if record.status != ScanStatus::Completed {
        return Err(ApiError::bad_request(
            "Scan must be completed to generate a report",
        ));
    }
    let result = stored_result(&state, &record).await?;
    let (output, content_type, extension) = match format.as_str() {
        "pdf" => (OutputFormat::ReportPdf, "application/pdf", "pdf"),
        "sarif" => (OutputFormat::Sarif, "application/sarif+json", "sarif.json"),
        "csv" => (OutputFormat::Csv, "text/csv; charset=utf-8", "csv"),
        "junit" => (OutputFormat::Junit, "application/xml", "junit.xml"),
        "json" => (OutputFormat::Json, "application/json", "json"),
        _ => (OutputFormat::Html, "text/html; charset=utf-8", "html"),
    };
    let working_dir = state.engine.working_dir().to_path_buf();
    let rendered = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        render_to(&result, output, TextStyle::PLAIN, &working_dir, &mut out).map(|()| out)
    })
    .await
    .map_err(|err| ApiError::Internal(format!("rendering stopped: {err}")))?
    .map_err(|err| ApiError::Internal(format!("rendering failed: {err}")))?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if format != "html" {
        let name = format!(
            "attachment; filename=\"securescan-{}.{extension}\"",
            record.id.chars().take(8).collect::<String>()
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            headers.insert(CONTENT_DISPOSITION, value);
        }
    }
    Ok((headers, rendered).into_response())
}

/// The SBOM of a scan's target, read from its manifests and lockfiles now.
#[utoipa::path(
    get, path = "/scans/{scan_id}/sbom", tag = "scans",
    params(
        ("scan_id" = String, Path),
        ("format" = Option<String>, Query, description = "cyclonedx (default) or spdx")
    ),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = Object),
        (status = 400, description = "The target is not a directory any more", body = Object),
        (status = 404, body = Object),
        (status = 422, body = Object)
    )
)]
pub async fn read_sbom(
    State(state): State<AppState>,
    UrlPath(scan_id): UrlPath<String>,
    query: Query,
) -> Result<Response, ApiError> {
    let format = match query
        .choices("format", &["cyclonedx", "spdx"])?
        .pop()
        .as_deref()
    {
        Some("spdx") => sbom::Format::Spdx,
        _ => sbom::Format::CycloneDx,
    };
    let record = load_scan(&state, scan_id).await?;
    // The target must still be inside the roots (they may have changed since the scan).
    let target = state
        .roots
        .resolve(&record.target_path)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    let stamp = Stamp::from_env().map_err(|err| ApiError::Internal(err.to_string()))?;
    let document = tokio::task::spawn_blocking(move || {
        sbom::collect(&target.display().to_string())
            .map(|inventory| sbom::render(&inventory, format, &stamp))
    })
    .await
    .map_err(|err| ApiError::Internal(format!("the SBOM stopped: {err}")))?
    .map_err(|err| ApiError::bad_request(format!("cannot read the scan's target: {err}")))?;
    Ok(([(CONTENT_TYPE, "application/json")], document).into_response())
}

#[derive(Debug, Serialize)]
struct Compared {
    scan_a: ScanRecord,
    scan_b: ScanRecord,
    new_findings: Vec<Finding>,
    fixed_findings: Vec<Finding>,
    unchanged_findings: Vec<Finding>,
    summary: serde_json::Value,
}

/// What changed from scan A to scan B, by fingerprint: new (only in B), fixed (only in A) and
/// unchanged, each in canonical order.
#[utoipa::path(
    get, path = "/scans/compare", tag = "scans",
    params(("scan_a" = String, Query), ("scan_b" = String, Query)),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = CompareResult),
        (status = 404, body = Object),
        (status = 422, body = Object)
    )
)]
pub async fn compare_scans(
    State(state): State<AppState>,
    query: Query,
) -> Result<Response, ApiError> {
    let a_id = query.required("scan_a")?.to_string();
    let b_id = query.required("scan_b")?.to_string();
    let a = load_scan(&state, a_id)
        .await
        .map_err(|_| ApiError::not_found("Scan A"))?;
    let b = load_scan(&state, b_id)
        .await
        .map_err(|_| ApiError::not_found("Scan B"))?;
    let (a_result, b_result) = (
        stored_result(&state, &a).await?,
        stored_result(&state, &b).await?,
    );
    let risk = |r: &ScanRecord| r.risk_score.unwrap_or(0.0);
    let risk_delta = ((risk(&b) - risk(&a)) * 100.0).round() / 100.0;
    let changes = ChangeSet::classify(a_result.findings, b_result.findings);
    let summary = json!({
        "new_count": changes.new.len(),
        "fixed_count": changes.fixed.len(),
        "unchanged_count": changes.unchanged.len(),
        "risk_delta": risk_delta,
    });
    Ok(axum::Json(Compared {
        scan_a: a,
        scan_b: b,
        new_findings: changes.new,
        fixed_findings: changes.fixed,
        unchanged_findings: changes.unchanged,
        summary,
    })
    .into_response())
}
