//! `conan.lock`: the lockfiles of the Conan C/C++ package manager.
//!
//! ## Detects
//! Files named `conan.lock`:
//! - Conan 2 lockfiles (`"version": "0.5"`): the `requires`,
//!   `build_requires` and `python_requires` lists of references
//!   (`zlib/1.2.13#revision%timestamp`).
//! - Conan 1 lockfiles (`"version": "0.4"`, and the older `0.1` to `0.3`
//!   and unversioned files): the `graph_lock.nodes` graph, each node with a
//!   `ref` (or, in the older files, a `pref` with a package id) and its
//!   `requires` / `build_requires` edges (node ids, or in the oldest files
//!   a map from reference to node id).
//!
//! A file with another `version` is read as best it can be, with a warning.
//!
//! ## Ecosystem
//! ConanCenter. Each referenced package is a component: the name and
//! version of its reference as written (the recipe revision, timestamp and
//! package id are left out), located at the line of its reference (Conan 2)
//! or of its node (Conan 1).
//!
//! - Conan 2: `dev` is true for `build_requires` (tools used while
//!   building) and `python_requires` (recipe code), false for `requires`;
//!   `direct` is unknown: the lists are flat.
//! - Conan 1: the nodes with a `path` are the project's own conanfiles, not
//!   components. `direct` is true for the packages they require; `dev` is
//!   false for the packages reached from them through `requires` edges
//!   alone, true for the rest (reached only through a `build_requires`);
//!   `dependencies` lists the names of each node's `requires` and
//!   `build_requires`. Without a project node both flags are unknown.
//!
//! A reference with a `@user/channel` is a "not checked" entry: ConanCenter
//! packages have none, so it is a package of another remote or channel.
//!
//! ## Limitations
//! - vigil has no version rules for ConanCenter (its versions are not
//!   SemVer: `1.1.1w`, `cci.20230911`), so its components are reported as
//!   "not checked: no version rules" by the matcher rather than compared.
//! - A reference without a name (`1.2.3`) is skipped with a warning.
//! - Recipe revisions are not recorded as hashes: they identify a recipe,
//!   not the content of a built package.
//! - The remote a package came from is not in the lockfile: every
//!   reference without user and channel is taken for ConanCenter's.
//!
//! ## References
//! - <https://docs.conan.io/2/tutorial/versioning/lockfiles.html>
//! - <https://docs.conan.io/1/versioning/lockfiles/introduction.html>
//! - <https://docs.conan.io/2/reference/conanfile/attributes.html#requires>
//! - <https://ossf.github.io/osv-schema/#affectedpackage-field> (ConanCenter)

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::json_lines::{json_line, json_message, value_lines, Seg};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `conan.lock`.
#[derive(Debug, Clone, Copy)]
pub struct ConanLock;

/// The lockfile versions this reader knows.
const KNOWN_VERSIONS: &[&str] = &["0.1", "0.2", "0.3", "0.4", "0.5"];

#[derive(Deserialize)]
struct File {
    version: Option<serde_json::Value>,
    graph_lock: Option<GraphLock>,
    /// Conan 2.
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    build_requires: Vec<String>,
    #[serde(default)]
    python_requires: Vec<String>,
}

#[derive(Deserialize)]
struct GraphLock {
    #[serde(default)]
    nodes: BTreeMap<String, Node>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(rename = "ref")]
    reference: Option<String>,
    /// Lockfiles 0.1 to 0.3: `name/version#rrev:package_id#prev`.
    pref: Option<String>,
    path: Option<String>,
    context: Option<String>,
    #[serde(default)]
    requires: Edges,
    #[serde(default)]
    build_requires: Edges,
    #[serde(default)]
    python_requires: Edges,
}

/// Edges to other nodes: a list of node ids, or (the oldest files) a map
/// from reference to node id.
#[derive(Deserialize)]
#[serde(untagged)]
enum Edges {
    List(Vec<String>),
    Map(BTreeMap<String, String>),
}

impl Default for Edges {
    fn default() -> Self {
        Edges::List(Vec::new())
    }
}

impl Edges {
    fn ids(&self) -> Vec<&str> {
        match self {
            Edges::List(v) => v.iter().map(String::as_str).collect(),
            Edges::Map(m) => m.values().map(String::as_str).collect(),
        }
    }
}

/// The parts of a reference that matter here.
#[derive(Debug, PartialEq)]
struct Reference<'a> {
    name: &'a str,
    version: &'a str,
    /// `user/channel`, when written.
    user_channel: Option<&'a str>,
}

