//! `lib/apk/db/installed`: the packages apk installed (Alpine Linux,
//! Wolfi, Chainguard images).
//!
//! ## Detects
//! `lib/apk/db/installed` relative to the scan root.
//!
//! ## Ecosystem
//! Alpine. The database is blocks of `X:value` lines separated by blank
//! lines, one block per package: `P:` the name, `V:` the version, `o:`
//! the origin (the aport the package was built from, which Alpine's
//! advisories name; without it the package is its own origin), `L:` the
//! license (SPDX-like; kept as written), `A:` the architecture (the purl's
//! `arch` qualifier, with the origin as `upstream`), `c:` the aports
//! commit. Located at the line of `P:`. The release comes from
//! `etc/os-release` (see [`crate::os`]).
//!
//! A block without `P:` or `V:` is a diagnostic; a line that is not
//! `X:value` makes the file malformed.
//!
//! ## Limitations
//! - `direct`, `dev` and `optional` are unknown (`etc/apk/world` lists
//!   what was asked for; it is not read).
//!
//! ## References
//! - <https://wiki.alpinelinux.org/wiki/Apk_spec> (the installed database)

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads apk's installed database.
#[derive(Debug, Clone, Copy)]
pub struct ApkInstalled;

impl Extractor for ApkInstalled {
    fn name(&self) -> &'static str {
        "os/apk-installed"
    }

    fn matches(&self, path: &Path) -> bool {
        super::rel_str(path) == "lib/apk/db/installed"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let mut block: Vec<(char, &str, u32)> = Vec::new();
        for (i, raw) in input.contents.lines().enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if raw.trim().is_empty() {
                flush(input, &mut block, &mut out);
                continue;
            }
            let mut chars = raw.chars();
            let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
                return Err(input.malformed(
                    Some(line),
                    format!(
                        "not an apk installed database: `{}` is not a `X:value` line",
                        raw.trim()
                    ),
                ));
            };
            block.push((key, chars.as_str().trim(), line));
        }
        flush(input, &mut block, &mut out);
        Ok(out)
    }
}

/// Turns one block into a component (or a diagnostic) and empties it.
fn flush(input: &FileInput<'_>, block: &mut Vec<(char, &str, u32)>, out: &mut Extracted) {
    if block.is_empty() {
        return;
    }
    let get = |k: char| {
        block
            .iter()
            .find(|(key, v, _)| *key == k && !v.is_empty())
            .map(|(_, v, line)| (*v, *line))
    };
    let first_line = block.first().map(|(_, _, l)| *l);
    match (get('P'), get('V')) {
        (Some((name, line)), Some((version, _))) => {
            let origin = get('o').map_or(name, |(o, _)| o);
            let arch = get('A').map_or("", |(a, _)| a);
            let mut c = Component::new(Ecosystem::Alpine, name, version)
                .at(input.rel_path, Some(line))
                .license(get('L').map(|(l, _)| l.to_string()))
                .source(origin, None);
            c.purl = super::purl(
                Ecosystem::Alpine,
                name,
                version,
                &[("arch", arch), ("upstream", origin)],
            );
            out.components.push(c);
        }
        (Some((name, line)), None) => out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            Some(line),
            format!("package `{name}` has no `V:` (version); it is skipped"),
        )),
        (None, _) => out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            first_line,
            "a package block without `P:` (name) is skipped",
        )),
    }
    block.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::*;
    use std::path::PathBuf;

    fn sample(name: &str) -> Result<Extracted, ExtractError> {
        let root = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lockfile-samples/os/apk/testdata"
        ))
        .canonicalize()
        .unwrap();
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let input = FileInput::new("lib/apk/db/installed", &path, &text, &root);
        ApkInstalled.extract(&input)
    }

    #[test]
    fn matches_the_database_path_only() {
        assert!(ApkInstalled.matches(Path::new("lib/apk/db/installed")));
        assert!(!ApkInstalled.matches(Path::new("x/lib/apk/db/installed")));
        assert!(!ApkInstalled.matches(Path::new("lib/apk/db/installed.bak")));
    }

    #[test]
    fn reads_the_real_installed_sample() {
        let x = sample("installed").unwrap();
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(x.components.len(), 15, "{:#?}", brief(&x));
        let c = one(&x, "alpine-baselayout", "3.4.3-r1");
        assert_eq!(line(c), Some(2));
        assert_eq!(c.license.as_deref(), Some("GPL-2.0-only"));
        assert_eq!(
            c.purl,
            "pkg:apk/alpine/alpine-baselayout@3.4.3-r1?arch=x86_64&upstream=alpine-baselayout"
        );
        // A subpackage names its origin.
        let libcrypto = x
            .components
            .iter()
            .find(|c| c.name.starts_with("libcrypto"))
            .unwrap();
        assert_eq!(libcrypto.advisory_key().0, "openssl");
    }

    #[test]
    fn without_origin_the_package_is_its_own_source() {
        let x = sample("no-origin").unwrap();
        let c = one(&x, "pkgname", "1.2.3");
        assert_eq!(c.advisory_key(), ("pkgname", "1.2.3"));
        let err = sample("invalid").unwrap_err();
        assert_eq!(err.line(), Some(1), "{err}");
    }

    #[test]
    fn own_fixtures() {
        let x = fixture(&ApkInstalled, "os/apk/good", "lib/apk/db/installed").unwrap();
        assert_eq!(
            brief(&x),
            [
                "libcrypto3@3.1.4-r0 lib/apk/db/installed:9",
                "musl@1.2.4-r2 lib/apk/db/installed:1",
            ]
        );
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert_eq!(x.diagnostics[0].line, Some(17));
        let x = fixture(&ApkInstalled, "os/apk/empty", "lib/apk/db/installed").unwrap();
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
        let err = fixture(&ApkInstalled, "os/apk/malformed", "lib/apk/db/installed").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
        survives_truncation(&ApkInstalled, "os/apk/good", "lib/apk/db/installed");
    }
}
