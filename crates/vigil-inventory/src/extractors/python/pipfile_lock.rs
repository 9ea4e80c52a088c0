//! `Pipfile.lock`: the lockfile of Pipenv.
//!
//! ## Detects
//! Files named `Pipfile.lock` (the JSON written by `pipenv lock`,
//! `pipfile-spec` 6 and earlier).
//!
//! ## Ecosystem
//! PyPI. Each entry of the `default` and `develop` sections pinned with
//! `"version": "==X"` (or `===X`) is a component: its name as written and
//! the version without the operator, located at the line of its key, with
//! its `hashes` as written. `dev` is true for a package only in `develop`;
//! a package pinned at the same version in both sections is one component,
//! not dev-only, located at both entries. `direct` is true for the packages
//! the `Pipfile` beside the lockfile lists in `[packages]` or
//! `[dev-packages]` (names compared as PEP 503 says), false for the others,
//! and unknown without a readable `Pipfile`.
//!
//! Entries installed from git (`git`), a local path (`path`, often
//! `editable`) or a URL or file (`file`) are "not checked" entries: they
//! are not PyPI releases. So are entries without a version, or whose
//! version is not one pin.
//!
//! ## Limitations
//! - The lockfile has no dependency graph: `dependencies` is empty.
//! - Environment `markers` are not evaluated: a package is reported whatever
//!   its marker says.
//! - A `pipfile-spec` newer than 6 gives a warning and is read as 6.
//!
//! ## References
//! - <https://pipenv.pypa.io/en/latest/pipfile.html>
//! - <https://github.com/pypa/pipfile> (the Pipfile and Pipfile.lock
//!   formats)

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::normalize_name;
use crate::extractors::{json_malformed, offset_in, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest `pipfile-spec` this reader knows.
const NEWEST_SPEC: u64 = 6;

/// Reads `Pipfile.lock`.
#[derive(Debug, Clone, Copy)]
pub struct PipfileLock;

#[derive(Deserialize)]
struct Lockfile<'a> {
    #[serde(rename = "_meta")]
    meta: Option<Meta>,
    #[serde(borrow)]
    default: Option<BTreeMap<String, &'a RawValue>>,
    #[serde(borrow)]
    develop: Option<BTreeMap<String, &'a RawValue>>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "pipfile-spec")]
    spec: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Entry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    path: Option<String>,
    file: Option<String>,
}

/// The package lists of a `Pipfile` (only their names are used).
#[derive(Deserialize)]
struct Pipfile {
    #[serde(default)]
    packages: BTreeMap<String, toml::Value>,
    #[serde(default, rename = "dev-packages")]
    dev_packages: BTreeMap<String, toml::Value>,
}

/// One entry read from a section.
struct Read {
    name: String,
    version: String,
    line: u32,
    hashes: Vec<String>,
}

impl Extractor for PipfileLock {
    fn name(&self) -> &'static str {
        "python/pipfile-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "Pipfile.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = serde_json::from_str(input.contents)
            .map_err(|e| json_malformed(input, "Pipfile.lock", 1, &e))?;
        let mut out = Extracted::default();
        if let Some(spec) = lock.meta.as_ref().and_then(|m| m.spec.as_ref()) {
            if spec.as_u64().is_none_or(|n| n > NEWEST_SPEC) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!(
                        "pipfile-spec {spec} is not one this reader knows; read as {NEWEST_SPEC}"
                    ),
                ));
            }
        }
        let lines = LineIndex::new(input.contents);
        let default = read_section(input, &lines, lock.default.as_ref(), &mut out)?;
        let develop = read_section(input, &lines, lock.develop.as_ref(), &mut out)?;
        let direct = read_pipfile(input, &mut out);
        let is_direct = |name: &str| direct.as_ref().map(|d| d.contains(&normalize_name(name)));

        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in default {
            index.insert(
                (normalize_name(&r.name), r.version.clone()),
                out.components.len(),
            );
            out.components
                .push(component(input, r, Some(false), is_direct));
        }
        for r in develop {
            let key = (normalize_name(&r.name), r.version.clone());
            match index.get(&key).and_then(|&i| out.components.get_mut(i)) {
                Some(c) => c
                    .locations
                    .push(Location::new(input.rel_path, Some(r.line))),
                None => out
                    .components
                    .push(component(input, r, Some(true), is_direct)),
            }
        }
        Ok(out)
    }
}

