//! `composer.lock`: the lockfile of Composer.
//!
//! ## Detects
//! Files named `composer.lock`.
//!
//! ## Ecosystem
//! Packagist. Each entry of `packages` and `packages-dev` is a component:
//! its `name` and `version` as written (a `v` prefix is kept), located at
//! the line where its entry opens, with the `dist` checksum (`shasum`, a
//! SHA-1, written as `sha1:<hex>`), its declared `license` (several are
//! joined with `OR`: Composer's list means a choice), and the names of the
//! packages of the same file it `require`s. `dev` is true for the entries
//! of `packages-dev`. `direct` is true for the packages the `composer.json`
//! beside the lockfile lists in `require` or `require-dev`, false for the
//! others, and unknown without a readable `composer.json`.
//!
//! Packages from a local path repository (`dist` or `source` of type
//! `path`) and development branches (`dev-main`, `1.x-dev`) are "not
//! checked" entries: they are not Packagist releases.
//!
//! ## Limitations
//! - Platform requirements (`php`, `ext-*`, `lib-*`) are not components and
//!   do not appear among dependencies.
//! - Packages from private or custom repositories (`repositories` of type
//!   `vcs` or `composer`) are taken for Packagist releases of the same name.
//! - A license that is not an SPDX identifier (`proprietary`) is reported as
//!   written.
//!
//! ## References
//! - <https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control>
//! - <https://getcomposer.org/doc/04-schema.md> (`require`, `license`,
//!   `dist`, `source`)
//! - <https://getcomposer.org/doc/05-repositories.md#path>

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::{json_malformed, offset_in, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `composer.lock`.
#[derive(Debug, Clone, Copy)]
pub struct ComposerLock;

#[derive(Deserialize)]
struct Lockfile<'a> {
    #[serde(borrow)]
    packages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, rename = "packages-dev")]
    packages_dev: Option<Vec<&'a RawValue>>,
}

/// A package entry (of `composer.lock`, and of `vendor/composer/installed.json`).
#[derive(Deserialize)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) source: Option<Origin>,
    pub(crate) dist: Option<Origin>,
    #[serde(default)]
    pub(crate) require: BTreeMap<String, serde_json::Value>,
    pub(crate) license: Option<serde_json::Value>,
}

/// Where a package is downloaded from.
#[derive(Deserialize)]
pub(crate) struct Origin {
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    pub(crate) shasum: Option<String>,
}

/// The dependency lists of a `composer.json` (only their names are used).
#[derive(Deserialize)]
pub(crate) struct Manifest {
    #[serde(default)]
    pub(crate) require: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "require-dev")]
    pub(crate) require_dev: BTreeMap<String, serde_json::Value>,
}

