//! Credentials in git history: the host captures `git log -p` of key-like files; every pattern
//! that matches anywhere in it is one finding, because removing the file did not remove the secret.

use securescan_adapter_sdk::Finding;

use crate::patterns::PATTERNS;

pub fn scan(log: &str) -> Vec<Finding> {
    if log.trim().is_empty() {
        return Vec::new();
    }
    PATTERNS
        .iter()
        .filter(|pattern| pattern.regex.is_match(log))
        .map(|pattern| {
            let lowered = pattern.name.to_lowercase();
            Finding::new(
                &format!("{} found in git history", pattern.name),
                &format!(
                    "A {lowered} was found in the git commit history. Even if removed from current files, \
                     it remains in git history and should be rotated."
                ),
                pattern.severity,
            )
            .rule(&format!("secrets/git-history-{}", pattern.slug()))
            .remediation(&format!(
                "Rotate the {lowered} immediately. Consider using git-filter-repo or BFG Repo-Cleaner to remove \
                 sensitive data from git history."
            ))
        })
        .collect()
}
