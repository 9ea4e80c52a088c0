//! `package-lock.json` and `npm-shrinkwrap.json`: the lockfiles of npm.
//!
//! ## Detects
//! Files named `package-lock.json` or `npm-shrinkwrap.json`, lockfile
//! versions 1, 2 and 3. Versions 2 and 3 are read from their `packages`
//! map (keys `node_modules/a`, nested `node_modules/a/node_modules/b`,
//! workspace folders such as `packages/web` and their own
//! `packages/web/node_modules/c`); version 1 (and any file without
//! `packages`) from its nested `dependencies` tree.
//!
//! ## Ecosystem
//! npm. Each installed package with a version is a component: its real name
//! (an alias `"x": "npm:real@1.0.0"` is reported as `real`; scoped names are
//! kept as `@scope/name`) and version as written, located at the line of its
//! key. `dev` is true for a package marked `"dev": true` (needed only for
//! development), false otherwise. `direct` is true for the packages the
//! project asks for: those its root package, or one of its workspace or
//! local folders, lists in `dependencies`, `devDependencies` or
//! `optionalDependencies`, resolved the way Node.js finds them (the
//! folder's own `node_modules`, then its parents'). In version 1 files,
//! which do not carry the root package, the `package.json` beside the
//! lockfile is read for that; without it `direct` is unknown.
//!
//! In versions 2 and 3, each component also records: `optional` (true for
//! an entry marked `"optional": true`), `dependencies` (the names its
//! `dependencies` and `optionalDependencies` resolve to in the file, found
//! the way Node.js finds them), its `integrity` as a hash (as written,
//! `sha512-...`), and its `license` when the entry has one (npm copies the
//! package's SPDX expression there).
//!
//! Links (`"link": true`), the project's own folders (keys outside
//! `node_modules`), entries without a version, and version 1 `file:`
//! dependencies are not components. Packages installed from git or from a
//! local `file:` tarball are "not checked" entries: they are not registry
//! releases.
//!
//! ## Limitations
//! - `"devOptional": true` (a development dependency that a production
//!   package also wants as optional) counts as not dev-only: it may be
//!   installed in production.
//! - A package downloaded from a URL other than a git repository is taken
//!   for the registry release of its name and version.
//! - Version 1 files record no dependencies, hashes, licenses or optional
//!   flags.
//! - A `license` that is not an SPDX expression, even read leniently, is
//!   kept as written.
//! - Names in `dependencies` of a folder outside the project root (`../x`)
//!   are resolved as if the folder were inside it.
//!
//! ## References
//! - <https://docs.npmjs.com/cli/configuring-npm/package-lock-json>
//! - <https://docs.npmjs.com/cli/configuring-npm/npm-shrinkwrap-json>
//! - <https://docs.npmjs.com/cli/using-npm/workspaces>
//! - <https://nodejs.org/api/modules.html#loading-from-node_modules-folders>

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The newest lockfile version this reader knows.
const NEWEST_VERSION: u64 = 3;

/// Reads `package-lock.json` and `npm-shrinkwrap.json`.
#[derive(Debug, Clone, Copy)]
pub struct PackageLock;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<serde_json::Value>,
    packages: Option<BTreeMap<String, Entry>>,
    dependencies: Option<BTreeMap<String, V1Dependency>>,
}

