//! From a registry entry to a pre-instantiated adapter: pin check, ABI check, compile (or load
//! from cache), link. In that order, so untrusted bytes are never compiled.

use std::path::Path;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::bindings::AdapterPre;
use super::call::CallState;
use super::{AdapterFailure, Sandbox};
use securescan_registry::abi;
use securescan_registry::{AdapterEntry, Limits};

/// An adapter ready to be called: verified, compiled and linked once, instantiated per call.
#[derive(Clone)]
pub struct LoadedAdapter {
    pub id: String,
    pub limits: Limits,
    pub abi: semver::Version,
    pub sha256: String,
    pub(super) sandbox: Sandbox,
    pub(super) pre: AdapterPre<CallState>,
}

impl std::fmt::Debug for LoadedAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedAdapter")
            .field("id", &self.id)
            .field("abi", &self.abi)
            .field("sha256", &self.sha256)
            .finish()
    }
}

pub fn component_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Sandbox {
    /// Load a registry entry's component from `dir`, refusing it unless its bytes match the pin.
    pub fn load(&self, entry: &AdapterEntry, dir: &Path) -> Result<LoadedAdapter, AdapterFailure> {
        let path = dir.join(&entry.component);
        let bytes = std::fs::read(&path).map_err(|_| AdapterFailure::Missing {
            path: path.display().to_string(),
        })?;
        let actual = component_sha256(&bytes);
        if actual != entry.sha256 {
            return Err(AdapterFailure::IntegrityMismatch {
                expected: entry.sha256.clone(),
                actual,
            });
        }
        self.load_bytes(&entry.id, &bytes, entry.limits)
    }

    /// Load a component that is not pinned: for `securescan adapter run` on an adapter under
    /// development. Everything but the pin check still applies.
    pub fn load_bytes(
        &self,
        id: &str,
        bytes: &[u8],
        limits: Limits,
    ) -> Result<LoadedAdapter, AdapterFailure> {
        let found = abi::read_abi(bytes)?;
        abi::check(&found, &abi::host_abi())?;
        let sha256 = component_sha256(bytes);
        let component = self.compile(&sha256, bytes)?;
        let instance_pre = self.linker.instantiate_pre(&component).map_err(|err| {
            AdapterFailure::AbiMismatch(format!(
                "the component does not fit the adapter world: {err:#}"
            ))
        })?;
        let pre = AdapterPre::new(instance_pre).map_err(|err| {
            AdapterFailure::AbiMismatch(format!(
                "the component does not export the parser interface: {err:#}"
            ))
        })?;
        Ok(LoadedAdapter {
            id: id.to_string(),
            limits,
            abi: found,
            sha256,
            sandbox: self.clone(),
            pre,
        })
    }

    fn compile(&self, sha256: &str, bytes: &[u8]) -> Result<Component, AdapterFailure> {
        let compat = self.compatibility_key();
        if let Some(component) = self
            .cache
            .as_ref()
            .and_then(|c| c.load(&self.engine, sha256, &compat))
        {
            return Ok(component);
        }
        let component = Component::from_binary(&self.engine, bytes)
            .map_err(|err| AdapterFailure::Compile(format!("{err:#}")))?;
        if let Some(cache) = &self.cache {
            cache.store(sha256, &compat, &component);
        }
        Ok(component)
    }
}
