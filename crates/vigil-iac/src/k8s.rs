//! Kubernetes manifests: the resources of a YAML stream (`List` kinds
//! unpacked), each workload's pod spec and containers located.

use serde_json::{json, Value};

use crate::yaml::{Document, LINE_KEY};

/// The kinds whose pod template is at `spec.template.spec`.
const TEMPLATED: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "ReplicaSet",
    "ReplicationController",
];

/// Whether a YAML document looks like a Kubernetes object.
pub fn is_resource(v: &Value) -> bool {
    v.get("apiVersion").is_some_and(Value::is_string) && v.get("kind").is_some_and(Value::is_string)
}

/// The metadata of a workload's pods (the Pod's own, its template's),
/// if it is one.
fn pod_metadata(kind: &str, v: &Value) -> Option<Value> {
    let meta = match kind {
        "Pod" => v.get("metadata"),
        "CronJob" => v.pointer("/spec/jobTemplate/spec/template/metadata"),
        k if TEMPLATED.contains(&k) => v.pointer("/spec/template/metadata"),
        _ => None,
    }?;
    meta.is_object().then(|| meta.clone())
}

/// The pod spec of a workload, if it is one.
fn pod_spec(kind: &str, v: &Value) -> Option<Value> {
    let spec = match kind {
        "Pod" => v.get("spec"),
        "CronJob" => v.pointer("/spec/jobTemplate/spec/template/spec"),
        k if TEMPLATED.contains(&k) => v.pointer("/spec/template/spec"),
        _ => None,
    }?;
    spec.is_object().then(|| spec.clone())
}

fn resource(v: &Value, line: u32, end_line: Option<u32>) -> Value {
    let kind = v["kind"].as_str().unwrap_or_default().to_string();
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let spec = pod_spec(&kind, v);
    let mut containers = Vec::new();
    if let Some(spec) = &spec {
        for (field, init) in [
            ("initContainers", true),
            ("containers", false),
            ("ephemeralContainers", false),
        ] {
            for c in spec
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut c = c.clone();
                if let Some(o) = c.as_object_mut() {
                    o.insert("init".to_string(), Value::Bool(init));
                    containers.push(c);
                }
            }
        }
    }
    json!({
        "id": if name.is_empty() { kind.clone() } else { format!("{kind}/{name}") },
        "kind": kind,
        "name": name,
        "namespace": v.pointer("/metadata/namespace"),
        "apiVersion": v["apiVersion"],
        "line": v.get(LINE_KEY).and_then(Value::as_u64).unwrap_or(u64::from(line)),
        "end_line": end_line,
        "document": v,
        "pod_spec": spec,
        "pod_metadata": pod_metadata(&kind, v),
        "containers": containers,
    })
}

/// The resources of a YAML stream's documents: each document that is a
/// Kubernetes object, the items of `List` kinds in its place.
pub fn resources(docs: &[Document]) -> Vec<Value> {
    let mut out = Vec::new();
    for d in docs {
        if !is_resource(&d.value) {
            continue;
        }
        let kind = d.value["kind"].as_str().unwrap_or_default();
        if kind == "List" || kind.ends_with("List") {
            for item in d
                .value
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if is_resource(item) {
                    let line = item.get(LINE_KEY).and_then(Value::as_u64).unwrap_or(0);
                    out.push(resource(item, u32::try_from(line).unwrap_or(0), None));
                }
            }
        } else {
            out.push(resource(&d.value, d.line, Some(d.end_line)));
        }
    }
    out
}

/// The input document of a Kubernetes file (see docs/iac.md).
pub fn input(docs: &[Document]) -> Value {
    json!({ "format": "kubernetes", "resources": resources(docs) })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn load(name: &str) -> Vec<Value> {
        let path = format!("{}/fixtures/k8s/{name}", env!("CARGO_MANIFEST_DIR"));
        let docs = crate::yaml::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        resources(&docs)
    }

    #[test]
    fn list_and_workload_kinds() {
        let rs = load("list.yaml");
        let ids: Vec<&str> = rs.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["Deployment/web", "CronJob/nightly", "Service/web"]);
        assert_eq!(rs[0]["line"], 5);
        assert_eq!(rs[0]["containers"][0]["name"], "app");
        assert_eq!(rs[0]["containers"][0]["init"], false);
        assert_eq!(rs[1]["containers"][0]["name"], "job");
        assert_eq!(rs[1]["containers"][0][LINE_KEY], 26);
        assert!(rs[2]["pod_spec"].is_null());
    }
}
