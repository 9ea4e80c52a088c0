//! The collector on a fixture `/proc` tree (tests/fixtures/proc, with the
//! symbolic links of its links.txt made in a copy) and a fixture root
//! filesystem (tests/fixtures/root).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use vigil_agent::containers::parse_cgroup;
use vigil_agent::{collect, ConnectionKind, Exposure, Options, Process, Protocol, Snapshot};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
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

/// A copy of the fixture tree with its links made.
fn proc_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let proc = dir.path().join("proc");
    copy_tree(&fixtures().join("proc"), &proc);
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
    dir
}

fn snapshot() -> Snapshot {
    let dir = proc_tree();
    collect(&Options {
        proc: dir.path().join("proc"),
        root: fixtures().join("root"),
    })
    .unwrap()
}

fn process(s: &Snapshot, pid: u32) -> &Process {
    s.processes
        .iter()
        .find(|p| p.pid == pid)
        .unwrap_or_else(|| panic!("no process {pid}"))
}

#[test]
fn host() {
    let s = snapshot();
    assert_eq!(s.host.hostname, "web-1");
    assert_eq!(s.host.os.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
    assert_eq!(s.host.kernel.as_deref(), Some("6.1.0-18-amd64"));
    assert_eq!(s.host.id.len(), 32);
    assert_eq!(
        s.host.id,
        vigil_agent::host::host_id("0123456789abcdef0123456789abcdef")
    );
}

#[test]
fn processes() {
    let s = snapshot();
    let pids: Vec<u32> = s.processes.iter().map(|p| p.pid).collect();
    // 109 (stat cut short) and 110 (a kernel thread) are left out.
    assert_eq!(
        pids,
        [1, 100, 101, 102, 103, 104, 105, 106, 107, 108, 111, 112]
    );

    let py = process(&s, 100);
    assert_eq!(py.ppid, Some(1));
    assert_eq!(py.exe.as_deref(), Some("/usr/bin/python3.11"));
    assert!(py.exe_deleted);
    assert_eq!(py.user.as_deref(), Some("alice"));
    assert_eq!(
        py.cmdline,
        [
            "python3",
            "-m",
            "http.server",
            "--bind",
            "0.0.0.0",
            "8080",
            "--password",
            "***"
        ]
    );
    // btime 1700000000 + 11000 ticks / 100.
    assert_eq!(py.start_time.as_deref(), Some("2023-11-14T22:15:10Z"));

    let spaced = process(&s, 101);
    assert_eq!(spaced.exe.as_deref(), Some("/opt/my app/bin/my server"));
    assert_eq!(spaced.name.as_deref(), Some("my server"));
    assert_eq!(spaced.user.as_deref(), Some("www-data"));
    assert_eq!(
        spaced.cmdline,
        [
            "/opt/my app/bin/my server",
            "--db-url=postgres://app:***@db:5432/app"
        ]
    );
    assert_eq!(process(&s, 102).cmdline, ["client", "TOKEN=***"]);
    assert_eq!(process(&s, 103).user.as_deref(), Some("postgres"));
    // A process whose command line is one rewritten string.
    assert_eq!(
        process(&s, 104).cmdline,
        ["nginx: master process nginx -g daemon off;"]
    );
    // Only the nginx processes have a `maps` file in the tree.
    assert!(s
        .processes
        .iter()
        .filter(|p| p.pid != 104 && p.pid != 112)
        .all(|p| p.loaded.is_empty()));
}

#[test]
fn container_os_and_packages() {
    // A list file of the container's dpkg that is a symlink to a file
    // outside the container (here: outside its root in the tree) naming a
    // module no package lists: never followed.
    let dir = proc_tree();
    let outside = dir.path().join("host-side.list");
    std::fs::write(&outside, "/usr/lib/nginx/modules/ngx_http_extra.so\n").unwrap();
    std::os::unix::fs::symlink(
        &outside,
        dir.path()
            .join("proc/104/root/var/lib/dpkg-real/info/nginx-extras.list"),
    )
    .unwrap();
    let s = collect(&Options {
        proc: dir.path().join("proc"),
        root: fixtures().join("root"),
    })
    .unwrap();

    // Every container once, by ID, with its processes.
    let ids: Vec<&str> = s.containers.iter().map(|c| &c.id[59..]).collect();
    assert_eq!(ids, ["c9118", "cb007", "ccef6", "cede5", "d0cd4"]);
    let nginx = &s.containers[0];
    assert_eq!(nginx.runtime, "docker");
    assert_eq!(nginx.processes, [104, 112]);
    // Its os-release is an absolute symlink, resolved inside its root.
    assert_eq!(nginx.os.as_deref(), Some("Debian GNU/Linux 11 (bullseye)"));
    assert_eq!(nginx.release.as_deref(), Some("11"));
    // So is /var/lib/dpkg.
    assert_eq!(nginx.package_databases, ["/var/lib/dpkg/status"]);
    let names: Vec<(&str, &str)> = nginx
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("nginx-core", "1.18.0-6.1+deb11u3"),
            ("libssl1.1", "1.1.1w-0+deb11u1"),
            ("libc6", "2.31-13+deb11u11"),
            ("nginx-extras", "1.18.0-6.1+deb11u3"),
        ]
    );
    let ssl = &nginx.packages[1];
    assert_eq!(ssl.ecosystem, vigil_model::Ecosystem::Debian);
    assert!(ssl.purl.contains("distro=debian-11"), "{}", ssl.purl);
    assert!(ssl.purl.contains("upstream=openssl"), "{}", ssl.purl);
    assert!(nginx.unseen.is_empty(), "{:?}", nginx.unseen);

    // The loaded files of its processes belong to the container's
    // packages (the host root of the fixture has none).
    for pid in [104, 112] {
        let p = process(&s, pid);
        let owner = |path: &str| {
            p.loaded
                .iter()
                .find(|l| l.path == path)
                .unwrap_or_else(|| panic!("{path} not loaded by {pid}: {:?}", p.loaded))
                .package
                .as_ref()
                .map(|p| p.name.as_str())
        };
        assert_eq!(owner("/usr/sbin/nginx"), Some("nginx-core"));
        assert_eq!(
            owner("/usr/lib/x86_64-linux-gnu/libcrypto.so.1.1"),
            Some("libssl1.1")
        );
        // /usr merge: listed under /lib, the same file.
        assert_eq!(owner("/lib/x86_64-linux-gnu/libc.so.6"), Some("libc6"));
        // Only the symlinked list names it: no package.
        assert_eq!(owner("/usr/lib/nginx/modules/ngx_http_extra.so"), None);
        let ssl = p
            .loaded
            .iter()
            .find(|l| l.path.ends_with("libssl.so.1.1"))
            .unwrap();
        assert_eq!(ssl.release.as_deref(), Some("11"));
    }

    // The other containers' processes have no root in the tree: unseen,
    // in the container and in the snapshot.
    let crio = &s.containers[2];
    assert_eq!(crio.runtime, "cri-o");
    assert!(crio.packages.is_empty());
    assert_eq!(crio.unseen.len(), 1);
    assert!(
        crio.unseen[0]
            .what
            .starts_with("the OS and packages of container aaaaaaaaaaaa (cri-o)"),
        "{:?}",
        crio.unseen
    );
    assert!(s.unseen.contains(&crio.unseen[0]));
}

