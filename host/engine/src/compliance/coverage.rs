//! Per-framework summary of which controls the findings touch, for reports and the API.

use std::collections::HashMap;

use serde::Serialize;

use super::data::Framework;
use super::matcher::cmp_tags;
use crate::findings::Finding;

/// One framework's controls split into violated (some finding carries the tag) and clear.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkCoverage {
    /// Display name, e.g. `OWASP Top 10`.
    pub framework: String,
    /// File stem, e.g. `owasp-top10-2021`.
    pub framework_id: String,
    pub version: String,
    pub total_controls: usize,
    /// Tags of controls at least one counted finding carries, sorted.
    pub controls_violated: Vec<String>,
    /// Tags of the other controls, sorted.
    pub controls_clear: Vec<String>,
    /// One entry per violated control, in `controls_violated` order.
    pub violated_details: Vec<ViolatedControl>,
    /// Share of controls violated, in percent, one decimal; 0 when the framework has no controls.
    pub violated_percentage: f64,
    /// Same value as `violated_percentage`, under the original's name: API clients read it, but
    /// the name suggests the share covered when it is the share violated.
    pub coverage_percentage: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolatedControl {
    /// The control's tag, e.g. `OWASP-A03`.
    pub id: String,
    pub name: String,
    /// How many counted findings carry the tag.
    pub findings: usize,
}

/// Counts `finding.compliance_tags` (what the user sees on each finding), not a fresh match, so
/// the summary agrees with the findings it summarizes. Suppressed findings do not count: they
/// are hidden from the user, and a baseline-suppressed backlog would otherwise show as violations.
pub(super) fn coverage(frameworks: &[Framework], findings: &[Finding]) -> Vec<FrameworkCoverage> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for finding in findings.iter().filter(|f| !f.is_suppressed()) {
        let mut tags: Vec<&str> = finding.compliance_tags.iter().map(String::as_str).collect();
        // A finding counts once per control even if its tag list repeats a tag.
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            *counts.entry(tag).or_default() += 1;
        }
    }
    frameworks
        .iter()
        .map(|framework| framework_coverage(framework, &counts))
        .collect()
}

fn framework_coverage(framework: &Framework, counts: &HashMap<&str, usize>) -> FrameworkCoverage {
    let mut controls: Vec<_> = framework.controls.iter().collect();
    controls.sort_by(|a, b| cmp_tags(&a.tag, &b.tag));
    let (violated, clear): (Vec<_>, Vec<_>) = controls
        .into_iter()
        .partition(|c| counts.contains_key(c.tag.as_str()));
    let total = framework.controls.len();
    let percentage = if total == 0 {
        0.0
    } else {
        (violated.len() as f64 / total as f64 * 1000.0).round() / 10.0
    };
    FrameworkCoverage {
        framework: framework.name.clone(),
        framework_id: framework.id.clone(),
        version: framework.version.clone(),
        total_controls: total,
        controls_violated: violated.iter().map(|c| c.tag.clone()).collect(),
        controls_clear: clear.iter().map(|c| c.tag.clone()).collect(),
        violated_details: violated
            .iter()
            .map(|c| ViolatedControl {
                id: c.tag.clone(),
                name: c.name.clone(),
                findings: counts[c.tag.as_str()],
            })
            .collect(),
        violated_percentage: percentage,
        coverage_percentage: percentage,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compliance::data::parse_framework;
    use crate::compliance::testing::finding;
    use crate::findings::{SuppressedBy, Suppression};

    fn framework() -> Framework {
        parse_framework(
            "test",
            "test.json",
            r#"{"framework":"Test","version":"1","tag_prefix":"T-","controls":{
                "10":{"name":"Ten","keywords":["ten"]},
                "2":{"name":"Two","keywords":["two"]},
                "1":{"name":"One","keywords":["one"]}}}"#,
        )
        .unwrap()
    }

    fn tagged(tags: &[&str]) -> Finding {
        let mut f = finding("semgrep", None, None, "x", "");
        f.compliance_tags = tags.iter().map(|t| t.to_string()).collect();
        f
    }

    #[test]
    fn violated_and_clear_controls_are_split_and_sorted() {
        let findings = [tagged(&["T-10", "OTHER-1"]), tagged(&["T-2", "T-10"])];
        let coverage = coverage(&[framework()], &findings);
        let c = &coverage[0];
        assert_eq!(c.framework, "Test");
        assert_eq!(c.framework_id, "test");
        assert_eq!(c.total_controls, 3);
        assert_eq!(c.controls_violated, ["T-2", "T-10"]);
        assert_eq!(c.controls_clear, ["T-1"]);
        assert_eq!(
            c.violated_details,
            [
                ViolatedControl {
                    id: "T-2".into(),
                    name: "Two".into(),
                    findings: 1
                },
                ViolatedControl {
                    id: "T-10".into(),
                    name: "Ten".into(),
                    findings: 2
                },
            ]
        );
    }

    #[test]
    fn percentage_is_the_share_violated_rounded_to_one_decimal() {
        let coverage = coverage(&[framework()], &[tagged(&["T-1"])]);
        assert_eq!(coverage[0].violated_percentage, 33.3);
        assert_eq!(coverage[0].coverage_percentage, 33.3);
        let json = serde_json::to_value(&coverage[0]).unwrap();
        assert_eq!(json["violated_percentage"], json!(33.3));
        assert_eq!(json["coverage_percentage"], json!(33.3));
    }

    #[test]
    fn suppressed_findings_do_not_count_for_coverage() {
        let mut suppressed = tagged(&["T-1"]);
        suppressed.suppression = Some(Suppression::by(SuppressedBy::Baseline));
        let coverage = coverage(&[framework()], &[suppressed, tagged(&["T-2"])]);
        assert_eq!(coverage[0].controls_violated, ["T-2"]);
        assert_eq!(coverage[0].controls_clear, ["T-1", "T-10"]);
    }

    #[test]
    fn a_repeated_tag_counts_its_finding_once() {
        let coverage = coverage(&[framework()], &[tagged(&["T-1", "T-1"])]);
        assert_eq!(coverage[0].violated_details[0].findings, 1);
    }

    #[test]
    fn no_findings_means_everything_clear_and_zero_percent() {
        let coverage = coverage(&[framework()], &[]);
        assert!(coverage[0].controls_violated.is_empty());
        assert_eq!(coverage[0].controls_clear.len(), 3);
        assert_eq!(coverage[0].violated_percentage, 0.0);
    }
}
