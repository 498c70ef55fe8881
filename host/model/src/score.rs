use serde::Serialize;

use crate::{Finding, Severity};

/// Counts per severity and the risk score, for the summary users read first. Suppressed findings
/// (listed with `--show-suppressed`) are not counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub total_findings: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub risk_score: f64,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let kept: Vec<&Finding> = findings.iter().filter(|f| !f.is_suppressed()).collect();
        let count = |s: Severity| kept.iter().filter(|f| f.severity == s).count();
        Summary {
            total_findings: kept.len(),
            critical: count(Severity::Critical),
            high: count(Severity::High),
            medium: count(Severity::Medium),
            low: count(Severity::Low),
            info: count(Severity::Info),
            risk_score: risk_score(findings),
        }
    }
}

/// 0–100: `min(100, 20 · ln(1 + Σ weight))`, rounded to one decimal, over the findings that are
/// not suppressed. Logarithmic so the hundredth low finding moves the score less than the first
/// critical one.
pub fn risk_score(findings: &[Finding]) -> f64 {
    let raw: f64 = findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| match f.severity {
            Severity::Critical => 15.0,
            Severity::High => 8.0,
            Severity::Medium => 3.0,
            Severity::Low => 1.0,
            Severity::Info => 0.2,
        })
        // A fold from +0.0: an empty f64 sum is -0.0, which would print as "-0.0".
        .fold(0.0, |total, weight| total + weight);
    let score = (20.0 * raw.ln_1p()).min(100.0);
    // Formatting rounds the exact binary value half-to-even, as the documented examples expect.
    format!("{score:.1}").parse().unwrap_or(score)
}
