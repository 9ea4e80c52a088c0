//! The server's REST API, end to end over HTTP on 127.0.0.1, on SQLite and
//! (when VIGIL_TEST_POSTGRES_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::type_complexity)]

mod support;

use std::io::Write;

use serde_json::{json, Value};
use support::{each_backend, fixture, report, TestServer};

fn findings(srv: &TestServer, query: &str, token: &str) -> Vec<Value> {
    let (s, v) = srv.get(&format!("/api/v1/findings?{query}"), token);
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

fn by_rule<'a>(items: &'a [Value], rule: &str) -> &'a Value {
    items
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no finding {rule} in {items:?}"))
}

#[test]
fn findings_have_a_lifecycle() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let (s, v) = srv.upload(admin, "upload-a-0001", &report("report-a.json"));
        assert_eq!(s, 202, "{}: {v}", srv.backend);
        assert_eq!(v["duplicate"], false);
        assert_eq!(v["changes"]["new"], 4);
        assert_eq!(v["changes"]["components"], 3);
        let all = findings(srv, "", admin);
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|f| f["state"] == "new"));
        // The secret was suppressed in the source (an inline comment).
        assert_eq!(
            by_rule(&all, "github-pat-classic")["triage"]["status"],
            "suppressed"
        );
        // Most severe first.
        assert_eq!(all[0]["severity"], "CRITICAL");

        // The next scan no longer has the Dockerfile finding: fixed.
        let (s, v) = srv.upload(admin, "upload-b-0001", &report("report-b.json"));
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["fixed"], 1);
        assert_eq!(v["changes"]["new"], 0);
        let all = findings(srv, "", admin);
        let misconf = by_rule(&all, "VIGIL-DF-001");
        assert_eq!(misconf["state"], "fixed");
        assert!(misconf["fixed_at"].is_string());
        assert_eq!(by_rule(&all, "GHSA-462w-v97r-4m45")["state"], "open");

        // It comes back: reopened.
        let (s, v) = srv.upload(admin, "upload-a-0002", &report("report-a.json"));
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["reopened"], 1);
        let reopened = findings(srv, "state=reopened", admin);
        assert_eq!(reopened.len(), 1);
        assert_eq!(reopened[0]["rule_id"], "VIGIL-DF-001");
        assert!(reopened[0]["reopened_at"].is_string());
        assert!(reopened[0].get("fixed_at").is_none());
        assert_eq!(findings(srv, "state=fixed", admin).len(), 0);
        assert_eq!(findings(srv, "state=active", admin).len(), 4);
        assert_eq!(
            findings(srv, "kind=secret,misconfiguration", admin).len(),
            2
        );
        assert_eq!(findings(srv, "severity=high", admin).len(), 2);
        assert_eq!(findings(srv, "triage=none", admin).len(), 3);

        // The asset: named by its remote, credentials stripped; the commit
        // of the last scan.
        let (s, v) = srv.get("/api/v1/assets", admin);
        assert_eq!(s, 200);
        let asset = &v["items"][0];
        assert_eq!(asset["kind"], "repository");
        assert_eq!(asset["name"], "https://git.example.org/acme/payments.git");
        assert_eq!(asset["metadata"]["commit"], "4f2a9c1");
        assert_eq!(asset["open_findings"]["high"], 2);
        assert_eq!(asset["open_findings"]["medium"], 1);
        assert_eq!(asset["components"], 3);
        let id = asset["id"].as_str().unwrap();
        let (s, v) = srv.get(&format!("/api/v1/assets/{id}/components"), admin);
        assert_eq!(s, 200);
        assert_eq!(v["total"], 3);
        assert_eq!(v["items"][0]["name"], "Jinja2");
    });
}

