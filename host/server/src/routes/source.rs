//! A finding's own lines and a few around them, read from the scanned tree as it is now: what
//! Scan detail shows when a row is opened. Stored findings carry no source (the JSON formats must
//! stay byte-identical), so the lines are read on request, only from inside the scan's target
//! (canonical paths: `..` and symlinks cannot leave it), and the lines of every finding about a
//! credential in that file come back empty (they hold the secret), whichever finding is opened.

use std::io::Read;
use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use serde::Serialize;

use securescan_model::is_about_a_secret;

use super::scans::{load_scan, parse_findings};
use crate::error::ApiError;
use crate::state::AppState;

/// Lines shown before and after the finding's own.
const CONTEXT: u32 = 5;
/// At most this many of the finding's own lines (a finding spanning a whole file shows its start).
const MAX_OWN_LINES: u32 = 30;
/// Files larger than this are not read for a preview.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// A minified line is cut here.
const MAX_LINE_CHARS: usize = 400;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceLine {
    pub number: u32,
    pub text: String,
    /// One of the finding's own lines.
    pub flagged: bool,
    /// A credential's line: `text` is empty.
    pub hidden: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceLines {
    pub file_path: String,
    pub lines: Vec<SourceLine>,
    /// Some lines shown are a credential's (this finding's or another's in the file): they are
    /// left empty.
    pub redacted: bool,
}

fn gone(detail: &str) -> ApiError {
    ApiError::Client(StatusCode::NOT_FOUND, detail.to_string())
}

/// The flagged lines of a finding with five lines of context, from the file as it is now.
#[utoipa::path(
    get, path = "/scans/{scan_id}/findings/{fingerprint}/source", tag = "scans",
    params(("scan_id" = String, Path), ("fingerprint" = String, Path)),
    security(("api_key" = ["read"])),
    responses(
        (status = 200, body = SourceLines),
        (status = 404, body = Object, description = "No such scan or finding, the finding names no file and line, or the file is gone or outside the scan's target")
    )
)]
pub async fn read_source(
    State(state): State<AppState>,
    UrlPath((scan_id, fingerprint)): UrlPath<(String, String)>,
) -> Result<axum::Json<SourceLines>, ApiError> {
    let record = load_scan(&state, scan_id).await?;
    let id = record.id.clone();
    let document = state
        .blocking(move |store| store.finding_document(&id, &fingerprint))
        .await?
        .ok_or_else(|| ApiError::not_found("Finding"))?;
    let finding = parse_findings(std::iter::once(document.as_str()), &record.id)?
        .pop()
        .ok_or_else(|| ApiError::not_found("Finding"))?;
    let (Some(file_path), Some(first)) = (finding.file_path.clone(), finding.line_start) else {
        return Err(gone("This finding names no file and line"));
    };
    let last = finding
        .line_end
        .unwrap_or(first)
        .clamp(first, first.saturating_add(MAX_OWN_LINES - 1));
    let target = state
        .roots
        .resolve(&record.target_path)
        .map_err(|_| gone("The scanned target is no longer there"))?;
    let path = inside_target(&state, &target, &file_path)?;
    let (id, file) = (record.id.clone(), file_path.clone());
    let neighbours = state
        .blocking(move |store| store.file_finding_documents(&id, &file))
        .await?;
    let secrets: Vec<(u32, u32)> =
        parse_findings(neighbours.iter().map(String::as_str), &record.id)?
            .iter()
            .chain(std::iter::once(&finding))
            .filter(|f| is_about_a_secret(f))
            .filter_map(|f| {
                f.line_start
                    .map(|start| (start, f.line_end.unwrap_or(start).max(start)))
            })
            .collect();
    let lines = tokio::task::spawn_blocking(move || read_lines(&path, first, last, &secrets))
        .await
        .map_err(|err| ApiError::Internal(err.to_string()))??;
    Ok(axum::Json(SourceLines {
        file_path,
        redacted: lines.iter().any(|l| l.hidden),
        lines,
    }))
}

/// The finding's file, canonical, inside the allowed roots and inside the scan's target.
fn inside_target(state: &AppState, target: &Path, file_path: &str) -> Result<PathBuf, ApiError> {
    let candidate = if Path::new(file_path).is_absolute() {
        PathBuf::from(file_path)
    } else if target.is_dir() {
        target.join(file_path)
    } else {
        target.parent().unwrap_or(target).join(file_path)
    };
    let path = state
        .roots
        .resolve(&candidate.to_string_lossy())
        .map_err(|_| gone("The file is gone, or outside the allowed roots"))?;
    let scope = if target.is_dir() {
        target
    } else {
        target.parent().unwrap_or(target)
    };
    if !path.starts_with(scope) || !path.is_file() {
        return Err(gone("The file is not inside the scan's target"));
    }
    Ok(path)
}

/// Lines `first..=last` and their context; lines inside any of `secrets` (line ranges) are
/// returned empty.
fn read_lines(
    path: &Path,
    first: u32,
    last: u32,
    secrets: &[(u32, u32)],
) -> Result<Vec<SourceLine>, ApiError> {
    let file = std::fs::File::open(path).map_err(|_| gone("The file can no longer be read"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| gone("The file can no longer be read"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(gone("The file is too large to preview"));
    }
    let text = String::from_utf8_lossy(&bytes);
    let from = first.saturating_sub(CONTEXT).max(1);
    let to = last.saturating_add(CONTEXT);
    Ok(text
        .lines()
        .zip(1u32..)
        .skip_while(|(_, number)| *number < from)
        .take_while(|(_, number)| *number <= to)
        .map(|(line, number)| {
            let hidden = secrets
                .iter()
                .any(|(from, to)| (*from..=*to).contains(&number));
            SourceLine {
                number,
                text: if hidden {
                    String::new()
                } else {
                    line.chars().take(MAX_LINE_CHARS).collect()
                },
                flagged: (first..=last).contains(&number),
                hidden,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flagged_lines_come_with_five_around_them_and_a_credentials_line_stays_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.py");
        let text: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        std::fs::write(&file, text).expect("write");
        let lines = read_lines(&file, 8, 9, &[]).expect("lines");
        assert_eq!(lines.first().map(|l| l.number), Some(3));
        assert_eq!(lines.last().map(|l| l.number), Some(14));
        let flagged: Vec<u32> = lines
            .iter()
            .filter(|l| l.flagged)
            .map(|l| l.number)
            .collect();
        assert_eq!(flagged, [8, 9]);
        assert_eq!(lines[5].text, "line 8");
        // A credential on line 4, near the finding on line 2: its line is empty, whichever
        // finding is opened.
        let hidden = read_lines(&file, 2, 2, &[(4, 4)]).expect("lines");
        assert_eq!(hidden.first().map(|l| l.number), Some(1));
        assert_eq!(hidden[1].text, "line 2");
        assert!(hidden[3].hidden && hidden[3].text.is_empty());
        assert_eq!(hidden.iter().filter(|l| l.hidden).count(), 1);
    }
}
