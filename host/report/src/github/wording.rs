//! The words each GitHub surface uses for each change mode: `diff` reviews a change, `compare`
//! reports drift from a baseline, and the PR comment and the review each say so in their own way.

use super::markers::{COMPARE_COMMENT, COMPARE_REVIEW, DIFF_COMMENT, DIFF_REVIEW};
use securescan_model::ChangeMode;

/// Where the words appear.
#[derive(Debug, Clone, Copy)]
pub(super) enum Surface {
    PrComment,
    Review,
}

/// The marker line, the heading and the names of the new and the fixed findings.
pub(super) struct Wording {
    pub marker: &'static str,
    pub heading: &'static str,
    pub new: &'static str,
    pub fixed: &'static str,
}

impl Wording {
    /// The lines both surfaces open with: the marker, the heading, and a count table with the
    /// new and the fixed rows, for the caller to add its own rows to.
    pub fn count_table(&self, new: usize, fixed: usize) -> Vec<String> {
        vec![
            self.marker.to_string(),
            self.heading.to_string(),
            String::new(),
            "| Change | Count |".to_string(),
            "|---|---:|".to_string(),
            format!("| {} | {new} |", self.new),
            format!("| {} | {fixed} |", self.fixed),
        ]
    }
}

pub(super) fn wording(surface: Surface, mode: ChangeMode) -> Wording {
    match (surface, mode) {
        (Surface::PrComment, ChangeMode::Diff) => Wording {
            marker: DIFF_COMMENT,
            heading: "## SecureScan: dependency & code change review",
            new: "New findings",
            fixed: "Fixed findings",
        },
        (Surface::PrComment, ChangeMode::Compare) => Wording {
            marker: COMPARE_COMMENT,
            heading: "## SecureScan: baseline drift",
            new: "New since baseline",
            fixed: "Disappeared from baseline (drift?)",
        },
        (Surface::Review, ChangeMode::Diff) => Wording {
            marker: DIFF_REVIEW,
            heading: "## SecureScan review",
            new: "New findings",
            fixed: "Fixed findings",
        },
        (Surface::Review, ChangeMode::Compare) => Wording {
            marker: COMPARE_REVIEW,
            heading: "## SecureScan baseline-drift review",
            new: "New since baseline",
            fixed: "Disappeared since baseline",
        },
    }
}
