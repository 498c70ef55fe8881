//! AI enrichment: an explanation and a remediation for each finding, from any OpenAI-compatible
//! chat-completions endpoint (Groq's by default, or a local model server).
//!
//! What it promises, whatever the caller:
//! - the answers go into an [`Explanations`] side table, never into a finding, so no machine
//!   output, fingerprint or scan id depends on a model;
//! - what is sent about a finding is [`prompt::describe`]'s text: the scanner's words and the
//!   finding's own lines, and for a finding about a credential neither (only its rule, CWE and
//!   place), so a secret's value is never sent;
//! - answers are cached on disk by fingerprint and model, so a finding is asked about once;
//! - requests run a few at a time, each bounded by a timeout, and the first failure stops the
//!   rest: a dead endpoint costs one timeout, and the caller gets one [`EnrichFailure`] to show.

mod cache;
mod client;
mod config;
mod prompt;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

pub use config::{AiConfig, ConfigError, DEFAULT_MODEL, GROQ_BASE_URL};
pub use prompt::{FindingSource, SYSTEM_PROMPT, describe};
pub use securescan_model::{Explanation, Explanations};

use cache::Cache;
use client::Client;
use securescan_model::Finding;

/// Whether a command enriches, before looking at what is configured: `--ai`/`--no-ai` win, then
/// the project config's `ai`, then `CI` (`true` or `1`, any case) turns it off; otherwise it is
/// on whenever an endpoint is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Asked for with `--ai`: say so when nothing is configured or the output cannot show it.
    Forced,
    /// On if an endpoint is configured, silently off if not (also the config's `ai: true`: a
    /// project setting shared by people who may have no key must not warn each of them).
    Auto,
    Off,
    /// Off only because `CI` is set: AI text is not deterministic.
    OffInCi,
}

pub fn decide(flag: Option<bool>, project: Option<bool>, ci: Option<&str>) -> Decision {
    match (flag, project) {
        (Some(true), _) => Decision::Forced,
        (Some(false), _) | (None, Some(false)) => Decision::Off,
        (None, Some(true)) => Decision::Auto,
        (None, None) if ci.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1") => {
            Decision::OffInCi
        }
        (None, None) => Decision::Auto,
    }
}

/// How enrichment ended.
#[derive(Debug, Default)]
pub struct Outcome {
    pub explanations: Explanations,
    /// Findings chosen for explanation (kept, with a fingerprint, at most `max_findings`).
    pub chosen: usize,
    /// How many answers came from the cache.
    pub cached: usize,
    /// Requests sent.
    pub asked: usize,
    /// Set when the endpoint failed; the findings it did not explain are simply unexplained.
    pub failure: Option<EnrichFailure>,
    /// A cache that could not be written (answers still shown, asked again next time).
    pub cache_warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: {reason}")]
pub struct EnrichFailure {
    /// The chat-completions URL (never the key).
    pub endpoint: String,
    pub reason: String,
}

/// Explain `findings` (in the order given: canonical order puts the most severe first) through
/// the endpoint of `config`, reading each finding's lines from `source`. Blocking.
pub fn enrich(findings: &[Finding], source: &mut dyn FindingSource, config: &AiConfig) -> Outcome {
    let mut outcome = Outcome::default();
    let mut seen = HashSet::new();
    let chosen: Vec<&Finding> = findings
        .iter()
        .filter(|f| !f.is_suppressed() && !f.fingerprint.is_empty())
        .filter(|f| seen.insert(f.fingerprint.as_str()))
        .take(config.max_findings)
        .collect();
    outcome.chosen = chosen.len();
    let cache = config.cache_dir.as_deref().map(Cache::new);
    let mut jobs = Vec::new();
    for finding in chosen {
        let key = cache::key(&config.model, &finding.fingerprint);
        match cache.as_ref().and_then(|c| c.load(&key)) {
            Some(hit) => {
                outcome.cached += 1;
                outcome
                    .explanations
                    .insert(finding.fingerprint.clone(), hit);
            }
            None => jobs.push(Job {
                fingerprint: finding.fingerprint.clone(),
                key,
                question: describe(finding, source),
            }),
        }
    }
    if jobs.is_empty() {
        return outcome;
    }
    let client = match Client::new(config) {
        Ok(client) => client,
        Err(reason) => {
            outcome.failure = Some(EnrichFailure {
                endpoint: config.endpoint(),
                reason,
            });
            return outcome;
        }
    };
    let answers = ask_all(&client, &jobs, config.concurrency);
    outcome.asked = answers.asked;
    outcome.failure = answers.failure.map(|reason| EnrichFailure {
        endpoint: config.endpoint(),
        reason,
    });
    for (index, answer) in answers.answers {
        let job = &jobs[index];
        if let Some(cache) = &cache
            && let Err(err) = cache.store(&job.key, &answer)
        {
            outcome.cache_warning.get_or_insert_with(|| {
                format!(
                    "cannot write the AI cache in {}: {err}",
                    cache.dir().display()
                )
            });
        }
        outcome.explanations.insert(job.fingerprint.clone(), answer);
    }
    outcome
}

struct Job {
    fingerprint: String,
    key: String,
    question: String,
}

struct Answers {
    answers: Vec<(usize, Explanation)>,
    asked: usize,
    failure: Option<String>,
}

/// Ask every job's question, at most `concurrency` at a time; after the first failure no new
/// request starts (those in flight finish).
fn ask_all(client: &Client, jobs: &[Job], concurrency: usize) -> Answers {
    let next = AtomicUsize::new(0);
    let asked = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let answers = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    let workers = concurrency.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(index) else { break };
                    asked.fetch_add(1, Ordering::SeqCst);
                    match client.ask(&job.question) {
                        Ok(answer) => answers
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((index, answer)),
                        Err(reason) => {
                            stop.store(true, Ordering::SeqCst);
                            failure
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert(reason);
                        }
                    }
                }
            });
        }
    });
    let mut answers = answers.into_inner().unwrap_or_else(PoisonError::into_inner);
    answers.sort_by_key(|(index, _)| *index);
    Answers {
        answers,
        asked: asked.into_inner(),
        failure: failure.into_inner().unwrap_or_else(PoisonError::into_inner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_config_which_beats_ci() {
        assert_eq!(
            decide(Some(true), Some(false), Some("true")),
            Decision::Forced
        );
        assert_eq!(decide(Some(false), Some(true), None), Decision::Off);
        assert_eq!(decide(None, Some(true), Some("true")), Decision::Auto);
        assert_eq!(decide(None, Some(false), None), Decision::Off);
        assert_eq!(decide(None, None, Some("TRUE")), Decision::OffInCi);
        assert_eq!(decide(None, None, Some("1")), Decision::OffInCi);
        assert_eq!(decide(None, None, Some("false")), Decision::Auto);
        assert_eq!(decide(None, None, Some("")), Decision::Auto);
        assert_eq!(decide(None, None, None), Decision::Auto);
    }
}
