//! Kubernetes admission control with real AdmissionReview v1 payloads.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use support::{each_backend_with, fixture, report, TestServer};
use vigil_server::admission::AdmissionPolicy;

fn review(srv: &TestServer, name: &str) -> (u16, Value) {
    let body = std::fs::read(fixture(&format!("admission/{name}"))).unwrap();
    srv.call("POST", "/api/v1/admission/review", None, &[], Some(&body))
}

fn policy(deny_severity: &str, deny_unknown: bool) -> AdmissionPolicy {
    AdmissionPolicy {
        deny_severity: Some(deny_severity.into()),
        deny_unknown,
        ..AdmissionPolicy::default()
    }
}

#[test]
fn a_pod_whose_image_has_findings_the_policy_denies_is_refused() {
    each_backend_with(
        |c| c.admission = Some(policy("HIGH", false)),
        |srv| {
            srv.upload(
                &srv.admin_token,
                "adm-image-0001",
                &report("report-image.json"),
            );
            let (s, v) = review(srv, "pod-scanned-image.json");
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["apiVersion"], "admission.k8s.io/v1");
            assert_eq!(v["kind"], "AdmissionReview");
            let r = &v["response"];
            assert_eq!(r["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
            assert_eq!(r["allowed"], false);
            assert_eq!(r["status"]["code"], 403);
            let message = r["status"]["message"].as_str().unwrap();
            assert!(
                message.starts_with(
                    "denied by vigil: image registry.example.org/acme/web:1.4@sha256:abab"
                ),
                "{message}"
            );
            assert!(
                message.contains("1 open finding the policy denies: GHSA-35jh-r3h4-6jhm (HIGH)"),
                "{message}"
            );

            // A pod template naming the image by tag is judged the same; an
            // image never scanned is allowed with a warning.
            let (_, v) = review(srv, "deployment-tag-and-unknown.json");
            assert_eq!(v["response"]["allowed"], false, "{v}");
            assert_eq!(
                v["response"]["warnings"],
                json!(["vigil: image envoyproxy/envoy:v1.31.0 has never been scanned; allowed without a check"])
            );
            // kube-system is exempt.
            let (_, v) = review(srv, "pod-exempt-namespace.json");
            assert_eq!(v["response"]["allowed"], true);

            // An accepted risk no longer denies.
            let id = srv.get("/api/v1/findings", &srv.admin_token).1["items"][0]["id"].clone();
            let (s, _) = srv.post(
                "/api/v1/findings/triage",
                &srv.admin_token,
                &json!({"ids": [id], "action": "accept", "justification": "internal only"}),
            );
            assert_eq!(s, 200);
            let (_, v) = review(srv, "pod-scanned-image.json");
            assert_eq!(v["response"]["allowed"], true, "{v}");
            assert!(v["response"].get("status").is_none());
        },
    );
}

#[test]
fn the_default_policy_denies_critical_and_known_exploited_only() {
    let srv = TestServer::start_with(None, |c| c.admission = Some(AdmissionPolicy::default()));
    srv.upload(
        &srv.admin_token,
        "adm-image-0002",
        &report("report-image.json"),
    );
    let (_, v) = review(&srv, "pod-scanned-image.json");
    assert_eq!(v["response"]["allowed"], true, "a HIGH finding passes: {v}");
    let mut kev = report("report-image.json");
    kev["findings"][0]["kev"] = json!(true);
    srv.upload(&srv.admin_token, "adm-image-0003", &kev);
    let (_, v) = review(&srv, "pod-scanned-image.json");
    assert_eq!(v["response"]["allowed"], false, "{v}");
    assert!(v["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("GHSA-35jh-r3h4-6jhm (HIGH, known exploited)"));
}

#[test]
fn unknown_images_can_be_denied() {
    let srv = TestServer::start_with(None, |c| c.admission = Some(policy("CRITICAL", true)));
    let (_, v) = review(&srv, "deployment-tag-and-unknown.json");
    assert_eq!(v["response"]["allowed"], false);
    let message = v["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("image registry.example.org/acme/web:1.4 has never been scanned by vigil"),
        "{message}"
    );
    assert!(message.contains("image envoyproxy/envoy:v1.31.0 has never been scanned by vigil"));
}

#[test]
fn admission_is_off_unless_enabled_and_malformed_reviews_are_refused() {
    let off = TestServer::start(None);
    let (s, v) = review(&off, "pod-scanned-image.json");
    assert_eq!(s, 404, "{v}");
    let on = TestServer::start_with(None, |c| c.admission = Some(AdmissionPolicy::default()));
    let (s, v) = on.call(
        "POST",
        "/api/v1/admission/review",
        None,
        &[],
        Some(b"{\"kind\": \"Pod\"}"),
    );
    assert_eq!(s, 400);
    assert!(
        v["error"].as_str().unwrap().contains("AdmissionReview"),
        "{v}"
    );
    let (s, v) = on.call(
        "POST",
        "/api/v1/admission/review",
        None,
        &[],
        Some(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}"#),
    );
    assert_eq!(
        (s, &v["error"]),
        (400, &json!("the AdmissionReview has no request.uid"))
    );
}

#[test]
fn a_least_risk_score_denies_images_with_an_open_finding_at_or_above() {
    each_backend_with(
        |c| {
            c.admission = Some(AdmissionPolicy {
                deny_severity: None,
                deny_risk: Some(7.5),
                deny_kev: false,
                ..AdmissionPolicy::default()
            })
        },
        |srv| {
            let scored = |score: f64| {
                let mut r = report("report-image.json");
                r["findings"][0]["risk"] =
                    json!({ "score": score, "reasons": ["not in KEV"], "vector": "CVSS:3.1/AV:N" });
                r
            };
            let (s, _) = srv.upload(&srv.admin_token, "adm-risk-0001", &scored(7.5));
            assert_eq!(s, 202);
            let (_, v) = review(srv, "pod-scanned-image.json");
            assert_eq!(v["response"]["allowed"], false, "{v}");
            let message = v["response"]["status"]["message"].as_str().unwrap();
            assert!(
                message.contains("GHSA-35jh-r3h4-6jhm (HIGH, risk 7.5)"),
                "{message}"
            );
            // The next scan scores it lower: allowed.
            let (s, _) = srv.upload(&srv.admin_token, "adm-risk-0002", &scored(7.4));
            assert_eq!(s, 202);
            let (_, v) = review(srv, "pod-scanned-image.json");
            assert_eq!(v["response"]["allowed"], true, "{v}");
        },
    );
}