#[test]
fn uploads_are_idempotent() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let (s, _) = srv.upload(admin, "retry-key-0001", &report("report-a.json"));
        assert_eq!(s, 202);
        // A retry (the acknowledgement was lost): recognised, not applied
        // again — the findings would be `open` had it been.
        let (s, v) = srv.upload(admin, "retry-key-0001", &report("report-a.json"));
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["duplicate"], true);
        assert!(v.get("changes").is_none());
        assert!(findings(srv, "", admin).iter().all(|f| f["state"] == "new"));
        // Without a key, the body's hash is the key.
        let body = serde_json::to_vec(&report("report-b.json")).unwrap();
        let (s1, _) = srv.call("POST", "/api/v1/scans", Some(admin), &[], Some(&body));
        let (s2, v2) = srv.call("POST", "/api/v1/scans", Some(admin), &[], Some(&body));
        assert_eq!((s1, s2), (202, 200), "{v2}");
    });
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn malformed_uploads_are_refused_naming_the_problem() {
    each_backend(|srv| {
        let admin = Some(srv.admin_token.as_str());
        let post = |headers: &[(&str, &str)], body: &[u8]| {
            srv.call("POST", "/api/v1/scans", admin, headers, Some(body))
        };
        let (s, v) = post(&[], b"{not json");
        assert_eq!(s, 400);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("the body is not a vigil JSON report"),
            "{v}"
        );
        let mut bad = report("report-a.json");
        bad["findings"][1]
            .as_object_mut()
            .unwrap()
            .remove("fingerprint");
        let (s, v) = post(&[], &serde_json::to_vec(&bad).unwrap());
        assert_eq!(s, 400);
        assert_eq!(v["error"], "findings[1]: missing field `fingerprint`");
        let mut bad = report("report-a.json");
        bad["components"][2]["ecosystem"] = json!("CPAN-ish");
        let (s, v) = post(&[], &serde_json::to_vec(&bad).unwrap());
        assert_eq!(s, 400);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("components[2]: unknown ecosystem"),
            "{v}"
        );
        let (s, v) = post(&[("Content-Type", "text/plain")], b"{}");
        assert_eq!(s, 415, "{v}");
        let (s, v) = post(&[("Content-Encoding", "br")], b"{}");
        assert_eq!(s, 415, "{v}");
        let (s, v) = post(&[("Content-Encoding", "gzip")], b"not gzip at all");
        assert_eq!(s, 400, "{v}");
        assert!(v["error"].as_str().unwrap().contains("gzip"), "{v}");
        let (s, v) = post(&[("Idempotency-Key", "bad key!")], b"{}");
        assert_eq!(s, 400, "{v}");
        let (s, v) = srv.get("/api/v1/assets", &srv.admin_token);
        assert_eq!(
            (s, v["total"].as_i64()),
            (200, Some(0)),
            "nothing half-stored"
        );
        // A compressed report is fine.
        let body = gzip(&serde_json::to_vec(&report("report-a.json")).unwrap());
        let (s, v) = post(&[("Content-Encoding", "gzip")], &body);
        assert_eq!(s, 202, "{v}");
    });
}

#[test]
fn uploads_beyond_the_size_limit_are_refused() {
    let srv = TestServer::start_with(None, |c| c.max_upload_bytes = 2048);
    let body = serde_json::to_vec(&report("report-a.json")).unwrap();
    assert!(body.len() > 2048);
    let (s, _) = srv.call(
        "POST",
        "/api/v1/scans",
        Some(&srv.admin_token),
        &[],
        Some(&body),
    );
    assert_eq!(s, 413);
    // Compressed below the limit, larger once decompressed: refused too.
    let small = gzip(&body);
    assert!(small.len() < 2048);
    let (s, v) = srv.call(
        "POST",
        "/api/v1/scans",
        Some(&srv.admin_token),
        &[("Content-Encoding", "gzip")],
        Some(&small),
    );
    assert_eq!(s, 413, "{v}");
    assert!(v["error"].as_str().unwrap().contains("2048-byte limit"));
}

