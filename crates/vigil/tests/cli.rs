//! End-to-end tests: the real `vigil` binary in a temporary cache directory,
//! on fixture projects, with advisories from the real OSV snapshots.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A `vigil` command with its own cache directory and no mirror from the
/// environment.
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

/// A cache with crates.io, PyPI and the KEV catalogue imported.
fn cache_with_db() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path()).args(["db", "import"]).args([
        shared().join("osv/crates.io/all.zip"),
        shared().join("osv/PyPI/all.zip"),
        shared().join("kev/known_exploited_vulnerabilities.json"),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Imported 8286 new"), "{err}");
    cache
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("JSON report")
}

#[test]
fn versions_compare_answers_per_ecosystem() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, _) = run(vigil(cache.path()).args([
        "versions",
        "compare",
        "--ecosystem",
        "PyPI",
        "1.0rc1",
        "1.0",
    ]));
    assert_eq!((code, out.as_str()), (0, "-1\n"));
    let (_, out, _) =
        run(vigil(cache.path()).args(["versions", "compare", "-e", "Debian:12", "1:1.0", "2.0"]));
    assert_eq!(out, "1\n");
    let (code, _, err) =
        run(vigil(cache.path()).args(["versions", "compare", "-e", "Nope", "1", "2"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown ecosystem `Nope`"), "{err}");

    let mut child = vigil(cache.path())
        .args(["versions", "compare", "--ecosystem", "npm"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1.0.0 1.0.0-rc.1\n1.2.3 1.2.3\nnot.a.version 1.0.0\n1.0.0 2.0.0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], "1");
    assert_eq!(lines[1], "0");
    assert!(lines[2].starts_with("error:"), "{lines:?}");
    assert_eq!(lines[3], "-1");
}

#[test]
fn offline_without_a_database_fails_clearly() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 2);
    assert!(
        err.contains("no advisory database") && err.contains("--offline"),
        "{err}"
    );
}

