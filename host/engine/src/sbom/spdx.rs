//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::license::{License, classify};
use super::{Component, Format, Inventory, Stamp, content_digest};

const ROOT_ID: &str = "SPDXRef-Project";

pub fn document(inventory: &Inventory, stamp: &Stamp) -> Value {
    let id = stamp.uuid(&content_digest(inventory, Format::Spdx));
    let mut packages = vec![json!({
        "name": inventory.name,
        "SPDXID": ROOT_ID,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "APPLICATION",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": ROOT_ID,
    })];
    for component in &inventory.components {
        let spdx_id = spdx_id(component);
        relationships.push(json!({
            "spdxElementId": ROOT_ID,
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": spdx_id,
        }));
        packages.push(package(component, spdx_id));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": inventory.name,
        "documentNamespace": format!(
            "https://spdx.org/spdxdocs/securescan-{}-{id}",
            id_safe(&inventory.name)
        ),
        "creationInfo": {
            "created": stamp.created,
            "creators": [format!("Tool: securescan-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

fn package(component: &Component, spdx_id: String) -> Value {
    let mut out = json!({
        "name": component.name,
        "SPDXID": spdx_id,
    });
    if let Some(version) = &component.version {
        out["versionInfo"] = json!(version);
    }
    out["downloadLocation"] = json!("NOASSERTION");
    out["filesAnalyzed"] = json!(false);
    let sources: Vec<&str> = component.sources.iter().map(String::as_str).collect();
    out["sourceInfo"] = json!(format!("listed in {}", sources.join(", ")));
    match declared(component) {
        Ok(Some(expression)) => out["licenseDeclared"] = json!(expression),
        Ok(None) => {}
        Err(comment) => out["licenseComments"] = json!(comment),
    }
    out["externalRefs"] = json!([{
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": component.purl,
    }]);
    out
}

/// A declared licence only when it is one SPDX id or expression; free text, or several
/// differing statements from different manifests, go to `licenseComments` instead.
fn declared(component: &Component) -> Result<Option<String>, String> {
    let texts: Vec<&String> = component.licenses.iter().collect();
    match texts.as_slice() {
        [] => Ok(None),
        [one] => match classify(one) {
            License::Id(text) | License::Expression(text) => Ok(Some(text)),
            License::Name(text) => Err(format!("the manifest states: {text}")),
        },
        several => Err(format!(
            "the manifests state: {}",
            several
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// `SPDXRef-<type>-<name>-<version>-<hash>`: readable, and unique because the hash is of the
/// purl (the readable part loses characters SPDX ids cannot hold).
fn spdx_id(component: &Component) -> String {
    let digest = hex::encode(&Sha256::digest(component.purl.as_bytes())[..4]);
    let version = component.version.as_deref().unwrap_or("none");
    format!(
        "SPDXRef-{}-{}-{}-{digest}",
        component.ecosystem.purl_type(),
        id_safe(&component.name),
        id_safe(version)
    )
}

/// Letters, digits, `.` and `-` only.
fn id_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::Ecosystem;

    #[test]
    fn ids_hold_only_allowed_characters_and_differ_when_sanitizing_collides() {
        let component = |name: &str| Component {
            ecosystem: Ecosystem::Npm,
            name: name.to_string(),
            version: Some("1.0.0+build".to_string()),
            purl: format!("pkg:npm/{name}@1.0.0%2Bbuild"),
            licenses: Default::default(),
            sources: Default::default(),
        };
        let (a, b) = (spdx_id(&component("@a/b")), spdx_id(&component("-a-b")));
        let allowed = regex::Regex::new(r"^SPDXRef-[A-Za-z0-9.-]+$").unwrap();
        assert!(allowed.is_match(&a) && allowed.is_match(&b), "{a} {b}");
        assert_ne!(a, b);
    }
}
