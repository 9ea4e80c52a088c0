//! The dashboard in a real browser, against the real binary: `vigil server`
//! on 127.0.0.1 with a fresh data directory, seeded through the API with a
//! `vigil scan` report of examples/demo-app and an agent snapshot of a host
//! with exposed processes, then the Playwright spec of
//! crates/vigil-server/tests/browser/ (Debian's Chromium, `node --test`).
//!
//! Runs when VIGIL_BROWSER_TESTS=1 (.ci/run sets it, installs `chromium`
//! and runs `npm ci` in the spec's directory); skipped with a message
//! otherwise. Screenshots go to VIGIL_SCREENSHOT_DIR (default:
//! `dashboard-screenshots` in the target directory).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

#[path = "support/demo_db.rs"]
mod demo_db;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use demo_db::DemoDb;
use serde_json::{json, Value};

const PASSWORD: &str = "a long enough password";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn post(base: &str, path: &str, token: &str, key: &str, body: &[u8]) -> (u16, Value) {
    let mut r = agent()
        .post(format!("{base}{path}"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn the_dashboard_in_chromium() {
    if std::env::var("VIGIL_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set VIGIL_BROWSER_TESTS=1 (needs chromium and `npm ci` in crates/vigil-server/tests/browser)");
        return;
    }
    let spec_dir = repo_root().join("crates/vigil-server/tests/browser");
    assert!(
        spec_dir.join("node_modules/playwright-core").is_dir(),
        "run `npm ci` in {} first",
        spec_dir.display()
    );
    let chromium = std::env::var("VIGIL_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: apt-get install chromium"
    );

    // A scan report of the demo app, from the demo advisory mirror.
    let demo = DemoDb::new();
    let (code, scan, err) = demo.run(&["scan", "examples/demo-app", "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    let mut scan: Value = serde_json::from_str(&scan).unwrap();
    scan["source"]["name"] = json!("git.example.org/shop/demo-app");

    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let pw = tmp.path().join("password");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let vigil = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
        c.env_remove("VIGIL_CONFIG")
            .env_remove("VIGIL_LOG")
            .arg("--no-config");
        c
    };
    let out = vigil()
        .args(["server", "init", "--admin", "alice", "--password-file"])
        .arg(&pw)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let admin_token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("API token (shown once; keep it secret): "))
        .unwrap()
        .to_string();

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        vigil()
            .args(["server", "--update-interval", "off", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while ureq::get(format!("{base}/readyz")).call().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Seed: the scan, a Debian advisory and a host whose vulnerable
    // library is loaded by processes listening on a public address.
    let (s, v) = post(
        &base,
        "/api/v1/scans",
        &admin_token,
        "seed-scan",
        &serde_json::to_vec(&scan).unwrap(),
    );
    assert_eq!(s, 202, "{v}");
    assert!(v["changes"]["new"].as_i64().unwrap() > 10, "{v}");
    let advisories = repo_root().join("crates/vigil-server/tests/fixtures/advisories-debian");
    // EPSS scores (test figures) for the vulnerability page.
    let epss = repo_root().join("crates/vigil-server/tests/fixtures/epss-high");
    let (s, v) = post(
        &base,
        "/api/v1/advisories/update",
        &admin_token,
        "seed-advisories",
        &serde_json::to_vec(&json!({ "paths": [advisories, epss] })).unwrap(),
    );
    assert_eq!(s, 200, "{v}");
    let snapshot = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agent/snapshot-debian12.json"),
    )
    .unwrap();
    let (s, v) = post(
        &base,
        "/api/v1/agents/snapshots",
        &admin_token,
        "seed-snapshot",
        &snapshot,
    );
    assert_eq!(s, 202, "{v}");
    assert_eq!(v["changes"]["new"], 1, "{v}");
    let (s, v) = post(
        &base,
        "/api/v1/tokens",
        &admin_token,
        "seed-viewer",
        br#"{"name": "dashboard viewer", "role": "viewer"}"#,
    );
    assert_eq!(s, 201, "{v}");
    let viewer_token = v["token"].as_str().unwrap().to_string();

    let screenshots = std::env::var("VIGIL_SCREENSHOT_DIR").map_or_else(
        |_| {
            // The test binary is target/<profile>/deps/<name>.
            std::env::current_exe()
                .unwrap()
                .parent()
                .and_then(Path::parent)
                .unwrap()
                .join("dashboard-screenshots")
        },
        PathBuf::from,
    );
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "dashboard.spec.mjs"])
        .current_dir(&spec_dir)
        .env("VIGIL_URL", &base)
        .env("VIGIL_ADMIN_USER", "alice")
        .env("VIGIL_ADMIN_PASSWORD", PASSWORD)
        .env("VIGIL_ADMIN_TOKEN", &admin_token)
        .env("VIGIL_VIEWER_TOKEN", &viewer_token)
        .env("VIGIL_SCREENSHOT_DIR", &screenshots)
        .env("VIGIL_CHROMIUM", &chromium)
        .output()
        .expect("running node (the nodejs package)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
    assert!(out.status.success(), "the browser tests failed:\n{report}");
    for shot in ["login.png", "overview.png", "findings.png"] {
        let size = std::fs::metadata(screenshots.join(shot)).map_or(0, |m| m.len());
        assert!(
            size > 10_000,
            "{shot}: {size} bytes in {}",
            screenshots.display()
        );
    }
    eprintln!("screenshots in {}", screenshots.display());
}