/// Every endpoint, called with every role's token and without one: 401
/// without, 403 for a role without the permission, anything else for one
/// with it.
#[test]
fn every_endpoint_checks_every_role() {
    each_backend(|srv| {
        let roles = ["admin", "analyst", "developer", "viewer", "ci", "agent"];
        let tokens: Vec<(&str, String)> = roles
            .iter()
            .map(|r| {
                let team = (*r == "developer").then_some("payments");
                let t = if *r == "admin" {
                    srv.admin_token.clone()
                } else {
                    srv.token(r, team)
                };
                (*r, t)
            })
            .collect();
        let report = serde_json::to_vec(&report("report-a.json")).unwrap();
        let read = &["admin", "analyst", "developer", "viewer"][..];
        let admin_only = &["admin"][..];
        // (method, path, body, roles allowed)
        let cases: Vec<(&str, String, Option<Vec<u8>>, &[&str])> = vec![
            (
                "POST",
                "/api/v1/scans".into(),
                Some(report.clone()),
                &["admin", "developer", "ci"],
            ),
            (
                "POST",
                "/api/v1/sboms".into(),
                Some(std::fs::read(fixture("billing.cdx.json")).unwrap()),
                &["admin", "developer", "ci"],
            ),
            (
                "POST",
                "/api/v1/vex".into(),
                Some(std::fs::read(fixture("openvex-lodash.json")).unwrap()),
                &["admin", "analyst"],
            ),
            ("GET", "/api/v1/findings".into(), None, read),
            ("GET", "/api/v1/findings/0000".into(), None, read),
            (
                "POST",
                "/api/v1/findings/triage".into(),
                Some(br#"{"ids":["x"],"action":"accept","justification":"j"}"#.to_vec()),
                &["admin", "analyst"],
            ),
            ("GET", "/api/v1/assets".into(), None, read),
            ("GET", "/api/v1/assets/0000".into(), None, read),
            (
                "PATCH",
                "/api/v1/assets/0000".into(),
                Some(br#"{"team":null}"#.to_vec()),
                admin_only,
            ),
            ("GET", "/api/v1/assets/0000/components".into(), None, read),
            (
                "GET",
                "/api/v1/vulnerabilities/CVE-2019-10906/assets".into(),
                None,
                read,
            ),
            (
                "POST",
                "/api/v1/advisories/update".into(),
                Some(
                    format!(r#"{{"paths":["{}"]}}"#, fixture("advisories-1").display())
                        .into_bytes(),
                ),
                admin_only,
            ),
            ("GET", "/api/v1/advisories/status".into(), None, read),
            ("GET", "/api/v1/teams".into(), None, read),
            (
                "POST",
                "/api/v1/teams".into(),
                Some(br#"{"name":"t-from-matrix"}"#.to_vec()),
                admin_only,
            ),
            (
                "POST",
                "/api/v1/users".into(),
                Some(
                    br#"{"username":"u-matrix","password":"long enough password","role":"viewer"}"#
                        .to_vec(),
                ),
                admin_only,
            ),
            ("GET", "/api/v1/tokens".into(), None, admin_only),
            (
                "POST",
                "/api/v1/tokens".into(),
                Some(br#"{"name":"t","role":"ci"}"#.to_vec()),
                admin_only,
            ),
            ("DELETE", "/api/v1/tokens/0000".into(), None, admin_only),
            ("GET", "/api/v1/audit".into(), None, admin_only),
            ("GET", "/api/v1/stats".into(), None, read),
            (
                "GET",
                "/api/v1/notifications/rules".into(),
                None,
                admin_only,
            ),
            (
                "POST",
                "/api/v1/notifications/rules".into(),
                Some(br#"{"name":"m","url":"http://127.0.0.1:9/hook","format":"json"}"#.to_vec()),
                admin_only,
            ),
            (
                "DELETE",
                "/api/v1/notifications/rules/0000".into(),
                None,
                admin_only,
            ),
            (
                "GET",
                "/api/v1/notifications/deliveries".into(),
                None,
                &["admin", "analyst"],
            ),
        ];
        for (method, path, body, allowed) in &cases {
            let (s, v) = srv.call(method, path, None, &[], body.as_deref());
            assert_eq!(s, 401, "{method} {path} without a token: {v}");
            for (role, token) in &tokens {
                let headers: Vec<(&str, &str)> = if path == "/api/v1/scans" {
                    // Distinct keys: each role's upload is a new upload.
                    vec![("Idempotency-Key", role_key(role))]
                } else {
                    vec![]
                };
                let (s, v) = srv.call(method, path, Some(token), &headers, body.as_deref());
                if allowed.contains(role) {
                    assert!(
                        s != 401 && s != 403,
                        "{method} {path} as {role} should be allowed: {s} {v}"
                    );
                } else {
                    assert_eq!(s, 403, "{method} {path} as {role}: {v}");
                    assert!(v["error"].as_str().unwrap().contains(role), "{v}");
                }
            }
        }
        // Unauthenticated endpoints.
        for path in ["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"] {
            assert_eq!(srv.call("GET", path, None, &[], None).0, 200, "{path}");
        }
        let (s, _) = srv.call(
            "GET",
            "/api/v1/findings",
            Some("vgl_not_a_real_token"),
            &[],
            None,
        );
        assert_eq!(s, 401);
    });
}

fn role_key(role: &str) -> &'static str {
    match role {
        "admin" => "matrix-admin",
        "analyst" => "matrix-analyst",
        "developer" => "matrix-developer",
        "viewer" => "matrix-viewer",
        "ci" => "matrix-ci-key",
        _ => "matrix-agent",
    }
}

#[test]
fn developers_see_only_their_teams_assets() {
    each_backend(|srv| {
        let ci_payments = srv.token("ci", Some("payments"));
        let ci_web = srv.token("ci", Some("web"));
        assert_eq!(
            srv.upload(&ci_payments, "team-a-0001", &report("report-a.json"))
                .0,
            202
        );
        assert_eq!(
            srv.upload(&ci_web, "team-b-0001", &report("report-image.json"))
                .0,
            202
        );
        let dev_web = srv.token("developer", Some("web"));
        let analyst = srv.token("analyst", None);

        let (_, v) = srv.get("/api/v1/assets", &dev_web);
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(v["items"][0]["kind"], "image");
        assert_eq!(v["items"][0]["team"], "web");
        assert_eq!(
            v["items"][0]["name"],
            format!("registry.example.org/acme/web@sha256:{}", "ab".repeat(32))
        );
        assert_eq!(findings(srv, "", &dev_web).len(), 1);
        let (_, v) = srv.get("/api/v1/vulnerabilities/CVE-2021-23337/assets", &dev_web);
        assert_eq!(v["findings"].as_array().unwrap().len(), 1);
        let (_, v) = srv.get("/api/v1/vulnerabilities/CVE-2021-23337/assets", &analyst);
        assert_eq!(v["findings"].as_array().unwrap().len(), 2);
        // Another team's finding and asset do not exist for a developer.
        let other = findings(srv, "team=payments", &analyst);
        assert_eq!(other.len(), 4);
        let id = other[0]["id"].as_str().unwrap();
        assert_eq!(srv.get(&format!("/api/v1/findings/{id}"), &dev_web).0, 404);
        assert_eq!(srv.get(&format!("/api/v1/findings/{id}"), &analyst).0, 200);
        let asset = other[0]["asset"]["id"].as_str().unwrap();
        assert_eq!(srv.get(&format!("/api/v1/assets/{asset}"), &dev_web).0, 404);
        // A developer of another team cannot upload over this asset.
        let dev_payments_rival = srv.token("developer", Some("web"));
        let (s, _) = srv.upload(&dev_payments_rival, "team-c-0001", &report("report-a.json"));
        assert_eq!(s, 403);
        // An admin moves the asset to another team.
        let (s, v) = srv.call(
            "PATCH",
            &format!("/api/v1/assets/{asset}"),
            Some(&srv.admin_token),
            &[],
            Some(br#"{"team":"web"}"#),
        );
        assert_eq!((s, &v["team"]), (200, &json!("web")), "{v}");
        assert_eq!(findings(srv, "", &dev_web).len(), 5);
    });
}

#[test]
fn where_is_a_vulnerability_by_any_of_its_ids() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "where-a-0001", &report("report-a.json"));
        srv.upload(admin, "where-b-0001", &report("report-image.json"));
        for id in ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "cve-2021-23337"] {
            let (s, v) = srv.get(&format!("/api/v1/vulnerabilities/{id}/assets"), admin);
            assert_eq!(s, 200);
            let kinds: Vec<&str> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["asset"]["kind"].as_str().unwrap())
                .collect();
            assert_eq!(kinds.len(), 2, "{id}: {v}");
            assert!(kinds.contains(&"image") && kinds.contains(&"repository"));
            assert_eq!(
                v["aliases"],
                json!(["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"])
            );
        }
        let (_, v) = srv.get("/api/v1/vulnerabilities/PYSEC-2019-217/assets", admin);
        assert_eq!(v["findings"][0]["package"]["name"], "Jinja2");
        let (_, v) = srv.get("/api/v1/vulnerabilities/CVE-1999-0001/assets", admin);
        assert_eq!(v["findings"], json!([]));
    });
}

