//! `securescan github`: the GitHub Action's posting, over GitHub's REST API. The PR comment is
//! upserted by its first-line marker, the review's inline comments are patched by their
//! fingerprint markers (the ones whose finding is gone are marked resolved, never deleted), and
//! SARIF goes to code scanning gzipped and base64-encoded. Secondary rate limits (403 and 429
//! with `Retry-After` or an exhausted `x-ratelimit-remaining`) are waited out and retried, a
//! bounded number of times.
//!
//! Rust rather than the original's curl + jq: the marker matching reuses the renderers' own
//! marker code, the retry rules are unit-tested, and the Action's shell stays a thin driver.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::exit::{CommandResult, Exit, Failure};
use securescan_report::github::limits::{
    COMMENT_MAX_CHARS, INLINE_COMMENTS_MAX, SARIF_RESULTS_MAX, SARIF_UPLOAD_MAX_BYTES, gzip_base64,
};
use securescan_report::github::markers::{extract_fingerprint, fingerprint_marker};

#[derive(Debug, Subcommand)]
pub enum GithubCommand {
    /// Create the pull request's comment, or update the one whose first line is this body's
    /// first line (its `<!-- securescan:... -->` marker).
    Comment(CommentArgs),
    /// Post a review (`diff -o github-review`): comments already posted for a finding are
    /// updated by their fingerprint marker, comments of findings now gone are marked
    /// "Resolved in <sha>", and only the others are posted anew.
    Review(ReviewArgs),
    /// Upload SARIF to GitHub code scanning, refusing a log over GitHub's limits.
    UploadSarif(SarifArgs),
}

/// Where to post. The token is read from GITHUB_TOKEN only, never a flag, so it stays out of
/// process listings.
#[derive(Debug, Args)]
pub struct Api {
    /// owner/name of the repository.
    #[arg(long, env = "GITHUB_REPOSITORY")]
    repo: String,
    /// The REST API's base URL (GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    api_url: String,
}

#[derive(Debug, Args)]
pub struct CommentArgs {
    #[command(flatten)]
    api: Api,
    /// The pull request's number.
    #[arg(long)]
    pr: u64,
    /// The comment's Markdown (`diff -o github-pr-comment --github-limits`).
    #[arg(long)]
    body: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    api: Api,
    /// The pull request's number.
    #[arg(long)]
    pr: u64,
    /// The review payload (`diff -o github-review --github-limits`).
    #[arg(long)]
    review: PathBuf,
    /// The same diff as JSON (`diff -o json`): a comment whose finding is still new (in the
    /// review's body rather than inline) is left alone, not marked resolved.
    #[arg(long)]
    changes: PathBuf,
}

#[derive(Debug, Args)]
pub struct SarifArgs {
    #[command(flatten)]
    api: Api,
    /// The SARIF log (`diff -o sarif --github-limits`).
    #[arg(long)]
    sarif: PathBuf,
    /// The commit the results are for.
    #[arg(long, env = "GITHUB_SHA")]
    commit_sha: String,
    /// The ref the results are for (refs/heads/..., refs/pull/N/merge).
    #[arg(long = "ref", env = "GITHUB_REF")]
    git_ref: String,
}

pub async fn run(command: GithubCommand) -> CommandResult {
    // ureq blocks; the retries sleep.
    tokio::task::spawn_blocking(move || match command {
        GithubCommand::Comment(args) => comment(&args),
        GithubCommand::Review(args) => review(&args),
        GithubCommand::UploadSarif(args) => upload_sarif(&args),
    })
    .await
    .map_err(|err| Failure::internal(format!("github: {err}")))?
}

fn read(path: &PathBuf) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|err| Failure::usage(format!("github: cannot read {}: {err}", path.display())))
}

fn read_json(path: &PathBuf) -> Result<Value, Failure> {
    serde_json::from_str(&read(path)?)
        .map_err(|err| Failure::usage(format!("github: {} is not JSON: {err}", path.display())))
}

