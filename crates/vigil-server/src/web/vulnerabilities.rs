//! The vulnerability page (`/ui/vulnerabilities/{id}`): "where is this
//! vulnerability running right now?". The advisory as the server's store
//! has it, and every affected asset the user may see, grouped by kind —
//! for hosts the processes loading the package, their exposure and the
//! data stores they reach; the containers it is installed in. The search
//! (`/ui/vulnerabilities?q=`) goes to the page of a known ID or lists the
//! IDs that contain the text.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sqlx::Row;
use vigil_advisories::osv::Vulnerability;
use vigil_advisories::Store;

use super::{encode, error_page, internal_error, risk, Layout, WebUser};
use crate::ingest::AssetKey;
use crate::query::{self, FindingOut};
use crate::AppState;

/// The most IDs a search lists.
const SEARCH_LIMIT: i64 = 100;

/// The order of the asset kinds on the page.
const KIND_ORDER: [&str; 6] = ["repository", "image", "sbom", "host", "container", "pod"];

/// The search's parameters: `q` (or `id`, the navigation's field).
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    id: Option<String>,
}

/// A vulnerability ID listed by the search, with where it is.
#[derive(Debug)]
pub struct Match {
    /// The ID (or alias).
    pub id: String,
    /// Active findings known by it.
    pub findings: i64,
    /// Assets they are on.
    pub assets: i64,
}

#[derive(Template)]
#[template(path = "vulnerabilities.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    matches: Vec<Match>,
}

/// `GET /ui/vulnerabilities?q=`: the page of a known ID, or the IDs
/// containing the text (without one: the vulnerabilities on the most
/// assets).
pub async fn search(
    State(state): State<AppState>,
    user: WebUser,
    Query(p): Query<SearchParams>,
) -> Response {
    let q =
        p.q.or(p.id)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
    let scope = user.principal.team_scope().map(str::to_string);
    let result = async {
        if !q.is_empty() {
            let exact = matches(&state, &q, true, scope.as_deref()).await?;
            let mut keys = vec![q.to_ascii_uppercase()];
            keys.extend(record_ids(&state, &q).await?);
            if !exact.is_empty() || advisory(&state, &keys).await?.is_some() {
                return Ok::<_, anyhow::Error>(Err(q.to_ascii_uppercase()));
            }
        }
        Ok(Ok(matches(&state, &q, false, scope.as_deref()).await?))
    }
    .await;
    match result {
        Ok(Err(id)) => {
            Redirect::to(&format!("/ui/vulnerabilities/{}", path_segment(&id))).into_response()
        }
        Ok(Ok(matches)) => super::render(&SearchPage {
            layout: Layout::new(&user, "Vulnerabilities", "vulnerabilities"),
            q,
            matches,
        }),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

/// An ID as a path segment (IDs are letters, digits, `-`, `_`, `.`, `:`;
/// anything else is percent-encoded).
fn path_segment(id: &str) -> String {
    encode(id).replace('+', "%20")
}

/// The IDs (own or alias) of active findings the user may see: equal to
/// `q` (`exact`) or containing it, with how many findings and assets.
async fn matches(
    state: &AppState,
    q: &str,
    exact: bool,
    scope: Option<&str>,
) -> anyhow::Result<Vec<Match>> {
    let mut sql = String::from(
        "SELECT i.vuln_id, COUNT(*) AS n, COUNT(DISTINCT f.asset_id) AS assets \
         FROM finding_ids i JOIN findings f ON f.id = i.finding_id JOIN assets a ON a.id = f.asset_id \
         WHERE f.state <> 'fixed'",
    );
    let mut args = Vec::new();
    if !q.is_empty() {
        args.push(if exact {
            q.to_ascii_uppercase()
        } else {
            format!("%{}%", q.to_ascii_uppercase().replace(['%', '_'], ""))
        });
        sql.push_str(if exact {
            " AND i.vuln_id = $1"
        } else {
            " AND i.vuln_id LIKE $1"
        });
    }
    if let Some(team) = scope {
        args.push(team.to_string());
        sql.push_str(&format!(" AND a.team_id = ${}", args.len()));
    }
    sql.push_str(&format!(
        " GROUP BY i.vuln_id ORDER BY assets DESC, n DESC, i.vuln_id LIMIT {SEARCH_LIMIT}"
    ));
    let mut query = sqlx::query(&sql);
    for a in &args {
        query = query.bind(a.as_str());
    }
    Ok(query
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| Match {
            id: r.get("vuln_id"),
            findings: r.get("n"),
            assets: r.get("assets"),
        })
        .collect())
}

/// The advisory records' IDs that findings known by `id` (an alias) came
/// from, on any asset: the store's keys for an alias it does not index.
/// Only the public advisory is read with them, never the findings.
async fn record_ids(state: &AppState, id: &str) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query(
        "SELECT DISTINCT f.rule_id FROM finding_ids i JOIN findings f ON f.id = i.finding_id \
         WHERE i.vuln_id = $1 ORDER BY f.rule_id LIMIT 10",
    )
    .bind(id.to_ascii_uppercase())
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| r.get("rule_id"))
    .collect())
}

