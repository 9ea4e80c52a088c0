//! The server's advisory store, kept current, and continuous re-matching:
//! after an update, the advisories whose content is new or changed name
//! their packages; only the stored inventories holding those packages (the
//! `components` index by ecosystem and name) are matched again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use sqlx::Row;
use vigil_advisories::{Store, UpdateOptions};
use vigil_model::{Component, Ecosystem};

use crate::db::now;
use crate::ingest::{self, ComponentIn, FindingRow};
use crate::AppState;

/// The advisory store of the server (`advisories.db` in the data
/// directory); one update at a time.
#[derive(Debug)]
pub struct Advisories {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

/// Where an update reads advisories from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The configured mirror (or the OSV bucket) and KEV source.
    Configured,
    /// Files or directories on the server's disk: OSV archives, records,
    /// the KEV catalogue (offline imports).
    Paths(Vec<PathBuf>),
}

/// What an update and the re-match after it did.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct RematchReport {
    /// Per source: what happened (`imported: +3 ~1 -0`, `not modified`,
    /// `failed: …`).
    pub sources: Vec<String>,
    /// Advisories new or changed since the last re-match (by content).
    pub changed_advisories: u64,
    /// Advisories no longer in the store.
    pub removed_advisories: u64,
    /// Packages those advisories name.
    pub packages: u64,
    /// Stored inventories that hold one of them.
    pub assets: u64,
    /// Findings created.
    pub new_findings: u64,
    /// Findings fixed before and found again.
    pub reopened_findings: u64,
    /// Findings whose KEV listing changed with the catalogue (their `kev`
    /// flag and risk score refreshed).
    pub kev_changed_findings: u64,
    /// Findings whose EPSS figures changed with a new import of the scores
    /// (their `epss` and risk score refreshed).
    pub epss_changed_findings: u64,
    /// Milliseconds spent re-matching (after the update itself).
    pub rematch_ms: u64,
}

