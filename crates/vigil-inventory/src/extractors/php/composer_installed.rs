//! `vendor/composer/installed.json`: what Composer installed.
//!
//! ## Detects
//! Files named `installed.json` directly inside a folder named `composer`
//! (Composer writes it in `<vendor-dir>/composer/`): Composer 2's object
//! (`{"packages": [...], "dev": true, "dev-package-names": [...]}`) and
//! Composer 1's bare list of packages.
//!
//! ## Ecosystem
//! Packagist. Each installed package is a component, read as an entry of
//! `composer.lock` is (see [`composer_lock`](super::composer_lock)): its
//! `name` and `version` as written (`version_normalized` is ignored),
//! located at the line where its entry opens, with its `dist` checksum
//! (`sha1:<hex>`), its `license` (several joined with `OR`) and the names
//! of the installed packages it `require`s. `dev` is true for the packages
//! Composer 2 lists in `dev-package-names` and false for the others;
//! unknown in Composer 1 files, which do not say. `direct` is true for the
//! packages the `composer.json` two folders up (the project's, beside
//! `vendor/`) lists in `require` or `require-dev`, false for the others,
//! and unknown without a readable one.
//!
//! Packages from a local path repository and development branches
//! (`dev-main`, `1.x-dev`) are "not checked" entries.
//!
//! ## Limitations
//! - With a custom `vendor-dir` the project's `composer.json` may not be
//!   two folders up; `direct` is then unknown (or read from an unrelated
//!   `composer.json` that happens to be there).
//! - A `composer.lock` beside the project lists the same packages: both
//!   are reported, at their two locations; reports merge components by
//!   ecosystem, name and version.
//! - The limitations of [`composer_lock`](super::composer_lock) apply.
//!
//! ## References
//! - <https://getcomposer.org/doc/07-runtime.md#installed-versions>
//! - <https://getcomposer.org/doc/06-config.md#vendor-dir>
//! - <https://getcomposer.org/doc/04-schema.md>

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_model::{Component, Ecosystem, Location, NotChecked};

use super::composer_lock::{not_a_release, spdx, Package};
use crate::extractors::{json_malformed, offset_in, LineIndex};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `vendor/composer/installed.json`.
#[derive(Debug, Clone, Copy)]
pub struct ComposerInstalled;

/// Composer 2's shape.
#[derive(Deserialize)]
struct Installed<'a> {
    #[serde(borrow, default)]
    packages: Vec<&'a RawValue>,
    #[serde(rename = "dev-package-names")]
    dev_package_names: Option<Vec<String>>,
}

