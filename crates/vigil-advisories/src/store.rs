//! The embedded advisory store: one SQLite file in the cache directory.
//!
//! Records keep their full OSV JSON, indexed by (ecosystem, normalized
//! package name). Every import runs in one transaction, so a crash or a
//! failed download in the middle leaves the previous database as it was.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};
use tracing::{debug, info};
use vigil_model::{Diagnostic, Ecosystem};

use crate::epss::{EpssInfo, EpssScore, EpssScores};
use crate::error::{Error, Result};
use crate::kev::KevCatalog;
use crate::osv::Vulnerability;
use crate::source::ParsedRecord;
use crate::AdvisorySet;

/// Above this many distinct packages, `load_for` reads the whole index of
/// their ecosystems once instead of querying package by package.
const BULK_LOOKUP_ABOVE: usize = 2_000;

/// The schema version this build writes.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    hash BLOB NOT NULL,
    json BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    ecosystem_full TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_package ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_id ON affected (id);
CREATE TABLE IF NOT EXISTS kev (
    cve TEXT PRIMARY KEY,
    date_added TEXT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    name TEXT NOT NULL,
    ransomware TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS epss (
    cve TEXT PRIMARY KEY,
    probability REAL NOT NULL,
    percentile REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    ecosystem TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
";

/// The key under which the KEV catalogue's update is recorded in `sources`.
pub const KEV_SOURCE_KEY: &str = "KEV";
/// The key under which the EPSS scores' update is recorded in `sources`.
pub const EPSS_SOURCE_KEY: &str = "EPSS";

/// One batch of records to import.
#[derive(Debug)]
pub(crate) struct ImportBatch {
    pub(crate) records: Vec<ParsedRecord>,
    pub(crate) kev: Option<KevCatalog>,
    /// EPSS scores: they replace the stored ones whole.
    pub(crate) epss: Option<EpssScores>,
    /// Where the records came from (a path or URL), shown by `db status`.
    pub(crate) source: String,
    /// The origin key stored with each record.
    pub(crate) origin: String,
    /// When set, records of this origin that are not in the batch are
    /// removed: the batch is the whole current content of that origin.
    pub(crate) authoritative: bool,
}

/// What an import changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportStats {
    /// Records new to the store.
    pub added: usize,
    /// Records whose content changed.
    pub updated: usize,
    /// Records already stored with the same content.
    pub unchanged: usize,
    /// Records removed because their source no longer has them.
    pub removed: usize,
    /// KEV entries stored, when a catalogue was imported.
    pub kev: Option<usize>,
    /// EPSS scores stored, when scores were imported.
    pub epss: Option<usize>,
    /// Records or files that could not be read.
    pub diagnostics: Vec<Diagnostic>,
}

impl ImportStats {
    /// Adds another import's figures to these.
    pub fn merge(&mut self, other: ImportStats) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        if other.kev.is_some() {
            self.kev = other.kev;
        }
        if other.epss.is_some() {
            self.epss = other.epss;
        }
        self.diagnostics.extend(other.diagnostics);
    }
}

/// One line of `db status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    /// The ecosystem (or `KEV`, `EPSS`).
    pub name: String,
    /// How many records it has.
    pub records: u64,
    /// When it was last updated successfully (Unix seconds).
    pub updated_at: Option<i64>,
    /// Where that update came from.
    pub source: Option<String>,
}

