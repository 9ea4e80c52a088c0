//! CycloneDX JSON: software bills of materials.
//!
//! ## Detects
//! Files named `bom.json`, `cyclonedx.json`, `*.cdx.json` and
//! `*.bom.json`, holding a CycloneDX BOM in JSON (`bomFormat:
//! "CycloneDX"`), `specVersion` 1.2 to 1.6. A file of one of these names
//! that is not a CycloneDX BOM is a malformed-file error saying so. A
//! `specVersion` this reader does not know gives a warning and is read like
//! 1.6.
//!
//! ## Ecosystem
//! Any: each component's ecosystem, name and version come from its `purl`
//! (`pkg:cargo/time@0.1.45` is crates.io `time` 0.1.45; see
//! `vigil_model::purl::ParsedPurl::ecosystem_and_name` for every type), the
//! version from the `version` field when the purl has none. Every entry of
//! `components`, at any depth of nested `components`, is read and located
//! at the line where its object opens, with its `hashes` (`alg` and
//! `content`, written `sha256:<hex>`), its licenses (`license.id`, else
//! `license.name`, or an `expression`; several entries joined with
//! `AND`), and the names of the components it depends on (`dependencies`:
//! each `ref` and `dependsOn` resolved through the components' `bom-ref`).
//! `scope: "optional"` sets the optional flag; `scope: "excluded"` (used
//! for tests and other non-runtime purposes) sets the dev flag; `scope:
//! "required"` clears both. `direct` is true for the components that the
//! BOM's subject (`metadata.component`) depends on, false for the others,
//! and unknown when the `dependencies` do not list the subject's.
//!
//! Components without a `purl`, with one that is not valid, or whose purl
//! names no package of an OSV ecosystem (`pkg:generic/...`, a `deb` package
//! without its distribution) are "not checked" entries with the reason.
//! Components of types that are not packages (`file`, `operating-system`,
//! `device`, `data`, ...) are skipped when they have no purl.
//!
//! ## Limitations
//! - The BOM's subject (`metadata.component`) is not a component: it is
//!   what the BOM describes, usually the project itself.
//! - CycloneDX XML and protobuf are not read.
//! - `group` and `name` are not used for matching: the purl names the
//!   package.
//! - Nested components are read to a depth of 32.
//!
//! ## References
//! - <https://cyclonedx.org/docs/1.6/json/> (`components`, `purl`,
//!   `hashes`, `licenses`, `scope`, `dependencies`)
//! - <https://github.com/package-url/purl-spec>

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_model::{Component, Diagnostic};

use super::{hash, to_component, Entry};
use crate::extractors::{json_malformed, offset_in, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The spec versions this reader knows.
const KNOWN_VERSIONS: &[&str] = &["1.2", "1.3", "1.4", "1.5", "1.6"];

/// How deep nested `components` are read.
const MAX_DEPTH: usize = 32;

/// Component types that are not packages: skipped when they have no purl.
const NOT_PACKAGES: &[&str] = &[
    "file",
    "operating-system",
    "device",
    "device-driver",
    "data",
    "platform",
    "machine-learning-model",
    "cryptographic-asset",
];

/// Reads CycloneDX JSON BOMs.
#[derive(Debug, Clone, Copy)]
pub struct CycloneDx;

#[derive(Deserialize)]
struct Bom<'a> {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde_json::Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<serde_json::Value>,
    metadata: Option<Metadata>,
    #[serde(borrow)]
    components: Option<Vec<&'a RawValue>>,
    dependencies: Option<Vec<Dependency>>,
}

#[derive(Deserialize)]
struct Metadata {
    component: Option<Subject>,
}

#[derive(Deserialize)]
struct Subject {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
}

