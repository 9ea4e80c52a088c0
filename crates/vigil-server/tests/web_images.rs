//! The dashboard's view of images and the containers running them: an
//! image's page says where it runs, a container's page the image it runs,
//! a host's page the images its containers run, and the vulnerability
//! page where an affected image runs — through the real server on each
//! backend.

#![allow(clippy::unwrap_used)]

mod support;

use support::{each_backend, report, TestServer};
use vigil_agent::{ContainerImage, Snapshot};
use vigil_server::ingest::AssetKey;

const DIGEST: &str = "sha256:abababababababababababababababababababababababababababababababab";
const CONFIG: &str = "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

/// A dashboard page (status, body), the token as the session cookie.
fn page(srv: &TestServer, path: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut response = agent
        .get(format!("{}{}", srv.base, path))
        .header("Cookie", format!("vigil_session={}", srv.admin_token))
        .call()
        .unwrap();
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap(),
    )
}

/// snapshot-container.json as host `n` (`docker-0n`), its container
/// repeated under the IDs given, each running `image`.
fn host(n: u8, containers: &[char], image: &ContainerImage) -> Snapshot {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil/tests/fixtures/agent/snapshot-container.json");
    let mut snap: Snapshot = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    snap.host.id = format!("{n}").repeat(32);
    snap.host.hostname = format!("docker-0{n}");
    let template = snap.containers[0].clone();
    snap.containers = containers
        .iter()
        .map(|c| {
            let mut one = template.clone();
            one.id = c.to_string().repeat(64);
            one.image = Some(image.clone());
            one
        })
        .collect();
    snap
}

fn send(srv: &TestServer, key: &str, snap: &Snapshot) {
    let agent = srv.token("agent", None);
    let (s, v) = srv.call(
        "POST",
        "/api/v1/agents/snapshots",
        Some(&agent),
        &[("Idempotency-Key", key)],
        Some(&serde_json::to_vec(snap).unwrap()),
    );
    assert_eq!(s, 202, "{v}");
}

fn id(kind: &str, name: &str) -> String {
    AssetKey {
        kind: kind.into(),
        name: name.into(),
    }
    .id()
}

#[test]
fn pages_say_which_image_runs_where() {
    each_backend(|srv| {
        let ci = srv.token("ci", None);
        let (s, v) = srv.upload(&ci, "web-images-scan", &report("report-image.json"));
        assert_eq!(s, 202, "{v}");
        let image_name = format!("registry.example.org/acme/web@{DIGEST}");
        let image_id = id("image", &image_name);
        let by_digest = ContainerImage {
            reference: "registry.example.org/acme/web:1.4".into(),
            digest: Some(DIGEST.into()),
            id: None,
        };
        let by_id = ContainerImage {
            reference: "registry.example.org/acme/web:1.4".into(),
            digest: None,
            id: Some(CONFIG.into()),
        };
        send(srv, "web-images-h1", &host(1, &['a', 'b'], &by_digest));
        // Host 2 ran two containers of it, then one stopped.
        send(srv, "web-images-h2a", &host(2, &['c', 'd'], &by_id));
        send(srv, "web-images-h2b", &host(2, &['c'], &by_id));

        let (s, body) = page(srv, &format!("/ui/assets/{image_id}"));
        assert_eq!(s, 200);
        assert!(
            body.contains("Running now on 3 containers on 2 hosts; 1 container seen before."),
            "{}: {body}",
            srv.backend
        );
        let host1 = id("host", &"1".repeat(32));
        assert!(body.contains(&format!("<a href=\"/ui/assets/{host1}\">docker-01</a>")));
        let c = id("container", &"c".repeat(64));
        assert!(body.contains(&format!("<a href=\"/ui/assets/{c}\">cccccccccccc</a>")));
        assert!(!body.contains("No scan of this image was uploaded"));

        // The container's page: its image, linked.
        let (_, body) = page(srv, &format!("/ui/assets/{c}"));
        assert!(
            body.contains(&format!("Runs image {image_name}.")),
            "{body}"
        );
        assert!(body.contains(&format!(
            "<a href=\"/ui/assets/{image_id}\">{image_name}</a>"
        )));
        assert!(body.contains("runs image"), "the relation: {body}");

        // The host's page: the images its containers run.
        let (_, body) = page(srv, &format!("/ui/assets/{host1}"));
        assert!(body.contains("Its containers run 1 image now."), "{body}");
        assert!(body.contains(&format!(
            "<a href=\"/ui/assets/{image_id}\">{image_name}</a>"
        )));

        // The vulnerability page: the image's row says where it runs.
        let (s, body) = page(srv, "/ui/vulnerabilities/GHSA-35jh-r3h4-6jhm");
        assert_eq!(s, 200);
        assert!(
            body.contains("running on 3 containers on 2 hosts"),
            "{body}"
        );
    });
}

#[test]
fn an_image_no_scan_uploaded_is_a_placeholder_page() {
    each_backend(|srv| {
        let image = ContainerImage {
            reference: "redis:7".into(),
            digest: None,
            id: None,
        };
        send(srv, "web-images-ph", &host(3, &['f'], &image));
        let (s, body) = page(
            srv,
            &format!("/ui/assets/{}", id("image", "docker.io/library/redis:7")),
        );
        assert_eq!(s, 200);
        assert!(
            body.contains("Running now on 1 container on 1 host."),
            "{body}"
        );
        assert!(
            body.contains("No scan of this image was uploaded"),
            "{body}"
        );
        let (_, body) = page(
            srv,
            &format!("/ui/assets/{}", id("container", &"f".repeat(64))),
        );
        assert!(body.contains("not scanned"), "{body}");
    });
}
