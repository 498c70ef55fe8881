/// Normalize a CWE reference to `CWE-<n>`.
///
/// Tools spell CWEs many ways: `CWE-89`, `cwe-089`, `CWE-89: Improper Neutralization …`, `89`,
/// `CWE 79`. The host's compliance mapping and links need one form, so anything that names a CWE
/// number becomes `CWE-<n>` (no leading zeros); anything else is `None`.
pub fn normalize_cwe(raw: &str) -> Option<String> {
    let text = raw.trim();
    let rest = match text.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("cwe") => {
            text[3..].trim_start_matches([' ', '-', '_', ':'])
        }
        _ => text,
    };
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    // The host accepts at most six digits; the catalogue is in the low thousands.
    if digits.len() > 6 {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    if number == 0 {
        return None;
    }
    Some(format!("CWE-{number}"))
}

#[cfg(test)]
mod tests {
    use super::normalize_cwe;

    #[test]
    fn long_semgrep_form_keeps_only_the_number() {
        assert_eq!(
            normalize_cwe(
                "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')"
            ),
            Some("CWE-95".to_string())
        );
    }

    #[test]
    fn spellings_agree() {
        for raw in ["CWE-89", "cwe-089", "89", "CWE 89", " CWE_89 "] {
            assert_eq!(normalize_cwe(raw), Some("CWE-89".to_string()), "{raw}");
        }
    }

    #[test]
    fn non_cwe_text_is_none() {
        for raw in ["", "CWE-", "OWASP A03", "CWE-0", "-89", "CWE-12345678"] {
            assert_eq!(normalize_cwe(raw), None, "{raw}");
        }
    }
}