#[derive(Deserialize)]
struct Dependency {
    #[serde(rename = "ref")]
    of: String,
    #[serde(rename = "dependsOn")]
    depends_on: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct BomComponent<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    scope: Option<String>,
    hashes: Option<Vec<Hash>>,
    licenses: Option<Vec<LicenseChoice>>,
    #[serde(borrow)]
    components: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Hash {
    alg: String,
    content: String,
}

#[derive(Deserialize)]
struct LicenseChoice {
    license: Option<License>,
    expression: Option<String>,
}

#[derive(Deserialize)]
struct License {
    id: Option<String>,
    name: Option<String>,
}

/// A component read, before dependencies are resolved.
struct Read {
    bom_ref: Option<String>,
    component: Component,
}

impl Extractor for CycloneDx {
    fn name(&self) -> &'static str {
        "sbom/cyclonedx"
    }

    fn matches(&self, path: &Path) -> bool {
        let name = crate::file_name(path);
        name == "bom.json"
            || name == "cyclonedx.json"
            || name.ends_with(".cdx.json")
            || name.ends_with(".bom.json")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let bom: Bom = serde_json::from_str(input.contents)
            .map_err(|e| json_malformed(input, "CycloneDX BOM", 1, &e))?;
        match bom.bom_format.as_ref().map(|f| f.as_str()) {
            Some(Some("CycloneDX")) => {}
            Some(_) => {
                return Err(input.malformed(
                    None,
                    "not a CycloneDX BOM: `bomFormat` is not \"CycloneDX\"",
                ))
            }
            None => return Err(input.malformed(None, "not a CycloneDX BOM: it has no `bomFormat`")),
        }
        let mut out = Extracted::default();
        let version = bom.spec_version.as_ref().and_then(|v| v.as_str());
        if !version.is_some_and(|v| KNOWN_VERSIONS.contains(&v)) {
            let shown = bom
                .spec_version
                .as_ref()
                .map_or("none".to_string(), ToString::to_string);
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("CycloneDX specVersion {shown} is not one this reader knows (1.2 to 1.6); read as 1.6"),
            ));
        }

        let lines = LineIndex::new(input.contents);
        let mut read: Vec<Read> = Vec::new();
        let mut pending: Vec<(usize, &RawValue)> = bom
            .components
            .iter()
            .flatten()
            .rev()
            .map(|raw| (0, *raw))
            .collect();
        let mut too_deep = false;
        while let Some((depth, raw)) = pending.pop() {
            let line = lines.line(offset_in(input.contents, raw.get()).unwrap_or(0));
            let c: BomComponent = serde_json::from_str(raw.get())
                .map_err(|e| json_malformed(input, "CycloneDX component", line, &e))?;
            // Children next, in document order.
            let children = c.components.as_deref().unwrap_or_default();
            if depth + 1 >= MAX_DEPTH && !children.is_empty() {
                too_deep = true;
            } else {
                pending.extend(children.iter().rev().map(|r| (depth + 1, *r)));
            }
            let has_purl = c.purl.as_deref().is_some_and(|p| !p.trim().is_empty());
            if !has_purl && c.kind.as_deref().is_some_and(|k| NOT_PACKAGES.contains(&k)) {
                continue;
            }
            let entry = Entry {
                purl: c.purl.as_deref(),
                name: c.name.as_deref(),
                version: c.version.as_deref(),
                path: input.rel_path,
                line,
            };
            match to_component(&entry) {
                Ok(mut component) => {
                    for h in c.hashes.iter().flatten() {
                        if let Some(h) = hash(&h.alg, &h.content) {
                            component = component.hash(h);
                        }
                    }
                    component = component.license(license(c.licenses.as_deref()));
                    match c.scope.as_deref() {
                        Some("optional") => component = component.optional(Some(true)),
                        Some("excluded") => component = component.dev(Some(true)),
                        Some("required") => {
                            component = component.optional(Some(false)).dev(Some(false));
                        }
                        _ => {}
                    }
                    read.push(Read {
                        bom_ref: c.bom_ref,
                        component,
                    });
                }
                Err(nc) => out.not_checked.push(nc),
            }
        }
        if too_deep {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("components nested deeper than {MAX_DEPTH} levels were not read"),
            ));
        }

        // Dependencies: bom-refs to the names of the components read.
        let names: HashMap<&str, &str> = read
            .iter()
            .filter_map(|r| Some((r.bom_ref.as_deref()?, r.component.name.as_str())))
            .collect();
        let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
        for d in bom.dependencies.iter().flatten() {
            let list = edges.entry(d.of.as_str()).or_default();
            for to in d.depends_on.iter().flatten() {
                if let Some(name) = names.get(to.as_str()) {
                    if !list.iter().any(|n| n == name) {
                        list.push((*name).to_string());
                    }
                }
            }
        }
        let subject = bom
            .metadata
            .as_ref()
            .and_then(|m| m.component.as_ref())
            .and_then(|c| c.bom_ref.as_deref());
        let direct: Option<HashSet<&str>> = subject.and_then(|s| {
            let d = bom.dependencies.iter().flatten().find(|d| d.of == s)?;
            Some(d.depends_on.iter().flatten().map(String::as_str).collect())
        });
        for r in read {
            let mut c = r.component;
            if let Some(deps) = r.bom_ref.as_deref().and_then(|b| edges.get(b)) {
                c = c.depends_on(deps.iter().cloned());
            }
            if let Some(direct) = &direct {
                let is = r.bom_ref.as_deref().is_some_and(|b| direct.contains(b));
                c = c.direct(Some(is));
            }
            out.components.push(c);
        }
        Ok(out)
    }
}

