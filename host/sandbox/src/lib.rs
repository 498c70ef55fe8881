//! Runs adapters: WebAssembly components with no capabilities, one fresh store per call, under
//! memory, time, input and output limits. Every way an adapter can fail is an [`AdapterFailure`]
//! for that scanner; none of them stops a scan.

mod bindings;
mod cache;
mod call;
mod engine;
mod failure;
mod loader;
mod validate;

pub use bindings::{
    WitCommandOutput, WitFileKind, WitFileMetadata, WitGatheredFile, WitHeader, WitHttpExchange,
    WitInput, WitToolReport,
};
pub use cache::CompileCache;
pub use engine::{MAX_CONCURRENT_CALLS, Sandbox};
pub use failure::AdapterFailure;
pub use loader::{LoadedAdapter, component_sha256};
pub use validate::{AdapterFinding, AdapterOutput, validate};
