//! Software bills of materials: CycloneDX and SPDX documents.
//!
//! An SBOM names its components by package URL; what they share (from a
//! purl to a component or a "not checked" entry, hash spelling, choosing
//! the reader of a document by its content) is here. The version is the
//! purl's, else the document's version field; an `rpm` purl's `epoch`
//! qualifier is joined to it (`1:3.0.7-25.el9_3`), as the distributions'
//! advisories write versions.

pub mod cyclonedx;
pub mod spdx;

use vigil_model::purl::{self, ParsedPurl};
use vigil_model::{Component, Ecosystem, Location, NotChecked};

use crate::Extractor;

/// The SBOM reader of a document, by its content: a CycloneDX BOM has a
/// `bomFormat` key, an SPDX 2 document a `spdxVersion` key. A cheap look at
/// the text (no parsing), so that a malformed document still goes to its
/// reader and gets its error with a line.
pub fn detect(text: &str) -> Option<&'static dyn Extractor> {
    if text.contains("\"bomFormat\"") {
        Some(&cyclonedx::CycloneDx)
    } else if text.contains("\"spdxVersion\"") {
        Some(&spdx::Spdx)
    } else {
        None
    }
}

/// Whether the document says vigil wrote it: a CycloneDX tool named
/// `vigil` (`metadata.tools`, as an array or as `components`) or an SPDX
/// creator `Tool: vigil-...`. A directory walk passes over such SBOMs: they
/// describe a scan of files the walk reads anyway, and reading them again
/// would count every component twice.
pub fn made_by_vigil(text: &str) -> bool {
    // A cheap look first: most SBOMs are not vigil's.
    if !text.contains("vigil") {
        return false;
    }
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let tools = &doc["metadata"]["tools"];
    let cyclonedx = tools
        .as_array()
        .into_iter()
        .chain(tools["components"].as_array())
        .flatten()
        .any(|t| t["name"] == "vigil");
    let spdx = doc["creationInfo"]["creators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .any(|c| c.starts_with("Tool: vigil-") || c == "Tool: vigil");
    cyclonedx || spdx
}

/// One package of an SBOM, as the document describes it.
pub(crate) struct Entry<'a> {
    /// Its package URL, when it has one.
    pub(crate) purl: Option<&'a str>,
    /// Its name as the document writes it (shown when the purl does not
    /// name it).
    pub(crate) name: Option<&'a str>,
    /// Its version as the document writes it.
    pub(crate) version: Option<&'a str>,
    /// The file and line.
    pub(crate) path: &'a str,
    pub(crate) line: u32,
}

/// A package of an SBOM as a component (ecosystem, name and version from
/// its purl, the version field when the purl has none) or, when the purl is
/// missing, invalid or names no OSV package, a "not checked" entry with the
/// reason.
// Both outcomes are kept (neither is an error on a hot path), so the
// larger `NotChecked` (its location grew a column) is not boxed.
#[allow(clippy::result_large_err)]
pub(crate) fn to_component(e: &Entry<'_>) -> Result<Component, NotChecked> {
    let shown_name = e.name.unwrap_or_default().trim().to_string();
    let field_version = e.version.map(str::trim).filter(|v| !v.is_empty());
    let not_checked =
        |ecosystem: Ecosystem, name: String, version: Option<&str>, reason: String| NotChecked {
            ecosystem,
            name,
            version: version.unwrap_or_default().to_string(),
            location: Location::new(e.path, Some(e.line)),
            reason,
        };
    let Some(text) = e.purl.map(str::trim).filter(|p| !p.is_empty()) else {
        return Err(not_checked(
            Ecosystem::Unknown,
            shown_name,
            field_version,
            "no package URL".to_string(),
        ));
    };
    let parsed = match purl::parse(text) {
        Ok(p) => p,
        Err(err) => {
            return Err(not_checked(
                Ecosystem::Unknown,
                shown_name,
                field_version,
                format!("invalid package URL `{text}`: {err}"),
            ))
        }
    };
    let version = parsed
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or(field_version);
    let name_or = |fallback: &ParsedPurl| {
        if shown_name.is_empty() {
            fallback.name.clone()
        } else {
            shown_name.clone()
        }
    };
    let Some((ecosystem, name)) = parsed.ecosystem_and_name() else {
        let eco = purl::ecosystem_of_type(&parsed.purl_type);
        let known = Ecosystem::all()
            .iter()
            .any(|e| e.purl_type() == parsed.purl_type);
        let reason = if !known {
            format!("purl type `{}` has no OSV ecosystem", parsed.purl_type)
        } else if matches!(parsed.purl_type.as_str(), "deb" | "rpm" | "apk") {
            format!("package URL `{text}` does not tell which distribution it is from")
        } else if parsed.purl_type == "conan" {
            format!("package URL `{text}` names a Conan package of another remote or channel, not of ConanCenter")
        } else {
            format!(
                "package URL `{text}` does not name a {} package as OSV does",
                eco.map_or("known", Ecosystem::osv_name)
            )
        };
        return Err(not_checked(
            eco.unwrap_or(Ecosystem::Unknown),
            name_or(&parsed),
            version,
            reason,
        ));
    };
    // An rpm epoch is a qualifier of the purl and a part of the version
    // for the distributions' advisories.
    let with_epoch = match (parsed.qualifier("epoch"), version) {
        (Some(epoch), Some(v)) if parsed.purl_type == "rpm" && !v.contains(':') && epoch != "0" => {
            Some(format!("{epoch}:{v}"))
        }
        _ => None,
    };
    let version = with_epoch.as_deref().or(version);
    match version {
        Some(v) => Ok(Component::new(ecosystem, name, v).at(e.path, Some(e.line))),
        None => Err(not_checked(
            ecosystem,
            name,
            None,
            "no version in its package URL or version field".to_string(),
        )),
    }
}

