//! One observation of a host: the document `vigil agent --once --format
//! json` prints and the server ingests (docs/agent.md).

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
