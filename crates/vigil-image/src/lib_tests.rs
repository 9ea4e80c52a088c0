use super::*;
use crate::testutil::{layer, TestImage, E};

fn options(cache: &std::path::Path) -> ImageOptions {
    ImageOptions {
        platform: Platform::default(),
        scan: ScanOptions::default(),
        cache: BlobCache::new(cache),
        registry: RegistryOptions::default(),
        secrets: None,
    }
}

pub(crate) fn sample(gzip: bool) -> TestImage {
    TestImage {
        layers: vec![
            (
                layer(&[
                    E::File("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
                    E::Symlink("etc/os-release", "../usr/lib/os-release"),
                    E::File("app/requirements.txt", b"flask==3.0.0\n"),
                ]),
                "/bin/sh -c #(nop) ADD file:base in /",
            ),
            (
                layer(&[
                    E::File("app/requirements.txt", b"flask==3.0.0\nrequests==2.31.0\n"),
                    E::Exec("app/run", b"#!/bin/sh\nexec python3 app.py\n"),
                ]),
                "RUN pip install requests",
            ),
        ],
        gzip,
    }
}

fn summary(scan: &ImageScan) -> Vec<String> {
    scan.inventory
        .components
        .iter()
        .map(|c| {
            let l = c.layer.as_ref().unwrap();
            format!(
                "{}@{} {} {}",
                c.name,
                c.version,
                l.index,
                l.created_by.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn an_oci_layout_and_a_docker_archive_give_the_same_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    sample(true).write_layout(&layout);
    let archive = dir.path().join("app.tar");
    sample(false).write_docker_archive(&archive);
    let opts = options(&dir.path().join("cache"));
    let expected = [
        "flask@3.0.0 0 /bin/sh -c #(nop) ADD file:base in /",
        "requests@2.31.0 1 RUN pip install requests",
    ];
    for (path, name) in [
        (&layout, None),
        (&layout, Some("1.0")),
        (&archive, None),
        (&archive, Some("app:1.0")),
    ] {
        let source = ImageSource::Local {
            path: path.clone(),
            name: name.map(str::to_string),
        };
        let scan = scan_image(&source, &opts).unwrap();
        assert_eq!(summary(&scan), expected, "{}", path.display());
        assert!(
            scan.inventory.diagnostics.is_empty(),
            "{:?}",
            scan.inventory.diagnostics
        );
        let f = &scan.facts;
        assert_eq!(f.platform, "linux/amd64");
        assert_eq!(f.user.as_deref(), Some("app"));
        assert_eq!(f.exposed_ports, ["443/tcp", "8080/tcp"]);
        assert_eq!(f.entrypoint, ["/app/run"]);
        assert_eq!(f.cmd, ["--serve"]);
        assert_eq!(f.layers.len(), 2);
        assert_eq!(
            f.layers[1].created_by.as_deref(),
            Some("RUN pip install requests")
        );
        assert_eq!(scan.os_release_files[0].0, "etc/os-release");
    }
    // Nothing was put in the cache for local sources.
    assert!(!dir.path().join("cache").exists());
    // The layout names its manifest; the old docker archive has none.
    let scan = scan_image(
        &ImageSource::Local {
            path: layout.clone(),
            name: None,
        },
        &opts,
    )
    .unwrap();
    assert!(scan.facts.digest.as_deref().unwrap().starts_with("sha256:"));
    let err = scan_image(
        &ImageSource::Local {
            path: archive,
            name: Some("other:2".into()),
        },
        &opts,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("no image tagged `other:2`"),
        "{err}"
    );
}

#[test]
fn a_tampered_layer_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let image = sample(true);
    image.write_layout(&layout);
    // Replace layer 1's blob with other content under the same name.
    let b = image.blobs();
    let victim = layout
        .join("blobs/sha256")
        .join(Digest::of(&b.layers[1]).hex());
    std::fs::write(
        &victim,
        crate::testutil::gzip(&layer(&[E::File("x", b"y")])),
    )
    .unwrap();
    let err = scan_image(
        &ImageSource::Local {
            path: layout.clone(),
            name: None,
        },
        &options(dir.path()),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{msg}");
    assert!(
        msg.contains(&format!("layer 1 ({})", Digest::of(&b.layers[1]))),
        "{msg}"
    );
    assert!(msg.starts_with(&layout.display().to_string()), "{msg}");

    // An uncompressed `docker save` layer (named by no digest) whose
    // content differs from the config's diff_id: caught too.
    let archive = dir.path().join("app.tar");
    let good = sample(false);
    let mut bad = sample(false);
    bad.layers[0].0 = layer(&[
        E::File("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        E::Symlink("etc/os-release", "../usr/lib/os-release"),
        E::File("app/requirements.txt", b"flask==3.0.1\n"),
    ]);
    good.write_docker_archive(&archive);
    let mut bytes = std::fs::read(&archive).unwrap();
    let (from, to) = (&good.layers[0].0, &bad.layers[0].0);
    assert_eq!(from.len(), to.len());
    let pos = bytes
        .windows(from.len())
        .position(|w| w == from.as_slice())
        .unwrap();
    bytes[pos..pos + from.len()].copy_from_slice(to);
    std::fs::write(&archive, bytes).unwrap();
    let err = scan_image(
        &ImageSource::Local {
            path: archive,
            name: None,
        },
        &options(dir.path()),
    )
    .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains("layer 0 (sha256:"), "{err}");
    assert!(err.to_string().contains("uncompressed"), "{err}");
}

#[test]
fn not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let err = scan_image(
        &ImageSource::Local {
            path: dir.path().to_path_buf(),
            name: None,
        },
        &options(dir.path()),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("neither an OCI image layout"),
        "{err}"
    );
    let gz = dir.path().join("app.tar.gz");
    std::fs::write(&gz, crate::testutil::gzip(b"x")).unwrap();
    let err = scan_image(
        &ImageSource::Local {
            path: gz,
            name: None,
        },
        &options(dir.path()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("decompress it first"), "{err}");
}
