//! Images and the containers running them: an agent snapshot relates each
//! container to the image asset of the image it runs (`runs_image`), the
//! one a `vigil scan image` upload made, or a placeholder a later upload
//! takes over.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::{each_backend, report, TestServer};
use vigil_agent::{ContainerImage, Snapshot};

const DIGEST: &str = "sha256:abababababababababababababababababababababababababababababababab";
const CONFIG: &str = "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

fn snapshot() -> Snapshot {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil/tests/fixtures/agent/snapshot-container.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The snapshot with a second container (the first's copy under another
/// ID) and the images given to the two.
fn with_images(first: Option<ContainerImage>, second: Option<ContainerImage>) -> Snapshot {
    let mut snap = snapshot();
    let mut other = snap.containers[0].clone();
    other.id = "e".repeat(64);
    snap.containers[0].image = first;
    other.image = second;
    snap.containers.push(other);
    snap
}

fn image(reference: &str, digest: Option<&str>, id: Option<&str>) -> Option<ContainerImage> {
    Some(ContainerImage {
        reference: reference.into(),
        digest: digest.map(str::to_string),
        id: id.map(str::to_string),
    })
}

fn send(srv: &TestServer, key: &str, snap: &Snapshot) {
    let agent = srv.token("agent", None);
    let body = serde_json::to_vec(snap).unwrap();
    let (s, v) = srv.call(
        "POST",
        "/api/v1/agents/snapshots",
        Some(&agent),
        &[("Idempotency-Key", key)],
        Some(&body),
    );
    assert_eq!(s, 202, "{}: {v}", srv.backend);
}

fn assets(srv: &TestServer, kind: &str) -> Vec<Value> {
    let (_, v) = srv.get(&format!("/api/v1/assets?kind={kind}"), &srv.admin_token);
    v["items"].as_array().unwrap().clone()
}

/// `(relation, direction, kind, name)` of an asset's relations.
fn relations(srv: &TestServer, id: &str) -> Vec<(String, String, String, String)> {
    let (s, one) = srv.get(&format!("/api/v1/assets/{id}"), &srv.admin_token);
    assert_eq!(s, 200, "{one}");
    one["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let t = |v: &Value| v.as_str().unwrap().to_string();
            (
                t(&r["relation"]),
                t(&r["direction"]),
                t(&r["asset"]["kind"]),
                t(&r["asset"]["name"]),
            )
        })
        .collect()
}

fn rel(
    relation: &str,
    direction: &str,
    kind: &str,
    name: &str,
) -> (String, String, String, String) {
    (relation.into(), direction.into(), kind.into(), name.into())
}

#[test]
fn containers_run_the_image_a_scan_uploaded_before() {
    each_backend(|srv| {
        let ci = srv.token("ci", None);
        let (s, v) = srv.upload(&ci, "scan-image-0001", &report("report-image.json"));
        assert_eq!(s, 202, "{v}");
        let scanned = assets(srv, "image");
        assert_eq!(scanned.len(), 1);
        let image_id = scanned[0]["id"].as_str().unwrap().to_string();
        let image_name = format!("registry.example.org/acme/web@{DIGEST}");
        assert_eq!(scanned[0]["name"], image_name.as_str());

        // One container knows the manifest digest (Docker's repository
        // digest, CRI-O's images.json), the other only the image ID.
        send(
            srv,
            "agent-img-0001",
            &with_images(
                image(
                    "registry.example.org/acme/web:1.4",
                    Some(DIGEST),
                    Some(CONFIG),
                ),
                image("registry.example.org/acme/web:latest", None, Some(CONFIG)),
            ),
        );
        let images = assets(srv, "image");
        assert_eq!(images.len(), 1, "no placeholder: {images:?}");

        let containers = assets(srv, "container");
        assert_eq!(containers.len(), 2);
        for c in &containers {
            let id = c["id"].as_str().unwrap();
            let r = relations(srv, id);
            assert!(
                r.contains(&rel("runs_image", "out", "image", &image_name)),
                "{}: {r:?}",
                srv.backend
            );
            assert!(c["metadata"]["image"]["reference"]
                .as_str()
                .unwrap()
                .starts_with("registry.example.org/acme/web:"));
        }
        // The image lists the containers running it.
        let r = relations(srv, &image_id);
        let names: Vec<&str> = r
            .iter()
            .filter(|r| r.0 == "runs_image" && r.1 == "in" && r.2 == "container")
            .map(|r| r.3.as_str())
            .collect();
        assert_eq!(names.len(), 2, "{r:?}");
    });
}

#[test]
fn a_placeholder_image_is_taken_over_by_a_later_scan() {
    each_backend(|srv| {
        // Kubernetes on containerd: the reference only; Docker Hub's
        // short name on the other.
        let snap = with_images(
            image("registry.example.org/acme/web:1.4", None, None),
            image("redis:7", None, None),
        );
        send(srv, "agent-img-0002", &snap);
        let mut names: Vec<String> = assets(srv, "image")
            .iter()
            .map(|a| {
                assert_eq!(a["metadata"]["placeholder"], true, "{a}");
                a["name"].as_str().unwrap().to_string()
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "docker.io/library/redis:7",
                "registry.example.org/acme/web:1.4"
            ]
        );

        // The scan of that tag: its asset takes over the placeholder's
        // container.
        let ci = srv.token("ci", None);
        let (s, v) = srv.upload(&ci, "scan-image-0002", &report("report-image.json"));
        assert_eq!(s, 202, "{v}");
        let image_name = format!("registry.example.org/acme/web@{DIGEST}");
        let mut names: Vec<String> = assets(srv, "image")
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["docker.io/library/redis:7", image_name.as_str()]);
        let first = vigil_server::ingest::AssetKey {
            kind: "container".into(),
            name: snap.containers[0].id.clone(),
        }
        .id();
        let runs = |srv: &TestServer| -> Vec<String> {
            relations(srv, &first)
                .into_iter()
                .filter(|r| r.0 == "runs_image")
                .map(|r| r.3)
                .collect()
        };
        assert_eq!(
            runs(srv),
            std::slice::from_ref(&image_name),
            "{}",
            srv.backend
        );

        // The next snapshot (still only the tag) finds the scanned image
        // by its repository and tag: no placeholder again.
        send(srv, "agent-img-0003", &snap);
        assert_eq!(assets(srv, "image").len(), 2);
        assert_eq!(runs(srv), [image_name]);
    });
}

#[test]
fn an_image_only_seen_running_is_still_unknown_to_admission() {
    let policy = vigil_server::admission::AdmissionPolicy {
        deny_unknown: true,
        ..Default::default()
    };
    support::each_backend_with(
        |c| c.admission = Some(policy.clone()),
        |srv| {
            // The placeholder of a running container's image, never
            // scanned.
            send(
                srv,
                "agent-img-0004",
                &with_images(image("registry.example.org/acme/web:1.4", None, None), None),
            );
            assert_eq!(assets(srv, "image").len(), 1);
            let body = std::fs::read(support::fixture(
                "admission/deployment-tag-and-unknown.json",
            ))
            .unwrap();
            let (_, v) = srv.call("POST", "/api/v1/admission/review", None, &[], Some(&body));
            let message = v["response"]["status"]["message"].as_str().unwrap();
            assert!(
                message.contains(
                    "image registry.example.org/acme/web:1.4 has never been scanned by vigil"
                ),
                "{}: {message}",
                srv.backend
            );
        },
    );
}
