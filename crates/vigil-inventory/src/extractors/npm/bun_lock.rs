//! `bun.lock`: the text lockfile of Bun.
//!
//! ## Detects
//! Files named `bun.lock` (JSON with trailing commas and comments allowed):
//! `lockfileVersion`, `workspaces` (each workspace folder with its
//! `dependencies`, `devDependencies`, `optionalDependencies` and
//! `peerDependencies`) and `packages`, whose keys are install paths
//! (`name`, or `parent/name` for a copy nested under its parent) and whose
//! values are tuples: `["name@1.2.3", "registry", {deps}, "sha512-..."]`
//! for registry packages, `["name@<source>", {deps}, ...]` for the rest.
//! The binary `bun.lockb` is not read.
//!
//! ## Ecosystem
//! npm. Each registry package is a component: its real name (an alias key
//! such as `"x-old": ["x@1.0.0", ...]` is reported as `x`) and version as
//! written, located at the line of its key, with its integrity as its hash
//! and the names of the packages its dependencies resolve to (looked up
//! as Bun installs them: under the package's own path first, then its
//! parents').
//!
//! `direct` is true for what a workspace asks for; `dev` for a package
//! that only development dependencies lead to; `optional` for one that
//! only optional dependencies lead to. Workspace and `link:` packages are
//! the project's own code. Packages from git, a local `file:` path or a
//! tarball URL are "not checked" entries: they are not registry releases.
//!
//! ## Limitations
//! - `peerDependencies` count as required dependencies.
//! - A tuple whose first element is not a `name@version` string is skipped
//!   with a warning.
//!
//! ## References
//! - <https://bun.sh/docs/install/lockfile>
//! - <https://bun.sh/blog/bun-lock-text-lockfile>

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::package_lock::{key_lines, strip_position};
use super::{classify_range, graph_flags, split_spec, Root, Source};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest lockfile version this reader knows.
const NEWEST_VERSION: u64 = 1;

/// Reads `bun.lock`.
#[derive(Debug, Clone, Copy)]
pub struct BunLock;

type Deps = BTreeMap<String, Value>;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<Value>,
    #[serde(default)]
    workspaces: BTreeMap<String, Workspace>,
    #[serde(default)]
    packages: BTreeMap<String, Vec<Value>>,
}

#[derive(Deserialize, Default)]
struct Workspace {
    name: Option<String>,
    #[serde(default)]
    dependencies: Deps,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Deps,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Deps,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: Deps,
}

impl Extractor for BunLock {
    fn name(&self) -> &'static str {
        "npm/bun-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "bun.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let text = strip_jsonc(input.contents);
        let lock: Lockfile = serde_json::from_str(&text).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            input.malformed(
                line,
                format!("not a valid bun.lock: {}", strip_position(&e)),
            )
        })?;
        let mut out = Extracted::default();
        if let Some(v) = &lock.lockfile_version {
            if v.as_u64().is_none_or(|n| n > NEWEST_VERSION) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("lockfileVersion {v} is not one this reader knows; read as version {NEWEST_VERSION}"),
                ));
            }
        }
        let lines = key_lines(&text, |p| {
            p.len() == 2 && p.first().is_some_and(|k| k == "packages")
        });
        read(input, &lock, &lines, &mut out);
        Ok(out)
    }
}

/// JSON with comments and trailing commas made plain JSON, byte for byte
/// the same length (what is dropped becomes spaces, newlines are kept), so
/// that lines and offsets stay those of the file.
fn strip_jsonc(text: &str) -> String {
    let src = text.as_bytes();
    let mut out = src.to_vec();
    let mut i = 0;
    let mut in_string = false;
    // The offset of the last comma outside strings not yet followed by a
    // value.
    let mut pending_comma: Option<usize> = None;
    while let Some(&b) = src.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, src.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while let Some(&c) = src.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    if let Some(o) = out.get_mut(i) {
                        *o = b' ';
                    }
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                let start = i;
                i += 2;
                while i < src.len() && !(src.get(i) == Some(&b'*') && src.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                let end = (i + 2).min(src.len());
                for j in start..end {
                    if let Some(o) = out.get_mut(j) {
                        if *o != b'\n' {
                            *o = b' ';
                        }
                    }
                }
                i = end;
                continue;
            }
            (b',', _) => pending_comma = Some(i),
            (b'}' | b']', _) => {
                if let Some(c) = pending_comma.take() {
                    if let Some(o) = out.get_mut(c) {
                        *o = b' ';
                    }
                }
            }
            (b' ' | b'\t' | b'\r' | b'\n', _) => {}
            (b'"', _) => {
                in_string = true;
                pending_comma = None;
            }
            _ => pending_comma = None,
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One package tuple, read.
struct Entry<'a> {
    key: &'a str,
    name: String,
    version: String,
    source: Source,
    deps: Vec<(String, bool)>,
    hash: Option<String>,
}

