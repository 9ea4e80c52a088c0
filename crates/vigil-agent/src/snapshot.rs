//! One observation of a host: the document `vigil agent --once --format
//! json` prints and the server ingests (docs/agent.md), and the deltas
//! between two of them the daemon sends (docs/server-protocol.md).

use serde::{Deserialize, Serialize};
use vigil_model::PackageRef;

/// A host and what runs on it, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The snapshot format's version.
    pub schema_version: u32,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The host.
    pub host: Host,
    /// Its processes, by pid.
    pub processes: Vec<Process>,
    /// The containers its processes run in, by ID: each one's
    /// distribution and OS packages, read once per container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<ContainerInfo>,
    /// What the agent could not see, and why (never silently less).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<Unseen>,
}

/// The host itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// A stable identifier derived from the machine id (not the machine
    /// id itself).
    pub id: String,
    /// Its host name.
    pub hostname: String,
    /// The distribution, from os-release (`Debian GNU/Linux 12 (bookworm)`).
    pub os: Option<String>,
    /// The kernel release (`6.1.0-18-amd64`).
    pub kernel: Option<String>,
}

/// One process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Process {
    /// Its pid (in the agent's pid namespace).
    pub pid: u32,
    /// Its parent's pid.
    pub ppid: Option<u32>,
    /// Its executable's path, when readable.
    pub exe: Option<String>,
    /// Whether its executable was deleted or replaced (an upgrade) since
    /// it started: it still runs the old code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exe_deleted: bool,
    /// Its command name (the kernel's `comm`, at most 15 bytes): what
    /// names it when its executable cannot be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its command line, secret-looking arguments redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmdline: Vec<String>,
    /// The user it runs as (name, or the uid when the name is unknown).
    pub user: Option<String>,
    /// When it started (RFC 3339, UTC).
    pub start_time: Option<String>,
    /// The container it runs in, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// The sockets it listens on.
    #[serde(default)]
    pub listening: Vec<Listener>,
    /// Its established connections.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// The code it has loaded: its executable, shared objects, JARs,
    /// Python extension modules.
    #[serde(default)]
    pub loaded: Vec<Loaded>,
}

/// A container a process runs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    /// Its ID (64 hex digits for docker, containerd, CRI-O, podman).
    pub id: String,
    /// The runtime (`docker`, `containerd`, `cri-o`, `podman`).
    pub runtime: String,
    /// The Kubernetes pod's UID, when it is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
}

/// A container some processes run in, and what its root filesystem holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// Its ID (as in [`Container::id`]).
    pub id: String,
    /// The runtime (as in [`Container::runtime`]).
    pub runtime: String,
    /// The Kubernetes pod's UID, when it is in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// The pids of its processes.
    pub processes: Vec<u32>,
    /// The image it runs, from its runtime's state on the host; absent
    /// when the runtime's state could not be found or read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ContainerImage>,
    /// Its distribution, from the os-release file of its root
    /// (`Debian GNU/Linux 12 (bookworm)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The distribution release as OSV writes it (`12`, `22.04:LTS`,
    /// `v3.20`): `<ecosystem>:<release>` names the advisories of its OS
    /// packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The package databases read, as paths inside its root
    /// (`/var/lib/dpkg/status`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub package_databases: Vec<String>,
    /// Its OS packages (dpkg, apk, rpm), by ecosystem, name and version.
    #[serde(default)]
    pub packages: Vec<PackageRef>,
    /// What could not be seen of it (its root, a package database), and
    /// why; also in the snapshot's `unseen`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<Unseen>,
}

/// The image a container runs, as its runtime recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerImage {
    /// The reference as the container was created with it
    /// (`nginx:1.25`, `docker.io/library/nginx:1.25`,
    /// `ghcr.io/org/app@sha256:…`), or the image ID when it was created
    /// from one.
    pub reference: String,
    /// The image manifest's digest (`sha256:…`), when the runtime knows it
    /// (pinned in the reference, or the repository digest it pulled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The image ID: the digest of the image's configuration
    /// (`sha256:…`), when the runtime records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP over IPv4 or IPv6.
    Tcp,
    /// UDP over IPv4 or IPv6.
    Udp,
}

