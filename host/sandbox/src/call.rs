//! One adapter call: a fresh store with no capabilities, a memory cap, a deadline, captured stderr.

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    Deterministic, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView,
    WasiView,
};

use super::bindings::WitFinding;
use super::bindings::{WitInput, WitLogLevel, WitParseError};
use super::engine::EPOCH_TICK;
use super::validate::{AdapterOutput, CheckedOutput};
use super::{AdapterFailure, LoadedAdapter};
use securescan_model::text::sanitize;

/// Enough for a panic message and its location; more is an adapter spamming stderr.
const STDERR_CAPACITY: usize = 64 * 1024;
const MAX_LOG_LINES: usize = 200;
const MAX_LOG_LINE_BYTES: usize = 2048;
/// Longest error message from an adapter shown to the user.
const MAX_MESSAGE_BYTES: usize = 4096;

pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    memory: MemoryCap,
    adapter_id: String,
    log_lines: usize,
    output: CheckedOutput,
    /// Why a submitted page was refused; the trap that ended the call is this, not a crash.
    refused: Option<AdapterFailure>,
    /// The tool report's bytes until the adapter takes them (`report.take`).
    report: Vec<u8>,
}

impl CallState {
    fn new(
        adapter_id: &str,
        limits: &securescan_registry::Limits,
        stderr: MemoryOutputPipe,
        report: Vec<u8>,
    ) -> CallState {
        // Nothing is granted: no preopened directories, no environment, no arguments, no sockets.
        // Clocks and randomness are fixed, so an adapter's output depends on its input alone.
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FixedClock)
            .monotonic_clock(FixedClock)
            .secure_random(Deterministic::new(FIXED_RANDOM.to_vec()))
            .insecure_random(Deterministic::new(FIXED_RANDOM.to_vec()))
            .insecure_random_seed(0)
            .build();
        CallState {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap {
                limit: limits.memory_bytes,
                exceeded: false,
            },
            adapter_id: adapter_id.to_string(),
            log_lines: 0,
            output: CheckedOutput::new(*limits),
            refused: None,
            report,
        }
    }
}

/// Bytes an adapter gets when it asks for randomness: the same every call, like the seed.
const FIXED_RANDOM: [u8; 8] = [0x5e, 0xc4, 0x7e, 0x5c, 0xa9, 0x11, 0x0b, 0xad];

/// A clock stopped at the Unix epoch: adapters have no business knowing the time.
struct FixedClock;

impl HostWallClock for FixedClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl super::bindings::securescan::adapter::types::Host for CallState {}

impl super::bindings::securescan::adapter::sink::Host for CallState {
    fn submit(&mut self, page: Vec<WitFinding>) -> wasmtime::Result<()> {
        self.output.take(page).map_err(|failure| {
            let message = failure.to_string();
            self.refused = Some(failure);
            wasmtime::Error::msg(message)
        })
    }
}

impl super::bindings::securescan::adapter::report::Host for CallState {
    /// Returned by value: the component model copies it into the adapter's memory and drops
    /// this one right after, before `parse` goes on to read it.
    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.report)
    }
}

impl super::bindings::securescan::adapter::log::Host for CallState {
    fn emit(&mut self, level: WitLogLevel, message: String) {
        self.log_lines += 1;
        if self.log_lines > MAX_LOG_LINES {
            return;
        }
        let message = sanitize(&message, MAX_LOG_LINE_BYTES);
        let adapter = self.adapter_id.as_str();
        match level {
            WitLogLevel::Trace => tracing::trace!(adapter, "{message}"),
            WitLogLevel::Debug => tracing::debug!(adapter, "{message}"),
            WitLogLevel::Info => tracing::info!(adapter, "{message}"),
            WitLogLevel::Warn => tracing::warn!(adapter, "{message}"),
            WitLogLevel::Error => tracing::error!(adapter, "{message}"),
        }
    }
}

