//! Real images and root filesystems, made by the tools that make them in
//! the wild, scanned by the real binary: a `debootstrap` Debian root
//! filesystem, packed as an OCI layout by umoci and as a `docker save`
//! archive by skopeo, pushed by skopeo to a real registry server
//! (`docker-registry`) with and without authentication, over plain HTTP
//! and over HTTPS with a private certificate authority; an AlmaLinux root
//! whose RPM database rpm itself wrote. `tests/fixtures-build/build.sh`
//! builds them once into a cache outside the clone.
//!
//! They need root and the Debian packages debootstrap, umoci, skopeo,
//! docker-registry, rpm and apache2-utils, so they run when
//! `VIGIL_IMAGE_TESTS=1` (`.ci/run` sets it) and fail when a tool is
//! missing; otherwise they say on stderr that they were skipped.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.
#![allow(clippy::print_stderr)] // Skips are reported on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

fn enabled(test: &str) -> bool {
    let on = std::env::var("VIGIL_IMAGE_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("{test}: skipped (set VIGIL_IMAGE_TESTS=1 to build and scan real images; needs root and debootstrap, umoci, skopeo, docker-registry, rpm, apache2-utils)");
    }
    on
}

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// What the fixture builder made.
struct Fixtures {
    debian_rootfs: PathBuf,
    debian_oci: PathBuf,
    debian_archive: PathBuf,
    rpm_rootfs: PathBuf,
}

/// Runs the fixture builder (a no-op when its outputs are cached) and
/// reads the paths it prints.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        for tool in ["docker-registry", "skopeo", "htpasswd", "dpkg", "rpm"] {
            assert!(
                which(tool),
                "`{tool}` is not installed (Debian packages: debootstrap umoci skopeo docker-registry rpm apache2-utils)"
            );
        }
        let script = tests_dir().join("fixtures-build/build.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        assert!(out.status.success(), "{} failed", script.display());
        let vars: BTreeMap<String, PathBuf> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
            .collect();
        let get = |k: &str| {
            let p = vars.get(k).unwrap_or_else(|| panic!("{k} not printed by the builder"));
            assert!(p.exists(), "{}: missing", p.display());
            p.clone()
        };
        Fixtures {
            debian_rootfs: get("VIGIL_FIXTURE_DEBIAN_ROOTFS"),
            debian_oci: get("VIGIL_FIXTURE_DEBIAN_OCI"),
            debian_archive: get("VIGIL_FIXTURE_DEBIAN_ARCHIVE"),
            rpm_rootfs: get("VIGIL_FIXTURE_RPM_ROOTFS"),
        }
    })
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
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

/// Runs a command with `stdin` as its input: (exit code, stdout, stderr).
fn run_with(c: &mut Command, stdin: Option<&str>) -> (i32, String, String) {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("running a command");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(c: &mut Command, what: &str) -> String {
    let (code, out, err) = run_with(c, None);
    assert_eq!(code, 0, "{what} failed:\n{out}\n{err}");
    out
}

/// A vigil cache with the advisories these tests match against: the
/// Debian test records of real advisories, the Flask advisory, and the
/// real AlmaLinux data.
fn cache_with_db() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    check(
        vigil(cache.path())
            .args(["db", "import"])
            .arg(tests_dir().join("fixtures/osv-os"))
            .arg(tests_dir().join("fixtures/image/flask-advisory.json"))
            .arg(shared().join("osv/AlmaLinux/all.zip")),
        "vigil db import",
    );
    cache
}

/// Scans with vigil and returns the JSON report and stderr.
fn scan_json(cache: &Path, args: &[&str], target: &Path) -> Value {
    let out = check(
        vigil(cache)
            .arg("--offline")
            .args(args)
            .arg(target)
            .args(["-f", "json"]),
        &format!("vigil {}", args.join(" ")),
    );
    serde_json::from_str(&out).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string `{key}` in {v}"))
}

/// `(ecosystem, name, version)` of every component.
fn component_keys(report: &Value) -> BTreeSet<(String, String, String)> {
    report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                s(c, "ecosystem").into(),
                s(c, "name").into(),
                s(c, "version").into(),
            )
        })
        .collect()
}

/// `(package name, advisory ID)` of every finding.
fn finding_keys(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "vulnerability")
        .map(|f| (s(&f["package"], "name").into(), s(f, "id").into()))
        .collect()
}

// --- Debian -----------------------------------------------------------------

