//! `vcpkg.json`: the manifest of a vcpkg (C/C++) project.
//!
//! ## Detects
//! Files named `vcpkg.json`: the `dependencies` list (port names, or
//! objects with `name`, `version>=`, `features`, `host`, `platform`), the
//! `overrides` list (`{name, version}` pins, also written `version-semver`,
//! `version-date` or `version-string`, with an optional `port-version`) and
//! the `builtin-baseline` (the commit of the vcpkg registry that gives the
//! versions of everything not pinned).
//!
//! ## Ecosystem
//! None: OSV has no ecosystem for vcpkg ports, so nothing here can be
//! matched against advisories. Every dependency and override is a "not
//! checked" entry saying so, located at its line, with the version the
//! manifest pins where it pins one (an override), and otherwise where the
//! version comes from: the baseline (named by its commit) or, without one,
//! whatever ports the vcpkg checkout has.
//!
//! ## Limitations
//! - No components: a vcpkg port names the upstream project (`zlib`,
//!   `openssl`) but OSV records upstream projects under other ecosystems or
//!   not at all, so a guess would give wrong matches.
//! - The versions of a baseline are not looked up: that would need the
//!   vcpkg registry at that commit.
//! - `version>=` is a minimum, reported in the reason, not as a version.
//! - A "not checked" entry needs an ecosystem: these are filed under
//!   ConanCenter, the C/C++ ecosystem vigil knows, though vcpkg ports are
//!   not ConanCenter packages; the reason says so.
//! - A port named twice in `dependencies` is reported once, at its first
//!   line.
//!
//! ## References
//! - <https://learn.microsoft.com/vcpkg/reference/vcpkg-json>
//! - <https://learn.microsoft.com/vcpkg/users/versioning>

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::json_lines::{json_line, json_message, value_lines, Seg};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `vcpkg.json`.
#[derive(Debug, Clone, Copy)]
pub struct Vcpkg;

/// The ecosystem "not checked" entries are filed under: vcpkg has none in
/// OSV; its ports are C and C++ libraries, as ConanCenter's are.
const ECOSYSTEM: Ecosystem = Ecosystem::ConanCenter;

const NO_ECOSYSTEM: &str = "vcpkg ports have no OSV ecosystem";

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    dependencies: Vec<serde_json::Value>,
    #[serde(default)]
    overrides: Vec<serde_json::Value>,
    #[serde(rename = "builtin-baseline")]
    builtin_baseline: Option<String>,
}

/// The version an override pins, with its port version.
fn override_version(o: &serde_json::Value) -> Option<String> {
    let version = [
        "version",
        "version-semver",
        "version-date",
        "version-string",
    ]
    .iter()
    .find_map(|k| o.get(*k).and_then(|v| v.as_str()))?;
    Some(match o.get("port-version").and_then(|p| p.as_u64()) {
        Some(p) if p > 0 => format!("{version}#{p}"),
        _ => version.to_string(),
    })
}

