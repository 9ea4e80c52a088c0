//! `vigil agent --once` and `vigil scan host` on real namespaces this test
//! makes, without a container runtime:
//!
//! - a "container": a process started by `unshare` in new mount and pid
//!   namespaces whose root is the debootstrap Debian root filesystem the
//!   real-image tests build (tests/fixtures-build/build.sh, cached), made
//!   the namespace's root with `pivot_root` as runc does, and
//!   moved into a cgroup named as docker names its containers'
//!   (`system.slice/docker-<id>.scope` of the cgroup v2 hierarchy). The
//!   agent reads the container's OS and packages through `/proc/PID/root`,
//!   and `vigil scan host` matches them with the container's processes as
//!   their runtime context;
//! - a network namespace joined to the host's by a veth pair with a
//!   private (10.x) and a documentation address (203.0.113.0/24, TEST-NET-3,
//!   which the agent counts as public and which is routed nowhere): a
//!   server of the host's namespace bound to 0.0.0.0 is `internal` while
//!   only the private address talks to it, and `public` once a client
//!   connects from the public-looking one. Nothing leaves the machine.
//!
//! They need root, util-linux (`unshare`, `pivot_root`, `mount`), `ip`
//! and python3, and the fixture builder's tools, so they run when
//! `VIGIL_AGENT_TESTS=1` (and then fail, rather than skip, when something is
//! missing); otherwise they say on stderr that they were skipped.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

fn enabled(test: &str) -> bool {
    let on = std::env::var("VIGIL_AGENT_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!(
            "{test}: skipped (set VIGIL_AGENT_TESTS=1 to run; needs root, util-linux, ip, python3)"
        );
        return false;
    }
    let uid = Command::new("id").arg("-u").output().unwrap().stdout;
    assert_eq!(uid, b"0\n", "{test}: VIGIL_AGENT_TESTS=1 but not root");
    true
}

fn need(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(found, "`{tool}` is not installed (VIGIL_AGENT_TESTS=1)");
}

/// Runs a command that must succeed.
fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn vigil(cache: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .arg("--no-config")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vigil {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn snapshot() -> Value {
    let cache = tempfile::tempdir().unwrap();
    vigil(cache.path(), &["agent", "--once", "--format", "json"])
}

fn process(s: &Value, pid: u32) -> &Value {
    s["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid)
        .unwrap_or_else(|| panic!("no process {pid} in the snapshot"))
}

/// Something unique to this test run, for names of namespaces, links and
/// cgroups.
fn unique() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{:x}{:x}{:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos & 0xfff
    )
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------
// A container without a container runtime.

/// The debootstrap root filesystem of the real-image tests, built once
/// into their cache.
fn debian_rootfs() -> PathBuf {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures-build/build.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    assert!(out.status.success(), "{} failed", script.display());
    let vars: BTreeMap<String, PathBuf> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
        .collect();
    let rootfs = vars
        .get("VIGIL_FIXTURE_DEBIAN_ROOTFS")
        .expect("VIGIL_FIXTURE_DEBIAN_ROOTFS not printed by the builder")
        .clone();
    assert!(
        rootfs.join("var/lib/dpkg/status").is_file(),
        "{}",
        rootfs.display()
    );
    rootfs
}

/// Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup`, or
/// `/sys/fs/cgroup/unified` on a hybrid system).
fn cgroup2_mount() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    text.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let dash = fields.iter().position(|f| *f == "-")?;
        if fields.get(dash + 1) != Some(&"cgroup2") {
            return None;
        }
        fields.get(4).map(PathBuf::from)
    })
}

/// A process in new mount and pid namespaces, chrooted into a root
/// filesystem and moved into a docker-named cgroup; all undone on drop.
struct Container {
    unshare: Child,
    pid: u32,
    id: String,
    cgroup: PathBuf,
    made_slice: Option<PathBuf>,
}

