//! `db update` over HTTP, against a server on 127.0.0.1 serving the real
//! snapshots, with conditional requests.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use vigil_advisories::{update, EcosystemOutcome, Store, UpdateOptions};
use vigil_model::Ecosystem;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

struct Served {
    url: String,
    full_responses: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
}

/// Serves `<root>/<path>` with an ETag and Last-Modified, answering 304 to
/// a matching If-None-Match. Stops after `max_requests` requests.
fn serve(root: PathBuf, max_requests: usize) -> Served {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let full = Arc::new(AtomicUsize::new(0));
    let nm = Arc::new(AtomicUsize::new(0));
    let (f2, n2) = (Arc::clone(&full), Arc::clone(&nm));
    thread::spawn(move || {
        for _ in 0..max_requests {
            let Ok(req) = server.recv() else { return };
            let path = req.url().trim_start_matches('/').replace("%20", " ");
            let file = root.join(&path);
            let Ok(bytes) = std::fs::read(&file) else {
                let _ = req.respond(tiny_http::Response::empty(404));
                continue;
            };
            let etag = format!("\"{}-{}\"", bytes.len(), path.len());
            let matches = req
                .headers()
                .iter()
                .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
            if matches {
                n2.fetch_add(1, Ordering::SeqCst);
                let _ = req.respond(tiny_http::Response::empty(304));
                continue;
            }
            f2.fetch_add(1, Ordering::SeqCst);
            let resp = tiny_http::Response::from_data(bytes)
                .with_header(tiny_http::Header::from_bytes("ETag", etag.as_bytes()).unwrap())
                .with_header(
                    tiny_http::Header::from_bytes("Last-Modified", "Fri, 21 Aug 2026 00:00:00 GMT")
                        .unwrap(),
                );
            let _ = req.respond(resp);
        }
    });
    Served {
        url,
        full_responses: full,
        not_modified: nm,
    }
}

#[test]
fn update_over_http_with_conditional_requests() {
    let mirror = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(mirror.path().join("crates.io")).unwrap();
    std::fs::copy(
        shared().join("osv/crates.io/all.zip"),
        mirror.path().join("crates.io/all.zip"),
    )
    .unwrap();
    std::fs::copy(
        shared().join("kev/known_exploited_vulnerabilities.json"),
        mirror.path().join("known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    // EPSS scores, gzip-compressed as FIRST publishes them.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        b"#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\n\
          cve,epss,percentile\nCVE-2023-4863,0.93721,0.99875\nCVE-2022-24713,0.3512,0.97012\n",
    )
    .unwrap();
    std::fs::write(
        mirror.path().join("epss_scores-current.csv.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    let served = serve(mirror.path().to_path_buf(), 20);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let progress = std::sync::Arc::new(Recorder::default());
    let options = UpdateOptions {
        mirror: Some(served.url.clone()),
        ecosystems: vec![Ecosystem::CratesIo, Ecosystem::Npm],
        progress: vigil_model::progress::ProgressHandle::new(progress.clone()),
        ..Default::default()
    };

    let report = update(&mut store, &options);
    // The download's bytes and the phases were reported, not printed.
    let len = |p: &str| std::fs::metadata(mirror.path().join(p)).unwrap().len();
    let events = progress.events.lock().unwrap().clone();
    // The size is known only when the server sends Content-Length.
    let started = |m: &str| events.iter().any(|e| e.starts_with(m));
    assert!(started("crates.io: downloading Bytes"), "{events:?}");
    assert!(started("crates.io: importing Step None"), "{events:?}");
    assert!(started("KEV: downloading Bytes"), "{events:?}");
    assert!(started("EPSS: downloading Bytes"), "{events:?}");
    assert_eq!(
        progress.bytes.load(Ordering::SeqCst),
        len("crates.io/all.zip")
            + len("known_exploited_vulnerabilities.json")
            + len("epss_scores-current.csv.gz")
    );
    let outcome = |r: &vigil_advisories::UpdateReport, name: &str| {
        r.outcomes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| format!("{o:?}"))
            .unwrap()
    };
    assert!(
        matches!(report.outcomes[0].1, EcosystemOutcome::Imported(ref s) if s.added == 1206),
        "{report:?}"
    );
    assert!(outcome(&report, "npm").starts_with("Missing"), "{report:?}");
    assert!(
        outcome(&report, "KEV").starts_with("Imported"),
        "{report:?}"
    );
    assert!(
        outcome(&report, "EPSS").contains("epss: Some(2)"),
        "{report:?}"
    );
    assert_eq!(served.full_responses.load(Ordering::SeqCst), 3);

    // Unchanged archives are not downloaded again.
    let report = update(&mut store, &options);
    assert!(
        matches!(report.outcomes[0].1, EcosystemOutcome::NotModified),
        "{report:?}"
    );
    assert!(
        outcome(&report, "KEV").starts_with("NotModified"),
        "{report:?}"
    );
    assert!(
        outcome(&report, "EPSS").starts_with("NotModified"),
        "{report:?}"
    );
    assert_eq!(served.full_responses.load(Ordering::SeqCst), 3);
    assert_eq!(served.not_modified.load(Ordering::SeqCst), 3);
    assert_eq!(store.kev_ids().unwrap().len(), 1404);
    let info = store.epss_info().unwrap().unwrap();
    assert_eq!(
        (info.count, info.model_version.as_deref()),
        (2, Some("v2025.03.14"))
    );
}

#[test]
fn a_server_that_is_down_fails_that_source_only() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let options = UpdateOptions {
        mirror: Some(format!("http://127.0.0.1:{port}")),
        ecosystems: vec![Ecosystem::CratesIo],
        skip_kev: true,
        ..Default::default()
    };
    let report = update(&mut store, &options);
    assert!(report.failed());
    match &report.outcomes[0].1 {
        EcosystemOutcome::Failed(e) => assert!(e.to_string().contains("127.0.0.1"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// Records what an update reports.
#[derive(Default)]
struct Recorder {
    events: std::sync::Mutex<Vec<String>>,
    bytes: std::sync::atomic::AtomicU64,
}

impl vigil_model::progress::Progress for Recorder {
    fn start(&self, message: &str, unit: vigil_model::progress::Unit, total: Option<u64>) {
        self.events
            .lock()
            .unwrap()
            .push(format!("{message} {unit:?} {total:?}"));
    }
    fn advance(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::SeqCst);
    }
}
