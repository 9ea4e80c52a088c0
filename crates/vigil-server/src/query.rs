//! Reading the organisation's state: findings and assets, paginated and
//! filtered, and "where is this vulnerability right now?".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{opt_int, opt_text, Db};
use crate::risk::RiskOut;
use vigil_model::time::rfc3339;

/// A bound value of a dynamically built statement.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

/// A WHERE clause under construction, with its `$N` arguments.
#[derive(Debug, Default)]
struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    fn next(&self) -> usize {
        self.args.len() + 1
    }

    fn text(&mut self, clause_with_placeholder: &str, value: String) {
        let n = self.next();
        self.clauses
            .push(clause_with_placeholder.replace("$?", &format!("${n}")));
        self.args.push(Arg::Text(value));
    }

    fn int(&mut self, clause_with_placeholder: &str, value: i64) {
        let n = self.next();
        self.clauses
            .push(clause_with_placeholder.replace("$?", &format!("${n}")));
        self.args.push(Arg::Int(value));
    }

    /// `column IN ($a, $b, …)` over a comma-separated list.
    fn one_of(&mut self, column: &str, list: &str, map: impl Fn(&str) -> String) {
        let values: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(map)
            .collect();
        if values.is_empty() {
            return;
        }
        let mut placeholders = Vec::new();
        for v in values {
            placeholders.push(format!("${}", self.next()));
            self.args.push(Arg::Text(v));
        }
        self.clauses
            .push(format!("{column} IN ({})", placeholders.join(", ")));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// Page size: `limit` (1–1000, default 100) and `offset`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// How many items (1–1000; default 100).
    pub limit: Option<i64>,
    /// How many to skip (default 0).
    pub offset: Option<i64>,
}

impl Page {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 1000)
    }

    fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}

/// A page of items, with the total and where the next page starts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// The items.
    pub items: Vec<T>,
    /// How many items match, in all.
    pub total: i64,
    /// The `offset` of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<i64>,
}

/// Filters of `GET /api/v1/findings`; comma-separated lists match any.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct FindingFilter {
    /// Team name(s) owning the asset.
    pub team: Option<String>,
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `UNKNOWN`.
    pub severity: Option<String>,
    /// Lifecycle: `new`, `open`, `reopened`, `fixed`; `active` for all but
    /// fixed.
    pub state: Option<String>,
    /// Triage: `none`, `accepted`, `false_positive`, `suppressed`.
    pub triage: Option<String>,
    /// `vulnerability`, `misconfiguration`, `secret`, `license`.
    pub kind: Option<String>,
    /// Only findings listed (or not) as known exploited.
    pub kev: Option<bool>,
    /// Only findings with (or without) a fixed version.
    pub fix_available: Option<bool>,
    /// Runtime exposure: `public`, `internal`, `loopback`.
    pub exposure: Option<String>,
    /// One asset's ID.
    pub asset: Option<String>,
    /// Asset kind(s): `repository`, `image`, `host`, ...
    pub asset_kind: Option<String>,
    /// A vulnerability ID or alias.
    pub vuln: Option<String>,
    /// Only findings with a risk score at or above this (0–10, e.g. `7`
    /// or `6.5`); findings without a score are left out.
    pub min_risk: Option<f64>,
    /// The order: `risk` (the default: highest risk score first — a
    /// finding without a score ranks at the floor of its severity's band
    /// — then most severe, KEV first, most recently seen), `severity`
    /// (most severe, KEV first, most recently seen), `last_seen` or
    /// `first_seen` (most recent first).
    pub sort: Option<String>,
}

/// The orders of [`FindingFilter::sort`].
pub const FINDING_SORTS: &[&str] = &["risk", "severity", "last_seen", "first_seen"];

impl FindingFilter {
    /// Why the filter cannot be applied (an unknown `sort`, a `min_risk`
    /// out of range), to answer with a 400.
    pub fn check(&self) -> Result<(), String> {
        if let Some(sort) = self.sort.as_deref() {
            if !FINDING_SORTS.contains(&sort) {
                return Err(format!(
                    "unknown sort {sort:?}: use one of {}",
                    FINDING_SORTS.join(", ")
                ));
            }
        }
        if let Some(min) = self.min_risk {
            crate::risk::min_tenths(min)?;
        }
        Ok(())
    }

