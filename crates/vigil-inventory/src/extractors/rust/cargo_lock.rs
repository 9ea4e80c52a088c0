//! `Cargo.lock`: the lockfile of a Cargo workspace.
//!
//! ## Detects
//! Files named `Cargo.lock`, lockfile formats 1 to 4: format 1 (no
//! `version` key, `[metadata]` checksums, dependencies written
//! `"name version (source)"`, and the oldest files' `[root]` table),
//! format 2 (no `version` key, dependencies written `"name"` or
//! `"name version"`), and formats 3 and 4 (`version = 3` / `version = 4`).
//! A file with a newer `version` is read as format 4, with a warning.
//!
//! ## Ecosystem
//! crates.io. Each `[[package]]` whose `source` is a registry
//! (`registry+...` or `sparse+...`) is a component: its `name` and
//! `version` as written, located at its `[[package]]` line. `direct` is
//! true for the packages a workspace member (or another local package, one
//! without `source`) depends on, false for the rest; it is unknown when the
//! file has no local package. Cargo.lock does not tell development
//! dependencies apart, so `dev` is unknown. `dependencies` lists the names
//! of the packages each one depends on (its `dependencies` entries); its
//! `checksum` (or, in format 1, the `[metadata]` checksum) is kept as a
//! hash written `sha256:<hex>`: Cargo writes the bare SHA-256 of the
//! `.crate` file, and the prefix names the algorithm.
//!
//! ## Limitations
//! - Packages without `source` (workspace members and path dependencies:
//!   the project's own code) and packages from git (`source = "git+..."`)
//!   are neither components nor "not checked" entries: crates.io advisories
//!   are about crates.io releases, which these are not.
//! - Packages from another registry than crates.io are reported as
//!   crates.io components (a private registry usually mirrors crates.io
//!   names); a private crate that shares a public crate's name may then
//!   match the public crate's advisories.
//! - A dependency edge `"name"` that several packages could satisfy is
//!   credited to every package of that name.
//!
//! ## References
//! - <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>
//! - Cargo's lockfile encoding: `src/cargo/core/resolver/encode.rs` in the
//!   Cargo repository (the versions are described on `ResolveVersion`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::extractors::{line_at, toml_malformed, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest lockfile format this reader knows.
const NEWEST_FORMAT: i64 = 4;

/// Reads `Cargo.lock`.
#[derive(Debug, Clone, Copy)]
pub struct CargoLock;

#[derive(Deserialize)]
struct Lockfile {
    version: Option<Spanned<i64>>,
    #[serde(default)]
    package: Vec<Spanned<Package>>,
    /// Format 1's oldest files keep the root package apart.
    root: Option<Package>,
    /// Format 1 keeps checksums here, keyed `checksum name version (source)`.
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// A dependency edge: a name and, when the lockfile wrote one, a version.
#[derive(PartialEq, Eq, Hash)]
struct Edge {
    name: String,
    version: Option<String>,
}

/// Parses `"name"`, `"name version"` or `"name version (source)"`.
fn parse_edge(text: &str) -> Option<Edge> {
    let mut parts = text.split_whitespace();
    let name = parts.next()?.to_string();
    let version = parts
        .next()
        .filter(|v| !v.starts_with('('))
        .map(str::to_string);
    Some(Edge { name, version })
}

fn is_registry(source: &str) -> bool {
    source.starts_with("registry+") || source.starts_with("sparse+")
}

impl Extractor for CargoLock {
    fn name(&self) -> &'static str {
        "rust/cargo-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "Cargo.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile =
            toml::from_str(input.contents).map_err(|e| toml_malformed(input, "Cargo.lock", &e))?;
        let mut out = Extracted::default();
        let lines = LineIndex::new(input.contents);

        if let Some(v) = &lock.version {
            let n = *v.get_ref();
            if !(1..=NEWEST_FORMAT).contains(&n) {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    Some(line_at(input.contents, v.span().start)),
                    format!("lockfile format {n} is not one this reader knows; read as format {NEWEST_FORMAT}"),
                ));
            }
        }

        // The dependencies of local packages (those without a source) are
        // the direct ones.
        let locals: Vec<&Package> = lock
            .package
            .iter()
            .map(|p| p.get_ref())
            .chain(lock.root.as_ref())
            .filter(|p| p.source.is_none())
            .collect();
        let direct_edges: HashSet<Edge> = locals
            .iter()
            .flat_map(|p| p.dependencies.iter())
            .filter_map(|d| parse_edge(d))
            .collect();
        let knows_direct = !locals.is_empty();

        for spanned in &lock.package {
            let p = spanned.get_ref();
            let Some(source) = &p.source else { continue };
            if !is_registry(source) {
                continue;
            }
            let name = p.name.get_ref();
            let direct = knows_direct.then(|| {
                direct_edges.contains(&Edge {
                    name: name.clone(),
                    version: None,
                }) || direct_edges.contains(&Edge {
                    name: name.clone(),
                    version: Some(p.version.clone()),
                })
            });
            let line = package_line(
                input.contents,
                &lines,
                spanned.span().start,
                p.name.span().start,
            );
            let checksum = p.checksum.clone().or_else(|| {
                let key = format!("checksum {name} {} ({source})", p.version);
                lock.metadata
                    .get(&key)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
            let mut dependencies: Vec<String> = p
                .dependencies
                .iter()
                .filter_map(|d| parse_edge(d))
                .map(|e| e.name)
                .collect();
            dependencies.sort();
            dependencies.dedup();
            let mut c = Component::new(Ecosystem::CratesIo, name.as_str(), p.version.as_str())
                .at(input.rel_path, Some(line))
                .direct(direct)
                .depends_on(dependencies);
            if let Some(sum) = checksum.filter(|s| !s.is_empty() && s != "<none>") {
                c = c.hash(format!("sha256:{sum}"));
            }
            out.components.push(c);
        }
        Ok(out)
    }
}

