//! `/api/v1/dashboard`: what the dashboard's overview and New Scan pages read.

use std::path::Path;

use axum::extract::State;
use serde::Serialize;

use securescan_engine::stamp::utc_before_now;
use securescan_engine::tools::{ChildEnv, run_tool};
use securescan_registry::Input;
use securescan_store::{Stats, TrendPoint};

use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use crate::targets::TargetError;
use crate::time;

/// Directory entries listed at most: a picker, not a file manager.
const MAX_ENTRIES: usize = 100;
/// Directories the picker never shows: dependency and build trees nobody scans on purpose.
const SKIPPED_DIRS: [&str; 6] = [
    "node_modules",
    "venv",
    "__pycache__",
    ".next",
    "dist",
    "build",
];
/// Files the picker shows: what tells a directory is a project.
const PROJECT_FILES: [&str; 6] = [
    "package.json",
    "pyproject.toml",
    "Cargo.toml",
    "go.mod",
    "Makefile",
    "Dockerfile",
];

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScannerStatus {
    pub name: String,
    pub scan_type: String,
    pub available: bool,
    pub message: String,
    pub description: String,
    pub install_hint: Option<String>,
    pub tool: Option<String>,
    pub tool_version: Option<String>,
    /// The tool versions the adapter supports.
    pub required: Option<String>,
    /// `ok`, or what is wrong with the adapter component.
    pub adapter: String,
    /// Whether `POST /dashboard/install/{scanner}` has a command to run for its tool.
    pub installable: bool,
    /// An adapter for `securescan ingest` (reports made elsewhere): scans never run it.
    pub ingest_only: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusReport {
    pub scanners: Vec<ScannerStatus>,
    pub checked_at: String,
}

/// Whether each scanner can run here (adapter intact, tool usable), with its tool's version.
#[utoipa::path(
    get, path = "/dashboard/status", tag = "dashboard",
    security(("api_key" = ["read"])),
    responses((status = 200, body = StatusReport))
)]
pub async fn status(State(state): State<AppState>) -> axum::Json<StatusReport> {
    let health = state.engine.status().await;
    let registry = state.engine.registry();
    let scanners = health
        .into_iter()
        .map(|h| {
            let entry = registry.get(&h.scanner);
            let description = entry.map(|e| e.description.clone()).unwrap_or_default();
            let ingest_only = entry.is_some_and(|e| e.input == Input::Ingest);
            let installable = entry
                .and_then(|e| e.tool.as_ref())
                .is_some_and(|tool| tool.install.as_ref().is_some_and(|argv| !argv.is_empty()));
            let message = if h.available {
                format!("{} is available", h.scanner)
            } else {
                format!("{} is not available: {}", h.scanner, h.detail)
            };
            ScannerStatus {
                name: h.scanner,
                scan_type: h.scan_type.as_str().to_string(),
                available: h.available,
                message,
                description,
                install_hint: if h.available { None } else { h.install_hint },
                tool: h.tool,
                tool_version: h.tool_version,
                required: h.required,
                adapter: h.adapter,
                installable,
                ingest_only,
            }
        })
        .collect();
    axum::Json(StatusReport {
        scanners,
        checked_at: time::now(),
    })
}

