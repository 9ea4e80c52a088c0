//! `db update`: fetch every ecosystem's archive from the OSV bucket or a
//! mirror (a directory, or a base URL with the same `<Ecosystem>/all.zip`
//! layout), the KEV catalogue and FIRST's EPSS scores.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tracing::{debug, info};
use vigil_model::progress::{ProgressHandle, ProgressReader, Unit};
use vigil_model::Ecosystem;

use crate::epss::EPSS_FILE;
use crate::error::{Error, Result};
use crate::source::{self, Loaded};
use crate::store::{ImportBatch, ImportStats, Store, EPSS_SOURCE_KEY, KEV_SOURCE_KEY};

/// The public OSV bucket: `<base>/<Ecosystem>/all.zip`.
pub const DEFAULT_OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// CISA's published KEV catalogue.
pub const DEFAULT_KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// The largest archive downloaded.
const MAX_DOWNLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// What to update from.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// A mirror: a directory or a base URL with `<Ecosystem>/all.zip`.
    /// `None` means the public OSV bucket.
    pub mirror: Option<String>,
    /// The ecosystems to fetch; empty means [`crate::DEFAULT_ECOSYSTEMS`].
    pub ecosystems: Vec<Ecosystem>,
    /// Where the KEV catalogue comes from (a file or URL). `None`: the
    /// mirror's `known_exploited_vulnerabilities.json` (also looked for in a
    /// `kev/` folder of a directory mirror), else CISA's feed.
    pub kev_source: Option<String>,
    /// Skip the KEV catalogue.
    pub skip_kev: bool,
    /// Where the EPSS scores come from (a CSV file or URL, plain or
    /// gzip). `None`: the mirror's `epss_scores-current.csv.gz` (also
    /// looked for in an `epss/` folder of a directory mirror), else
    /// FIRST's ([`crate::DEFAULT_EPSS_URL`]).
    pub epss_source: Option<String>,
    /// Skip the EPSS scores.
    pub skip_epss: bool,
    /// Where downloads (bytes) and imports are reported.
    pub progress: vigil_model::progress::ProgressHandle,
}

/// What happened to one source.
#[derive(Debug)]
pub enum EcosystemOutcome {
    /// Imported, with these changes.
    Imported(ImportStats),
    /// The source said it has not changed since the last update.
    NotModified,
    /// The mirror does not have it (a warning, not a failure).
    Missing(String),
    /// It failed; the previous data for it is kept.
    Failed(Error),
}

/// The outcome of an update, per source.
#[derive(Debug, Default)]
pub struct UpdateReport {
    /// `(ecosystem name, "KEV" or "EPSS", outcome)`, in the order fetched.
    pub outcomes: Vec<(String, EcosystemOutcome)>,
}

impl UpdateReport {
    /// Whether any source failed.
    pub fn failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|(_, o)| matches!(o, EcosystemOutcome::Failed(_)))
    }

    /// Whether at least one source was imported or confirmed unchanged.
    pub fn any_success(&self) -> bool {
        self.outcomes.iter().any(|(_, o)| {
            matches!(
                o,
                EcosystemOutcome::Imported(_) | EcosystemOutcome::NotModified
            )
        })
    }
}

enum Location {
    Dir(PathBuf),
    Url(String),
}

fn location(s: &str) -> Location {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Location::Url(s.trim_end_matches('/').to_string())
    } else {
        Location::Dir(PathBuf::from(s.strip_prefix("file://").unwrap_or(s)))
    }
}

