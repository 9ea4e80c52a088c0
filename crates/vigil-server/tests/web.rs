//! The dashboard (`/ui/`) through the server's router (tower `oneshot`, no
//! socket), on SQLite and PostgreSQL: login and its cookie flags, CSRF and
//! origin checks, the roles' triage rights, developer scoping, and pages
//! rendered from seeded data. The same in a real browser:
//! crates/vigil/tests/dashboard_browser.rs.

#![allow(clippy::unwrap_used)]

mod support;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use support::{each_backend, report, TestServer};
use tower::ServiceExt;
use vigil_server::Config;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn cookie(&self, name: &str) -> String {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.cookies()))
    }

    /// The value of the first `name="csrf"` hidden field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find(r#"name="csrf" value=""#)
            .expect("a CSRF field");
        let rest = &self.body[at + r#"name="csrf" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// One request through the router, as a browser on `host` would send it.
fn send(
    srv: &TestServer,
    method: &str,
    path: &str,
    host: &str,
    cookies: &[&str],
    form: Option<&[(&str, &str)]>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, host);
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies.join("; "));
    }
    let body = match form {
        Some(fields) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut s = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                s.append_pair(k, v);
            }
            Body::from(s.finish())
        }
        None => Body::empty(),
    };
    let request = req.body(body).unwrap();
    let app = vigil_server::api::router(srv.state.clone());
    srv.block_on(async move {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    })
}

const HOST: &str = "127.0.0.1:8080";

/// `name=value` of a `Set-Cookie`.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// Logs in through the form; returns the session cookie (`name=value`).
fn login(srv: &TestServer, host: &str, fields: &[(&str, &str)]) -> Answer {
    let form = send(srv, "GET", "/ui/login", host, &[], None);
    assert_eq!(form.status, 200, "{}", form.body);
    let nonce = form.csrf();
    let login_cookie = pair(&form.cookie("vigil_login"));
    let mut all = vec![("csrf", nonce.as_str()), ("next", "/ui/findings")];
    all.extend_from_slice(fields);
    send(srv, "POST", "/ui/login", host, &[&login_cookie], Some(&all))
}

fn session_with_token(srv: &TestServer, token: &str) -> String {
    let a = login(srv, HOST, &[("token", token)]);
    assert_eq!(a.status, 303, "{}", a.body);
    pair(&a.cookie("vigil_session"))
}

