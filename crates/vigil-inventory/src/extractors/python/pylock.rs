//! `pylock.toml`: the standard Python lockfile (PEP 751).
//!
//! ## Detects
//! Files named `pylock.toml` or `pylock.<name>.toml` (`lock-version`
//! 1.x), as written by pip, PDM, uv and others.
//!
//! ## Ecosystem
//! PyPI. Each `[[packages]]` entry installed from an index (with `sdist`
//! or `wheels`, or with a version and no other source) is a component: its
//! `name` and `version` as written, located at its entry, with the hashes
//! of its sdist and wheels (`algorithm:hex`) and the names of its
//! `dependencies` found in the file.
//!
//! Entries from version control (`vcs`), a local `directory` or an
//! `archive` are "not checked" entries: they are not PyPI releases. A
//! `directory` at `.` is the project itself and is skipped.
//!
//! ## Limitations
//! - `direct` and `dev` are unknown: the standard says so only through
//!   environment markers (`"dev" in dependency_groups`), which are not
//!   evaluated.
//! - A `lock-version` with a major other than 1 gives a warning and a
//!   best-effort read.
//!
//! ## References
//! - <https://packaging.python.org/en/latest/specifications/pylock-toml/>
//! - <https://peps.python.org/pep-0751/>

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::normalize_name;
use crate::extractors::{toml_malformed, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The `lock-version` major this reader knows.
const KNOWN_MAJOR: &str = "1";

/// Reads `pylock.toml` and `pylock.<name>.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Pylock;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "lock-version")]
    lock_version: Option<String>,
    #[serde(default)]
    packages: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    vcs: Option<Vcs>,
    directory: Option<Directory>,
    archive: Option<toml::Value>,
    sdist: Option<Dist>,
    #[serde(default)]
    wheels: Vec<Dist>,
}

#[derive(Deserialize)]
struct Dep {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Vcs {
    #[serde(rename = "commit-id")]
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct Directory {
    path: Option<String>,
}

#[derive(Deserialize)]
struct Dist {
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

impl Extractor for Pylock {
    fn name(&self) -> &'static str {
        "python/pylock"
    }

