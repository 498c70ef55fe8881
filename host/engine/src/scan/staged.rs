//! Which scanners a scan of staged changes runs: those that read one of the staged files, as the
//! registry says (a files adapter's selection, a per-file tool's `each-file`, a tool's `reads`).
//! A commit that stages no Python file does not wait for bandit.

use std::collections::BTreeSet;

use crate::gather::{any_name_matches, selects};
use securescan_registry::{AdapterEntry, Input};

/// Why `entry` has nothing to do for these staged files (relative to the target), or `None` when
/// one of them is a file it reads.
pub(crate) fn nothing_staged_for(entry: &AdapterEntry, files: &BTreeSet<String>) -> Option<String> {
    let reads = |file: &String| match &entry.input {
        Input::Files(selection)
        | Input::ToolReport {
            each_file: Some(selection),
        } => selects(selection, file),
        Input::ToolReport { each_file: None } => entry.tool.as_ref().is_none_or(|tool| {
            tool.reads.is_empty() || any_name_matches(&tool.reads, file_name(file))
        }),
        Input::Probes(_) | Input::Http(_) | Input::Zap(_) | Input::Ingest => true,
    };
    if files.iter().any(reads) {
        None
    } else {
        Some("no staged file is one it reads".into())
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use securescan_model::ScanType;
    use securescan_registry::Registry;

    fn runs(files: &[&str]) -> Vec<String> {
        let files: BTreeSet<String> = files.iter().map(|f| f.to_string()).collect();
        let registry = Registry::builtin().expect("the built-in registry loads");
        let types = [
            ScanType::Code,
            ScanType::Dependency,
            ScanType::Iac,
            ScanType::Baseline,
        ];
        registry
            .for_types(&types)
            .into_iter()
            .filter(|entry| nothing_staged_for(entry, &files).is_none())
            .map(|entry| entry.id.clone())
            .collect()
    }

    #[test]
    fn scanners_are_chosen_by_the_staged_files_types() {
        assert_eq!(
            runs(&["README.md"]),
            ["semgrep", "trivy", "baseline", "secrets"]
        );
        assert_eq!(
            runs(&["src/app.py"]),
            ["semgrep", "bandit", "trivy", "baseline", "secrets"]
        );
        assert_eq!(
            runs(&["deploy/Dockerfile"]),
            [
                "semgrep",
                "trivy",
                "checkov",
                "baseline",
                "secrets",
                "dockerfile"
            ]
        );
        assert_eq!(
            runs(&["requirements.txt", ".env"]),
            [
                "semgrep",
                "trivy",
                "baseline",
                "secrets",
                "safety",
                "git-hygiene"
            ]
        );
        assert_eq!(
            runs(&["node_modules/x/app.py"]),
            ["semgrep", "bandit", "trivy", "baseline"]
        );
    }
}
