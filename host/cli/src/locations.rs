//! Where the adapter components are, and the engine built over them.

use std::path::PathBuf;

use super::exit::Failure;
use securescan_engine::compliance::ComplianceMapper;
use securescan_engine::settings::Settings;
use securescan_engine::{Engine, EngineConfig};
use securescan_registry::Registry;
use securescan_sandbox::{CompileCache, Sandbox};

/// `$SECURESCAN_ADAPTER_DIR`, else `adapters/` beside the binary's directory (where
/// `securescan adapter build` puts them: `target/adapters` for `target/release/securescan`).
pub fn adapter_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SECURESCAN_ADAPTER_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let bin_dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    let beside = bin_dir.join("adapters");
    if beside.is_dir() {
        return beside;
    }
    bin_dir
        .parent()
        .map(|p| p.join("adapters"))
        .unwrap_or(beside)
}

/// The directory relative targets and paths are relative to: the process's current one.
pub fn working_dir() -> Result<PathBuf, Failure> {
    std::env::current_dir()
        .map_err(|err| Failure::internal(format!("cannot read the current directory: {err}")))
}

pub fn sandbox() -> Result<Sandbox, Failure> {
    Sandbox::new(CompileCache::default_location())
        .map_err(|err| Failure::internal(format!("cannot start the WebAssembly engine: {err:#}")))
}

pub fn builtin_registry() -> Result<Registry, Failure> {
    Registry::builtin().map_err(|err| Failure::usage(err.to_string()))
}

/// The engine every command runs on: the built-in registry, its adapters, this process's
/// current directory and settings.
pub fn engine() -> Result<Engine, Failure> {
    Ok(Engine::new(EngineConfig {
        registry: builtin_registry()?,
        sandbox: sandbox()?,
        adapter_dir: adapter_dir(),
        compliance: compliance()?,
        working_dir: working_dir()?,
        settings: Settings::from_environment(),
    }))
}

/// The built-in compliance frameworks, replaced or extended by the JSON files in
/// `SECURESCAN_COMPLIANCE_DIR` (else `~/.config/securescan/compliance` when it exists).
pub fn compliance() -> Result<ComplianceMapper, Failure> {
    let dir = match std::env::var_os("SECURESCAN_COMPLIANCE_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".config/securescan/compliance"))
            .filter(|dir| dir.is_dir()),
    };
    ComplianceMapper::load(dir.as_deref())
        .map_err(|err| Failure::usage(format!("compliance mappings: {err}")))
}
