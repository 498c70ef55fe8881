//! BASELINE-KERN-001..003: network and memory hardening sysctls, read from `/proc/sys`.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

struct Sysctl {
    rule: &'static str,
    path: &'static str,
    name: &'static str,
    expected: &'static str,
    title: &'static str,
    why: &'static str,
}

const SYSCTLS: [Sysctl; 3] = [
    Sysctl {
        rule: "BASELINE-KERN-001",
        path: "proc/sys/net/ipv4/ip_forward",
        name: "net.ipv4.ip_forward",
        expected: "0",
        title: "IP forwarding enabled",
        why: "The kernel routes packets between interfaces, so this host can be used to reach networks it is attached to. Only routers, VPN gateways and container hosts need it.",
    },
    Sysctl {
        rule: "BASELINE-KERN-002",
        path: "proc/sys/net/ipv4/conf/all/accept_redirects",
        name: "net.ipv4.conf.all.accept_redirects",
        expected: "0",
        title: "ICMP redirects accepted",
        why: "The kernel lets ICMP redirect messages rewrite its routing table, which an attacker on the local network can use to route this host's traffic through themselves.",
    },
    Sysctl {
        rule: "BASELINE-KERN-003",
        path: "proc/sys/kernel/randomize_va_space",
        name: "kernel.randomize_va_space",
        expected: "2",
        title: "ASLR not fully enabled",
        why: "Address space layout randomization is not at its full setting (2: stack, libraries, heap and brk), which makes memory-corruption exploits easier to write reliably.",
    },
];

pub fn check(probes: &Probes, out: &mut Output) {
    for sysctl in &SYSCTLS {
        let Some(file) = probes.file(&probes.path(sysctl.path)) else {
            continue;
        };
        let actual = file.text.trim();
        if actual == sysctl.expected {
            continue;
        }
        out.findings.push(
            Finding::new(
                sysctl.title,
                &format!(
                    "{} Current value: {actual}, expected: {}.",
                    sysctl.why, sysctl.expected
                ),
                Severity::Medium,
            )
            .rule(sysctl.rule)
            .file(&file.path)
            .remediation(&format!(
                "Run: sudo sysctl -w {name}={expected}, and persist it with '{name} = {expected}' in a file under /etc/sysctl.d/.",
                name = sysctl.name,
                expected = sysctl.expected
            ))
            .meta("sysctl", sysctl.name)
            .meta("value", actual),
        );
    }
}
