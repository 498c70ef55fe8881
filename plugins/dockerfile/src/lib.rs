//! Built-in Dockerfile checks (DL001–DL010) over the Dockerfiles and Containerfiles the host
//! gathered. Instructions continued with a trailing `\` are joined first, so a check sees the
//! whole `RUN` (the original read physical lines and missed `curl … \` / `| sh`).

mod instructions;
mod rules;

use securescan_adapter_sdk::prelude::*;

pub struct Dockerfile;

impl Adapter for Dockerfile {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let mut output = Output::default();
        for file in &input.files {
            let text = String::from_utf8_lossy(&file.bytes);
            output.findings.extend(rules::check(
                &file.path,
                &instructions::logical_lines(&text),
            ));
        }
        Ok(output)
    }
}

securescan_adapter_sdk::export_adapter!(Dockerfile);

#[cfg(test)]
mod tests;