#[test]
fn scan_reports_findings_in_json_and_table() {
    let cache = cache_with_db();
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "--format", "json"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "vigil");
    let names: Vec<&str> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ansi_term", "serde", "time"]);
    let findings = report["findings"].as_array().unwrap();
    let time = findings
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2020-0071")
        .expect("time finding");
    assert_eq!(time["kind"], "vulnerability");
    assert_eq!(time["package"]["version"], "0.1.45");
    assert_eq!(time["package"]["purl"], "pkg:cargo/time@0.1.45");
    assert_eq!(time["location"]["path"], "Cargo.lock");
    assert_eq!(time["severity"], "MEDIUM");
    assert_eq!(time["cvss"]["score"], 6.2);
    assert_eq!(
        time["aliases"],
        serde_json::json!(["CVE-2020-26235", "GHSA-wcg3-cvx6-7396"])
    );
    // RustSec lists 0.2.0 to 0.2.6 as unaffected and 0.2.23 as the fix; all
    // are above 0.1.45 and not affected, smallest first.
    assert_eq!(
        time["fixed_versions"],
        serde_json::json!([
            "0.2.0", "0.2.1", "0.2.2", "0.2.3", "0.2.4", "0.2.5", "0.2.6", "0.2.23"
        ])
    );
    assert_eq!(time["kev"], false);
    assert!(time.get("informational").is_none());
    // A source tree has no runtime context: the risk score is the base
    // score, and says why (docs/risk.md).
    assert_eq!(time["risk"]["score"], 6.2);
    assert_eq!(time["risk"]["reasons"], serde_json::json!(["not in KEV"]));
    let ansi = findings
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2021-0139")
        .expect("ansi_term notice");
    assert_eq!(ansi["informational"], "unmaintained");
    assert!(ansi.get("risk").is_none(), "notices are not scored");

    // Deterministic, and fingerprints are stable across runs.
    let (_, again, _) = run(vigil(cache.path())
        .args(["--offline", "scan", "-f", "json"])
        .arg(fixture("rust-app")));
    assert_eq!(out, again);

    let (code, table, _) = run(vigil(cache.path())
        .args(["--offline", "scan", "fs"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 0);
    assert!(table.contains("Cargo.lock (1 vulnerability)"), "{table}");
    assert!(
        table.contains("RUSTSEC-2020-0071 (CVE-2020-26235)"),
        "{table}"
    );
    assert!(table.contains("Informational notices"), "{table}");
    assert!(
        table.contains("Found 1 vulnerability (1 medium) in 1 package of 3 components."),
        "{table}"
    );
    assert!(!table.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn output_file_and_fail_on_gate() {
    let cache = cache_with_db();
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("r.json");
    // MEDIUM finding: --fail-on high passes, --fail-on medium fails.
    let (code, stdout, _) = run(vigil(cache.path())
        .args([
            "--offline",
            "scan",
            "--format",
            "json",
            "--fail-on",
            "high",
            "-o",
        ])
        .arg(&report)
        .arg(fixture("rust-app")));
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert!(json(&std::fs::read_to_string(&report).unwrap())["findings"].is_array());
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "--fail-on", "medium"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("gate failed"), "{err}");
    // The informational notice alone does not fail a gate by default...
    let (code, _, _) = run(vigil(cache.path())
        .args(["--offline", "scan", "--fail-on", "critical"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 0);
    // ...unless asked.
    let (code, _, _) = run(vigil(cache.path())
        .args([
            "--offline",
            "scan",
            "--fail-on",
            "critical",
            "--fail-on-informational",
        ])
        .arg(fixture("rust-app")));
    assert_eq!(code, 1);
}

#[test]
fn unknown_severity_fails_the_gate_unless_ignored() {
    let cache = cache_with_db();
    // PYSEC-2023-175 (pillow) has no severity at all.
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "-f", "json", "--fail-on", "critical"])
        .arg(fixture("python-app")));
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["id"] == "PYSEC-2023-175" && f["severity"] == "UNKNOWN"));
    let webp = findings
        .iter()
        .find(|f| f["id"] == "PYSEC-2026-1794")
        .expect("libwebp finding");
    assert_eq!(webp["kev"], true);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("UNKNOWN"), "{err}");
    // flask>=2.0 is not checked, with the reason.
    let nc = report["not_checked"].as_array().unwrap();
    assert_eq!(nc.len(), 1);
    assert_eq!(nc[0]["name"], "flask");
    assert!(nc[0]["reason"].as_str().unwrap().contains("not pinned"));
    let (code, _, _) = run(vigil(cache.path())
        .args([
            "--offline",
            "scan",
            "--fail-on",
            "critical",
            "--ignore-unknown-severity",
        ])
        .arg(fixture("python-app")));
    // pillow 10.0.0 still has a CRITICAL finding (CVE-2023-50447).
    assert_eq!(code, 1);
}

#[test]
fn a_malformed_lockfile_is_a_warning_and_the_scan_goes_on() {
    let cache = cache_with_db();
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "-f", "json"])
        .arg(fixture("broken-and-good")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: Cargo.lock"), "{err}");
    let report = json(&out);
    assert_eq!(report["diagnostics"][0]["path"], "Cargo.lock");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["location"]["path"] == "svc/requirements.txt"));
}

#[test]
fn first_scan_fetches_the_database_from_a_mirror() {
    let cache = tempfile::tempdir().unwrap();
    let mirror = tempfile::tempdir().unwrap();
    std::fs::create_dir(mirror.path().join("crates.io")).unwrap();
    std::fs::copy(
        shared().join("osv/crates.io/all.zip"),
        mirror.path().join("crates.io/all.zip"),
    )
    .unwrap();
    let (code, out, err) = run(vigil(cache.path())
        .env("VIGIL_DB_MIRROR", mirror.path())
        .args(["scan", "-f", "json"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("No advisory database yet"), "{err}");
    assert!(err.contains("crates.io: 1206 new"), "{err}");
    assert!(
        err.contains("warning: not available from the source, skipped:"),
        "{err}"
    );
    assert!(json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "RUSTSEC-2020-0071"));
    let (code, status, _) = run(vigil(cache.path()).args(["db", "status"]));
    assert_eq!(code, 0);
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("crates.io") && l.contains("1206")),
        "{status}"
    );
}

