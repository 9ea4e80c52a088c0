use super::*;
use crate::testutil::{layer, E};

fn lref(index: u32) -> LayerRef {
    LayerRef {
        digest: format!("sha256:{index:064x}"),
        index,
        created_by: Some(format!("RUN step {index}")),
    }
}

fn squash(layers: &[Vec<u8>]) -> Squash {
    let mut s = Squash::new(ScanOptions::default());
    for (i, l) in layers.iter().enumerate() {
        s.apply_layer(&lref(u32::try_from(i).unwrap()), l.as_slice());
    }
    s
}

fn found(inv: &Inventory) -> Vec<String> {
    inv.components
        .iter()
        .map(|c| {
            format!(
                "{}@{} {} layer {}",
                c.name,
                c.version,
                c.locations[0].path,
                c.layer.as_ref().unwrap().index
            )
        })
        .collect()
}

const SITE: &str = "usr/lib/python3/dist-packages";

fn metadata(name: &str, version: &str) -> Vec<u8> {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").into_bytes()
}

#[test]
fn later_layers_replace_and_whiteouts_remove() {
    let certifi = format!("{SITE}/certifi-2023.11.17.dist-info/METADATA");
    let requests = format!("{SITE}/requests-2.31.0.dist-info/METADATA");
    let base = layer(&[
        // The root, as `umoci insert` names it: no warning.
        E::Dir("/"),
        E::Dir("./"),
        E::Dir("usr/"),
        E::File("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        E::Symlink("etc/os-release", "../usr/lib/os-release"),
        E::File("etc/debian_version", b"12.5\n"),
        E::File(&certifi, &metadata("certifi", "2023.11.17")),
        E::File("app/requirements.txt", b"flask==3.0.0\n"),
        E::File(
            "app/node_modules/ms/package.json",
            br#"{"name": "ms", "version": "2.1.2"}"#,
        ),
    ]);
    let second = layer(&[
        // Rewritten: flask stays attributed to the base, jinja2 is new.
        E::File("app/requirements.txt", b"flask==3.0.0\njinja2==3.1.2\n"),
        E::File(&requests, &metadata("requests", "2.31.0")),
        // Deleted: the whole dist-info directory.
        E::File(&format!("{SITE}/.wh.certifi-2023.11.17.dist-info"), b""),
        // Emptied: node_modules, but what this layer adds there stays.
        E::File("app/node_modules/.wh..wh..opq", b""),
        E::File(
            "app/node_modules/debug/package.json",
            br#"{"name": "debug", "version": "4.3.4"}"#,
        ),
    ]);
    let s = squash(&[base, second]);
    assert_eq!(
        s.os_release_files(),
        [
            (
                "etc/os-release".to_string(),
                b"ID=debian\nVERSION_ID=\"12\"\n".to_vec()
            ),
            (
                "usr/lib/os-release".to_string(),
                b"ID=debian\nVERSION_ID=\"12\"\n".to_vec()
            ),
            ("etc/debian_version".to_string(), b"12.5\n".to_vec()),
        ]
    );
    let inv = s.into_inventory();
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(
        found(&inv),
        [
            "debug@4.3.4 app/node_modules/debug/package.json layer 1",
            "flask@3.0.0 app/requirements.txt layer 0",
            "jinja2@3.1.2 app/requirements.txt layer 1",
            &format!("requests@2.31.0 {requests} layer 1"),
        ]
    );
    let flask = &inv.components[1];
    assert_eq!(
        flask.layer.as_ref().unwrap().created_by.as_deref(),
        Some("RUN step 0")
    );
}

#[test]
fn a_version_change_is_attributed_to_the_layer_that_made_it() {
    let a = layer(&[E::File("requirements.txt", b"flask==2.0.0\n")]);
    let b = layer(&[E::File("requirements.txt", b"flask==3.0.0\n")]);
    // Deleted then recreated: the recreating layer introduced it.
    let c = layer(&[E::File(".wh.requirements.txt", b"")]);
    let d = layer(&[E::File("requirements.txt", b"flask==3.0.0\n")]);
    let inv = squash(&[a.clone(), b.clone()]).into_inventory();
    assert_eq!(found(&inv), ["flask@3.0.0 requirements.txt layer 1"]);
    let inv = squash(&[a, b, c, d]).into_inventory();
    assert_eq!(found(&inv), ["flask@3.0.0 requirements.txt layer 3"]);
}

#[test]
fn directories_of_an_upper_layer_keep_the_files_below_them() {
    let certifi = format!("{SITE}/certifi-2023.11.17.dist-info/METADATA");
    let base = layer(&[
        E::Dir("usr/"),
        E::Dir("usr/lib/"),
        E::File("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        E::File(&certifi, &metadata("certifi", "2023.11.17")),
        E::File("opt/requirements.txt", b"flask==3.0.0\n"),
    ]);
    // Every layer names the directories above what it adds (as umoci,
    // buildkit and docker write them); a directory over a file replaces it.
    let upper = layer(&[
        E::Dir("usr/"),
        E::Dir("usr/lib/"),
        E::Dir(SITE),
        E::Dir("usr/local/"),
        E::File("usr/local/requirements.txt", b"django==4.2.0\n"),
        E::Dir("opt/requirements.txt"),
    ]);
    let s = squash(&[base, upper]);
    assert_eq!(s.os_release_files().len(), 1);
    let inv = s.into_inventory();
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(
        found(&inv),
        [
            &format!("certifi@2023.11.17 {certifi} layer 0"),
            "django@4.2.0 usr/local/requirements.txt layer 1",
        ]
    );
}

#[test]
fn hostile_entries_are_contained_with_a_warning() {
    let hostile = layer(&[
        E::File("../../etc/cron.d/evil", b"flask==1.0\n"),
        E::File("/abs/requirements.txt", b"flask==1.0\n"),
        E::Symlink("etc/os-release", "../../../../../host/os-release"),
        E::HardLink("app/requirements.txt", "../outside/requirements.txt"),
        E::HardLink("app/other-requirements.txt", "missing/requirements.txt"),
        E::Device("dev/sda"),
        E::File(".wh..wh..opq", b""),
        E::File(".wh...", b""),
        E::Sized("big/requirements.txt", 2048),
        // The scan goes on past all of that.
        E::File("ok/requirements.txt", b"django==4.2.0\n"),
    ]);
    let base = layer(&[
        E::File("usr/lib/os-release", b"ID=alpine\n"),
        E::File("keep/requirements.txt", b"flask==3.0.0\n"),
    ]);
    let mut s = Squash::new(ScanOptions {
        max_file_size: 1024,
        max_binary_size: 1024,
        ..ScanOptions::default()
    });
    s.apply_layer(&lref(0), base.as_slice());
    s.apply_layer(&lref(1), hostile.as_slice());
    // The escaping symlink resolves inside the root: to nothing there.
    assert_eq!(
        s.resolve("etc/os-release").as_deref(),
        Some("host/os-release")
    );
    assert!(s
        .os_release_files()
        .iter()
        .all(|(p, _)| p != "etc/os-release"));
    let inv = s.into_inventory();
    assert_eq!(
        found(&inv),
        [
            "flask@3.0.0 keep/requirements.txt layer 0",
            "django@4.2.0 ok/requirements.txt layer 1",
        ]
    );
    let warnings: Vec<String> = inv.diagnostics.iter().map(ToString::to_string).collect();
    let layer1 = format!("in layer 1 (sha256:{:064x})", 1);
    for expected in [
        "../../etc/cron.d/evil: in layer 1 (sha256:",
        "climbs out of the image root (`..`): skipped",
        "/abs/requirements.txt: in layer 1",
        "is an absolute path: skipped",
        "etc/os-release: in layer 1",
        "points outside the image root",
        "app/requirements.txt: in layer 1",
        "a hard link to `../outside/requirements.txt`, which climbs out",
        "a hard link to `missing/requirements.txt`, which the image does not contain",
        "dev/sda: in layer 1",
        "a device file: skipped",
        "an opaque whiteout of the image root",
        "a whiteout of the image root or above it: ignored",
        "big/requirements.txt: in layer 1",
        "2048 bytes is more than the 1024-byte limit",
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(expected)),
            "no warning with `{expected}` in {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), 9, "{warnings:#?}");
    assert!(
        warnings.iter().all(|w| w.contains(&layer1)),
        "{warnings:#?}"
    );
}

#[test]
fn hard_links_and_symlink_loops() {
    let l = layer(&[
        E::File("a/requirements.txt", b"flask==3.0.0\n"),
        E::HardLink("b/requirements.txt", "a/requirements.txt"),
        E::Symlink("x", "y"),
        E::Symlink("y", "x"),
        E::Symlink("usr/lib/os-release", "/etc/real-release"),
        E::File("etc/real-release", b"ID=fedora\n"),
        E::Symlink("etc/os-release", "/usr/lib/os-release"),
    ]);
    let s = squash(&[l]);
    assert_eq!(s.resolve("x/z"), None);
    assert_eq!(
        s.os_release_files(),
        [
            ("etc/os-release".to_string(), b"ID=fedora\n".to_vec()),
            ("usr/lib/os-release".to_string(), b"ID=fedora\n".to_vec()),
        ]
    );
    let inv = s.into_inventory();
    assert_eq!(
        found(&inv),
        [
            "flask@3.0.0 a/requirements.txt layer 0",
            "flask@3.0.0 b/requirements.txt layer 0",
        ]
    );
}

#[test]
fn a_broken_stream_keeps_what_was_read() {
    let mut l = layer(&[
        E::File("a/requirements.txt", b"flask==3.0.0\n"),
        E::File("b/requirements.txt", b"django==4.2.0\n"),
    ]);
    l.truncate(1024 + 100);
    let inv = squash(&[l]).into_inventory();
    assert_eq!(found(&inv), ["flask@3.0.0 a/requirements.txt layer 0"]);
    assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
}

/// A Go 1.18+ build information blob (header, then two varint-prefixed
/// strings, the module text in its 16-byte frames).
fn go_build_info(version: &str, modinfo: &str) -> Vec<u8> {
    let mut text = vec![0xf0; 16];
    text.extend(modinfo.as_bytes());
    text.extend([0xf1; 16]);
    let mut b = b"\xff Go buildinf:".to_vec();
    b.extend([8, 2]);
    b.resize(32, 0);
    for s in [version.as_bytes(), text.as_slice()] {
        let mut n = s.len();
        while n >= 0x80 {
            b.push(u8::try_from(n & 0x7f).unwrap() | 0x80);
            n >>= 7;
        }
        b.push(u8::try_from(n).unwrap());
        b.extend(s);
    }
    b
}

/// An executable too large to hold is read as a stream: its Go modules are
/// found all the same, with their layer.
#[test]
fn a_large_go_executable_is_read_as_a_stream() {
    let mut exe = b"\x7fELF\x02\x01\x01\x00".to_vec();
    exe.resize(usize::try_from(STREAM_ABOVE).unwrap() + (3 << 20), 0);
    exe.extend(go_build_info(
        "go1.22.1",
        "path\tm\nmod\tm\tv1.2.3\t\ndep\tgolang.org/x/net\tv0.17.0\th1:x=\n",
    ));
    exe.extend(vec![0u8; 4096]);
    let s = squash(&[
        layer(&[E::File("etc/hostname", b"x\n")]),
        layer(&[E::Exec("usr/local/bin/tool", &exe)]),
    ]);
    let inv = s.into_inventory();
    assert_eq!(
        found(&inv),
        [
            "golang.org/x/net@v0.17.0 usr/local/bin/tool layer 1",
            "m@v1.2.3 usr/local/bin/tool layer 1",
            "stdlib@1.22.1 usr/local/bin/tool layer 1",
        ]
    );
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

fn tokens() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vigil-secrets/tests/fixtures/engine/tokens.txt"),
    )
    .unwrap()
}

fn with_secrets(layers: &[Vec<u8>]) -> Squash {
    let scanner = vigil_secrets::Scanner::new(vigil_secrets::RuleSet::builtin().unwrap()).unwrap();
    let mut s = Squash::new(ScanOptions::default()).with_secrets(SecretOptions {
        scanner: std::sync::Arc::new(scanner),
        max_file_size: 1 << 20,
    });
    for (i, l) in layers.iter().enumerate() {
        s.apply_layer(&lref(u32::try_from(i).unwrap()), l.as_slice());
    }
    s
}

#[test]
fn secrets_in_every_layer_with_the_layer_that_added_them() {
    let tokens = tokens();
    let mut zip = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "conf/app.properties",
        ::zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, &tokens).unwrap();
    let jar = zip.finish().unwrap().into_inner();
    let requirements = b"flask==3.0.0\n";
    let mut s = with_secrets(&[
        layer(&[
            E::File("app/tokens.txt", &tokens),
            E::File("app/requirements.txt", requirements),
            E::File("app/lib.jar", &jar),
            E::File("usr/share/doc/demo/tokens.txt", &tokens),
            E::File("app/big.txt", &vec![b'x'; 2 << 20]),
        ]),
        // The same file again: its secrets keep layer 0.
        layer(&[E::File("app/tokens.txt", &tokens)]),
        layer(&[E::File("app/.wh.tokens.txt", b"")]),
    ]);
    let secrets = s.take_secrets();
    let mut got: Vec<String> = secrets
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} layer {} {}",
                f.location.path,
                f.location.line.unwrap(),
                f.id,
                f.secret.as_ref().unwrap().layer.as_ref().unwrap().index,
                if f.message.is_some() {
                    "deleted"
                } else {
                    "present"
                }
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "app/lib.jar!/conf/app.properties:3 github-pat-classic layer 0 present",
            "app/lib.jar!/conf/app.properties:4 github-server-to-server-token layer 0 present",
            "app/tokens.txt:3 github-pat-classic layer 0 deleted",
            "app/tokens.txt:4 github-server-to-server-token layer 0 deleted",
        ]
    );
    // The files the extractors want are still read whole.
    let inv = s.into_inventory();
    assert_eq!(found(&inv), ["flask@3.0.0 app/requirements.txt layer 0"]);
}
