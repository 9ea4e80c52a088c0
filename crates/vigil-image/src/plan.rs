//! From manifests and configuration to the list of layers to read, and the
//! image facts the report shows.

use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest};
use vigil_model::{ImageFacts, LayerRef};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Media types a registry is asked for.
pub(crate) const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// The largest manifest, index or configuration read.
pub(crate) const MAX_METADATA: u64 = 8 * 1024 * 1024;

/// An `os/arch[/variant]` platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// `linux`, `windows`...
    pub os: String,
    /// `amd64`, `arm64`...
    pub architecture: String,
    /// `v7`, `v8`... when given.
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".to_string(),
            architecture: "amd64".to_string(),
            variant: None,
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "`{s}` is not a platform: write os/arch or os/arch/variant (linux/arm64/v8)"
            ));
        }
        Ok(Platform {
            os: parts[0].to_string(),
            architecture: parts[1].to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// What a manifest document is.
pub(crate) enum ManifestDoc {
    /// An image index or manifest list.
    Index(Box<ImageIndex>),
    /// An image manifest.
    Manifest(Box<ImageManifest>),
}

/// Reads a manifest or index (OCI or Docker v2 schema 2).
pub(crate) fn parse_manifest(image: &str, bytes: &[u8]) -> Result<ManifestDoc> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid(image, format!("the manifest is not JSON: {e}")))?;
    if value.get("schemaVersion").and_then(|v| v.as_u64()) == Some(1) {
        return Err(Error::invalid(
            image,
            "a Docker schema 1 manifest, which registries deprecated long ago: not read",
        ));
    }
    if value.get("manifests").is_some() {
        serde_json::from_value(value)
            .map(|i| ManifestDoc::Index(Box::new(i)))
            .map_err(|e| Error::invalid(image, format!("not a valid image index: {e}")))
    } else {
        serde_json::from_value(value)
            .map(|m| ManifestDoc::Manifest(Box::new(m)))
            .map_err(|e| Error::invalid(image, format!("not a valid image manifest: {e}")))
    }
}

/// The manifest of an index for a platform.
pub(crate) fn select_platform<'a>(
    image: &str,
    index: &'a ImageIndex,
    platform: &Platform,
) -> Result<&'a Descriptor> {
    let mut seen = Vec::new();
    let arm64_v8 = |v: Option<&str>| {
        if platform.architecture == "arm64" {
            v.unwrap_or("v8").to_string()
        } else {
            v.unwrap_or("").to_string()
        }
    };
    for d in index.manifests() {
        let Some(p) = d.platform() else { continue };
        let (os, arch) = (p.os().to_string(), p.architecture().to_string());
        if os == "unknown" {
            // Attestations and other artefacts.
            continue;
        }
        let variant = p.variant().as_deref();
        if os == platform.os
            && arch == platform.architecture
            && (platform.variant.is_none()
                || arm64_v8(variant) == arm64_v8(platform.variant.as_deref()))
        {
            return Ok(d);
        }
        seen.push(match variant {
            Some(v) => format!("{os}/{arch}/{v}"),
            None => format!("{os}/{arch}"),
        });
    }
    // An index of one manifest that says nothing of its platform.
    let unlabelled: Vec<&Descriptor> = index
        .manifests()
        .iter()
        .filter(|d| d.platform().is_none())
        .collect();
    if seen.is_empty() && unlabelled.len() == 1 {
        return Ok(unlabelled[0]);
    }
    seen.sort();
    seen.dedup();
    Err(Error::invalid(
        image,
        format!(
            "no manifest for platform {platform} (the image has: {}); choose one with --platform",
            if seen.is_empty() {
                "none labelled".to_string()
            } else {
                seen.join(", ")
            }
        ),
    ))
}

/// A layer as a manifest lists it: where its blob is, its digest and size.
pub(crate) type LayerBlob = (String, Option<Digest>, Option<u64>);

/// One layer to read.
#[derive(Debug, Clone)]
pub(crate) struct LayerPlan {
    /// How the report names it.
    pub(crate) layer: LayerRef,
    /// Where its blob is (a digest for registries and layouts, a path in
    /// a `docker save` archive).
    pub(crate) location: String,
    /// The digest of the blob as stored, when the source names it.
    pub(crate) digest: Option<Digest>,
    /// The digest of the uncompressed tar (the config's `diff_ids`).
    pub(crate) diff_id: Option<Digest>,
    /// Its size as the manifest gives it.
    pub(crate) size: Option<u64>,
}

/// The layers to read and the facts to report.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) facts: ImageFacts,
    pub(crate) layers: Vec<LayerPlan>,
    /// The configuration's texts a secret may be written in.
    pub(crate) config_texts: Vec<ConfigText>,
}