impl Container {
    fn start(rootfs: &Path) -> Container {
        let mount = cgroup2_mount().expect(
            "no cgroup v2 hierarchy is mounted (/proc/self/mountinfo): the container's cgroup \
             cannot be made",
        );
        // 64 hex digits, as a container ID has.
        let id: String = {
            use std::io::Read;
            let mut bytes = [0u8; 32];
            std::fs::File::open("/dev/urandom")
                .unwrap()
                .read_exact(&mut bytes)
                .unwrap();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let slice = mount.join("system.slice");
        let made_slice = (!slice.exists()).then(|| slice.clone());
        let cgroup = slice.join(format!("docker-{id}.scope"));
        std::fs::create_dir_all(&cgroup).unwrap_or_else(|e| {
            panic!(
                "cannot make the cgroup {}: {e} (a read-only or delegated cgroup hierarchy?)",
                cgroup.display()
            )
        });
        // As runc does: the root filesystem becomes the root of the new
        // mount namespace (pivot_root, the old root detached), with a proc
        // of the new pid namespace; the process then sees, and the kernel
        // shows, paths inside it.
        let root = rootfs.to_str().unwrap().replace('\'', "'\\''");
        let script = format!(
            "mount --bind '{root}' '{root}' && cd '{root}' && pivot_root . mnt && \
             mount -t proc proc /proc && umount -l /mnt && exec /bin/sleep 600"
        );
        let unshare = Command::new("unshare")
            .args(["--mount", "--pid", "--fork", "sh", "-c", &script])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let mut container = Container {
            pid: 0,
            unshare,
            id,
            cgroup,
            made_slice,
        };
        // unshare forks the process that becomes pid 1 of the new pid
        // namespace and execs sh, then sleep.
        let parent = container.unshare.id();
        let children = format!("/proc/{parent}/task/{parent}/children");
        wait_until("the container's first process", || {
            let text = std::fs::read_to_string(&children).unwrap_or_default();
            let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse().ok()) else {
                return false;
            };
            container.pid = pid;
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|e| e == Path::new("/usr/bin/sleep"))
        });
        std::fs::write(
            container.cgroup.join("cgroup.procs"),
            container.pid.to_string(),
        )
        .unwrap_or_else(|e| {
            panic!(
                "moving {} into {}: {e}",
                container.pid,
                container.cgroup.display()
            )
        });
        container
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if self.pid != 0 {
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
        // The cgroup can go once its process is reaped.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::remove_dir(&self.cgroup).is_err()
            && self.cgroup.exists()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        if let Some(slice) = &self.made_slice {
            let _ = std::fs::remove_dir(slice);
        }
    }
}

/// The installed packages of a dpkg status file: name → version.
fn dpkg_installed(status: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name).map(str::trim).map(str::to_string))
        };
        if field("Status:").is_some_and(|s| s.ends_with(" installed")) {
            if let (Some(n), Some(v)) = (field("Package:"), field("Version:")) {
                out.insert(n, v);
            }
        }
    }
    out
}

