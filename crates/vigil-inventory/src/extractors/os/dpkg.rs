//! `var/lib/dpkg/status` and `var/lib/dpkg/status.d/*`: the packages dpkg
//! installed (Debian, Ubuntu and their derivatives; distroless images).
//!
//! ## Detects
//! `var/lib/dpkg/status` relative to the scan root, and every file directly
//! in `var/lib/dpkg/status.d/` except the `*.md5sums` lists beside them
//! (distroless images write one file per package there, holding one or
//! more stanzas, instead of a `status` file).
//!
//! ## Ecosystem
//! Debian until the distribution is known: [`crate::os::OsRelease::apply`]
//! makes the packages Ubuntu's on Ubuntu and sets the release. Each stanza
//! (paragraphs separated by blank lines, `Field: value` lines, continuation
//! lines starting with a space or tab) is one package: `Package` and
//! `Version`, located at the line of `Package:`. `Source: name` or
//! `Source: name (version)` names the source package the binary was built
//! from, which is what Debian and Ubuntu advisories name; without it the
//! source is the package itself. `Architecture` becomes the purl's `arch`
//! qualifier, the source its `upstream` qualifier.
//!
//! Only packages whose files are on disk count: the state (the third word
//! of `Status:`) is `installed`, `unpacked`, `half-configured`,
//! `triggers-awaited` or `triggers-pending`. A package removed with its
//! configuration kept (`deinstall ok config-files`), half-installed or
//! not installed is skipped. Distroless stanzas have no `Status:` and are
//! installed.
//!
//! A stanza without `Package` or `Version` is a diagnostic; a line that is
//! neither a field nor a continuation makes the file malformed (dpkg
//! writes these files; one that does not parse is not trusted).
//!
//! ## Limitations
//! - The license is not in the status file (it is in
//!   `/usr/share/doc/<package>/copyright`, free text): none is reported.
//! - `direct`, `dev` and `optional` are unknown.
//!
//! ## References
//! - deb-control(5), deb-src-control(5) and dpkg-query(1) (`Status` states)
//! - <https://www.debian.org/doc/debian-policy/ch-controlfields.html>
//!
//! The stanza splitter is written here: the format is a few lines of
//! rules, and the line of each field is needed for locations.

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads dpkg's status database.
#[derive(Debug, Clone, Copy)]
pub struct DpkgStatus;

impl Extractor for DpkgStatus {
    fn name(&self) -> &'static str {
        "os/dpkg-status"
    }

    fn matches(&self, path: &Path) -> bool {
        let rel = super::rel_str(path);
        if rel == "var/lib/dpkg/status" {
            return true;
        }
        match rel.strip_prefix("var/lib/dpkg/status.d/") {
            Some(file) => !file.is_empty() && !file.contains('/') && !file.ends_with(".md5sums"),
            None => false,
        }
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        for stanza in stanzas(input)? {
            if let Some(c) = package(input, &stanza, &mut out.diagnostics) {
                out.components.push(c);
            }
        }
        Ok(out)
    }
}

/// One field of a stanza: name, value (continuation lines joined with
/// `\n`), line.
struct Field<'a> {
    name: &'a str,
    value: String,
    line: u32,
}

/// One paragraph: its fields and the line where it starts.
struct Stanza<'a> {
    fields: Vec<Field<'a>>,
    line: u32,
}

impl Stanza<'_> {
    fn get(&self, name: &str) -> Option<&Field<'_>> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.get(name)
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Splits the file into stanzas.
fn stanzas<'a>(input: &FileInput<'a>) -> Result<Vec<Stanza<'a>>, ExtractError> {
    let mut out = Vec::new();
    let mut current: Option<Stanza<'a>> = None;
    for (i, raw) in input.contents.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if raw.trim().is_empty() {
            out.extend(current.take());
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            let Some(field) = current.as_mut().and_then(|s| s.fields.last_mut()) else {
                return Err(input.malformed(
                    Some(line),
                    "not a dpkg status file: a continuation line with no field before it",
                ));
            };
            field.value.push('\n');
            field.value.push_str(raw.trim());
            continue;
        }
        let Some((name, value)) = raw.split_once(':') else {
            return Err(input.malformed(
                Some(line),
                format!(
                    "not a dpkg status file: `{}` is not a `Field: value` line",
                    raw.trim()
                ),
            ));
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(input.malformed(
                Some(line),
                format!("not a dpkg status file: `{name}` is not a field name"),
            ));
        }
        let stanza = current.get_or_insert_with(|| Stanza {
            fields: Vec::new(),
            line,
        });
        stanza.fields.push(Field {
            name,
            value: value.trim().to_string(),
            line,
        });
    }
    out.extend(current);
    Ok(out)
}

