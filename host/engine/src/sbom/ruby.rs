//! Ruby: `Gemfile.lock`.

use super::{Ecosystem, Package, ParseError};

/// Sections (`GEM`, `GIT`, `PATH`, …) start unindented; under `  specs:` each gem is a line
/// indented four spaces, `name (version[-platform])`, its own dependencies indented six. `PATH`
/// gems are local code and left out; `GIT` gems carry `vcs_url` (`git+remote@revision`).
pub fn gemfile_lock(text: &str) -> Result<Vec<Package>, ParseError> {
    let mut packages = Vec::new();
    let mut section = String::new();
    let mut remote = String::new();
    let mut revision = String::new();
    let mut in_specs = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim().to_string();
            (remote, revision, in_specs) = (String::new(), String::new(), false);
            continue;
        }
        if let Some(value) = line.strip_prefix("  remote: ") {
            remote = value.trim().to_string();
        } else if let Some(value) = line.strip_prefix("  revision: ") {
            revision = value.trim().to_string();
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            in_specs = line.trim() == "specs:";
        } else if let Some(spec) = line.strip_prefix("    ").filter(|s| !s.starts_with(' ')) {
            if !in_specs || !matches!(section.as_str(), "GEM" | "GIT") {
                continue;
            }
            let (name, version) = spec
                .strip_suffix(')')
                .and_then(|s| s.split_once(" ("))
                .ok_or_else(|| {
                    ParseError::at(
                        index + 1,
                        format!("expected `name (version)`, found {spec:?}"),
                    )
                })?;
            // Gem versions have no `-`; what follows one is the platform.
            let (version, platform) = version.split_once('-').unwrap_or((version, ""));
            let mut package = Package::new(Ecosystem::Gem, name, Some(version));
            if !platform.is_empty() {
                package = package.qualifier("platform", platform);
            }
            if section == "GIT" {
                let vcs = format!("git+{remote}@{revision}");
                package = package.qualifier("vcs_url", vcs.trim_end_matches('@'));
            }
            packages.push(package);
        }
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_and_git_specs_with_platforms_and_no_path_gems() {
        let text = "\
GIT
  remote: https://github.com/org/tool.git
  revision: 0123abcd
  specs:
    tool (0.3.0)

PATH
  remote: .
  specs:
    myapp (1.0.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.1.3)
      rack (>= 2.2.4)
    nokogiri (1.16.2-x86_64-linux)
      racc (~> 1.4)
    rack (3.0.9)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  actionpack (~> 7.1)

BUNDLED WITH
   2.5.6
";
        let packages = gemfile_lock(text).unwrap();
        let listed: Vec<String> = packages
            .iter()
            .map(|p| {
                format!(
                    "{}@{} {:?}",
                    p.name,
                    p.version.as_deref().unwrap_or("-"),
                    p.qualifiers
                )
            })
            .collect();
        assert_eq!(
            listed,
            vec![
                "tool@0.3.0 {\"vcs_url\": \"git+https://github.com/org/tool.git@0123abcd\"}",
                "actionpack@7.1.3 {}",
                "nokogiri@1.16.2 {\"platform\": \"x86_64-linux\"}",
                "rack@3.0.9 {}",
            ]
        );
    }

    #[test]
    fn a_spec_without_a_version_names_its_line() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack\n";
        assert_eq!(gemfile_lock(text).unwrap_err().line, Some(4));
    }
}
