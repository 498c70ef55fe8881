//! Cross-scanner deduplication: two scanners reporting the same issue become one finding, the
//! other scanners listed in `metadata.also_reported_by`.
//!
//! "The same issue" is deliberately narrow, because merging two different issues loses one of
//! them (the original keyed on file + line + title and collapsed every vulnerability of one
//! package into one finding). Two findings are the same issue only when both:
//! - point at the same file and line and name the same CWE (semgrep and bandit on one `eval()`), or
//! - name the same package and the same single advisory (trivy and safety on one CVE).
//!
//! Findings of one scanner never merge: its results are its own business, even when they look
//! alike (two matches on one line whose columns the adapter drops, ZAP alerts of one rule on
//! different URLs sharing a fingerprint).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{Finding, Metadata, SuppressedBy};
use securescan_model::ALSO_REPORTED_BY;

/// Merge duplicates in place, keeping the first slot of each issue. The higher severity wins; on
/// a tie the earlier finding (registry order) does. The winner lists each merged finding's
/// scanner, rule id and fingerprint. Returns how many findings were merged away.
pub fn deduplicate(findings: &mut Vec<Finding>) -> usize {
    let mut slots: HashMap<Key, usize> = HashMap::new();
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut merged = 0;
    for finding in std::mem::take(findings) {
        let keys = keys(&finding);
        let slot = keys.iter().find_map(|k| {
            let index = *slots.get(k)?;
            (!reported_by(&kept[index], &finding.scanner)).then_some(index)
        });
        match slot {
            Some(index) => {
                merged += 1;
                let winner = &mut kept[index];
                if finding.severity > winner.severity {
                    let loser = std::mem::replace(winner, finding);
                    absorb(winner, loser);
                } else {
                    absorb(winner, finding);
                }
            }
            None => {
                for key in keys {
                    slots.entry(key).or_insert(kept.len());
                }
                kept.push(finding);
            }
        }
    }
    *findings = kept;
    merged
}

/// What identifies an issue for merging. The suppression stamp is part of every key, so a
/// suppressed finding never hides (or is hidden by) one the rules keep.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Code {
        file: String,
        line: u32,
        cwe: u32,
        suppressed: Option<SuppressedBy>,
    },
    Advisory {
        package: String,
        advisory: String,
        suppressed: Option<SuppressedBy>,
    },
}

fn keys(f: &Finding) -> Vec<Key> {
    let suppressed = f.suppressed_by().cloned();
    let mut keys = Vec::new();
    if let (Some(file), Some(line), Some(cwe)) = (
        f.file_path.as_deref(),
        f.line_start.filter(|&l| l > 0),
        f.cwe.as_deref().and_then(cwe_number),
    ) {
        keys.push(Key::Code {
            file: file.to_string(),
            line,
            cwe,
            suppressed: suppressed.clone(),
        });
    }
    if let (Some(package), Some(advisory)) = (package(f), single_advisory(f)) {
        keys.push(Key::Advisory {
            package,
            advisory,
            suppressed,
        });
    }
    keys
}