fn component(
    input: &FileInput<'_>,
    r: Read,
    dev: Option<bool>,
    is_direct: impl Fn(&str) -> Option<bool>,
) -> Component {
    let direct = is_direct(&r.name);
    let mut c = Component::new(Ecosystem::PyPI, r.name, r.version)
        .at(input.rel_path, Some(r.line))
        .direct(direct)
        .dev(dev);
    c.hashes = r.hashes;
    c
}

/// Reads one section; entries that are not PyPI pins go to `not_checked`.
fn read_section(
    input: &FileInput<'_>,
    lines: &LineIndex,
    section: Option<&BTreeMap<String, &RawValue>>,
    out: &mut Extracted,
) -> Result<Vec<Read>, ExtractError> {
    let mut found = Vec::new();
    for (name, raw) in section.into_iter().flatten() {
        let line = lines.line(offset_in(input.contents, raw.get()).unwrap_or(0));
        let entry: Entry = serde_json::from_str(raw.get())
            .map_err(|e| json_malformed(input, "Pipfile.lock", line, &e))?;
        let mut not_checked = |version: String, reason: &str| {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::PyPI,
                name: name.clone(),
                version,
                location: Location::new(input.rel_path, Some(line)),
                reason: reason.to_string(),
            });
        };
        if entry.git.is_some() {
            // The commit, never the URL: a URL may carry credentials.
            not_checked(
                entry.git_ref.unwrap_or_default(),
                "installed from git, not from a PyPI release",
            );
            continue;
        }
        if entry.path.is_some() {
            not_checked(String::new(), "a local path, not a PyPI release");
            continue;
        }
        if entry.file.is_some() {
            not_checked(
                String::new(),
                "downloaded from a URL or file, not a PyPI release",
            );
            continue;
        }
        let Some(spec) = entry.version else {
            not_checked(String::new(), "no version is pinned");
            continue;
        };
        let pinned = spec
            .strip_prefix("===")
            .or_else(|| spec.strip_prefix("=="))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains(['*', ',', '<', '>', '=', '!', '~']));
        match pinned {
            Some(version) => found.push(Read {
                name: name.clone(),
                version: version.to_string(),
                line,
                hashes: entry.hashes,
            }),
            None => not_checked(spec.clone(), "the version is not pinned to one release"),
        }
    }
    Ok(found)
}