impl Extractor for ComposerLock {
    fn name(&self) -> &'static str {
        "php/composer-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "composer.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = serde_json::from_str(input.contents)
            .map_err(|e| json_malformed(input, "composer.lock", 1, &e))?;
        let lines = LineIndex::new(input.contents);
        let mut entries: Vec<(u32, bool, Package)> = Vec::new();
        for (dev, list) in [(false, &lock.packages), (true, &lock.packages_dev)] {
            for raw in list.iter().flatten() {
                let line = lines.line(offset_in(input.contents, raw.get()).unwrap_or(0));
                let p: Package = serde_json::from_str(raw.get())
                    .map_err(|e| json_malformed(input, "composer.lock", line, &e))?;
                entries.push((line, dev, p));
            }
        }
        let mut out = Extracted::default();
        let direct = read_manifest(input, "composer.json", &mut out);
        let in_file: HashSet<String> = entries
            .iter()
            .map(|(_, _, p)| p.name.to_lowercase())
            .collect();
        for (line, dev, p) in entries {
            if let Some(reason) = not_a_release(&p) {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::Packagist,
                    name: p.name,
                    version: p.version,
                    location: Location::new(input.rel_path, Some(line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let deps: Vec<&String> = p
                .require
                .keys()
                .filter(|n| in_file.contains(&n.to_lowercase()))
                .collect();
            let is_direct = direct.as_ref().map(|d| d.contains(&p.name.to_lowercase()));
            let mut c = Component::new(Ecosystem::Packagist, p.name.as_str(), p.version.as_str())
                .at(input.rel_path, Some(line))
                .direct(is_direct)
                .dev(Some(dev))
                .depends_on(deps)
                .license(p.license.as_ref().and_then(spdx));
            if let Some(sum) = p
                .dist
                .as_ref()
                .and_then(|d| d.shasum.as_deref())
                .filter(|s| !s.is_empty())
            {
                c = c.hash(format!("sha1:{sum}"));
            }
            out.components.push(c);
        }
        Ok(out)
    }
}

/// Why a package is not a Packagist release.
pub(crate) fn not_a_release(p: &Package) -> Option<&'static str> {
    let is_path = |o: &Option<Origin>| o.as_ref().and_then(|o| o.kind.as_deref()) == Some("path");
    if is_path(&p.dist) || is_path(&p.source) {
        Some("a local path repository, not a Packagist release")
    } else if p.version.starts_with("dev-") || p.version.ends_with("-dev") {
        Some("a development branch, not a Packagist release")
    } else {
        None
    }
}

/// The declared license as an SPDX expression: one name, or several joined
/// with `OR` (each in parentheses when it is itself an expression).
pub(crate) fn spdx(license: &serde_json::Value) -> Option<String> {
    let names: Vec<&str> = match license {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    vigil_model::license::combine(names, vigil_model::license::Choice::AnyOf)
}

/// The lowercase names a project's `composer.json` asks for (`relative` to
/// the file being read: beside a lockfile, or two folders up from
/// `vendor/composer/installed.json`); `None` when there is none or it cannot
/// be read (a warning then, naming it).
pub(crate) fn read_manifest(
    input: &FileInput<'_>,
    relative: &str,
    out: &mut Extracted,
) -> Option<HashSet<String>> {
    let (rel, text) = match input.read_related(relative) {
        Ok(found) => found,
        Err(ExtractError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return None
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("cannot read the project's composer.json, so direct dependencies are unknown: {e}"),
            ));
            return None;
        }
    };
    match serde_json::from_str::<Manifest>(&text) {
        Ok(m) => Some(
            m.require
                .keys()
                .chain(m.require_dev.keys())
                .map(|n| n.to_lowercase())
                .collect(),
        ),
        Err(e) => {
            let err = json_malformed(input, "composer.json", 1, &e);
            out.diagnostics.push(Diagnostic::warning(
                rel,
                err.line(),
                format!(
                    "{}, so which packages are direct dependencies is unknown",
                    err.to_diagnostic().message
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
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "php/composer_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&ComposerLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_composer_lock() {
        assert!(ComposerLock.matches(Path::new("composer.lock")));
        assert!(ComposerLock.matches(Path::new("web/composer.lock")));
        assert!(!ComposerLock.matches(Path::new("composer.json")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/composer.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let err = fixture(&ComposerLock, SUB, "malformed/composer.lock").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "malformed/composer.lock:6: not a valid composer.lock: expected `,` or `}`"
        );
        let err = fixture(&ComposerLock, SUB, "missing-version/composer.lock").unwrap_err();
        assert_eq!(err.path(), "missing-version/composer.lock");
        assert_eq!(err.line(), Some(9), "{err}");
        assert!(err.to_string().contains("missing field `version`"), "{err}");
    }

    #[test]
    fn one_package() {
        let x = read("one-package/composer.lock");
        assert_eq!(
            brief(&x),
            ["monolog/monolog@3.7.0 one-package/composer.lock:4"]
        );
        let c = one(&x, "monolog/monolog", "3.7.0");
        assert_eq!(c.purl, "pkg:composer/monolog/monolog@3.7.0");
        assert_eq!((c.direct, c.dev), (None, Some(false)));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert_eq!(c.hashes, ["sha1:f4393b648b78a5408747de94fca38beb5f7e9ef8"]);
    }

    #[test]
    fn realistic_project() {
        let x = read("realistic/composer.lock");
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
                "guzzlehttp/guzzle@7.9.2 direct=Some(true) dev=Some(false)",
                "guzzlehttp/promises@2.0.3 direct=Some(false) dev=Some(false)",
                "guzzlehttp/psr7@2.7.0 direct=Some(false) dev=Some(false)",
                "phpunit/phpunit@11.4.3 direct=Some(true) dev=Some(true)",
                "psr/log@3.0.2 direct=Some(false) dev=Some(false)",
                "symfony/console@v7.1.6 direct=Some(true) dev=Some(false)",
            ]
        );
        assert_eq!(
            one(&x, "guzzlehttp/guzzle", "7.9.2").dependencies,
            ["guzzlehttp/promises", "guzzlehttp/psr7"]
        );
        assert_eq!(
            one(&x, "symfony/console", "v7.1.6").license.as_deref(),
            Some("MIT OR GPL-2.0-or-later")
        );
        assert_eq!(line(one(&x, "phpunit/phpunit", "11.4.3")), Some(166));
        assert_eq!(
            unchecked_brief(&x),
            [
                "acme/internal@dev-main :147 a local path repository, not a Packagist release",
                "acme/next@2.x-dev :125 a development branch, not a Packagist release",
            ]
        );
        insta::assert_json_snapshot!("composer_lock_realistic", view(&x));
    }

    #[test]
    fn licenses() {
        let j = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(spdx(&j(r#"["MIT"]"#)).as_deref(), Some("MIT"));
        assert_eq!(
            spdx(&j(r#""BSD-3-Clause""#)).as_deref(),
            Some("BSD-3-Clause")
        );
        assert_eq!(
            spdx(&j(r#"["LGPL-2.1-only", "GPL-3.0-or-later WITH x"]"#)).as_deref(),
            Some("LGPL-2.1-only OR (GPL-3.0-or-later WITH x)")
        );
        assert_eq!(spdx(&j("[]")), None);
        // Composer accepts loose names; they are normalized.
        assert_eq!(
            spdx(&j(r#"["GPL-2.0+", "MIT/X11"]"#)).as_deref(),
            Some("GPL-2.0-or-later OR (MIT OR X11)")
        );
        assert_eq!(
            spdx(&j(r#"["proprietary"]"#)).as_deref(),
            Some("proprietary")
        );
        assert_eq!(spdx(&j("3")), None);
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&ComposerLock, SUB, "realistic/composer.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("php/composerlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&ComposerLock, &dir, f);

        let x = run("two-packages.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "sentry/sdk@2.0.4 two-packages.json:9",
                "theseer/tokenizer@1.1.3 two-packages.json:42",
            ]
        );
        assert_eq!(one(&x, "theseer/tokenizer", "1.1.3").dev, Some(true));
        assert_eq!(
            one(&x, "theseer/tokenizer", "1.1.3").license.as_deref(),
            Some("BSD-3-Clause")
        );
        // An empty shasum is no hash.
        assert!(one(&x, "sentry/sdk", "2.0.4").hashes.is_empty());
        assert_eq!(run("two-packages-alt.json").unwrap().components.len(), 2);
        let x = run("one-package-dev.json").unwrap();
        assert_eq!(x.components.len(), 1);
        assert_eq!(x.components[0].dev, Some(true));
        assert_eq!(run("one-package.json").unwrap().components.len(), 1);

        let x = run("duplicate-packages.json").unwrap();
        assert_eq!(
            brief(&x),
            [
                "sentry/sdk@2.0.4 duplicate-packages.json:9",
                "sentry/sdk@2.0.5 duplicate-packages.json:16",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["sentry/sdk@3.0.0-dev :25 a development branch, not a Packagist release"]
        );

        let x = run("drupal-packages.json").unwrap();
        assert!(!x.components.is_empty());
        assert_eq!(line(one(&x, "drupal/core", "10.4.5")), Some(9));

        assert!(run("empty.json").unwrap().components.is_empty());
        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
        let err = run("null.jsontest").unwrap_err();
        assert_eq!((err.path(), err.line()), ("null.jsontest", Some(1)));
    }
}
