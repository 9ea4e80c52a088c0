//! End-to-end tests of the report formats and `vigil sbom`: the real
//! binary on the README's demo project, every format validated against
//! its schema, snapshotted, and byte-identical across runs.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

#[path = "support/schemas.rs"]
mod schemas;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A `vigil` command run from the repository root with its own cache and
/// a fixed SOURCE_DATE_EPOCH.
fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.current_dir(root())
        .env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_KEV_SOURCE")
        .env("SOURCE_DATE_EPOCH", "1700000000")
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

/// The formats written to files, with their file names.
const FILES: [(&str, &str); 6] = [
    ("sarif", "vigil.sarif"),
    ("cyclonedx", "bom.cdx.json"),
    ("spdx", "bom.spdx.json"),
    ("junit", "junit.xml"),
    ("markdown", "summary.md"),
    ("table", "table.txt"),
];

/// Scans the demo once with JSON on stdout and every other format to a
/// file in `dir`; returns the exit code, stdout and stderr.
fn demo_all_formats(cache: &Path, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut c = vigil(cache);
    c.args([
        "--db-mirror",
        "examples/osv-mirror",
        "scan",
        "examples/demo-app",
        "--format",
        "json",
    ]);
    for (format, file) in FILES {
        c.arg("-o")
            .arg(format!("{format}={}", dir.join(file).display()));
    }
    run(c.args(extra))
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Every format of the demo scan: valid, as reviewed, and the same bytes
/// on a second run.
#[test]
fn demo_in_every_format() {
    let cache = tempfile::tempdir().unwrap();
    let first = tempfile::tempdir().unwrap();
    let (code, out, err) = demo_all_formats(cache.path(), first.path(), &[]);
    assert_eq!(code, 0, "{err}");
    // 30 vulnerabilities (one informational), 6 misconfigurations, 1
    // secret.
    assert_eq!(json(&out)["findings"].as_array().unwrap().len(), 37);

    let sarif = json(&read(first.path(), "vigil.sarif"));
    schemas::sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 37);
    let cdx = json(&read(first.path(), "bom.cdx.json"));
    schemas::cyclonedx(&cdx);
    assert_eq!(cdx["components"].as_array().unwrap().len(), 54);
    assert_eq!(cdx["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let spdx = json(&read(first.path(), "bom.spdx.json"));
    schemas::spdx(&spdx);
    assert_eq!(spdx["packages"].as_array().unwrap().len(), 55);
    let junit = read(first.path(), "junit.xml");
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(
        failures, 36,
        "every vulnerability, misconfiguration and secret fails without a gate"
    );
    let table = read(first.path(), "table.txt");
    assert!(table.contains("Found 29 vulnerabilities"), "{table}");

    insta::assert_snapshot!("demo_sarif", read(first.path(), "vigil.sarif"));
    insta::assert_snapshot!("demo_cyclonedx", read(first.path(), "bom.cdx.json"));
    insta::assert_snapshot!("demo_spdx", read(first.path(), "bom.spdx.json"));
    insta::assert_snapshot!("demo_junit", junit);
    insta::assert_snapshot!("demo_markdown", read(first.path(), "summary.md"));

    // Deterministic: a second run (offline, same cache) writes the same
    // bytes in every format.
    let second = tempfile::tempdir().unwrap();
    let (code, out2, err) = demo_all_formats(cache.path(), second.path(), &["--offline"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, out2);
    for (_, file) in FILES {
        assert_eq!(
            read(first.path(), file),
            read(second.path(), file),
            "{file} differs between runs"
        );
    }
}

/// JUnit follows the gates: with `--fail-on critical` only the two
/// critical vulnerabilities fail, with `--fail-on-misconfig high` only the
/// high misconfiguration, and the open secret fails; `-o FILE` still
/// takes the --format report.
#[test]
fn junit_follows_the_gate_and_o_file_takes_the_format_report() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("only.sarif");
    let junit = dir.path().join("gate.xml");
    let (code, out, err) = run(vigil(cache.path())
        .args([
            "--db-mirror",
            "examples/osv-mirror",
            "scan",
            "examples/demo-app",
            "--fail-on",
            "critical",
            "--ignore-unknown-severity",
            "--fail-on-misconfig",
            "high",
            "-f",
            "sarif",
            "-o",
        ])
        .arg(&sarif)
        .arg("--output")
        .arg(format!("junit={}", junit.display())));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    schemas::sarif(&json(&std::fs::read_to_string(&sarif).unwrap()));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| n.children().any(|c| c.has_tag_name("failure")))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "smallvec 1.6.0: RUSTSEC-2021-0003 (CVE-2021-25900)",
            "stage 0: VIGIL-DF-001",
            "deploy/worker.env:3: amqp-url-password",
            "minimist 1.2.5: GHSA-xvch-5gv4-984h (CVE-2021-44906)"
        ]
    );

    // Two plain files for one report is an error, before any scanning.
    let (code, _, err) = run(vigil(cache.path()).args([
        "--offline",
        "scan",
        "examples/demo-app",
        "-o",
        "a.json",
        "-o",
        "b.json",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("name other formats with FORMAT=FILE"), "{err}");
    // An unknown format name before `=` is part of a file name; an empty
    // file after a format is refused.
    let (code, _, err) =
        run(vigil(cache.path()).args(["--offline", "scan", "examples/demo-app", "-o", "sarif="]));
    assert_eq!(code, 2);
    assert!(err.contains("no file after `sarif=`"), "{err}");
}

/// `vigil sbom` needs no advisory database: it never opens or fetches one.
#[test]
fn sbom_of_a_directory_and_a_root_filesystem() {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) =
        run(vigil(cache.path()).args(["--offline", "sbom", "examples/demo-app"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        !cache.path().join("advisories.db").exists(),
        "no database is created"
    );
    let bom = json(&out);
    schemas::cyclonedx(&bom);
    assert!(bom.get("vulnerabilities").is_none());
    assert_eq!(bom["components"].as_array().unwrap().len(), 54);
    assert!(!bom["dependencies"].as_array().unwrap().is_empty());
    assert_eq!(bom["metadata"]["component"]["name"], "examples/demo-app");
    // The same bytes again.
    let (_, again, _) = run(vigil(cache.path()).args(["--offline", "sbom", "examples/demo-app"]));
    assert_eq!(out, again);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.spdx.json");
    let (code, out, err) = run(vigil(cache.path())
        .args([
            "--offline",
            "sbom",
            "fs",
            "examples/demo-app",
            "-f",
            "spdx",
            "-o",
        ])
        .arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let doc = json(&std::fs::read_to_string(&file).unwrap());
    schemas::spdx(&doc);
    // Without findings there are no advisory references.
    assert!(!std::fs::read_to_string(&file)
        .unwrap()
        .contains("\"SECURITY\""));

    // A root filesystem: OS packages with their release and source.
    let rootfs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rootfs/debian-12");
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "sbom", "rootfs"])
        .arg(&rootfs));
    assert_eq!(code, 0, "{err}");
    let bom = json(&out);
    schemas::cyclonedx(&bom);
    let os = &bom["metadata"]["component"]["components"][0];
    assert_eq!(os["type"], "operating-system");
    let deb = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"].as_str().unwrap().starts_with("pkg:deb/debian/"))
        .expect("a Debian package");
    assert!(deb["properties"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!({"name": "vigil:release", "value": "12"})));

    let (code, _, err) = run(vigil(cache.path()).args(["sbom", "/nonexistent/vigil/dir"]));
    assert_eq!(code, 2);
    assert!(err.contains("no such file or directory"), "{err}");
}

