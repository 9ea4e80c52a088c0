//! Retention: the tables that grow with every upload and event are pruned
//! in the background (docs/server.md, "Retention"): old events with their
//! webhook deliveries and attempts, old uploads, old audit entries and
//! findings fixed long ago with their IDs.
//!
//! Rows go in bounded batches, each its own short write transaction, so
//! that the SQLite writer lock is never held for long and uploads go on
//! between them. What the server still needs is never pruned: events a
//! reader of the queue (the notification dispatcher, a SIEM exporter) has
//! not read yet, the latest upload of each asset, pending deliveries, and
//! fixed findings with a triage decision or an unread event. With several
//! replicas on one PostgreSQL database, one prunes at a time.

use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;
use sqlx::Row;

use crate::db::{now, Backend, Db};
use crate::events::LOOKBACK_SEQ;
use crate::AppState;

/// How long each kind of row is kept; `None` keeps it forever.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Events (the notification and SIEM queue), and webhook deliveries
    /// with their attempts. Default 90 days.
    pub events: Option<Duration>,
    /// Uploads (their records: what answers a retried `Idempotency-Key`
    /// as a duplicate; the latest of each asset is always kept). Default
    /// 180 days.
    pub uploads: Option<Duration>,
    /// Audit log entries. Default 400 days.
    pub audit: Option<Duration>,
    /// Findings fixed this long ago, with their IDs. Default 365 days.
    pub fixed: Option<Duration>,
    /// How often the rows are pruned. Default one hour.
    pub interval: Duration,
    /// Rows deleted per statement. Default 5,000.
    pub batch: usize,
}

/// One day.
const DAY: u64 = 86_400;

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            events: Some(Duration::from_secs(90 * DAY)),
            uploads: Some(Duration::from_secs(180 * DAY)),
            audit: Some(Duration::from_secs(400 * DAY)),
            fixed: Some(Duration::from_secs(365 * DAY)),
            interval: Duration::from_secs(3_600),
            batch: 5_000,
        }
    }
}

/// Rows pruned, per table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// `events`.
    pub events: u64,
    /// `deliveries`.
    pub deliveries: u64,
    /// `delivery_attempts`.
    pub delivery_attempts: u64,
    /// `uploads`.
    pub uploads: u64,
    /// `audit_log`.
    pub audit_log: u64,
    /// `findings` (fixed ones).
    pub findings: u64,
    /// `finding_ids` (of those findings).
    pub finding_ids: u64,
}

impl Pruned {
    /// `(table, rows)` for each table.
    pub fn tables(&self) -> [(&'static str, u64); 7] {
        [
            ("events", self.events),
            ("deliveries", self.deliveries),
            ("delivery_attempts", self.delivery_attempts),
            ("uploads", self.uploads),
            ("audit_log", self.audit_log),
            ("findings", self.findings),
            ("finding_ids", self.finding_ids),
        ]
    }

    /// Rows pruned in all.
    pub fn total(&self) -> u64 {
        self.tables().iter().map(|(_, n)| n).sum()
    }
}

/// The advisory-lock name that keeps two replicas from pruning together.
const LOCK: &str = "vigil-retention";

/// Prunes on the configured interval, forever; the first time a minute
/// after the start (not in the way of a starting server).
pub async fn periodic(state: AppState) {
    tokio::time::sleep(Duration::from_secs(60)).await;
    loop {
        if let Err(e) = run_once(&state).await {
            tracing::error!(error = format!("{e:#}"), "pruning old rows failed");
        }
        tokio::time::sleep(state.config.retention.interval).await;
    }
}

/// Prunes once, as of now. Returns `None` when another replica is pruning
/// (PostgreSQL), else what was pruned; a run that pruned anything is in the
/// audit log as `retention.prune` and in the metrics.
pub async fn run_once(state: &AppState) -> Result<Option<Pruned>> {
    let db = &state.db;
    let lock = match db.backend {
        Backend::Postgres => {
            let mut conn = db.pool.acquire().await?;
            let locked: bool = sqlx::query("SELECT pg_try_advisory_lock($1) AS locked")
                .bind(crate::db::lock_key(LOCK))
                .fetch_one(&mut *conn)
                .await?
                .get("locked");
            if !locked {
                tracing::debug!("another replica is pruning old rows");
                return Ok(None);
            }
            Some(conn)
        }
        Backend::Sqlite => None,
    };
    let result = prune(db, &state.config.retention, now()).await;
    if let Some(mut conn) = lock {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(crate::db::lock_key(LOCK))
            .execute(&mut *conn)
            .await?;
    }
    let pruned = result?;
    for (table, n) in pruned.tables() {
        state.metrics.pruned(table, n);
    }
    if pruned.total() > 0 {
        tracing::info!(
            events = pruned.events,
            deliveries = pruned.deliveries,
            delivery_attempts = pruned.delivery_attempts,
            uploads = pruned.uploads,
            audit_log = pruned.audit_log,
            findings = pruned.findings,
            finding_ids = pruned.finding_ids,
            "old rows pruned"
        );
        crate::auth::audit(
            db,
            "vigil",
            "retention.prune",
            "server",
            serde_json::to_value(pruned).unwrap_or_default(),
        )
        .await;
    }
    Ok(Some(pruned))
}

/// The Unix time `keep` before `now`; `None` when kept forever.
fn cutoff(now: i64, keep: Option<Duration>) -> Option<i64> {
    keep.map(|d| now.saturating_sub(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)))
}

