//! Webhook notifications end to end: rules over the API, a webhook
//! receiver on 127.0.0.1, uploads that change findings, retries, the
//! delivery log, several replicas — on SQLite and (when
//! VIGIL_TEST_POSTGRES_URL is set) PostgreSQL.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{each_backend_with, report, TestServer};

/// A request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: Value,
    raw: Vec<u8>,
}

/// A webhook receiver: answers each path by a script (the statuses of its
/// successive calls; 200 once the script is used up) and keeps what it
/// got.
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(script: &[(&str, &[u16])]) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let script: HashMap<String, Vec<u16>> = script
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_vec()))
            .collect();
        let sink = got.clone();
        std::thread::spawn(move || {
            let mut calls: HashMap<String, usize> = HashMap::new();
            for mut request in server.incoming_requests() {
                let mut raw = Vec::new();
                std::io::Read::read_to_end(request.as_reader(), &mut raw).unwrap();
                let path = request.url().to_string();
                let headers = request
                    .headers()
                    .iter()
                    .map(|h| {
                        (
                            h.field.as_str().as_str().to_ascii_lowercase(),
                            h.value.as_str().to_string(),
                        )
                    })
                    .collect();
                let n = calls.entry(path.clone()).or_default();
                let status = script
                    .get(&path)
                    .and_then(|s| s.get(*n).copied())
                    .unwrap_or(200);
                *n += 1;
                sink.lock().unwrap().push(Received {
                    path,
                    headers,
                    body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
                    raw,
                });
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        });
        Receiver { base, got }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn at(&self, path: &str) -> Vec<Received> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

fn fast(config: &mut vigil_server::Config) {
    config.notify.backoff_base = Duration::from_millis(100);
    config.notify.poll_interval = Duration::from_millis(100);
    config.notify.public_url = Some("https://vigil.example".into());
}

/// Waits (up to a minute) for a condition; panics with the message if it
/// never holds.
fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn create_rule(srv: &TestServer, rule: Value) -> String {
    let (s, v) = srv.post("/api/v1/notifications/rules", &srv.admin_token, &rule);
    assert_eq!(s, 201, "{}: {v}", srv.backend);
    v["id"].as_str().unwrap().to_string()
}

fn deliveries(srv: &TestServer, query: &str) -> Value {
    let (s, v) = srv.get(
        &format!("/api/v1/notifications/deliveries?{query}"),
        &srv.admin_token,
    );
    assert_eq!(s, 200, "{v}");
    v
}

/// Waits until no delivery is pending (and at least `min` exist).
fn settle(srv: &TestServer, min: i64) {
    wait_for("deliveries to settle", || {
        let all = deliveries(srv, "");
        all["total"].as_i64().unwrap() >= min && deliveries(srv, "status=pending")["total"] == 0
    });
}

fn rule_ids(received: &[Received]) -> Vec<String> {
    let mut ids: Vec<String> = received
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.body["event"]["kind"].as_str().unwrap(),
                r.body["finding"]["rule_id"].as_str().unwrap()
            )
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn rules_choose_what_is_delivered() {
    each_backend_with(fast, |srv| {
        let rx = Receiver::start(&[]);
        let ci = srv.token("ci", Some("payments"));
        let (s, _) = srv.post("/api/v1/teams", &srv.admin_token, &json!({ "name": "web" }));
        assert_eq!(s, 201);
        let high = create_rule(
            srv,
            json!({ "name": "high", "url": rx.url("/high"), "secret": "s3cret-key" }),
        );
        create_rule(
            srv,
            json!({ "name": "web team", "url": rx.url("/web"), "min_severity": "LOW", "teams": ["web"] }),
        );
        create_rule(
            srv,
            json!({ "name": "payments kev", "url": rx.url("/kev"), "min_severity": "low",
                    "teams": ["payments"], "kev_only": true }),
        );
        create_rule(
            srv,
            json!({ "name": "fixed", "url": rx.url("/fixed"), "min_severity": "LOW",
                    "events": ["finding.fixed"] }),
        );
        // Bad rules are refused with the reason.
        for (bad, reason) in [
            (json!({ "name": "x", "url": "ftp://h/" }), "http"),
            (
                json!({ "name": "x", "url": rx.url("/"), "min_severity": "SEVERE" }),
                "min_severity",
            ),
            (
                json!({ "name": "x", "url": rx.url("/"), "teams": ["nobody"] }),
                "nobody",
            ),
            (
                json!({ "name": "x", "url": rx.url("/"), "events": ["finding.gone"] }),
                "finding.gone",
            ),
            (
                json!({ "name": "x", "url": rx.url("/"), "format": "slack", "secret": "k" }),
                "signed",
            ),
        ] {
            let (s, v) = srv.post("/api/v1/notifications/rules", &srv.admin_token, &bad);
            assert_eq!(s, 400, "{bad}: {v}");
            assert!(v["error"].as_str().unwrap().contains(reason), "{v}");
        }
        let analyst = srv.token("analyst", None);
        let (s, _) = srv.post(
            "/api/v1/notifications/rules",
            &analyst,
            &json!({ "name": "x", "url": rx.url("/") }),
        );
        assert_eq!(s, 403, "rules are for admins");

        // report-a: two HIGH vulnerabilities (one listed as known
        // exploited here), a MEDIUM misconfiguration, a CRITICAL secret.
        let mut a = report("report-a.json");
        a["findings"][1]["kev"] = json!(true);
        let (s, v) = srv.upload(&ci, "notify-a-0001", &a);
        assert_eq!(s, 202, "{v}");
        settle(srv, 4);
        assert_eq!(
            rule_ids(&rx.at("/high")),
            [
                "finding.new GHSA-35jh-r3h4-6jhm",
                "finding.new GHSA-462w-v97r-4m45",
                "finding.new github-pat-classic"
            ]
        );
        assert_eq!(
            rule_ids(&rx.at("/kev")),
            ["finding.new GHSA-35jh-r3h4-6jhm"]
        );
        assert!(rx.at("/web").is_empty(), "another team's rule");
        assert!(rx.at("/fixed").is_empty(), "nothing was fixed yet");

        // The generic body: the event, the finding as the API shows it,
        // signed with the rule's key.
        for r in rx.at("/high") {
            assert_eq!(r.body["finding"]["asset"]["team"], "payments");
            assert_eq!(r.body["finding"]["state"], "new");
            assert_eq!(r.body["server_url"], "https://vigil.example");
            assert_eq!(r.headers["x-vigil-event"], "finding.new");
            assert_eq!(
                r.headers["x-vigil-signature"],
                vigil_server::notify::signature("s3cret-key", &r.raw)
            );
        }
        assert!(!rx.at("/kev")[0].headers.contains_key("x-vigil-signature"));

        // report-b fixes the misconfiguration: only the `fixed` rule hears.
        let (s, v) = srv.upload(&ci, "notify-b-0001", &report("report-b.json"));
        assert_eq!(s, 202, "{v}");
        assert_eq!(v["changes"]["fixed"], 1);
        settle(srv, 5);
        let fixed = rx.at("/fixed");
        assert_eq!(rule_ids(&fixed), ["finding.fixed VIGIL-DF-001"]);
        assert_eq!(fixed[0].body["finding"]["state"], "fixed");
        assert_eq!(rx.at("/high").len(), 3);

        // The delivery log, by rule and status; analysts may read it.
        let log = deliveries(srv, &format!("rule={high}&status=delivered"));
        assert_eq!(log["total"], 3);
        let item = &log["items"][0];
        assert_eq!(item["rule_name"], "high");
        assert_eq!(item["attempts"], 1);
        assert_eq!(item["attempt_log"][0]["status"], 200);
        assert_eq!(deliveries(srv, "status=failed")["total"], 0);
        let (s, v) = srv.get("/api/v1/notifications/deliveries?limit=2", &analyst);
        assert_eq!(s, 200);
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert_eq!(v["next_offset"], 2);
        let viewer = srv.token("viewer", None);
        let (s, _) = srv.get("/api/v1/notifications/deliveries", &viewer);
        assert_eq!(s, 403);
        let (s, _) = srv.get("/api/v1/notifications/rules", &analyst);
        assert_eq!(s, 403);

        // Rules are listed without their keys, deleted, audit-logged.
        let (s, v) = srv.get("/api/v1/notifications/rules", &srv.admin_token);
        assert_eq!(s, 200);
        assert_eq!(v["items"].as_array().unwrap().len(), 4);
        let signed: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["signed"] == true)
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(signed, ["high"]);
        assert!(!v.to_string().contains("s3cret-key"));
        let (s, _) = srv.call(
            "DELETE",
            &format!("/api/v1/notifications/rules/{high}"),
            Some(&srv.admin_token),
            &[],
            None,
        );
        assert_eq!(s, 204);
        let (_, v) = srv.get("/api/v1/notifications/rules", &srv.admin_token);
        assert_eq!(v["items"].as_array().unwrap().len(), 3);
        let (_, audit) = srv.get("/api/v1/audit", &srv.admin_token);
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"notification_rule.create"));
        assert!(actions.contains(&"notification_rule.delete"));
    });
}