/// SBOMs a scan writes into the scanned tree are passed over by the next
/// scan of that tree (they describe files it reads anyway), so the
/// findings do not double; named alone, such an SBOM is read.
#[test]
fn sboms_written_into_the_tree_do_not_double_the_next_scan() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("app");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::copy(
        root().join("examples/demo-app/Cargo.lock"),
        tree.join("Cargo.lock"),
    )
    .unwrap();
    let scan = |extra: &[&str]| {
        let (code, out, err) = run(vigil(cache.path())
            .args(["--db-mirror", "examples/osv-mirror", "scan"])
            .arg(&tree)
            .args(["-f", "json"])
            .args(extra));
        assert_eq!(code, 0, "{err}");
        (json(&out), err)
    };
    let cdx = tree.join("app.cdx.json");
    let spdx = tree.join("app.spdx.json");
    let (first, _) = scan(&[
        "-o",
        &format!("cyclonedx={}", cdx.display()),
        "-o",
        &format!("spdx={}", spdx.display()),
    ]);
    let (second, err) = scan(&[]);
    let count = |r: &Value| r["findings"].as_array().unwrap().len();
    assert!(count(&first) > 0);
    assert_eq!(count(&second), count(&first), "{err}");
    assert!(err.contains("app.cdx.json: an SBOM vigil wrote"), "{err}");
    // Named alone, it is read.
    let (code, out, err) = run(vigil(cache.path())
        .args(["--offline", "scan", "sbom"])
        .arg(&cdx)
        .args(["-f", "json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&json(&out)), count(&first));
}
