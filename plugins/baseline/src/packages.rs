//! BASELINE-PKG-001/002: pending package updates, from `apt list --upgradable`.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

pub const APT: &str = "apt-upgradable";

/// How many package names a description lists before "and N more".
const SAMPLE: usize = 10;

struct Upgrade<'a> {
    name: &'a str,
    security: bool,
}

pub fn check(probes: &Probes, out: &mut Output) {
    let Some(stdout) = probes.command_output(APT) else {
        return;
    };
    let mut upgrades: Vec<Upgrade> = stdout.lines().filter_map(upgrade).collect();
    upgrades.sort_by(|a, b| a.name.cmp(b.name));
    let security: Vec<&str> = upgrades
        .iter()
        .filter(|u| u.security)
        .map(|u| u.name)
        .collect();
    let all: Vec<&str> = upgrades.iter().map(|u| u.name).collect();
    let finding = if !security.is_empty() {
        Finding::new(
            &format!("{} security update(s) available", security.len()),
            &format!(
                "There are {} security update(s) available ({}). Until they are installed the host stays open to vulnerabilities that are already public.",
                security.len(),
                sample(&security)
            ),
            Severity::Medium,
        )
        .rule("BASELINE-PKG-001")
        .remediation("Run: sudo apt update && sudo apt upgrade, and consider unattended-upgrades so security updates install automatically.")
        .meta("count", security.len())
        .meta("packages", security)
    } else if !all.is_empty() {
        Finding::new(
            &format!("{} package update(s) available", all.len()),
            &format!(
                "There are {} package update(s) available ({}). None comes from a security suite, but they carry bug fixes and falling behind makes later security updates larger and riskier.",
                all.len(),
                sample(&all)
            ),
            Severity::Low,
        )
        .rule("BASELINE-PKG-002")
        .remediation("Run: sudo apt update && sudo apt upgrade to install available updates.")
        .meta("count", all.len())
        .meta("packages", all)
    } else {
        return;
    };
    out.findings.push(finding);
}

/// One `name/suite[,suite] version arch [upgradable from: old]` line; a package counts as a
/// security update when one of its suites is a security suite (`jammy-security`), not merely
/// when its name contains the word.
fn upgrade(line: &str) -> Option<Upgrade<'_>> {
    let first = line.split_whitespace().next()?;
    let (name, suites) = first.split_once('/')?;
    if name.is_empty() || line.starts_with("Listing...") {
        return None;
    }
    Some(Upgrade {
        name,
        security: suites.split(',').any(|suite| suite.contains("security")),
    })
}

fn sample(names: &[&str]) -> String {
    let mut text = names
        .iter()
        .take(SAMPLE)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SAMPLE {
        text.push_str(&format!(" and {} more", names.len() - SAMPLE));
    }
    text
}
