//! `vigil scan host`: the packages running processes have loaded, matched
//! against the advisories, each finding with its runtime context: the
//! processes that load the package, their exposure and the data stores
//! they reach (docs/agent.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Context, Result};
use vigil_agent::{Exposure, Options, Snapshot};
use vigil_model::{
    Component, Ecosystem, Finding, FindingKind, Location, NotChecked, OsFacts, PackageRef, Runtime,
    RuntimeProcess,
};

use crate::cli::{GlobalArgs, HostArgs};
use crate::{warn_user, Outcome};

/// A package as the snapshot names it: ecosystem, name, version, purl (the
/// purl carries the distribution release of an OS package).
type Key = (Ecosystem, String, String, String);

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
pub(crate) struct HostInventory {
    /// The components (one per distinct package) and those not checked.
    pub(crate) inventory: vigil_inventory::Inventory,
    /// The runtime context of each package.
    pub(crate) runtime: BTreeMap<Key, Runtime>,
}

/// What is gathered about one package across processes.
#[derive(Default)]
struct Seen {
    processes: BTreeMap<u32, RuntimeProcess>,
    exposure: Option<Exposure>,
    data_assets: BTreeSet<String>,
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
pub(crate) fn inventory(snapshot: &Snapshot) -> HostInventory {
    let mut components: BTreeMap<Key, Component> = BTreeMap::new();
    let mut not_checked: BTreeMap<Key, NotChecked> = BTreeMap::new();
    let mut seen: BTreeMap<Key, Seen> = BTreeMap::new();
    let mut host_release: Option<String> = None;
    for process in &snapshot.processes {
        let top = process
            .listening
            .iter()
            .map(|l| l.exposure)
            .max_by_key(|e| rank(*e));
        let assets: Vec<&String> = process
            .connections
            .iter()
            .filter_map(|c| c.data_asset.as_ref())
            .collect();
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
                let s = seen.entry(k).or_default();
                s.processes
                    .entry(process.pid)
                    .or_insert_with(|| RuntimeProcess {
                        pid: process.pid,
                        exe: process.exe.clone().or_else(|| process.name.clone()),
                        container: process.container.as_ref().map(|c| c.id.clone()),
                    });
                if let Some(e) = top {
                    if s.exposure.is_none_or(|old| rank(e) > rank(old)) {
                        s.exposure = Some(e);
                    }
                }
                s.data_assets.extend(assets.iter().map(|a| (*a).clone()));
            }
        }
    }
    let runtime = seen
        .into_iter()
        .map(|(k, s)| {
            (
                k,
                Runtime {
                    processes: s.processes.into_values().collect(),
                    exposure: s.exposure.map(|e| exposure_name(e).to_string()),
                    data_assets: s.data_assets.into_iter().collect(),
                },
            )
        })
        .collect();
    let os = snapshot.host.os.as_ref().map(|name| OsFacts {
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
fn annotate(runtime: &BTreeMap<Key, Runtime>, f: &mut Finding) {
    if f.kind != FindingKind::Vulnerability {
        return;
    }
    if let Some(p) = &f.package {
        f.runtime = runtime.get(&key(p)).cloned();
    }
}

/// Reads a snapshot file (`vigil agent --once -f json`).
fn read_snapshot(path: &std::path::Path) -> Result<Snapshot> {
    let text = fs_err::read_to_string(path)?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a snapshot written by `vigil agent --once -f json`",
            path.display()
        )
    })
}

/// `vigil scan host`.
pub(crate) fn scan_host(global: &GlobalArgs, args: &HostArgs) -> Result<Outcome> {
    let started = std::time::Instant::now();
    // A host has no scan root: only --ignorefile names an ignore file.
    let gates = crate::gates::Gates::load(&args.report, None)?;
    let (snapshot, target) = match &args.input {
        Some(path) => (read_snapshot(path)?, path.display().to_string()),
        None => {
            let snapshot = vigil_agent::collect(&Options {
                proc: args
                    .proc_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("/proc")),
                root: args.host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
            })
            .context("reading the processes")?;
            let target = if snapshot.host.hostname.is_empty() {
                format!("host {}", snapshot.host.id)
            } else {
                format!("host {}", snapshot.host.hostname)
            };
            (snapshot, target)
        }
    };
    for u in &snapshot.unseen {
        warn_user(format_args!("not seen: {}: {}", u.what, u.why));
    }
    tracing::info!(processes = snapshot.processes.len(), elapsed = ?started.elapsed(), "snapshot read");
    let HostInventory { inventory, runtime } = self::inventory(&snapshot);
    let store = crate::scan::open_database(global)?;
    let source = crate::source::for_host(if snapshot.host.hostname.is_empty() {
        &snapshot.host.id
    } else {
        &snapshot.host.hostname
    });
    crate::scan::finish(
        &args.report,
        &gates,
        target,
        source,
        store,
        inventory,
        crate::scan::FileChecks::default(),
        None,
        started,
        &|f| annotate(&runtime, f),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture() -> Snapshot {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/agent/snapshot-debian12.json");
        read_snapshot(&path).unwrap()
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
        };
        annotate(&inv.runtime, &mut f);
        assert_eq!(f.runtime.as_ref().unwrap().processes.len(), 2);
        f.runtime = None;
        f.kind = FindingKind::License;
        annotate(&inv.runtime, &mut f);
        assert!(f.runtime.is_none());
    }
}
