//! `*.dist-info/METADATA`: an installed Python distribution.
//!
//! ## Detects
//! Files named `METADATA` directly inside a folder whose name ends with
//! `.dist-info`, as pip, uv and other installers write them into
//! `site-packages` and `dist-packages` (any core metadata version).
//!
//! ## Ecosystem
//! PyPI. The file describes one installed package: its `Name` and `Version`
//! headers as written, located at the line of `Name`. The declared license
//! is the `License-Expression` header (an SPDX expression, core metadata
//! 2.4) or, without it, the one-line `License` header as written (left out
//! when it is `UNKNOWN` or longer than a line, as when a whole license text
//! is pasted in). The dependencies are the project names of its
//! `Requires-Dist` headers, without their version specifiers, extras and
//! markers; requirements that apply only when an extra is asked for
//! (`; extra == "test"`) are left out: they are installed only with it.
//!
//! ## Limitations
//! - `direct`, `dev` and `optional` are unknown: an installed package does
//!   not say who asked for it.
//! - Environment markers of `Requires-Dist` other than `extra` are not
//!   evaluated: a dependency for another Python version is still listed.
//! - A `License` header that is not an SPDX identifier (`BSD`, `Apache
//!   License, Version 2.0`) is reported as written; license classifiers are
//!   not read.
//! - Headers end at the first line that is neither a header nor a
//!   continuation, as in Python's own parser; headers after it are not read.
//! - A repeated `Name` or `Version` header gives a warning; the first one
//!   is used, as Python's `importlib.metadata` does.
//! - The package's `RECORD` (its files and their hashes) is not read.
//!
//! ## References
//! - <https://packaging.python.org/en/latest/specifications/core-metadata/>
//! - <https://packaging.python.org/en/latest/specifications/recording-installed-packages/>
//! - <https://peps.python.org/pep-0639/> (`License-Expression`)

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use super::{normalize_name, requirement_name};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `*.dist-info/METADATA`.
#[derive(Debug, Clone, Copy)]
pub struct DistInfo;

impl Extractor for DistInfo {
    fn name(&self) -> &'static str {
        "python/dist-info"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "METADATA"
            && path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".dist-info"))
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        read_metadata(input, "METADATA")
    }
}

/// One header of a metadata file.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    /// Its name as written (compare without case).
    pub(crate) name: &'a str,
    /// Its value, continuation lines joined with `\n`.
    pub(crate) value: String,
    /// The 1-based line where it starts.
    pub(crate) line: u32,
    /// Whether it goes on over continuation lines.
    pub(crate) continued: bool,
}

/// The name of a header line `Name: value` (printable ASCII other than
/// `:`, then `:`), and its value.
fn split_header(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let ok = !name.is_empty() && name.bytes().all(|b| (0x21..=0x7e).contains(&b));
    ok.then_some((name, value))
}

/// The headers of a metadata text (RFC 822 style): up to the first empty
/// line (a line of blanks is a continuation), or the first line that is neither a header nor a continuation.
///
/// Returns the headers and, when the first line is not a header, its line
/// number.
pub(crate) fn headers(text: &str) -> Result<Vec<Header<'_>>, u32> {
    let mut out: Vec<Header<'_>> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            match out.last_mut() {
                Some(h) => {
                    h.value.push('\n');
                    h.value.push_str(line.trim());
                    h.continued = true;
                    continue;
                }
                None => return Err(line_no),
            }
        }
        match split_header(line) {
            Some((name, value)) => out.push(Header {
                name,
                value: value.trim().to_string(),
                line: line_no,
                continued: false,
            }),
            None if out.is_empty() => return Err(line_no),
            None => break,
        }
    }
    Ok(out)
}