#[test]
fn triage_needs_a_justification_and_the_right_role_and_is_audited() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "triage-a-0001", &report("report-a.json"));
        let analyst = srv.token("analyst", None);
        let viewer = srv.token("viewer", None);
        let lodash = by_rule(&findings(srv, "", admin), "GHSA-35jh-r3h4-6jhm")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let triage = |token: &str, body: Value| srv.post("/api/v1/findings/triage", token, &body);
        let (s, v) = triage(&analyst, json!({"ids": [lodash], "action": "accept"}));
        assert_eq!(s, 400);
        assert_eq!(v["error"], "`accept` needs a justification");
        let (s, _) = triage(
            &analyst,
            json!({"ids": [lodash], "action": "accept", "justification": "x", "expires": "2001-01-01"}),
        );
        assert_eq!(s, 400);
        let (s, _) = triage(
            &viewer,
            json!({"ids": [lodash], "action": "accept", "justification": "x"}),
        );
        assert_eq!(s, 403);
        let (s, v) = triage(
            &analyst,
            json!({"ids": [lodash], "action": "accept", "justification": "not reachable: server-side only", "expires": "2099-12-31"}),
        );
        assert_eq!((s, &v["changed"]), (200, &json!(1)), "{v}");
        let (_, f) = srv.get(&format!("/api/v1/findings/{lodash}"), admin);
        assert_eq!(f["triage"]["status"], "accepted");
        assert_eq!(f["triage"]["reason"], "not reachable: server-side only");
        assert_eq!(f["triage"]["expires"], "2099-12-31T23:59:59Z");
        assert_eq!(f["triage"]["by"], "token:analyst test");
        assert!(findings(srv, "triage=none", admin)
            .iter()
            .all(|f| f["id"] != lodash.as_str()));
        // A new scan keeps a user's decision.
        srv.upload(admin, "triage-a-0002", &report("report-a.json"));
        let (_, f) = srv.get(&format!("/api/v1/findings/{lodash}"), admin);
        assert_eq!(f["triage"]["status"], "accepted");
        let (s, _) = triage(&analyst, json!({"ids": [lodash], "action": "reopen"}));
        assert_eq!(s, 200);
        let (_, f) = srv.get(&format!("/api/v1/findings/{lodash}"), admin);
        assert!(f.get("triage").is_none(), "{f}");
        let (_, audit) = srv.get("/api/v1/audit", admin);
        let actions: Vec<(&str, &str)> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
            .collect();
        assert!(
            actions.contains(&("token:analyst test", "finding.accept")),
            "{actions:?}"
        );
        assert!(actions.contains(&("token:analyst test", "finding.reopen")));
        assert!(actions.contains(&("admin", "token.create")));
    });
}

