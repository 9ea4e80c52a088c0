//! Real installs, made by the tests with the registries' own clients (pip,
//! npm), scanned by the real binary: what is installed must give the
//! findings the advisory data says it should.
//!
//! These need the package registries, so they run when
//! `VIGIL_REAL_INSTALL_TESTS=1` (`.ci/run` sets it); otherwise they say on
//! stderr that they were skipped.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.
#![allow(clippy::print_stderr)] // Skips are reported on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn enabled(test: &str) -> bool {
    let on = std::env::var("VIGIL_REAL_INSTALL_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("{test}: skipped (set VIGIL_REAL_INSTALL_TESTS=1 to install packages from the registries)");
    }
    on
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn check(c: &mut Command, what: &str) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Finding IDs per (name, version) of a JSON report.
fn findings_by_package(report: &serde_json::Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let key = (
            f["package"]["name"].as_str().unwrap().to_ascii_lowercase(),
            f["package"]["version"].as_str().unwrap().to_string(),
        );
        out.entry(key)
            .or_default()
            .insert(f["id"].as_str().unwrap().to_string());
    }
    out
}

#[test]
fn a_pip_virtualenv_gives_the_advisories_of_what_is_installed() {
    if !enabled("a_pip_virtualenv_gives_the_advisories_of_what_is_installed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    check(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    check(
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "requests==2.25.1",
            "urllib3==1.26.4",
            "idna==2.10",
            "certifi==2020.12.5",
            "chardet==4.0.0",
        ]),
        "pip install",
    );
    let cache = tempfile::tempdir().unwrap();
    check(
        vigil(cache.path())
            .args(["db", "import"])
            .arg(shared().join("osv/PyPI/all.zip")),
        "vigil db import",
    );
    let out = check(
        vigil(cache.path())
            .args(["--offline", "scan", "-f", "json"])
            .arg(dir.path()),
        "vigil scan",
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found = findings_by_package(&report);
    // What the shared PyPI data says (evaluated independently with python
    // `packaging` over every record): exact sets.
    let expect = |name: &str, version: &str, ids: &[&str]| {
        let got = found
            .get(&(name.to_string(), version.to_string()))
            .cloned()
            .unwrap_or_default();
        let want: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{name} {version}");
    };
    expect(
        "requests",
        "2.25.1",
        &[
            "PYSEC-2023-74",
            "PYSEC-2026-1872",
            "PYSEC-2026-1873",
            "PYSEC-2026-2275",
        ],
    );
    expect(
        "urllib3",
        "1.26.4",
        &[
            "PYSEC-2021-108",
            "PYSEC-2023-192",
            "PYSEC-2023-212",
            "PYSEC-2026-141",
            "PYSEC-2026-1994",
            "PYSEC-2026-1995",
            "PYSEC-2026-1996",
            "PYSEC-2026-1998",
            "PYSEC-2026-1999",
        ],
    );
    expect("idna", "2.10", &["PYSEC-2024-60", "PYSEC-2026-215"]);
    expect(
        "certifi",
        "2020.12.5",
        &["PYSEC-2022-42986", "PYSEC-2023-135"],
    );
    expect("chardet", "4.0.0", &[]);
    // Every finding is located in the installed package's metadata.
    for f in report["findings"].as_array().unwrap() {
        let path = f["location"]["path"].as_str().unwrap();
        assert!(
            path.contains("site-packages/") && path.contains(".dist-info/"),
            "{path}"
        );
    }
}

#[test]
fn an_npm_install_gives_the_advisories_of_what_is_installed() {
    if !enabled("an_npm_install_gives_the_advisories_of_what_is_installed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    check(
        Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir.path())
            .args(["lodash@4.17.15", "minimist@1.2.5"]),
        "npm install",
    );
    let cache = tempfile::tempdir().unwrap();
    // npm advisories are not in the shared data: the demo mirror's npm
    // records (real GHSA IDs and ranges) stand in.
    check(
        vigil(cache.path())
            .args(["db", "import"])
            .arg(root().join("examples/osv-mirror/npm")),
        "vigil db import",
    );
    let out = check(
        vigil(cache.path())
            .args(["--offline", "scan", "-f", "json"])
            .arg(dir.path()),
        "vigil scan",
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found = findings_by_package(&report);
    let lodash = found
        .get(&("lodash".to_string(), "4.17.15".to_string()))
        .cloned()
        .unwrap_or_default();
    for id in [
        "GHSA-p6mc-m468-83gw",
        "GHSA-35jh-r3h4-6jhm",
        "GHSA-29mw-wpgm-hmr9",
    ] {
        assert!(lodash.contains(id), "{lodash:?}");
    }
    let minimist = found
        .get(&("minimist".to_string(), "1.2.5".to_string()))
        .cloned()
        .unwrap_or_default();
    assert!(minimist.contains("GHSA-xvch-5gv4-984h"), "{minimist:?}");
    // Found both in package-lock.json and in node_modules itself.
    let lodash_component = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "lodash")
        .unwrap();
    let paths: Vec<&str> = lodash_component["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("node_modules/lodash/package.json")),
        "{paths:?}"
    );
    assert!(paths.contains(&"package-lock.json"), "{paths:?}");
}
