//! The ABI version an adapter was built for, read from its `securescan:adapter-abi` custom
//! section before anything is compiled.

use wasmparser::{Encoding, Parser, Payload};

/// The `securescan:adapter` version this host implements (the package version in wit/).
pub const HOST_ABI: &str = securescan_adapter_sdk::abi::ABI_VERSION;
pub use securescan_adapter_sdk::abi::ABI_SECTION;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbiError {
    #[error(
        "not a WebAssembly component (a core module or other file); build adapters for wasm32-wasip2"
    )]
    NotAComponent,
    #[error("the component is not valid WebAssembly: {0}")]
    Invalid(String),
    #[error("no `{ABI_SECTION}` section: the component was not built with securescan-adapter-sdk")]
    Unstamped,
    #[error("the `{ABI_SECTION}` section is not a version: {0:?}")]
    Unreadable(String),
    #[error(
        "adapter targets adapter ABI {found}, this securescan supports {supported}: {}",
        upgrade_hint(found, supported)
    )]
    Unsupported {
        found: semver::Version,
        supported: semver::Version,
    },
}

fn upgrade_hint(found: &semver::Version, supported: &semver::Version) -> &'static str {
    if found > supported {
        "upgrade securescan"
    } else {
        "rebuild the adapter with a newer securescan-adapter-sdk"
    }
}

/// The stamped version, searching nested core modules too (the SDK's stamp lives in the core
/// module the component wraps).
pub fn read_abi(bytes: &[u8]) -> Result<semver::Version, AbiError> {
    let mut first = true;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|err| AbiError::Invalid(err.to_string()))?;
        match payload {
            Payload::Version { encoding, .. } if first && encoding != Encoding::Component => {
                return Err(AbiError::NotAComponent);
            }
            Payload::CustomSection(section) if section.name() == ABI_SECTION => {
                let text = std::str::from_utf8(section.data()).map_err(|_| {
                    AbiError::Unreadable(String::from_utf8_lossy(section.data()).into_owned())
                })?;
                return semver::Version::parse(text.trim())
                    .map_err(|_| AbiError::Unreadable(text.to_string()));
            }
            _ => {}
        }
        first = false;
    }
    Err(AbiError::Unstamped)
}

/// Same rule as Cargo's caret requirement: 0.1.x accepts 0.1.y; 1.x accepts 1.y with y ≤ x.
pub fn check(found: &semver::Version, supported: &semver::Version) -> Result<(), AbiError> {
    let compatible = if supported.major == 0 {
        found.major == 0 && found.minor == supported.minor
    } else {
        found.major == supported.major && found.minor <= supported.minor
    };
    if compatible {
        Ok(())
    } else {
        Err(AbiError::Unsupported {
            found: found.clone(),
            supported: supported.clone(),
        })
    }
}

pub fn host_abi() -> semver::Version {
    semver::Version::parse(HOST_ABI).unwrap_or_else(|err| {
        unreachable!("the SDK's ABI_VERSION {HOST_ABI:?} is not semver: {err}")
    })
}

/// The component's top-level import and export names (interfaces such as
/// `securescan:adapter/parser@0.1.0`), for `securescan adapter inspect`.
pub fn interface_names(bytes: &[u8]) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|err| err.to_string())? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    imports.push(import.map_err(|err| err.to_string())?.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    exports.push(export.map_err(|err| err.to_string())?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn newer_adapter_says_upgrade_securescan() {
        let err = check(&v("0.2.0"), &v("0.1.0")).unwrap_err();
        assert!(err.to_string().ends_with("upgrade securescan"), "{err}");
    }

    #[test]
    fn older_adapter_says_rebuild_it() {
        let err = check(&v("0.1.0"), &v("0.2.0")).unwrap_err();
        assert!(err.to_string().contains("rebuild the adapter"), "{err}");
        let err = check(&v("1.0.0"), &v("2.1.0")).unwrap_err();
        assert!(err.to_string().contains("rebuild the adapter"), "{err}");
    }

    #[test]
    fn patch_and_older_minor_after_one_are_compatible() {
        assert!(check(&v("0.1.7"), &v("0.1.0")).is_ok());
        assert!(check(&v("1.0.0"), &v("1.3.0")).is_ok());
        assert!(check(&v("1.4.0"), &v("1.3.0")).is_err());
    }

    #[test]
    fn core_modules_and_garbage_are_refused() {
        assert_eq!(read_abi(b"\0asm\x01\0\0\0"), Err(AbiError::NotAComponent));
        assert!(matches!(read_abi(b"not wasm"), Err(AbiError::Invalid(_))));
    }

    #[test]
    fn host_abi_matches_the_wit_package() {
        let wit = include_str!("../../../wit/adapter.wit");
        assert!(wit.contains(&format!("package securescan:adapter@{HOST_ABI};")));
    }
}
