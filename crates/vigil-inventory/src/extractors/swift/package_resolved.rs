//! `Package.resolved`: the pins of the Swift Package Manager.
//!
//! ## Detects
//! Files named `Package.resolved`, versions 1 (`object.pins[]` with
//! `package`, `repositoryURL` and `state`), 2 and 3 (`pins[]` with
//! `identity`, `kind`, `location` and `state`; version 3 adds an
//! `originHash`). A file with another `version` is read like version 3,
//! with a warning.
//!
//! ## Ecosystem
//! SwiftURL, as OSV names Swift packages: by repository URL without its
//! scheme, user and `.git` suffix (`https://github.com/apple/swift-nio.git`
//! is `github.com/apple/swift-nio`; `git@github.com:apple/swift-nio.git`
//! too). Each pin of a remote repository with a `state.version` is a
//! component at that version, located at the line where its pin starts.
//!
//! Pins without a version (a branch or a bare revision) are "not checked"
//! entries: advisories name release versions. So are local packages
//! (`localSourceControl`, `fileSystem`, a `file:` or absolute path) and
//! packages from a package registry (`registry`, named `scope.name` rather
//! than by URL).
//!
//! ## Limitations
//! - `direct` and `dev` are unknown: the file lists every pin of the
//!   resolved graph without saying which ones `Package.swift` asks for, nor
//!   which package depends on which.
//! - The same repository reached through two spellings of its URL (with
//!   and without `www.`, another host alias) gives two names; only the
//!   scheme, user, trailing `/` and `.git` are dropped.
//!
//! ## References
//! - <https://github.com/swiftlang/swift-package-manager/blob/main/Documentation/Usage.md#resolving-versions-packageresolved-file>
//! - The pin store: `Sources/PackageGraph/PinsStore.swift` and
//!   `ResolvedPackagesStore.swift` in the Swift Package Manager repository.
//! - <https://ossf.github.io/osv-schema/#affectedpackage-field> (SwiftURL)

use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::json_lines::{json_line, json_message, value_lines, Seg};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest file version this reader knows.
const NEWEST_VERSION: u64 = 3;

/// Reads `Package.resolved`.
#[derive(Debug, Clone, Copy)]
pub struct PackageResolved;

#[derive(Deserialize)]
struct File {
    version: Option<serde_json::Value>,
    /// Version 1 wraps its pins in `object`.
    object: Option<V1Object>,
    #[serde(default)]
    pins: Vec<Pin>,
}

#[derive(Deserialize)]
struct V1Object {
    #[serde(default)]
    pins: Vec<Pin>,
}

#[derive(Deserialize)]
struct Pin {
    /// Version 2 and 3.
    identity: Option<String>,
    /// Version 1.
    package: Option<String>,
    kind: Option<String>,
    /// Version 2 and 3.
    location: Option<String>,
    /// Version 1.
    #[serde(rename = "repositoryURL")]
    repository_url: Option<String>,
    #[serde(default)]
    state: State,
}

#[derive(Deserialize, Default)]
struct State {
    version: Option<String>,
    revision: Option<String>,
    branch: Option<String>,
}