/// An installed Debian package as dpkg itself reports it.
struct DebPackage {
    name: String,
    version: String,
    source: String,
    source_version: String,
}

/// The packages of a root filesystem, by `dpkg-query --admindir`.
fn dpkg_packages(rootfs: &Path) -> Vec<DebPackage> {
    let out = check(
        Command::new("dpkg-query")
            .arg(format!(
                "--admindir={}",
                rootfs.join("var/lib/dpkg").display()
            ))
            .args([
                "-W",
                "-f",
                "${Package}\t${Version}\t${source:Package}\t${source:Version}\n",
            ]),
        "dpkg-query",
    );
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            DebPackage {
                name: f[0].into(),
                version: f[1].into(),
                source: f[2].into(),
                source_version: f[3].into(),
            }
        })
        .collect()
}

/// `a < b` in dpkg's order, by dpkg itself.
fn dpkg_lt(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .unwrap()
        .success()
}

/// The findings the Debian:12 test records give the installed packages,
/// evaluated with dpkg's own version comparison on the source version:
/// `(binary package, advisory ID)`.
fn expected_debian_findings(packages: &[DebPackage]) -> BTreeSet<(String, String)> {
    let mut expected = BTreeSet::new();
    for entry in std::fs::read_dir(tests_dir().join("fixtures/osv-os")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for affected in record["affected"].as_array().unwrap() {
            if affected["package"]["ecosystem"] != "Debian:12" {
                continue;
            }
            let source = s(&affected["package"], "name");
            for range in affected["ranges"].as_array().unwrap() {
                let events = range["events"].as_array().unwrap();
                // These records are all `introduced: 0` with at most one fix.
                assert_eq!(events[0]["introduced"], "0", "{}", path.display());
                let fixed = events.get(1).map(|e| s(e, "fixed"));
                for p in packages.iter().filter(|p| p.source == source) {
                    if fixed.is_none_or(|f| dpkg_lt(&p.source_version, f)) {
                        expected.insert((p.name.clone(), s(&record, "id").to_string()));
                    }
                }
            }
        }
    }
    expected
}

/// Checks a report of the Debian root filesystem (or of the image built on
/// it) against what dpkg says is installed: the OS, every package with its
/// source, and the findings.
fn check_debian_report(report: &Value, packages: &[DebPackage]) {
    assert_eq!(report["os"]["ecosystem"], "Debian:12", "{}", report["os"]);
    assert!(
        s(&report["os"], "name").contains("bookworm"),
        "{}",
        report["os"]
    );
    assert!(packages.len() > 80, "{} packages", packages.len());
    let debs: BTreeMap<&str, &Value> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ecosystem"] == "Debian")
        .map(|c| (s(c, "name"), c))
        .collect();
    assert_eq!(
        debs.keys().copied().collect::<Vec<_>>(),
        packages.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
    );
    let mut binnmus = 0;
    for p in packages {
        let c = debs[p.name.as_str()];
        assert_eq!(s(c, "version"), p.version, "{}", p.name);
        assert_eq!(c["release"], "12", "{c}");
        assert_eq!(s(&c["source"], "name"), p.source, "{c}");
        if p.source_version != p.version {
            // A binary-only rebuild (`+bN`): the source version is told.
            assert_eq!(s(&c["source"], "version"), p.source_version, "{c}");
            binnmus += 1;
        }
        assert!(s(c, "purl").starts_with("pkg:deb/debian/"), "{c}");
        assert!(s(c, "purl").contains("distro=debian-12"), "{c}");
    }
    assert!(
        binnmus > 0,
        "no binNMU among the packages: the check is void"
    );
    let expected = expected_debian_findings(packages);
    let found: BTreeSet<(String, String)> = finding_keys(report)
        .into_iter()
        .filter(|(name, _)| debs.contains_key(name.as_str()))
        .collect();
    assert_eq!(found, expected);
    // The records without a fix give findings on apt, util-linux's and
    // tar's packages, flagged as unfixed, whatever the mirror serves.
    for (package, id) in [
        ("apt", "DEBIAN-CVE-2011-3374"),
        ("libapt-pkg6.0", "DEBIAN-CVE-2011-3374"),
        ("mount", "DEBIAN-CVE-2022-0563"),
        ("libblkid1", "DEBIAN-CVE-2022-0563"),
        ("tar", "DEBIAN-CVE-2005-2541"),
    ] {
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id && f["package"]["name"] == package)
            .unwrap_or_else(|| panic!("no {id} on {package}"));
        assert_eq!(f["fix_available"], false, "{f}");
    }
}