#[test]
fn containers() {
    let s = snapshot();
    assert!(process(&s, 100).container.is_none());
    let c = |pid| process(&s, pid).container.clone().unwrap();
    let docker = c(104);
    assert_eq!(docker.runtime, "docker");
    assert!(docker.id.ends_with("c9118"));
    assert_eq!(docker.pod, None);
    let containerd = c(105);
    assert_eq!(containerd.runtime, "containerd");
    assert_eq!(
        containerd.pod.as_deref(),
        Some("1b2c3d4e-0000-4000-8000-00000000abcd")
    );
    let crio = c(106);
    assert_eq!(crio.runtime, "cri-o");
    assert_eq!(
        crio.pod.as_deref(),
        Some("2b2c3d4e-0000-4000-8000-00000000abcd")
    );
    let podman = c(107);
    assert_eq!(podman.runtime, "podman");
    assert_eq!(podman.pod, None);
    let kubepods = c(108);
    assert_eq!(kubepods.runtime, "containerd");
    assert_eq!(
        kubepods.pod.as_deref(),
        Some("3b2c3d4e-0000-4000-8000-00000000abcd")
    );
    assert!(kubepods.id.ends_with("d0cd4"));
}

#[test]
fn cgroup_files() {
    let read =
        |pid: u32| std::fs::read_to_string(fixtures().join(format!("proc/{pid}/cgroup"))).unwrap();
    assert_eq!(parse_cgroup(&read(1)), None);
    assert_eq!(parse_cgroup(&read(100)), None);
    assert_eq!(parse_cgroup(&read(104)).unwrap().runtime, "docker");
    // A podman conmon process is not the container.
    assert_eq!(
        parse_cgroup("0::/machine.slice/libpod-conmon-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope"),
        None
    );
}

