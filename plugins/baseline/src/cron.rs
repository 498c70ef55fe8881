//! BASELINE-CRON-001: a job that runs as root and executes a file anyone can modify.
//!
//! The original stat()ed each job's program on the spot. An adapter cannot look paths up, so a
//! program counts as world-writable when it is in the host's world-writable listings: the
//! `find -maxdepth 3` runs over /etc, /usr and /var and any probed metadata. A world-writable
//! program elsewhere (/opt, /srv, /home, deeper than three levels) or reached through a symlink
//! is not seen; the check can miss such jobs, never invent one.

use std::collections::BTreeSet;

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::{Probes, TextFile, file_name, numbered_lines};
use crate::world_writable;

pub const CRONTAB: &str = "etc/crontab";
/// System crontabs in the /etc/crontab format (with a user column).
pub const SYSTEM_DIR: &str = "etc/cron.d";
/// Per-user crontabs, named after their owner, without a user column: Debian, then Red Hat.
pub const USER_DIRS: [&str; 2] = ["var/spool/cron/crontabs", "var/spool/cron"];

/// Programs whose first argument is the script they run.
const INTERPRETERS: [&str; 11] = [
    "sh", "bash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "php", "node",
];

pub fn check(probes: &Probes, out: &mut Output) {
    let writable = world_writable::all_paths(probes);
    if writable.is_empty() {
        return;
    }
    let system = probes
        .file(&probes.path(CRONTAB))
        .into_iter()
        .chain(probes.files_in(&probes.path(SYSTEM_DIR)));
    for file in system {
        check_file(&file, Format::System, &writable, out);
    }
    for dir in USER_DIRS {
        for file in probes.files_in(&probes.path(dir)) {
            // A user crontab runs as the user it is named after.
            if file_name(&file.path) == "root" {
                check_file(&file, Format::User, &writable, out);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Format {
    /// `m h dom mon dow user command`
    System,
    /// `m h dom mon dow command`, run as the file's owner.
    User,
}

fn check_file(file: &TextFile, format: Format, writable: &BTreeSet<String>, out: &mut Output) {
    for (number, line) in numbered_lines(&file.text) {
        let Some(program) = root_program(line, format, writable) else {
            continue;
        };
        out.findings.push(
            Finding::new(
                "Root cron job executes world-writable script",
                &format!(
                    "The cron job in {} at line {number} runs as root and executes '{program}', which any local user can modify: whatever they write into it will run as root at the next scheduled time.",
                    file.path
                ),
                Severity::Critical,
            )
            .rule("BASELINE-CRON-001")
            .file(&file.path)
            .lines(number, number)
            .remediation(&format!(
                "Remove the world-write bit and make root the owner: sudo chmod o-w {program} && sudo chown root: {program}. Keep scripts that root runs in root-owned directories."
            ))
            .meta("script", program),
        );
    }
}

/// The world-writable program a root job of this line runs, if any: the command's first word,
/// or its script when that word is an interpreter.
fn root_program<'l>(line: &'l str, format: Format, writable: &BTreeSet<String>) -> Option<&'l str> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = words.first()?;
    // `NAME=value` sets a variable for the jobs below.
    if first.contains('=') {
        return None;
    }
    // `@daily` and friends replace the five time fields.
    let schedule = if first.starts_with('@') { 1 } else { 5 };
    let command = match format {
        Format::System => {
            if *words.get(schedule)? != "root" {
                return None;
            }
            words.get(schedule + 1..)?
        }
        Format::User => words.get(schedule..)?,
    };
    let program = *command.first()?;
    if writable.contains(program) {
        return Some(program);
    }
    let script = *command.get(1)?;
    (INTERPRETERS.contains(&file_name(program)) && writable.contains(script)).then_some(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writable() -> BTreeSet<String> {
        ["/usr/local/bin/backup.sh".to_string()].into()
    }

    #[test]
    fn jobs_are_read_by_format() {
        let w = writable();
        assert_eq!(
            root_program(
                "0 3 * * * root /usr/local/bin/backup.sh --full",
                Format::System,
                &w
            ),
            Some("/usr/local/bin/backup.sh")
        );
        assert_eq!(
            root_program(
                "@daily\troot /bin/sh /usr/local/bin/backup.sh",
                Format::System,
                &w
            ),
            Some("/usr/local/bin/backup.sh")
        );
        assert_eq!(
            root_program("0 3 * * * /usr/local/bin/backup.sh", Format::User, &w),
            Some("/usr/local/bin/backup.sh")
        );
        assert_eq!(
            root_program(
                "0 3 * * * alice /usr/local/bin/backup.sh",
                Format::System,
                &w
            ),
            None
        );
        assert_eq!(root_program("SHELL=/bin/sh", Format::System, &w), None);
        assert_eq!(
            root_program(
                "# 0 3 * * * root /usr/local/bin/backup.sh",
                Format::System,
                &w
            ),
            None
        );
    }
}