#[test]
fn a_debootstrap_root_filesystem_is_debian_12_with_what_dpkg_lists() {
    if !enabled("a_debootstrap_root_filesystem_is_debian_12_with_what_dpkg_lists") {
        return;
    }
    let fx = fixtures();
    let cache = cache_with_db();
    let report = scan_json(cache.path(), &["scan", "rootfs"], &fx.debian_rootfs);
    let packages = dpkg_packages(&fx.debian_rootfs);
    check_debian_report(&report, &packages);
    assert_eq!(
        report["components"].as_array().unwrap().len(),
        packages.len(),
        "only dpkg's packages in a minbase root"
    );
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    // A clean Debian system: no secret in it (lintian overrides such as
    // `passwd: elevated-privileges ...` are no passwords).
    let secrets: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .collect();
    assert!(secrets.is_empty(), "{secrets:?}");
}

const BASE_CREATED_BY: &str = "debootstrap --variant=minbase bookworm";
const APP_CREATED_BY: &str = "COPY app/ /";

/// The image's OCI manifest and configuration, read from the layout.
fn oci_manifest_and_config(layout: &Path) -> (Value, Value) {
    let read =
        |p: PathBuf| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    let blob = |digest: &str| layout.join("blobs/sha256").join(&digest[7..]);
    let index = read(layout.join("index.json"));
    let manifest = read(blob(s(&index["manifests"][0], "digest")));
    let config = read(blob(s(&manifest["config"], "digest")));
    (manifest, config)
}

/// The layer blob digests of the image's OCI manifest.
fn layer_blobs(manifest: &Value) -> Vec<String> {
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| s(l, "digest").to_string())
        .collect()
}