/// An entry of the `packages` map (versions 2 and 3).
#[derive(Deserialize)]
struct Entry {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    integrity: Option<String>,
    /// A string (an SPDX expression) in current lockfiles; anything else
    /// is ignored.
    license: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

impl Entry {
    /// The names this package asks for.
    fn wanted(&self) -> impl Iterator<Item = &String> {
        self.dependencies
            .keys()
            .chain(self.dev_dependencies.keys())
            .chain(self.optional_dependencies.keys())
    }
}

/// The dependency lists of a `package.json`: names to version ranges.
#[derive(Deserialize, Default)]
struct Manifest {
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

impl Manifest {
    fn names(&self) -> impl Iterator<Item = &String> {
        self.dependencies
            .keys()
            .chain(self.dev_dependencies.keys())
            .chain(self.optional_dependencies.keys())
    }
}

/// An entry of the version 1 `dependencies` tree.
#[derive(Deserialize)]
struct V1Dependency {
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, V1Dependency>,
}

impl Extractor for PackageLock {
    fn name(&self) -> &'static str {
        "npm/package-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(
            crate::file_name(path),
            "package-lock.json" | "npm-shrinkwrap.json"
        )
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = serde_json::from_str(input.contents).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            input.malformed(
                line,
                format!("not a valid npm lockfile: {}", strip_position(&e)),
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
        if let Some(packages) = &lock.packages {
            read_packages(input, packages, &mut out);
        } else if let Some(deps) = &lock.dependencies {
            read_v1(input, deps, &mut out);
        }
        Ok(out)
    }
}

/// serde_json's message without its trailing " at line L column C" (the
/// line is given apart).
pub(crate) fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// Whether a `packages` key is inside a `node_modules` folder (an installed
/// package) rather than one of the project's own folders.
fn is_installed(key: &str) -> bool {
    key.starts_with("node_modules/") || key.contains("/node_modules/")
}

/// The folder name a key installs: what follows its last `node_modules/`.
fn folder_name(key: &str) -> &str {
    key.rfind("node_modules/")
        .and_then(|i| key.get(i + "node_modules/".len()..))
        .unwrap_or(key)
}

/// Why a package is not a registry release, from its `resolved` field.
fn not_from_registry(resolved: &str) -> Option<&'static str> {
    let git = ["git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:"];
    if git.iter().any(|p| resolved.starts_with(p)) {
        Some("installed from git, not from an npm registry release")
    } else if resolved.starts_with("file:") {
        Some("installed from a local file, not from an npm registry release")
    } else {
        None
    }
}

/// Versions 2 and 3: the flat `packages` map.
fn read_packages(input: &FileInput<'_>, packages: &BTreeMap<String, Entry>, out: &mut Extracted) {
    let lines = key_lines(input.contents, |path| {
        path.len() == 2 && path.first().is_some_and(|p| p == "packages")
    });
    let line_of = |key: &str| {
        lines
            .get(&["packages".to_string(), key.to_string()][..])
            .copied()
    };

    // What the project's folders ask for, found as Node.js would find it.
    let knows_direct = packages.contains_key("");
    let mut direct_keys: HashSet<String> = HashSet::new();
    for (folder, entry) in packages.iter().filter(|(k, e)| !is_installed(k) && !e.link) {
        for name in entry.wanted() {
            if let Some(key) = resolve(packages, folder, name) {
                direct_keys.insert(key);
            }
        }
    }

    for (key, entry) in packages {
        if !is_installed(key) || entry.link {
            continue;
        }
        let Some(version) = &entry.version else {
            continue;
        };
        let name = entry
            .name
            .clone()
            .unwrap_or_else(|| folder_name(key).to_string());
        let line = line_of(key);
        if let Some(reason) = entry.resolved.as_deref().and_then(not_from_registry) {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name,
                version: version.clone(),
                location: Location::new(input.rel_path, line),
                reason: reason.to_string(),
            });
            continue;
        }
        // What it depends on, found where Node.js would find it.
        let mut dependencies: Vec<String> = entry
            .dependencies
            .keys()
            .chain(entry.optional_dependencies.keys())
            .filter_map(|dep| resolve(packages, key, dep))
            .filter_map(|k| {
                let e = packages.get(&k)?;
                Some(
                    e.name
                        .clone()
                        .unwrap_or_else(|| folder_name(&k).to_string()),
                )
            })
            .collect();
        dependencies.sort();
        dependencies.dedup();
        let license = entry
            .license
            .as_ref()
            .and_then(|l| l.as_str())
            .and_then(vigil_model::license::normalize);
        let mut c = Component::new(Ecosystem::Npm, name, version.as_str())
            .at(input.rel_path, line)
            .direct(knows_direct.then(|| direct_keys.contains(key)))
            .dev(Some(entry.dev))
            .optional(Some(entry.optional))
            .depends_on(dependencies)
            .license(license);
        if let Some(integrity) = entry.integrity.as_deref().filter(|i| !i.is_empty()) {
            c = c.hash(integrity);
        }
        out.components.push(c);
    }
}

