//! The parts of nmap's XML output (`-oX`, DTD `nmap.dtd`, xmloutputversion 1.04/1.05) this adapter
//! reads. Children are read as `$value` lists of tagged enums because nmap interleaves elements:
//! `-v` runs put `<taskbegin>`, `<taskprogress>` and `<hosthint>` between `<host>`s, and a
//! `<ports>` mixes `<extraports>` with `<port>`s. Unknown elements fall into `Other`.

use securescan_adapter_sdk::{Input, ParseError};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct NmapRun {
    #[serde(rename = "@scanner")]
    pub scanner: Option<String>,
    #[serde(rename = "$value", default)]
    children: Vec<RunChild>,
}

#[derive(Debug, Deserialize)]
enum RunChild {
    #[serde(rename = "host")]
    Host(Host),
    #[serde(rename = "runstats")]
    RunStats(RunStats),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
pub struct Host {
    #[serde(rename = "$value", default)]
    children: Vec<HostChild>,
}

#[derive(Debug, Deserialize)]
enum HostChild {
    #[serde(rename = "address")]
    Address(Address),
    #[serde(rename = "hostnames")]
    Hostnames(Hostnames),
    #[serde(rename = "ports")]
    Ports(Ports),
    #[serde(rename = "hostscript")]
    HostScript(Scripts),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
pub struct Address {
    #[serde(rename = "@addr", default)]
    pub addr: String,
    #[serde(rename = "@addrtype", default)]
    pub addrtype: String,
}

#[derive(Debug, Deserialize)]
struct Hostnames {
    #[serde(rename = "hostname", default)]
    hostname: Vec<Hostname>,
}

#[derive(Debug, Deserialize)]
struct Hostname {
    #[serde(rename = "@name", default)]
    name: String,
}

#[derive(Debug, Deserialize)]
struct Ports {
    #[serde(rename = "$value", default)]
    children: Vec<PortsChild>,
}

#[derive(Debug, Deserialize)]
enum PortsChild {
    #[serde(rename = "port")]
    Port(Port),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
pub struct Port {
    #[serde(rename = "@protocol")]
    pub protocol: Option<String>,
    #[serde(rename = "@portid", default)]
    pub portid: String,
    #[serde(rename = "$value", default)]
    children: Vec<PortChild>,
}

#[derive(Debug, Deserialize)]
enum PortChild {
    #[serde(rename = "state")]
    State(State),
    #[serde(rename = "service")]
    Service(Service),
    #[serde(rename = "script")]
    Script(Script),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct State {
    #[serde(rename = "@state", default)]
    state: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Service {
    #[serde(rename = "@name", default)]
    pub name: String,
    #[serde(rename = "@product", default)]
    pub product: String,
    #[serde(rename = "@version", default)]
    pub version: String,
    #[serde(rename = "@extrainfo", default)]
    pub extrainfo: String,
    #[serde(rename = "cpe", default)]
    pub cpe: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Scripts {
    #[serde(rename = "$value", default)]
    children: Vec<ScriptsChild>,
}

#[derive(Debug, Deserialize)]
enum ScriptsChild {
    #[serde(rename = "script")]
    Script(Script),
    #[serde(other)]
    Other,
}

/// One NSE script result: `output` is the human-readable text nmap prints; the structured
/// `<elem>`/`<table>` children repeat it and are not read.
#[derive(Debug, Clone, Deserialize)]
pub struct Script {
    #[serde(rename = "@id", default)]
    pub id: String,
    #[serde(rename = "@output", default)]
    pub output: String,
}

#[derive(Debug, Deserialize)]
struct RunStats {
    finished: Option<Finished>,
    hosts: Option<HostCounts>,
}

#[derive(Debug, Deserialize)]
struct Finished {
    #[serde(rename = "@exit")]
    exit: Option<String>,
    #[serde(rename = "@errormsg")]
    errormsg: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct HostCounts {
    #[serde(rename = "@up", default)]
    pub up: u64,
    #[serde(rename = "@total", default)]
    pub total: u64,
}

/// How nmap says the run ended.
#[derive(Debug)]
pub enum RunOutcome {
    /// `<finished exit="error" errormsg="…">`: nmap gave up (bad option, no privileges, …).
    Failed(String),
    /// No `<runstats>`: nmap was cut off before it finished writing the report.
    Unfinished,
    Finished(Option<HostCounts>),
}

impl NmapRun {
    pub fn hosts(&self) -> impl Iterator<Item = &Host> {
        self.children.iter().filter_map(|child| match child {
            RunChild::Host(host) => Some(host),
            _ => None,
        })
    }

    fn run_stats(&self) -> Option<&RunStats> {
        self.children.iter().find_map(|child| match child {
            RunChild::RunStats(stats) => Some(stats),
            _ => None,
        })
    }

    /// nmap's own verdict on the run, from `<runstats>`.
    pub fn outcome(&self) -> RunOutcome {
        let Some(stats) = self.run_stats() else {
            return RunOutcome::Unfinished;
        };
        match &stats.finished {
            Some(Finished {
                exit: Some(exit),
                errormsg,
            }) if exit == "error" => RunOutcome::Failed(
                errormsg
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .unwrap_or("nmap reported exit=\"error\" without a message")
                    .to_string(),
            ),
            _ => RunOutcome::Finished(stats.hosts),
        }
    }
}

impl Host {
    pub fn addresses(&self) -> impl Iterator<Item = &Address> {
        self.children.iter().filter_map(|child| match child {
            HostChild::Address(address) => Some(address),
            _ => None,
        })
    }

    pub fn hostnames(&self) -> Vec<&str> {
        self.children
            .iter()
            .filter_map(|child| match child {
                HostChild::Hostnames(names) => Some(names.hostname.iter()),
                _ => None,
            })
            .flatten()
            .map(|h| h.name.as_str())
            .collect()
    }

    pub fn ports(&self) -> impl Iterator<Item = &Port> {
        self.children
            .iter()
            .filter_map(|child| match child {
                HostChild::Ports(ports) => Some(ports.children.iter()),
                _ => None,
            })
            .flatten()
            .filter_map(|child| match child {
                PortsChild::Port(port) => Some(port),
                PortsChild::Other => None,
            })
    }

    /// Host-level NSE results (`<hostscript>`, e.g. `smb-os-discovery`).
    pub fn scripts(&self) -> Vec<&Script> {
        self.children
            .iter()
            .filter_map(|child| match child {
                HostChild::HostScript(scripts) => Some(scripts.children.iter()),
                _ => None,
            })
            .flatten()
            .filter_map(|child| match child {
                ScriptsChild::Script(script) => Some(script),
                ScriptsChild::Other => None,
            })
            .collect()
    }
}

impl Port {
    /// `open` exactly: `open|filtered` (UDP, idle scans) means nmap could not tell.
    pub fn is_open(&self) -> bool {
        self.children
            .iter()
            .any(|child| matches!(child, PortChild::State(state) if state.state == "open"))
    }

    pub fn service(&self) -> Option<&Service> {
        self.children.iter().find_map(|child| match child {
            PortChild::Service(service) => Some(service),
            _ => None,
        })
    }

    pub fn scripts(&self) -> Vec<&Script> {
        self.children
            .iter()
            .filter_map(|child| match child {
                PortChild::Script(script) => Some(script),
                _ => None,
            })
            .collect()
    }
}

/// The report as an nmap run, or a typed error saying what it is instead.
pub fn load(input: &Input) -> Result<NmapRun, ParseError> {
    let text = input.report_text()?;
    match root_element(text.strip_prefix('\u{feff}').unwrap_or(&text)) {
        Some("nmaprun") => {}
        Some(other) => {
            return Err(ParseError::WrongTool(format!(
                "XML root element is <{other}>, expected nmap's <nmaprun> (nmap -oX)"
            )));
        }
        None => return Err(not_xml(&text)),
    }
    let run: NmapRun = input.report_xml()?;
    match run.scanner.as_deref() {
        None | Some("nmap") => Ok(run),
        Some(other) => Err(ParseError::WrongTool(format!(
            "<nmaprun scanner=\"{other}\">: written by {other}, not nmap"
        ))),
    }
}

fn not_xml(text: &str) -> ParseError {
    let start = text.trim_start();
    if start.starts_with('{') || start.starts_with('[') {
        ParseError::WrongTool("JSON, not nmap's XML output (nmap -oX)".into())
    } else if start.starts_with("Starting Nmap") || start.starts_with("# Nmap") {
        ParseError::Malformed(
            "nmap's normal or grepable output, not its XML output (run nmap with -oX -)".into(),
        )
    } else {
        ParseError::Malformed("not XML: nmap -oX output starts with <?xml or <nmaprun>".into())
    }
}

/// The name of the first element, after the XML declaration, processing instructions, comments
/// and the `<!DOCTYPE>` nmap writes; `None` when the text does not look like XML at all.
fn root_element(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        rest = if let Some(after) = rest.strip_prefix("<?") {
            after.split_once("?>")?.1
        } else if let Some(after) = rest.strip_prefix("<!--") {
            after.split_once("-->")?.1
        } else if let Some(after) = rest.strip_prefix("<!") {
            after.split_once('>')?.1
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after
                .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .unwrap_or(after.len());
            return after.get(..end).filter(|name| !name.is_empty());
        } else {
            return None;
        }
        .trim_start();
    }
}