/// The line of a `[[package]]` header: the table's span starts at its
/// header when the parser gives one; otherwise the `name` key's line.
fn package_line(text: &str, lines: &LineIndex, table_start: usize, name_start: usize) -> u32 {
    let at_header = text
        .get(table_start..)
        .is_some_and(|rest| rest.starts_with("[["))
        && table_start <= name_start;
    lines.line(if at_header { table_start } else { name_start })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_malformed, brief, extract_in, fixture, line, one, samples, survives_truncation, view,
    };

    const SUB: &str = "rust/cargo_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&CargoLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_cargo_lock() {
        assert!(CargoLock.matches(Path::new("Cargo.lock")));
        assert!(CargoLock.matches(Path::new("a/b/Cargo.lock")));
        assert!(!CargoLock.matches(Path::new("Cargo.toml")));
        assert!(!CargoLock.matches(Path::new("Cargo.lock.orig")));
        assert!(!CargoLock.matches(Path::new("cargo.lock/x")));
    }

    #[test]
    fn empty_lockfile_has_no_components() {
        let x = read("empty/Cargo.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        assert_malformed(
            &CargoLock,
            SUB,
            "malformed/Cargo.lock",
            Some(7),
            "not a valid Cargo.lock",
        );
    }

    #[test]
    fn package_without_version_is_malformed_at_its_table() {
        let err = fixture(&CargoLock, SUB, "missing-version/Cargo.lock").unwrap_err();
        assert_eq!(err.path(), "missing-version/Cargo.lock");
        assert_eq!(err.line(), Some(8), "{err}");
        assert!(err.to_string().contains("version"), "{err}");
    }

    #[test]
    fn one_package() {
        let x = read("one-package/Cargo.lock");
        assert_eq!(brief(&x), ["smallvec@1.13.2 one-package/Cargo.lock:5"]);
        let c = one(&x, "smallvec", "1.13.2");
        assert_eq!(c.purl, "pkg:cargo/smallvec@1.13.2");
        assert_eq!(c.ecosystem, Ecosystem::CratesIo);
        // No local package: whether it is direct is unknown.
        assert_eq!(c.direct, None);
        assert_eq!(c.dev, None);
        assert_eq!(
            c.hashes,
            ["sha256:3c5e1a9a646d36c3599cd173a41282daf47c44583ad367b8e6837255952e5c67"]
        );
        assert!(c.dependencies.is_empty());
    }

    #[test]
    fn format_1_with_sources_in_edges() {
        let x = read("v1/Cargo.lock");
        assert_eq!(
            brief(&x),
            [
                "bitflags@1.0.4 v1/Cargo.lock:1",
                "cfg-if@0.1.6 v1/Cargo.lock:6",
                "log@0.4.6 v1/Cargo.lock:11",
            ]
        );
        assert_eq!(one(&x, "bitflags", "1.0.4").direct, Some(true));
        assert_eq!(one(&x, "log", "0.4.6").direct, Some(true));
        assert_eq!(one(&x, "cfg-if", "0.1.6").direct, Some(false));
        // Dependencies by name; format 1 checksums from `[metadata]`.
        let log = one(&x, "log", "0.4.6");
        assert_eq!(log.dependencies, ["cfg-if"]);
        assert_eq!(log.hashes, [format!("sha256:{}", "0".repeat(64))]);
    }

    #[test]
    fn format_1_root_table() {
        let x = read("v1-root-table/Cargo.lock");
        assert_eq!(
            brief(&x),
            [
                "libc@0.2.43 v1-root-table/Cargo.lock:8",
                "winapi@0.3.6 v1-root-table/Cargo.lock:13"
            ]
        );
        assert_eq!(one(&x, "libc", "0.2.43").direct, Some(true));
        assert_eq!(one(&x, "winapi", "0.3.6").direct, Some(false));
    }

    #[test]
    fn format_2_edges_with_and_without_versions() {
        let x = read("v2/Cargo.lock");
        assert_eq!(
            brief(&x),
            [
                "getrandom@0.2.15 v2/Cargo.lock:11",
                "rand@0.7.3 v2/Cargo.lock:16",
                "rand@0.8.5 v2/Cargo.lock:21",
                "regex@1.10.4 v2/Cargo.lock:29",
            ]
        );
        // `"rand 0.8.5"` names one of the two rands.
        assert_eq!(one(&x, "rand", "0.8.5").direct, Some(true));
        assert_eq!(one(&x, "rand", "0.7.3").direct, Some(false));
        assert_eq!(one(&x, "regex", "1.10.4").direct, Some(true));
        assert_eq!(one(&x, "getrandom", "0.2.15").direct, Some(false));
    }

    #[test]
    fn format_3() {
        let x = read("v3/Cargo.lock");
        // The local package `dice` is not a component; the header line is
        // reported even when a comment stands between it and the name.
        assert_eq!(line(one(&x, "getrandom", "0.2.12")), Some(17));
        assert_eq!(
            one(&x, "getrandom", "0.2.12").dependencies,
            ["cfg-if", "libc", "wasi"]
        );
        insta::assert_json_snapshot!("cargo_lock_v3", view(&x));
    }

    #[test]
    fn format_4_workspace() {
        let x = read("v4-workspace/Cargo.lock");
        // Members are not components, nor is the git package.
        assert!(x
            .components
            .iter()
            .all(|c| !c.name.starts_with("shop-") && c.name != "tower-http"));
        assert!(x.not_checked.is_empty());
        insta::assert_json_snapshot!("cargo_lock_v4_workspace", view(&x));
    }

    #[test]
    fn unknown_format_is_read_with_a_warning() {
        let x = read("future-format/Cargo.lock");
        assert_eq!(brief(&x), ["smallvec@1.13.2 future-format/Cargo.lock:3"]);
        assert_eq!(x.diagnostics.len(), 1);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "future-format/Cargo.lock:1: lockfile format 7 is not one this reader knows; read as format 4"
        );
    }

    #[test]
    fn edges_parse_in_every_format() {
        let e = parse_edge("log 0.4.6 (registry+https://github.com/rust-lang/crates.io-index)")
            .unwrap();
        assert_eq!(
            (e.name.as_str(), e.version.as_deref()),
            ("log", Some("0.4.6"))
        );
        let e = parse_edge("rand 0.8.5").unwrap();
        assert_eq!(
            (e.name.as_str(), e.version.as_deref()),
            ("rand", Some("0.8.5"))
        );
        let e = parse_edge("regex").unwrap();
        assert_eq!((e.name.as_str(), e.version), ("regex", None));
        assert!(parse_edge("  ").is_none());
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in ["v1/Cargo.lock", "v3/Cargo.lock", "v4-workspace/Cargo.lock"] {
            survives_truncation(&CargoLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("rust/cargolock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&CargoLock, &dir, f);

        let x = run("many-packages.lock").unwrap();
        assert_eq!(x.components.len(), 6);
        assert_eq!(line(one(&x, "zstd", "0.11.2")), Some(5));
        assert_eq!(line(one(&x, "syn", "2.0.15")), Some(38));
        assert_eq!(one(&x, "memchr", "2.4.1").direct, None);

        let x = run("duplicate.lock").unwrap();
        assert_eq!(
            brief(&x),
            ["syn@1.0.73 duplicate.lock:5", "syn@2.0.0 duplicate.lock:11"]
        );

        let x = run("two-packages-with-local.lock").unwrap();
        assert_eq!(
            brief(&x),
            ["addr2line@0.15.2 two-packages-with-local.lock:5"]
        );
        // The local package lists no dependencies: addr2line is not direct.
        assert_eq!(one(&x, "addr2line", "0.15.2").direct, Some(false));

        // The git-sourced syn is left out; the commented-out name is not read.
        let x = run("package-with-comments.lock").unwrap();
        assert_eq!(brief(&x), ["addr2line@0.15.2 package-with-comments.lock:5"]);

        let x = run("package-with-build-string.lock").unwrap();
        assert_eq!(
            brief(&x),
            ["wasi@0.10.2+wasi-snapshot-preview1 package-with-build-string.lock:5"]
        );

        assert_eq!(
            brief(&run("one-package.lock").unwrap()),
            ["addr2line@0.15.2 one-package.lock:5"]
        );
        assert_eq!(run("two-packages.lock").unwrap().components.len(), 2);
        assert!(run("empty.lock").unwrap().components.is_empty());

        let err = run("not-toml.txt").unwrap_err();
        assert_eq!(err.path(), "not-toml.txt");
        assert_eq!(err.line(), Some(1));
    }
}
