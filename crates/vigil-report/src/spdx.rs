//! SPDX 2.3 JSON.
//!
//! - The document: `SPDXRef-DOCUMENT`, named after the target, its
//!   namespace `https://spdx.org/spdxdocs/vigil-<uuid>` with a UUID made
//!   from the report's content and the creation time, so the same input
//!   at the same `SOURCE_DATE_EPOCH` gives the same namespace.
//! - A package for the target (`SPDXRef-Target`, `CONTAINER` for an
//!   image, `APPLICATION` otherwise) that the document `DESCRIBES` and
//!   that `CONTAINS` every component.
//! - A package per component, its SPDXID made from a hash of its
//!   ecosystem, name and version (stable as other components come and
//!   go); `downloadLocation` and `licenseConcluded` `NOASSERTION`;
//!   `licenseDeclared` the SPDX expression, or for free text a
//!   `LicenseRef-` defined in `hasExtractedLicensingInfos` with the text
//!   as written; the purl as a `PACKAGE-MANAGER` reference; checksums
//!   where the algorithm maps; the declaring files, OS release and image
//!   layer in `sourceInfo`; each open finding's advisory as a `SECURITY`
//!   `advisory` reference.
//! - Relationships: the target `DEPENDS_ON` its direct runtime
//!   dependencies, a direct development dependency is `DEV_DEPENDENCY_OF`
//!   the target and an optional one `OPTIONAL_DEPENDENCY_OF`, and a
//!   component `DEPENDS_ON` what its dependency names resolve to in the
//!   same file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vigil_model::license::is_spdx_expression;

use crate::common::{
    advisory_url, content_digest, dependency_graph, parsed_hashes, rfc3339, uuid_from,
};
use crate::{Report, ReportComponent, SbomOptions};

const DOCUMENT: &str = "SPDXRef-DOCUMENT";
const TARGET: &str = "SPDXRef-Target";
const NOASSERTION: &str = "NOASSERTION";

/// Characters SPDX identifiers allow after their prefix.
fn id_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// SPDXIDs for the components, in their order, unique.
fn package_ids(report: &Report) -> Vec<String> {
    let mut seen = BTreeSet::new();
    report
        .components
        .iter()
        .map(|c| {
            let mut h = Sha256::new();
            for part in [c.ecosystem.osv_name(), &c.name, &c.version, &c.purl] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            let digest = hex::encode(&h.finalize()[..8]);
            let base = format!("SPDXRef-Package-{}-{digest}", id_safe(&c.name));
            let mut id = base.clone();
            let mut n = 1;
            while !seen.insert(id.clone()) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        })
        .collect()
}

/// Free-text licenses as `LicenseRef-`s: text → ID.
#[derive(Default)]
struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    taken: BTreeMap<String, String>,
    /// `LicenseRef-`s that valid expressions name, to be defined.
    named: BTreeSet<String>,
}

impl LicenseRefs {
    /// `licenseDeclared` for a component's license.
    fn declared(&mut self, license: Option<&str>) -> String {
        let Some(text) = license else {
            return NOASSERTION.to_string();
        };
        if is_spdx_expression(text) {
            for token in text.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                if token.starts_with("LicenseRef-") {
                    self.named.insert(token.to_string());
                }
            }
            return text.to_string();
        }
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let safe = id_safe(text);
        let mut id = format!(
            "LicenseRef-{}",
            if safe.is_empty() { "unnamed" } else { &safe }
        );
        if self.taken.get(&id).is_some_and(|t| t != text) {
            let h = Sha256::digest(text.as_bytes());
            id = format!("{id}-{}", hex::encode(&h[..4]));
        }
        self.taken.insert(id.clone(), text.to_string());
        self.by_text.insert(text.to_string(), id.clone());
        id
    }

    fn extracted(&self) -> Vec<Value> {
        let mut out: BTreeMap<&str, Value> = BTreeMap::new();
        for (id, text) in &self.taken {
            out.insert(
                id,
                json!({
                    "licenseId": id,
                    "name": text,
                    "extractedText": text,
                    "comment": "The license as the package metadata declares it; it is not an SPDX license expression.",
                }),
            );
        }
        for id in &self.named {
            out.entry(id).or_insert_with(|| {
                json!({
                    "licenseId": id,
                    "extractedText": NOASSERTION,
                    "comment": "Named by the package metadata; its text is not known here.",
                })
            });
        }
        out.into_values().collect()
    }
}

