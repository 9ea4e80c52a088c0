//! SPDX 2 JSON: software bills of materials.
//!
//! ## Detects
//! Files named `*.spdx.json` holding an SPDX 2.3 or 2.2 document in JSON
//! (`spdxVersion: "SPDX-2.3"`). A document of another 2.x version gives a
//! warning and is read like 2.3; a file without `spdxVersion` (an SPDX 3
//! JSON-LD document, or not SPDX at all) is a malformed-file error saying
//! so.
//!
//! ## Ecosystem
//! Any: each entry of `packages` is a component whose ecosystem, name and
//! version come from its package URL (the `referenceLocator` of an
//! `externalRefs` entry of `referenceType: "purl"`; see
//! `vigil_model::purl::ParsedPurl::ecosystem_and_name` for every type), the
//! version from `versionInfo` when the purl has none. It is located at the
//! line where its object opens, with its `checksums` (`algorithm` and
//! `checksumValue`, written `sha256:<hex>`), its license (`licenseDeclared`,
//! else `licenseConcluded`; `NOASSERTION` and `NONE` are no license), and
//! the names of the packages it depends on, from the `relationships`:
//! `A DEPENDS_ON B`, and `B DEPENDENCY_OF A` with its variants
//! (`DEV_DEPENDENCY_OF`, `OPTIONAL_DEPENDENCY_OF`, `BUILD_DEPENDENCY_OF`,
//! `RUNTIME_DEPENDENCY_OF`, `TEST_DEPENDENCY_OF`,
//! `PROVIDED_DEPENDENCY_OF`). `direct` is true for the packages that a
//! package the document describes (`documentDescribes`, or `DESCRIBES`
//! from the document) depends on, false for the other packages, and
//! unknown when the described packages have no dependencies listed.
//!
//! Packages without a purl, with one that is not valid, or whose purl names
//! no package of an OSV ecosystem (`pkg:generic/...`, a `deb` package
//! without its distribution) are "not checked" entries with the reason.
//!
//! ## Limitations
//! - SPDX tag-value, RDF, YAML and SPDX 3 documents are not read.
//! - A package with several purls is read by the first.
//! - `files` and `snippets` are not components.
//! - The dev and optional flags are not set: a package reached through a
//!   `DEV_DEPENDENCY_OF` edge may also be reached through a runtime one.
//!
//! ## References
//! - <https://spdx.github.io/spdx-spec/v2.3/package-information/>
//!   (`versionInfo`, `checksums`, `licenseDeclared`, `externalRefs`)
//! - <https://spdx.github.io/spdx-spec/v2.3/external-repository-identifiers/#f35-purl>
//! - <https://spdx.github.io/spdx-spec/v2.3/relationships-between-SPDX-elements/>

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_model::license;
use vigil_model::{Component, Diagnostic};

use super::{hash, to_component, Entry};
use crate::extractors::{json_malformed, offset_in, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The document versions read without a warning.
const KNOWN_VERSIONS: &[&str] = &["SPDX-2.2", "SPDX-2.3"];

/// Relationships `A <type> B` meaning that B depends on A.
const DEPENDENCY_OF: &[&str] = &[
    "DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
];

/// Reads SPDX 2 JSON documents.
#[derive(Debug, Clone, Copy)]
pub struct Spdx;

#[derive(Deserialize)]
struct Document<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde_json::Value>,
    #[serde(rename = "documentDescribes")]
    document_describes: Option<Vec<String>>,
    #[serde(borrow)]
    packages: Option<Vec<&'a RawValue>>,
    relationships: Option<Vec<Relationship>>,
}

#[derive(Deserialize)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    from: String,
    #[serde(rename = "relatedSpdxElement")]
    to: String,
    #[serde(rename = "relationshipType")]
    kind: String,
}

#[derive(Deserialize)]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "versionInfo")]
    version_info: Option<String>,
    #[serde(rename = "externalRefs")]
    external_refs: Option<Vec<ExternalRef>>,
    checksums: Option<Vec<Checksum>>,
    #[serde(rename = "licenseConcluded")]
    license_concluded: Option<String>,
    #[serde(rename = "licenseDeclared")]
    license_declared: Option<String>,
}

