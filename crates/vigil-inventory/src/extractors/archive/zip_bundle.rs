//! Zip archives of files to deploy: bundles, Python wheels and eggs.
//!
//! ## Detects
//! Files named `*.zip` (an AWS Lambda bundle or layer with vendored
//! `python/lib/python3.x/site-packages/` or `nodejs/node_modules/`, a
//! release archive), Python wheels `*.whl` and eggs `*.egg` (in any case),
//! read as bytes. Every entry that an extractor claims by its name
//! (lockfiles, manifests, installed-package metadata such as
//! `*.dist-info/METADATA` and `EGG-INFO/PKG-INFO`, nested archives) is read
//! and handed to that extractor, as if the archive were unpacked; an entry
//! no name claims but with an executable bit or an executable's extension is
//! handed to the extractors that recognize it by its first bytes. Nested
//! archives are opened in turn, within the limits of the archive reader
//! (nesting depth, entry count, total and per-entry sizes, compression
//! ratio).
//!
//! ## Ecosystem
//! Whatever the entries are: components keep the ecosystem of the
//! extractor that read them, located at `bundle.zip!/path/in/archive`
//! (with the line inside the entry where its format tells). For a wheel or
//! an egg in which no entry gave the package itself (no installed-package
//! metadata read), the package is taken from the file name, which the
//! formats standardize (`<name>-<version>-<python>-<abi>-<platform>.whl`,
//! `<name>-<version>-py<x.y>.egg`): a PyPI component located at the
//! archive.
//!
//! ## Limitations
//! - Only zip archives here: tarballs are read by `archive/tar`; `.7z` and
//!   `.rar` are not read.
//! - Files beside an entry are not read (`read_related` refuses inside
//!   archives): a `requirements.txt` that includes another is read alone.
//! - Entries whose names are not plain relative paths (`..`, absolute,
//!   backslashes) are skipped with a warning; nothing is ever written to
//!   disk.
//!
//! ## References
//! - <https://packaging.python.org/en/latest/specifications/binary-distribution-format/>
//! - <https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html>
//! - <https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html>
//! - <https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT>

use std::path::Path;

use vigil_model::{Component, Ecosystem};

use crate::archive;
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads zip bundles, wheels and eggs.
#[derive(Debug, Clone, Copy)]
pub struct ZipBundle;

/// The extensions of zip bundles.
const EXTENSIONS: &[&str] = &["zip", "whl", "egg"];

impl Extractor for ZipBundle {
    fn name(&self) -> &'static str {
        "archive/zip"
    }

    fn matches(&self, path: &Path) -> bool {
        archive::has_extension(crate::file_name(path), EXTENSIONS)
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        archive::read_zip(
            input,
            "zip archive",
            &mut out,
            &mut super::bundle_want,
            &mut |container, entry, out| archive::extract_into(container, &entry, out),
        )?;
        python_package_from_file_name(input, &mut out);
        Ok(out)
    }
}

