//! The inputs an adapter can ask the host for, beyond a tool's report and gathered files: what
//! the scan target is, commands, host probes, HTTP exchanges and a driven ZAP daemon.

use std::time::Duration;

use serde::Deserialize;

/// What kind of thing the scan target must be for an adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetKind {
    /// A directory or file.
    #[default]
    Path,
    /// An `http://` or `https://` URL.
    Url,
    /// A host name, IP address or CIDR range.
    Host,
}

impl TargetKind {
    pub(super) fn parse(text: &str) -> Result<TargetKind, String> {
        match text {
            "path" => Ok(TargetKind::Path),
            "url" => Ok(TargetKind::Url),
            "host" => Ok(TargetKind::Host),
            other => Err(format!(
                "target {other:?} is not \"path\", \"url\" or \"host\""
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Path => "path",
            TargetKind::Url => "url",
            TargetKind::Host => "host",
        }
    }
}

/// A command the host runs for an adapter; its stdout arrives in `input.commands` under `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: String,
    pub argv: Vec<String>,
    pub timeout: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawCommand {
    name: String,
    argv: Vec<String>,
    #[serde(default = "default_command_timeout")]
    timeout_s: u64,
}

fn default_command_timeout() -> u64 {
    30
}

impl RawCommand {
    /// `allowed` lists the placeholders the command's argv may use.
    pub(super) fn resolve(self, allowed: &[&str]) -> Result<CommandSpec, String> {
        if self.name.is_empty() || self.argv.is_empty() {
            return Err("a command needs a name and an argv".into());
        }
        if self.timeout_s == 0 {
            return Err(format!(
                "command {:?}: timeout-s must be positive",
                self.name
            ));
        }
        for arg in &self.argv {
            for name in crate::argv::placeholders(arg).map_err(|e| e.to_string())? {
                if !allowed.contains(&name) {
                    return Err(format!(
                        "command {:?}: {{{name}}} is not available here",
                        self.name
                    ));
                }
            }
        }
        Ok(CommandSpec {
            name: self.name,
            argv: self.argv,
            timeout: Duration::from_secs(self.timeout_s),
        })
    }
}

/// What the baseline-style analyzer asks the host to look at, relative to the probe root (the
/// target, or `/` for host-wide probes). `~/` paths are the user's home, host-wide only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Probes {
    /// Contents and metadata.
    pub files: Vec<String>,
    /// Contents and metadata of the regular files directly inside.
    pub dirs: Vec<String>,
    /// Metadata only.
    pub metadata: Vec<String>,
    /// Host-wide only: environment variables whose upper-cased name contains one of these.
    pub env_name_contains: Vec<String>,
    /// Host-wide only.
    pub commands: Vec<CommandSpec>,
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawProbes {
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    dirs: Vec<String>,
    #[serde(default)]
    metadata: Vec<String>,
    #[serde(default)]
    env_name_contains: Vec<String>,
    #[serde(default)]
    command: Vec<RawCommand>,
    #[serde(default = "default_probe_file_bytes")]
    max_file_bytes: u64,
}

fn default_probe_file_bytes() -> u64 {
    4 * 1024 * 1024
}

impl RawProbes {
    pub(super) fn resolve(self) -> Result<Probes, String> {
        for path in self.files.iter().chain(&self.dirs).chain(&self.metadata) {
            let relative = path.strip_prefix("~/").unwrap_or(path);
            if relative.is_empty()
                || relative.starts_with('/')
                || relative
                    .split('/')
                    .any(|part| part == ".." || part.is_empty())
            {
                return Err(format!(
                    "probe path {path:?} must be relative, without '..' or empty parts"
                ));
            }
        }
        Ok(Probes {
            files: self.files,
            dirs: self.dirs,
            metadata: self.metadata,
            env_name_contains: self
                .env_name_contains
                .into_iter()
                .map(|n| n.to_uppercase())
                .collect(),
            commands: self
                .command
                .into_iter()
                .map(|c| c.resolve(&[]))
                .collect::<Result<_, _>>()?,
            max_file_bytes: self.max_file_bytes,
        })
    }
}

/// How the host fetches a URL for an HTTP-checking analyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpProbe {
    pub timeout: Duration,
    /// Redirects followed within the target's own host; the chain stops at a redirect elsewhere.
    pub max_redirects: u32,
    pub max_body_bytes: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawHttpProbe {
    timeout_s: Option<u64>,
    max_redirects: Option<u32>,
    max_body_kib: Option<usize>,
}

impl RawHttpProbe {
    pub(super) fn resolve(self) -> Result<HttpProbe, String> {
        let timeout_s = self.timeout_s.unwrap_or(30);
        if timeout_s == 0 {
            return Err("http timeout-s must be positive".into());
        }
        Ok(HttpProbe {
            timeout: Duration::from_secs(timeout_s),
            max_redirects: self.max_redirects.unwrap_or(5).min(20),
            max_body_bytes: self.max_body_kib.unwrap_or(64).min(16 * 1024) * 1024,
        })
    }
}

/// How the host drives a running ZAP daemon (spider, then active scan, then alerts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapDriver {
    pub install_hint: String,
    /// Pause between status polls.
    pub poll: Duration,
    /// The whole spider + active scan + alert fetch must finish within this.
    pub timeout: Duration,
    /// Alerts fetched per page of `core/view/alerts`.
    pub page_size: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawZapDriver {
    install_hint: String,
    #[serde(default = "default_zap_poll")]
    poll_ms: u64,
    #[serde(default = "default_zap_timeout")]
    timeout_s: u64,
    #[serde(default = "default_zap_page")]
    page_size: usize,
}

fn default_zap_poll() -> u64 {
    2000
}

fn default_zap_timeout() -> u64 {
    3600
}

fn default_zap_page() -> usize {
    500
}

impl RawZapDriver {
    pub(super) fn resolve(self) -> Result<ZapDriver, String> {
        if self.poll_ms == 0 || self.timeout_s == 0 || self.page_size == 0 {
            return Err("zap poll-ms, timeout-s and page-size must be positive".into());
        }
        Ok(ZapDriver {
            install_hint: self.install_hint,
            poll: Duration::from_millis(self.poll_ms),
            timeout: Duration::from_secs(self.timeout_s),
            page_size: self.page_size,
        })
    }
}
