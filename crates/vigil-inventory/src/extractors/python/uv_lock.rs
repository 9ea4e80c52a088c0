//! `uv.lock`: the lockfile of uv.
//!
//! ## Detects
//! Files named `uv.lock` (lockfile `version = 1`, any `revision`).
//!
//! ## Ecosystem
//! PyPI. Each `[[package]]` installed from a package index
//! (`source = { registry = ... }`) is a component: its `name` and `version`
//! as written, located at its `[[package]]` line, with the hashes of its
//! `sdist` and `wheels` as written and the names of its `dependencies`.
//!
//! The project's own packages (`source = { virtual = ... }` or
//! `{ editable = ... }`: the root project and workspace members) are not
//! components; what they ask for tells the flags of the others:
//! - `direct`: listed in a member's `dependencies`,
//!   `optional-dependencies` or `dev-dependencies` (the dependency groups);
//! - `dev`: reachable only through the members' dependency groups;
//! - `optional`: reachable through the members' extras
//!   (`optional-dependencies`) and not through their plain dependencies.
//!
//! Reachability follows `dependencies` and, for an edge naming extras
//! (`{ name = "x", extra = ["y"] }`), the `optional-dependencies` of those
//! extras. Without a member in the file the flags are unknown.
//!
//! Packages from git, a URL, or a local `path` or `directory` are "not
//! checked" entries: they are not PyPI releases.
//!
//! ## Limitations
//! - An editable path dependency that is not a workspace member is taken
//!   for a member (the file marks both the same way).
//! - Environment markers and resolution forks are not evaluated: a package
//!   is reported whatever its marker says, and an edge that does not name a
//!   version reaches every version of that name.
//! - A lockfile `version` other than 1 gives a warning and a best-effort
//!   read.
//!
//! ## References
//! - <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>
//! - <https://docs.astral.sh/uv/concepts/projects/dependencies/>
//! - <https://docs.astral.sh/uv/concepts/projects/workspaces/>

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::normalize_name;
use crate::extractors::{toml_malformed, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The lockfile version this reader knows.
const KNOWN_VERSION: i64 = 1;

/// Reads `uv.lock`.
#[derive(Debug, Clone, Copy)]
pub struct UvLock;

#[derive(Deserialize)]
struct Lockfile {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<Dep>>,
    sdist: Option<Dist>,
    #[serde(default)]
    wheels: Vec<Dist>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Deserialize)]
struct Dist {
    hash: Option<String>,
}

/// Where a package comes from.
enum Kind {
    Registry,
    Member,
    Elsewhere(&'static str),
}

fn kind(p: &Package) -> Kind {
    let has = |k: &str| p.source.contains_key(k);
    if has("virtual") || has("editable") {
        Kind::Member
    } else if has("git") {
        Kind::Elsewhere("installed from git, not from a PyPI release")
    } else if has("url") {
        Kind::Elsewhere("downloaded from a URL, not a PyPI release")
    } else if has("path") || has("directory") {
        Kind::Elsewhere("a local path, not a PyPI release")
    } else {
        Kind::Registry
    }
}

impl Extractor for UvLock {
    fn name(&self) -> &'static str {
        "python/uv-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "uv.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile =
            toml::from_str(input.contents).map_err(|e| toml_malformed(input, "uv.lock", &e))?;
        let mut out = Extracted::default();
        if let Some(v) = &lock.version {
            if v.as_integer() != Some(KNOWN_VERSION) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("lockfile version {} is not one this reader knows; read as version {KNOWN_VERSION}", shown(v)),
                ));
            }
        }
        let lines = LineIndex::new(input.contents);
        let packages: Vec<(u32, Package)> = lock
            .package
            .into_iter()
            .map(|s| (lines.line(s.span().start), s.into_inner()))
            .collect();
        let graph = Graph::new(&packages);
        let members: Vec<usize> = packages
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| matches!(kind(p), Kind::Member))
            .map(|(i, _)| i)
            .collect();
        let member_deps = |pick: fn(&Package) -> Vec<&Dep>| -> Vec<&Dep> {
            members
                .iter()
                .filter_map(|&i| packages.get(i))
                .flat_map(|(_, p)| pick(p))
                .collect()
        };
        let plain = member_deps(|p| p.dependencies.iter().collect());
        let extras = member_deps(|p| p.optional_dependencies.values().flatten().collect());
        let groups = member_deps(|p| p.dev_dependencies.values().flatten().collect());
        let prod = graph.reach(&plain);
        let opt = graph.reach(&extras);
        let dev = graph.reach(&groups);
        let mut direct: HashSet<usize> = HashSet::new();
        for d in plain.iter().chain(&extras).chain(&groups) {
            direct.extend(graph.resolve(d));
        }
        let known = !members.is_empty();

        for (i, (line, p)) in packages.into_iter().enumerate() {
            let reason = match kind(&p) {
                Kind::Member => continue,
                Kind::Elsewhere(reason) => Some(reason),
                Kind::Registry if p.version.is_none() => Some("no version is locked"),
                Kind::Registry => None,
            };
            if let Some(reason) = reason {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::PyPI,
                    name: p.name,
                    version: p.version.unwrap_or_default(),
                    location: Location::new(input.rel_path, Some(line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let (in_prod, in_opt, in_dev) = (prod.contains(&i), opt.contains(&i), dev.contains(&i));
            let reached = in_prod || in_opt || in_dev;
            let mut names: Vec<String> = Vec::new();
            for d in &p.dependencies {
                if !names.contains(&d.name) {
                    names.push(d.name.clone());
                }
            }
            let mut c = Component::new(Ecosystem::PyPI, p.name, p.version.unwrap_or_default())
                .at(input.rel_path, Some(line))
                .direct(known.then(|| direct.contains(&i)))
                .dev((known && reached).then_some(in_dev && !in_prod && !in_opt))
                .optional((known && reached).then_some(in_opt && !in_prod))
                .depends_on(names);
            c.hashes = p
                .sdist
                .iter()
                .chain(&p.wheels)
                .filter_map(|d| d.hash.clone())
                .collect();
            out.components.push(c);
        }
        Ok(out)
    }
}

/// A TOML scalar as written (a string without its quotes).
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        _ => "(not a number)".to_string(),
    }
}

