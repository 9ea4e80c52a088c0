//! Advisories: OSV records from archives, directories and URLs, kept in an
//! embedded store, with the KEV catalogue and EPSS scores beside them.
//!
//! The flow: [`import_paths`] and [`update`] read inputs (zip archives,
//! mirror directories, OSV `.json`/`.yaml` files, the KEV catalogue, EPSS
//! scores), parse
//! them in parallel, and write them into the [`Store`] in one transaction
//! per source. [`Store::load_for`] then loads the records of the packages
//! a scan found into an in-memory [`AdvisorySet`] for matching.
//!
//! Invariants:
//! - OSV is the one advisory format; records are kept whole (their full
//!   JSON), so nothing a later feature needs is lost at import.
//! - An import is atomic: it commits whole or not at all. A corrupt archive
//!   is an error naming it, and the previous database stays usable.
//! - Changes are detected by content (a hash of the record), not by the
//!   `modified` field, which some sources leave constant.
//! - Withdrawn records are stored but never loaded for matching.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod epss;
mod error;
pub mod kev;
pub mod osv;
mod source;
mod store;
mod update;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use vigil_model::Ecosystem;

pub use epss::{EpssInfo, EpssScore, DEFAULT_EPSS_URL};
pub use error::{Error, Result};
pub use store::{ImportStats, SourceStatus, Store, EPSS_SOURCE_KEY, KEV_SOURCE_KEY};
pub use update::{
    update, EcosystemOutcome, UpdateOptions, UpdateReport, DEFAULT_KEV_URL, DEFAULT_OSV_BASE,
};

/// The ecosystems `vigil db update` fetches by default: every ecosystem whose
/// versions vigil can compare and whose archive the OSV bucket publishes.
pub const DEFAULT_ECOSYSTEMS: &[Ecosystem] = &[
    Ecosystem::AlmaLinux,
    Ecosystem::Alpine,
    Ecosystem::Bitnami,
    Ecosystem::Cran,
    Ecosystem::CratesIo,
    Ecosystem::Debian,
    Ecosystem::Go,
    Ecosystem::Hackage,
    Ecosystem::Hex,
    Ecosystem::Mageia,
    Ecosystem::Maven,
    Ecosystem::Npm,
    Ecosystem::NuGet,
    Ecosystem::OpenEuler,
    Ecosystem::OpenSuse,
    Ecosystem::Packagist,
    Ecosystem::Pub,
    Ecosystem::PyPI,
    Ecosystem::RedHat,
    Ecosystem::RockyLinux,
    Ecosystem::RubyGems,
    Ecosystem::Suse,
    Ecosystem::SwiftUrl,
    Ecosystem::Ubuntu,
];

/// The advisories of the packages of one scan, in memory, with the KEV
/// catalogue: everything matching needs, with no I/O left to do.
#[derive(Debug, Default, Clone)]
pub struct AdvisorySet {
    by_package: HashMap<(Ecosystem, String), Vec<Arc<osv::Vulnerability>>>,
    kev: HashSet<String>,
}

impl AdvisorySet {
    /// Adds the records affecting a package (`name` is normalized here).
    pub fn insert(
        &mut self,
        ecosystem: Ecosystem,
        name: &str,
        records: Vec<Arc<osv::Vulnerability>>,
    ) {
        self.by_package
            .entry((ecosystem, ecosystem.normalize_name(name)))
            .or_default()
            .extend(records);
    }

    /// Builds a set from records (for tests and SBOM-style callers): each
    /// record is filed under every package it names.
    pub fn from_records(records: impl IntoIterator<Item = osv::Vulnerability>) -> AdvisorySet {
        let mut set = AdvisorySet::default();
        for r in records {
            if r.is_withdrawn() {
                continue;
            }
            let r = Arc::new(r);
            let mut seen = HashSet::new();
            for a in &r.affected {
                let Some(p) = &a.package else { continue };
                let Ok(eco) = p.ecosystem.parse::<vigil_model::EcosystemName>() else {
                    continue;
                };
                if seen.insert((eco.ecosystem, eco.ecosystem.normalize_name(&p.name))) {
                    set.insert(eco.ecosystem, &p.name, vec![Arc::clone(&r)]);
                }
            }
        }
        set
    }

    /// Sets the KEV catalogue's CVE IDs.
    pub fn set_kev(&mut self, ids: HashSet<String>) {
        self.kev = ids;
    }

    /// The records that name a package.
    pub fn for_package(&self, ecosystem: Ecosystem, name: &str) -> &[Arc<osv::Vulnerability>] {
        self.by_package
            .get(&(ecosystem, ecosystem.normalize_name(name)))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether an ID is in the KEV catalogue.
    pub fn is_kev(&self, id: &str) -> bool {
        self.kev.contains(id)
    }
}

/// Imports files and directories (archives, mirrors, OSV `.json`/`.yaml`
/// files, the KEV catalogue, EPSS scores) into the store, in one
/// transaction. Records
/// merge by ID; a record that cannot be read is a diagnostic, a corrupt
/// archive an error (and nothing is imported).
pub fn import_paths(store: &mut Store, paths: &[&Path]) -> Result<ImportStats> {
    let mut loaded = source::Loaded::default();
    for path in paths {
        let meta = fs_err::metadata(path).map_err(|e| Error::io(*path, e))?;
        if meta.is_dir() {
            source::read_dir(path, &mut loaded)?;
        } else {
            source::read_file(path, &mut loaded)?;
        }
    }
    let (records, mut diagnostics) = source::parse_records(loaded.records);
    diagnostics.extend(loaded.diagnostics);
    let label = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut stats = store.import(
        store::ImportBatch {
            records,
            kev: loaded.kev,
            epss: loaded.epss,
            source: label,
            origin: "import".to_string(),
            authoritative: false,
        },
        now(),
    )?;
    stats.diagnostics.extend(diagnostics);
    Ok(stats)
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Formats Unix seconds as an RFC 3339 UTC timestamp (`2026-11-27T18:00:00Z`).
pub fn format_time(secs: i64) -> String {
    vigil_model::time::rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_time(1_798_392_245), "2026-12-27T17:24:05Z");
    }
}