fn source_info(c: &ReportComponent) -> String {
    let files: Vec<String> = c
        .locations
        .iter()
        .map(|l| match l.line {
            Some(n) => format!("{}:{n}", l.path),
            None => l.path.clone(),
        })
        .collect();
    let mut info = format!("declared in {}", files.join(", "));
    if let Some(r) = &c.release {
        info.push_str(&format!("; {} release {r}", c.ecosystem.osv_name()));
    }
    if let Some(s) = &c.source {
        info.push_str(&format!("; built from source package {}", s.name));
        if let Some(v) = &s.version {
            info.push_str(&format!(" {v}"));
        }
    }
    if let Some(l) = &c.layer {
        info.push_str(&format!("; image layer {} ({})", l.index, l.digest));
    }
    info
}

fn package(
    c: &ReportComponent,
    id: &str,
    licenses: &mut LicenseRefs,
    advisories: Option<&BTreeSet<&str>>,
) -> Value {
    let mut p = json!({
        "SPDXID": id,
        "name": c.name,
        "versionInfo": c.version,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": licenses.declared(c.license.as_deref()),
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "LIBRARY",
        "sourceInfo": source_info(c),
    });
    let mut refs = Vec::new();
    if !c.purl.is_empty() {
        refs.push(json!({
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": c.purl,
        }));
    }
    for id in advisories.into_iter().flatten() {
        refs.push(json!({
            "referenceCategory": "SECURITY",
            "referenceType": "advisory",
            "referenceLocator": advisory_url(id),
        }));
    }
    if !refs.is_empty() {
        p["externalRefs"] = json!(refs);
    }
    let checksums: Vec<Value> = parsed_hashes(&c.hashes)
        .into_iter()
        .map(|(alg, hex)| json!({ "algorithm": alg.spdx(), "checksumValue": hex }))
        .collect();
    if !checksums.is_empty() {
        p["checksums"] = json!(checksums);
    }
    p
}

fn relationship(a: &str, kind: &str, b: &str) -> Value {
    json!({ "spdxElementId": a, "relationshipType": kind, "relatedSpdxElement": b })
}

/// Builds the SPDX document.
pub fn spdx_value(report: &Report, options: &SbomOptions) -> std::io::Result<Value> {
    let ids = package_ids(report);
    let digest = content_digest(report, &format!("spdx {}", options.created))?;
    // Open findings' IDs per component.
    let mut advisories: BTreeMap<(vigil_model::Ecosystem, &str, &str), BTreeSet<&str>> =
        BTreeMap::new();
    if options.vulnerabilities {
        for f in report.findings.iter().filter(|f| {
            f.suppression.is_none() && f.kind == vigil_model::FindingKind::Vulnerability
        }) {
            if let Some(p) = &f.package {
                advisories
                    .entry((p.ecosystem, p.name.as_str(), p.version.as_str()))
                    .or_default()
                    .insert(f.id.as_str());
            }
        }
    }
    let mut licenses = LicenseRefs::default();
    let mut target = json!({
        "SPDXID": TARGET,
        "name": report.target,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": if report.image.is_some() { "CONTAINER" } else { "APPLICATION" },
    });
    if let Some(image) = &report.image {
        if let Some(d) = &image.digest {
            target["versionInfo"] = json!(d);
        }
        target["comment"] = json!(format!(
            "Container image, platform {}, configuration {}.",
            image.platform, image.config_digest
        ));
    } else if let Some(os) = &report.os {
        target["comment"] = json!(format!("Operating system: {}.", os.name));
    }
    let mut packages = vec![target];
    for (c, id) in report.components.iter().zip(&ids) {
        let adv = advisories.get(&(c.ecosystem, c.name.as_str(), c.version.as_str()));
        packages.push(package(c, id, &mut licenses, adv));
    }

    let mut rels = vec![relationship(DOCUMENT, "DESCRIBES", TARGET)];
    let mut edges: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    for (c, id) in report.components.iter().zip(&ids) {
        edges.insert((TARGET, "CONTAINS", id));
        if c.direct == Some(true) {
            if c.dev == Some(true) {
                edges.insert((id, "DEV_DEPENDENCY_OF", TARGET));
            } else if c.optional == Some(true) {
                edges.insert((id, "OPTIONAL_DEPENDENCY_OF", TARGET));
            } else {
                edges.insert((TARGET, "DEPENDS_ON", id));
            }
        }
    }
    for (i, deps) in dependency_graph(report).iter().enumerate() {
        for &d in deps {
            edges.insert((&ids[i], "DEPENDS_ON", &ids[d]));
        }
    }
    rels.extend(edges.into_iter().map(|(a, k, b)| relationship(a, k, b)));

    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT,
        "name": report.target,
        "documentNamespace": format!("https://spdx.org/spdxdocs/vigil-{}", uuid_from(&digest)),
        "creationInfo": {
            "created": rfc3339(options.created),
            "creators": [format!("Tool: {}-{}", report.tool.name, report.tool.version)],
        },
        "packages": packages,
        "relationships": rels,
    });
    let extracted = licenses.extracted();
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = json!(extracted);
    }
    Ok(doc)
}

