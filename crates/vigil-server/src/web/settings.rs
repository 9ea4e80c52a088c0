//! Settings for admins (`/ui/settings`): teams, API tokens (shown once,
//! when created), notification rules, the advisory database's sources
//! and an update button, and the recent audit log. Every change goes
//! through the API's own functions, so it is checked and audited the same
//! way; other roles get 403.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use vigil_advisories::Store;

use super::findings::Choice;
use super::{check_csrf, error_page, internal_error, Form, Layout, WebUser};
use crate::api::{self, ApiError, TokenRequest, UpdateRequest, UserRequest};
use crate::auth::Role;
use crate::notify::{self, Format, RuleRequest, EVENT_KINDS};
use crate::query::Page;
use crate::AppState;

/// Audit log entries shown.
const AUDIT_SHOWN: i64 = 50;

/// The page's query parameters: what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    done: Option<String>,
}

/// A team.
#[derive(Debug)]
pub struct TeamRow {
    /// Its name.
    pub name: String,
}

/// A user of the dashboard and the API.
#[derive(Debug)]
pub struct UserRow {
    /// The login name.
    pub username: String,
    /// The role.
    pub role: String,
    /// The team.
    pub team: String,
    /// When created.
    pub created: String,
    /// Whether the user may not log in.
    pub disabled: bool,
}

/// An API token (never the token itself).
#[derive(Debug)]
pub struct TokenRow {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// Its team.
    pub team: String,
    /// Who created it, when.
    pub created: String,
    /// When it expires.
    pub expires: String,
    /// When it was last used.
    pub last_used: String,
    /// When it was revoked, if it was.
    pub revoked: String,
}

/// A notification rule.
#[derive(Debug)]
pub struct RuleRow {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The webhook.
    pub url: String,
    /// The format.
    pub format: String,
    /// What it notifies.
    pub what: String,
}

/// A source of the advisory database.
#[derive(Debug)]
pub struct SourceRow {
    /// The ecosystem, or `KEV`.
    pub name: String,
    /// Its records.
    pub records: u64,
    /// Last updated.
    pub updated: String,
    /// How long ago, in days.
    pub age_days: String,
    /// Where from.
    pub source: String,
}

/// An audit log entry.
#[derive(Debug)]
pub struct AuditRow {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: String,
    /// Details (JSON).
    pub detail: String,
}

/// A token just created: shown on this one page, never again.
#[derive(Debug)]
pub struct NewToken {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// The token.
    pub token: String,
    /// When it expires.
    pub expires: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    notice: Option<String>,
    new_token: Option<NewToken>,
    teams: Vec<TeamRow>,
    team_choices: Vec<Choice>,
    roles: Vec<Choice>,
    user_roles: Vec<Choice>,
    users: Vec<UserRow>,
    tokens: Vec<TokenRow>,
    rules: Vec<RuleRow>,
    severities: Vec<Choice>,
    events: Vec<&'static str>,
    sources: Vec<SourceRow>,
    last_update: String,
    store_error: String,
    kev_known: bool,
    /// What the last EPSS import brought; empty: none imported.
    epss: String,
    tracked: i64,
    audit: Vec<AuditRow>,
}

fn forbidden(user: &WebUser) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Not allowed",
        &format!(
            "Settings are for admins; the {} role may not see or change them.",
            user.principal.role
        ),
    )
}

fn time(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .map(|t| t.replace('T', " ").trim_end_matches('Z').to_string())
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `GET /ui/settings`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(p): Query<Params>,
) -> Response {
    if user.principal.role != Role::Admin {
        return forbidden(&user);
    }
    let notice = p.done.as_deref().map(|d| {
        match d {
            "team" => "The team was created.",
            "user" => "The user was created.",
            "revoked" => "The token was revoked.",
            "rule" => "The notification rule was created.",
            "rule_deleted" => "The notification rule was deleted.",
            _ => "Done.",
        }
        .to_string()
    });
    respond(&state, &user, notice, None).await
}

async fn respond(
    state: &AppState,
    user: &WebUser,
    notice: Option<String>,
    new_token: Option<NewToken>,
) -> Response {
    match build(state, user, notice, new_token).await {
        Ok(page) => super::render(&page),
        Err(e) => e,
    }
}

