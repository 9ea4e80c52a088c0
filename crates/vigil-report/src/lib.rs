//! Report writers. The [`Report`] is the one result of a scan; each output
//! format is one module that writes it.
//!
//! Invariants:
//! - Only this crate knows output wire formats. The JSON schema is
//!   documented in `docs/report-json.md` and versioned by
//!   [`SCHEMA_VERSION`].
//! - Output is deterministic: the same scan gives byte-identical output
//!   (every list is sorted; no hash-map order leaks out).
//! - Meaning never depends on colour alone.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod common;
mod cyclonedx;
mod json;
mod junit;
#[cfg(test)]
mod kind_tests;
mod markdown;
mod sarif;
#[cfg(test)]
mod schema_tests;
mod spdx;
mod table;
#[cfg(test)]
mod testutil;

use serde::{Deserialize, Serialize};
use vigil_model::{
    Component, Diagnostic, Ecosystem, Finding, FindingKind, ImageFacts, LayerRef, Location,
    NotChecked, Remediation, Severity, SuppressionKind,
};

pub use cyclonedx::{cyclonedx_value, write_cyclonedx};
pub use json::write_json;
pub use junit::{write_junit, Gate, JunitOptions};
pub use markdown::write_markdown;
pub use sarif::{sarif_value, write_sarif};
pub use spdx::{spdx_value, write_spdx};
pub use table::{write_table, Sort, TableOptions};

/// Where vigil lives, as reports name the tool.
pub const TOOL_URI: &str = "https://github.com/vigil-sec/vigil";

/// How to write an SBOM (CycloneDX, SPDX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SbomOptions {
    /// The creation time, seconds since the Unix epoch (`SOURCE_DATE_EPOCH`
    /// when set, so that the same input gives the same bytes).
    pub created: i64,
    /// Whether the document reports vulnerabilities (a scan) or is an
    /// inventory only (`vigil sbom`): CycloneDX then has no
    /// `vulnerabilities` array and SPDX no advisory references.
    pub vulnerabilities: bool,
}

/// The version of the JSON report's schema.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool that wrote a report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `vigil`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A component in a report: one package at one version, with every place
/// it was declared.
#[derive(Debug, Clone, Serialize)]
pub struct ReportComponent {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its package URL.
    pub purl: String,
    /// Every place it was declared, sorted.
    pub locations: Vec<Location>,
    /// Whether any of those places declares it directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// Whether every one of those places declares it for development only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<bool>,
    /// Whether every one of those places declares it optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// The names of the packages it depends on, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Content hashes as the sources wrote them, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<String>,
    /// The declared license (SPDX expression where given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// For OS packages: the distribution release (`12`, `22.04:LTS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// For OS packages: the source package it was built from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<vigil_model::SourcePackage>,
    /// In a container image: the (lowest) layer that introduced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

/// What kind of target a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A directory inside a git work tree.
    Repository,
    /// A container image.
    Image,
    /// A root filesystem.
    Rootfs,
    /// A directory (or file) outside any git work tree.
    Directory,
    /// An SBOM file.
    Sbom,
    /// A running host (or an agent snapshot of one).
    Host,
}

/// The identity of a scanned target (the report's `source`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSource {
    /// What kind of target it is.
    pub kind: SourceKind,
    /// Its name: the repository's URL (or its directory's name), the
    /// image reference, the directory's or file's name, the host name.
    pub name: String,
    /// For a repository: the URL of its `origin` remote, without
    /// credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// For a repository: the commit checked out (`HEAD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// For a repository: the branch checked out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// For an image: its manifest digest (`sha256:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl ScanSource {
    /// A source of `kind` named `name`, with nothing else known.
    pub fn new(kind: SourceKind, name: impl Into<String>) -> ScanSource {
        ScanSource {
            kind,
            name: name.into(),
            repository: None,
            commit: None,
            branch: None,
            digest: None,
        }
    }
}

