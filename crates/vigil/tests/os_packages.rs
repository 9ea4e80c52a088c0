//! End-to-end tests of `vigil scan rootfs`: root filesystems holding OS
//! package databases (dpkg, apk, rpm) and a release file, matched against
//! real distribution advisories (the AlmaLinux OSV snapshot, and records of
//! real Debian, Ubuntu and Alpine advisories in `fixtures/osv-os`).
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_KEV_SOURCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("running vigil");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A cache with the distribution advisory fixtures imported (and the
/// AlmaLinux snapshot when asked).
fn cache(with_alma: bool) -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = vigil(cache.path());
    cmd.args(["--offline", "db", "import"])
        .arg(fixtures().join("osv-os"));
    if with_alma {
        cmd.arg(shared().join("osv/AlmaLinux/all.zip"));
    }
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    cache
}

/// `vigil scan rootfs ROOT --format json` and its report.
fn scan_json(cache: &Path, root: &Path, extra: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(vigil(cache)
        .args(["--offline", "scan", "rootfs"])
        .arg(root)
        .args(["--format", "json"])
        .args(extra));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON report")
}

/// `ID package@version fixed=[...]` of each finding, sorted.
fn findings(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let fixed: Vec<&str> = f["fixed_versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            format!(
                "{} {}@{} fixed=[{}]",
                f["id"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap(),
                f["package"]["version"].as_str().unwrap(),
                fixed.join(",")
            )
        })
        .collect();
    v.sort();
    v
}

fn component<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {report:#}"))
}

/// Copies a fixture tree into a temporary folder (symlinks kept).
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if ft.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn debian_rootfs_matches_source_packages_in_its_release() {
    let cache = cache(false);
    let root = fixtures().join("rootfs/debian-12");
    let report = scan_json(cache.path(), &root, &[]);
    assert_eq!(
        findings(&report),
        [
            "DEBIAN-CVE-2010-0928 libssl3@3.0.11-1~deb12u1 fixed=[]",
            "DEBIAN-CVE-2010-0928 openssl@3.0.11-1~deb12u1 fixed=[]",
            "DSA-5532-1 libssl3@3.0.11-1~deb12u1 fixed=[3.0.11-1~deb12u2]",
            "DSA-5532-1 openssl@3.0.11-1~deb12u1 fixed=[3.0.11-1~deb12u2]",
        ]
    );
    assert_eq!(report["os"]["name"], "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(report["os"]["ecosystem"], "Debian:12");
    let libssl = component(&report, "libssl3");
    assert_eq!(libssl["ecosystem"], "Debian");
    assert_eq!(libssl["release"], "12");
    assert_eq!(libssl["source"]["name"], "openssl");
    assert_eq!(
        libssl["purl"],
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"
    );
    // The package removed with its configuration kept is not installed.
    assert!(report["components"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"] != "curl"));
    let unfixed: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix_available"] == false)
        .collect();
    assert_eq!(unfixed.len(), 2);

    // --ignore-unfixed hides the findings without a fix.
    let report = scan_json(cache.path(), &root, &["--ignore-unfixed"]);
    assert_eq!(
        findings(&report),
        [
            "DSA-5532-1 libssl3@3.0.11-1~deb12u1 fixed=[3.0.11-1~deb12u2]",
            "DSA-5532-1 openssl@3.0.11-1~deb12u1 fixed=[3.0.11-1~deb12u2]",
        ]
    );

    // The table says which have no fix yet.
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "rootfs"])
        .arg(&root));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("var/lib/dpkg/status (4 vulnerabilities)"),
        "{out}"
    );
    assert!(out.contains("no fix yet"), "{out}");
    assert!(
        out.contains("OS: Debian GNU/Linux 12 (bookworm); its packages were matched in Debian:12."),
        "{out}"
    );
    assert!(
        out.contains("2 vulnerabilities have no fix yet (--ignore-unfixed hides them)."),
        "{out}"
    );
}

#[test]
fn another_release_or_no_release_gives_no_finding() {
    let cache = cache(false);
    // The same packages on Debian 11: the advisories are Debian 12's.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("rootfs/debian-12"), dir.path());
    std::fs::write(
        dir.path().join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nID=debian\nVERSION_ID=\"11\"\n",
    )
    .unwrap();
    let report = scan_json(cache.path(), dir.path(), &[]);
    assert!(findings(&report).is_empty(), "{report:#}");
    assert_eq!(component(&report, "libssl3")["release"], "11");
    assert!(report["not_checked"].as_array().unwrap().is_empty());

    // Debian testing: no VERSION_ID, no release; the packages are not
    // checked, with the reason.
    std::fs::write(
        dir.path().join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\nVERSION_CODENAME=trixie\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("etc/debian_version"), "trixie/sid\n").unwrap();
    let report = scan_json(cache.path(), dir.path(), &[]);
    assert!(findings(&report).is_empty());
    assert_eq!(report["os"]["name"], "Debian GNU/Linux trixie/sid");
    assert!(report["os"].get("ecosystem").is_none(), "{report:#}");
    let nc = report["not_checked"].as_array().unwrap();
    assert_eq!(nc.len(), 3, "{nc:#?}");
    assert!(
        nc[0]["reason"]
            .as_str()
            .unwrap()
            .contains("the Debian release is unknown"),
        "{nc:#?}"
    );
}