    fn matches(&self, path: &Path) -> bool {
        let name = crate::file_name(path);
        name == "pylock.toml"
            || name
                .strip_prefix("pylock.")
                .and_then(|n| n.strip_suffix(".toml"))
                .is_some_and(|middle| !middle.is_empty() && !middle.contains('.'))
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile =
            toml::from_str(input.contents).map_err(|e| toml_malformed(input, "pylock.toml", &e))?;
        let mut out = Extracted::default();
        if let Some(v) = &lock.lock_version {
            if v.split('.').next() != Some(KNOWN_MAJOR) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("lock-version {v} is not one this reader knows; read as version {KNOWN_MAJOR}"),
                ));
            }
        }
        let lines = LineIndex::new(input.contents);
        let known: HashSet<String> = lock
            .packages
            .iter()
            .map(|p| normalize_name(&p.get_ref().name))
            .collect();
        for spanned in lock.packages {
            let line = lines.line(spanned.span().start);
            let p = spanned.into_inner();
            let elsewhere = if let Some(vcs) = &p.vcs {
                Some((
                    "installed from version control, not from a PyPI release",
                    p.version.clone().or(vcs.commit_id.clone()),
                ))
            } else if let Some(dir) = &p.directory {
                if matches!(dir.path.as_deref(), Some(".") | Some("./")) {
                    continue;
                }
                Some(("a local directory, not a PyPI release", p.version.clone()))
            } else if p.archive.is_some() {
                Some((
                    "an archive from a URL or path, not a PyPI release",
                    p.version.clone(),
                ))
            } else if p.version.is_none() {
                Some(("no version is locked", None))
            } else {
                None
            };
            if let Some((reason, version)) = elsewhere {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::PyPI,
                    name: p.name,
                    version: version.unwrap_or_default(),
                    location: Location::new(input.rel_path, Some(line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let mut deps: Vec<String> = Vec::new();
            for name in p.dependencies.iter().filter_map(|d| d.name.as_ref()) {
                if known.contains(&normalize_name(name)) && !deps.contains(name) {
                    deps.push(name.clone());
                }
            }
            let mut c = Component::new(Ecosystem::PyPI, p.name, p.version.unwrap_or_default())
                .at(input.rel_path, Some(line))
                .depends_on(deps);
            c.hashes = p
                .sdist
                .iter()
                .chain(&p.wheels)
                .flat_map(|d| d.hashes.iter().map(|(algo, hex)| format!("{algo}:{hex}")))
                .collect();
            out.components.push(c);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_empty, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "python/pylock";

    fn read(rel: &str) -> Extracted {
        fixture(&Pylock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_standard_names() {
        assert!(Pylock.matches(Path::new("pylock.toml")));
        assert!(Pylock.matches(Path::new("app/pylock.dev.toml")));
        assert!(!Pylock.matches(Path::new("pylock..toml")));
        assert!(!Pylock.matches(Path::new("pylock.a.b.toml")));
        assert!(!Pylock.matches(Path::new("pyproject.toml")));
    }

    #[test]
    fn empty_files() {
        assert_empty(
            &Pylock,
            SUB,
            &["empty/pylock.toml", "empty-file/pylock.toml"],
        );
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        let err = fixture(&Pylock, SUB, "malformed/pylock.toml").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(err.line(), Some(5), "{err}");
        assert!(
            err.to_string()
                .starts_with("malformed/pylock.toml:5: not a valid pylock.toml"),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/pylock.toml");
        assert_eq!(brief(&x), ["idna@3.10 one-package/pylock.toml:4"]);
        let c = one(&x, "idna", "3.10");
        assert_eq!((c.direct, c.dev), (None, None));
        assert_eq!(
            c.hashes,
            ["sha256:946d195a0d259cbba61165e88e65941f16e9b36ea6ddb97f00452bae8b1287d3"]
        );
    }

    #[test]
    fn sources_and_dependencies() {
        let x = read("realistic/pylock.dev.toml");
        assert!(x.diagnostics.is_empty());
        assert_eq!(
            one(&x, "requests", "2.32.3").dependencies,
            ["certifi", "idna", "urllib3"]
        );
        assert_eq!(one(&x, "requests", "2.32.3").hashes.len(), 2);
        assert_eq!(line(one(&x, "urllib3", "2.2.3")), Some(40));
        assert_eq!(
            unchecked_brief(&x),
            [
                "attrs@24.2.0 :45 installed from version control, not from a PyPI release",
                "helper@1.0.0 :54 an archive from a URL or path, not a PyPI release",
                "mylib@ :50 a local directory, not a PyPI release",
            ]
        );
        insta::assert_json_snapshot!("pylock_realistic", view(&x));
    }

    #[test]
    fn unknown_lock_version_warns() {
        let text = "lock-version = \"2.0\"\n[[packages]]\nname = \"six\"\nversion = \"1.16.0\"\n";
        let input = FileInput::new(
            "pylock.toml",
            Path::new("pylock.toml"),
            text,
            Path::new("/"),
        );
        let x = Pylock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["six@1.16.0 pylock.toml:2"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "pylock.toml: lock-version 2.0 is not one this reader knows; read as version 1"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&Pylock, SUB, "realistic/pylock.dev.toml");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/pylock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&Pylock, &dir, f);

        let x = run("pdm-full.toml").unwrap();
        assert_eq!(x.components.len(), 10, "{:#?}", brief(&x));
        assert_eq!(line(one(&x, "certifi", "2025.1.31")), Some(10));
        assert_eq!(one(&x, "certifi", "2025.1.31").hashes.len(), 2);
        let x = run("pip-full.toml").unwrap();
        assert_eq!(x.components.len(), 5);
        assert_eq!(line(one(&x, "packaging", "25.0")), Some(15));
        assert_eq!(
            one(&x, "packaging", "25.0").hashes,
            ["sha256:29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484"]
        );
        // Only the project itself, editable at `.`.
        let x = run("pip-just-self.toml").unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty());
        let x = run("names-outside-package-block.toml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "first-pkg@1.0.0 names-outside-package-block.toml:5",
                "second-pkg@2.0.0 names-outside-package-block.toml:17",
            ]
        );
        // Eight entries: the project itself (skipped), one from git.
        let x = run("commits.toml").unwrap();
        assert_eq!(x.components.len(), 6, "{:#?}", brief(&x));
        assert_eq!(line(one(&x, "click", "8.2.1")), Some(7));
        assert_eq!(
            unchecked_brief(&x),
            ["mleroc@0.1.0 :14 installed from version control, not from a PyPI release"]
        );
        let x = run("example.toml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "attrs@25.1.0 example.toml:6",
                "cattrs@24.1.2 example.toml:19",
                "numpy@2.2.3 example.toml:30",
            ]
        );
        assert_eq!(one(&x, "cattrs", "24.1.2").dependencies, ["attrs"]);
        assert_eq!(one(&x, "numpy", "2.2.3").hashes.len(), 2);
        assert!(run("empty.toml").unwrap().components.is_empty());
        let err = run("not-toml.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-toml.txt", Some(1)));
    }
}