/// Reads a core metadata file (`METADATA`, `PKG-INFO`) into its one
/// component. `format` names the file in messages.
pub(crate) fn read_metadata(
    input: &FileInput<'_>,
    format: &str,
) -> Result<Extracted, ExtractError> {
    let mut out = Extracted::default();
    if input.contents.trim().is_empty() {
        return Ok(out);
    }
    let headers = headers(input.contents).map_err(|line| {
        input.malformed(
            Some(line),
            format!("not a valid {format} file: this line is not a `Name: value` header"),
        )
    })?;
    let all = |key: &str| -> Vec<&Header<'_>> {
        headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(key))
            .collect()
    };
    let first = |key: &str| -> Option<&Header<'_>> {
        let found = all(key);
        found.first().copied()
    };
    for key in ["Name", "Version"] {
        let found = all(key);
        if let [first, second, ..] = found.as_slice() {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                Some(second.line),
                format!(
                    "`{key}` is given {} times; the first (`{}`, line {}) is used",
                    found.len(),
                    first.value,
                    first.line
                ),
            ));
        }
    }
    let name = first("Name").ok_or_else(|| {
        input.malformed(
            Some(1),
            format!("not a valid {format} file: no `Name` header"),
        )
    })?;
    if name.value.is_empty() || name.continued {
        return Err(input.malformed(
            Some(name.line),
            format!("not a valid {format} file: `Name` is empty or spans several lines"),
        ));
    }
    let version = first("Version").ok_or_else(|| {
        input.malformed(
            Some(name.line),
            format!(
                "not a valid {format} file: `{}` has no `Version` header",
                name.value
            ),
        )
    })?;
    if version.value.is_empty() || version.continued {
        return Err(input.malformed(
            Some(version.line),
            format!("not a valid {format} file: `Version` is empty or spans several lines"),
        ));
    }

    let mut deps: Vec<String> = Vec::new();
    for h in all("Requires-Dist") {
        let (req, marker) = h.value.split_once(';').unwrap_or((h.value.as_str(), ""));
        if mentions_extra(marker) {
            continue;
        }
        let dep = requirement_name(req);
        if !dep.is_empty()
            && !deps
                .iter()
                .any(|d| normalize_name(d) == normalize_name(dep))
        {
            deps.push(dep.to_string());
        }
    }
    deps.sort();

    out.components.push(
        Component::new(Ecosystem::PyPI, name.value.as_str(), version.value.as_str())
            .at(input.rel_path, Some(name.line))
            .depends_on(deps)
            .license(license(first("License-Expression"), first("License"))),
    );
    Ok(out)
}

/// Whether an environment marker tests `extra` (a word of its own, not part
/// of another name).
fn mentions_extra(marker: &str) -> bool {
    marker
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == "extra")
}

