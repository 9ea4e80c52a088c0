//! Container images: get an image and lay its layers out for the
//! inventory, without a container daemon.
//!
//! Sources: a registry (the OCI distribution API, [`registry`]), a
//! `docker save` or OCI archive tar, or an OCI image layout directory
//! (both read in place: layers are streamed from the archive or directory,
//! never copied). Registry blobs go through a [`BlobCache`] keyed by
//! digest, so that images sharing base layers download them once.
//!
//! Layers are applied base first, as tar streams, by [`Squash`]: the files
//! extractors want are read into memory and extracted, whiteouts remove
//! what lower layers put there, and each component names the layer that
//! introduced it.
//!
//! Invariants:
//! - Nothing from an image is ever written to disk except verified blobs
//!   into the cache; no entry name is resolved on the host. Symlinks are
//!   resolved inside the image root only.
//! - Every blob's sha256 digest is verified while it streams: registry
//!   downloads before they enter the cache, and every manifest,
//!   configuration and layer as it is read (layers also against the
//!   configuration's `diff_ids`). A mismatch stops the scan with an error
//!   naming the blob and the image.
//! - A hostile or broken entry inside a layer is a warning naming the layer
//!   and the entry; the scan goes on.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cache;
mod digest;
mod error;
mod files;
mod local;
mod plan;
mod reference;
pub mod registry;
mod squash;
#[cfg(test)]
mod testutil;
mod tls;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use tracing::info;
use vigil_inventory::os::OsRelease;
use vigil_inventory::{Inventory, ScanOptions};
use vigil_model::ImageFacts;

pub use cache::BlobCache;
pub use digest::Digest;
pub use error::{Error, Result};
pub use plan::Platform;
pub use reference::Reference;
pub use registry::{Credentials, FetchStats, RegistryOptions};
pub use squash::{Squash, OS_RELEASE_FILES};
pub use tls::{certificate_problem, config as tls_config, CaBundle};

use digest::Hashing;
use plan::{LayerPlan, Plan};

/// The largest blob downloaded when the manifest gives no size.
pub(crate) const MAX_BLOB: u64 = 16 * 1024 * 1024 * 1024;

/// Where an image comes from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A registry reference (`registry.example.com/team/app:1.4`).
    Registry(String),
    /// A `docker save` archive, an OCI archive tar, or an OCI image layout
    /// directory; `name` picks one image when it holds several (a tag of
    /// the archive, a `ref.name` of the layout).
    Local {
        /// The archive or directory.
        path: PathBuf,
        /// Which image of several.
        name: Option<String>,
    },
}

/// How to get and read an image.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    /// The platform to pick from an index.
    pub platform: Platform,
    /// Limits for the files read from layers.
    pub scan: ScanOptions,
    /// Where registry blobs are cached.
    pub cache: BlobCache,
    /// How to reach the registry.
    pub registry: RegistryOptions,
    /// Whether and how to look for secrets, in the layers' files and in
    /// the image configuration.
    pub secrets: Option<SecretOptions>,
}

/// How to look for secrets in an image.
#[derive(Debug, Clone)]
pub struct SecretOptions {
    /// The compiled secret rules.
    pub scanner: std::sync::Arc<vigil_secrets::Scanner>,
    /// Files (and archive members) larger than this are not scanned.
    pub max_file_size: u64,
}

/// The pseudo-path of the findings of a field of the image configuration
/// (`image-config:Env`): their line is the 1-based position of the entry
/// in the field.
pub const CONFIG_PATH_PREFIX: &str = "image-config:";

/// What scanning an image found.
#[derive(Debug)]
pub struct ImageScan {
    /// The components of the files present in the image, each with its
    /// layer.
    pub inventory: Inventory,
    /// The image's facts for the report.
    pub facts: ImageFacts,
    /// The OS release files ([`OS_RELEASE_FILES`]) the image has, resolved
    /// through its symlinks: `(path, content)`.
    pub os_release_files: Vec<(String, Vec<u8>)>,
    /// What was downloaded and what came from the cache (registry only).
    pub fetched: FetchStats,
    /// The secrets found (with [`ImageOptions::secrets`]): in the files of
    /// every layer, and in the image configuration.
    pub secrets: vigil_secrets::SecretScan,
}

