//! BASELINE-SCOPE-001: a target directory with none of the host-config files, reported so the
//! run is not mistaken for a clean audit.

use securescan_adapter_sdk::{Finding, Severity};

pub fn no_host_config_files(target: &str) -> Finding {
    Finding::new(
        "Baseline scope: no host-config files under target",
        &format!(
            "Baseline scope: target directory has no host-config files; pass `/` or use --baseline-host-probes for host scope. Looked under {} for etc/ssh/sshd_config, etc/passwd, etc/shadow.",
            python_repr(target)
        ),
        Severity::Info,
    )
    .rule("BASELINE-SCOPE-001")
    .file(target)
    .remediation("Re-run with `/` as the target for host-wide probes, or pass --baseline-host-probes to keep host probes alongside this directory scan.")
}

/// A string quoted the way Python's `repr` quotes it, as the original's message did.
fn python_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::python_repr;

    #[test]
    fn quotes_follow_python_repr() {
        assert_eq!(python_repr("/srv/app"), "'/srv/app'");
        assert_eq!(python_repr("it's"), "\"it's\"");
        assert_eq!(python_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(python_repr("tab\there"), "'tab\\there'");
    }
}
