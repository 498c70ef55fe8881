//! The adapter ABI version this SDK targets, and how it is stamped into a component.

/// The `securescan:adapter` WIT package version this SDK implements.
pub const ABI_VERSION: &str = "0.3.0";

/// Name of the custom section that carries [`ABI_VERSION`] inside a built component.
pub const ABI_SECTION: &str = "securescan:adapter-abi";

/// [`ABI_VERSION`] as a fixed-size byte array, the form a `#[link_section]` static needs.
pub const fn stamp() -> [u8; ABI_VERSION.len()] {
    let text = ABI_VERSION.as_bytes();
    let mut out = [0u8; ABI_VERSION.len()];
    let mut i = 0;
    while i < text.len() {
        out[i] = text[i];
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_version_is_the_wit_package_version() {
        let wit = include_str!("../../wit/adapter.wit");
        let expected = format!("package securescan:adapter@{ABI_VERSION};");
        assert!(
            wit.lines().any(|line| line.trim() == expected),
            "wit/adapter.wit must declare `{expected}`"
        );
    }

    #[test]
    fn stamp_spells_the_version() {
        assert_eq!(&stamp(), ABI_VERSION.as_bytes());
    }
}
