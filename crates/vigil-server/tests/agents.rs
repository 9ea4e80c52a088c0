//! Agent snapshots: full documents, deltas against the previous one,
//! heartbeats, and the runtime context findings get from them.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use support::{each_backend, fixture, TestServer};
use vigil_agent::Snapshot;

fn snapshot(name: &str) -> Snapshot {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil/tests/fixtures/agent")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn send(srv: &TestServer, token: &str, key: &str, doc: &impl serde::Serialize) -> (u16, Value) {
    let body = serde_json::to_vec(doc).unwrap();
    srv.call(
        "POST",
        "/api/v1/agents/snapshots",
        Some(token),
        &[("Idempotency-Key", key)],
        Some(&body),
    )
}

fn import_debian_advisory(srv: &TestServer) {
    let (s, v) = srv.post(
        "/api/v1/advisories/update",
        &srv.admin_token,
        &json!({ "paths": [fixture("advisories-debian")] }),
    );
    assert_eq!(s, 200, "{v}");
}

fn openssl_finding(srv: &TestServer) -> Value {
    let (_, v) = srv.get(
        "/api/v1/vulnerabilities/CVE-2026-99101/assets",
        &srv.admin_token,
    );
    let found = v["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{v}");
    found[0].clone()
}

#[test]
fn a_snapshot_makes_a_host_whose_findings_carry_their_runtime_context() {
    each_backend(|srv| {
        import_debian_advisory(srv);
        let agent = srv.token("agent", None);
        let full = snapshot("snapshot-debian12.json");
        let (s, v) = send(srv, &agent, "agent-full-0001", &full);
        assert_eq!(s, 202, "{}: {v}", srv.backend);
        assert_eq!(v["changes"]["new"], 1, "{v}");

        let (_, assets) = srv.get("/api/v1/assets?kind=host", &srv.admin_token);
        let host = &assets["items"][0];
        assert_eq!(host["name"], "3f9a1c0d5e7b2a4c6d8e0f1a2b3c4d5e");
        assert_eq!(host["metadata"]["hostname"], "web-01");
        assert_eq!(host["exposure"], "public");
        let f = openssl_finding(srv);
        assert_eq!(f["asset"]["kind"], "host");
        assert_eq!(f["package"]["name"], "libssl3");
        assert_eq!(f["exposure"], "public");
        let pids: Vec<i64> = f["finding"]["runtime"]["processes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pid"].as_i64().unwrap())
            .collect();
        assert_eq!(pids, [812, 1430]);
        assert_eq!(
            f["finding"]["runtime"]["data_assets"],
            json!(["postgresql", "redis"])
        );
        assert_eq!(
            srv.get("/api/v1/findings?exposure=public", &srv.admin_token)
                .1["total"],
            1
        );
        // Its risk score, in that context.
        assert_eq!(
            f["risk"]["reasons"],
            json!([
                "exposed: listens on a public address",
                "reaches postgresql, redis",
                "not in KEV"
            ])
        );
        let public_risk = f["risk"]["score"].as_f64().unwrap();

        // Nothing changed: a heartbeat keeps everything as it is.
        let mut later = full.clone();
        later.taken_at = "2026-11-28T10:01:00Z".into();
        let mut beat = vigil_agent::diff(&full, &later);
        beat.base = "agent-full-0001".into();
        assert!(beat.is_heartbeat());
        let (s, v) = send(srv, &agent, "agent-beat-0001", &beat);
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["new"], 0);

        // nginx stops: libssl3 is loaded only by the internal service now.
        let mut no_nginx = later.clone();
        no_nginx.processes.retain(|p| p.pid != 812);
        no_nginx.taken_at = "2026-11-28T10:02:00Z".into();
        let mut delta = vigil_agent::diff(&later, &no_nginx);
        delta.base = "agent-beat-0001".into();
        assert_eq!(delta.removed, [812]);
        let (s, v) = send(srv, &agent, "agent-delta-0001", &delta);
        assert_eq!(s, 202, "{v}");
        let f = openssl_finding(srv);
        assert_eq!(f["exposure"], "internal");
        assert_eq!(f["state"], "open");
        // Reachable from internal networks only: a lower score.
        assert_eq!(
            f["risk"]["reasons"][0],
            "reachable from internal networks only"
        );
        assert!(f["risk"]["score"].as_f64().unwrap() < public_risk, "{f}");

        // A delta whose base the server does not hold: 409, send a full one.
        let (s, v) = send(srv, &agent, "agent-delta-0002", &delta);
        assert_eq!(s, 409, "{v}");
        assert!(v["error"]
            .as_str()
            .unwrap()
            .contains("send a full snapshot"));
        // A retry of a stored delta is a duplicate, not a conflict.
        let (s, v) = send(srv, &agent, "agent-delta-0001", &delta);
        assert_eq!((s, &v["duplicate"]), (200, &json!(true)));
    });
}

#[test]
fn containers_are_assets_related_to_their_host() {
    each_backend(|srv| {
        let agent = srv.token("agent", None);
        let mut snap = snapshot("snapshot-container.json");
        // The same container, run by Kubernetes in a pod.
        snap.containers[0].pod = Some("5c0f9a52-7d1e-4b8e-9f3a-1d2c3b4a5e6f".into());
        let (s, v) = send(srv, &agent, "agent-cont-0001", &snap);
        assert_eq!(s, 202, "{v}");
        let (_, v) = srv.get("/api/v1/assets?kind=container", &srv.admin_token);
        assert_eq!(v["total"], 1, "{v}");
        let c = &v["items"][0];
        assert!(c["name"].as_str().unwrap().starts_with("9d2b7e4f1a3c"));
        assert_eq!(c["metadata"]["runtime"], "docker");
        assert_eq!(c["metadata"]["packages"], 4);
        let (_, one) = srv.get(
            &format!("/api/v1/assets/{}", c["id"].as_str().unwrap()),
            &srv.admin_token,
        );
        let rel: Vec<(String, String, String)> = one["relations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["relation"].as_str().unwrap().to_string(),
                    r["direction"].as_str().unwrap().to_string(),
                    r["asset"]["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rel,
            [
                ("in_pod".to_string(), "out".to_string(), "pod".to_string()),
                ("runs_on".to_string(), "out".to_string(), "host".to_string()),
            ],
            "{one}"
        );
        let (_, pods) = srv.get("/api/v1/assets?kind=pod", &srv.admin_token);
        assert_eq!(
            pods["items"][0]["name"],
            "5c0f9a52-7d1e-4b8e-9f3a-1d2c3b4a5e6f"
        );
    });
}

#[test]
fn only_agents_send_snapshots_and_malformed_ones_are_refused() {
    each_backend(|srv| {
        let ci = srv.token("ci", None);
        let (s, _) = send(
            srv,
            &ci,
            "agent-ci-0001",
            &snapshot("snapshot-debian12.json"),
        );
        assert_eq!(s, 403);
        let agent = srv.token("agent", None);
        let (s, v) = send(
            srv,
            &agent,
            "agent-bad-0001",
            &json!({"kind": "delta", "schema_version": 1}),
        );
        assert_eq!(s, 400);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("the body is not an agent delta: missing field"),
            "{v}"
        );
        let (s, v) = send(
            srv,
            &agent,
            "agent-bad-0002",
            &json!({"schema_version": 1, "processes": []}),
        );
        assert_eq!(s, 400);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("not an agent snapshot"),
            "{v}"
        );
        // An agent token reads nothing.
        assert_eq!(srv.get("/api/v1/assets", &agent).0, 403);
    });
}
