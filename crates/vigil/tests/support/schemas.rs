//! Validation of the binary's SARIF, CycloneDX and SPDX output against the
//! published schemas (local copies; nothing is fetched).
#![allow(dead_code)] // Each test binary uses the formats it needs.

use std::path::PathBuf;

use serde_json::Value;

fn schema_file(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn validate(doc: &Value, main: &str, siblings: &[&str]) {
    let schema = schema_file(main);
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
    let docs: Vec<(String, Value)> = siblings
        .iter()
        .map(|name| {
            let v = schema_file(&format!("{dir}/{name}"));
            (v["$id"].as_str().unwrap().to_string(), v)
        })
        .collect();
    let mut builder = jsonschema::Registry::new();
    for (uri, v) in &docs {
        builder = builder.add(uri, v).unwrap();
    }
    let registry = builder.prepare().unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{main}: {errors:#?}");
}

/// Panics unless `doc` is valid SARIF 2.1.0.
pub(crate) fn sarif(doc: &Value) {
    validate(doc, "sarif-2.1.0/sarif-schema-2.1.0.json", &[]);
}

/// Panics unless `doc` is valid CycloneDX 1.6.
pub(crate) fn cyclonedx(doc: &Value) {
    validate(
        doc,
        "cyclonedx-1.6/bom-1.6.schema.json",
        &["spdx.schema.json", "jsf-0.82.schema.json"],
    );
}

/// Panics unless `doc` is valid SPDX 2.3.
pub(crate) fn spdx(doc: &Value) {
    validate(doc, "spdx-2.3/spdx-schema.json", &[]);
}
