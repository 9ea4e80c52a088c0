//! `yarn.lock`: the lockfile of Yarn, classic (v1) and berry (v2 and later).
//!
//! ## Detects
//! Files named `yarn.lock`. A file with a top-level `__metadata:` block is
//! read as berry YAML (keys such as `"lodash@npm:^4.17.21"`, fields
//! `version`, `resolution`, `checksum`, `dependencies`, `dependenciesMeta`,
//! `linkType`); any other as the classic `# yarn lockfile v1` format
//! (entries keyed by one or more `name@range` specifiers separated by `, `,
//! with `version`, `resolved`, `integrity` and indented `dependencies` /
//! `optionalDependencies` blocks).
//!
//! ## Ecosystem
//! npm. Each entry with a version is a component, located at the line of
//! its key: its real name (an alias `alias@npm:real@^1` is reported as
//! `real`; scoped names are kept as `@scope/name`) and its `version` as
//! written, with its `integrity` (classic) or `checksum` (berry) as its
//! hash and the names of the packages its dependencies resolve to in the
//! same file.
//!
//! A berry `patch:` resolution is the patched package at its version.
//! Workspaces, `link:` and `portal:` entries are the project's own code,
//! not components. Packages from git, from a local `file:` path or from a
//! plain URL are "not checked" entries: they are not registry releases.
//!
//! `direct` is true for what the project asks for: in berry, the
//! dependencies of its workspace entries; in classic files (which do not
//! record the project), the `dependencies`, `devDependencies` and
//! `optionalDependencies` of the `package.json` beside the lockfile. `dev`
//! is true for a package that only development dependencies lead to, and
//! `optional` for one that only optional dependencies lead to; both need
//! the `package.json` of each workspace (berry) or of the project (classic)
//! to tell development dependencies apart, and are unknown without it.
//!
//! ## Limitations
//! - Classic files of a project with Yarn workspaces: only the root
//!   `package.json` is read, so what only a workspace asks for is not
//!   marked direct.
//! - A package downloaded from a URL that is not a registry tarball
//!   (`.../-/name-1.0.0.tgz`) or a known git host is taken for a plain URL.
//! - Berry `peerDependencies` are ranges the lockfile does not resolve:
//!   they are not dependency edges.
//!
//! ## References
//! - <https://classic.yarnpkg.com/en/docs/yarn-lock>
//! - <https://yarnpkg.com/configuration/yarnrc> (lockfile and protocols)
//! - <https://yarnpkg.com/protocols>
//! - <https://yarnpkg.com/protocol/patch>

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use super::{
    classify_range, classify_resolved, graph_flags, read_manifest, split_spec, Root, Source,
};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest berry `__metadata.version` this reader knows.
const NEWEST_BERRY: u64 = 8;
/// At most this many workspace `package.json` files are read.
const MAX_WORKSPACES: usize = 1000;

/// Reads `yarn.lock`, classic and berry.
#[derive(Debug, Clone, Copy)]
pub struct YarnLock;

/// One entry of either format, as written.
#[derive(Debug, Default)]
struct Entry {
    /// The specifiers of its key, unquoted.
    specs: Vec<String>,
    /// The line of its key.
    line: Option<u32>,
    version: Option<String>,
    /// Classic `resolved` (a download URL).
    resolved: Option<String>,
    /// Berry `resolution` (`name@npm:1.0.0`).
    resolution: Option<String>,
    /// `integrity` or `checksum`.
    hash: Option<String>,
    /// Name, range and whether it is optional.
    deps: Vec<(String, String, bool)>,
    /// Berry: the descriptors a `patch:` entry patches (an edge to the
    /// unpatched entry, not a dependency).
    base: Vec<String>,
}

impl Extractor for YarnLock {
    fn name(&self) -> &'static str {
        "npm/yarn-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "yarn.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let berry = input
            .contents
            .lines()
            .any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"));
        let entries = if berry {
            parse_berry(input, &mut out)?
        } else {
            parse_classic(input)?
        };
        resolve(input, &entries, berry, &mut out);
        Ok(out)
    }
}

