//! One snapshot: every process of `/proc`, its container, its sockets
//! (mapped through socket inodes, per network namespace) and what they
//! reach; what could not be seen is counted and said.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::containers::parse_cgroup;
use crate::host::read_host;
use crate::net::{
    canonical, classify, data_asset_of_port, data_asset_of_process, parse_table, SocketEntry,
};
use crate::procs::{
    namespace_inode, parse_btime, parse_cmdline, parse_passwd, parse_stat, parse_status, read_exe,
    redact, rfc3339, socket_inodes, Exe, Stat, Status, CLOCK_TICKS,
};
use crate::snapshot::{
    Connection, ConnectionKind, Container, ContainerInfo, Exposure, Listener, Process, Protocol,
    Snapshot, Unseen,
};

/// The snapshot format's version.
pub const SCHEMA_VERSION: u32 = 1;

/// Where to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The proc filesystem (`/proc`).
    pub proc: PathBuf,
    /// The host's root filesystem (`/`): `/etc/passwd`, `/etc/machine-id`,
    /// `/etc/os-release`.
    pub root: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            proc: PathBuf::from("/proc"),
            root: PathBuf::from("/"),
        }
    }
}

/// The proc filesystem could not be listed at all.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct CollectError {
    /// The directory.
    pub path: PathBuf,
    /// Why.
    pub source: io::Error,
}

/// What was read of one process.
#[derive(Debug)]
struct Raw {
    pid: u32,
    stat: Stat,
    status: Status,
    exe: Option<Exe>,
    cmdline: Vec<String>,
    container: Option<Container>,
    sockets: Vec<u64>,
    netns: Option<u64>,
}

/// What could not be seen, counted by kind and reason.
#[derive(Debug, Default)]
struct Gaps {
    /// (what, in the plural with `{n}`, why) → count.
    counts: BTreeMap<(&'static str, String), usize>,
    /// Said once each.
    once: Vec<Unseen>,
    /// Some process's open files could not be read.
    fds_hidden: bool,
}

/// Why a read failed, in words with the remedy.
fn why(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied (processes of other users, or not \
             dumpable); run as root, or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH"
            .to_string(),
        _ => e.to_string(),
    }
}

impl Gaps {
    fn count(&mut self, what: &'static str, e: &io::Error) {
        *self.counts.entry((what, why(e))).or_default() += 1;
    }

    fn into_unseen(self) -> Vec<Unseen> {
        let mut out = self.once;
        for ((what, why), n) in self.counts {
            let plural = if n == 1 { "process" } else { "processes" };
            out.push(Unseen {
                what: what
                    .replace("{n}", &n.to_string())
                    .replace("{processes}", plural),
                why,
            });
        }
        out
    }
}

/// Takes one snapshot of the host.
pub fn collect(opts: &Options) -> Result<Snapshot, CollectError> {
    let taken = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (host, host_unseen) = read_host(&opts.proc, &opts.root);
    let mut gaps = Gaps {
        once: host_unseen,
        ..Gaps::default()
    };
    let raws = read_processes(&opts.proc, &mut gaps)?;
    let users = match std::fs::read_to_string(opts.root.join("etc/passwd")) {
        Ok(t) => parse_passwd(&t),
        Err(e) => {
            gaps.once.push(Unseen {
                what: "user names".to_string(),
                why: format!(
                    "{}: {e}; users are given by uid",
                    opts.root.join("etc/passwd").display()
                ),
            });
            HashMap::new()
        }
    };
    let btime = std::fs::read_to_string(opts.proc.join("stat"))
        .ok()
        .and_then(|t| parse_btime(&t));
    if btime.is_none() {
        gaps.once.push(Unseen {
            what: "process start times".to_string(),
            why: format!("{}: no boot time (btime)", opts.proc.join("stat").display()),
        });
    }

    let net = Network::read(&opts.proc, &raws, &mut gaps);
    let servers: HashMap<u32, &'static str> = raws
        .iter()
        .filter_map(|r| {
            data_asset_of_process(
                r.exe.as_ref().map(|e| e.path.as_str()),
                &r.stat.comm,
                &r.cmdline,
            )
            .map(|a| (r.pid, a))
        })
        .collect();

    let (mut loaded, containers) = loaded_code(opts, &raws, &mut gaps);
    let mut processes = Vec::with_capacity(raws.len());
    for (i, r) in raws.iter().enumerate() {
        let (listening, connections) = net.of_process(r, &servers);
        let loaded = loaded.get_mut(i).map(std::mem::take).unwrap_or_default();
        let uid = r.status.uid;
        processes.push(Process {
            pid: r.pid,
            ppid: r.status.ppid.or(Some(r.stat.ppid)).filter(|p| *p != 0),
            exe: r.exe.as_ref().map(|e| e.path.clone()),
            exe_deleted: r.exe.as_ref().is_some_and(|e| e.deleted),
            name: Some(r.stat.comm.clone()).filter(|c| !c.is_empty()),
            cmdline: redact(&r.cmdline),
            user: uid.map(|u| users.get(&u).cloned().unwrap_or_else(|| u.to_string())),
            start_time: btime.map(|b| rfc3339(b + r.stat.starttime / CLOCK_TICKS)),
            container: r.container.clone(),
            listening,
            connections,
            loaded,
        });
    }
    net.unowned_listeners(&mut gaps);
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        taken_at: rfc3339(taken),
        host,
        processes,
        containers,
        unseen: gaps.into_unseen(),
    })
}

