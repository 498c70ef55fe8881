//! `plain-http`: the final page came over unencrypted HTTP.
//!
//! This replaces "missing Strict-Transport-Security" for such a site: browsers ignore HSTS sent
//! over HTTP (RFC 6797 §8.1), so telling the user to add the header is advice that cannot work.
//! The real problem is the missing TLS, reported at the same severity (medium) the HSTS finding
//! had, so the risk score does not drop for a site that is worse off.

use securescan_adapter_sdk::{Finding, Severity, normalize_cwe};

use crate::exchange::{Scan, has_scheme};

pub fn check(scan: &Scan) -> Option<Finding> {
    let url = scan.last.url.as_str();
    if !has_scheme(url, "http") {
        return None;
    }
    let downgrade = if scan.hops.iter().any(|hop| has_scheme(&hop.url, "https")) {
        " The redirect chain went from HTTPS down to HTTP."
    } else {
        ""
    };
    let description = format!(
        "The response from {url} was served over unencrypted HTTP: anyone on the network path can \
         read and change the page and its cookies. Browsers ignore a Strict-Transport-Security \
         header sent over HTTP, so HSTS cannot protect the site until it is served over HTTPS.{downgrade}"
    );
    Some(
        scan.finding(
            Severity::Medium,
            "Site served over plain HTTP",
            &description,
            url,
        )
        .rule("plain-http")
        .cwe(normalize_cwe("319"))
        .remediation(
            "Serve the site over HTTPS, redirect every HTTP request to HTTPS, then add a \
                 Strict-Transport-Security header.",
        ),
    )
}
