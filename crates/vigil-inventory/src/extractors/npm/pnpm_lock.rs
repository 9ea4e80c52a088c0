//! `pnpm-lock.yaml`: the lockfile of pnpm.
//!
//! ## Detects
//! Files named `pnpm-lock.yaml`, lockfile versions 5 (keys
//! `/name/1.2.3` and `/@scope/name/1.2.3_peer@1.0.0`), 6
//! (`/name@1.2.3(peer@1.0.0)`) and 9 (`packages` keyed `name@1.2.3`, with
//! the peer-resolved variants and their dependencies under `snapshots`).
//!
//! ## Ecosystem
//! npm. Each package of `packages` is a component: its name and version
//! (from its `name`/`version` fields where it has them, else from its key,
//! with the peer suffix stripped), located at the line of its key, with its
//! `resolution.integrity` as its hash and the names of the packages its
//! dependencies resolve to. Variants of one package that differ only in
//! their peers are one component, at the line of the first.
//!
//! `direct` is true for the packages an importer (a workspace project in
//! `importers`, or the project itself in the top-level `dependencies`,
//! `devDependencies` and `optionalDependencies` of older files) asks for.
//! `dev` is the package's `dev` flag where the file has one (versions 5
//! and 6; a package without it is needed by both); otherwise (version 9)
//! true when only development dependencies lead to it. `optional` is its
//! `optional` flag.
//!
//! Packages resolved from git (`resolution.repo`/`commit`), from a local
//! directory or `file:` tarball, or from a tarball URL that is not a
//! registry's are "not checked" entries: they are not registry releases.
//! `link:` dependencies are the project's own code.
//!
//! ## Limitations
//! - A key whose version does not start with a digit and whose entry has
//!   no `version` field (an old git key such as `github.com/u/repo`) is
//!   skipped with a warning.
//! - Lockfile versions newer than 9 are read as version 9, with a warning.
//!
//! ## References
//! - <https://pnpm.io/git#lockfiles>
//! - <https://github.com/pnpm/spec/tree/master/lockfile>
//! - <https://pnpm.io/workspaces>

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_yaml_ng::Value;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::{classify_resolved, graph_flags, split_spec, yaml_key_lines, Root, Source};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest lockfile major version this reader knows.
const NEWEST_VERSION: u64 = 9;

/// Reads `pnpm-lock.yaml`.
#[derive(Debug, Clone, Copy)]
pub struct PnpmLock;

type Deps = BTreeMap<String, Value>;

#[derive(Deserialize, Default)]
struct Lockfile {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<Value>,
    importers: Option<BTreeMap<String, Option<Importer>>>,
    dependencies: Option<Deps>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: Option<Deps>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: Option<Deps>,
    packages: Option<BTreeMap<String, Option<Package>>>,
    snapshots: Option<BTreeMap<String, Option<Snapshot>>>,
}

#[derive(Deserialize, Default)]
struct Importer {
    #[serde(default)]
    dependencies: Deps,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Deps,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Deps,
}

#[derive(Deserialize, Default)]
struct Package {
    resolution: Option<Resolution>,
    name: Option<String>,
    version: Option<Value>,
    dev: Option<bool>,
    optional: Option<bool>,
    #[serde(default)]
    dependencies: Deps,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Deps,
}