/// `CWE-89`, `cwe-89`, `89` and semgrep's `CWE-89: Improper …` are all 89.
fn cwe_number(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cwe-"))
        .map_or(text, |_| &text[4..]);
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Package names compare as their ecosystems do: case and `-`/`_`/`.` do not matter.
fn package(f: &Finding) -> Option<String> {
    let name = f.metadata.get("package");
    let name = name.as_str()?.trim();
    (!name.is_empty() && name != "unknown").then(|| {
        name.chars()
            .map(|c| match c {
                '_' | '.' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    })
}

/// The one CVE or GHSA id a dependency finding is about: its rule id when that is an advisory id
/// (trivy), else its `metadata.cves` when it lists exactly one (safety, npm audit). A finding
/// about several advisories has no single identity and never merges.
fn single_advisory(f: &Finding) -> Option<String> {
    let is_advisory = |id: &str| {
        let upper = id.to_ascii_uppercase();
        upper.starts_with("CVE-") || upper.starts_with("GHSA-")
    };
    let cves = f.metadata.get("cves");
    let mut ids: Vec<String> = f
        .rule_id
        .iter()
        .map(String::as_str)
        .chain(
            cves.as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        )
        .filter(|id| is_advisory(id))
        .map(|id| id.trim().to_ascii_uppercase())
        .collect();
    ids.sort();
    ids.dedup();
    match ids.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Whether `scanner` already stands behind `finding`, itself or merged into it.
fn reported_by(finding: &Finding, scanner: &str) -> bool {
    finding.scanner == scanner
        || finding
            .metadata
            .get(ALSO_REPORTED_BY)
            .as_array()
            .is_some_and(|list| list.iter().any(|e| e["scanner"] == scanner))
}

/// Record `other` (and whatever it had absorbed) on `winner`, sorted so the output does not
/// depend on which of them arrived first.
fn absorb(winner: &mut Finding, mut other: Finding) {
    let mut list: Vec<Value> = take_list(&mut winner.metadata);
    list.extend(take_list(&mut other.metadata));
    if other.scanner != winner.scanner || other.fingerprint != winner.fingerprint {
        let mut entry = Map::new();
        entry.insert("scanner".into(), Value::from(other.scanner));
        entry.insert(
            "rule_id".into(),
            other.rule_id.map_or(Value::Null, Value::from),
        );
        entry.insert("severity".into(), Value::from(other.severity.as_str()));
        entry.insert("fingerprint".into(), Value::from(other.fingerprint));
        list.push(Value::Object(entry));
    }
    list.sort_by_key(|v| v.to_string());
    list.dedup();
    if !list.is_empty() {
        winner.metadata.insert(ALSO_REPORTED_BY, Value::Array(list));
    }
}

fn take_list(metadata: &mut Metadata) -> Vec<Value> {
    match metadata.remove(ALSO_REPORTED_BY) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Severity, Suppression};

    fn finding(scanner: &str, rule: &str, line: u32, cwe: Option<&str>) -> Finding {
        Finding {
            file_path: Some("app.py".into()),
            line_start: Some(line),
            rule_id: Some(rule.into()),
            cwe: cwe.map(str::to_string),
            fingerprint: format!("{scanner}-{rule}-{line}"),
            ..Finding::sample(scanner, &format!("{scanner} {rule}"), Severity::Medium)
        }
    }

    fn vulnerability(scanner: &str, package: &str, rule: &str, cves: &[&str]) -> Finding {
        let mut f = finding(scanner, rule, 0, None);
        f.file_path = Some("requirements.txt".into());
        f.line_start = None;
        f.metadata.insert("package", Value::from(package));
        if !cves.is_empty() {
            f.metadata.insert("cves", Value::from(cves.to_vec()));
        }
        f
    }

    #[test]
    fn semgrep_and_bandit_on_one_line_and_cwe_merge_into_the_more_severe() {
        let semgrep = finding(
            "semgrep",
            "eval-detected",
            3,
            Some("CWE-95: Eval Injection"),
        );
        let mut bandit = finding("bandit", "B307", 3, Some("CWE-95"));
        bandit.severity = Severity::High;
        let mut findings = vec![semgrep, bandit];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].scanner, "bandit");
        let also = &findings[0].metadata.get(ALSO_REPORTED_BY);
        assert_eq!(also[0]["scanner"], "semgrep");
        assert_eq!(also[0]["rule_id"], "eval-detected");
    }

    #[test]
    fn one_scanners_two_rules_on_one_line_and_cwe_stay_apart() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("semgrep", "b", 3, Some("CWE-89")),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn a_second_result_of_a_merged_scanner_stays_apart() {
        let mut bandit = finding("bandit", "b", 3, Some("CWE-95"));
        bandit.severity = Severity::High;
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-95")),
            bandit,
            finding("semgrep", "c", 3, Some("CWE-95")),
        ];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings.len(), 2);
    }

    #[test]
    fn a_tie_keeps_the_first_scanner() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("bandit", "b", 3, Some("89")),
        ];
        deduplicate(&mut findings);
        assert_eq!(findings[0].scanner, "semgrep");
    }

    #[test]
    fn different_cwes_or_lines_never_merge() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("bandit", "b", 3, Some("CWE-78")),
            finding("bandit", "c", 4, Some("CWE-89")),
            finding("bandit", "d", 3, None),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
        assert_eq!(findings.len(), 4);
    }

    #[test]
    fn every_vulnerability_of_one_package_stays_its_own_finding() {
        let mut findings = vec![
            vulnerability("trivy", "django", "CVE-2024-1", &[]),
            vulnerability("trivy", "django", "CVE-2024-2", &[]),
            vulnerability("safety", "Django", "safety/1", &["CVE-2024-3"]),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
        assert_eq!(findings.len(), 3);
    }

    #[test]
    fn one_advisory_from_two_dependency_scanners_merges() {
        let mut findings = vec![
            vulnerability("trivy", "Django", "CVE-2024-1", &[]),
            vulnerability("safety", "django", "safety/9", &["cve-2024-1"]),
        ];
        assert_eq!(deduplicate(&mut findings), 1);
        assert_eq!(findings[0].scanner, "trivy");
        assert_eq!(
            findings[0].metadata.get(ALSO_REPORTED_BY)[0]["scanner"],
            "safety"
        );
    }

    #[test]
    fn a_finding_about_several_advisories_never_merges() {
        let mut findings = vec![
            vulnerability("trivy", "lodash", "CVE-2024-1", &[]),
            vulnerability(
                "npm-audit",
                "lodash",
                "npm-audit/lodash",
                &["CVE-2024-1", "CVE-2024-2"],
            ),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn even_identical_results_of_one_scanner_stay_apart() {
        let mut findings = vec![
            finding("semgrep", "a", 3, Some("CWE-89")),
            finding("semgrep", "a", 3, Some("CWE-89")),
        ];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn one_scanners_results_sharing_a_fingerprint_stay_apart() {
        let alert = |url: &str| {
            let mut f = finding("zap", "10038", 0, None);
            f.file_path = None;
            f.line_start = None;
            f.fingerprint = "same".into();
            f.metadata.insert("url", Value::from(url));
            f
        };
        let mut findings = vec![alert("http://a/1"), alert("http://a/2")];
        assert_eq!(deduplicate(&mut findings), 0);
    }

    #[test]
    fn a_suppressed_finding_does_not_swallow_a_kept_one() {
        let mut suppressed = finding("semgrep", "a", 3, Some("CWE-89"));
        suppressed.suppression = Some(Suppression::by(SuppressedBy::Inline));
        let mut findings = vec![suppressed, finding("bandit", "b", 3, Some("CWE-89"))];
        assert_eq!(deduplicate(&mut findings), 0);
    }
}
