//! Cookie checks over the `Set-Cookie` headers of every hop (the original looked at the final
//! response only, and missed session cookies set on a login redirect).
//!
//! - `cookie-missing-secure` (medium), `cookie-missing-httponly` (medium): as the original.
//! - `cookie-missing-samesite` (low): no usable SameSite attribute; Chrome then defaults to Lax,
//!   Firefox and Safari send the cookie with cross-site requests.
//! - `cookie-samesite-none-without-secure` (low): browsers reject such a cookie outright, and
//!   older ones send it everywhere.
//!
//! Only a cookie's name is ever reported, never its value. A cookie deleted with `Max-Age=0` is
//! not judged, and a cookie set on several hops is reported once per rule, at its first hop.

use std::collections::BTreeSet;

use securescan_adapter_sdk::{Finding, Severity, normalize_cwe};

use crate::exchange::{Scan, capped, values};

struct SetCookie {
    /// Empty for a value-only cookie (`Set-Cookie: abc`): browsers read `abc` as the value.
    name: String,
    secure: bool,
    http_only: bool,
    /// Lowercased; `None` when absent.
    same_site: Option<String>,
    deleted: bool,
}

impl SetCookie {
    fn parse(header: &str) -> Self {
        let mut parts = header.split(';');
        let pair = parts.next().unwrap_or("");
        let name = pair
            .split_once('=')
            .map(|(name, _)| name.trim())
            .unwrap_or("");
        let mut cookie = SetCookie {
            name: capped(name),
            secure: false,
            http_only: false,
            same_site: None,
            deleted: false,
        };
        for attribute in parts {
            let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "secure" => cookie.secure = true,
                "httponly" => cookie.http_only = true,
                "samesite" => cookie.same_site = Some(value.to_ascii_lowercase()),
                "max-age" => cookie.deleted = value.parse::<i64>().is_ok_and(|age| age <= 0),
                _ => {}
            }
        }
        cookie
    }

    fn label(&self) -> &str {
        if self.name.is_empty() {
            "(unnamed)"
        } else {
            &self.name
        }
    }

    /// The rules this cookie breaks.
    fn problems(&self) -> Vec<Problem> {
        let same_site = self.same_site.as_deref();
        [
            (!self.secure).then_some(Problem::NoSecure),
            (!self.http_only).then_some(Problem::NoHttpOnly),
            (!matches!(same_site, Some("strict" | "lax" | "none"))).then_some(Problem::NoSameSite),
            (same_site == Some("none") && !self.secure).then_some(Problem::SameSiteNoneInsecure),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[derive(Clone, Copy)]
enum Problem {
    NoSecure,
    NoHttpOnly,
    NoSameSite,
    SameSiteNoneInsecure,
}

impl Problem {
    fn rule(self) -> &'static str {
        match self {
            Problem::NoSecure => "cookie-missing-secure",
            Problem::NoHttpOnly => "cookie-missing-httponly",
            Problem::NoSameSite => "cookie-missing-samesite",
            Problem::SameSiteNoneInsecure => "cookie-samesite-none-without-secure",
        }
    }

    fn finding(self, scan: &Scan, cookie: &str, url: &str) -> Finding {
        let (severity, title, consequence, remediation) = match self {
            Problem::NoSecure => (
                Severity::Medium,
                "Cookie missing Secure flag",
                "has no Secure flag, so the browser also sends it over unencrypted HTTP, where anyone on the network can read it",
                "Set the Secure flag on all cookies.",
            ),
            Problem::NoHttpOnly => (
                Severity::Medium,
                "Cookie missing HttpOnly flag",
                "has no HttpOnly flag, so any script in the page, an injected one included, can read it",
                "Set the HttpOnly flag on all session/auth cookies.",
            ),
            Problem::NoSameSite => (
                Severity::Low,
                "Cookie missing SameSite attribute",
                "has no valid SameSite attribute, so browsers that do not default to Lax send it with cross-site requests, which enables cross-site request forgery",
                "Set 'SameSite=Lax' (or 'Strict') on the cookie.",
            ),
            Problem::SameSiteNoneInsecure => (
                Severity::Low,
                "Cookie with SameSite=None but no Secure flag",
                "is SameSite=None without Secure: current browsers reject it, older ones send it with every cross-site request",
                "Add the Secure flag, or use 'SameSite=Lax' if the cookie need not be sent cross-site.",
            ),
        };
        let mut finding = scan
            .finding(
                severity,
                &format!("{title}: {cookie}"),
                &format!("The cookie '{cookie}' set by the response from {url} {consequence}."),
                url,
            )
            .rule(self.rule())
            .remediation(remediation)
            .meta("cookie", cookie);
        // The original rules stay CWE-less: the CWE is part of the fingerprint.
        if matches!(self, Problem::NoSameSite | Problem::SameSiteNoneInsecure) {
            finding = finding.cwe(normalize_cwe("1275"));
        }
        finding
    }
}

pub fn check(scan: &Scan) -> Vec<Finding> {
    let mut reported = BTreeSet::new();
    let mut findings = Vec::new();
    for hop in scan.hops {
        for header in values(hop, "Set-Cookie")
            .into_iter()
            .filter(|h| !h.is_empty())
        {
            let cookie = SetCookie::parse(header);
            if cookie.deleted {
                continue;
            }
            for problem in cookie.problems() {
                if reported.insert((problem.rule(), cookie.name.clone())) {
                    findings.push(problem.finding(scan, cookie.label(), &hop.url));
                }
            }
        }
    }
    findings
}
