//! `--ai` / `--no-ai`: whether a scan's findings are explained by a language model before the
//! report is rendered, and the one-line notes that say why not or what failed. The answers only
//! reach the text and html reports; the exit code never depends on them.

use std::path::Path;

use clap::Args;

use securescan_engine::config::ProjectConfig;
use securescan_engine::findings::{ScanRoot, SourceCache, SourceFiles};
use securescan_engine::scan::ScanResult;
use securescan_engine::settings::user_setting;
use securescan_enrich::{AiConfig, Decision, Explanations, FindingSource, decide, enrich};
use securescan_report::{OutputFormat, shows_explanations};

#[derive(Debug, Args)]
pub struct AiArgs {
    /// Explain each finding with AI in text and html output (an explanation and a fix per
    /// finding), even in CI. Needs SECURESCAN_GROQ_API_KEY, or SECURESCAN_AI_BASE_URL for a local
    /// model server. Default: on when one is set, off when CI=true (or the config's `ai`).
    #[arg(long)]
    ai: bool,
    /// Never send anything to an AI endpoint.
    #[arg(long, conflicts_with = "ai")]
    no_ai: bool,
}

impl AiArgs {
    fn flag(&self) -> Option<bool> {
        match (self.ai, self.no_ai) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

/// The explanations of `result`'s findings for a report in `format`, or none: AI off, nothing
/// configured, a format that would not show them, or an endpoint that failed (said on stderr).
pub fn explain(
    result: &ScanResult,
    args: &AiArgs,
    format: OutputFormat,
    project: Option<&ProjectConfig>,
    working_dir: &Path,
) -> Explanations {
    let ci = std::env::var("CI").ok();
    let decision = decide(args.flag(), project.and_then(|c| c.ai), ci.as_deref());
    if decision == Decision::Off {
        return Explanations::default();
    }
    let config = match AiConfig::from_settings(user_setting) {
        Ok(Some(config)) => config,
        Ok(None) => {
            if decision == Decision::Forced {
                tell!(
                    "securescan: AI enrichment is on but no endpoint is configured: set \
                     SECURESCAN_GROQ_API_KEY, or SECURESCAN_AI_BASE_URL for a local model server; \
                     nothing was sent"
                );
            }
            return Explanations::default();
        }
        Err(err) => {
            if decision != Decision::OffInCi {
                tell!("securescan: AI enrichment skipped: {err}");
            }
            return Explanations::default();
        }
    };
    if decision == Decision::OffInCi {
        tell!(
            "securescan: CI detected, skipping AI enrichment for determinism (use --ai to override)"
        );
        return Explanations::default();
    }
    if !shows_explanations(format) {
        if decision == Decision::Forced {
            tell!(
                "securescan: AI enrichment: {} output has no place for explanations (text and \
                 html do); nothing was sent",
                format.name()
            );
        }
        return Explanations::default();
    }
    let mut source = TreeLines::new(&result.target, working_dir);
    // The requests block; the runtime's other tasks (signal handling) keep running meanwhile.
    let outcome = tokio::task::block_in_place(|| enrich(&result.findings, &mut source, &config));
    if let Some(failure) = &outcome.failure {
        tell!(
            "securescan: AI enrichment failed ({failure}); {} of {} findings explained, the \
             scan's results are unaffected",
            outcome.explanations.len(),
            outcome.chosen
        );
    }
    if let Some(warning) = &outcome.cache_warning {
        tell!("securescan: warning: {warning}");
    }
    outcome.explanations
}

/// The scanned tree's files as the fingerprints read them: relative to the scan root, never a
/// file outside it (by `..` or a symlink), one file held at a time.
struct TreeLines {
    root: Option<ScanRoot>,
    sources: SourceCache,
}

impl TreeLines {
    fn new(target: &str, working_dir: &Path) -> TreeLines {
        let root = ScanRoot::of_target(target, working_dir);
        let sources = SourceCache::new(root.as_ref());
        TreeLines { root, sources }
    }
}

impl FindingSource for TreeLines {
    fn relative(&self, path: &str) -> Option<String> {
        self.root.as_ref()?.relative(path)
    }

    fn lines(&mut self, relative: &str, first: u32, last: u32) -> Vec<String> {
        self.sources.hold_only(relative);
        self.sources
            .source(relative)
            .map(|text| text.lines(first, last).map(str::to_string).collect())
            .unwrap_or_default()
    }
}
