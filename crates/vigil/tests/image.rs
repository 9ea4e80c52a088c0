//! End-to-end tests of `vigil scan image`: images built in the test (no
//! container tooling), read from an OCI layout, a `docker save` archive
//! and a registry served in-process. Images built by the real tools
//! (debootstrap, umoci, skopeo, a real registry server) are in
//! `real_images.rs`.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

#[path = "support/schemas.rs"]
mod schemas;

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest as _;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/image")
        .join(name)
}

fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("SSL_CERT_FILE")
        .env("DOCKER_CONFIG", cache.join("no-docker-config"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = c.output().expect("running vigil");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A cache with one real PyPI advisory (Flask, CVE-2023-30861).
fn cache_with_db() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(fixture("flask-advisory.json")));
    assert_eq!(code, 0, "{err}");
    cache
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// An image's blobs: manifest, config, gzipped layers.
struct Image {
    manifest: Vec<u8>,
    config: Vec<u8>,
    layers: Vec<Vec<u8>>,
}

fn image(layers: &[(Vec<u8>, &str)]) -> Image {
    image_with(
        layers,
        json!({"User": "1000", "ExposedPorts": {"5000/tcp": {}}, "Cmd": ["flask", "run"]}),
    )
}

/// An image whose configuration's `config` object is `config`.
fn image_with(layers: &[(Vec<u8>, &str)], config: Value) -> Image {
    let mut history = Vec::new();
    let mut diff_ids = Vec::new();
    let mut blobs = Vec::new();
    let mut descriptors = Vec::new();
    for (tar, created_by) in layers {
        history.push(json!({ "created_by": created_by }));
        diff_ids.push(sha256(tar));
        let blob = gzip(tar);
        descriptors.push(json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": sha256(&blob),
            "size": blob.len(),
        }));
        blobs.push(blob);
    }
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": descriptors,
    }))
    .unwrap();
    Image {
        manifest,
        config,
        layers: blobs,
    }
}

const BASE_CMD: &str = "/bin/sh -c #(nop) ADD file:rootfs in /";
const APP_CMD: &str = "RUN pip install flask==2.2.0";

fn base_layer() -> Vec<u8> {
    tar_of(&[
        ("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        (
            "usr/lib/python3/dist-packages/certifi-2023.11.17.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: certifi\nVersion: 2023.11.17\n",
        ),
    ])
}

fn app_layer(flask: &str) -> Vec<u8> {
    let metadata = format!("Metadata-Version: 2.1\nName: Flask\nVersion: {flask}\n");
    tar_of(&[
        (
            &format!("usr/local/lib/python3.11/site-packages/flask-{flask}.dist-info/METADATA"),
            metadata.as_bytes(),
        ),
        ("app/app.py", b"print('hi')\n"),
    ])
}

fn app_image(flask: &str) -> Image {
    image(&[(base_layer(), BASE_CMD), (app_layer(flask), APP_CMD)])
}