async fn build(
    state: &AppState,
    user: &WebUser,
    notice: Option<String>,
    new_token: Option<NewToken>,
) -> Result<SettingsPage, Response> {
    let p = &user.principal;
    let fail = |e: ApiError| super::api_error_page(&e);
    let teams: Vec<String> = sqlx::query("SELECT name FROM teams ORDER BY name")
        .fetch_all(&state.db.pool)
        .await
        .map_err(|e| internal_error(&e))?
        .iter()
        .map(|r| sqlx::Row::get(r, "name"))
        .collect();
    let users = sqlx::query(
        "SELECT u.username, u.role, u.created_at, u.disabled, t.name AS team \
         FROM users u LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.username",
    )
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| internal_error(&e))?
    .iter()
    .map(|r| UserRow {
        username: sqlx::Row::get(r, "username"),
        role: sqlx::Row::get(r, "role"),
        team: crate::db::opt_text(r, "team").unwrap_or_default(),
        created: vigil_model::time::rfc3339(sqlx::Row::get(r, "created_at"))
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string(),
        disabled: sqlx::Row::get::<i64, _>(r, "disabled") != 0,
    })
    .collect();
    let tokens = api::token_list(state, p)
        .await
        .map_err(fail)?
        .iter()
        .rev()
        .map(|t| TokenRow {
            id: text(t, "id"),
            name: text(t, "name"),
            role: text(t, "role"),
            team: text(t, "team"),
            created: format!("{} by {}", time(t, "created_at"), text(t, "created_by")),
            expires: time(t, "expires_at"),
            last_used: time(t, "last_used_at"),
            revoked: time(t, "revoked_at"),
        })
        .collect();
    let rules = notify::active_rules(&state.db)
        .await
        .map_err(|e| internal_error(&format!("{e:#}")))?
        .into_iter()
        .map(|r| {
            let mut what = vec![format!("{} and above", r.min_severity), r.events.join(", ")];
            if let Some(risk) = r.min_risk {
                what.push(format!("risk {risk:.1} and above"));
            }
            if !r.teams.is_empty() {
                what.push(format!("teams {}", r.teams.join(", ")));
            }
            if r.kev_only {
                what.push("known exploited only".into());
            }
            if r.signed {
                what.push("signed".into());
            }
            RuleRow {
                id: r.id,
                name: r.name,
                url: r.url,
                format: serde_json::to_value(r.format)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                what: what.join("; "),
            }
        })
        .collect();
    // The advisory store: its sources, counts and freshness.
    let path = state.advisories.path().to_path_buf();
    let status = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let Some(store) = Store::open_existing(&path)? else {
            return Ok(None);
        };
        Ok(Some((
            store.status()?,
            store.last_update()?,
            store.epss_info()?,
        )))
    })
    .await
    .map_err(|e| internal_error(&e))?;
    let now = crate::db::now();
    let mut epss = String::new();
    let (sources, last_update, store_error) = match status {
        Ok(Some((sources, last, epss_info))) => (
            sources
                .into_iter()
                .map(|s| SourceRow {
                    age_days: s
                        .updated_at
                        .map(|t| format!("{}", (now - t).max(0) / 86_400))
                        .unwrap_or_default(),
                    updated: s
                        .updated_at
                        .map(vigil_model::time::rfc3339)
                        .unwrap_or_else(|| "never".into()),
                    name: s.name,
                    records: s.records,
                    source: s.source.unwrap_or_default(),
                })
                .collect::<Vec<_>>(),
            {
                if let Some(i) = epss_info {
                    epss = format!(
                        "{} EPSS scores (model {}, scored {})",
                        i.count,
                        i.model_version.as_deref().unwrap_or("unknown"),
                        i.score_date.as_deref().unwrap_or("on an unknown date")
                    );
                }
                last.map(vigil_model::time::rfc3339).unwrap_or_default()
            },
            String::new(),
        ),
        Ok(None) => (Vec::new(), String::new(), String::new()),
        Err(e) => (Vec::new(), String::new(), format!("{e:#}")),
    };
    let kev_known = sources.iter().any(|s| s.name == "KEV");
    let tracked: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM advisory_state")
            .fetch_one(&state.db.pool)
            .await
            .map_err(|e| internal_error(&e))?,
        "n",
    );
    let audit = api::audit_entries(
        state,
        p,
        Page {
            limit: Some(AUDIT_SHOWN),
            offset: Some(0),
        },
    )
    .await
    .map_err(fail)?
    .iter()
    .map(|e| AuditRow {
        at: time(e, "at"),
        actor: text(e, "actor"),
        action: text(e, "action"),
        target: text(e, "target"),
        detail: match e.get("detail") {
            Some(Value::Object(m)) if m.is_empty() => String::new(),
            Some(Value::Null) | None => String::new(),
            Some(d) => d.to_string(),
        },
    })
    .collect();
    let mut team_choices = vec![Choice {
        value: String::new(),
        label: "no team".into(),
        selected: true,
    }];
    team_choices.extend(teams.iter().map(|t| Choice {
        value: t.clone(),
        label: t.clone(),
        selected: false,
    }));
    Ok(SettingsPage {
        layout: Layout::new(user, "Settings", "settings"),
        notice,
        new_token,
        teams: teams.into_iter().map(|name| TeamRow { name }).collect(),
        team_choices,
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.as_str().into(),
                selected: *r == Role::Ci,
            })
            .collect(),
        user_roles: [Role::Viewer, Role::Developer, Role::Analyst, Role::Admin]
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.as_str().into(),
                selected: *r == Role::Viewer,
            })
            .collect(),
        users,
        tokens,
        rules,
        severities: ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
            .iter()
            .map(|s| Choice {
                value: (*s).into(),
                label: s.to_lowercase(),
                selected: *s == "HIGH",
            })
            .collect(),
        events: EVENT_KINDS.to_vec(),
        sources,
        last_update,
        store_error,
        kev_known,
        epss,
        tracked,
        audit,
    })
}