/// Reads the classic format: a small indentation-based syntax.
fn parse_classic(input: &FileInput<'_>) -> Result<Vec<Entry>, ExtractError> {
    let mut entries: Vec<Entry> = Vec::new();
    // The block (`dependencies:`) the deeper lines belong to.
    let mut block: Option<String> = None;
    for (n, raw) in input.contents.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        let bad = |msg: &str| input.malformed(Some(line_no), msg.to_string());
        if indent == 0 {
            let head = body
                .strip_suffix(':')
                .ok_or_else(|| bad("an entry's key must end with `:`"))?;
            let specs = split_key(head).ok_or_else(|| bad("an unreadable entry key"))?;
            entries.push(Entry {
                specs,
                line: Some(line_no),
                ..Entry::default()
            });
            block = None;
            continue;
        }
        let entry = entries
            .last_mut()
            .ok_or_else(|| bad("an indented line outside any entry"))?;
        let (key, rest) = token(body).ok_or_else(|| bad("an unreadable field"))?;
        let (key, rest) = match key.strip_suffix(':') {
            Some(k) if !body.starts_with('"') => (k.to_string(), rest),
            _ => (key, rest.strip_prefix(':').unwrap_or(rest)),
        };
        let rest = rest.trim();
        if indent <= 2 {
            if rest.is_empty() {
                block = Some(key);
                continue;
            }
            block = None;
            let value = token(rest).map(|(v, _)| v).unwrap_or_default();
            match key.as_str() {
                "version" => entry.version = Some(value),
                "resolved" => entry.resolved = Some(value),
                "integrity" => entry.hash = Some(value),
                _ => {}
            }
        } else if let Some(b) = &block {
            let value = token(rest).map(|(v, _)| v).unwrap_or_default();
            match b.as_str() {
                "dependencies" => entry.deps.push((key, value, false)),
                "optionalDependencies" => entry.deps.push((key, value, true)),
                _ => {}
            }
        }
    }
    Ok(entries)
}

/// The specifiers of a classic key: `a@^1, "b@npm:c@^2"`.
fn split_key(head: &str) -> Option<Vec<String>> {
    let mut specs = Vec::new();
    let mut rest = head.trim();
    while !rest.is_empty() {
        if rest.starts_with('"') {
            let (s, r) = token(rest)?;
            specs.push(s);
            rest = r.trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            specs.push(rest.get(..end)?.trim().to_string());
            rest = rest.get(end..)?;
        }
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    Some(specs)
}

/// One token of a classic line: a quoted string (with `\` escapes) or a
/// run of characters up to a space; and what follows it.
fn token(s: &str) -> Option<(String, &str)> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some((out, rest.get(i + 1..).unwrap_or(""))),
                '\\' => match chars.next()?.1 {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    } else {
        let end = s.find([' ', '\t']).unwrap_or(s.len());
        Some((s.get(..end)?.to_string(), s.get(end..).unwrap_or("")))
    }
}

/// The berry `__metadata` block.
#[derive(Deserialize)]
struct Metadata {
    version: Option<serde_yaml_ng::Value>,
}

/// A berry entry.
#[derive(Deserialize)]
struct BerryEntry {
    version: Option<serde_yaml_ng::Value>,
    resolution: Option<String>,
    checksum: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default, rename = "dependenciesMeta")]
    dependencies_meta: BTreeMap<String, DependencyMeta>,
}

#[derive(Deserialize)]
struct DependencyMeta {
    #[serde(default)]
    optional: bool,
}

