//! Tool processes: killed with everything they spawned on timeout or when the scan is dropped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use securescan_engine::tools::{ChildEnv, ToolFailure, run_tool};

/// `sh` that starts a long `sleep` child, records its pid, and waits on it.
fn spawner(pidfile: &Path) -> (PathBuf, Vec<String>) {
    let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
    (PathBuf::from("/bin/sh"), vec!["-c".to_string(), script])
}

fn wait_for_pid(pidfile: &Path) -> i32 {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(pidfile)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the tool never wrote {}", pidfile.display());
}

/// Gone, or a zombie waiting for init to reap it: either way no longer running.
pub fn is_dead(pid: i32) -> bool {
    for _ in 0..100 {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .is_some_and(|rest| rest.trim_start().starts_with('Z')) =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

#[tokio::test]
async fn a_timed_out_tool_is_killed_with_its_children() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pidfile = dir.path().join("pid");
    let (program, args) = spawner(&pidfile);
    let result = run_tool(
        &program,
        &args,
        &ChildEnv::new(),
        Duration::from_millis(500),
        1024,
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        ToolFailure::Timeout {
            after: Duration::from_millis(500)
        }
    );
    assert!(
        is_dead(wait_for_pid(&pidfile)),
        "the grandchild survived the timeout"
    );
}

#[tokio::test]
async fn dropping_a_running_tool_kills_its_process_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pidfile = dir.path().join("pid");
    let (program, args) = spawner(&pidfile);
    let running = tokio::spawn(async move {
        run_tool(
            &program,
            &args,
            &ChildEnv::new(),
            Duration::from_secs(600),
            1024,
        )
        .await
    });
    let pid = tokio::task::spawn_blocking({
        let pidfile = pidfile.clone();
        move || wait_for_pid(&pidfile)
    })
    .await
    .expect("pid");
    running.abort();
    let _ = running.await;
    assert!(is_dead(pid), "the grandchild survived cancellation");
}

#[tokio::test]
async fn output_beyond_the_limit_is_an_error_not_a_truncated_report() {
    let args = vec!["-c".to_string(), "head -c 100000 /dev/zero".to_string()];
    let result = run_tool(
        Path::new("/bin/sh"),
        &args,
        &ChildEnv::new(),
        Duration::from_secs(30),
        1000,
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        ToolFailure::OutputTooLarge { limit: 1000 }
    );
}

#[tokio::test]
async fn a_missing_program_is_a_spawn_error() {
    let result = run_tool(
        Path::new("/nonexistent/tool"),
        &[],
        &ChildEnv::new(),
        Duration::from_secs(5),
        1000,
    )
    .await;
    assert!(
        matches!(result, Err(ToolFailure::Spawn { .. })),
        "{result:?}"
    );
}

// Regression: a helper that outlived the tool and kept its stdout open made a finished run wait
// for the timeout, and then survived it.
#[tokio::test]
async fn helpers_left_behind_neither_hold_the_run_nor_outlive_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pidfile = dir.path().join("pid");
    let script = format!(
        "echo done; /bin/sleep 300 & echo $! > {}; exit 0",
        pidfile.display()
    );
    let started = std::time::Instant::now();
    let run = run_tool(
        Path::new("/bin/sh"),
        &["-c".to_string(), script],
        &ChildEnv::new(),
        Duration::from_secs(60),
        1024,
    )
    .await
    .expect("the tool finished");
    assert_eq!(run.stdout, b"done\n");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run waited on the helper"
    );
    assert!(
        is_dead(wait_for_pid(&pidfile)),
        "the helper outlived the run"
    );
}