impl Extractor for ComposerInstalled {
    fn name(&self) -> &'static str {
        "php/composer-installed"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "installed.json"
            && path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "composer")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.contents.trim().is_empty() {
            return Ok(out);
        }
        let malformed = |e: &serde_json::Error| json_malformed(input, "installed.json", 1, e);
        let (raws, dev_names): (Vec<&RawValue>, Option<HashSet<String>>) =
            if input.contents.trim_start().starts_with('[') {
                (
                    serde_json::from_str(input.contents).map_err(|e| malformed(&e))?,
                    None,
                )
            } else {
                let doc: Installed =
                    serde_json::from_str(input.contents).map_err(|e| malformed(&e))?;
                let names = doc
                    .dev_package_names
                    .map(|n| n.iter().map(|n| n.to_lowercase()).collect());
                (doc.packages, names)
            };
        let lines = LineIndex::new(input.contents);
        let mut entries: Vec<(u32, Package)> = Vec::new();
        for raw in raws {
            let line = lines.line(offset_in(input.contents, raw.get()).unwrap_or(0));
            let p: Package = serde_json::from_str(raw.get())
                .map_err(|e| json_malformed(input, "installed.json", line, &e))?;
            entries.push((line, p));
        }
        let direct = super::composer_lock::read_manifest(input, "../../composer.json", &mut out);
        let in_file: HashSet<String> = entries.iter().map(|(_, p)| p.name.to_lowercase()).collect();
        for (line, p) in entries {
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
            let key = p.name.to_lowercase();
            let deps: Vec<&String> = p
                .require
                .keys()
                .filter(|n| in_file.contains(&n.to_lowercase()))
                .collect();
            let mut c = Component::new(Ecosystem::Packagist, p.name.as_str(), p.version.as_str())
                .at(input.rel_path, Some(line))
                .direct(direct.as_ref().map(|d| d.contains(&key)))
                .dev(dev_names.as_ref().map(|d| d.contains(&key)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_empty, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "php/composer_installed";

    fn read(rel: &str) -> Extracted {
        fixture(&ComposerInstalled, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn flags(x: &Extracted) -> Vec<String> {
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
    }

    #[test]
    fn matches_installed_json_in_composer_folders() {
        let m = |p: &str| ComposerInstalled.matches(Path::new(p));
        assert!(m("vendor/composer/installed.json"));
        assert!(m("app/lib/deps/composer/installed.json"));
        assert!(!m("installed.json"));
        assert!(!m("vendor/installed.json"));
        assert!(!m("vendor/composer/installed.php"));
    }

    #[test]
    fn empty_files() {
        assert_empty(
            &ComposerInstalled,
            SUB,
            &[
                "empty/vendor/composer/installed.json",
                "empty-list/vendor/composer/installed.json",
            ],
        );
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let rel = "malformed/vendor/composer/installed.json";
        let err = fixture(&ComposerInstalled, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{rel}:6: not a valid installed.json: expected `,` or `}}`")
        );
        let rel = "missing-version/vendor/composer/installed.json";
        let err = fixture(&ComposerInstalled, SUB, rel).unwrap_err();
        assert_eq!(err.line(), Some(6), "{err}");
        assert!(err.to_string().contains("missing field `version`"), "{err}");
    }

    #[test]
    fn one_package() {
        let rel = "one-package/vendor/composer/installed.json";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("psr/log@3.0.0 {rel}:3")]);
        let c = one(&x, "psr/log", "3.0.0");
        assert_eq!(c.purl, "pkg:composer/psr/log@3.0.0");
        // No composer.json two folders up: direct is unknown.
        assert_eq!((c.direct, c.dev), (None, Some(false)));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert_eq!(c.hashes, ["sha1:fe5ea303b0887d5caefd3d431c3e61ad47037001"]);
    }

    #[test]
    fn composer_2_project() {
        let rel = "realistic/vendor/composer/installed.json";
        let x = read(rel);
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            flags(&x),
            [
                "guzzlehttp/guzzle@7.8.1 direct=Some(true) dev=Some(false)",
                "guzzlehttp/promises@2.0.2 direct=Some(false) dev=Some(false)",
                "guzzlehttp/psr7@2.6.2 direct=Some(false) dev=Some(false)",
                "phpunit/phpunit@10.5.9 direct=Some(true) dev=Some(true)",
                "symfony/console@v6.4.3 direct=Some(true) dev=Some(false)",
            ]
        );
        assert_eq!(
            one(&x, "guzzlehttp/guzzle", "7.8.1").dependencies,
            ["guzzlehttp/promises", "guzzlehttp/psr7"]
        );
        assert_eq!(line(one(&x, "guzzlehttp/psr7", "2.6.2")), Some(40));
        assert_eq!(
            unchecked_brief(&x),
            ["acme/internal@dev-main :86 a local path repository, not a Packagist release"]
        );
        insta::assert_json_snapshot!("composer_installed_realistic", view(&x));
    }

    #[test]
    fn composer_1_list() {
        let rel = "composer-1/vendor/composer/installed.json";
        let x = read(rel);
        assert_eq!(
            flags(&x),
            [
                "monolog/monolog@1.27.1 direct=None dev=None",
                "psr/log@1.1.4 direct=None dev=None",
            ]
        );
        assert_eq!(
            one(&x, "monolog/monolog", "1.27.1").dependencies,
            ["psr/log"]
        );
        assert_eq!(line(one(&x, "psr/log", "1.1.4")), Some(19));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &ComposerInstalled,
            SUB,
            "realistic/vendor/composer/installed.json",
        );
    }

    #[test]
    fn real_world_samples() {
        // No installed.json samples exist; composer.lock samples have the
        // same package entries under `packages` (their `packages-dev` is no
        // installed.json key, and without `dev-package-names` dev is
        // unknown).
        let Some(dir) = samples("php/composerlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&ComposerInstalled, &dir, f);
        let x = run("two-packages.json").unwrap();
        assert_eq!(brief(&x), ["sentry/sdk@2.0.4 two-packages.json:9"]);
        assert_eq!(x.components[0].dev, None);
        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
        let err = run("null.jsontest").unwrap_err();
        assert_eq!((err.path(), err.line()), ("null.jsontest", Some(1)));
    }
}