/// Package databases of a container larger than this are not read.
pub const CONTAINER_MAX_DATABASE: u64 = 64 * 1024 * 1024;

/// A root filesystem processes run in: the host's, or a container's seen
/// as `/proc/PID/root` (known by its directory's device and inode, so the
/// processes of one container share it).
struct Root {
    /// Where it is read: the host root, or `/proc/PID/root` of its first
    /// process.
    path: PathBuf,
    /// Whether it is a container's.
    container: bool,
    /// The paths its processes have loaded.
    wanted: HashSet<String>,
}

/// The code every process has loaded, each file with the package that
/// owns it, from an index of its root filesystem (its container's
/// `/proc/PID/root`, or the host's root) built once per root for the
/// files loaded from it; and every container with its distribution and
/// OS packages, from the same index.
fn loaded_code(
    opts: &Options,
    raws: &[Raw],
    gaps: &mut Gaps,
) -> (Vec<Vec<crate::Loaded>>, Vec<ContainerInfo>) {
    use std::os::unix::fs::MetadataExt;
    let mut roots: BTreeMap<(u64, u64), Root> = BTreeMap::new();
    let mut root_of: Vec<Option<(u64, u64)>> = Vec::with_capacity(raws.len());
    let mut files: Vec<Vec<crate::loaded::LoadedFile>> = Vec::with_capacity(raws.len());
    // Why a container's root could not be read (by a process of it).
    let mut root_problems: HashMap<&str, (u32, String)> = HashMap::new();
    let mut host_root_problem = None;
    for r in raws {
        let found = match crate::loaded::files(&opts.proc, r.pid) {
            Ok((found, unseen)) => {
                for u in unseen {
                    if !gaps.once.contains(&u) {
                        gaps.once.push(u);
                    }
                }
                found
            }
            // Gone since the listing.
            Err(e) if e.source.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                gaps.count("the code loaded by {n} {processes}", &e.source);
                Vec::new()
            }
        };
        let path = match &r.container {
            Some(_) => opts.proc.join(r.pid.to_string()).join("root"),
            None => opts.root.clone(),
        };
        let key = match std::fs::metadata(&path) {
            Ok(m) => Some((m.dev(), m.ino())),
            Err(e) => {
                match &r.container {
                    Some(c) if e.kind() != io::ErrorKind::NotFound => {
                        root_problems
                            .entry(c.id.as_str())
                            .or_insert_with(|| (r.pid, why(&e)));
                    }
                    Some(_) => {}
                    None => {
                        host_root_problem.get_or_insert_with(|| Unseen {
                            what: format!("the packages of {}", path.display()),
                            why: e.to_string(),
                        });
                    }
                }
                None
            }
        };
        if let Some(key) = key {
            let root = roots.entry(key).or_insert_with(|| Root {
                path,
                container: r.container.is_some(),
                wanted: HashSet::new(),
            });
            root.wanted.extend(found.iter().map(|f| f.path.clone()));
        }
        root_of.push(key);
        files.push(found);
    }
    gaps.once.extend(host_root_problem);

    let mut indexes: HashMap<(u64, u64), (std::sync::Arc<crate::owners::OwnerIndex>, Vec<Unseen>)> =
        HashMap::new();
    for (key, root) in roots {
        let limit = if root.container {
            CONTAINER_MAX_DATABASE
        } else {
            crate::owners::MAX_DATABASE
        };
        let (index, unseen) =
            crate::owners::OwnerIndex::build_for(&root.path, Some(&root.wanted), limit);
        gaps.once.extend(unseen.iter().cloned());
        indexes.insert(key, (std::sync::Arc::new(index), unseen));
    }

    let loaded = files
        .iter()
        .zip(&root_of)
        .map(|(found, key)| match key.and_then(|k| indexes.get(&k)) {
            Some((index, _)) => found.iter().map(|f| index.describe(f)).collect(),
            None => found
                .iter()
                .map(|f| crate::Loaded {
                    path: f.path.clone(),
                    kind: f.kind,
                    deleted: f.deleted,
                    package: None,
                    release: None,
                    components: Vec::new(),
                })
                .collect(),
        })
        .collect();

    // Each container once: the root of its first process that could be
    // read.
    let mut containers: BTreeMap<&str, ContainerInfo> = BTreeMap::new();
    let mut container_root: HashMap<&str, (u64, u64)> = HashMap::new();
    for (r, key) in raws.iter().zip(&root_of) {
        let Some(c) = &r.container else {
            continue;
        };
        containers
            .entry(c.id.as_str())
            .or_insert_with(|| ContainerInfo {
                id: c.id.clone(),
                runtime: c.runtime.clone(),
                pod: c.pod.clone(),
                processes: Vec::new(),
                image: None,
                os: None,
                release: None,
                package_databases: Vec::new(),
                packages: Vec::new(),
                unseen: Vec::new(),
            })
            .processes
            .push(r.pid);
        if let Some(key) = key {
            container_root.entry(c.id.as_str()).or_insert(*key);
        }
    }
    for (id, info) in &mut containers {
        let short = id.get(..12).unwrap_or(id);
        match container_root.get(id).and_then(|k| indexes.get(k)) {
            Some((index, unseen)) => {
                info.os = index.os().map(|o| o.pretty_name.clone());
                info.release = index.release().map(str::to_string);
                info.package_databases = index.databases().to_vec();
                info.packages = index.packages().to_vec();
                info.unseen.clone_from(unseen);
            }
            None => {
                let (pid, why) = root_problems.get(id).cloned().unwrap_or_else(|| {
                    (
                        info.processes.first().copied().unwrap_or_default(),
                        "its processes ended while the snapshot was taken".to_string(),
                    )
                });
                let u = Unseen {
                    what: format!(
                        "the OS and packages of container {short} ({}), and the packages of \
                         its processes' loaded code",
                        info.runtime
                    ),
                    why: format!(
                        "{}: {why}",
                        opts.proc.join(pid.to_string()).join("root").display()
                    ),
                };
                gaps.once.push(u.clone());
                info.unseen.push(u);
            }
        }
    }
    // The image each runs, from its runtime's state on the host's disk.
    let mut images = crate::images::ImageFinder::new(&opts.root);
    for info in containers.values_mut() {
        info.image = images.find(&info.runtime, &info.id);
    }
    gaps.once.extend(images.problems().iter().cloned());
    (loaded, containers.into_values().collect())
}

