//! Inputs the host collects for built-in analyzers, so that adapters never touch the filesystem.

mod files;

pub use files::{GatheredFiles, gather_files};
