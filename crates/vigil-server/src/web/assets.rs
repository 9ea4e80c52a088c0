//! The assets (`/ui/assets`): a filtered, paginated list with open
//! findings by severity and the highest risk; one asset's page with its
//! facts, searchable inventory, findings, runtime context (a host's
//! processes and listeners), relations and upload history; and, for
//! admins, the team it belongs to (the API's code, audited).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sqlx::Row;
use vigil_agent::Exposure;

use super::findings::Choice;
use super::{check_csrf, encode, error_page, internal_error, risk, Form, Layout, WebUser};
use crate::auth::Role;
use crate::query::{self, AssetFilter, AssetOut, FindingFilter, Page};
use crate::AppState;

/// Assets per page.
pub const PAGE_SIZE: i64 = 50;

/// Components per page of an inventory.
pub const INVENTORY_PAGE: i64 = 100;

/// Findings shown on an asset's page (the findings list has them all).
const FINDINGS_SHOWN: i64 = 20;

/// Uploads and events shown in the history.
const HISTORY_SHOWN: i64 = 20;

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn page_no(v: &Option<String>) -> i64 {
    set(v)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000)
}

fn choices(current: Option<&str>, options: &[(String, String)]) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: value.clone(),
            label: label.clone(),
            selected: current.unwrap_or("") == value,
        })
        .collect()
}

/// The list's query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    kind: Option<String>,
    team: Option<String>,
    name: Option<String>,
    exposure: Option<String>,
    page: Option<String>,
}

/// One row of the list.
#[derive(Debug)]
pub struct AssetRow {
    /// Its ID.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name (and host name, for hosts).
    pub name: String,
    /// Its team.
    pub team: String,
    /// Last seen (day).
    pub last_seen: String,
    /// Its exposure.
    pub exposure: String,
    /// Open findings: critical, high, medium, low, unknown.
    pub open: [i64; 5],
    /// The highest risk of its open findings, one decimal, or empty.
    pub max_risk: String,
    /// Its band.
    pub band: &'static str,
}

/// An asset's display name: hosts by their host name, with the ID.
fn display_name(a: &AssetOut) -> String {
    match a.metadata.get("hostname").and_then(Value::as_str) {
        Some(h) if a.kind == "host" && !h.is_empty() => format!("{h} ({})", a.name),
        _ => a.name.clone(),
    }
}

fn open_counts(a: &AssetOut) -> [i64; 5] {
    let o = &a.open_findings;
    [o.critical, o.high, o.medium, o.low, o.unknown]
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    layout: Layout,
    rows: Vec<AssetRow>,
    total: i64,
    first: i64,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    kinds: Vec<Choice>,
    teams: Vec<Choice>,
    exposure: Vec<Choice>,
    name: String,
}

/// The highest risk score of each asset's open findings.
async fn max_risks(state: &AppState, ids: &[String]) -> anyhow::Result<HashMap<String, f64>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT asset_id, data FROM findings WHERE asset_id IN ({}) \
         AND state <> 'fixed' AND triage IS NULL AND kind = 'vulnerability'",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.as_str());
    }
    for r in q.fetch_all(&state.db.pool).await? {
        let data: Value = serde_json::from_str(&r.get::<String, _>("data")).unwrap_or(Value::Null);
        if let Some(s) = risk::score(&data) {
            let e = out.entry(r.get::<String, _>("asset_id")).or_insert(s);
            if s > *e {
                *e = s;
            }
        }
    }
    Ok(out)
}

async fn team_names(state: &AppState) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query("SELECT name FROM teams ORDER BY name")
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| r.get("name"))
        .collect())
}