/// One text of the image configuration, for the secret scan: an `Env`
/// entry (`KEY=VALUE`), a label (`KEY=VALUE`), the `Cmd` or `Entrypoint`
/// (its arguments joined by spaces), a `history` entry's `created_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigText {
    /// Where it is: `Env`, `Labels`, `Cmd`, `Entrypoint`, `history`.
    pub(crate) field: &'static str,
    /// Its 1-based position in the field (labels sorted by key).
    pub(crate) index: u32,
    /// The text.
    pub(crate) text: String,
}

/// The texts of a configuration a secret may be written in.
fn config_texts(config: &ImageConfiguration) -> Vec<ConfigText> {
    let mut out = Vec::new();
    let mut push = |field: &'static str, i: usize, text: String| {
        if !text.is_empty() {
            out.push(ConfigText {
                field,
                index: u32::try_from(i + 1).unwrap_or(u32::MAX),
                text,
            });
        }
    };
    if let Some(c) = config.config() {
        for (i, e) in c.env().iter().flatten().enumerate() {
            push("Env", i, e.clone());
        }
        if let Some(cmd) = c.cmd() {
            push("Cmd", 0, cmd.join(" "));
        }
        if let Some(ep) = c.entrypoint() {
            push("Entrypoint", 0, ep.join(" "));
        }
        let mut labels: Vec<(&String, &String)> = c.labels().iter().flatten().collect();
        labels.sort();
        for (i, (k, v)) in labels.into_iter().enumerate() {
            push("Labels", i, format!("{k}={v}"));
        }
    }
    for (i, h) in config.history().iter().flatten().enumerate() {
        if let Some(by) = h.created_by() {
            push("history", i, by.clone());
        }
    }
    out
}

/// Reads the configuration (already verified against its digest).
pub(crate) fn parse_config(image: &str, bytes: &[u8]) -> Result<ImageConfiguration> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid(image, format!("the image configuration is not valid: {e}")))
}

/// Builds the plan from the configuration and the layers' digests
/// (`(location, blob digest, size)`, base first).
pub(crate) fn plan(
    image: &str,
    config: &ImageConfiguration,
    config_digest: &Digest,
    layers: Vec<LayerBlob>,
) -> Result<Plan> {
    let diff_ids = config.rootfs().diff_ids();
    if diff_ids.len() != layers.len() {
        return Err(Error::invalid(
            image,
            format!(
                "the manifest lists {} layers but the configuration {} (rootfs.diff_ids)",
                layers.len(),
                diff_ids.len()
            ),
        ));
    }
    // History entries of layers, skipping those that made no layer.
    let created_by: Vec<Option<String>> = config
        .history()
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|h| !h.empty_layer().unwrap_or(false))
        .map(|h| h.created_by().clone())
        .collect();
    let mut plans = Vec::with_capacity(layers.len());
    for (i, ((location, digest, size), diff_id)) in layers.into_iter().zip(diff_ids).enumerate() {
        let diff_id = Digest::parse_for(image, &format!("layer {i}'s diff_id"), diff_id)?;
        let shown = digest.as_ref().unwrap_or(&diff_id).to_string();
        plans.push(LayerPlan {
            layer: LayerRef {
                digest: shown,
                index: u32::try_from(i).unwrap_or(u32::MAX),
                created_by: created_by.get(i).cloned().flatten(),
            },
            location,
            digest,
            diff_id: Some(diff_id),
            size,
        });
    }
    let c = config.config().as_ref();
    let mut exposed_ports = c
        .and_then(|c| c.exposed_ports().clone())
        .unwrap_or_default();
    exposed_ports.sort();
    let mut platform = format!("{}/{}", config.os(), config.architecture());
    if let Some(v) = config.variant() {
        platform.push('/');
        platform.push_str(v);
    }
    let facts = ImageFacts {
        reference: image.to_string(),
        digest: None,
        index_digest: None,
        config_digest: config_digest.to_string(),
        platform,
        user: c.and_then(|c| c.user().clone()).filter(|u| !u.is_empty()),
        exposed_ports,
        entrypoint: c.and_then(|c| c.entrypoint().clone()).unwrap_or_default(),
        cmd: c.and_then(|c| c.cmd().clone()).unwrap_or_default(),
        layers: plans.iter().map(|p| p.layer.clone()).collect(),
    };
    Ok(Plan {
        facts,
        layers: plans,
        config_texts: config_texts(config),
    })
}

/// The layers of a manifest as `(location, digest, size)`, located by
/// digest.
pub(crate) fn manifest_layers(image: &str, manifest: &ImageManifest) -> Result<Vec<LayerBlob>> {
    manifest
        .layers()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let digest = Digest::parse_for(image, &format!("layer {i}"), d.digest().as_ref())?;
            Ok((digest.to_string(), Some(digest), Some(d.size())))
        })
        .collect()
}