/// A YAML scalar as text (numbers and booleans as YAML wrote them, near
/// enough: `1.10` reads as the number `1.1`).
fn scalar(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A YAML error as a malformed-file error, with its line.
pub(crate) fn yaml_malformed(
    input: &FileInput<'_>,
    format: &str,
    e: &serde_yaml_ng::Error,
) -> ExtractError {
    let line = e
        .location()
        .and_then(|l| u32::try_from(l.line()).ok())
        .filter(|&l| l > 0);
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    input.malformed(line, format!("not a valid {format}: {message}"))
}

/// Reads the berry format (YAML).
fn parse_berry(input: &FileInput<'_>, out: &mut Extracted) -> Result<Vec<Entry>, ExtractError> {
    let doc: BTreeMap<String, serde_yaml_ng::Value> = match serde_yaml_ng::from_str(input.contents)
    {
        Ok(Some(doc)) => doc,
        Ok(None) => BTreeMap::new(),
        Err(e) => return Err(yaml_malformed(input, "yarn.lock", &e)),
    };
    let lines = super::yaml_key_lines(input.contents, None, 0);
    let mut entries = Vec::new();
    for (key, value) in doc {
        if key == "__metadata" {
            let meta: Metadata = serde_yaml_ng::from_value(value)
                .map_err(|e| yaml_malformed(input, "yarn.lock", &e))?;
            let known = meta
                .version
                .as_ref()
                .and_then(serde_yaml_ng::Value::as_u64)
                .is_some_and(|v| v <= NEWEST_BERRY);
            if !known {
                let shown = meta.version.as_ref().and_then(scalar).unwrap_or_default();
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    lines.get("__metadata").copied(),
                    format!("lockfile version {shown:?} is not one this reader knows; read as version {NEWEST_BERRY}"),
                ));
            }
            continue;
        }
        let line = lines.get(&key).copied();
        let e: BerryEntry = serde_yaml_ng::from_value(value).map_err(|e| {
            input.malformed(line, format!("not a valid yarn.lock entry {key:?}: {e}"))
        })?;
        let optional: BTreeSet<&String> = e
            .dependencies_meta
            .iter()
            .filter(|(_, m)| m.optional)
            .map(|(k, _)| k)
            .collect();
        let mut deps: Vec<(String, String, bool)> = Vec::new();
        for (name, range) in &e.dependencies {
            let opt = optional.contains(name);
            deps.push((name.clone(), scalar(range).unwrap_or_default(), opt));
        }
        for (name, range) in &e.optional_dependencies {
            deps.push((name.clone(), scalar(range).unwrap_or_default(), true));
        }
        let specs: Vec<String> = key.split(", ").map(|s| s.trim().to_string()).collect();
        let base = specs
            .iter()
            .filter_map(|s| split_spec(s).1.strip_prefix("patch:"))
            .map(|p| percent_decode(p.split_once('#').map_or(p, |(i, _)| i)))
            .collect();
        entries.push(Entry {
            specs,
            base,
            line,
            version: e.version.as_ref().and_then(scalar),
            resolved: None,
            resolution: e.resolution,
            hash: e.checksum.as_ref().and_then(scalar),
            deps,
        });
    }
    entries.sort_by_key(|e| e.line);
    Ok(entries)
}

/// What an entry is.
struct Resolved {
    name: String,
    source: Source,
}

/// The real name and source of a classic entry.
fn classic_identity(e: &Entry) -> Option<Resolved> {
    let first = e.specs.first()?;
    let (name, range) = split_spec(first);
    let name = match range.strip_prefix("npm:") {
        Some(real) => split_spec(real).0,
        None => name,
    };
    let mut source = e
        .specs
        .iter()
        .map(|s| classify_range(split_spec(s).1))
        .find(|s| *s != Source::Registry)
        .unwrap_or(Source::Registry);
    if source == Source::Registry {
        if let Some(r) = &e.resolved {
            source = classify_resolved(r);
        }
    }
    Some(Resolved {
        name: name.to_string(),
        source,
    })
}

/// The real name and source of a berry entry, from its `resolution`.
fn berry_identity(e: &Entry) -> Option<Resolved> {
    let Some(resolution) = &e.resolution else {
        return classic_identity(e);
    };
    berry_reference(resolution, 0)
}

fn berry_reference(resolution: &str, depth: u8) -> Option<Resolved> {
    let (name, mut reference) = split_spec(resolution);
    if reference.starts_with("virtual:") {
        reference = reference.split_once('#').map_or(reference, |(_, r)| r);
    }
    if let Some(patched) = reference.strip_prefix("patch:") {
        // `patch:lodash@npm%3A4.17.21#./patches/x.patch::version=...`
        let inner = patched.split_once('#').map_or(patched, |(i, _)| i);
        let inner = percent_decode(inner);
        return if depth < 4 {
            berry_reference(&inner, depth + 1)
        } else {
            None
        };
    }
    let source = if reference.starts_with("exec:") {
        Source::Path
    } else {
        classify_range(reference)
    };
    Some(Resolved {
        name: name.to_string(),
        source,
    })
}