    /// The `ORDER BY` of the chosen sort (an unknown one: `risk`).
    fn order_by(&self) -> &'static str {
        match self.sort.as_deref() {
            Some("severity") => "f.severity_rank DESC, f.kev DESC, f.last_seen DESC, f.id",
            Some("last_seen") => "f.last_seen DESC, f.id",
            Some("first_seen") => "f.first_seen DESC, f.id",
            _ => {
                "COALESCE(f.risk_tenths, CASE f.severity_rank WHEN 4 THEN 90 WHEN 3 THEN 70 \
                 WHEN 2 THEN 40 WHEN 1 THEN 1 ELSE 0 END) DESC, \
                 f.severity_rank DESC, f.kev DESC, f.last_seen DESC, f.id"
            }
        }
    }
}

/// A finding as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FindingOut {
    /// Its ID.
    pub id: String,
    /// The asset it is on.
    pub asset: AssetRef,
    /// Its fingerprint (identity within the asset).
    pub fingerprint: String,
    /// `vulnerability`, `misconfiguration`, `secret`, `license`.
    pub kind: String,
    /// The advisory or rule ID.
    pub rule_id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: String,
    /// Listed as known exploited.
    pub kev: bool,
    /// A fixed version exists.
    pub fix_available: bool,
    /// The package, when about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageOut>,
    /// Where it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The runtime exposure of its package, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<String>,
    /// Its risk score and why (docs/risk.md); `null` when it has none (no
    /// CVSS vector, or not a vulnerability).
    pub risk: Option<RiskOut>,
    /// `new`, `open`, `reopened` or `fixed`.
    pub state: String,
    /// Triage, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triage: Option<TriageOut>,
    /// `scan` (reported by a scan or agent) or `rematch` (found by the
    /// server when an advisory arrived).
    pub origin: String,
    /// First seen (RFC 3339).
    pub first_seen: String,
    /// Last seen.
    pub last_seen: String,
    /// When it was fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_at: Option<String>,
    /// When it was last reopened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened_at: Option<String>,
    /// The finding as reported (docs/report-json.md).
    #[schema(value_type = Object)]
    pub finding: Value,
}