/// The checks of every settings form: CSRF and origin, then the role.
fn checked(
    state: &AppState,
    user: &WebUser,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Form, Box<Response>> {
    let form = Form::parse(body);
    check_csrf(state, user, headers, &form)?;
    if user.principal.role != Role::Admin {
        return Err(Box::new(forbidden(user)));
    }
    Ok(form)
}

fn field(form: &Form, name: &str) -> Option<String> {
    form.get(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn done(what: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/ui/settings?done={what}#{anchor}")).into_response()
}

/// `POST /ui/settings/teams`: create a team.
pub async fn create_team(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked(&state, &user, &headers, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let name = field(&form, "name").unwrap_or_default();
    match api::add_team(&state, &user.principal, &name).await {
        Ok(_) => done("team", "teams"),
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/users`: create a user (name, password, role, team).
pub async fn create_user(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked(&state, &user, &headers, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let role = field(&form, "role").unwrap_or_default();
    let Some(role) = Role::parse(&role) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Cannot do this",
            &format!("{role:?} is not a role"),
        );
    };
    let req = UserRequest {
        username: field(&form, "username").unwrap_or_default(),
        password: form.get("password").unwrap_or_default().to_string(),
        role,
        team: field(&form, "team"),
    };
    if req.username.is_empty() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Cannot do this",
            "A user needs a name.",
        );
    }
    match api::add_user(&state, &user.principal, &req).await {
        Ok(_) => done("user", "users"),
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/tokens`: create an API token; the answer is this
/// page with the token on it, the only time it is shown.
pub async fn create_token(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked(&state, &user, &headers, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let role = field(&form, "role").unwrap_or_default();
    let Some(role) = Role::parse(&role) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Cannot do this",
            &format!("{role:?} is not a role"),
        );
    };
    let expires_days = match field(&form, "expires_days").map(|d| d.parse::<i64>()) {
        None => None,
        Some(Ok(d)) if d > 0 => Some(d),
        Some(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Cannot do this",
                "The expiry is a number of days (1 or more), or empty for never.",
            )
        }
    };
    let req = TokenRequest {
        name: field(&form, "name").unwrap_or_default(),
        role,
        team: field(&form, "team"),
        expires_days,
    };
    match api::issue_token(&state, &user.principal, &req).await {
        Ok(created) => {
            let new = NewToken {
                name: text(&created, "name"),
                role: text(&created, "role"),
                token: text(&created, "token"),
                expires: time(&created, "expires_at"),
            };
            let mut response = respond(&state, &user, None, Some(new)).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::CREATED;
            }
            response
        }
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = checked(&state, &user, &headers, &body) {
        return *r;
    }
    match api::revoke_api_token(&state, &user.principal, &id).await {
        Ok(()) => done("revoked", "tokens"),
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/rules`: create a notification rule.
pub async fn create_rule(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked(&state, &user, &headers, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let format = match field(&form, "format").as_deref() {
        None | Some("json") => Format::Json,
        Some("slack") => Format::Slack,
        Some("teams") => Format::Teams,
        Some(other) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Cannot do this",
                &format!("{other:?} is not a format (json, slack or teams)"),
            )
        }
    };
    let events = form.all("events");
    let req = RuleRequest {
        name: field(&form, "name").unwrap_or_default(),
        url: field(&form, "url").unwrap_or_default(),
        format: Some(format),
        min_severity: field(&form, "min_severity"),
        min_risk: match field(&form, "min_risk").map(|v| v.trim().parse::<f64>()) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Cannot do this",
                    "The least risk score must be a number from 0 to 10.",
                )
            }
        },
        teams: form
            .all("teams")
            .into_iter()
            .filter(|t| !t.trim().is_empty())
            .collect(),
        kev_only: form.get("kev_only").is_some(),
        events: (!events.is_empty()).then_some(events),
        secret: field(&form, "secret"),
    };
    match notify::add_rule(&state, &user.principal, req).await {
        Ok(_) => done("rule", "rules"),
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/rules/{id}/delete`.
pub async fn delete_rule(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = checked(&state, &user, &headers, &body) {
        return *r;
    }
    match notify::remove_rule(&state, &user.principal, &id).await {
        Ok(()) => done("rule_deleted", "rules"),
        Err(e) => super::api_error_page(&e),
    }
}

/// `POST /ui/settings/advisories/update`: update the advisory database
/// from its configured sources now, and re-match.
pub async fn update_advisories(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = checked(&state, &user, &headers, &body) {
        return *r;
    }
    match api::run_advisory_update(&state, &user.principal, &UpdateRequest::default()).await {
        Ok(report) => {
            let notice = format!(
                "Advisories updated: {}. {} changed, {} new findings, {} reopened.",
                report.sources.join("; "),
                report.changed_advisories,
                report.new_findings,
                report.reopened_findings
            );
            respond(&state, &user, Some(notice), None).await
        }
        Err(e) => super::api_error_page(&e),
    }
}