fn write_layout(img: &Image, dir: &Path) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for blob in img.layers.iter().chain([&img.config, &img.manifest]) {
        std::fs::write(blobs.join(&sha256(blob)[7..]), blob).unwrap();
    }
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion": "1.0.0"}"#).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(&img.manifest), "size": img.manifest.len()}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// The components of a JSON report as `name@version layer-index created_by`.
fn components(report: &Value) -> Vec<String> {
    report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}@{} {} {}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap(),
                c["layer"]["index"],
                c["layer"]["created_by"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn check_app_report(out: &str) -> Value {
    let report: Value = serde_json::from_str(out).unwrap();
    assert_eq!(
        components(&report),
        [
            format!("Flask@2.2.0 1 {APP_CMD}"),
            format!("certifi@2023.11.17 0 {BASE_CMD}"),
        ]
    );
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GHSA-m2qf-hxjv-5gpq"], "{report:#}");
    let image = &report["image"];
    assert_eq!(image["platform"], "linux/amd64");
    assert_eq!(image["user"], "1000");
    assert_eq!(image["exposed_ports"], json!(["5000/tcp"]));
    assert_eq!(image["cmd"], json!(["flask", "run"]));
    assert_eq!(image["layers"].as_array().unwrap().len(), 2);
    assert_eq!(image["layers"][1]["created_by"], APP_CMD);
    report
}

#[test]
fn scans_an_oci_layout_and_a_docker_archive() {
    let cache = cache_with_db();
    let work = tempfile::tempdir().unwrap();
    let img = app_image("2.2.0");
    let layout = work.path().join("layout");
    write_layout(&img, &layout);
    let (code, out, err) = run(vigil(cache.path())
        .args(["scan", "image", "--format", "json", "--input"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let report = check_app_report(&out);
    assert_eq!(report["image"]["digest"], sha256(&img.manifest));
    assert_eq!(report["target"], layout.display().to_string());

    // The same image saved by `docker save` (uncompressed layers).
    let tars = [base_layer(), app_layer("2.2.0")];
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    };
    let config_name = format!("{}.json", &sha256(&img.config)[7..]);
    add(&config_name, &img.config);
    add("a/layer.tar", &tars[0]);
    add("b/layer.tar", &tars[1]);
    let manifest = json!([{"Config": config_name, "RepoTags": ["app:1"], "Layers": ["a/layer.tar", "b/layer.tar"]}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    let archive = work.path().join("app.tar");
    std::fs::write(&archive, b.into_inner().unwrap()).unwrap();
    let (code, out, err) = run(vigil(cache.path())
        .args(["scan", "image", "-f", "json", "--input"])
        .arg(&archive));
    assert_eq!(code, 0, "{err}");
    check_app_report(&out);

    // The table names the image.
    let (code, out, err) = run(vigil(cache.path())
        .args(["scan", "image", "--input"])
        .arg(&archive));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("GHSA-m2qf-hxjv-5gpq"), "{out}");

    // No image there.
    let (code, _, err) = run(vigil(cache.path())
        .args(["scan", "image", "--input"])
        .arg(work.path().join("missing.tar")));
    assert_eq!(code, 2);
    assert!(err.contains("no such file"), "{err}");
}

/// A registry in-process: blobs and manifests by digest, tags, a bearer
/// token service that wants `user:pass`, and a log of requested paths.
struct FakeRegistry {
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
    _thread: std::thread::JoinHandle<()>,
}

type Store = Arc<Mutex<std::collections::HashMap<String, (String, Vec<u8>)>>>;

impl FakeRegistry {
    fn start(store: Store, tamper: Option<String>) -> FakeRegistry {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let addr = server.server_addr().to_ip().unwrap().to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        let realm = format!("http://{addr}/token");
        let thread = std::thread::spawn(move || {
            let expected_basic = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("user:pass")
            );
            for req in server.incoming_requests() {
                let url = req.url().to_string();
                log2.lock().unwrap().push(url.clone());
                let auth = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string());
                let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).unwrap();
                if url.starts_with("/token") {
                    let resp = if auth.as_deref() == Some(expected_basic.as_str())
                        && url.contains("scope=repository%3Ateam%2Fapp%3Apull")
                    {
                        tiny_http::Response::from_string(r#"{"token": "t0ken"}"#)
                    } else {
                        tiny_http::Response::from_string("denied").with_status_code(401)
                    };
                    let _ = req.respond(resp);
                    continue;
                }
                if auth.as_deref() != Some("Bearer t0ken") {
                    let challenge = format!(
                        r#"Bearer realm="{realm}",service="fake",scope="repository:team/app:pull""#
                    );
                    let _ = req.respond(
                        tiny_http::Response::from_string("{}")
                            .with_status_code(401)
                            .with_header(header("WWW-Authenticate", &challenge)),
                    );
                    continue;
                }
                if url == "/v2/" {
                    let _ = req.respond(tiny_http::Response::from_string("{}"));
                    continue;
                }
                let key = url.rsplit('/').next().unwrap_or("").to_string();
                let found = store.lock().unwrap().get(&key).cloned();
                match found {
                    Some((media_type, mut bytes)) => {
                        if tamper.as_deref() == Some(key.as_str()) {
                            if let Some(last) = bytes.last_mut() {
                                *last ^= 1;
                            }
                        }
                        let _ = req.respond(
                            tiny_http::Response::from_data(bytes)
                                .with_header(header("Content-Type", &media_type)),
                        );
                    }
                    None => {
                        let _ =
                            req.respond(tiny_http::Response::from_string("").with_status_code(404));
                    }
                }
            }
        });
        FakeRegistry {
            addr,
            log,
            _thread: thread,
        }
    }

    fn blob_requests(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|u| u.contains("/blobs/"))
            .cloned()
            .collect();
        v.sort();
        v
    }
}

/// Puts an image under `tag`, behind an index with an arm64 and an amd64
/// manifest (the arm64 one points at nothing: choosing it would fail).
fn push(store: &Store, tag: &str, img: &Image) -> String {
    let mut s = store.lock().unwrap();
    for blob in img.layers.iter().chain([&img.config]) {
        s.insert(
            sha256(blob),
            ("application/octet-stream".into(), blob.clone()),
        );
    }
    let mt = "application/vnd.oci.image.manifest.v1+json";
    s.insert(sha256(&img.manifest), (mt.into(), img.manifest.clone()));
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": mt, "digest": format!("sha256:{}", "0".repeat(64)), "size": 10, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"mediaType": mt, "digest": sha256(&img.manifest), "size": img.manifest.len(), "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": mt, "digest": format!("sha256:{}", "1".repeat(64)), "size": 10, "platform": {"os": "unknown", "architecture": "unknown"}}
        ]
    }))
    .unwrap();
    s.insert(
        tag.to_string(),
        (
            "application/vnd.oci.image.index.v1+json".into(),
            index.clone(),
        ),
    );
    s.insert(
        sha256(&index),
        (
            "application/vnd.oci.image.index.v1+json".into(),
            index.clone(),
        ),
    );
    sha256(&index)
}