/// Writes the report as an SPDX 2.3 JSON document (pretty, and a newline).
pub fn write_spdx(
    report: &Report,
    options: &SbomOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &spdx_value(report, options)?)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::sample_report;

    fn doc() -> Value {
        spdx_value(
            &sample_report(),
            &SbomOptions {
                created: 0,
                vulnerabilities: true,
            },
        )
        .unwrap()
    }

    fn package<'a>(doc: &'a Value, name: &str) -> &'a Value {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
    }

    #[test]
    fn packages_licenses_refs() {
        let doc = doc();
        assert_eq!(doc["creationInfo"]["created"], "1970-01-01T00:00:00Z");
        let lodash = package(&doc, "lodash");
        assert!(lodash["SPDXID"]
            .as_str()
            .unwrap()
            .starts_with("SPDXRef-Package-lodash-"));
        assert_eq!(lodash["licenseDeclared"], "MIT");
        assert_eq!(lodash["checksums"][0]["algorithm"], "SHA512");
        let refs = lodash["externalRefs"].as_array().unwrap();
        assert_eq!(refs[0]["referenceLocator"], "pkg:npm/lodash@4.17.15");
        assert_eq!(
            refs[1]["referenceLocator"],
            "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm"
        );
        // Free text: a LicenseRef defined in the document.
        let jest = package(&doc, "jest");
        assert_eq!(jest["licenseDeclared"], "LicenseRef-Public-Domain");
        let extracted = doc["hasExtractedLicensingInfos"].as_array().unwrap();
        assert!(extracted
            .iter()
            .any(|e| e["licenseId"] == "LicenseRef-Public-Domain"
                && e["extractedText"] == "Public Domain"));
        // A LicenseRef an expression names is defined too.
        assert!(extracted
            .iter()
            .any(|e| e["licenseId"] == "LicenseRef-OpenSSL"));
        // Suppressed findings are no advisory references.
        let yaml = package(&doc, "PyYAML");
        assert_eq!(yaml["externalRefs"].as_array().unwrap().len(), 1);
        assert!(package(&doc, "libssl3")["sourceInfo"]
            .as_str()
            .unwrap()
            .contains("image layer 0"));
    }

    #[test]
    fn relationships() {
        let doc = doc();
        let id = |name: &str| package(&doc, name)["SPDXID"].as_str().unwrap().to_string();
        let rels = doc["relationships"].as_array().unwrap();
        assert!(rels.contains(&relationship(DOCUMENT, "DESCRIBES", TARGET)));
        assert!(rels.contains(&relationship(&id("lodash"), "DEPENDS_ON", &id("minimist"))));
        assert!(rels.contains(&relationship(TARGET, "DEPENDS_ON", &id("lodash"))));
        assert!(rels.contains(&relationship(&id("jest"), "DEV_DEPENDENCY_OF", TARGET)));
        let gin = id("github.com/gin-gonic/gin");
        assert!(rels.contains(&relationship(TARGET, "CONTAINS", &gin)));
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(id_safe("@scope/name"), "scope-name");
        assert_eq!(
            id_safe("github.com/gin-gonic/gin"),
            "github.com-gin-gonic-gin"
        );
    }
}