/// Prunes what `settings` lets go as of `now` (Unix seconds), without the
/// replica lock, the audit entry and the metrics of [`run_once`].
pub async fn prune(db: &Db, settings: &Settings, now: i64) -> Result<Pruned> {
    let batch = settings.batch.max(1);
    let mut pruned = Pruned::default();
    // Below this `seq` every reader of the queue has read every event.
    let read = read_by_all(db).await?;
    if let Some(before) = cutoff(now, settings.events) {
        warn_held_back(db, read, before).await?;
        pruned.events = prune_events(db, read, before, batch)
            .await
            .context("pruning old events")?;
        let (d, a) = prune_deliveries(db, before, batch)
            .await
            .context("pruning old webhook deliveries")?;
        pruned.deliveries = d;
        pruned.delivery_attempts = a;
    }
    if let Some(before) = cutoff(now, settings.uploads) {
        pruned.uploads = prune_uploads(db, before, batch)
            .await
            .context("pruning old uploads")?;
    }
    if let Some(before) = cutoff(now, settings.audit) {
        pruned.audit_log = delete_batches(
            db,
            "DELETE FROM audit_log WHERE id IN \
             (SELECT id FROM audit_log WHERE at < $1 LIMIT $2)",
            before,
            batch,
        )
        .await
        .context("pruning old audit entries")?;
    }
    if let Some(before) = cutoff(now, settings.fixed) {
        let (f, i) = prune_fixed(db, read, before, batch)
            .await
            .context("pruning findings fixed long ago")?;
        pruned.findings = f;
        pruned.finding_ids = i;
    }
    Ok(pruned)
}

/// The highest `seq` below which every reader of the event queue is done:
/// a reader reads nothing at or below the larger of its floor and its
/// look-back start (events.rs). `i64::MAX` when there is no reader.
async fn read_by_all(db: &Db) -> Result<i64> {
    let rows = sqlx::query("SELECT floor_seq, high_seq FROM event_cursors")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let floor: i64 = r.get("floor_seq");
            let high: i64 = r.get("high_seq");
            floor.max(high.saturating_sub(LOOKBACK_SEQ))
        })
        .min()
        .unwrap_or(i64::MAX))
}

/// Logs a warning for each reader that keeps events older than the
/// retention (a stuck or removed exporter).
async fn warn_held_back(db: &Db, read: i64, before: i64) -> Result<()> {
    let before_seq = before.saturating_mul(1_000_000);
    if read >= before_seq {
        return Ok(());
    }
    for r in sqlx::query("SELECT consumer, floor_seq, high_seq FROM event_cursors")
        .fetch_all(&db.pool)
        .await?
    {
        let consumer: String = r.get("consumer");
        let floor: i64 = r.get("floor_seq");
        let high: i64 = r.get("high_seq");
        let done = floor.max(high.saturating_sub(LOOKBACK_SEQ));
        if done >= before_seq {
            continue;
        }
        let held: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM events WHERE seq > $1 AND seq <= $2 AND created_at < $3",
        )
        .bind(done)
        .bind(before_seq)
        .bind(before)
        .fetch_one(&db.pool)
        .await?
        .get("n");
        if held > 0 {
            tracing::warn!(
                consumer,
                events = held,
                "events older than the retention are kept: this reader of the event queue has \
                 not read them (a stuck exporter, or one no longer configured: then delete its \
                 row of event_cursors)"
            );
        }
    }
    Ok(())
}

