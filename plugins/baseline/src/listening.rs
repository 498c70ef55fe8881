//! BASELINE-PORT-001: TCP services listening on every interface, from `ss -tlnp` (or
//! `netstat -tlnp` where ss is missing). One finding per port, naming each wildcard address it
//! is bound to, so the IPv4 and IPv6 sockets of one service are one finding.

use std::collections::{BTreeMap, BTreeSet};

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

pub const SS: &str = "ss-listening";
pub const NETSTAT: &str = "netstat-listening";

/// Ports that are expected to be public on a server (SSH, DNS, HTTP, HTTPS).
const EXPECTED_PORTS: [u16; 6] = [22, 53, 80, 443, 8080, 8443];
/// `[::]` is how current ss prints the IPv6 wildcard; the original missed it.
const WILDCARDS: [&str; 4] = ["0.0.0.0", "*", "::", "[::]"];

#[derive(Default)]
struct Port {
    addresses: BTreeSet<String>,
    processes: BTreeSet<String>,
}

pub fn check(probes: &Probes, out: &mut Output) {
    let Some(stdout) = probes
        .command_output(SS)
        .or_else(|| probes.command_output(NETSTAT))
    else {
        return;
    };
    for (port, found) in exposed_ports(&stdout) {
        let process = match found
            .processes
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
        {
            names if names.is_empty() => String::new(),
            names => format!(" ({})", names.join(", ")),
        };
        let addresses: Vec<&str> = found.addresses.iter().map(String::as_str).collect();
        let mut finding = Finding::new(
            &format!("Service listening on all interfaces port {port}"),
            &format!(
                "A service{process} is listening on {} (all interfaces), so it is reachable from every network the host is attached to unless a firewall blocks it. Review whether it should be exposed.",
                addresses.join(" and ")
            ),
            Severity::Low,
        )
        .rule("BASELINE-PORT-001")
        .remediation("If the service should not be reachable from other machines, bind it to 127.0.0.1 (or a private interface) in its configuration, or block the port in the firewall.")
        .meta("port", port)
        .meta("addresses", addresses);
        if !found.processes.is_empty() {
            finding = finding.meta(
                "processes",
                found.processes.iter().cloned().collect::<Vec<_>>(),
            );
        }
        out.findings.push(finding);
    }
}

/// Unexpected ports bound to a wildcard address, by port. The local address is the fourth
/// column in both tools' output; header lines have no `host:port` there and drop out.
fn exposed_ports(stdout: &str) -> BTreeMap<u16, Port> {
    let mut ports: BTreeMap<u16, Port> = BTreeMap::new();
    for line in stdout.lines() {
        let columns: Vec<&str> = line.split_whitespace().collect();
        let Some((host, port)) = columns.get(3).and_then(|local| local.rsplit_once(':')) else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if EXPECTED_PORTS.contains(&port) || !WILDCARDS.contains(&host) {
            continue;
        }
        let entry = ports.entry(port).or_default();
        entry.addresses.insert(format!("{host}:{port}"));
        entry.processes.extend(process_names(&columns));
    }
    ports
}

/// Process names: ss prints `users:(("sshd",pid=900,fd=3),...)`, netstat `900/sshd`; both only
/// when run as root.
fn process_names(columns: &[&str]) -> Vec<String> {
    let rest = columns.get(4..).unwrap_or_default();
    if let Some(users) = rest.iter().find(|c| c.starts_with("users:(")) {
        return users
            .split("(\"")
            .skip(1)
            .filter_map(|part| part.split('"').next())
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
    }
    match rest.last().and_then(|last| last.split_once('/')) {
        Some((pid, name)) if pid.chars().all(|c| c.is_ascii_digit()) && !name.is_empty() => {
            vec![name.to_string()]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ss_process_lists_give_every_name() {
        let columns = [
            "LISTEN",
            "0",
            "511",
            "0.0.0.0:3000",
            "0.0.0.0:*",
            r#"users:(("node",pid=1201,fd=19),("node",pid=1200,fd=19))"#,
        ];
        assert_eq!(process_names(&columns), vec!["node", "node"]);
        let netstat = [
            "tcp",
            "0",
            "0",
            "0.0.0.0:5432",
            "0.0.0.0:*",
            "LISTEN",
            "812/postgres",
        ];
        assert_eq!(process_names(&netstat), vec!["postgres"]);
        let unprivileged = ["tcp", "0", "0", "0.0.0.0:5432", "0.0.0.0:*", "LISTEN", "-"];
        assert!(process_names(&unprivileged).is_empty());
    }
}