#[test]
fn a_missing_path_is_an_error() {
    let cache = cache_with_db();
    let (code, _, err) =
        run(vigil(cache.path()).args(["--offline", "scan", "/nonexistent/vigil/path"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/vigil/path: no such file or directory"),
        "{err}"
    );
}

/// The IDs of a report's findings, with the location of each.
fn finding_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["id"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect()
}

#[test]
fn scan_sbom_reads_cyclonedx_and_spdx() {
    let cache = cache_with_db();
    for (file, time_line, pillow_line) in [("app.cdx.json", 16, 23), ("app.spdx.json", 13, 28)] {
        let (code, out, err) = run(vigil(cache.path())
            .args(["--offline", "scan", "sbom", "-f", "json"])
            .arg(fixture("sbom").join(file)));
        assert_eq!(code, 0, "{file}: {err}");
        let report = json(&out);
        let components: Vec<String> = report["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {}@{}", c["ecosystem"], c["name"], c["version"]))
            .collect();
        assert_eq!(
            components,
            [
                r#""crates.io" "time"@"0.1.45""#,
                r#""PyPI" "pillow"@"10.0.0""#
            ],
            "{file}"
        );
        let ids = finding_ids(&report);
        assert!(
            ids.contains(&format!("RUSTSEC-2020-0071 {file}:{time_line}")),
            "{file}: {ids:?}"
        );
        for pillow in ["PYSEC-2023-175", "PYSEC-2026-1794"] {
            assert!(
                ids.contains(&format!("{pillow} {file}:{pillow_line}")),
                "{file}: {ids:?}"
            );
        }
        let time = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "RUSTSEC-2020-0071")
            .unwrap();
        assert_eq!(time["package"]["purl"], "pkg:cargo/time@0.1.45");
    }

    // The CycloneDX BOM's generic libwebp is listed as not checked.
    let (_, table, _) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom"])
        .arg(fixture("sbom/app.cdx.json")));
    assert!(
        table.contains("libwebp 1.3.1 (app.cdx.json:30): purl type `generic` has no OSV ecosystem"),
        "{table}"
    );
    assert!(table.contains("RUSTSEC-2020-0071"), "{table}");

    // The format comes from the content, not the name.
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("inventory.json");
    std::fs::copy(fixture("sbom/app.spdx.json"), &renamed).unwrap();
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom", "-f", "json"])
        .arg(&renamed));
    assert_eq!(code, 0, "{err}");
    assert!(finding_ids(&json(&out)).contains(&"RUSTSEC-2020-0071 inventory.json:13".to_string()));
}

#[test]
fn scan_sbom_refuses_other_files() {
    let cache = cache_with_db();
    let lockfile = fixture("rust-app/Cargo.lock");
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom"])
        .arg(&lockfile));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(&format!(
            "error: {}: not a CycloneDX or SPDX JSON document",
            lockfile.display()
        )),
        "{err}"
    );
    // A malformed SBOM: the file and line.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bom.json");
    std::fs::write(&bad, "{\"bomFormat\": \"CycloneDX\",\n\"components\": [}\n").unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom"])
        .arg(&bad));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "error: {}:2: not a valid CycloneDX BOM",
            bad.display()
        )),
        "{err}"
    );
    // A directory, and a missing file.
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom"])
        .arg(fixture("sbom")));
    assert_eq!(code, 2);
    assert!(err.contains("it is not a file"), "{err}");
    let (code, _, err) =
        run(vigil(cache.path()).args(["--offline", "scan", "sbom", "/nonexistent/bom.json"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/bom.json: no such file or directory"),
        "{err}"
    );
}

/// Runs the README's first command (the demo project against the demo
/// mirror, from the repository root) in a new cache, with extra arguments.
fn demo_scan(cache: &Path, extra: &[&str]) -> (i32, String, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    run(vigil(cache)
        .current_dir(&root)
        .args([
            "--db-mirror",
            "examples/osv-mirror",
            "scan",
            "examples/demo-app",
        ])
        .args(extra))
}

/// The README's first command, as JSON. If this changes, the README's pasted
/// output must change too.
#[test]
fn readme_demo_scan() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = demo_scan(cache.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let of_kind = |kind: &str| {
        findings
            .iter()
            .filter(|f| f["kind"] == kind)
            .collect::<Vec<_>>()
    };
    let vulns = of_kind("vulnerability");
    assert_eq!(
        vulns
            .iter()
            .filter(|f| f.get("informational").is_none())
            .count(),
        29
    );
    assert_eq!(vulns.len(), 30);
    // The Dockerfile and the Deployment's misconfigurations, the broker
    // URL's password.
    assert_eq!(of_kind("misconfiguration").len(), 6);
    let secrets = of_kind("secret");
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["location"]["path"], "deploy/worker.env");
    assert!(!out.contains("Vq7rZt2mXk9pLs4Hw8Nd"));
    let kev: Vec<&str> = findings
        .iter()
        .filter(|f| f["kev"] == true)
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(kev, ["RUSTSEC-2023-0061"]);
    let files: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "Cargo.lock",
            "Dockerfile",
            "deploy/web.yaml",
            "deploy/worker.env",
            "go.mod",
            "requirements-dev.txt",
            "requirements.txt",
            "web/package-lock.json",
            "worker/poetry.lock"
        ]
    );
    assert_eq!(report["components"].as_array().unwrap().len(), 54);
    assert_eq!(report["not_checked"][0]["name"], "whitenoise");
    assert!(report["diagnostics"].as_array().unwrap().is_empty());
    let (code, _, _) = demo_scan(
        cache.path(),
        &[
            "--offline",
            "--fail-on",
            "critical",
            "--ignore-unknown-severity",
        ],
    );
    assert_eq!(code, 1, "smallvec and minimist are CRITICAL");
}

