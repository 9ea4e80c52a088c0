//! The database: SQLite in the data directory by default, PostgreSQL for
//! production and for several replicas. One schema and one set of
//! statements serve both (sqlx's `Any` driver; `$1` placeholders, which
//! both accept).

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// The migrations, in order: `(version, name, SQL)`. Applied once each, in
/// a transaction, and recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (2, "events", include_str!("../migrations/0002_events.sql")),
    (
        3,
        "notifications",
        include_str!("../migrations/0003_notifications.sql"),
    ),
    (4, "vex", include_str!("../migrations/0004_vex.sql")),
    (5, "risk", include_str!("../migrations/0005_risk.sql")),
];

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A connection pool and what it connects to.
#[derive(Debug, Clone)]
pub struct Db {
    /// The pool.
    pub pool: AnyPool,
    /// The backend.
    pub backend: Backend,
    /// SQLite allows one writer: write transactions take this first, so
    /// that two never start as readers and then fail to become writers.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction, with what keeps writers apart while it lives.
pub struct WriteTx<'a> {
    /// The transaction.
    pub tx: sqlx::Transaction<'a, sqlx::Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl<'a> std::ops::Deref for WriteTx<'a> {
    type Target = sqlx::Transaction<'a, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx<'_> {
    /// Commits.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Db {
    /// Opens the SQLite database `server.db` in `data_dir` (created when
    /// missing) or connects to `database_url`, then migrates the schema.
    pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                (url.to_string(), Backend::Postgres)
            }
            Some(url) if url.starts_with("sqlite:") => (url.to_string(), Backend::Sqlite),
            Some(url) => bail!(
                "unsupported --database-url {:?}: give postgres://… (or sqlite:…)",
                redact_url(url)
            ),
            None => {
                fs_err::create_dir_all(data_dir).with_context(|| {
                    format!("creating the data directory {}", data_dir.display())
                })?;
                let path = data_dir.join("server.db");
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Backend::Sqlite,
                )
            }
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers go on during a write; FULL makes a
                    // committed upload survive a crash or power loss before
                    // it is acknowledged.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 30000",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::Executor::execute(&mut *conn, pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&url)
            .await
            .with_context(|| format!("connecting to the database {}", redact_url(&url)))?;
        let db = Db {
            pool,
            backend,
            writer: std::sync::Arc::default(),
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the migrations not applied yet. On PostgreSQL an advisory
    /// lock keeps two replicas starting together from migrating twice.
    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock(7201001)")
                .execute(&mut *conn)
                .await?;
        }
        let result = async {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .execute(&mut *conn)
            .await?;
            let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.get::<i64, _>(0))
                .collect();
            if let Some(newest) = applied.iter().max() {
                let known = MIGRATIONS.last().map_or(0, |m| m.0);
                if *newest > known {
                    bail!(
                        "the database schema (version {newest}) is newer than this vigil \
                         (version {known}); upgrade vigil"
                    );
                }
            }
            for (version, name, sql) in MIGRATIONS {
                if applied.contains(version) {
                    continue;
                }
                tracing::info!(version, name, "applying migration");
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::raw_sql(sql)
                    .execute(&mut *tx)
                    .await
                    .with_context(|| format!("migration {version} ({name})"))?;
                if *version == 5 {
                    backfill_risk(&mut tx)
                        .await
                        .context("migration 5 (risk): filling risk_tenths")?;
                }
                sqlx::query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                )
                .bind(*version)
                .bind(*name)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            Ok(())
        }
        .await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(7201001)")
                .execute(&mut *conn)
                .await?;
        }
        result
    }

    /// Starts a write transaction. On SQLite, one at a time in this
    /// process; on PostgreSQL, `key` (an asset ID) is locked until the
    /// transaction ends, so that two replicas never update one asset's
    /// inventory and findings at once.
    pub async fn begin_write(&self, key: Option<&str>) -> Result<WriteTx<'_>> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        if let (Backend::Postgres, Some(key)) = (self.backend, key) {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock_key(key))
                .execute(&mut *tx)
                .await?;
        }
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }
}

/// Fills `risk_tenths` of the findings stored before it existed, from the
/// `risk.score` of their stored JSON, a page at a time (the statements
/// that could read JSON differ between the databases).
async fn backfill_risk(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<()> {
    let mut after = String::new();
    let mut filled = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT id, data FROM findings WHERE kind = 'vulnerability' AND id > $1 \
             ORDER BY id LIMIT 1000",
        )
        .bind(&after)
        .fetch_all(&mut **tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        for r in &rows {
            let data: serde_json::Value =
                serde_json::from_str(&r.get::<String, _>("data")).unwrap_or_default();
            if let Some(t) = crate::risk::tenths(&data) {
                sqlx::query("UPDATE findings SET risk_tenths = $2 WHERE id = $1")
                    .bind(r.get::<String, _>("id"))
                    .bind(t)
                    .execute(&mut **tx)
                    .await?;
                filled += 1;
            }
        }
    }
    if filled > 0 {
        tracing::info!(findings = filled, "risk scores of stored findings indexed");
    }
    Ok(())
}

impl Backend {
    /// The backend of a connection of the pool.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// `n` placeholders, comma-separated, for a statement whose parameters
    /// are all in this list, in order: `$1,$2,…` on PostgreSQL, `?,?,…` on
    /// SQLite. (SQLite finds a numbered parameter's name by walking the
    /// list of all names, so that binding numbered parameters takes time
    /// quadratic in their number: half the time of a 900-parameter insert.
    /// Anonymous ones have no name to look up.)
    pub fn params(self, n: usize) -> String {
        match self {
            Backend::Sqlite => vec!["?"; n].join(","),
            Backend::Postgres => (1..=n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A 64-bit advisory-lock key for a name.
pub fn lock_key(name: &str) -> i64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(name.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_be_bytes(b)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A text column that may be NULL.
pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Option<String> {
    row.try_get::<Option<String>, _>(col).ok().flatten()
}

/// An integer column that may be NULL.
pub(crate) fn opt_int(row: &AnyRow, col: &str) -> Option<i64> {
    row.try_get::<Option<i64>, _>(col).ok().flatten()
}

/// A random identifier: 32 hex digits from the operating system's CSPRNG.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator only fails on a broken system; a time-derived
    // fallback would be predictable, so fail loudly instead.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact_url("postgres://vigil:s3cret@127.0.0.1:5432/vigil"),
            "postgres://vigil:***@127.0.0.1:5432/vigil"
        );
        assert_eq!(
            redact_url("postgres://127.0.0.1/vigil"),
            "postgres://127.0.0.1/vigil"
        );
    }

    #[test]
    fn parameter_lists_per_backend() {
        assert_eq!(Backend::Postgres.params(3), "$1,$2,$3");
        assert_eq!(Backend::Sqlite.params(3), "?,?,?");
    }

    #[test]
    fn random_ids_are_distinct_hex() {
        let a = random_id();
        let b = random_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
