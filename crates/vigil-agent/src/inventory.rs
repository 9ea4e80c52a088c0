//! A snapshot as an inventory: the packages running processes have loaded
//! (and those installed in their containers), each with its runtime
//! context (the processes, their exposure, the data stores they reach).
//! `vigil scan host` and the server's agent ingest match it against the
//! advisories.

use std::collections::{BTreeMap, BTreeSet};

use vigil_model::{
    Component, Ecosystem, Finding, FindingKind, Location, NotChecked, OsFacts, PackageRef, Runtime,
    RuntimeProcess,
};

use crate::{Exposure, Process, Snapshot};

/// A package as the snapshot names it: ecosystem, name, version, purl (the
/// purl carries the distribution release of an OS package).
pub type Key = (Ecosystem, String, String, String);

fn key(p: &PackageRef) -> Key {
    (
        p.ecosystem,
        p.name.clone(),
        p.version.clone(),
        p.purl.clone(),
    )
}

/// The inventory of a snapshot, and where each of its packages runs.
#[derive(Debug)]
pub struct HostInventory {
    /// The components (one per distinct package) and those not checked.
    pub inventory: vigil_inventory::Inventory,
    /// The runtime context of each package.
    pub runtime: BTreeMap<Key, Runtime>,
}

/// What is gathered about a set of processes.
#[derive(Default)]
struct Gathered {
    processes: BTreeMap<u32, RuntimeProcess>,
    exposure: Option<Exposure>,
    data_assets: BTreeSet<String>,
}

impl Gathered {
    /// Adds a process: itself, the widest exposure of its listeners and
    /// the data stores it reaches.
    fn add(&mut self, process: &Process) {
        self.processes
            .entry(process.pid)
            .or_insert_with(|| RuntimeProcess {
                pid: process.pid,
                exe: process.exe.clone().or_else(|| process.name.clone()),
                container: process.container.as_ref().map(|c| c.id.clone()),
            });
        if let Some(e) = process
            .listening
            .iter()
            .map(|l| l.exposure)
            .max_by_key(|e| rank(*e))
        {
            if self.exposure.is_none_or(|old| rank(e) > rank(old)) {
                self.exposure = Some(e);
            }
        }
        self.data_assets.extend(
            process
                .connections
                .iter()
                .filter_map(|c| c.data_asset.clone()),
        );
    }
}

/// What is gathered about one package: the processes that load it, and
/// the containers it is installed in with their processes.
#[derive(Default)]
struct Seen {
    loaders: Gathered,
    containers: BTreeSet<String>,
    installed: Gathered,
}

fn rank(e: Exposure) -> u8 {
    match e {
        Exposure::Loopback => 0,
        Exposure::Internal => 1,
        Exposure::Public => 2,
    }
}

fn exposure_name(e: Exposure) -> &'static str {
    match e {
        Exposure::Loopback => "loopback",
        Exposure::Internal => "internal",
        Exposure::Public => "public",
    }
}

/// The source package an OS package's purl names in its `upstream`
/// qualifier (`openssl`, `util-linux@2.38.1-5`), for the distributions
/// whose advisories name source packages.
fn source_of(p: &PackageRef) -> Option<(String, Option<String>)> {
    let parsed = vigil_model::purl::parse(&p.purl).ok()?;
    if !matches!(parsed.purl_type.as_str(), "deb" | "apk") {
        return None;
    }
    let upstream = parsed.qualifier("upstream")?;
    Some(match upstream.split_once('@') {
        Some((n, v)) => (n.to_string(), Some(v.to_string())),
        None => (upstream.to_string(), None),
    })
}