/// Reads every process of `proc` (kernel threads and processes gone
/// meanwhile left out), by pid.
fn read_processes(proc: &Path, gaps: &mut Gaps) -> Result<Vec<Raw>, CollectError> {
    let entries = std::fs::read_dir(proc).map_err(|source| CollectError {
        path: proc.to_path_buf(),
        source,
    })?;
    let mut pids: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    let mut out = Vec::with_capacity(pids.len());
    for pid in pids {
        if let Some(raw) = read_process(proc, pid, gaps) {
            out.push(raw);
        }
    }
    Ok(out)
}

fn read_process(proc: &Path, pid: u32, gaps: &mut Gaps) -> Option<Raw> {
    let dir = proc.join(pid.to_string());
    let stat = match std::fs::read_to_string(dir.join("stat")) {
        Ok(t) => match parse_stat(&t) {
            Ok(s) => s,
            Err(problem) => {
                tracing::warn!(file = %dir.join("stat").display(), %problem, "unreadable stat");
                *gaps
                    .counts
                    .entry((
                        "{n} {processes} whose stat file could not be parsed",
                        problem,
                    ))
                    .or_default() += 1;
                return None;
            }
        },
        // Gone since the listing.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => {
            gaps.count("{n} {processes} (their stat file)", &e);
            return None;
        }
    };
    if stat.is_kernel_thread() {
        return None;
    }
    let status = std::fs::read_to_string(dir.join("status"))
        .map(|t| parse_status(&t))
        .unwrap_or_else(|e| {
            if e.kind() != io::ErrorKind::NotFound {
                gaps.count("the user of {n} {processes}", &e);
            }
            Status::default()
        });
    let cmdline = match std::fs::read(dir.join("cmdline")) {
        Ok(b) => parse_cmdline(&b),
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                gaps.count("the command line of {n} {processes}", &e);
            }
            Vec::new()
        }
    };
    let exe = match read_exe(&dir) {
        Ok(e) => Some(e),
        Err(e) => {
            // A zombie has no executable any more: nothing hidden.
            if e.kind() != io::ErrorKind::NotFound {
                gaps.count("the executable of {n} {processes}", &e);
            }
            None
        }
    };
    let container = match std::fs::read_to_string(dir.join("cgroup")) {
        Ok(t) => parse_cgroup(&t),
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                gaps.count("the container of {n} {processes}", &e);
            }
            None
        }
    };
    let sockets = match socket_inodes(&dir) {
        Ok(s) => s,
        Err(e) => {
            if e.kind() != io::ErrorKind::NotFound {
                gaps.fds_hidden = true;
                gaps.count("the open files, and so the sockets, of {n} {processes}", &e);
            }
            Vec::new()
        }
    };
    let netns = if sockets.is_empty() {
        None
    } else {
        std::fs::read_link(dir.join("ns/net"))
            .ok()
            .and_then(|t| namespace_inode(&t.to_string_lossy()))
    };
    Some(Raw {
        pid,
        stat,
        status,
        exe,
        cmdline,
        container,
        sockets,
        netns,
    })
}