fn scan_registry(cache: &Path, reference: &str, password: Option<&str>) -> (i32, String, String) {
    scan_registry_with(cache, &[reference], password)
}

fn scan_registry_with(
    cache: &Path,
    args: &[&str],
    password: Option<&str>,
) -> (i32, String, String) {
    let mut c = vigil(cache);
    c.args(["scan", "image", "-f", "json"]).args(args);
    let Some(password) = password else {
        return run(&mut c);
    };
    c.args(["--username", "user", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pulls_from_a_registry_with_a_token_picks_the_platform_and_reuses_the_cache() {
    let cache = cache_with_db();
    let store: Store = Arc::default();
    let v1 = app_image("2.2.0");
    let index_digest = push(&store, "1.0", &v1);
    let registry = FakeRegistry::start(store.clone(), None);
    let reference = format!("{}/team/app:1.0", registry.addr);

    // Without credentials the token service refuses.
    let (code, _, err) = scan_registry(cache.path(), &reference, None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the token service answered HTTP 401"), "{err}");
    let (code, _, err) = scan_registry(cache.path(), &reference, Some("wrong"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("credentials were refused"), "{err}");

    let (code, out, err) = scan_registry(cache.path(), &reference, Some("pass"));
    assert_eq!(code, 0, "{err}");
    let report = check_app_report(&out);
    assert_eq!(report["image"]["digest"], sha256(&v1.manifest));
    assert_eq!(report["image"]["index_digest"], index_digest);
    assert_eq!(report["target"], reference);
    let first = registry.blob_requests();
    assert_eq!(first.len(), 3, "{first:?}");

    // A second version sharing the base layer: only its new blobs are
    // downloaded.
    let v2 = app_image("3.0.0");
    push(&store, "2.0", &v2);
    registry.log.lock().unwrap().clear();
    let (code, out, err) = scan_registry(
        cache.path(),
        &format!("{}/team/app:2.0", registry.addr),
        Some("pass"),
    );
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        components(&report),
        [
            format!("Flask@3.0.0 1 {APP_CMD}"),
            format!("certifi@2023.11.17 0 {BASE_CMD}"),
        ]
    );
    let mut expected = vec![
        format!("/v2/team/app/blobs/{}", sha256(&v2.config)),
        format!("/v2/team/app/blobs/{}", sha256(&v2.layers[1])),
    ];
    expected.sort();
    assert_eq!(registry.blob_requests(), expected);

    // Another platform: the index has none; arm64 is the manifest the
    // index names for it (missing here).
    let (code, _, err) = scan_registry_with(
        cache.path(),
        &["--platform", "linux/s390x", &reference],
        Some("pass"),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "no manifest for platform linux/s390x (the image has: linux/amd64, linux/arm64/v8)"
        ),
        "{err}"
    );
    let (code, _, err) = scan_registry_with(
        cache.path(),
        &["--platform", "linux/arm64", &reference],
        Some("pass"),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("manifests/sha256:{}", "0".repeat(64))),
        "{err}"
    );
    assert!(err.contains("404"), "{err}");
}

#[test]
fn a_blob_with_the_wrong_digest_is_refused_and_not_cached() {
    let cache = cache_with_db();
    let store: Store = Arc::default();
    let img = app_image("2.2.0");
    push(&store, "1.0", &img);
    let bad = sha256(&img.layers[1]);
    let registry = FakeRegistry::start(store, Some(bad.clone()));
    let reference = format!("{}/team/app:1.0", registry.addr);
    let (code, _, err) = scan_registry(cache.path(), &reference, Some("pass"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("layer 1 has digest"), "{err}");
    assert!(err.contains(&format!("not the {bad}")), "{err}");
    assert!(err.contains(&reference), "{err}");
    let cached: Vec<String> = std::fs::read_dir(cache.path().join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!cached.contains(&bad[7..].to_string()), "{cached:?}");
    assert_eq!(cached.len(), 2, "{cached:?}");
}

#[test]
fn a_bad_ca_file_stops_a_registry_scan_naming_it_but_not_an_archive_scan() {
    let cache = cache_with_db();
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "just text\n").unwrap();
    let missing = dir.path().join("missing.pem");
    // Read before any connection: nothing listens on port 1.
    for (args, env, names) in [
        (
            vec!["--ca-file", not_pem.to_str().unwrap()],
            None,
            "--ca-file",
        ),
        (
            vec!["--ca-file", missing.to_str().unwrap()],
            None,
            "--ca-file",
        ),
        (vec![], Some(&not_pem), "SSL_CERT_FILE"),
    ] {
        let mut c = vigil(cache.path());
        c.args(["scan", "image", "127.0.0.1:1/team/app:1.0"])
            .args(&args);
        if let Some(file) = env {
            c.env("SSL_CERT_FILE", file);
        }
        let (code, _, err) = run(&mut c);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(names), "{err}");
        let file = if args.is_empty() {
            &not_pem
        } else {
            Path::new(args[1])
        };
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(
            !err.contains("127.0.0.1:1"),
            "no connection was tried: {err}"
        );
    }
    // An image read from a layout needs no certificate: SSL_CERT_FILE is
    // not read.
    let layout = tempfile::tempdir().unwrap();
    write_layout(&app_image("2.2.0"), layout.path());
    let mut c = vigil(cache.path());
    c.args(["scan", "image", "-f", "json", "--input"])
        .arg(layout.path())
        .env("SSL_CERT_FILE", &not_pem);
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{err}");
    check_app_report(&out);
}

const DPKG_OPENSSL: &str = "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u1\n\n";
const DPKG_LIBSSL: &str = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\n";

/// A Debian base layer with `etc/os-release` a symlink, as Debian ships
/// it, and a package database with openssl.
fn debian_base_layer() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let file = |b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    };
    file(
        &mut b,
        "usr/lib/os-release",
        b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
    );
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    b.append_link(&mut h, "etc/os-release", "../usr/lib/os-release")
        .unwrap();
    file(&mut b, "var/lib/dpkg/status", DPKG_OPENSSL.as_bytes());
    b.into_inner().unwrap()
}