/// An asset named in a finding.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssetRef {
    /// Its ID.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its team's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// A package.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PackageOut {
    /// Its ecosystem.
    pub ecosystem: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A triage decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TriageOut {
    /// `accepted`, `false_positive` or `suppressed` (by the scanned
    /// source's ignore file, VEX or inline comment).
    pub status: String,
    /// The justification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When an accepted risk expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Who decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

const FINDING_COLUMNS: &str =
    "f.id, f.fingerprint, f.kind, f.rule_id, f.title, f.severity, f.kev, \
    f.fix_available, f.package_ecosystem, f.package_name, f.package_version, f.path, f.exposure, \
    f.state, f.triage, f.triage_reason, f.triage_expires, f.triage_by, f.origin, f.first_seen, \
    f.last_seen, f.fixed_at, f.reopened_at, f.data, a.id AS asset_id, a.kind AS asset_kind, \
    a.name AS asset_name, t.name AS team_name";

const FINDING_FROM: &str =
    " FROM findings f JOIN assets a ON a.id = f.asset_id LEFT JOIN teams t ON t.id = a.team_id";

fn finding_out(r: &AnyRow) -> FindingOut {
    let package = match (
        opt_text(r, "package_ecosystem"),
        opt_text(r, "package_name"),
        opt_text(r, "package_version"),
    ) {
        (Some(ecosystem), Some(name), Some(version)) => Some(PackageOut {
            ecosystem,
            name,
            version,
        }),
        _ => None,
    };
    let finding: Value = serde_json::from_str(&r.get::<String, _>("data")).unwrap_or(Value::Null);
    FindingOut {
        id: r.get("id"),
        asset: AssetRef {
            id: r.get("asset_id"),
            kind: r.get("asset_kind"),
            name: r.get("asset_name"),
            team: opt_text(r, "team_name"),
        },
        fingerprint: r.get("fingerprint"),
        kind: r.get("kind"),
        rule_id: r.get("rule_id"),
        title: r.get("title"),
        severity: r.get("severity"),
        kev: r.get::<i64, _>("kev") != 0,
        fix_available: r.get::<i64, _>("fix_available") != 0,
        package,
        path: opt_text(r, "path").filter(|p| !p.is_empty()),
        exposure: opt_text(r, "exposure"),
        risk: crate::risk::of(&finding),
        state: r.get("state"),
        triage: opt_text(r, "triage").map(|status| TriageOut {
            status,
            reason: opt_text(r, "triage_reason"),
            expires: opt_int(r, "triage_expires").map(rfc3339),
            by: opt_text(r, "triage_by"),
        }),
        origin: r.get("origin"),
        first_seen: rfc3339(r.get("first_seen")),
        last_seen: rfc3339(r.get("last_seen")),
        fixed_at: opt_int(r, "fixed_at").map(rfc3339),
        reopened_at: opt_int(r, "reopened_at").map(rfc3339),
        finding,
    }
}

/// Findings matching the filter, in the filter's order (highest risk
/// first by default). `team_scope` limits them to one team's assets
/// (developers). A `min_risk` out of range ([`FindingFilter::check`])
/// filters nothing.
pub async fn findings(
    db: &Db,
    filter: &FindingFilter,
    page: Page,
    team_scope: Option<&str>,
) -> anyhow::Result<Paged<FindingOut>> {
    let mut w = Filter::default();
    if let Some(team) = team_scope {
        w.text("a.team_id = $?", team.to_string());
    }
    if let Some(v) = &filter.team {
        w.one_of("t.name", v, str::to_string);
    }
    if let Some(v) = &filter.severity {
        w.one_of("f.severity", v, str::to_ascii_uppercase);
    }
    match filter.state.as_deref() {
        Some("active") => w.clauses.push("f.state <> 'fixed'".into()),
        Some(v) => w.one_of("f.state", v, str::to_string),
        None => {}
    }
    match filter.triage.as_deref() {
        Some("none") => w.clauses.push("f.triage IS NULL".into()),
        Some(v) => w.one_of("f.triage", v, str::to_string),
        None => {}
    }
    if let Some(v) = &filter.kind {
        w.one_of("f.kind", v, str::to_string);
    }
    if let Some(v) = filter.kev {
        w.int("f.kev = $?", v as i64);
    }
    if let Some(v) = filter.fix_available {
        w.int("f.fix_available = $?", v as i64);
    }
    if let Some(v) = &filter.exposure {
        w.one_of("f.exposure", v, str::to_string);
    }
    if let Some(v) = &filter.asset {
        w.text("a.id = $?", v.clone());
    }
    if let Some(v) = &filter.asset_kind {
        w.one_of("a.kind", v, str::to_string);
    }
    if let Some(v) = &filter.vuln {
        w.text(
            "f.id IN (SELECT finding_id FROM finding_ids WHERE vuln_id = $?)",
            v.to_ascii_uppercase(),
        );
    }
    if let Some(min) = filter
        .min_risk
        .and_then(|m| crate::risk::min_tenths(m).ok())
    {
        w.int("f.risk_tenths >= $?", min);
    }
    let where_sql = w.sql();
    let total: i64 = w
        .bind(sqlx::query(&format!(
            "SELECT COUNT(*) AS n{FINDING_FROM}{where_sql}"
        )))
        .fetch_one(&db.pool)
        .await?
        .get("n");
    let sql = format!(
        "SELECT {FINDING_COLUMNS}{FINDING_FROM}{where_sql} ORDER BY {} LIMIT {} OFFSET {}",
        filter.order_by(),
        page.limit(),
        page.offset()
    );
    let rows = w.bind(sqlx::query(&sql)).fetch_all(&db.pool).await?;
    let items: Vec<FindingOut> = rows.iter().map(finding_out).collect();
    let end = page.offset() + items.len() as i64;
    Ok(Paged {
        next_offset: (end < total).then_some(end),
        total,
        items,
    })
}

/// One finding by ID (within the team scope).
pub async fn finding(
    db: &Db,
    id: &str,
    team_scope: Option<&str>,
) -> anyhow::Result<Option<FindingOut>> {
    let mut w = Filter::default();
    w.text("f.id = $?", id.to_string());
    if let Some(team) = team_scope {
        w.text("a.team_id = $?", team.to_string());
    }
    let sql = format!("SELECT {FINDING_COLUMNS}{FINDING_FROM}{}", w.sql());
    let row = w.bind(sqlx::query(&sql)).fetch_optional(&db.pool).await?;
    Ok(row.as_ref().map(finding_out))
}

/// Filters of `GET /api/v1/assets`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AssetFilter {
    /// Kind(s): `repository`, `image`, `host`, `container`, `sbom`, ...
    pub kind: Option<String>,
    /// Team name(s).
    pub team: Option<String>,
    /// A part of the name.
    pub name: Option<String>,
    /// Exposure: `public`, `internal`, `loopback`.
    pub exposure: Option<String>,
}

