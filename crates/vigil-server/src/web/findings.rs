//! The findings list (`/ui/findings`): filters as a GET form, sorting,
//! pages, and bulk triage for the roles that may triage, through the same
//! code as the API's `POST /api/v1/findings/triage` (and its audit log).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::{check_csrf, error_page, internal_error, risk, Form, Layout, WebUser};
use crate::api::{apply_triage, TriageRequest};
use crate::query::{self, FindingFilter, FindingOut, Page};
use crate::AppState;

/// Findings per page.
pub const PAGE_SIZE: i64 = 50;

/// The list's query parameters (every one optional; empty means unset).
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    severity: Option<String>,
    risk_min: Option<String>,
    team: Option<String>,
    asset_kind: Option<String>,
    state: Option<String>,
    kev: Option<String>,
    fix: Option<String>,
    exposure: Option<String>,
    asset: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    changed: Option<String>,
    done: Option<String>,
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A choice of a select box.
#[derive(Debug)]
pub struct Choice {
    /// Its value.
    pub value: String,
    /// What it says.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

fn choices(current: Option<&str>, options: &[(&str, &str)]) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_string(),
            label: (*label).to_string(),
            selected: current.unwrap_or("") == *value,
        })
        .collect()
}

/// One row of the list.
#[derive(Debug)]
pub struct ListRow {
    /// The finding's ID.
    pub id: String,
    /// Its severity.
    pub severity: String,
    /// Its risk score, one decimal, or empty.
    pub score: String,
    /// Its risk band.
    pub band: &'static str,
    /// Why the score.
    pub reasons: String,
    /// The advisory or rule.
    pub rule_id: String,
    /// The title.
    pub title: String,
    /// The asset's ID.
    pub asset_id: String,
    /// The asset, `name (kind)`.
    pub asset: String,
    /// The team.
    pub team: String,
    /// `name version`.
    pub package: String,
    /// Lifecycle state, and triage if any.
    pub state: String,
    /// KEV-listed.
    pub kev: bool,
    /// A fix exists.
    pub fix: bool,
    /// Runtime exposure.
    pub exposure: String,
    /// First seen (day).
    pub first_seen: String,
}

fn row(f: &FindingOut) -> ListRow {
    let score = risk::score(&f.finding);
    ListRow {
        id: f.id.clone(),
        severity: f.severity.clone(),
        score: score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        band: risk::band(score),
        reasons: risk::reasons(&f.finding).join("; "),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        asset_id: f.asset.id.clone(),
        asset: format!("{} ({})", f.asset.name, f.asset.kind),
        team: f.asset.team.clone().unwrap_or_default(),
        package: f
            .package
            .as_ref()
            .map(|p| format!("{} {}", p.name, p.version))
            .unwrap_or_default(),
        state: match &f.triage {
            Some(t) => format!("{}, {}", f.state, t.status.replace('_', " ")),
            None => f.state.clone(),
        },
        kev: f.kev,
        fix: f.fix_available,
        exposure: f.exposure.clone().unwrap_or_default(),
        first_seen: f.first_seen.get(..10).unwrap_or_default().to_string(),
    }
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    layout: Layout,
    rows: Vec<ListRow>,
    total: i64,
    first: i64,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    may_triage: bool,
    back: String,
    notice: Option<String>,
    severity: Vec<Choice>,
    risk_min: String,
    teams: Vec<Choice>,
    asset_kinds: Vec<Choice>,
    states: Vec<Choice>,
    kev: Vec<Choice>,
    fix: Vec<Choice>,
    exposure: Vec<Choice>,
    sort: Vec<Choice>,
    /// The asset the list is limited to (kept by the filter form).
    asset_filter: String,
}