/// The sockets of one network namespace, indexed.
#[derive(Debug, Default)]
struct Namespace {
    entries: Vec<SocketEntry>,
    /// The addresses its sockets are bound to (canonical).
    local_addrs: HashSet<IpAddr>,
    /// (protocol, port) → indexes of the listeners on it.
    listeners_by_port: HashMap<(Protocol, u16), Vec<usize>>,
    /// (protocol, local port) → local addresses of established sockets
    /// whose peer is public.
    public_peers: HashMap<(Protocol, u16), Vec<IpAddr>>,
}

impl Namespace {
    fn new(entries: Vec<SocketEntry>) -> Namespace {
        let mut space = Namespace {
            entries,
            ..Namespace::default()
        };
        for (i, e) in space.entries.iter().enumerate() {
            let ip = canonical(e.local.ip());
            if !ip.is_unspecified() {
                space.local_addrs.insert(ip);
            }
            if e.is_listening() {
                space
                    .listeners_by_port
                    .entry((e.protocol, e.local.port()))
                    .or_default()
                    .push(i);
            } else if e.is_established() && classify(e.remote.ip()) == ConnectionKind::Public {
                space
                    .public_peers
                    .entry((e.protocol, e.local.port()))
                    .or_default()
                    .push(e.local.ip());
            }
        }
        space
    }

    fn listeners(&self) -> impl Iterator<Item = &SocketEntry> {
        self.entries.iter().filter(|e| e.is_listening())
    }

