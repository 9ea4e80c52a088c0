//! `*.egg-info`: a Python distribution installed by setuptools or
//! distutils.
//!
//! ## Detects
//! - Files named `PKG-INFO` directly inside a folder whose name ends with
//!   `.egg-info` (what `setup.py install` and older pip versions write into
//!   `site-packages`, and what `pip install -e` writes beside the sources);
//! - files named `PKG-INFO` in an `EGG-INFO` folder (an unpacked `.egg`);
//! - files whose own name ends with `.egg-info` (distutils writes the
//!   metadata as one file, `name-1.0-py3.11.egg-info`, in
//!   `site-packages` and `dist-packages`).
//!
//! ## Ecosystem
//! PyPI. The same headers as a `.dist-info/METADATA` file, read the same
//! way (see [`dist_info`](super::dist_info)): `Name` and `Version` as
//! written, located at the line of `Name`, the license from
//! `License-Expression` or a one-line `License`, and the project names of
//! `Requires-Dist` outside extras.
//!
//! ## Limitations
//! - `direct`, `dev` and `optional` are unknown.
//! - The dependencies setuptools records in `requires.txt` beside
//!   `PKG-INFO` are not read: only `Requires-Dist` headers, which older
//!   metadata versions (1.0, 1.1) do not have.
//! - An egg-info folder of a project installed in development mode is the
//!   project's own code, yet reported like an installed release.
//! - The other limitations of [`dist_info`](super::dist_info) apply.
//!
//! ## References
//! - <https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html>
//! - <https://packaging.python.org/en/latest/specifications/core-metadata/>
//! - <https://packaging.python.org/en/latest/discussions/package-formats/>

use std::path::Path;

use super::dist_info::read_metadata;
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `*.egg-info/PKG-INFO` and `*.egg-info` files.
#[derive(Debug, Clone, Copy)]
pub struct EggInfo;

impl Extractor for EggInfo {
    fn name(&self) -> &'static str {
        "python/egg-info"
    }

    fn matches(&self, path: &Path) -> bool {
        let file = crate::file_name(path);
        if file.ends_with(".egg-info") && file.len() > ".egg-info".len() {
            return true;
        }
        let parent = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        file == "PKG-INFO"
            && ((parent.ends_with(".egg-info") && parent.len() > ".egg-info".len())
                || parent == "EGG-INFO")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        read_metadata(input, "PKG-INFO")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, one, samples, survives_truncation, view,
    };

    const SUB: &str = "python/egg_info";

    fn read(rel: &str) -> Extracted {
        fixture(&EggInfo, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_egg_info_files_and_folders() {
        let m = |p: &str| EggInfo.matches(Path::new(p));
        assert!(m(
            "lib/python3/dist-packages/pycups-2.0.1.egg-info/PKG-INFO"
        ));
        assert!(m("lib/python3/dist-packages/pycups-2.0.1.egg-info"));
        assert!(m("site-packages/six-1.16.0-py3.11.egg/EGG-INFO/PKG-INFO"));
        assert!(!m("PKG-INFO"));
        assert!(!m("dist/requests-2.31.0/PKG-INFO"));
        assert!(!m(".egg-info"));
        assert!(!m("x.egg-info/SOURCES.txt"));
        assert!(!m("x.dist-info/METADATA"));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/site-packages/empty-0.1.egg-info/PKG-INFO");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let rel = "malformed/site-packages/broken-1.0.egg-info/PKG-INFO";
        let err = fixture(&EggInfo, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{rel}:3: not a valid PKG-INFO file: `Version` is empty or spans several lines"
            )
        );
    }

    #[test]
    fn one_package_as_a_file() {
        let rel = "one-package/dist-packages/python_apt-2.4.0.egg-info";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("python-apt@2.4.0 {rel}:2")]);
        let c = one(&x, "python-apt", "2.4.0");
        assert_eq!(c.license.as_deref(), Some("GNU GPL"));
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn realistic_folder() {
        let rel = "realistic/site-packages/Jinja2-3.1.2-py3.11.egg-info/PKG-INFO";
        let x = read(rel);
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let c = one(&x, "Jinja2", "3.1.2");
        assert_eq!(c.purl, "pkg:pypi/jinja2@3.1.2");
        assert_eq!(c.dependencies, ["MarkupSafe"]);
        assert_eq!(c.license.as_deref(), Some("BSD-3-Clause"));
        insta::assert_json_snapshot!("egg_info_realistic", view(&x));
    }

    #[test]
    fn unpacked_egg() {
        let rel = "unpacked-egg/site-packages/six-1.16.0-py3.11.egg/EGG-INFO/PKG-INFO";
        assert_eq!(brief(&read(rel)), [format!("six@1.16.0 {rel}:2")]);
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &EggInfo,
            SUB,
            "realistic/site-packages/Jinja2-3.1.2-py3.11.egg-info/PKG-INFO",
        );
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/wheelegg/testdata") else {
            return;
        };
        let x = extract_in(&EggInfo, &dir, "egginfo").unwrap();
        assert_eq!(brief(&x), ["pycups@2.0.1 egginfo:2"]);
        let x = extract_in(&EggInfo, &dir, "egginfo_pkginfo").unwrap();
        assert_eq!(brief(&x), ["setuptools@57.4.0 egginfo_pkginfo:2"]);
    }
}
