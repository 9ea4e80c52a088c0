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
}
