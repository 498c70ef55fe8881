//! BASELINE-PWD-001..003: the password ageing and length policy in `etc/login.defs`.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::{Probes, TextFile, numbered_lines};

pub const LOGIN_DEFS: &str = "etc/login.defs";

struct Policy {
    rule: &'static str,
    key: &'static str,
    severity: Severity,
    title: &'static str,
    /// Whether the value breaks the policy.
    weak: fn(i64) -> bool,
    requirement: &'static str,
    why: &'static str,
    fix: &'static str,
}

const POLICIES: [Policy; 3] = [
    Policy {
        rule: "BASELINE-PWD-001",
        key: "PASS_MAX_DAYS",
        severity: Severity::Medium,
        title: "Password max age too long",
        // -1 switches expiry off altogether.
        weak: |days| !(0..=90).contains(&days),
        requirement: "should be 90 or less",
        why: "Passwords that never expire stay usable indefinitely after they leak.",
        fix: "PASS_MAX_DAYS 90",
    },
    Policy {
        rule: "BASELINE-PWD-002",
        key: "PASS_MIN_DAYS",
        severity: Severity::Low,
        title: "Password min age too short",
        weak: |days| days < 1,
        requirement: "should be at least 1",
        why: "Without a minimum age a user can cycle through passwords at once and return to the old one, defeating password history.",
        fix: "PASS_MIN_DAYS 1",
    },
    Policy {
        rule: "BASELINE-PWD-003",
        key: "PASS_MIN_LEN",
        severity: Severity::Medium,
        title: "Minimum password length too short",
        weak: |length| length < 8,
        requirement: "should be at least 8",
        why: "Short passwords fall quickly to guessing and offline cracking.",
        fix: "PASS_MIN_LEN 8",
    },
];

pub fn check(probes: &Probes, out: &mut Output) {
    let Some(file) = probes.file(&probes.path(LOGIN_DEFS)) else {
        return;
    };
    for policy in &POLICIES {
        let Some((line, value)) = value_of(&file, policy.key) else {
            continue;
        };
        if !(policy.weak)(value) {
            continue;
        }
        out.findings.push(
            Finding::new(
                policy.title,
                &format!(
                    "{} is {value} in {} ({}). {}",
                    policy.key, file.path, policy.requirement, policy.why
                ),
                policy.severity,
            )
            .rule(policy.rule)
            .file(&file.path)
            .lines(line, line)
            .remediation(&format!(
                "Set '{}' in /etc/login.defs. It applies to accounts created from now on; update existing ones with chage.",
                policy.fix
            ))
            .meta("setting", policy.key)
            .meta("value", value),
        );
    }
}

/// The numeric value of `key` and its line. shadow-utils lets a later definition replace an
/// earlier one, so the last wins; a value that is not a number is ignored, as login does.
fn value_of(file: &TextFile, key: &str) -> Option<(u32, i64)> {
    numbered_lines(&file.text)
        .filter_map(|(number, line)| {
            let mut words = line.split_whitespace();
            (words.next() == Some(key))
                .then(|| words.next()?.parse().ok())
                .flatten()
                .map(|value| (number, value))
        })
        .last()
}