/// The declared license: an expression, or the ids (else names) of the
/// licenses listed, several joined with `AND`.
fn license(choices: Option<&[LicenseChoice]>) -> Option<String> {
    let parts =
        choices
            .unwrap_or_default()
            .iter()
            .filter_map(|c| match (&c.expression, &c.license) {
                (Some(e), _) => Some(e.as_str()),
                (None, Some(l)) => l.id.as_deref().or(l.name.as_deref()),
                (None, None) => None,
            });
    vigil_model::license::combine(parts, vigil_model::license::Choice::AllOf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, survives_truncation, unchecked_brief, view,
    };
    use vigil_model::Ecosystem;

    const SUB: &str = "sbom/cyclonedx";

    fn read(rel: &str) -> Extracted {
        fixture(&CycloneDx, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_cyclonedx_names() {
        for yes in [
            "bom.json",
            "x/bom.json",
            "cyclonedx.json",
            "app.cdx.json",
            "app.bom.json",
        ] {
            assert!(CycloneDx.matches(Path::new(yes)), "{yes}");
        }
        for no in [
            "bom.xml",
            "app.cdx.xml",
            "sbom.json",
            "package.json",
            "app.spdx.json",
            "bom.json.bak",
        ] {
            assert!(!CycloneDx.matches(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn empty_bom() {
        let x = read("empty/bom.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_boms_name_file_and_line() {
        let err = fixture(&CycloneDx, SUB, "malformed/bom.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/bom.json:10: not a valid CycloneDX BOM: expected `,` or `}`"
        );
        let err = fixture(&CycloneDx, SUB, "malformed-component/bom.json").unwrap_err();
        assert_eq!(err.path(), "malformed-component/bom.json");
        assert_eq!(err.line(), Some(15), "{err}");
        assert!(
            err.to_string()
                .contains("not a valid CycloneDX component: invalid type: floating point `1.0`"),
            "{err}"
        );
        let err = fixture(&CycloneDx, SUB, "wrong-shape/bom.json").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "wrong-shape/bom.json: not a CycloneDX BOM: it has no `bomFormat`"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bom.json"),
            r#"{"bomFormat": "SPDX", "components": []}"#,
        )
        .unwrap();
        let err = extract_in(&CycloneDx, dir.path(), "bom.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bom.json: not a CycloneDX BOM: `bomFormat` is not \"CycloneDX\""
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/bom.json");
        assert_eq!(brief(&x), ["time@0.1.45 one-package/bom.json:7"]);
        let c = one(&x, "time", "0.1.45");
        assert_eq!(c.ecosystem, Ecosystem::CratesIo);
        assert_eq!(c.purl, "pkg:cargo/time@0.1.45");
        assert_eq!(
            c.hashes,
            ["sha256:1b797afad3f312d1c66a56d11d0316f916356d11bd158fbc6ca6389ff6bf805a"]
        );
        assert_eq!(c.license.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!((c.direct, c.dev, c.optional), (None, None, None));
        assert!(x.diagnostics.is_empty() && x.not_checked.is_empty());
    }

    #[test]
    fn realistic_bom() {
        let x = read("realistic/app.cdx.json");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let p = "realistic/app.cdx.json";
        assert_eq!(
            brief(&x),
            [
                format!("@babel/core@7.12.3 {p}:56"),
                format!("body-parser@1.19.0 {p}:48"),
                format!("express@4.17.1 {p}:27"),
                format!("fsevents@2.3.2 {p}:77"),
                format!("github.com/gin-gonic/gin@v1.6.0 {p}:139"),
                format!("org.apache.logging.log4j:log4j-api@2.14.1 {p}:110"),
                format!("org.apache.logging.log4j:log4j-core@2.14.1 {p}:85"),
                format!("pillow@10.0.0 {p}:127"),
                format!("time@0.1.45 {p}:120"),
            ]
        );
        let flags = |n: &str, v: &str| {
            let c = one(&x, n, v);
            (c.direct, c.dev, c.optional)
        };
        assert_eq!(
            flags("express", "4.17.1"),
            (Some(true), Some(false), Some(false))
        );
        assert_eq!(
            flags("body-parser", "1.19.0"),
            (Some(false), Some(false), Some(false))
        );
        assert_eq!(
            flags("@babel/core", "7.12.3"),
            (Some(true), Some(true), None)
        );
        assert_eq!(flags("fsevents", "2.3.2"), (Some(false), None, Some(true)));
        assert_eq!(flags("time", "0.1.45"), (Some(true), None, None));
        // Each dependency once, only those of this BOM.
        assert_eq!(one(&x, "express", "4.17.1").dependencies, ["body-parser"]);
        assert_eq!(
            one(&x, "org.apache.logging.log4j:log4j-core", "2.14.1").dependencies,
            ["org.apache.logging.log4j:log4j-api"]
        );
        let log4j = one(&x, "org.apache.logging.log4j:log4j-core", "2.14.1");
        assert_eq!(log4j.ecosystem, Ecosystem::Maven);
        assert_eq!(
            log4j.hashes,
            [
                "sha1:9141212b8507ab50a45525b545b39d224614528b",
                "md5:3e3a5b1b5d0b6f7f0c1a6e9b1d44f9c2"
            ]
        );
        assert_eq!(log4j.license.as_deref(), Some("Apache-2.0"));
        assert_eq!(
            one(&x, "@babel/core", "7.12.3").license.as_deref(),
            Some("MIT AND (Babel Contributors License)")
        );
        assert_eq!(one(&x, "pillow", "10.0.0").license.as_deref(), Some("HPND"));
        assert_eq!(one(&x, "pillow", "10.0.0").ecosystem, Ecosystem::PyPI);
        assert_eq!(
            one(&x, "github.com/gin-gonic/gin", "v1.6.0").ecosystem,
            Ecosystem::Go
        );
        // The file component is skipped; the other two are not checked.
        assert_eq!(
            unchecked_brief(&x),
            [
                "openssl@1.1.1k :146 purl type `generic` has no OSV ecosystem",
                "zlib@1.2.11 :153 no package URL",
            ]
        );
        assert_eq!(line(one(&x, "time", "0.1.45")), Some(120));
        insta::assert_json_snapshot!("cyclonedx_realistic", view(&x));
    }

    #[test]
    fn distribution_packages() {
        let x = read("distro/bom.json");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let got: Vec<String> = x
            .components
            .iter()
            .map(|c| {
                format!(
                    "{} {}@{} :{}",
                    c.ecosystem,
                    c.name,
                    c.version,
                    line(c).unwrap()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "Debian openssl@3.0.11-1~deb12u2 :20",
                "Debian glibc@2.36-9+deb12u4 :27",
                "Alpine busybox@1.36.1-r15 :34",
                "Red Hat openssl-libs@1:3.0.7-25.el9_3 :41",
            ]
        );
        // Dependencies are named as the components are.
        assert_eq!(x.components[0].dependencies, ["glibc"]);
        // The subject lists no dependencies: direct is unknown.
        assert!(x.components.iter().all(|c| c.direct.is_none()));
        assert_eq!(
            unchecked_brief(&x),
            [
                "curl@7.88.1-10 :48 package URL `pkg:deb/curl@7.88.1-10?arch=amd64` does not tell which distribution it is from",
                "zlib@1.3.1 :55 package URL `pkg:conan/zlib@1.3.1?user=acme&channel=stable` names a Conan package of another remote or channel, not of ConanCenter",
            ]
        );
        assert_eq!(x.not_checked[1].ecosystem, Ecosystem::ConanCenter);
    }

    #[test]
    fn unknown_spec_version_is_a_warning() {
        let x = read("future-format/bom.json");
        assert_eq!(brief(&x), ["requests@2.31.0 future-format/bom.json:6"]);
        assert_eq!(x.diagnostics.len(), 1);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "future-format/bom.json: CycloneDX specVersion \"1.7\" is not one this reader knows (1.2 to 1.6); read as 1.6"
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut text =
            String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
        for i in 0..40 {
            text.push_str(&format!(
                r#"{{"type":"library","name":"c{i}","purl":"pkg:cargo/c{i}@1.0.0","components":["#
            ));
        }
        text.push_str(&"]}".repeat(40));
        text.push_str("]}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bom.json"), &text).unwrap();
        let x = extract_in(&CycloneDx, dir.path(), "bom.json").unwrap();
        assert_eq!(x.components.len(), MAX_DEPTH);
        assert!(x.diagnostics[0].message.contains("nested deeper than 32"));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&CycloneDx, SUB, "realistic/app.cdx.json");
        survives_truncation(&CycloneDx, SUB, "distro/bom.json");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = super::super::samples("cdx/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&CycloneDx, &dir, f);

        // Only the subject, which is not a component.
        let x = run("minimal.cdx.json").unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty());
        assert!(x.diagnostics.is_empty());

        for f in ["sbom.cdx.json", "sbom.bom.json"] {
            let x = run(f).unwrap();
            assert!(x.components.is_empty(), "{f}");
            assert_eq!(
                unchecked_brief(&x),
                [
                    "Nginx@1.21.1 :14 no package URL",
                    "openssl@1.1.1 :7 purl type `generic` has no OSV ecosystem",
                ],
                "{f}"
            );
        }

        let x = run("sbom-with-nested-comps.cdx.json").unwrap();
        assert_eq!(
            brief(&x),
            ["rustls@0.23.13 sbom-with-nested-comps.cdx.json:21"]
        );
        assert_eq!(x.components[0].ecosystem, Ecosystem::CratesIo);
        assert_eq!(x.not_checked.len(), 2);

        // A scoped npm name with its `/` encoded.
        let x = run("sbom-with-locations.cdx.json").unwrap();
        assert_eq!(
            brief(&x),
            ["@gar/promisify@1.1.3 sbom-with-locations.cdx.json:7"]
        );
        assert_eq!(x.components[0].ecosystem, Ecosystem::Npm);

        for bad in [
            "invalid_sbom.cdxjson",
            "random_file.ext",
            "sbom.cdx.json.foo.ext",
        ] {
            let err = run(bad).unwrap_err();
            assert_eq!((err.path(), err.line()), (bad, Some(1)), "{err}");
        }
        // XML is not read: it is not JSON.
        assert!(run("sbom.cdx.xml").is_err());
    }
}