#[test]
fn a_stale_database_gives_a_warning_on_scan() {
    let cache = cache_with_db();
    let (_, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan"])
        .arg(fixture("rust-app")));
    assert!(!err.contains("last updated"), "{err}");
    // Pretend the last update was 9 days ago.
    let conn = rusqlite::Connection::open(cache.path().join("advisories.db")).unwrap();
    conn.execute("UPDATE sources SET updated_at = updated_at - 9 * 86400", [])
        .unwrap();
    drop(conn);
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "scan"])
        .arg(fixture("rust-app")));
    assert_eq!(code, 0);
    assert!(
        err.contains("last updated 9 days ago; run `vigil db update`"),
        "{err}"
    );
}

/// The table of the README's demo, as a reviewed snapshot: the README pastes
/// this output.
#[test]
fn readme_demo_table_snapshot() {
    let cache = tempfile::tempdir().unwrap();
    let (code, table, err) = demo_scan(cache.path(), &[]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("demo_table", table);
}

/// Every ecosystem through the real binary: the extractors' fixtures hold a
/// lockfile or manifest of every format; a test advisory per ecosystem
/// (`tests/fixtures/osv-every-ecosystem`, not real advisories) names one
/// package of each with a range ending at its version, so each one is read,
/// matched by its ecosystem's own version rules and name normalization, and
/// reported.
#[test]
fn every_ecosystem_is_read_and_matched() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(fixture("osv-every-ecosystem")));
    assert_eq!(code, 0, "{err}");
    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vigil-inventory/testdata");
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "-f", "json"])
        .arg(&testdata));
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    let ecosystems: std::collections::BTreeSet<&str> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ecosystem"].as_str().unwrap())
        .collect();
    for eco in [
        "npm",
        "PyPI",
        "crates.io",
        "Go",
        "Maven",
        "NuGet",
        "RubyGems",
        "Packagist",
        "Pub",
        "Hex",
        "CRAN",
        "Hackage",
        "SwiftURL",
        "ConanCenter",
    ] {
        assert!(
            ecosystems.contains(eco),
            "no {eco} component in {ecosystems:?}"
        );
    }
    let found = |id: &str, name: &str, version: &str| {
        report["findings"].as_array().unwrap().iter().any(|f| {
            f["id"] == id && f["package"]["name"] == name && f["package"]["version"] == version
        })
    };
    for (id, name, version) in [
        ("VIGIL-TEST-NPM-1", "@babel/code-frame", "7.0.0"),
        ("VIGIL-TEST-PYPI-1", "Django", "4.2.11"),
        ("VIGIL-TEST-CRATESIO-1", "acme-auth", "2.1.0"),
        ("VIGIL-TEST-GO-1", "example.com/fork/net", "v0.22.1-fork"),
        (
            "VIGIL-TEST-MAVEN-1",
            "com.diffplug.spotless:spotless-plugin-gradle",
            "6.25.0",
        ),
        ("VIGIL-TEST-NUGET-1", "Antlr", "3.5.0.2"),
        ("VIGIL-TEST-RUBYGEMS-1", "actionview", "7.1.4"),
        ("VIGIL-TEST-PACKAGIST-1", "guzzlehttp/guzzle", "7.8.1"),
        ("VIGIL-TEST-PUB-1", "async", "2.11.0"),
        ("VIGIL-TEST-HEX-1", "castore", "1.0.5"),
        ("VIGIL-TEST-CRAN-1", "BiocManager", "1.30.22"),
        ("VIGIL-TEST-HACKAGE-1", "Cabal", "3.10.1.0"),
        (
            "VIGIL-TEST-SWIFTURL-1",
            "github.com/Alamofire/Alamofire",
            "5.6.4",
        ),
    ] {
        assert!(
            found(id, name, version),
            "{id}: no finding for {name} {version}"
        );
    }
    // ConanCenter has no version rules yet: its packages are not checked,
    // with the reason, never silently dropped.
    assert!(report["not_checked"].as_array().unwrap().iter().any(|n| {
        n["ecosystem"] == "ConanCenter"
            && n["reason"].as_str().unwrap().contains("no version rules")
    }));
}