/// The first of `ids` the advisory store holds a record of.
async fn advisory(state: &AppState, ids: &[String]) -> anyhow::Result<Option<Vulnerability>> {
    let path = state.advisories.path().to_path_buf();
    let ids = ids.to_vec();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Option<Vulnerability>> {
        let Some(store) = Store::open_existing(&path)? else {
            return Ok(None);
        };
        for id in &ids {
            if let Some(r) = store.record(id)? {
                return Ok(Some(r));
            }
        }
        Ok(None)
    })
    .await?
}

/// The EPSS figures of the first of `ids` that the advisory store scores,
/// as the page writes them; `None` when no scores were imported.
async fn epss(state: &AppState, ids: &[String]) -> anyhow::Result<Option<String>> {
    let path = state.advisories.path().to_path_buf();
    let ids = ids.to_vec();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Option<String>> {
        let Some(store) = Store::open_existing(&path)? else {
            return Ok(None);
        };
        let Some(info) = store.epss_info()? else {
            return Ok(None);
        };
        let scores = store.epss_for(ids.iter().map(String::as_str))?;
        let date = info
            .score_date
            .as_deref()
            .and_then(|d| d.get(..10))
            .map(|d| format!(", scored {d}"))
            .unwrap_or_default();
        Ok(Some(
            match ids.iter().find_map(|id| scores.get(id).map(|s| (id, s))) {
                Some((id, s)) => format!(
                    "{:.1} % probability of exploitation in the next 30 days \
                     (percentile {:.0}; {id}{date})",
                    s.probability * 100.0,
                    s.percentile * 100.0
                ),
                None => format!("no score for this vulnerability's CVEs{date}"),
            },
        ))
    })
    .await?
}

/// A process that loads the package.
#[derive(Debug)]
pub struct ProcessRow {
    /// Its pid.
    pub pid: String,
    /// Its executable.
    pub exe: String,
    /// The container it runs in (short ID), and that container's asset.
    pub container: String,
    /// The container's asset ID.
    pub container_asset: String,
}

/// One affected asset and its finding.
#[derive(Debug)]
pub struct Affected {
    /// The finding's ID.
    pub finding_id: String,
    /// The asset's ID.
    pub asset_id: String,
    /// Its name.
    pub asset: String,
    /// Its team.
    pub team: String,
    /// `name version` (ecosystem).
    pub package: String,
    /// Where in the asset.
    pub path: String,
    /// Fixed versions, or empty.
    pub fixed: String,
    /// Lifecycle state and triage.
    pub state: String,
    /// Severity.
    pub severity: String,
    /// Risk score, one decimal, or empty.
    pub score: String,
    /// Its band.
    pub band: &'static str,
    /// Why.
    pub reasons: Vec<String>,
    /// Runtime exposure.
    pub exposure: String,
    /// The data stores the processes reach.
    pub data: String,
    /// The runtime summary (`loaded by 2 processes, ...`).
    pub runtime: String,
    /// The processes loading it.
    pub processes: Vec<ProcessRow>,
    /// For a container found through a host: the host.
    pub via: Option<(String, String)>,
    /// For an image: where it runs now (`running on 3 containers on 2
    /// hosts`); for a container: the image it runs.
    pub runs: String,
    /// First seen (day).
    pub first_seen: String,
}

