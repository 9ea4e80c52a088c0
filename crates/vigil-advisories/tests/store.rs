//! The advisory store against the real OSV snapshots and hand-made inputs.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::io::Write;
use std::path::{Path, PathBuf};

use vigil_advisories::{import_paths, update, EcosystemOutcome, Store, UpdateOptions};
use vigil_model::Ecosystem;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn record(id: &str, name: &str, fixed: &str, details: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", "aliases": [], "summary": "test record", "details": "{details}",
           "affected": [{{"package": {{"ecosystem": "PyPI", "name": "{name}"}},
             "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
}

fn write_zip(path: &Path, entries: &[(&str, String)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn imports_the_real_snapshots_and_kev() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let osv = shared().join("osv");
    let kev = shared().join("kev/known_exploited_vulnerabilities.json");
    let stats = import_paths(&mut store, &[osv.as_path(), kev.as_path()]).unwrap();
    assert_eq!(stats.added, 7080 + 4291 + 1206 + 5637);
    assert_eq!(stats.kev, Some(1404));
    let status = store.status().unwrap();
    let count = |name: &str| status.iter().find(|s| s.name == name).map(|s| s.records);
    assert_eq!(count("PyPI"), Some(7080));
    assert_eq!(count("Go"), Some(4291));
    assert_eq!(count("crates.io"), Some(1206));
    assert_eq!(count("AlmaLinux"), Some(5637));
    assert_eq!(count("KEV"), Some(1404));

    // Importing the same data again changes nothing.
    let again = import_paths(&mut store, &[osv.as_path()]).unwrap();
    assert_eq!((again.added, again.updated), (0, 0));
    assert_eq!(again.unchanged, 7080 + 4291 + 1206 + 5637);

    // Loading for matching: names are normalized, withdrawn records left out.
    let set = store
        .load_for([(Ecosystem::PyPI, "Pillow"), (Ecosystem::CratesIo, "time")])
        .unwrap();
    let pillow = set.for_package(Ecosystem::PyPI, "pillow");
    assert!(pillow.len() > 10, "{}", pillow.len());
    assert!(pillow.iter().all(|v| !v.is_withdrawn()));
    assert!(set
        .for_package(Ecosystem::CratesIo, "time")
        .iter()
        .any(|v| v.id == "RUSTSEC-2020-0071"));
    assert!(set.is_kev("CVE-2023-4863"));
}

#[test]
fn withdrawn_records_are_stored_but_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let src = dir.path().join("recs");
    std::fs::create_dir(&src).unwrap();
    let mut w = record("PYSEC-0000-1", "demo", "2.0", "withdrawn one");
    w = w.replacen(
        "\"aliases\"",
        "\"withdrawn\": \"2024-02-01T00:00:00Z\", \"aliases\"",
        1,
    );
    std::fs::write(src.join("a.json"), w).unwrap();
    std::fs::write(
        src.join("b.json"),
        record("PYSEC-0000-2", "demo", "2.0", "kept"),
    )
    .unwrap();
    import_paths(&mut store, &[src.as_path()]).unwrap();
    assert!(store.record("PYSEC-0000-1").unwrap().is_some());
    let set = store.load_for([(Ecosystem::PyPI, "demo")]).unwrap();
    let ids: Vec<&str> = set
        .for_package(Ecosystem::PyPI, "demo")
        .iter()
        .map(|v| v.id.as_str())
        .collect();
    assert_eq!(ids, ["PYSEC-0000-2"]);
}

#[test]
fn changes_are_detected_by_content_not_by_modified() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let src = dir.path().join("r.json");
    std::fs::write(&src, record("PYSEC-0000-3", "demo", "2.0", "first text")).unwrap();
    let s = import_paths(&mut store, &[src.as_path()]).unwrap();
    assert_eq!(s.added, 1);
    // Same `modified`, different content.
    std::fs::write(&src, record("PYSEC-0000-3", "demo", "2.1", "second text")).unwrap();
    let s = import_paths(&mut store, &[src.as_path()]).unwrap();
    assert_eq!((s.added, s.updated, s.unchanged), (0, 1, 0));
    let v = store.record("PYSEC-0000-3").unwrap().unwrap();
    assert_eq!(v.details.as_deref(), Some("second text"));
}

#[test]
fn yaml_records_and_bad_records_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let src = dir.path().join("recs");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("PYSEC-0000-4.yaml"),
        "id: PYSEC-0000-4\nmodified: 2021-01-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: demo}\n  ranges:\n  - type: ECOSYSTEM\n    events: [{introduced: '0'}, {fixed: '1.0'}]\n",
    )
    .unwrap();
    std::fs::write(src.join("broken.json"), "{ not json").unwrap();
    std::fs::write(src.join("noid.json"), "{\"affected\": []}").unwrap();
    let stats = import_paths(&mut store, &[src.as_path()]).unwrap();
    assert_eq!(stats.added, 1);
    assert_eq!(stats.diagnostics.len(), 2, "{:?}", stats.diagnostics);
    assert!(stats.diagnostics.iter().any(|d| d
        .path
        .as_deref()
        .unwrap_or("")
        .ends_with("broken.json")));
    let v = store.record("PYSEC-0000-4").unwrap().unwrap();
    assert_eq!(v.modified, "2021-01-01T00:00:00Z");
}