/// Runs a `DELETE … LIMIT $2` statement (`$1`: the cutoff) until it
/// deletes fewer than `batch` rows, each in its own write transaction,
/// yielding between them. Returns the rows deleted.
async fn delete_batches(db: &Db, sql: &str, bound: i64, batch: usize) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin_write(None).await?;
        let n = sqlx::query(sql)
            .bind(bound)
            .bind(batch as i64)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        total += n;
        if n < batch as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

async fn prune_events(db: &Db, read: i64, before: i64, batch: usize) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin_write(None).await?;
        let n = sqlx::query(
            "DELETE FROM events WHERE id IN (SELECT id FROM events \
             WHERE seq <= $1 AND created_at < $2 ORDER BY seq LIMIT $3)",
        )
        .bind(read)
        .bind(before)
        .bind(batch as i64)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        total += n;
        if n < batch as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// Deletes the rows of `table` whose `column` is one of `ids`, 500 at a
/// time, in `tx`.
async fn delete_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    column: &str,
    ids: &[String],
) -> Result<u64> {
    let backend = Backend::of(tx);
    let mut n = 0;
    for chunk in ids.chunks(500) {
        let sql = format!(
            "DELETE FROM {table} WHERE {column} IN ({})",
            backend.params(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        n += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

/// Deliveries made (or given up on) before `before`, with their attempts;
/// pending ones stay. Returns (deliveries, attempts).
async fn prune_deliveries(db: &Db, before: i64, batch: usize) -> Result<(u64, u64)> {
    let (mut deliveries, mut attempts) = (0, 0);
    loop {
        let mut tx = db.begin_write(None).await?;
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM deliveries WHERE created_at < $1 AND status <> 'pending' LIMIT $2",
        )
        .bind(before)
        .bind(batch as i64)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect();
        attempts += delete_in(&mut tx, "delivery_attempts", "delivery_id", &ids).await?;
        deliveries += delete_in(&mut tx, "deliveries", "id", &ids).await?;
        tx.commit().await?;
        if ids.len() < batch {
            return Ok((deliveries, attempts));
        }
        tokio::task::yield_now().await;
    }
}

/// Uploads received before `before`, except the latest of each asset and
/// the one a host's stored snapshot came from.
async fn prune_uploads(db: &Db, before: i64, batch: usize) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin_write(None).await?;
        let n = sqlx::query(
            "DELETE FROM uploads WHERE id IN (SELECT u.id FROM uploads u \
             WHERE u.received_at < $1 \
             AND u.received_at < (SELECT MAX(l.received_at) FROM uploads l WHERE l.asset_id = u.asset_id) \
             AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.last_upload_id = u.id) \
             AND NOT EXISTS (SELECT 1 FROM host_snapshots h WHERE h.upload_id = u.id) \
             LIMIT $2)",
        )
        .bind(before)
        .bind(batch as i64)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        total += n;
        if n < batch as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// Findings fixed before `before`, with their IDs: not those with a triage
/// decision (accepted, false positive), nor those with an event a reader
/// has not read. Returns (findings, IDs).
async fn prune_fixed(db: &Db, read: i64, before: i64, batch: usize) -> Result<(u64, u64)> {
    let (mut findings, mut ids_pruned) = (0, 0);
    loop {
        let mut tx = db.begin_write(None).await?;
        let ids: Vec<String> = sqlx::query(
            "SELECT f.id FROM findings f WHERE f.state = 'fixed' AND f.fixed_at < $1 \
             AND (f.triage IS NULL OR f.triage IN ('suppressed', 'vex')) \
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.seq > $2 AND e.finding_id = f.id) \
             LIMIT $3",
        )
        .bind(before)
        .bind(read)
        .bind(batch as i64)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.get("id"))
        .collect();
        ids_pruned += delete_in(&mut tx, "finding_ids", "finding_id", &ids).await?;
        findings += delete_in(&mut tx, "findings", "id", &ids).await?;
        tx.commit().await?;
        if ids.len() < batch {
            return Ok((findings, ids_pruned));
        }
        tokio::task::yield_now().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_and_totals() {
        assert_eq!(cutoff(1_000_000, None), None);
        assert_eq!(
            cutoff(1_000_000, Some(Duration::from_secs(DAY))),
            Some(1_000_000 - 86_400)
        );
        let p = Pruned {
            events: 2,
            finding_ids: 3,
            ..Pruned::default()
        };
        assert_eq!(p.total(), 5);
    }
}
