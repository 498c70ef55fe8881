//! What `diff` and `compare` share: the output flags, and rendering a change set in the format
//! asked for.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{Map, Value};

use super::exit::Failure;
use super::locations;
use super::output::{ScanFormat, parse_output, write_artifact};
use securescan_engine::findings::{ChangeMode, ChangeSet, Finding, ScanType};
use securescan_engine::git::Repository;
use securescan_engine::scan::ScanResult;
use securescan_report::github::limits::{
    COMMENT_MAX_CHARS, INLINE_COMMENTS_MAX, SarifFit, fit_pr_comment, fit_sarif,
};
use securescan_report::github::{
    PrComment, Review, ReviewEvent, render_change_text, render_pr_comment, render_review, shown,
};
use securescan_report::sarif_with;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeFormat {
    /// The counts and the new findings, for a terminal.
    Text,
    /// `{"new": [...], "fixed" (compare: "disappeared"): [...], "unchanged_count": n}`.
    Json,
    /// SARIF 2.1.0 of the new findings only.
    Sarif,
    /// Markdown for one pull-request comment, upserted by its first-line marker.
    GithubPrComment,
    /// A GitHub pull-request review payload: inline comments on the diff's lines.
    GithubReview,
}

/// The output flags of `diff` and `compare`.
#[derive(Debug, Args)]
pub struct ChangeOutputArgs {
    /// Output format: text, json, sarif, github-pr-comment, github-review. Default: text when
    /// stdout is a terminal and there is no --output-file, else github-pr-comment.
    #[arg(long, short = 'o', value_parser = parse_format)]
    pub output: Option<ChangeFormat>,
    /// Write the output here instead of stdout.
    #[arg(long)]
    pub output_file: Option<PathBuf>,
    /// owner/name of the GitHub repository, for links and the review.
    #[arg(long, env = "GITHUB_REPOSITORY")]
    pub repo: Option<String>,
    /// The head commit, for links and the review's commit_id.
    #[arg(long, env = "GITHUB_SHA")]
    pub sha: Option<String>,
    /// The commit the pull request's diff starts from (github-review).
    #[arg(long)]
    pub base_sha: Option<String>,
    /// The review's event (github-review): COMMENT, REQUEST_CHANGES or APPROVE.
    #[arg(long, default_value = "COMMENT", value_parser = parse_event)]
    pub review_event: ReviewEventArg,
    /// Leave the "suppress this" and "pin this severity" suggestion blocks out of the review.
    #[arg(long)]
    pub no_suggestions: bool,
    /// Keep within what GitHub accepts: the PR comment within 65,536 characters, at most 50
    /// inline comments in the review, the SARIF within 25,000 results and 10 MB gzipped and
    /// base64-encoded (lowest severities left out first, which the PR comment then says).
    #[arg(long)]
    pub github_limits: bool,
    /// Where the full report is (e.g. the workflow run), linked from a cut PR comment.
    #[arg(long, value_parser = parse_details_url)]
    pub details_url: Option<String>,
}

/// An http(s) URL with nothing Markdown could read as the end of a link or another element.
fn parse_details_url(text: &str) -> Result<String, String> {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_graphic() && !"()<>[]`\\\"'".contains(c));
    if (text.starts_with("https://") || text.starts_with("http://")) && plain {
        Ok(text.to_string())
    } else {
        Err(format!(
            "{text:?} is not a plain http(s) URL (no spaces, brackets, quotes or backticks)"
        ))
    }
}

fn parse_format(text: &str) -> Result<ChangeFormat, String> {
    parse_output::<ChangeFormat, ScanFormat>(
        text,
        "is a report of one scan: use it with `securescan scan`",
    )
}

#[derive(Debug, Clone, Copy)]
pub struct ReviewEventArg(pub ReviewEvent);

fn parse_event(text: &str) -> Result<ReviewEventArg, String> {
    ReviewEvent::parse(text).map(ReviewEventArg).ok_or_else(|| {
        let names: Vec<&str> = ReviewEvent::ALL.iter().map(|e| e.as_str()).collect();
        format!(
            "invalid review event {text:?}; choose {}",
            names.join(" | ")
        )
    })
}

impl ChangeOutputArgs {
    /// `--output`, else by where the output goes: text for a person at a terminal, the PR comment
    /// for a pipe or an `--output-file` (CI's way to hand it to the commenting step), even when
    /// the command itself runs in a terminal.
    pub fn format(&self) -> ChangeFormat {
        self.output.unwrap_or(
            if self.output_file.is_none() && std::io::stdout().is_terminal() {
                ChangeFormat::Text
            } else {
                ChangeFormat::GithubPrComment
            },
        )
    }