impl Extractor for Vcpkg {
    fn name(&self) -> &'static str {
        "cpp/vcpkg"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "vcpkg.json"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let manifest: Manifest = serde_json::from_str(input.contents).map_err(|e| {
            input.malformed(
                json_line(&e),
                format!("not a valid vcpkg.json: {}", json_message(&e)),
            )
        })?;
        let mut out = Extracted::default();
        let lines = value_lines(input.contents, |p| {
            p.len() == 2 && matches!(&p[0], Seg::Key(k) if k == "dependencies" || k == "overrides")
        });
        let line_of = |key: &str, i: usize| {
            lines
                .get(&[Seg::Key(key.to_string()), Seg::Index(i)][..])
                .copied()
        };
        let bad = |out: &mut Extracted, line: Option<u32>, what: &str| {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                line,
                format!("{what} without a port name; skipped"),
            ));
        };

        // Overrides by name: (version, line, used by a dependency).
        let mut overrides: BTreeMap<String, (String, Option<u32>, bool)> = BTreeMap::new();
        for (i, o) in manifest.overrides.iter().enumerate() {
            let line = line_of("overrides", i);
            match o.get("name").and_then(|n| n.as_str()) {
                Some(name) if !name.is_empty() => {
                    let version = override_version(o).unwrap_or_default();
                    overrides
                        .entry(name.to_string())
                        .or_insert((version, line, false));
                }
                _ => bad(&mut out, line, "an override"),
            }
        }

        let unpinned = match &manifest.builtin_baseline {
            Some(sha) => format!(
                "{NO_ECOSYSTEM}; its version comes from the vcpkg baseline {sha}, which the manifest does not state"
            ),
            None => format!(
                "{NO_ECOSYSTEM}; the manifest has no builtin-baseline, so its version is whatever the vcpkg checkout has"
            ),
        };
        let mut seen = std::collections::HashSet::new();
        for (i, d) in manifest.dependencies.iter().enumerate() {
            let line = line_of("dependencies", i);
            let name = d
                .as_str()
                .or_else(|| d.get("name").and_then(|n| n.as_str()))
                .filter(|n| !n.is_empty());
            let Some(name) = name else {
                bad(&mut out, line, "a dependency");
                continue;
            };
            if !seen.insert(name.to_string()) {
                continue;
            }
            let minimum = d.get("version>=").and_then(|v| v.as_str());
            let (version, reason) = match overrides.get_mut(name) {
                Some((version, _, used)) => {
                    *used = true;
                    (
                        version.clone(),
                        format!("{NO_ECOSYSTEM}; pinned by `overrides`"),
                    )
                }
                None => match minimum {
                    Some(min) => (String::new(), format!("{unpinned} (at least {min})")),
                    None => (String::new(), unpinned.clone()),
                },
            };
            out.not_checked.push(NotChecked {
                ecosystem: ECOSYSTEM,
                name: name.to_string(),
                version,
                location: Location::new(input.rel_path, line),
                reason,
            });
        }
        for (name, (version, line, used)) in overrides {
            if used {
                continue;
            }
            out.not_checked.push(NotChecked {
                ecosystem: ECOSYSTEM,
                name,
                version,
                location: Location::new(input.rel_path, line),
                reason: format!("{NO_ECOSYSTEM}; pinned by `overrides`"),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_malformed, fixture, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "cpp/vcpkg";

    fn read(rel: &str) -> Extracted {
        fixture(&Vcpkg, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_vcpkg_json() {
        assert!(Vcpkg.matches(Path::new("vcpkg.json")));
        assert!(Vcpkg.matches(Path::new("app/vcpkg.json")));
        assert!(!Vcpkg.matches(Path::new("vcpkg-configuration.json")));
        assert!(!Vcpkg.matches(Path::new("vcpkg.json.bak")));
    }

    #[test]
    fn empty_manifest() {
        let x = read("empty/vcpkg.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        assert_malformed(
            &Vcpkg,
            SUB,
            "malformed/vcpkg.json",
            Some(6),
            "not a valid vcpkg.json",
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/vcpkg.json");
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["fmt@ :5 vcpkg ports have no OSV ecosystem; the manifest has no builtin-baseline, so its version is whatever the vcpkg checkout has"]
        );
    }

    #[test]
    fn baseline_and_overrides() {
        let x = read("overrides/vcpkg.json");
        assert!(x.components.is_empty());
        let base = "vcpkg ports have no OSV ecosystem; its version comes from the vcpkg baseline 3426db05b996481ca31e95fff3734cf23e0f51bc, which the manifest does not state";
        let pinned = "vcpkg ports have no OSV ecosystem; pinned by `overrides`";
        assert_eq!(
            unchecked_brief(&x),
            [
                format!("boost-asio@ :8 {base} (at least 1.83.0)"),
                format!("curl@ :17 {base}"),
                format!("fmt@10.1.1 :6 {pinned}"),
                format!("openssl@3.0.8#2 :27 {pinned}"),
                format!("zlib@1.2.13 :16 {pinned}"),
            ]
        );
        assert!(x.diagnostics.is_empty());
        insta::assert_json_snapshot!("vcpkg_overrides", view(&x));
    }

    #[test]
    fn dependency_without_name_warns() {
        let x = read("missing-name/vcpkg.json");
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.diagnostics.len(), 1);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "missing-name/vcpkg.json:6: a dependency without a port name; skipped"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&Vcpkg, SUB, "overrides/vcpkg.json");
    }
}