/// Checks a report of the Debian image: the base layer's packages from the
/// base layer, Flask from the application layer, the image's facts.
/// `layer_digests`: the digests the source names the layers by.
fn check_debian_image_report(report: &Value, packages: &[DebPackage], layer_digests: &[String]) {
    check_debian_report(report, packages);
    let image = &report["image"];
    assert_eq!(image["platform"], "linux/amd64", "{image}");
    assert_eq!(image["user"], "1000", "{image}");
    assert_eq!(image["exposed_ports"], serde_json::json!(["5000/tcp"]));
    assert_eq!(image["entrypoint"], serde_json::json!(["python3"]));
    assert_eq!(image["cmd"], serde_json::json!(["/srv/app/app.py"]));
    let layers = image["layers"].as_array().unwrap();
    let digests: Vec<&str> = layers.iter().map(|l| s(l, "digest")).collect();
    assert_eq!(digests, layer_digests, "{image}");
    assert_eq!(layers[0]["created_by"], BASE_CREATED_BY);
    assert_eq!(layers[1]["created_by"], APP_CREATED_BY);
    for c in report["components"].as_array().unwrap() {
        let (index, created_by) = if c["ecosystem"] == "Debian" {
            (0, BASE_CREATED_BY)
        } else {
            (1, APP_CREATED_BY)
        };
        assert_eq!(c["layer"]["index"], index, "{c}");
        assert_eq!(c["layer"]["digest"], layer_digests[index], "{c}");
        assert_eq!(c["layer"]["created_by"], created_by, "{c}");
    }
    let others: Vec<_> = component_keys(report)
        .into_iter()
        .filter(|(e, _, _)| e != "Debian")
        .collect();
    assert_eq!(
        others,
        [("PyPI".to_string(), "Flask".to_string(), "2.2.2".to_string())]
    );
    assert!(finding_keys(report).contains(&("Flask".into(), "GHSA-m2qf-hxjv-5gpq".into())));
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn the_debian_image_from_an_oci_layout_and_a_docker_archive() {
    if !enabled("the_debian_image_from_an_oci_layout_and_a_docker_archive") {
        return;
    }
    let fx = fixtures();
    let cache = cache_with_db();
    let packages = dpkg_packages(&fx.debian_rootfs);
    let (manifest, config) = oci_manifest_and_config(&fx.debian_oci);
    // The layout names layers by their compressed blobs; skopeo's docker
    // archive holds them uncompressed, named by their diff IDs.
    let blobs = layer_blobs(&manifest);
    let diff_ids: Vec<String> = config["rootfs"]["diff_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert_eq!(blobs.len(), 2);

    let from_layout = scan_json(cache.path(), &["scan", "image", "--input"], &fx.debian_oci);
    check_debian_image_report(&from_layout, &packages, &blobs);

    let from_archive = scan_json(
        cache.path(),
        &["scan", "image", "--input"],
        &fx.debian_archive,
    );
    check_debian_image_report(&from_archive, &packages, &diff_ids);
    assert_eq!(
        from_archive["image"]["config_digest"],
        manifest["config"]["digest"]
    );
    assert_eq!(finding_keys(&from_layout), finding_keys(&from_archive));
}

// --- Registry ---------------------------------------------------------------

/// A `docker-registry` server on 127.0.0.1, killed when dropped.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry; with `htpasswd`, it asks for basic credentials.
    fn start(htpasswd: Option<&str>) -> Registry {
        Registry::start_with(htpasswd, None)
    }

    /// Starts a registry; with `tls`, it speaks HTTPS with that server
    /// certificate and key (PEM files).
    fn start_with(htpasswd: Option<&str>, tls: Option<(&Path, &Path)>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: vigil-test\n",
            dir.path().join("storage").display()
        );
        if let Some((cert, key)) = tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            ));
        }
        if let Some(entry) = htpasswd {
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, entry).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: vigil-test\n    path: {}\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting docker-registry");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not listen on port {port}: {}",
                std::fs::read_to_string(registry._dir.path().join("registry.log"))
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    fn reference(&self) -> String {
        format!("127.0.0.1:{}/team/app:1.0", self.port)
    }

    /// Pushes the OCI layout's image with skopeo.
    fn push(&self, layout: &Path, creds: Option<&str>) {
        let mut c = Command::new("skopeo");
        c.args(["copy", "--quiet", "--dest-tls-verify=false"]);
        if let Some(creds) = creds {
            c.args(["--dest-creds", creds]);
        }
        c.arg(format!("oci:{}:1.0", layout.display()))
            .arg(format!("docker://{}", self.reference()));
        check(&mut c, "skopeo copy");
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `vigil -v scan image REF`: (exit code, report, stderr with the log).
fn scan_registry(
    cache: &Path,
    reference: &str,
    extra: &[&str],
    stdin: Option<&str>,
    docker_config: Option<&Path>,
) -> (i32, Option<Value>, String) {
    let mut c = vigil(cache);
    c.args(["-v", "scan", "image", "-f", "json"])
        .args(extra)
        .arg(reference);
    if let Some(dir) = docker_config {
        c.env("DOCKER_CONFIG", dir);
    }
    let (code, out, err) = run_with(&mut c, stdin);
    (code, serde_json::from_str(&out).ok(), err)
}

/// The `downloaded=N cached=M` of the "image read" log line.
fn fetch_counts(log: &str) -> (usize, usize) {
    let line = log
        .lines()
        .find(|l| l.contains("image read") && l.contains("downloaded="))
        .unwrap_or_else(|| panic!("no `image read` line in the log:\n{log}"));
    let num = |key: &str| -> usize {
        let rest = &line[line.find(key).unwrap() + key.len()..];
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("downloaded="), num("cached="))
}

/// The blobs of the image in the vigil cache.
fn cached_blobs(cache: &Path) -> BTreeSet<String> {
    std::fs::read_dir(cache.join("blobs/sha256"))
        .map(|d| {
            d.map(|e| format!("sha256:{}", e.unwrap().file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_debian_image_from_a_registry_with_and_without_auth() {
    if !enabled("the_debian_image_from_a_registry_with_and_without_auth") {
        return;
    }
    let fx = fixtures();
    let packages = dpkg_packages(&fx.debian_rootfs);
    let (manifest, _) = oci_manifest_and_config(&fx.debian_oci);
    let blobs = layer_blobs(&manifest);
    let layout_report = scan_json(
        cache_with_db().path(),
        &["scan", "image", "--input"],
        &fx.debian_oci,
    );

    // Anonymous.
    let open = Registry::start(None);
    open.push(&fx.debian_oci, None);
    let cache = cache_with_db();
    let (code, report, log) = scan_registry(cache.path(), &open.reference(), &[], None, None);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("HTTPS failed; speaking plain HTTP to the registry"),
        "{log}"
    );
    let report = report.unwrap();
    check_debian_image_report(&report, &packages, &blobs);
    assert_eq!(report["image"]["reference"], open.reference());
    assert_eq!(finding_keys(&report), finding_keys(&layout_report));
    // Config and both layers downloaded, then served from the cache.
    assert_eq!(fetch_counts(&log), (3, 0), "{log}");
    let mut wanted: BTreeSet<String> = blobs.iter().cloned().collect();
    wanted.insert(s(&manifest["config"], "digest").to_string());
    assert_eq!(cached_blobs(cache.path()), wanted);
    let (code, again, log) = scan_registry(cache.path(), &open.reference(), &[], None, None);
    assert_eq!(code, 0, "{log}");
    assert_eq!(fetch_counts(&log), (0, 3), "{log}");
    assert_eq!(again.unwrap()["components"], report["components"]);
    drop(open);

    // Basic authentication with a bcrypt htpasswd file.
    let entry = check(
        Command::new("htpasswd").args(["-Bbn", "alice", "correct horse"]),
        "htpasswd",
    );
    let locked = Registry::start(Some(&entry));
    locked.push(&fx.debian_oci, Some("alice:correct horse"));
    let reference = locked.reference();
    let cache = cache_with_db();

    let (code, _, err) = scan_registry(cache.path(), &reference, &[], None, None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("401 Unauthorized"), "{err}");
    assert!(err.contains("--username and --password-stdin"), "{err}");

    let user = ["--username", "alice", "--password-stdin"];
    let (code, _, err) =
        scan_registry(cache.path(), &reference, &user, Some("wrong horse\n"), None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the registry refused the credentials"),
        "{err}"
    );
    assert!(
        !err.contains("wrong horse"),
        "the password is never shown: {err}"
    );
    assert!(
        cached_blobs(cache.path()).is_empty(),
        "nothing fetched without auth"
    );

    let (code, report, log) = scan_registry(
        cache.path(),
        &reference,
        &user,
        Some("correct horse\n"),
        None,
    );
    assert_eq!(code, 0, "{log}");
    check_debian_image_report(&report.unwrap(), &packages, &blobs);
    assert_eq!(fetch_counts(&log), (3, 0), "{log}");

    // `docker login`'s config.json; the blobs come from the cache.
    let docker = tempfile::tempdir().unwrap();
    let auth = base64_encode(b"alice:correct horse");
    std::fs::write(
        docker.path().join("config.json"),
        format!(
            r#"{{"auths": {{"127.0.0.1:{}": {{"auth": "{auth}"}}}}}}"#,
            locked.port
        ),
    )
    .unwrap();
    let (code, report, log) =
        scan_registry(cache.path(), &reference, &[], None, Some(docker.path()));
    assert_eq!(code, 0, "{log}");
    check_debian_image_report(&report.unwrap(), &packages, &blobs);
    assert_eq!(fetch_counts(&log), (0, 3), "{log}");
}

/// Writes a certificate authority (`ca.pem`) and a server certificate it
/// signed for 127.0.0.1 and localhost (`server.pem`, `server.key`) into
/// `dir`.
fn private_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "vigil test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server = params.signed_by(&key, &issuer).unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, server.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

#[test]
fn the_debian_image_from_a_registry_over_https_with_a_private_ca() {
    if !enabled("the_debian_image_from_a_registry_over_https_with_a_private_ca") {
        return;
    }
    let fx = fixtures();
    let packages = dpkg_packages(&fx.debian_rootfs);
    let (manifest, _) = oci_manifest_and_config(&fx.debian_oci);
    let blobs = layer_blobs(&manifest);
    let pki = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_pki(pki.path());
    let registry = Registry::start_with(None, Some((&cert, &key)));
    registry.push(&fx.debian_oci, None);
    let reference = registry.reference();
    let ca_arg = ca.display().to_string();

    // The public web roots only: the certificate is refused, plainly, and
    // plain HTTP is not tried against a server that speaks TLS.
    let cache = cache_with_db();
    let (code, _, err) = scan_registry(cache.path(), &reference, &[], None, None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("https://127.0.0.1:{}/v2/", registry.port)),
        "{err}"
    );
    assert!(err.contains("signed by an unknown authority"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert!(!err.contains("plain HTTP"), "{err}");
    assert!(cached_blobs(cache.path()).is_empty());

    // --ca-file: the whole image over HTTPS.
    let (code, report, log) = scan_registry(
        cache.path(),
        &reference,
        &["--ca-file", &ca_arg],
        None,
        None,
    );
    assert_eq!(code, 0, "{log}");
    assert!(!log.contains("plain HTTP"), "{log}");
    check_debian_image_report(&report.unwrap(), &packages, &blobs);
    assert_eq!(fetch_counts(&log), (3, 0), "{log}");

    // SSL_CERT_FILE, as other tools read it.
    let mut c = vigil(cache.path());
    c.args(["-v", "scan", "image", "-f", "json", &reference])
        .env("SSL_CERT_FILE", &ca);
    let (code, out, log) = run_with(&mut c, None);
    assert_eq!(code, 0, "{log}");
    check_debian_image_report(&serde_json::from_str(&out).unwrap(), &packages, &blobs);

    // --insecure: no verification, still HTTPS; a fresh cache downloads.
    let fresh = cache_with_db();
    let (code, report, log) = scan_registry(fresh.path(), &reference, &["--insecure"], None, None);
    assert_eq!(code, 0, "{log}");
    assert!(!log.contains("plain HTTP"), "{log}");
    check_debian_image_report(&report.unwrap(), &packages, &blobs);
    assert_eq!(fetch_counts(&log), (3, 0), "{log}");

    // A file that is no certificate bundle stops the scan, named.
    let (code, _, err) = scan_registry(
        fresh.path(),
        &reference,
        &["--ca-file", &key.display().to_string()],
        None,
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert!(err.contains(&key.display().to_string()), "{err}");
    assert!(err.contains("no PEM `CERTIFICATE` block"), "{err}");
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// --- RPM --------------------------------------------------------------------

#[test]
fn an_rpm_database_written_by_rpm_gives_the_real_almalinux_advisories() {
    if !enabled("an_rpm_database_written_by_rpm_gives_the_real_almalinux_advisories") {
        return;
    }
    let fx = fixtures();
    let root = &fx.rpm_rootfs;
    assert!(root.join("var/lib/rpm/rpmdb.sqlite").is_file());
    // What rpm itself says is installed.
    let listed = check(
        Command::new("rpm").arg("--root").arg(root).args([
            "--dbpath",
            "/var/lib/rpm",
            "-qa",
            "--qf",
            "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{SOURCERPM}\n",
        ]),
        "rpm -qa",
    );
    let mut rpm_says: Vec<String> = listed.lines().map(str::to_string).collect();
    rpm_says.sort();
    assert_eq!(
        rpm_says,
        [
            "openssl-libs 1:3.0.7-24.el9 openssl-3.0.7-24.el9.src.rpm",
            "sudo 1.9.5p2-9.el9 sudo-1.9.5p2-9.el9.src.rpm",
        ]
    );

    let cache = cache_with_db();
    let report = scan_json(cache.path(), &["scan", "rootfs"], root);
    assert_eq!(report["os"]["ecosystem"], "AlmaLinux:9", "{}", report["os"]);
    let components: Vec<String> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                s(c, "ecosystem"),
                s(c, "name"),
                s(c, "version"),
                s(&c["source"], "name"),
                s(c, "purl")
            )
        })
        .collect();
    assert_eq!(
        components,
        [
            "AlmaLinux openssl-libs 1:3.0.7-24.el9 openssl pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=almalinux-9.3&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm",
            "AlmaLinux sudo 1.9.5p2-9.el9 sudo pkg:rpm/almalinux/sudo@1.9.5p2-9.el9?arch=x86_64&distro=almalinux-9.3&upstream=sudo-1.9.5p2-9.el9.src.rpm",
        ]
    );
    // What the shared AlmaLinux data says, evaluated independently with
    // rpm's own comparison (python3-rpm `labelCompare`) over every
    // AlmaLinux:9 record: exact sets. ALSA-2023:3722 (openssl, fixed in
    // 1:3.0.7-16.el9_2) and ALSA-2023:0282 (sudo, fixed in
    // 1.9.5p2-7.el9_1.1) are below the installed versions.
    let mut by_package: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, id) in finding_keys(&report) {
        by_package.entry(name).or_default().insert(id);
    }
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        by_package["openssl-libs"],
        set(&[
            "ALSA-2024:0310",
            "ALSA-2024:2447",
            "ALSA-2024:6783",
            "ALSA-2024:9333",
            "ALSA-2025:1330",
            "ALSA-2025:21255",
            "ALSA-2026:1473",
            "ALSA-2026:19218",
            "ALSA-2026:22312",
            "ALSA-2026:25239",
        ])
    );
    assert_eq!(
        by_package["sudo"],
        set(&[
            "ALSA-2024:0811",
            "ALSA-2025:9978",
            "ALSA-2026:12310",
            "ALSA-2026:19220",
        ])
    );
    assert_eq!(by_package.len(), 2);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}