/// Totals over every stored scan.
#[utoipa::path(
    get, path = "/dashboard/stats", tag = "dashboard",
    security(("api_key" = ["read"])),
    responses((status = 200, body = Stats))
)]
pub async fn stats(State(state): State<AppState>) -> Result<axum::Json<Stats>, ApiError> {
    Ok(axum::Json(state.blocking(|store| store.stats()).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Trends {
    pub data: Vec<TrendPoint>,
}

/// One point per UTC day with a completed scan in the window: the last scan completed that day.
#[utoipa::path(
    get, path = "/dashboard/trends", tag = "dashboard",
    params(("days" = Option<u32>, Query, description = "1–365, default 30")),
    security(("api_key" = ["read"])),
    responses((status = 200, body = Trends), (status = 422, body = Object))
)]
pub async fn trends(
    State(state): State<AppState>,
    query: Query,
) -> Result<axum::Json<Trends>, ApiError> {
    let days = query.bounded("days", 1u32, 365)?.unwrap_or(30);
    let since = utc_before_now(i64::from(days) * 86_400);
    let data = state.blocking(move |store| store.trends(&since)).await?;
    Ok(axum::Json(Trends { data }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BrowseEntry {
    pub name: String,
    pub path: String,
    pub is_dir: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing {
    pub current: String,
    /// Null at the top of an allowed root: the picker cannot go above it.
    pub parent: Option<String>,
    pub entries: Vec<BrowseEntry>,
    /// Every allowed root, for the picker's shortcuts.
    pub roots: Vec<String>,
}

/// Directories (and project files) inside the allowed roots, for the New Scan page's picker.
#[utoipa::path(
    get, path = "/dashboard/browse", tag = "dashboard",
    params(("path" = Option<String>, Query, description = "Default: the first allowed root")),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = Listing),
        (status = 400, description = "Outside the roots, missing, or not a directory", body = Object)
    )
)]
pub async fn browse(
    State(state): State<AppState>,
    query: Query,
) -> Result<axum::Json<Listing>, ApiError> {
    let roots = state.roots.clone();
    let asked = query.text("path").map(str::to_string);
    let listing = tokio::task::spawn_blocking(move || {
        let dir = match asked {
            Some(path) => roots.resolve(&path)?,
            None => roots
                .roots()
                .first()
                .cloned()
                .ok_or_else(|| TargetError::Outside(String::new()))?,
        };
        if !dir.is_dir() {
            return Err(TargetError::NotDirectory(dir.display().to_string()));
        }
        let parent = dir
            .parent()
            .filter(|p| roots.roots().iter().any(|root| p.starts_with(root)))
            .map(|p| p.display().to_string());
        Ok(Listing {
            current: dir.display().to_string(),
            parent,
            entries: list(&dir).map_err(|err| {
                TargetError::Unreadable(dir.display().to_string(), err.to_string())
            })?,
            roots: roots
                .roots()
                .iter()
                .map(|r| r.display().to_string())
                .collect(),
        })
    })
    .await
    .map_err(|err| ApiError::Internal(format!("browsing stopped: {err}")))?
    .map_err(|err| ApiError::bad_request(err.to_string()))?;
    Ok(axum::Json(listing))
}

fn list(dir: &Path) -> std::io::Result<Vec<BrowseEntry>> {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // Symlinks are not followed: a link out of the root would list what is outside.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let shown = BrowseEntry {
            path: entry.path().display().to_string(),
            is_dir: kind.is_dir(),
            name: name.clone(),
        };
        if kind.is_dir() {
            let hidden = name.starts_with('.') && name != ".git";
            if !hidden && !SKIPPED_DIRS.contains(&name.as_str()) {
                dirs.push(shown);
            }
        } else if kind.is_file() && PROJECT_FILES.contains(&name.as_str()) {
            files.push(shown);
        }
    }
    let by_name = |a: &BrowseEntry, b: &BrowseEntry| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.name.cmp(&b.name))
    };
    dirs.sort_by(by_name);
    files.sort_by(by_name);
    dirs.extend(files);
    dirs.truncate(MAX_ENTRIES);
    Ok(dirs)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InstallResult {
    pub success: bool,
    pub message: String,
    /// The installer's output (its stderr when it failed), last part.
    pub output: String,
}

/// How long an install may take: pip resolving and building wheels on a slow machine.
const INSTALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);
const INSTALL_OUTPUT: usize = 64 * 1024;

/// Install a scanner's tool with the command its registry entry declares. Nothing from the
/// request reaches the command line but the scanner's name, which picks the entry.
#[utoipa::path(
    post, path = "/dashboard/install/{scanner}", tag = "dashboard",
    params(("scanner" = String, Path)),
    security(("api_key" = ["admin"])),
    responses(
        (status = 200, description = "Ran the install command; `success` says how it went", body = InstallResult),
        (status = 400, description = "The scanner declares no install command", body = Object),
        (status = 404, body = Object)
    )
)]
pub async fn install(
    State(state): State<AppState>,
    axum::extract::Path(scanner): axum::extract::Path<String>,
) -> Result<axum::Json<InstallResult>, ApiError> {
    let entry = state
        .engine
        .registry()
        .get(&scanner)
        .ok_or_else(|| ApiError::not_found("Scanner"))?;
    let Some(tool) = &entry.tool else {
        return Err(ApiError::bad_request(format!(
            "Scanner '{scanner}' is built in: there is nothing to install"
        )));
    };
    let Some((program, args)) = tool.install.as_ref().and_then(|argv| argv.split_first()) else {
        return Err(ApiError::bad_request(format!(
            "Scanner '{scanner}' cannot be auto-installed. Install it manually: {}",
            tool.install_hint
        )));
    };
    tracing::info!(target: "securescan.server", scanner = %scanner, command = %tool.install.as_deref().unwrap_or_default().join(" "), "installing a scanner's tool");
    let run = run_tool(
        Path::new(program),
        args,
        &ChildEnv::new(),
        INSTALL_TIMEOUT,
        INSTALL_OUTPUT,
    )
    .await;
    let name = &tool.name;
    Ok(axum::Json(match run {
        Ok(run) if run.exit_code == Some(0) => InstallResult {
            success: true,
            message: format!("Installed {name}"),
            output: String::from_utf8_lossy(&run.stdout).into_owned(),
        },
        Ok(run) => InstallResult {
            success: false,
            message: format!(
                "Installing {name} failed (exit {})",
                run.exit_code
                    .map_or_else(|| "by a signal".to_string(), |c| c.to_string())
            ),
            output: run.stderr_tail,
        },
        Err(err) => InstallResult {
            success: false,
            message: format!("Installing {name} failed: {err}"),
            output: String::new(),
        },
    }))
}