    /// What github-review needs and is missing, checked before anything is scanned.
    pub fn check_review_inputs(&self, command: &str) -> Result<(), Failure> {
        if self.format() != ChangeFormat::GithubReview {
            return Ok(());
        }
        let missing: Vec<&str> = [
            ("--repo (or GITHUB_REPOSITORY)", self.repo.is_none()),
            ("--sha (or GITHUB_SHA)", self.sha.is_none()),
            ("--base-sha", self.base_sha.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Failure::usage(format!(
            "{command}: --output github-review requires {}",
            missing.join(", ")
        )))
    }
}

/// Everything rendering needs besides the change set.
pub struct ChangeContext<'a> {
    pub mode: ChangeMode,
    pub target: &'a str,
    pub types: &'a [ScanType],
    /// The git repository the target is in, for github-review's diff.
    pub repo_dir: Option<&'a Path>,
    /// SARIF invocation properties (`diffMode`, refs).
    pub sarif_properties: Map<String, Value>,
}

/// Render `changes` as `args` ask and write them; suppressed findings only when `show`.
pub fn deliver_changes(
    changes: &ChangeSet,
    args: &ChangeOutputArgs,
    context: &ChangeContext,
    show: bool,
) -> Result<(), Failure> {
    let text = match args.format() {
        ChangeFormat::Text => render_change_text(changes, context.mode, show),
        ChangeFormat::Json => render_json(changes, context.mode, show),
        ChangeFormat::Sarif => {
            let fit = new_findings_sarif(changes, context, show, args.github_limits)?;
            if let Some(note) = fit.note() {
                tell!("{}", note.trim_start_matches("> **Note:** "));
            }
            fit.text
        }
        ChangeFormat::GithubPrComment => {
            let comment = render_pr_comment(
                changes,
                &PrComment {
                    repo: args.repo.as_deref(),
                    sha: args.sha.as_deref(),
                    mode: context.mode,
                    show_suppressed: show,
                },
            );
            if args.github_limits {
                // The same cut the SARIF output makes, so the comment can say what it left out.
                let notes: Vec<String> = new_findings_sarif(changes, context, show, true)?
                    .note()
                    .into_iter()
                    .collect();
                fit_pr_comment(
                    &comment,
                    COMMENT_MAX_CHARS,
                    &notes,
                    args.details_url.as_deref(),
                )
            } else {
                comment
            }
        }
        ChangeFormat::GithubReview => {
            let (Some(sha), Some(base)) = (args.sha.as_deref(), args.base_sha.as_deref()) else {
                unreachable!("checked by check_review_inputs before scanning")
            };
            let dir = context.repo_dir.ok_or_else(|| {
                Failure::usage(format!(
                    "--output github-review needs a git working tree at {} for the pull \
                     request's diff; use --output github-pr-comment, sarif, json or text",
                    context.target
                ))
            })?;
            let repository = Repository::containing(dir)
                .map_err(|err| Failure::usage(format!("--output github-review: {err}")))?;
            let diff_text = repository
                .diff(base, sha)
                .map_err(|err| Failure::usage(format!("--output github-review: {err}")))?;
            render_review(
                changes,
                &Review {
                    commit_id: sha,
                    diff_text: &diff_text,
                    mode: context.mode,
                    event: args.review_event.0,
                    repo: args.repo.as_deref(),
                    suggestions: !args.no_suggestions,
                    show_suppressed: show,
                    inline_limit: args.github_limits.then_some(INLINE_COMMENTS_MAX),
                },
            )
        }
    };
    write_artifact(&text, args.output_file.as_deref())
}

/// SARIF of the new findings (suppressed ones only when shown), cut to GitHub's limits when
/// `github_limits`.
fn new_findings_sarif(
    changes: &ChangeSet,
    context: &ChangeContext,
    show: bool,
    github_limits: bool,
) -> Result<SarifFit, Failure> {
    let working_dir = locations::working_dir()?;
    let render = |findings: &[Finding]| {
        let result = ScanResult {
            scan_id: String::new(),
            target: context.target.to_string(),
            scan_types: context.types.to_vec(),
            scanners: Vec::new(),
            findings: findings.to_vec(),
        };
        sarif_with(
            &result,
            Some(context.sarif_properties.clone()),
            &working_dir,
        )
    };
    let findings: Vec<Finding> = shown(&changes.new, show).into_iter().cloned().collect();
    Ok(if github_limits {
        fit_sarif(&findings, render)
    } else {
        SarifFit {
            text: render(&findings),
            kept: findings.len(),
            left_out: Vec::new(),
        }
    })
}

/// The buckets as full findings; suppressed ones only when shown (and then stamped).
fn render_json(changes: &ChangeSet, mode: ChangeMode, show: bool) -> String {
    let list = |findings: &[Finding]| -> Value {
        Value::Array(
            shown(findings, show)
                .into_iter()
                .map(|f| serde_json::to_value(f).unwrap_or_default())
                .collect(),
        )
    };
    let mut object = Map::new();
    object.insert("new".into(), list(&changes.new));
    let gone = match mode {
        ChangeMode::Diff => "fixed",
        ChangeMode::Compare => "disappeared",
    };
    object.insert(gone.into(), list(&changes.fixed));
    object.insert(
        "unchanged_count".into(),
        Value::from(shown(&changes.unchanged, show).len()),
    );
    let mut text = serde_json::to_string_pretty(&Value::Object(object))
        .unwrap_or_else(|err| unreachable!("plain JSON values always serialize: {err}"));
    text.push('\n');
    text
}
