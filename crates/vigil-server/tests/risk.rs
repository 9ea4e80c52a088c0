//! The risk score on the server (docs/risk.md, docs/server.md): stored
//! with each finding, listed highest first, filtered by `min_risk`, per
//! asset and in the statistics, given to the findings the server matches
//! itself (with a host's runtime context), and following the KEV catalogue
//! — on SQLite and (when VIGIL_TEST_POSTGRES_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use support::{each_backend, fixture, report, TestServer};

fn list(srv: &TestServer, query: &str, token: &str) -> (i64, Vec<Value>) {
    let (s, v) = srv.get(&format!("/api/v1/findings?{query}"), token);
    assert_eq!(s, 200, "{}: {query}: {v}", srv.backend);
    (
        v["total"].as_i64().unwrap(),
        v["items"].as_array().unwrap().clone(),
    )
}

fn rules(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect()
}

fn update(srv: &TestServer, dir: &str) -> Value {
    let (s, v) = srv.post(
        "/api/v1/advisories/update",
        &srv.admin_token,
        &json!({ "paths": [fixture(dir)] }),
    );
    assert_eq!(s, 200, "{}: {v}", srv.backend);
    v
}

#[test]
fn findings_are_listed_highest_risk_first_and_filtered_by_min_risk() {
    each_backend(|srv| {
        let ci = srv.token("ci", Some("payments"));
        let (s, v) = srv.upload(&ci, "risk-0001", &report("report-risk.json"));
        assert_eq!(s, 202, "{v}");
        let admin = &srv.admin_token;

        // Default order: the risk score (a finding without one at the
        // floor of its severity's band: the CRITICAL secret at 9.0, the
        // MEDIUM vulnerability without a vector at 4.0).
        let (total, items) = list(srv, "", admin);
        assert_eq!(total, 5);
        assert_eq!(
            rules(&items),
            [
                "GHSA-risk-0001",
                "github-pat-classic",
                "GHSA-risk-0003",
                "GHSA-risk-0002",
                "GHSA-risk-0004"
            ]
        );
        // The score as sent, and one the server computed for a finding
        // sent without (a report of an older vigil).
        assert_eq!(
            items[0]["risk"],
            json!({ "score": 9.1, "reasons": ["known exploited (KEV): +1.0"] })
        );
        assert_eq!(
            items[2]["risk"],
            json!({ "score": 7.5, "reasons": ["not in KEV"] })
        );
        assert_eq!(items[2]["finding"]["risk"]["score"], 7.5);
        assert_eq!(items[3]["risk"]["score"], 6.4);
        assert!(items[1]["risk"].is_null(), "a secret has no score");
        assert!(items[4]["risk"].is_null(), "no vector, no score");

        // The old order, by severity.
        let (_, items) = list(srv, "sort=severity", admin);
        let severities: Vec<&str> = items
            .iter()
            .map(|f| f["severity"].as_str().unwrap())
            .collect();
        assert_eq!(
            severities,
            ["CRITICAL", "CRITICAL", "HIGH", "HIGH", "MEDIUM"]
        );
        assert_eq!(items[2]["rule_id"], "GHSA-risk-0001", "KEV first");
        for sort in ["last_seen", "first_seen", "risk"] {
            assert_eq!(list(srv, &format!("sort={sort}"), admin).0, 5);
        }

        // min_risk: at or above, findings without a score left out.
        let (total, items) = list(srv, "min_risk=7", admin);
        assert_eq!(total, 2);
        assert_eq!(rules(&items), ["GHSA-risk-0001", "GHSA-risk-0003"]);
        assert_eq!(list(srv, "min_risk=7.5", admin).0, 2);
        assert_eq!(list(srv, "min_risk=7.6", admin).0, 1);
        let (_, items) = list(srv, "min_risk=6.4&sort=severity", admin);
        assert_eq!(
            rules(&items),
            ["GHSA-risk-0002", "GHSA-risk-0001", "GHSA-risk-0003"]
        );
        assert_eq!(list(srv, "min_risk=0", admin).0, 3);

        // Bad values are refused with the reason.
        for (query, reason) in [("sort=cvss", "unknown sort"), ("min_risk=11", "min_risk")] {
            let (s, v) = srv.get(&format!("/api/v1/findings?{query}"), admin);
            assert_eq!(s, 400, "{query}: {v}");
            assert!(v["error"].as_str().unwrap().contains(reason), "{v}");
        }
        assert_eq!(srv.get("/api/v1/findings?min_risk=high", admin).0, 400);

        // A developer sees only its team's findings, whatever the filter.
        let dev_payments = srv.token("developer", Some("payments"));
        let dev_web = srv.token("developer", Some("web"));
        assert_eq!(list(srv, "min_risk=7", &dev_payments).0, 2);
        assert_eq!(list(srv, "min_risk=7", &dev_web).0, 0);

        // The asset's highest open risk.
        let (_, assets) = srv.get("/api/v1/assets", admin);
        assert_eq!(assets["items"][0]["max_risk"], 9.1, "{assets}");
        // Triaged: no longer counted as open.
        let id = list(srv, "min_risk=9", admin).1[0]["id"].clone();
        let (s, v) = srv.post(
            "/api/v1/findings/triage",
            admin,
            &json!({ "ids": [id], "action": "accept", "justification": "behind the WAF" }),
        );
        assert_eq!(s, 200, "{v}");
        let (_, assets) = srv.get("/api/v1/assets", admin);
        assert_eq!(assets["items"][0]["max_risk"], 7.5, "{assets}");

        // Open vulnerabilities by risk band (the accepted one is not open).
        let (s, stats) = srv.get("/api/v1/stats", admin);
        assert_eq!(s, 200, "{stats}");
        assert_eq!(
            stats["open_by_risk"],
            json!({ "critical": 0, "high": 1, "medium": 1, "low": 0, "none": 1 })
        );
        let (_, stats) = srv.get("/api/v1/stats", &dev_web);
        assert_eq!(
            stats["open_by_risk"],
            json!({ "critical": 0, "high": 0, "medium": 0, "low": 0, "none": 0 })
        );

        // The OpenAPI document says so.
        let (_, doc) = srv.get("/api/v1/openapi.json", "");
        let params: Vec<&str> = doc["paths"]["/api/v1/findings"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            params.contains(&"min_risk") && params.contains(&"sort"),
            "{params:?}"
        );
        for schema in ["RiskOut", "RiskBands"] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
        assert!(doc["components"]["schemas"]["FindingOut"]["properties"]["risk"].is_object());
        assert!(doc["components"]["schemas"]["AssetOut"]["properties"]["max_risk"].is_object());
    });
}

