//! Package URLs (<https://github.com/package-url/purl-spec>) for the ecosystems SecureScan reads.

use securescan_adapter_sdk::percent;

use super::{Ecosystem, Package};

/// `pkg:<type>/<namespace>/<name>@<version>?<qualifiers>`, each part percent-encoded.
pub fn purl(package: &Package) -> String {
    let mut out = format!("pkg:{}/", package.ecosystem.purl_type());
    let segments: Vec<String> = match package.ecosystem {
        // A Go module path is a namespace of `/` segments and a last-segment name.
        Ecosystem::Golang | Ecosystem::Composer | Ecosystem::Npm => {
            package.name.split('/').map(encode).collect()
        }
        Ecosystem::Cargo | Ecosystem::Gem | Ecosystem::Pypi => vec![encode(&package.name)],
    };
    out.push_str(&segments.join("/"));
    if let Some(version) = &package.version {
        out.push('@');
        out.push_str(&encode(version));
    }
    let qualifiers: Vec<String> = package
        .qualifiers
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", percent::encode(value, percent::PURL_QUALIFIER)))
        .collect();
    if !qualifiers.is_empty() {
        out.push('?');
        out.push_str(&qualifiers.join("&"));
    }
    out
}

/// Everything but RFC 3986 unreserved characters is encoded; so an npm scope's `@` becomes `%40`.
fn encode(text: &str) -> String {
    percent::encode(text, percent::QUERY_VALUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_npm_names_encode_the_at_sign_but_not_the_slash() {
        let scoped = Package::new(Ecosystem::Npm, "@babel/core", Some("7.24.0"));
        assert_eq!(purl(&scoped), "pkg:npm/%40babel/core@7.24.0");
    }

    #[test]
    fn go_modules_keep_their_path_and_encode_plus_in_versions() {
        let module = Package::new(
            Ecosystem::Golang,
            "github.com/docker/docker",
            Some("v24.0.7+incompatible"),
        );
        assert_eq!(
            purl(&module),
            "pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible"
        );
    }

    #[test]
    fn qualifiers_are_sorted_and_versionless_packages_have_no_at() {
        let package = Package::new(Ecosystem::Cargo, "serde", None)
            .qualifier("vcs_url", "git+https://github.com/serde-rs/serde@abc")
            .qualifier("download_url", "https://x/y z");
        assert_eq!(
            purl(&package),
            "pkg:cargo/serde?download_url=https://x/y%20z&vcs_url=git%2Bhttps://github.com/serde-rs/serde%40abc"
        );
    }
}