/// Open findings of an asset by severity.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: i64,
    /// High.
    pub high: i64,
    /// Medium.
    pub medium: i64,
    /// Low.
    pub low: i64,
    /// Unknown.
    pub unknown: i64,
}

/// An asset as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssetOut {
    /// Its ID.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// First seen.
    pub first_seen: String,
    /// Last seen (its last upload).
    pub last_seen: String,
    /// Its widest runtime exposure, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<String>,
    /// Facts from its uploads (commit, branch, digest, host name, OS...).
    #[schema(value_type = Object)]
    pub metadata: Value,
    /// Its findings that are not fixed and not triaged, by severity.
    pub open_findings: SeverityCounts,
    /// The highest risk score of those findings; `null` when none has one.
    pub max_risk: Option<f64>,
    /// How many components its current inventory has.
    pub components: i64,
    /// Its relations to other assets (one asset only, not in lists):
    /// `runs_on` (a container or pod on a host), `in_pod` (a container in
    /// a pod), each with the direction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationOut>,
}

/// A relation of an asset to another.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelationOut {
    /// `runs_on`, `in_pod`.
    pub relation: String,
    /// `out` (this asset runs on / is in the other) or `in` (the other
    /// runs on / is in this one).
    pub direction: String,
    /// The other asset.
    pub asset: AssetRef,
    /// When the relation was last seen.
    pub last_seen: String,
}

/// Assets matching the filter, by kind and name.
pub async fn assets(
    db: &Db,
    filter: &AssetFilter,
    page: Page,
    team_scope: Option<&str>,
) -> anyhow::Result<Paged<AssetOut>> {
    let mut w = Filter::default();
    if let Some(team) = team_scope {
        w.text("a.team_id = $?", team.to_string());
    }
    if let Some(v) = &filter.kind {
        w.one_of("a.kind", v, str::to_string);
    }
    if let Some(v) = &filter.team {
        w.one_of("t.name", v, str::to_string);
    }
    if let Some(v) = &filter.name {
        w.text("a.name LIKE $?", format!("%{}%", v.replace(['%', '_'], "")));
    }
    if let Some(v) = &filter.exposure {
        w.one_of("a.exposure", v, str::to_string);
    }
    let from = " FROM assets a LEFT JOIN teams t ON t.id = a.team_id";
    let where_sql = w.sql();
    let total: i64 = w
        .bind(sqlx::query(&format!(
            "SELECT COUNT(*) AS n{from}{where_sql}"
        )))
        .fetch_one(&db.pool)
        .await?
        .get("n");
    let sql = format!(
        "SELECT a.id, a.kind, a.name, a.first_seen, a.last_seen, a.exposure, a.metadata, t.name AS team_name{from}{where_sql} \
         ORDER BY a.kind, a.name LIMIT {} OFFSET {}",
        page.limit(),
        page.offset()
    );
    let rows = w.bind(sqlx::query(&sql)).fetch_all(&db.pool).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(asset_out(db, r).await?);
    }
    let end = page.offset() + items.len() as i64;
    Ok(Paged {
        next_offset: (end < total).then_some(end),
        total,
        items,
    })
}

