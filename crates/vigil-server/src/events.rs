//! Readers of the event queue (`events`): the notification dispatcher and
//! each SIEM exporter read every event once, in `seq` order, with their
//! progress in the database so that a restart neither loses nor repeats
//! one.
//!
//! An event's `seq` is taken when its transaction writes it, so an upload
//! that commits late can add an event below one already read. A reader
//! therefore remembers which events it handled within a look-back window
//! below the highest `seq` it read (`event_progress`), and reads any
//! unhandled event in that window.
//!
//! With several servers on one PostgreSQL database, a reader claims its
//! cursor row with `FOR UPDATE SKIP LOCKED` for the whole batch: another
//! server's reader of the same name skips the batch rather than handling
//! it twice. On SQLite (one server process) a batch is read without a
//! lock and its progress written in one transaction at the end.

use anyhow::{Context, Result};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::{now, Backend, Db};

/// How far below the highest `seq` read a reader looks for events
/// committed late: one hour (in microseconds, the unit of `seq`).
pub const LOOKBACK_SEQ: i64 = 3_600 * 1_000_000;

/// One event: a finding became new, was reopened or was fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its ID.
    pub id: String,
    /// Its order (microseconds since the epoch when it was written).
    pub seq: i64,
    /// When (Unix seconds).
    pub created_at: i64,
    /// `finding.new`, `finding.reopened` or `finding.fixed`.
    pub kind: String,
    /// The finding.
    pub finding_id: String,
    /// The finding's asset.
    pub asset_id: String,
}

impl Event {
    fn from_row(r: &AnyRow) -> Event {
        Event {
            id: r.get("id"),
            seq: r.get("seq"),
            created_at: r.get("created_at"),
            kind: r.get("kind"),
            finding_id: r.get("finding_id"),
            asset_id: r.get("asset_id"),
        }
    }
}

/// Creates the reader's cursor when it has none: a new reader starts with
/// the events written from now on.
pub async fn register(db: &Db, consumer: &str) -> Result<()> {
    let newest: Option<i64> = sqlx::query("SELECT MAX(seq) AS m FROM events")
        .fetch_one(&db.pool)
        .await?
        .try_get::<Option<i64>, _>("m")
        .ok()
        .flatten();
    let floor = newest.unwrap_or(0);
    sqlx::query(
        "INSERT INTO event_cursors (consumer, floor_seq, high_seq, updated_at) \
         VALUES ($1, $2, $2, $3) ON CONFLICT (consumer) DO NOTHING",
    )
    .bind(consumer)
    .bind(floor)
    .bind(now())
    .execute(&db.pool)
    .await
    .with_context(|| format!("creating the event cursor of {consumer}"))?;
    Ok(())
}

/// A batch of events claimed by one reader; [`Batch::commit`] records
/// which were handled. Dropping it handles none.
pub struct Batch {
    consumer: String,
    high_seq: i64,
    /// The events, oldest first.
    pub events: Vec<Event>,
    tx: Option<Transaction<'static, Any>>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("consumer", &self.consumer)
            .field("events", &self.events.len())
            .finish()
    }
}

/// The next events the reader has not handled (at most `limit`); `None`
/// when another server holds the reader's cursor (PostgreSQL) or the
/// reader is not registered.
pub async fn claim(db: &Db, consumer: &str, limit: i64) -> Result<Option<Batch>> {
    let mut tx = db.pool.begin().await?;
    let lock = if db.backend == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let Some(cursor) = sqlx::query(&format!(
        "SELECT floor_seq, high_seq FROM event_cursors WHERE consumer = $1{lock}"
    ))
    .bind(consumer)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let floor: i64 = cursor.get("floor_seq");
    let high: i64 = cursor.get("high_seq");
    let from = floor.max(high.saturating_sub(LOOKBACK_SEQ));
    let events = sqlx::query(
        "SELECT e.id, e.seq, e.created_at, e.kind, e.finding_id, e.asset_id FROM events e \
         WHERE e.seq > $2 AND NOT EXISTS (SELECT 1 FROM event_progress p \
         WHERE p.consumer = $1 AND p.event_id = e.id) ORDER BY e.seq, e.id LIMIT $3",
    )
    .bind(consumer)
    .bind(from)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(Event::from_row)
    .collect();
    let tx = if db.backend == Backend::Postgres {
        Some(tx)
    } else {
        // SQLite: one process, one reader of each name; a read
        // transaction held while the events are sent would only make the
        // progress write below fail when an upload commits meanwhile.
        tx.rollback().await?;
        None
    };
    Ok(Some(Batch {
        consumer: consumer.to_string(),
        high_seq: high,
        events,
        tx,
    }))
}

