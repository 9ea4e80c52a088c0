//! Every writer's output checked against the published schema of its
//! format (the local copies; nothing is fetched).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use serde_json::Value;

use crate::testutil::sample_report;
use crate::{Report, SbomOptions};

fn schema_file(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Validates `doc` against the schema at `main`, with `siblings` (file
/// name → path) registered under the URIs the schema refers to them by.
pub(crate) fn validate(doc: &Value, main: &str, siblings: &[&str]) {
    let schema = schema_file(main);
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
    let base = schema["$id"]
        .as_str()
        .and_then(|id| id.rsplit_once('/'))
        .map(|(b, _)| b.to_string());
    let sibling_docs: Vec<(String, Value)> = siblings
        .iter()
        .map(|name| {
            let v = schema_file(&format!("{dir}/{name}"));
            let uri = match (&base, v["$id"].as_str()) {
                (_, Some(id)) => id.to_string(),
                (Some(b), None) => format!("{b}/{name}"),
                (None, None) => format!("urn:local:{name}"),
            };
            (uri, v)
        })
        .collect();
    let mut builder = jsonschema::Registry::new();
    for (uri, v) in &sibling_docs {
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

pub(crate) fn validate_sarif(doc: &Value) {
    validate(doc, "sarif-2.1.0/sarif-schema-2.1.0.json", &[]);
}

pub(crate) fn validate_cyclonedx(doc: &Value) {
    validate(
        doc,
        "cyclonedx-1.6/bom-1.6.schema.json",
        &["spdx.schema.json", "jsf-0.82.schema.json"],
    );
}

pub(crate) fn validate_spdx(doc: &Value) {
    validate(doc, "spdx-2.3/spdx-schema.json", &[]);
}

fn reports() -> Vec<Report> {
    let mut image = sample_report();
    image.image = Some(vigil_model::ImageFacts {
        reference: "registry.example.com/app:1".into(),
        digest: Some(format!("sha256:{}", "b".repeat(64))),
        config_digest: format!("sha256:{}", "c".repeat(64)),
        platform: "linux/amd64".into(),
        layers: vec![vigil_model::LayerRef {
            digest: format!("sha256:{}", "a".repeat(64)),
            index: 0,
            created_by: None,
        }],
        ..Default::default()
    });
    image.os = Some(vigil_model::OsFacts {
        name: "Debian GNU/Linux 12 (bookworm)".into(),
        ecosystem: Some("Debian:12".into()),
    });
    vec![
        sample_report(),
        image,
        Report::new("empty", Vec::new(), Vec::new(), Vec::new(), Vec::new()),
    ]
}

#[test]
fn sarif_is_valid() {
    for r in reports() {
        validate_sarif(&crate::sarif_value(&r));
    }
}

#[test]
fn cyclonedx_is_valid() {
    for r in reports() {
        for vulnerabilities in [true, false] {
            let options = SbomOptions {
                created: 1_700_000_000,
                vulnerabilities,
            };
            validate_cyclonedx(&crate::cyclonedx_value(&r, &options).unwrap());
        }
    }
}

#[test]
fn spdx_is_valid() {
    for r in reports() {
        let options = SbomOptions {
            created: 1_700_000_000,
            vulnerabilities: true,
        };
        validate_spdx(&crate::spdx_value(&r, &options).unwrap());
    }
}

/// The validator does reject: a BOM without its required fields fails.
#[test]
fn the_validator_rejects_invalid_documents() {
    let r = std::panic::catch_unwind(|| {
        validate_cyclonedx(&serde_json::json!({"bomFormat": "CycloneDX"}));
    });
    assert!(r.is_err());
    let r = std::panic::catch_unwind(|| {
        validate_sarif(&serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]}));
    });
    assert!(r.is_err());
    let r = std::panic::catch_unwind(|| {
        validate_spdx(&serde_json::json!({"spdxVersion": "SPDX-2.3"}));
    });
    assert!(r.is_err());
}