/// The filter a list request asks for.
fn filter(p: &ListParams) -> FindingFilter {
    let mut f = FindingFilter {
        severity: set(&p.severity).map(str::to_string),
        team: set(&p.team).map(str::to_string),
        asset_kind: set(&p.asset_kind).map(str::to_string),
        exposure: set(&p.exposure).map(str::to_string),
        asset: set(&p.asset).map(str::to_string),
        kev: set(&p.kev).map(|v| v == "yes"),
        fix_available: set(&p.fix).map(|v| v == "yes"),
        // A risk minimum that is not a score from 0 to 10 is left out.
        min_risk: set(&p.risk_min)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| (0.0..=10.0).contains(v)),
        // The list's orders, by the API's names.
        sort: Some(
            match set(&p.sort).unwrap_or("risk") {
                "severity" => "severity",
                "newest" => "first_seen",
                "last_seen" => "last_seen",
                _ => "risk",
            }
            .to_string(),
        ),
        ..FindingFilter::default()
    };
    match set(&p.state).unwrap_or("open") {
        "open" => {
            f.state = Some("active".into());
            f.triage = Some("none".into());
        }
        "active" => f.state = Some("active".into()),
        "new" | "reopened" | "fixed" => f.state = set(&p.state).map(str::to_string),
        "accepted" | "false_positive" | "suppressed" => {
            f.triage = set(&p.state).map(str::to_string)
        }
        _ => {}
    }
    f
}