/// The normalized names the `Pipfile` beside the lockfile lists; `None`
/// when there is none or it cannot be read (a warning then).
fn read_pipfile(input: &FileInput<'_>, out: &mut Extracted) -> Option<HashSet<String>> {
    let (rel, text) = match input.read_related("Pipfile") {
        Ok(found) => found,
        Err(ExtractError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return None
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!(
                    "cannot read the Pipfile beside it, so direct dependencies are unknown: {e}"
                ),
            ));
            return None;
        }
    };
    match toml::from_str::<Pipfile>(&text) {
        Ok(p) => Some(
            p.packages
                .keys()
                .chain(p.dev_packages.keys())
                .map(|n| normalize_name(n))
                .collect(),
        ),
        Err(e) => {
            let line = e.span().map(|s| crate::extractors::line_at(&text, s.start));
            out.diagnostics.push(Diagnostic::warning(
                rel,
                line,
                format!(
                    "not a valid Pipfile, so the direct dependencies of its lockfile are unknown: {}",
                    e.message().trim().replace('\n', " ")
                ),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "python/pipfile_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PipfileLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_pipfile_lock() {
        assert!(PipfileLock.matches(Path::new("Pipfile.lock")));
        assert!(PipfileLock.matches(Path::new("api/Pipfile.lock")));
        assert!(!PipfileLock.matches(Path::new("Pipfile")));
        assert!(!PipfileLock.matches(Path::new("pipfile.lock.json")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/Pipfile.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let err = fixture(&PipfileLock, SUB, "malformed/Pipfile.lock").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "malformed/Pipfile.lock:9: not a valid Pipfile.lock: trailing comma"
        );
        // A bad entry is located in the whole file.
        let err = fixture(&PipfileLock, SUB, "wrong-shape/Pipfile.lock").unwrap_err();
        assert_eq!(err.path(), "wrong-shape/Pipfile.lock");
        assert_eq!(err.line(), Some(7), "{err}");
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn one_package() {
        let x = read("one-package/Pipfile.lock");
        assert_eq!(brief(&x), ["requests@2.32.3 one-package/Pipfile.lock:4"]);
        let c = one(&x, "requests", "2.32.3");
        assert_eq!(c.purl, "pkg:pypi/requests@2.32.3");
        assert_eq!((c.direct, c.dev), (None, Some(false)));
        assert_eq!(c.hashes.len(), 2);
        assert!(c.hashes[0].starts_with("sha256:"));
    }

    #[test]
    fn sections_and_the_pipfile() {
        let x = read("realistic/Pipfile.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let flags: Vec<String> = {
            let mut v: Vec<String> = x
                .components
                .iter()
                .map(|c| {
                    format!(
                        "{}@{} direct={:?} dev={:?}",
                        c.name, c.version, c.direct, c.dev
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            flags,
            [
                "certifi@2024.8.30 direct=Some(false) dev=Some(false)",
                "charset-normalizer@3.4.0 direct=Some(false) dev=Some(false)",
                "flask@3.0.3 direct=Some(true) dev=Some(false)",
                "idna@3.10 direct=Some(false) dev=Some(false)",
                "iniconfig@2.0.0 direct=Some(false) dev=Some(true)",
                "pytest@8.3.3 direct=Some(true) dev=Some(true)",
                "requests@2.32.3 direct=Some(true) dev=Some(false)",
                "urllib3@2.2.3 direct=Some(false) dev=Some(false)",
            ]
        );
        // In both sections at one version: one component, two places.
        let c = one(&x, "idna", "3.10");
        assert_eq!(c.locations.len(), 2);
        assert_eq!(
            unchecked_brief(&x),
            [
                "colorama@ :69 no version is pinned",
                "mylib@ :45 a local path, not a PyPI release",
                "packaging@>=24 :72 the version is not pinned to one release",
                "toolbox@4f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b :49 installed from git, not from a PyPI release",
            ]
        );
        insta::assert_json_snapshot!("pipfile_lock_realistic", view(&x));
    }

    #[test]
    fn unknown_spec_warns() {
        let text = r#"{"_meta": {"pipfile-spec": 7}, "default": {"six": {"version": "==1.16.0"}}}"#;
        let input = FileInput::new(
            "Pipfile.lock",
            Path::new("Pipfile.lock"),
            text,
            Path::new("/"),
        );
        let x = PipfileLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["six@1.16.0 Pipfile.lock:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "Pipfile.lock: pipfile-spec 7 is not one this reader knows; read as 6"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in ["realistic/Pipfile.lock", "one-package/Pipfile.lock"] {
            survives_truncation(&PipfileLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/pipfilelock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PipfileLock, &dir, f);

        let x = run("multiple-packages.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "itsdangerous@2.1.2 multiple-packages.json:19,multiple-packages.json:80",
                "markupsafe@2.1.1 multiple-packages.json:32",
                "pluggy@1.0.0 multiple-packages.json:88",
                "pluggy@1.0.1 multiple-packages.json:27",
            ]
        );
        assert_eq!(one(&x, "itsdangerous", "2.1.2").locations.len(), 2);
        assert_eq!(one(&x, "itsdangerous", "2.1.2").dev, Some(false));
        assert_eq!(one(&x, "pluggy", "1.0.0").dev, Some(true));
        assert_eq!(one(&x, "markupsafe", "2.1.1").hashes.len(), 40);
        assert!(one(&x, "pluggy", "1.0.1").hashes.is_empty());

        let x = run("one-package-dev.json").unwrap();
        assert_eq!(x.components.len(), 1);
        assert_eq!(x.components[0].dev, Some(true));
        let x = run("one-package.json").unwrap();
        assert_eq!(x.components.len(), 1);
        assert_eq!(x.components[0].dev, Some(false));
        assert_eq!(run("two-packages.json").unwrap().components.len(), 2);
        assert_eq!(run("two-packages-alt.json").unwrap().components.len(), 2);
        let x = run("minified.json").unwrap();
        assert_eq!(brief(&x), ["markupsafe@2.1.1 minified.json:1"]);

        let x = run("no-version.json").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            [
                "itsdangerous@de09cad488a4d7c7bbcbcdb8e1c2dfde64325f48 :26 installed from git, not from a PyPI release",
                "markupsafe@b36054111bc1e8bbadb5d0d60158feb72926f467 :19 installed from git, not from a PyPI release",
            ]
        );
        assert!(run("empty.json").unwrap().components.is_empty());
        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
    }
}