/// The open advisory store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let store_err = |source| Error::Store {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(store_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(store_err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(store_err)?;
        conn.execute_batch(SCHEMA).map_err(store_err)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(store_err)?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(Error::SchemaTooNew {
                    path: path.to_path_buf(),
                    found: v,
                    supported: SCHEMA_VERSION,
                })
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )
                .map_err(store_err)?;
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens the store only if it exists and holds at least one record or
    /// a KEV catalogue.
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        if !path.is_file() {
            return Ok(None);
        }
        let store = Store::open(path)?;
        if store.is_empty()? {
            return Ok(None);
        }
        Ok(Some(store))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Whether the store has no record, no KEV entry and no EPSS score.
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM records) + EXISTS (SELECT 1 FROM kev) \
                 + EXISTS (SELECT 1 FROM epss)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 0)
    }

    /// Imports a batch in one transaction.
    pub(crate) fn import(&mut self, batch: ImportBatch, now: i64) -> Result<ImportStats> {
        let path = self.path.clone();
        let err = |source| Error::Store {
            path: path.clone(),
            source,
        };
        let mut stats = ImportStats::default();
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut existing: HashMap<String, (Vec<u8>, String)> = HashMap::new();
            {
                let mut stmt = tx
                    .prepare("SELECT id, hash, origin FROM records")
                    .map_err(err)?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            (r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?),
                        ))
                    })
                    .map_err(err)?;
                for row in rows {
                    let (id, v) = row.map_err(err)?;
                    existing.insert(id, v);
                }
            }
            // The last copy of an ID in a batch wins.
            let mut by_id: HashMap<&str, &ParsedRecord> =
                HashMap::with_capacity(batch.records.len());
            for r in &batch.records {
                by_id.insert(r.id.as_str(), r);
            }
            let mut ids: Vec<&str> = by_id.keys().copied().collect();
            ids.sort_unstable();
            let mut ecosystems: HashSet<&str> = HashSet::new();
            {
                let mut put = tx
                    .prepare(
                        "INSERT OR REPLACE INTO records (id, origin, modified, withdrawn, hash, json) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .map_err(err)?;
                let mut clear = tx
                    .prepare("DELETE FROM affected WHERE id = ?1")
                    .map_err(err)?;
                let mut index = tx
                    .prepare("INSERT INTO affected (id, ecosystem, ecosystem_full, name) VALUES (?1, ?2, ?3, ?4)")
                    .map_err(err)?;
                let mut set_origin = tx
                    .prepare("UPDATE records SET origin = ?2 WHERE id = ?1")
                    .map_err(err)?;
                for id in &ids {
                    let r = by_id[id];
                    for (eco, _, _) in &r.packages {
                        ecosystems.insert(eco.osv_name());
                    }
                    match existing.get(*id) {
                        Some((hash, origin)) if *hash == r.hash => {
                            stats.unchanged += 1;
                            if *origin != batch.origin {
                                set_origin.execute(params![id, batch.origin]).map_err(err)?;
                            }
                            continue;
                        }
                        Some(_) => stats.updated += 1,
                        None => stats.added += 1,
                    }
                    put.execute(params![
                        id,
                        batch.origin,
                        r.modified,
                        r.withdrawn as i64,
                        r.hash,
                        r.json
                    ])
                    .map_err(err)?;
                    clear.execute([id]).map_err(err)?;
                    for (eco, full, name) in &r.packages {
                        index
                            .execute(params![id, eco.osv_name(), full, name])
                            .map_err(err)?;
                    }
                }
            }
            if batch.authoritative {
                let mut gone: Vec<&String> = existing
                    .iter()
                    .filter(|(id, (_, origin))| {
                        *origin == batch.origin && !by_id.contains_key(id.as_str())
                    })
                    .map(|(id, _)| id)
                    .collect();
                gone.sort();
                let mut del = tx
                    .prepare("DELETE FROM records WHERE id = ?1")
                    .map_err(err)?;
                let mut clear = tx
                    .prepare("DELETE FROM affected WHERE id = ?1")
                    .map_err(err)?;
                for id in gone {
                    del.execute([id]).map_err(err)?;
                    clear.execute([id]).map_err(err)?;
                    stats.removed += 1;
                }
            }
            let mut src = tx
                .prepare("INSERT OR REPLACE INTO sources (ecosystem, source, updated_at) VALUES (?1, ?2, ?3)")
                .map_err(err)?;
            let mut ecosystems: Vec<&str> = ecosystems.into_iter().collect();
            ecosystems.sort_unstable();
            for eco in ecosystems {
                src.execute(params![eco, batch.source, now]).map_err(err)?;
            }
            if let Some(kev) = &batch.kev {
                tx.execute("DELETE FROM kev", []).map_err(err)?;
                let mut put = tx
                    .prepare(
                        "INSERT OR REPLACE INTO kev (cve, date_added, vendor, product, name, ransomware) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .map_err(err)?;
                for e in &kev.vulnerabilities {
                    put.execute(params![
                        e.cve_id.trim(),
                        e.date_added,
                        e.vendor_project,
                        e.product,
                        e.vulnerability_name,
                        e.known_ransomware_campaign_use
                    ])
                    .map_err(err)?;
                }
                src.execute(params![KEV_SOURCE_KEY, batch.source, now])
                    .map_err(err)?;
                stats.kev = Some(kev.vulnerabilities.len());
            }
            if let Some(epss) = &batch.epss {
                stats.epss = Some(write_epss(&tx, epss).map_err(err)?);
                src.execute(params![EPSS_SOURCE_KEY, batch.source, now])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        info!(
            added = stats.added,
            updated = stats.updated,
            unchanged = stats.unchanged,
            removed = stats.removed,
            source = %batch.source,
            "imported advisories"
        );
        Ok(stats)
    }

    /// The status of every ecosystem with records, and of the KEV catalogue.
    pub fn status(&self) -> Result<Vec<SourceStatus>> {
        let mut counts: HashMap<String, u64> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT ecosystem, COUNT(DISTINCT id) FROM affected GROUP BY ecosystem")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (eco, n) = row.map_err(|e| self.err(e))?;
                counts.insert(eco, n as u64);
            }
        }
        let kev_count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM kev", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if kev_count > 0 {
            counts.insert(KEV_SOURCE_KEY.to_string(), kev_count as u64);
        }
        let epss_count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM epss", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if epss_count > 0 {
            counts.insert(EPSS_SOURCE_KEY.to_string(), epss_count as u64);
        }
        let mut sources: HashMap<String, (i64, String)> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT ecosystem, source, updated_at FROM sources")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (eco, source, at) = row.map_err(|e| self.err(e))?;
                sources.insert(eco, (at, source));
            }
        }
        let mut names: Vec<String> = counts.keys().chain(sources.keys()).cloned().collect();
        names.sort_by_key(|n| {
            (
                n == KEV_SOURCE_KEY || n == EPSS_SOURCE_KEY,
                n == EPSS_SOURCE_KEY,
                n.to_lowercase(),
            )
        });
        names.dedup();
        Ok(names
            .into_iter()
            .map(|name| {
                let src = sources.get(&name);
                SourceStatus {
                    records: counts.get(&name).copied().unwrap_or(0),
                    updated_at: src.map(|s| s.0),
                    source: src.map(|s| s.1.clone()),
                    name,
                }
            })
            .collect())
    }

    /// When any source was last updated successfully (Unix seconds).
    pub fn last_update(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT MAX(updated_at) FROM sources", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The conditional-request validators last seen for a URL.
    pub(crate) fn http_validators(&self, url: &str) -> Result<(Option<String>, Option<String>)> {
        Ok(self
            .conn
            .query_row(
                "SELECT etag, last_modified FROM http_cache WHERE url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .unwrap_or((None, None)))
    }

    /// Remembers a URL's validators after a successful import of it.
    pub(crate) fn set_http_validators(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO http_cache (url, etag, last_modified) VALUES (?1, ?2, ?3)",
                params![url, etag, last_modified],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records a successful check of a source that brought nothing new.
    pub(crate) fn touch_source(&self, ecosystem: &str, source: &str, now: i64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sources (ecosystem, source, updated_at) VALUES (?1, ?2, ?3)",
                params![ecosystem, source, now],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// One record by ID.
    pub fn record(&self, id: &str) -> Result<Option<Vulnerability>> {
        let json: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT json FROM records WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| {
            serde_json::from_slice(&j).map_err(|e| Error::Input {
                name: format!("{}: record {id}", self.path.display()),
                message: e.to_string(),
            })
        })
        .transpose()
    }

    /// Loads the advisories (not withdrawn) of the given packages, and the
    /// KEV catalogue, into memory for matching. Names are normalized here.
    ///
    /// The records carry what matching reads: no references, no
    /// `ecosystem_specific` but the affected functions, and only the first
    /// line of `details` (use
    /// [`Store::record`] for a whole record).
    pub fn load_for<'a>(
        &self,
        packages: impl IntoIterator<Item = (Ecosystem, &'a str)>,
    ) -> Result<AdvisorySet> {
        let mut wanted: Vec<(Ecosystem, String)> = packages
            .into_iter()
            .map(|(e, n)| (e, e.normalize_name(n)))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut ids_by_package: HashMap<(Ecosystem, String), Vec<String>> = HashMap::new();
        let mut all_ids: HashSet<String> = HashSet::new();
        if wanted.len() > BULK_LOOKUP_ABOVE {
            // Many packages: one pass over the index of their ecosystems is
            // far cheaper than a query per package.
            let wanted: HashSet<(Ecosystem, String)> = wanted.into_iter().collect();
            let mut ecosystems: Vec<Ecosystem> = wanted.iter().map(|(e, _)| *e).collect();
            ecosystems.sort();
            ecosystems.dedup();
            let mut stmt = self
                .conn
                .prepare_cached("SELECT DISTINCT id, name FROM affected WHERE ecosystem = ?1")
                .map_err(|e| self.err(e))?;
            for eco in ecosystems {
                let rows = stmt
                    .query_map([eco.osv_name()], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    let (id, name) = row.map_err(|e| self.err(e))?;
                    let key = (eco, name);
                    if wanted.contains(&key) {
                        all_ids.insert(id.clone());
                        ids_by_package.entry(key).or_default().push(id);
                    }
                }
            }
        } else {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT DISTINCT id FROM affected WHERE ecosystem = ?1 AND name = ?2",
                )
                .map_err(|e| self.err(e))?;
            for (eco, name) in wanted {
                let ids: Vec<String> = stmt
                    .query_map(params![eco.osv_name(), name], |r| r.get(0))
                    .map_err(|e| self.err(e))?
                    .collect::<Result<_, _>>()
                    .map_err(|e| self.err(e))?;
                if !ids.is_empty() {
                    all_ids.extend(ids.iter().cloned());
                    ids_by_package.insert((eco, name), ids);
                }
            }
        }
        // Each list is sorted on its own: no map order leaks out.
        ids_by_package.values_mut().for_each(|ids| {
            ids.sort();
            ids.dedup();
        });
        let mut blobs: Vec<(String, Vec<u8>)> = Vec::with_capacity(all_ids.len());
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT json FROM records WHERE id = ?1 AND withdrawn = 0")
                .map_err(|e| self.err(e))?;
            let mut ids: Vec<String> = all_ids.into_iter().collect();
            ids.sort();
            for id in ids {
                let json: Option<Vec<u8>> = stmt
                    .query_row([&id], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.err(e))?;
                if let Some(j) = json {
                    blobs.push((id, j));
                }
            }
        }
        let parsed: Vec<(String, Option<Arc<Vulnerability>>)> = blobs
            .into_par_iter()
            .map(|(id, j)| {
                let v = serde_json::from_slice::<crate::osv::MatchView>(&j)
                    .ok()
                    .map(|m| Arc::new(Vulnerability::from(m)));
                (id, v)
            })
            .collect();
        let records: HashMap<String, Arc<Vulnerability>> = parsed
            .into_iter()
            .filter_map(|(id, v)| v.map(|v| (id, v)))
            .collect();
        let mut set = AdvisorySet::default();
        let mut ids_by_package: Vec<((Ecosystem, String), Vec<String>)> =
            ids_by_package.into_iter().collect();
        ids_by_package.sort();
        for (key, ids) in ids_by_package {
            let list: Vec<Arc<Vulnerability>> = ids
                .iter()
                .filter_map(|id| records.get(id).cloned())
                .collect();
            if !list.is_empty() {
                set.insert(key.0, &key.1, list);
            }
        }
        set.set_kev(self.kev_ids()?);
        debug!(records = records.len(), "loaded advisories for matching");
        Ok(set)
    }

    /// Every record's ID and content hash (hex), withdrawn ones included:
    /// what a server compares with what it matched last time to find the
    /// records that are new or changed.
    pub fn content_hashes(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, hash FROM records ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, hex::encode(r.get::<_, Vec<u8>>(1)?)))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The packages (ecosystem, normalized name) the given records name,
    /// sorted, each once. Unknown IDs name none.
    pub fn packages_of(&self, ids: &[String]) -> Result<Vec<(Ecosystem, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ecosystem, name FROM affected WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (eco, name) = row.map_err(|e| self.err(e))?;
                if let Ok(eco) = eco.parse::<Ecosystem>() {
                    out.push((eco, name));
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The EPSS scores of the given CVE IDs (others are left out; IDs that
    /// are not CVEs are not looked up): one indexed lookup each, so a scan
    /// reads only what its findings need.
    pub fn epss_for<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashMap<String, EpssScore>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT probability, percentile FROM epss WHERE cve = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for id in ids {
            if !crate::epss::is_cve(id) || out.contains_key(id) {
                continue;
            }
            let score = stmt
                .query_row([id.to_ascii_uppercase()], |r| {
                    Ok(EpssScore {
                        probability: r.get(0)?,
                        percentile: r.get(1)?,
                    })
                })
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(s) = score {
                out.insert(id.to_string(), s);
            }
        }
        Ok(out)
    }

    /// Gives each vulnerability finding the EPSS figures of its CVEs (its
    /// ID and aliases; the highest probability when it has several),
    /// looking up only those CVEs. Nothing changes when no scores were
    /// imported.
    pub fn apply_epss(&self, findings: &mut [vigil_model::Finding]) -> Result<()> {
        let Some(info) = self.epss_info()? else {
            return Ok(());
        };
        let ids_of = |f: &vigil_model::Finding| -> Vec<String> {
            std::iter::once(&f.id)
                .chain(&f.aliases)
                .filter(|id| crate::epss::is_cve(id))
                .cloned()
                .collect()
        };
        let is_vuln =
            |f: &&mut vigil_model::Finding| f.kind == vigil_model::FindingKind::Vulnerability;
        let wanted: Vec<String> = findings
            .iter_mut()
            .filter(is_vuln)
            .flat_map(|f| ids_of(f))
            .collect();
        let scores = self.epss_for(wanted.iter().map(String::as_str))?;
        let date = info
            .score_date
            .as_deref()
            .and_then(|d| d.get(..10))
            .map(str::to_string);
        for f in findings.iter_mut().filter(is_vuln) {
            let best = ids_of(f)
                .iter()
                .filter_map(|id| scores.get(id))
                .max_by(|a, b| a.probability.total_cmp(&b.probability))
                .copied();
            f.epss = best.map(|s| vigil_model::Epss {
                probability: s.probability,
                percentile: s.percentile,
                date: date.clone(),
            });
        }
        debug!(cves = wanted.len(), scored = scores.len(), "EPSS applied");
        Ok(())
    }

    /// What the last EPSS import brought: its model version, score date and
    /// size; `None` when none was imported.
    pub fn epss_info(&self) -> Result<Option<EpssInfo>> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM epss", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if count == 0 {
            return Ok(None);
        }
        let meta = |key: &str| -> Result<Option<String>> {
            self.conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))
        };
        Ok(Some(EpssInfo {
            model_version: meta(EPSS_MODEL_KEY)?,
            score_date: meta(EPSS_DATE_KEY)?,
            count: count as u64,
        }))
    }

    /// Every CVE ID in the KEV catalogue.
    pub fn kev_ids(&self) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT cve FROM kev")
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<HashSet<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }
}