/// Turns a snapshot into an inventory: every distinct package a process
/// has loaded (the owner of a loaded file, and the packages built into
/// it) becomes a component located at the loaded file's path (the
/// smallest, when several files of it are loaded). A package without a
/// version is listed as not checked.
pub fn inventory(snapshot: &Snapshot) -> HostInventory {
    let mut components: BTreeMap<Key, Component> = BTreeMap::new();
    let mut not_checked: BTreeMap<Key, NotChecked> = BTreeMap::new();
    let mut seen: BTreeMap<Key, Seen> = BTreeMap::new();
    let mut host_release: Option<String> = None;
    // Whether any host (not container) process loads an OS package: only
    // then does the report speak of the host's OS.
    let mut host_distro = false;
    for process in &snapshot.processes {
        for loaded in &process.loaded {
            let own = loaded
                .package
                .iter()
                .map(|p| (p, loaded.release.as_deref()));
            let embedded = loaded.components.iter().map(|p| (p, None));
            for (p, release) in own.chain(embedded) {
                let k = key(p);
                if p.version.trim().is_empty() {
                    not_checked.entry(k).or_insert_with(|| NotChecked {
                        ecosystem: p.ecosystem,
                        name: p.name.clone(),
                        version: String::new(),
                        location: Location::new(loaded.path.clone(), None),
                        reason: "its version is unknown (the loaded file does not name it)"
                            .to_string(),
                    });
                    continue;
                }
                host_distro |= process.container.is_none() && p.ecosystem.is_distro();
                if process.container.is_none() && p.ecosystem.is_distro() && release.is_some() {
                    host_release.get_or_insert_with(|| {
                        format!("{}:{}", p.ecosystem.osv_name(), release.unwrap_or_default())
                    });
                }
                let entry = components.entry(k.clone()).or_insert_with(|| {
                    let mut c = Component::new(p.ecosystem, p.name.clone(), p.version.clone());
                    if let Some((name, version)) = source_of(p) {
                        c = c.source(name, version);
                    }
                    c.purl.clone_from(&p.purl);
                    c.release = release.map(str::to_string);
                    c.at(loaded.path.clone(), None)
                });
                if let Some(l) = entry.locations.first_mut() {
                    if loaded.path < l.path {
                        l.path.clone_from(&loaded.path);
                    }
                }
                seen.entry(k).or_default().loaders.add(process);
            }
        }
    }
    // The OS packages of each container, with the container's processes.
    let by_pid: BTreeMap<u32, &Process> = snapshot.processes.iter().map(|p| (p.pid, p)).collect();
    for container in &snapshot.containers {
        let location = container
            .package_databases
            .first()
            .cloned()
            .unwrap_or_else(|| "/".to_string());
        let processes: Vec<&Process> = container
            .processes
            .iter()
            .filter_map(|pid| by_pid.get(pid).copied())
            .collect();
        for p in &container.packages {
            let k = key(p);
            if p.version.trim().is_empty() {
                not_checked.entry(k).or_insert_with(|| NotChecked {
                    ecosystem: p.ecosystem,
                    name: p.name.clone(),
                    version: String::new(),
                    location: Location::new(location.clone(), None),
                    reason: "its version is unknown (the package database does not give it)"
                        .to_string(),
                });
                continue;
            }
            components.entry(k.clone()).or_insert_with(|| {
                let mut c = Component::new(p.ecosystem, p.name.clone(), p.version.clone());
                if let Some((name, version)) = source_of(p) {
                    c = c.source(name, version);
                }
                c.purl.clone_from(&p.purl);
                c.release = container
                    .release
                    .clone()
                    .filter(|_| p.ecosystem.is_distro());
                c.at(location.clone(), None)
            });
            let s = seen.entry(k).or_default();
            s.containers.insert(container.id.clone());
            for process in &processes {
                s.installed.add(process);
            }
        }
    }
    let runtime = seen
        .into_iter()
        .map(|(k, s)| {
            let installed_only = s.loaders.processes.is_empty();
            let g = if installed_only {
                s.installed
            } else {
                s.loaders
            };
            (
                k,
                Runtime {
                    processes: g.processes.into_values().collect(),
                    containers: s.containers.into_iter().collect(),
                    installed_only,
                    exposure: g.exposure.map(|e| exposure_name(e).to_string()),
                    data_assets: g.data_assets.into_iter().collect(),
                },
            )
        })
        .collect();
    let os = snapshot
        .host
        .os
        .as_ref()
        .filter(|_| host_distro)
        .map(|name| OsFacts {
            name: name.clone(),
            ecosystem: host_release,
        });
    let mut components: Vec<Component> = components.into_values().collect();
    components.sort_by(|a, b| {
        (&a.locations, &a.name, &a.version).cmp(&(&b.locations, &b.name, &b.version))
    });
    HostInventory {
        inventory: vigil_inventory::Inventory {
            components,
            not_checked: not_checked.into_values().collect(),
            diagnostics: Vec::new(),
            files: Vec::new(),
            os,
        },
        runtime,
    }
}

