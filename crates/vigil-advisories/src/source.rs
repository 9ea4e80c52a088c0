//! Reading advisory inputs: OSV archives, directories and files, the KEV
//! catalogue and EPSS scores, into raw records ready for the store.

use std::io::{Read, Seek};
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tracing::debug;
use vigil_model::{Diagnostic, Ecosystem, EcosystemName};

use crate::error::{Error, Result};
use crate::kev::KevCatalog;
use crate::osv::Vulnerability;

/// The largest single OSV record accepted (decompressed bytes).
const MAX_RECORD: u64 = 32 * 1024 * 1024;
/// The largest decompressed total accepted from one archive.
const MAX_ARCHIVE_TOTAL: u64 = 8 * 1024 * 1024 * 1024;
/// The most entries accepted from one archive.
const MAX_ARCHIVE_ENTRIES: usize = 2_000_000;

/// One record as read, before parsing.
#[derive(Debug)]
pub(crate) struct RawRecord {
    /// Where it came from, for messages (`PyPI/all.zip:PYSEC-1.json`).
    pub(crate) name: String,
    /// Its JSON text.
    pub(crate) json: Vec<u8>,
}

/// A record parsed enough for the store.
#[derive(Debug)]
pub(crate) struct ParsedRecord {
    pub(crate) id: String,
    pub(crate) json: Vec<u8>,
    pub(crate) hash: Vec<u8>,
    pub(crate) modified: String,
    pub(crate) withdrawn: bool,
    /// `(ecosystem, ecosystem with release, normalized name)` of every
    /// affected package vigil knows the ecosystem of.
    pub(crate) packages: Vec<(Ecosystem, String, String)>,
}

/// Everything read from the inputs of one import.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) records: Vec<RawRecord>,
    pub(crate) kev: Option<KevCatalog>,
    pub(crate) epss: Option<crate::epss::EpssScores>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Reads every record of a zip archive. A corrupt archive (bad structure,
/// bad checksum, too large) is an error naming it; nothing of it is kept.
pub(crate) fn read_zip<R: Read + Seek>(reader: R, name: &str, out: &mut Loaded) -> Result<()> {
    let corrupt = |message: String| Error::Archive {
        name: name.to_string(),
        message,
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| corrupt(e.to_string()))?;
    if archive.len() > MAX_ARCHIVE_ENTRIES {
        return Err(corrupt(format!(
            "{} entries is more than the limit of {MAX_ARCHIVE_ENTRIES}",
            archive.len()
        )));
    }
    let mut total = 0u64;
    let mut records = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| corrupt(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let entry_name = entry
            .name()
            .map_err(|e| corrupt(e.to_string()))?
            .to_string();
        let lower = entry_name.to_ascii_lowercase();
        if !(lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")) {
            debug!(archive = name, entry = %entry_name, "skipped: not an OSV record");
            continue;
        }
        if entry.size() > MAX_RECORD {
            return Err(corrupt(format!(
                "{entry_name}: {} bytes is more than the record limit",
                entry.size()
            )));
        }
        let mut json = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut json)
            .map_err(|e| corrupt(format!("{entry_name}: {e}")))?;
        if json.len() as u64 > MAX_RECORD {
            return Err(corrupt(format!(
                "{entry_name}: larger than the record limit"
            )));
        }
        total += json.len() as u64;
        if total > MAX_ARCHIVE_TOTAL {
            return Err(corrupt(
                "decompressed size is more than the limit".to_string(),
            ));
        }
        let full_name = format!("{name}:{entry_name}");
        let json = if lower.ends_with(".json") {
            json
        } else {
            match yaml_to_json(&json) {
                Ok(j) => j,
                Err(message) => {
                    out.diagnostics
                        .push(Diagnostic::warning(full_name, None, message));
                    continue;
                }
            }
        };
        records.push(RawRecord {
            name: full_name,
            json,
        });
    }
    out.records.extend(records);
    Ok(())
}

/// Reads a zip archive from a file.
pub(crate) fn read_zip_file(path: &Path, out: &mut Loaded) -> Result<()> {
    let file = fs_err::File::open(path).map_err(|e| Error::io(path, e))?;
    read_zip(
        std::io::BufReader::new(file),
        &path.display().to_string(),
        out,
    )
}

fn yaml_to_json(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let value: serde_json::Value =
        serde_yaml_ng::from_slice(bytes).map_err(|e| format!("not valid YAML: {e}"))?;
    serde_json::to_vec(&value).map_err(|e| format!("cannot convert to JSON: {e}"))
}