/// The `meta` keys of the EPSS import's model version and score date.
const EPSS_MODEL_KEY: &str = "epss_model_version";
const EPSS_DATE_KEY: &str = "epss_score_date";

/// Replaces the stored EPSS scores with `epss` (within the caller's
/// transaction), one prepared insert per row; a CVE listed twice keeps
/// its last row. Returns how many CVEs are stored.
fn write_epss(tx: &rusqlite::Transaction<'_>, epss: &EpssScores) -> rusqlite::Result<usize> {
    tx.execute("DELETE FROM epss", [])?;
    {
        let mut put = tx.prepare(
            "INSERT OR REPLACE INTO epss (cve, probability, percentile) VALUES (?1, ?2, ?3)",
        )?;
        for (cve, s) in &epss.scores {
            put.execute(params![cve, s.probability, s.percentile])?;
        }
    }
    for (key, value) in [
        (EPSS_MODEL_KEY, &epss.model_version),
        (EPSS_DATE_KEY, &epss.score_date),
    ] {
        match value {
            Some(v) => tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, v],
            )?,
            None => tx.execute("DELETE FROM meta WHERE key = ?1", [key])?,
        };
    }
    tx.query_row("SELECT COUNT(*) FROM epss", [], |r| r.get::<_, i64>(0))
        .map(|n| n as usize)
}
