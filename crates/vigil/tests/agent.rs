//! `vigil agent --once` through the real binary, observing real processes
//! this test starts: HTTP servers bound to all interfaces and to
//! loopback, and clients holding connections to a PostgreSQL port and to
//! a local server whose process is named `postgres`.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn vigil(args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env("VIGIL_CACHE_DIR", cache.path())
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .arg("--no-config")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    fn pid(&self) -> u64 {
        u64::from(self.0.id())
    }
}

/// The Python interpreter itself (not a shim script), or `None`.
fn python() -> Option<String> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !path.is_empty()).then_some(path)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `python -m http.server PORT --bind ADDRESS`, once it accepts.
fn http_server(python: &Path, address: &str) -> (Running, u16) {
    let port = free_port();
    let child = Command::new(python)
        .args(["-m", "http.server", &port.to_string(), "--bind", address])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    wait_for(port);
    (running, port)
}

/// A Python process holding a connection to `port` on loopback.
fn client(python: &Path, port: u16) -> Running {
    let code = format!(
        "import socket, time\ns = socket.create_connection(('127.0.0.1', {port}))\nprint('connected', flush=True)\ntime.sleep(120)\n"
    );
    let mut child = Command::new(python)
        .args(["-c", &code])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "connected");
    Running(child)
}