#[test]
fn a_corrupt_archive_is_an_error_and_keeps_the_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir_all(mirror.join("PyPI")).unwrap();
    let zip = mirror.join("PyPI/all.zip");
    write_zip(
        &zip,
        &[
            (
                "PYSEC-0000-5.json",
                record("PYSEC-0000-5", "demo", "1.0", "a"),
            ),
            (
                "PYSEC-0000-6.json",
                record("PYSEC-0000-6", "demo", "1.0", "b"),
            ),
        ],
    );
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let options = UpdateOptions {
        mirror: Some(mirror.display().to_string()),
        ecosystems: vec![Ecosystem::PyPI, Ecosystem::Npm],
        skip_kev: true,
        ..Default::default()
    };
    let report = update(&mut store, &options);
    assert!(matches!(report.outcomes[0].1, EcosystemOutcome::Imported(ref s) if s.added == 2));
    // npm is not in the mirror: a warning, not a failure.
    assert!(matches!(report.outcomes[1].1, EcosystemOutcome::Missing(_)));
    assert!(!report.failed());

    // Truncate the archive: the update fails naming it, the data stays.
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let report = update(&mut store, &options);
    match &report.outcomes[0].1 {
        EcosystemOutcome::Failed(e) => assert!(e.to_string().contains("all.zip"), "{e}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(store.record("PYSEC-0000-5").unwrap().is_some());
    assert!(store.record("PYSEC-0000-6").unwrap().is_some());

    // A newer archive without one record removes it (the archive is the
    // whole content of its source).
    write_zip(
        &zip,
        &[(
            "PYSEC-0000-5.json",
            record("PYSEC-0000-5", "demo", "1.0", "a"),
        )],
    );
    let report = update(&mut store, &options);
    assert!(
        matches!(report.outcomes[0].1, EcosystemOutcome::Imported(ref s) if s.removed == 1 && s.unchanged == 1)
    );
    assert!(store.record("PYSEC-0000-6").unwrap().is_none());
}

#[test]
fn a_zip_that_is_not_a_zip_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let bad = dir.path().join("all.zip");
    std::fs::write(&bad, b"this is not a zip archive").unwrap();
    let err = import_paths(&mut store, &[bad.as_path()]).unwrap_err();
    assert!(
        err.to_string().contains("all.zip: corrupt archive"),
        "{err}"
    );
    assert!(store.is_empty().unwrap());
}

#[test]
fn epss_scores_round_trip_and_replace_the_previous_import_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let first = dir.path().join("epss.csv");
    std::fs::write(
        &first,
        "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\n\
         cve,epss,percentile\n\
         CVE-2021-44228,0.94358,0.99983\n\
         CVE-2023-4863,0.93721,0.99875\n\
         CVE-2022-24713,oops,0.5\n",
    )
    .unwrap();
    let stats = import_paths(&mut store, &[first.as_path()]).unwrap();
    assert_eq!(stats.epss, Some(2));
    assert_eq!((stats.added, stats.kev), (0, None));
    // The bad row is a warning naming the file and its line.
    assert_eq!(stats.diagnostics.len(), 1, "{:?}", stats.diagnostics);
    let d = stats.diagnostics[0].to_string();
    assert!(d.starts_with(&format!("{}:5: ", first.display())), "{d}");
    // Only what is asked for, CVE IDs only, whatever their case.
    let got = store
        .epss_for([
            "CVE-2021-44228",
            "cve-2023-4863",
            "GHSA-xxxx-1",
            "CVE-2000-0001",
        ])
        .unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got["CVE-2021-44228"].probability, 0.94358);
    assert_eq!(got["cve-2023-4863"].percentile, 0.99875);
    let info = store.epss_info().unwrap().unwrap();
    assert_eq!(info.count, 2);
    assert_eq!(info.model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(info.score_date.as_deref(), Some("2026-11-27T12:55:00Z"));
    let status = store.status().unwrap();
    let epss = status.iter().find(|s| s.name == "EPSS").unwrap();
    assert_eq!(epss.records, 2);
    assert!(!store.is_empty().unwrap());

    // A newer file replaces the scores whole (gzip here, known by its
    // content, whatever its name); one without the date drops the old date.
    let second = dir.path().join("scores.bin");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"cve,epss,percentile\nCVE-2020-8203,0.01234,0.85\n")
        .unwrap();
    std::fs::write(&second, gz.finish().unwrap()).unwrap();
    let stats = import_paths(&mut store, &[second.as_path()]).unwrap();
    assert_eq!(stats.epss, Some(1));
    assert!(store.epss_for(["CVE-2021-44228"]).unwrap().is_empty());
    assert_eq!(store.epss_for(["CVE-2020-8203"]).unwrap().len(), 1);
    let info = store.epss_info().unwrap().unwrap();
    assert_eq!((info.count, info.score_date), (1, None));

    // A file without the header is an error naming it; the scores stay.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,score\nCVE-2021-44228,0.9\n").unwrap();
    let e = import_paths(&mut store, &[bad.as_path()]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}: not an EPSS CSV", bad.display())),
        "{e}"
    );
    assert_eq!(store.epss_info().unwrap().unwrap().count, 1);
}

#[test]
fn a_quarter_million_epss_rows_import_in_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let file = dir.path().join("epss_scores-current.csv");
    let mut text = String::from(
        "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\ncve,epss,percentile\n",
    );
    for i in 0..250_000u32 {
        text.push_str(&format!(
            "CVE-{}-{:05},0.{:05},0.{:05}\n",
            1999 + i % 28,
            i,
            i % 99_999,
            i % 99_991
        ));
    }
    std::fs::write(&file, text).unwrap();
    let stats = import_paths(&mut store, &[file.as_path()]).unwrap();
    assert!(stats.diagnostics.is_empty(), "{:?}", stats.diagnostics);
    // Distinct IDs: the year cycles while the number grows.
    assert_eq!(stats.epss, Some(250_000));
    let got = store
        .epss_for(["CVE-1999-00000", "CVE-2000-00001"])
        .unwrap();
    assert_eq!(got.len(), 2);
}