/// Refuses linear-memory growth past the limit and remembers that it did, so the resulting trap
/// is reported as a memory limit rather than a crash.
struct MemoryCap {
    limit: usize,
    exceeded: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.exceeded = true;
            wasmtime::bail!("memory limit of {} bytes exceeded", self.limit);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

impl LoadedAdapter {
    /// Run `parse` once. Blocking: call it from a blocking thread.
    pub fn call(&self, mut input: WitInput) -> Result<AdapterOutput, AdapterFailure> {
        let size = input_size(&input);
        if size > self.limits.max_input_bytes {
            return Err(AdapterFailure::InputTooLarge {
                size,
                limit: self.limits.max_input_bytes,
            });
        }
        // The report travels apart from the input: see `report.take` in the WIT.
        let report = input
            .report
            .as_mut()
            .map(|report| std::mem::take(&mut report.bytes))
            .unwrap_or_default();
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let mut store = Store::new(
            &self.sandbox.engine,
            CallState::new(&self.id, &self.limits, stderr.clone(), report),
        );
        store.limiter(|state| &mut state.memory);
        let ticks = (self.limits.timeout.as_millis() / EPOCH_TICK.as_millis()).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();

        let result = self.pre.instantiate(&mut store).and_then(|adapter| {
            adapter
                .securescan_adapter_parser()
                .call_parse(&mut store, &input)
        });
        // The instance (and its linear memory) goes here; what was submitted stays.
        let state = store.into_data();
        match result {
            Ok(Ok(output)) => state.output.finish(output),
            // Whatever was submitted before the error is dropped with the state.
            Ok(Err(error)) => Err(parse_failure(error)),
            Err(error) => Err(match state.refused {
                Some(refused) => refused,
                None => classify_trap(&error, state.memory.exceeded, &self.limits, &stderr),
            }),
        }
    }
}

fn parse_failure(error: WitParseError) -> AdapterFailure {
    let (kind, message) = match error {
        WitParseError::ToolFailed(message) => {
            return AdapterFailure::ToolFailed {
                message: sanitize(&message, MAX_MESSAGE_BYTES),
            };
        }
        WitParseError::Empty(m) => ("empty", m),
        WitParseError::Malformed(m) => ("malformed", m),
        WitParseError::WrongTool(m) => ("wrong-tool", m),
        WitParseError::UnsupportedVersion(m) => ("unsupported-version", m),
    };
    // The message may quote the input it could not read: it reaches a terminal, so it is cleaned.
    AdapterFailure::Parse {
        kind: kind.to_string(),
        message: sanitize(&message, MAX_MESSAGE_BYTES),
    }
}

fn classify_trap(
    error: &wasmtime::Error,
    memory_exceeded: bool,
    limits: &securescan_registry::Limits,
    stderr: &MemoryOutputPipe,
) -> AdapterFailure {
    if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return AdapterFailure::Timeout {
            limit: limits.timeout,
        };
    }
    if memory_exceeded {
        return AdapterFailure::MemoryLimit {
            limit: limits.memory_bytes,
        };
    }
    let stderr = String::from_utf8_lossy(&stderr.contents())
        .trim()
        .to_string();
    let message = if stderr.is_empty() {
        format!("{error:#}")
    } else {
        last_lines(&stderr, 8)
    };
    AdapterFailure::Trap {
        message: sanitize(&message, MAX_MESSAGE_BYTES),
    }
}

fn input_size(input: &WitInput) -> usize {
    input.report.as_ref().map_or(0, |r| r.bytes.len())
        + input
            .files
            .iter()
            .map(|f| f.path.len() + f.bytes.len())
            .sum::<usize>()
        + input
            .exchanges
            .iter()
            .map(|e| e.url.len() + e.body_prefix.len())
            .sum::<usize>()
        + input
            .commands
            .iter()
            .map(|c| c.name.len() + c.stdout.len())
            .sum::<usize>()
        + input
            .environment
            .iter()
            .chain(&input.settings)
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
        + input.metadata.len() * 64
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}
