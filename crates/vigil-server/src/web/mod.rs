//! The web dashboard under `/ui/` (docs/dashboard.md): pages rendered on
//! the server from askama templates compiled into the binary, charts as
//! inline SVG, every action a plain HTML form. No third-party front-end
//! code and no request leaves for another origin (the Content Security
//! Policy says so to the browser).
//!
//! Sessions are the server's own login tokens (`auth.rs`) kept in an
//! `HttpOnly; SameSite=Strict` cookie; every state-changing form carries a
//! per-session CSRF token, and a cross-origin `Origin` is refused. Each page
//! reads through the same queries and role checks as the API, so a
//! developer sees only their team's assets and findings.
//!
//! Adding a page: a file here with a handler taking [`WebUser`] (which
//! redirects to the login page without a session and refuses roles that
//! read nothing), a template in `templates/` that `{% extends "base.html" %}`
//! with a `layout: Layout` field ([`Layout::new`] with the nav entry to mark),
//! rendered by [`render`]; read through `query.rs` with
//! `user.principal.team_scope()` (or [`team_clause`] in own SQL). A form that
//! changes something posts a hidden `csrf` field (`layout.csrf`); its
//! handler parses the body with [`Form::parse`], calls [`check_csrf`] first,
//! then the permission (`user.principal.require`), then the API's own
//! function for the change, so that it is audited the same way. Errors are
//! pages: [`error_page`], [`api_error_page`], [`internal_error`].

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::{self, Permission, Principal, Role};
use crate::AppState;

pub mod assets;
pub mod charts;
pub mod findings;
pub mod login;
pub mod overview;
pub mod risk;
pub mod running;
pub mod settings;
pub mod static_files;
pub mod vulnerabilities;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vigil_session";

/// The dashboard's routes (mounted by [`crate::api::router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::to("/ui/") }))
        .route("/ui/", get(overview::page))
        .route("/ui/login", get(login::form).post(login::submit))
        .route("/ui/logout", post(login::logout))
        .route("/ui/findings", get(findings::page))
        .route("/ui/findings/triage", post(findings::triage))
        .route("/ui/vulnerabilities", get(vulnerabilities::search))
        .route("/ui/vulnerabilities/{id}", get(vulnerabilities::page))
        .route("/ui/assets", get(assets::list))
        .route("/ui/assets/{id}", get(assets::page))
        .route("/ui/assets/{id}/team", post(assets::set_team))
        .route("/ui/settings", get(settings::page))
        .route("/ui/settings/teams", post(settings::create_team))
        .route("/ui/settings/users", post(settings::create_user))
        .route("/ui/settings/tokens", post(settings::create_token))
        .route(
            "/ui/settings/tokens/{id}/revoke",
            post(settings::revoke_token),
        )
        .route("/ui/settings/rules", post(settings::create_rule))
        .route(
            "/ui/settings/rules/{id}/delete",
            post(settings::delete_rule),
        )
        .route(
            "/ui/settings/advisories/update",
            post(settings::update_advisories),
        )
        .route("/ui/static/{name}", get(static_files::serve))
        .route("/ui/{*rest}", get(not_found))
        .layer(middleware::from_fn(security_headers))
}

/// Headers on every dashboard response: nothing but this origin may be
/// loaded, framed or posted to; pages are not cached.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Not `no-referrer`: with it, browsers send `Origin: null` on this
    // origin's own form posts, which the origin check refuses.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn not_found(_user: WebUser) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address.",
    )
}

/// The parts every page shares: the navigation, the user menu, the
/// logout form's CSRF token.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page's title.
    pub title: String,
    /// The navigation entry to mark current: `overview`, `findings`,
    /// `assets`, `vulnerabilities`, `settings`.
    pub active: &'static str,
    /// Who is logged in (the audit log's name).
    pub actor: String,
    /// Their role.
    pub role: Role,
    /// The CSRF token for this session's forms.
    pub csrf: String,
    /// The stylesheet's URL (content-hashed).
    pub css: &'static str,
    /// The script's URL (content-hashed).
    pub js: &'static str,
}

impl Layout {
    /// The layout of a page for `user`.
    pub fn new(user: &WebUser, title: impl Into<String>, active: &'static str) -> Layout {
        Layout {
            title: title.into(),
            active,
            actor: user.principal.actor.clone(),
            role: user.principal.role,
            csrf: user.csrf.clone(),
            css: static_files::url("vigil.css"),
            js: static_files::url("vigil.js"),
        }
    }

