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
    // Executables are read where the processes run them: on this host (a
    // snapshot read from a file may come from another), for processes
    // outside containers (a container's paths are inside its own root).
    let host_root = match &args.input {
        Some(_) => None,
        None => Some(args.host_root.clone().unwrap_or_else(|| PathBuf::from("/"))),
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
        &|f| {
            let root = host_root.as_deref()?;
            let r = f.runtime.as_ref()?;
            let on_host = !r.installed_only
                && !r.processes.is_empty()
                && r.processes.iter().all(|p| p.container.is_none());
            (on_host && f.location.path.starts_with('/'))
                .then(|| crate::vulncode::below(root, &f.location.path))
        },
    )
}