/// Percent-encodes one URL path segment (`Rocky Linux` → `Rocky%20Linux`).
fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Updates the store from the OSV bucket or a mirror, one ecosystem at a
/// time, each in its own transaction: a failure leaves that ecosystem's
/// previous data in place and the others go on.
pub fn update(store: &mut Store, options: &UpdateOptions) -> UpdateReport {
    let base = options
        .mirror
        .clone()
        .unwrap_or_else(|| DEFAULT_OSV_BASE.to_string());
    let base = location(&base);
    let ecosystems: Vec<Ecosystem> = if options.ecosystems.is_empty() {
        crate::DEFAULT_ECOSYSTEMS.to_vec()
    } else {
        options.ecosystems.clone()
    };
    let agent = agent();
    let mut report = UpdateReport::default();
    for eco in ecosystems {
        let name = eco.osv_name();
        let origin = format!("osv:{name}");
        let outcome = match &base {
            Location::Dir(dir) => {
                options
                    .progress
                    .start(&format!("{name}: importing"), Unit::Step, None);
                update_from_dir(store, dir, name, &origin)
            }
            Location::Url(url) => {
                let url = format!("{url}/{}/all.zip", encode_segment(name));
                update_from_url(
                    store,
                    &agent,
                    &url,
                    name,
                    &origin,
                    Format::Zip,
                    &options.progress,
                )
            }
        };
        options.progress.finish();
        match &outcome {
            EcosystemOutcome::Failed(e) => debug!("{name}: update failed: {e}"),
            EcosystemOutcome::Missing(why) => debug!("{name}: {why}"),
            _ => {}
        }
        report.outcomes.push((name.to_string(), outcome));
    }
    if !options.skip_kev {
        let outcome = update_kev(store, &agent, &base, options);
        options.progress.finish();
        report.outcomes.push((KEV_SOURCE_KEY.to_string(), outcome));
    }
    if !options.skip_epss {
        let outcome = update_epss(store, &agent, &base, options);
        options.progress.finish();
        report.outcomes.push((EPSS_SOURCE_KEY.to_string(), outcome));
    }
    report
}

