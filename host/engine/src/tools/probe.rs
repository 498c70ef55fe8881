use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde::Serialize;

use super::{ChildEnv, Overflow, ProbeCache, find_tool, run_capped};
use securescan_registry::ToolSpec;

const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
const PROBE_OUTPUT_LIMIT: usize = 64 * 1024;

/// Whether a tool can be used, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ToolStatus {
    Available {
        path: PathBuf,
        version: String,
    },
    NotInstalled,
    /// Found, but its version probe failed or printed no version.
    VersionUnknown {
        path: PathBuf,
        detail: String,
    },
    /// Found, with a version outside the registry's range.
    Unsupported {
        path: PathBuf,
        version: String,
    },
}

impl ToolStatus {
    pub fn is_available(&self) -> bool {
        matches!(self, ToolStatus::Available { .. })
    }

    pub fn version(&self) -> Option<&str> {
        match self {
            ToolStatus::Available { version, .. } | ToolStatus::Unsupported { version, .. } => {
                Some(version)
            }
            _ => None,
        }
    }

    /// Why the tool cannot be used, for skip records; `None` when it can.
    pub fn reason(&self, spec: &ToolSpec) -> Option<String> {
        match self {
            ToolStatus::Available { .. } => None,
            ToolStatus::NotInstalled => Some(format!("{} is not installed", spec.name)),
            ToolStatus::VersionUnknown { detail, .. } => {
                Some(format!("{} version could not be read: {detail}", spec.name))
            }
            ToolStatus::Unsupported { version, .. } => Some(format!(
                "{} {version} is outside the supported range {}",
                spec.name, spec.versions
            )),
        }
    }
}

static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\.(\d+)(?:\.(\d+))?")
        .unwrap_or_else(|err| unreachable!("version regex: {err}"))
});

/// Find the tool and read its version: from `cache` when it knows this build of the tool, else
/// by running the version probe (and remembering what it printed).
pub async fn probe_tool(spec: &ToolSpec, cache: &ProbeCache) -> ToolStatus {
    match find_tool(&spec.name) {
        Some(path) => probe_found(spec, path, cache).await,
        None => ToolStatus::NotInstalled,
    }
}

/// [`probe_tool`] for the tool already found at `path`.
pub async fn probe_found(spec: &ToolSpec, path: PathBuf, cache: &ProbeCache) -> ToolStatus {
    if let Some(version) = cache.version(&path, &spec.version_probe) {
        return judged(spec, path, &version);
    }
    // A banner is at the start; a tool that prints far more for its version (a stand-in that
    // prints a report whatever it is asked) is read from its first 64 KiB.
    let run = match run_capped(
        &path,
        &spec.version_probe[1..],
        &ChildEnv::new(),
        PROBE_TIMEOUT,
        PROBE_OUTPUT_LIMIT,
        Overflow::KeepHead,
    )
    .await
    {
        Ok(run) => run,
        Err(err) => {
            return ToolStatus::VersionUnknown {
                path,
                detail: err.to_string(),
            };
        }
    };
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        run.stderr_tail
    );
    let Some(version) = parse_version(&text) else {
        return ToolStatus::VersionUnknown {
            path,
            detail: format!("no version in {:?}", text.trim()),
        };
    };
    cache.record(&path, &spec.version_probe, &version);
    judged(spec, path, &version)
}

/// A found tool of `version`, against the registry's range.
fn judged(spec: &ToolSpec, path: PathBuf, version: &semver::Version) -> ToolStatus {
    if spec.versions.matches(version) {
        ToolStatus::Available {
            path,
            version: version.to_string(),
        }
    } else {
        ToolStatus::Unsupported {
            path,
            version: version.to_string(),
        }
    }
}

/// The first `X.Y[.Z]` in a tool's version banner.
pub fn parse_version(text: &str) -> Option<semver::Version> {
    let caps = VERSION.captures(text)?;
    let part = |i: usize| caps.get(i).map_or(Some(0), |m| m.as_str().parse().ok());
    Some(semver::Version::new(part(1)?, part(2)?, part(3)?))
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn reads_real_banners() {
        assert_eq!(parse_version("1.182.0\n").unwrap().to_string(), "1.182.0");
        assert_eq!(
            parse_version("bandit 1.9.4\n  python version = 3.11.7")
                .unwrap()
                .to_string(),
            "1.9.4"
        );
        assert_eq!(
            parse_version("git version 2.47").unwrap().to_string(),
            "2.47.0"
        );
        assert!(parse_version("no digits").is_none());
    }
}