async fn asset_out(db: &Db, r: &AnyRow) -> anyhow::Result<AssetOut> {
    let id: String = r.get("id");
    let mut counts = SeverityCounts::default();
    let rows = sqlx::query(
        "SELECT severity, COUNT(*) AS n FROM findings \
         WHERE asset_id = $1 AND state <> 'fixed' AND triage IS NULL GROUP BY severity",
    )
    .bind(&id)
    .fetch_all(&db.pool)
    .await?;
    for row in rows {
        let n: i64 = row.get("n");
        match row.get::<String, _>("severity").as_str() {
            "CRITICAL" => counts.critical = n,
            "HIGH" => counts.high = n,
            "MEDIUM" => counts.medium = n,
            "LOW" => counts.low = n,
            _ => counts.unknown += n,
        }
    }
    let max_risk = sqlx::query(
        "SELECT MAX(risk_tenths) AS m FROM findings \
         WHERE asset_id = $1 AND state <> 'fixed' AND triage IS NULL",
    )
    .bind(&id)
    .fetch_one(&db.pool)
    .await?;
    let max_risk = opt_int(&max_risk, "m").map(|t| t as f64 / 10.0);
    let components: i64 = sqlx::query("SELECT COUNT(*) AS n FROM components WHERE asset_id = $1")
        .bind(&id)
        .fetch_one(&db.pool)
        .await?
        .get("n");
    Ok(AssetOut {
        id,
        kind: r.get("kind"),
        name: r.get("name"),
        team: opt_text(r, "team_name"),
        first_seen: rfc3339(r.get("first_seen")),
        last_seen: rfc3339(r.get("last_seen")),
        exposure: opt_text(r, "exposure"),
        metadata: serde_json::from_str(&r.get::<String, _>("metadata")).unwrap_or(Value::Null),
        open_findings: counts,
        max_risk,
        components,
        relations: Vec::new(),
    })
}

/// One asset by ID (within the team scope).
pub async fn asset(
    db: &Db,
    id: &str,
    team_scope: Option<&str>,
) -> anyhow::Result<Option<AssetOut>> {
    let mut w = Filter::default();
    w.text("a.id = $?", id.to_string());
    if let Some(team) = team_scope {
        w.text("a.team_id = $?", team.to_string());
    }
    let sql = format!(
        "SELECT a.id, a.kind, a.name, a.first_seen, a.last_seen, a.exposure, a.metadata, t.name AS team_name \
         FROM assets a LEFT JOIN teams t ON t.id = a.team_id{}",
        w.sql()
    );
    let row = w.bind(sqlx::query(&sql)).fetch_optional(&db.pool).await?;
    let Some(r) = row else { return Ok(None) };
    let mut out = asset_out(db, &r).await?;
    // Related assets: within the team scope too (a developer does not
    // learn of another team's assets through their own).
    let scoped = if team_scope.is_some() {
        " AND a.team_id = $2"
    } else {
        ""
    };
    for (direction, mine, other) in [("out", "from_id", "to_id"), ("in", "to_id", "from_id")] {
        let sql = format!(
            "SELECT r.relation, r.last_seen, a.id, a.kind, a.name, t.name AS team_name \
             FROM asset_relations r JOIN assets a ON a.id = r.{other} LEFT JOIN teams t ON t.id = a.team_id \
             WHERE r.{mine} = $1{scoped} ORDER BY r.relation, a.kind, a.name"
        );
        let mut q = sqlx::query(&sql).bind(id);
        if let Some(team) = team_scope {
            q = q.bind(team);
        }
        let rows = q.fetch_all(&db.pool).await?;
        for r in rows {
            out.relations.push(RelationOut {
                relation: r.get("relation"),
                direction: direction.into(),
                asset: AssetRef {
                    id: r.get("id"),
                    kind: r.get("kind"),
                    name: r.get("name"),
                    team: opt_text(&r, "team_name"),
                },
                last_seen: rfc3339(r.get("last_seen")),
            });
        }
    }
    Ok(Some(out))
}

