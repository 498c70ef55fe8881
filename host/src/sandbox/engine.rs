//! The one wasmtime engine, its linker, and the epoch ticker that enforces call deadlines.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, OptLevel};

use super::bindings::Adapter;
use super::cache::CompileCache;
use super::call::CallState;

/// How often the epoch advances: the granularity of adapter deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

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
        let engine = Engine::new(&config)?;

        let mut linker = Linker::<CallState>::new(&engine);
        // WASI is linked because Rust's std for wasm32-wasip2 imports it; the context each call gets
        // grants nothing (see CallState::new).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Adapter::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;

        start_epoch_ticker(&engine);
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

/// Advances the epoch every tick until the engine is dropped.
fn start_epoch_ticker(engine: &Engine) {
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
        .unwrap_or_else(|err| tracing::error!("cannot start the adapter deadline thread: {err}"));
}