impl Advisories {
    /// The store at `path` (created on first update).
    pub fn new(path: PathBuf) -> Advisories {
        Advisories {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Matches components against the store (empty when there is none
    /// yet). Blocking: call from `spawn_blocking`.
    /// Each finding gets its risk score (docs/risk.md; no runtime context:
    /// the exploit signals only).
    pub fn match_blocking(path: &Path, components: &[Component]) -> Result<Vec<FindingRow>> {
        Self::match_findings_blocking(path, components)?
            .into_iter()
            .map(|mut f| {
                vigil_risk::context::annotate(&mut f);
                let v = serde_json::to_value(&f)?;
                FindingRow::from_value(v).map_err(anyhow::Error::msg)
            })
            .collect()
    }

    /// Matches components against the store, as model findings (for
    /// callers that annotate them). Blocking.
    pub fn match_findings_blocking(
        path: &Path,
        components: &[Component],
    ) -> Result<Vec<vigil_model::Finding>> {
        let Some(store) = Store::open_existing(path)
            .with_context(|| format!("opening the advisory store {}", path.display()))?
        else {
            return Ok(Vec::new());
        };
        let set = store.load_for(components.iter().map(|c| (c.ecosystem, c.advisory_key().0)))?;
        let mut findings = vigil_match::match_components(components, &set).findings;
        store.apply_epss(&mut findings)?;
        Ok(findings)
    }

    /// When the store was last updated (Unix seconds), if ever.
    pub fn last_update(&self) -> Option<i64> {
        Store::open_existing(&self.path)
            .ok()
            .flatten()
            .and_then(|s| s.last_update().ok().flatten())
    }
}

/// Updates the advisory store from `source`, then re-matches what changed.
pub async fn update(state: &AppState, source: Source) -> Result<RematchReport> {
    let _guard = state.advisories.lock.lock().await;
    let path = state.advisories.path.clone();
    let config = state.config.clone();
    let (sources, hashes, kev) = tokio::task::spawn_blocking(move || -> Result<_> {
        let mut store = Store::open(&path)
            .with_context(|| format!("opening the advisory store {}", path.display()))?;
        let mut sources = Vec::new();
        match source {
            Source::Configured => {
                let report = vigil_advisories::update(
                    &mut store,
                    &UpdateOptions {
                        mirror: config.advisory_mirror.clone(),
                        kev_source: config.kev_source.clone(),
                        epss_source: config.epss_source.clone(),
                        ..UpdateOptions::default()
                    },
                );
                for (name, outcome) in report.outcomes {
                    use vigil_advisories::EcosystemOutcome as O;
                    let text = match outcome {
                        O::Imported(s) => {
                            format!("imported: +{} ~{} -{}", s.added, s.updated, s.removed)
                        }
                        O::NotModified => "not modified".to_string(),
                        O::Missing(why) => format!("missing: {why}"),
                        O::Failed(e) => format!("failed: {e}"),
                    };
                    sources.push(format!("{name}: {text}"));
                }
            }
            Source::Paths(paths) => {
                let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
                let s = vigil_advisories::import_paths(&mut store, &refs)?;
                sources.push(format!(
                    "import: +{} ~{} -{}",
                    s.added, s.updated, s.removed
                ));
            }
        }
        Ok((sources, store.content_hashes()?, store.kev_ids()?))
    })
    .await??;
    state.metrics.advisory_updates.inc();
    // Several replicas on one PostgreSQL database: one re-matches at a
    // time; the next finds the advisories already matched (their hashes
    // recorded) and does nothing twice.
    let lock = match state.db.backend {
        crate::db::Backend::Postgres => {
            let mut conn = state.db.pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(crate::db::lock_key("vigil-rematch"))
                .execute(&mut *conn)
                .await?;
            Some(conn)
        }
        crate::db::Backend::Sqlite => None,
    };
    let result = match rematch(state, hashes).await {
        Ok(mut report) => match refresh_kev(&state.db, &kev).await {
            Ok(n) => {
                report.kev_changed_findings = n;
                refresh_epss(&state.db, state.advisories.path())
                    .await
                    .map(|n| {
                        report.epss_changed_findings = n;
                        report
                    })
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    if let Some(mut conn) = lock {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(crate::db::lock_key("vigil-rematch"))
            .execute(&mut *conn)
            .await?;
    }
    let mut report = result?;
    report.sources = sources;
    tracing::info!(
        changed = report.changed_advisories,
        assets = report.assets,
        new_findings = report.new_findings,
        kev_changed = report.kev_changed_findings,
        epss_changed = report.epss_changed_findings,
        ms = report.rematch_ms,
        "advisories updated and re-matched"
    );
    Ok(report)
}

/// Re-matches the inventories affected by advisories whose content hash
/// differs from the one last matched.
async fn rematch(state: &AppState, hashes: Vec<(String, String)>) -> Result<RematchReport> {
    let started = Instant::now();
    let db = &state.db;
    let known: HashMap<String, String> = sqlx::query("SELECT id, hash FROM advisory_state")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| (r.get::<String, _>("id"), r.get::<String, _>("hash")))
        .collect();
    let current: HashSet<&str> = hashes.iter().map(|(id, _)| id.as_str()).collect();
    let changed: Vec<(String, String)> = hashes
        .iter()
        .filter(|(id, h)| known.get(id) != Some(h))
        .cloned()
        .collect();
    let removed: Vec<String> = known
        .keys()
        .filter(|id| !current.contains(id.as_str()))
        .cloned()
        .collect();
    let mut report = RematchReport {
        changed_advisories: changed.len() as u64,
        removed_advisories: removed.len() as u64,
        ..RematchReport::default()
    };
    if !changed.is_empty() {
        let ids: Vec<String> = changed.iter().map(|(id, _)| id.clone()).collect();
        let path = state.advisories.path.clone();
        let packages: Vec<(Ecosystem, String)> = tokio::task::spawn_blocking(move || {
            Store::open(&path)
                .and_then(|s| s.packages_of(&ids))
                .map_err(anyhow::Error::from)
        })
        .await??;
        report.packages = packages.len() as u64;
        // Inventories holding those packages, by asset.
        let mut by_asset: BTreeMap<String, Vec<Component>> = BTreeMap::new();
        for (eco, name) in &packages {
            let rows = sqlx::query(
                "SELECT asset_id, data FROM components WHERE ecosystem = $1 AND name = $2",
            )
            .bind(eco.osv_name())
            .bind(name)
            .fetch_all(&db.pool)
            .await?;
            for r in rows {
                let data: String = r.get("data");
                let parsed = serde_json::from_str::<ComponentIn>(&data)
                    .ok()
                    .and_then(|c| c.to_component().ok());
                if let Some(c) = parsed {
                    by_asset.entry(r.get("asset_id")).or_default().push(c);
                }
            }
        }
        report.assets = by_asset.len() as u64;
        if !by_asset.is_empty() {
            let path = state.advisories.path.clone();
            // Hosts: the runtime context of their packages comes from their
            // stored snapshot, as at upload.
            let snapshots = host_snapshots(db, by_asset.keys()).await?;
            let matched: Vec<(String, Vec<FindingRow>)> =
                tokio::task::spawn_blocking(move || -> Result<_> {
                    let all: Vec<Component> = by_asset.values().flatten().cloned().collect();
                    let Some(store) = Store::open_existing(&path)? else {
                        return Ok(Vec::new());
                    };
                    let set =
                        store.load_for(all.iter().map(|c| (c.ecosystem, c.advisory_key().0)))?;
                    let matcher = vigil_match::Matcher::new(&set, &all);
                    // Every asset's findings in one list (EPSS figures
                    // looked up once for all), then each annotated with its
                    // asset's runtime context.
                    let mut findings = Vec::new();
                    let mut owners = Vec::new();
                    let assets: Vec<String> = by_asset.keys().cloned().collect();
                    for (i, components) in by_asset.into_values().enumerate() {
                        let found = matcher.run(&components).findings;
                        owners.extend(std::iter::repeat_n(i, found.len()));
                        findings.extend(found);
                    }
                    store.apply_epss(&mut findings)?;
                    let runtimes: Vec<Option<_>> = assets
                        .iter()
                        .map(|a| {
                            snapshots
                                .get(a)
                                .map(|s| vigil_agent::inventory::inventory(s).runtime)
                        })
                        .collect();
                    let mut out: Vec<(String, Vec<FindingRow>)> =
                        assets.into_iter().map(|a| (a, Vec::new())).collect();
                    for (i, mut f) in owners.into_iter().zip(findings) {
                        if let Some(runtime) = &runtimes[i] {
                            vigil_agent::inventory::annotate(runtime, &mut f);
                        }
                        vigil_risk::context::annotate(&mut f);
                        if let Some(row) = serde_json::to_value(&f)
                            .ok()
                            .and_then(|v| FindingRow::from_value(v).ok())
                        {
                            out[i].1.push(row);
                        }
                    }
                    Ok(out)
                })
                .await??;
            let now = now();
            let changed_ids: std::collections::BTreeSet<String> = changed
                .iter()
                .map(|(id, _)| id.to_ascii_uppercase())
                .collect();
            let found: Vec<(String, FindingRow)> = matched
                .into_iter()
                .flat_map(|(asset, rows)| rows.into_iter().map(move |r| (asset.clone(), r)))
                .collect();
            let mut tx = db.begin_write(None).await?;
            let c = ingest::add_rematched(&mut tx, &found, &changed_ids, now).await?;
            report.new_findings += c.new;
            report.reopened_findings += c.reopened;
            tx.commit().await?;
        }
    }
    // What was matched, by content: the next update re-matches only what
    // changes after this.
    let mut tx = db.begin_write(None).await?;
    for (id, hash) in &changed {
        sqlx::query(
            "INSERT INTO advisory_state (id, hash) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET hash = $2",
        )
        .bind(id)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    }
    for id in &removed {
        sqlx::query("DELETE FROM advisory_state WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    tx.commit().await?;
    state.metrics.rematch_findings.add(report.new_findings);
    report.rematch_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The stored snapshots of those of `assets` that are hosts.
async fn host_snapshots<'a>(
    db: &crate::Db,
    assets: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, vigil_agent::Snapshot>> {
    let assets: Vec<&String> = assets.collect();
    let mut out = HashMap::new();
    for chunk in assets.chunks(500) {
        let sql = format!(
            "SELECT asset_id, snapshot FROM host_snapshots WHERE asset_id IN ({})",
            db.backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q.bind(a.as_str());
        }
        for r in q.fetch_all(&db.pool).await? {
            let asset: String = r.get("asset_id");
            match serde_json::from_str(&r.get::<String, _>("snapshot")) {
                Ok(s) => {
                    out.insert(asset, s);
                }
                Err(e) => tracing::warn!(
                    asset,
                    error = %e,
                    "stored snapshot unreadable: re-matched findings get no runtime context"
                ),
            }
        }
    }
    Ok(out)
}

/// Makes the findings follow the known-exploited catalogue: the IDs whose
/// listing changed since the last time (added or removed; `kev_state`)
/// name the findings to look at, and those whose `kev` flag differs now
/// get it and their risk score refreshed. Returns how many changed.
pub async fn refresh_kev(db: &crate::Db, kev: &HashSet<String>) -> Result<u64> {
    let current: BTreeSet<String> = kev.iter().map(|id| id.to_ascii_uppercase()).collect();
    let known: BTreeSet<String> = sqlx::query("SELECT id FROM kev_state")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| r.get::<String, _>("id"))
        .collect();
    let added: Vec<&String> = current.difference(&known).collect();
    let removed: Vec<&String> = known.difference(&current).collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(0);
    }
    let changed_ids: Vec<&String> = added.iter().chain(removed.iter()).copied().collect();
    let mut tx = db.begin_write(None).await?;
    // The findings known by one of those IDs.
    let mut findings: BTreeSet<String> = BTreeSet::new();
    for chunk in changed_ids.chunks(500) {
        let sql = format!(
            "SELECT finding_id FROM finding_ids WHERE vuln_id IN ({})",
            db.backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut **tx).await? {
            findings.insert(r.get("finding_id"));
        }
    }
    let findings: Vec<String> = findings.into_iter().collect();
    let mut updated = 0;
    for chunk in findings.chunks(500) {
        // Every ID of each: listed when any of them is.
        let sql = format!(
            "SELECT finding_id, vuln_id FROM finding_ids WHERE finding_id IN ({})",
            db.backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        let mut listed: HashSet<String> = HashSet::new();
        for r in q.fetch_all(&mut **tx).await? {
            if current.contains(&r.get::<String, _>("vuln_id")) {
                listed.insert(r.get("finding_id"));
            }
        }
        let sql = format!(
            "SELECT id, kev, data FROM findings WHERE id IN ({})",
            db.backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut **tx).await? {
            let id: String = r.get("id");
            let kev = listed.contains(&id);
            if (r.get::<i64, _>("kev") != 0) == kev {
                continue;
            }
            let mut data: serde_json::Value =
                serde_json::from_str(&r.get::<String, _>("data")).unwrap_or_default();
            if let Some(obj) = data.as_object_mut() {
                obj.insert("kev".into(), serde_json::Value::Bool(kev));
            }
            crate::risk::rescore(&mut data);
            sqlx::query("UPDATE findings SET kev = $2, data = $3, risk_tenths = $4 WHERE id = $1")
                .bind(&id)
                .bind(kev as i64)
                .bind(data.to_string())
                .bind(crate::risk::tenths(&data))
                .execute(&mut **tx)
                .await?;
            updated += 1;
        }
    }
    for id in &added {
        sqlx::query("INSERT INTO kev_state (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind(id.as_str())
            .execute(&mut **tx)
            .await?;
    }
    for id in &removed {
        sqlx::query("DELETE FROM kev_state WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut **tx)
            .await?;
    }
    tx.commit().await?;
    if updated > 0 {
        tracing::info!(
            listed = added.len(),
            unlisted = removed.len(),
            findings = updated,
            "KEV catalogue changed: findings refreshed"
        );
    }
    Ok(updated)
}

/// The `risk_inputs` entry naming the EPSS import the findings follow.
const EPSS_APPLIED: &str = "epss";

/// After an import of new EPSS scores into the advisory store (a new model
/// version, score date or size), gives every open vulnerability finding
/// known by a CVE its new figures and rescores those that changed; does
/// nothing when the findings already follow this import. Returns how many
/// findings changed.
pub async fn refresh_epss(db: &crate::Db, store_path: &Path) -> Result<u64> {
    let path = store_path.to_path_buf();
    let info = tokio::task::spawn_blocking(move || -> Result<_> {
        let Some(store) = Store::open_existing(&path)? else {
            return Ok(None);
        };
        Ok(store.epss_info()?)
    })
    .await??;
    let Some(info) = info else {
        return Ok(0);
    };
    let marker = format!(
        "{}|{}|{}",
        info.model_version.as_deref().unwrap_or(""),
        info.score_date.as_deref().unwrap_or(""),
        info.count
    );
    let applied: Option<String> = sqlx::query("SELECT value FROM risk_inputs WHERE name = $1")
        .bind(EPSS_APPLIED)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get("value"));
    if applied.as_deref() == Some(marker.as_str()) {
        return Ok(0);
    }
    // The open vulnerability findings and their CVEs.
    let rows = sqlx::query(
        "SELECT i.finding_id AS finding_id, i.vuln_id AS vuln_id FROM finding_ids i \
         JOIN findings f ON f.id = i.finding_id \
         WHERE f.state <> 'fixed' AND f.kind = 'vulnerability' AND i.vuln_id LIKE 'CVE-%'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut cves_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        cves_of
            .entry(r.get("finding_id"))
            .or_default()
            .push(r.get("vuln_id"));
    }
    let wanted: BTreeSet<String> = cves_of.values().flatten().cloned().collect();
    let path = store_path.to_path_buf();
    let scores = tokio::task::spawn_blocking(move || -> Result<_> {
        let Some(store) = Store::open_existing(&path)? else {
            return Ok(HashMap::new());
        };
        Ok(store.epss_for(wanted.iter().map(String::as_str))?)
    })
    .await??;
    let date = info
        .score_date
        .as_deref()
        .and_then(|d| d.get(..10))
        .map(str::to_string);
    let findings: Vec<(String, Vec<String>)> = cves_of.into_iter().collect();
    let mut updated = 0;
    let mut tx = db.begin_write(None).await?;
    for chunk in findings.chunks(500) {
        let sql = format!(
            "SELECT id, data FROM findings WHERE id IN ({})",
            db.backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (id, _) in chunk {
            q = q.bind(id.as_str());
        }
        let cves: HashMap<&str, &Vec<String>> =
            chunk.iter().map(|(id, c)| (id.as_str(), c)).collect();
        for r in q.fetch_all(&mut **tx).await? {
            let id: String = r.get("id");
            let best = cves
                .get(id.as_str())
                .into_iter()
                .flat_map(|c| c.iter())
                .filter_map(|cve| scores.get(cve))
                .max_by(|a, b| a.probability.total_cmp(&b.probability));
            let epss = best.map(|s| {
                let mut o = serde_json::json!({
                    "probability": s.probability,
                    "percentile": s.percentile,
                });
                if let Some(d) = &date {
                    o["date"] = serde_json::Value::String(d.clone());
                }
                o
            });
            let Ok(mut data) =
                serde_json::from_str::<serde_json::Value>(&r.get::<String, _>("data"))
            else {
                continue;
            };
            let Some(obj) = data.as_object_mut() else {
                continue;
            };
            if obj.get("epss") == epss.as_ref() {
                continue;
            }
            match epss {
                Some(e) => obj.insert("epss".into(), e),
                None => obj.remove("epss"),
            };
            crate::risk::rescore(&mut data);
            sqlx::query("UPDATE findings SET data = $2, risk_tenths = $3 WHERE id = $1")
                .bind(&id)
                .bind(data.to_string())
                .bind(crate::risk::tenths(&data))
                .execute(&mut **tx)
                .await?;
            updated += 1;
        }
    }
    sqlx::query(
        "INSERT INTO risk_inputs (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(EPSS_APPLIED)
    .bind(&marker)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    if updated > 0 {
        tracing::info!(findings = updated, scores = %marker, "EPSS scores changed: findings refreshed");
    }
    Ok(updated)
}

/// Updates on an interval, forever.
pub async fn periodic(state: AppState, every: Duration) {
    loop {
        if let Err(e) = update(&state, Source::Configured).await {
            tracing::error!(error = format!("{e:#}"), "advisory update failed");
        }
        tokio::time::sleep(every).await;
    }
}