/// What a downloaded file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// An ecosystem's OSV archive: the whole of its origin.
    Zip,
    /// The KEV catalogue.
    Kev,
    /// EPSS scores.
    Epss,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(900)))
        .timeout_connect(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn import_loaded(
    store: &mut Store,
    loaded: Loaded,
    source: &str,
    origin: &str,
    authoritative: bool,
) -> Result<ImportStats> {
    let (records, mut diagnostics) = source::parse_records(loaded.records);
    diagnostics.extend(loaded.diagnostics);
    let mut stats = store.import(
        ImportBatch {
            records,
            kev: loaded.kev,
            epss: loaded.epss,
            source: source.to_string(),
            origin: origin.to_string(),
            authoritative,
        },
        crate::now(),
    )?;
    stats.diagnostics.extend(diagnostics);
    Ok(stats)
}

fn update_from_dir(store: &mut Store, dir: &Path, name: &str, origin: &str) -> EcosystemOutcome {
    let eco_dir = dir.join(name);
    let zip = eco_dir.join("all.zip");
    let mut loaded = Loaded::default();
    let read = if zip.is_file() {
        source::read_zip_file(&zip, &mut loaded).map(|()| zip.display().to_string())
    } else if eco_dir.is_dir() {
        source::read_dir(&eco_dir, &mut loaded).map(|()| eco_dir.display().to_string())
    } else {
        return EcosystemOutcome::Missing(format!(
            "not in the mirror ({} does not exist)",
            zip.display()
        ));
    };
    match read.and_then(|label| import_loaded(store, loaded, &label, origin, true)) {
        Ok(stats) => EcosystemOutcome::Imported(stats),
        Err(e) => EcosystemOutcome::Failed(e),
    }
}

/// A completed download: the file, and the validators to send next time.
struct Downloaded {
    file: tempfile::NamedTempFile,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Downloads `url` to a temporary file beside the store with a conditional
/// request; `Ok(None)` when the server answers 304 Not Modified.
fn download(
    store: &Store,
    agent: &ureq::Agent,
    url: &str,
    name: &str,
    progress: &ProgressHandle,
) -> Result<Option<Downloaded>> {
    let http = |message: String| Error::Http {
        url: url.to_string(),
        message,
    };
    let (etag, last_modified) = store.http_validators(url)?;
    let mut req = agent.get(url);
    if let Some(e) = &etag {
        req = req.header("If-None-Match", e.as_str());
    }
    if let Some(m) = &last_modified {
        req = req.header("If-Modified-Since", m.as_str());
    }
    let resp = req.call().map_err(|e| http(e.to_string()))?;
    let status = resp.status().as_u16();
    if status == 304 {
        return Ok(None);
    }
    if status == 404 {
        return Err(http("404 Not Found".to_string()));
    }
    if !(200..300).contains(&status) {
        return Err(http(format!("HTTP status {status}")));
    }
    let header = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let new_etag = header("etag");
    let new_modified = header("last-modified");
    let dir = store
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io(&dir, e))?;
    let length = resp
        .body()
        .content_length()
        .or_else(|| header("content-length").and_then(|v| v.trim().parse::<u64>().ok()));
    progress.start(&format!("{name}: downloading"), Unit::Bytes, length);
    let body = resp.into_body().into_reader().take(MAX_DOWNLOAD + 1);
    let mut body = ProgressReader::new(body, progress);
    let n = std::io::copy(&mut body, tmp.as_file_mut())
        .map_err(|e| http(format!("download interrupted: {e}")))?;
    if n > MAX_DOWNLOAD {
        return Err(http(format!("larger than the {MAX_DOWNLOAD}-byte limit")));
    }
    tmp.as_file_mut()
        .flush()
        .map_err(|e| Error::io(tmp.path(), e))?;
    info!(url, bytes = n, "downloaded");
    Ok(Some(Downloaded {
        file: tmp,
        etag: new_etag,
        last_modified: new_modified,
    }))
}

fn update_from_url(
    store: &mut Store,
    agent: &ureq::Agent,
    url: &str,
    name: &str,
    origin: &str,
    format: Format,
    progress: &ProgressHandle,
) -> EcosystemOutcome {
    let Downloaded {
        file: tmp,
        etag,
        last_modified: modified,
    } = match download(store, agent, url, name, progress) {
        Ok(Some(x)) => x,
        Ok(None) => {
            return match store.touch_source(name, url, crate::now()) {
                Ok(()) => EcosystemOutcome::NotModified,
                Err(e) => EcosystemOutcome::Failed(e),
            }
        }
        Err(Error::Http { message, .. }) if message.starts_with("404") => {
            return EcosystemOutcome::Missing(format!("not at {url} (404 Not Found)"))
        }
        Err(e) => return EcosystemOutcome::Failed(e),
    };
    progress.start(&format!("{name}: importing"), Unit::Step, None);
    let mut loaded = Loaded::default();
    let read = match format {
        Format::Zip => match fs_err::File::open(tmp.path()) {
            Ok(f) => source::read_zip(std::io::BufReader::new(f), url, &mut loaded),
            Err(e) => Err(Error::io(tmp.path(), e)),
        },
        Format::Kev => read_kev_bytes(tmp.path(), url, &mut loaded),
        Format::Epss => read_epss(tmp.path(), url, &mut loaded),
    };
    let result = read
        .and_then(|()| import_loaded(store, loaded, url, origin, format == Format::Zip))
        .and_then(|stats| {
            store.set_http_validators(url, etag.as_deref(), modified.as_deref())?;
            Ok(stats)
        });
    match result {
        Ok(stats) => EcosystemOutcome::Imported(stats),
        Err(e) => EcosystemOutcome::Failed(e),
    }
}

fn read_kev_bytes(path: &Path, name: &str, loaded: &mut Loaded) -> Result<()> {
    let mut bytes = Vec::new();
    fs_err::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    let kev = serde_json::from_slice(&bytes).map_err(|e| Error::Input {
        name: name.to_string(),
        message: format!("not a valid KEV catalogue: {e}"),
    })?;
    loaded.kev = Some(kev);
    Ok(())
}

fn read_epss(path: &Path, name: &str, loaded: &mut Loaded) -> Result<()> {
    let (scores, diagnostics) = crate::epss::read_file(path, name)?;
    loaded.epss = Some(scores);
    loaded.diagnostics.extend(diagnostics);
    Ok(())
}

/// Fetches the EPSS scores: from `--epss-source`, else the mirror's
/// `epss_scores-current.csv.gz`, else FIRST's. A mirror without them is a
/// warning, as for the KEV catalogue.
fn update_epss(
    store: &mut Store,
    agent: &ureq::Agent,
    base: &Location,
    options: &UpdateOptions,
) -> EcosystemOutcome {
    let explicit = options.epss_source.as_deref().map(location);
    let source = match (&explicit, options.mirror.is_some()) {
        (Some(l), _) => l,
        (None, true) => base,
        (None, false) => &Location::Url(crate::DEFAULT_EPSS_URL.to_string()),
    };
    match source {
        Location::Url(u) => {
            let url = if explicit.is_some() || options.mirror.is_none() {
                u.clone()
            } else {
                format!("{u}/{EPSS_FILE}")
            };
            update_from_url(
                store,
                agent,
                &url,
                EPSS_SOURCE_KEY,
                "epss",
                Format::Epss,
                &options.progress,
            )
        }
        Location::Dir(d) => {
            let plain = EPSS_FILE.trim_end_matches(".gz");
            let candidates = if explicit.is_some() {
                vec![d.clone(), d.join(EPSS_FILE), d.join(plain)]
            } else {
                vec![
                    d.join(EPSS_FILE),
                    d.join(plain),
                    d.join("epss").join(EPSS_FILE),
                    d.join("epss").join(plain),
                ]
            };
            let Some(file) = candidates.into_iter().find(|p| p.is_file()) else {
                return EcosystemOutcome::Missing(format!(
                    "no EPSS scores ({EPSS_FILE}) in {}",
                    d.display()
                ));
            };
            options
                .progress
                .start(&format!("{EPSS_SOURCE_KEY}: importing"), Unit::Step, None);
            let mut loaded = Loaded::default();
            let label = file.display().to_string();
            match read_epss(&file, &label, &mut loaded)
                .and_then(|()| import_loaded(store, loaded, &label, "epss", false))
            {
                Ok(stats) => EcosystemOutcome::Imported(stats),
                Err(e) => EcosystemOutcome::Failed(e),
            }
        }
    }
}

fn update_kev(
    store: &mut Store,
    agent: &ureq::Agent,
    base: &Location,
    options: &UpdateOptions,
) -> EcosystemOutcome {
    const FILE: &str = "known_exploited_vulnerabilities.json";
    let explicit = options.kev_source.as_deref().map(location);
    let source = match (&explicit, base) {
        (Some(l), _) => l,
        (None, Location::Url(u)) if options.mirror.is_none() => {
            let _ = u;
            &Location::Url(DEFAULT_KEV_URL.to_string())
        }
        (None, other) => other,
    };
    match source {
        Location::Url(u) => {
            let url = if explicit.is_some() || options.mirror.is_none() {
                u.clone()
            } else {
                format!("{u}/{FILE}")
            };
            update_from_url(
                store,
                agent,
                &url,
                KEV_SOURCE_KEY,
                "kev",
                Format::Kev,
                &options.progress,
            )
        }
        Location::Dir(d) => {
            let candidates = if explicit.is_some() {
                vec![d.clone(), d.join(FILE)]
            } else {
                vec![d.join(FILE), d.join("kev").join(FILE)]
            };
            let Some(file) = candidates.into_iter().find(|p| p.is_file()) else {
                return EcosystemOutcome::Missing(format!(
                    "no KEV catalogue ({FILE}) in {}",
                    d.display()
                ));
            };
            let mut loaded = Loaded::default();
            let label = file.display().to_string();
            match read_kev_bytes(&file, &label, &mut loaded)
                .and_then(|()| import_loaded(store, loaded, &label, "kev", false))
            {
                Ok(stats) => EcosystemOutcome::Imported(stats),
                Err(e) => EcosystemOutcome::Failed(e),
            }
        }
    }
}
