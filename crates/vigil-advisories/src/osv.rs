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

/// A Go package an OSV Go record names, with its affected symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoImport<'a> {
    /// The import path (`net/http`, `golang.org/x/net/html`).
    pub path: &'a str,
    /// The affected functions and methods as OSV writes them (`Parse`,
    /// `Server.Serve`); empty when the whole package is affected.
    pub symbols: Vec<&'a str>,
}

impl Affected {
    /// Go's `ecosystem_specific.imports`: the affected packages and their
    /// symbols (empty when the record does not say).
    pub fn go_imports(&self) -> Vec<GoImport<'_>> {
        self.ecosystem_specific
            .as_ref()
            .and_then(|e| e.get("imports"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| {
                Some(GoImport {
                    path: i.get("path")?.as_str()?,
                    symbols: i
                        .get("symbols")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect(),
                })
            })
            .collect()
    }

    /// RustSec's `ecosystem_specific.affects.functions`: the affected
    /// functions as paths (`memmap2::MmapMut::flush_range`); empty when the
    /// record does not say.
    pub fn rust_functions(&self) -> Vec<&str> {
        self.ecosystem_specific
            .as_ref()
            .and_then(|e| e.get("affects"))
            .and_then(|a| a.get("functions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
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
/// fast: references, all of `details` but its first line and all of
/// `ecosystem_specific` but the affected functions (Go's `imports`,
/// RustSec's `affects.functions`) are skipped by the parser instead of
/// being built. Converted
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
    #[serde(default, deserialize_with = "compact_specific")]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

/// Keeps, of `ecosystem_specific`, only what tells the affected functions
/// (Go's `imports[].path` and `imports[].symbols`, RustSec's
/// `affects.functions`), read over the rest; a value of another shape is
/// dropped, never an error.
fn compact_specific<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

    struct Compact;
    impl<'de> Visitor<'de> for Compact {
        type Value = Option<Value>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<Value>, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = m.next_key::<String>()? {
                match key.as_str() {
                    "imports" => {
                        let v: Value = m.next_value()?;
                        let imports: Vec<Value> = v
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|i| {
                                let path = i.get("path")?.as_str()?;
                                let symbols: Vec<Value> = i
                                    .get("symbols")
                                    .and_then(Value::as_array)
                                    .into_iter()
                                    .flatten()
                                    .filter(|s| s.is_string())
                                    .cloned()
                                    .collect();
                                Some(serde_json::json!({"path": path, "symbols": symbols}))
                            })
                            .collect();
                        if !imports.is_empty() {
                            out.insert(key, Value::Array(imports));
                        }
                    }
                    "affects" => {
                        let v: Value = m.next_value()?;
                        let functions: Vec<Value> = v
                            .get("functions")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter(|s| s.is_string())
                            .cloned()
                            .collect();
                        if !functions.is_empty() {
                            out.insert(key, serde_json::json!({ "functions": functions }));
                        }
                    }
                    _ => {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Option<Value>, A::Error> {
            while s.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Option<Value>, E> {
            Ok(None)
        }

        fn visit_bool<E>(self, _: bool) -> Result<Option<Value>, E> {
            Ok(None)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Option<Value>, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Option<Value>, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Option<Value>, E> {
            Ok(None)
        }

        fn visit_str<E>(self, _: &str) -> Result<Option<Value>, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Compact)
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
                    ecosystem_specific: a.ecosystem_specific,
                    database_specific: a.database_specific,
                })
                .collect(),
            references: Vec::new(),
            database_specific: v.database_specific,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn load(json: &str) -> Vulnerability {
        Vulnerability::from(serde_json::from_str::<MatchView>(json).unwrap())
    }

    #[test]
    fn match_view_keeps_only_the_affected_functions() {
        let go = load(
            r#"{"id":"GO-1","affected":[{"package":{"ecosystem":"Go","name":"stdlib"},
              "ecosystem_specific":{"imports":[{"path":"net/http","goos":["linux"],
                "symbols":["Server.Serve","ListenAndServe"]},{"path":"net/url"}],
                "other":{"deep":[1,2,3]}}}]}"#,
        );
        let a = &go.affected[0];
        assert_eq!(
            a.go_imports(),
            vec![
                GoImport {
                    path: "net/http",
                    symbols: vec!["Server.Serve", "ListenAndServe"]
                },
                GoImport {
                    path: "net/url",
                    symbols: vec![]
                }
            ]
        );
        let kept = a.ecosystem_specific.as_ref().unwrap();
        assert!(kept.get("other").is_none());
        assert!(kept["imports"][0].get("goos").is_none());

        let rust = load(
            r#"{"id":"RUSTSEC-1","affected":[{"package":{"ecosystem":"crates.io","name":"memmap2"},
              "ecosystem_specific":{"affects":{"arch":[],"os":[],"functions":["memmap2::MmapMut::flush_range"]},
                "affected_functions":null}}]}"#,
        );
        assert_eq!(
            rust.affected[0].rust_functions(),
            vec!["memmap2::MmapMut::flush_range"]
        );
        assert!(rust.affected[0].go_imports().is_empty());
    }

    #[test]
    fn odd_ecosystem_specific_never_loses_the_record() {
        for es in [
            "null",
            "[1,{\"a\":2}]",
            "\"text\"",
            "3",
            "{\"imports\":\"no\",\"affects\":[1]}",
            "{\"imports\":[{\"path\":1},{\"symbols\":[\"X\"]}]}",
            "{\"severity\":\"HIGH\"}",
        ] {
            let json = format!(
                r#"{{"id":"X-1","affected":[{{"package":{{"ecosystem":"Go","name":"m"}},"ecosystem_specific":{es}}}]}}"#
            );
            let v = load(&json);
            assert_eq!(v.id, "X-1", "{es}");
            assert!(v.affected[0].ecosystem_specific.is_none(), "{es}");
        }
    }
}
