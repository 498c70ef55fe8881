//! The HTTP exchanges a DAST analyzer reads: one GET of the target URL, redirects followed one
//! hop at a time so every hop's headers (and cookies) are kept.

use std::io::Read;

use securescan_registry::HttpProbe;
use securescan_sandbox::{WitHeader, WitHttpExchange};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("{0} is not an http:// or https:// URL")]
    NotHttp(String),
    #[error("request to {url} failed: {reason}")]
    Request { url: String, reason: String },
}

/// GET `url`, following at most `probe.max_redirects` redirects that stay on the same host (a
/// redirect elsewhere ends the chain: that host was not named as a target). Every status is a
/// response, not an error. TLS certificates are not verified: staging systems with self-signed
/// certificates are what DAST is pointed at, and the checks read headers, not trust.
pub fn fetch_chain(url: &str, probe: &HttpProbe) -> Result<Vec<WitHttpExchange>, HttpError> {
    let origin = Origin::of(url).ok_or_else(|| HttpError::NotHttp(url.to_string()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(probe.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("securescan/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .disable_verification(true)
                .build(),
        )
        .build()
        .into();
    let mut exchanges = Vec::new();
    let mut current = url.to_string();
    loop {
        let mut response = agent
            .get(&current)
            .call()
            .map_err(|err| HttpError::Request {
                url: current.clone(),
                reason: err.to_string(),
            })?;
        let status = response.status().as_u16();
        let headers: Vec<WitHeader> = response
            .headers()
            .iter()
            .map(|(name, value)| WitHeader {
                name: name.as_str().to_string(),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            })
            .collect();
        let mut body_prefix = Vec::new();
        // A body cut short by the cap or a dropped connection still leaves its headers to check.
        let _ = response
            .body_mut()
            .as_reader()
            .take(probe.max_body_bytes as u64)
            .read_to_end(&mut body_prefix);
        let location = headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"))
            .map(|h| h.value.clone());
        exchanges.push(WitHttpExchange {
            method: "GET".into(),
            url: current.clone(),
            status,
            headers,
            body_prefix,
        });
        let next = match location {
            Some(location) if (300..400).contains(&status) => resolve(&current, &location),
            _ => None,
        };
        match next {
            Some(next)
                if exchanges.len() <= probe.max_redirects as usize
                    && Origin::of(&next).is_some_and(|o| o.host == origin.host) =>
            {
                current = next;
            }
            _ => return Ok(exchanges),
        }
    }
}

/// Scheme and host (with port) of an absolute http(s) URL.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
}

impl Origin {
    fn of(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let authority = rest.split(['/', '?', '#']).next()?;
        let host = authority.rsplit('@').next()?.to_ascii_lowercase();
        let host = host
            .strip_suffix(if scheme == "https" { ":443" } else { ":80" })
            .map(str::to_string)
            .unwrap_or(host);
        (!host.is_empty()).then_some(Origin { scheme, host })
    }
}

/// A `Location` value made absolute against the URL it came from.
fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if Origin::of(location).is_some() {
        return Some(location.to_string());
    }
    let origin = Origin::of(base)?;
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{}://{rest}", origin.scheme));
    }
    let root = format!("{}://{}", origin.scheme, origin.host);
    if location.starts_with('/') {
        return Some(format!("{root}{location}"));
    }
    let path = base
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    Some(format!("{root}{dir}{location}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_url_they_came_from() {
        let base = "http://app.test:8080/a/b?x=1";
        assert_eq!(
            resolve(base, "/login").as_deref(),
            Some("http://app.test:8080/login")
        );
        assert_eq!(
            resolve(base, "c").as_deref(),
            Some("http://app.test:8080/a/c")
        );
        assert_eq!(
            resolve(base, "//other.test/x").as_deref(),
            Some("http://other.test/x")
        );
        assert_eq!(
            resolve(base, "https://app.test/").as_deref(),
            Some("https://app.test/")
        );
    }

    #[test]
    fn origins_ignore_default_ports_and_credentials() {
        assert_eq!(
            Origin::of("https://u:p@Example.test:443/x").map(|o| o.host),
            Some("example.test".to_string())
        );
        assert_eq!(Origin::of("ftp://example.test"), None);
        assert_eq!(Origin::of("http:///nohost"), None);
    }
}