#[test]
fn os_packages_in_an_image_are_matched_in_its_release_with_their_layers() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv-os")));
    assert_eq!(code, 0, "{err}");
    // The second layer installs libssl3: apt rewrites the whole status
    // file, and openssl, already there at that version, keeps its layer.
    let status = format!("{DPKG_OPENSSL}{DPKG_LIBSSL}");
    let img = image(&[
        (debian_base_layer(), BASE_CMD),
        (
            tar_of(&[("var/lib/dpkg/status", status.as_bytes())]),
            "RUN apt-get install -y libssl3",
        ),
    ]);
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    write_layout(&img, &layout);
    let (code, out, err) = run(vigil(cache.path())
        .args([
            "--offline",
            "scan",
            "image",
            "--ignore-unfixed",
            "-f",
            "json",
            "--input",
        ])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["os"]["ecosystem"], "Debian:12", "{report:#}");
    assert_eq!(
        components(&report),
        [
            "libssl3@3.0.11-1~deb12u1 1 RUN apt-get install -y libssl3".to_string(),
            format!("openssl@3.0.11-1~deb12u1 0 {BASE_CMD}"),
        ]
    );
    for c in report["components"].as_array().unwrap() {
        assert_eq!(c["release"], "12");
        assert!(
            c["purl"].as_str().unwrap().contains("distro=debian-12"),
            "{c}"
        );
    }
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["id"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, ["DSA-5532-1 libssl3", "DSA-5532-1 openssl"]);

    // The table names the image and its OS.
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "image", "--input"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("OS: Debian GNU/Linux 12 (bookworm); its packages were matched in Debian:12."),
        "{out}"
    );
    assert!(out.contains("(linux/amd64, 2 layers)"), "{out}");
}