/// Parses `name/version[@user/channel][#rrev][%timestamp][:package_id[#prev]]`.
fn parse_reference(text: &str) -> Option<Reference<'_>> {
    let text = text.trim();
    let text = text.split(':').next().unwrap_or(text);
    let text = text.split('%').next().unwrap_or(text);
    let text = text.split('#').next().unwrap_or(text);
    let (name_version, user_channel) = match text.split_once('@') {
        Some((nv, uc)) => (nv, Some(uc).filter(|uc| !uc.is_empty() && *uc != "_/_")),
        None => (text, None),
    };
    let (name, version) = name_version.split_once('/')?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some(Reference {
        name,
        version,
        user_channel,
    })
}

/// How a package is used, for the flags of its component.
struct Use {
    direct: Option<bool>,
    dev: Option<bool>,
    dependencies: Vec<String>,
}

impl Extractor for ConanLock {
    fn name(&self) -> &'static str {
        "cpp/conan-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "conan.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let file: File = serde_json::from_str(input.contents).map_err(|e| {
            input.malformed(
                json_line(&e),
                format!("not a valid conan.lock: {}", json_message(&e)),
            )
        })?;
        let mut out = Extracted::default();
        if let Some(v) = &file.version {
            if v.as_str().is_none_or(|s| !KNOWN_VERSIONS.contains(&s)) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!(
                        "lockfile version {v} is not one this reader knows; read as best it can be"
                    ),
                ));
            }
        }
        match &file.graph_lock {
            Some(graph) => read_graph(input, graph, &mut out),
            None => read_lists(input, &file, &mut out),
        }
        Ok(out)
    }
}

/// Adds the component (or not-checked entry) of one reference.
fn add(input: &FileInput<'_>, reference: &str, line: Option<u32>, how: Use, out: &mut Extracted) {
    let Some(r) = parse_reference(reference) else {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            line,
            format!("reference `{reference}` has no package name; skipped"),
        ));
        return;
    };
    if let Some(uc) = r.user_channel {
        out.not_checked.push(NotChecked {
            ecosystem: Ecosystem::ConanCenter,
            name: r.name.to_string(),
            version: r.version.to_string(),
            location: Location::new(input.rel_path, line),
            reason: format!(
                "a `@{uc}` reference: a package of another remote or channel, not of ConanCenter"
            ),
        });
        return;
    }
    out.components.push(
        Component::new(Ecosystem::ConanCenter, r.name, r.version)
            .at(input.rel_path, line)
            .direct(how.direct)
            .dev(how.dev)
            .depends_on(how.dependencies),
    );
}

/// Conan 2: flat lists of references.
fn read_lists(input: &FileInput<'_>, file: &File, out: &mut Extracted) {
    let lines = value_lines(input.contents, |p| {
        p.len() == 2
            && matches!(&p[0], Seg::Key(k) if k == "requires" || k == "build_requires" || k == "python_requires")
    });
    for (list, key, dev) in [
        (&file.requires, "requires", false),
        (&file.build_requires, "build_requires", true),
        (&file.python_requires, "python_requires", true),
    ] {
        for (i, reference) in list.iter().enumerate() {
            let line = lines
                .get(&[Seg::Key(key.to_string()), Seg::Index(i)][..])
                .copied();
            let how = Use {
                direct: None,
                dev: Some(dev),
                dependencies: Vec::new(),
            };
            add(input, reference, line, how, out);
        }
    }
}