#[test]
fn rematched_findings_get_a_risk_score_that_follows_the_kev_catalogue() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "risk-rematch-0001", &report("report-a.json"));
        let v = update(srv, "advisories-2");
        assert_eq!(v["new_findings"], 1, "{v}");
        assert_eq!(v["kev_changed_findings"], 0, "{v}");
        let finding = || {
            let (_, items) = list(srv, "vuln=CVE-2026-99001", admin);
            assert_eq!(items.len(), 1);
            items[0].clone()
        };
        let f = finding();
        assert_eq!(f["origin"], "rematch");
        assert_eq!(f["kev"], false);
        assert_eq!(
            f["risk"],
            json!({ "score": 9.8, "reasons": ["not in KEV"] })
        );
        assert_eq!(list(srv, "min_risk=9.8", admin).0, 1);

        // The catalogue now lists it: the flag and the score follow.
        let v = update(srv, "kev-listed");
        assert_eq!(v["changed_advisories"], 0, "{v}");
        assert_eq!(v["kev_changed_findings"], 1, "{v}");
        let f = finding();
        assert_eq!(f["kev"], true);
        assert_eq!(f["finding"]["kev"], true);
        assert_eq!(
            f["risk"],
            json!({ "score": 10.0, "reasons": ["known exploited (KEV): +1.0"] })
        );
        assert_eq!(list(srv, "kev=true&min_risk=10", admin).0, 1);
        // The same catalogue again: nothing to do.
        assert_eq!(update(srv, "kev-listed")["kev_changed_findings"], 0);
        // No longer listed.
        let v = update(srv, "kev-unlisted");
        assert_eq!(v["kev_changed_findings"], 1, "{v}");
        let f = finding();
        assert_eq!(f["kev"], false);
        assert_eq!(f["risk"]["score"], 9.8);
    });
}