    /// Whether the Settings entry is shown (admins).
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// `aria-current="page"` for the current navigation entry.
    pub fn current(&self, entry: &str) -> &'static str {
        if self.active == entry {
            "page"
        } else {
            "false"
        }
    }
}

/// A logged-in dashboard user: the session cookie's principal, allowed
/// to read. Pages without one redirect to the login page.
#[derive(Debug, Clone)]
pub struct WebUser {
    /// The session's principal (role, team, audit name).
    pub principal: Principal,
    /// The CSRF token of this session.
    pub csrf: String,
}

impl WebUser {
    /// Whether this user may triage findings.
    pub fn may_triage(&self) -> bool {
        auth::allows(self.principal.role, Permission::Triage)
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let principal = match &token {
            Some(t) => auth::principal_for(&state.db, t)
                .await
                .map_err(|e| internal_error(&e))?,
            None => None,
        };
        let (Some(principal), Some(token)) = (principal, token) else {
            let next = if parts.method == axum::http::Method::GET {
                parts
                    .uri
                    .path_and_query()
                    .map_or("/ui/", |p| p.as_str())
                    .to_string()
            } else {
                "/ui/".to_string()
            };
            let to = format!("/ui/login?next={}", encode(&safe_next(&next)));
            return Err(Redirect::to(&to).into_response());
        };
        if !auth::allows(principal.role, Permission::Read) {
            return Err(error_page(
                StatusCode::FORBIDDEN,
                "No access",
                &format!(
                    "The {} role has no access to the dashboard.",
                    principal.role
                ),
            ));
        }
        Ok(WebUser {
            csrf: csrf_token(&token),
            principal,
        })
    }
}

/// The CSRF token of a session: an HMAC of a fixed text keyed with the
/// session token, so only the session's holder can know it.
pub fn csrf_token(session: &str) -> String {
    hex::encode(csrf_mac(session).finalize().into_bytes())
}

fn csrf_mac(session: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(session.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"vigil dashboard csrf v1");
    mac
}

/// A form body (`application/x-www-form-urlencoded`), every field in order.
#[derive(Debug, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// Parses a body.
    pub fn parse(body: &Bytes) -> Form {
        Form(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Checks a state-changing request: no cross-origin `Origin`, and the
/// form's `csrf` field is this session's token. The refusal is a 403 page.
pub fn check_csrf(
    state: &AppState,
    user: &WebUser,
    headers: &HeaderMap,
    form: &Form,
) -> Result<(), Box<Response>> {
    check_origin(state, headers)?;
    let valid = form
        .get("csrf")
        .and_then(|t| hex::decode(t).ok())
        .is_some_and(|given| {
            // The expected token is recomputed from the session cookie
            // (the principal came from it) and compared in constant time.
            let session = cookie(headers, SESSION_COOKIE).unwrap_or_default();
            csrf_mac(&session).verify_slice(&given).is_ok()
        });
    if valid && !user.csrf.is_empty() {
        Ok(())
    } else {
        tracing::warn!(actor = %user.principal.actor, "dashboard form refused: missing or wrong CSRF token");
        Err(Box::new(csrf_refused()))
    }
}

/// The 403 page of a failed CSRF check.
pub fn csrf_refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form was not sent from a page of this dashboard in your current session \
         (its security token is missing or out of date). Go back, reload the page and try again.",
    )
}

/// Refuses a request whose `Origin` header names another origin than the
/// one it was sent to (or the configured public URL's).
pub fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let same_host = origin_host.is_some_and(|h| !host.is_empty() && h.eq_ignore_ascii_case(host));
    let public = state
        .config
        .notify
        .public_url
        .as_deref()
        .is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if same_host || public {
        Ok(())
    } else {
        tracing::warn!(origin, host, "dashboard form refused: cross-origin request");
        Err(Box::new(error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form was sent from another site. Open the dashboard directly and try again.",
        )))
    }
}

/// Whether the session cookie gets `Secure`: when the server serves TLS,
/// its public URL is https, or the request came to a loopback address
/// (browsers treat those as secure contexts). Plain HTTP to another address
/// leaves it off, with a warning logged once.
pub fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let https_public = state
        .config
        .notify
        .public_url
        .as_deref()
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
    let loopback = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(host_is_loopback);
    let secure = state.config.tls.is_some() || https_public || loopback;
    if !secure && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "dashboard session cookies are sent without Secure: the server serves plain HTTP \
             to a non-loopback address; serve TLS (--tls-cert) or set an https --public-url"
        );
    }
    secure
}

