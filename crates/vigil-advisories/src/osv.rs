//! The OSV schema, as much of it as vigil reads.
//!
//! Deserialization is tolerant: unknown fields are ignored, and event values
//! that are not strings are kept as JSON so that one odd record never hides
//! the others (some real PyPI records carry malformed GIT-range events).

use serde::Deserialize;
use serde_json::Value;

/// One OSV record.
#[derive(Debug, Clone, Deserialize)]
pub struct Vulnerability {
    /// Its ID (`GHSA-...`, `PYSEC-...`, `RUSTSEC-...`, `GO-...`).
    pub id: String,
    /// When it was last modified (RFC 3339), as written.
    #[serde(default)]
    pub modified: String,
    /// When it was published.
    #[serde(default)]
    pub published: Option<String>,
    /// When it was withdrawn; withdrawn records never match.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Other IDs of the same issue.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// IDs of related but different issues.
    #[serde(default)]
    pub related: Vec<String>,
    /// A one-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// The full description (Markdown).
    #[serde(default)]
    pub details: Option<String>,
    /// Severity assessments of the whole record.
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// The affected packages.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Source-specific data (GitHub's `severity`, ...).
    #[serde(default)]
    pub database_specific: Option<Value>,
}

/// A severity assessment.
#[derive(Debug, Clone, Deserialize)]
pub struct SeverityEntry {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector (or rating).
    pub score: String,
}

/// A link.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, ...
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The URL.
    #[serde(default)]
    pub url: String,
}

/// One affected package and its versions.
#[derive(Debug, Clone, Deserialize)]
pub struct Affected {
    /// The package.
    #[serde(default)]
    pub package: Option<Package>,
    /// Per-package severity.
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<RangeEntry>,
    /// Explicitly listed affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Ecosystem-specific data.
    #[serde(default)]
    pub ecosystem_specific: Option<Value>,
    /// Source-specific data (RustSec's `informational`, ...).
    #[serde(default)]
    pub database_specific: Option<Value>,
}

/// A package as OSV names it.
#[derive(Debug, Clone, Deserialize)]
pub struct Package {
    /// The ecosystem, possibly with a release suffix (`Debian:12`).
    #[serde(default)]
    pub ecosystem: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// Its purl, if given.
    #[serde(default)]
    pub purl: Option<String>,
}

/// A range of affected versions.
#[derive(Debug, Clone, Deserialize)]
pub struct RangeEntry {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The repository, for GIT ranges.
    #[serde(default)]
    pub repo: Option<String>,
    /// The events, each an object with one key.
    #[serde(default)]
    pub events: Vec<serde_json::Map<String, Value>>,
}

impl RangeEntry {
    /// The events as `(kind, version)` pairs; values that are not strings
    /// are skipped.
    pub fn event_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.events.iter().flat_map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
        })
    }
}

impl Vulnerability {
    /// Whether the record was withdrawn.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
    }

    /// The RustSec informational kind (`unmaintained`, `unsound`,
    /// `notice`, ...), if the record is informational rather than a
    /// vulnerability.
    pub fn informational(&self) -> Option<String> {
        let from = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|d| d.get("informational"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        from(&self.database_specific).or_else(|| {
            self.affected
                .iter()
                .find_map(|a| from(&a.database_specific))
        })
    }

    /// The severity word of `database_specific.severity`, if any.
    pub fn database_severity(&self) -> Option<&str> {
        self.database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(Value::as_str)
    }
}

/// The parts of a record that matching reads, for loading many records
/// fast: references, `ecosystem_specific` and all of `details` but its
/// first line are skipped by the parser instead of being built. Converted
/// into a [`Vulnerability`] with those fields empty.
#[derive(Debug, Deserialize)]
pub(crate) struct MatchView {
    id: String,
    #[serde(default)]
    modified: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default, deserialize_with = "first_line")]
    details: Option<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    affected: Vec<MatchAffected>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct MatchAffected {
    #[serde(default)]
    package: Option<Package>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    ranges: Vec<RangeEntry>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    database_specific: Option<Value>,
}

/// Keeps only the first non-empty line of a text (a title fallback).
fn first_line<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    Ok(text.and_then(|t| {
        t.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    }))
}

impl From<MatchView> for Vulnerability {
    fn from(v: MatchView) -> Self {
        Vulnerability {
            id: v.id,
            modified: v.modified,
            published: v.published,
            withdrawn: v.withdrawn,
            aliases: v.aliases,
            related: Vec::new(),
            summary: v.summary,
            details: v.details,
            severity: v.severity,
            affected: v
                .affected
                .into_iter()
                .map(|a| Affected {
                    package: a.package,
                    severity: a.severity,
                    ranges: a.ranges,
                    versions: a.versions,
                    ecosystem_specific: None,
                    database_specific: a.database_specific,
                })
                .collect(),
            references: Vec::new(),
            database_specific: v.database_specific,
        }
    }
}
