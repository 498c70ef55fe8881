//! The checks, one entry each: id, severity, title, description, remediation, and the test.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use securescan_adapter_sdk::{Finding, Severity};

use crate::instructions::Instruction;

struct Rule {
    id: &'static str,
    severity: Severity,
    title: &'static str,
    description: &'static str,
    remediation: &'static str,
}

/// A line check: the instruction matches `pattern`, and, for the "without a flag" rules, some
/// occurrence of `command` is not followed later in the instruction by `flag` (the `regex` crate
/// has no look-ahead, so that part is explicit).
struct LineCheck {
    rule: Rule,
    pattern: Regex,
    missing_flag: Option<(Regex, &'static str)>,
}

fn regex(text: &str) -> Regex {
    RegexBuilder::new(text)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|err| panic!("rule regex {text}: {err}"))
}

static LINE_CHECKS: LazyLock<Vec<LineCheck>> = LazyLock::new(|| {
    let check = |rule: Rule, pattern: &str| LineCheck {
        rule,
        pattern: regex(pattern),
        missing_flag: None,
    };
    let flag_check = |rule: Rule, pattern: &str, command: &str, flag: &'static str| LineCheck {
        rule,
        pattern: regex(pattern),
        missing_flag: Some((regex(command), flag)),
    };
    vec![
        check(
            Rule {
                id: "DL001",
                severity: Severity::Medium,
                title: "Using ':latest' tag in FROM",
                description: "Using the ':latest' tag makes builds non-reproducible and may introduce unexpected vulnerabilities.",
                remediation: "Pin to a specific image version, e.g., 'FROM python:3.12-slim'.",
            },
            r"^\s*FROM\s+.*:latest",
        ),
        check(
            Rule {
                id: "DL002",
                severity: Severity::High,
                title: "Running as root user",
                description: "Container runs as root, which increases the attack surface if compromised.",
                remediation: "Add 'USER nonroot' or create a dedicated user with 'RUN useradd -r appuser && USER appuser'.",
            },
            r"^\s*USER\s+(root|0)(:\S+)?\s*$",
        ),
        check(
            Rule {
                id: "DL003",
                severity: Severity::High,
                title: "Piping curl to shell",
                description: "Downloading and executing scripts from the internet in one step is risky — the script could be compromised.",
                remediation: "Download the script first, verify its checksum, then execute it.",
            },
            r"^\s*RUN\s+.*(curl|wget).*\|\s*(sh|bash)\b",
        ),
        flag_check(
            Rule {
                id: "DL004",
                severity: Severity::Low,
                title: "apt-get install without --no-install-recommends",
                description: "Installing recommended packages increases image size and attack surface.",
                remediation: "Use 'apt-get install --no-install-recommends' to minimize installed packages.",
            },
            r"^\s*RUN\s+.*apt-get\s+install",
            r"apt-get\s+install",
            "--no-install-recommends",
        ),
        check(
            Rule {
                id: "DL005",
                severity: Severity::High,
                title: "Exposing sensitive port",
                description: "Exposing SSH (22), Telnet (23), SMTP (25), or RDP (3389) ports suggests insecure services in the container.",
                remediation: "Remove the EXPOSE directive for sensitive ports. Use secure alternatives.",
            },
            r"^\s*EXPOSE\s+(.*\s)?(22|23|25|3389)(/tcp)?(\s.*)?$",
        ),
        check(
            Rule {
                id: "DL006",
                severity: Severity::Medium,
                title: "Using ADD to fetch remote URLs",
                description: "ADD with URLs is unpredictable — use COPY with a prior RUN curl/wget for better control and caching.",
                remediation: "Replace 'ADD <url>' with 'RUN curl -o <file> <url>' followed by 'COPY'.",
            },
            r"^\s*ADD\s+(--\S+\s+)*https?://",
        ),
        check(
            Rule {
                id: "DL007",
                severity: Severity::Critical,
                title: "Secret stored in ENV directive",
                description: "Secrets in ENV directives are visible in image history and to anyone with access to the image.",
                remediation: "Use Docker secrets, build args with --secret, or runtime environment variables instead.",
            },
            // `ENV NAME=value` and the legacy `ENV NAME value`.
            r"^\s*ENV\s+(.*(PASSWORD|SECRET|KEY|TOKEN|CREDENTIAL).*=|\S*(PASSWORD|SECRET|KEY|TOKEN|CREDENTIAL)\S*\s+\S)",
        ),
        check(
            Rule {
                id: "DL008",
                severity: Severity::Medium,
                title: "Setting world-writable permissions (777)",
                description: "chmod 777 gives all users read, write, and execute permissions, which is a security risk.",
                remediation: "Use more restrictive permissions like 755 for directories or 644 for files.",
            },
            r"^\s*RUN\s+.*chmod\s+(-\S+\s+)*0?777\b",
        ),
        flag_check(
            Rule {
                id: "DL009",
                severity: Severity::Low,
                title: "pip install without --no-cache-dir",
                description: "pip caches downloaded packages, increasing image size unnecessarily.",
                remediation: "Use 'pip install --no-cache-dir' to reduce image size.",
            },
            r"^\s*RUN\s+.*pip3?\s+install",
            r"pip3?\s+install",
            "--no-cache-dir",
        ),
    ]
});

const NO_USER: Rule = Rule {
    id: "DL010",
    severity: Severity::Medium,
    title: "No USER directive found",
    description: "No USER directive means the container runs as root by default.",
    remediation: "Add a USER directive to run the container as a non-root user.",
};

static FROM: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*FROM\s+"));
static USER: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*USER\s+"));

impl LineCheck {
    fn fires(&self, text: &str) -> bool {
        if !self.pattern.is_match(text) {
            return false;
        }
        match &self.missing_flag {
            None => true,
            Some((command, flag)) => command
                .find_iter(text)
                .any(|m| !text[m.end()..].to_ascii_lowercase().contains(flag)),
        }
    }
}

/// Every check on every instruction (several may fire on one), then the file-level DL010.
pub fn check(path: &str, instructions: &[Instruction]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for instruction in instructions {
        for check in LINE_CHECKS.iter().filter(|c| c.fires(&instruction.text)) {
            findings.push(
                finding(&check.rule, path).lines(instruction.first_line, instruction.last_line),
            );
        }
    }
    let has_from = instructions.iter().any(|i| FROM.is_match(&i.text));
    let has_user = instructions.iter().any(|i| USER.is_match(&i.text));
    if has_from && !has_user {
        findings.push(finding(&NO_USER, path));
    }
    findings
}

fn finding(rule: &Rule, path: &str) -> Finding {
    Finding::new(rule.title, rule.description, rule.severity)
        .rule(&format!("dockerfile/{}", rule.id))
        .file(path)
        .remediation(rule.remediation)
}