/// Whether a `Host` header names a loopback address or `localhost`.
fn host_is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value with the dashboard's flags.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A `next` target that stays on this dashboard: a path under `/ui`,
/// nothing else (no scheme, no other host, no backslash, no control
/// characters, spaces or non-ASCII — what a browser sends is
/// percent-encoded, and the `Location` header takes visible ASCII only);
/// anything else becomes `/ui/`.
pub fn safe_next(next: &str) -> String {
    let ok = (next == "/ui" || next.starts_with("/ui/") || next.starts_with("/ui?"))
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.chars().all(|c| c.is_ascii_graphic());
    if ok {
        next.to_string()
    } else {
        "/ui/".to_string()
    }
}

/// Percent-encodes a query parameter's value.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Renders a template into a page (a 500 page when it fails).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => internal_error(&e),
    }
}

/// A 500 page; the cause is logged with an ID, the page shows the ID.
pub fn internal_error(e: &dyn std::fmt::Display) -> Response {
    let id = crate::db::random_id();
    tracing::error!(error_id = %id, error = %e, "dashboard error");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        &format!("The server could not show this page (logged as {id})."),
    )
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    css: &'static str,
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// A readable error page with a status.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        css: static_files::url("vigil.css"),
        status: status.as_u16(),
        title,
        message,
    };
    let html = page
        .render()
        .unwrap_or_else(|_| format!("{} {title}: {message}", status.as_u16()));
    (status, Html(html)).into_response()
}

/// An API error (from the shared code) as a page.
pub fn api_error_page(e: &crate::api::ApiError) -> Response {
    let title = match e.status() {
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::BAD_REQUEST => "Cannot do this",
        StatusCode::NOT_FOUND => "Not found",
        _ => "Something went wrong",
    };
    error_page(e.status(), title, e.message())
}

/// The team scope as SQL on the assets table aliased `a`:
/// ` AND a.team_id = $n`, or nothing when the caller sees every team.
pub fn team_clause(scope: Option<&str>, n: usize) -> String {
    if scope.is_some() {
        format!(" AND a.team_id = ${n}")
    } else {
        String::new()
    }
}

/// The asset kinds the caller may see (the filters' choices), as SQL for
/// [`kinds_query`]: a developer's list names only their team's kinds.
pub fn kinds_sql(scope: Option<&str>) -> String {
    format!(
        "SELECT DISTINCT a.kind AS kind FROM assets a WHERE 1 = 1{} ORDER BY a.kind",
        team_clause(scope, 1)
    )
}

/// [`kinds_sql`] with the team bound.
pub fn kinds_query<'q>(
    sql: &'q str,
    scope: Option<&str>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let q = sqlx::query(sql);
    match scope {
        Some(team) => q.bind(team.to_string()),
        None => q,
    }
}

/// A day (Unix seconds) as `YYYY-MM-DD`.
pub fn day(secs: i64) -> String {
    vigil_model::time::rfc3339(secs)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_dashboard() {
        assert_eq!(
            safe_next("/ui/findings?severity=HIGH"),
            "/ui/findings?severity=HIGH"
        );
        assert_eq!(safe_next("/ui"), "/ui");
        for bad in [
            "https://evil.example/ui/",
            "//evil.example/ui/",
            "/\\evil.example",
            "/api/v1/tokens",
            "/ui\\..",
            "/ui/\nSet-Cookie: x",
            "/ui/ x",
            "/ui/\u{e9}",
            "/ui/\u{7f}",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), "/ui/", "{bad:?}");
        }
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for h in [
            "127.0.0.1:8080",
            "localhost",
            "[::1]:80",
            "127.1.2.3",
            "LOCALHOST:1",
        ] {
            assert!(host_is_loopback(h), "{h}");
        }
        for h in ["10.0.0.1:8080", "vigil.example", "[2001:db8::1]:80", ""] {
            assert!(!host_is_loopback(h), "{h}");
        }
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let a = csrf_token("vgl_a");
        assert_eq!(a, csrf_token("vgl_a"));
        assert_ne!(a, csrf_token("vgl_b"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; vigil_session=vgl_x; b="),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("vgl_x"));
        assert_eq!(cookie(&h, "b"), None);
        assert_eq!(cookie(&h, "c"), None);
    }
}
