//! Tool processes a server left running when it died (kill -9, a crash, the OOM killer): its
//! process groups died with nothing to kill them. Every tool a server's scan runs carries
//! [`TOOL_MARKER`](crate::queue::TOOL_MARKER) in its environment, inherited by whatever it spawns,
//! so the next server on the same store finds them in `/proc` and ends them.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::queue::TOOL_MARKER;

/// Kill every process (of this user; others' environments are unreadable) whose environment
/// marks it as a tool of server `instance`. Returns how many were signalled.
pub fn end_marked_tools(instance: &str) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let own = std::process::id();
    let wanted = format!("{TOOL_MARKER}={instance}:");
    let mut ended = 0;
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == own {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let marked = environ
            .split(|b| *b == 0)
            .any(|var| var.starts_with(wanted.as_bytes()));
        if marked
            && let Ok(pid) = i32::try_from(pid)
            && kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok()
        {
            ended += 1;
        }
    }
    ended
}
