//! Built-in secrets analyzer over files the host gathered (and, when the target is in a git
//! repository, the host's `git log -p` of key-like files).
//!
//! Three passes (the host orders findings canonically, so their order here does not matter):
//! 1. [`patterns`]: each line of each file against the credential patterns, one finding a line;
//! 2. [`env_files`]: `KEY=value` lines of `.env`-style files whose key names a secret;
//! 3. [`history`]: every pattern that matches anywhere in the git history the host captured.

mod env_files;
mod false_positive;
mod history;
mod patterns;

use std::borrow::Cow;

use securescan_adapter_sdk::prelude::*;

pub struct Secrets;

impl Adapter for Secrets {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        for file in &input.files {
            let text = lossy_text(&file.bytes);
            let relative = within_target(&input.target, &file.path).unwrap_or("");
            output
                .findings
                .extend(patterns::scan_file(&file.path, relative, &text));
        }
        for file in input
            .files
            .iter()
            .filter(|f| env_files::is_env_file(&f.path))
        {
            let relative = within_target(&input.target, &file.path).unwrap_or("");
            output.findings.extend(env_files::scan(
                &file.path,
                relative,
                &lossy_text(&file.bytes),
            ));
        }
        if let Some(report) = &input.report {
            output
                .findings
                .extend(history::scan(&lossy_text(&report.bytes)));
        }
        Ok(output)
    }
}

/// Text with undecodable bytes dropped: a stray Latin-1 byte must not hide a key on the same line.
fn lossy_text(bytes: &[u8]) -> Cow<'_, str> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains(char::REPLACEMENT_CHARACTER) {
        Cow::Owned(text.replace(char::REPLACEMENT_CHARACTER, ""))
    } else {
        text
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

securescan_adapter_sdk::export_adapter!(Secrets);

#[cfg(test)]
mod tests;
