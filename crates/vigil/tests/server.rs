//! `vigil server` through the real binary: `init`, serving, and a kill -9
//! in the middle of a stream of uploads — after a restart every
//! acknowledged upload is there, and none is half-stored.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .arg("--no-config");
    c
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &Path, port: u16) -> Server {
    start_with(data, port, &[])
}

fn start_with(data: &Path, port: u16, extra: &[&str]) -> Server {
    let child = vigil()
        .args(["server", "--update-interval", "off", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ureq::get(format!("{base}/readyz")).call().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, base }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// `vigil server init`: prints the admin's token once; a second init is
/// refused.
fn init(data: &Path) -> String {
    init_with(data, &[])
}

fn init_with(data: &Path, extra: &[&str]) -> String {
    let pw = data.parent().unwrap().join("admin-password");
    std::fs::write(&pw, "a long enough password\n").unwrap();
    let out = vigil()
        .args(["server", "init", "--admin", "root-admin", "--data-dir"])
        .arg(data)
        .arg("--password-file")
        .arg(&pw)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("Created the admin user \"root-admin\".\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Password"),
        "a given password is not printed"
    );
    let token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("API token (shown once; keep it secret): "))
        .unwrap()
        .to_string();
    let again = vigil()
        .args(["server", "init", "--data-dir"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already initialized"));
    token
}

/// The report of upload `i`: its own repository, so every upload is an
/// asset of its own with 3 components and 4 findings.
fn report(i: usize) -> Vec<u8> {
    let mut r: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/server/report.json"),
        )
        .unwrap(),
    )
    .unwrap();
    r["source"]["repository"] = json!(format!("https://git.example.org/acme/service-{i}.git"));
    serde_json::to_vec(&r).unwrap()
}

