//! Built-in DAST checks over the response to one GET of the target URL: security headers
//! missing or set to values browsers ignore, headers that disclose the server's technology,
//! cookies without Secure / HttpOnly / SameSite, and a site served over plain HTTP.
//!
//! The host makes the request (redirects followed, bounded) and passes one exchange per hop, in
//! order. Header checks look at the final response, the page the user lands on; cookie checks
//! look at every hop, since a cookie set on a redirect is stored all the same.

mod cookies;
mod exchange;
mod headers;
mod transport;

use securescan_adapter_sdk::prelude::*;

use exchange::Scan;

pub struct BuiltinDast;

impl Adapter for BuiltinDast {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let scan = Scan::new(input)?;
        let mut output = Output::default();
        if (300..400).contains(&scan.last.status) {
            output.warnings.push(format!(
                "the redirect chain ended on a {} redirect from {}: the host stopped following \
                 redirects, so the header checks ran on that redirect",
                scan.last.status, scan.last.url
            ));
        }
        output.findings.extend(transport::check(&scan));
        output.findings.extend(headers::check(&scan));
        output.findings.extend(cookies::check(&scan));
        Ok(output)
    }
}

securescan_adapter_sdk::export_adapter!(BuiltinDast);

#[cfg(test)]
mod tests;