#[derive(Deserialize, Default)]
struct Resolution {
    integrity: Option<String>,
    tarball: Option<String>,
    commit: Option<String>,
    repo: Option<String>,
    directory: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
struct Snapshot {
    optional: Option<bool>,
    #[serde(default)]
    dependencies: Deps,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Deps,
}

/// One component being built (variants merged).
struct Node {
    name: String,
    version: String,
    line: Option<u32>,
    hash: Option<String>,
    /// `Some(true)` only when every variant says `dev: true`.
    dev: Option<bool>,
    optional: bool,
    /// Dependencies: target node (by key) and whether optional.
    deps: Vec<(String, String, bool)>,
}

impl Extractor for PnpmLock {
    fn name(&self) -> &'static str {
        "npm/pnpm-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "pnpm-lock.yaml"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = match serde_yaml_ng::from_str::<Option<Lockfile>>(input.contents) {
            Ok(lock) => lock.unwrap_or_default(),
            Err(e) => return Err(super::yarn_lock::yaml_malformed(input, "pnpm lockfile", &e)),
        };
        let mut out = Extracted::default();
        let shown = lock
            .lockfile_version
            .as_ref()
            .map(scalar)
            .unwrap_or_default();
        let major = shown
            .split('.')
            .next()
            .and_then(|m| m.trim().parse::<u64>().ok());
        let major = match major {
            Some(m) if (5..=NEWEST_VERSION).contains(&m) => m,
            _ => {
                if lock.lockfile_version.is_some() || lock.packages.is_some() {
                    out.diagnostics.push(Diagnostic::warning(
                        input.rel_path,
                        None,
                        format!("lockfileVersion {shown:?} is not one this reader knows; read as version {NEWEST_VERSION}"),
                    ));
                }
                major.unwrap_or(NEWEST_VERSION).clamp(5, NEWEST_VERSION)
            }
        };
        read(input, &lock, major, &mut out);
        Ok(out)
    }
}

/// A YAML scalar as text.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// The version a dependency map gives: `1.2.3` (version 5) or
/// `{specifier, version}` (versions 6 and 9).
fn dep_version(v: &Value) -> String {
    match v {
        Value::Mapping(m) => m.get("version").map(scalar).unwrap_or_default(),
        other => scalar(other),
    }
}

/// The name and version of a `packages` or `snapshots` key, the peer
/// suffix stripped.
fn parse_key(key: &str, major: u64) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    if major >= 6 && !k.starts_with("file:") {
        let k = k.split_once('(').map_or(k, |(a, _)| a);
        let (name, version) = split_spec(k);
        if !name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) {
            return Some((name.to_string(), version.to_string()));
        }
        if major >= 9 {
            return None;
        }
    }
    // Version 5: `/name/1.2.3_peer`, maybe behind a registry host.
    let k = if key.starts_with('/') {
        k
    } else {
        match k.split_once('/') {
            Some((host, rest)) if host.contains('.') => rest,
            _ => return None,
        }
    };
    let (name, version) = k.rsplit_once('/')?;
    let version = version.split_once('_').map_or(version, |(v, _)| v);
    let scoped_ok = !name.starts_with('@') || name.contains('/');
    if name.is_empty() || !scoped_ok || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((name.to_string(), version.to_string()))
}

/// Where a package comes from, by its resolution.
fn source_of(r: Option<&Resolution>) -> Source {
    let Some(r) = r else {
        return Source::Registry;
    };
    if r.directory.is_some() || r.kind.as_deref() == Some("directory") {
        Source::Path
    } else if r.commit.is_some() || r.repo.is_some() || r.kind.as_deref() == Some("git") {
        Source::Git
    } else if let Some(t) = &r.tarball {
        if t.starts_with("file:") {
            Source::Path
        } else {
            classify_resolved(t)
        }
    } else {
        Source::Registry
    }
}

/// The key a dependency `name: version` points at, among `keys`.
fn dep_key(keys: &HashMap<String, usize>, name: &str, version: &str, major: u64) -> Option<usize> {
    if version.starts_with("link:") {
        return None;
    }
    let candidates = [
        version.to_string(),
        if major >= 9 {
            format!("{name}@{version}")
        } else if major >= 6 {
            format!("/{name}@{version}")
        } else {
            format!("/{name}/{version}")
        },
    ];
    candidates
        .iter()
        .find_map(|c| keys.get(c.as_str()).copied())
}

