//! Components: the packages an inventory finds.

use serde::Serialize;

use crate::Ecosystem;

/// Where something was found: a path relative to the scan root and, when the
/// format tells, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    /// 1-based line number, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The last line of what is located, where known and not `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// The 1-based column (in characters of the line), where known: for
    /// secrets, where the secret starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    /// A location at a path, with an optional line.
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Location {
            path: path.into(),
            line,
            end_line: None,
            column: None,
        }
    }
}

/// A software component (a package at one version) found by an extractor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name, as the source wrote it (Maven: `group:artifact`).
    pub name: String,
    /// Its version, as the source wrote it.
    pub version: String,
    /// Its package URL.
    pub purl: String,
    /// Where it was declared.
    pub locations: Vec<Location>,
    /// Whether it is a direct dependency of the project, where the format
    /// tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// Whether it is only a development dependency, where the format tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<bool>,
    /// Whether it is an optional (or peer) dependency, where the format
    /// tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// The names of the packages it depends on, as resolved in the same
    /// file (so that reports can show the path that introduced a package).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Content hashes as the source wrote them (`sha512-...`,
    /// `sha256:...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<String>,
    /// The declared license: an SPDX expression where the declared text is
    /// one or reads as one (normalized: `Apache 2.0` is `Apache-2.0`), the
    /// text as written otherwise (see [`crate::license`];
    /// [`crate::license::is_spdx_expression`] tells which).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// For OS packages: the distribution release, as OSV writes it after
    /// the ecosystem (`12` in `Debian:12`, `22.04:LTS`, `v3.20`, `9`).
    /// Only the advisories of that release apply; an OS package without a
    /// release is not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// For OS packages: the source package it was built from (Debian's
    /// `Source:`, Alpine's origin, the source RPM), where the database
    /// tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// For components found in a container image: the layer that
    /// introduced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

/// The source package an OS package was built from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourcePackage {
    /// Its name.
    pub name: String,
    /// Its version, where it differs from the binary package's or is known
    /// (Debian binNMUs and packages versioned apart from their source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The image layer that introduced a component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LayerRef {
    /// The layer's digest (`sha256:...`), as the image manifest names it.
    pub digest: String,
    /// The layer's position in the image, from 0 (the base).
    pub index: u32,
    /// The command that created it, from the image history, where given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl Component {
    /// A component with its purl computed from ecosystem, name and version.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        let name = name.into();
        let version = version.into();
        let purl = crate::purl::for_package(ecosystem, &name, Some(&version));
        Component {
            ecosystem,
            name,
            version,
            purl,
            locations: Vec::new(),
            direct: None,
            dev: None,
            optional: None,
            dependencies: Vec::new(),
            hashes: Vec::new(),
            license: None,
            release: None,
            source: None,
            layer: None,
        }
    }

    /// Adds a location.
    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.locations.push(Location::new(path, line));
        self
    }

    /// Sets the direct flag.
    pub fn direct(mut self, direct: Option<bool>) -> Self {
        self.direct = direct;
        self
    }

    /// Sets the dev flag.
    pub fn dev(mut self, dev: Option<bool>) -> Self {
        self.dev = dev;
        self
    }

    /// Sets the optional flag.
    pub fn optional(mut self, optional: Option<bool>) -> Self {
        self.optional = optional;
        self
    }

    /// Sets the names of its dependencies.
    pub fn depends_on(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.dependencies = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a content hash.
    pub fn hash(mut self, hash: impl Into<String>) -> Self {
        self.hashes.push(hash.into());
        self
    }

    /// Sets the declared license.
    pub fn license(mut self, license: Option<String>) -> Self {
        self.license = license;
        self
    }

    /// Sets the source package.
    pub fn source(mut self, name: impl Into<String>, version: Option<String>) -> Self {
        self.source = Some(SourcePackage {
            name: name.into(),
            version,
        });
        self
    }

    /// The name and version advisories use for this component: for Debian,
    /// Ubuntu and Alpine the source package (origin) and its version, which
    /// is how those distributions publish advisories; for everything else
    /// (the Red Hat family names binary RPMs) its own.
    pub fn advisory_key(&self) -> (&str, &str) {
        match (
            &self.source,
            self.ecosystem.advisories_name_source_packages(),
        ) {
            (Some(src), true) => (
                src.name.as_str(),
                src.version.as_deref().unwrap_or(self.version.as_str()),
            ),
            _ => (self.name.as_str(), self.version.as_str()),
        }
    }
}