/// The list's query string without the paging and notice parameters, and
/// then with `extra`.
fn query_string(p: &ListParams, extra: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("severity", &p.severity),
        ("risk_min", &p.risk_min),
        ("team", &p.team),
        ("asset_kind", &p.asset_kind),
        ("state", &p.state),
        ("kev", &p.kev),
        ("fix", &p.fix),
        ("exposure", &p.exposure),
        ("asset", &p.asset),
        ("sort", &p.sort),
    ] {
        if let Some(v) = set(v) {
            s.append_pair(k, v);
        }
    }
    for (k, v) in extra {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `GET /ui/findings`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(p): Query<ListParams>,
) -> Response {
    match build(&state, &user, &p).await {
        Ok(page) => super::render(&page),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

async fn build(state: &AppState, user: &WebUser, p: &ListParams) -> anyhow::Result<FindingsPage> {
    let scope = user.principal.team_scope();
    let filter = filter(p);
    let page_no = set(&p.page)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let offset = (page_no - 1) * PAGE_SIZE;
    let page = Page {
        limit: Some(PAGE_SIZE),
        offset: Some(offset),
    };
    let r = query::findings(&state.db, &filter, page, scope).await?;
    let (items, total) = (r.items, r.total);
    let rows: Vec<ListRow> = items.iter().map(row).collect();
    let shown = rows.len() as i64;
    let link = |n: i64| {
        format!(
            "/ui/findings?{}",
            query_string(p, &[("page", n.to_string())])
        )
    };
    let prev = (page_no > 1).then(|| link(page_no - 1));
    let next = (offset + shown < total).then(|| link(page_no + 1));

    let teams: Vec<String> = if scope.is_some() {
        Vec::new()
    } else {
        sqlx::query("SELECT name FROM teams ORDER BY name")
            .fetch_all(&state.db.pool)
            .await?
            .iter()
            .map(|r| r.get("name"))
            .collect()
    };
    let mut team_options = vec![("", "any team")];
    team_options.extend(teams.iter().map(|t| (t.as_str(), t.as_str())));
    let kinds_sql = super::kinds_sql(scope);
    let kinds: Vec<String> = super::kinds_query(&kinds_sql, scope)
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| r.get("kind"))
        .collect();
    let mut kind_options = vec![("", "any kind")];
    kind_options.extend(kinds.iter().map(|k| (k.as_str(), k.as_str())));

    // The notice says a number and one of the actions' words: the query
    // string is anyone's to write, so nothing of it is shown as text.
    let changed = set(&p.changed).and_then(|n| n.parse::<u64>().ok());
    let notice = match (set(&p.done), changed) {
        (Some(action), Some(n)) => {
            let what = match action {
                "accept" => "accepted as a risk",
                "false_positive" => "marked as false positives",
                "reopen" => "reopened",
                _ => "changed",
            };
            Some(format!("{n} findings {what}."))
        }
        _ => None,
    };
    Ok(FindingsPage {
        layout: Layout::new(user, "Findings", "findings"),
        first: if shown > 0 { offset + 1 } else { 0 },
        rows,
        total,
        page: page_no,
        prev,
        next,
        may_triage: user.may_triage(),
        back: query_string(p, &[("page", page_no.to_string())]),
        notice,
        severity: choices(
            set(&p.severity),
            &[
                ("", "any severity"),
                ("CRITICAL", "critical"),
                ("HIGH", "high"),
                ("MEDIUM", "medium"),
                ("LOW", "low"),
                ("UNKNOWN", "unknown"),
            ],
        ),
        risk_min: set(&p.risk_min).unwrap_or_default().to_string(),
        teams: choices(set(&p.team), &team_options),
        asset_kinds: choices(set(&p.asset_kind), &kind_options),
        states: choices(
            Some(set(&p.state).unwrap_or("open")),
            &[
                ("open", "open (not fixed, not triaged)"),
                ("active", "not fixed (any triage)"),
                ("new", "new"),
                ("reopened", "reopened"),
                ("fixed", "fixed"),
                ("accepted", "accepted risk"),
                ("false_positive", "false positive"),
                ("suppressed", "suppressed"),
                ("all", "all"),
            ],
        ),
        kev: choices(set(&p.kev), &[("", "any"), ("yes", "yes"), ("no", "no")]),
        fix: choices(set(&p.fix), &[("", "any"), ("yes", "yes"), ("no", "no")]),
        exposure: choices(
            set(&p.exposure),
            &[
                ("", "any"),
                ("public", "public"),
                ("internal", "internal"),
                ("loopback", "loopback"),
            ],
        ),
        sort: choices(
            Some(set(&p.sort).unwrap_or("risk")),
            &[
                ("risk", "risk score"),
                ("severity", "severity"),
                ("newest", "newest first"),
                ("last_seen", "last seen"),
            ],
        ),
        asset_filter: set(&p.asset).unwrap_or_default().to_string(),
    })
}

/// `POST /ui/findings/triage`: the bulk triage form. Checked like every
/// form (CSRF, origin), then by the role; applied by the API's code.
pub async fn triage(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    if let Err(r) = check_csrf(&state, &user, &headers, &form) {
        return *r;
    }
    if !user.may_triage() {
        return error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            &format!(
                "The {} role may not triage findings (analysts and admins may).",
                user.principal.role
            ),
        );
    }
    let ids = form.all("ids");
    if ids.is_empty() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Nothing selected",
            "Tick the findings to triage, then choose the action.",
        );
    }
    let nonempty = |k: &str| {
        form.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let action = form.get("action").unwrap_or_default().to_string();
    let req = TriageRequest {
        ids,
        action: action.clone(),
        justification: nonempty("justification"),
        expires: if action == "accept" {
            nonempty("expires")
        } else {
            None
        },
    };
    match apply_triage(&state, &user.principal, &req).await {
        Ok(changed) => {
            // Back to the list as it was, with a notice; `back` is
            // re-encoded so that it can only be this list's query.
            let mut back = form_urlencoded::Serializer::new(String::new());
            for (k, v) in form_urlencoded::parse(form.get("back").unwrap_or_default().as_bytes()) {
                if k != "changed" && k != "done" {
                    back.append_pair(&k, &v);
                }
            }
            back.append_pair("done", &action);
            back.append_pair("changed", &changed.to_string());
            Redirect::to(&format!("/ui/findings?{}", back.finish())).into_response()
        }
        Err(e) => super::api_error_page(&e),
    }
}