/// The affected assets of one kind.
#[derive(Debug)]
pub struct Group {
    /// The kind.
    pub kind: String,
    /// Its heading.
    pub heading: String,
    /// The assets.
    pub rows: Vec<Affected>,
}

/// A link of the advisory.
#[derive(Debug)]
pub struct Link {
    /// Its type (`ADVISORY`, `FIX`, `WEB`).
    pub kind: String,
    /// The URL (shown, and linked only when http(s)).
    pub url: String,
    /// Whether it is an http(s) URL.
    pub web: bool,
}

#[derive(Template)]
#[template(path = "vulnerability.html")]
struct VulnerabilityPage {
    layout: Layout,
    title: String,
    severity: String,
    cvss: Vec<String>,
    aliases: Vec<String>,
    kev: bool,
    /// The EPSS figures; empty when the server has no EPSS scores.
    epss: String,
    published: String,
    modified: String,
    details: String,
    references: Vec<Link>,
    fixed: Vec<String>,
    in_store: bool,
    total: usize,
    groups: Vec<Group>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn heading(kind: &str) -> String {
    match kind {
        "repository" => "Repositories".into(),
        "image" => "Images".into(),
        "sbom" => "SBOM-described products".into(),
        "host" => "Hosts".into(),
        "container" => "Containers".into(),
        "pod" => "Pods".into(),
        other => format!("Assets of kind {other}"),
    }
}

fn short(id: &str) -> String {
    id.get(..12).unwrap_or(id).to_string()
}

fn affected(f: &FindingOut) -> Affected {
    let runtime = f.finding.get("runtime").cloned().unwrap_or(Value::Null);
    let processes = runtime
        .get("processes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    let container = text(p, "container");
                    ProcessRow {
                        pid: p.get("pid").map(Value::to_string).unwrap_or_default(),
                        exe: text(p, "exe"),
                        container_asset: if container.is_empty() {
                            String::new()
                        } else {
                            container_asset_id(&container)
                        },
                        container: short(&container),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let score = risk::score(&f.finding);
    Affected {
        finding_id: f.id.clone(),
        asset_id: f.asset.id.clone(),
        asset: f.asset.name.clone(),
        team: f.asset.team.clone().unwrap_or_default(),
        package: f
            .package
            .as_ref()
            .map(|p| format!("{} {} ({})", p.name, p.version, p.ecosystem))
            .unwrap_or_default(),
        path: f.path.clone().unwrap_or_default(),
        fixed: list(&f.finding, "fixed_versions").join(", "),
        state: match &f.triage {
            Some(t) => format!(
                "{}, {}{}",
                f.state,
                t.status.replace('_', " "),
                t.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            None => f.state.clone(),
        },
        severity: f.severity.clone(),
        score: score.map(|s| format!("{s:.1}")).unwrap_or_default(),
        band: risk::band(score),
        reasons: risk::reasons(&f.finding),
        exposure: f
            .exposure
            .clone()
            .unwrap_or_else(|| text(&runtime, "exposure")),
        data: list(&runtime, "data_assets").join(", "),
        runtime: runtime_summary(&runtime),
        processes,
        via: None,
        runs: String::new(),
        first_seen: f.first_seen.get(..10).unwrap_or_default().to_string(),
    }
}

/// A finding's runtime context in a phrase.
fn runtime_summary(runtime: &Value) -> String {
    let n = runtime
        .get("processes")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if runtime.is_null() {
        return String::new();
    }
    let processes = format!("{n} process{}", if n == 1 { "" } else { "es" });
    if runtime.get("installed_only").and_then(Value::as_bool) == Some(true) {
        format!("installed, not loaded; the containers run {processes}")
    } else {
        format!("loaded by {processes}")
    }
}

/// The asset ID of a container (the server's identity of `container` assets).
fn container_asset_id(container: &str) -> String {
    AssetKey {
        kind: "container".into(),
        name: container.to_string(),
    }
    .id()
}

/// `GET /ui/vulnerabilities/{id}`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match build(&state, &user, id.trim()).await {
        Ok(Some(page)) => super::render(&page),
        Ok(None) => error_page(
            StatusCode::NOT_FOUND,
            "Unknown vulnerability",
            &format!(
                "{id} is neither in the advisory database nor on any asset you can see. \
                 Check the ID (CVE-…, GHSA-…, OSV IDs) or search for a part of it."
            ),
        ),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

async fn build(
    state: &AppState,
    user: &WebUser,
    id: &str,
) -> anyhow::Result<Option<VulnerabilityPage>> {
    let scope = user.principal.team_scope();
    let found = query::vulnerability_assets(&state.db, id, scope).await?;
    // The record: the findings' own IDs first (the store's keys), then
    // what was asked and the aliases.
    let mut keys: Vec<String> = found.findings.iter().map(|f| f.rule_id.clone()).collect();
    keys.push(id.to_string());
    keys.push(id.to_ascii_uppercase());
    keys.extend(found.aliases.iter().cloned());
    keys.extend(record_ids(state, id).await?);
    keys.dedup();
    let record = advisory(state, &keys).await?;
    if found.findings.is_empty() && record.is_none() {
        return Ok(None);
    }
    let first = found.findings.first();
    let mut aliases: Vec<String> = found.aliases.clone();
    if let Some(r) = &record {
        aliases.push(r.id.clone());
        aliases.extend(r.aliases.iter().cloned());
    }
    aliases.retain(|a| !a.eq_ignore_ascii_case(id));
    aliases.sort();
    aliases.dedup();
    let cves: Vec<String> = std::iter::once(id.to_ascii_uppercase())
        .chain(aliases.iter().cloned())
        .collect();
    let epss = epss(state, &cves).await?.unwrap_or_default();

    let title = first
        .map(|f| f.title.clone())
        .or_else(|| record.as_ref().and_then(|r| r.summary.clone()))
        .unwrap_or_default();
    let severity = found
        .findings
        .iter()
        .max_by_key(|f| crate::ingest::severity_rank(&f.severity))
        .map(|f| f.severity.clone())
        .unwrap_or_default();
    let mut cvss: Vec<String> = record
        .as_ref()
        .map(|r| {
            r.severity
                .iter()
                .filter(|s| s.kind.starts_with("CVSS"))
                .map(|s| s.score.clone())
                .collect()
        })
        .unwrap_or_default();
    if cvss.is_empty() {
        if let Some(v) = first
            .and_then(|f| f.finding.get("cvss"))
            .map(|c| text(c, "vector"))
            .filter(|v| !v.is_empty())
        {
            cvss.push(v);
        }
    }
    let mut fixed: Vec<String> = found
        .findings
        .iter()
        .flat_map(|f| list(&f.finding, "fixed_versions"))
        .collect();
    fixed.sort();
    fixed.dedup();
    let kev = found.findings.iter().any(|f| f.kev);

    // Group by asset kind; containers come from the hosts' runtime
    // context (the packages installed in or loaded by them).
    let mut groups: BTreeMap<String, Vec<Affected>> = BTreeMap::new();
    for f in &found.findings {
        let row = affected(f);
        if f.asset.kind == "host" {
            // The containers it is installed in, and those whose
            // processes load it.
            let runtime = f.finding.get("runtime").cloned().unwrap_or_default();
            let mut containers: Vec<String> = list(&runtime, "containers")
                .iter()
                .map(|c| container_asset_id(c))
                .collect();
            for p in &row.processes {
                if !p.container_asset.is_empty() && !containers.contains(&p.container_asset) {
                    containers.push(p.container_asset.clone());
                }
            }
            let names: BTreeMap<String, String> = list(&runtime, "containers")
                .iter()
                .map(|c| (container_asset_id(c), short(c)))
                .chain(
                    row.processes
                        .iter()
                        .map(|p| (p.container_asset.clone(), p.container.clone())),
                )
                .collect();
            for c in containers {
                let mut crow = affected(f);
                crow.asset = names.get(&c).cloned().unwrap_or_else(|| short(&c));
                crow.processes.retain(|p| p.container_asset == c);
                crow.runtime = String::new();
                crow.asset_id = c;
                crow.via = Some((f.asset.id.clone(), f.asset.name.clone()));
                groups.entry("container".into()).or_default().push(crow);
            }
        }
        groups.entry(f.asset.kind.clone()).or_default().push(row);
    }
    // Containers the server holds as assets (visible to the user): the
    // others (a process's container no snapshot listed) are not linked.
    let mut known: BTreeMap<String, bool> = BTreeMap::new();
    for rows in groups.values() {
        for r in rows {
            for p in r.processes.iter().filter(|p| !p.container_asset.is_empty()) {
                known.entry(p.container_asset.clone()).or_default();
            }
        }
    }
    for (id, exists) in known.iter_mut() {
        *exists = query::asset(&state.db, id, scope).await?.is_some();
    }
    if let Some(rows) = groups.get_mut("container") {
        rows.retain(|r| known.get(&r.asset_id).copied().unwrap_or(true));
    }
    groups.retain(|_, rows| !rows.is_empty());
    for rows in groups.values_mut() {
        for r in rows.iter_mut() {
            for p in r.processes.iter_mut() {
                if !known.get(&p.container_asset).copied().unwrap_or(false) {
                    p.container_asset.clear();
                }
            }
        }
    }
    // Hosts by their host name (the asset's name is the agent's host ID).
    let mut hostnames: BTreeMap<String, String> = BTreeMap::new();
    for rows in groups.values() {
        for id in rows
            .iter()
            .filter_map(|r| r.via.as_ref().map(|v| v.0.clone()))
        {
            hostnames.entry(id).or_default();
        }
    }
    for r in groups.get("host").into_iter().flatten() {
        hostnames.entry(r.asset_id.clone()).or_default();
    }
    for (id, name) in hostnames.iter_mut() {
        if let Some(a) = query::asset(&state.db, id, scope).await? {
            if let Some(h) = a.metadata.get("hostname").and_then(Value::as_str) {
                *name = h.to_string();
            }
        }
    }
    for rows in groups.values_mut() {
        for r in rows.iter_mut() {
            if let Some(h) = hostnames.get(&r.asset_id).filter(|h| !h.is_empty()) {
                r.asset = format!("{h} ({})", r.asset);
            }
            if let Some((id, name)) = &mut r.via {
                if let Some(h) = hostnames.get(id.as_str()).filter(|h| !h.is_empty()) {
                    *name = h.clone();
                }
            }
        }
    }
    // Where each image runs, and what each container runs
    // (web::running).
    for (kind, rows) in groups.iter_mut() {
        if kind != "image" && kind != "container" {
            continue;
        }
        for r in rows.iter_mut() {
            let running = super::running::running(state, &r.asset_id, kind, scope).await?;
            r.runs = if kind == "image" {
                super::running::where_it_runs(&running)
            } else {
                running
                    .rows
                    .first()
                    .map(|i| format!("runs image {}", i.image))
                    .unwrap_or_default()
            };
        }
    }
    let mut groups: Vec<Group> = groups
        .into_iter()
        .map(|(kind, rows)| Group {
            heading: heading(&kind),
            kind,
            rows,
        })
        .collect();
    groups.sort_by_key(|g| {
        KIND_ORDER
            .iter()
            .position(|k| *k == g.kind)
            .unwrap_or(KIND_ORDER.len())
    });

    let references = record
        .as_ref()
        .map(|r| {
            r.references
                .iter()
                .map(|l| Link {
                    kind: l.kind.clone(),
                    web: l.url.starts_with("https://") || l.url.starts_with("http://"),
                    url: l.url.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(VulnerabilityPage {
        layout: Layout::new(user, id.to_string(), "vulnerabilities"),
        title,
        severity,
        cvss,
        aliases,
        kev,
        epss,
        published: record
            .as_ref()
            .and_then(|r| r.published.clone())
            .unwrap_or_default(),
        modified: record
            .as_ref()
            .map(|r| r.modified.clone())
            .unwrap_or_default(),
        details: record
            .as_ref()
            .and_then(|r| r.details.clone())
            .unwrap_or_default(),
        references,
        fixed,
        in_store: record.is_some(),
        total: found.findings.len(),
        groups,
    }))
}
