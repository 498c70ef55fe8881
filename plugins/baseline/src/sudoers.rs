//! BASELINE-SUDO-001: sudo rules that let someone run every command without a password, in
//! `etc/sudoers` and the drop-ins `#includedir /etc/sudoers.d` reads.

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::{Probes, TextFile, file_name, numbered_lines};

pub const SUDOERS: &str = "etc/sudoers";
pub const DROP_IN_DIR: &str = "etc/sudoers.d";

pub fn check(probes: &Probes, out: &mut Output) {
    let main = probes.file(&probes.path(SUDOERS));
    // sudo skips drop-ins whose name ends in `~` or contains a `.` (editor backups, .rpmnew).
    let drop_ins = probes
        .files_in(&probes.path(DROP_IN_DIR))
        .into_iter()
        .filter(|f| {
            let name = file_name(&f.path);
            !name.ends_with('~') && !name.contains('.')
        });
    for file in main.into_iter().chain(drop_ins) {
        check_file(&file, out);
    }
}

fn check_file(file: &TextFile, out: &mut Output) {
    for (first_line, last_line, rule) in logical_lines(&file.text) {
        if !grants_every_command_without_password(&rule) {
            continue;
        }
        out.findings.push(
            Finding::new(
                "Broad NOPASSWD sudo access",
                &format!(
                    "Line {first_line} in {} grants NOPASSWD access to ALL commands: whoever gets this account (a stolen session, a leaked key, a compromised service) becomes root without knowing any password.",
                    file.path
                ),
                Severity::High,
            )
            .rule("BASELINE-SUDO-001")
            .file(&file.path)
            .lines(first_line, last_line)
            .remediation("Require a password for general sudo use, and keep NOPASSWD for the specific commands that need it, e.g. 'deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart app'. Edit with visudo.")
            .meta("rule", rule.as_str()),
        );
    }
}

/// Whether the commands after the last `NOPASSWD` tag include `ALL` (up to the next tag, such as
/// `PASSWD:`, which puts the password requirement back).
fn grants_every_command_without_password(rule: &str) -> bool {
    let Some((_, commands)) = rule.rsplit_once("NOPASSWD") else {
        return false;
    };
    let commands = commands.trim_start().strip_prefix(':').unwrap_or(commands);
    commands
        .split([',', ' ', '\t'])
        .map(str::trim)
        .take_while(|word| !is_tag(word))
        .any(|word| word == "ALL")
}

fn is_tag(word: &str) -> bool {
    word.strip_suffix(':').is_some_and(|tag| {
        !tag.is_empty() && tag.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// Rules with `\` continuations joined and comments removed, with their line span. `#` starts a
/// comment except before a digit (`#1000` is a user id); `#include` directives go with the
/// comments, which is harmless as they grant nothing themselves.
fn logical_lines(text: &str) -> Vec<(u32, u32, String)> {
    let mut rules = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    let mut last = 0;
    for (number, line) in numbered_lines(text) {
        last = number;
        let (start, mut joined) = pending.take().unwrap_or((number, String::new()));
        let line = strip_comment(line);
        match line.strip_suffix('\\') {
            Some(continued) => {
                joined.push_str(continued);
                joined.push(' ');
                pending = Some((start, joined));
            }
            None => {
                joined.push_str(line);
                let rule = joined.trim();
                if !rule.is_empty() {
                    rules.push((start, number, rule.to_string()));
                }
            }
        }
    }
    // A continuation on the last line ends the rule there.
    if let Some((start, joined)) = pending.filter(|(_, joined)| !joined.trim().is_empty()) {
        rules.push((start, last, joined.trim().to_string()));
    }
    rules
}

fn strip_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '#' && (previous.is_whitespace() || at == 0) {
            let rest = line.get(at + 1..).unwrap_or("");
            if !rest.starts_with(|d: char| d.is_ascii_digit()) {
                return line.get(..at).unwrap_or(line).trim_end();
            }
        }
        previous = c;
    }
    line.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_all_after_the_last_nopasswd_tag_counts() {
        assert!(grants_every_command_without_password(
            "deploy ALL=(ALL) NOPASSWD:ALL"
        ));
        assert!(grants_every_command_without_password(
            "%wheel ALL=(ALL:ALL) NOPASSWD: /usr/bin/apt, ALL"
        ));
        assert!(!grants_every_command_without_password(
            "backup ALL=(root) NOPASSWD: /usr/bin/rsync"
        ));
        assert!(!grants_every_command_without_password(
            "ops ALL=(ALL) NOPASSWD: /usr/bin/systemctl, PASSWD: ALL"
        ));
        assert!(!grants_every_command_without_password(
            "ops ALL=(ALL) NOPASSWD: /opt/INSTALL_ALL"
        ));
    }

    #[test]
    fn comments_go_but_uids_and_continuations_stay() {
        let rules = logical_lines(
            "#1000 ALL=(ALL) ALL\n# a comment\nops ALL=(ALL) \\\r\n  NOPASSWD: ALL # temporary\n",
        );
        assert_eq!(
            rules,
            vec![
                (1, 1, "#1000 ALL=(ALL) ALL".to_string()),
                (3, 4, "ops ALL=(ALL)    NOPASSWD: ALL".to_string())
            ]
        );
    }
}
