//! The dashboard's vulnerability, asset and settings pages, through the
//! real server on each backend: what they show, who may see them, and
//! that their forms need the session's CSRF token and go through the
//! API's code (the audit log).

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use support::{each_backend, fixture, report, TestServer};

/// A dashboard response: status, `Location`, body.
struct Page {
    status: u16,
    location: String,
    body: String,
}

/// A dashboard request with `session` as the session cookie (any token
/// works as one), redirects not followed; `form` is sent urlencoded.
fn web(
    srv: &TestServer,
    method: &str,
    path: &str,
    session: &str,
    form: Option<&[(&str, &str)]>,
) -> Page {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut builder = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{}", srv.base, path))
        .header("Cookie", format!("vigil_session={session}"));
    let body = match form {
        Some(fields) => {
            builder = builder.header("Content-Type", "application/x-www-form-urlencoded");
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter())
                .finish()
                .into_bytes()
        }
        None => Vec::new(),
    };
    let mut response = agent.run(builder.body(body).unwrap()).unwrap();
    Page {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

/// The CSRF token of a session's forms.
fn csrf(session: &str) -> String {
    vigil_server::web::csrf_token(session)
}

fn snapshot(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigil/tests/fixtures/agent")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The Debian advisory imported and web-01's snapshot sent: libssl3 is
/// loaded by nginx (public) and the orders service.
fn seed_host(srv: &TestServer) {
    seed_snapshot(srv, "snapshot-debian12.json");
}

/// The Debian advisory imported and an agent snapshot sent.
fn seed_snapshot(srv: &TestServer, name: &str) {
    let (s, v) = srv.post(
        "/api/v1/advisories/update",
        &srv.admin_token,
        &json!({ "paths": [fixture("advisories-debian")] }),
    );
    assert_eq!(s, 200, "{v}");
    let agent = srv.token("agent", None);
    let body = serde_json::to_vec(&snapshot(name)).unwrap();
    let (s, v) = srv.call(
        "POST",
        "/api/v1/agents/snapshots",
        Some(&agent),
        &[("Idempotency-Key", &format!("web-pages-{name}"))],
        Some(&body),
    );
    assert_eq!(s, 202, "{v}");
}

/// report-a uploaded by a CI token of `team`; returns the asset's ID.
fn seed_repository(srv: &TestServer, team: &str) -> String {
    let ci = srv.token("ci", Some(team));
    let (s, v) = srv.upload(&ci, "web-pages-report-a", &report("report-a.json"));
    assert!(s == 201 || s == 202 || s == 200, "{s}: {v}");
    let (_, assets) = srv.get("/api/v1/assets?kind=repository", &srv.admin_token);
    assets["items"][0]["id"].as_str().unwrap().to_string()
}

fn audit_actions(srv: &TestServer) -> Vec<String> {
    let (_, v) = srv.get("/api/v1/audit", &srv.admin_token);
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_vulnerability_page_lists_a_hosts_processes_with_their_exposure() {
    each_backend(|srv| {
        seed_host(srv);
        let admin = &srv.admin_token;
        let p = web(
            srv,
            "GET",
            "/ui/vulnerabilities/CVE-2026-99101",
            admin,
            None,
        );
        assert_eq!(p.status, 200, "{}: {}", srv.backend, p.body);
        // The advisory from the server's store.
        assert!(p.body.contains("openssl: a test advisory"), "{}", p.body);
        assert!(p
            .body
            .contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"));
        assert!(p.body.contains("DEBIAN-CVE-2026-99101"));
        assert!(p.body.contains("3.0.13-1~deb12u1"), "the fix version");
        // The host, its processes loading libssl3, their exposure and reach.
        assert!(
            p.body.contains(r#"<h3 id="kind-host">Hosts (1)</h3>"#),
            "{}",
            p.body
        );
        assert!(p.body.contains("libssl3"));
        for needle in [
            "<td class=\"num\">812</td>",
            "/usr/sbin/nginx",
            "<td class=\"num\">1430</td>",
            "/opt/orders/bin/orders",
            "exposure-public\">public",
            "postgresql, redis",
        ] {
            assert!(p.body.contains(needle), "{needle} missing: {}", p.body);
        }

        // Any alias finds it; the search redirects to a known ID and
        // lists the IDs containing a part.
        let p = web(
            srv,
            "GET",
            "/ui/vulnerabilities/DEBIAN-CVE-2026-99101",
            admin,
            None,
        );
        assert_eq!(p.status, 200);
        assert!(p.body.contains("/usr/sbin/nginx"));
        let p = web(
            srv,
            "GET",
            "/ui/vulnerabilities?q=cve-2026-99101",
            admin,
            None,
        );
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(p.location, "/ui/vulnerabilities/CVE-2026-99101");
        let p = web(srv, "GET", "/ui/vulnerabilities?q=99101", admin, None);
        assert_eq!(p.status, 200);
        assert!(p
            .body
            .contains(r#"href="/ui/vulnerabilities/CVE-2026-99101""#));
        let p = web(srv, "GET", "/ui/vulnerabilities/CVE-1999-0000", admin, None);
        assert_eq!(p.status, 404);

        // A developer of a team sees the advisory, not the host (no team).
        let dev = srv.token("developer", Some("payments"));
        let p = web(srv, "GET", "/ui/vulnerabilities/CVE-2026-99101", &dev, None);
        assert_eq!(p.status, 200);
        assert!(p.body.contains("Not on any asset you can see"));
        assert!(!p.body.contains("/usr/sbin/nginx"));
    });
}

#[test]
fn the_vulnerability_page_lists_the_containers_it_is_installed_in() {
    each_backend(|srv| {
        seed_snapshot(srv, "snapshot-container.json");
        let admin = &srv.admin_token;
        let p = web(
            srv,
            "GET",
            "/ui/vulnerabilities/CVE-2026-99101",
            admin,
            None,
        );
        assert_eq!(p.status, 200, "{}: {}", srv.backend, p.body);
        assert!(p.body.contains(">Hosts (1)</h3>"), "{}", p.body);
        assert!(p.body.contains(">Containers (1)</h3>"), "{}", p.body);
        let (_, v) = srv.get("/api/v1/assets?kind=container", admin);
        let container = v["items"][0]["id"].as_str().unwrap().to_string();
        let (_, v) = srv.get("/api/v1/assets?kind=host", admin);
        let host = v["items"][0]["id"].as_str().unwrap().to_string();
        // The container's row: its short ID, the host it runs on (by host
        // name), the nginx processes in it.
        let row = &p.body[p
            .body
            .find(&format!("<a href=\"/ui/assets/{container}\">"))
            .unwrap()..];
        assert!(
            row.starts_with(&format!(
                "<a href=\"/ui/assets/{container}\">9d2b7e4f1a3c</a>"
            )),
            "{row}"
        );
        assert!(row.contains(&format!(
            "on host <a href=\"/ui/assets/{host}\">docker-01</a>"
        )));
        assert!(row.contains("<td class=\"num\">4100</td>"));

        // The asset pages relate them.
        let c = web(srv, "GET", &format!("/ui/assets/{container}"), admin, None);
        assert!(
            c.body.contains(&format!(
                "<td>runs on</td><th scope=\"row\"><a href=\"/ui/assets/{host}\">"
            )),
            "{}",
            c.body
        );
        let h = web(srv, "GET", &format!("/ui/assets/{host}"), admin, None);
        assert!(
            h.body.contains(&format!(
                "<td>runs here</td><th scope=\"row\"><a href=\"/ui/assets/{container}\">"
            )),
            "{}",
            h.body
        );
        // Its runtime: the processes, linked to their container.
        assert!(h.body.contains(&format!(
            "<a href=\"/ui/assets/{container}\">9d2b7e4f1a3c</a>"
        )));
    });
}

#[test]
fn the_asset_page_searches_its_inventory() {
    each_backend(|srv| {
        let id = seed_repository(srv, "payments");
        let admin = &srv.admin_token;
        let p = web(srv, "GET", &format!("/ui/assets/{id}"), admin, None);
        assert_eq!(p.status, 200, "{}: {}", srv.backend, p.body);
        assert!(p.body.contains("Components 1–3 of 3."), "{}", p.body);
        assert!(p.body.contains("4f2a9c1"), "the commit");
        assert!(p.body.contains("GHSA-462w-v97r-4m45"), "its findings");
        let findings_link = format!("/ui/findings?state=active&#38;asset={id}");
        assert!(p.body.contains(&findings_link), "{}", p.body);
        // That list has them all, and only them.
        let all = web(
            srv,
            "GET",
            &findings_link.replace("&#38;", "&"),
            admin,
            None,
        );
        assert!(all.body.contains("Findings 1–4 of 4."), "{}", all.body);
        assert!(p.body.contains("scan"), "its upload history");

        // Case-insensitive, on the name.
        let p = web(srv, "GET", &format!("/ui/assets/{id}?q=JINJA"), admin, None);
        assert_eq!(p.status, 200);
        assert!(p.body.contains("<td>Jinja2</td>"), "{}", p.body);
        assert!(!p.body.contains("<td>lodash</td>"));
        assert!(p
            .body
            .contains("Components 1–1 of 1 matching “JINJA” (of 3)."));
        // By ecosystem.
        let p = web(srv, "GET", &format!("/ui/assets/{id}?q=npm"), admin, None);
        assert!(p.body.contains("<td>lodash</td>"));
        assert!(!p.body.contains("<td>Jinja2</td>"));
        // Nothing.
        let p = web(
            srv,
            "GET",
            &format!("/ui/assets/{id}?q=nothing-like-it"),
            admin,
            None,
        );
        assert!(p.body.contains("No component matches"));

        // The list finds it by name, with its open findings.
        let p = web(
            srv,
            "GET",
            "/ui/assets?name=pay&kind=repository",
            admin,
            None,
        );
        assert_eq!(p.status, 200);
        assert!(p.body.contains(&format!("href=\"/ui/assets/{id}\"")));
        assert!(p.body.contains("Assets 1–1 of 1."));
    });
}

#[test]
fn a_developer_gets_404_for_another_teams_asset() {
    each_backend(|srv| {
        let id = seed_repository(srv, "payments");
        let own = srv.token("developer", Some("payments"));
        let other = srv.token("developer", Some("billing"));
        assert_eq!(
            web(srv, "GET", &format!("/ui/assets/{id}"), &own, None).status,
            200
        );
        let p = web(srv, "GET", &format!("/ui/assets/{id}"), &other, None);
        assert_eq!(p.status, 404, "{}: {}", srv.backend, p.body);
        assert!(!p.body.contains("Jinja2"));
        let p = web(srv, "GET", "/ui/assets", &other, None);
        assert!(p.body.contains("No assets match."), "{}", p.body);
        // And no one but an admin changes its team.
        let p = web(
            srv,
            "POST",
            &format!("/ui/assets/{id}/team"),
            &own,
            Some(&[("csrf", &csrf(&own)), ("team", "billing")]),
        );
        assert_eq!(p.status, 403);
    });
}

#[test]
fn settings_are_for_admins_only() {
    each_backend(|srv| {
        for role in ["analyst", "viewer"] {
            let t = srv.token(role, None);
            let p = web(srv, "GET", "/ui/settings", &t, None);
            assert_eq!(p.status, 403, "{role}: {}", p.body);
            let p = web(
                srv,
                "POST",
                "/ui/settings/teams",
                &t,
                Some(&[("csrf", &csrf(&t)), ("name", "sneaky")]),
            );
            assert_eq!(p.status, 403, "{role}");
        }
        let dev = srv.token("developer", Some("payments"));
        assert_eq!(web(srv, "GET", "/ui/settings", &dev, None).status, 403);
        let (_, teams) = srv.get("/api/v1/teams", &srv.admin_token);
        assert!(!teams.to_string().contains("sneaky"));

        let admin = &srv.admin_token;
        let p = web(srv, "GET", "/ui/settings", admin, None);
        assert_eq!(p.status, 200, "{}", p.body);
        for section in [
            "Teams",
            "API tokens",
            "Notification rules",
            "Data sources",
            "Audit log",
        ] {
            assert!(p.body.contains(&format!(">{section}</h2>")), "{section}");
        }
        // A team and a notification rule through the forms, audited.
        let c = csrf(admin);
        let p = web(
            srv,
            "POST",
            "/ui/settings/teams",
            admin,
            Some(&[("csrf", &c), ("name", "platform")]),
        );
        assert_eq!(p.status, 303, "{}", p.body);
        // A user through the form: listed, and they can log in.
        let p = web(
            srv,
            "POST",
            "/ui/settings/users",
            admin,
            Some(&[
                ("csrf", &c),
                ("username", "dana"),
                ("password", "a long enough password"),
                ("role", "developer"),
                ("team", "platform"),
            ]),
        );
        assert_eq!(p.status, 303, "{}", p.body);
        let (s, v) = srv.post(
            "/api/v1/login",
            "",
            &json!({ "username": "dana", "password": "a long enough password" }),
        );
        assert_eq!((s, &v["role"]), (200, &json!("developer")), "{v}");
        let p = web(srv, "GET", "/ui/settings", admin, None);
        assert!(
            p.body
                .contains("<th scope=\"row\">dana</th><td>developer</td><td>platform</td>"),
            "{}",
            p.body
        );
        // Refused like the API refuses it: a short password.
        let p = web(
            srv,
            "POST",
            "/ui/settings/users",
            admin,
            Some(&[
                ("csrf", &c),
                ("username", "eve"),
                ("password", "short"),
                ("role", "viewer"),
            ]),
        );
        assert_eq!(p.status, 400);
        assert!(p.body.contains("at least 12 characters"));
        let p = web(
            srv,
            "POST",
            "/ui/settings/rules",
            admin,
            Some(&[
                ("csrf", &c),
                ("name", "platform criticals"),
                ("url", "http://127.0.0.1:9/hook"),
                ("format", "json"),
                ("min_severity", "CRITICAL"),
                ("teams", "platform"),
                ("events", "finding.new"),
            ]),
        );
        assert_eq!(p.status, 303, "{}", p.body);
        let (_, rules) = srv.get("/api/v1/notifications/rules", admin);
        let rule = &rules["items"][0];
        assert_eq!(rule["name"], "platform criticals");
        assert_eq!(rule["teams"], json!(["platform"]));
        assert_eq!(rule["events"], json!(["finding.new"]));
        let p = web(srv, "GET", "/ui/settings", admin, None);
        assert!(p.body.contains("platform criticals"));
        let rule_id = rule["id"].as_str().unwrap();
        let p = web(
            srv,
            "POST",
            &format!("/ui/settings/rules/{rule_id}/delete"),
            admin,
            Some(&[("csrf", &c)]),
        );
        assert_eq!(p.status, 303);
        let (_, rules) = srv.get("/api/v1/notifications/rules", admin);
        assert_eq!(rules["items"], json!([]));
        let actions = audit_actions(srv);
        for a in [
            "team.create",
            "notification_rule.create",
            "notification_rule.delete",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    });
}

#[test]
fn a_token_created_in_settings_is_shown_once_and_works() {
    each_backend(|srv| {
        let admin = &srv.admin_token;
        let p = web(
            srv,
            "POST",
            "/ui/settings/tokens",
            admin,
            Some(&[
                ("csrf", &csrf(admin)),
                ("name", "dashboard reader"),
                ("role", "viewer"),
                ("team", ""),
                ("expires_days", "30"),
            ]),
        );
        assert_eq!(p.status, 201, "{}: {}", srv.backend, p.body);
        assert!(p.body.contains("shown only this once"));
        let start = p.body.find("value=\"vgl_").unwrap() + "value=\"".len();
        let token: String = p.body[start..].chars().take_while(|c| *c != '"').collect();
        assert_eq!(token.len(), 44, "{token}");

        // It works against the API, as a viewer.
        let (s, _) = srv.get("/api/v1/findings", &token);
        assert_eq!(s, 200);
        let (s, _) = srv.get("/api/v1/tokens", &token);
        assert_eq!(s, 403);

        // It is listed, never shown again.
        let p = web(srv, "GET", "/ui/settings", admin, None);
        assert!(p.body.contains("dashboard reader"));
        assert!(!p.body.contains(&token));
        assert!(p.body.contains("token.create"), "the audit log on the page");

        // Revoked from the page: the API refuses it.
        let (_, list) = srv.get("/api/v1/tokens", admin);
        let id = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "dashboard reader")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let p = web(
            srv,
            "POST",
            &format!("/ui/settings/tokens/{id}/revoke"),
            admin,
            Some(&[("csrf", &csrf(admin))]),
        );
        assert_eq!(p.status, 303);
        let (s, _) = srv.get("/api/v1/findings", &token);
        assert_eq!(s, 401);
        assert!(audit_actions(srv).iter().any(|a| a == "token.revoke"));
    });
}

#[test]
fn forms_without_the_csrf_token_are_refused() {
    each_backend(|srv| {
        let id = seed_repository(srv, "payments");
        let (s, _) = srv.post(
            "/api/v1/teams",
            &srv.admin_token,
            &json!({ "name": "billing" }),
        );
        assert_eq!(s, 201);
        let admin = &srv.admin_token;
        let other_session = csrf("vgl_someone_else");
        let path = format!("/ui/assets/{id}/team");
        for fields in [
            vec![("team", "billing")],
            vec![("team", "billing"), ("csrf", "")],
            vec![("team", "billing"), ("csrf", other_session.as_str())],
        ] {
            let p = web(srv, "POST", &path, admin, Some(&fields));
            assert_eq!(p.status, 403, "{fields:?}: {}", p.body);
            let p = web(
                srv,
                "POST",
                "/ui/settings/tokens",
                admin,
                Some(&[&fields[1..], &[("name", "x"), ("role", "viewer")]].concat()),
            );
            assert_eq!(p.status, 403, "{fields:?}");
        }
        let (_, asset) = srv.get(&format!("/api/v1/assets/{id}"), admin);
        assert_eq!(asset["team"], "payments");

        // With the token: changed, through the API's code (audited).
        let c = csrf(admin);
        let p = web(
            srv,
            "POST",
            &path,
            admin,
            Some(&[("csrf", &c), ("team", "billing")]),
        );
        assert_eq!(p.status, 303, "{}", p.body);
        assert_eq!(p.location, format!("/ui/assets/{id}?done=team"));
        let (_, asset) = srv.get(&format!("/api/v1/assets/{id}"), admin);
        assert_eq!(asset["team"], "billing");
        assert!(audit_actions(srv).iter().any(|a| a == "asset.update"));
        let p = web(srv, "GET", &p.location, admin, None);
        assert!(p.body.contains("The asset belongs to team billing now."));
    });
}
