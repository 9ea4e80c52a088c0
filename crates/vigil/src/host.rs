//! `vigil scan host`: the packages running processes have loaded, matched
//! against the advisories, each finding with its runtime context: the
//! processes that load the package, their exposure and the data stores
//! they reach (docs/agent.md).

use std::path::PathBuf;

use anyhow::{Context, Result};
use vigil_agent::inventory::{annotate, HostInventory};
use vigil_agent::{Options, Snapshot};

use crate::cli::{GlobalArgs, HostArgs};
use crate::{warn_user, Outcome};

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
    let HostInventory { inventory, runtime } = vigil_agent::inventory::inventory(&snapshot);
    // Executables are read where the processes run them, on this host (a
    // snapshot read from a file may come from another): below the host
    // root, or inside a container's root filesystem (`/proc/PID/root`).
    let places = match &args.input {
        Some(_) => None,
        None => Some(Places {
            host_root: args.host_root.clone().unwrap_or_else(|| PathBuf::from("/")),
            proc_dir: args
                .proc_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("/proc")),
        }),
    };
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
        &|f| places.as_ref()?.executable(f),
    )
}

/// Where the executables of live processes are read.
struct Places {
    /// The host's root filesystem (`--host-root`).
    host_root: PathBuf,
    /// The proc filesystem (`--proc-dir`): a container's root filesystem
    /// is `<proc>/<pid>/root` of any of its processes.
    proc_dir: PathBuf,
}

impl Places {
    /// The file a finding's location names where the processes that load
    /// it run it: below the host root for processes outside containers;
    /// inside the container's root for processes in one, its symlinks
    /// resolved as if that root were `/` (never out of it). The process
    /// whose executable is the location decides; without one, all the
    /// processes must run in the same place. `None` when the package is
    /// only installed, or the place is unclear or gone.
    fn executable(&self, f: &vigil_model::Finding) -> Option<PathBuf> {
        let r = f.runtime.as_ref()?;
        let path = f.location.path.as_str();
        if r.installed_only || !path.starts_with('/') {
            return None;
        }
        let process = match r.processes.iter().find(|p| p.exe.as_deref() == Some(path)) {
            Some(p) => p,
            None => {
                let first = r.processes.first()?;
                if !r.processes.iter().all(|p| p.container == first.container) {
                    return None;
                }
                first
            }
        };
        match &process.container {
            None => Some(crate::vulncode::below(&self.host_root, path)),
            Some(_) => {
                let root = self.proc_dir.join(process.pid.to_string()).join("root");
                let real = vigil_agent::owners::resolve_inside(&root, path)?;
                Some(crate::vulncode::below(&root, &real))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vigil_model::{
        Ecosystem, Finding, FindingKind, Fingerprint, Location, Runtime, RuntimeProcess, Severity,
    };

    fn finding(path: &str, processes: &[(u32, &str, Option<&str>)]) -> Finding {
        Finding {
            kind: FindingKind::Vulnerability,
            id: "GO-2026-0001".into(),
            aliases: Vec::new(),
            title: "t".into(),
            message: None,
            severity: Severity::High,
            cvss: None,
            package: Some(vigil_model::PackageRef {
                ecosystem: Ecosystem::Go,
                name: "stdlib".into(),
                version: "1.19.8".into(),
                purl: "pkg:golang/stdlib@1.19.8".into(),
            }),
            resource: None,
            location: Location::new(path, None),
            fixed_versions: Vec::new(),
            fix_available: false,
            kev: false,
            informational: None,
            fingerprint: Fingerprint(String::new()),
            published: None,
            suppression: None,
            help: None,
            secret: None,
            runtime: Some(Runtime {
                processes: processes
                    .iter()
                    .map(|(pid, exe, container)| RuntimeProcess {
                        pid: *pid,
                        exe: Some(exe.to_string()),
                        container: container.map(str::to_string),
                    })
                    .collect(),
                containers: Vec::new(),
                installed_only: false,
                exposure: None,
                data_assets: Vec::new(),
            }),
            vulnerable_code: None,
            epss: None,
            risk: None,
        }
    }

    #[test]
    fn container_executables_are_read_inside_the_container_root() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("host");
        let proc_dir = dir.path().join("proc");
        let root = proc_dir.join("42/root");
        std::fs::create_dir_all(root.join("app/bin")).unwrap();
        std::fs::create_dir_all(host.join("app/bin")).unwrap();
        std::fs::write(root.join("app/bin/server-1.2"), b"in the container").unwrap();
        std::fs::write(host.join("app/bin/server"), b"on the host").unwrap();
        // An absolute link is taken inside the container's root, and `..`
        // never climbs out of it.
        std::os::unix::fs::symlink("/app/bin/server-1.2", root.join("app/bin/server")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/secret"), b"x").unwrap();
        std::os::unix::fs::symlink("../../../../../outside/secret", root.join("app/bin/escape"))
            .unwrap();
        let places = Places {
            host_root: host.clone(),
            proc_dir,
        };
        let c = Some("9d2b7e4f1a3c");

        let f = finding("/app/bin/server", &[(42, "/app/bin/server", c)]);
        assert_eq!(
            places.executable(&f).unwrap(),
            root.join("app/bin/server-1.2")
        );
        // The same path on the host is the host's file.
        let f = finding("/app/bin/server", &[(7, "/app/bin/server", None)]);
        assert_eq!(places.executable(&f).unwrap(), host.join("app/bin/server"));
        // The process whose executable it is decides.
        let f = finding(
            "/app/bin/server",
            &[(7, "/usr/bin/other", None), (42, "/app/bin/server", c)],
        );
        assert_eq!(
            places.executable(&f).unwrap(),
            root.join("app/bin/server-1.2")
        );
        // Without one, processes in different places say nothing.
        let f = finding(
            "/app/bin/server",
            &[(7, "/usr/bin/a", None), (42, "/usr/bin/b", c)],
        );
        assert_eq!(places.executable(&f), None);
        // A link out of the root stays in it (and finds nothing there).
        let f = finding("/app/bin/escape", &[(42, "/app/bin/escape", c)]);
        assert_eq!(places.executable(&f), None);
        // An installed-only package has no executable.
        let mut f = finding("/app/bin/server", &[(42, "/app/bin/server", c)]);
        f.runtime.as_mut().unwrap().installed_only = true;
        assert_eq!(places.executable(&f), None);
    }
}
