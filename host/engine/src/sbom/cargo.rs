//! Rust: `Cargo.lock`.

use super::{Ecosystem, Package, ParseError};

#[derive(serde::Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<CargoPackage>,
}

#[derive(serde::Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
    source: Option<String>,
}

const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// `[[package]]` tables. One without a `source` is a workspace member or path dependency (the
/// project's own code) and is left out. Crates from git get a `vcs_url` qualifier
/// (`git+URL@commit`), crates from another registry a `repository_url`, so neither passes for
/// the crates.io release of the same name.
pub fn cargo_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let lock: CargoLock = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let mut packages = Vec::new();
    for entry in lock.package {
        let Some(source) = entry.source else { continue };
        let package = Package::new(Ecosystem::Cargo, &entry.name, Some(&entry.version));
        let package = if CRATES_IO.contains(&source.as_str()) {
            package
        } else if let Some(git) = source.strip_prefix("git+") {
            // `git+https://host/repo?branch=main#<commit>`: the commit pins it.
            let (url, commit) = git.split_once('#').unwrap_or((git, ""));
            let url = url.split('?').next().unwrap_or(url);
            let vcs = if commit.is_empty() {
                format!("git+{url}")
            } else {
                format!("git+{url}@{commit}")
            };
            package.qualifier("vcs_url", &vcs)
        } else {
            let index = source
                .split_once('+')
                .map_or(source.as_str(), |(_, url)| url);
            package.qualifier("repository_url", index)
        };
        packages.push(package);
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_git_and_path_sources() {
        let text = r#"
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde", "mylib"]

[[package]]
name = "mylib"
version = "0.2.0"
source = "git+https://github.com/org/mylib?branch=main#0123456789abcdef"

[[package]]
name = "serde"
version = "1.0.197"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "3fb1c873e1b9b056a4dc4c0c198b24c3ffa059243875552b2bd0933b1aee4ce2"

[[package]]
name = "internal"
version = "1.0.0"
source = "sparse+https://crates.example.com/index/"
"#;
        let packages = cargo_lock(text).unwrap();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["mylib", "serde", "internal"]);
        assert_eq!(
            packages[0].qualifiers.get("vcs_url").map(String::as_str),
            Some("git+https://github.com/org/mylib@0123456789abcdef")
        );
        assert!(packages[1].qualifiers.is_empty());
        assert_eq!(
            packages[2]
                .qualifiers
                .get("repository_url")
                .map(String::as_str),
            Some("https://crates.example.com/index/")
        );
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let err =
            cargo_lock("version = 3\n\n[[package]]\nname = \"x\nversion = \"1\"\n").unwrap_err();
        assert_eq!(err.line, Some(4));
    }
}
