//! Facts about a scanned container image.

use serde::Serialize;

use crate::LayerRef;

/// What a report says about a scanned container image, beside its
/// components.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageFacts {
    /// The image as the user named it (a reference, or the archive or
    /// directory given).
    pub reference: String,
    /// The digest of the image manifest (`sha256:...`), where the source
    /// has one (a `docker save` archive without an OCI index has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The digest of the image index (manifest list) the manifest was
    /// chosen from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_digest: Option<String>,
    /// The digest of the image configuration.
    pub config_digest: String,
    /// `os/architecture[/variant]`, from the configuration.
    pub platform: String,
    /// The user the container runs as, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Exposed ports (`8080/tcp`), sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exposed_ports: Vec<String>,
    /// The entrypoint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// The default command.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// The layers, base first, each with the command that created it.
    pub layers: Vec<LayerRef>,
}

/// The distribution of an image or root filesystem, as its release files
/// name it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsFacts {
    /// Its `PRETTY_NAME` (or ID and version).
    pub name: String,
    /// The OSV ecosystem its packages are matched in (`Debian:12`), when
    /// vigil knows the distribution and release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
}
