//! The overview (`/ui/`): open findings by severity and risk band, the top
//! risks with their reasons, findings opened and fixed over the last 30
//! days, MTTR and SLA breaches, assets not seen recently, and the advisory
//! database's freshness.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use sqlx::Row;

use super::charts::{self, Bar, Day};
use super::{internal_error, risk, team_clause, Layout, WebUser};
use crate::db::{self, now};
use crate::query;
use crate::AppState;

/// Severities, most severe first.
pub const SEVERITIES: [&str; 5] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];

/// Assets not seen for this many days are listed as stale.
pub const STALE_DAYS: i64 = 7;

/// Days in the opened/fixed chart.
pub const TIMELINE_DAYS: i64 = 30;

/// One of the top risks.
#[derive(Debug)]
pub struct TopRisk {
    /// The advisory or rule ID.
    pub rule_id: String,
    /// The title.
    pub title: String,
    /// The severity.
    pub severity: String,
    /// The score, one decimal.
    pub score: String,
    /// Its band.
    pub band: &'static str,
    /// Why.
    pub reasons: Vec<String>,
    /// The asset's name and kind.
    pub asset: String,
    /// The asset's ID.
    pub asset_id: String,
    /// The package, `name version`.
    pub package: String,
}

/// An asset not seen recently.
#[derive(Debug)]
pub struct StaleAsset {
    /// Its ID.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its team.
    pub team: String,
    /// Last seen (day).
    pub last_seen: String,
    /// Days since.
    pub days: i64,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    open_total: i64,
    by_severity: Vec<Bar>,
    severity_chart: String,
    by_band: Vec<Bar>,
    band_chart: String,
    top: Vec<TopRisk>,
    days: Vec<Day>,
    timeline_chart: String,
    stats: query::Stats,
    stale: Vec<StaleAsset>,
    stale_days: i64,
    advisories_updated: Option<String>,
    advisories_age_days: Option<i64>,
    advisories_matched: i64,
    advisories_stale: bool,
}

impl OverviewPage {
    fn mttr(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "–".to_string(), |d| format!("{d:.1}"))
    }

    fn opt(&self, v: &Option<i64>) -> String {
        v.map_or_else(|| "–".to_string(), |d| d.to_string())
    }
}

/// `GET /ui/`.
pub async fn page(State(state): State<AppState>, user: WebUser) -> Response {
    match build(&state, &user).await {
        Ok(page) => super::render(&page),
        Err(e) => internal_error(&format!("{e:#}")),
    }
}

