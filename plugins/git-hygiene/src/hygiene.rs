//! The built-in checks over the files the host gathered: no top-level `.gitignore`, risky files
//! no ignore rule covers, and sensitive files that are (or are about to be) committed.
//!
//! Findings come only from gathered files, never from the git listings alone: the host may send
//! the files in several batches, each with the same listings, and a finding must not repeat.

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use crate::git_status::{GitView, Status};
use crate::gitignore::{IgnoreFile, IgnoreRules, Pattern};

/// Ignore entries whose absence is reported when a matching file exists and nothing excludes it.
/// The original also listed low/info entries (`node_modules/`, `*.log`, `.DS_Store`, …) that could
/// never fire; they stay out: build output and OS litter are tidiness, not a security finding,
/// and the directories among them are pruned before the host gathers anything. `*.sqlite3` and
/// `*.db` were dead too but now fire at medium: a local database is real user data.
const IGNORE_ENTRIES: &[(&str, Severity)] = &[
    (".env", Severity::Critical),
    (".env.local", Severity::Critical),
    (".env.production", Severity::Critical),
    (".env.staging", Severity::Critical),
    ("*.pem", Severity::Critical),
    ("*.key", Severity::Critical),
    ("*.p12", Severity::Critical),
    ("*.pfx", Severity::Critical),
    ("id_rsa", Severity::Critical),
    ("id_ed25519", Severity::Critical),
    ("*.sqlite3", Severity::Medium),
    ("*.db", Severity::Medium),
];

/// Files that should never be committed: (name, severity when committed, what it is).
const SENSITIVE_FILES: &[(&str, Severity, &str)] = &[
    (
        ".env",
        Severity::Critical,
        "Environment file with potential secrets",
    ),
    (
        ".env.local",
        Severity::Critical,
        "Local environment file with potential secrets",
    ),
    (
        ".env.production",
        Severity::Critical,
        "Production environment file",
    ),
    ("id_rsa", Severity::Critical, "SSH private key"),
    ("id_ed25519", Severity::Critical, "SSH private key"),
    ("credentials.json", Severity::Critical, "Credentials file"),
    (
        "service-account.json",
        Severity::Critical,
        "Cloud service account key",
    ),
    (".htpasswd", Severity::High, "HTTP authentication file"),
    (
        "wp-config.php",
        Severity::High,
        "WordPress config with database credentials",
    ),
];

/// `test -d <target>`: the checks are about a project directory, and the host calls this
/// analyzer even when it gathered nothing, so a file target must be told apart.
pub const TARGET_IS_DIRECTORY: &str = "target-is-directory";

/// How many offending paths a missing-ignore finding lists in its metadata.
const LISTED_PATHS: usize = 20;

/// File-name patterns the host should gather (and list with git) for these checks.
#[cfg(test)]
pub fn gathered_names() -> impl Iterator<Item = &'static str> {
    std::iter::once(".gitignore")
        .chain(IGNORE_ENTRIES.iter().map(|(pattern, _)| *pattern))
        .chain(SENSITIVE_FILES.iter().map(|(name, ..)| *name))
}

/// A gathered file: the path findings show and the path inside the target.
struct Candidate<'a> {
    file: &'a GatheredFile,
    relative: &'a str,
}

pub fn check(input: &Input) -> Output {
    let mut output = Output::default();
    if input
        .command(TARGET_IS_DIRECTORY)
        .is_some_and(|c| c.exit_code.is_some_and(|code| code != 0))
    {
        return output;
    }
    let target = input.target.trim_end_matches('/');
    let mut candidates = Vec::new();
    for file in &input.files {
        match within_target(target, &file.path) {
            Some(relative) => candidates.push(Candidate { file, relative }),
            // The target is this file: the checks are about a project directory.
            None => return output,
        }
    }
    candidates.sort_by(|a, b| a.relative.cmp(b.relative));

    let git = GitView::from_input(input);
    if !git.is_available() {
        output.warnings.push(format!(
            "{} is not in a git work tree (or git could not be run): sensitive files are reported \
             unless a .gitignore excludes them, without knowing whether they are committed",
            display_target(&input.target)
        ));
    }
    let ignore = ignore_rules(&candidates);
    let top_gitignore = candidates.iter().find(|c| c.relative == ".gitignore");

    if top_gitignore.is_none() && !git.tracks(".gitignore") {
        output.findings.push(no_gitignore(&input.target));
    }
    if let Some(gitignore) = top_gitignore {
        for (pattern, severity) in IGNORE_ENTRIES {
            let Some(entry) = Pattern::parse(pattern) else {
                continue;
            };
            let exposed: Vec<&str> = candidates
                .iter()
                .filter(|c| {
                    entry.matches(c.relative, false)
                        && !ignore.excludes_file(c.relative)
                        && git.status(c.relative) != Status::Ignored
                })
                .map(|c| c.file.path.as_str())
                .collect();
            if !exposed.is_empty() {
                output.findings.push(missing_ignore(
                    &gitignore.file.path,
                    pattern,
                    *severity,
                    &exposed,
                ));
            }
        }
    }
    for (name, severity, what) in SENSITIVE_FILES {
        for candidate in candidates.iter().filter(|c| basename(c.relative) == *name) {
            let status = match git.status(candidate.relative) {
                // Without git, a .gitignore entry is the best evidence it stays local.
                Status::Unknown if ignore.excludes_file(candidate.relative) => Status::Ignored,
                status => status,
            };
            if status != Status::Ignored {
                output
                    .findings
                    .push(sensitive_file(candidate, name, *severity, what, status));
            }
        }
    }
    output
}