#[test]
fn a_new_advisory_rematches_the_stored_inventories_that_hold_its_package() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "rematch-a-0001", &report("report-a.json"));
        srv.upload(admin, "rematch-i-0001", &report("report-image.json"));
        let update = |dir: &str| {
            let (s, v) = srv.post(
                "/api/v1/advisories/update",
                admin,
                &json!({ "paths": [fixture(dir)] }),
            );
            assert_eq!(s, 200, "{v}");
            v
        };
        // An advisory about a package no asset has: nothing to re-match.
        let v = update("advisories-1");
        assert_eq!(v["changed_advisories"], 1, "{v}");
        assert_eq!(v["assets"], 0);
        assert_eq!(v["new_findings"], 0);
        // One about a package the repository has.
        let v = update("advisories-2");
        assert_eq!(v["changed_advisories"], 1, "only what is new: {v}");
        assert_eq!(v["packages"], 1);
        assert_eq!(v["assets"], 1);
        assert_eq!(v["new_findings"], 1);
        let (_, where_) = srv.get("/api/v1/vulnerabilities/CVE-2026-99001/assets", admin);
        let found = where_["findings"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{where_}");
        assert_eq!(found[0]["origin"], "rematch");
        assert_eq!(found[0]["state"], "new");
        assert_eq!(found[0]["severity"], "CRITICAL");
        assert_eq!(found[0]["package"]["name"], "vigil-demo-lib");
        assert_eq!(found[0]["asset"]["kind"], "repository");
        assert_eq!(found[0]["finding"]["fixed_versions"], json!(["1.2.0"]));
        // Nothing changed since: nothing re-matched.
        let v = update("advisories-2");
        assert_eq!(v["changed_advisories"], 0, "{v}");
        // The next scan, by a CLI whose database lacks the advisory, does
        // not "fix" it: the server matches uploads against its own too.
        srv.upload(admin, "rematch-b-0001", &report("report-b.json"));
        let (_, where_) = srv.get("/api/v1/vulnerabilities/PYSEC-2026-9001/assets", admin);
        assert_eq!(where_["findings"][0]["state"], "open", "{where_}");
        let (_, status) = srv.get("/api/v1/advisories/status", admin);
        assert!(status["last_update"].is_string(), "{status}");
        assert_eq!(status["advisories_matched"], 2);
    });
}

