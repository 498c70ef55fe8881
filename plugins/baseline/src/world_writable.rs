//! BASELINE-WWRITE-001: regular files anyone can modify under /etc, /usr and /var, as listed by
//! `find <dir> -maxdepth 3 -type f -perm -o+w` (one host command per directory).

use std::collections::BTreeSet;

use securescan_adapter_sdk::{Finding, Output, Severity};

use crate::probes::Probes;

/// Each directory and the name of the command that lists its world-writable files.
pub const SEARCHES: [(&str, &str); 3] = [
    ("/etc", "world-writable-etc"),
    ("/usr", "world-writable-usr"),
    ("/var", "world-writable-var"),
];

/// How many paths a description names before it says "and N more".
const SAMPLE: usize = 10;

pub fn check(probes: &Probes, out: &mut Output) {
    for (dir, command) in SEARCHES {
        let found = listed(probes, command);
        if found.is_empty() {
            continue;
        }
        let sample: Vec<&str> = found.iter().take(SAMPLE).map(String::as_str).collect();
        let mut description = format!(
            "Found {} world-writable file(s) under {dir}: {}",
            found.len(),
            sample.join(", ")
        );
        if found.len() > SAMPLE {
            description.push_str(&format!(" (and {} more)", found.len() - SAMPLE));
        }
        description.push_str(". Any local user or compromised service can change these files; a world-writable configuration file, library or script that privileged code reads is a direct path to root.");
        out.findings.push(
            Finding::new(
                &format!("World-writable files in {dir}"),
                &description,
                Severity::Medium,
            )
            .rule("BASELINE-WWRITE-001")
            .remediation(&format!(
                "Review each file and remove the world-write bit: sudo chmod o-w <file>, or for all of them: sudo find {dir} -maxdepth 3 -type f -perm -o+w -exec chmod o-w {{}} +"
            ))
            .meta("directory", dir)
            .meta("count", found.len()),
        );
    }
}

/// Every world-writable regular file the host knows of: the `find` listings plus probed metadata.
pub fn all_paths(probes: &Probes) -> BTreeSet<String> {
    let mut paths: BTreeSet<String> = SEARCHES
        .iter()
        .flat_map(|(_, command)| listed(probes, command))
        .collect();
    paths.extend(probes.world_writable_metadata().map(|m| m.path.clone()));
    paths
}

/// The paths a `find` printed, sorted (find prints in directory order, which differs between
/// machines with the same files).
fn listed(probes: &Probes, command: &str) -> BTreeSet<String> {
    probes
        .completed_command_output(command)
        .map(|stdout| {
            stdout
                .lines()
                .map(|line| line.trim_end_matches('\r'))
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
