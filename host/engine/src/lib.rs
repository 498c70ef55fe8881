//! SecureScan: runs security scanners, normalizes what they report inside a WebAssembly sandbox,
//! and gives one deterministic stream of findings to the CLI (and later the server).

pub mod compliance;
pub mod config;
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
