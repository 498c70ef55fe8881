//! SecureScan's scan pipeline as a library: runs security scanners, normalizes what they report
//! inside the WebAssembly sandbox, and gives every client one deterministic stream of findings
//! through [`Engine`].

pub mod compliance;
pub mod config;
mod engine;
pub mod findings;
pub mod gather;
pub mod git;
pub mod limited_read;
pub mod sbom;
pub mod scan;
pub mod settings;
pub mod snapshot;
pub mod stamp;
pub mod tools;

pub use engine::{
    Baseline, CommitSide, Engine, EngineConfig, IngestRequest, RequestError, SideScan, StagedScan,
};