#[test]
fn slack_and_teams_get_their_formats() {
    each_backend_with(fast, |srv| {
        let rx = Receiver::start(&[]);
        create_rule(
            srv,
            json!({ "name": "slack", "url": rx.url("/slack"), "format": "slack", "min_severity": "CRITICAL" }),
        );
        create_rule(
            srv,
            json!({ "name": "teams", "url": rx.url("/teams"), "format": "teams", "min_severity": "CRITICAL" }),
        );
        let (s, _) = srv.upload(&srv.admin_token, "fmt-a-0001", &report("report-a.json"));
        assert_eq!(s, 202);
        settle(srv, 2);
        let slack = rx.at("/slack");
        assert_eq!(slack.len(), 1);
        let body = &slack[0].body;
        assert!(
            body["text"]
                .as_str()
                .unwrap()
                .starts_with("New CRITICAL secret: github-pat-classic"),
            "{body}"
        );
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[1]["type"], "section");
        assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
        let fields: Vec<&str> = blocks[1]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["text"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"*Severity*\nCRITICAL"), "{fields:?}");
        assert!(fields.iter().any(|f| f.starts_with("*Asset*\nrepository ")));
        assert_eq!(blocks[2]["type"], "context");

        let teams = rx.at("/teams");
        assert_eq!(teams.len(), 1);
        let body = &teams[0].body;
        assert_eq!(body["type"], "message");
        let attachment = &body["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["body"][2]["type"], "FactSet");
        assert_eq!(card["body"][2]["facts"][0]["title"], "Severity");
        assert_eq!(card["body"][2]["facts"][0]["value"], "CRITICAL");
        assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
        assert!(card["actions"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://vigil.example/api/v1/findings/"));
    });
}

#[test]
fn failed_calls_are_retried_and_client_errors_are_not() {
    each_backend_with(fast, |srv| {
        let rx = Receiver::start(&[("/flaky", &[500, 500]), ("/gone", &[400])]);
        let flaky = create_rule(
            srv,
            json!({ "name": "flaky", "url": rx.url("/flaky"), "min_severity": "CRITICAL" }),
        );
        let gone = create_rule(
            srv,
            json!({ "name": "gone", "url": rx.url("/gone"), "min_severity": "CRITICAL" }),
        );
        let (s, _) = srv.upload(&srv.admin_token, "retry-a-0001", &report("report-a.json"));
        assert_eq!(s, 202);
        settle(srv, 2);
        let log = deliveries(srv, &format!("rule={flaky}"));
        let d = &log["items"][0];
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 3);
        let statuses: Vec<i64> = d["attempt_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].as_i64().unwrap())
            .collect();
        assert_eq!(statuses, [500, 500, 200]);
        let calls = rx.at("/flaky");
        assert_eq!(calls.len(), 3);
        // The same body every time.
        assert!(calls.iter().all(|r| r.raw == calls[0].raw));

        let log = deliveries(srv, &format!("rule={gone}"));
        let d = &log["items"][0];
        assert_eq!(d["status"], "failed", "{d}");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_status"], 400);
        assert_eq!(d["last_error"], "HTTP 400");
        assert_eq!(rx.at("/gone").len(), 1);

        // Counted once the attempt is recorded.
        wait_for("the notification counters", || {
            let (_, metrics) = srv.call("GET", "/metrics", None, &[], None);
            let metrics = metrics.as_str().unwrap().to_string();
            [
                "vigil_notification_attempts_total 4",
                "vigil_notifications_delivered_total 1",
                "vigil_notifications_failed_total 1",
            ]
            .iter()
            .all(|line| metrics.lines().any(|l| l == *line))
        });
    });
}

#[test]
fn unreachable_webhooks_fail_after_the_last_attempt() {
    each_backend_with(
        |c| {
            fast(c);
            c.notify.max_attempts = 3;
        },
        |srv| {
            // A port nothing listens on.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            create_rule(
                srv,
                json!({ "name": "down", "url": format!("http://127.0.0.1:{port}/"), "min_severity": "CRITICAL" }),
            );
            let (s, _) = srv.upload(&srv.admin_token, "down-a-0001", &report("report-a.json"));
            assert_eq!(s, 202);
            settle(srv, 1);
            let d = &deliveries(srv, "")["items"][0];
            assert_eq!(d["status"], "failed", "{d}");
            assert_eq!(d["attempts"], 3);
            assert!(d["last_status"].is_null());
            assert!(d["attempt_log"][2]["error"].is_string(), "{d}");
        },
    );
}

