//! Built-in secrets analyzer over files the host gathered (and, when the target is in a git
//! repository, the host's `git log -p` of key-like files, one commit a call).
//!
//! A file larger than the registry's `max-file-bytes` arrives in windows of whole lines, one a
//! call, with the setting `first-line` saying where the window starts in the file.
//!
//! Three passes (the host orders findings canonically, so their order here does not matter):
//! 1. [`patterns`]: each line of each file against the credential patterns, one finding for each
//!    distinct secret on a line;
//! 2. [`env_files`]: `KEY=value` lines of `.env`-style files whose key names a secret;
//! 3. [`history`]: every pattern that matches anywhere in the git history the host captured.

mod env_files;
mod false_positive;
mod history;
mod patterns;

use std::borrow::Cow;

use securescan_adapter_sdk::prelude::*;
use securescan_adapter_sdk::text::utf8_lossy;

pub struct Secrets;

impl Adapter for Secrets {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let first_line = first_line(input)?;
        let mut output = Output::default();
        for file in &input.files {
            let text = lossy_text(&file.bytes);
            let relative = within_target(&input.target, &file.path).unwrap_or("");
            output
                .findings
                .extend(patterns::scan_file(&file.path, relative, &text, first_line));
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
                first_line,
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

/// Where the files of this call start: 1, or the `first-line` of a window of a large file.
fn first_line(input: &Input) -> Result<u32, ParseError> {
    match input.setting("first-line") {
        None => Ok(1),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|&line| line > 0)
            .ok_or_else(|| {
                ParseError::Malformed(format!("setting first-line {text:?} is not a line number"))
            }),
    }
}

/// The number of the line `index` lines below `first_line`.
fn line_number(first_line: u32, index: usize) -> u32 {
    u32::try_from(index)
        .ok()
        .and_then(|index| first_line.checked_add(index))
        .unwrap_or(u32::MAX)
}

/// Text with undecodable bytes dropped: a stray Latin-1 byte must not hide a key on the same line.
fn lossy_text(bytes: &[u8]) -> Cow<'_, str> {
    let text = utf8_lossy(bytes);
    // U+FFFD is EF BF BD. Most files hold no 0xEF byte at all, and looking for one byte is several
    // times faster in wasm than the substring search `contains(char)` does for a multi-byte char.
    if text.as_bytes().contains(&0xEF) && text.contains(char::REPLACEMENT_CHARACTER) {
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