/// Conan 1: the node graph.
fn read_graph(input: &FileInput<'_>, graph: &GraphLock, out: &mut Extracted) {
    let lines = value_lines(input.contents, |p| {
        p.len() == 3
            && matches!(&p[0], Seg::Key(k) if k == "graph_lock")
            && matches!(&p[1], Seg::Key(k) if k == "nodes")
    });
    let reference = |n: &Node| n.reference.clone().or_else(|| n.pref.clone());
    let roots: Vec<&str> = graph
        .nodes
        .iter()
        .filter(|(_, n)| n.path.is_some())
        .map(|(id, _)| id.as_str())
        .collect();
    let knows = !roots.is_empty();
    let direct: HashSet<&str> = roots
        .iter()
        .filter_map(|id| graph.nodes.get(*id))
        .flat_map(|n| {
            let mut ids = n.requires.ids();
            ids.extend(n.build_requires.ids());
            ids.extend(n.python_requires.ids());
            ids
        })
        .collect();
    // What the project needs at run time: reached through `requires` alone.
    let mut host: HashSet<&str> = roots.iter().copied().collect();
    let mut queue: VecDeque<&str> = roots.iter().copied().collect();
    while let Some(id) = queue.pop_front() {
        let Some(node) = graph.nodes.get(id) else {
            continue;
        };
        for next in node.requires.ids() {
            if host.insert(next) {
                queue.push_back(next);
            }
        }
    }
    let names: HashMap<&str, String> = graph
        .nodes
        .iter()
        .filter_map(|(id, n)| {
            let r = reference(n)?;
            let name = parse_reference(&r)?.name.to_string();
            Some((id.as_str(), name))
        })
        .collect();

    for (id, node) in &graph.nodes {
        if node.path.is_some() {
            continue;
        }
        let Some(r) = reference(node) else {
            continue;
        };
        let line = lines
            .get(
                &[
                    Seg::Key("graph_lock".to_string()),
                    Seg::Key("nodes".to_string()),
                    Seg::Key(id.clone()),
                ][..],
            )
            .copied();
        let build_context = node.context.as_deref() == Some("build");
        let mut dependencies: Vec<String> = node
            .requires
            .ids()
            .into_iter()
            .chain(node.build_requires.ids())
            .filter_map(|d| names.get(d).cloned())
            .collect();
        dependencies.sort();
        dependencies.dedup();
        let how = Use {
            direct: knows.then(|| direct.contains(id.as_str())),
            dev: knows.then(|| build_context || !host.contains(id.as_str())),
            dependencies,
        };
        add(input, &r, line, how, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_malformed, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "cpp/conan_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&ConanLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// `name@version direct dev [deps]` of each component, sorted.
    fn flags(x: &Extracted) -> Vec<String> {
        let show = |b: Option<bool>| b.map_or("?", |b| if b { "yes" } else { "no" });
        let mut v: Vec<String> = x
            .components
            .iter()
            .map(|c| {
                format!(
                    "{}@{} direct={} dev={} deps=[{}]",
                    c.name,
                    c.version,
                    show(c.direct),
                    show(c.dev),
                    c.dependencies.join(",")
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn matches_only_conan_lock() {
        assert!(ConanLock.matches(Path::new("conan.lock")));
        assert!(ConanLock.matches(Path::new("build/conan.lock")));
        assert!(!ConanLock.matches(Path::new("conanfile.txt")));
        assert!(!ConanLock.matches(Path::new("conan.lock.json")));
    }

    #[test]
    fn references() {
        let r = |s| parse_reference(s);
        assert_eq!(
            r("zlib/1.3.1#f52e%1708593606.497"),
            Some(Reference {
                name: "zlib",
                version: "1.3.1",
                user_channel: None
            })
        );
        assert_eq!(
            r("zlib/1.2.11@bincrafters/testing#5f49:1972#5884"),
            Some(Reference {
                name: "zlib",
                version: "1.2.11",
                user_channel: Some("bincrafters/testing")
            })
        );
        assert_eq!(r("zlib/1.2.11@_/_").and_then(|r| r.user_channel), None);
        assert_eq!(r("1.2.3#ffa7"), None);
        assert_eq!(r("/1.0"), None);
        assert_eq!(r("zlib/"), None);
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/conan.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        assert_malformed(
            &ConanLock,
            SUB,
            "malformed/conan.lock",
            Some(5),
            "not a valid conan.lock: expected",
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/conan.lock");
        assert_eq!(brief(&x), ["zlib@1.3.1 one-package/conan.lock:4"]);
        let c = one(&x, "zlib", "1.3.1");
        assert_eq!(c.purl, "pkg:conan/zlib@1.3.1");
        assert_eq!(c.ecosystem, Ecosystem::ConanCenter);
        assert_eq!((c.direct, c.dev), (None, Some(false)));
    }

    #[test]
    fn conan_2_lists() {
        let x = read("v2/conan.lock");
        assert_eq!(
            flags(&x),
            [
                "cmake@3.28.1 direct=? dev=yes deps=[]",
                "fmt@10.2.1 direct=? dev=no deps=[]",
                "libcurl@8.6.0 direct=? dev=no deps=[]",
                "ninja@1.11.1 direct=? dev=yes deps=[]",
                "openssl@3.2.1 direct=? dev=no deps=[]",
                "spdlog@1.13.0 direct=? dev=no deps=[]",
                "zlib@1.3.1 direct=? dev=no deps=[]",
            ]
        );
        assert_eq!(line(one(&x, "zlib", "1.3.1")), Some(4));
        assert_eq!(line(one(&x, "cmake", "3.28.1")), Some(13));
        assert_eq!(
            unchecked_brief(&x),
            [
                "acme-recipes@0.3 :16 a `@acme/tools` reference: a package of another remote or channel, not of ConanCenter",
                "internal-sdk@2.4.0 :9 a `@acme/stable` reference: a package of another remote or channel, not of ConanCenter",
            ]
        );
        assert!(x.diagnostics.is_empty());
    }

    #[test]
    fn conan_1_graph() {
        let x = read("v1/conan.lock");
        assert_eq!(
            flags(&x),
            [
                "cmake@3.25.3 direct=yes dev=yes deps=[openssl]",
                "libcurl@8.0.1 direct=yes dev=no deps=[openssl,zlib]",
                "nlohmann_json@3.11.2 direct=yes dev=no deps=[]",
                "openssl@1.1.1t direct=no dev=no deps=[zlib]",
                "openssl@3.1.0 direct=no dev=yes deps=[]",
                "zlib@1.2.13 direct=no dev=no deps=[]",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["gtest@1.8.1 :68 a `@bincrafters/stable` reference: a package of another remote or channel, not of ConanCenter"]
        );
        assert!(x.diagnostics.is_empty());
        insta::assert_json_snapshot!("conan_lock_v1", view(&x));
    }

    #[test]
    fn conan_1_old_format_with_prefs() {
        let x = read("v1-old-0.2/conan.lock");
        assert_eq!(flags(&x), ["bzip2@1.0.8 direct=yes dev=no deps=[]"]);
        assert_eq!(brief(&x), ["bzip2@1.0.8 v1-old-0.2/conan.lock:13"]);
    }

    #[test]
    fn unknown_version_warns() {
        let text = r#"{"version": "0.9", "requires": ["zlib/1.3.1"]}"#;
        let input = FileInput::new("conan.lock", Path::new("conan.lock"), text, Path::new("/"));
        let x = ConanLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["zlib@1.3.1 conan.lock:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "conan.lock: lockfile version \"0.9\" is not one this reader knows; read as best it can be"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in ["v1/conan.lock", "v2/conan.lock", "v1-old-0.2/conan.lock"] {
            survives_truncation(&ConanLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("cpp/conanlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&ConanLock, &dir, f);
        for f in ["empty.v1.json", "empty.v1.revisions.json", "empty.v2.json"] {
            let x = run(f).unwrap();
            assert!(x.components.is_empty() && x.diagnostics.is_empty(), "{f}");
        }
        assert_eq!(
            flags(&run("one-package.v1.json").unwrap()),
            ["zlib@1.2.11 direct=yes dev=no deps=[]"]
        );
        assert_eq!(
            brief(&run("one-package.v2.json").unwrap()),
            ["zlib@1.2.11 one-package.v2.json:4"]
        );
        assert_eq!(
            flags(&run("one-package-dev.v1.revisions.json").unwrap()),
            ["ninja@1.11.1 direct=yes dev=yes deps=[]"]
        );
        assert_eq!(
            flags(&run("one-package-dev.v2.json").unwrap()),
            ["ninja@1.11.1 direct=? dev=yes deps=[]"]
        );
        for f in [
            "two-packages.v1.json",
            "two-packages.v2.json",
            "two-packages.v1.revisions.json",
        ] {
            assert_eq!(run(f).unwrap().components.len(), 2, "{f}");
        }
        let x = run("nested-dependencies.v1.revisions.json").unwrap();
        assert_eq!(
            flags(&x),
            [
                "brotli@1.0.9 direct=no dev=no deps=[]",
                "bzip2@1.0.8 direct=no dev=no deps=[]",
                "freetype@2.12.1 direct=yes dev=no deps=[brotli,bzip2,libpng,zlib]",
                "libpng@1.6.39 direct=no dev=no deps=[zlib]",
                "zlib@1.2.13 direct=no dev=no deps=[]",
            ]
        );
        assert_eq!(line(one(&x, "zlib", "1.2.13")), Some(36));
        let x = run("nested-dependencies.v2.json").unwrap();
        assert_eq!(x.components.len(), 5);
        assert_eq!(line(one(&x, "brotli", "1.0.9")), Some(8));
        // A reference without a name is skipped with a warning.
        for f in [
            "no-name.v1.json",
            "no-name.v1.revisions.json",
            "no-name.v2.json",
        ] {
            let x = run(f).unwrap();
            assert_eq!(brief(&x).len(), 1, "{f}");
            assert_eq!(x.components[0].name, "zlib", "{f}");
            assert_eq!(x.diagnostics.len(), 1, "{f}");
        }
        // Older formats: `pref`, and edges as maps; 0.0 has a user/channel.
        for f in [
            "old-format-0.1.json",
            "old-format-0.2.json",
            "old-format-0.3.json",
        ] {
            assert_eq!(
                flags(&run(f).unwrap()),
                ["zlib@1.2.11 direct=yes dev=no deps=[]"],
                "{f}"
            );
        }
        let x = run("old-format-0.0.json").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.not_checked[0].name, "zlib");

        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
        let err = run("null.v2.jsontest").unwrap_err();
        assert_eq!((err.path(), err.line()), ("null.v2.jsontest", Some(1)));
    }
}
