//! End-to-end tests of EPSS through the real binary: `db import` of
//! FIRST's CSV (`tests/fixtures/epss/`), `db update --epss-source` from a
//! server on 127.0.0.1, the `epss` object and reasons of the JSON report,
//! the RISK column of the table and the `--fail-on-risk` gate, on the
//! demo project's Cargo.lock with the demo mirror's advisories.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scores_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/epss/epss_scores.csv")
}

/// A `vigil` command from the repository root with its own cache and no
/// sources from the environment.
fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_KEV_SOURCE")
        .env_remove("VIGIL_EPSS_SOURCE")
        .env("NO_COLOR", "1")
        .current_dir(root())
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

/// A cache with the demo mirror's crates.io advisories, its KEV catalogue
/// and the fixture's EPSS scores, imported offline.
fn imported() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["--offline", "db", "import"])
        .arg("examples/osv-mirror/crates.io")
        .arg("examples/osv-mirror/known_exploited_vulnerabilities.json")
        .arg(scores_csv()));
    assert_eq!(code, 0, "{err}");
    // Five good rows; the bad one is a warning naming the file and line.
    assert!(err.contains("1 KEV entry, 5 EPSS scores into"), "{err}");
    assert!(
        err.contains(&format!(
            "warning: {}:8: malformed EPSS row skipped: the probability `not-a-number` of CVE-2022-0001",
            scores_csv().display()
        )),
        "{err}"
    );
    cache
}

