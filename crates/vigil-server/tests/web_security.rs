//! The dashboard reviewed as an attacker would try it, through the real
//! server on each backend: upload-controlled text reaching the pages only
//! escaped, every POST route refusing a missing CSRF token or a foreign
//! origin, `next` never leaving the dashboard, every route answering every
//! role as the RBAC says, developers scoped to their team on every page,
//! sessions that are fresh, revocable and expiring, and the headers.
//! docs/dashboard.md "Security model" describes what is checked here.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{json, Value};
use support::{each_backend, fixture, report, TestServer};

/// A dashboard response.
struct Page {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn location(&self) -> String {
        self.header("location")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value a `Set-Cookie` gives `name` (`None`: not set).
    fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|c| {
            c.split(';')
                .next()
                .and_then(|p| p.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
        })
    }

    /// The first hidden `csrf` field's value.
    fn csrf(&self) -> String {
        let key = r#"name="csrf" value=""#;
        let at = self.body.find(key).expect("a CSRF field") + key.len();
        let rest = &self.body[at..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// A request as a browser sends it: `cookie` as the session cookie (or a
/// whole `Cookie` header when it holds `=`), extra headers, a form.
fn send(
    srv: &TestServer,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> Page {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut b = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{}", srv.base, path));
    if let Some(c) = cookie {
        let c = if c.contains('=') {
            c.to_string()
        } else {
            format!("vigil_session={c}")
        };
        b = b.header("Cookie", c);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let body = match form {
        Some(fields) => {
            b = b.header("Content-Type", "application/x-www-form-urlencoded");
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter())
                .finish()
                .into_bytes()
        }
        None => Vec::new(),
    };
    let mut r = agent.run(b.body(body).unwrap()).unwrap();
    Page {
        status: r.status().as_u16(),
        headers: r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(srv: &TestServer, path: &str, session: &str) -> Page {
    send(srv, "GET", path, Some(session), &[], None)
}

/// The login form posted with its own nonce; `fields` are the rest.
fn login(srv: &TestServer, fields: &[(&str, &str)]) -> Page {
    let form = send(srv, "GET", "/ui/login", None, &[], None);
    assert_eq!(form.status, 200, "{}", form.body);
    let nonce = form.csrf();
    let cookie = format!("vigil_login={}", form.cookie("vigil_login").unwrap());
    let mut all = vec![("csrf", nonce.as_str())];
    all.extend_from_slice(fields);
    send(srv, "POST", "/ui/login", Some(&cookie), &[], Some(&all))
}

/// A dashboard session opened with an API token (the token login).
fn session(srv: &TestServer, token: &str) -> String {
    let p = login(srv, &[("token", token)]);
    assert_eq!(p.status, 303, "{}", p.body);
    p.cookie("vigil_session").unwrap()
}

fn csrf(session: &str) -> String {
    vigil_server::web::csrf_token(session)
}

fn api_items(srv: &TestServer, path: &str) -> Vec<Value> {
    let (s, v) = srv.get(path, &srv.admin_token);
    assert_eq!(s, 200, "{path}: {v}");
    v.get("items")
        .and_then(Value::as_array)
        .or_else(|| v.as_array())
        .cloned()
        .unwrap_or_default()
}

/// Payments' repository (report-a, a risk score) and web's image with a
/// vulnerability only it has; returns (payments' asset, web's asset).
fn seed_teams(srv: &TestServer) -> (String, String) {
    let ci_payments = srv.token("ci", Some("payments"));
    let ci_web = srv.token("ci", Some("web"));
    let mut a = report("report-a.json");
    a["findings"][0]["risk"] = json!({
        "score": 9.1,
        "reasons": ["listens on a public address"],
        "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    });
    let (s, v) = srv.upload(&ci_payments, "sec-a-0001", &a);
    assert_eq!(s, 202, "{v}");
    let mut img = report("report-image.json");
    img["findings"][0]["id"] = json!("GHSA-webo-nly0-0001");
    img["findings"][0]["aliases"] = json!(["CVE-2099-70001"]);
    img["findings"][0]["title"] = json!("Only on the web team's image");
    img["findings"][0]["fingerprint"] = json!("f00dfeedf00dfeedf00dfeedf00dfeed");
    let (s, v) = srv.upload(&ci_web, "sec-img-0001", &img);
    assert_eq!(s, 202, "{v}");
    let id = |kind: &str| {
        api_items(srv, &format!("/api/v1/assets?kind={kind}"))[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (id("repository"), id("image"))
}

/// The paths of the POST routes of `src/web/mod.rs`'s router.
fn post_routes_of_the_router() -> Vec<String> {
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/mod.rs"),
    )
    .unwrap();
    let router = &src[src.find("pub fn router()").unwrap()..];
    let router = &router[..router.find("\n}\n").unwrap()];
    let mut out: Vec<String> = router
        .split(".route(")
        .skip(1)
        .filter(|chunk| chunk.contains("post("))
        .map(|chunk| {
            let start = chunk.find('"').unwrap() + 1;
            let end = start + chunk[start..].find('"').unwrap();
            chunk[start..end].to_string()
        })
        .collect();
    out.sort();
    out
}

/// A POST route: as the router names it, the path to post to, the form.
type Route<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

#[test]
fn every_post_route_refuses_a_missing_or_foreign_token_and_a_foreign_origin() {
    each_backend(|srv| {
        let (asset, _) = seed_teams(srv);
        let victim = srv.token("viewer", None);
        let (s, rule) = srv.post(
            "/api/v1/notifications/rules",
            &srv.admin_token,
            &json!({ "name": "kept", "url": "https://hooks.example/kept" }),
        );
        assert_eq!(s, 201, "{rule}");
        let tokens = api_items(srv, "/api/v1/tokens");
        let victim_id = tokens.iter().find(|t| t["name"] == "viewer test").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let rule_id = rule["id"].as_str().unwrap();
        let admin = session(srv, &srv.admin_token);
        let finding = api_items(srv, "/api/v1/findings?limit=1")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();

        // Every POST route of the router, with a body that would change
        // something if it were accepted.
        let routes: Vec<Route> = vec![
            (
                "/ui/login",
                "/ui/login".into(),
                vec![("username", "admin"), ("password", "correct horse battery")],
            ),
            ("/ui/logout", "/ui/logout".into(), vec![]),
            (
                "/ui/findings/triage",
                "/ui/findings/triage".into(),
                vec![
                    ("ids", finding.as_str()),
                    ("action", "false_positive"),
                    ("justification", "forged"),
                ],
            ),
            (
                "/ui/assets/{id}/team",
                format!("/ui/assets/{asset}/team"),
                vec![("team", "web")],
            ),
            (
                "/ui/settings/teams",
                "/ui/settings/teams".into(),
                vec![("name", "forged-team")],
            ),
            (
                "/ui/settings/users",
                "/ui/settings/users".into(),
                vec![
                    ("username", "mallory"),
                    ("password", "a long enough password"),
                    ("role", "admin"),
                ],
            ),
            (
                "/ui/settings/tokens",
                "/ui/settings/tokens".into(),
                vec![("name", "forged"), ("role", "admin")],
            ),
            (
                "/ui/settings/tokens/{id}/revoke",
                format!("/ui/settings/tokens/{victim_id}/revoke"),
                vec![],
            ),
            (
                "/ui/settings/rules",
                "/ui/settings/rules".into(),
                vec![("name", "forged"), ("url", "https://evil.example/")],
            ),
            (
                "/ui/settings/rules/{id}/delete",
                format!("/ui/settings/rules/{rule_id}/delete"),
                vec![],
            ),
            (
                "/ui/settings/advisories/update",
                "/ui/settings/advisories/update".into(),
                vec![],
            ),
        ];
        let mut covered: Vec<String> = routes.iter().map(|(r, _, _)| (*r).to_string()).collect();
        covered.sort();
        assert_eq!(
            covered,
            post_routes_of_the_router(),
            "a POST route of the router is not covered here"
        );

        let audit_before = api_items(srv, "/api/v1/audit?limit=500").len();
        let foreign = csrf("vgl_another_session");
        let good = csrf(&admin);
        for (route, path, body) in &routes {
            let cookie = if *route == "/ui/login" {
                // The login form's nonce cookie, but no matching field.
                "vigil_login=0123456789abcdef".to_string()
            } else {
                admin.clone()
            };
            for (what, token, origin) in [
                ("no token", None, None),
                ("an empty token", Some(""), None),
                ("another session's token", Some(foreign.as_str()), None),
                (
                    "a foreign origin",
                    Some(good.as_str()),
                    Some("https://evil.example"),
                ),
                ("an opaque origin", Some(good.as_str()), Some("null")),
            ] {
                if *route == "/ui/login" && token == Some(good.as_str()) {
                    continue; // the login's own nonce is checked below
                }
                let mut fields = body.clone();
                if let Some(t) = token {
                    fields.push(("csrf", t));
                }
                let headers: Vec<(&str, &str)> =
                    origin.map(|o| ("Origin", o)).into_iter().collect();
                let p = send(srv, "POST", path, Some(&cookie), &headers, Some(&fields));
                assert_eq!(p.status, 403, "{route} with {what}: {}", p.body);
                assert!(p.cookie("vigil_session").is_none(), "{route} with {what}");
            }
        }
        // The login with its nonce but from another origin.
        let form = send(srv, "GET", "/ui/login", None, &[], None);
        let cookie = format!("vigil_login={}", form.cookie("vigil_login").unwrap());
        let p = send(
            srv,
            "POST",
            "/ui/login",
            Some(&cookie),
            &[("Origin", "https://evil.example")],
            Some(&[
                ("csrf", &form.csrf()),
                ("username", "admin"),
                ("password", "correct horse battery"),
            ]),
        );
        assert_eq!(p.status, 403);
        assert!(p.cookie("vigil_session").is_none());

        // Nothing changed: no audit entry, the session, token, rule,
        // finding and asset as they were.
        assert_eq!(
            api_items(srv, "/api/v1/audit?limit=500").len(),
            audit_before
        );
        assert_eq!(get(srv, "/ui/", &admin).status, 200, "the session survived");
        assert_eq!(srv.get("/api/v1/findings", &victim).0, 200);
        assert_eq!(api_items(srv, "/api/v1/notifications/rules").len(), 1);
        assert_eq!(
            api_items(srv, "/api/v1/tokens").len(),
            tokens.len() + 1 /* admin's session */
        );
        let (_, f) = srv.get(&format!("/api/v1/findings/{finding}"), &srv.admin_token);
        assert!(f.get("triage").is_none(), "{f}");
        let (_, a) = srv.get(&format!("/api/v1/assets/{asset}"), &srv.admin_token);
        assert_eq!(a["team"], "payments");

        // Without a session a POST goes to the login page and changes nothing.
        let p = send(
            srv,
            "POST",
            "/ui/settings/teams",
            None,
            &[],
            Some(&[("name", "x")]),
        );
        assert_eq!(
            (p.status, p.location().as_str()),
            (303, "/ui/login?next=%2Fui%2F")
        );
        // The same origin (Host) is accepted with the right token.
        let host = srv.base.trim_start_matches("http://").to_string();
        let p = send(
            srv,
            "POST",
            "/ui/settings/teams",
            Some(&admin),
            &[("Origin", &srv.base)],
            Some(&[("csrf", &good), ("name", "fine")]),
        );
        assert_eq!(p.status, 303, "{host}: {}", p.body);
    });
}

#[test]
fn next_never_leaves_the_dashboard() {
    each_backend(|srv| {
        for next in [
            "//evil.example/ui/",
            "/\\evil.example",
            "/ui\\@evil.example",
            "https://evil.example/ui/",
            "https:evil.example",
            "javascript:alert(1)",
            "%2F%2Fevil.example",
            "/%2F%2Fevil.example",
            "/ui@evil.example",
            "/ui/\r\nSet-Cookie: x=1",
            "/ui/\t/evil.example",
            "/ui/é",
            "/api/v1/tokens",
            "",
        ] {
            let p = login(
                srv,
                &[
                    ("next", next),
                    ("username", "admin"),
                    ("password", "correct horse battery"),
                ],
            );
            assert_eq!((p.status, p.location().as_str()), (303, "/ui/"), "{next:?}");
            // …and the login form does not carry it either.
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            let form = send(srv, "GET", &format!("/ui/login?{q}"), None, &[], None);
            assert!(
                form.body.contains(r#"name="next" value="/ui/""#),
                "{next:?}: {}",
                form.body
            );
        }
        // A dashboard path with a query is kept.
        let p = login(
            srv,
            &[
                ("next", "/ui/findings?severity=HIGH&page=2"),
                ("username", "admin"),
                ("password", "correct horse battery"),
            ],
        );
        assert_eq!(p.location(), "/ui/findings?severity=HIGH&page=2");
    });
}

#[test]
fn every_route_answers_every_role_as_the_rbac_says() {
    each_backend(|srv| {
        let (payments, web) = seed_teams(srv);
        let static_css = {
            let p = send(srv, "GET", "/ui/login", None, &[], None);
            let at = p.body.find("/ui/static/vigil.").unwrap();
            let rest = &p.body[at..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        let web_only = "/ui/vulnerabilities/GHSA-webo-nly0-0001";
        let pages: Vec<String> = vec![
            "/ui/".into(),
            "/ui/findings".into(),
            "/ui/findings?state=all&page=2".into(),
            "/ui/assets".into(),
            format!("/ui/assets/{payments}"),
            format!("/ui/assets/{web}"),
            "/ui/vulnerabilities".into(),
            "/ui/vulnerabilities?q=GHSA".into(),
            "/ui/vulnerabilities/GHSA-462w-v97r-4m45".into(),
            web_only.into(),
            "/ui/settings".into(),
            "/ui/nowhere".into(),
        ];
        // (role, cookie) — ci and agent have no session (the login refuses
        // them), so their API tokens stand in for one.
        let mut who: Vec<(&str, Option<String>)> = vec![("nobody", None)];
        for (role, team) in [
            ("admin", None),
            ("analyst", None),
            ("viewer", None),
            ("developer", Some("payments")),
        ] {
            who.push((role, Some(session(srv, &srv.token(role, team)))));
        }
        for role in ["ci", "agent"] {
            let token = srv.token(role, None);
            let p = login(srv, &[("token", &token)]);
            assert_eq!(p.status, 403, "{role} may not log in");
            assert!(p.cookie("vigil_session").is_none());
            who.push((role, Some(token)));
        }
        for (role, cookie) in &who {
            for page in &pages {
                let p = send(srv, "GET", page, cookie.as_deref(), &[], None);
                let expected = match (*role, page.as_str()) {
                    ("nobody", _) => 303,
                    ("ci" | "agent", _) => 403,
                    (_, "/ui/nowhere") => 404,
                    ("admin", _) => 200,
                    (_, "/ui/settings") => 403,
                    ("developer", p) if p == format!("/ui/assets/{web}") || p == web_only => 404,
                    _ => 200,
                };
                assert_eq!(p.status, expected, "{role} GET {page}: {}", p.body);
                if *role == "nobody" {
                    assert!(p.location().starts_with("/ui/login?next=%2Fui"), "{page}");
                }
            }
            // The login page: readers go on, the others get the form.
            let p = send(srv, "GET", "/ui/login", cookie.as_deref(), &[], None);
            let expected = if matches!(*role, "nobody" | "ci" | "agent") {
                200
            } else {
                303
            };
            assert_eq!(p.status, expected, "{role} GET /ui/login");
            // The static files are public.
            let p = send(srv, "GET", &static_css, cookie.as_deref(), &[], None);
            assert_eq!(p.status, 200, "{role} GET {static_css}");
        }
        // The POST routes with a valid token: triage for admin and analyst;
        // the asset's team and every setting for admins only.
        let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/ui/assets/{payments}/team"), vec![("team", "web")]),
            ("/ui/settings/teams".into(), vec![("name", "forged")]),
            (
                "/ui/settings/users".into(),
                vec![
                    ("username", "mallory"),
                    ("password", "a long enough password"),
                    ("role", "admin"),
                ],
            ),
            (
                "/ui/settings/tokens".into(),
                vec![("name", "forged"), ("role", "admin")],
            ),
            (
                "/ui/settings/rules".into(),
                vec![("name", "forged"), ("url", "https://evil.example/")],
            ),
            ("/ui/settings/advisories/update".into(), vec![]),
        ];
        let finding = api_items(srv, "/api/v1/findings?limit=1")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (role, cookie) in &who {
            let Some(cookie) = cookie else { continue };
            if matches!(*role, "admin" | "ci" | "agent") {
                continue;
            }
            let token = csrf(cookie);
            for (path, body) in &writes {
                let mut fields = body.clone();
                fields.push(("csrf", &token));
                let p = send(srv, "POST", path, Some(cookie), &[], Some(&fields));
                assert_eq!(p.status, 403, "{role} POST {path}: {}", p.body);
            }
            let p = send(
                srv,
                "POST",
                "/ui/findings/triage",
                Some(cookie),
                &[],
                Some(&[("csrf", &token), ("ids", &finding), ("action", "reopen")]),
            );
            let expected = if *role == "analyst" { 303 } else { 403 };
            assert_eq!(p.status, expected, "{role} triage: {}", p.body);
        }
        let (_, a) = srv.get(&format!("/api/v1/assets/{payments}"), &srv.admin_token);
        assert_eq!(a["team"], "payments");
        assert!(api_items(srv, "/api/v1/teams")
            .iter()
            .all(|t| t["name"] != "forged"));
    });
}

/// The numbers of a chart's `aria-label` (`…: CRITICAL 1, HIGH 2, …`).
fn chart_total(body: &str, title: &str) -> i64 {
    let at = body.find(&format!(r#"aria-label="{title}: "#)).unwrap();
    let label = &body[at..];
    let label = &label[..label[12..].find('"').unwrap() + 12];
    label
        .split(", ")
        .filter_map(|part| part.rsplit(' ').next()?.parse::<i64>().ok())
        .sum()
}

#[test]
fn a_developer_sees_only_their_team_on_every_page() {
    each_backend(|srv| {
        let (payments, web) = seed_teams(srv);
        let dev_token = srv.token("developer", Some("payments"));
        let dev = session(srv, &dev_token);
        let admin = session(srv, &srv.admin_token);
        let (_, mine) = srv.get("/api/v1/findings?state=active&triage=none", &dev_token);
        let mine = mine["total"].as_i64().unwrap();
        let all =
            api_items(srv, "/api/v1/findings?state=active&triage=none&limit=500").len() as i64;
        assert!(all > mine && mine > 0, "{all} > {mine}");

        // The overview's counts and charts: the team's only.
        let p = get(srv, "/ui/", &dev);
        assert!(
            p.body.contains(&format!("<p>{mine} open findings")),
            "{}",
            p.body
        );
        assert_eq!(chart_total(&p.body, "Open findings by severity"), mine);
        assert_eq!(chart_total(&p.body, "Open findings by risk band"), mine);
        let a = get(srv, "/ui/", &admin);
        assert_eq!(chart_total(&a.body, "Open findings by severity"), all);
        // Nothing of web's on any page a developer reads.
        for page in [
            "/ui/".to_string(),
            "/ui/findings?state=all".into(),
            "/ui/assets".into(),
            format!("/ui/assets/{payments}"),
            "/ui/vulnerabilities".into(),
            "/ui/vulnerabilities?q=GHSA".into(),
            "/ui/vulnerabilities?q=webo".into(),
            "/ui/vulnerabilities/CVE-2099-70001".into(),
            "/ui/vulnerabilities/GHSA-462w-v97r-4m45".into(),
            // An injection attempt through a filter is a plain value.
            "/ui/findings?state=all&team=x%27%20OR%20%271%27%3D%271".into(),
            "/ui/assets?team=x%27%20OR%201%3D1%20--".into(),
        ] {
            let p = get(srv, &page, &dev);
            let body = p.body.to_ascii_lowercase();
            for secret in [
                "ghsa-webo-nly0-0001",
                "only on the web team",
                "acme/web",
                web.as_str(),
            ] {
                assert!(!body.contains(secret), "{page} shows {secret}");
            }
        }
        // The filters offer only the kinds of the team's assets.
        for page in ["/ui/findings", "/ui/assets"] {
            assert!(get(srv, page, &admin)
                .body
                .contains(r#"<option value="image">"#));
            let p = get(srv, page, &dev);
            assert!(p.body.contains(r#"<option value="repository">"#), "{page}");
            assert!(!p.body.contains(r#"<option value="image">"#), "{page}");
        }
        // The same pages show it to the admin.
        let p = get(srv, "/ui/vulnerabilities?q=webo", &admin);
        assert!(
            p.body.to_ascii_lowercase().contains("ghsa-webo-nly0-0001") || p.status == 303,
            "{}",
            p.body
        );
        let p = get(srv, "/ui/findings?state=all", &admin);
        assert!(p.body.contains("Only on the web team"));
        // The findings list counts the team's findings only.
        let p = get(srv, "/ui/findings", &dev);
        assert!(p.body.contains(&format!("of {mine}.")), "{}", p.body);
        // A filter by another team's name does not widen the scope.
        let p = get(srv, "/ui/findings?team=web&state=all", &dev);
        assert!(p.body.contains("No findings match."), "{}", p.body);
        // The injection attempts matched nothing for the admin either.
        let p = get(
            srv,
            "/ui/findings?state=all&severity=HIGH%27%20OR%20%271%27%3D%271",
            &admin,
        );
        assert!(p.body.contains("No findings match."), "{}", p.body);
    });
}

#[test]
fn a_developer_sees_no_other_teams_asset_among_the_relations() {
    each_backend(|srv| {
        // A host (given to payments) whose container has no team.
        let agent = srv.token("agent", None);
        let snapshot = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../vigil/tests/fixtures/agent/snapshot-container.json"),
        )
        .unwrap();
        let (s, v) = srv.call(
            "POST",
            "/api/v1/agents/snapshots",
            Some(&agent),
            &[("Idempotency-Key", "sec-snapshot-0001")],
            Some(&snapshot),
        );
        assert_eq!(s, 202, "{v}");
        srv.token("ci", Some("payments"));
        let host = api_items(srv, "/api/v1/assets?kind=host")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let container = api_items(srv, "/api/v1/assets?kind=container")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let body = serde_json::to_vec(&json!({ "team": "payments" })).unwrap();
        let (s, v) = srv.call(
            "PATCH",
            &format!("/api/v1/assets/{host}"),
            Some(&srv.admin_token),
            &[],
            Some(&body),
        );
        assert_eq!(s, 200, "{v}");
        let link = format!("/ui/assets/{container}");
        let admin = session(srv, &srv.admin_token);
        let p = get(srv, &format!("/ui/assets/{host}"), &admin);
        assert!(
            p.body.contains("runs here") && p.body.contains(&link),
            "{}",
            p.body
        );
        let dev = session(srv, &srv.token("developer", Some("payments")));
        let p = get(srv, &format!("/ui/assets/{host}"), &dev);
        assert_eq!(p.status, 200, "{}", p.body);
        assert!(!p.body.contains("runs here"), "{}", p.body);
        assert!(!p.body.contains(&link), "{}", p.body);
        assert_eq!(get(srv, &link, &dev).status, 404);
        // The API alike: the admin sees the relation, the developer not.
        let relations = |token: &str| {
            let (s, v) = srv.call(
                "GET",
                &format!("/api/v1/assets/{host}"),
                Some(token),
                &[],
                None,
            );
            assert_eq!(s, 200, "{v}");
            // No relations: the field is left out.
            v["relations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| r["asset"]["id"].as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert!(relations(&srv.admin_token).contains(&container));
        let dev_token = srv.token("developer", Some("payments"));
        assert!(!relations(&dev_token).contains(&container));
    });
}

#[test]
fn sessions_are_fresh_revocable_and_expire() {
    each_backend(|srv| {
        // A cookie the client chose is not a session: the login answers
        // with a new one, never the pre-set value.
        let planted = "vgl_0123456789abcdef0123456789abcdef01234567";
        let p = get(srv, "/ui/", planted);
        assert_eq!(p.status, 303);
        let form = send(srv, "GET", "/ui/login", Some(planted), &[], None);
        assert_eq!(form.status, 200);
        let cookie = format!(
            "vigil_session={planted}; vigil_login={}",
            form.cookie("vigil_login").unwrap()
        );
        let p = send(
            srv,
            "POST",
            "/ui/login",
            Some(&cookie),
            &[],
            Some(&[
                ("csrf", &form.csrf()),
                ("username", "admin"),
                ("password", "correct horse battery"),
            ]),
        );
        assert_eq!(p.status, 303);
        let fresh = p.cookie("vigil_session").unwrap();
        assert_ne!(fresh, planted);
        let flags = p
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("vigil_session="))
            .unwrap();
        for flag in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Secure",
            "Max-Age=43200",
        ] {
            assert!(flags.contains(flag), "{flag} in {flags}");
        }
        // Two logins, two sessions.
        let again = login(
            srv,
            &[("username", "admin"), ("password", "correct horse battery")],
        );
        assert_ne!(again.cookie("vigil_session").unwrap(), fresh);

        // A token login gets a session of its own: the API token is never
        // the cookie, and logging out revokes the session, not the token.
        let viewer = srv.token("viewer", None);
        let s = session(srv, &viewer);
        assert_ne!(s, viewer);
        assert!(!s.contains(&viewer));
        assert_eq!(get(srv, "/ui/findings", &s).status, 200);
        let p = send(
            srv,
            "POST",
            "/ui/logout",
            Some(&s),
            &[],
            Some(&[("csrf", &csrf(&s))]),
        );
        assert_eq!((p.status, p.location().as_str()), (303, "/ui/login"));
        let cleared = p
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("vigil_session="))
            .unwrap();
        assert!(
            cleared.starts_with("vigil_session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
        assert_eq!(
            get(srv, "/ui/findings", &s).status,
            303,
            "the session is revoked"
        );
        assert_eq!(srv.get("/api/v1/findings", &s).0, 401, "for the API too");
        assert_eq!(
            srv.get("/api/v1/findings", &viewer).0,
            200,
            "the API token still works"
        );
        assert!(api_items(srv, "/api/v1/audit")
            .iter()
            .any(|e| e["action"] == "user.logout"));

        // An expired session is no session.
        assert_eq!(get(srv, "/ui/", &fresh).status, 200);
        srv.sql("UPDATE tokens SET expires_at = 1 WHERE name = 'session'");
        assert_eq!(get(srv, "/ui/", &fresh).status, 303);
        let p = send(
            srv,
            "POST",
            "/ui/logout",
            Some(&fresh),
            &[],
            Some(&[("csrf", &csrf(&fresh))]),
        );
        assert_eq!(p.status, 303);
        assert!(p.location().starts_with("/ui/login?next="));
    });
}

#[test]
fn headers_forbid_inline_code_framing_sniffing_and_caching() {
    each_backend(|srv| {
        seed_teams(srv);
        let admin = session(srv, &srv.admin_token);
        let login_page = send(srv, "GET", "/ui/login", None, &[], None);
        let statics: Vec<String> = login_page
            .body
            .match_indices("/ui/static/")
            .map(|(at, _)| {
                let rest = &login_page.body[at..];
                rest[..rest.find('"').unwrap()].to_string()
            })
            .collect();
        assert!(!statics.is_empty());
        let pages = [
            get(srv, "/ui/", &admin),
            get(srv, "/ui/findings", &admin),
            get(srv, "/ui/settings", &admin),
            get(srv, "/ui/nowhere", &admin),
            send(srv, "GET", "/ui/login", None, &[], None),
            send(srv, "GET", "/ui/findings", None, &[], None),
            send(
                srv,
                "GET",
                "/ui/static/vigil.000000000000.css",
                None,
                &[],
                None,
            ),
        ];
        for p in &pages {
            let csp = p.header("content-security-policy");
            assert!(csp.starts_with("default-src 'none'"), "{csp}");
            assert!(
                !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
                "{csp}"
            );
            for directive in [
                "frame-ancestors 'none'",
                "form-action 'self'",
                "base-uri 'none'",
                "script-src 'self'",
                "style-src 'self'",
            ] {
                assert!(csp.contains(directive), "{directive} in {csp}");
            }
            assert_eq!(p.header("x-content-type-options"), "nosniff");
            assert_eq!(p.header("x-frame-options"), "DENY");
            assert_eq!(p.header("cache-control"), "no-store", "{}", p.status);
            // No inline script or style for the CSP to refuse.
            assert!(
                !p.body.contains("<script>") && !p.body.contains(" style="),
                "{}",
                p.body
            );
            assert!(!p.body.contains(" onclick=") && !p.body.contains(" onload="));
        }
        // Hashed statics are cached for long; their names change with them.
        for s in &statics {
            let p = send(srv, "GET", s, None, &[], None);
            assert_eq!(p.status, 200, "{s}");
            assert_eq!(
                p.header("cache-control"),
                "public, max-age=31536000, immutable"
            );
            assert_eq!(p.header("x-content-type-options"), "nosniff");
            assert!(p.header("content-type").starts_with("text/"), "{s}");
        }
    });
}

/// What an attacker puts in every name, title and reason.
const XSS: &str =
    r#"<script>alert("x")</script>"><img src=x onerror=alert(2)>'javascript:alert(3)"#;

/// The escaped form of the payload's start, as askama writes it.
const XSS_ESCAPED: &str = "&#60;script&#62;alert(";

/// Checks a page for anything the payload could have injected: no tag
/// or attribute of its own, links only to this dashboard or the web.
fn assert_inert(page: &str, body: &str) {
    let lower = body.to_ascii_lowercase();
    assert!(!lower.contains("<img"), "{page}: an <img> tag");
    // Every tag is the dashboard's: the payload's text is escaped, so a
    // raw `<` starts a real tag, and none has an event handler.
    // Outside its quoted attribute values (escaped text may say anything).
    for tag in lower.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let outside: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        for bad in [
            "onerror",
            "onmouseover",
            "onload",
            "onclick",
            "javascript:",
            "'",
        ] {
            assert!(!outside.contains(bad), "{page}: <{tag}>");
        }
    }
    assert_eq!(
        lower.matches("<script").count(),
        lower.matches(r#"<script src="/ui/static/"#).count(),
        "{page}: a script that is not the dashboard's"
    );
    for attr in ["href=\"", "src=\"", "action=\""] {
        for (at, _) in lower.match_indices(attr) {
            let value = &lower[at + attr.len()..];
            let value = &value[..value.find('"').unwrap()];
            assert!(
                value.starts_with('/')
                    || value.starts_with('#')
                    || value.starts_with("https://")
                    || value.starts_with("http://")
                    || value.starts_with("data:,"),
                "{page}: {attr}{value}"
            );
        }
    }
}

#[test]
fn upload_controlled_text_reaches_the_pages_only_escaped() {
    each_backend(|srv| {
        // A team, a token and a notification rule named by the attacker.
        let (s, v) = srv.post("/api/v1/teams", &srv.admin_token, &json!({ "name": XSS }));
        assert_eq!(s, 201, "{v}");
        let (s, v) = srv.post(
            "/api/v1/tokens",
            &srv.admin_token,
            &json!({ "name": XSS, "role": "ci", "team": XSS }),
        );
        assert_eq!(s, 201, "{v}");
        let ci = v["token"].as_str().unwrap().to_string();
        let (s, v) = srv.post(
            "/api/v1/notifications/rules",
            &srv.admin_token,
            &json!({ "name": XSS, "url": "https://hooks.example/x?a='-alert(9)-'" }),
        );
        assert_eq!(s, 201, "{v}");
        // An upload whose every text is the payload.
        let mut r = report("report-a.json");
        r["source"] = json!({ "kind": "repository", "name": XSS, "branch": XSS, "commit": XSS });
        for f in r["findings"].as_array_mut().unwrap() {
            f["title"] = json!(XSS);
            if f.get("package").is_some() {
                f["package"]["name"] = json!(XSS);
                f["package"]["version"] = json!(XSS);
            }
            f["location"] = json!({ "path": XSS });
            f["fixed_versions"] = json!([XSS]);
            f["risk"] = json!({ "score": 9.5, "reasons": [XSS], "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" });
        }
        r["findings"][0]["aliases"] = json!(["CVE-2019-10906", XSS]);
        for c in r["components"].as_array_mut().unwrap() {
            c["name"] = json!(XSS);
            c["license"] = json!(XSS);
            c["locations"] = json!([{ "path": XSS }]);
        }
        let (s, v) = srv.upload(&ci, "xss-upload-0001", &r);
        assert_eq!(s, 202, "{v}");
        // An advisory whose text and references are the attacker's.
        let (s, v) = srv.post(
            "/api/v1/advisories/update",
            &srv.admin_token,
            &json!({ "paths": [fixture("advisories-xss")] }),
        );
        assert_eq!(s, 200, "{v}");
        let asset = api_items(srv, "/api/v1/assets?kind=repository")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let admin = session(srv, &srv.admin_token);
        // The triage reason, audited with the payload.
        let finding = api_items(srv, "/api/v1/findings?limit=1")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let p = send(
            srv,
            "POST",
            "/ui/findings/triage",
            Some(&admin),
            &[],
            Some(&[
                ("csrf", &csrf(&admin)),
                ("ids", &finding),
                ("action", "false_positive"),
                ("justification", XSS),
            ]),
        );
        assert_eq!(p.status, 303, "{}", p.body);

        let q = |k: &str| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair(k, XSS)
                .finish()
        };
        let pages: Vec<(String, bool)> = vec![
            // (page, whether the payload is shown on it)
            ("/ui/".into(), true),
            ("/ui/findings?state=all".into(), true),
            (
                format!(
                    "/ui/findings?state=all&page=2&{}&{}",
                    q("team"),
                    q("severity")
                ),
                true,
            ),
            (format!("/ui/findings?state=all&{}", q("asset")), true),
            (format!("/ui/findings?done=accept&{}", q("changed")), false),
            ("/ui/assets".into(), true),
            (format!("/ui/assets?page=2&{}", q("name")), true),
            (format!("/ui/assets/{asset}"), true),
            (format!("/ui/assets/{asset}?page=2&{}", q("q")), true),
            ("/ui/vulnerabilities".into(), false),
            (format!("/ui/vulnerabilities?{}", q("q")), true),
            ("/ui/vulnerabilities/GHSA-462w-v97r-4m45".into(), true),
            ("/ui/vulnerabilities/VIGIL-XSS-0001".into(), true),
            (
                format!("/ui/vulnerabilities/{}", q("x").trim_start_matches("x=")),
                true,
            ),
            ("/ui/settings".into(), true),
            (format!("/ui/settings?{}", q("done")), true),
        ];
        for (page, shown) in &pages {
            let mut p = get(srv, page, &admin);
            if p.status == 303 {
                // The search goes straight to an ID's page.
                assert!(
                    p.location().starts_with("/ui/vulnerabilities/"),
                    "{}",
                    p.location()
                );
                assert_inert(page, &p.location());
                p = get(srv, &p.location(), &admin);
            }
            assert!(
                p.status == 200 || p.status == 404,
                "{page}: {} {}",
                p.status,
                p.body
            );
            assert_inert(page, &p.body);
            if *shown {
                assert!(
                    p.body.contains(XSS_ESCAPED),
                    "{page} shows the payload escaped: {}",
                    p.body
                );
            }
        }
        // The notice of a triage says a number, nothing else.
        let p = get(
            srv,
            &format!("/ui/findings?done=accept&{}", q("changed")),
            &admin,
        );
        assert!(!p.body.contains(r#"class="notice""#), "{}", p.body);
        let p = get(srv, "/ui/findings?done=accept&changed=2", &admin);
        assert!(p.body.contains("2 findings accepted as a risk."));
        // The login page echoes `next` and the user name escaped.
        let p = send(
            srv,
            "GET",
            "/ui/login?next=%2Fui%2F%22%3E%3Cimg%20src%3Dx%3E",
            None,
            &[],
            None,
        );
        assert_inert("/ui/login?next=", &p.body);
        let p = login(srv, &[("username", XSS), ("password", "wrong")]);
        assert_eq!(p.status, 401);
        assert_inert("the login's error", &p.body);
        assert!(p.body.contains(XSS_ESCAPED));
        // The advisory's `javascript:` references are text, never links;
        // its web reference is a link.
        let p = get(srv, "/ui/vulnerabilities/VIGIL-XSS-0001", &admin);
        assert!(p.body.contains("javascript:alert(4)"), "{}", p.body);
        assert!(p
            .body
            .contains(r#"href="https://advisories.example/VIGIL-XSS-0001""#));
        assert!(!p.body.to_ascii_lowercase().contains("href=\"javascript"));
        assert!(!p.body.to_ascii_lowercase().contains("href=\" javascript"));
    });
}