fn comment(args: &CommentArgs) -> CommandResult {
    let body = read(&args.body)?;
    let marker = body
        .lines()
        .next()
        .filter(|line| line.starts_with("<!-- securescan:") && line.ends_with("-->"))
        .ok_or_else(|| {
            Failure::usage(format!(
                "github comment: {} does not start with a <!-- securescan:... --> marker line",
                args.body.display()
            ))
        })?;
    let chars = body.chars().count();
    if chars > COMMENT_MAX_CHARS {
        return Err(Failure::usage(format!(
            "github comment: the body has {chars} characters, GitHub takes {COMMENT_MAX_CHARS}; \
             render it with `diff -o github-pr-comment --github-limits`"
        )));
    }
    let client = Client::new(&args.api)?;
    let repo = &args.api.repo;
    let earlier = client
        .list(&format!("/repos/{repo}/issues/{}/comments", args.pr))?
        .into_iter()
        .find(|c| {
            c["body"]
                .as_str()
                .and_then(|b| b.lines().next())
                .is_some_and(|first| first.trim_end() == marker)
        });
    match earlier.and_then(|c| c["id"].as_u64()) {
        Some(id) => {
            client.send(
                "PATCH",
                &format!("/repos/{repo}/issues/comments/{id}"),
                &json!({"body": body}),
            )?;
            tell!("github: updated comment {id} on #{}", args.pr);
        }
        None => {
            let created = client.send(
                "POST",
                &format!("/repos/{repo}/issues/{}/comments", args.pr),
                &json!({"body": body}),
            )?;
            tell!(
                "github: created comment {} on #{}",
                created["id"].as_u64().unwrap_or_default(),
                args.pr
            );
        }
    }
    Ok(Exit::Ok)
}

/// The marker prefix of a fingerprint, as the review's comments carry it.
fn prefix_of(fingerprint: &str) -> Option<String> {
    fingerprint_marker(fingerprint).and_then(|marker| extract_fingerprint(&marker))
}