#[test]
fn ubuntu_rootfs_through_the_os_release_symlink() {
    let cache = cache(false);
    let report = scan_json(cache.path(), &fixtures().join("rootfs/ubuntu-22.04"), &[]);
    assert_eq!(
        findings(&report),
        ["USN-6450-1 libssl3@3.0.2-0ubuntu1.10 fixed=[3.0.2-0ubuntu1.12]"]
    );
    let libssl = component(&report, "libssl3");
    assert_eq!(libssl["ecosystem"], "Ubuntu");
    assert_eq!(libssl["release"], "22.04:LTS");
    assert_eq!(
        libssl["purl"],
        "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04&upstream=openssl"
    );
}

#[test]
fn alpine_rootfs_matches_by_origin() {
    let cache = cache(false);
    let report = scan_json(cache.path(), &fixtures().join("rootfs/alpine-3.18"), &[]);
    assert_eq!(
        findings(&report),
        ["ALPINE-CVE-2023-5363 libcrypto3@3.1.3-r0 fixed=[3.1.4-r0]"]
    );
    let c = component(&report, "libcrypto3");
    assert_eq!(c["release"], "v3.18");
    assert_eq!(c["license"], "Apache-2.0");
    assert_eq!(
        c["purl"],
        "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&distro=alpine-3.18.4&upstream=openssl"
    );
}

/// An rpm header blob holding string tags and an epoch (the layout rpm
/// stores in its databases: index count, data length, 16-byte index
/// entries, data; big-endian).
fn rpm_header(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
    let mut index: Vec<[u32; 4]> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    if let Some(e) = epoch {
        index.push([1003, 4, 0, 1]);
        data.extend_from_slice(&e.to_be_bytes());
    }
    for (tag, value) in strings {
        index.push([*tag, 6, data.len() as u32, 1]);
        data.extend_from_slice(value.as_bytes());
        data.push(0);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for entry in index {
        for v in entry {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out.extend_from_slice(&data);
    out
}

#[test]
fn almalinux_rootfs_with_an_sqlite_rpm_database() {
    let cache = cache(true);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../vigil-inventory/testdata/os/os-release/almalinux-9"),
        root.join("etc/os-release"),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(root.join("var/lib/rpm/rpmdb.sqlite")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    let packages = [
        rpm_header(
            &[
                (1000, "openssl-libs"),
                (1001, "3.0.1"),
                (1002, "41.el9_0"),
                (1014, "ASL 2.0"),
                (1022, "x86_64"),
                (1044, "openssl-3.0.1-41.el9_0.src.rpm"),
            ],
            Some(1),
        ),
        rpm_header(
            &[(1000, "gpg-pubkey"), (1001, "b86b3716"), (1002, "61e69f29")],
            None,
        ),
    ];
    for blob in &packages {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
            .unwrap();
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(conn);

    let report = scan_json(cache.path(), root, &[]);
    let found = findings(&report);
    // ALSA-2022:6224 fixed 1:3.0.1-41.el9_0, the installed version; the
    // later OpenSSL updates apply.
    assert!(
        found.contains(
            &"ALSA-2022:7288 openssl-libs@1:3.0.1-41.el9_0 fixed=[1:3.0.1-43.el9_0]".to_string()
        ),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|f| !f.starts_with("ALSA-2022:6224")),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|f| f.contains("openssl-libs@")),
        "{found:#?}"
    );
    let c = component(&report, "openssl-libs");
    assert_eq!(c["ecosystem"], "AlmaLinux");
    assert_eq!(c["release"], "9");
    assert_eq!(
        c["purl"],
        "pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?arch=x86_64&distro=almalinux-9.4&epoch=1&upstream=openssl-3.0.1-41.el9_0.src.rpm"
    );
    assert_eq!(report["components"].as_array().unwrap().len(), 1);

    // AlmaLinux 8 advisories do not apply to the same package on a
    // release 8 system.
    std::fs::write(
        root.join("etc/os-release"),
        "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"8.10\"\n",
    )
    .unwrap();
    let report = scan_json(cache.path(), root, &[]);
    assert!(findings(&report).is_empty(), "{:#?}", findings(&report));
}

#[test]
fn rpm_berkeley_db_sample_in_a_rootfs() {
    let cache = cache(true);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    std::fs::write(
        root.join("etc/redhat-release"),
        "Rocky Linux release 8.9 (Green Obsidian)\n",
    )
    .unwrap();
    std::fs::copy(
        shared().join("lockfile-samples/os/rpm/testdata/Packages_epoch"),
        root.join("var/lib/rpm/Packages"),
    )
    .unwrap();
    let report = scan_json(cache.path(), root, &[]);
    let c = component(&report, "hello");
    assert_eq!(c["ecosystem"], "Rocky Linux");
    assert_eq!(c["release"], "8");
    assert_eq!(c["version"], "1:0.0.1-rls");
    assert!(findings(&report).is_empty());
    assert!(report["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn rootfs_needs_a_directory() {
    let cache = cache(false);
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "rootfs"])
        .arg(fixtures().join("osv-os/README.md")));
    assert_eq!(code, 2);
    assert!(err.contains("not a directory"), "{err}");
}