/// A component of an asset's current inventory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComponentOut {
    /// The component as reported (docs/report-json.md `components[]`).
    #[schema(value_type = Object)]
    pub component: Value,
}

/// An asset's current inventory, by ecosystem and name.
pub async fn components(db: &Db, asset_id: &str, page: Page) -> anyhow::Result<Paged<Value>> {
    components_matching(db, asset_id, None, page).await
}

/// An asset's current inventory, by ecosystem and name; with `search`,
/// only the components whose name, version or ecosystem contains it
/// (ignoring case).
pub async fn components_matching(
    db: &Db,
    asset_id: &str,
    search: Option<&str>,
    page: Page,
) -> anyhow::Result<Paged<Value>> {
    let mut w = Filter::default();
    w.text("asset_id = $?", asset_id.to_string());
    if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        let n = w.next();
        w.clauses.push(format!(
            "(LOWER(name) LIKE ${n} OR LOWER(version) LIKE ${n} OR LOWER(ecosystem) LIKE ${n})"
        ));
        w.args.push(Arg::Text(format!(
            "%{}%",
            q.to_lowercase().replace(['%', '_'], "")
        )));
    }
    let where_sql = w.sql();
    let total: i64 = w
        .bind(sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM components{where_sql}"
        )))
        .fetch_one(&db.pool)
        .await?
        .get("n");
    let sql = format!(
        "SELECT data FROM components{where_sql} ORDER BY ecosystem, name, version, path LIMIT {} OFFSET {}",
        page.limit(),
        page.offset()
    );
    let rows = w.bind(sqlx::query(&sql)).fetch_all(&db.pool).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.get::<String, _>("data")).unwrap_or(Value::Null))
        .collect();
    let end = page.offset() + items.len() as i64;
    Ok(Paged {
        next_offset: (end < total).then_some(end),
        total,
        items,
    })
}

/// Where a vulnerability is right now: every asset with an unfixed
/// finding known by that ID or an alias.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VulnerabilityAssets {
    /// The ID asked for.
    pub id: String,
    /// Every ID of the findings (their own and aliases), sorted.
    pub aliases: Vec<String>,
    /// One entry per affected asset and finding.
    pub findings: Vec<FindingOut>,
}

/// "Where is this vulnerability (any of its IDs or aliases) right now?"
pub async fn vulnerability_assets(
    db: &Db,
    id: &str,
    team_scope: Option<&str>,
) -> anyhow::Result<VulnerabilityAssets> {
    let filter = FindingFilter {
        vuln: Some(id.to_string()),
        state: Some("active".into()),
        ..FindingFilter::default()
    };
    let page = Page {
        limit: Some(1000),
        offset: Some(0),
    };
    let mut found = findings(db, &filter, page, team_scope).await?;
    let mut offset = 1000;
    while let Some(next) = found.next_offset.filter(|n| *n == offset) {
        let more = findings(
            db,
            &filter,
            Page {
                limit: Some(1000),
                offset: Some(next),
            },
            team_scope,
        )
        .await?;
        found.next_offset = more.next_offset;
        found.items.extend(more.items);
        offset += 1000;
    }
    let mut aliases: Vec<String> = found
        .items
        .iter()
        .flat_map(|f| {
            let mut ids = vec![f.rule_id.clone()];
            if let Some(Value::Array(a)) = f.finding.get("aliases") {
                ids.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)));
            }
            ids
        })
        .collect();
    aliases.sort();
    aliases.dedup();
    Ok(VulnerabilityAssets {
        id: id.to_string(),
        aliases,
        findings: found.items,
    })
}

