//! Severity from the CVSS scores safety attaches to some advisories. Advisories without any
//! (the free database's, mostly) stay high, as SecureScan always reported them.

use securescan_adapter_sdk::{Severity, SeverityMap};

use crate::report::{Cve, CvssScore, Scores, Vulnerability};

/// CVSS v3 qualitative ratings.
const CVSS3_RATINGS: SeverityMap = SeverityMap::new(
    &[
        ("CRITICAL", Severity::Critical),
        ("HIGH", Severity::High),
        ("MEDIUM", Severity::Medium),
        ("LOW", Severity::Low),
        ("NONE", Severity::Info),
    ],
    Severity::High,
);

/// The advisory's severity: CVSS v3 before v2, from `severity` (2.x) or the `CVE` object (2.0).
pub fn of_vulnerability(vulnerability: &Vulnerability) -> Option<Severity> {
    let sources = score_sources(vulnerability);
    sources
        .iter()
        .find_map(|scores| scores.cvssv3.as_ref().and_then(cvss3))
        .or_else(|| {
            sources
                .iter()
                .find_map(|scores| scores.cvssv2.as_ref().and_then(cvss2))
        })
}

/// The base score behind [`of_vulnerability`], for metadata.
pub fn cvss_score(vulnerability: &Vulnerability) -> Option<f64> {
    let sources = score_sources(vulnerability);
    let base = |pick: fn(&Scores) -> Option<&CvssScore>| {
        sources
            .iter()
            .find_map(|scores| pick(scores).and_then(|s| s.base_score))
    };
    base(|s| s.cvssv3.as_ref()).or_else(|| base(|s| s.cvssv2.as_ref()))
}

/// A safety 1.x entry's severity from its optional `cvssv3` and `cvssv2` fields.
pub fn from_scores(cvssv3: Option<&CvssScore>, cvssv2: Option<&CvssScore>) -> Option<Severity> {
    cvssv3
        .and_then(cvss3)
        .or_else(|| cvssv2.and_then(self::cvss2))
}

fn score_sources(vulnerability: &Vulnerability) -> Vec<&Scores> {
    vulnerability
        .severity
        .iter()
        .chain(vulnerability.cve.as_ref().and_then(Cve::scores))
        .collect()
}

fn cvss3(score: &CvssScore) -> Option<Severity> {
    score
        .base_severity
        .as_deref()
        .and_then(|rating| CVSS3_RATINGS.lookup(rating))
        .or_else(|| {
            score.base_score.map(|base| match base {
                b if b >= 9.0 => Severity::Critical,
                b if b >= 7.0 => Severity::High,
                b if b >= 4.0 => Severity::Medium,
                b if b > 0.0 => Severity::Low,
                _ => Severity::Info,
            })
        })
}

/// CVSS v2 has no critical band.
fn cvss2(score: &CvssScore) -> Option<Severity> {
    score.base_score.map(|base| match base {
        b if b >= 7.0 => Severity::High,
        b if b >= 4.0 => Severity::Medium,
        _ => Severity::Low,
    })
}
