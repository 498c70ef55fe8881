//! BASELINE-FW-001: no packet filter protects the host, judged from `ufw status` and
//! `iptables -L -n`.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

pub const UFW: &str = "ufw-status";
pub const IPTABLES: &str = "iptables-list";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Active,
    Inactive,
    /// Not installed, not root (both tools need root), or timed out.
    Unknown,
}

pub fn check(probes: &Probes, out: &mut Output) {
    let ufw = probes
        .command_output(UFW)
        .map_or(Verdict::Unknown, |stdout| ufw_verdict(&stdout));
    let iptables = probes
        .command_output(IPTABLES)
        .map_or(Verdict::Unknown, |stdout| iptables_verdict(&stdout));
    if ufw == Verdict::Active || iptables == Verdict::Active {
        return;
    }
    // The original reported "no firewall" when neither tool could run, which is every scan by a
    // non-root user; without an answer there is nothing to report.
    if ufw == Verdict::Unknown && iptables == Verdict::Unknown {
        out.warnings.push(
            "the firewall check was skipped: neither `ufw status` nor `iptables -L -n` gave an answer (both need root)"
                .to_string(),
        );
        return;
    }
    let ufw_state = match ufw {
        Verdict::Unknown => "could not be queried",
        _ => "is not active",
    };
    let iptables_state = match iptables {
        Verdict::Unknown => "could not be queried",
        _ => "has no rules and accepts incoming traffic by default",
    };
    out.findings.push(
        Finding::new(
            "No active firewall detected",
            &format!(
                "Neither ufw nor iptables shows an active firewall: ufw {ufw_state} and iptables {iptables_state}. Every listening service is reachable from any network the host is attached to."
            ),
            Severity::Medium,
        )
        .rule("BASELINE-FW-001")
        .remediation("Enable a firewall that denies incoming traffic by default and allows only the services the host offers, e.g. sudo ufw default deny incoming && sudo ufw allow ssh && sudo ufw enable (Ubuntu/Debian), or firewalld / nftables rules elsewhere.")
        .meta("ufw", state_word(ufw))
        .meta("iptables", state_word(iptables)),
    );
}

fn state_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Active => "active",
        Verdict::Inactive => "inactive",
        Verdict::Unknown => "unknown",
    }
}

fn ufw_verdict(stdout: &str) -> Verdict {
    let text = stdout.to_lowercase();
    if text.contains("status: active") {
        Verdict::Active
    } else if text.contains("status: inactive") {
        Verdict::Inactive
    } else {
        Verdict::Unknown
    }
}

/// Active when any chain holds a rule, or when INPUT drops by default: `-P INPUT DROP` with no
/// rules is a deny-all firewall, which the original took for none.
fn iptables_verdict(stdout: &str) -> Verdict {
    let mut saw_chain = false;
    for line in stdout.lines().map(str::trim_end) {
        if line.is_empty() || line.starts_with("target") {
            continue;
        }
        if let Some(chain) = line.strip_prefix("Chain ") {
            saw_chain = true;
            if chain.starts_with("INPUT (policy DROP") || chain.starts_with("INPUT (policy REJECT")
            {
                return Verdict::Active;
            }
            continue;
        }
        return Verdict::Active;
    }
    if saw_chain {
        Verdict::Inactive
    } else {
        Verdict::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_drop_input_policy_is_a_firewall() {
        let text = "Chain INPUT (policy DROP)\ntarget     prot opt source               destination         \n\nChain FORWARD (policy ACCEPT)\ntarget     prot opt source               destination         \n";
        assert!(iptables_verdict(text) == Verdict::Active);
    }

    #[test]
    fn output_that_is_not_a_listing_is_no_answer() {
        assert!(iptables_verdict("") == Verdict::Unknown);
        assert!(ufw_verdict("ERROR: You need to be root to run this script\n") == Verdict::Unknown);
    }
}