fn admin_session(srv: &TestServer) -> String {
    let a = login(
        srv,
        HOST,
        &[("username", "admin"), ("password", "correct horse battery")],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    pair(&a.cookie("vigil_session"))
}

/// Payments' repository (one finding with a risk score) and web's image.
fn seed(srv: &TestServer) {
    let ci_payments = srv.token("ci", Some("payments"));
    let ci_web = srv.token("ci", Some("web"));
    let mut a = report("report-a.json");
    a["findings"][0]["risk"] = json!({
        "score": 9.1,
        "reasons": ["listens on a public address", "in KEV"],
        "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    });
    assert_eq!(srv.upload(&ci_payments, "web-a-0001", &a).0, 202);
    assert_eq!(
        srv.upload(&ci_web, "web-b-0001", &report("report-image.json"))
            .0,
        202
    );
}

fn open_findings(srv: &TestServer) -> Vec<Value> {
    let (_, v) = srv.get(
        "/api/v1/findings?state=active&triage=none",
        &srv.admin_token,
    );
    v["items"].as_array().unwrap().clone()
}

#[test]
fn pages_redirect_to_the_login_page_and_back() {
    each_backend(|srv| {
        let a = send(srv, "GET", "/", HOST, &[], None);
        assert_eq!((a.status, a.location()), (StatusCode::SEE_OTHER, "/ui/"));
        let a = send(srv, "GET", "/ui/findings?severity=HIGH", HOST, &[], None);
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        assert_eq!(
            a.location(),
            "/ui/login?next=%2Fui%2Ffindings%3Fseverity%3DHIGH"
        );
        // Only dashboard paths are followed after a login.
        let a = send(
            srv,
            "GET",
            "/ui/login?next=https://evil.example/",
            HOST,
            &[],
            None,
        );
        assert!(a.body.contains(r#"name="next" value="/ui/""#), "{}", a.body);
        let a = login(
            srv,
            HOST,
            &[("username", "admin"), ("password", "correct horse battery")],
        );
        assert_eq!(
            (a.status, a.location()),
            (StatusCode::SEE_OTHER, "/ui/findings")
        );
        // Every page carries the security headers; the API is untouched.
        assert!(a.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
        let api = send(srv, "GET", "/api/v1/findings", HOST, &[], None);
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
        assert!(api.headers.get(header::CONTENT_SECURITY_POLICY).is_none());
    });
}

#[test]
fn login_sets_the_session_cookie_with_its_flags() {
    each_backend(|srv| {
        let a = login(
            srv,
            HOST,
            &[("username", "admin"), ("password", "correct horse battery")],
        );
        let cookie = a.cookie("vigil_session");
        assert!(cookie.starts_with("vigil_session=vgl_"), "{cookie}");
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
            assert!(cookie.contains(flag), "{flag} in {cookie}");
        }
        // Plain HTTP to another address: no Secure (browsers would drop it).
        let a = login(
            srv,
            "10.1.2.3:8080",
            &[("username", "admin"), ("password", "correct horse battery")],
        );
        let cookie = a.cookie("vigil_session");
        assert!(
            cookie.contains("HttpOnly") && !cookie.contains("Secure"),
            "{cookie}"
        );

        // A wrong password: the form again, with a message, no session.
        let a = login(srv, HOST, &[("username", "admin"), ("password", "wrong")]);
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert!(
            a.body.contains("Wrong user name or password."),
            "{}",
            a.body
        );
        assert!(!a.cookies().iter().any(|c| c.starts_with("vigil_session=")));

        // A login form posted without its own CSRF cookie is refused.
        let a = send(
            srv,
            "POST",
            "/ui/login",
            HOST,
            &[],
            Some(&[
                ("csrf", "x"),
                ("username", "admin"),
                ("password", "correct horse battery"),
            ]),
        );
        assert_eq!(a.status, StatusCode::FORBIDDEN);

        // A token logs in too, as a session of its own; ci tokens do not.
        let viewer = srv.token("viewer", None);
        let session = session_with_token(srv, &viewer);
        assert!(
            !session.ends_with(&viewer),
            "the API token never goes into the cookie"
        );
        let a = login(srv, HOST, &[("token", &srv.token("ci", None))]);
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(a
            .body
            .contains("The ci role has no access to the dashboard."));
    });
}

#[test]
fn forms_without_the_sessions_csrf_token_or_from_another_origin_are_refused() {
    each_backend(|srv| {
        seed(srv);
        let session = admin_session(srv);
        let page = send(srv, "GET", "/ui/findings", HOST, &[&session], None);
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let id = open_findings(srv)[0]["id"].as_str().unwrap().to_string();
        let triage = |csrf: Option<&str>, origin: Option<&str>| {
            let mut fields = vec![
                ("ids", id.as_str()),
                ("action", "accept"),
                ("justification", "mitigated"),
            ];
            if let Some(c) = csrf {
                fields.push(("csrf", c));
            }
            let app = vigil_server::api::router(srv.state.clone());
            let mut s = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &fields {
                s.append_pair(k, v);
            }
            let mut req = Request::builder()
                .method("POST")
                .uri("/ui/findings/triage")
                .header(header::HOST, HOST)
                .header(header::COOKIE, session.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(o) = origin {
                req = req.header(header::ORIGIN, o);
            }
            let req = req.body(Body::from(s.finish())).unwrap();
            srv.block_on(async move { app.oneshot(req).await.unwrap().status() })
        };
        assert_eq!(triage(None, None), StatusCode::FORBIDDEN);
        assert_eq!(triage(Some(&"0".repeat(64)), None), StatusCode::FORBIDDEN);
        assert_eq!(triage(Some("not hex"), None), StatusCode::FORBIDDEN);
        // Another session's token is wrong for this one.
        let other = send(srv, "GET", "/ui/", HOST, &[&admin_session(srv)], None).csrf();
        assert_ne!(other, csrf);
        assert_eq!(triage(Some(&other), None), StatusCode::FORBIDDEN);
        assert_eq!(
            triage(Some(&csrf), Some("https://evil.example")),
            StatusCode::FORBIDDEN
        );
        assert_eq!(triage(Some(&csrf), Some("null")), StatusCode::FORBIDDEN);
        assert_eq!(open_findings(srv).len(), 4, "nothing was triaged");
        // The right token from this origin is accepted.
        assert_eq!(
            triage(Some(&csrf), Some("http://127.0.0.1:8080")),
            StatusCode::SEE_OTHER
        );
        assert_eq!(open_findings(srv).len(), 3);

        // Logging out needs the token too, then revokes the session.
        let a = send(srv, "POST", "/ui/logout", HOST, &[&session], Some(&[]));
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert_eq!(
            send(srv, "GET", "/ui/", HOST, &[&session], None).status,
            200
        );
        let a = send(
            srv,
            "POST",
            "/ui/logout",
            HOST,
            &[&session],
            Some(&[("csrf", &csrf)]),
        );
        assert_eq!(
            (a.status, a.location()),
            (StatusCode::SEE_OTHER, "/ui/login")
        );
        assert!(a.cookie("vigil_session").contains("Max-Age=0"));
        let a = send(srv, "GET", "/ui/", HOST, &[&session], None);
        assert_eq!(a.status, StatusCode::SEE_OTHER, "the session is revoked");
    });
}

#[test]
fn a_viewer_sees_no_triage_controls_and_cannot_triage() {
    each_backend(|srv| {
        seed(srv);
        let session = session_with_token(srv, &srv.token("viewer", None));
        let page = send(srv, "GET", "/ui/findings", HOST, &[&session], None);
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("GHSA-35jh-r3h4-6jhm"),
            "the viewer reads findings"
        );
        assert!(!page.body.contains(r#"name="ids""#));
        assert!(!page.body.contains("Accept risk"));
        assert!(
            !page.body.contains("/ui/settings"),
            "no settings for a viewer"
        );
        let id = open_findings(srv)[0]["id"].as_str().unwrap().to_string();
        let a = send(
            srv,
            "POST",
            "/ui/findings/triage",
            HOST,
            &[&session],
            Some(&[
                ("csrf", &page.csrf()),
                ("ids", &id),
                ("action", "accept"),
                ("justification", "forged"),
            ]),
        );
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(
            a.body.contains("The viewer role may not triage findings"),
            "{}",
            a.body
        );
        assert_eq!(open_findings(srv).len(), 4, "nothing was triaged");
    });
}

#[test]
fn pages_render_the_seeded_data_and_an_accepted_risk_leaves_the_open_list() {
    each_backend(|srv| {
        seed(srv);
        let session = admin_session(srv);
        let overview = send(srv, "GET", "/ui/", HOST, &[&session], None);
        assert_eq!(overview.status, 200, "{}", overview.body);
        let b = &overview.body;
        // The secret is suppressed in the source: not open.
        assert!(b.contains("4 open findings"), "{b}");
        // The top risk with its score, band and reasons.
        assert!(b.contains("<strong>9.1</strong>"), "{b}");
        assert!(b.contains("listens on a public address"));
        assert!(b.contains(r#"aria-label="Open findings by severity: CRITICAL 0, HIGH 3, MEDIUM 1, LOW 0, UNKNOWN 0""#), "{b}");
        assert!(b.contains(r#"aria-label="Open findings by risk band: critical 1, high 0, medium 0, low 0, unscored 3""#), "{b}");
        assert!(b.contains("Findings opened and fixed, last 30 days"));
        assert!(b.contains("payments"), "MTTR per team");
        assert!(b.contains("Never updated"), "advisory freshness");
        assert!(b.contains("/ui/settings"), "admins see settings");

        // Filters: by risk, by team, by severity.
        let page = send(
            srv,
            "GET",
            "/ui/findings?risk_min=9",
            HOST,
            &[&session],
            None,
        );
        assert!(page.body.contains("Findings 1–1 of 1."), "{}", page.body);
        let page = send(srv, "GET", "/ui/findings?team=web", HOST, &[&session], None);
        assert!(page.body.contains("Findings 1–1 of 1."), "{}", page.body);
        let page = send(
            srv,
            "GET",
            "/ui/findings?sort=risk&severity=HIGH",
            HOST,
            &[&session],
            None,
        );
        assert!(page.body.contains("Findings 1–3 of 3."), "{}", page.body);

        // Accept the top risk with a justification and an expiry.
        let page = send(
            srv,
            "GET",
            "/ui/findings?sort=risk",
            HOST,
            &[&session],
            None,
        );
        let top = open_findings(srv)
            .into_iter()
            .find(|f| f["finding"]["risk"]["score"] == 9.1)
            .unwrap();
        let id = top["id"].as_str().unwrap();
        let first_box = page.body.find(r#"name="ids" value=""#).unwrap();
        assert!(page.body[first_box..].starts_with(&format!(r#"name="ids" value="{id}""#)));
        let a = send(
            srv,
            "POST",
            "/ui/findings/triage",
            HOST,
            &[&session],
            Some(&[
                ("csrf", &page.csrf()),
                ("ids", id),
                ("action", "accept"),
                ("justification", "behind the VPN"),
                ("expires", "2099-12-31"),
                ("back", "sort=risk&page=1&changed=9"),
            ]),
        );
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert_eq!(
            a.location(),
            "/ui/findings?sort=risk&page=1&done=accept&changed=1"
        );
        let page = send(srv, "GET", a.location(), HOST, &[&session], None);
        assert!(page.body.contains("1 findings accepted as a risk."));
        assert!(
            !page.body.contains(&format!(r#"value="{id}""#)),
            "gone from the open list"
        );
        let page = send(
            srv,
            "GET",
            "/ui/findings?state=accepted",
            HOST,
            &[&session],
            None,
        );
        assert!(page.body.contains(&format!(r#"value="{id}""#)));
        assert!(page.body.contains("new, accepted"));
        let (_, audit) = srv.get("/api/v1/audit", &srv.admin_token);
        assert!(
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "finding.accept"
                    && e["target"] == format!("finding:{id}")
                    && e["actor"] == "admin"
                    && e["detail"]["justification"] == "behind the VPN"),
            "{audit}"
        );
        // A missing justification is the API's 400, as a page.
        let a = send(
            srv,
            "POST",
            "/ui/findings/triage",
            HOST,
            &[&session],
            Some(&[
                ("csrf", &page.csrf()),
                ("ids", id),
                ("action", "false_positive"),
            ]),
        );
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert!(a.body.contains("needs a justification"), "{}", a.body);

        // The stylesheet: content-hashed name, cached for a year.
        let css = overview
            .body
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let a = send(srv, "GET", css, HOST, &[], None);
        assert_eq!(a.status, 200);
        assert_eq!(
            a.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert!(a.body.contains(":focus-visible"));
    });
}

#[test]
fn developers_see_only_their_teams_findings() {
    each_backend(|srv| {
        seed(srv);
        let session = session_with_token(srv, &srv.token("developer", Some("web")));
        let overview = send(srv, "GET", "/ui/", HOST, &[&session], None);
        assert!(
            overview.body.contains("1 open findings"),
            "{}",
            overview.body
        );
        assert!(
            !overview.body.contains("9.1"),
            "payments' top risk is not shown"
        );
        let page = send(
            srv,
            "GET",
            "/ui/findings?state=all",
            HOST,
            &[&session],
            None,
        );
        assert!(page.body.contains("Findings 1–1 of 1."), "{}", page.body);
        assert!(page.body.contains("registry.example.org/acme/web"));
        assert!(!page.body.contains("payments"));
        // Asking for the other team's findings finds nothing.
        let page = send(
            srv,
            "GET",
            "/ui/findings?team=payments",
            HOST,
            &[&session],
            None,
        );
        assert!(page.body.contains("No findings match."), "{}", page.body);
    });
}

#[test]
fn an_https_public_url_makes_cookies_secure_and_its_origin_trusted() {
    let srv = TestServer::start_with(None, |c: &mut Config| {
        c.notify.public_url = Some("https://vigil.example.com/".into());
    });
    // Behind a TLS-terminating proxy: plain HTTP to a private address.
    let a = login(
        &srv,
        "10.1.2.3:8080",
        &[("username", "admin"), ("password", "correct horse battery")],
    );
    assert!(
        a.cookie("vigil_session").contains("; Secure"),
        "{:?}",
        a.cookies()
    );
    let session = pair(&a.cookie("vigil_session"));
    let csrf = send(&srv, "GET", "/ui/", "10.1.2.3:8080", &[&session], None).csrf();
    let logout = |origin: &str| {
        let req = Request::builder()
            .method("POST")
            .uri("/ui/logout")
            .header(header::HOST, "10.1.2.3:8080")
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, session.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap();
        let app = vigil_server::api::router(srv.state.clone());
        srv.block_on(async move { app.oneshot(req).await.unwrap().status() })
    };
    assert_eq!(
        logout("https://elsewhere.example.com"),
        StatusCode::FORBIDDEN
    );
    assert_eq!(logout("https://vigil.example.com"), StatusCode::SEE_OTHER);
}
