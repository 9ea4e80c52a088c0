//! Images on disk: an OCI image layout (a directory, or an OCI archive
//! tar of one) and `docker save` archives.

use serde::Deserialize;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::plan::{self, ManifestDoc, Plan, Platform, MAX_METADATA};

/// Reads the image's metadata from a local source: which layers, where.
pub(crate) fn plan_local(files: &Files, platform: &Platform, wanted: Option<&str>) -> Result<Plan> {
    if files.has("index.json") {
        oci_layout(files, platform, wanted)
    } else if files.has("manifest.json") {
        docker_save(files, wanted)
    } else {
        Err(Error::invalid(
            files.shown(),
            "neither an OCI image layout (no index.json) nor a `docker save` archive (no manifest.json)",
        ))
    }
}

/// The path of a blob in a layout.
fn blob_path(d: &Digest) -> String {
    format!("blobs/sha256/{}", d.hex())
}

/// Reads a blob of a layout whole and verifies it.
fn read_blob(files: &Files, image: &str, d: &Digest, what: &str) -> Result<Vec<u8>> {
    let bytes = files.read_small(&blob_path(d), MAX_METADATA)?;
    d.verify(&bytes, image, what)?;
    Ok(bytes)
}

fn oci_layout(files: &Files, platform: &Platform, wanted: Option<&str>) -> Result<Plan> {
    let image = files.shown();
    let index_bytes = files.read_small("index.json", MAX_METADATA)?;
    let ManifestDoc::Index(index) =
        plan::parse_manifest(&files.shown_file("index.json"), &index_bytes)?
    else {
        return Err(Error::invalid(
            files.shown_file("index.json"),
            "not an image index",
        ));
    };
    // A layout may hold several images, told apart by their ref name.
    let mut candidates: Vec<&oci_spec::image::Descriptor> = index.manifests().iter().collect();
    if let Some(name) = wanted {
        candidates.retain(|d| {
            d.annotations()
                .as_ref()
                .and_then(|a| a.get("org.opencontainers.image.ref.name"))
                .is_some_and(|r| r == name || name.ends_with(&format!(":{r}")))
        });
        if candidates.is_empty() {
            return Err(Error::invalid(
                &image,
                format!("no image named `{name}` in the layout's index.json"),
            ));
        }
    }
    let mut index_digest = None;
    let descriptor = if candidates.len() == 1 {
        candidates[0].clone()
    } else {
        let mut sub = index.clone();
        sub.set_manifests(candidates.into_iter().cloned().collect());
        plan::select_platform(&image, &sub, platform)?.clone()
    };
    let mut digest = Digest::parse_for(&image, "the manifest", descriptor.digest().as_ref())?;
    // Follow nested indexes down to a manifest.
    let mut depth = 0;
    let manifest = loop {
        let bytes = read_blob(files, &image, &digest, "the manifest")?;
        match plan::parse_manifest(&image, &bytes)? {
            ManifestDoc::Manifest(m) => break m,
            ManifestDoc::Index(nested) => {
                depth += 1;
                if depth > 4 {
                    return Err(Error::invalid(&image, "image indexes nested too deep"));
                }
                let d = plan::select_platform(&image, &nested, platform)?;
                index_digest = Some(digest.to_string());
                digest = Digest::parse_for(&image, "the manifest", d.digest().as_ref())?;
            }
        }
    };
    let config_digest =
        Digest::parse_for(&image, "the config", manifest.config().digest().as_ref())?;
    let config_bytes = read_blob(files, &image, &config_digest, "the config")?;
    let config = plan::parse_config(&image, &config_bytes)?;
    let layers = plan::manifest_layers(&image, &manifest)?
        .into_iter()
        .map(|(_, d, size)| {
            let location = d.as_ref().map(blob_path).unwrap_or_default();
            (location, d, size)
        })
        .collect();
    let mut plan = plan::plan(&image, &config, &config_digest, layers)?;
    plan.facts.digest = Some(digest.to_string());
    plan.facts.index_digest = index_digest;
    Ok(plan)
}

/// One image of a `docker save` archive's `manifest.json`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SavedImage {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn docker_save(files: &Files, wanted: Option<&str>) -> Result<Plan> {
    let image = files.shown();
    let manifest_name = files.shown_file("manifest.json");
    let bytes = files.read_small("manifest.json", MAX_METADATA)?;
    let saved: Vec<SavedImage> = serde_json::from_slice(&bytes).map_err(|e| {
        Error::invalid(&manifest_name, format!("not a `docker save` manifest: {e}"))
    })?;
    let chosen = match wanted {
        Some(name) => saved
            .iter()
            .find(|s| {
                s.repo_tags
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .any(|t| t == name)
            })
            .ok_or_else(|| {
                Error::invalid(&image, format!("no image tagged `{name}` in the archive"))
            })?,
        None => match saved.as_slice() {
            [one] => one,
            [] => return Err(Error::invalid(&manifest_name, "lists no image")),
            many => {
                let tags: Vec<String> = many
                    .iter()
                    .flat_map(|s| s.repo_tags.clone().unwrap_or_default())
                    .collect();
                return Err(Error::invalid(
                    &image,
                    format!(
                        "the archive holds {} images ({}); name one with `vigil scan image TAG --input ARCHIVE`",
                        many.len(),
                        tags.join(", ")
                    ),
                ));
            }
        },
    };
    let config_bytes = files.read_small(&chosen.config, MAX_METADATA)?;
    // The config's file name is its digest (`<hex>.json` or
    // `blobs/sha256/<hex>`).
    let config_digest = Digest::of(&config_bytes);
    if let Some(named) = digest_in_name(&chosen.config) {
        named.check(&config_digest, &image, "the config")?;
    }
    let config = plan::parse_config(&image, &config_bytes)?;
    let layers = chosen
        .layers
        .iter()
        .map(|l| (l.clone(), digest_in_name(l), None))
        .collect();
    plan::plan(&image, &config, &config_digest, layers)
}

/// The digest a `docker save` file name carries (`blobs/sha256/<hex>`,
/// `<hex>.json`); older archives name layers `<id>/layer.tar`, whose id is
/// no digest of the file (the config's `diff_ids` verify those).
fn digest_in_name(name: &str) -> Option<Digest> {
    if let Some(hex) = name.strip_prefix("blobs/sha256/") {
        return Digest::parse(&format!("sha256:{hex}"));
    }
    let hex = name.strip_suffix(".json")?;
    Digest::parse(&format!("sha256:{hex}"))
}
