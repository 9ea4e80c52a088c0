//! `packages.lock.json`: the lockfile of NuGet's PackageReference.
//!
//! ## Detects
//! Files named `packages.lock.json` (written when a project sets
//! `RestorePackagesWithLockFile`), versions 1 and 2 (version 2 adds
//! `CentralTransitive` entries for Central Package Management). Each
//! target framework (`net8.0`, or `net8.0/win-x64` for a runtime) maps
//! package names to `type`, `requested`, `resolved`, `contentHash` and
//! `dependencies`.
//!
//! ## Ecosystem
//! NuGet. Each package entry of each target framework is a component: its
//! name and `resolved` version as written, located at the line of its key.
//! `direct` is true for `Direct` entries, false for `Transitive` and
//! `CentralTransitive` ones. `dependencies` are the names of its
//! `dependencies`; `contentHash` (a base64 SHA-512 of the package) is
//! recorded as `sha512-<base64>`. `Project` entries (other projects of the
//! solution) are not components.
//!
//! ## Limitations
//! - `dev` is unknown: NuGet does not tell development-only packages
//!   (`PrivateAssets="all"` analyzers) apart in the lockfile.
//! - A package locked for several target frameworks is reported once per
//!   framework (with its own line).
//!
//! ## References
//! - <https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files#locking-dependencies>
//! - <https://learn.microsoft.com/en-us/nuget/consume-packages/central-package-management>

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::extractors::npm::package_lock::{key_lines, strip_position};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest lockfile version this reader knows.
const NEWEST_VERSION: u64 = 2;

/// Reads `packages.lock.json`.
#[derive(Debug, Clone, Copy)]
pub struct PackagesLock;

#[derive(Deserialize)]
struct Lockfile {
    version: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: Option<String>,
    resolved: Option<String>,
    #[serde(rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
}

impl Extractor for PackagesLock {
    fn name(&self) -> &'static str {
        "dotnet/packages-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "packages.lock.json"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = serde_json::from_str(input.contents).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            input.malformed(
                line,
                format!("not a valid NuGet lockfile: {}", strip_position(&e)),
            )
        })?;
        let mut out = Extracted::default();
        if let Some(v) = &lock.version {
            if v.as_u64().is_none_or(|n| n > NEWEST_VERSION) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("version {v} is not one this reader knows; read as version {NEWEST_VERSION}"),
                ));
            }
        }
        let lines = key_lines(input.contents, |p| {
            p.len() == 3 && p.first().is_some_and(|k| k == "dependencies")
        });
        for (framework, packages) in &lock.dependencies {
            for (name, entry) in packages {
                let line = lines
                    .get(&["dependencies".to_string(), framework.clone(), name.clone()][..])
                    .copied();
                let direct = match entry.kind.as_deref() {
                    Some("Project") => continue,
                    Some("Direct") => Some(true),
                    Some("Transitive") | Some("CentralTransitive") => Some(false),
                    _ => None,
                };
                let Some(version) = &entry.resolved else {
                    out.diagnostics.push(Diagnostic::warning(
                        input.rel_path,
                        line,
                        format!("package `{name}` ({framework}) has no resolved version; skipped"),
                    ));
                    continue;
                };
                let mut component =
                    Component::new(Ecosystem::NuGet, name.as_str(), version.as_str())
                        .at(input.rel_path, line)
                        .direct(direct)
                        .depends_on(entry.dependencies.keys());
                if let Some(hash) = entry.content_hash.as_deref().filter(|h| !h.is_empty()) {
                    component = component.hash(format!("sha512-{hash}"));
                }
                out.components.push(component);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, view,
    };

    const SUB: &str = "dotnet/packages_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PackagesLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_lockfile_name() {
        assert!(PackagesLock.matches(Path::new("src/App/packages.lock.json")));
        assert!(!PackagesLock.matches(Path::new("package-lock.json")));
        assert!(!PackagesLock.matches(Path::new("packages.config")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/packages.lock.json");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&PackagesLock, SUB, "malformed/packages.lock.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/packages.lock.json:7: not a valid NuGet lockfile: expected `,` or `}`"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/packages.lock.json");
        assert_eq!(
            brief(&x),
            ["Newtonsoft.Json@13.0.3 one-package/packages.lock.json:5"]
        );
        let c = one(&x, "Newtonsoft.Json", "13.0.3");
        assert_eq!(c.purl, "pkg:nuget/Newtonsoft.Json@13.0.3");
        assert_eq!((c.direct, c.dev), (Some(true), None));
        assert_eq!(
            c.hashes,
            ["sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ=="]
        );
    }

    #[test]
    fn central_management_and_frameworks() {
        let x = read("multi-target/packages.lock.json");
        assert!(x.diagnostics.is_empty());
        // Once per framework; the project reference is not a component.
        assert_eq!(
            brief(&x),
            [
                "Microsoft.Extensions.DependencyInjection.Abstractions@8.0.0 multi-target/packages.lock.json:23",
                "Microsoft.Extensions.DependencyInjection.Abstractions@8.0.0 multi-target/packages.lock.json:50",
                "Microsoft.Extensions.Logging.Abstractions@8.0.0 multi-target/packages.lock.json:35",
                "Microsoft.Extensions.Logging.Abstractions@8.0.0 multi-target/packages.lock.json:5",
                "Serilog@3.1.1 multi-target/packages.lock.json:14",
                "System.Text.Json@8.0.4 multi-target/packages.lock.json:28",
            ]
        );
        let c = one(&x, "System.Text.Json", "8.0.4");
        assert_eq!(c.direct, Some(false));
        assert_eq!(line(c), Some(28));
        insta::assert_json_snapshot!("packages_lock_multi_target", view(&x));
    }

    #[test]
    fn unknown_version_warns() {
        let text = r#"{"version": 7, "dependencies": {"net8.0": {"A": {"type": "Direct", "resolved": "1.0.0"}}}}"#;
        let input = FileInput::new(
            "packages.lock.json",
            Path::new("packages.lock.json"),
            text,
            Path::new("/"),
        );
        let x = PackagesLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["A@1.0.0 packages.lock.json:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "packages.lock.json: version 7 is not one this reader knows; read as version 2"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&PackagesLock, SUB, "multi-target/packages.lock.json");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("dotnet/packageslockjson/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PackagesLock, &dir, f);
        let x = run("valid/packages.lock.json").unwrap();
        assert_eq!(x.components.len(), 8);
        let c = one(&x, "Core.Dep", "1.24.0");
        assert_eq!((line(c), c.direct), (Some(5), Some(true)));
        assert_eq!(c.dependencies.len(), 7);
        let c = one(&x, "Another.Longer.Name.Dep", "4.5.4");
        assert_eq!((line(c), c.direct), (Some(54), Some(false)));
        let err = run("invalid/invalid").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid/invalid", Some(1)));
    }
}
