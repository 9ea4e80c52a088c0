//! `vigil agent --server URL`: the daemon through the real binary, on the
//! fixture /proc tree of vigil-agent (so every snapshot is the same but
//! for its time), sending to a test server on 127.0.0.1.
#![allow(clippy::unwrap_used)]

#[path = "support/tls_server.rs"]
mod tls_server;
#[path = "support/upload_server.rs"]
mod upload_server;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use upload_server::{free_port, Reply, TestServer};

fn agent_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vigil-agent/tests/fixtures")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A host to observe: a copy of the fixture /proc tree (its symbolic
/// links made), the fixture root, a token file and a spool directory.
struct Host {
    dir: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        let proc = dir.path().join("proc");
        copy_tree(&agent_fixtures().join("proc"), &proc);
        let links = std::fs::read_to_string(proc.join("links.txt")).unwrap();
        for line in links
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (path, target) = line.split_once(" -> ").unwrap();
            let path = proc.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, path).unwrap();
        }
        std::fs::write(dir.path().join("token"), "agent-token\n").unwrap();
        Host { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    fn spool(&self) -> PathBuf {
        self.dir.path().join("spool")
    }

    /// The spooled documents' names, oldest first.
    fn spooled(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.spool()) {
            Ok(d) => d
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json.gz"))
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// The arguments of an agent sending to `server` every second.
    fn args(&self, server: &str) -> Vec<String> {
        [
            "agent",
            "--server",
            server,
            "--token-file",
            &self.path("token"),
            "--proc",
            &self.path("proc"),
            "--host-root",
            agent_fixtures().join("root").to_str().unwrap(),
            "--interval",
            "1s",
            "--spool-dir",
            self.spool().to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

/// The running agent; killed when dropped.
struct Agent {
    child: Child,
    log: PathBuf,
    _logs: tempfile::TempDir,
}

impl Agent {
    fn start(args: &[String]) -> Agent {
        Self::start_with(args, true)
    }

    fn start_with(args: &[String], no_config: bool) -> Agent {
        let logs = tempfile::tempdir().unwrap();
        let log = logs.path().join("stderr");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
        if no_config {
            cmd.arg("--no-config");
        }
        let child = cmd
            .args(args)
            .env_remove("VIGIL_CONFIG")
            .env_remove("VIGIL_LOG")
            .env_remove("VIGIL_AGENT_SERVER")
            .env_remove("VIGIL_AGENT_TOKEN")
            .env_remove("VIGIL_AGENT_TOKEN_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Agent {
            child,
            log,
            _logs: logs,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (up to a minute) until the log holds `needle`.
    fn wait_log(&self, needle: &str) {
        wait_until(|| self.log().contains(needle), || self.log());
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGTERM, then the exit code.
    fn stop(mut self) -> (i32, String) {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code().unwrap_or(-1), self.log());
            }
            assert!(
                Instant::now() < deadline,
                "no exit after SIGTERM: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` for up to a minute.
fn wait_until(mut done: impl FnMut() -> bool, show: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {}", show());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_full_snapshot_first_then_deltas_and_sigterm_stops_cleanly() {
    let host = Host::new();
    let server = TestServer::accepting();
    let agent = Agent::start(&host.args(&server.url));
    let got = server.wait_for(3);

    let first = &got[0];
    assert_eq!(first.path, "/api/v1/agents/snapshots");
    assert_eq!(first.header("authorization"), Some("Bearer agent-token"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("content-encoding"), Some("gzip"));
    assert!(first
        .header("user-agent")
        .is_some_and(|u| u.starts_with("vigil/")));
    assert_eq!(first.kind(), "full");
    assert_eq!(first.body["host"]["hostname"], "web-1");
    let pids: Vec<u64> = first.body["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(
        pids,
        [1, 100, 101, 102, 103, 104, 105, 106, 107, 108, 111, 112]
    );
    // The same processes again: heartbeats, each based on the document
    // before it.
    for pair in got.windows(2) {
        let delta = &pair[1];
        assert_eq!(delta.kind(), "delta");
        assert_eq!(delta.body["base"], pair[0].key().as_str());
        assert_eq!(delta.body["host_id"], first.body["host"]["id"]);
        assert_eq!(delta.body["upserted"], serde_json::json!([]));
        assert_eq!(delta.body["removed"], serde_json::json!([]));
        assert_ne!(delta.key(), pair[0].key());
    }

    // A process goes away: the next delta removes it.
    std::fs::remove_dir_all(host.dir.path().join("proc/111")).unwrap();
    let n = server.received().len();
    let got = server.wait_for(n + 2);
    let removed = got[n..]
        .iter()
        .find(|r| r.body["removed"] == serde_json::json!([111]))
        .unwrap_or_else(|| panic!("no delta removes 111: {:#?}", &got[n..]));
    assert_eq!(removed.kind(), "delta");

    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("kind=\"full\""), "{log}");
    assert!(log.contains("status=202"), "{log}");
    assert!(log.contains("agent stopped"), "{log}");
    assert!(host.spooled().is_empty());
}

#[test]
fn spooled_documents_are_delivered_after_a_restart_in_order_with_their_keys() {
    let host = Host::new();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    // The server is down: documents wait in the spool.
    let agent = Agent::start(&host.args(&url));
    wait_until(|| host.spooled().len() >= 3, || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("could not send"), "{log}");
    let spooled = host.spooled();
    assert!(spooled[0].contains("-full-"), "{spooled:?}");
    assert!(
        spooled[1..].iter().all(|n| n.contains("-delta-")),
        "{spooled:?}"
    );
    let keys: Vec<String> = spooled
        .iter()
        .map(|n| {
            n.trim_end_matches(".json.gz")
                .rsplit('-')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();

    // The server is up and the agent starts again: the spool goes first,
    // oldest first, under the keys it was given, then a new full snapshot.
    let server = TestServer::on(&format!("127.0.0.1:{port}"), |r, _| Reply::stored(&r.key()));
    let agent = Agent::start(&host.args(&url));
    let got = server.wait_for(keys.len() + 1);
    let sent: Vec<String> = got[..keys.len()].iter().map(|r| r.key()).collect();
    assert_eq!(sent, keys);
    for (r, pair) in got[1..keys.len()].iter().zip(keys.windows(2)) {
        assert_eq!(r.body["base"], pair[0].as_str());
    }
    assert_eq!(got[keys.len()].kind(), "full");
    wait_until(|| host.spooled().is_empty(), || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
}

#[test]
fn a_missing_base_makes_the_next_document_a_full_snapshot() {
    let host = Host::new();
    // The first delta's base is unknown to the server.
    let server = TestServer::start(|r, n| {
        if n == 1 {
            Reply::error(409, "unknown base")
        } else {
            Reply::stored(&r.key())
        }
    });
    let agent = Agent::start(&host.args(&server.url));
    let got = server.wait_for(4);
    let kinds: Vec<&str> = got[..4].iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, ["full", "delta", "full", "delta"]);
    assert_eq!(got[3].body["base"], got[2].key().as_str());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("unknown base"), "{log}");
}

#[test]
fn a_refused_document_is_dropped_with_a_warning_naming_the_error() {
    let host = Host::new();
    let server = TestServer::start(|r, n| {
        if n == 0 {
            Reply::error(422, "schema_version 1 expected")
        } else {
            Reply::stored(&r.key())
        }
    });
    let agent = Agent::start(&host.args(&server.url));
    let got = server.wait_for(3);
    // Dropped, not retried: the next document is a new full snapshot.
    assert_eq!(got[1].kind(), "full");
    assert_ne!(got[1].key(), got[0].key());
    assert_eq!(got[2].kind(), "delta");
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("the server refused the document: schema_version 1 expected"),
        "{log}"
    );
}

#[test]
fn a_refused_token_is_logged_as_an_error_and_the_documents_kept() {
    let host = Host::new();
    let server = TestServer::start(|_, _| Reply::error(401, "token revoked"));
    let agent = Agent::start(&host.args(&server.url));
    server.wait_for(1);
    wait_until(|| host.spooled().len() >= 2, || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("ERROR"), "{log}");
    assert!(
        log.contains("the server did not accept the token: token revoked"),
        "{log}"
    );
    assert!(host.spooled()[0].contains("-full-"));
}

#[test]
fn over_spool_max_the_oldest_are_dropped_and_a_full_snapshot_follows() {
    let host = Host::new();
    let url = format!("http://127.0.0.1:{}", free_port());
    // The sizes of a full snapshot and of a heartbeat, spooled.
    let agent = Agent::start(&host.args(&url));
    wait_until(|| host.spooled().len() >= 2, || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    let size = |name: &str| std::fs::metadata(host.spool().join(name)).unwrap().len();
    let spooled = host.spooled();
    let (full, delta) = (size(&spooled[0]), size(&spooled[1]));
    assert!(full > 2 * delta, "full {full}, delta {delta}");
    // Room for one full snapshot and its deltas, not for two full ones.
    let max = full + full / 2;

    let mut args = host.args(&url);
    args.extend(["--spool-max".to_string(), max.to_string()]);
    let agent = Agent::start(&args);
    agent.wait_log("oldest document(s)");
    // Let two more documents come.
    let last_seq = |names: &[String]| -> u64 { names.last().unwrap()[..16].parse().unwrap() };
    let seen = last_seq(&host.spooled());
    wait_until(
        || {
            let names = host.spooled();
            !names.is_empty() && last_seq(&names) >= seen + 2
        },
        || agent.log(),
    );
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("the spool is over --spool-max"), "{log}");
    let names = host.spooled();
    // The oldest are gone; what is left starts with a full snapshot and
    // fits the bound.
    assert!(!names.iter().any(|n| *n == spooled[0]), "{names:?}");
    assert!(names[0].contains("-full-"), "{names:?}");
    let total: u64 = names.iter().map(|n| size(n)).sum();
    assert!(total <= max, "{total} > {max}");
}

#[test]
fn sighup_reloads_the_configuration_file() {
    let host = Host::new();
    let first = TestServer::accepting();
    let second = TestServer::accepting();
    let config = host.dir.path().join("vigil.toml");
    let write_config = |server: &str, interval: &str| {
        std::fs::write(
            &config,
            format!(
                "[agent]\nserver = \"{server}\"\ntoken-file = \"token\"\ninterval = \"{interval}\"\nproc = \"proc\"\nhost-root = \"{}\"\nspool-dir = \"spool\"\n",
                agent_fixtures().join("root").display()
            ),
        )
        .unwrap();
    };
    write_config(&first.url, "1s");
    let args = vec![
        "--config".to_string(),
        config.to_str().unwrap().to_string(),
        "agent".to_string(),
    ];
    let agent = Agent::start_with(&args, false);
    first.wait_for(2);

    write_config(&second.url, "2s");
    agent.signal("HUP");
    agent.wait_log("configuration reloaded");
    // A new server: the next document is a full snapshot, sent there.
    let got = second.wait_for(2);
    assert_eq!(got[0].kind(), "full");
    assert_eq!(got[1].kind(), "delta");
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(&format!("server=\"{}\"", second.url))
            || log.contains(&format!("server={}", second.url)),
        "{log}"
    );
    assert!(log.contains("interval=2s"), "{log}");
}

#[test]
fn the_deploy_manifests_have_no_open_high_misconfiguration() {
    let deploy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--no-config", "scan", "config"])
        .arg(&deploy)
        .args(["--fail-on-misconfig", "high", "-f", "json"])
        .env_remove("VIGIL_CONFIG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // The DaemonSet was read, and what it needs on purpose is suppressed
    // inline, with a reason.
    assert!(findings
        .iter()
        .any(|f| f["id"] == "VIGIL-K8S-006" && f["suppression"]["kind"] == "inline"));
    let open_high: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["severity"] == "HIGH" && f["suppression"].is_null())
        .collect();
    assert!(open_high.is_empty(), "{open_high:#?}");
}

#[test]
fn over_tls_the_agent_trusts_the_ca_cert_and_only_it() {
    let pki = tls_server::pki();
    let (port, paths) = tls_server::tls_server(&pki);
    let url = format!("https://127.0.0.1:{port}");

    // Without the authority: nothing is sent, the log says why, the
    // documents wait.
    let host = Host::new();
    let agent = Agent::start(&host.args(&url));
    agent.wait_log("TLS certificate error");
    wait_until(|| !host.spooled().is_empty(), || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("unknown authority"), "{log}");
    assert!(log.contains("--ca-cert"), "{log}");
    assert!(paths.lock().unwrap().is_empty());

    // With it: the spool goes out, then new documents.
    let ca = host.dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let mut args = host.args(&url);
    args.extend(["--ca-cert".to_string(), ca.to_str().unwrap().to_string()]);
    let agent = Agent::start(&args);
    wait_until(|| host.spooled().is_empty(), || agent.log());
    wait_until(|| paths.lock().unwrap().len() >= 2, || agent.log());
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(paths
        .lock()
        .unwrap()
        .iter()
        .all(|p| p == "/api/v1/agents/snapshots"));
}

/// A real `vigil server` (SQLite in a temporary directory) and an admin
/// token; killed when dropped.
struct RealServer {
    child: Child,
    base: String,
    admin: String,
    _data: tempfile::TempDir,
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RealServer {
    fn start() -> RealServer {
        let data = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["--no-config", "server", "init", "--data-dir"])
            .arg(data.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let admin = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("API token (shown once; keep it secret): "))
            .unwrap()
            .to_string();
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args([
                "--no-config",
                "-q",
                "server",
                "--update-interval",
                "off",
                "--data-dir",
            ])
            .arg(data.path())
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        wait_until(
            || ureq::get(format!("{base}/readyz")).call().is_ok(),
            || "the server did not start".to_string(),
        );
        RealServer {
            child,
            base,
            admin,
            _data: data,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.admin);
        let mut r = match body {
            Some(b) => agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(&serde_json::to_vec(&b).unwrap()[..])
                .unwrap(),
            None => agent
                .get(&url)
                .header("Authorization", &auth)
                .call()
                .unwrap(),
        };
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
    }
}

/// The agent against the real server: a full snapshot, then deltas the
/// server applies to it; the host is an asset with its processes'
/// inventory.
#[test]
fn the_agent_reports_to_a_real_vigil_server() {
    let server = RealServer::start();
    let token = server.call(
        "POST",
        "/api/v1/tokens",
        Some(serde_json::json!({"name": "fleet", "role": "agent"})),
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    let host = Host::new();
    std::fs::write(host.dir.path().join("token"), format!("{token}\n")).unwrap();
    let agent = Agent::start(&host.args(&server.base));
    wait_until(
        || agent.log().matches("status=202").count() >= 3,
        || agent.log(),
    );
    let (code, log) = agent.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("kind=\"full\""), "{log}");
    assert!(log.contains("kind=\"delta\""), "{log}");
    assert!(!log.contains("status=409"), "{log}");
    let hosts = server.call("GET", "/api/v1/assets?kind=host", None);
    assert_eq!(hosts["total"], 1, "{hosts}");
    let h = &hosts["items"][0];
    assert!(h["metadata"]["processes"].as_u64().unwrap() > 0, "{h}");
    assert!(h["components"].as_u64().unwrap() > 0, "{h}");
    assert!(host.spooled().is_empty());
}