#[test]
fn users_log_in_and_revoked_tokens_stop_working() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let (s, v) = srv.call(
            "POST",
            "/api/v1/login",
            None,
            &[],
            Some(br#"{"username":"admin","password":"wrong password here"}"#),
        );
        assert_eq!(s, 401, "{v}");
        let (s, v) = srv.call(
            "POST",
            "/api/v1/login",
            None,
            &[],
            Some(br#"{"username":"nobody","password":"wrong password here"}"#),
        );
        assert_eq!(
            (s, &v["error"]),
            (401, &json!("wrong user name or password"))
        );
        let (s, v) = srv.post(
            "/api/v1/users",
            admin,
            &json!({"username": "dana", "password": "short", "role": "viewer"}),
        );
        assert_eq!(s, 400, "{v}");
        let (s, v) = srv.post(
            "/api/v1/users",
            admin,
            &json!({"username": "dana", "password": "a long passphrase", "role": "developer"}),
        );
        assert_eq!((s, &v["error"]), (400, &json!("a developer needs a team")));
        let (s, _) = srv.post(
            "/api/v1/users",
            admin,
            &json!({"username": "dana", "password": "a long passphrase", "role": "viewer"}),
        );
        assert_eq!(s, 201);
        let (s, v) = srv.call(
            "POST",
            "/api/v1/login",
            None,
            &[],
            Some(br#"{"username":"dana","password":"a long passphrase"}"#),
        );
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["role"], "viewer");
        let session = v["token"].as_str().unwrap();
        assert_eq!(srv.get("/api/v1/findings", session).0, 200);
        assert_eq!(srv.get("/api/v1/tokens", session).0, 403);

        let ci = srv.token("ci", None);
        let (_, list) = srv.get("/api/v1/tokens", admin);
        let entry = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["role"] == "ci")
            .unwrap()
            .clone();
        assert!(entry.get("token").is_none(), "tokens are never listed");
        assert_eq!(
            srv.upload(&ci, "revoke-0001", &report("report-a.json")).0,
            202
        );
        let id = entry["id"].as_str().unwrap();
        let (s, _) = srv.call(
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            Some(admin),
            &[],
            None,
        );
        assert_eq!(s, 204);
        assert_eq!(
            srv.upload(&ci, "revoke-0002", &report("report-a.json")).0,
            401
        );
    });
}

#[test]
fn health_metrics_and_the_openapi_document() {
    let srv = TestServer::start(None);
    srv.upload(&srv.admin_token, "metrics-0001", &report("report-a.json"));
    let (s, text) = srv.call("GET", "/metrics", None, &[], None);
    assert_eq!(s, 200);
    let text = text.as_str().unwrap();
    assert!(text.contains("\nvigil_scans_stored_total 1\n"), "{text}");
    assert!(
        text.contains("\nvigil_findings_created_total 4\n"),
        "{text}"
    );
    let (s, doc) = srv.call("GET", "/api/v1/openapi.json", None, &[], None);
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/vulnerabilities/{id}/assets"]["get"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(srv.call("GET", "/readyz", None, &[], None).0, 200);
}