/// The declared license: the SPDX `License-Expression`, else a one-line
/// `License` as written.
fn license(expression: Option<&Header<'_>>, free: Option<&Header<'_>>) -> Option<String> {
    if let Some(e) = expression.filter(|e| !e.value.is_empty() && !e.continued) {
        return vigil_model::license::normalize(&e.value);
    }
    let free = free.filter(|l| !l.continued)?;
    let text = free.value.trim();
    let useless = text.is_empty()
        || text.len() > 100
        || ["UNKNOWN", "NONE", "N/A"]
            .iter()
            .any(|u| text.eq_ignore_ascii_case(u));
    if useless {
        return None;
    }
    vigil_model::license::normalize(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, view,
    };

    const SUB: &str = "python/dist_info";

    fn read(rel: &str) -> Extracted {
        fixture(&DistInfo, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_metadata_in_dist_info_folders() {
        let m = |p: &str| DistInfo.matches(Path::new(p));
        assert!(m(
            "venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA"
        ));
        assert!(m("x.dist-info/METADATA"));
        assert!(!m("METADATA"));
        assert!(!m("site-packages/requests/METADATA"));
        assert!(!m("site-packages/requests-2.31.0.dist-info/RECORD"));
        assert!(!m("site-packages/requests-2.31.0.egg-info/PKG-INFO"));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/site-packages/empty-0.1.dist-info/METADATA");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        let rel = "malformed/site-packages/broken-1.0.dist-info/METADATA";
        let err = fixture(&DistInfo, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{rel}:1: not a valid METADATA file: this line is not a `Name: value` header")
        );
        let rel = "missing-version/site-packages/noversion-1.0.dist-info/METADATA";
        let err = fixture(&DistInfo, SUB, rel).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{rel}:2: not a valid METADATA file: `noversion` has no `Version` header")
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/site-packages/six-1.16.0.dist-info/METADATA");
        assert_eq!(
            brief(&x),
            ["six@1.16.0 one-package/site-packages/six-1.16.0.dist-info/METADATA:2"]
        );
        let c = one(&x, "six", "1.16.0");
        assert_eq!(c.purl, "pkg:pypi/six@1.16.0");
        assert_eq!((c.direct, c.dev, c.optional), (None, None, None));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert!(c.dependencies.is_empty());
    }

    #[test]
    fn realistic_metadata() {
        let x = read("realistic/site-packages/requests-2.31.0.dist-info/METADATA");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let c = one(&x, "requests", "2.31.0");
        assert_eq!(line(c), Some(2));
        // The extras' requirements (`socks`, `use_chardet_on_py3`) are left out.
        assert_eq!(
            c.dependencies,
            ["certifi", "charset-normalizer", "idna", "urllib3"]
        );
        assert_eq!(c.license.as_deref(), Some("Apache-2.0"));
        insta::assert_json_snapshot!("dist_info_realistic", view(&x));
    }

    #[test]
    fn license_expression_wins_over_license() {
        let x = read("license-expression/site-packages/attrs-25.3.0.dist-info/METADATA");
        let c = one(&x, "attrs", "25.3.0");
        assert_eq!(c.license.as_deref(), Some("MIT"));
        let x = read("license-text/site-packages/idna-3.6.dist-info/METADATA");
        // A pasted license text is not a license name.
        assert_eq!(one(&x, "idna", "3.6").license, None);
    }

    #[test]
    fn header_rules() {
        let h = headers("Name: a\nSummary: x\n  more\nVersion: 1\n\nName: body").unwrap();
        let names: Vec<&str> = h.iter().map(|h| h.name).collect();
        assert_eq!(names, ["Name", "Summary", "Version"]);
        assert_eq!(h[1].value, "x\nmore");
        assert!(h[1].continued);
        assert_eq!(h[2].line, 4);
        assert_eq!(headers(" x\nName: a").unwrap_err(), 1);
        assert_eq!(headers("just text").unwrap_err(), 1);
        assert!(mentions_extra(" extra == 'socks'"));
        assert!(mentions_extra("python_version<'3' and extra=='x'"));
        assert!(!mentions_extra(" python_version < '3.8' and extras_x"));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &DistInfo,
            SUB,
            "realistic/site-packages/requests-2.31.0.dist-info/METADATA",
        );
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/wheelegg/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&DistInfo, &dir, f);

        let x = run("distinfo_meta").unwrap();
        assert_eq!(brief(&x), ["pip@22.2.2 distinfo_meta:2"]);
        assert_eq!(x.components[0].license.as_deref(), Some("MIT"));

        let x = run("pyopenssl-26.0.0.dist-info").unwrap();
        assert_eq!(brief(&x), ["pyOpenSSL@26.0.0 pyopenssl-26.0.0.dist-info:2"]);
        let c = &x.components[0];
        assert_eq!(c.dependencies, ["cryptography", "typing-extensions"]);
        assert_eq!(c.license.as_deref(), Some("Apache License, Version 2.0"));
        assert_eq!(c.purl, "pkg:pypi/pyopenssl@26.0.0");

        // Header names are not case-sensitive.
        assert_eq!(
            brief(&run("mixed_case").unwrap()),
            ["httplib2@1.0 mixed_case:2"]
        );
        assert_eq!(
            brief(&run("special_chars").unwrap()),
            ["backports.ssl_match_hostname@3.5.0.1 special_chars:2"]
        );
        assert_eq!(
            brief(&run("pkginfo").unwrap()),
            ["httplib2@0.20.4 pkginfo:2"]
        );
        let x = run("egginfo").unwrap();
        assert_eq!(brief(&x), ["pycups@2.0.1 egginfo:2"]);
        assert_eq!(x.components[0].license.as_deref(), Some("GPL-2.0-or-later"));
        let x = run("egginfo_pkginfo").unwrap();
        assert_eq!(brief(&x), ["setuptools@57.4.0 egginfo_pkginfo:2"]);
        assert_eq!(x.components[0].license, None);

        // A keyword list broken over lines without indentation ends the
        // headers there; name and version came before it.
        let x = run("malformed_pkginfo").unwrap();
        assert_eq!(brief(&x), ["passlib@1.7.4 malformed_pkginfo:2"]);
        assert_eq!(x.components[0].license.as_deref(), Some("BSD"));

        // A repeated Version: the first is used, with a warning.
        let x = run("repeated_pkginfo").unwrap();
        assert_eq!(brief(&x), ["root@1.0.0 repeated_pkginfo:2"]);
        assert_eq!(x.components[0].dependencies, ["dep1", "dep2", "dep3"]);
        let diags: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            diags,
            ["repeated_pkginfo:4: `Version` is given 3 times; the first (`1.0.0`, line 3) is used"]
        );
    }
}