fn ignore_rules(candidates: &[Candidate]) -> IgnoreRules {
    IgnoreRules::new(
        candidates
            .iter()
            .filter(|c| basename(c.relative) == ".gitignore")
            .map(|c| {
                let base = c.relative.strip_suffix(".gitignore").unwrap_or("");
                IgnoreFile::parse(base, &String::from_utf8_lossy(&c.file.bytes))
            })
            .collect(),
    )
}

fn no_gitignore(target: &str) -> Finding {
    let finding = Finding::new(
        "No .gitignore file found",
        "Project has no .gitignore file. Sensitive files, build artifacts, and dependencies may be \
         committed to version control.",
        Severity::Medium,
    )
    .rule("git-hygiene/no-gitignore")
    .remediation(
        "Create a .gitignore file. Use gitignore.io or GitHub's templates for your project type.",
    );
    if target.is_empty() {
        finding
    } else {
        finding.file(target)
    }
}

fn missing_ignore(gitignore: &str, pattern: &str, severity: Severity, exposed: &[&str]) -> Finding {
    let clean = pattern.trim_end_matches('/').trim_start_matches(['*', '.']);
    Finding::new(
        &format!("'{pattern}' not in .gitignore but exists in project"),
        &format!(
            "'{pattern}' exists in the project but is not listed in .gitignore. This file may \
             contain sensitive data. Not excluded: {}{}.",
            exposed
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            if exposed.len() > 3 { ", …" } else { "" }
        ),
        severity,
    )
    .rule(&format!("git-hygiene/missing-ignore-{clean}"))
    .file(gitignore)
    .remediation(&format!("Add '{pattern}' to your .gitignore file."))
    .meta("pattern", pattern)
    .meta("files_not_ignored", exposed.len())
    .meta(
        "files",
        Value::from(
            exposed
                .iter()
                .take(LISTED_PATHS)
                .copied()
                .collect::<Vec<_>>(),
        ),
    )
}

fn sensitive_file(
    candidate: &Candidate,
    name: &str,
    severity: Severity,
    what: &str,
    status: Status,
) -> Finding {
    let (severity, where_it_stands, remediation) = match status {
        Status::Untracked => (
            // Nothing is exposed yet (no history to rewrite, no credential to rotate), but one
            // `git add -A` commits it: one step lower, still high for keys and env files.
            one_step_lower(severity),
            " It is not committed yet, but nothing ignores it, so the next `git add -A` would commit it.",
            format!("Add '{name}' to .gitignore so it is never committed."),
        ),
        Status::Tracked => (
            severity,
            " Git tracks it, so it is in the repository and its history.",
            format!(
                "Remove '{name}' from version control (git rm --cached), add it to .gitignore, and \
                 rotate any credentials it contains."
            ),
        ),
        Status::Ignored | Status::Unknown => (
            severity,
            "",
            format!(
                "Remove '{name}' from version control, add it to .gitignore, and rotate any \
                 credentials it contains."
            ),
        ),
    };
    Finding::new(
        &format!("Sensitive file in project: {name}"),
        &format!(
            "{what}. File found at {}.{where_it_stands}",
            candidate.relative
        ),
        severity,
    )
    .rule(&format!(
        "git-hygiene/sensitive-file-{}",
        name.replace('.', "-")
    ))
    .file(&candidate.file.path)
    .remediation(&remediation)
    .meta("git_status", status.as_str())
}

fn one_step_lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn display_target(target: &str) -> &str {
    if target.is_empty() {
        "the target"
    } else {
        target
    }
}