/// Whether a `Status:` value says the package's files are on disk.
fn files_on_disk(status: &str) -> bool {
    matches!(
        status.split_whitespace().nth(2),
        Some(
            "installed" | "unpacked" | "half-configured" | "triggers-awaited" | "triggers-pending"
        )
    )
}

/// The component of one stanza, or `None` (with a diagnostic when it is
/// incomplete) when it is not an installed package.
fn package(
    input: &FileInput<'_>,
    stanza: &Stanza<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Component> {
    if let Some(status) = stanza.value("Status") {
        if !files_on_disk(status) {
            return None;
        }
    }
    let Some(name_field) = stanza.get("Package").filter(|f| !f.value.is_empty()) else {
        diagnostics.push(Diagnostic::warning(
            input.rel_path,
            Some(stanza.line),
            "a package stanza without `Package:` is skipped",
        ));
        return None;
    };
    let name = name_field.value.as_str();
    let Some(version) = stanza.value("Version") else {
        diagnostics.push(Diagnostic::warning(
            input.rel_path,
            Some(name_field.line),
            format!("package `{name}` has no `Version:`; it is skipped"),
        ));
        return None;
    };
    let (source_name, source_version) = match stanza.value("Source") {
        Some(src) => match src.split_once('(') {
            Some((n, v)) => (n.trim(), Some(v.trim_end().trim_end_matches(')').trim())),
            None => (src.trim(), None),
        },
        None => (name, None),
    };
    let source_version = source_version.filter(|v| !v.is_empty() && *v != version);
    let upstream = match source_version {
        Some(v) => format!("{source_name}@{v}"),
        None => source_name.to_string(),
    };
    let arch = stanza.value("Architecture").unwrap_or("");
    let mut c = Component::new(Ecosystem::Debian, name, version)
        .at(input.rel_path, Some(name_field.line))
        .source(source_name, source_version.map(str::to_string));
    c.purl = super::purl(
        Ecosystem::Debian,
        name,
        version,
        &[("arch", arch), ("upstream", &upstream)],
    );
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::*;
    use std::path::PathBuf;

    fn samples() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lockfile-samples/os/dpkg/testdata/dpkg"
        ))
    }

    /// Runs the extractor on a shared sample as if it were the status file.
    fn sample(name: &str) -> Result<Extracted, ExtractError> {
        let root = samples().canonicalize().unwrap();
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let input = FileInput::new("var/lib/dpkg/status", &path, &text, &root);
        DpkgStatus.extract(&input)
    }

    #[test]
    fn matches_the_database_paths_only() {
        for p in [
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/base",
            "var/lib/dpkg/status.d/libglib2.0-0",
        ] {
            assert!(DpkgStatus.matches(Path::new(p)), "{p}");
        }
        for p in [
            "var/lib/dpkg/status-old",
            "var/lib/dpkg/status.d/foo.md5sums",
            "var/lib/dpkg/status.d/sub/x",
            "app/var/lib/dpkg/status",
            "status",
        ] {
            assert!(!DpkgStatus.matches(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn reads_the_real_status_sample() {
        let x = sample("valid").unwrap();
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(x.components.len(), 7, "{:#?}", brief(&x));
        let acl = one(&x, "acl", "2.3.1-3");
        assert_eq!(line(acl), Some(19));
        assert_eq!(acl.source.as_ref().unwrap().name, "acl");
        assert_eq!(
            acl.purl,
            "pkg:deb/debian/acl@2.3.1-3?arch=amd64&upstream=acl"
        );
        // `Source: util-linux (2.38.1-5)`: the source has its own version.
        let by_util_linux: Vec<&Component> = x
            .components
            .iter()
            .filter(|c| c.source.as_ref().unwrap().name == "util-linux")
            .collect();
        assert_eq!(by_util_linux.len(), 1);
        let c = by_util_linux[0];
        assert_eq!(c.advisory_key(), ("util-linux", "2.38.1-5"));
        assert!(
            c.purl.contains("upstream=util-linux%402.38.1-5"),
            "{}",
            c.purl
        );
        assert!(c.release.is_none());
        assert!(x
            .components
            .iter()
            .all(|c| c.ecosystem == Ecosystem::Debian));
    }

    #[test]
    fn only_packages_with_files_on_disk_count() {
        let x = sample("statusfield").unwrap();
        assert_eq!(
            brief(&x),
            [
                "wantdeinstall_installed@1.0 var/lib/dpkg/status:5",
                "wantinstall_installed@1.0 var/lib/dpkg/status:1",
                "wantinstall_unpacked@1.0 var/lib/dpkg/status:13",
                "wantnostatus@1.0 var/lib/dpkg/status:25",
                // `purge ok installed`: to be purged, still installed.
                "wantpurge_installed@1.0 var/lib/dpkg/status:17",
            ]
        );
    }

    #[test]
    fn incomplete_stanzas_are_diagnostics_and_garbage_is_malformed() {
        let x = sample("nopackage").unwrap();
        assert_eq!(
            brief(&x),
            [
                "bar@2.0 var/lib/dpkg/status:20",
                "foo@1.0 var/lib/dpkg/status:1"
            ]
        );
        assert_eq!(x.diagnostics.len(), 1);
        assert!(x.diagnostics[0].message.contains("without `Package:`"));
        let x = sample("noversion").unwrap();
        assert_eq!(
            brief(&x),
            [
                "bar@2.0 var/lib/dpkg/status:20",
                "foo@1.0 var/lib/dpkg/status:1"
            ]
        );
        assert_eq!(x.diagnostics.len(), 1);
        assert_eq!(x.diagnostics[0].line, Some(5));
        let err = sample("invalid").unwrap_err();
        assert_eq!(err.line(), Some(1), "{err}");
        assert!(err.to_string().contains("not a dpkg status file"), "{err}");
    }

    #[test]
    fn transitional_packages_name_their_source() {
        let x = sample("transitional_dummy").unwrap();
        let c = one(&x, "git-core", "1:2.14.2-1");
        assert_eq!(c.advisory_key(), ("git", "1:2.14.2-1"));
        let x = sample("trailingnewlines").unwrap();
        assert!(!x.components.is_empty());
    }

    #[test]
    fn distroless_status_d_files() {
        let root = samples().canonicalize().unwrap();
        let path = root.join("status.d/foo");
        let text = std::fs::read_to_string(&path).unwrap();
        let input = FileInput::new("var/lib/dpkg/status.d/foo", &path, &text, &root);
        let x = DpkgStatus.extract(&input).unwrap();
        // `bar` was removed with its configuration kept.
        assert_eq!(brief(&x), ["foo@1.2.3 var/lib/dpkg/status.d/foo:1"]);
    }

    #[test]
    fn own_fixtures() {
        let x = fixture(&DpkgStatus, "os/dpkg/good", "var/lib/dpkg/status").unwrap();
        assert_eq!(
            brief(&x),
            [
                "libssl3@3.0.11-1~deb12u1 var/lib/dpkg/status:9",
                "openssl@3.0.11-1~deb12u1 var/lib/dpkg/status:1",
                "zlib1g@1:1.2.13.dfsg-1+b1 var/lib/dpkg/status:18",
            ]
        );
        let z = one(&x, "zlib1g", "1:1.2.13.dfsg-1+b1");
        assert_eq!(z.advisory_key(), ("zlib", "1:1.2.13.dfsg-1"));
        let x = fixture(&DpkgStatus, "os/dpkg/empty", "var/lib/dpkg/status").unwrap();
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
        let err = fixture(&DpkgStatus, "os/dpkg/malformed", "var/lib/dpkg/status").unwrap_err();
        assert_eq!(err.line(), Some(3), "{err}");
        survives_truncation(&DpkgStatus, "os/dpkg/good", "var/lib/dpkg/status");
    }
}