#[test]
fn acknowledged_uploads_survive_a_kill_9_and_none_is_half_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = init(&data);
    let port = free_port();
    let mut server = start(&data, port);
    let base = server.base.clone();

    // A stream of uploads from two clients; every acknowledged one is
    // recorded. The server is killed once 30 are acknowledged.
    let acked: Arc<Mutex<Vec<usize>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(Mutex::new(0usize));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (acked, stop, next, base, token) = (
                acked.clone(),
                stop.clone(),
                next.clone(),
                base.clone(),
                token.clone(),
            );
            std::thread::spawn(move || {
                let agent = agent();
                while !stop.load(Ordering::Relaxed) {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n
                    };
                    let r = agent
                        .post(format!("{base}/api/v1/scans"))
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", format!("kill-test-{i:06}"))
                        .send(&report(i)[..]);
                    match r {
                        Ok(resp) if resp.status() == 202 => acked.lock().unwrap().push(i),
                        Ok(resp) => panic!("upload {i}: {}", resp.status()),
                        Err(_) => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().unwrap().len() < 30 {
        assert!(Instant::now() < deadline, "uploads too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no shutdown, no flush.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let attempted = *next.lock().unwrap();
    eprintln!(
        "{} uploads acknowledged of {attempted} attempted",
        acked.len()
    );

    let server = start(&data, port);
    let agent = agent();
    let get = |path: &str| -> Value {
        let mut r = agent
            .get(format!("{}{path}", server.base))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    };
    let assets = get("/api/v1/assets?limit=1000");
    let items = assets["items"].as_array().unwrap();
    for i in &acked {
        let name = format!("https://git.example.org/acme/service-{i}.git");
        let a = items
            .iter()
            .find(|a| a["name"] == name.as_str())
            .unwrap_or_else(|| panic!("acknowledged upload {i} is missing"));
        assert_eq!(a["components"], 3, "{a}");
    }
    // Whatever was stored (acknowledged or not, the in-flight ones) is
    // whole: every asset has its 3 components and its 4 findings.
    for a in items {
        assert_eq!(a["components"], 3, "half-stored: {a}");
        let f = get(&format!(
            "/api/v1/findings?asset={}",
            a["id"].as_str().unwrap()
        ));
        assert_eq!(f["total"], 4, "half-stored: {a}");
    }
    assert!(items.len() >= acked.len() && items.len() <= attempted);
    // A retry of an acknowledged upload is recognised as stored.
    let i = acked[0];
    let r = agent
        .post(format!("{}/api/v1/scans", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", format!("kill-test-{i:06}"))
        .send(&report(i)[..])
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `vigil scan … --server --token-file` against the real server: the
/// report's findings are there, on an asset named by its source.
#[test]
fn a_scan_uploads_its_report_to_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = init(&data);
    let server = start(&data, free_port());
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &token).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac-terraform");
    let out = vigil()
        .args(["scan", "config"])
        .arg(&fixture)
        .args(["--format", "json", "--server", &server.base, "--token-file"])
        .arg(&token_file)
        .env("VIGIL_SOURCE_NAME", "infra-live")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let local: Value = serde_json::from_slice(&out.stdout).unwrap();
    let agent = agent();
    let mut r = agent
        .get(format!(
            "{}/api/v1/findings?kind=misconfiguration&limit=1000",
            server.base
        ))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let findings: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(
        findings["total"].as_u64().unwrap() as usize,
        local["findings"].as_array().unwrap().len()
    );
    assert!(findings["total"].as_u64().unwrap() > 0);
}

/// A fresh database on the PostgreSQL server of VIGIL_TEST_POSTGRES_URL.
fn postgres_database() -> Option<String> {
    let admin = std::env::var("VIGIL_TEST_POSTGRES_URL").ok()?;
    let name = format!(
        "vigil_replicas_{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let out = Command::new("psql")
        .args(["-q", &admin, "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(format!("{}/{name}", admin.rsplit_once('/').unwrap().0))
}

/// Two `vigil server` processes on one PostgreSQL database: both serve the
/// same data; uploads of one asset through both at once are all stored,
/// whole; an advisory update asked of both at once re-matches once.
#[test]
fn two_replicas_share_one_postgresql_database() {
    let Some(url) = postgres_database() else {
        eprintln!("skipped: VIGIL_TEST_POSTGRES_URL is not set (.ci/run sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dir.path().join("a/data"), dir.path().join("b/data"));
    std::fs::create_dir_all(a_dir.parent().unwrap()).unwrap();
    std::fs::create_dir_all(b_dir.parent().unwrap()).unwrap();
    let db = ["--database-url", url.as_str()];
    let token = init_with(&a_dir, &db);
    let a = start_with(&a_dir, free_port(), &db);
    let b = start_with(&b_dir, free_port(), &db);
    let post = |server: &Server, path: &str, key: &str, body: &[u8]| -> (u16, Value) {
        let mut r = agent()
            .post(format!("{}{path}", server.base))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .send(body)
            .unwrap();
        let status = r.status().as_u16();
        (
            status,
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap(),
        )
    };
    // Twenty uploads of the same asset, ten through each replica, at once.
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let server = if i % 2 == 0 { &a } else { &b };
                let post = &post;
                s.spawn(move || {
                    post(
                        server,
                        "/api/v1/scans",
                        &format!("replica-{i:04}"),
                        &report(0),
                    )
                    .0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    // Both see the same asset with its whole inventory and findings.
    for server in [&a, &b] {
        let mut r = agent()
            .get(format!("{}/api/v1/assets", server.base))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(v["items"][0]["components"], 3);
    }
    // An advisory update asked of both at once: one re-match stores the
    // new finding; the other finds nothing new.
    let mirror = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/server/advisories");
    let body = serde_json::to_vec(&json!({ "paths": [mirror] })).unwrap();
    let results: Vec<(u16, Value)> = std::thread::scope(|s| {
        let ha = s.spawn(|| post(&a, "/api/v1/advisories/update", "u-a-00000", &body));
        let hb = s.spawn(|| post(&b, "/api/v1/advisories/update", "u-b-00000", &body));
        vec![ha.join().unwrap(), hb.join().unwrap()]
    });
    assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
    let new: u64 = results
        .iter()
        .map(|(_, v)| v["new_findings"].as_u64().unwrap())
        .sum();
    assert_eq!(new, 1, "{results:?}");
}

/// The server's policy flags reach the server: `--admission` with
/// `--admission-deny-unknown` denies a pod whose image was never scanned,
/// and `--sla` sets the service levels of `GET /api/v1/stats`.
#[test]
fn admission_and_sla_flags_take_effect() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = init(&data);
    let server = start_with(
        &data,
        free_port(),
        &[
            "--admission",
            "--admission-deny-unknown",
            "--sla",
            "high=14",
        ],
    );
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "3e1f0c2a-9b7d-4e5f-8a6b-0c1d2e3f4a5b",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "namespace": "shop",
            "operation": "CREATE",
            "object": {"spec": {"containers": [{"name": "app", "image": "registry.example.org/shop/app:2.0"}]}}
        }
    });
    let mut r = agent()
        .post(format!("{}/api/v1/admission/review", server.base))
        .header("Content-Type", "application/json")
        .send(&serde_json::to_vec(&review).unwrap()[..])
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(v["response"]["uid"], "3e1f0c2a-9b7d-4e5f-8a6b-0c1d2e3f4a5b");
    assert_eq!(v["response"]["allowed"], false, "{v}");
    assert!(v["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("has never been scanned by vigil"));
    let mut r = agent()
        .get(format!("{}/api/v1/stats", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(v["sla"]["high"], 14, "{v}");
    assert_eq!(v["sla"]["critical"], 7);
}

/// `--admission-deny-risk` reaches the admission webhook (a pod whose
/// image has an open finding at or above the score is denied, naming the
/// score), the retention flags are taken, and bad values of both are
/// refused before the server starts.
#[test]
fn risk_admission_and_retention_flags_take_effect() {
    for (flag, value, says) in [
        ("--admission-deny-risk", "11", "risk score"),
        ("--retention-uploads", "90", "at least a day"),
    ] {
        let out = vigil().args(["server", flag, value]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{flag} {value}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = init(&data);
    let server = start_with(
        &data,
        free_port(),
        &[
            "--admission",
            "--admission-deny-risk",
            "7.5",
            "--retention-events",
            "30d",
            "--retention-fixed",
            "off",
        ],
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigil-server/tests/fixtures");
    let mut report: Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("report-image.json")).unwrap())
            .unwrap();
    report["findings"][0]["risk"] =
        json!({"score": 8.0, "reasons": ["reaches postgresql"], "vector": "CVSS:3.1/AV:N"});
    let r = agent()
        .post(format!("{}/api/v1/scans", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "risk-flags-0001")
        .send(&serde_json::to_vec(&report).unwrap()[..])
        .unwrap();
    assert_eq!(r.status(), 202);
    let review = std::fs::read(fixtures.join("admission/pod-scanned-image.json")).unwrap();
    let mut r = agent()
        .post(format!("{}/api/v1/admission/review", server.base))
        .header("Content-Type", "application/json")
        .send(&review[..])
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(v["response"]["allowed"], false, "{v}");
    let message = v["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("risk 8.0"), "{message}");
}