#[test]
fn replicas_deliver_each_notification_once() {
    each_backend_with(fast, |srv| {
        let rx = Receiver::start(&[("/all", &[500])]);
        // Two more servers on the same database.
        srv.start_replica();
        srv.start_replica();
        create_rule(
            srv,
            json!({ "name": "all", "url": rx.url("/all"), "min_severity": "LOW",
                    "events": ["finding.new", "finding.reopened", "finding.fixed"] }),
        );
        for (i, name) in ["report-a.json", "report-b.json", "report-a.json"]
            .iter()
            .enumerate()
        {
            let (s, _) = srv.upload(
                &srv.admin_token,
                &format!("replica-{i}-0001"),
                &report(name),
            );
            assert_eq!(s, 202);
        }
        // 4 new, 1 fixed, 1 reopened.
        settle(srv, 6);
        let log = deliveries(srv, "");
        assert_eq!(log["total"], 6, "{log}");
        let got = rx.at("/all");
        let mut ids: Vec<&str> = got
            .iter()
            .map(|r| r.headers["x-vigil-delivery"].as_str())
            .collect();
        // One delivery was answered 500 once, then retried.
        assert_eq!(ids.len(), 7, "{ids:?}");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 6);
        let mut kinds: Vec<&str> = got
            .iter()
            .map(|r| r.headers["x-vigil-event"].as_str())
            .collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, ["finding.fixed", "finding.new", "finding.reopened"]);
    });
}