/// The `packages` key that `name`, asked for by the folder `folder`,
/// resolves to: `folder/node_modules/name`, then the same in each parent
/// folder up to the root.
fn resolve(packages: &BTreeMap<String, Entry>, folder: &str, name: &str) -> Option<String> {
    let mut dir = folder;
    loop {
        let candidate = if dir.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{dir}/node_modules/{name}")
        };
        if packages.contains_key(&candidate) {
            return Some(candidate);
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rfind('/').and_then(|i| dir.get(..i)).unwrap_or("");
    }
}

/// Version 1: the nested `dependencies` tree.
fn read_v1(input: &FileInput<'_>, deps: &BTreeMap<String, V1Dependency>, out: &mut Extracted) {
    let lines = key_lines(input.contents, |path| {
        path.len() % 2 == 0 && path.iter().step_by(2).all(|p| p == "dependencies")
    });
    let manifest = read_manifest(input, out);
    let mut path = Vec::new();
    walk_v1(input, deps, &lines, manifest.as_ref(), &mut path, out);
}

/// The names the `package.json` beside the lockfile asks for; `None` when
/// there is no such file or it cannot be read (a warning then).
fn read_manifest(input: &FileInput<'_>, out: &mut Extracted) -> Option<HashSet<String>> {
    let (rel, text) = match input.read_related("package.json") {
        Ok(found) => found,
        Err(ExtractError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return None
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("cannot read the package.json beside it, so direct dependencies are unknown: {e}"),
            ));
            return None;
        }
    };
    match serde_json::from_str::<Manifest>(&text) {
        Ok(manifest) => Some(manifest.names().cloned().collect()),
        Err(e) => {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            out.diagnostics.push(Diagnostic::warning(
                rel,
                line,
                format!("not a valid package.json, so the direct dependencies of its lockfile are unknown: {}", strip_position(&e)),
            ));
            None
        }
    }
}

fn walk_v1(
    input: &FileInput<'_>,
    deps: &BTreeMap<String, V1Dependency>,
    lines: &HashMap<Vec<String>, u32>,
    manifest: Option<&HashSet<String>>,
    path: &mut Vec<String>,
    out: &mut Extracted,
) {
    let top_level = path.is_empty();
    for (key, dep) in deps {
        path.push("dependencies".to_string());
        path.push(key.clone());
        let line = lines.get(path.as_slice()).copied();
        if let Some(version) = &dep.version {
            match v1_version(key, version) {
                V1Version::Registry { name, version } => {
                    let direct = manifest.map(|m| top_level && m.contains(key));
                    out.components.push(
                        Component::new(Ecosystem::Npm, name, version)
                            .at(input.rel_path, line)
                            .direct(direct)
                            .dev(Some(dep.dev)),
                    );
                }
                V1Version::Local => {}
                V1Version::Elsewhere { version, reason } => out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::Npm,
                    name: key.clone(),
                    version,
                    location: Location::new(input.rel_path, line),
                    reason: reason.to_string(),
                }),
            }
        }
        walk_v1(input, &dep.dependencies, lines, manifest, path, out);
        path.pop();
        path.pop();
    }
}

/// What a version 1 `version` field says.
enum V1Version {
    /// A registry release (an alias gives the real name).
    Registry { name: String, version: String },
    /// A local folder (`file:`, `link:`): the project's own code.
    Local,
    /// Git or a URL: the commit (when the spec names one) and why it is not
    /// checked.
    Elsewhere {
        version: String,
        reason: &'static str,
    },
}