    /// The listener that accepted (or would accept) a socket bound to
    /// `local` with `protocol`.
    fn listener_for(&self, protocol: Protocol, local: SocketAddr) -> Option<&SocketEntry> {
        self.listeners_by_port
            .get(&(protocol, local.port()))?
            .iter()
            .filter_map(|i| self.entries.get(*i))
            .find(|l| bound_to(l.local.ip(), local.ip()))
    }
}

/// Whether a socket bound to `bound` receives traffic for `addr`.
fn bound_to(bound: IpAddr, addr: IpAddr) -> bool {
    if bound.is_unspecified() {
        // `::` takes IPv4 too (unless IPV6_V6ONLY, which the tables do
        // not show); `0.0.0.0` takes IPv4 only.
        return bound.is_ipv6() || canonical(addr).is_ipv4();
    }
    canonical(bound) == canonical(addr)
}

/// Every socket table read, by network namespace, and who holds what.
#[derive(Debug, Default)]
struct Network {
    namespaces: BTreeMap<u64, Namespace>,
    /// Socket inode → (namespace, index into its entries).
    by_inode: HashMap<u64, (u64, usize)>,
    /// Socket inode → pids holding it.
    holders: HashMap<u64, Vec<u32>>,
}

const TABLES: [(&str, Protocol); 4] = [
    ("tcp", Protocol::Tcp),
    ("tcp6", Protocol::Tcp),
    ("udp", Protocol::Udp),
    ("udp6", Protocol::Udp),
];

impl Network {
    /// Reads the agent's namespace's tables (`proc/net`) and those of
    /// every other namespace a process with sockets is in (through its
    /// `proc/PID/net`, once per namespace).
    fn read(proc: &Path, raws: &[Raw], gaps: &mut Gaps) -> Network {
        let own = std::fs::read_link(proc.join("self/ns/net"))
            .ok()
            .and_then(|t| namespace_inode(&t.to_string_lossy()))
            .unwrap_or(0);
        let mut net = Network::default();
        net.read_namespace(own, &proc.join("net"), gaps);
        for r in raws {
            for inode in &r.sockets {
                net.holders.entry(*inode).or_default().push(r.pid);
            }
            if let Some(ns) = r.netns {
                if !net.namespaces.contains_key(&ns) {
                    net.read_namespace(ns, &proc.join(r.pid.to_string()).join("net"), gaps);
                }
            }
        }
        net
    }

