//! Logging in (a user name and password, or an API token) and out.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{
    check_csrf, check_origin, cookie, csrf_refused, internal_error, safe_next, secure_cookies,
    set_cookie, static_files, Form, WebUser, SESSION_COOKIE,
};
use crate::auth::{self, Permission};
use crate::AppState;

/// The login form's own CSRF cookie (there is no session yet).
const LOGIN_COOKIE: &str = "vigil_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    css: &'static str,
    csrf: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<&'a str>,
}

/// `?next=`: where to go after logging in.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let nonce = crate::db::random_id();
    let page = LoginPage {
        css: static_files::url("vigil.css"),
        csrf: &nonce,
        next,
        username,
        error,
    };
    let mut response = super::render(&page);
    *response.status_mut() = status;
    let secure = secure_cookies(state, headers);
    if let Ok(v) = set_cookie(LOGIN_COOKIE, &nonce, "/ui/login", 3600, secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `GET /ui/login`: the form (or straight on, when already logged in).
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/ui/"));
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(p)) = auth::principal_for(&state.db, &token).await {
            if auth::allows(p.role, Permission::Read) {
                return Redirect::to(&next).into_response();
            }
        }
    }
    login_page(&state, &headers, StatusCode::OK, &next, "", None)
}

/// `POST /ui/login`: checks the name and password (or the token), opens a
/// session in the cookie and goes on to `next`.
pub async fn submit(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = crate::api::client_address(&extensions);
    if let Err(r) = check_origin(&state, &headers) {
        return *r;
    }
    let form = Form::parse(&body);
    let expected = cookie(&headers, LOGIN_COOKIE);
    let given = form.get("csrf").unwrap_or_default();
    let fresh = expected.is_some_and(|e| {
        e.len() == given.len()
            && e.bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !fresh {
        return csrf_refused();
    }
    let next = safe_next(form.get("next").unwrap_or("/ui/"));
    let username = form.get("username").unwrap_or_default().trim();
    let password = form.get("password").unwrap_or_default();
    let token = form.get("token").unwrap_or_default().trim();
    let fail = |status, message: &str| {
        login_page(&state, &headers, status, &next, username, Some(message))
    };
    let session = if !token.is_empty() {
        if let Some(wait) = state.logins.wait(client, None) {
            state.metrics.auth_failures.inc();
            return fail(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many failed logins from here; try again in {wait} s."),
            );
        }
        match auth::session_for_token(&state.db, token).await {
            Ok(Some((session, principal))) => Ok((session, principal.role)),
            Ok(None) => {
                state.metrics.auth_failures.inc();
                state.logins.failed(client, None);
                Err(fail(
                    StatusCode::UNAUTHORIZED,
                    "Unknown, revoked or expired token.",
                ))
            }
            Err(e) => Err(internal_error(&format!("{e:#}"))),
        }
    } else if username.is_empty() || password.is_empty() {
        Err(fail(
            StatusCode::UNAUTHORIZED,
            "Enter a user name and password, or an API token.",
        ))
    } else {
        match crate::api::password_session(&state, client, username, password).await {
            Ok((session, role, _)) => Ok((session, role)),
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => Err(fail(
                StatusCode::UNAUTHORIZED,
                "Wrong user name or password.",
            )),
            Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => Err(fail(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed logins from here; try again later.",
            )),
            Err(e) => Err(super::api_error_page(&e)),
        }
    };
    let (session, role) = match session {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !auth::allows(role, Permission::Read) {
        // A ci or agent identity reads nothing: no session for it.
        if let Ok(Some(p)) = auth::principal_for(&state.db, &session).await {
            let _ = auth::revoke(&state.db, &p.token_id).await;
        }
        return fail(
            StatusCode::FORBIDDEN,
            &format!("The {role} role has no access to the dashboard."),
        );
    }
    let secure = secure_cookies(&state, &headers);
    let mut response = Redirect::to(&next).into_response();
    let h = response.headers_mut();
    for c in [
        set_cookie(SESSION_COOKIE, &session, "/", auth::SESSION_SECONDS, secure),
        set_cookie(LOGIN_COOKIE, "", "/ui/login", 0, secure),
    ] {
        if let Ok(v) = c.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// `POST /ui/logout`: revokes the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    if let Err(r) = check_csrf(&state, &user, &headers, &form) {
        return *r;
    }
    if let Err(e) = auth::revoke(&state.db, &user.principal.token_id).await {
        return internal_error(&format!("{e:#}"));
    }
    auth::audit(
        &state.db,
        &user.principal.actor,
        "user.logout",
        &format!("token:{}", user.principal.token_id),
        json!({}),
    )
    .await;
    let secure = secure_cookies(&state, &headers);
    let mut response = Redirect::to("/ui/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", "/", 0, secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