fn v1_version(key: &str, version: &str) -> V1Version {
    if let Some(spec) = version.strip_prefix("npm:") {
        // `npm:real-name@1.0.0`, the name possibly scoped (`@scope/x@1.0.0`).
        return match spec.rfind('@').filter(|&i| i > 0) {
            Some(i) => V1Version::Registry {
                name: spec.get(..i).unwrap_or(spec).to_string(),
                version: spec.get(i + 1..).unwrap_or("").to_string(),
            },
            None => V1Version::Elsewhere {
                version: String::new(),
                reason: "an alias that names no version",
            },
        };
    }
    if version.starts_with("file:") || version.starts_with("link:") {
        return V1Version::Local;
    }
    if let Some(reason) = not_from_registry(version) {
        // The commit, never the URL: a URL may carry credentials.
        let commit = version
            .rsplit_once('#')
            .map(|(_, c)| c.to_string())
            .unwrap_or_default();
        return V1Version::Elsewhere {
            version: commit,
            reason,
        };
    }
    if version.contains("://") {
        return V1Version::Elsewhere {
            version: String::new(),
            reason: "downloaded from a URL, not an npm registry release",
        };
    }
    if version.contains('/') {
        // `user/repo#commit`: a GitHub shorthand.
        let commit = version
            .rsplit_once('#')
            .map(|(_, c)| c.to_string())
            .unwrap_or_default();
        return V1Version::Elsewhere {
            version: commit,
            reason: "installed from git, not from an npm registry release",
        };
    }
    V1Version::Registry {
        name: key.to_string(),
        version: version.to_string(),
    }
}