/// Tarballs through the real binary: a deployment bundle's vendored Python
/// and npm packages are found inside it, matched and reported at their
/// path in the archive; a malformed tarball and one with hostile entry
/// names are warnings naming them, and the scan goes on.
#[test]
fn tarballs_are_scanned_recursively() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(fixture("osv-every-ecosystem")));
    assert_eq!(code, 0, "{err}");
    let tarballs =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vigil-inventory/testdata/archive/tar");
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "-f", "json"])
        .arg(&tarballs));
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    let finding = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {out}"))
            .clone()
    };
    let django = finding("VIGIL-TEST-PYPI-1");
    assert_eq!(django["package"]["name"], "Django");
    assert_eq!(django["package"]["version"], "4.2.11");
    assert_eq!(
        django["location"]["path"],
        "deploy-bundle.tar.gz!/opt/lambda/layers/python-dependencies-layer/python/lib/python3.11/site-packages/Django-4.2.11.dist-info/METADATA"
    );
    let code_frame = finding("VIGIL-TEST-NPM-1");
    assert_eq!(
        code_frame["location"]["path"],
        "deploy-bundle.tar.gz!/app/node_modules/@babel/code-frame/package.json"
    );
    // Components from a tar in a gzip-compressed tarball, and a wheel in it.
    let paths: Vec<&str> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["locations"].as_array().unwrap())
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    for p in [
        "release.tgz!/release/vendor.tar!/vendor/Cargo.lock",
        "release.tgz!/release/wheels/attrs-23.2.0-py3-none-any.whl!/attrs-23.2.0.dist-info/METADATA",
        "vendor.tar!/vendor/Cargo.lock",
        "bad-entry-names.tar.gz!/ok/requirements.txt",
    ] {
        assert!(paths.contains(&p), "{p} not in {paths:?}");
    }
    let diagnostics: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["path"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        diagnostics
            .iter()
            .any(|d| d.starts_with("malformed.tar.gz: not a valid gzip-compressed tar archive")),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics.iter().any(|d| d.starts_with(
            "bad-entry-names.tar.gz: entry \"../../etc/cron.d/requirements.txt\" skipped"
        )),
        "{diagnostics:?}"
    );
    assert_eq!(diagnostics.len(), 3, "{diagnostics:?}");
}

#[test]
fn server_refuses_bad_siem_destinations_before_starting() {
    let dir = tempfile::tempdir().unwrap();
    for (args, message) in [
        (
            &["--syslog", "syslog.example:514"][..],
            "give udp://, tcp:// or tls://HOST:PORT",
        ),
        (
            &["--syslog", "http://127.0.0.1:514"][..],
            "unknown transport",
        ),
        (&["--syslog", "tcp://127.0.0.1"][..], "the port is missing"),
        (
            &[
                "--syslog",
                "udp://127.0.0.1:514",
                "--syslog-facility",
                "local9",
            ][..],
            "give local0 … local7",
        ),
    ] {
        let (code, _, stderr) = run(vigil(dir.path())
            .arg("server")
            .arg("--data-dir")
            .arg(dir.path().join("server"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