#[test]
fn listeners_and_exposure() {
    let s = snapshot();
    let py = process(&s, 100);
    assert_eq!(py.listening.len(), 1);
    let l = &py.listening[0];
    assert_eq!(
        (l.protocol, l.address.as_str(), l.port),
        (Protocol::Tcp, "0.0.0.0", 8080)
    );
    // Bound to all interfaces, and a public peer is connected.
    assert_eq!(l.exposure, Exposure::Public);
    let c = &py.connections[0];
    assert!(c.inbound);
    assert_eq!(c.kind, ConnectionKind::Public);
    assert_eq!(c.remote_address, "203.0.113.7");
    assert_eq!(c.data_asset, None);

    let spaced = process(&s, 101);
    let by_port = |port: u16, protocol: Protocol| {
        spaced
            .listening
            .iter()
            .filter(|l| l.port == port && l.protocol == protocol)
            .collect::<Vec<_>>()
    };
    // The same socket twice (two descriptors) is listed once.
    assert_eq!(by_port(9000, Protocol::Tcp).len(), 1);
    assert_eq!(by_port(9000, Protocol::Tcp)[0].exposure, Exposure::Loopback);
    // `::` with a private peer only (IPv4-mapped): internal.
    assert_eq!(by_port(8443, Protocol::Tcp)[0].exposure, Exposure::Internal);
    assert_eq!(by_port(8443, Protocol::Tcp)[0].address, "::");
    let udp = by_port(5353, Protocol::Udp);
    assert_eq!(udp.len(), 2);
    assert!(udp.iter().all(|l| l.exposure == Exposure::Internal));
    let mapped = &spaced.connections[0];
    assert_eq!(mapped.remote_address, "10.1.1.1");
    assert_eq!(mapped.kind, ConnectionKind::Private);
    assert!(mapped.inbound);

    let pg = process(&s, 103);
    assert!(pg
        .listening
        .iter()
        .all(|l| l.exposure == Exposure::Loopback));
    assert_eq!(pg.listening.len(), 2);
    assert!(pg
        .connections
        .iter()
        .all(|c| c.inbound && c.data_asset.is_none()));
}

#[test]
fn data_reach() {
    let s = snapshot();
    let client = process(&s, 102);
    let to = |port: u16| {
        client
            .connections
            .iter()
            .find(|c| c.remote_port == port)
            .unwrap()
    };
    // A local PostgreSQL server, told by its process.
    assert_eq!(to(5432).data_asset.as_deref(), Some("postgresql"));
    assert_eq!(to(5432).kind, ConnectionKind::Loopback);
    assert!(!to(5432).inbound);
    // A remote Redis, told by its port.
    assert_eq!(to(6379).data_asset.as_deref(), Some("redis"));
    assert_eq!(to(6379).kind, ConnectionKind::Private);
    // A connected UDP socket to a public resolver.
    assert_eq!(to(53).protocol, Protocol::Udp);
    assert_eq!(to(53).kind, ConnectionKind::Public);
    assert_eq!(to(53).data_asset, None);
}

#[test]
fn other_network_namespace() {
    let s = snapshot();
    let nginx = process(&s, 104);
    assert_eq!(nginx.listening.len(), 1);
    assert_eq!(nginx.listening[0].port, 80);
    assert_eq!(nginx.listening[0].exposure, Exposure::Public);
    assert_eq!(nginx.connections[0].remote_address, "198.51.100.5");
}