fn read(input: &FileInput<'_>, lock: &Lockfile, major: u64, out: &mut Extracted) {
    let lines = yaml_key_lines(input.contents, Some("packages"), 2);
    let empty = BTreeMap::new();
    let packages = lock.packages.as_ref().unwrap_or(&empty);

    // Components, variants merged by name and version.
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_id: HashMap<(String, String), usize> = HashMap::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut keys: Vec<(&String, Option<u32>)> = packages
        .keys()
        .map(|k| (k, lines.get(k.as_str()).copied()))
        .collect();
    keys.sort_by_key(|(k, line)| (*line, (*k).clone()));
    let default = Package::default();
    for (key, line) in keys {
        let p = packages
            .get(key)
            .and_then(Option::as_ref)
            .unwrap_or(&default);
        let from_key = parse_key(key, major);
        let name = p
            .name
            .clone()
            .or_else(|| from_key.clone().map(|k| k.0))
            .or_else(|| {
                // `name@https://...` (versions 6 and 9): the version is in the entry.
                let k = key.strip_prefix('/').unwrap_or(key);
                let (name, rest) = split_spec(k);
                (major >= 6 && !rest.is_empty() && !k.starts_with("file:"))
                    .then(|| name.to_string())
            });
        let version = p
            .version
            .as_ref()
            .map(scalar)
            .or_else(|| from_key.map(|k| k.1));
        let (Some(name), Some(version)) = (name, version) else {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                line,
                format!("cannot tell the name and version of package {key:?}; skipped"),
            ));
            continue;
        };
        let source = source_of(p.resolution.as_ref());
        if let Some(reason) = source.reason() {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name,
                version,
                location: Location::new(input.rel_path, line),
                reason: reason.to_string(),
            });
            continue;
        }
        let deps = p
            .dependencies
            .iter()
            .map(|(n, v)| (n.clone(), dep_version(v), false))
            .chain(
                p.optional_dependencies
                    .iter()
                    .map(|(n, v)| (n.clone(), dep_version(v), true)),
            );
        let id = (name.clone(), version.clone());
        let idx = match by_id.get(&id) {
            Some(&i) => i,
            None => {
                nodes.push(Node {
                    name,
                    version,
                    line,
                    hash: p.resolution.as_ref().and_then(|r| r.integrity.clone()),
                    dev: p.dev,
                    optional: p.optional.unwrap_or(false),
                    deps: Vec::new(),
                });
                by_id.insert(id, nodes.len() - 1);
                nodes.len() - 1
            }
        };
        if let Some(n) = nodes.get_mut(idx) {
            n.dev = match (n.dev, p.dev) {
                (Some(a), Some(b)) => Some(a && b),
                _ => None,
            };
            n.optional &= p.optional.unwrap_or(false);
            n.deps.extend(deps);
        }
        by_key.insert(key.clone(), idx);
    }

    // Version 9: dependencies and optional flags live in `snapshots`.
    if let Some(snapshots) = &lock.snapshots {
        let mut seen_optional: BTreeMap<usize, bool> = BTreeMap::new();
        for (key, s) in snapshots {
            let Some(id) = parse_key(key, major) else {
                continue;
            };
            let base = format!("{}@{}", id.0, id.1);
            let Some(&idx) = by_id.get(&id).or_else(|| by_key.get(&base)) else {
                continue;
            };
            by_key.insert(key.clone(), idx);
            let default = Snapshot::default();
            let s = s.as_ref().unwrap_or(&default);
            let opt = seen_optional.entry(idx).or_insert(true);
            *opt &= s.optional.unwrap_or(false);
            if let Some(n) = nodes.get_mut(idx) {
                n.deps.extend(
                    s.dependencies
                        .iter()
                        .map(|(n, v)| (n.clone(), dep_version(v), false))
                        .chain(
                            s.optional_dependencies
                                .iter()
                                .map(|(n, v)| (n.clone(), dep_version(v), true)),
                        ),
                );
            }
        }
        for (idx, opt) in seen_optional {
            if let Some(n) = nodes.get_mut(idx) {
                n.optional = opt;
            }
        }
    }

    let edges: Vec<Vec<(usize, bool)>> = nodes
        .iter()
        .map(|n| {
            n.deps
                .iter()
                .filter_map(|(name, v, opt)| dep_key(&by_key, name, v, major).map(|t| (t, *opt)))
                .collect()
        })
        .collect();

    // What the project asks for.
    let mut roots: Vec<(usize, Root)> = Vec::new();
    let mut add_roots = |deps: &Deps, kind: Root| {
        for (name, v) in deps {
            if let Some(t) = dep_key(&by_key, name, &dep_version(v), major) {
                roots.push((t, kind));
            }
        }
    };
    let mut knows_direct = false;
    if let Some(importers) = &lock.importers {
        knows_direct = true;
        for imp in importers.values().flatten() {
            add_roots(&imp.dependencies, Root::Prod);
            add_roots(&imp.optional_dependencies, Root::Optional);
            add_roots(&imp.dev_dependencies, Root::Dev);
        }
    }
    for (deps, kind) in [
        (&lock.dependencies, Root::Prod),
        (&lock.optional_dependencies, Root::Optional),
        (&lock.dev_dependencies, Root::Dev),
    ] {
        if let Some(deps) = deps {
            knows_direct = true;
            add_roots(deps, kind);
        }
    }
    let flags = graph_flags(&edges, &roots);
    let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();

    for (i, n) in nodes.into_iter().enumerate() {
        let f = flags.get(i).copied().unwrap_or_default();
        let deps: BTreeSet<String> = n
            .deps
            .iter()
            .map(|(name, v, _)| {
                dep_key(&by_key, name, v, major)
                    .and_then(|t| names.get(t))
                    .unwrap_or(name)
                    .clone()
            })
            .collect();
        let dev = n.dev.or(f.dev.filter(|_| knows_direct));
        let mut c = Component::new(Ecosystem::Npm, n.name, n.version)
            .at(input.rel_path, n.line)
            .direct(knows_direct.then_some(f.direct))
            .dev(dev)
            .optional(Some(n.optional))
            .depends_on(deps);
        if let Some(h) = n.hash {
            c = c.hash(h);
        }
        out.components.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, flags_brief as flags, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "npm/pnpm_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PnpmLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_pnpm_lock_only() {
        assert!(PnpmLock.matches(Path::new("pnpm-lock.yaml")));
        assert!(PnpmLock.matches(Path::new("a/pnpm-lock.yaml")));
        assert!(!PnpmLock.matches(Path::new("pnpm-workspace.yaml")));
    }

    #[test]
    fn keys_of_each_version() {
        let k = |key: &str, major: u64| parse_key(key, major).map(|(n, v)| format!("{n}@{v}"));
        assert_eq!(k("/lodash/4.17.21", 5), Some("lodash@4.17.21".into()));
        assert_eq!(
            k("/@babel/core/7.24.5_supports-color@5.5.0", 5),
            Some("@babel/core@7.24.5".into())
        );
        assert_eq!(
            k("/foo/1.4.0_@types+babel__core@7.1.14", 5),
            Some("foo@1.4.0".into())
        );
        assert_eq!(
            k("registry.npm.example/@foo/bar/1.1.0", 5),
            Some("@foo/bar@1.1.0".into())
        );
        assert_eq!(k("github.com/kevva/is-positive", 5), None);
        assert_eq!(k("/foo/bar", 5), None);
        assert_eq!(
            k("/react-dom@18.2.0(react@18.2.0)", 6),
            Some("react-dom@18.2.0".into())
        );
        assert_eq!(k("/@s/a@1.0.0", 6), Some("@s/a@1.0.0".into()));
        assert_eq!(
            k("@s/a@1.0.0(@s/b@2.0.0(c@3.0.0))", 9),
            Some("@s/a@1.0.0".into())
        );
        assert_eq!(k("a@https://x.example/a.tgz", 9), None);
        assert_eq!(k("", 9), None);
        assert_eq!(k("/", 5), None);
    }

    #[test]
    fn empty_and_malformed() {
        let x = read("empty/pnpm-lock.yaml");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
        let err = fixture(&PnpmLock, SUB, "malformed/pnpm-lock.yaml").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            (err.path(), err.line()),
            ("malformed/pnpm-lock.yaml", Some(7)),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/pnpm-lock.yaml");
        assert_eq!(flags(&x), ["lodash@4.17.21 direct=yes dev=no optional=no"]);
        assert_eq!(brief(&x), ["lodash@4.17.21 one-package/pnpm-lock.yaml:17"]);
        assert!(x.components[0].hashes[0].starts_with("sha512-v2kDEe57"));
    }

    #[test]
    fn version_5() {
        let x = read("v5/pnpm-lock.yaml");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "@babel/code-frame@7.24.2 direct=yes dev=yes optional=no",
                "fsevents@2.3.3 direct=yes dev=no optional=yes",
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "react-dom@18.2.0 direct=yes dev=no optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "scheduler@0.23.2 direct=no dev=no optional=no",
            ]
        );
        assert_eq!(line(one(&x, "react-dom", "18.2.0")), Some(52));
        assert_eq!(
            one(&x, "react-dom", "18.2.0").dependencies,
            ["loose-envify", "react", "scheduler"]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["left-pad@1.3.0 :35 installed from git, not from an npm registry release"]
        );
    }

    #[test]
    fn version_6() {
        let x = read("v6/pnpm-lock.yaml");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "react-dom@18.2.0 direct=yes dev=no optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "scheduler@0.23.2 direct=no dev=no optional=no",
                "typescript@5.4.5 direct=yes dev=yes optional=no",
            ]
        );
        assert_eq!(line(one(&x, "react-dom", "18.2.0")), Some(33));
    }

    #[test]
    fn version_9_workspace() {
        let x = read("v9/pnpm-lock.yaml");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "react-dom@18.2.0 direct=yes dev=no optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "scheduler@0.23.2 direct=no dev=no optional=no",
                "string-width@4.2.3 direct=yes dev=no optional=no",
                "typescript@5.4.5 direct=yes dev=yes optional=no",
                "uuid@8.3.2 direct=yes dev=no optional=yes",
            ]
        );
        let rd = one(&x, "react-dom", "18.2.0");
        assert_eq!(line(rd), Some(49));
        assert_eq!(rd.dependencies, ["loose-envify", "react", "scheduler"]);
        assert_eq!(
            unchecked_brief(&x),
            ["tarball@0.3.0 :65 downloaded from a URL, not an npm registry release"]
        );
        insta::assert_json_snapshot!("pnpm_lock_v9", view(&x));
    }

    #[test]
    fn unknown_version_warns() {
        let text = "lockfileVersion: '10.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n";
        let input = FileInput::new(
            "pnpm-lock.yaml",
            Path::new("pnpm-lock.yaml"),
            text,
            Path::new("/"),
        );
        let x = PnpmLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["a@1.0.0 pnpm-lock.yaml:3"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "pnpm-lock.yaml: lockfileVersion \"10.0\" is not one this reader knows; read as version 9"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in [
            "v5/pnpm-lock.yaml",
            "v6/pnpm-lock.yaml",
            "v9/pnpm-lock.yaml",
        ] {
            survives_truncation(&PnpmLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("javascript/pnpmlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PnpmLock, &dir, f);
        for f in ["empty.yaml", "no-packages.yaml", "no-packages.v9.yaml"] {
            assert!(run(f).unwrap().components.is_empty(), "{f}");
        }
        assert_eq!(
            flags(&run("one-package.yaml").unwrap()),
            ["acorn@8.7.0 direct=yes dev=no optional=no"]
        );
        assert_eq!(
            brief(&run("one-package.v9.yaml").unwrap()),
            ["acorn@8.11.3 one-package.v9.yaml:17"]
        );
        let x = run("one-package-dev.v9.yaml").unwrap();
        assert_eq!(flags(&x), ["acorn@8.11.3 direct=yes dev=yes optional=no"]);
        let x = run("mixed-groups.v9.yaml").unwrap();
        assert_eq!(
            flags(&x),
            [
                "ansi-regex@5.0.1 direct=yes dev=no optional=no",
                "is-number@7.0.0 direct=yes dev=yes optional=no",
                "uuid@8.3.2 direct=yes dev=no optional=yes",
            ]
        );
        for f in [
            "mixed-groups.v6.yaml",
            "mixed-groups.v53.yaml",
            "mixed-groups.v54.yaml",
        ] {
            let x = run(f).unwrap();
            assert_eq!(x.components.len(), 3, "{f}");
            assert!(x.components.iter().any(|c| c.dev == Some(true)), "{f}");
            assert!(x.components.iter().any(|c| c.optional == Some(true)), "{f}");
        }
        // Peer variants are one component each.
        let x = run("peer-dependencies-advanced.v9.yaml").unwrap();
        let mut ids: Vec<String> = x
            .components
            .iter()
            .map(|c| format!("{}@{}", c.name, c.version))
            .collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(x.components.iter().all(|c| line(c).is_some()));
        let x = run("peer-dependencies-advanced-v6.yaml").unwrap();
        assert_eq!(
            line(one(&x, "react-dom", "18.3.0-canary-ab31a9ed2-20230824")),
            Some(25)
        );
        assert_eq!(
            one(&x, "react-dom", "18.3.0-canary-ab31a9ed2-20230824").direct,
            Some(true)
        );

        // Git and file packages are not checked.
        let x = run("commits.yaml").unwrap();
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        assert_eq!(x.not_checked.len(), 5);
        let x = run("files.yaml").unwrap();
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        // The nameless package cannot be named: a warning.
        assert_eq!(x.not_checked.len(), 5);
        assert_eq!(x.diagnostics.len(), 1);

        // Odd keys: the ones that name a version are read, the rest warned.
        let x = run("exotic.yaml").unwrap();
        assert_eq!(
            {
                let mut v: Vec<String> = x
                    .components
                    .iter()
                    .map(|c| format!("{}@{}", c.name, c.version))
                    .collect();
                v.sort();
                v
            },
            [
                "@foo/bar@1.0.0",
                "@foo/bar@1.1.0",
                "foo@1.0.0",
                "foo@1.1.0",
                "foo@1.2.0",
                "foo@1.3.0",
                "foo@1.4.0"
            ]
        );
        assert_eq!(x.diagnostics.len(), 2);
        let x = run("invalid-path.yaml").unwrap();
        assert_eq!(brief(&x), ["acorn@8.7.0 invalid-path.yaml:11"]);
        assert_eq!(x.diagnostics.len(), 1);

        let err = run("not-yaml.txt").unwrap_err();
        assert_eq!(err.path(), "not-yaml.txt");
        for f in [
            "scoped-packages.yaml",
            "scoped-packages.v9.yaml",
            "scoped-packages-v6-lockfile.yaml",
        ] {
            let x = run(f).unwrap();
            assert!(x.components.iter().any(|c| c.name.starts_with('@')), "{f}");
        }
        for f in [
            "multiple-packages.yaml",
            "multiple-versions.yaml",
            "multiple-versions.v9.yaml",
            "peer-dependencies.yaml",
            "peer-dependencies.v9.yaml",
            "peer-dependencies-v6.yaml",
            "peer-dependencies-advanced.yaml",
            "peer-dependencies-advanced-rc-v6.yaml",
            "tarball.yaml",
            "commits.v9.yaml",
            "missing-packages.yaml",
            "invalid-paths.yaml",
            "one-package-v6-lockfile.yaml",
            "one-package-dev.yaml",
        ] {
            let x = run(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(
                x.components.iter().all(|c| line(c).is_some()),
                "{f}: {:?}",
                brief(&x)
            );
        }
    }
}
