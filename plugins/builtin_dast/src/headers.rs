//! Header checks on the final response.
//!
//! - `missing-header-<h>` (medium): a security header is absent or empty, in the original's
//!   order. Strict-Transport-Security is only asked for over HTTPS (see `transport`), and
//!   X-Frame-Options not when Content-Security-Policy has `frame-ancestors`, which supersedes it.
//! - `weak-header-<h>` (medium): the header is there but set to a value browsers ignore or that
//!   turns the protection off, so the page is as exposed as without it.
//! - `info-disclosure-<h>` (low): a header names the server's software.

use securescan_adapter_sdk::{Finding, Severity, normalize_cwe};

use crate::exchange::{Scan, capped, has_scheme, values};

/// The headers whose absence is reported, in the original's order.
const SECURITY_HEADERS: [&str; 6] = [
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
];

/// Headers that name server technology: the original's two, then ASP.NET's version headers.
const DISCLOSURE_HEADERS: [&str; 4] = [
    "Server",
    "X-Powered-By",
    "X-AspNet-Version",
    "X-AspNetMvc-Version",
];

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut findings = Vec::new();
    for header in SECURITY_HEADERS {
        if !applies(scan, header) {
            continue;
        }
        let present = values(scan.last, header);
        let set: Vec<&str> = present.iter().copied().filter(|v| !v.is_empty()).collect();
        if set.is_empty() {
            findings.push(missing(scan, header, !present.is_empty()));
        } else if let Some(weakness) = weakness(header, &set) {
            findings.push(weak(scan, header, &set.join(", "), weakness));
        }
    }
    for header in DISCLOSURE_HEADERS {
        let set: Vec<&str> = values(scan.last, header)
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect();
        if !set.is_empty() {
            findings.push(disclosure(scan, header, &capped(&set.join(", "))));
        }
    }
    findings
}

fn applies(scan: &Scan, header: &str) -> bool {
    match header {
        "Strict-Transport-Security" => has_scheme(&scan.last.url, "https"),
        "X-Frame-Options" => !values(scan.last, "Content-Security-Policy")
            .iter()
            .flat_map(|policy| policy.split(';'))
            .any(|directive| directive_name(directive) == "frame-ancestors"),
        _ => true,
    }
}

fn directive_name(directive: &str) -> String {
    directive
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Why a present value gives no protection, or `None` when it does (or this header's values are
/// not judged).
fn weakness(header: &str, set: &[&str]) -> Option<&'static str> {
    let first = set.first().copied().unwrap_or("");
    let tokens = || set.iter().flat_map(|v| v.split(',')).map(str::trim);
    match header {
        // Browsers act on the first value only, and only on `nosniff`.
        "X-Content-Type-Options" => (!first
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("nosniff"))
        .then_some("is not 'nosniff', the only value browsers act on"),
        "X-Frame-Options" => tokens()
            .any(|t| !t.eq_ignore_ascii_case("DENY") && !t.eq_ignore_ascii_case("SAMEORIGIN"))
            .then_some(
                "is not DENY or SAMEORIGIN (current browsers ignore ALLOW-FROM and any other value)",
            ),
        // A browser reads the first header only (RFC 6797 §8.1).
        "Strict-Transport-Security" => match max_age(first) {
            None => Some("has no valid max-age directive, so browsers ignore it"),
            Some(0) => Some("has max-age=0, which tells browsers to forget the HSTS policy"),
            Some(_) => None,
        },
        // The last policy a browser understands wins.
        "Referrer-Policy" => tokens()
            .rfind(|t| !t.is_empty())
            .is_some_and(|t| t.eq_ignore_ascii_case("unsafe-url"))
            .then_some(
                "is 'unsafe-url', which sends the full URL, path and query included, to every \
                 origin, even over HTTP",
            ),
        _ => None,
    }
}

fn max_age(hsts: &str) -> Option<u64> {
    hsts.split(';').find_map(|directive| {
        let (name, value) = directive.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().trim_matches('"').parse().ok())?
    })
}

fn missing(scan: &Scan, header: &str, empty: bool) -> Finding {
    let url = scan.last.url.as_str();
    let mut description = format!(
        "The response from {url} is missing the '{header}' HTTP security header, which helps \
         protect against common web attacks."
    );
    if empty {
        description.push_str(" The header is present but empty, which browsers treat as absent.");
    }
    scan.finding(
        Severity::Medium,
        &format!("Missing security header: {header}"),
        &description,
        url,
    )
    .rule(&format!("missing-header-{}", header.to_ascii_lowercase()))
    .remediation(&format!("Add the '{header}' header to all HTTP responses."))
    .meta("header", header)
}

fn weak(scan: &Scan, header: &str, value: &str, weakness: &str) -> Finding {
    let url = scan.last.url.as_str();
    let value = capped(value);
    scan.finding(
        Severity::Medium,
        &format!("Weak security header: {header}"),
        &format!(
            "The response from {url} sets '{header}: {value}'. This value {weakness}. The page is \
             as exposed as without the header."
        ),
        url,
    )
    .rule(&format!("weak-header-{}", header.to_ascii_lowercase()))
    .cwe(normalize_cwe("693"))
    .remediation(remedy(header))
    .meta("header", header)
    .meta("value", value)
}

fn remedy(header: &str) -> &'static str {
    match header {
        "X-Content-Type-Options" => "Set 'X-Content-Type-Options: nosniff'.",
        "X-Frame-Options" => {
            "Set 'X-Frame-Options: DENY' (or SAMEORIGIN), or use the Content-Security-Policy \
             'frame-ancestors' directive to allow specific origins."
        }
        "Strict-Transport-Security" => {
            "Set 'Strict-Transport-Security: max-age=31536000; includeSubDomains'."
        }
        // Referrer-Policy, the last header `weakness` judges.
        _ => "Set 'Referrer-Policy: strict-origin-when-cross-origin' (or a stricter policy).",
    }
}

fn disclosure(scan: &Scan, header: &str, value: &str) -> Finding {
    let url = scan.last.url.as_str();
    scan.finding(
        Severity::Low,
        &format!("Information disclosure header: {header}"),
        &format!(
            "The response from {url} includes the '{header}' header with value '{value}', which \
             discloses server technology information to potential attackers."
        ),
        url,
    )
    .rule(&format!("info-disclosure-{}", header.to_ascii_lowercase()))
    .remediation(&format!(
        "Remove or obfuscate the '{header}' header in your web server / application configuration."
    ))
    .meta("header", header)
    .meta("value", value)
}