/// `vigil sbom image`: the image's inventory as an SBOM, without the
/// advisory database, with each component's layer.
#[test]
fn sbom_of_an_image() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let img = app_image("2.2.0");
    let layout = work.path().join("layout");
    write_layout(&img, &layout);
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "sbom", "image", "--input"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    assert!(!cache.path().join("advisories.db").exists());
    let bom: Value = serde_json::from_str(&out).unwrap();
    schemas::cyclonedx(&bom);
    let target = &bom["metadata"]["component"];
    assert_eq!(target["type"], "container");
    assert_eq!(target["version"], sha256(&img.manifest));
    let flask = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Flask")
        .unwrap();
    let props = flask["properties"].as_array().unwrap();
    assert!(props.contains(&json!({"name": "vigil:layer_index", "value": "1"})));
    assert!(props.contains(&json!({"name": "vigil:layer_created_by", "value": APP_CMD})));

    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "sbom", "image", "-f", "spdx", "--input"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    schemas::spdx(&doc);
    assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(doc["packages"].as_array().unwrap().len(), 3);
}

/// The secret findings of a JSON report as `path line:column id layer`.
fn secrets(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .map(|f| {
            format!(
                "{} {}:{} {} {}",
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"],
                f["location"]["column"],
                f["id"].as_str().unwrap(),
                f["layer"]["index"]
            )
        })
        .collect()
}

#[test]
fn secrets_in_layers_even_deleted_and_in_the_configuration() {
    let cache = cache_with_db();
    let work = tempfile::tempdir().unwrap();
    let env_file = std::fs::read(fixture("secrets/deploy.env")).unwrap();
    let config: Value =
        serde_json::from_slice(&std::fs::read(fixture("secrets/config.json")).unwrap()).unwrap();
    let leaky_run = config["build_arg_run"].as_str().unwrap();
    let bundle = {
        let inner = tar_of(&[("conf/deploy.env", &env_file)]);
        gzip(&inner)
    };
    let img = image_with(
        &[
            (base_layer(), BASE_CMD),
            (
                tar_of(&[("app/deploy.env", &env_file), ("app/bundle.tgz", &bundle)]),
                "COPY . /app",
            ),
            (tar_of(&[("app/.wh.deploy.env", b"")]), leaky_run),
        ],
        json!({"Env": config["Env"], "Labels": config["Labels"], "Cmd": ["make", "run"]}),
    );
    let layout = work.path().join("layout");
    write_layout(&img, &layout);
    let (code, out, err) = run(vigil(cache.path())
        .args([
            "--no-config",
            "scan",
            "image",
            "--format",
            "json",
            "--input",
        ])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let mut found = secrets(&report);
    found.sort();
    assert_eq!(
        found,
        [
            "app/bundle.tgz!/conf/deploy.env 2:14 github-pat-classic 1",
            "app/deploy.env 2:14 github-pat-classic 1",
            "image-config:Env 2:23 aws-secret-access-key null",
            "image-config:history 3:17 github-pat-classic null",
        ],
        "{report:#}"
    );
    let findings = report["findings"].as_array().unwrap();
    let deleted = findings
        .iter()
        .find(|f| f["location"]["path"] == "app/deploy.env")
        .unwrap();
    assert_eq!(
        deleted["layer"]["digest"],
        report["image"]["layers"][1]["digest"]
    );
    assert!(deleted["message"].as_str().unwrap().contains("deleted"));
    assert_eq!(deleted["secret"], "ghp_…");
    // The raw values reach neither the findings nor the layer list.
    let raw_env = config["Env"][1]
        .as_str()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1;
    for raw in [
        "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",
        "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",
        raw_env,
    ] {
        assert!(!out.contains(raw), "{raw} in the report");
    }
    assert_eq!(
        report["image"]["layers"][2]["created_by"],
        "RUN |1 GH_TOKEN=ghp_… /bin/sh -c make install"
    );

    // The table names the layer, and that the file is gone.
    let (code, out, err) = run(vigil(cache.path())
        .args(["--no-config", "scan", "image", "--input"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let digest = report["image"]["layers"][1]["digest"].as_str().unwrap();
    assert!(
        out.contains(&format!(
            "app/deploy.env (1 secret), layer 1 {}, deleted by a later layer",
            &digest[..19]
        )),
        "{out}"
    );

    // --no-secrets: none.
    let (code, out, err) = run(vigil(cache.path())
        .args([
            "--no-config",
            "scan",
            "image",
            "--no-secrets",
            "--format",
            "json",
            "--input",
        ])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(secrets(&report).is_empty());

    // --fail-on-secrets gates on them.
    let (code, _, err) = run(vigil(cache.path())
        .args([
            "--no-config",
            "scan",
            "image",
            "--fail-on-secrets",
            "--input",
        ])
        .arg(&layout));
    assert_eq!(code, 1, "{err}");
}