/// Remediation service levels: days to fix a finding of each severity.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlaDays {
    /// Critical.
    pub critical: i64,
    /// High.
    pub high: i64,
    /// Medium.
    pub medium: i64,
    /// Low.
    pub low: i64,
}

impl Default for SlaDays {
    fn default() -> Self {
        SlaDays {
            critical: 7,
            high: 30,
            medium: 90,
            low: 180,
        }
    }
}

impl SlaDays {
    fn days(&self, severity: &str) -> Option<i64> {
        match severity {
            "CRITICAL" => Some(self.critical),
            "HIGH" => Some(self.high),
            "MEDIUM" => Some(self.medium),
            "LOW" => Some(self.low),
            _ => None,
        }
    }
}

/// Remediation figures of one group (a severity, or a team and severity).
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct RemediationStats {
    /// The team (absent in the per-severity totals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The severity.
    pub severity: String,
    /// Findings open now (not fixed, not triaged).
    pub open: i64,
    /// Findings fixed.
    pub fixed: i64,
    /// Mean time to remediate: the mean of fixed findings' time from first
    /// seen to fixed, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mttr_days: Option<f64>,
    /// The service level, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla_days: Option<i64>,
    /// Open findings older than the service level.
    pub open_breaching_sla: i64,
    /// Fixed findings that took longer than the service level.
    pub fixed_late: i64,
}

/// MTTR and SLA figures by severity, and by team and severity.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Stats {
    /// The service levels applied.
    pub sla: SlaDays,
    /// Per severity, over all (visible) assets.
    pub by_severity: Vec<RemediationStats>,
    /// Per team and severity (assets without a team under `team` absent).
    pub by_team: Vec<RemediationStats>,
    /// Open vulnerability findings (not fixed, not triaged) by risk band.
    pub open_by_risk: RiskBands,
}

/// Counts of findings by risk band.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RiskBands {
    /// Score 9.0 and above.
    pub critical: i64,
    /// 7.0 to 8.9.
    pub high: i64,
    /// 4.0 to 6.9.
    pub medium: i64,
    /// 0.1 to 3.9.
    pub low: i64,
    /// 0.0, or no score.
    pub none: i64,
}

impl RiskBands {
    fn add(&mut self, tenths: Option<i64>, n: i64) {
        match crate::risk::band(tenths) {
            "critical" => self.critical += n,
            "high" => self.high += n,
            "medium" => self.medium += n,
            "low" => self.low += n,
            _ => self.none += n,
        }
    }
}

