//! Inputs the host collects for built-in analyzers, so that adapters never touch the filesystem.

mod files;

pub use files::{Candidate, GatheredFiles, gather_files, list_files, read_files};