fn read_entry<'a>(key: &'a str, tuple: &[Value]) -> Option<Entry<'a>> {
    let spec = tuple.first()?.as_str()?;
    let (name, reference) = split_spec(spec);
    if name.is_empty() || reference.is_empty() {
        return None;
    }
    let source = match classify_range(reference) {
        Source::Registry if reference.starts_with(|c: char| c.is_ascii_digit()) => Source::Registry,
        Source::Registry => Source::Url,
        other => other,
    };
    let meta = tuple.iter().skip(1).find_map(Value::as_object);
    let mut deps = Vec::new();
    if let Some(meta) = meta {
        for (field, optional) in [
            ("dependencies", false),
            ("peerDependencies", false),
            ("optionalDependencies", true),
        ] {
            if let Some(map) = meta.get(field).and_then(Value::as_object) {
                deps.extend(map.keys().map(|k| (k.clone(), optional)));
            }
        }
    }
    let hash = if source == Source::Registry {
        tuple.get(3).and_then(Value::as_str).map(str::to_string)
    } else {
        None
    };
    Some(Entry {
        key,
        name: name.to_string(),
        version: reference.to_string(),
        source,
        deps,
        hash,
    })
}

/// The package names that make up an install path: `a/@s/b/c` is `a`,
/// `@s/b`, `c`.
fn path_names(key: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut start = 0;
    let mut in_scope = false;
    for (i, c) in key.char_indices() {
        if c == '/' {
            if in_scope {
                in_scope = false;
                continue;
            }
            if let Some(n) = key.get(start..i) {
                names.push(n);
            }
            start = i + 1;
        } else if c == '@' && i == start {
            in_scope = true;
        }
    }
    if let Some(n) = key.get(start..) {
        names.push(n);
    }
    names
}

/// The install path `dep`, wanted by the package at `parent` (a path of
/// names), resolves to: `parent/dep`, then under each of its parents, then
/// `dep` at the top.
fn resolve(keys: &HashMap<&str, usize>, parent: &[&str], dep: &str) -> Option<usize> {
    (0..=parent.len()).rev().find_map(|n| {
        let mut path = parent.get(..n).unwrap_or_default().join("/");
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(dep);
        keys.get(path.as_str()).copied()
    })
}

