//! `vigil scan image`: get the image, inventory its layers, then match
//! and report as any scan.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use vigil_image::{BlobCache, CaBundle, Credentials, ImageOptions, ImageSource, RegistryOptions};

use crate::cli::{GlobalArgs, ImageArgs, ImageSourceArgs};
use crate::Outcome;

/// Where `docker login` keeps credentials: `$DOCKER_CONFIG`, else
/// `~/.docker`.
fn docker_config_dir() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => dirs::home_dir().map(|h| h.join(".docker")),
    }
}

/// The certificate authorities of each `--ca-file`, and of the file
/// `SSL_CERT_FILE` names, read up front so that a bad file stops the scan
/// before any connection.
fn ca_bundles(files: &[PathBuf]) -> Result<Vec<CaBundle>> {
    let mut bundles = Vec::new();
    for file in files {
        bundles.push(CaBundle::load(file).context("--ca-file")?);
    }
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        let file = PathBuf::from(file);
        bundles.push(CaBundle::load(&file).context("the SSL_CERT_FILE environment variable")?);
    }
    for b in &bundles {
        tracing::debug!(file = %b.path().display(), certificates = b.len(), "trusted certificate authorities");
    }
    Ok(bundles)
}

pub(crate) fn scan_image(global: &GlobalArgs, args: &ImageArgs) -> Result<Outcome> {
    let started = std::time::Instant::now();
    // An image has no scan root: only --ignorefile names an ignore file.
    let gates = crate::gates::Gates::load(&args.report, None)?;
    let secrets = if args.no_secrets {
        None
    } else {
        Some(vigil_image::SecretOptions {
            scanner: std::sync::Arc::new(crate::secrets::scanner(&args.secret_rules)?),
            max_file_size: args.report.limits.max_file_size.saturating_mul(1024 * 1024),
        })
    };
    let (scan, target) = read_image(
        global,
        &args.image,
        crate::scan::scan_options(&args.report.limits),
        secrets,
    )?;
    let store = crate::scan::open_database(global)?;
    let mut checks = crate::scan::FileChecks::default();
    if !args.no_secrets {
        tracing::info!(
            files = scan.secrets.files,
            bytes = scan.secrets.bytes,
            findings = scan.secrets.findings.len(),
            "image secrets checked"
        );
        checks.findings.extend(scan.secrets.findings);
        checks.diagnostics.extend(scan.secrets.diagnostics);
    }
    let source = crate::source::for_image(&scan.facts.reference, scan.facts.digest.as_deref());
    crate::scan::finish(
        &args.report,
        &gates,
        target,
        source,
        store,
        scan.inventory,
        checks,
        Some(scan.facts),
        started,
        &|_| {},
        // An image's executables are inside its layers, not on this
        // machine.
        &|_| None,
    )
}

/// Gets the image and takes its inventory; returns it with the target's
/// name as reports show it.
pub(crate) fn read_image(
    global: &GlobalArgs,
    args: &ImageSourceArgs,
    scan_options: vigil_inventory::ScanOptions,
    secrets: Option<vigil_image::SecretOptions>,
) -> Result<(vigil_image::ImageScan, String)> {
    let platform = args
        .platform
        .parse::<vigil_image::Platform>()
        .map_err(anyhow::Error::msg)?;
    let (source, target) = match (&args.input, &args.reference) {
        (Some(path), name) => {
            if !path.exists() {
                bail!("{}: no such file or directory", path.display());
            }
            (
                ImageSource::Local {
                    path: path.clone(),
                    name: name.clone(),
                },
                path.display().to_string(),
            )
        }
        (None, Some(reference)) => {
            if global.offline {
                bail!("pulling `{reference}` needs the network, but --offline was given\nhint: scan a saved image with --input ARCHIVE");
            }
            (ImageSource::Registry(reference.clone()), reference.clone())
        }
        (None, None) => bail!("give an image reference, or --input ARCHIVE|DIR"),
    };
    let credentials = match (&args.username, args.password_stdin) {
        (Some(user), true) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            if password.is_empty() {
                bail!("--password-stdin: stdin gave an empty password");
            }
            Some(Credentials {
                username: user.clone(),
                password,
            })
        }
        _ => match (&source, docker_config_dir()) {
            (ImageSource::Registry(r), Some(dir)) => vigil_image::Reference::parse(r)
                .ok()
                .and_then(|r| vigil_image::registry::docker_config_credentials(&dir, &r.registry)),
            _ => None,
        },
    };
    let ca_bundles = match &source {
        ImageSource::Registry(_) => ca_bundles(&args.ca_file)?,
        _ => Vec::new(),
    };
    let options = ImageOptions {
        platform,
        scan: scan_options,
        cache: BlobCache::new(crate::db::cache_dir(global)?.join("blobs")),
        registry: RegistryOptions {
            insecure: args.insecure,
            ca_bundles,
            credentials,
        },
        secrets,
    };
    let started = std::time::Instant::now();
    let scan = vigil_image::scan_image(&source, &options)?;
    tracing::info!(
        layers = scan.facts.layers.len(),
        downloaded = scan.fetched.downloaded.len(),
        cached = scan.fetched.cached.len(),
        os_release_files = scan.os_release_files.len(),
        elapsed = ?started.elapsed(),
        "image read"
    );
    Ok((scan, target))
}