impl Extractor for PackageResolved {
    fn name(&self) -> &'static str {
        "swift/package-resolved"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "Package.resolved"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let file: File = serde_json::from_str(input.contents).map_err(|e| {
            input.malformed(
                json_line(&e),
                format!("not a valid Package.resolved: {}", json_message(&e)),
            )
        })?;
        let mut out = Extracted::default();
        if let Some(v) = &file.version {
            if v.as_u64().is_none_or(|n| n == 0 || n > NEWEST_VERSION) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!(
                        "version {v} is not one this reader knows; read as version {NEWEST_VERSION}"
                    ),
                ));
            }
        }
        let (pins, prefix): (&[Pin], &[&str]) = match &file.object {
            Some(object) if file.pins.is_empty() => (&object.pins, &["object", "pins"]),
            _ => (&file.pins, &["pins"]),
        };
        let lines = value_lines(input.contents, |p| {
            p.len() == prefix.len() + 1
                && p.iter()
                    .zip(prefix)
                    .all(|(s, k)| matches!(s, Seg::Key(x) if x == k))
        });
        let line_of = |i: usize| {
            let mut p: Vec<Seg> = prefix.iter().map(|k| Seg::Key((*k).to_string())).collect();
            p.push(Seg::Index(i));
            lines.get(&p).copied()
        };

        for (i, pin) in pins.iter().enumerate() {
            let line = line_of(i);
            let url = pin
                .location
                .as_deref()
                .or(pin.repository_url.as_deref())
                .unwrap_or("");
            let label = pin
                .identity
                .as_deref()
                .or(pin.package.as_deref())
                .unwrap_or("");
            let unchecked = |name: &str, version: &str, reason: String| NotChecked {
                ecosystem: Ecosystem::SwiftUrl,
                name: name.to_string(),
                version: version.to_string(),
                location: Location::new(input.rel_path, line),
                reason,
            };
            let kind = pin.kind.as_deref().unwrap_or("");
            if kind == "registry" {
                out.not_checked.push(unchecked(
                    label,
                    pin.state.version.as_deref().unwrap_or(""),
                    "from a Swift package registry; OSV names Swift packages by repository URL"
                        .to_string(),
                ));
                continue;
            }
            if matches!(kind, "localSourceControl" | "fileSystem") || is_local(url) {
                // A local path says nothing of where the package is
                // published: it goes by its identity.
                let name = if label.is_empty() { url } else { label };
                out.not_checked.push(unchecked(
                    name,
                    pin.state.version.as_deref().unwrap_or(""),
                    "a local package, not a published release".to_string(),
                ));
                continue;
            }
            let name = package_name(url);
            if name.is_empty() {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    line,
                    format!("pin `{label}` has no repository location; skipped"),
                ));
                continue;
            }
            match pin.state.version.as_deref().filter(|v| !v.is_empty()) {
                Some(version) => out.components.push(
                    Component::new(Ecosystem::SwiftUrl, name, version).at(input.rel_path, line),
                ),
                None => {
                    let revision = pin.state.revision.as_deref().unwrap_or("");
                    let reason = match pin.state.branch.as_deref() {
                        Some(branch) => {
                            format!("pinned to the branch `{branch}`, not to a release version")
                        }
                        None => "pinned to a revision, not to a release version".to_string(),
                    };
                    out.not_checked.push(unchecked(&name, revision, reason));
                }
            }
        }
        Ok(out)
    }
}

/// Whether a pin location is a local path rather than a remote repository.
fn is_local(url: &str) -> bool {
    url.starts_with('/') || url.starts_with("file:") || url.starts_with('.')
}