#[test]
fn the_rate_limit_answers_429_with_retry_after() {
    let srv = TestServer::start_with(None, |c| c.rate_limit = 2);
    let statuses: Vec<u16> = (0..12)
        .map(|_| srv.get("/api/v1/findings", &srv.admin_token).0)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(statuses[0], 200);
}

#[test]
fn an_sbom_of_third_party_software_is_matched_on_arrival() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let (s, v) = srv.post(
            "/api/v1/advisories/update",
            admin,
            &json!({ "paths": [fixture("advisories-2")] }),
        );
        assert_eq!(s, 200, "{v}");
        let ci = srv.token("ci", Some("vendors"));
        let body = std::fs::read(fixture("billing.cdx.json")).unwrap();
        let (s, v) = srv.call(
            "POST",
            "/api/v1/sboms",
            Some(&ci),
            &[("Idempotency-Key", "sbom-billing-0001")],
            Some(&body),
        );
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["components"], 3);
        assert_eq!(v["changes"]["new"], 1);
        let (_, assets) = srv.get("/api/v1/assets?kind=sbom", admin);
        assert_eq!(assets["items"][0]["name"], "acme/billing@3.1.0");
        assert_eq!(assets["items"][0]["team"], "vendors");
        let (_, where_) = srv.get("/api/v1/vulnerabilities/CVE-2026-99001/assets", admin);
        assert_eq!(where_["findings"][0]["asset"]["kind"], "sbom");
        assert_eq!(where_["findings"][0]["package"]["version"], "1.0.0");
        // Not a CycloneDX BOM.
        let (s, v) = srv.call(
            "POST",
            "/api/v1/sboms",
            Some(&ci),
            &[],
            Some(b"{\"spdxVersion\": \"SPDX-2.3\"}"),
        );
        assert_eq!(s, 400);
        assert!(v["error"].as_str().unwrap().contains("CycloneDX"), "{v}");
    });
}

#[test]
fn vex_statements_apply_across_the_organisation() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "vex-image-0001", &report("report-image.json"));
        let vex = std::fs::read(fixture("openvex-lodash.json")).unwrap();
        let ci = srv.token("ci", None);
        let (s, _) = srv.call(
            "POST",
            "/api/v1/vex?name=acme-web",
            Some(&ci),
            &[],
            Some(&vex),
        );
        assert_eq!(s, 403, "a CI token cannot triage");
        let analyst = srv.token("analyst", None);
        let (s, v) = srv.call(
            "POST",
            "/api/v1/vex?name=acme-web",
            Some(&analyst),
            &[],
            Some(&vex),
        );
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["statements"], 2);
        assert_eq!(v["findings_marked"], 1);
        // A later upload's matching finding is marked on arrival; a
        // statement under investigation marks nothing.
        srv.upload(admin, "vex-repo-0001", &report("report-a.json"));
        let lodash = findings(srv, "vuln=CVE-2021-23337", admin);
        assert_eq!(lodash.len(), 2);
        for f in &lodash {
            assert_eq!(f["triage"]["status"], "vex", "{f}");
            assert_eq!(
                f["triage"]["reason"],
                "VEX not_affected: vulnerable_code_not_in_execute_path: template() is never called with user input"
            );
        }
        let jinja = findings(srv, "vuln=CVE-2019-10906", admin);
        assert!(jinja[0].get("triage").is_none());
        let (s, v) = srv.call(
            "POST",
            "/api/v1/vex",
            Some(&analyst),
            &[],
            Some(b"{\"statements\": 3}"),
        );
        assert_eq!(s, 400, "{v}");
    });
}