impl ImageScan {
    /// The scan of an image, with its OS packages assigned to the
    /// distribution its release files name.
    fn new(
        mut inventory: Inventory,
        facts: ImageFacts,
        os_release_files: ReleaseFiles,
        fetched: FetchStats,
        secrets: vigil_secrets::SecretScan,
    ) -> ImageScan {
        let os = OsRelease::detect_with(|rel| {
            os_release_files
                .iter()
                .find(|(p, _)| p == rel)
                .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        });
        if let Some(os) = &os {
            os.apply(&mut inventory.components);
            inventory.os = Some(os.facts());
        }
        ImageScan {
            inventory,
            facts,
            os_release_files,
            fetched,
            secrets,
        }
    }
}

/// Gets an image and inventories it.
pub fn scan_image(source: &ImageSource, options: &ImageOptions) -> Result<ImageScan> {
    let started = std::time::Instant::now();
    match source {
        ImageSource::Local { path, name } => {
            let files = files::Files::open(path)?;
            let mut plan = local::plan_local(&files, &options.platform, name.as_deref())?;
            if let Some(s) = &options.secrets {
                redact_facts(&mut plan, &s.scanner);
            }
            info!(layers = plan.layers.len(), elapsed = ?started.elapsed(), "image metadata read");
            let image = plan.facts.reference.clone();
            let progress = &options.scan.progress;
            progress.start(
                "Reading layers",
                vigil_model::progress::Unit::Items,
                Some(plan.layers.len() as u64),
            );
            let (inventory, os, secrets) = read_layers(&plan, &image, options, |l| {
                progress.advance(1);
                files.open_file(&l.location)
            })?;
            progress.finish();
            Ok(ImageScan::new(
                inventory,
                plan.facts,
                os,
                FetchStats::default(),
                secrets,
            ))
        }
        ImageSource::Registry(text) => {
            let reference = Reference::parse(text)?;
            let mut client = registry::Client::new(&reference, &options.registry);
            let mut plan = client.plan(&options.cache, &options.platform)?;
            plan.facts.reference = text.clone();
            if let Some(s) = &options.secrets {
                redact_facts(&mut plan, &s.scanner);
            }
            info!(layers = plan.layers.len(), elapsed = ?started.elapsed(), "image manifest read");
            let image = text.clone();
            let cache = options.cache.clone();
            let progress = &options.scan.progress;
            progress.start(
                "Pulling and reading layers",
                vigil_model::progress::Unit::Items,
                Some(plan.layers.len() as u64),
            );
            let result = read_layers(&plan, &image, options, |l| {
                progress.advance(1);
                let digest = l.digest.clone().ok_or_else(|| {
                    Error::invalid(&image, format!("layer {} has no digest", l.layer.index))
                })?;
                let path =
                    client.blob(&cache, &digest, l.size, &format!("layer {}", l.layer.index))?;
                let file = fs_err::File::open(&path).map_err(|e| Error::io(path.display(), e))?;
                Ok(Box::new(file) as Box<dyn Read + Send>)
            });
            progress.finish();
            let (inventory, os, secrets) = match result {
                Ok(x) => x,
                Err(e) => {
                    // A cached blob found corrupt is dropped, so that the
                    // next scan downloads it again.
                    if let Error::DigestMismatch { expected, .. } = &e {
                        if let Some(d) = Digest::parse(expected) {
                            cache.evict(&d);
                        }
                    }
                    return Err(e);
                }
            };
            info!(
                downloaded = client.stats.downloaded.len(),
                cached = client.stats.cached.len(),
                elapsed = ?started.elapsed(),
                "image read"
            );
            Ok(ImageScan::new(
                inventory,
                plan.facts,
                os,
                client.stats,
                secrets,
            ))
        }
    }
}

/// OS release files: `(path, content)`.
type ReleaseFiles = Vec<(String, Vec<u8>)>;