/// Remediation statistics of vulnerability and secret findings.
pub async fn stats(db: &Db, sla: &SlaDays, team_scope: Option<&str>) -> anyhow::Result<Stats> {
    let now = crate::db::now();
    let mut w = Filter::default();
    w.clauses
        .push("f.kind IN ('vulnerability', 'secret')".into());
    if let Some(team) = team_scope {
        w.text("a.team_id = $?", team.to_string());
    }
    let mut by_team: BTreeMap<(Option<String>, String), RemediationStats> = BTreeMap::new();
    // Fixed: count, total time, and how many took longer than the SLA.
    let sql = format!(
        "SELECT t.name AS team, f.severity, COUNT(*) AS n, \
         CAST(SUM(f.fixed_at - f.first_seen) AS BIGINT) AS total, \
         CAST(SUM(CASE WHEN f.fixed_at - f.first_seen > {} THEN 1 ELSE 0 END) AS BIGINT) AS late_c, \
         CAST(SUM(CASE WHEN f.fixed_at - f.first_seen > {} THEN 1 ELSE 0 END) AS BIGINT) AS late_h, \
         CAST(SUM(CASE WHEN f.fixed_at - f.first_seen > {} THEN 1 ELSE 0 END) AS BIGINT) AS late_m, \
         CAST(SUM(CASE WHEN f.fixed_at - f.first_seen > {} THEN 1 ELSE 0 END) AS BIGINT) AS late_l \
         {FINDING_FROM}{} AND f.state = 'fixed' GROUP BY t.name, f.severity",
        sla.critical * 86_400,
        sla.high * 86_400,
        sla.medium * 86_400,
        sla.low * 86_400,
        w.sql()
    );
    let mut totals: BTreeMap<(Option<String>, String), i64> = BTreeMap::new();
    for r in w.bind(sqlx::query(&sql)).fetch_all(&db.pool).await? {
        let severity: String = r.get("severity");
        let key = (opt_text(&r, "team"), severity.clone());
        let e = by_team.entry(key.clone()).or_default();
        e.fixed = r.get("n");
        e.fixed_late = match severity.as_str() {
            "CRITICAL" => opt_int(&r, "late_c"),
            "HIGH" => opt_int(&r, "late_h"),
            "MEDIUM" => opt_int(&r, "late_m"),
            "LOW" => opt_int(&r, "late_l"),
            _ => None,
        }
        .unwrap_or(0);
        totals.insert(key, opt_int(&r, "total").unwrap_or(0));
    }
    // Open: count, and how many are older than the SLA.
    let sql = format!(
        "SELECT t.name AS team, f.severity, f.first_seen{FINDING_FROM}{} \
         AND f.state <> 'fixed' AND f.triage IS NULL",
        w.sql()
    );
    for r in w.bind(sqlx::query(&sql)).fetch_all(&db.pool).await? {
        let severity: String = r.get("severity");
        let first: i64 = r.get("first_seen");
        let e = by_team
            .entry((opt_text(&r, "team"), severity.clone()))
            .or_default();
        e.open += 1;
        if sla
            .days(&severity)
            .is_some_and(|d| now - first > d * 86_400)
        {
            e.open_breaching_sla += 1;
        }
    }
    let mut by_severity: BTreeMap<String, (RemediationStats, i64)> = BTreeMap::new();
    let mut teams = Vec::new();
    for ((team, severity), mut s) in by_team {
        let total = totals
            .get(&(team.clone(), severity.clone()))
            .copied()
            .unwrap_or(0);
        let agg = by_severity.entry(severity.clone()).or_default();
        agg.0.open += s.open;
        agg.0.fixed += s.fixed;
        agg.0.open_breaching_sla += s.open_breaching_sla;
        agg.0.fixed_late += s.fixed_late;
        agg.1 += total;
        s.mttr_days = (s.fixed > 0).then(|| total as f64 / s.fixed as f64 / 86_400.0);
        s.sla_days = sla.days(&severity);
        s.severity = severity;
        s.team = team;
        teams.push(s);
    }
    // Open vulnerabilities by risk band (grouped by score: at most 101
    // groups and one for no score).
    let mut rw = Filter::default();
    rw.clauses.push("f.kind = 'vulnerability'".into());
    rw.clauses
        .push("f.state <> 'fixed' AND f.triage IS NULL".into());
    if let Some(team) = team_scope {
        rw.text("a.team_id = $?", team.to_string());
    }
    let sql = format!(
        "SELECT f.risk_tenths, COUNT(*) AS n{FINDING_FROM}{} GROUP BY f.risk_tenths",
        rw.sql()
    );
    let mut open_by_risk = RiskBands::default();
    for r in rw.bind(sqlx::query(&sql)).fetch_all(&db.pool).await? {
        open_by_risk.add(opt_int(&r, "risk_tenths"), r.get("n"));
    }
    let mut severities: Vec<RemediationStats> = by_severity
        .into_iter()
        .map(|(severity, (mut s, total))| {
            s.mttr_days = (s.fixed > 0).then(|| total as f64 / s.fixed as f64 / 86_400.0);
            s.sla_days = sla.days(&severity);
            s.severity = severity;
            s
        })
        .collect();
    let rank = |s: &str| std::cmp::Reverse(crate::ingest::severity_rank(s));
    severities.sort_by_key(|s| rank(&s.severity));
    teams.sort_by(|a, b| (&a.team, rank(&a.severity)).cmp(&(&b.team, rank(&b.severity))));
    Ok(Stats {
        sla: sla.clone(),
        by_severity: severities,
        by_team: teams,
        open_by_risk,
    })
}