fn review(args: &ReviewArgs) -> CommandResult {
    let payload = read_json(&args.review)?;
    let changes = read_json(&args.changes)?;
    let commit_id = payload["commit_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let comments = payload["comments"].as_array().cloned().unwrap_or_default();
    if commit_id.is_empty() || payload["body"].as_str().is_none() {
        return Err(Failure::usage(format!(
            "github review: {} is not a review payload (`diff -o github-review`)",
            args.review.display()
        )));
    }
    if comments.len() > INLINE_COMMENTS_MAX {
        return Err(Failure::usage(format!(
            "github review: {} inline comments, at most {INLINE_COMMENTS_MAX} are posted in one \
             run; render it with `diff -o github-review --github-limits`",
            comments.len()
        )));
    }
    let still_new: BTreeSet<String> = changes["new"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["fingerprint"].as_str().and_then(prefix_of))
        .collect();
    let client = Client::new(&args.api)?;
    let repo = &args.api.repo;
    // The first comment posted for each finding; a later duplicate is left as it is.
    let mut posted: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for c in client.list(&format!("/repos/{repo}/pulls/{}/comments", args.pr))? {
        let (Some(id), Some(body)) = (c["id"].as_u64(), c["body"].as_str()) else {
            continue;
        };
        if let Some(prefix) = extract_fingerprint(body) {
            posted.entry(prefix).or_insert((id, body.to_string()));
        }
    }
    let mut fresh = Vec::new();
    let mut in_review = BTreeSet::new();
    let mut updated = 0;
    for c in comments {
        let body = c["body"].as_str().unwrap_or_default();
        let prefix = extract_fingerprint(body);
        match prefix.as_ref().and_then(|p| posted.get(p)) {
            Some((id, old)) => {
                if old != body {
                    client.send(
                        "PATCH",
                        &format!("/repos/{repo}/pulls/comments/{id}"),
                        &json!({"body": body}),
                    )?;
                    updated += 1;
                }
            }
            None => fresh.push(c.clone()),
        }
        in_review.extend(prefix);
    }
    let short: String = commit_id.chars().take(7).collect();
    let mut resolved = 0;
    for (prefix, (id, body)) in &posted {
        if in_review.contains(prefix) || still_new.contains(prefix) || is_resolved(body) {
            continue;
        }
        client.send(
            "PATCH",
            &format!("/repos/{repo}/pulls/comments/{id}"),
            &json!({"body": resolved_body(body, &short, prefix)}),
        )?;
        resolved += 1;
    }
    let body_marker = payload["body"]
        .as_str()
        .and_then(|b| b.lines().next())
        .unwrap_or_default()
        .to_string();
    let earlier_review = client
        .list(&format!("/repos/{repo}/pulls/{}/reviews", args.pr))?
        .into_iter()
        .filter(|r| {
            r["body"]
                .as_str()
                .and_then(|b| b.lines().next())
                .is_some_and(|first| first.trim_end() == body_marker)
        })
        .filter_map(|r| r["id"].as_u64())
        .next_back();
    match earlier_review {
        // Nothing new to anchor: the summary is refreshed in place rather than stacked.
        Some(id) if fresh.is_empty() => {
            client.send(
                "PUT",
                &format!("/repos/{repo}/pulls/{}/reviews/{id}", args.pr),
                &json!({"body": payload["body"]}),
            )?;
            tell!("github: updated review {id} on #{}", args.pr);
        }
        _ => {
            let created = client.send(
                "POST",
                &format!("/repos/{repo}/pulls/{}/reviews", args.pr),
                &json!({
                    "commit_id": commit_id,
                    "event": payload["event"],
                    "body": payload["body"],
                    "comments": fresh,
                }),
            )?;
            tell!(
                "github: posted review {} on #{} with {} new inline comment(s)",
                created["id"].as_u64().unwrap_or_default(),
                args.pr,
                fresh.len()
            );
        }
    }
    tell!("github: {updated} inline comment(s) updated, {resolved} marked resolved");
    Ok(Exit::Ok)
}

const RESOLVED: &str = "**Resolved in ";

fn is_resolved(body: &str) -> bool {
    body.starts_with(RESOLVED)
}

/// The comment of a finding no longer present: says so, strikes its headline through and keeps
/// its marker, so a later run finds it again (and revives it if the finding comes back).
fn resolved_body(body: &str, short_sha: &str, prefix: &str) -> String {
    let headline = body.lines().next().unwrap_or_default();
    format!(
        "{RESOLVED}`{short_sha}`** — finding no longer present\n\n~~{headline}~~\n\n\
         <!-- securescan:fp:{prefix} -->"
    )
}

fn upload_sarif(args: &SarifArgs) -> CommandResult {
    let text = read(&args.sarif)?;
    let log: Value = serde_json::from_str(&text).map_err(|err| {
        Failure::usage(format!(
            "github upload-sarif: {} is not JSON: {err}",
            args.sarif.display()
        ))
    })?;
    let runs = log["runs"].as_array().cloned().unwrap_or_default();
    let most = runs
        .iter()
        .map(|r| r["results"].as_array().map_or(0, Vec::len))
        .max()
        .unwrap_or(0);
    let sarif = gzip_base64(&text);
    let over = [
        (runs.len() > SARIF_RUNS_MAX)
            .then(|| format!("{} runs (at most {SARIF_RUNS_MAX})", runs.len())),
        (most > SARIF_RESULTS_MAX)
            .then(|| format!("{most} results in a run (at most {SARIF_RESULTS_MAX})")),
        (sarif.len() > SARIF_UPLOAD_MAX_BYTES).then(|| {
            format!(
                "{} bytes gzipped and base64-encoded (at most {SARIF_UPLOAD_MAX_BYTES})",
                sarif.len()
            )
        }),
    ];
    let over: Vec<String> = over.into_iter().flatten().collect();
    if !over.is_empty() {
        return Err(Failure::usage(format!(
            "github upload-sarif: GitHub would refuse {}: {}; render it with \
             `diff -o sarif --github-limits`",
            args.sarif.display(),
            over.join(", ")
        )));
    }
    let client = Client::new(&args.api)?;
    let answer = client.send(
        "POST",
        &format!("/repos/{}/code-scanning/sarifs", args.api.repo),
        &json!({
            "commit_sha": args.commit_sha,
            "ref": args.git_ref,
            "sarif": sarif,
            "tool_name": "SecureScan",
        }),
    )?;
    tell!(
        "github: uploaded SARIF ({} results), upload id {}",
        most,
        answer["id"].as_str().unwrap_or("?")
    );
    Ok(Exit::Ok)
}

/// The runs GitHub takes in one SARIF upload.
const SARIF_RUNS_MAX: usize = 20;
/// Items per page of a list, GitHub's maximum.
const PER_PAGE: usize = 100;
/// Pages read of one list: 3,000 comments, far past what one PR gathers.
const MAX_PAGES: usize = 30;
/// Tries of one request, the first included.
const MAX_ATTEMPTS: u32 = 5;
/// The longest wait for a rate limit; one asking for longer fails the request instead.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// The largest answer read.
const MAX_RESPONSE_BYTES: u64 = 16 << 20;

struct Client {
    agent: ureq::Agent,
    base: String,
    authorization: String,
}

impl Client {
    fn new(api: &Api) -> Result<Client, Failure> {
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Failure::usage("github: GITHUB_TOKEN is not set"))?;
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            // The token must go to the API the user named, nowhere a redirect points.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("securescan/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            base: api.api_url.trim_end_matches('/').to_string(),
            authorization: format!("Bearer {token}"),
        })
    }

    /// Every item of a paginated list (`per_page=100`), up to [`MAX_PAGES`] pages.
    fn list(&self, path: &str) -> Result<Vec<Value>, Failure> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let answer = self.call(
                "GET",
                &format!("{path}?per_page={PER_PAGE}&page={page}"),
                None,
            )?;
            let batch = answer.as_array().cloned().unwrap_or_default();
            let last = batch.len() < PER_PAGE;
            items.extend(batch);
            if last {
                break;
            }
        }
        Ok(items)
    }

    fn send(&self, method: &str, path: &str, body: &Value) -> Result<Value, Failure> {
        self.call(method, path, Some(body))
    }

    /// One API call, retried while GitHub says to wait (see [`retry_after`]).
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Failure> {
        let failed = |why: String| Failure::internal(format!("github: {method} {path}: {why}"));
        let bytes = body.map(Value::to_string).unwrap_or_default().into_bytes();
        for attempt in 1..=MAX_ATTEMPTS {
            let request = ureq::http::Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.base))
                .header("Authorization", &self.authorization)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Content-Type", "application/json")
                .body(bytes.clone())
                .map_err(|err| failed(err.to_string()))?;
            let mut response = self
                .agent
                .run(request)
                .map_err(|err| failed(err.to_string()))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let limits = RateLimitHeaders {
                retry_after: header("retry-after"),
                remaining: header("x-ratelimit-remaining"),
                reset: header("x-ratelimit-reset"),
            };
            let text = response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_string()
                .map_err(|err| failed(format!("reading the answer: {err}")))?;
            if (200..300).contains(&status) {
                return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
            }
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            match retry_after(status, &limits, &message, attempt, now) {
                Retry::After(wait) if attempt < MAX_ATTEMPTS => {
                    tell!(
                        "github: {method} {path}: HTTP {status} (rate limited); retrying in {}s",
                        wait.as_secs()
                    );
                    std::thread::sleep(wait);
                }
                Retry::After(_) => {
                    return Err(failed(format!(
                        "HTTP {status}: still rate limited after {MAX_ATTEMPTS} tries: {message}"
                    )));
                }
                Retry::TooLong(wait) => {
                    return Err(failed(format!(
                        "HTTP {status}: rate limited for {}s, longer than the {}s this waits: {message}",
                        wait.as_secs(),
                        MAX_WAIT.as_secs()
                    )));
                }
                Retry::No => return Err(failed(format!("HTTP {status}: {message}"))),
            }
        }
        Err(failed("no attempt was made".into()))
    }
}

