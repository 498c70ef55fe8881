//! Git hygiene: built-in checks over the files a project keeps next to its code, and gitleaks'
//! JSON report when gitleaks is installed.
//!
//! The host calls this adapter two ways:
//! - with gathered files (`.gitignore` files, env files, keys, databases, …) and the output of
//!   two `git ls-files` commands: [`hygiene`] reports a missing `.gitignore`, risky files no
//!   ignore rule covers, and sensitive files that are committed or about to be;
//! - with gitleaks' report alone (`gitleaks detect … --report-format json`, or `securescan
//!   ingest`): [`report`] reads versions 8, 7 and 4 to 6, and [`leaks`] makes one finding per
//!   leak, without the secret.

mod git_status;
mod gitignore;
mod hygiene;
mod leaks;
mod report;

use securescan_adapter_sdk::prelude::*;

pub struct GitHygiene;

impl Adapter for GitHygiene {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        if input.report.is_none() {
            return Ok(hygiene::check(input));
        }
        let report = report::parse(input)?;
        let mut output = Output {
            findings: Vec::new(),
            warnings: report.warnings,
        };
        output.findings.extend(
            report
                .leaks
                .into_iter()
                .map(|leak| leaks::to_finding(&input.target, leak)),
        );
        if !input.files.is_empty() {
            let files = hygiene::check(input);
            output.findings.extend(files.findings);
            output.warnings.extend(files.warnings);
        }
        Ok(output)
    }
}

securescan_adapter_sdk::export_adapter!(GitHygiene);

#[cfg(test)]
mod tests;
