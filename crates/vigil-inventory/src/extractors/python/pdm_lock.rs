//! `pdm.lock`: the lockfile of PDM.
//!
//! ## Detects
//! Files named `pdm.lock` (`lock_version` 4.x in `[metadata]`; older files
//! are read the same way).
//!
//! ## Ecosystem
//! PyPI. Each `[[package]]` from a package index is a component: its `name`
//! and `version` as written, located at its `[[package]]` line, with the
//! `hash` of each of its `files` as written and the names of the packages
//! of the file it depends on (from its `dependencies` requirement strings).
//! `dev` is true for a package whose `groups` do not include `default`,
//! false for one that does, unknown when the package has no `groups`.
//!
//! Packages from git (`git`), a local path (`path`, `editable`) or a URL
//! (`url`) are "not checked" entries: they are not PyPI releases.
//!
//! ## Limitations
//! - `direct` is unknown: the lockfile does not say which packages
//!   `pyproject.toml` asks for.
//! - Optional-dependency groups (extras) count as development groups, like
//!   dev-dependency groups: the lockfile names both the same way.
//! - Environment markers are not evaluated.
//! - A `lock_version` with a major version other than 4 gives a warning and
//!   a best-effort read.
//!
//! ## References
//! - <https://pdm-project.org/latest/usage/lockfile/>
//! - <https://pdm-project.org/latest/usage/dependency/#add-development-only-dependencies>

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::{normalize_name, requirement_name};
use crate::extractors::{toml_malformed, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The `lock_version` major this reader knows.
const KNOWN_MAJOR: &str = "4";

/// Reads `pdm.lock`.
#[derive(Debug, Clone, Copy)]
pub struct PdmLock;

#[derive(Deserialize)]
struct Lockfile {
    metadata: Option<Metadata>,
    #[serde(default)]
    package: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Metadata {
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<File>,
    git: Option<String>,
    revision: Option<String>,
    path: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct File {
    hash: Option<String>,
}

impl Extractor for PdmLock {
    fn name(&self) -> &'static str {
        "python/pdm-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "pdm.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile =
            toml::from_str(input.contents).map_err(|e| toml_malformed(input, "pdm.lock", &e))?;
        let mut out = Extracted::default();
        if let Some(v) = lock.metadata.as_ref().and_then(|m| m.lock_version.as_ref()) {
            if v.split('.').next() != Some(KNOWN_MAJOR) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("lock_version {v} is not one this reader knows; read as version {KNOWN_MAJOR}"),
                ));
            }
        }
        let lines = LineIndex::new(input.contents);
        let known: HashSet<String> = lock
            .package
            .iter()
            .map(|p| normalize_name(&p.get_ref().name))
            .collect();
        for spanned in lock.package {
            let line = lines.line(spanned.span().start);
            let p = spanned.into_inner();
            let (reason, version) = if p.git.is_some() {
                (
                    Some("installed from git, not from a PyPI release"),
                    p.version.clone().or(p.revision.clone()),
                )
            } else if p.path.is_some() {
                (Some("a local path, not a PyPI release"), p.version.clone())
            } else if p.url.is_some() {
                (
                    Some("downloaded from a URL, not a PyPI release"),
                    p.version.clone(),
                )
            } else if p.version.is_none() {
                (Some("no version is locked"), None)
            } else {
                (None, p.version.clone())
            };
            let version = version.unwrap_or_default();
            if let Some(reason) = reason {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::PyPI,
                    name: p.name,
                    version,
                    location: Location::new(input.rel_path, Some(line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let mut deps: Vec<String> = Vec::new();
            for req in &p.dependencies {
                let name = requirement_name(req);
                if known.contains(&normalize_name(name)) && !deps.iter().any(|d| d == name) {
                    deps.push(name.to_string());
                }
            }
            let dev = p
                .groups
                .as_ref()
                .filter(|g| !g.is_empty())
                .map(|g| !g.iter().any(|g| g == "default"));
            let mut c = Component::new(Ecosystem::PyPI, p.name, version)
                .at(input.rel_path, Some(line))
                .dev(dev)
                .depends_on(deps);
            c.hashes = p.files.into_iter().filter_map(|f| f.hash).collect();
            out.components.push(c);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_empty, assert_malformed, brief, extract_in, fixture, line, one, samples,
        survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "python/pdm_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PdmLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_pdm_lock() {
        assert!(PdmLock.matches(Path::new("pdm.lock")));
        assert!(PdmLock.matches(Path::new("svc/pdm.lock")));
        assert!(!PdmLock.matches(Path::new("pdm.toml")));
    }

    #[test]
    fn empty_files() {
        assert_empty(&PdmLock, SUB, &["empty/pdm.lock", "empty-file/pdm.lock"]);
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        assert_malformed(
            &PdmLock,
            SUB,
            "malformed/pdm.lock",
            Some(6),
            "not a valid pdm.lock",
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/pdm.lock");
        assert_eq!(brief(&x), ["certifi@2024.8.30 one-package/pdm.lock:9"]);
        let c = one(&x, "certifi", "2024.8.30");
        assert_eq!((c.direct, c.dev), (None, Some(false)));
        assert_eq!(c.hashes.len(), 2);
    }

    #[test]
    fn groups_dependencies_and_sources() {
        let x = read("realistic/pdm.lock");
        assert!(x.diagnostics.is_empty());
        assert_eq!(one(&x, "requests", "2.32.3").dev, Some(false));
        assert_eq!(
            one(&x, "requests", "2.32.3").dependencies,
            ["certifi", "charset-normalizer", "idna", "urllib3"]
        );
        assert_eq!(one(&x, "pytest", "8.3.3").dev, Some(true));
        assert_eq!(one(&x, "pytest", "8.3.3").dependencies, ["iniconfig"]);
        assert_eq!(line(one(&x, "pytest", "8.3.3")), Some(46));
        assert_eq!(
            unchecked_brief(&x),
            [
                "mytool@0.2.0 :61 a local path, not a PyPI release",
                "toml@0.10.2 :87 installed from git, not from a PyPI release",
            ]
        );
        insta::assert_json_snapshot!("pdm_lock_realistic", view(&x));
    }

    #[test]
    fn unknown_lock_version_warns() {
        let text = "[metadata]\nlock_version = \"5.0\"\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n";
        let input = FileInput::new("pdm.lock", Path::new("pdm.lock"), text, Path::new("/"));
        let x = PdmLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["six@1.16.0 pdm.lock:3"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "pdm.lock: lock_version 5.0 is not one this reader knows; read as version 4"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&PdmLock, SUB, "realistic/pdm.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/pdmlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PdmLock, &dir, f);

        let x = run("dev-dependency.toml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "pyroute2@0.7.11 dev-dependency.toml:10",
                "toml@0.10.2 dev-dependency.toml:22",
                "win-inet-pton@1.1.0 dev-dependency.toml:33",
            ]
        );
        assert_eq!(one(&x, "pyroute2", "0.7.11").dev, Some(true));
        assert_eq!(
            one(&x, "pyroute2", "0.7.11").dependencies,
            ["win-inet-pton"]
        );
        assert_eq!(one(&x, "toml", "0.10.2").dev, Some(false));
        assert_eq!(one(&x, "toml", "0.10.2").hashes.len(), 2);
        let x = run("optional-dependency.toml").unwrap();
        assert_eq!(one(&x, "win-inet-pton", "1.1.0").dev, Some(true));

        let x = run("git-dependency.toml").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["toml@0.10.2 :10 installed from git, not from a PyPI release"]
        );
        assert_eq!(run("single-package.toml").unwrap().components.len(), 1);
        assert_eq!(run("two-packages.toml").unwrap().components.len(), 2);
        let x = run("names-outside-package-block.toml").unwrap();
        assert_eq!(x.components.len(), 2, "{:?}", brief(&x));
        assert!(run("empty.toml").unwrap().components.is_empty());
        assert!(run("empty-file.toml").unwrap().components.is_empty());
        let err = run("not-toml.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-toml.txt", Some(1)));
    }
}
