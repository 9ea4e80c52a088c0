//! End-to-end tests of `vigil scan host`: a snapshot file whose processes
//! load a vulnerable Debian package, matched against the records of real
//! Debian advisories in `fixtures/osv-os`; and the running host itself.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_KEV_SOURCE")
        .env_remove("VIGIL_CONFIG")
        .env("NO_COLOR", "1")
        .arg("--no-config")
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

/// A cache with the distribution advisory fixtures imported.
fn cache() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "db", "import"])
        .arg(fixtures().join("osv-os")));
    assert_eq!(code, 0, "{err}");
    cache
}

fn snapshot() -> PathBuf {
    fixtures().join("agent/snapshot-debian12.json")
}

fn scan(cache: &Path, format: &str) -> String {
    let (code, out, err) = run(vigil(cache)
        .args(["--offline", "scan", "host", "--input"])
        .arg(snapshot())
        .args(["--format", format]));
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn a_snapshot_is_matched_with_its_runtime_context() {
    let cache = cache();
    let report: serde_json::Value = serde_json::from_str(&scan(cache.path(), "json")).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let mut ids: Vec<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["DEBIAN-CVE-2010-0928", "DSA-5532-1"], "{report:#}");
    let dsa = findings.iter().find(|f| f["id"] == "DSA-5532-1").unwrap();
    assert_eq!(dsa["package"]["name"], "libssl3");
    assert_eq!(dsa["package"]["version"], "3.0.11-1~deb12u1");
    assert_eq!(dsa["fixed_versions"][0], "3.0.11-1~deb12u2");
    assert_eq!(
        dsa["location"]["path"],
        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"
    );
    let runtime = &dsa["runtime"];
    assert_eq!(
        runtime["processes"],
        serde_json::json!([
            {"pid": 812, "exe": "/usr/sbin/nginx"},
            {"pid": 1430, "exe": "/opt/orders/bin/orders"}
        ])
    );
    assert_eq!(runtime["exposure"], "public");
    assert_eq!(
        runtime["data_assets"],
        serde_json::json!(["postgresql", "redis"])
    );
    assert_eq!(report["os"]["ecosystem"], "Debian:12");
    assert_eq!(report["target"], snapshot().display().to_string());

    // Honest about what was not checked: a package without a version, and
    // a container's Debian package whose release is unknown.
    let not_checked: Vec<&str> = report["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(not_checked, ["example.com/internal/tool", "zlib1g"]);

    let table = scan(cache.path(), "table");
    let line = table
        .lines()
        .find(|l| l.contains("DSA-5532-1"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains("(loaded by 2 processes, exposed: public, reaches postgresql, redis)"),
        "{line}"
    );
    assert!(table.contains("2 components were not checked"), "{table}");

    let sarif: serde_json::Value = serde_json::from_str(&scan(cache.path(), "sarif")).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "DSA-5532-1")
        .unwrap();
    assert_eq!(result["properties"]["runtime"]["exposure"], "public");

    // The other formats still accept the report.
    for format in ["markdown", "cyclonedx", "spdx", "junit"] {
        assert!(!scan(cache.path(), format).is_empty(), "{format}");
    }
}

#[test]
fn a_containers_packages_are_matched_with_its_processes() {
    let cache = cache();
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "host", "--input"])
        .arg(fixtures().join("agent/snapshot-container.json"))
        .args(["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let find = |id: &str| {
        findings
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id}: {report:#}"))
    };
    // tar is installed in the container, loaded by no process.
    let tar = find("DEBIAN-CVE-2005-2541");
    assert_eq!(tar["package"]["name"], "tar");
    assert_eq!(tar["location"]["path"], "/var/lib/dpkg/status");
    let id = "9d2b7e4f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d3b5f7a9c1e3d5b7f9a1c3e5d";
    assert_eq!(tar["runtime"]["containers"], serde_json::json!([id]));
    assert_eq!(tar["runtime"]["installed_only"], true);
    assert_eq!(tar["runtime"]["processes"][0]["container"], id);
    assert_eq!(tar["runtime"]["exposure"], "public");
    // libssl3 is loaded by the container's nginx.
    let ssl = find("DSA-5532-1");
    assert_eq!(ssl["runtime"]["containers"], serde_json::json!([id]));
    assert!(ssl["runtime"].get("installed_only").is_none());
    assert_eq!(ssl["runtime"]["processes"].as_array().unwrap().len(), 2);

    let (code, table, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "host", "--input"])
        .arg(fixtures().join("agent/snapshot-container.json")));
    assert_eq!(code, 0, "{err}");
    let line = table
        .lines()
        .find(|l| l.contains("DEBIAN-CVE-2005-2541"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains(
            "(installed in container 9d2b7e4f1a3c (2 processes), exposed: public, reaches redis)"
        ),
        "{line}"
    );
}

#[test]
fn a_file_that_is_not_a_snapshot_is_refused() {
    let cache = cache();
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "host", "--input"])
        .arg(fixtures().join("osv-os/DSA-5532-1.json")));
    assert_ne!(code, 0);
    assert!(err.contains("not a snapshot"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_running_host_is_scanned() {
    let cache = cache();
    let (code, out, err) =
        run(vigil(cache.path()).args(["--offline", "scan", "host", "-f", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(report["target"].as_str().unwrap().starts_with("host "));
    assert!(report["findings"].is_array());
}