/// How far a listening socket reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// Bound to loopback only.
    Loopback,
    /// Bound beyond loopback, with no sign of public peers.
    Internal,
    /// Bound to a public address, or bound beyond loopback with peers from
    /// public addresses seen.
    Public,
}

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The bound address (`0.0.0.0`, `::`, `127.0.0.1`, ...).
    pub address: String,
    /// The port.
    pub port: u16,
    /// How far it reaches.
    pub exposure: Exposure,
}

/// What kind of peer a connection has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    /// A loopback address.
    Loopback,
    /// A private, link-local or unique-local address.
    Private,
    /// Any other address.
    Public,
}

/// An established connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The local port.
    pub local_port: u16,
    /// The peer's address.
    pub remote_address: String,
    /// The peer's port.
    pub remote_port: u16,
    /// Whether the peer is loopback, private or public.
    pub kind: ConnectionKind,
    /// Whether this process accepted it (the local port is one it listens
    /// on) rather than opened it.
    pub inbound: bool,
    /// The data store it reaches (`postgresql`, `mysql`, `redis`, ...),
    /// when the peer is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_asset: Option<String>,
}

/// A file of code a process has loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// Its path (as the process sees it; inside its container's root for
    /// a containerized process).
    pub path: String,
    /// What kind of code it is.
    #[serde(default)]
    pub kind: LoadedKind,
    /// Whether the file was deleted (or replaced) after the process loaded
    /// it: the process still runs the old code, which the package on disk
    /// may no longer describe.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The package that owns it, when known: the OS package whose file
    /// list names it, else the language package it is (a JAR's Maven
    /// coordinates, a Python distribution, a Go executable's main module).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// For an OS package: the distribution release as OSV writes it (`12`,
    /// `22.04:LTS`, `v3.20`), so `<ecosystem>:<release>` names the
    /// advisories that apply. Also in the purl's `distro` qualifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The packages built into the file besides its own: a Go executable's
    /// modules, a Rust executable's crates (cargo auditable), the Maven
    /// artifacts inside a JAR, the JAR's own coordinates when an OS package
    /// owns it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<PackageRef>,
}

/// What kind of code a loaded file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadedKind {
    /// The process's executable.
    Executable,
    /// A shared object mapped into it.
    #[default]
    SharedObject,
    /// A Python extension module (a shared object under `site-packages`,
    /// `dist-packages` or `lib-dynload`).
    PythonExtension,
    /// A Java archive held open or on the JVM class path.
    Jar,
}

/// Something the agent could not see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unseen {
    /// What (`/proc/1234/maps`, `the sockets of 12 processes`).
    pub what: String,
    /// Why (`permission denied: run as root or with CAP_SYS_PTRACE`).
    pub why: String,
}

/// The `kind` of a [`Delta`] document: always `"delta"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeltaKind {
    /// A delta against an earlier document.
    #[default]
    Delta,
}

/// What changed on a host since an earlier document the server already
/// stored (its `base`): the processes that are new or changed, the pids
/// gone, and the host and what could not be seen, in full. A delta with
/// nothing upserted or removed is a heartbeat. [`apply`] turns the base
/// snapshot into the new one (docs/server-protocol.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// The snapshot format's version.
    pub schema_version: u32,
    /// Always `delta` (a full snapshot has no `kind`).
    pub kind: DeltaKind,
    /// The host's [`Host::id`].
    pub host_id: String,
    /// The upload id of the previous document sent for this host, the one
    /// this delta applies to.
    pub base: String,
    /// When the new snapshot was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The host, in full.
    pub host: Host,
    /// The processes that are new or changed since the base, in full
    /// (a pid whose start time changed is a new process).
    #[serde(default)]
    pub upserted: Vec<Process>,
    /// The pids of the base's processes that are gone.
    #[serde(default)]
    pub removed: Vec<u32>,
    /// What could not be seen in the new snapshot, in full.
    #[serde(default)]
    pub unseen: Vec<Unseen>,
    /// The containers, in full, when they changed since the base; absent
    /// when they did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<ContainerInfo>>,
}

impl Delta {
    /// Whether nothing changed but the time: the host is alive.
    pub fn is_heartbeat(&self) -> bool {
        self.upserted.is_empty() && self.removed.is_empty() && self.containers.is_none()
    }
}

