//! `vigil db ...`: the advisory database.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vigil_advisories::{format_time, EcosystemOutcome, Store, UpdateOptions, UpdateReport};
use vigil_model::Ecosystem;

use crate::cli::{DbCommand, GlobalArgs};
use crate::{note, warn_user, Outcome};

/// A database older than this gives a warning on scan.
pub(crate) const STALE_AFTER_SECS: i64 = 7 * 24 * 3600;

/// vigil's cache directory: `--cache-dir`, else the platform's.
pub(crate) fn cache_dir(global: &GlobalArgs) -> Result<PathBuf> {
    match &global.cache_dir {
        Some(d) => Ok(d.clone()),
        None => dirs::cache_dir().map(|d| d.join("vigil")).context(
            "no cache directory on this platform; give one with --cache-dir or VIGIL_CACHE_DIR",
        ),
    }
}

/// The database file under the cache directory.
pub(crate) fn db_path(global: &GlobalArgs) -> Result<PathBuf> {
    Ok(cache_dir(global)?.join("advisories.db"))
}

pub(crate) fn run(global: &GlobalArgs, cmd: &DbCommand) -> Result<Outcome> {
    let path = db_path(global)?;
    match cmd {
        DbCommand::Update(args) => {
            if global.offline {
                bail!("`db update` needs the network, but --offline was given\nhint: use `vigil db import PATH` for files on disk");
            }
            let ecosystems = args
                .ecosystems
                .iter()
                .map(|e| e.parse::<Ecosystem>().map_err(anyhow::Error::from))
                .collect::<Result<Vec<_>>>()?;
            let mut store = Store::open(&path)?;
            let options = UpdateOptions {
                mirror: global.db_mirror.clone(),
                ecosystems,
                kev_source: args.kev_source.clone(),
                skip_kev: args.skip_kev,
                epss_source: args.epss_source.clone(),
                skip_epss: args.skip_epss,
                progress: crate::progress::handle(),
            };
            let report = update(&mut store, &options);
            if report.failed() {
                bail!("the update of some sources failed (their previous data is kept)");
            }
            Ok(Outcome::Done)
        }
        DbCommand::Import(args) => {
            let mut store = Store::open(&path)?;
            let paths: Vec<&Path> = args.paths.iter().map(PathBuf::as_path).collect();
            let stats = vigil_advisories::import_paths(&mut store, &paths)?;
            for d in &stats.diagnostics {
                warn_user(d);
            }
            let mut line = format!(
                "Imported {} new, {} changed, {} unchanged advisories",
                stats.added, stats.updated, stats.unchanged
            );
            if let Some(k) = stats.kev {
                let entries = if k == 1 { "entry" } else { "entries" };
                line.push_str(&format!(", {k} KEV {entries}"));
            }
            if let Some(n) = stats.epss {
                let scores = if n == 1 { "score" } else { "scores" };
                line.push_str(&format!(", {n} EPSS {scores}"));
            }
            note(format!("{line} into {}", path.display()));
            Ok(Outcome::Done)
        }
        DbCommand::Status => {
            let Some(store) = Store::open_existing(&path)? else {
                bail!(
                    "no advisory database at {}\nhint: run `vigil db update` or `vigil db import PATH`",
                    path.display()
                );
            };
            status(&store)?;
            Ok(Outcome::Done)
        }
    }
}

/// Runs an update and prints one line per source to stderr.
pub(crate) fn update(store: &mut Store, options: &UpdateOptions) -> UpdateReport {
    let from = options
        .mirror
        .clone()
        .unwrap_or_else(|| vigil_advisories::DEFAULT_OSV_BASE.to_string());
    note(format!(
        "Updating the advisory database {} from {from}",
        store.path().display()
    ));
    let report = vigil_advisories::update(store, options);
    let mut missing = Vec::new();
    for (name, outcome) in &report.outcomes {
        match outcome {
            EcosystemOutcome::Imported(stats) => {
                for d in &stats.diagnostics {
                    warn_user(d);
                }
                let mut line = format!(
                    "  {name}: {} new, {} changed, {} unchanged, {} removed",
                    stats.added, stats.updated, stats.unchanged, stats.removed
                );
                if let Some(k) = stats.kev {
                    line = format!("  {name}: {k} {}", if k == 1 { "entry" } else { "entries" });
                }
                if let Some(n) = stats.epss {
                    line = format!("  {name}: {n} {}", if n == 1 { "score" } else { "scores" });
                }
                note(line);
            }
            EcosystemOutcome::NotModified => note(format!("  {name}: not modified")),
            EcosystemOutcome::Missing(why) => missing.push((name.clone(), why.clone())),
            EcosystemOutcome::Failed(e) => {
                warn_user(format!("{name}: update failed, previous data kept: {e}"))
            }
        }
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(name, _)| name.as_str()).collect();
        warn_user(format!(
            "not available from the source, skipped: {}",
            names.join(", ")
        ));
        for (name, why) in &missing {
            tracing::info!("{name}: {why}");
        }
    }
    report
}

fn status(store: &Store) -> Result<()> {
    use std::io::Write;
    let rows = store.status()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Database: {}", store.path().display())?;
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(9).max(9);
    writeln!(
        out,
        "{:<width$}  {:>8}  {:<20}  SOURCE",
        "ECOSYSTEM", "RECORDS", "UPDATED"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<width$}  {:>8}  {:<20}  {}",
            r.name,
            r.records,
            r.updated_at.map(format_time).unwrap_or_else(|| "-".into()),
            r.source.unwrap_or_else(|| "-".into())
        )?;
    }
    if let Some(epss) = store.epss_info()? {
        writeln!(
            out,
            "EPSS: {} scores, model {}, scored {}",
            epss.count,
            epss.model_version.as_deref().unwrap_or("unknown"),
            epss.score_date.as_deref().unwrap_or("(date unknown)")
        )?;
    }
    if let Some(last) = store.last_update()? {
        let age = vigil_advisories::now() - last;
        if age > STALE_AFTER_SECS {
            warn_user(format!(
                "the database was last updated {} days ago; run `vigil db update`",
                age / 86_400
            ));
        }
    }
    Ok(())
}