impl Batch {
    /// The transaction the batch's progress is written in: on PostgreSQL
    /// the one holding the cursor, on SQLite a new one. Writes made with
    /// it (deliveries to make) commit with the progress.
    pub async fn tx(&mut self, db: &Db) -> Result<&mut Transaction<'static, Any>> {
        if self.tx.is_none() {
            self.tx = Some(db.pool.begin().await?);
        }
        self.tx.as_mut().context("the batch's transaction is gone")
    }

    /// Records the first `handled` events as handled and commits.
    pub async fn commit(mut self, db: &Db, handled: usize) -> Result<()> {
        let done: Vec<Event> = self.events.iter().take(handled).cloned().collect();
        let consumer = self.consumer.clone();
        let mut high = self.high_seq;
        let tx = self.tx(db).await?;
        for e in &done {
            sqlx::query(
                "INSERT INTO event_progress (consumer, event_id, seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (consumer, event_id) DO NOTHING",
            )
            .bind(&consumer)
            .bind(&e.id)
            .bind(e.seq)
            .execute(&mut **tx)
            .await?;
            high = high.max(e.seq);
        }
        sqlx::query(
            "UPDATE event_cursors SET high_seq = $2, updated_at = $3 WHERE consumer = $1 AND high_seq <= $2",
        )
        .bind(&consumer)
        .bind(high)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM event_progress WHERE consumer = $1 AND seq <= $2")
            .bind(&consumer)
            .bind(high.saturating_sub(LOOKBACK_SEQ))
            .execute(&mut **tx)
            .await?;
        if let Some(tx) = self.tx.take() {
            tx.commit()
                .await
                .with_context(|| format!("recording the progress of {consumer}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn add(db: &Db, id: &str, seq: i64) {
        sqlx::query(
            "INSERT INTO events (id, seq, created_at, kind, finding_id, asset_id) \
             VALUES ($1, $2, 0, 'finding.new', 'f', 'a')",
        )
        .bind(id)
        .bind(seq)
        .execute(&db.pool)
        .await
        .unwrap();
    }

    async fn read(db: &Db, consumer: &str) -> Vec<String> {
        let batch = claim(db, consumer, 100).await.unwrap().unwrap();
        let ids = batch.events.iter().map(|e| e.id.clone()).collect();
        let n = batch.events.len();
        batch.commit(db, n).await.unwrap();
        ids
    }

    #[tokio::test]
    async fn each_event_is_read_once_even_when_committed_late() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), None).await.unwrap();
        let base = 1_800_000_000_000_000;
        add(&db, "before", base).await;
        register(&db, "r").await.unwrap();
        assert!(
            claim(&db, "other", 10).await.unwrap().is_none(),
            "not registered"
        );
        assert!(read(&db, "r").await.is_empty(), "a new reader starts now");
        add(&db, "e2", base + 20).await;
        add(&db, "e1", base + 10).await;
        assert_eq!(read(&db, "r").await, ["e1", "e2"]);
        assert!(read(&db, "r").await.is_empty());
        // Written with a lower seq after e2 was read (a late commit).
        add(&db, "late", base + 15).await;
        add(&db, "e3", base + 30).await;
        // A batch not committed is read again; one partly committed,
        // from where it stopped.
        let batch = claim(&db, "r", 100).await.unwrap().unwrap();
        assert_eq!(batch.events.len(), 2);
        drop(batch);
        let batch = claim(&db, "r", 100).await.unwrap().unwrap();
        batch.commit(&db, 1).await.unwrap();
        assert_eq!(read(&db, "r").await, ["e3"]);
        // A second reader has its own cursor.
        register(&db, "s").await.unwrap();
        add(&db, "e4", base + 40).await;
        assert_eq!(read(&db, "s").await, ["e4"]);
        assert_eq!(read(&db, "r").await, ["e4"]);
        // Progress older than the look-back window is forgotten, and
        // events that old are not read again.
        add(&db, "far", base + LOOKBACK_SEQ + 100).await;
        assert_eq!(read(&db, "r").await, ["far"]);
        let kept: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM event_progress WHERE consumer = 'r'")
                .fetch_one(&db.pool)
                .await
                .unwrap()
                .get("n");
        assert_eq!(kept, 1);
        assert!(read(&db, "r").await.is_empty());
    }
}