/// Reads one file: an archive, an OSV record (JSON or YAML), a JSON array
/// of records, the KEV catalogue, or EPSS scores (a CSV, plain or gzip,
/// known by its content).
pub(crate) fn read_file(path: &Path, out: &mut Loaded) -> Result<()> {
    let name = path.display().to_string();
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".zip") {
        return read_zip_file(path, out);
    }
    let meta = fs_err::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_RECORD * 8 {
        return Err(Error::Input {
            name,
            message: format!("{} bytes is more than the limit for one file", meta.len()),
        });
    }
    let bytes = fs_err::read(path).map_err(|e| Error::io(path, e))?;
    if crate::epss::detect(&bytes) || lower.ends_with(".csv") || lower.ends_with(".csv.gz") {
        let (scores, diagnostics) = crate::epss::parse(&bytes, &name)?;
        out.epss = Some(scores);
        out.diagnostics.extend(diagnostics);
        return Ok(());
    }
    let json = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        yaml_to_json(&bytes).map_err(|message| Error::Input {
            name: name.clone(),
            message,
        })?
    } else {
        bytes
    };
    let value: serde_json::Value = serde_json::from_slice(&json).map_err(|e| Error::Input {
        name: name.clone(),
        message: format!("not valid JSON: {e}"),
    })?;
    if KevCatalog::looks_like(&value) {
        let kev: KevCatalog = serde_json::from_value(value).map_err(|e| Error::Input {
            name: name.clone(),
            message: format!("not a valid KEV catalogue: {e}"),
        })?;
        out.kev = Some(kev);
    } else if let serde_json::Value::Array(items) = value {
        for (i, item) in items.into_iter().enumerate() {
            let json = serde_json::to_vec(&item).map_err(|e| Error::Input {
                name: name.clone(),
                message: e.to_string(),
            })?;
            out.records.push(RawRecord {
                name: format!("{name}[{i}]"),
                json,
            });
        }
    } else if value.get("id").is_some() {
        out.records.push(RawRecord { name, json });
    } else {
        return Err(Error::Input {
            name,
            message: "neither an OSV record (no `id`), a KEV catalogue nor EPSS scores".to_string(),
        });
    }
    Ok(())
}

/// Reads a directory: a mirror (`<Ecosystem>/all.zip`), or any tree of OSV
/// `.json`/`.yaml` files and archives. Files that are not records are
/// diagnostics; a corrupt archive is an error.
pub(crate) fn read_dir(dir: &Path, out: &mut Loaded) -> Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let entries = fs_err::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let ft = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            let path = entry.path();
            if ft.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else if ft.is_file() {
                let lower = path.to_string_lossy().to_ascii_lowercase();
                if [".json", ".yaml", ".yml", ".zip", ".csv", ".csv.gz"]
                    .iter()
                    .any(|e| lower.ends_with(e))
                {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    for f in files {
        match read_file(&f, out) {
            Ok(()) => {}
            Err(e @ Error::Archive { .. }) => return Err(e),
            Err(e) => out.diagnostics.push(Diagnostic {
                level: vigil_model::Level::Warning,
                path: Some(f.display().to_string()),
                line: None,
                message: match e {
                    Error::Input { message, .. } => message,
                    other => other.to_string(),
                },
            }),
        }
    }
    Ok(())
}

/// Parses raw records in parallel. A record that is not valid OSV is a
/// diagnostic naming it; the others go on.
pub(crate) fn parse_records(raw: Vec<RawRecord>) -> (Vec<ParsedRecord>, Vec<Diagnostic>) {
    let results: Vec<Result<ParsedRecord, Diagnostic>> =
        raw.into_par_iter().map(parse_record).collect();
    let mut ok = Vec::with_capacity(results.len());
    let mut bad = Vec::new();
    for r in results {
        match r {
            Ok(p) => ok.push(p),
            Err(d) => bad.push(d),
        }
    }
    (ok, bad)
}

fn parse_record(raw: RawRecord) -> Result<ParsedRecord, Diagnostic> {
    let vuln: Vulnerability = serde_json::from_slice(&raw.json).map_err(|e| {
        Diagnostic::warning(
            raw.name.clone(),
            None,
            format!("not a valid OSV record: {e}"),
        )
    })?;
    if vuln.id.trim().is_empty() {
        return Err(Diagnostic::warning(
            raw.name,
            None,
            "OSV record without an `id`",
        ));
    }
    let mut packages = Vec::new();
    for a in &vuln.affected {
        let Some(p) = &a.package else { continue };
        match p.ecosystem.parse::<EcosystemName>() {
            Ok(eco) => {
                let tuple = (
                    eco.ecosystem,
                    p.ecosystem.clone(),
                    eco.ecosystem.normalize_name(&p.name),
                );
                if !packages.contains(&tuple) {
                    packages.push(tuple);
                }
            }
            Err(_) => {
                debug!(id = %vuln.id, ecosystem = %p.ecosystem, "affected package of an unknown ecosystem")
            }
        }
    }
    let hash = Sha256::digest(&raw.json).to_vec();
    Ok(ParsedRecord {
        withdrawn: vuln.is_withdrawn(),
        id: vuln.id,
        modified: vuln.modified,
        packages,
        hash,
        json: raw.json,
    })
}
