//! BASELINE-USER-001 (a second UID-0 account in passwd) and BASELINE-USER-002 (an account
//! without a usable password in shadow).

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::{TextFile, numbered_lines};

pub const PASSWD: &str = "etc/passwd";
pub const SHADOW: &str = "etc/shadow";

/// Accounts that exist only to own files; `!!` on them is the distribution default.
const SERVICE_ACCOUNTS: [&str; 2] = ["nobody", "nfsnobody"];

pub fn check_passwd(file: &TextFile, out: &mut Output) {
    for (number, line) in numbered_lines(&file.text) {
        let fields: Vec<&str> = line.trim().split(':').collect();
        let [user, _, uid, _, ..] = fields.as_slice() else {
            continue;
        };
        if uid.parse::<i64>() != Ok(0) || *user == "root" {
            continue;
        }
        out.findings.push(
            Finding::new(
                &format!("Non-root user '{user}' has UID 0"),
                &format!(
                    "User '{user}' in {} has UID 0, which gives it full root privileges under another name. Only the root account should have UID 0; an extra one is a classic backdoor and hides root activity behind a different login name.",
                    file.path
                ),
                Severity::Critical,
            )
            .rule("BASELINE-USER-001")
            .file(&file.path)
            .lines(number, number)
            .remediation(&format!(
                "If '{user}' is not needed, remove it (sudo userdel {user}); otherwise give it its own non-zero UID (sudo usermod -u <new-uid> {user}) and grant what it needs through sudo."
            ))
            .meta("user", *user),
        );
    }
}

pub fn check_shadow(file: &TextFile, out: &mut Output) {
    for (number, line) in numbered_lines(&file.text) {
        let fields: Vec<&str> = line.trim().split(':').collect();
        let [user, hash, ..] = fields.as_slice() else {
            continue;
        };
        let (severity, description) = match *hash {
            "!!" if !SERVICE_ACCOUNTS.contains(user) => (
                Severity::Medium,
                format!(
                    "User '{user}' in {} has no password set ('!!': a password was never assigned). The account is not locked explicitly, so it becomes usable as soon as anyone sets a password or edits the entry; it should be locked or given a password.",
                    file.path
                ),
            ),
            // An empty field is worse than `!!`: where PAM allows empty passwords (`nullok`,
            // common in distribution defaults) the account logs in with no password at all.
            "" if !user.is_empty() => (
                Severity::High,
                format!(
                    "User '{user}' in {} has an empty password field. Wherever PAM accepts empty passwords (the `nullok` option) this account can log in without any password.",
                    file.path
                ),
            ),
            _ => continue,
        };
        out.findings.push(
            Finding::new(
                &format!("User '{user}' has no password set"),
                &description,
                severity,
            )
            .rule("BASELINE-USER-002")
            .file(&file.path)
            .lines(number, number)
            .remediation(&format!(
                "Lock the account (sudo passwd -l {user}) or set a password (sudo passwd {user}); remove it (sudo userdel {user}) if nothing uses it."
            ))
            .meta("user", *user),
        );
    }
}
