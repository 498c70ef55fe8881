//! Inputs the host collects for built-in analyzers, so that adapters never touch the filesystem.

mod commands;
mod files;
mod http;
mod probes;
mod virtualenv;
mod zap;

pub use commands::run_commands;
pub use files::{
    Candidate, GatheredFiles, Window, WindowError, WindowStart, any_name_matches, entry_names,
    file_note, gather_files, list_files, read_files, read_window, selects, unreadable_note,
};
pub use http::{HttpError, fetch_chain};
pub use probes::{ProbeRoot, gather_probes};
pub use virtualenv::{VENV_DIRS, list_virtualenv_metadata};
pub use zap::{ZapError, ZapSession, zap_alerts};
