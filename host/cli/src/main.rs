//! The `securescan` command line. Machine output goes to stdout (or `--output-file`); progress
//! and diagnostics go to stderr, progress only when stderr is a terminal. Every message to stderr
//! goes through [`tell!`], since messages quote paths, config values, tool output and scanned
//! text, and none of that may drive the terminal.

/// `eprintln!` with the message's control characters neutralized (see [`tell_stderr`]).
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::tell_stderr(format_args!($($arg)*))
    };
}

mod adapter;
mod ai;
mod atomic;
mod baseline;
mod build;
mod changes;
mod compare;
mod config;
mod diff;
mod exit;
mod github;
mod history;
mod ingest;
mod init;
mod locations;
mod malloc;
mod output;
mod sbom;
mod scaffold;
mod scan;
mod serve;
mod status;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use exit::Exit;
use exit::StopSignal;

use securescan_model::text::sanitize;
use securescan_report::wants_colour;

/// The longest message written to stderr; past it a message is cut.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

const EXIT_CODES: &str = "\
Exit codes:
  0    success: every selected scanner completed, or was skipped because its tool is not installed
  1    internal error (the engine could not start, the output file could not be written);
       for `config validate`: the config has errors
  2    usage error: bad flag or value, missing target, unknown scanner id, invalid registry,
       a .securescan.yml with errors (the scan does not start); for `config validate`: no
       config found
  3    finished, but at least one scanner failed; the failure is on stderr and the other
       scanners' findings are in the output
  4    finished, and a finding that is not suppressed is at or above --fail-on-severity (or
       the config's fail_on_severity); the output is written in full
  130  interrupted (Ctrl-C, SIGINT); running tool processes were killed and temporary
       checkouts removed; likewise 143 for SIGTERM and 129 for SIGHUP (a CI runner's cancel)

Environment:
  SECURESCAN_ADAPTER_DIR   where adapter components are read from (default: adapters/ in the
                           binary's directory if it exists, else adapters/ beside that directory)
  SECURESCAN_CACHE_DIR     compiled-adapter cache, owned by you and writable by no one else
                           (default: $XDG_CACHE_HOME/securescan/adapters, else
                           ~/.cache/securescan/adapters)
  SECURESCAN_SEMGREP_CONFIG  comma-separated semgrep rule sources, like --semgrep-config
  SECURESCAN_SAFETY_DB     a local safety advisory database directory, like --safety-db
  SECURESCAN_NMAP_PORTS    the ports nmap probes, like --ports
  SECURESCAN_ZAP_ADDRESS   the running ZAP daemon, e.g. http://127.0.0.1:8090
  SECURESCAN_ZAP_API_KEY   its API key (sent in a header, never in a URL)
                           (both ZAP settings may also come from ~/.config/securescan/.env;
                           the environment wins)
  SECURESCAN_GROQ_API_KEY  Groq API key for AI explanations of findings (text and html output)
  SECURESCAN_AI_BASE_URL   another OpenAI-compatible endpoint instead, e.g. a local model server;
                           SECURESCAN_AI_API_KEY, _MODEL, _TIMEOUT, _CONCURRENCY, _MAX_FINDINGS,
                           _CACHE_DIR and _PROXY tune it (AI is off when CI=true unless --ai)
  SECURESCAN_DB_PATH       the local scan store `scan` saves to and `history` reads
                           (default: ~/.securescan/scans.db)
  SECURESCAN_COMPLIANCE_DIR  JSON framework files replacing or adding compliance mappings
                           (default: ~/.config/securescan/compliance when it exists)
  SECURESCAN_FAKE_NOW      pin the time saved scans and SBOMs record (RFC 3339)
  SECURESCAN_LOG           log filter for stderr, e.g. debug or securescan=trace (default: warn)
  SECURESCAN_PERFMAP       set to write /tmp/perf-<pid>.map, so perf names adapter functions";

#[derive(Debug, Parser)]
#[command(name = "securescan", version, about = "Run security scanners and normalize their findings", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a directory or file, a URL (dast) or a host (network) with the registry's scanners.
    Scan(scan::ScanArgs),
    /// What a change introduces: findings new between two git refs, or two findings files.
    Diff(diff::DiffArgs),
    /// What drifted since a baseline file: new, disappeared and still-present findings.
    Compare(compare::CompareArgs),
    /// Write a baseline of the current findings (deterministic; check it in), for `--baseline`
    /// and `compare`.
    Baseline(baseline::BaselineArgs),
    /// Normalize an existing tool report through its scanner's adapter.
    Ingest(ingest::IngestArgs),
    /// List the scans saved in the local store (SECURESCAN_DB_PATH), newest first.
    History(history::HistoryArgs),
    /// Set a project up: .securescan.yml for its stack, a GitHub workflow, an empty baseline.
    Init(init::InitArgs),
    /// Show every scanner: its type, whether its tool is installed, and its version.
    Status(status::StatusArgs),
    /// Write a CycloneDX 1.5 or SPDX 2.3 SBOM of the packages the target's lockfiles list.
    Sbom(sbom::SbomArgs),
    /// Work with adapter components: run, inspect, verify pins, build, start a new one.
    #[command(subcommand)]
    Adapter(adapter::AdapterCommand),
    /// Work with the project config file, .securescan.yml.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Serve the REST API (and its docs at /docs): scans queued and run by the same engine,
    /// stored in the same file as `history` reads.
    Serve(serve::ServeArgs),
    /// Post to a pull request what `diff` rendered (the GitHub Action's posting): the comment,
    /// the inline review, the SARIF upload. The token is read from GITHUB_TOKEN.
    #[command(subcommand)]
    Github(github::GithubCommand),
}

fn main() -> ExitCode {
    crate::malloc::limit_arenas();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                Exit::Usage.code()
            } else {
                Exit::Ok.code()
            });
        }
    };
    // The server logs each request and scan event in its own format, and stops on SIGTERM by
    // itself (cancelling its scans first); every other command logs warnings and stops at once.
    let serving = matches!(cli.command, Command::Serve(_));
    if !serving {
        init_logging();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tell!("securescan: cannot start the async runtime: {err}");
            return ExitCode::from(Exit::Internal.code());
        }
    };
    let exit = runtime.block_on(async {
        if serving {
            return run(cli.command).await;
        }
        let stop = match stop_signal() {
            Ok(stop) => stop,
            Err(err) => {
                tell!("securescan: cannot watch for signals: {err}");
                return Exit::Internal;
            }
        };
        tokio::select! {
            exit = run(cli.command) => exit,
            signal = stop => {
                tell!("securescan: {}; stopping scanners", signal.describe());
                Exit::Signalled(signal)
            }
        }
    });
    // Dropping the runtime drops every scanner task, and with it kills their tool process groups.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    ExitCode::from(exit.code())
}

