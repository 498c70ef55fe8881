//! Which findings are about a credential: their lines, and some scanners' messages, may hold
//! the credential itself, so what leaves the machine (AI enrichment) or lands in a CI log (the
//! text report's headline) leaves those parts out.

use crate::Finding;

/// CWEs of credentials written into code or files: a finding of one carries the secret in its
/// lines, and some scanners also in their message (bandit: `Possible hardcoded password: '…'`).
const CREDENTIAL_CWES: [&str; 7] = ["256", "259", "260", "321", "522", "540", "798"];
/// Words of a rule id or title that say a finding is about a credential.
const CREDENTIAL_WORDS: [&str; 8] = [
    "secret",
    "password",
    "passwd",
    "credential",
    "token",
    "api-key",
    "api_key",
    "private key",
];

/// Whether a finding is about a credential, so its value may sit in its lines or its message:
/// every finding of the secrets and git-hygiene analyzers, a credential CWE, or a rule id or title
/// naming one. Erring towards yes only costs the model some context.
pub fn is_about_a_secret(f: &Finding) -> bool {
    if matches!(f.scanner.as_str(), "secrets" | "git-hygiene") {
        return true;
    }
    let cwe_number = f
        .cwe
        .as_deref()
        .map(|c| c.trim_start_matches(|ch: char| !ch.is_ascii_digit()));
    if cwe_number.is_some_and(|n| CREDENTIAL_CWES.contains(&n)) {
        return true;
    }
    let named = |text: &str| {
        let text = text.to_lowercase();
        CREDENTIAL_WORDS.iter().any(|word| text.contains(word))
    };
    f.rule_id.as_deref().is_some_and(named) || named(&f.title)
}
