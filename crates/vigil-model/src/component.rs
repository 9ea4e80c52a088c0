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
}

impl Location {
    /// A location at a path, with an optional line.
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Location {
            path: path.into(),
            line,
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
    /// The declared license, as an SPDX expression where the source gives
    /// one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
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
}
