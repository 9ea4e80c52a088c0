//! `pubspec.lock`: the lockfile of Dart's pub (and Flutter).
//!
//! ## Detects
//! Files named `pubspec.lock`: the `packages` map, each entry with
//! `dependency`, `description`, `source` and `version`. The `sdks` map is
//! read over.
//!
//! ## Ecosystem
//! Pub. Each package from a package repository (`source: hosted`) is a
//! component: its key and version as written, located at the line of its
//! key. `direct` is true for `"direct main"`, `"direct dev"` and
//! `"direct overridden"`, false for `transitive`. `dev` is true for
//! `"direct dev"`, false for `"direct main"` and `"direct overridden"`, and
//! unknown for transitive packages. The content hash of newer lockfiles
//! (`description.sha256`) is recorded as `sha256:<hex>`. Packages from git,
//! a local path or an SDK (`flutter`, `flutter_test`) are "not checked"
//! entries: they are not releases of a package repository.
//!
//! ## Limitations
//! - `dependencies` are empty: the lockfile does not record the graph.
//! - A hosted package from a repository other than pub.dev is checked as
//!   if it were pub.dev's release of that name.
//! - Whether a transitive package is needed only by development
//!   dependencies is not recorded, so its `dev` flag is unknown.
//!
//! ## References
//! - <https://dart.dev/tools/pub/glossary#lockfile>
//! - <https://dart.dev/tools/pub/dependencies>
//! - The lockfile writer: `lib/src/lock_file.dart` in the dart-lang/pub
//!   repository.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `pubspec.lock`.
#[derive(Debug, Clone, Copy)]
pub struct PubspecLock;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    packages: Option<BTreeMap<String, Package>>,
}

#[derive(Deserialize)]
struct Package {
    dependency: Option<String>,
    #[serde(default)]
    description: serde_yaml_ng::Value,
    source: Option<String>,
    version: Option<serde_yaml_ng::Value>,
}

impl Extractor for PubspecLock {
    fn name(&self) -> &'static str {
        "dart/pubspec-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "pubspec.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.contents.trim().is_empty() {
            return Ok(out);
        }
        let lock: Option<Lockfile> = serde_yaml_ng::from_str(input.contents).map_err(|e| {
            let line = e
                .location()
                .and_then(|l| u32::try_from(l.line()).ok())
                .filter(|&l| l > 0);
            let text = e.to_string();
            let message = match text.find(" at line ") {
                Some(i) => text.get(..i).unwrap_or(&text).to_string(),
                None => text,
            };
            input.malformed(line, format!("not a valid pubspec.lock: {message}"))
        })?;
        let Some(packages) = lock.and_then(|l| l.packages) else {
            return Ok(out);
        };
        let lines = package_lines(input.contents);
        for (name, pkg) in &packages {
            let line = lines.get(name.as_str()).copied();
            let version = match pkg.version.as_ref().and_then(scalar) {
                Some(v) => v,
                None => {
                    out.diagnostics.push(Diagnostic::warning(
                        input.rel_path,
                        line,
                        format!("package `{name}` has no version; skipped"),
                    ));
                    continue;
                }
            };
            let source = pkg.source.as_deref().unwrap_or("hosted");
            if source != "hosted" {
                let reason = match source {
                    "git" => {
                        "installed from git, not from a package repository release".to_string()
                    }
                    "path" => "a local path, not a package repository release".to_string(),
                    "sdk" => "part of an SDK, not a package repository release".to_string(),
                    other => format!("from the `{other}` source, not a package repository release"),
                };
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::Pub,
                    name: name.clone(),
                    version,
                    location: Location::new(input.rel_path, line),
                    reason,
                });
                continue;
            }
            let (direct, dev) = match pkg.dependency.as_deref() {
                Some("direct main") | Some("direct overridden") => (Some(true), Some(false)),
                Some("direct dev") => (Some(true), Some(true)),
                Some("transitive") => (Some(false), None),
                _ => (None, None),
            };
            let mut component = Component::new(Ecosystem::Pub, name.as_str(), version)
                .at(input.rel_path, line)
                .direct(direct)
                .dev(dev);
            if let Some(sha) = pkg.description.get("sha256").and_then(scalar) {
                component = component.hash(format!("sha256:{sha}"));
            }
            out.components.push(component);
        }
        Ok(out)
    }
}

