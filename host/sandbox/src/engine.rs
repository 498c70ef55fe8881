//! The one wasmtime engine, its linker, and the epoch ticker that enforces call deadlines.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig,
    ProfilingStrategy,
};

use super::bindings::Adapter;
use super::cache::CompileCache;
use super::call::CallState;

/// How often the epoch advances: the granularity of adapter deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Set (to anything) to write a perf map of the adapters' compiled code.
pub const PERFMAP_VARIABLE: &str = "SECURESCAN_PERFMAP";

/// Largest wasm stack an adapter may use; blocking threads that run calls have more native stack.
const MAX_WASM_STACK: usize = 1024 * 1024;

/// Engine, linker and compile cache shared by every adapter. Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    pub(super) engine: Engine,
    pub(super) linker: Arc<Linker<CallState>>,
    pub(super) cache: Option<CompileCache>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox whose compiled components are cached in `cache` (none: compile every time).
    pub fn new(cache: Option<CompileCache>) -> wasmtime::Result<Sandbox> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        config.max_wasm_stack(MAX_WASM_STACK);
        config.cranelift_opt_level(OptLevel::Speed);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool()));
        // For whoever profiles an adapter: `perf` then names its functions (from
        // /tmp/perf-<pid>.map) instead of showing anonymous JIT addresses.
        if std::env::var_os(PERFMAP_VARIABLE).is_some() {
            config.profiler(ProfilingStrategy::PerfMap);
        }
        // The pool reserves its address space up front; where that is refused (a low `ulimit -v`)
        // instances are allocated one by one instead: slower, equally contained.
        let engine = match Engine::new(&config) {
            Ok(engine) => engine,
            Err(err) => {
                tracing::warn!("instance pool unavailable, allocating adapters on demand: {err:#}");
                config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
                Engine::new(&config)?
            }
        };

        let mut linker = Linker::<CallState>::new(&engine);
        // WASI is linked because Rust's std for wasm32-wasip2 imports it; the context each call gets
        // grants nothing (see CallState::new).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Adapter::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;

        // Without the ticker no deadline would ever fire: refuse to run adapters at all.
        start_epoch_ticker(&engine).map_err(|err| {
            wasmtime::format_err!("cannot start the adapter deadline thread: {err}")
        })?;
        Ok(Sandbox {
            engine,
            linker: Arc::new(linker),
            cache,
        })
    }

    /// Identifies the compiled-code format: part of every cache key.
    pub fn compatibility_key(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }
}

/// Instance slots: twice the adapter calls a scan may run at once, leaving room for callers that
/// use adapters directly (`adapter run`, tests).
const POOL_SLOTS: u32 = 32;
/// Upper bound on concurrent adapter calls in one scan (the cores available, at most this).
pub const MAX_CONCURRENT_CALLS: usize = POOL_SLOTS as usize / 2;
/// Memory kept mapped in a slot between calls and reset with a memset rather than released:
/// small calls stay within it, so they no longer page-fault their way through fresh memory. Kept
/// small: whatever a big call touched beyond it is released when the call ends, instead of
/// staying resident for the rest of the scan, and every slot a scan has used keeps it (a 12 MB
/// report kept ~50 MB resident at 64 MiB; W1 peaked ~4 MB lower at 1 MiB than at 4, no slower).
const KEEP_RESIDENT: usize = 1024 * 1024;
/// A wasm32 memory cannot exceed 4 GiB; per-adapter caps (StoreLimits) apply below this.
const MAX_MEMORY: usize = 4 * 1024 * 1024 * 1024;

/// Pooled instance slots: each call still gets a fresh instance, but in linear memory that is
/// already mapped.
fn pool() -> PoolingAllocationConfig {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(POOL_SLOTS)
        .total_core_instances(POOL_SLOTS * 8)
        .total_memories(POOL_SLOTS * 2)
        .total_tables(POOL_SLOTS * 8)
        .max_memory_size(MAX_MEMORY)
        .linear_memory_keep_resident(KEEP_RESIDENT);
    pool
}

/// Advances the epoch every tick until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("securescan-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .map(drop)
}