/// The SwiftURL name of a repository location: without scheme, user,
/// trailing `/` and `.git`; an scp-like `git@host:path` becomes
/// `host/path`.
fn package_name(location: &str) -> String {
    let mut rest = location.trim();
    let had_scheme = match rest.find("://") {
        Some(i) => {
            rest = rest.get(i + 3..).unwrap_or("");
            true
        }
        None => false,
    };
    // A user before the host: `git@host`, `user:token@host`.
    let host_end = rest.find('/').unwrap_or(rest.len());
    if let Some(at) = rest.get(..host_end).and_then(|h| h.rfind('@')) {
        rest = rest.get(at + 1..).unwrap_or("");
    }
    let mut name = rest.to_string();
    if !had_scheme {
        // scp-like: `host:owner/repo`.
        if let Some(colon) = name.find(':') {
            if name.get(..colon).is_some_and(|h| !h.contains('/')) {
                name.replace_range(colon..=colon, "/");
            }
        }
    }
    let trimmed = name.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix(".git").unwrap_or(trimmed);
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "swift/package_resolved";

    fn read(rel: &str) -> Extracted {
        fixture(&PackageResolved, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_package_resolved() {
        assert!(PackageResolved.matches(Path::new("Package.resolved")));
        assert!(PackageResolved.matches(Path::new(
            "App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved"
        )));
        assert!(!PackageResolved.matches(Path::new("Package.swift")));
        assert!(!PackageResolved.matches(Path::new("package.resolved.bak")));
    }

    #[test]
    fn names_from_urls() {
        for (url, name) in [
            (
                "https://github.com/apple/swift-nio.git",
                "github.com/apple/swift-nio",
            ),
            (
                "https://github.com/apple/swift-nio",
                "github.com/apple/swift-nio",
            ),
            (
                "https://github.com/apple/swift-nio/",
                "github.com/apple/swift-nio",
            ),
            (
                "git@github.com:apple/swift-nio.git",
                "github.com/apple/swift-nio",
            ),
            ("ssh://git@gitlab.com/a/b.git", "gitlab.com/a/b"),
            ("https://user:token@example.com/a/b.git", "example.com/a/b"),
            ("", ""),
        ] {
            assert_eq!(package_name(url), name, "{url}");
        }
    }

    #[test]
    fn empty_file() {
        let x = read("empty/Package.resolved");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&PackageResolved, SUB, "malformed/Package.resolved").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(err.path(), "malformed/Package.resolved");
        assert_eq!(err.line(), Some(10), "{err}");
        assert!(
            err.to_string().starts_with(
                "malformed/Package.resolved:10: not a valid Package.resolved: trailing comma"
            ),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/Package.resolved");
        assert_eq!(
            brief(&x),
            ["github.com/apple/swift-nio@2.65.0 one-package/Package.resolved:3"]
        );
        let c = one(&x, "github.com/apple/swift-nio", "2.65.0");
        assert_eq!(c.purl, "pkg:swift/github.com/apple/swift-nio@2.65.0");
        assert_eq!(c.ecosystem, Ecosystem::SwiftUrl);
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn version_1() {
        let x = read("v1/Package.resolved");
        assert_eq!(
            brief(&x),
            [
                "github.com/Alamofire/Alamofire@5.6.4 v1/Package.resolved:4",
                "github.com/SnapKit/SnapKit@5.6.0 v1/Package.resolved:22",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["github.com/onevcat/Kingfisher@3b9d8f42a1e8c8e5c6d0b1b4a0d0e9c3f5b7a1d2 :13 pinned to the branch `master`, not to a release version"]
        );
        assert!(x.diagnostics.is_empty());
    }

    #[test]
    fn version_2_with_branches_local_and_registry_pins() {
        let x = read("v2-mixed/Package.resolved");
        assert_eq!(
            brief(&x),
            [
                "github.com/apple/swift-log@1.5.4 v2-mixed/Package.resolved:3",
                "github.com/pointfreeco/swift-snapshot-testing@1.15.4 v2-mixed/Package.resolved:37",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "github.com/apple/swift-collections@94cf62b3ba8d4bed62680a282d4c25f9c63c2efb :12 pinned to a revision, not to a release version",
                "github.com/vapor/vapor@a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 :28 pinned to the branch `main`, not to a release version",
                "local-kit@ :20 a local package, not a published release",
                "mona.linkedlist@1.2.0 :46 from a Swift package registry; OSV names Swift packages by repository URL",
            ]
        );
    }

    #[test]
    fn version_3() {
        let x = read("v3/Package.resolved");
        assert!(x.not_checked.is_empty() && x.diagnostics.is_empty());
        assert_eq!(x.components.len(), 6);
        assert_eq!(
            line(one(&x, "github.com/apple/swift-crypto", "3.3.0")),
            Some(22)
        );
        insta::assert_json_snapshot!("package_resolved_v3", view(&x));
    }

    #[test]
    fn unknown_version_warns() {
        let text = r#"{"pins": [{"identity": "a", "kind": "remoteSourceControl", "location": "https://github.com/o/a.git", "state": {"version": "1.0.0"}}], "version": 7}"#;
        let input = FileInput::new(
            "Package.resolved",
            Path::new("Package.resolved"),
            text,
            Path::new("/"),
        );
        let x = PackageResolved.extract(&input).unwrap();
        assert_eq!(brief(&x), ["github.com/o/a@1.0.0 Package.resolved:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "Package.resolved: version 7 is not one this reader knows; read as version 3"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in ["v1/Package.resolved", "v2-mixed/Package.resolved"] {
            survives_truncation(&PackageResolved, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("swift/packageresolved/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PackageResolved, &dir, f);
        let x = run("valid").unwrap();
        assert_eq!(
            brief(&x),
            [
                "github.com/apple/swift-algorithms@1.0.0 valid:3",
                "github.com/apple/swift-async-algorithms@0.1.0 valid:12",
                "github.com/apple/swift-atomics@1.1.0 valid:21",
            ]
        );
        let x = run("cve-packages").unwrap();
        assert_eq!(x.components.len(), 3);
        assert_eq!(
            one(&x, "github.com/apple/swift-nio-http2", "1.29.0").purl,
            "pkg:swift/github.com/apple/swift-nio-http2@1.29.0"
        );
        assert_eq!(
            line(one(&x, "github.com/apple/swift-crypto", "3.0.0")),
            Some(3)
        );
        let err = run("invalid").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid", Some(1)));
    }
}