fn scan(cache: &Path, args: &[&str]) -> (i32, String, String) {
    run(vigil(cache)
        .args(["--offline", "scan", "examples/demo-app/Cargo.lock"])
        .args(args))
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

#[test]
fn imported_scores_show_in_status_json_reasons_and_table() {
    let cache = imported();
    let (code, out, err) = run(vigil(cache.path()).args(["db", "status"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("EPSS ") && l.split_whitespace().nth(1) == Some("5")),
        "{out}"
    );
    assert!(
        out.contains("EPSS: 5 scores, model v2025.03.14, scored 2026-11-27T12:55:00Z"),
        "{out}"
    );

    let (code, out, err) = scan(cache.path(), &["-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    // smallvec: CVE-2021-25900 at 0.2 %: exploitation unreported (E:U),
    // 9.8 × 0.91 rounded up.
    let smallvec = finding(&report, "RUSTSEC-2021-0003");
    assert_eq!(
        smallvec["epss"],
        serde_json::json!({"probability": 0.00213, "percentile": 0.59862, "date": "2026-11-27"})
    );
    assert_eq!(
        smallvec["risk"]["reasons"],
        serde_json::json!(["EPSS 0.2 %", "not in KEV"])
    );
    assert_eq!(smallvec["risk"]["score"], 9.0);
    assert!(smallvec["risk"]["vector"]
        .as_str()
        .unwrap()
        .ends_with("/E:U"));
    // regex: CVE-2022-24713 at 35 %: E:H, then raised.
    let regex = finding(&report, "RUSTSEC-2022-0013");
    assert_eq!(regex["epss"]["probability"], 0.3512);
    assert_eq!(
        regex["risk"]["reasons"],
        serde_json::json!(["EPSS 35.1 %", "high EPSS: +0.5", "not in KEV"])
    );
    assert_eq!(regex["risk"]["score"], 8.0);
    // libwebp-sys: scored by EPSS, but without a CVSS vector no risk score.
    let webp = finding(&report, "RUSTSEC-2023-0061");
    assert_eq!(webp["epss"]["probability"], 0.93721);
    assert!(webp.get("risk").is_none(), "{webp}");

    // The table: a RISK column, highest first, empty without a score.
    let (code, table, err) = scan(cache.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[1].contains("  SEVERITY      RISK  FIXED IN"),
        "{table}"
    );
    let row = |id: &str| *lines.iter().find(|l| l.contains(id)).unwrap();
    assert!(
        row("RUSTSEC-2021-0003").contains("CRITICAL 9.8  9.0   1.6.1"),
        "{table}"
    );
    assert!(
        row("RUSTSEC-2022-0013").contains("HIGH 7.5      8.0   1.5.5"),
        "{table}"
    );
    assert!(
        row("RUSTSEC-2023-0061").contains("UNKNOWN KEV         0.9.3"),
        "{table}"
    );
}

#[test]
fn fail_on_risk_gates_on_the_risk_score() {
    let cache = imported();
    // smallvec 9.0 is the highest score.
    let (code, _, err) = scan(cache.path(), &["--fail-on-risk", "9"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "gate failed: 1 finding has a risk score at or above 9.0 (--fail-on-risk): RUSTSEC-2021-0003 9.0"
        ),
        "{err}"
    );
    let (code, _, err) = scan(cache.path(), &["--fail-on-risk", "9.1"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("gate failed"), "{err}");
    let (code, _, err) = scan(cache.path(), &["--fail-on-risk", "6"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("3 findings have a risk score at or above 6.0 (--fail-on-risk): RUSTSEC-2021-0003 9.0, RUSTSEC-2022-0013 8.0, RUSTSEC-2020-0071 6.1"),
        "{err}"
    );
    // A suppressed finding never fails it.
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "ignore:\n  - id: RUSTSEC-2021-0003\n    reason: not reachable here\n",
    )
    .unwrap();
    let (code, _, err) = scan(
        cache.path(),
        &[
            "--fail-on-risk",
            "9",
            "--ignorefile",
            ignore.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    // Not a score.
    let (code, _, err) = scan(cache.path(), &["--fail-on-risk", "11"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`11` is not a risk score from 0 to 10"),
        "{err}"
    );
}

/// Serves `body` at `/epss_scores-current.csv.gz` with an ETag, answering
/// 304 to a matching If-None-Match; counts the full answers.
fn serve(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/epss_scores-current.csv.gz",
        server.server_addr().to_ip().unwrap()
    );
    let full = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&full);
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            if req.url() != "/epss_scores-current.csv.gz" {
                let _ = req.respond(tiny_http::Response::empty(404));
                continue;
            }
            let etag = "\"epss-1\"";
            if req
                .headers()
                .iter()
                .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag)
            {
                let _ = req.respond(tiny_http::Response::empty(304));
                continue;
            }
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = req.respond(
                tiny_http::Response::from_data(body.clone())
                    .with_header(tiny_http::Header::from_bytes("ETag", etag).unwrap()),
            );
        }
    });
    (url, full)
}

#[test]
fn db_update_fetches_epss_from_epss_source_over_http() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(scores_csv()).unwrap()).unwrap();
    let (url, full) = serve(gz.finish().unwrap());
    let cache = tempfile::tempdir().unwrap();
    let update = |extra: &[&str]| {
        run(vigil(cache.path())
            .args(["--db-mirror", "examples/osv-mirror", "db", "update"])
            .args(["--ecosystem", "crates.io", "--skip-kev"])
            .args(extra))
    };
    let (code, _, err) = update(&["--epss-source", &url]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("\n  EPSS: 5 scores\n"), "{err}");
    assert!(
        err.contains(&format!("{url}:8: malformed EPSS row skipped")),
        "{err}"
    );
    assert_eq!(full.load(Ordering::SeqCst), 1);
    // Again, from the environment: the server says it has not changed.
    let (code, _, err) = run(vigil(cache.path())
        .env("VIGIL_EPSS_SOURCE", &url)
        .args(["--db-mirror", "examples/osv-mirror", "db", "update"])
        .args(["--ecosystem", "crates.io", "--skip-kev"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("\n  EPSS: not modified"), "{err}");
    assert_eq!(full.load(Ordering::SeqCst), 1);
    // --skip-epss asks nothing.
    let (code, _, err) = update(&["--epss-source", &url, "--skip-epss"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("EPSS"), "{err}");
    // The scores are in the database, for scans.
    let (code, out, err) = run(vigil(cache.path()).args(["db", "status"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l.starts_with("EPSS ")), "{out}");
    assert!(out.contains("EPSS: 5 scores, model v2025.03.14"), "{out}");
    let (code, out, err) = scan(cache.path(), &["-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        finding(&report, "RUSTSEC-2021-0003")["epss"]["date"],
        "2026-11-27"
    );
    // A source that is not EPSS scores fails that source, naming it.
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), "id,score\n").unwrap();
    let (code, _, err) = update(&["--epss-source", bad.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "EPSS: update failed, previous data kept: {}: not an EPSS CSV",
            bad.path().display()
        )),
        "{err}"
    );
}