/// Layer compression, told by the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Reads every layer, base first, verifying each blob's digest and its
/// uncompressed digest as it streams.
fn read_layers(
    plan: &Plan,
    image: &str,
    options: &ImageOptions,
    mut open: impl FnMut(&LayerPlan) -> Result<Box<dyn Read + Send>>,
) -> Result<(Inventory, ReleaseFiles, vigil_secrets::SecretScan)> {
    let mut squash = Squash::new(options.scan.clone());
    if let Some(s) = &options.secrets {
        squash = squash.with_secrets(s.clone());
    }
    for l in &plan.layers {
        let what = format!("layer {} ({})", l.layer.index, l.layer.digest);
        let started = std::time::Instant::now();
        let raw = open(l)?;
        let io = |e: std::io::Error| Error::invalid(image, format!("{what} cannot be read: {e}"));
        let mut buffered = BufReader::with_capacity(256 * 1024, Hashing::new(raw));
        let kind = compression(buffered.fill_buf().map_err(io)?);
        let diff = match kind {
            Compression::Gzip => {
                let mut tar = Hashing::new(flate2::bufread::MultiGzDecoder::new(buffered));
                squash.apply_layer(&l.layer, &mut tar);
                let (diff, _, gz) = tar.finish().map_err(io)?;
                buffered = gz.into_inner();
                Some(diff)
            }
            Compression::None => {
                let mut tar = Hashing::new(buffered);
                squash.apply_layer(&l.layer, &mut tar);
                let (diff, _, inner) = tar.finish().map_err(io)?;
                buffered = inner;
                Some(diff)
            }
            Compression::Zstd => {
                squash.layer_warning(
                    &l.layer,
                    "is zstd-compressed, which this build does not read: its files are not inventoried".to_string(),
                );
                None
            }
        };
        std::io::copy(&mut buffered, &mut std::io::sink()).map_err(io)?;
        let (actual, bytes, _) = buffered.into_inner().finish().map_err(io)?;
        if let Some(expected) = &l.digest {
            expected.check(&actual, image, &what)?;
        }
        if let (Some(expected), Some(diff)) = (&l.diff_id, &diff) {
            expected.check(diff, image, &format!("{what}, uncompressed,"))?;
        }
        info!(layer = l.layer.index, bytes, compression = ?kind, elapsed = ?started.elapsed(), "layer read");
    }
    let os = squash.os_release_files();
    let mut secrets = squash.take_secrets();
    if let Some(s) = &options.secrets {
        let config = config_secrets(&s.scanner, &plan.config_texts);
        secrets.files += usize::from(!plan.config_texts.is_empty());
        secrets.findings.extend(config);
    }
    Ok((squash.into_inventory(), os, secrets))
}

/// Replaces the secrets in the texts of the image facts a report shows
/// (the layers' `created_by`, `Cmd`, `Entrypoint`) by their redacted
/// form: a build argument in a `RUN` line must not reach the report
/// through the list of layers.
fn redact_facts(plan: &mut Plan, scanner: &vigil_secrets::Scanner) {
    let redact = |text: &mut String, what: &str| {
        if let Some(r) = vigil_secrets::redact_text(scanner, what, text) {
            *text = r;
        }
    };
    let history = format!("{CONFIG_PATH_PREFIX}history");
    for l in &mut plan.layers {
        if let Some(c) = &mut l.layer.created_by {
            redact(c, &history);
        }
    }
    for l in &mut plan.facts.layers {
        if let Some(c) = &mut l.created_by {
            redact(c, &history);
        }
    }
    let cmd = format!("{CONFIG_PATH_PREFIX}Cmd");
    for arg in plan.facts.cmd.iter_mut().chain(&mut plan.facts.entrypoint) {
        redact(arg, &cmd);
    }
}

/// The secrets written in the image configuration: each text is scanned
/// alone, its findings at `image-config:<field>` with the entry's position
/// as their line (an `Env` entry `AWS_SECRET_ACCESS_KEY=...` is scanned
/// as that line, so that rules keyed on the variable's name match).
fn config_secrets(
    scanner: &vigil_secrets::Scanner,
    texts: &[plan::ConfigText],
) -> Vec<vigil_model::Finding> {
    let mut out = Vec::new();
    for t in texts {
        let path = format!("{CONFIG_PATH_PREFIX}{}", t.field);
        for mut f in vigil_secrets::scan_bytes(scanner, &path, t.text.as_bytes()) {
            // A multi-line text (a heredoc in a RUN): the column is on the
            // entry's own line; the line is the entry's position.
            f.location.line = Some(t.index);
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
#[path = "lib_tests.rs"]
mod tests;
