//! Go: `go.sum`.
//!
//! Each module version has up to two lines: `mod v h1:…` (the hash of its source, present when
//! the build downloaded it) and `mod v/go.mod h1:…` (only its go.mod, read during version
//! selection). A module with nothing but a `/go.mod` line is not part of the build, so it is
//! not listed; one with both lines is listed once.

use super::{Ecosystem, Package, ParseError};

pub fn go_sum(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut packages = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = fields[..] else {
            return Err(ParseError::at(
                index + 1,
                format!("expected `module version hash`, found {line:?}"),
            ));
        };
        if !hash.contains(':') || !version.starts_with('v') {
            return Err(ParseError::at(
                index + 1,
                format!("not a go.sum line: {line:?}"),
            ));
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        let package = Package::new(Ecosystem::Golang, module, Some(version));
        if !packages.contains(&package) {
            packages.push(package);
        }
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_lines_neither_duplicate_nor_add_modules() {
        let text = "\
github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=
github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=
golang.org/x/sys v0.15.0/go.mod h1:/VUhepiaJMQUp4+oa/7Zr1D23ma6VTLIYjOOTFZPUcA=
github.com/docker/docker v24.0.7+incompatible h1:Wo6l37AuwP3JaMnZa226lzVXGA3F9Ig1seQen0cKYlM=
";
        let listed: Vec<String> = go_sum(text)
            .unwrap()
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version.as_deref().unwrap_or("-")))
            .collect();
        assert_eq!(
            listed,
            vec![
                "github.com/google/uuid@v1.6.0",
                "github.com/docker/docker@v24.0.7+incompatible"
            ]
        );
    }

    #[test]
    fn a_truncated_line_is_an_error_at_that_line() {
        let text = "github.com/a/b v1.0.0 h1:x=\ngithub.com/c/d v1.0.0\n";
        assert_eq!(go_sum(text).unwrap_err().line, Some(2));
    }
}