    fn read_namespace(&mut self, ns: u64, dir: &Path, gaps: &mut Gaps) {
        let mut entries = Vec::new();
        let mut bad_rows = Vec::new();
        for (name, protocol) in TABLES {
            let path = dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                // No IPv6 in this kernel: nothing hidden.
                Err(e) if e.kind() == io::ErrorKind::NotFound && name.ends_with('6') => continue,
                Err(e) => {
                    gaps.once.push(Unseen {
                        what: format!("the sockets of {}", path.display()),
                        why: why(&e),
                    });
                    continue;
                }
            };
            let (rows, bad) = parse_table(&text, protocol);
            for b in bad {
                tracing::warn!(file = %path.display(), line = b.line, problem = %b.problem, "unreadable socket row");
                bad_rows.push(format!("{}:{}: {}", path.display(), b.line, b.problem));
            }
            entries.extend(rows);
        }
        if !bad_rows.is_empty() {
            gaps.once.push(Unseen {
                what: format!("{} rows of the socket tables", bad_rows.len()),
                why: format!("they could not be parsed: {}", bad_rows.join("; ")),
            });
        }
        let space = Namespace::new(entries);
        for (i, e) in space.entries.iter().enumerate() {
            if e.inode != 0 {
                self.by_inode.insert(e.inode, (ns, i));
            }
        }
        self.namespaces.insert(ns, space);
    }

    fn entry(&self, inode: u64) -> Option<(u64, &Namespace, &SocketEntry)> {
        let (ns, i) = self.by_inode.get(&inode)?;
        let space = self.namespaces.get(ns)?;
        Some((*ns, space, space.entries.get(*i)?))
    }

    /// A process's listeners and established connections.
    fn of_process(
        &self,
        r: &Raw,
        servers: &HashMap<u32, &'static str>,
    ) -> (Vec<Listener>, Vec<Connection>) {
        let mut listening = BTreeSet::new();
        let mut connections = Vec::new();
        for inode in &r.sockets {
            let Some((ns, space, e)) = self.entry(*inode) else {
                continue;
            };
            if e.is_listening() {
                listening.insert(ListenerKey(Listener {
                    protocol: e.protocol,
                    address: canonical(e.local.ip()).to_string(),
                    port: e.local.port(),
                    exposure: exposure(space, e),
                }));
            } else if e.is_established() {
                let inbound = space.listener_for(e.protocol, e.local).is_some();
                let data_asset = if inbound {
                    None
                } else {
                    self.local_server(ns, e, servers)
                        .or_else(|| data_asset_of_port(e.remote.port()))
                        .map(str::to_string)
                };
                connections.push(Connection {
                    protocol: e.protocol,
                    local_port: e.local.port(),
                    remote_address: canonical(e.remote.ip()).to_string(),
                    remote_port: e.remote.port(),
                    kind: classify(e.remote.ip()),
                    inbound,
                    data_asset,
                });
            }
        }
        connections.sort_by(|a, b| {
            (
                a.protocol as u8,
                a.local_port,
                &a.remote_address,
                a.remote_port,
            )
                .cmp(&(
                    b.protocol as u8,
                    b.local_port,
                    &b.remote_address,
                    b.remote_port,
                ))
        });
        connections.dedup();
        (listening.into_iter().map(|k| k.0).collect(), connections)
    }

    /// The data store a local process serves at a connection's peer: a
    /// listener of the same namespace for a loopback peer, else of the
    /// namespace holding the peer's address.
    fn local_server(
        &self,
        ns: u64,
        e: &SocketEntry,
        servers: &HashMap<u32, &'static str>,
    ) -> Option<&'static str> {
        let peer = canonical(e.remote.ip());
        let candidates: Vec<&Namespace> = if peer.is_loopback() {
            self.namespaces.get(&ns).into_iter().collect()
        } else {
            self.namespaces
                .values()
                .filter(|s| s.local_addrs.contains(&peer))
                .collect()
        };
        candidates.into_iter().find_map(|space| {
            let l = space.listener_for(e.protocol, e.remote)?;
            self.holders
                .get(&l.inode)?
                .iter()
                .find_map(|pid| servers.get(pid).copied())
        })
    }

    /// Says how many listening sockets no visible process holds.
    fn unowned_listeners(&self, gaps: &mut Gaps) {
        let n = self
            .namespaces
            .values()
            .flat_map(|s| s.listeners())
            .filter(|l| l.inode != 0 && !self.holders.contains_key(&l.inode))
            .count();
        if n == 0 {
            return;
        }
        let why = if gaps.fds_hidden {
            "their processes are among those whose open files could not be read".to_string()
        } else {
            "no visible process holds them (a process of another pid namespace, or a socket the \
             kernel holds, such as an NFS or WireGuard one)"
                .to_string()
        };
        gaps.once.push(Unseen {
            what: format!(
                "the processes of {n} listening socket{}",
                if n == 1 { "" } else { "s" }
            ),
            why,
        });
    }
}

/// How far a listener reaches: loopback when bound to a loopback
/// address; public when bound to a public address, or bound beyond
/// loopback with an established connection from a public peer; else
/// internal.
fn exposure(space: &Namespace, l: &SocketEntry) -> Exposure {
    let ip = canonical(l.local.ip());
    if ip.is_loopback() {
        return Exposure::Loopback;
    }
    if !ip.is_unspecified() && classify(ip) == ConnectionKind::Public {
        return Exposure::Public;
    }
    let public_peer = space
        .public_peers
        .get(&(l.protocol, l.local.port()))
        .is_some_and(|locals| locals.iter().any(|a| bound_to(l.local.ip(), *a)));
    if public_peer {
        Exposure::Public
    } else {
        Exposure::Internal
    }
}

/// A listener ordered by protocol, port and address.
#[derive(Debug, PartialEq, Eq)]
struct ListenerKey(Listener);

impl Ord for ListenerKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.protocol as u8, self.0.port, &self.0.address).cmp(&(
            other.0.protocol as u8,
            other.0.port,
            &other.0.address,
        ))
    }
}

impl PartialOrd for ListenerKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