/// The rate-limit headers of an answer, as sent.
#[derive(Debug, Default)]
struct RateLimitHeaders {
    retry_after: Option<String>,
    remaining: Option<String>,
    reset: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Retry {
    No,
    After(Duration),
    TooLong(Duration),
}

/// Whether and when to retry an answer, by GitHub's rules for rate limits: `Retry-After`
/// seconds when given; else, with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset` (epoch
/// seconds); else, for a 429 or a 403 that names a secondary rate limit, exponential backoff
/// from 1 s. Other answers are not retried (a plain 403 is a missing permission).
fn retry_after(
    status: u16,
    headers: &RateLimitHeaders,
    message: &str,
    attempt: u32,
    now: u64,
) -> Retry {
    if status != 403 && status != 429 {
        return Retry::No;
    }
    let seconds =
        |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<u64>().ok());
    let wait = if let Some(after) = seconds(&headers.retry_after) {
        Duration::from_secs(after)
    } else if headers.remaining.as_deref().map(str::trim) == Some("0")
        && let Some(reset) = seconds(&headers.reset)
    {
        Duration::from_secs(reset.saturating_sub(now) + 1)
    } else if status == 429 || message.to_lowercase().contains("rate limit") {
        Duration::from_secs(1 << (attempt - 1).min(6))
    } else {
        return Retry::No;
    };
    if wait > MAX_WAIT {
        Retry::TooLong(wait)
    } else {
        Retry::After(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(
        retry_after: Option<&str>,
        remaining: Option<&str>,
        reset: Option<&str>,
    ) -> RateLimitHeaders {
        RateLimitHeaders {
            retry_after: retry_after.map(str::to_string),
            remaining: remaining.map(str::to_string),
            reset: reset.map(str::to_string),
        }
    }

    #[test]
    fn retry_after_is_honoured_on_403_and_429() {
        for status in [403, 429] {
            assert_eq!(
                retry_after(status, &headers(Some("7"), None, None), "", 1, 0),
                Retry::After(Duration::from_secs(7))
            );
        }
    }

    #[test]
    fn an_exhausted_primary_limit_waits_until_its_reset() {
        assert_eq!(
            retry_after(403, &headers(None, Some("0"), Some("1030")), "", 1, 1000),
            Retry::After(Duration::from_secs(31))
        );
        assert_eq!(
            retry_after(403, &headers(None, Some("0"), Some("900")), "", 1, 1000),
            Retry::After(Duration::from_secs(1))
        );
    }

    #[test]
    fn a_secondary_limit_without_headers_backs_off_exponentially() {
        let message = "You have exceeded a secondary rate limit";
        let waits: Vec<Retry> = (1..=4)
            .map(|attempt| retry_after(403, &RateLimitHeaders::default(), message, attempt, 0))
            .collect();
        assert_eq!(
            waits,
            [1, 2, 4, 8].map(|s| Retry::After(Duration::from_secs(s)))
        );
    }

    #[test]
    fn a_plain_403_or_other_errors_are_not_retried() {
        let none = RateLimitHeaders::default();
        assert_eq!(
            retry_after(403, &none, "Resource not accessible by integration", 1, 0),
            Retry::No
        );
        assert_eq!(
            retry_after(404, &headers(Some("1"), None, None), "", 1, 0),
            Retry::No
        );
        assert_eq!(retry_after(500, &none, "", 1, 0), Retry::No);
    }

    #[test]
    fn a_wait_past_the_bound_is_refused() {
        assert_eq!(
            retry_after(429, &headers(Some("3600"), None, None), "", 1, 0),
            Retry::TooLong(Duration::from_secs(3600))
        );
    }

    #[test]
    fn a_resolved_comment_keeps_its_marker_and_strikes_its_headline() {
        let body = "**HIGH: bandit** — eval\n\nUse of eval.\n\n<!-- securescan:fp:0123456789ab -->";
        let resolved = resolved_body(body, "abc1234", "0123456789ab");
        assert_eq!(
            resolved,
            "**Resolved in `abc1234`** — finding no longer present\n\n~~**HIGH: bandit** — eval~~\
             \n\n<!-- securescan:fp:0123456789ab -->"
        );
        assert!(is_resolved(&resolved));
        assert_eq!(
            extract_fingerprint(&resolved).as_deref(),
            Some("0123456789ab")
        );
        assert_eq!(
            prefix_of("0123456789ABCDEF0123456789abcdef").as_deref(),
            Some("0123456789ab")
        );
    }
}