async fn run(command: Command) -> Exit {
    let result = match command {
        Command::Scan(args) => scan::run(args).await,
        Command::Ingest(args) => ingest::run(args).await,
        Command::Baseline(args) => baseline::run(args).await,
        Command::Diff(args) => diff::run(args).await,
        Command::Compare(args) => compare::run(args).await,
        Command::Status(args) => status::run(args).await,
        Command::History(args) => history::run(args).await,
        Command::Init(args) => init::run(args).await,
        Command::Sbom(args) => sbom::run(args).await,
        Command::Adapter(command) => adapter::run(command).await,
        Command::Config(command) => config::run(command).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Github(command) => github::run(command).await,
    };
    result.unwrap_or_else(|failure| {
        tell!("securescan: {}", failure.message);
        failure.exit
    })
}

/// Resolves with the first of SIGINT, SIGTERM and SIGHUP. The handlers are installed before it
/// returns, so a signal arriving while the command starts is not lost.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = StopSignal>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hang_up = signal(SignalKind::hangup())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => StopSignal::Interrupt,
            _ = terminate.recv() => StopSignal::Terminate,
            _ = hang_up.recv() => StopSignal::HangUp,
        }
    })
}

/// `message` and a newline on stderr, every control character but newline and tab replaced
/// ([`sanitize`]): a file name, a config key or a tool's output quoted in a message can neither
/// send escape sequences to the terminal nor rewrite the line.
pub(crate) fn tell_stderr(message: std::fmt::Arguments) {
    eprintln!("{}", sanitize(&message.to_string(), MAX_MESSAGE_BYTES));
}

/// Log lines on stderr, coloured as the text report decides for stdout (a terminal, `NO_COLOR`,
/// `CLICOLOR_FORCE`, `TERM`), here for stderr: never in a pipe or a CI log by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SECURESCAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let var = std::env::var_os;
    let colour = wants_colour(
        std::io::stderr().is_terminal(),
        var("NO_COLOR").as_deref(),
        var("CLICOLOR_FORCE").as_deref(),
        var("TERM").as_deref(),
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(colour)
        .init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks flag definitions (duplicate names across flattened groups, …) only in debug
    /// builds, at parse time; this runs those checks in every build.
    #[test]
    fn every_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
