use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::ChildEnv;

const STDERR_TAIL: usize = 16 * 1024;
/// How long the pipes may stay open after the tool's group was killed (only a process that left
/// the group could still hold them).
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// What a finished tool process left behind.
#[derive(Debug, Clone)]
pub struct ToolRun {
    pub stdout: Vec<u8>,
    /// Stdout went past its limit and only its head was kept ([`Overflow::KeepHead`]).
    pub stdout_truncated: bool,
    /// The last part of stderr: where tools say what went wrong.
    pub stderr_tail: String,
    /// `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolFailure {
    #[error("could not start {program}: {reason}")]
    Spawn { program: String, reason: String },
    #[error("timed out after {}s and was killed", after.as_secs())]
    Timeout { after: Duration },
    #[error("printed more than {limit} bytes (the adapter's input limit)")]
    OutputTooLarge { limit: usize },
    #[error("reading its output failed: {0}")]
    Io(String),
}

/// Kills the whole process group (the tool and anything it spawned) when dropped: after a
/// timeout, a cancelled scan, or a normal exit that left helpers running.
struct ProcessGroup {
    pgid: Option<i32>,
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            // ESRCH (already gone) is fine; nothing else can usefully be done here.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

/// Run `program args…` with no shell and no stdin, in its own process group, with `env` applied to
/// the inherited environment. Dropping the returned
/// future (Ctrl-C, a cancelled scan) kills the group, as does the timeout.
pub async fn run_tool(
    program: &Path,
    args: &[String],
    env: &ChildEnv,
    timeout: Duration,
    stdout_limit: usize,
) -> Result<ToolRun, ToolFailure> {
    run_capped(program, args, env, timeout, stdout_limit, Overflow::Fail).await
}

/// What to do with stdout past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// The run fails: a report cut short would be misread as complete.
    Fail,
    /// Keep the first `limit` bytes: enough for a version banner.
    KeepHead,
}

/// [`run_tool`], with the choice of what an over-long stdout means.
pub async fn run_capped(
    program: &Path,
    args: &[String],
    env: &ChildEnv,
    timeout: Duration,
    stdout_limit: usize,
    overflow: Overflow,
) -> Result<ToolRun, ToolFailure> {
    let started = Instant::now();
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    env.apply(command.as_std_mut());
    let mut child = command.spawn().map_err(|err| ToolFailure::Spawn {
        program: program.display().to_string(),
        reason: err.to_string(),
    })?;
    let group = ProcessGroup {
        pgid: child.id().and_then(|id| i32::try_from(id).ok()),
    };
    let stdout = tokio::spawn(read_capped(child.stdout.take(), stdout_limit));
    let stderr = tokio::spawn(read_tail(child.stderr.take()));

    // Dropping this future (timeout, Ctrl-C, a cancelled scan) drops `group`, killing everything.
    let status = tokio::time::timeout(timeout, child.wait())
        .await
        .map_err(|_| ToolFailure::Timeout { after: timeout })?
        .map_err(|err| ToolFailure::Io(err.to_string()))?;
    // The tool has exited. Helpers it left behind may still hold its pipes open: end them now, so
    // the output is complete and nothing outlives the run.
    drop(group);
    let (stdout, exceeded) = collect(stdout).await?;
    let stderr_tail = collect(stderr).await?;
    if exceeded && overflow == Overflow::Fail {
        return Err(ToolFailure::OutputTooLarge {
            limit: stdout_limit,
        });
    }
    Ok(ToolRun {
        stdout,
        stdout_truncated: exceeded,
        stderr_tail,
        exit_code: status.code(),
        duration: started.elapsed(),
    })
}

/// A reader's result, given a short grace period: once the group is dead, only a process that
/// left it could still hold the pipe open.
async fn collect<T>(
    mut task: tokio::task::JoinHandle<std::io::Result<T>>,
) -> Result<T, ToolFailure> {
    let result = tokio::time::timeout(PIPE_GRACE, &mut task).await;
    if result.is_err() {
        // Stop reading: whatever still holds the pipe is not the tool's output any more.
        task.abort();
    }
    match result {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(err))) => Err(ToolFailure::Io(err.to_string())),
        Ok(Err(err)) => Err(ToolFailure::Io(err.to_string())),
        Err(_) => Err(ToolFailure::Io(
            "its output is held open by a process that left its process group".into(),
        )),
    }
}

/// The first `limit` bytes of a stream; past that it keeps draining (so the tool never blocks on
/// a full pipe) and reports that the limit was exceeded.
async fn read_capped(
    stream: Option<impl AsyncRead + Unpin + Send + 'static>,
    limit: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let Some(mut stream) = stream else {
        return Ok((Vec::new(), false));
    };
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut exceeded = false;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok((kept, exceeded));
        }
        let room = limit - kept.len();
        if n > room {
            exceeded = true;
        }
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
}

async fn read_tail(stream: Option<impl AsyncRead + Unpin>) -> std::io::Result<String> {
    let Some(mut stream) = stream else {
        return Ok(String::new());
    };
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(String::from_utf8_lossy(&tail).into_owned());
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > STDERR_TAIL {
            tail.drain(..tail.len() - STDERR_TAIL);
        }
    }
}