fn snapshot() -> Value {
    let (code, out, err) = vigil(&["agent", "--once", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn process(s: &Value, pid: u64) -> &Value {
    s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
        .unwrap_or_else(|| panic!("no process {pid} in the snapshot"))
}

fn listener(p: &Value, port: u16) -> &Value {
    p["listening"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == port && l["protocol"] == "tcp")
        .unwrap_or_else(|| panic!("process {} does not listen on {port}: {p:#}", p["pid"]))
}

fn connection_to(p: &Value, port: u16) -> &Value {
    p["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["remote_port"] == port)
        .unwrap_or_else(|| panic!("process {} has no connection to {port}: {p:#}", p["pid"]))
}

#[test]
fn http_servers_exposure() {
    let Some(python) = python() else {
        eprintln!("skipped: no python3");
        return;
    };
    let python = Path::new(&python);
    let (all, all_port) = http_server(python, "0.0.0.0");
    let (lo, lo_port) = http_server(python, "127.0.0.1");
    let s = snapshot();

    assert_eq!(s["schema_version"], 1);
    assert_eq!(s["host"]["id"].as_str().unwrap().len(), 32);

    let p = process(&s, all.pid());
    assert_eq!(
        p["exe"].as_str().unwrap(),
        std::fs::canonicalize(python).unwrap().to_str().unwrap()
    );
    assert!(p["cmdline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "http.server"));
    assert!(p["user"].is_string());
    assert!(p["start_time"].as_str().unwrap().ends_with('Z'));
    let l = listener(p, all_port);
    assert_eq!(l["address"], "0.0.0.0");
    // Reachable beyond loopback; no public peer has connected, so it is
    // internal rather than public.
    assert_eq!(l["exposure"], "internal");

    let p = process(&s, lo.pid());
    let l = listener(p, lo_port);
    assert_eq!(l["address"], "127.0.0.1");
    assert_eq!(l["exposure"], "loopback");
}

#[test]
fn data_reach_by_port_and_by_process() {
    let Some(python) = python() else {
        eprintln!("skipped: no python3");
        return;
    };
    let python = Path::new(&python);

    // The database by its port: a plain TCP listener on 5432 held by
    // this test (a PostgreSQL server already there serves as well).
    let _db = TcpListener::bind("127.0.0.1:5432").ok();
    if _db.is_none() && TcpStream::connect("127.0.0.1:5432").is_err() {
        eprintln!("skipped: port 5432 is neither free nor served");
        return;
    }
    let by_port = client(python, 5432);

    // The database by its process: a server whose program is named
    // `postgres`, on a port no convention gives.
    let dir = tempfile::tempdir().unwrap();
    let postgres = dir.path().join("postgres");
    std::os::unix::fs::symlink(python, &postgres).unwrap();
    let (server, port) = http_server(&postgres, "127.0.0.1");
    let by_process = client(python, port);

    let s = snapshot();
    let c = connection_to(process(&s, by_port.pid()), 5432);
    assert_eq!(c["kind"], "loopback");
    assert_eq!(c["inbound"], false);
    assert_eq!(c["data_asset"], "postgresql");

    let c = connection_to(process(&s, by_process.pid()), port);
    assert_eq!(c["kind"], "loopback");
    assert_eq!(c["data_asset"], "postgresql");
    // The server's side is inbound, and not a data store it reaches.
    let srv = process(&s, server.pid());
    assert_eq!(srv["name"], "postgres");
    let inbound: Vec<&Value> = srv["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["inbound"] == true)
        .collect();
    assert!(!inbound.is_empty(), "{srv:#}");
    assert!(inbound.iter().all(|c| c.get("data_asset").is_none()));
}

#[test]
fn table_and_output_file() {
    let Some(python) = python() else {
        eprintln!("skipped: no python3");
        return;
    };
    let (server, port) = http_server(Path::new(&python), "0.0.0.0");
    let (code, out, err) = vigil(&["agent", "--once"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Host "), "{out}");
    assert!(out.contains(&format!("{:>7}  ", server.pid())), "{out}");
    assert!(
        out.contains(&format!("listens tcp 0.0.0.0:{port}  internal")),
        "{out}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snapshot.json");
    let (code, out, err) = vigil(&[
        "agent",
        "--once",
        "-f",
        "json",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(s["processes"].as_array().unwrap().len() > 1);
}

#[test]
fn fixture_tree_through_the_cli() {
    // A proc tree with nothing but an empty process table and the host's
    // files: the host identity still comes out, from the fixture root.
    let dir = tempfile::tempdir().unwrap();
    let proc = dir.path().join("proc");
    std::fs::create_dir_all(proc.join("sys/kernel")).unwrap();
    std::fs::write(proc.join("sys/kernel/osrelease"), "6.1.0-test\n").unwrap();
    std::fs::write(proc.join("sys/kernel/hostname"), "fixture-host\n").unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    let (code, out, err) = vigil(&[
        "agent",
        "--once",
        "--format",
        "json",
        "--proc",
        proc.to_str().unwrap(),
        "--host-root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let s: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["host"]["hostname"], "fixture-host");
    assert_eq!(s["host"]["kernel"], "6.1.0-test");
    assert_eq!(s["processes"].as_array().unwrap().len(), 0);
    // Nothing hidden silently: no machine id, no passwd, no boot time.
    let unseen = s["unseen"].to_string();
    assert!(unseen.contains("the machine id"), "{unseen}");
    assert!(unseen.contains("user names"), "{unseen}");
    assert!(err.contains("not seen: the machine id"), "{err}");
}

#[test]
fn without_once_or_server_the_agent_says_how_to_run() {
    let (code, _, err) = vigil(&["agent"]);
    assert_eq!(code, 2);
    assert!(err.contains("daemon mode needs --server URL"), "{err}");
    assert!(err.contains("use --once to print one snapshot"), "{err}");
}

/// Runs a closure when dropped.
struct OnDrop(Box<dyn FnMut()>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// The directory of PostgreSQL's server programs, when installed.
fn postgres_bindir() -> Option<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("postgres").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A real PostgreSQL server and a client connected to it: the client
/// reaches `postgresql`, told by the server's process (its port is not
/// 5432). PostgreSQL refuses to run as root: as root, the server runs as
/// the `postgres` user. Runs when VIGIL_AGENT_PG_TESTS is set (.ci/run
/// sets it), and then fails rather than skips without PostgreSQL.
#[test]
fn real_postgresql() {
    if std::env::var_os("VIGIL_AGENT_PG_TESTS").is_none() {
        eprintln!("skipped: set VIGIL_AGENT_PG_TESTS=1 to run against a real PostgreSQL");
        return;
    }
    let bindir =
        postgres_bindir().expect("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    let python = python().expect("no python3");
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let dir = tempfile::tempdir().unwrap();
    let as_owner = |program: &Path| {
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    };
    if root {
        let out = Command::new("id")
            .args(["-u", "postgres"])
            .output()
            .unwrap();
        let uid: u32 = String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .expect("no postgres user");
        std::os::unix::fs::chown(dir.path(), Some(uid), None).unwrap();
    }
    let data = dir.path().join("data");
    let out = as_owner(&bindir.join("initdb"))
        .args(["-A", "trust", "-U", "vigil", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    // Dropped after `_stop` below: `runuser` exits once the server has.
    let _server = Running(
        as_owner(&bindir.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args([
                "-p",
                &port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-k",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Killing `runuser` would leave the server running: stop it by its
    // own means, before the directory goes.
    let _stop = OnDrop(Box::new({
        let mut stop = as_owner(&bindir.join("pg_ctl"));
        stop.args(["stop", "-m", "immediate", "-D"]).arg(&data);
        move || {
            let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
    }));
    wait_for(port);
    let client = client(Path::new(&python), port);

    let s = snapshot();
    let c = connection_to(process(&s, client.pid()), port);
    assert_eq!(c["kind"], "loopback");
    assert_eq!(c["data_asset"], "postgresql");
    let postmaster = s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["name"] == "postgres"
                && p["listening"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["port"] == port)
        })
        .expect("no postgres process listening");
    assert_eq!(listener(postmaster, port)["exposure"], "loopback");
    if root {
        assert_eq!(postmaster["user"], "postgres");
    }
    drop(client);
}

/// Without privileges, what another user's processes hide is said, with
/// the remedy. As root, the agent runs as `nobody` through `runuser`.
#[test]
fn unprivileged_run_says_what_it_cannot_see() {
    use std::os::unix::fs::MetadataExt;
    let me = Command::new("id").arg("-u").output().unwrap().stdout;
    let root = me == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_vigil")]);
        c
    } else {
        let init_owner = std::fs::metadata("/proc/1").map(|m| m.uid()).unwrap_or(0);
        let uid: u32 = String::from_utf8(me).unwrap().trim().parse().unwrap();
        if init_owner == uid {
            eprintln!("skipped: every process here is this user's");
            return;
        }
        Command::new(env!("CARGO_BIN_EXE_vigil"))
    };
    let out = cmd
        .args(["--no-config", "agent", "--once", "--format", "json"])
        .env_remove("VIGIL_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    if root && !out.status.success() && out.stdout.is_empty() {
        eprintln!(
            "skipped: cannot run as nobody: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hidden = s["unseen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["what"]
                .as_str()
                .unwrap()
                .starts_with("the open files, and so the sockets, of ")
        })
        .unwrap_or_else(|| panic!("{:#}", s["unseen"]));
    assert!(hidden["why"].as_str().unwrap().contains("CAP_SYS_PTRACE"));
    // The processes themselves are still there.
    assert!(s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["pid"] == 1));
}

/// A process that has loaded libssl: the snapshot names the Debian
/// package that owns it, at the version dpkg reports.
#[test]
fn loaded_libssl_is_mapped_to_its_debian_package() {
    let Some(python) = python() else {
        eprintln!("skipped: no python3");
        return;
    };
    let dpkg = Command::new("dpkg-query")
        .args(["-W", "-f", "${Package} ${Version}\n", "libssl3*"])
        .output();
    let installed: Vec<(String, String)> = match dpkg {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (p, v) = l.split_once(' ')?;
                (!v.is_empty()).then(|| (p.to_string(), v.to_string()))
            })
            .collect(),
        _ => Vec::new(),
    };
    if installed.is_empty() {
        assert!(
            std::env::var_os("VIGIL_AGENT_TESTS").is_none(),
            "VIGIL_AGENT_TESTS is set but dpkg knows no libssl3 package"
        );
        eprintln!("skipped: no Debian libssl3 package here");
        return;
    }
    let mut child = Command::new(&python)
        .args([
            "-c",
            "import ssl, time\nprint('ready', flush=True)\ntime.sleep(120)\n",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let running = Running(child);
    let s = snapshot();
    let p = process(&s, running.pid());
    let libssl = p["loaded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"].as_str().unwrap().contains("libssl.so"))
        .unwrap_or_else(|| panic!("no libssl in {}", p["loaded"]));
    let package = &libssl["package"];
    assert_eq!(package["ecosystem"], "Debian", "{libssl}");
    assert!(
        installed.iter().any(
            |(name, version)| package["name"] == name.split(':').next().unwrap()
                && package["version"] == version.as_str()
        ),
        "{libssl} vs {installed:?}"
    );
}

#[test]
fn the_table_names_the_image_each_container_runs() {
    // Process 104 of the agent's fixture tree runs in a Docker container
    // whose state (config.v2.json, repositories.json) is in the fixture
    // root.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigil-agent/tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let pid = dir.path().join("proc/104");
    std::fs::create_dir_all(&pid).unwrap();
    for f in ["stat", "status", "cgroup", "cmdline"] {
        std::fs::copy(fixtures.join("proc/104").join(f), pid.join(f)).unwrap();
    }
    let (code, out, err) = vigil(&[
        "agent",
        "--once",
        "--proc",
        dir.path().join("proc").to_str().unwrap(),
        "--host-root",
        fixtures.join("root").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "docker container aaaaaaaaaaaa image nginx:1.18@sha256:2222222222222222222222222222222222222222222222222222222222222222"
        ),
        "{out}"
    );
}
