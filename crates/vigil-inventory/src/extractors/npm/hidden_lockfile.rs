//! `node_modules/.package-lock.json`: npm's record of what it installed.
//!
//! ## Detects
//! Files named `.package-lock.json` directly inside a `node_modules`
//! folder, as npm 7 and later write them (lockfile versions 2 and 3).
//!
//! ## Ecosystem
//! npm. The file has the shape of a `package-lock.json` and is read by the
//! same reader (see [`package_lock`](super::package_lock)): each installed
//! package of its `packages` map (keys `node_modules/a`, relative to the
//! project folder that holds `node_modules`) is a component with its name,
//! version, line, `dev` and `optional` flags, dependencies, `integrity`
//! hash and license; packages installed from git or a local file are "not
//! checked" entries.
//!
//! ## Limitations
//! - `direct` is unknown: the file does not carry the project's own
//!   entry (`""`), so what the project asks for is not known.
//! - npm trusts this file only while no package folder is newer than it; a
//!   stale file (after another tool changed `node_modules`) may list
//!   packages that are no longer installed.
//! - The packages are also found by their own `package.json` files (see
//!   [`installed_package_json`](super::installed_package_json)): the same
//!   install is then reported at two locations, which reports merge by
//!   ecosystem, name and version.
//! - The limitations of [`package_lock`](super::package_lock) apply.
//!
//! ## References
//! - <https://docs.npmjs.com/cli/configuring-npm/package-lock-json#hidden-lockfiles>

use std::path::Path;

use super::package_lock::PackageLock;
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `node_modules/.package-lock.json`.
#[derive(Debug, Clone, Copy)]
pub struct HiddenLockfile;

impl Extractor for HiddenLockfile {
    fn name(&self) -> &'static str {
        "npm/hidden-lockfile"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == ".package-lock.json"
            && path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "node_modules")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        PackageLock.extract(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, fixture, one, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "npm/hidden_lockfile";

    fn read(rel: &str) -> Extracted {
        fixture(&HiddenLockfile, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_inside_node_modules() {
        let m = |p: &str| HiddenLockfile.matches(Path::new(p));
        assert!(m("node_modules/.package-lock.json"));
        assert!(m("web/node_modules/.package-lock.json"));
        assert!(!m(".package-lock.json"));
        assert!(!m("node_modules/x/.package-lock.json"));
        assert!(!m("node_modules/package-lock.json"));
        assert!(!m("package-lock.json"));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/node_modules/.package-lock.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let rel = "malformed/node_modules/.package-lock.json";
        let err = fixture(&HiddenLockfile, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{rel}:9: not a valid npm lockfile: trailing comma")
        );
    }

    #[test]
    fn one_package() {
        let rel = "one-package/node_modules/.package-lock.json";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("ms@2.1.3 {rel}:6")]);
        let c = one(&x, "ms", "2.1.3");
        assert_eq!(
            (c.direct, c.dev, c.optional),
            (None, Some(false), Some(false))
        );
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert_eq!(c.hashes.len(), 1);
    }

    #[test]
    fn realistic_install() {
        let rel = "realistic/node_modules/.package-lock.json";
        let x = read(rel);
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            brief(&x),
            [
                format!("debug@2.6.9 {rel}:22"),
                format!("debug@4.3.4 {rel}:35"),
                format!("express@4.18.2 {rel}:7"),
                format!("ms@2.0.0 {rel}:30"),
                format!("ms@2.1.2 {rel}:52"),
                format!("typescript@5.3.3 {rel}:58"),
            ]
        );
        // Resolved the way Node.js finds them: express's own debug 2.
        assert_eq!(one(&x, "express", "4.18.2").dependencies, ["debug"]);
        assert_eq!(one(&x, "debug", "2.6.9").dependencies, ["ms"]);
        assert_eq!(one(&x, "typescript", "5.3.3").dev, Some(true));
        assert!(x.components.iter().all(|c| c.direct.is_none()));
        assert_eq!(
            unchecked_brief(&x),
            ["left-pad@1.3.0 :68 installed from git, not from an npm registry release"]
        );
        insta::assert_json_snapshot!("hidden_lockfile_realistic", view(&x));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &HiddenLockfile,
            SUB,
            "realistic/node_modules/.package-lock.json",
        );
    }
}
