//! BASELINE-ENV-001: secret-looking variables in the scanner's own environment. The value never
//! leaves this module except in the masked form below.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

/// Name fragments that mark a variable as secret, in the order they are tried.
pub const SECRET_NAME_PARTS: [&str; 6] = [
    "API_KEY",
    "SECRET",
    "PASSWORD",
    "TOKEN",
    "PRIVATE_KEY",
    "CREDENTIALS",
];

/// Shorter values are flags or placeholders, not secrets.
const MIN_VALUE_CHARS: usize = 4;

pub fn check(probes: &Probes, out: &mut Output) {
    for (name, value) in probes.environment() {
        if value.chars().count() < MIN_VALUE_CHARS {
            continue;
        }
        let upper = name.to_uppercase();
        let Some(part) = SECRET_NAME_PARTS.iter().find(|part| upper.contains(*part)) else {
            continue;
        };
        out.findings.push(
            Finding::new(
                &format!("Potential secret in environment: {name}"),
                &format!(
                    "Environment variable '{name}' matches the secret pattern '{part}' and holds a value ({}). Secrets in the environment are inherited by every child process and readable by anyone who can read /proc/<pid>/environ, and they end up in crash dumps and debug output.",
                    mask(value)
                ),
                Severity::Low,
            )
            .rule("BASELINE-ENV-001")
            .remediation("Check whether this variable holds a real credential. Load secrets from a secrets manager or a file readable only by the service, and do not export them in shells or profiles.")
            .meta("variable", name.as_str())
            .meta("pattern", *part),
        );
    }
}

/// The first and last two characters around up to 20 `*`; `****` for a four-character value.
fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let hidden = chars.len().saturating_sub(4);
    match (chars.get(..2), chars.get(chars.len().saturating_sub(2)..)) {
        (Some(head), Some(tail)) if hidden > 0 => format!(
            "{}{}{}",
            head.iter().collect::<String>(),
            "*".repeat(hidden.min(20)),
            tail.iter().collect::<String>()
        ),
        _ => "****".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_keep_two_characters_each_side_and_at_most_twenty_stars() {
        assert_eq!(mask("abcd"), "****");
        assert_eq!(mask("abcde"), "ab*de");
        assert_eq!(mask(&"x".repeat(60)), format!("xx{}xx", "*".repeat(20)));
        assert_eq!(mask("ééééé"), "éé*éé");
    }
}