/// `GET /ui/assets`.
pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    Query(p): Query<ListParams>,
) -> Response {
    match build_list(&state, &user, &p).await {
        Ok(page) => super::render(&page),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

async fn build_list(
    state: &AppState,
    user: &WebUser,
    p: &ListParams,
) -> anyhow::Result<AssetsPage> {
    let scope = user.principal.team_scope();
    let filter = AssetFilter {
        kind: set(&p.kind).map(str::to_string),
        team: set(&p.team).map(str::to_string),
        name: set(&p.name).map(str::to_string),
        exposure: set(&p.exposure).map(str::to_string),
    };
    let page = page_no(&p.page);
    let offset = (page - 1) * PAGE_SIZE;
    let found = query::assets(
        &state.db,
        &filter,
        Page {
            limit: Some(PAGE_SIZE),
            offset: Some(offset),
        },
        scope,
    )
    .await?;
    let ids: Vec<String> = found.items.iter().map(|a| a.id.clone()).collect();
    let risks = max_risks(state, &ids).await?;
    let rows: Vec<AssetRow> = found
        .items
        .iter()
        .map(|a| {
            let max = risks.get(&a.id).copied();
            AssetRow {
                id: a.id.clone(),
                kind: a.kind.clone(),
                name: display_name(a),
                team: a.team.clone().unwrap_or_default(),
                last_seen: a.last_seen.get(..10).unwrap_or_default().to_string(),
                exposure: a.exposure.clone().unwrap_or_default(),
                open: open_counts(a),
                max_risk: max.map(|s| format!("{s:.1}")).unwrap_or_default(),
                band: risk::band(max),
            }
        })
        .collect();
    let query_string = |n: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("kind", &p.kind),
            ("team", &p.team),
            ("name", &p.name),
            ("exposure", &p.exposure),
        ] {
            if let Some(v) = set(v) {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &n.to_string());
        format!("/ui/assets?{}", s.finish())
    };
    let shown = rows.len() as i64;
    let kinds_sql = super::kinds_sql(scope);
    let kinds: Vec<String> = super::kinds_query(&kinds_sql, scope)
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| r.get("kind"))
        .collect();
    let mut kind_options = vec![(String::new(), "any kind".to_string())];
    kind_options.extend(kinds.into_iter().map(|k| (k.clone(), k)));
    let mut team_options = vec![(String::new(), "any team".to_string())];
    if scope.is_none() {
        team_options.extend(team_names(state).await?.into_iter().map(|t| (t.clone(), t)));
    }
    let exposure_options: Vec<(String, String)> = [
        ("", "any"),
        ("public", "public"),
        ("internal", "internal"),
        ("loopback", "loopback"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect();
    Ok(AssetsPage {
        layout: Layout::new(user, "Assets", "assets"),
        first: if shown > 0 { offset + 1 } else { 0 },
        total: found.total,
        prev: (page > 1).then(|| query_string(page - 1)),
        next: (offset + shown < found.total).then(|| query_string(page + 1)),
        page,
        rows,
        kinds: choices(set(&p.kind), &kind_options),
        teams: choices(set(&p.team), &team_options),
        exposure: choices(set(&p.exposure), &exposure_options),
        name: set(&p.name).unwrap_or_default().to_string(),
    })
}

/// The asset page's query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct AssetParams {
    q: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

/// A fact about an asset.
#[derive(Debug)]
pub struct Fact {
    /// What.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// A component of the inventory.
#[derive(Debug)]
pub struct ComponentRow {
    /// Its ecosystem.
    pub ecosystem: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where it was found.
    pub locations: String,
    /// Its licence, where known.
    pub license: String,
}

/// A finding of the asset.
#[derive(Debug)]
pub struct FindingRow {
    /// The rule or advisory.
    pub rule_id: String,
    /// Whether it is a vulnerability (linked to its page).
    pub vulnerability: bool,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: String,
    /// Risk score, or empty.
    pub score: String,
    /// Its band.
    pub band: &'static str,
    /// `name version`.
    pub package: String,
    /// Lifecycle state and triage.
    pub state: String,
    /// Runtime exposure.
    pub exposure: String,
}

/// A process of a host, from its latest snapshot.
#[derive(Debug)]
pub struct ProcessRow {
    /// Its pid.
    pub pid: u32,
    /// Its executable or name.
    pub exe: String,
    /// Its user.
    pub user: String,
    /// The container (short ID) and its asset.
    pub container: String,
    /// The container's asset ID.
    pub container_asset: String,
    /// The sockets it listens on, `address:port (exposure)`.
    pub listening: Vec<String>,
    /// The data stores it is connected to.
    pub data: String,
}

/// A related asset.
#[derive(Debug)]
pub struct RelationRow {
    /// What the relation says from this asset's side.
    pub says: String,
    /// The other asset's ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Last seen (day).
    pub last_seen: String,
}

/// An upload of the asset.
#[derive(Debug)]
pub struct UploadRow {
    /// When (RFC 3339, to the second).
    pub at: String,
    /// `scan`, `sbom`, `snapshot`, ...
    pub kind: String,
    /// Its size.
    pub bytes: i64,
    /// What changed, as recorded.
    pub summary: String,
}

/// A finding event of the asset.
#[derive(Debug)]
pub struct EventRow {
    /// When.
    pub at: String,
    /// `finding.new`, `finding.fixed`, ...
    pub kind: String,
    /// The finding's rule.
    pub rule_id: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    layout: Layout,
    id: String,
    kind: String,
    facts: Vec<Fact>,
    notice: Option<String>,
    team_choices: Vec<Choice>,
    q: String,
    components: Vec<ComponentRow>,
    components_total: i64,
    components_first: i64,
    inventory_size: i64,
    prev: Option<String>,
    next: Option<String>,
    open: [i64; 5],
    findings: Vec<FindingRow>,
    findings_total: i64,
    findings_link: String,
    has_snapshot: bool,
    taken_at: String,
    processes: Vec<ProcessRow>,
    unseen: Vec<String>,
    relations: Vec<RelationRow>,
    running: super::running::Running,
    uploads: Vec<UploadRow>,
    events: Vec<EventRow>,
}

impl AssetPage {
    fn severities(&self) -> [(&'static str, i64); 5] {
        let o = self.open;
        [
            ("CRITICAL", o[0]),
            ("HIGH", o[1]),
            ("MEDIUM", o[2]),
            ("LOW", o[3]),
            ("UNKNOWN", o[4]),
        ]
    }
}

fn exposure_name(e: Exposure) -> &'static str {
    match e {
        Exposure::Loopback => "loopback",
        Exposure::Internal => "internal",
        Exposure::Public => "public",
    }
}

/// The facts of an asset, from its row and its uploads' metadata.
fn facts(a: &AssetOut) -> Vec<Fact> {
    let mut out = vec![
        Fact {
            label: "Kind".into(),
            value: a.kind.clone(),
        },
        Fact {
            label: "Name".into(),
            value: a.name.clone(),
        },
        Fact {
            label: "Team".into(),
            value: a.team.clone().unwrap_or_else(|| "none".into()),
        },
        Fact {
            label: "Exposure".into(),
            value: a.exposure.clone().unwrap_or_else(|| "not known".into()),
        },
        Fact {
            label: "First seen".into(),
            value: a.first_seen.clone(),
        },
        Fact {
            label: "Last seen".into(),
            value: a.last_seen.clone(),
        },
        Fact {
            label: "Components".into(),
            value: a.components.to_string(),
        },
    ];
    // What the uploads said, in a fixed order first, then the rest.
    let known = [
        ("hostname", "Host name"),
        ("os", "Operating system"),
        ("kernel", "Kernel"),
        ("commit", "Commit"),
        ("branch", "Branch"),
        ("repository", "Repository"),
        ("digest", "Digest"),
        ("runtime", "Container runtime"),
        ("pod", "Pod"),
        ("host", "Host"),
        ("taken_at", "Snapshot taken"),
        ("processes", "Processes"),
        ("containers", "Containers"),
        ("packages", "Packages"),
    ];
    let Some(meta) = a.metadata.as_object() else {
        return out;
    };
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    for (key, label) in known {
        if let Some(v) = meta.get(key).map(show).filter(|v| !v.is_empty()) {
            out.push(Fact {
                label: label.into(),
                value: v,
            });
        }
    }
    for (key, v) in meta {
        // A container's image is in the Images section.
        if known.iter().any(|(k, _)| k == key) || key == "unseen" || key == "image" {
            continue;
        }
        let v = show(v);
        if !v.is_empty() {
            out.push(Fact {
                label: key.replace('_', " "),
                value: v,
            });
        }
    }
    out
}

fn component_row(c: &Value) -> ComponentRow {
    let text = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let locations = c
        .get("locations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.get("path").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    ComponentRow {
        ecosystem: text("ecosystem"),
        name: text("name"),
        version: text("version"),
        locations,
        license: text("license"),
    }
}

/// `GET /ui/assets/{id}`: 404 for an asset the user may not see.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(p): Query<AssetParams>,
) -> Response {
    match build_page(&state, &user, &id, &p).await {
        Ok(Some(page)) => super::render(&page),
        Ok(None) => error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such asset, or it belongs to another team.",
        ),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

async fn build_page(
    state: &AppState,
    user: &WebUser,
    id: &str,
    p: &AssetParams,
) -> anyhow::Result<Option<AssetPage>> {
    let scope = user.principal.team_scope();
    let Some(mut asset) = query::asset(&state.db, id, scope).await? else {
        return Ok(None);
    };
    if scope.is_some() {
        // A developer's page names no other team's (or no team's) asset.
        let team = asset.team.clone();
        asset.relations.retain(|r| r.asset.team == team);
    }
    let q = set(&p.q).unwrap_or_default().to_string();
    let page = page_no(&p.page);
    let offset = (page - 1) * INVENTORY_PAGE;
    let inventory = query::components_matching(
        &state.db,
        id,
        Some(&q),
        Page {
            limit: Some(INVENTORY_PAGE),
            offset: Some(offset),
        },
    )
    .await?;
    let components: Vec<ComponentRow> = inventory.items.iter().map(component_row).collect();
    let link = |n: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            s.append_pair("q", &q);
        }
        s.append_pair("page", &n.to_string());
        format!("/ui/assets/{id}?{}#inventory", s.finish())
    };
    let shown = components.len() as i64;

    let found = query::findings(
        &state.db,
        &FindingFilter {
            asset: Some(id.to_string()),
            state: Some("active".into()),
            ..FindingFilter::default()
        },
        Page {
            limit: Some(FINDINGS_SHOWN),
            offset: Some(0),
        },
        scope,
    )
    .await?;
    let findings = found
        .items
        .iter()
        .map(|f| {
            let score = risk::score(&f.finding);
            FindingRow {
                rule_id: f.rule_id.clone(),
                vulnerability: f.kind == "vulnerability",
                title: f.title.clone(),
                severity: f.severity.clone(),
                score: score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                band: risk::band(score),
                package: f
                    .package
                    .as_ref()
                    .map(|p| format!("{} {}", p.name, p.version))
                    .unwrap_or_default(),
                state: match &f.triage {
                    Some(t) => format!("{}, {}", f.state, t.status.replace('_', " ")),
                    None => f.state.clone(),
                },
                exposure: f.exposure.clone().unwrap_or_default(),
            }
        })
        .collect();

    // A host's runtime context: its latest snapshot. Its containers are
    // linked when the server holds them (related to this host).
    let related: Vec<String> = asset.relations.iter().map(|r| r.asset.id.clone()).collect();
    let (mut has_snapshot, mut taken_at, mut processes, mut unseen) =
        (false, String::new(), Vec::new(), Vec::new());
    if asset.kind == "host" {
        if let Some((_, snap)) = crate::agents::stored_snapshot(state, &asset.name).await? {
            has_snapshot = true;
            taken_at = snap.taken_at.clone();
            unseen = snap
                .unseen
                .iter()
                .map(|u| format!("{}: {}", u.what, u.why))
                .collect();
            processes = snap
                .processes
                .iter()
                .map(|p| {
                    let container = p
                        .container
                        .as_ref()
                        .map(|c| c.id.clone())
                        .unwrap_or_default();
                    let mut data: Vec<String> = p
                        .connections
                        .iter()
                        .filter_map(|c| c.data_asset.clone())
                        .collect();
                    data.sort();
                    data.dedup();
                    ProcessRow {
                        pid: p.pid,
                        exe: p.exe.clone().or_else(|| p.name.clone()).unwrap_or_default(),
                        user: p.user.clone().unwrap_or_default(),
                        container_asset: Some(
                            crate::ingest::AssetKey {
                                kind: "container".into(),
                                name: container.clone(),
                            }
                            .id(),
                        )
                        .filter(|id| !container.is_empty() && related.contains(id))
                        .unwrap_or_default(),
                        container: container.get(..12).unwrap_or(&container).to_string(),
                        listening: p
                            .listening
                            .iter()
                            .map(|l| {
                                format!("{}:{} ({})", l.address, l.port, exposure_name(l.exposure))
                            })
                            .collect(),
                        data: data.join(", "),
                    }
                })
                .collect();
        }
    }

    let relations = asset
        .relations
        .iter()
        .map(|r| RelationRow {
            says: match (r.relation.as_str(), r.direction.as_str()) {
                ("runs_on", "out") => "runs on".into(),
                ("runs_on", "in") => "runs here".into(),
                ("in_pod", "out") => "is in pod".into(),
                ("in_pod", "in") => "container of this pod".into(),
                ("runs_image", "out") => "runs image".into(),
                ("runs_image", "in") => "container running it".into(),
                (rel, dir) => format!("{rel} ({dir})"),
            },
            id: r.asset.id.clone(),
            name: r.asset.name.clone(),
            kind: r.asset.kind.clone(),
            last_seen: r.last_seen.get(..10).unwrap_or_default().to_string(),
        })
        .collect();

    // The images it runs, or where it runs (web::running).
    let running = super::running::running(state, &asset.id, &asset.kind, scope).await?;

    let uploads = sqlx::query(&format!(
        "SELECT kind, received_at, bytes, summary FROM uploads WHERE asset_id = $1 \
         ORDER BY received_at DESC, id LIMIT {HISTORY_SHOWN}"
    ))
    .bind(id)
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| {
        let summary: Value =
            serde_json::from_str(&r.get::<String, _>("summary")).unwrap_or(Value::Null);
        let changes = summary.get("changes").unwrap_or(&summary);
        let parts: Vec<String> = ["new", "reopened", "fixed", "components"]
            .iter()
            .filter_map(|k| {
                changes
                    .get(*k)
                    .and_then(Value::as_i64)
                    .map(|n| format!("{k} {n}"))
            })
            .collect();
        UploadRow {
            at: vigil_model::time::rfc3339(r.get("received_at")),
            kind: r.get("kind"),
            bytes: r.get("bytes"),
            summary: parts.join(", "),
        }
    })
    .collect();
    let events = sqlx::query(&format!(
        "SELECT e.created_at, e.kind, f.rule_id FROM events e JOIN findings f ON f.id = e.finding_id \
         WHERE e.asset_id = $1 ORDER BY e.seq DESC LIMIT {HISTORY_SHOWN}"
    ))
    .bind(id)
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| EventRow {
        at: vigil_model::time::rfc3339(r.get("created_at")),
        kind: r.get("kind"),
        rule_id: r.get("rule_id"),
    })
    .collect();

    let team = asset.team.clone().unwrap_or_default();
    let team_choices = if user.principal.role == Role::Admin {
        let mut options = vec![(String::new(), "no team".to_string())];
        options.extend(team_names(state).await?.into_iter().map(|t| (t.clone(), t)));
        choices(Some(&team), &options)
    } else {
        Vec::new()
    };
    let notice = match set(&p.done) {
        Some("team") => Some(if team.is_empty() {
            "The asset belongs to no team now.".to_string()
        } else {
            format!("The asset belongs to team {team} now.")
        }),
        _ => None,
    };
    Ok(Some(AssetPage {
        layout: Layout::new(
            user,
            format!("{}: {}", asset.kind, display_name(&asset)),
            "assets",
        ),
        id: asset.id.clone(),
        kind: asset.kind.clone(),
        facts: facts(&asset),
        notice,
        team_choices,
        components,
        components_total: inventory.total,
        components_first: if shown > 0 { offset + 1 } else { 0 },
        inventory_size: asset.components,
        prev: (page > 1).then(|| link(page - 1)),
        next: (offset + shown < inventory.total).then(|| link(page + 1)),
        q,
        open: open_counts(&asset),
        findings,
        findings_total: found.total,
        findings_link: format!("/ui/findings?state=active&asset={}", encode(id)),
        has_snapshot,
        taken_at,
        processes,
        unseen,
        relations,
        running,
        uploads,
        events,
    }))
}

/// `POST /ui/assets/{id}/team`: an admin gives the asset to a team (the
/// API's `PATCH /api/v1/assets/{id}` code, audited).
pub async fn set_team(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    if let Err(r) = check_csrf(&state, &user, &headers, &form) {
        return *r;
    }
    let team = form.get("team").map(str::trim).filter(|t| !t.is_empty());
    match crate::api::set_asset_team(&state, &user.principal, &id, team).await {
        Ok(()) => Redirect::to(&format!("/ui/assets/{}?done=team", encode(&id))).into_response(),
        Err(e) => super::api_error_page(&e),
    }
}
