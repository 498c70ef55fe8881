//! Normalizes nmap's XML output (`nmap -sV -oX - <target>`): one finding per open port of every
//! host, with a coarse risk class (see [`risk`]). Closed, filtered and `open|filtered` ports are
//! not findings. A run nmap itself reports as failed is a [`ParseError::ToolFailed`].

mod report;
mod risk;
mod scripts;

use securescan_adapter_sdk::prelude::*;
use serde_json::Value;

use report::{Host, Port, RunOutcome, Script, Service};
use risk::Risk;

const REMEDIATION: &str = "Close or firewall the port if it is not required. Replace insecure services with encrypted equivalents.";

pub struct Nmap;

impl Adapter for Nmap {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let run = report::load(input)?;
        let mut output = Output::default();
        match run.outcome() {
            RunOutcome::Failed(message) => {
                return Err(ParseError::ToolFailed(format!("nmap failed: {message}")));
            }
            RunOutcome::Unfinished => output.warnings.push(
                "nmap's report has no <runstats>: the scan did not finish, so open ports may be missing"
                    .into(),
            ),
            RunOutcome::Finished(Some(counts)) if counts.total == 0 => output.warnings.push(
                "nmap scanned no hosts: the target did not resolve or matched no address".into(),
            ),
            RunOutcome::Finished(Some(counts)) if counts.up == 0 => output.warnings.push(format!(
                "nmap found none of the {} scanned hosts up (if they drop ping probes, scan with -Pn)",
                counts.total
            )),
            RunOutcome::Finished(_) => {}
        }
        for host in run.hosts() {
            host_findings(input, host, &mut output);
        }
        Ok(output)
    }
}

/// What every finding of one host shares.
struct HostContext<'a> {
    target_host: &'a str,
    addr: &'a str,
    hostnames: Vec<&'a str>,
    mac: Option<&'a str>,
    scripts: Vec<&'a Script>,
}

fn host_findings(input: &Input, host: &Host, output: &mut Output) {
    let addr = host_address(host).unwrap_or(input.target.trim());
    let context = HostContext {
        // `ingest` and `adapter run` pass `.` as the target; the address names the host better.
        target_host: match input.target.trim() {
            "" | "." => addr,
            target => target,
        },
        addr,
        hostnames: host.hostnames(),
        mac: host
            .addresses()
            .find(|a| a.addrtype == "mac")
            .map(|a| a.addr.as_str()),
        scripts: host.scripts(),
    };
    for port in host.ports().filter(|p| p.is_open()) {
        match port.portid.trim().parse::<u16>() {
            Ok(number) => output.findings.push(port_finding(&context, number, port)),
            Err(_) => output.warnings.push(format!(
                "host {addr}: skipped an open port with an invalid portid {:?}",
                port.portid
            )),
        }
    }
}

/// An IP address if the host has one: a MAC address only names the host on the local link.
fn host_address(host: &Host) -> Option<&str> {
    let of_type = |kind: &str| {
        host.addresses()
            .find(|a| a.addrtype == kind)
            .map(|a| a.addr.as_str())
    };
    of_type("ipv4")
        .or_else(|| of_type("ipv6"))
        .or_else(|| host.addresses().next().map(|a| a.addr.as_str()))
        .filter(|a| !a.trim().is_empty())
}

fn port_finding(host: &HostContext, number: u16, port: &Port) -> Finding {
    let protocol = port
        .protocol
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("tcp");
    let service = port.service().cloned().unwrap_or_default();
    let display = [&service.name, &service.product, &service.version]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let display = if display.is_empty() {
        "unknown".to_string()
    } else {
        display
    };
    let risk = Risk::of(number, protocol, &service.name);
    let port_scripts = port.scripts();

    let finding = Finding::new(
        &format!("Open port {number}/{protocol}: {display}"),
        &description(
            host,
            number,
            protocol,
            &display,
            &service,
            risk,
            &port_scripts,
        ),
        risk.severity(),
    )
    .rule(&format!("open-port-{number}"))
    .remediation(REMEDIATION)
    .meta("target_host", host.target_host)
    .meta("host_addr", host.addr)
    .meta("port", number)
    .meta("protocol", protocol)
    .meta("service", service.name.as_str())
    .meta("product", service.product.as_str())
    .meta("version", service.version.as_str())
    .meta("extrainfo", service.extrainfo.as_str());
    let optional: [(&str, Option<Value>); 5] = [
        (
            "cpe",
            (!service.cpe.is_empty()).then(|| service.cpe.clone().into()),
        ),
        (
            "hostnames",
            (!host.hostnames.is_empty()).then(|| host.hostnames.clone().into()),
        ),
        ("mac", host.mac.map(Value::from)),
        (
            "scripts",
            (!port_scripts.is_empty()).then(|| scripts::metadata(&port_scripts)),
        ),
        (
            "host_scripts",
            (!host.scripts.is_empty()).then(|| scripts::metadata(&host.scripts)),
        ),
    ];
    optional
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .fold(finding, |finding, (key, value)| finding.meta(key, value))
        // Identity: without a file, the fingerprint would be `nmap|open-port-80|||` on every host
        // and protocol; this line context tells 10.0.0.1 80/tcp from 10.0.0.2 80/tcp.
        .meta("line_snippet", format!("{} {number}/{protocol}", host.addr))
}

/// The original's sentence, naming the host by its first hostname too, with the service's extra
/// info and one line per NSE result.
fn description(
    host: &HostContext,
    number: u16,
    protocol: &str,
    display: &str,
    service: &Service,
    risk: Risk,
    port_scripts: &[&Script],
) -> String {
    let named_host = match host.hostnames.first() {
        Some(name) => format!("{} ({name})", host.addr),
        None => host.addr.to_string(),
    };
    let extrainfo = match service.extrainfo.trim() {
        "" => String::new(),
        info => format!(" ({info})"),
    };
    let mut text = format!(
        "Host {named_host} has port {number}/{protocol} open running {display}{extrainfo}."
    );
    if let Some(explanation) = risk.explanation() {
        text.push(' ');
        text.push_str(explanation);
    }
    let all_scripts: Vec<&Script> = port_scripts.iter().chain(&host.scripts).copied().collect();
    for line in scripts::summary(&all_scripts) {
        text.push('\n');
        text.push_str(&line);
    }
    text
}

securescan_adapter_sdk::export_adapter!(Nmap);

#[cfg(test)]
mod tests;
