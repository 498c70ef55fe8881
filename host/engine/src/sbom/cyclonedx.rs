//! CycloneDX 1.5 JSON (<https://cyclonedx.org/docs/1.5/json/>).

use serde_json::{Value, json};

use super::license::{License, classify};
use super::{Component, Format, Inventory, Stamp, content_digest};

/// The described project's `bom-ref`; component refs are purls, which never look like this.
const ROOT_REF: &str = "securescan:project";

pub fn document(inventory: &Inventory, stamp: &Stamp) -> Value {
    let serial = stamp.uuid(&content_digest(inventory, Format::CycloneDx));
    let refs: Vec<&str> = inventory
        .components
        .iter()
        .map(|c| c.purl.as_str())
        .collect();
    let mut root_dependency = json!({"ref": ROOT_REF});
    if !refs.is_empty() {
        root_dependency["dependsOn"] = json!(refs);
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": stamp.created,
            "tools": {"components": [{
                "type": "application",
                "name": "securescan",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "component": {"type": "application", "bom-ref": ROOT_REF, "name": inventory.name},
        },
        "components": inventory.components.iter().map(component).collect::<Vec<_>>(),
        "dependencies": [root_dependency],
    })
}

fn component(component: &Component) -> Value {
    let mut out = json!({
        "type": "library",
        "bom-ref": component.purl,
        "name": component.name,
    });
    if let Some(version) = &component.version {
        out["version"] = json!(version);
    }
    if let Some(licenses) = licenses(component) {
        out["licenses"] = licenses;
    }
    out["purl"] = json!(component.purl);
    out["evidence"] = json!({
        "occurrences": component
            .sources
            .iter()
            .map(|source| json!({"location": source}))
            .collect::<Vec<_>>(),
    });
    out
}

/// The schema allows either licence objects or exactly one expression, never both.
fn licenses(component: &Component) -> Option<Value> {
    let classified: Vec<License> = component.licenses.iter().map(|l| classify(l)).collect();
    if let [License::Expression(expression)] = classified.as_slice() {
        return Some(json!([{"expression": expression}]));
    }
    let entries: Vec<Value> = classified
        .into_iter()
        .map(|license| match license {
            License::Id(id) => json!({"license": {"id": id}}),
            License::Expression(text) | License::Name(text) => json!({"license": {"name": text}}),
        })
        .collect();
    (!entries.is_empty()).then(|| json!(entries))
}