#[test]
fn a_rule_with_a_least_risk_hears_only_findings_scored_at_or_above() {
    each_backend_with(fast, |srv| {
        let rx = Receiver::start(&[]);
        let risky = create_rule(
            srv,
            json!({ "name": "risky", "url": rx.url("/risky"), "min_risk": 8 }),
        );
        create_rule(
            srv,
            json!({ "name": "risky slack", "url": rx.url("/slack"), "format": "slack",
                    "min_risk": 8.0 }),
        );
        // With a least risk and no severity, the risk decides.
        let (_, rules) = srv.get("/api/v1/notifications/rules", &srv.admin_token);
        let rule = rules["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == risky.as_str())
            .unwrap();
        assert_eq!(rule["min_risk"], 8.0);
        assert_eq!(rule["min_severity"], "LOW");
        let (s, v) = srv.post(
            "/api/v1/notifications/rules",
            &srv.admin_token,
            &json!({ "name": "x", "url": rx.url("/"), "min_risk": 12 }),
        );
        assert_eq!(s, 400, "{v}");
        assert!(v["error"].as_str().unwrap().contains("min_risk"), "{v}");

        // report-risk: scores 9.1, 7.5 and 6.4, a vulnerability without a
        // vector and a secret (no score): only the 9.1 one is heard.
        let (s, v) = srv.upload(
            &srv.admin_token,
            "notify-risk-0001",
            &report("report-risk.json"),
        );
        assert_eq!(s, 202, "{v}");
        settle(srv, 2);
        let got = rx.at("/risky");
        assert_eq!(rule_ids(&got), ["finding.new GHSA-risk-0001"]);
        assert_eq!(
            got[0].body["finding"]["risk"],
            json!({ "score": 9.1, "reasons": ["known exploited (KEV): +1.0"] })
        );
        let slack = rx.at("/slack");
        assert_eq!(slack.len(), 1);
        assert_eq!(
            slack[0].body["blocks"][1]["fields"][0]["text"],
            "*Severity*\nHIGH · risk 9.1 — known exploited (KEV): +1.0"
        );
    });
}