/// A document of `POST /api/v1/agents/snapshots`: a full snapshot, or a
/// delta (told apart by the delta's `kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Document {
    /// A delta against an earlier document.
    Delta(Delta),
    /// A full snapshot.
    Full(Snapshot),
}

/// The delta from `old` to `new`, with an empty `base` for the caller to
/// fill in. Processes are compared by pid: one missing from `new` is
/// removed, one missing from `old` or different in any field (a new
/// start time included) is upserted in full.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Delta {
    let before: std::collections::HashMap<u32, &Process> =
        old.processes.iter().map(|p| (p.pid, p)).collect();
    let after: std::collections::HashSet<u32> = new.processes.iter().map(|p| p.pid).collect();
    let upserted = new
        .processes
        .iter()
        .filter(|p| before.get(&p.pid).is_none_or(|o| *o != *p))
        .cloned()
        .collect();
    let removed = old
        .processes
        .iter()
        .map(|p| p.pid)
        .filter(|pid| !after.contains(pid))
        .collect();
    Delta {
        schema_version: new.schema_version,
        kind: DeltaKind::Delta,
        host_id: new.host.id.clone(),
        base: String::new(),
        taken_at: new.taken_at.clone(),
        host: new.host.clone(),
        upserted,
        removed,
        unseen: new.unseen.clone(),
        containers: (old.containers != new.containers).then(|| new.containers.clone()),
    }
}