/// Decodes `%XX` escapes (invalid ones are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Turns entries into components, not-checked entries and flags.
fn resolve(input: &FileInput<'_>, entries: &[Entry], berry: bool, out: &mut Extracted) {
    let identities: Vec<Option<Resolved>> = entries
        .iter()
        .map(|e| {
            if berry {
                berry_identity(e)
            } else {
                classic_identity(e)
            }
        })
        .collect();
    let mut by_spec: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for s in &e.specs {
            by_spec.entry(s.as_str()).or_insert(i);
        }
    }
    let find = |name: &str, range: &str| -> Option<usize> {
        by_spec
            .get(format!("{name}@{range}").as_str())
            .or_else(|| by_spec.get(format!("{name}@npm:{range}").as_str()))
            .copied()
    };
    let edges: Vec<Vec<(usize, bool)>> = entries
        .iter()
        .map(|e| {
            e.deps
                .iter()
                .filter_map(|(n, r, opt)| find(n, r).map(|t| (t, *opt)))
                .chain(
                    e.base
                        .iter()
                        .filter_map(|b| by_spec.get(b.as_str()).map(|&t| (t, false))),
                )
                .collect()
        })
        .collect();

    // The roots: what the workspaces (berry) or the project ask for.
    let mut roots: Vec<(usize, Root)> = Vec::new();
    let mut kinds_known = true;
    let mut workspaces = 0usize;
    if berry {
        for (e, id) in entries.iter().zip(&identities) {
            let Some(path) = e
                .resolution
                .as_deref()
                .map(|r| split_spec(r).1)
                .and_then(|r| r.strip_prefix("workspace:"))
            else {
                continue;
            };
            if id.is_none() {
                continue;
            }
            workspaces += 1;
            let manifest = if workspaces <= MAX_WORKSPACES {
                let rel = if path == "." || path.is_empty() {
                    "package.json".to_string()
                } else {
                    format!("{}/package.json", path.trim_end_matches('/'))
                };
                read_manifest(input, &rel, out)
            } else {
                None
            };
            kinds_known &= manifest.is_some();
            let wanted: HashMap<&str, Root> = manifest
                .as_ref()
                .map(|m| m.wanted().into_iter().map(|(n, _, k)| (n, k)).collect())
                .unwrap_or_default();
            for (n, r, opt) in &e.deps {
                if let Some(t) = find(n, r) {
                    let kind = if *opt {
                        Root::Optional
                    } else {
                        wanted.get(n.as_str()).copied().unwrap_or(Root::Prod)
                    };
                    roots.push((t, kind));
                }
            }
        }
    }
    if workspaces == 0 {
        match read_manifest(input, "package.json", out) {
            Some(m) => {
                for (n, r, k) in m.wanted() {
                    if let Some(t) = find(n, &r) {
                        roots.push((t, k));
                    }
                }
            }
            None => kinds_known = false,
        }
        // Without workspaces or a package.json, nothing tells what is direct.
        if roots.is_empty() && !kinds_known {
            workspaces = 0;
        }
    }
    let knows_direct = workspaces > 0 || kinds_known;
    let flags = graph_flags(&edges, &roots);

    for (i, (e, id)) in entries.iter().zip(&identities).enumerate() {
        let Some(id) = id else {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                e.line,
                "an entry without a specifier; skipped",
            ));
            continue;
        };
        if id.source == Source::Project {
            continue;
        }
        let Some(version) = e.version.clone() else {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                e.line,
                format!("{} has no version; skipped", id.name),
            ));
            continue;
        };
        if let Some(reason) = id.source.reason() {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name: id.name.clone(),
                version,
                location: Location::new(input.rel_path, e.line),
                reason: reason.to_string(),
            });
            continue;
        }
        let deps: BTreeSet<String> = e
            .deps
            .iter()
            .map(|(n, r, _)| {
                find(n, r)
                    .and_then(|t| identities.get(t))
                    .and_then(Option::as_ref)
                    .map_or_else(|| n.clone(), |t| t.name.clone())
            })
            .collect();
        let f = flags.get(i).copied().unwrap_or_default();
        let mut c = Component::new(Ecosystem::Npm, id.name.as_str(), version)
            .at(input.rel_path, e.line)
            .direct(knows_direct.then_some(f.direct))
            .dev(f.dev.filter(|_| kinds_known))
            .optional(f.optional.filter(|_| kinds_known))
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

    const SUB: &str = "npm/yarn_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&YarnLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_yarn_lock_only() {
        assert!(YarnLock.matches(Path::new("yarn.lock")));
        assert!(YarnLock.matches(Path::new("web/yarn.lock")));
        assert!(!YarnLock.matches(Path::new("yarn.lock.bak")));
        assert!(!YarnLock.matches(Path::new("package-lock.json")));
    }

    #[test]
    fn empty_files() {
        for rel in ["empty/yarn.lock", "berry-empty/yarn.lock"] {
            let x = read(rel);
            assert!(x.components.is_empty() && x.not_checked.is_empty(), "{rel}");
            assert!(x.diagnostics.is_empty(), "{rel}: {:?}", x.diagnostics);
        }
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        let err = fixture(&YarnLock, SUB, "malformed/yarn.lock").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!((err.path(), err.line()), ("malformed/yarn.lock", Some(9)));
        let err = fixture(&YarnLock, SUB, "berry-malformed/yarn.lock").unwrap_err();
        assert_eq!(
            (err.path(), err.line()),
            ("berry-malformed/yarn.lock", Some(10)),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/yarn.lock");
        assert_eq!(brief(&x), ["lodash@4.17.21 one-package/yarn.lock:5"]);
        let c = &x.components[0];
        assert_eq!(c.hashes.len(), 1);
        assert!(c.hashes[0].starts_with("sha512-v2kDEe57"));
        // No package.json beside it: flags are unknown.
        assert_eq!(flags(&x), ["lodash@4.17.21 direct=? dev=? optional=?"]);
    }

    #[test]
    fn classic_project() {
        let x = read("classic/yarn.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "@babel/code-frame@7.24.2 direct=yes dev=yes optional=no",
                "@babel/highlight@7.24.5 direct=no dev=yes optional=no",
                "accepts@1.3.8 direct=no dev=no optional=no",
                "express@4.19.2 direct=yes dev=no optional=no",
                "fsevents@2.3.3 direct=yes dev=no optional=yes",
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "mime-types@2.1.35 direct=no dev=no optional=no",
                "picocolors@1.0.1 direct=no dev=yes optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "string-width@4.2.3 direct=yes dev=no optional=no",
            ]
        );
        assert_eq!(line(one(&x, "express", "4.19.2")), Some(28));
        assert_eq!(
            one(&x, "express", "4.19.2").dependencies,
            ["accepts", "mime-types"]
        );
        // An alias is the real package.
        assert_eq!(line(one(&x, "string-width", "4.2.3")), Some(62));
        assert_eq!(
            unchecked_brief(&x),
            [
                "left-pad@1.3.0 :46 installed from git, not from an npm registry release",
                "local-lib@0.1.0 :50 installed from a local path, not from an npm registry release",
            ]
        );
        insta::assert_json_snapshot!("yarn_lock_classic", view(&x));
    }

    #[test]
    fn berry_project() {
        let x = read("berry/yarn.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "js-tokens@4.0.0 direct=no dev=no optional=no",
                "lodash@4.17.21 direct=yes dev=no optional=no",
                "loose-envify@1.4.0 direct=no dev=no optional=no",
                "react@18.2.0 direct=yes dev=no optional=no",
                "typescript@5.4.5 direct=no dev=yes optional=no",
                "typescript@5.4.5 direct=yes dev=yes optional=no",
                "zod@3.23.8 direct=yes dev=no optional=no",
            ]
        );
        // The workspace and its link are not components; the patched
        // typescript is typescript at its version.
        let ts = x
            .components
            .iter()
            .find(|c| c.direct == Some(true) && c.name == "typescript")
            .unwrap();
        assert_eq!(line(ts), Some(86));
        assert_eq!(ts.hashes, ["10c0/ts-patched-checksum"]);
        assert_eq!(line(one(&x, "react", "18.2.0")), Some(54));
        assert_eq!(one(&x, "react", "18.2.0").dependencies, ["loose-envify"]);
        assert_eq!(
            unchecked_brief(&x),
            ["left-pad@1.3.0 :23 installed from git, not from an npm registry release"]
        );
        insta::assert_json_snapshot!("yarn_lock_berry", view(&x));
    }

    #[test]
    fn unknown_berry_version_warns() {
        let text = "__metadata:\n  version: 99\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n";
        let input = FileInput::new("yarn.lock", Path::new("yarn.lock"), text, Path::new("/"));
        let x = YarnLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["a@1.0.0 yarn.lock:4"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "yarn.lock:1: lockfile version \"99\" is not one this reader knows; read as version 8"
        );
    }

    #[test]
    fn classic_keys_and_tokens() {
        assert_eq!(
            split_key(r#"a@^1, "b@npm:c@^2",d"#).unwrap(),
            ["a@^1", "b@npm:c@^2", "d"]
        );
        assert_eq!(split_key(r#""a" b"#), None);
        assert_eq!(split_key(r#""a"#), None);
        assert_eq!(token(r#""a\"b" c"#).unwrap(), ("a\"b".to_string(), " c"));
        assert_eq!(percent_decode("npm%3A1.0%zz%"), "npm:1.0%zz%");
    }

    #[test]
    fn berry_references() {
        let id = |r: &str| berry_reference(r, 0).map(|x| (x.name, x.source));
        assert_eq!(
            id("typescript@patch:typescript@npm%3A5.4.5#optional!builtin<compat/typescript>::version=5.4.5&hash=5adc0c"),
            Some(("typescript".to_string(), Source::Registry))
        );
        assert_eq!(
            id("a@virtual:abc#npm:1.0.0"),
            Some(("a".to_string(), Source::Registry))
        );
        assert_eq!(
            id("a@workspace:packages/a"),
            Some(("a".to_string(), Source::Project))
        );
        assert_eq!(id("a@exec:./gen.js"), Some(("a".to_string(), Source::Path)));
        assert_eq!(
            id("a@patch:a@patch:a@patch:a@patch:a@patch:a@npm%3A1"),
            None
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in [
            "classic/yarn.lock",
            "berry/yarn.lock",
            "one-package/yarn.lock",
        ] {
            survives_truncation(&YarnLock, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("javascript/yarnlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&YarnLock, &dir, f);
        for f in ["empty.v1.lock", "empty.v2.lock", "metadata-only.v2.lock"] {
            let x = run(f).unwrap();
            assert!(x.components.is_empty() && x.not_checked.is_empty(), "{f}");
        }
        assert_eq!(
            brief(&run("one-package.v1.lock").unwrap()),
            ["balanced-match@1.0.2 one-package.v1.lock:5"]
        );
        assert_eq!(
            brief(&run("no-version.v1.lock").unwrap()),
            ["balanced-match@1.0.2 no-version.v1.lock:5"]
        );
        for f in ["with-aliases.v1.lock", "with-aliases.v2.lock"] {
            let x = run(f).unwrap();
            let mut names: Vec<String> = x
                .components
                .iter()
                .map(|c| format!("{}@{}", c.name, c.version))
                .collect();
            names.sort();
            assert_eq!(
                names,
                [
                    "@babel/helper-validator-identifier@7.22.20",
                    "ansi-regex@5.0.1",
                    "ansi-regex@6.0.1"
                ],
                "{f}"
            );
        }
        // The berry file has a root workspace: its dependencies are direct.
        let x = run("with-aliases.v2.lock").unwrap();
        assert!(x.components.iter().all(|c| c.direct == Some(true)));
        assert_eq!(line(one(&x, "ansi-regex", "5.0.1")), Some(8));

        // Git, path and URL packages: none is a component.
        let x = run("commits.v1.lock").unwrap();
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        assert_eq!(x.not_checked.len(), 18);
        assert!(x.not_checked.iter().all(|n| !n.version.contains("token")));
        let x = run("commits.v2.lock").unwrap();
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        assert_eq!(x.not_checked.len(), 7);

        // Local files are not checked; links are the project's own code.
        let x = run("files.v1.lock").unwrap();
        assert_eq!(
            brief(&x),
            [
                "etag@1.8.1 files.v1.lock:5",
                "lodash@1.3.1 files.v1.lock:12"
            ]
        );
        assert_eq!(x.not_checked.len(), 3);
        let x = run("files.v2.lock").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 1);

        // Workspaces are not components.
        let x = run("exclude-root.v2.lock").unwrap();
        assert_eq!(brief(&x), ["ansi-regex@6.1.0 exclude-root.v2.lock:16"]);
        assert_eq!(x.components[0].direct, Some(true));

        let x = run("scoped-packages.v1.lock").unwrap();
        assert!(x.components.iter().any(|c| c.name.starts_with("@babel/")));
        let x = run("with-build-string.v1.lock").unwrap();
        assert_eq!(brief(&x), ["tslib@2.6.2 with-build-string.v1.lock:10"]);
        assert_eq!(
            unchecked_brief(&x),
            ["domino@2.1.6+git :5 installed from git, not from an npm registry release"]
        );
        for f in [
            "multiple-constraints.v1.lock",
            "multiple-versions.v1.lock",
            "multiple-versions.v2.lock",
            "scoped-packages.v2.lock",
            "two-packages.v1.lock",
            "two-packages.v2.lock",
            "with-prerelease.v1.lock",
            "with-prerelease.v2.lock",
            "with-quotes.v1.lock",
            "with-quotes.v2.lock",
            "with-build-string.v2.lock",
            "one-package.v2.lock",
        ] {
            let x = run(f).unwrap();
            assert!(!x.components.is_empty(), "{f}");
            assert!(
                x.components.iter().all(|c| line(c).is_some()),
                "{f}: {:?}",
                brief(&x)
            );
        }
    }
}
