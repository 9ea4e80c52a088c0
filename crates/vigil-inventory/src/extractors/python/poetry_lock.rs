//! `poetry.lock`: the lockfile of Poetry.
//!
//! ## Detects
//! Files named `poetry.lock`: Poetry 1.x lockfiles (lock-version 1.x, with
//! `category = "main"` / `"dev"`) and Poetry 2.x lockfiles (lock-version
//! 2.x, with `groups = [...]`).
//!
//! ## Ecosystem
//! PyPI. Each `[[package]]` installed from a package index (PyPI, or a
//! `legacy` index such as a mirror) is a component: its `name` and `version`
//! as written, located at its `[[package]]` line. `dev` is true for a
//! package only in non-main groups (`groups` without `"main"`, or
//! `category = "dev"`), false for a package of the main group, unknown when
//! the file says neither. `optional` is the package's `optional` (true for
//! a package installed only for an extra). `dependencies` lists the names
//! of its `[package.dependencies]` that the file also locks; its hashes are
//! those of its `files` (or, in older files, of its `[metadata.files]`
//! entry), as written (`sha256:...`), each once.
//! Packages from git, a local directory or file, or a
//! URL are "not checked" entries: they are not PyPI releases.
//!
//! ## Limitations
//! - `direct` is unknown: the lockfile does not say which packages
//!   `pyproject.toml` asks for.
//! - Optional groups other than `dev` (`docs`, `test`) count as development
//!   groups: they are not installed by a plain `poetry install --only main`.
//! - Extras (`optional = true`) are reported like any other package, with
//!   their optional flag set.
//! - Dependencies are credited by name only: markers (`sys_platform ==
//!   "win32"`) are not evaluated.
//!
//! ## References
//! - <https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>
//! - <https://python-poetry.org/docs/managing-dependencies/#dependency-groups>
//! - The lockfile writer: `src/poetry/packages/locker.py` in the Poetry
//!   repository.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use vigil_model::{Component, Ecosystem, Location, NotChecked};

use crate::extractors::{toml_malformed, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `poetry.lock`.
#[derive(Debug, Clone, Copy)]
pub struct PoetryLock;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<Spanned<Package>>,
    metadata: Option<Metadata>,
}

/// Poetry 1.x before lock-version 2.0 keeps file hashes here, by package
/// name.
#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    files: HashMap<String, Vec<FileHash>>,
}

#[derive(Deserialize)]
struct FileHash {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    optional: Option<bool>,
    source: Option<Source>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    files: Option<Vec<FileHash>>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: String,
}