/// A YAML scalar as text (a version may be written unquoted).
fn scalar(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The line of each key of the top-level `packages` map, found in the text
/// (the YAML parser keeps no positions): the keys indented one level below
/// a `packages:` line at the left margin, up to the next such line.
fn package_lines(text: &str) -> HashMap<&str, u32> {
    let mut found = HashMap::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (idx, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this_indent = raw.len() - trimmed.len();
        if this_indent == 0 {
            inside = raw.trim_end().starts_with("packages:");
            indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        let level = *indent.get_or_insert(this_indent);
        if this_indent != level {
            continue;
        }
        if let Some((key, _)) = trimmed.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            let line = u32::try_from(idx + 1).unwrap_or(u32::MAX);
            found.entry(key).or_insert(line);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "dart/pubspec_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&PubspecLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_lockfile_name() {
        assert!(PubspecLock.matches(Path::new("app/pubspec.lock")));
        assert!(!PubspecLock.matches(Path::new("pubspec.yaml")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/pubspec.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&PubspecLock, SUB, "malformed/pubspec.lock").unwrap_err();
        assert_eq!(err.path(), "malformed/pubspec.lock");
        assert_eq!(err.line(), Some(6), "{err}");
        assert!(
            err.to_string()
                .starts_with("malformed/pubspec.lock:6: not a valid pubspec.lock"),
            "{err}"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/pubspec.lock");
        assert_eq!(brief(&x), ["http@1.2.1 one-package/pubspec.lock:4"]);
        let c = one(&x, "http", "1.2.1");
        assert_eq!(c.purl, "pkg:pub/http@1.2.1");
        assert_eq!((c.direct, c.dev), (Some(true), Some(false)));
        assert_eq!(
            c.hashes,
            ["sha256:761a297c042deedc1ffbb156d6e2af13886bb305c2a343a4d972504cd67dd938"]
        );
    }

    #[test]
    fn flutter_app() {
        let x = read("flutter/pubspec.lock");
        let c = one(&x, "flutter_lints", "3.0.1");
        assert_eq!((c.direct, c.dev), (Some(true), Some(true)));
        let c = one(&x, "collection", "1.18.0");
        assert_eq!((c.direct, c.dev), (Some(false), None));
        let c = one(&x, "meta", "1.11.0");
        assert_eq!(
            (c.direct, c.dev, line(c)),
            (Some(true), Some(false), Some(54))
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "flutter@0.0.0 :36 part of an SDK, not a package repository release",
                "flutter_test@0.0.0 :49 part of an SDK, not a package repository release",
                "my_widgets@1.0.0 :62 a local path, not a package repository release",
                "yaml_edit@2.2.0 :76 installed from git, not from a package repository release",
            ]
        );
        insta::assert_json_snapshot!("pubspec_lock_flutter", view(&x));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&PubspecLock, SUB, "flutter/pubspec.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("dart/pubspec/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PubspecLock, &dir, f);
        let x = run("mixed-packages.lock").unwrap();
        assert_eq!(
            brief(&x),
            [
                "back_button_interceptor@6.0.1 mixed-packages.lock:4",
                "build_runner@2.2.1 mixed-packages.lock:11",
                "shelf@1.3.2 mixed-packages.lock:18",
                "shelf_web_socket@1.0.2 mixed-packages.lock:25",
            ]
        );
        assert_eq!(one(&x, "build_runner", "2.2.1").dev, Some(true));
        assert!(run("no-packages.lock").unwrap().components.is_empty());
        let x = run("one-package-dev.lock").unwrap();
        assert_eq!(one(&x, "build_runner", "2.2.1").dev, Some(true));
        assert_eq!(run("one-package.lock").unwrap().components.len(), 1);
        assert_eq!(run("two-packages.lock").unwrap().components.len(), 2);
        let x = run("source-git.lock").unwrap();
        assert_eq!(brief(&x), ["toggle_switch@1.4.0 source-git.lock:22"]);
        assert_eq!(x.not_checked.len(), 4);
        assert_eq!(
            unchecked_brief(&run("source-path.lock").unwrap()),
            ["maa_core@0.0.1 :4 a local path, not a package repository release"]
        );
        assert_eq!(
            unchecked_brief(&run("source-sdk.lock").unwrap()),
            ["flutter_web_plugins@0.0.0 :4 part of an SDK, not a package repository release"]
        );
        let err = run("not-yaml.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-yaml.txt", Some(1)));
    }
}