/// Applies a delta to the snapshot it was taken against: removes the
/// `removed` pids, replaces or adds the `upserted` processes, takes the
/// delta's time, host and unseen list. Processes stay sorted by pid, as
/// the agent writes them, so `apply(old, diff(old, new))` gives `new`.
pub fn apply(base: &mut Snapshot, d: &Delta) {
    let removed: std::collections::HashSet<u32> = d.removed.iter().copied().collect();
    let upserted: std::collections::HashSet<u32> = d.upserted.iter().map(|p| p.pid).collect();
    base.processes
        .retain(|p| !removed.contains(&p.pid) && !upserted.contains(&p.pid));
    base.processes.extend(d.upserted.iter().cloned());
    base.processes.sort_by_key(|p| p.pid);
    base.schema_version = d.schema_version;
    base.taken_at = d.taken_at.clone();
    base.host = d.host.clone();
    base.unseen = d.unseen.clone();
    if let Some(c) = &d.containers {
        base.containers.clone_from(c);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn process(pid: u32, start: &str) -> Process {
        Process {
            pid,
            ppid: Some(1),
            exe: Some(format!("/usr/bin/p{pid}")),
            exe_deleted: false,
            name: Some(format!("p{pid}")),
            cmdline: vec![format!("p{pid}"), "--serve".to_string()],
            user: Some("root".to_string()),
            start_time: Some(start.to_string()),
            container: None,
            listening: vec![Listener {
                protocol: Protocol::Tcp,
                address: "0.0.0.0".to_string(),
                port: 8000 + u16::try_from(pid).unwrap(),
                exposure: Exposure::Internal,
            }],
            connections: Vec::new(),
            loaded: vec![Loaded {
                path: "/usr/lib/libc.so.6".to_string(),
                kind: LoadedKind::SharedObject,
                deleted: false,
                package: None,
                release: None,
                components: Vec::new(),
            }],
        }
    }

    fn snapshot(at: &str, processes: Vec<Process>) -> Snapshot {
        Snapshot {
            schema_version: 1,
            taken_at: at.to_string(),
            host: Host {
                id: "0123456789abcdef0123456789abcdef".to_string(),
                hostname: "web-1".to_string(),
                os: Some("Debian GNU/Linux 12 (bookworm)".to_string()),
                kernel: Some("6.1.0-18-amd64".to_string()),
            },
            processes,
            containers: Vec::new(),
            unseen: Vec::new(),
        }
    }

    #[test]
    fn diff_names_new_changed_restarted_and_gone_processes() {
        let old = snapshot(
            "2026-01-01T00:00:00Z",
            vec![
                process(1, "2026-01-01T00:00:00Z"),
                process(2, "2026-01-01T00:00:00Z"),
                process(3, "2026-01-01T00:00:00Z"),
                process(4, "2026-01-01T00:00:00Z"),
            ],
        );
        let mut changed = process(2, "2026-01-01T00:00:00Z");
        changed.connections.push(Connection {
            protocol: Protocol::Tcp,
            local_port: 40000,
            remote_address: "10.0.0.5".to_string(),
            remote_port: 5432,
            kind: ConnectionKind::Private,
            inbound: false,
            data_asset: Some("postgresql".to_string()),
        });
        let restarted = process(3, "2026-01-01T00:00:30Z");
        let mut new = snapshot(
            "2026-01-01T00:01:00Z",
            vec![
                process(1, "2026-01-01T00:00:00Z"),
                changed.clone(),
                restarted.clone(),
                process(5, "2026-01-01T00:00:40Z"),
            ],
        );
        new.unseen.push(Unseen {
            what: "/proc/5/maps".to_string(),
            why: "permission denied".to_string(),
        });
        let d = diff(&old, &new);
        assert_eq!(d.host_id, "0123456789abcdef0123456789abcdef");
        assert_eq!(d.taken_at, "2026-01-01T00:01:00Z");
        let upserted: Vec<u32> = d.upserted.iter().map(|p| p.pid).collect();
        assert_eq!(upserted, [2, 3, 5]);
        assert_eq!(d.upserted[0], changed);
        assert_eq!(d.upserted[1], restarted);
        assert_eq!(d.removed, [4]);
        assert!(!d.is_heartbeat());

        let mut applied = old.clone();
        apply(&mut applied, &d);
        assert_eq!(applied, new);
        assert!(d.containers.is_none(), "containers unchanged: not sent");

        // A container appears: the delta carries the containers in full.
        let mut with_container = new.clone();
        with_container.containers.push(ContainerInfo {
            id: "9d2b7e4f1a3c".repeat(6)[..64].to_string(),
            runtime: "containerd".to_string(),
            pod: None,
            processes: vec![5],
            image: None,
            os: Some("Debian GNU/Linux 12 (bookworm)".to_string()),
            release: Some("12".to_string()),
            package_databases: vec!["/var/lib/dpkg/status".to_string()],
            packages: Vec::new(),
            unseen: Vec::new(),
        });
        let d = diff(&new, &with_container);
        assert!(!d.is_heartbeat());
        let mut applied = new.clone();
        apply(&mut applied, &d);
        assert_eq!(applied, with_container);
    }

    #[test]
    fn nothing_changed_is_a_heartbeat() {
        let old = snapshot(
            "2026-01-01T00:00:00Z",
            vec![process(1, "x"), process(7, "y")],
        );
        let mut new = old.clone();
        new.taken_at = "2026-01-01T00:01:00Z".to_string();
        let d = diff(&old, &new);
        assert!(d.is_heartbeat());
        let mut applied = old;
        apply(&mut applied, &d);
        assert_eq!(applied, new);
    }

    #[test]
    fn documents_round_trip_through_json() {
        let old = snapshot(
            "2026-01-01T00:00:00Z",
            vec![process(1, "x"), process(2, "y")],
        );
        let new = snapshot(
            "2026-01-01T00:01:00Z",
            vec![process(2, "z"), process(3, "y")],
        );
        let mut d = diff(&old, &new);
        d.base = "00112233445566778899aabbccddeeff".to_string();
        let text = serde_json::to_string(&d).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["kind"], "delta");
        assert_eq!(value["removed"], serde_json::json!([1]));
        assert_eq!(value["base"], "00112233445566778899aabbccddeeff");
        assert_eq!(serde_json::from_str::<Delta>(&text).unwrap(), d);
        assert_eq!(
            serde_json::from_str::<Document>(&text).unwrap(),
            Document::Delta(d)
        );
        let full = serde_json::to_string(&new).unwrap();
        assert_eq!(serde_json::from_str::<Snapshot>(&full).unwrap(), new);
        assert_eq!(
            serde_json::from_str::<Document>(&full).unwrap(),
            Document::Full(new)
        );
    }

    #[test]
    fn apply_to_an_empty_snapshot_gives_the_upserted_processes() {
        let empty = snapshot("2026-01-01T00:00:00Z", Vec::new());
        let new = snapshot(
            "2026-01-01T00:01:00Z",
            vec![process(9, "a"), process(3, "b")],
        );
        let mut sorted = new.clone();
        sorted.processes.sort_by_key(|p| p.pid);
        let mut applied = empty.clone();
        apply(&mut applied, &diff(&empty, &new));
        assert_eq!(applied, sorted);
    }
}