/// The 1-based line of every object key whose path of keys (from the
/// document root, through objects only) `want` accepts.
///
/// A small scanner over JSON text that serde_json has already accepted:
/// serde_json keeps no positions, and a text search could be fooled by a
/// key that also appears as a value or in another object.
pub(crate) fn key_lines(text: &str, want: impl Fn(&[String]) -> bool) -> HashMap<Vec<String>, u32> {
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
        },
        Array,
    }
    let mut found = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line: u32 = 1;
    let mut i = 0;
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => line = line.saturating_add(1),
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { key, expect_key }) = stack.last_mut() {
                    *key = None;
                    *expect_key = true;
                }
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let (s, end) = read_string(text, i + 1);
                i = end;
                let depth = stack.len();
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = stack.last_mut()
                {
                    *key = Some(s);
                }
                // The path to this key: the current key of every object on
                // the way (none when an array is on the way).
                if let Some(Frame::Object {
                    key: Some(_),
                    expect_key: true,
                }) = stack.last()
                {
                    let path: Option<Vec<String>> = stack
                        .iter()
                        .take(depth)
                        .map(|f| match f {
                            Frame::Object { key: Some(k), .. } => Some(k.clone()),
                            _ => None,
                        })
                        .collect();
                    if let Some(path) = path.filter(|p| want(p)) {
                        found.entry(path).or_insert(line);
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Reads a JSON string whose opening quote is just before `start`: its
/// value and the index after its closing quote.
fn read_string(text: &str, start: usize) -> (String, usize) {
    let mut out = String::new();
    let rest = text.get(start..).unwrap_or("");
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, start + i + 1),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex = |chars: &mut std::str::CharIndices<'_>| -> Option<u32> {
                        let digits: String = chars.by_ref().take(4).map(|(_, d)| d).collect();
                        u32::from_str_radix(&digits, 16).ok()
                    };
                    let first = hex(&mut chars).unwrap_or(0xFFFD);
                    let code = if (0xD800..0xDC00).contains(&first) {
                        // A surrogate pair: `\uD83D\uDE00`.
                        let mut look = chars.clone();
                        let low = match (look.next(), look.next()) {
                            (Some((_, '\\')), Some((_, 'u'))) => hex(&mut look),
                            _ => None,
                        };
                        match low.filter(|l| (0xDC00..0xE000).contains(l)) {
                            Some(low) => {
                                chars = look;
                                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                            }
                            None => 0xFFFD,
                        }
                    } else {
                        first
                    };
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    (out, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "npm/package_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PackageLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// `name@version direct dev` of each component, sorted.
    fn flags(x: &Extracted) -> Vec<String> {
        let show = |b: Option<bool>| b.map_or("?", |b| if b { "yes" } else { "no" });
        let mut v: Vec<String> = x
            .components
            .iter()
            .map(|c| {
                format!(
                    "{}@{} direct={} dev={}",
                    c.name,
                    c.version,
                    show(c.direct),
                    show(c.dev)
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn matches_lockfile_names() {
        assert!(PackageLock.matches(Path::new("package-lock.json")));
        assert!(PackageLock.matches(Path::new("web/npm-shrinkwrap.json")));
        assert!(!PackageLock.matches(Path::new("package.json")));
        assert!(!PackageLock.matches(Path::new("node_modules/.package-lock.json")));
        assert!(!PackageLock.matches(Path::new("yarn.lock")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/package-lock.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let err = fixture(&PackageLock, SUB, "malformed/package-lock.json").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(err.path(), "malformed/package-lock.json");
        assert_eq!(err.line(), Some(7), "{err}");
        assert_eq!(
            err.to_string(),
            "malformed/package-lock.json:7: not a valid npm lockfile: trailing comma"
        );

        let err = fixture(&PackageLock, SUB, "wrong-shape/package-lock.json").unwrap_err();
        assert_eq!(err.line(), Some(6), "{err}");
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn one_package() {
        let x = read("one-package/package-lock.json");
        assert_eq!(
            brief(&x),
            ["lodash@4.17.21 one-package/package-lock.json:14"]
        );
        let c = one(&x, "lodash", "4.17.21");
        assert_eq!(c.purl, "pkg:npm/lodash@4.17.21");
        assert_eq!((c.direct, c.dev), (Some(true), Some(false)));
        assert_eq!(c.optional, Some(false));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert_eq!(
            c.hashes,
            ["sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="]
        );
        assert!(c.dependencies.is_empty());
    }

    #[test]
    fn shrinkwrap_reads_like_a_lockfile() {
        let x = read("shrinkwrap/npm-shrinkwrap.json");
        assert_eq!(
            brief(&x),
            ["commander@12.0.0 shrinkwrap/npm-shrinkwrap.json:14"]
        );
    }

    #[test]
    fn version_1_with_package_json() {
        let x = read("v1/package-lock.json");
        assert_eq!(
            brief(&x),
            [
                "@babel/code-frame@7.0.0 v1/package-lock.json:13",
                "accepts@1.3.5 v1/package-lock.json:7",
                "debug@2.6.9 v1/package-lock.json:16",
                "debug@3.1.0 v1/package-lock.json:43",
                "express@4.16.4 v1/package-lock.json:22",
                "has-flag@3.0.0 v1/package-lock.json:57",
                "mime-types@2.1.21 v1/package-lock.json:32",
                "mocha@5.2.0 v1/package-lock.json:35",
                "ms@2.0.0 v1/package-lock.json:65",
                "supports-color@5.4.0 v1/package-lock.json:50",
            ]
        );
        assert_eq!(
            flags(&x),
            [
                "@babel/code-frame@7.0.0 direct=yes dev=no",
                "accepts@1.3.5 direct=no dev=no",
                "debug@2.6.9 direct=no dev=no",
                "debug@3.1.0 direct=no dev=yes",
                "express@4.16.4 direct=yes dev=no",
                "has-flag@3.0.0 direct=no dev=yes",
                "mime-types@2.1.21 direct=no dev=no",
                "mocha@5.2.0 direct=yes dev=yes",
                "ms@2.0.0 direct=no dev=no",
                "supports-color@5.4.0 direct=no dev=yes",
            ]
        );
        let nc = unchecked_brief(&x);
        assert_eq!(
            nc,
            [
                "my-left-pad@0123456789abcdef0123456789abcdef01234567 :68 installed from git, not from an npm registry release",
                "tarball-dep@ :72 downloaded from a URL, not an npm registry release",
            ]
        );
    }

    #[test]
    fn version_1_without_package_json() {
        let x = read("v1-no-manifest/package-lock.json");
        assert_eq!(
            flags(&x),
            [
                "@babel/code-frame@7.0.0 direct=? dev=no",
                "wrappy@1.0.2 direct=? dev=yes"
            ]
        );
        assert_eq!(
            one(&x, "@babel/code-frame", "7.0.0").purl,
            "pkg:npm/%40babel/code-frame@7.0.0"
        );
        assert_eq!(line(one(&x, "wrappy", "1.0.2")), Some(8));
        assert!(x.diagnostics.is_empty());
    }

    #[test]
    fn version_2_reads_packages_not_dependencies() {
        let x = read("v2/package-lock.json");
        assert_eq!(
            brief(&x),
            [
                "chalk@2.4.2 v2/package-lock.json:17",
                "has-flag@3.0.0 v2/package-lock.json:29",
                "supports-color@5.5.0 v2/package-lock.json:23",
                "supports-color@7.2.0 v2/package-lock.json:33",
            ]
        );
        assert_eq!(
            flags(&x),
            [
                "chalk@2.4.2 direct=yes dev=no",
                // devOptional: may be installed in production.
                "has-flag@3.0.0 direct=no dev=no",
                "supports-color@5.5.0 direct=no dev=no",
                "supports-color@7.2.0 direct=yes dev=yes",
            ]
        );
    }

    #[test]
    fn version_3() {
        let x = read("v3/package-lock.json");
        assert!(x.not_checked.is_empty() && x.diagnostics.is_empty());
        assert_eq!(
            one(&x, "express", "4.18.2").dependencies,
            ["body-parser", "debug", "qs", "send"]
        );
        assert_eq!(one(&x, "fsevents", "2.3.3").optional, Some(true));
        assert_eq!(one(&x, "express", "4.18.2").optional, Some(false));
        insta::assert_json_snapshot!("package_lock_v3", view(&x));
    }

    #[test]
    fn workspaces() {
        let x = read("workspaces/package-lock.json");
        assert_eq!(
            brief(&x),
            [
                "express@4.19.2 workspaces/package-lock.json:53",
                "js-tokens@4.0.0 workspaces/package-lock.json:23",
                "loose-envify@1.4.0 workspaces/package-lock.json:26",
                "prettier@3.2.4 workspaces/package-lock.json:32",
                "react@18.2.0 workspaces/package-lock.json:36",
                "zod@3.22.4 workspaces/package-lock.json:42",
            ]
        );
        // What a workspace asks for is direct, found in its own
        // node_modules first, then in the root's.
        assert_eq!(
            flags(&x),
            [
                "express@4.19.2 direct=yes dev=no",
                "js-tokens@4.0.0 direct=no dev=no",
                "loose-envify@1.4.0 direct=no dev=no",
                "prettier@3.2.4 direct=yes dev=yes",
                "react@18.2.0 direct=yes dev=no",
                "zod@3.22.4 direct=yes dev=no",
            ]
        );
        assert!(x.not_checked.is_empty());
    }

    #[test]
    fn aliases_report_the_real_name() {
        let x = read("aliases/package-lock.json");
        assert_eq!(
            flags(&x),
            [
                "@babel/core@7.23.9 direct=yes dev=no",
                "lodash@3.10.1 direct=yes dev=no",
                "ms@2.1.2 direct=no dev=no",
                "semver@6.3.1 direct=no dev=no",
                "semver@7.6.0 direct=no dev=no",
                "string-width@4.2.3 direct=yes dev=no",
                "string-width@5.1.2 direct=yes dev=no",
            ]
        );
        assert_eq!(line(one(&x, "ms", "2.1.2")), Some(22));
        assert_eq!(line(one(&x, "string-width", "4.2.3")), Some(39));
        assert_eq!(line(one(&x, "semver", "6.3.1")), Some(26));
    }

    #[test]
    fn git_and_file_packages_are_not_checked() {
        let x = read("git-and-file/package-lock.json");
        assert_eq!(
            brief(&x),
            [
                "ms@2.1.3 git-and-file/package-lock.json:28",
                "tarball@0.3.0 git-and-file/package-lock.json:32"
            ]
        );
        let nc = unchecked_brief(&x);
        assert_eq!(
            nc,
            [
                "left-pad@1.3.0 :20 installed from git, not from an npm registry release",
                "vendored@1.0.0 :36 installed from a local file, not from an npm registry release",
            ]
        );
    }

    #[test]
    fn unknown_lockfile_version_warns() {
        let text = r#"{"lockfileVersion": 9, "packages": {"": {}, "node_modules/a": {"version": "1.0.0"}}}"#;
        let input = FileInput::new(
            "package-lock.json",
            Path::new("package-lock.json"),
            text,
            Path::new("/"),
        );
        let x = PackageLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["a@1.0.0 package-lock.json:1"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "package-lock.json: lockfileVersion 9 is not one this reader knows; read as version 3"
        );
    }

    #[test]
    fn key_lines_follow_paths_not_text() {
        let text = "{\n \"a\": {\"x\": 1},\n \"x\": [ {\"x\": 2} ],\n \"b\": {\n  \"x\": \"a\",\n  \"\\u0078y\\ud83d\\ude00\": 3\n }\n}";
        let lines = key_lines(text, |_| true);
        let at = |p: &[&str]| {
            lines
                .get(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .copied()
        };
        assert_eq!(at(&["a"]), Some(2));
        assert_eq!(at(&["a", "x"]), Some(2));
        assert_eq!(at(&["x"]), Some(3));
        assert_eq!(at(&["b", "x"]), Some(5));
        assert_eq!(at(&["b", "xy\u{1F600}"]), Some(6));
        // Keys inside arrays have no path.
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn v1_version_specs() {
        let reg = |key: &str, v: &str| match v1_version(key, v) {
            V1Version::Registry { name, version } => format!("{name}@{version}"),
            V1Version::Local => "local".to_string(),
            V1Version::Elsewhere { version, .. } => format!("elsewhere {version}"),
        };
        assert_eq!(reg("x", "1.0.0"), "x@1.0.0");
        assert_eq!(reg("x", "npm:@scope/real@2.0.0"), "@scope/real@2.0.0");
        assert_eq!(reg("x", "npm:real@2.0.0"), "real@2.0.0");
        assert_eq!(reg("x", "npm:@scope"), "elsewhere ");
        assert_eq!(reg("x", "file:../x"), "local");
        assert_eq!(reg("x", "github:user/repo#abc"), "elsewhere abc");
        assert_eq!(reg("x", "user/repo#abc"), "elsewhere abc");
        assert_eq!(
            reg("x", "git+https://token@host/repo.git#abc"),
            "elsewhere abc"
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in [
            "v1/package-lock.json",
            "v2/package-lock.json",
            "workspaces/package-lock.json",
            "aliases/package-lock.json",
        ] {
            survives_truncation(&PackageLock, SUB, rel);
        }
        for odd in [
            "\"",
            "{\"a",
            "{\"a\\",
            "{\"\\u12",
            "{\"\\ud800\\u",
            "]]]}}}",
            "{\"a\":[{\"b\":",
        ] {
            let _ = key_lines(odd, |_| true);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("javascript/packagelockjson/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PackageLock, &dir, f);

        // Version 1 aliases.
        let x = run("alias.v1.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "@babel/code-frame@7.0.0 alias.v1.json:5",
                "string-width@4.2.0 alias.v1.json:23",
                "string-width@5.1.2 alias.v1.json:13"
            ]
        );
        // Version 2 aliases, with the root package telling direct ones.
        let x = run("alias.v2.json").unwrap();
        assert_eq!(
            flags(&x),
            [
                "@babel/code-frame@7.0.0 direct=yes dev=no",
                "string-width@4.2.0 direct=yes dev=no",
                "string-width@5.1.2 direct=yes dev=no",
            ]
        );

        let x = run("bundled-dependencies.v3.json").unwrap();
        assert_eq!(
            flags(&x),
            [
                "ansi-regex@6.2.2 direct=no dev=no",
                "semver@7.7.2 direct=yes dev=yes",
                "strip-ansi@7.1.2 direct=yes dev=no",
            ]
        );

        // Git dependencies: none is a component but the registry one.
        let x = run("commits.v1.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "ansi-styles@1.0.0 commits.v1.json:19",
                "postcss-calc@7.0.1 commits.v1.json:70"
            ]
        );
        assert_eq!(x.not_checked.len(), 13);
        assert!(x
            .not_checked
            .iter()
            .all(|n| !n.version.contains("dummy-token")));
        let x = run("commits.v2.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "ansi-styles@1.0.0 commits.v2.json:42",
                "postcss-calc@7.0.1 commits.v2.json:119"
            ]
        );
        // raven-js has no version: skipped; the rest are from git.
        assert_eq!(x.not_checked.len(), 11);

        assert!(run("empty.v1.json").unwrap().components.is_empty());
        assert!(run("empty.v2.json").unwrap().components.is_empty());

        // A local folder (`deps/etag`) is project code; what it installs is not.
        let x = run("files.v2.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "abbrev@1.0.9 files.v2.json:36",
                "abbrev@2.3.4 files.v2.json:42"
            ]
        );
        assert_eq!(
            brief(&run("files.v1.json").unwrap()),
            ["lodash@1.3.1 files.v1.json:5"]
        );

        let x = run("nested-dependencies.v2.json").unwrap();
        assert_eq!(x.components.len(), 5);
        assert_eq!(line(one(&x, "postcss", "7.0.16")), Some(34));
        let x = run("nested-dependencies.v1.json").unwrap();
        assert_eq!(x.components.len(), 5);
        assert_eq!(line(one(&x, "postcss", "7.0.16")), Some(26));
        assert_eq!(line(one(&x, "supports-color", "6.1.0")), Some(36));

        // The same package nested under many parents: one component each.
        let x = run("nested-dependencies-dup.v1.json").unwrap();
        assert_eq!(x.components.len(), 73);
        let x = run("nested-dependencies-dup.v2.json").unwrap();
        assert_eq!(x.components.len(), 36);
        assert_eq!(
            x.components
                .iter()
                .filter(|c| c.name == "supports-color" && c.version == "6.1.0")
                .count(),
            34
        );
        let mut lines: Vec<u32> = x.components.iter().filter_map(line).collect();
        lines.dedup();
        assert_eq!(lines.len(), 36, "each at its own line");

        let x = run("one-package-dev.v2.json").unwrap();
        assert_eq!(flags(&x), ["wrappy@1.0.2 direct=yes dev=yes"]);
        let x = run("optional-package.v2.json").unwrap();
        assert_eq!(
            flags(&x),
            [
                "supports-color@5.5.0 direct=no dev=no",
                "wrappy@1.0.2 direct=yes dev=no"
            ]
        );
        let x = run("optional-package.v1.json").unwrap();
        assert_eq!(
            flags(&x),
            [
                "supports-color@5.5.0 direct=? dev=no",
                "wrappy@1.0.2 direct=? dev=yes"
            ]
        );

        let x = run("scoped-packages.v2.json").unwrap();
        assert!(x.components.iter().any(|c| c.name == "@babel/code-frame"));
        assert_eq!(run("two-packages.v2.json").unwrap().components.len(), 2);

        for f in [
            "same-package-different-groups.v1.json",
            "same-package-different-groups.v2.json",
        ] {
            let x = run(f).unwrap();
            assert!(!x.components.is_empty(), "{f}");
            assert!(
                x.components.iter().all(|c| c.locations[0].line.is_some()),
                "{f}"
            );
        }

        for f in [
            "both/package-lock.json",
            "both/npm-shrinkwrap.json",
            "package-lock-only/package-lock.json",
        ] {
            assert_eq!(run(f).unwrap().components.len(), 2, "{f}");
        }

        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
        let err = run("null.v2.jsontest").unwrap_err();
        assert_eq!((err.path(), err.line()), ("null.v2.jsontest", Some(1)));
    }
}