impl Extractor for PoetryLock {
    fn name(&self) -> &'static str {
        "python/poetry-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "poetry.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile =
            toml::from_str(input.contents).map_err(|e| toml_malformed(input, "poetry.lock", &e))?;
        let mut out = Extracted::default();
        let lines = LineIndex::new(input.contents);
        // The packages of the file by normalized name, to resolve
        // dependency names.
        let listed: HashMap<String, String> = lock
            .package
            .iter()
            .map(|p| {
                let name = &p.get_ref().name;
                (Ecosystem::PyPI.normalize_name(name), name.clone())
            })
            .collect();
        let mut old_files = lock.metadata.map(|m| m.files).unwrap_or_default();
        for spanned in lock.package {
            let line = lines.line(spanned.span().start);
            let p = spanned.into_inner();
            let not_from_an_index = match p.source.as_ref().map(|s| s.kind.as_str()) {
                Some("git") => Some("installed from git, not from a PyPI release"),
                Some("directory") => Some("a local directory, not a PyPI release"),
                Some("file") => Some("a local file, not a PyPI release"),
                Some("url") => Some("downloaded from a URL, not a PyPI release"),
                _ => None,
            };
            if let Some(reason) = not_from_an_index {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::PyPI,
                    name: p.name,
                    version: p.version,
                    location: Location::new(input.rel_path, Some(line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let dev = match (&p.groups, &p.category) {
                (Some(groups), _) if !groups.is_empty() => {
                    Some(!groups.iter().any(|g| g == "main"))
                }
                (_, Some(category)) => Some(category == "dev"),
                _ => None,
            };
            let mut dependencies: Vec<String> = p
                .dependencies
                .keys()
                .filter_map(|d| listed.get(&Ecosystem::PyPI.normalize_name(d)).cloned())
                .collect();
            dependencies.sort();
            dependencies.dedup();
            let files = match p.files {
                Some(files) if !files.is_empty() => files,
                _ => old_files.remove(&p.name).unwrap_or_default(),
            };
            let mut c = Component::new(Ecosystem::PyPI, p.name, p.version)
                .at(input.rel_path, Some(line))
                .dev(dev)
                .optional(p.optional)
                .depends_on(dependencies);
            for hash in files.into_iter().filter_map(|f| f.hash) {
                if !hash.is_empty() && !c.hashes.contains(&hash) {
                    c = c.hash(hash);
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
        assert_empty, assert_malformed, brief, extract_in, fixture, line, one, samples,
        survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "python/poetry_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PoetryLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_poetry_lock() {
        assert!(PoetryLock.matches(Path::new("poetry.lock")));
        assert!(PoetryLock.matches(Path::new("svc/poetry.lock")));
        assert!(!PoetryLock.matches(Path::new("pyproject.toml")));
        assert!(!PoetryLock.matches(Path::new("Poetry.lock.bak")));
    }

    #[test]
    fn empty_files() {
        assert_empty(
            &PoetryLock,
            SUB,
            &["empty/poetry.lock", "empty-file/poetry.lock"],
        );
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        assert_malformed(
            &PoetryLock,
            SUB,
            "malformed/poetry.lock",
            Some(9),
            "not a valid poetry.lock",
        );
    }

    #[test]
    fn package_without_name_is_malformed_at_its_table() {
        let err = fixture(&PoetryLock, SUB, "missing-name/poetry.lock").unwrap_err();
        assert_eq!(err.line(), Some(5), "{err}");
        assert!(err.to_string().contains("name"), "{err}");
    }

    #[test]
    fn one_package() {
        let x = read("one-package/poetry.lock");
        assert_eq!(brief(&x), ["numpy@1.26.4 one-package/poetry.lock:3"]);
        let c = one(&x, "numpy", "1.26.4");
        assert_eq!(c.purl, "pkg:pypi/numpy@1.26.4");
        // Neither `category` nor `groups`: dev is unknown; direct always is.
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn poetry_1_categories() {
        let x = read("v1-categories/poetry.lock");
        assert_eq!(
            brief(&x),
            [
                "atomicwrites@1.4.1 v1-categories/poetry.lock:1",
                "certifi@2022.6.15 v1-categories/poetry.lock:9",
                "pytest@7.1.2 v1-categories/poetry.lock:17",
                "requests@2.28.1 v1-categories/poetry.lock:31",
            ]
        );
        assert_eq!(one(&x, "atomicwrites", "1.4.1").dev, Some(true));
        assert_eq!(one(&x, "certifi", "2022.6.15").dev, Some(false));
        assert_eq!(one(&x, "pytest", "7.1.2").dev, Some(true));
        assert_eq!(one(&x, "requests", "2.28.1").dev, Some(false));
        // Dependencies the file locks; hashes from `[metadata.files]`.
        assert_eq!(one(&x, "pytest", "7.1.2").dependencies, ["atomicwrites"]);
        assert_eq!(one(&x, "requests", "2.28.1").dependencies, ["certifi"]);
        assert_eq!(
            one(&x, "atomicwrites", "1.4.1").hashes,
            [format!("sha256:{}", "0".repeat(64))]
        );
        assert!(one(&x, "certifi", "2022.6.15").hashes.is_empty());
        assert_eq!(one(&x, "requests", "2.28.1").optional, Some(false));
    }

    #[test]
    fn poetry_2_groups() {
        let x = read("v2-groups/poetry.lock");
        assert_eq!(one(&x, "idna", "3.10").dev, Some(false));
        assert_eq!(one(&x, "mkdocs", "1.6.1").dev, Some(true));
        assert_eq!(one(&x, "pytest", "8.3.4").dev, Some(true));
        assert_eq!(one(&x, "uvloop", "0.21.0").dev, Some(false));
        insta::assert_json_snapshot!("poetry_lock_v2_groups", view(&x));
    }

    #[test]
    fn sources_other_than_an_index_are_not_checked() {
        let x = read("non-pypi-sources/poetry.lock");
        assert_eq!(brief(&x), ["boto3@1.34.49 non-pypi-sources/poetry.lock:1"]);
        let nc = unchecked_brief(&x);
        assert_eq!(
            nc,
            [
                "django-debug-toolbar@4.3.0 :15 installed from git, not from a PyPI release",
                "mylib@0.1.0 :31 a local directory, not a PyPI release",
                "wheel-pkg@1.0.0 :45 downloaded from a URL, not a PyPI release",
            ]
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in [
            "v1-categories/poetry.lock",
            "v2-groups/poetry.lock",
            "non-pypi-sources/poetry.lock",
        ] {
            survives_truncation(&PoetryLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/poetrylock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PoetryLock, &dir, f);

        let x = run("multiple-packages.v2.lock").unwrap();
        assert_eq!(x.components.len(), 11, "{:#?}", brief(&x));
        assert_eq!(line(one(&x, "urllib3", "2.3.0")), Some(169));
        assert_eq!(one(&x, "urllib3", "2.3.0").dev, Some(true));
        // In the main group and in development groups: not dev-only.
        assert_eq!(one(&x, "six", "1.17.0").dev, Some(false));
        assert_eq!(line(one(&x, "async-timeout", "5.0.1")), Some(3));
        assert_eq!(one(&x, "factory-boy", "3.3.1").dev, Some(true));
        assert_eq!(one(&x, "faker", "33.3.0").dev, Some(true));
        assert_eq!(one(&x, "proto-plus", "1.22.0").dev, Some(false));
        assert_eq!(one(&x, "proto-plus", "1.23.0").dev, Some(false));

        // `name = ...` inside a multi-line string or a comment is not a package.
        let x = run("names-outside-package-block.lock").unwrap();
        assert_eq!(
            brief(&x),
            [
                "first-pkg@1.0.0 names-outside-package-block.lock:3",
                "second-pkg@2.0.0 names-outside-package-block.lock:15",
            ]
        );

        let x = run("one-package.lock").unwrap();
        assert_eq!(brief(&x), ["numpy@1.23.3 one-package.lock:1"]);
        assert_eq!(one(&x, "numpy", "1.23.3").dev, Some(false));
        assert_eq!(run("two-packages.lock").unwrap().components.len(), 2);
        assert_eq!(run("optional-package.lock").unwrap().components.len(), 1);
        assert_eq!(
            brief(&run("one-package-with-metadata.lock").unwrap()),
            ["emoji@2.0.0 one-package-with-metadata.lock:1"]
        );
        assert_eq!(
            brief(&run("source-legacy.lock").unwrap()),
            ["appdirs@1.4.4 source-legacy.lock:1"]
        );

        let x = run("source-git.lock").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.not_checked[0].name, "ike");

        assert!(run("empty.lock").unwrap().components.is_empty());
        assert!(run("empty-file.lock").unwrap().components.is_empty());
        let err = run("not-toml.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-toml.txt", Some(1)));
    }
}