#[derive(Deserialize)]
struct ExternalRef {
    #[serde(rename = "referenceType")]
    reference_type: String,
    #[serde(rename = "referenceLocator")]
    reference_locator: String,
}

#[derive(Deserialize)]
struct Checksum {
    algorithm: String,
    #[serde(rename = "checksumValue")]
    checksum_value: String,
}

/// A package read, before dependencies are resolved.
struct Read {
    spdx_id: Option<String>,
    component: Component,
}

impl Extractor for Spdx {
    fn name(&self) -> &'static str {
        "sbom/spdx"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path).ends_with(".spdx.json")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let doc: Document = serde_json::from_str(input.contents)
            .map_err(|e| json_malformed(input, "SPDX document", 1, &e))?;
        let mut out = Extracted::default();
        match doc.spdx_version.as_ref().map(|v| v.as_str()) {
            None => {
                return Err(
                    input.malformed(None, "not an SPDX 2 JSON document: it has no `spdxVersion`")
                )
            }
            Some(Some(v)) if KNOWN_VERSIONS.contains(&v) => {}
            Some(Some(v)) if v.starts_with("SPDX-2.") => out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!(
                    "{v} is not a version this reader knows (SPDX-2.2, SPDX-2.3); read as SPDX-2.3"
                ),
            )),
            Some(_) => {
                return Err(input.malformed(
                    None,
                    "not an SPDX 2 JSON document: `spdxVersion` is not SPDX-2.x",
                ))
            }
        }

        let lines = LineIndex::new(input.contents);
        let mut read: Vec<Read> = Vec::new();
        for raw in doc.packages.iter().flatten() {
            let line = lines.line(offset_in(input.contents, raw.get()).unwrap_or(0));
            let p: Package = serde_json::from_str(raw.get())
                .map_err(|e| json_malformed(input, "SPDX package", line, &e))?;
            let purl = p
                .external_refs
                .iter()
                .flatten()
                .find(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator.as_str());
            let entry = Entry {
                purl,
                name: p.name.as_deref(),
                version: p.version_info.as_deref(),
                path: input.rel_path,
                line,
            };
            match to_component(&entry) {
                Ok(mut component) => {
                    for c in p.checksums.iter().flatten() {
                        if let Some(h) = hash(&c.algorithm, &c.checksum_value) {
                            component = component.hash(h);
                        }
                    }
                    let license = [&p.license_declared, &p.license_concluded]
                        .into_iter()
                        .flatten()
                        .map(|l| l.trim())
                        .find(|l| !l.is_empty() && *l != "NOASSERTION" && *l != "NONE");
                    component = component.license(license.and_then(license::normalize));
                    read.push(Read {
                        spdx_id: p.spdx_id,
                        component,
                    });
                }
                Err(nc) => out.not_checked.push(nc),
            }
        }

        // Dependency edges, by SPDX id: from the dependent to what it needs.
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut described: Vec<&str> = doc
            .document_describes
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        for r in doc.relationships.iter().flatten() {
            let kind = r.kind.as_str();
            if kind == "DEPENDS_ON" {
                edges.entry(&r.from).or_default().push(&r.to);
            } else if DEPENDENCY_OF.contains(&kind) {
                edges.entry(&r.to).or_default().push(&r.from);
            } else if kind == "DESCRIBES" && Some(r.from.as_str()) == doc.spdx_id.as_deref() {
                described.push(&r.to);
            }
        }
        let names: HashMap<&str, &str> = read
            .iter()
            .filter_map(|r| Some((r.spdx_id.as_deref()?, r.component.name.as_str())))
            .collect();
        let roots: HashSet<&str> = described.iter().copied().collect();
        let direct: HashSet<&str> = roots
            .iter()
            .flat_map(|r| edges.get(r).into_iter().flatten().copied())
            .collect();
        let know_direct = !direct.is_empty();
        let deps: Vec<Vec<String>> = read
            .iter()
            .map(|r| {
                let mut v: Vec<String> = Vec::new();
                let targets = r.spdx_id.as_deref().and_then(|id| edges.get(id));
                for to in targets.into_iter().flatten() {
                    if let Some(name) = names.get(to) {
                        if !v.iter().any(|n| n == name) {
                            v.push((*name).to_string());
                        }
                    }
                }
                v
            })
            .collect();
        for (r, deps) in read.into_iter().zip(deps) {
            let mut c = r.component.depends_on(deps);
            if let Some(id) = r.spdx_id.as_deref() {
                if know_direct && !roots.contains(id) {
                    c = c.direct(Some(direct.contains(id)));
                }
            }
            out.components.push(c);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, survives_truncation, unchecked_brief, view,
    };
    use vigil_model::Ecosystem;

    const SUB: &str = "sbom/spdx";

    fn read(rel: &str) -> Extracted {
        fixture(&Spdx, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_spdx_json_names() {
        assert!(Spdx.matches(Path::new("app.spdx.json")));
        assert!(Spdx.matches(Path::new("sbom/x.spdx.json")));
        for no in [
            "app.spdx",
            "app.spdx.yml",
            "spdx.json",
            "bom.json",
            "app.spdx.rdf",
        ] {
            assert!(!Spdx.matches(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn empty_document() {
        let x = read("empty/app.spdx.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_documents_name_file_and_line() {
        let err = fixture(&Spdx, SUB, "malformed/app.spdx.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/app.spdx.json:12: not a valid SPDX document: key must be a string"
        );
        // SPDX 3 (JSON-LD) or anything else without `spdxVersion`.
        let err = fixture(&Spdx, SUB, "wrong-shape/app.spdx.json").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "wrong-shape/app.spdx.json: not an SPDX 2 JSON document: it has no `spdxVersion`"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.spdx.json"),
            "{\"spdxVersion\": \"SPDX-3.0\",\n\"packages\": [{\"name\": 3}]}",
        )
        .unwrap();
        let err = extract_in(&Spdx, dir.path(), "x.spdx.json").unwrap_err();
        assert!(
            err.to_string().contains("`spdxVersion` is not SPDX-2.x"),
            "{err}"
        );
        std::fs::write(
            dir.path().join("x.spdx.json"),
            "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [\n{\"name\": 3}]}",
        )
        .unwrap();
        let err = extract_in(&Spdx, dir.path(), "x.spdx.json").unwrap_err();
        assert_eq!(err.line(), Some(3), "{err}");
        assert!(
            err.to_string().contains("not a valid SPDX package"),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/app.spdx.json");
        assert_eq!(brief(&x), ["pillow@10.0.0 one-package/app.spdx.json:12"]);
        let c = one(&x, "pillow", "10.0.0");
        assert_eq!(c.ecosystem, Ecosystem::PyPI);
        assert_eq!(
            c.hashes,
            ["sha256:9c82b5b3e043c7af0d95792d0d20ccf68f61a1fec6b3530e718b688422727396"]
        );
        assert_eq!(c.license.as_deref(), Some("HPND"));
        assert_eq!(c.direct, None);
        assert!(x.diagnostics.is_empty() && x.not_checked.is_empty());
    }

    #[test]
    fn realistic_document() {
        let x = read("realistic/acme-api.spdx.json");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let p = "realistic/acme-api.spdx.json";
        assert_eq!(
            brief(&x),
            [
                format!("com.fasterxml.jackson.core:jackson-databind@2.9.10.1 {p}:123"),
                format!("django@3.2.0 {p}:25"),
                format!("pillow@10.0.0 {p}:75"),
                format!("pytest@7.4.0 {p}:91"),
                format!("sqlparse@0.4.1 {p}:59"),
                format!("time@0.1.45 {p}:107"),
            ]
        );
        let direct: Vec<(&str, Option<bool>)> = x
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.direct))
            .collect();
        assert_eq!(
            direct,
            [
                ("django", Some(true)),
                ("sqlparse", Some(false)),
                ("pillow", Some(true)),
                ("pytest", Some(true)),
                ("time", Some(true)),
                ("com.fasterxml.jackson.core:jackson-databind", Some(false)),
            ]
        );
        let django = one(&x, "django", "3.2.0");
        assert_eq!(django.dependencies, ["sqlparse"]);
        assert_eq!(
            django.hashes,
            [
                "sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927",
                "sha1:c8f3c8a3f96e2e4c4e1dc2e1b6d0a5c7f1e2d3b4"
            ]
        );
        assert_eq!(django.license.as_deref(), Some("BSD-3-Clause"));
        // licenseDeclared NOASSERTION: the concluded license.
        assert_eq!(
            one(&x, "sqlparse", "0.4.1").license.as_deref(),
            Some("BSD-3-Clause")
        );
        assert_eq!(
            one(&x, "time", "0.1.45").license.as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            one(
                &x,
                "com.fasterxml.jackson.core:jackson-databind",
                "2.9.10.1"
            )
            .license,
            None
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "acme-api@1.4.0 :16 no package URL",
                "libwebp@1.3.1 :137 purl type `generic` has no OSV ecosystem",
            ]
        );
        assert_eq!(line(one(&x, "pytest", "7.4.0")), Some(91));
        insta::assert_json_snapshot!("spdx_realistic", view(&x));
    }

    #[test]
    fn spdx_2_2_and_dependency_of() {
        let x = read("spdx-2.2/app.spdx.json");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            brief(&x),
            [
                "rack@2.2.3 spdx-2.2/app.spdx.json:28",
                "rails@6.1.4 spdx-2.2/app.spdx.json:13",
            ]
        );
        let rails = one(&x, "rails", "6.1.4");
        assert_eq!(rails.ecosystem, Ecosystem::RubyGems);
        assert_eq!(rails.dependencies, ["rack"]);
        // The described package is the root: neither direct nor not.
        assert_eq!(rails.direct, None);
        assert_eq!(rails.license.as_deref(), Some("MIT"));
        let rack = one(&x, "rack", "2.2.3");
        assert_eq!(rack.direct, Some(true));
        assert_eq!(rack.license, None);
    }

    #[test]
    fn unknown_2x_version_is_a_warning() {
        let x = read("future-format/app.spdx.json");
        assert_eq!(brief(&x), ["requests@2.31.0 future-format/app.spdx.json:7"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "future-format/app.spdx.json: SPDX-2.4 is not a version this reader knows (SPDX-2.2, SPDX-2.3); read as SPDX-2.3"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&Spdx, SUB, "realistic/acme-api.spdx.json");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = super::super::samples("spdx/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&Spdx, &dir, f);

        let x = run("sbom.spdx.json").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            [
                "Nginx@ :16 no package URL",
                "openssl@1.1.1l :31 purl type `generic` has no OSV ecosystem",
            ]
        );
        let x = run("purl_and_cpe.spdx.json").unwrap();
        assert_eq!(
            unchecked_brief(&x),
            [
                "Nginx@1.21.1 :14 purl type `generic` has no OSV ecosystem",
                "openssl@1.1.1l :37 purl type `generic` has no OSV ecosystem",
            ]
        );

        for f in [
            "ancestor_of.spdx.json",
            "descendant_of.spdx.json",
            "overlapping_refs.spdx.json",
        ] {
            let x = run(f).unwrap();
            assert_eq!(brief(&x), [format!("log4j:log4j@1.2.15 {f}:26")], "{f}");
            assert_eq!(x.components[0].ecosystem, Ecosystem::Maven);
            assert_eq!(unchecked_brief(&x), ["v1_2_15@ :12 no package URL"], "{f}");
        }
        let x = run("external_refs.spdx.json").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 3);
        let x = run("multi_descendant.spdx.json").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 3);

        let x = run("minimal.spdx.json").unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty());

        let x = run("dhi/.spdx.python.json").unwrap();
        assert_eq!(
            unchecked_brief(&x),
            ["python@3.14.3 :12 purl type `dhi` has no OSV ecosystem"]
        );
        let x = run("dhi/.spdx.dhi-python.json").unwrap();
        assert_eq!(
            unchecked_brief(&x),
            ["dhi/python@3.14.3-debian13-dev :15 purl type `docker` has no OSV ecosystem"]
        );

        for bad in [
            "invalid_sbom.spdx",
            "random_file.ext",
            "sbom.spdx",
            "sbom.spdx.yml",
            "sbom.spdx.rdf",
        ] {
            let err = run(bad).unwrap_err();
            assert_eq!(err.path(), bad);
            assert!(err.line().is_some(), "{err}");
        }
    }
}