/// Gives a vulnerability finding the runtime context of its package.
pub fn annotate(runtime: &BTreeMap<Key, Runtime>, f: &mut Finding) {
    if f.kind != FindingKind::Vulnerability {
        return;
    }
    if let Some(p) = &f.package {
        f.runtime = runtime.get(&key(p)).cloned();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A snapshot fixture of the CLI's `vigil scan host` tests.
    fn read_fixture(name: &str) -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vigil/tests/fixtures/agent")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn fixture() -> Snapshot {
        read_fixture("snapshot-debian12.json")
    }

    fn component<'a>(inv: &'a HostInventory, name: &str) -> &'a Component {
        inv.inventory
            .components
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name}: {:#?}", inv.inventory.components))
    }

    #[test]
    fn each_distinct_package_is_one_component_at_its_first_loaded_path() {
        let inv = inventory(&fixture());
        let names: Vec<&str> = inv
            .inventory
            .components
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        // libssl3 is loaded twice by nginx (two files) and once by orders.
        assert_eq!(names.iter().filter(|n| **n == "libssl3").count(), 1);
        let ssl = component(&inv, "libssl3");
        assert_eq!(ssl.ecosystem, Ecosystem::Debian);
        assert_eq!(ssl.release.as_deref(), Some("12"));
        assert_eq!(ssl.locations.len(), 1);
        assert_eq!(
            ssl.locations[0].path,
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"
        );
        // The source package from the purl's `upstream`: what Debian's
        // advisories name.
        assert_eq!(ssl.advisory_key(), ("openssl", "3.0.11-1~deb12u1"));
        assert!(ssl.purl.contains("distro=debian-12"), "{}", ssl.purl);
        // Embedded components: no release.
        let stdlib = component(&inv, "stdlib");
        assert_eq!(stdlib.ecosystem, Ecosystem::Go);
        assert_eq!(stdlib.release, None);
        assert_eq!(stdlib.locations[0].path, "/opt/orders/bin/orders");
        // A package of a container whose release is unknown stays a
        // component: the matcher lists it as not checked.
        assert_eq!(component(&inv, "zlib1g").release, None);
        let os = inv.inventory.os.as_ref().unwrap();
        assert_eq!(os.name, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(os.ecosystem.as_deref(), Some("Debian:12"));
    }

    #[test]
    fn packages_without_a_version_are_not_checked() {
        let inv = inventory(&fixture());
        assert!(!inv
            .inventory
            .components
            .iter()
            .any(|c| c.name == "example.com/internal/tool"));
        assert_eq!(inv.inventory.not_checked.len(), 1);
        let nc = &inv.inventory.not_checked[0];
        assert_eq!(nc.name, "example.com/internal/tool");
        assert_eq!(nc.location.path, "/opt/orders/bin/orders");
        assert!(nc.reason.contains("version is unknown"), "{}", nc.reason);
    }

    #[test]
    fn runtime_context_gathers_processes_exposure_and_data_assets() {
        let inv = inventory(&fixture());
        let ssl = component(&inv, "libssl3");
        let key = (
            ssl.ecosystem,
            ssl.name.clone(),
            ssl.version.clone(),
            ssl.purl.clone(),
        );
        let r = &inv.runtime[&key];
        let pids: Vec<u32> = r.processes.iter().map(|p| p.pid).collect();
        assert_eq!(pids, [812, 1430]);
        assert_eq!(r.processes[0].exe.as_deref(), Some("/usr/sbin/nginx"));
        // nginx listens on loopback and publicly; orders internally.
        assert_eq!(r.exposure.as_deref(), Some("public"));
        assert_eq!(r.data_assets, ["postgresql", "redis"]);
        assert_eq!(
            r.summary(),
            "loaded by 2 processes, exposed: public, reaches postgresql, redis"
        );

        let zlib = component(&inv, "zlib1g");
        let r = inv
            .runtime
            .iter()
            .find(|(k, _)| k.1 == zlib.name)
            .map(|(_, r)| r)
            .unwrap();
        assert_eq!(r.exposure, None);
        assert!(r.data_assets.is_empty());
        assert_eq!(
            r.processes[0].container.as_deref().map(|c| &c[..12]),
            Some("4c1e8f2b9a7d")
        );
        assert_eq!(r.summary(), "loaded by 1 process");

        // A finding of the package gets it; one of another kind does not.
        let mut f = vigil_model::Finding {
            kind: FindingKind::Vulnerability,
            id: "DSA-5532-1".to_string(),
            aliases: Vec::new(),
            title: String::new(),
            message: None,
            severity: vigil_model::Severity::High,
            cvss: None,
            package: Some(PackageRef {
                ecosystem: ssl.ecosystem,
                name: ssl.name.clone(),
                version: ssl.version.clone(),
                purl: ssl.purl.clone(),
            }),
            resource: None,
            location: ssl.locations[0].clone(),
            fixed_versions: Vec::new(),
            fix_available: false,
            kev: false,
            informational: None,
            fingerprint: vigil_model::Fingerprint(String::new()),
            published: None,
            suppression: None,
            help: None,
            secret: None,
            runtime: None,
            vulnerable_code: None,
            epss: None,
            risk: None,
        };
        annotate(&inv.runtime, &mut f);
        assert_eq!(f.runtime.as_ref().unwrap().processes.len(), 2);
        f.runtime = None;
        f.kind = FindingKind::License;
        annotate(&inv.runtime, &mut f);
        assert!(f.runtime.is_none());
    }

    #[test]
    fn container_packages_carry_the_container_and_its_processes() {
        let inv = inventory(&read_fixture("snapshot-container.json"));
        let runtime_of = |name: &str| {
            inv.runtime
                .iter()
                .find(|(k, _)| k.1 == name)
                .map(|(_, r)| r)
                .unwrap_or_else(|| panic!("{name}"))
        };
        // Installed, not loaded: at the package database, with the
        // container's processes.
        let tar = component(&inv, "tar");
        assert_eq!(tar.locations[0].path, "/var/lib/dpkg/status");
        assert_eq!(tar.release.as_deref(), Some("12"));
        let r = runtime_of("tar");
        assert!(r.installed_only);
        assert_eq!(r.containers.len(), 1);
        assert!(r.containers[0].starts_with("9d2b7e4f1a3c"));
        let pids: Vec<u32> = r.processes.iter().map(|p| p.pid).collect();
        assert_eq!(pids, [4100, 4131]);
        assert_eq!(r.exposure.as_deref(), Some("public"));
        assert_eq!(r.data_assets, ["redis"]);
        assert_eq!(
            r.summary(),
            "installed in container 9d2b7e4f1a3c (2 processes), exposed: public, reaches redis"
        );
        // Loaded and installed: at the loaded file, by its loaders, in
        // the container.
        let ssl = component(&inv, "libssl3");
        assert_eq!(
            ssl.locations[0].path,
            "/usr/lib/x86_64-linux-gnu/libssl.so.3"
        );
        assert_eq!(ssl.advisory_key(), ("openssl", "3.0.11-1~deb12u1"));
        let r = runtime_of("libssl3");
        assert!(!r.installed_only);
        assert_eq!(r.containers.len(), 1);
        assert_eq!(r.processes.len(), 2);
        assert_eq!(
            r.processes[0].container.as_deref(),
            r.containers.first().map(String::as_str)
        );
        assert!(r.summary().starts_with("loaded by 2 processes"));
        // No host process loads an OS package: the report does not speak
        // of the host's OS (its packages were not among those matched).
        assert!(inv.inventory.os.is_none());
        // One component per package, whatever the number of sources.
        assert_eq!(
            inv.inventory
                .components
                .iter()
                .filter(|c| c.name == "libssl3")
                .count(),
            1
        );
    }
}