/// For a wheel or an egg whose metadata gave no package: the package its
/// file name names.
fn python_package_from_file_name(input: &FileInput<'_>, out: &mut Extracted) {
    let file = crate::file_name(Path::new(input.rel_path));
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return;
    };
    let wheel = ext.eq_ignore_ascii_case("whl");
    if !wheel && !ext.eq_ignore_ascii_case("egg") {
        return;
    }
    let inside = format!("{}!/", input.rel_path);
    let has_own = out.components.iter().any(|c| {
        c.ecosystem == Ecosystem::PyPI
            && c.locations.iter().any(|l| {
                l.path.strip_prefix(&inside).is_some_and(|p| {
                    !p.contains("!/") && (p.contains(".dist-info/") || p.starts_with("EGG-INFO/"))
                })
            })
    });
    if has_own {
        return;
    }
    let parts: Vec<&str> = stem.split('-').collect();
    // A wheel has 5 or 6 parts; an egg 2 to 4.
    let fits = if wheel {
        (5..=6).contains(&parts.len())
    } else {
        (2..=4).contains(&parts.len())
    };
    match (fits, parts.first(), parts.get(1)) {
        (true, Some(name), Some(version))
            if !name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            out.components
                .push(Component::new(Ecosystem::PyPI, *name, *version).at(input.rel_path, None));
        }
        _ => out.diagnostics.push(vigil_model::Diagnostic::warning(
            input.rel_path,
            None,
            format!(
                "no package metadata inside, and the file name is not `<name>-<version>-...{}`",
                if wheel { ".whl" } else { ".egg" }
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{build, extract_with_limits, Limits};
    use crate::extractors::testutil::{brief, view};

    const REQUIREMENTS: &[u8] = b"requests==2.31.0\nurllib3==2.0.7 \\\n    --hash=sha256:fdb6d215c776278489906c2f8916e6e7d4f5a9b602ccbcfdf7f016fc8da0596e\n";
    const CARGO_LOCK: &[u8] = b"version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.13.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    const PACKAGE_LOCK: &[u8] = br#"{
  "name": "handler",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "handler", "version": "1.0.0", "dependencies": { "uuid": "^9.0.1" } },
    "node_modules/uuid": {
      "version": "9.0.1",
      "resolved": "https://registry.npmjs.org/uuid/-/uuid-9.0.1.tgz",
      "integrity": "sha512-b+1eJOlsR9K8HJpow9Ok3fiWOWSIcIzXodvv0rQjVoOVNpWMpxf1wZNpt4y9h10odCNrqnYp1OBzRktckBe3sA=="
    }
  }
}
"#;

    fn run(rel: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        let root = Path::new(".");
        ZipBundle.extract(&FileInput::binary(rel, Path::new(rel), bytes, root))
    }

    fn jar() -> Vec<u8> {
        build::zip(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"groupId=org.yaml\nartifactId=snakeyaml\nversion=2.2\n",
        )])
    }

    fn lambda_bundle() -> Vec<u8> {
        build::zip(&[
            ("handler.py", b"def handler(event, context): pass\n"),
            ("requirements.txt", REQUIREMENTS),
            (
                "python/lib/python3.11/site-packages/requests/__init__.py",
                b"",
            ),
            ("nodejs/", b""),
            ("nodejs/package-lock.json", PACKAGE_LOCK),
            ("native/Cargo.lock", CARGO_LOCK),
            ("java/lib/snakeyaml-2.2.jar", &jar()),
            ("README.md", b"# not read\n"),
        ])
    }

    #[test]
    fn matches_zips_wheels_and_eggs() {
        for name in [
            "a.zip",
            "B.ZIP",
            "dist/x-1.0-py3-none-any.whl",
            "y-1.0-py3.8.egg",
        ] {
            assert!(ZipBundle.matches(Path::new(name)), "{name}");
        }
        for name in ["a.jar", "zip", "a.tar.gz", "a.zip.sha256"] {
            assert!(!ZipBundle.matches(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn bundle_entries_are_read_by_their_extractors() {
        let x = run("build/lambda.zip", &lambda_bundle()).unwrap();
        assert_eq!(
            brief(&x),
            [
                "org.yaml:snakeyaml@2.2 build/lambda.zip!/java/lib/snakeyaml-2.2.jar:",
                "requests@2.31.0 build/lambda.zip!/requirements.txt:1",
                "smallvec@1.13.2 build/lambda.zip!/native/Cargo.lock:3",
                "urllib3@2.0.7 build/lambda.zip!/requirements.txt:2",
                "uuid@9.0.1 build/lambda.zip!/nodejs/package-lock.json:8",
            ]
        );
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        insta::assert_json_snapshot!("zip_lambda_bundle", view(&x));
    }

    fn has_pypi(x: &Extracted, name: &str, version: &str, archive: &str) -> bool {
        x.components.iter().any(|c| {
            c.ecosystem == Ecosystem::PyPI
                && c.name.eq_ignore_ascii_case(name)
                && c.version == version
                && c.locations[0].path.starts_with(archive)
        })
    }

    #[test]
    fn wheels_and_eggs_give_their_package() {
        let wheel = build::zip(&[
            ("attrs/__init__.py", b""),
            (
                "attrs-23.2.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: attrs\nVersion: 23.2.0\n",
            ),
            ("attrs-23.2.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n"),
        ]);
        let x = run("wheels/attrs-23.2.0-py3-none-any.whl", &wheel).unwrap();
        // From its metadata once an extractor reads it, else from the file
        // name.
        assert!(
            has_pypi(
                &x,
                "attrs",
                "23.2.0",
                "wheels/attrs-23.2.0-py3-none-any.whl"
            ),
            "{:?}",
            brief(&x)
        );
        let egg = build::zip(&[
            (
                "EGG-INFO/PKG-INFO",
                b"Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n",
            ),
            ("six.py", b""),
        ]);
        let x = run("six-1.16.0-py3.8.egg", &egg).unwrap();
        assert!(
            has_pypi(&x, "six", "1.16.0", "six-1.16.0-py3.8.egg"),
            "{:?}",
            brief(&x)
        );
        // A wheel in a bundle.
        let bundle = build::zip(&[("dist/attrs-23.2.0-py3-none-any.whl", &wheel)]);
        let x = run("release.zip", &bundle).unwrap();
        assert!(
            has_pypi(
                &x,
                "attrs",
                "23.2.0",
                "release.zip!/dist/attrs-23.2.0-py3-none-any.whl"
            ),
            "{:?}",
            brief(&x)
        );
        // A wheel whose name says nothing.
        let x = run("weird.whl", &build::zip(&[("a.py", b"")])).unwrap();
        assert!(x.components.is_empty());
        assert!(x.diagnostics[0]
            .to_string()
            .starts_with("weird.whl: no package metadata inside"));
    }

    #[test]
    fn executables_no_extractor_recognizes_are_skipped() {
        // A Lambda custom runtime's `bootstrap`: sniffed, and left alone
        // when no extractor knows its first bytes.
        let z = build::with_mode("bootstrap", b"#!/bin/sh\nexec ./handler\n", 0o100_755);
        let x = run("runtime.zip", &z).unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn a_corrupt_zip_is_an_error_naming_it() {
        let err = run("dist/bundle.zip", b"PK\x05\x06 truncated").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("dist/bundle.zip: not a valid zip archive"),
            "{err}"
        );
        // An entry whose data is damaged is a warning; the rest is read.
        let mut z = build::stored(&[
            ("requirements.txt", b"flask==3.0.2\n"),
            ("Cargo.lock", CARGO_LOCK),
        ]);
        let at = z.windows(5).position(|w| w == b"flask").unwrap();
        z[at] = b'F';
        let x = run("b.zip", &z).unwrap();
        assert_eq!(brief(&x), ["smallvec@1.13.2 b.zip!/Cargo.lock:3"]);
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert!(
            x.diagnostics[0]
                .to_string()
                .starts_with("b.zip!/requirements.txt: cannot read the entry"),
            "{}",
            x.diagnostics[0]
        );
    }

    #[test]
    fn entry_names_that_are_not_plain_paths_are_harmless() {
        let z = build::stored(&[
            ("../../etc/requirements.txt", b"evil==6.6.6\n"),
            ("/abs/requirements.txt", b"evil==6.6.6\n"),
            ("win\\requirements.txt", b"evil==6.6.6\n"),
            ("./ok/./requirements.txt", b"fine==1.0\n"),
        ]);
        let x = run("x.zip", &z).unwrap();
        assert_eq!(brief(&x), ["fine@1.0 x.zip!/ok/requirements.txt:1"]);
        let d: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|m| m.starts_with("x.zip: entry \"")), "{d:?}");
        assert!(
            d.iter().any(|m| m.contains("climbs out of the archive")),
            "{d:?}"
        );
        assert!(d.iter().any(|m| m.contains("is an absolute path")), "{d:?}");
        assert!(d.iter().any(|m| m.contains("backslashes")), "{d:?}");
        // Many such names: the warnings are capped.
        let names: Vec<String> = (0..30)
            .map(|i| format!("../{i}/requirements.txt"))
            .collect();
        let entries: Vec<(&str, &[u8])> =
            names.iter().map(|n| (n.as_str(), &b"a==1\n"[..])).collect();
        let x = run("many.zip", &build::stored(&entries)).unwrap();
        assert_eq!(x.diagnostics.len(), 21);
        assert!(
            x.diagnostics[20].message.starts_with("10 more warnings"),
            "{}",
            x.diagnostics[20]
        );
    }

    #[test]
    fn a_zip_bomb_entry_is_refused_and_the_rest_read() {
        // 12 MiB of newlines deflate to a few KiB: over 100:1 and 10 MiB.
        let bomb = vec![b'\n'; 12 << 20];
        let z = build::zip(&[
            ("requirements.txt", &bomb),
            ("sub/requirements.txt", b"flask==3.0.2\n"),
        ]);
        assert!(z.len() < 100 * 1024, "{}", z.len());
        let x = run("bomb.zip", &z).unwrap();
        assert_eq!(brief(&x), ["flask@3.0.2 bomb.zip!/sub/requirements.txt:1"]);
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        let d = x.diagnostics[0].to_string();
        assert!(
            d.starts_with("bomb.zip!/requirements.txt: refused as a possible zip bomb"),
            "{d}"
        );
    }

    #[test]
    fn streamed_ratio_is_checked_with_small_limits() {
        let limits = || Limits {
            ratio_floor: 1000,
            max_ratio: 10,
            ..Limits::default()
        };
        let z = build::zip(&[
            ("requirements.txt", &[b'\n'; 100_000]),
            ("Cargo.lock", CARGO_LOCK),
        ]);
        let input = FileInput::binary("b.zip", Path::new("b.zip"), &z, Path::new("."));
        let x = extract_with_limits(&ZipBundle, &input, limits()).unwrap();
        assert_eq!(brief(&x), ["smallvec@1.13.2 b.zip!/Cargo.lock:3"]);
        assert!(
            x.diagnostics[0].message.contains("possible zip bomb"),
            "{:?}",
            x.diagnostics
        );
    }

    #[test]
    fn excessive_nesting_is_a_warning() {
        // Ten zips, one in the other, a Cargo.lock in the innermost.
        let mut bytes = build::zip(&[("Cargo.lock", CARGO_LOCK)]);
        for level in (1..10).rev() {
            bytes = build::zip(&[(&format!("l{level}.zip"), &bytes)]);
        }
        let x = run("l0.zip", &bytes).unwrap();
        assert!(x.components.is_empty(), "{:?}", brief(&x));
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        let d = x.diagnostics[0].to_string();
        assert!(
            d.starts_with("l0.zip!/l1.zip!/l2.zip!/l3.zip!/l4.zip!/l5.zip!/l6.zip!/l7.zip!/l8.zip!/l9.zip: not opened: archives nested more than 8 deep"),
            "{d}"
        );
        // Eight deep is read.
        let mut bytes = build::zip(&[("Cargo.lock", CARGO_LOCK)]);
        for level in (1..9).rev() {
            bytes = build::zip(&[(&format!("l{level}.zip"), &bytes)]);
        }
        let x = run("l0.zip", &bytes).unwrap();
        assert_eq!(
            brief(&x),
            ["smallvec@1.13.2 l0.zip!/l1.zip!/l2.zip!/l3.zip!/l4.zip!/l5.zip!/l6.zip!/l7.zip!/l8.zip!/Cargo.lock:3"]
        );
    }

    #[test]
    fn entry_count_and_total_size_are_limited_over_the_tree() {
        let inner = build::zip(&[
            ("a/requirements.txt", b"a==1\n"),
            ("b/requirements.txt", b"b==1\n"),
            ("c/requirements.txt", b"c==1\n"),
        ]);
        let z = build::zip(&[
            ("inner.zip", &inner),
            ("d/requirements.txt", b"d==1\n"),
            ("e/requirements.txt", b"e==1\n"),
        ]);
        let input = FileInput::binary("t.zip", Path::new("t.zip"), &z, Path::new("."));
        // inner.zip, then 3 of its entries: the 5th entry of the tree stops all.
        let x = extract_with_limits(
            &ZipBundle,
            &input,
            Limits {
                max_entries: 4,
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(
            brief(&x),
            [
                "a@1 t.zip!/inner.zip!/a/requirements.txt:1",
                "b@1 t.zip!/inner.zip!/b/requirements.txt:1",
                "c@1 t.zip!/inner.zip!/c/requirements.txt:1"
            ]
        );
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert!(
            x.diagnostics[0]
                .to_string()
                .starts_with("t.zip: stopped reading: more than 4 entries"),
            "{}",
            x.diagnostics[0]
        );

        // The total: inner.zip's bytes count, then its entries'.
        let limit = inner.len() as u64 + 10;
        let x = extract_with_limits(
            &ZipBundle,
            &input,
            Limits {
                max_total_bytes: limit,
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(
            brief(&x),
            [
                "a@1 t.zip!/inner.zip!/a/requirements.txt:1",
                "b@1 t.zip!/inner.zip!/b/requirements.txt:1"
            ]
        );
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert!(x.diagnostics[0].to_string().starts_with("t.zip!/inner.zip!/c/requirements.txt: not read, and the rest of the archive is skipped"), "{}", x.diagnostics[0]);

        // One entry over the per-entry limit.
        let x = extract_with_limits(
            &ZipBundle,
            &input,
            Limits {
                max_entry_bytes: 100,
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(
            brief(&x),
            [
                "d@1 t.zip!/d/requirements.txt:1",
                "e@1 t.zip!/e/requirements.txt:1"
            ]
        );
        assert!(
            x.diagnostics[0].to_string().starts_with(
                "t.zip!/inner.zip: refused: it unpacks to more than the 100-byte limit"
            ),
            "{}",
            x.diagnostics[0]
        );
    }

    #[test]
    fn survives_truncation_and_corruption() {
        let z = lambda_bundle();
        for cut in 0..z.len() {
            let _ = run("l.zip", &z[..cut]);
        }
        for i in 0..z.len() {
            let mut bad = z.clone();
            bad[i] ^= 0x5a;
            let _ = run("l.zip", &bad);
        }
    }

    #[test]
    fn walk_finds_components_inside_archives() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let war = build::zip(&[
            (
                "META-INF/maven/com.example/shop/pom.properties",
                b"groupId=com.example\nartifactId=shop\nversion=2.3.0\n",
            ),
            ("WEB-INF/lib/snakeyaml-2.2.jar", &jar()),
        ]);
        std::fs::create_dir_all(root.join("deploy")).unwrap();
        std::fs::write(root.join("deploy/shop.war"), war).unwrap();
        std::fs::write(root.join("deploy/lambda.zip"), lambda_bundle()).unwrap();
        let wheel = build::zip(&[("attrs/__init__.py", b"")]);
        std::fs::write(root.join("attrs-23.2.0-py3-none-any.whl"), wheel).unwrap();
        let inv = crate::scan_dir(root, &crate::ScanOptions::default()).unwrap();
        assert_eq!(
            inv.files,
            [
                "attrs-23.2.0-py3-none-any.whl",
                "deploy/lambda.zip",
                "deploy/shop.war"
            ]
        );
        let got: Vec<String> = inv
            .components
            .iter()
            .map(|c| format!("{} {}", c.name, c.locations[0].path))
            .collect();
        assert_eq!(
            got,
            [
                "attrs attrs-23.2.0-py3-none-any.whl",
                "org.yaml:snakeyaml deploy/lambda.zip!/java/lib/snakeyaml-2.2.jar",
                "smallvec deploy/lambda.zip!/native/Cargo.lock",
                "uuid deploy/lambda.zip!/nodejs/package-lock.json",
                "requests deploy/lambda.zip!/requirements.txt",
                "urllib3 deploy/lambda.zip!/requirements.txt",
                "com.example:shop deploy/shop.war",
                "org.yaml:snakeyaml deploy/shop.war!/WEB-INF/lib/snakeyaml-2.2.jar",
            ]
        );
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    }
}
