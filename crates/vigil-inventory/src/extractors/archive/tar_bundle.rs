//! Tar archives of files to deploy: bundles, layers, release tarballs.
//!
//! ## Detects
//! Files named `*.tar`, `*.tar.gz` and `*.tgz` (in any case), read as
//! bytes; whether the content is gzip-compressed is told by its first
//! bytes, not its name. As in zip bundles, every regular file that an
//! extractor claims by its name (lockfiles, manifests, installed-package
//! metadata such as `site-packages/*.dist-info/METADATA` or
//! `node_modules/*/package.json`, nested archives such as JARs, wheels,
//! zips and tarballs) is read into memory and handed to that extractor, as
//! if the archive were unpacked; an entry no name claims but with an
//! executable bit or an executable's extension is handed to the extractors
//! that recognize it by its first bytes. Nested archives are opened in
//! turn, within the limits of the archive reader: nesting depth, entry
//! count, total and per-entry sizes, and the compression ratio of the
//! gzip stream as a whole.
//!
//! ## Ecosystem
//! Whatever the entries are: components keep the ecosystem of the
//! extractor that read them, located at
//! `bundle.tar.gz!/site-packages/x.dist-info/METADATA` (with the line inside
//! the entry where its format tells).
//!
//! ## Limitations
//! - Only plain and gzip-compressed tarballs: `.tar.xz`, `.tar.bz2`,
//!   `.tar.zst` are not read, nor are `.crate` and `.gem` files (tarballs
//!   by another name).
//! - Symbolic links, hard links, devices and FIFOs inside are ignored: a
//!   lockfile that is a link in the archive is not read.
//! - Entries whose names are not plain relative paths (`..`, absolute,
//!   backslashes) are skipped with a warning; nothing is ever written to
//!   disk.
//! - Files beside an entry are not read (`read_related` refuses inside
//!   archives).
//!
//! ## References
//! - <https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html>
//! - <https://www.gnu.org/software/tar/manual/html_node/Standard.html>
//! - <https://www.rfc-editor.org/rfc/rfc1952>

use std::path::Path;

use crate::archive;
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads tarballs.
#[derive(Debug, Clone, Copy)]
pub struct TarBundle;

/// The endings of tarball names (lowercase).
const ENDINGS: &[&str] = &[".tar", ".tar.gz", ".tgz"];