/// The result of a scan.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool.
    pub tool: Tool,
    /// What was scanned, as the user named it.
    pub target: String,
    /// What was scanned, as a server gathering reports identifies it: a
    /// repository (URL, commit, branch), an image (reference, digest), a
    /// root filesystem, directory, SBOM or host. `vigil scan` always
    /// sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ScanSource>,
    /// For a container image: its facts (digest, platform, user, ports,
    /// entrypoint, layers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageFacts>,
    /// The distribution of a root filesystem or image, when it has OS
    /// packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<vigil_model::OsFacts>,
    /// Every component found, merged by ecosystem, name and version.
    pub components: Vec<ReportComponent>,
    /// Every finding, suppressed ones included (with their `suppression`).
    pub findings: Vec<Finding>,
    /// Per vulnerable package and file: the smallest version that fixes
    /// its open findings and how it was introduced, sorted by ecosystem,
    /// name, version and file.
    pub remediation: Vec<Remediation>,
    /// Components that could not be checked, with the reason.
    pub not_checked: Vec<NotChecked>,
    /// Files and advisories that could not be read; the scan went on
    /// without them.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Builds a report. Components are merged by (ecosystem, name, version)
    /// and sorted; findings and the rest are sorted.
    pub fn new(
        target: impl Into<String>,
        mut components: Vec<Component>,
        mut findings: Vec<Finding>,
        mut not_checked: Vec<NotChecked>,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Report {
        // Sort, then merge runs of the same package: no map, no clones.
        components.sort_unstable_by(|a, b| {
            (a.ecosystem, &a.name, &a.version).cmp(&(b.ecosystem, &b.name, &b.version))
        });
        let mut merged: Vec<ReportComponent> = Vec::with_capacity(components.len());
        for c in components {
            if let Some(last) = merged.last_mut() {
                if last.ecosystem == c.ecosystem && last.name == c.name && last.version == c.version
                {
                    last.locations.extend(c.locations);
                    last.direct = match (last.direct, c.direct) {
                        (Some(a), Some(b)) => Some(a || b),
                        (a, b) => a.or(b),
                    };
                    last.dev = match (last.dev, c.dev) {
                        (Some(a), Some(b)) => Some(a && b),
                        (a, b) => a.or(b),
                    };
                    last.optional = match (last.optional, c.optional) {
                        (Some(a), Some(b)) => Some(a && b),
                        (a, b) => a.or(b),
                    };
                    last.dependencies.extend(c.dependencies);
                    last.hashes.extend(c.hashes);
                    if last.license.is_none() {
                        last.license = c.license;
                    }
                    if let Some(l) = c.layer {
                        if last.layer.as_ref().is_none_or(|m| l.index < m.index) {
                            last.layer = Some(l);
                        }
                    }
                    continue;
                }
            }
            merged.push(ReportComponent {
                ecosystem: c.ecosystem,
                name: c.name,
                version: c.version,
                purl: c.purl,
                locations: c.locations,
                direct: c.direct,
                dev: c.dev,
                optional: c.optional,
                dependencies: c.dependencies,
                hashes: c.hashes,
                license: c.license,
                release: c.release,
                source: c.source,
                layer: c.layer,
            });
        }
        for c in &mut merged {
            for list in [&mut c.dependencies, &mut c.hashes] {
                if list.len() > 1 {
                    list.sort();
                    list.dedup();
                }
            }
            if c.locations.len() > 1 {
                c.locations.sort();
                c.locations.dedup();
            }
        }
        let components = merged;
        findings.sort_by(|a, b| {
            let ka = (
                &a.location,
                a.package.as_ref().map(|p| (&p.name, &p.version)),
                &a.id,
            );
            let kb = (
                &b.location,
                b.package.as_ref().map(|p| (&p.name, &p.version)),
                &b.id,
            );
            ka.cmp(&kb)
        });
        not_checked.sort();
        not_checked.dedup();
        diagnostics.sort();
        diagnostics.dedup();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "vigil".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            target: target.into(),
            source: None,
            image: None,
            os: None,
            components,
            findings,
            remediation: Vec::new(),
            not_checked,
            diagnostics,
        }
    }

    /// Sets the remediation advice, sorted.
    pub fn with_remediation(mut self, mut remediation: Vec<Remediation>) -> Report {
        remediation.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.version, &a.path).cmp(&(
                b.ecosystem,
                &b.name,
                &b.version,
                &b.path,
            ))
        });
        self.remediation = remediation;
        self
    }

    /// The findings that are open: not suppressed.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// How many findings are suppressed, per kind of suppression (those
    /// with any), in the order ignore, VEX, baseline.
    pub fn suppressed_counts(&self) -> Vec<(SuppressionKind, usize)> {
        [
            SuppressionKind::Ignore,
            SuppressionKind::Vex,
            SuppressionKind::Baseline,
            SuppressionKind::Inline,
        ]
        .into_iter()
        .map(|k| {
            (
                k,
                self.findings
                    .iter()
                    .filter(|f| f.suppression.as_ref().is_some_and(|s| s.kind == k))
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// Counts of open (not suppressed), non-informational vulnerability
    /// findings per severity, from CRITICAL down to UNKNOWN.
    pub fn severity_counts(&self) -> Vec<(Severity, usize)> {
        let order = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Unknown,
        ];
        order
            .iter()
            .map(|s| {
                (
                    *s,
                    self.findings
                        .iter()
                        .filter(|f| {
                            f.kind == FindingKind::Vulnerability
                                && f.suppression.is_none()
                                && f.informational.is_none()
                                && f.severity == *s
                        })
                        .count(),
                )
            })
            .collect()
    }
}