/// The shared real-world SBOM samples (outside the repository), or `None`
/// when this checkout has none beside it.
#[cfg(test)]
pub(crate) fn samples(sub: &str) -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/lockfile-samples/sbom"
    ));
    if !root.is_dir() {
        return None;
    }
    let dir = root.join(sub);
    assert!(dir.is_dir(), "samples folder {sub} is missing");
    Some(dir)
}

/// A hash as `<algorithm>:<hex>`, the algorithm lower case without the
/// dash of `SHA-256` (`sha256:…`, `sha3-256:…`, `blake2b-256:…`, `md5:…`);
/// `None` when either part is empty.
pub(crate) fn hash(alg: &str, content: &str) -> Option<String> {
    let alg = alg.trim().to_ascii_lowercase();
    let content = content.trim();
    if alg.is_empty() || content.is_empty() {
        return None;
    }
    let alg = match alg.strip_prefix("sha-") {
        Some(bits) => format!("sha{bits}"),
        None => alg,
    };
    Some(format!("{alg}:{content}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(purl: Option<&'a str>, name: &'a str, version: Option<&'a str>) -> Entry<'a> {
        Entry {
            purl,
            name: Some(name),
            version,
            path: "bom.json",
            line: 7,
        }
    }

    #[test]
    fn purls_to_components() {
        let c = to_component(&entry(Some("pkg:cargo/time@0.1.45"), "time", None)).unwrap();
        assert_eq!(
            (c.ecosystem, c.name.as_str(), c.version.as_str()),
            (Ecosystem::CratesIo, "time", "0.1.45")
        );
        assert_eq!(c.purl, "pkg:cargo/time@0.1.45");
        assert_eq!(c.locations, [Location::new("bom.json", Some(7))]);
        // The version field when the purl has none; the purl's wins.
        let c = to_component(&entry(Some("pkg:pypi/pillow"), "Pillow", Some("10.0.0"))).unwrap();
        assert_eq!((c.name.as_str(), c.version.as_str()), ("pillow", "10.0.0"));
        let c = to_component(&entry(Some("pkg:npm/%40babel/core@7.1.0"), "x", Some("9"))).unwrap();
        assert_eq!(
            (c.name.as_str(), c.version.as_str()),
            ("@babel/core", "7.1.0")
        );
        // An rpm epoch joins the version.
        let purl = "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?epoch=1&distro=rhel-9.3";
        let c = to_component(&entry(Some(purl), "openssl-libs", None)).unwrap();
        assert_eq!(c.version, "1:3.0.7-25.el9_3");
        let purl = "pkg:rpm/redhat/bash@5.1.8-6.el9?epoch=0&distro=rhel-9.3";
        let c = to_component(&entry(Some(purl), "bash", None)).unwrap();
        assert_eq!(c.version, "5.1.8-6.el9");
    }

    #[test]
    fn unusable_purls_are_not_checked_with_the_reason() {
        let reason = |purl: Option<&str>, version: Option<&str>| {
            let nc = to_component(&entry(purl, "thing", version)).unwrap_err();
            assert_eq!(nc.location, Location::new("bom.json", Some(7)));
            format!("{} {} {}@{}", nc.reason, nc.ecosystem, nc.name, nc.version)
        };
        assert_eq!(
            reason(None, Some("1.0")),
            "no package URL unknown thing@1.0"
        );
        assert_eq!(
            reason(Some("pkg:generic/openssl@1.1.1"), None),
            "purl type `generic` has no OSV ecosystem unknown thing@1.1.1"
        );
        assert_eq!(
            reason(Some("cpe:2.3:a:x"), Some("1")),
            "invalid package URL `cpe:2.3:a:x`: it does not start with `pkg:` unknown thing@1"
        );
        assert_eq!(
            reason(Some("pkg:deb/curl@7.88.1"), None),
            "package URL `pkg:deb/curl@7.88.1` does not tell which distribution it is from unknown thing@7.88.1"
        );
        assert_eq!(
            reason(Some("pkg:maven/log4j-core@2.0"), None),
            "package URL `pkg:maven/log4j-core@2.0` does not name a Maven package as OSV does Maven thing@2.0"
        );
        assert!(reason(Some("pkg:conan/zlib@1.3?user=acme&channel=stable"), None)
            .starts_with("package URL `pkg:conan/zlib@1.3?user=acme&channel=stable` names a Conan package of another remote"));
        assert_eq!(
            reason(Some("pkg:cargo/time"), None),
            "no version in its package URL or version field crates.io time@"
        );
    }

    #[test]
    fn hashes() {
        assert_eq!(hash("SHA-256", "ab").as_deref(), Some("sha256:ab"));
        assert_eq!(hash("SHA-1", "ab").as_deref(), Some("sha1:ab"));
        assert_eq!(hash("SHA256", "ab").as_deref(), Some("sha256:ab"));
        assert_eq!(hash("SHA3-512", "ab").as_deref(), Some("sha3-512:ab"));
        assert_eq!(hash("BLAKE2b-256", "ab").as_deref(), Some("blake2b-256:ab"));
        assert_eq!(hash("MD5", " "), None);
        assert_eq!(hash("", "ab"), None);
    }

    #[test]
    fn detects_by_content() {
        let name = |t: &str| detect(t).map(|e| e.name());
        assert_eq!(
            name("{\"bomFormat\": \"CycloneDX\"}"),
            Some("sbom/cyclonedx")
        );
        assert_eq!(name("{\"spdxVersion\": \"SPDX-2.3\"}"), Some("sbom/spdx"));
        assert_eq!(name("[[package]]"), None);
    }
}