#[test]
fn findings_follow_each_new_import_of_epss_scores() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "risk-epss-0001", &report("report-a.json"));
        assert_eq!(update(srv, "advisories-2")["new_findings"], 1);
        let finding = || {
            let (_, items) = list(srv, "vuln=CVE-2026-99001", admin);
            assert_eq!(items.len(), 1);
            items[0].clone()
        };
        assert_eq!(finding()["risk"]["score"], 9.8);

        // The scores arrive: the open finding gets its figures and a
        // higher score.
        let v = update(srv, "epss-high");
        assert_eq!(v["epss_changed_findings"], 1, "{v}");
        let f = finding();
        assert_eq!(
            f["finding"]["epss"],
            json!({ "probability": 0.35, "percentile": 0.97, "date": "2026-11-26" })
        );
        assert_eq!(
            f["risk"],
            json!({
                "score": 10.0,
                "reasons": ["EPSS 35.0 %", "high EPSS: +0.5", "not in KEV"]
            })
        );
        // The same import again: nothing to do.
        assert_eq!(update(srv, "epss-high")["epss_changed_findings"], 0);
        // The next day's scores: unlikely to be exploited, the score falls
        // (9.8 with E:U is 9.0 by the CVSS v3.1 equations).
        let v = update(srv, "epss-low");
        assert_eq!(v["epss_changed_findings"], 1, "{v}");
        let f = finding();
        assert_eq!(f["finding"]["epss"]["probability"], 0.002);
        assert_eq!(
            f["risk"],
            json!({ "score": 9.0, "reasons": ["EPSS 0.2 %", "not in KEV"] })
        );
        assert_eq!(list(srv, "min_risk=9.5", admin).0, 0);
    });
}

#[test]
fn a_hosts_rematched_findings_are_scored_in_their_runtime_context() {
    each_backend(|srv| {
        let agent = srv.token("agent", None);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vigil/tests/fixtures/agent/snapshot-debian12.json");
        let body = std::fs::read(path).unwrap();
        // No advisories yet: the host has no findings.
        let (s, v) = srv.call(
            "POST",
            "/api/v1/agents/snapshots",
            Some(&agent),
            &[("Idempotency-Key", "risk-host-0001")],
            Some(&body),
        );
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["new"], 0, "{v}");
        // The advisory arrives: the re-match reads the host's stored
        // snapshot for the runtime context of libssl3.
        let v = update(srv, "advisories-debian");
        assert_eq!(v["new_findings"], 1, "{v}");
        let (_, items) = list(srv, "vuln=CVE-2026-99101", &srv.admin_token);
        let f = &items[0];
        assert_eq!(f["origin"], "rematch");
        assert_eq!(f["finding"]["runtime"]["exposure"], "public", "{f}");
        assert_eq!(
            f["risk"]["reasons"],
            json!([
                "exposed: listens on a public address",
                "reaches postgresql, redis",
                "not in KEV"
            ])
        );
        assert!(f["risk"]["score"].as_f64().unwrap() > 0.0);
    });
}

#[test]
fn findings_stored_before_the_risk_column_get_it_from_their_json() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        srv.upload(admin, "risk-backfill-0001", &report("report-risk.json"));
        // The database as it was before migration 5.
        for statement in [
            "DROP INDEX findings_risk",
            "ALTER TABLE findings DROP COLUMN risk_tenths",
            "DROP TABLE kev_state",
            "DROP TABLE risk_inputs",
            "ALTER TABLE notification_rules DROP COLUMN min_risk_tenths",
            "DELETE FROM schema_migrations WHERE version = 5",
        ] {
            srv.sql(statement);
        }
        // The next start migrates and fills the column.
        let config = srv.config.clone();
        srv.block_on(async {
            vigil_server::Db::open(&config.data_dir, config.database_url.as_deref())
                .await
                .unwrap()
        });
        let (total, items) = list(srv, "min_risk=7", admin);
        assert_eq!(total, 2, "{items:?}");
        assert_eq!(rules(&items), ["GHSA-risk-0001", "GHSA-risk-0003"]);
    });
}