fn read(
    input: &FileInput<'_>,
    lock: &Lockfile,
    lines: &HashMap<Vec<String>, u32>,
    out: &mut Extracted,
) {
    let line_of = |key: &str| {
        lines
            .get(&["packages".to_string(), key.to_string()][..])
            .copied()
    };
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for (key, tuple) in &lock.packages {
        match read_entry(key, tuple) {
            Some(e) => entries.push(e),
            None => out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                line_of(key),
                format!("package {key:?} does not start with a \"name@version\" string; skipped"),
            )),
        }
    }
    let keys: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key, i))
        .collect();
    let edges: Vec<Vec<(usize, bool)>> = entries
        .iter()
        .map(|e| {
            let parent = path_names(e.key);
            e.deps
                .iter()
                .filter_map(|(d, opt)| resolve(&keys, &parent, d).map(|t| (t, *opt)))
                .collect()
        })
        .collect();

    let mut roots: Vec<(usize, Root)> = Vec::new();
    for ws in lock.workspaces.values() {
        let parent: Vec<&str> = ws.name.as_deref().into_iter().collect();
        let mut add = |deps: &Deps, kind: Root, skip: &[&Deps]| {
            for name in deps.keys() {
                if skip.iter().any(|s| s.contains_key(name)) {
                    continue;
                }
                if let Some(t) = resolve(&keys, &parent, name) {
                    roots.push((t, kind));
                }
            }
        };
        add(&ws.dependencies, Root::Prod, &[]);
        add(&ws.peer_dependencies, Root::Prod, &[]);
        add(&ws.optional_dependencies, Root::Optional, &[]);
        add(
            &ws.dev_dependencies,
            Root::Dev,
            &[&ws.dependencies, &ws.optional_dependencies],
        );
    }
    let knows_direct = !lock.workspaces.is_empty();
    let flags = graph_flags(&edges, &roots);

    for (i, e) in entries.iter().enumerate() {
        if e.source == Source::Project {
            continue;
        }
        let line = line_of(e.key);
        if let Some(reason) = e.source.reason() {
            // The commit of a git source, never its URL.
            let version = match e.source {
                Source::Git => e.version.rsplit_once('#').map_or("", |(_, c)| c),
                _ => "",
            };
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name: e.name.clone(),
                version: version.to_string(),
                location: Location::new(input.rel_path, line),
                reason: reason.to_string(),
            });
            continue;
        }
        let deps: BTreeSet<String> = edges
            .get(i)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&(t, _)| entries.get(t).map(|d| d.name.clone()))
            .collect();
        let f = flags.get(i).copied().unwrap_or_default();
        let mut c = Component::new(Ecosystem::Npm, e.name.as_str(), e.version.as_str())
            .at(input.rel_path, line)
            .direct(knows_direct.then_some(f.direct))
            .dev(f.dev.filter(|_| knows_direct))
            .optional(f.optional.filter(|_| knows_direct))
            .depends_on(deps);
        if let Some(h) = &e.hash {
            c = c.hash(h.as_str());
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

    const SUB: &str = "npm/bun_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&BunLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_bun_lock_only() {
        assert!(BunLock.matches(Path::new("bun.lock")));
        assert!(BunLock.matches(Path::new("a/bun.lock")));
        assert!(!BunLock.matches(Path::new("bun.lockb")));
    }

    #[test]
    fn jsonc_becomes_json_of_the_same_length() {
        let t = "{\n \"a\": [1, 2,], // c, d\n \"b\": \"x,]\", /* é\n */ \"c\": {\"d\": 1,},\n}";
        let j = strip_jsonc(t);
        assert_eq!(j.len(), t.len());
        assert_eq!(j.lines().count(), t.lines().count());
        let v: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["b"], "x,]");
        assert_eq!(v["c"]["d"], 1);
        let _ = strip_jsonc("\"abc\\");
        let _ = strip_jsonc("/* open");
    }

    #[test]
    fn install_paths() {
        assert_eq!(path_names("a"), ["a"]);
        assert_eq!(path_names("a/@s/b/c"), ["a", "@s/b", "c"]);
        assert_eq!(path_names("@s/b"), ["@s/b"]);
    }

    #[test]
    fn empty_and_malformed() {
        let x = read("empty/bun.lock");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
        let err = fixture(&BunLock, SUB, "malformed/bun.lock").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            (err.path(), err.line()),
            ("malformed/bun.lock", Some(12)),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/bun.lock");
        assert_eq!(brief(&x), ["lodash@4.17.21 one-package/bun.lock:13"]);
        assert_eq!(flags(&x), ["lodash@4.17.21 direct=yes dev=no optional=no"]);
        assert!(x.components[0].hashes[0].starts_with("sha512-v2kDEe57"));
    }

    #[test]
    fn workspace_project() {
        let x = read("workspaces/bun.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "fsevents@2.3.3 direct=yes dev=no optional=yes",
                "has-flag@3.0.0 direct=no dev=no optional=no",
                "has-flag@4.0.0 direct=no dev=no optional=no",
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "supports-color@6.1.0 direct=yes dev=no optional=no",
                "supports-color@7.2.0 direct=yes dev=no optional=no",
                "typescript@5.4.5 direct=yes dev=yes optional=no",
            ]
        );
        // A nested copy resolves before the top-level one.
        let old = one(&x, "supports-color", "6.1.0");
        assert_eq!(old.dependencies, ["has-flag"]);
        assert_eq!(line(old), Some(44));
        assert_eq!(line(one(&x, "has-flag", "3.0.0")), Some(46));
        assert_eq!(
            unchecked_brief(&x),
            [
                "is-number@98e8ff1 :34 installed from git, not from an npm registry release",
                "vendored@ :50 installed from a local path, not from an npm registry release",
            ]
        );
        insta::assert_json_snapshot!("bun_lock_workspaces", view(&x));
    }

    #[test]
    fn unknown_version_warns() {
        let text = "{\"lockfileVersion\": 7, \"packages\": {\"a\": [\"a@1.0.0\", \"\", {}, \"sha512-x\"],},}";
        let input = FileInput::new("bun.lock", Path::new("bun.lock"), text, Path::new("/"));
        let x = BunLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["a@1.0.0 bun.lock:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "bun.lock: lockfileVersion 7 is not one this reader knows; read as version 1"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&BunLock, SUB, "workspaces/bun.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("javascript/bunlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&BunLock, &dir, f);
        for f in ["empty.json5", "no-packages.json5"] {
            let x = run(f).unwrap();
            assert!(x.components.is_empty(), "{f}");
        }
        assert_eq!(
            flags(&run("one-package.json5").unwrap()),
            ["wrappy@1.0.2 direct=yes dev=no optional=no"]
        );
        // This sample lists its package in `dependencies`, despite its name.
        assert_eq!(
            flags(&run("one-package-dev.json5").unwrap()),
            ["wrappy@1.0.2 direct=yes dev=no optional=no"]
        );
        let x = run("same-package-different-groups.json5").unwrap();
        assert_eq!(
            flags(&x),
            [
                "has-flag@3.0.0 direct=yes dev=no optional=no",
                "supports-color@5.5.0 direct=yes dev=no optional=no",
            ]
        );
        assert_eq!(line(one(&x, "has-flag", "3.0.0")), Some(15));

        let x = run("alias.json5").unwrap();
        assert_eq!(
            brief(&x),
            [
                "has-flag@3.0.0 alias.json5:19",
                "has-flag@4.0.0 alias.json5:13",
                "supports-color@6.1.0 alias.json5:17",
                "supports-color@7.2.0 alias.json5:15",
            ]
        );
        assert_eq!(
            one(&x, "supports-color", "6.1.0").dependencies,
            ["has-flag"]
        );

        let x = run("commits.json5").unwrap();
        assert_eq!(x.components.len(), 11, "{:?}", brief(&x));
        assert_eq!(x.not_checked.len(), 7);
        assert_eq!(line(one(&x, "jquery", "3.7.1")), Some(42));
        let x = run("files.json5").unwrap();
        assert_eq!(brief(&x), ["lodash@1.3.1 files.json5:17"]);
        assert_eq!(unchecked_brief(&x).len(), 1);

        let x = run("bad-tuple.json5").unwrap();
        assert_eq!(brief(&x), ["wrappy@1.0.2 bad-tuple.json5:13"]);
        assert_eq!(x.diagnostics.len(), 2);

        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
        assert_eq!(
            unchecked_brief(&run("blog-sample.json5").unwrap()),
            ["uWebSockets.js@6609a88 :11 installed from git, not from an npm registry release"]
        );
        for f in [
            "nested-dependencies.json5",
            "nested-dependencies-dup.json5",
            "optional-package.json5",
            "peer-dependencies-explicit.json5",
            "peer-dependencies-implicit.json5",
            "scoped-packages.json5",
            "scoped-packages-mixed.json5",
            "two-packages.json5",
        ] {
            let x = run(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert!(!x.components.is_empty(), "{f}");
            assert!(
                x.components.iter().all(|c| line(c).is_some()),
                "{f}: {:?}",
                brief(&x)
            );
        }
    }
}