/// The dependency edges between packages, by index.
struct Graph<'a> {
    packages: &'a [(u32, Package)],
    by_name: HashMap<String, Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(packages: &'a [(u32, Package)]) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (_, p)) in packages.iter().enumerate() {
            by_name.entry(normalize_name(&p.name)).or_default().push(i);
        }
        Graph { packages, by_name }
    }

    /// The packages an edge names: every one of that name, or the one of
    /// the version it names.
    fn resolve(&self, dep: &Dep) -> Vec<usize> {
        let all = self
            .by_name
            .get(&normalize_name(&dep.name))
            .map(Vec::as_slice)
            .unwrap_or_default();
        all.iter()
            .copied()
            .filter(|&i| {
                dep.version.is_none()
                    || self.packages.get(i).and_then(|(_, p)| p.version.as_ref())
                        == dep.version.as_ref()
            })
            .collect()
    }

    /// Every package reachable from the edges `from` (each package and each
    /// of its extras is expanded once, so cycles end).
    fn reach(&self, from: &[&Dep]) -> HashSet<usize> {
        let mut seen: HashSet<usize> = HashSet::new();
        let mut seen_extra: HashSet<(usize, &str)> = HashSet::new();
        let mut queue: Vec<(usize, &[String])> = Vec::new();
        for d in from {
            for i in self.resolve(d) {
                queue.push((i, &d.extra));
            }
        }
        while let Some((i, extras)) = queue.pop() {
            let Some((_, p)) = self.packages.get(i) else {
                continue;
            };
            let mut edges: Vec<&Dep> = Vec::new();
            if seen.insert(i) {
                edges.extend(&p.dependencies);
            }
            for e in extras {
                if seen_extra.insert((i, e.as_str())) {
                    edges.extend(p.optional_dependencies.get(e).into_iter().flatten());
                }
            }
            for d in edges {
                for j in self.resolve(d) {
                    queue.push((j, &d.extra));
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_empty, assert_malformed, brief, extract_in, fixture, flags_brief as flags, line,
        one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "python/uv_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&UvLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_uv_lock() {
        assert!(UvLock.matches(Path::new("uv.lock")));
        assert!(UvLock.matches(Path::new("svc/uv.lock")));
        assert!(!UvLock.matches(Path::new("uv.toml")));
        assert!(!UvLock.matches(Path::new("poetry.lock")));
    }

    #[test]
    fn empty_files() {
        assert_empty(&UvLock, SUB, &["empty/uv.lock", "empty-file/uv.lock"]);
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        assert_malformed(
            &UvLock,
            SUB,
            "malformed/uv.lock",
            Some(7),
            "not a valid uv.lock",
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/uv.lock");
        assert_eq!(brief(&x), ["idna@3.10 one-package/uv.lock:4"]);
        let c = one(&x, "idna", "3.10");
        assert_eq!(c.purl, "pkg:pypi/idna@3.10");
        // No project package in the file: flags unknown.
        assert_eq!((c.direct, c.dev, c.optional), (None, None, None));
        assert_eq!(c.hashes.len(), 2);
    }

    #[test]
    fn groups_extras_and_sources() {
        let x = read("realistic/uv.lock");
        assert!(x.diagnostics.is_empty());
        assert_eq!(
            flags(&x),
            [
                "anyio@4.6.2 direct=no dev=no optional=no",
                "certifi@2024.8.30 direct=no dev=no optional=no",
                "colorama@0.4.6 direct=no dev=yes optional=no",
                "h11@0.14.0 direct=no dev=no optional=no",
                "httpcore@1.0.6 direct=no dev=no optional=no",
                "httpx@0.27.2 direct=yes dev=no optional=no",
                "idna@3.10 direct=no dev=no optional=no",
                "iniconfig@2.0.0 direct=no dev=yes optional=no",
                "pygments@2.18.0 direct=no dev=no optional=yes",
                "pytest@8.3.3 direct=yes dev=yes optional=no",
                "rich@13.9.4 direct=yes dev=no optional=yes",
                "sniffio@1.3.1 direct=no dev=no optional=no",
            ]
        );
        assert_eq!(
            one(&x, "httpx", "0.27.2").dependencies,
            ["anyio", "certifi", "httpcore", "idna", "sniffio"]
        );
        assert_eq!(line(one(&x, "rich", "13.9.4")), Some(149));
        assert_eq!(
            unchecked_brief(&x),
            [
                "mylib@0.3.0 :119 a local path, not a PyPI release",
                "toolkit@1.2.0 :170 installed from git, not from a PyPI release",
            ]
        );
        insta::assert_json_snapshot!("uv_lock_realistic", view(&x));
    }

    #[test]
    fn unknown_version_warns() {
        let text = "version = 2\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let input = FileInput::new("uv.lock", Path::new("uv.lock"), text, Path::new("/"));
        let x = UvLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["six@1.16.0 uv.lock:2"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "uv.lock: lockfile version 2 is not one this reader knows; read as version 1"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&UvLock, SUB, "realistic/uv.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/uvlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&UvLock, &dir, f);

        let x = run("grouped-packages.lock").unwrap();
        assert_eq!(x.components.len(), 14, "{:#?}", brief(&x));
        assert_eq!(line(one(&x, "black", "24.10.0")), Some(4));
        assert_eq!(one(&x, "black", "24.10.0").hashes.len(), 18);
        assert_eq!(
            flags(&x)
                .into_iter()
                .filter(|f| f.contains("direct=yes"))
                .collect::<Vec<_>>(),
            [
                "black@24.10.0 direct=yes dev=no optional=yes",
                "click@8.1.7 direct=yes dev=no optional=yes",
                "emoji@2.14.0 direct=yes dev=no optional=no",
                "flake8@7.1.1 direct=yes dev=no optional=yes",
            ]
        );

        let x = run("two-packages.lock").unwrap();
        assert_eq!(
            flags(&x),
            [
                "emoji@2.14.0 direct=yes dev=no optional=no",
                "protobuf@4.25.5 direct=yes dev=no optional=no",
            ]
        );
        let x = run("one-package.lock").unwrap();
        assert_eq!(x.components.len(), 1);

        let x = run("source-git.lock").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["ruff@0.8.1 :4 installed from git, not from a PyPI release"]
        );

        // `name = ...` in a string, a comment or a sub-table is not a package.
        let x = run("names-outside-package-block.lock").unwrap();
        assert_eq!(
            brief(&x),
            [
                "first-pkg@1.0.0 names-outside-package-block.lock:3",
                "second-pkg@2.0.0 names-outside-package-block.lock:15",
            ]
        );
        assert!(run("no-dependencies.lock").unwrap().components.is_empty());
        assert!(run("no-packages.lock").unwrap().components.is_empty());
        let err = run("not-toml.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-toml.txt", Some(1)));
    }
}