#[test]
fn a_container_without_a_runtime() {
    if !enabled("a_container_without_a_runtime") {
        return;
    }
    for tool in ["unshare", "pivot_root", "mount", "runuser", "debootstrap"] {
        need(tool);
    }
    let rootfs = debian_rootfs();
    let installed =
        dpkg_installed(&std::fs::read_to_string(rootfs.join("var/lib/dpkg/status")).unwrap());
    let pretty = std::fs::read_to_string(rootfs.join("etc/os-release"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap();
    let container = Container::start(&rootfs);

    let s = snapshot();
    let p = process(&s, container.pid);
    assert_eq!(p["container"]["id"], container.id.as_str(), "{p:#}");
    assert_eq!(p["container"]["runtime"], "docker");
    let c = s["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == container.id.as_str())
        .unwrap_or_else(|| panic!("container {} not in {:#}", container.id, s["containers"]));
    assert_eq!(c["processes"], serde_json::json!([container.pid]));
    assert_eq!(c["os"], pretty.as_str());
    assert_eq!(c["release"], "12");
    assert_eq!(
        c["package_databases"],
        serde_json::json!(["/var/lib/dpkg/status"])
    );
    // Every package dpkg installed in the root, at its version: the
    // container's, not the host's.
    let packages: BTreeMap<String, String> = c["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["ecosystem"], "Debian", "{p}");
            assert!(
                p["purl"].as_str().unwrap().contains("distro=debian-12"),
                "{p}"
            );
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(packages, installed);
    assert!(c.get("unseen").is_none(), "{c:#}");

    // Its loaded code belongs to the root's packages.
    let loaded = p["loaded"].as_array().unwrap();
    let owner = |suffix: &str| {
        let l = loaded
            .iter()
            .find(|l| l["path"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("nothing loaded ends with {suffix}: {p:#}"));
        assert_eq!(l["release"], "12", "{l}");
        (
            l["package"]["name"].as_str().unwrap().to_string(),
            l["package"]["version"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        owner("/sleep"),
        ("coreutils".to_string(), installed["coreutils"].clone())
    );
    assert_eq!(
        owner("/libc.so.6"),
        ("libc6".to_string(), installed["libc6"].clone())
    );

    // An unprivileged agent cannot read the container's root: it says so.
    // The build directory may be private to root: `nobody` runs a copy.
    let shared = tempfile::tempdir().unwrap();
    let bin = shared.path().join("vigil");
    std::fs::copy(env!("CARGO_BIN_EXE_vigil"), &bin).unwrap();
    for dir in [shared.path(), bin.as_path()] {
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let out = Command::new("runuser")
        .args(["-u", "nobody", "--"])
        .arg(&bin)
        .args(["--no-config", "agent", "--once", "-f", "json"])
        .env("VIGIL_CACHE_DIR", "/nonexistent")
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unprivileged: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = unprivileged["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == container.id.as_str())
        .unwrap();
    assert!(c["packages"].as_array().unwrap().is_empty(), "{c:#}");
    let why = c["unseen"][0]["why"].as_str().unwrap();
    assert!(why.contains("permission denied"), "{c:#}");
    assert!(unprivileged["unseen"]
        .as_array()
        .unwrap()
        .contains(&c["unseen"][0]));

    // `vigil scan host`: the container's packages, with its process as
    // their runtime context (tar is installed, loaded by nothing).
    let cache = tempfile::tempdir().unwrap();
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv-os");
    let status = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .env("VIGIL_CACHE_DIR", cache.path())
        .args(["--no-config", "--offline", "db", "import"])
        .arg(&osv)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let report = vigil(cache.path(), &["--offline", "scan", "host", "-f", "json"]);
    let tar = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["id"] == "DEBIAN-CVE-2005-2541"
                && f["runtime"]["containers"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c == container.id.as_str()))
        })
        .unwrap_or_else(|| panic!("no tar finding of the container: {report:#}"));
    assert_eq!(tar["package"]["name"], "tar");
    assert_eq!(tar["package"]["version"], installed["tar"].as_str());
    assert_eq!(tar["runtime"]["installed_only"], true);
    assert!(tar["runtime"]["processes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["pid"] == container.pid && p["container"] == container.id.as_str()));
}

// ---------------------------------------------------------------------------
// Network namespaces: peers with private and public-looking addresses.

/// A network namespace joined to the host's by a veth pair, with a
/// private and a public-looking address on each side; removed on drop
/// (deleting the namespace deletes the pair).
struct Netns {
    name: String,
    host_link: String,
}

impl Netns {
    fn new(private: &str, public: &str) -> Netns {
        let u = unique();
        let name = format!("vigil-test-{u}");
        // Interface names: at most 15 bytes.
        let tail = &u[u.len().saturating_sub(8)..];
        let host_link = format!("vgh{tail}");
        let ns_link = format!("vgn{tail}");
        sh("ip", &["netns", "add", &name]);
        let ns = Netns { name, host_link };
        sh(
            "ip",
            &[
                "link",
                "add",
                &ns.host_link,
                "type",
                "veth",
                "peer",
                "name",
                &ns_link,
            ],
        );
        sh("ip", &["link", "set", &ns_link, "netns", &ns.name]);
        for (prefix, host_side) in [(private, 1), (public, 1)] {
            sh(
                "ip",
                &[
                    "addr",
                    "add",
                    &format!("{prefix}.{host_side}/24"),
                    "dev",
                    &ns.host_link,
                ],
            );
            sh(
                "ip",
                &[
                    "-n",
                    &ns.name,
                    "addr",
                    "add",
                    &format!("{prefix}.2/24"),
                    "dev",
                    &ns_link,
                ],
            );
        }
        sh("ip", &["link", "set", &ns.host_link, "up"]);
        sh("ip", &["-n", &ns.name, "link", "set", &ns_link, "up"]);
        sh("ip", &["-n", &ns.name, "link", "set", "lo", "up"]);
        ns
    }

    /// A Python client in the namespace holding a connection from
    /// `source` to `dest:port`.
    fn client(&self, python: &str, source: &str, dest: &str, port: u16) -> Killed {
        let code = format!(
            "import socket, time\n\
             s = socket.create_connection(('{dest}', {port}), timeout=10, source_address=('{source}', 0))\n\
             print('connected', flush=True)\n\
             time.sleep(120)\n"
        );
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.name, python, "-c", &code])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let child = Killed(child);
        assert_eq!(line.trim(), "connected", "client from {source}");
        child
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_link])
            .stderr(Stdio::null())
            .status();
    }
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 is not installed (VIGIL_AGENT_TESTS=1)");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn listener_exposure(s: &Value, pid: u32, port: u16) -> String {
    let p = process(s, pid);
    p["listening"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == port && l["protocol"] == "tcp")
        .unwrap_or_else(|| panic!("{pid} does not listen on {port}: {p:#}"))["exposure"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn exposure_from_peers_of_another_network_namespace() {
    if !enabled("exposure_from_peers_of_another_network_namespace") {
        return;
    }
    need("ip");
    let python = python();
    // A private /24 of its own for this run; the public-looking one is
    // TEST-NET-3.
    let octet = std::process::id() % 200 + 20;
    let private = format!("10.213.{octet}");
    let public = "203.0.113";
    let ns = Netns::new(&private, public);

    let port = std::net::TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Killed(
        Command::new(&python)
            .args(["-m", "http.server", &port.to_string(), "--bind", "0.0.0.0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("the server", || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let server_pid = server.0.id();

    // Only a private peer: internal.
    let private_client = ns.client(
        &python,
        &format!("{private}.2"),
        &format!("{private}.1"),
        port,
    );
    let s = snapshot();
    assert_eq!(listener_exposure(&s, server_pid, port), "internal");
    // The client, in its own network namespace, is seen with its socket.
    let c = &process(&s, private_client.0.id())["connections"][0];
    assert_eq!(c["remote_address"], format!("{private}.1"));
    assert_eq!(c["kind"], "private");
    assert_eq!(c["inbound"], false);

    // A peer from a public-looking address: public.
    let public_client = ns.client(
        &python,
        &format!("{public}.2"),
        &format!("{public}.1"),
        port,
    );
    let s = snapshot();
    assert_eq!(listener_exposure(&s, server_pid, port), "public");
    let inbound: Vec<&Value> = process(&s, server_pid)["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["inbound"] == true)
        .collect();
    assert!(
        inbound
            .iter()
            .any(|c| c["remote_address"] == format!("{public}.2") && c["kind"] == "public"),
        "{inbound:#?}"
    );
    let c = &process(&s, public_client.0.id())["connections"][0];
    assert_eq!(c["kind"], "public");
    drop(public_client);
    drop(private_client);
}