async fn build(state: &AppState, user: &WebUser) -> anyhow::Result<OverviewPage> {
    let scope = user.principal.team_scope();
    let pool = &state.db.pool;

    // Open findings (not fixed, not triaged): counts by severity and by
    // risk band, counted by the database, then the ten highest risks.
    let open = format!(
        "FROM findings f JOIN assets a ON a.id = f.asset_id \
         WHERE f.state <> 'fixed' AND f.triage IS NULL{}",
        team_clause(scope, 1)
    );
    fn bind<'q>(
        sql: &'q str,
        scope: Option<&str>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let q = sqlx::query(sql);
        match scope {
            Some(t) => q.bind(t.to_string()),
            None => q,
        }
    }
    let mut severity_counts = [0i64; 5];
    for r in bind(
        &format!("SELECT f.severity AS severity, COUNT(*) AS n {open} GROUP BY f.severity"),
        scope,
    )
    .fetch_all(pool)
    .await?
    {
        let severity: String = r.get("severity");
        let i = SEVERITIES
            .iter()
            .position(|s| *s == severity)
            .unwrap_or(SEVERITIES.len() - 1);
        severity_counts[i] += r.get::<i64, _>("n");
    }
    let mut band_counts: Vec<(&str, i64)> = risk::BANDS
        .iter()
        .map(|(b, _)| (*b, 0))
        .chain([("unscored", 0)])
        .collect();
    for r in bind(
        &format!(
            "SELECT CASE WHEN f.risk_tenths IS NULL THEN -1 \
         WHEN f.risk_tenths >= 90 THEN 90 WHEN f.risk_tenths >= 70 THEN 70 \
         WHEN f.risk_tenths >= 40 THEN 40 ELSE 0 END AS band, COUNT(*) AS n \
         {open} GROUP BY 1"
        ),
        scope,
    )
    .fetch_all(pool)
    .await?
    {
        let band: i64 = r.get("band");
        let band = if band < 0 {
            "unscored"
        } else {
            risk::band(Some(band as f64 / 10.0))
        };
        if let Some(c) = band_counts.iter_mut().find(|(b, _)| *b == band) {
            c.1 += r.get::<i64, _>("n");
        }
    }
    let rows = bind(
        &format!(
            "SELECT f.rule_id, f.title, f.severity, f.package_name, f.package_version, f.data, \
         a.id AS asset_id, a.name AS asset_name, a.kind AS asset_kind \
         {open} AND f.risk_tenths IS NOT NULL \
         ORDER BY f.risk_tenths DESC, f.severity_rank DESC, f.last_seen DESC LIMIT 10"
        ),
        scope,
    )
    .fetch_all(pool)
    .await?;
    let top = rows
        .iter()
        .filter_map(|r| {
            let data: Value = serde_json::from_str(&r.get::<String, _>("data")).ok()?;
            let s = risk::score(&data)?;
            Some(TopRisk {
                rule_id: r.get("rule_id"),
                title: r.get("title"),
                severity: r.get("severity"),
                score: format!("{s:.1}"),
                band: risk::band(Some(s)),
                reasons: risk::reasons(&data),
                asset: format!(
                    "{} ({})",
                    r.get::<String, _>("asset_name"),
                    r.get::<String, _>("asset_kind")
                ),
                asset_id: r.get("asset_id"),
                package: match (
                    db::opt_text(r, "package_name"),
                    db::opt_text(r, "package_version"),
                ) {
                    (Some(n), Some(v)) => format!("{n} {v}"),
                    (Some(n), None) => n,
                    _ => String::new(),
                },
            })
        })
        .collect();
    let by_severity: Vec<Bar> = SEVERITIES
        .iter()
        .zip(severity_counts)
        .map(|(s, n)| Bar {
            label: (*s).to_string(),
            value: n,
            class: format!("bar-{s}"),
        })
        .collect();
    let by_band: Vec<Bar> = band_counts
        .iter()
        .map(|(b, n)| Bar {
            label: (*b).to_string(),
            value: *n,
            class: format!("bar-{b}"),
        })
        .collect();

    // Opened and fixed per day over the last 30 days (today included).
    let today = now().div_euclid(86_400);
    let start = (today - TIMELINE_DAYS + 1) * 86_400;
    let sql = format!(
        "SELECT f.first_seen, f.fixed_at FROM findings f JOIN assets a ON a.id = f.asset_id \
         WHERE (f.first_seen >= $1 OR f.fixed_at >= $1){}",
        team_clause(scope, 2)
    );
    let mut q = sqlx::query(&sql).bind(start);
    if let Some(t) = scope {
        q = q.bind(t);
    }
    let mut days: Vec<Day> = (0..TIMELINE_DAYS)
        .map(|i| Day {
            day: super::day(start + i * 86_400),
            opened: 0,
            fixed: 0,
        })
        .collect();
    let slot = |t: i64| -> Option<usize> {
        let i = (t - start).div_euclid(86_400);
        (0..TIMELINE_DAYS).contains(&i).then_some(i as usize)
    };
    for r in q.fetch_all(pool).await? {
        if let Some(i) = slot(r.get("first_seen")) {
            days[i].opened += 1;
        }
        if let Some(i) = db::opt_int(&r, "fixed_at").and_then(slot) {
            days[i].fixed += 1;
        }
    }

    // Assets not seen for a week.
    let sql = format!(
        "SELECT a.id, a.kind, a.name, a.last_seen, t.name AS team FROM assets a \
         LEFT JOIN teams t ON t.id = a.team_id WHERE a.last_seen < $1{} \
         ORDER BY a.last_seen, a.name LIMIT 50",
        team_clause(scope, 2)
    );
    let cutoff = now() - STALE_DAYS * 86_400;
    let mut q = sqlx::query(&sql).bind(cutoff);
    if let Some(t) = scope {
        q = q.bind(t);
    }
    let stale = q
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            let last: i64 = r.get("last_seen");
            StaleAsset {
                id: r.get("id"),
                kind: r.get("kind"),
                name: r.get("name"),
                team: db::opt_text(r, "team").unwrap_or_default(),
                last_seen: super::day(last),
                days: (now() - last) / 86_400,
            }
        })
        .collect();

    let stats = query::stats(&state.db, &state.config.sla, scope).await?;

    let advisories = state.advisories.clone();
    let last_update = tokio::task::spawn_blocking(move || advisories.last_update()).await?;
    let matched: i64 = sqlx::query("SELECT COUNT(*) AS n FROM advisory_state")
        .fetch_one(pool)
        .await?
        .get("n");

    Ok(OverviewPage {
        layout: Layout::new(user, "Overview", "overview"),
        open_total: severity_counts.iter().sum(),
        severity_chart: charts::bars("Open findings by severity", &by_severity),
        by_severity,
        band_chart: charts::bars("Open findings by risk band", &by_band),
        by_band,
        top,
        timeline_chart: charts::opened_fixed(&days),
        days,
        stats,
        stale,
        stale_days: STALE_DAYS,
        advisories_updated: last_update.map(vigil_model::time::rfc3339),
        advisories_age_days: last_update.map(|t| (now() - t) / 86_400),
        advisories_matched: matched,
        advisories_stale: last_update.is_some_and(|t| now() - t > 2 * 86_400),
    })
}