#[test]
fn unseen_is_said() {
    let s = snapshot();
    let text: Vec<String> = s
        .unseen
        .iter()
        .map(|u| format!("{} | {}", u.what, u.why))
        .collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("1 process whose stat file could not be parsed"),
        "{text:#?}"
    );
    assert!(
        has("the open files, and so the sockets, of 1 process"),
        "{text:#?}"
    );
    // The short read of udp6's last row.
    assert!(has("1 rows of the socket tables"), "{text:#?}");
    assert!(has("udp6:3"), "{text:#?}");
    // 0.0.0.0:2049, held by no process of the tree.
    assert!(has("the processes of 1 listening socket |"), "{text:#?}");
}

#[test]
fn json_shape() {
    let s = snapshot();
    let v = serde_json::to_value(&s).unwrap();
    let p = &v["processes"][1];
    for key in ["pid", "exe", "user", "listening", "connections", "loaded"] {
        assert!(p.get(key).is_some(), "{key} in {p}");
    }
    assert_eq!(v["processes"][1]["listening"][0]["exposure"], "public");
    assert_eq!(v["processes"][5]["container"]["runtime"], "docker");
    let back: Snapshot = serde_json::from_value(v).unwrap();
    assert_eq!(back, s);
}

#[test]
fn container_images_from_the_runtimes_state() {
    let s = snapshot();
    let image = |suffix: &str| {
        s.containers
            .iter()
            .find(|c| c.id.ends_with(suffix))
            .unwrap_or_else(|| panic!("no container {suffix}"))
            .image
            .clone()
    };
    // Docker: config.v2.json, the repository digest from repositories.json.
    let docker = image("c9118").unwrap();
    assert_eq!(docker.reference, "nginx:1.18");
    assert_eq!(
        docker.id.as_deref(),
        Some("sha256:1111111111111111111111111111111111111111111111111111111111111111")
    );
    assert_eq!(
        docker.digest.as_deref(),
        Some("sha256:2222222222222222222222222222222222222222222222222222222222222222")
    );
    // containerd (Kubernetes): the task bundle's annotation; no digest or
    // ID there.
    let containerd = image("cb007").unwrap();
    assert_eq!(containerd.reference, "ghcr.io/example/api:2.4.1");
    assert_eq!((containerd.digest, containerd.id), (None, None));
    // CRI-O: the annotations, the digest from the storage's images.json.
    let crio = image("ccef6").unwrap();
    assert_eq!(crio.reference, "docker.io/library/redis:7.2");
    assert_eq!(
        crio.id.as_deref(),
        Some("sha256:7777777777777777777777777777777777777777777777777777777777777777")
    );
    assert_eq!(
        crio.digest.as_deref(),
        Some("sha256:8888888888888888888888888888888888888888888888888888888888888888")
    );
    // Rootless Podman: the storage below the user's home (from passwd).
    let podman = image("cede5").unwrap();
    assert_eq!(podman.reference, "quay.io/example/blog:latest");
    assert_eq!(
        podman.id.as_deref(),
        Some("sha256:9999999999999999999999999999999999999999999999999999999999999999")
    );
    assert_eq!(
        podman.digest.as_deref(),
        Some("sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")
    );
    // No state for this one: no image, and nothing said wrong.
    assert_eq!(image("d0cd4"), None);
    assert!(
        !s.unseen.iter().any(|u| u.what.contains("images of")),
        "{:?}",
        s.unseen
    );
    // In the JSON: `image` on the container, left out when unknown.
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v["containers"][0]["image"]["reference"],
        serde_json::json!("nginx:1.18")
    );
    assert!(v["containers"][4].get("image").is_none());
}

#[test]
fn snapshots_without_images_still_read() {
    // A snapshot written before containers had `image`.
    let old = r#"{"schema_version": 1, "taken_at": "2026-01-01T00:00:00Z",
        "host": {"id": "h", "hostname": "web-1", "os": null, "kernel": null},
        "processes": [],
        "containers": [{"id": "c", "runtime": "docker", "processes": [4], "packages": []}]}"#;
    let s: Snapshot = serde_json::from_str(old).unwrap();
    assert_eq!(s.containers[0].image, None);
}