impl Extractor for TarBundle {
    fn name(&self) -> &'static str {
        "archive/tar"
    }

    fn matches(&self, path: &Path) -> bool {
        let name = crate::file_name(path).to_ascii_lowercase();
        ENDINGS
            .iter()
            .any(|e| name.len() > e.len() && name.ends_with(e))
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        archive::read_tar(
            input,
            &mut out,
            &mut super::bundle_want,
            &mut |container, entry, out| archive::extract_into(container, &entry, out),
        )?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{extract_with_limits, Limits};
    use crate::extractors::testutil::{brief, testdata};

    const CARGO_LOCK: &[u8] = b"version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.13.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    fn fixture_bytes(name: &str) -> Vec<u8> {
        std::fs::read(testdata("archive/tar").join(name)).unwrap()
    }

    fn run(rel: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        TarBundle.extract(&FileInput::binary(
            rel,
            Path::new(rel),
            bytes,
            Path::new("."),
        ))
    }

    fn run_limited(rel: &str, bytes: &[u8], limits: Limits) -> Extracted {
        let input = FileInput::binary(rel, Path::new(rel), bytes, Path::new("."));
        extract_with_limits(&TarBundle, &input, limits).unwrap()
    }

    /// A tar of `(name, content)` regular files, built in memory.
    fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        g.write_all(bytes).unwrap();
        g.finish().unwrap()
    }

    #[test]
    fn matches_tarballs_only() {
        for name in ["a.tar", "B.TAR.GZ", "dist/x-1.0.tgz", "layer.Tar.Gz"] {
            assert!(TarBundle.matches(Path::new(name)), "{name}");
        }
        for name in [
            "a.zip",
            ".tar",
            "tar",
            "a.gz",
            "a.tar.xz",
            "a.tar.gz.sha256",
            "x.crate",
            "y.gem",
        ] {
            assert!(!TarBundle.matches(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn a_deploy_bundle_gives_its_packages_and_ignores_links_and_devices() {
        let x = run(
            "deploy/bundle.tar.gz",
            &fixture_bytes("deploy-bundle.tar.gz"),
        )
        .unwrap();
        let layer = "deploy/bundle.tar.gz!/opt/lambda/layers/python-dependencies-layer/python/lib/python3.11/site-packages";
        assert_eq!(
            brief(&x),
            [
                "@babel/code-frame@7.0.0 deploy/bundle.tar.gz!/app/node_modules/@babel/code-frame/package.json:2".to_string(),
                "Django@4.2.11 ".to_string() + layer + "/Django-4.2.11.dist-info/METADATA:2",
                "asgiref@3.7.2 ".to_string() + layer + "/asgiref-3.7.2.dist-info/METADATA:2",
                "org.yaml:snakeyaml@2.2 deploy/bundle.tar.gz!/app/lib/snakeyaml-2.2.jar:".to_string(),
            ]
        );
        // The symbolic link, hard link, device and FIFO named like
        // lockfiles are not read, and not worth a warning.
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert!(x.not_checked.is_empty(), "{:?}", x.not_checked);
    }

    #[test]
    fn plain_tars_and_archives_in_tarballs_are_read() {
        let x = run("vendor.tar", &fixture_bytes("vendor.tar")).unwrap();
        assert_eq!(
            brief(&x),
            ["smallvec@1.13.2 vendor.tar!/vendor/Cargo.lock:5"]
        );
        let x = run("dist/release.tgz", &fixture_bytes("release.tgz")).unwrap();
        assert_eq!(
            brief(&x),
            [
                "attrs@23.2.0 dist/release.tgz!/release/wheels/attrs-23.2.0-py3-none-any.whl!/attrs-23.2.0.dist-info/METADATA:2",
                "smallvec@1.13.2 dist/release.tgz!/release/vendor.tar!/vendor/Cargo.lock:5",
            ]
        );
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        // A tarball in a zip.
        let z = crate::archive::build::zip(&[("layers/vendor.tar", &fixture_bytes("vendor.tar"))]);
        let x = crate::extractors::archive::zip_bundle::ZipBundle
            .extract(&FileInput::binary(
                "l.zip",
                Path::new("l.zip"),
                &z,
                Path::new("."),
            ))
            .unwrap();
        assert_eq!(
            brief(&x),
            ["smallvec@1.13.2 l.zip!/layers/vendor.tar!/vendor/Cargo.lock:5"]
        );
    }

    #[test]
    fn a_malformed_tarball_is_an_error_naming_it() {
        let err = run("dist/malformed.tar.gz", &fixture_bytes("malformed.tar.gz")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("dist/malformed.tar.gz: not a valid gzip-compressed tar archive"),
            "{err}"
        );
        let err = run(
            "x.tar",
            b"not a tar archive at all, but long enough to hold a header? no",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.tar: not a valid tar archive"),
            "{err}"
        );
        let err = run("x.tgz", b"\x1f\x8b\x08\x00garbage").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.tgz: not a valid gzip-compressed tar archive"),
            "{err}"
        );
        // Empty: nothing in it, nothing wrong.
        let x = run("empty.tar", b"").unwrap();
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn damage_after_the_first_entry_keeps_what_was_read() {
        let mut t = tar(&[
            ("a/Cargo.lock", CARGO_LOCK),
            ("b/requirements.txt", b"flask==3.0.2\n"),
        ]);
        // Break the second header's checksum.
        let second = t
            .windows(18)
            .position(|w| w == b"b/requirements.txt")
            .unwrap();
        t[second + 150] ^= 0x55;
        let x = run("d.tar", &t).unwrap();
        assert!(!x.components.is_empty());
        assert!(x
            .components
            .iter()
            .all(|c| c.locations[0].path == "d.tar!/a/Cargo.lock"));
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert!(
            x.diagnostics[0]
                .to_string()
                .starts_with("d.tar: stopped reading after 1 entries: the archive is damaged"),
            "{}",
            x.diagnostics[0]
        );
    }

    #[test]
    fn hostile_entry_names_are_skipped_with_warnings() {
        let x = run("bad.tar.gz", &fixture_bytes("bad-entry-names.tar.gz")).unwrap();
        assert_eq!(brief(&x), ["flask@3.0.2 bad.tar.gz!/ok/requirements.txt:1"]);
        let d: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            d,
            [
                "bad.tar.gz: entry \"../../etc/cron.d/requirements.txt\" skipped: its name climbs out of the archive (`..`) (entries are never written to disk; such names are not matched either)",
                "bad.tar.gz: entry \"/abs/requirements.txt\" skipped: its name is an absolute path (entries are never written to disk; such names are not matched either)",
            ]
        );
    }

    #[test]
    fn a_gzip_bomb_is_stopped_on_the_stream_ratio() {
        // 12 MiB of newlines: a few KiB compressed, over 100:1.
        let t = tar(&[
            ("sub/requirements.txt", b"flask==3.0.2\n"),
            ("requirements.txt", &vec![b'\n'; 12 << 20]),
            ("z/requirements.txt", b"django==4.2.11\n"),
        ]);
        let bomb = gzip(&t);
        assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
        let x = run("bomb.tar.gz", &bomb).unwrap();
        assert_eq!(
            brief(&x),
            ["flask@3.0.2 bomb.tar.gz!/sub/requirements.txt:1"]
        );
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        let d = x.diagnostics[0].to_string();
        assert!(
            d.starts_with(
                "bomb.tar.gz: stopped reading: the gzip stream unpacks to more than 100:1"
            ),
            "{d}"
        );
        // Also when the bytes are in entries nobody wants.
        let t = tar(&[("blob.dat", &vec![0u8; 12 << 20])]);
        let x = run("skip.tgz", &gzip(&t)).unwrap();
        assert!(
            x.diagnostics[0].message.contains("possible archive bomb"),
            "{:?}",
            x.diagnostics
        );
        // The same bytes uncompressed are no bomb.
        let x = run("plain.tar", &t).unwrap();
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    }

    #[test]
    fn limits_apply_to_tarballs() {
        let inner = tar(&[
            ("a/requirements.txt", b"a==1\n"),
            ("b/requirements.txt", b"b==1\n"),
        ]);
        let t = tar(&[("inner.tar", &inner), ("d/requirements.txt", b"d==1\n")]);
        // Entries: inner.tar and its 2 entries, then the limit.
        let x = run_limited(
            "t.tar",
            &t,
            Limits {
                max_entries: 3,
                ..Limits::default()
            },
        );
        assert_eq!(
            brief(&x),
            [
                "a@1 t.tar!/inner.tar!/a/requirements.txt:1",
                "b@1 t.tar!/inner.tar!/b/requirements.txt:1"
            ]
        );
        assert!(
            x.diagnostics[0]
                .to_string()
                .starts_with("t.tar: stopped reading: more than 3 entries"),
            "{:?}",
            x.diagnostics
        );
        // Per entry: inner.tar is larger than 1000 bytes.
        let x = run_limited(
            "t.tar",
            &t,
            Limits {
                max_entry_bytes: 1000,
                ..Limits::default()
            },
        );
        assert_eq!(brief(&x), ["d@1 t.tar!/d/requirements.txt:1"]);
        assert!(
            x.diagnostics[0].to_string().starts_with(
                "t.tar!/inner.tar: refused: it unpacks to more than the 1000-byte limit"
            ),
            "{:?}",
            x.diagnostics
        );
        // The tree's total: every byte of the stream counts.
        let x = run_limited(
            "t.tar",
            &t,
            Limits {
                max_total_bytes: 2048,
                ..Limits::default()
            },
        );
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        assert!(
            x.diagnostics[0]
                .message
                .contains("unpack to more than 2048 bytes"),
            "{:?}",
            x.diagnostics
        );
        // Nesting.
        let mut bytes = tar(&[("requirements.txt", b"deep==1\n")]);
        for level in (1..10).rev() {
            bytes = tar(&[(&format!("l{level}.tar"), &bytes)]);
        }
        let x = run("l0.tar", &bytes).unwrap();
        assert!(x.components.is_empty());
        assert!(
            x.diagnostics[0]
                .message
                .starts_with("not opened: archives nested more than 8 deep"),
            "{:?}",
            x.diagnostics
        );
    }

    #[test]
    fn executables_are_sniffed() {
        let mut b = tar::Builder::new(Vec::new());
        let data = b"#!/bin/sh\necho hi\n";
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, "bin/run", &data[..]).unwrap();
        let t = b.into_inner().unwrap();
        let x = run("tools.tar", &t).unwrap();
        assert!(
            x.components.is_empty() && x.diagnostics.is_empty(),
            "{:?}",
            x.diagnostics
        );
    }

    #[test]
    fn survives_truncation_and_corruption() {
        let t = fixture_bytes("release.tgz");
        for cut in 0..t.len() {
            let _ = run("r.tgz", &t[..cut]);
        }
        for i in 0..t.len() {
            let mut bad = t.clone();
            bad[i] ^= 0x5a;
            let _ = run("r.tgz", &bad);
        }
    }
}