#[test]
fn mttr_and_sla_breaches_per_severity_and_team() {
    each_backend(|srv| {
        let ci = srv.token("ci", Some("payments"));
        srv.upload(&ci, "stats-a-0001", &report("report-a.json"));
        srv.upload(&ci, "stats-b-0001", &report("report-b.json"));
        // The Dockerfile finding (MEDIUM) is fixed; age the findings: the
        // fixed one took 10 days, the open HIGH ones are 40 days old.
        let day = 86_400;
        srv.sql(&format!(
            "UPDATE findings SET first_seen = fixed_at - {} WHERE state = 'fixed'",
            10 * day
        ));
        srv.sql(&format!(
            "UPDATE findings SET first_seen = first_seen - {} WHERE severity = 'HIGH'",
            40 * day
        ));
        let (s, v) = srv.get("/api/v1/stats", &srv.admin_token);
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["sla"]["high"], 30);
        let sev = |name: &str| {
            v["by_severity"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["severity"] == name)
                .cloned()
                .unwrap_or_default()
        };
        // Only vulnerabilities and secrets count: the secret is suppressed
        // (not open), the misconfiguration not counted.
        assert_eq!(sev("HIGH")["open"], 2);
        assert_eq!(sev("HIGH")["open_breaching_sla"], 2);
        assert!(
            sev("MEDIUM").is_null(),
            "misconfigurations are not counted: {v}"
        );
        assert_eq!(v["by_team"][0]["team"], "payments");
        // A fixed vulnerability: its MTTR.
        let mut b = report("report-b.json");
        b["findings"].as_array_mut().unwrap().remove(1); // lodash fixed
        srv.upload(&ci, "stats-c-0001", &b);
        srv.sql(&format!(
            "UPDATE findings SET first_seen = fixed_at - {} WHERE state = 'fixed' AND kind = 'vulnerability'",
            45 * day
        ));
        let (_, v) = srv.get("/api/v1/stats", &srv.admin_token);
        let high = v["by_severity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["severity"] == "HIGH")
            .unwrap()
            .clone();
        assert_eq!(high["fixed"], 1);
        assert_eq!(high["mttr_days"], 45.0);
        assert_eq!(high["fixed_late"], 1);
        assert_eq!(high["open"], 1);
    });
}

#[test]
fn an_accepted_risk_is_open_again_once_it_expires() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "expiry-a-0001", &report("report-a.json"));
        let id = by_rule(&findings(srv, "", admin), "GHSA-35jh-r3h4-6jhm")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, _) = srv.post(
            "/api/v1/findings/triage",
            admin,
            &json!({"ids": [id], "action": "accept", "justification": "until the next release", "expires": "2099-01-01"}),
        );
        assert_eq!(s, 200);
        let db = srv.state.db.clone();
        assert_eq!(
            srv.block_on(vigil_server::expire_accepted_risks(&db))
                .unwrap(),
            0
        );
        srv.sql(&format!(
            "UPDATE findings SET triage_expires = 1 WHERE id = '{id}'"
        ));
        assert_eq!(
            srv.block_on(vigil_server::expire_accepted_risks(&db))
                .unwrap(),
            1
        );
        let (_, f) = srv.get(&format!("/api/v1/findings/{id}"), admin);
        assert!(f.get("triage").is_none(), "{f}");
        let (_, audit) = srv.get("/api/v1/audit", admin);
        assert!(audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "finding.accept_expired" && e["actor"] == "vigil"));
    });
}

#[test]
fn repeated_failed_logins_are_refused_for_a_while() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let (s, _) = srv.post(
            "/api/v1/users",
            admin,
            &json!({"username": "erin", "password": "a long passphrase", "role": "viewer"}),
        );
        assert_eq!(s, 201);
        let login = |user: &str, password: &str| {
            let body =
                serde_json::to_vec(&json!({"username": user, "password": password})).unwrap();
            srv.call("POST", "/api/v1/login", None, &[], Some(&body))
        };
        for _ in 0..vigil_server::auth::LOGIN_FAILURES_PER_USER {
            assert_eq!(login("erin", "not the passphrase").0, 401);
        }
        // From now on the right password is refused too, with a wait.
        let (s, v) = login("erin", "a long passphrase");
        assert_eq!(s, 429, "{v}");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("too many failed logins; try again in "),
            "{v}"
        );
        // Another user from the same client is not locked out.
        let (s, _) = login("admin", "wrong password here");
        assert_eq!(s, 401);
    });
}
