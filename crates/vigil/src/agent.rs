//! `vigil agent --once`: one snapshot of this host; without `--once`, the
//! daemon (docs/agent.md).

use std::io::Write;

use anyhow::{Context, Result};
use vigil_agent::{ConnectionKind, Exposure, Options, Process, Protocol, Snapshot};

use crate::cli::{AgentArgs, AgentFormat};
use crate::Outcome;

/// Takes a snapshot and prints (or writes) it.
pub(crate) fn run(args: &AgentArgs) -> Result<Outcome> {
    if !args.once {
        return crate::daemon::run(args, std::env::args_os().collect());
    }
    let started = std::time::Instant::now();
    let snapshot = vigil_agent::collect(&Options {
        proc: args.proc_dir.clone(),
        root: args.host_root.clone(),
    })
    .context("reading the processes")?;
    tracing::info!(
        processes = snapshot.processes.len(),
        unseen = snapshot.unseen.len(),
        elapsed = ?started.elapsed(),
        "snapshot taken"
    );
    // Written as it is serialized: the document of a busy host is
    // megabytes long.
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(fs_err::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match args.format {
        AgentFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &snapshot)?;
            out.write_all(b"\n")?;
        }
        AgentFormat::Table => out.write_all(table(&snapshot).as_bytes())?,
    }
    out.flush()?;
    drop(out);
    if args.format == AgentFormat::Json || args.output.is_some() {
        for u in &snapshot.unseen {
            crate::warn_user(format_args!("not seen: {}: {}", u.what, u.why));
        }
    }
    Ok(Outcome::Done)
}

fn protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

fn exposure(e: Exposure) -> &'static str {
    match e {
        Exposure::Loopback => "loopback only",
        Exposure::Internal => "internal",
        Exposure::Public => "PUBLIC",
    }
}

fn kind(k: ConnectionKind) -> &'static str {
    match k {
        ConnectionKind::Loopback => "loopback",
        ConnectionKind::Private => "private",
        ConnectionKind::Public => "public",
    }
}

/// Whether a process is worth a line of the summary.
fn notable(p: &Process) -> bool {
    !p.listening.is_empty()
        || p.container.is_some()
        || p.connections.iter().any(|c| c.data_asset.is_some())
}

/// The readable summary.
fn table(s: &Snapshot) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let h = &s.host;
    let _ = writeln!(
        out,
        "Host {} (id {}), {}, kernel {}",
        if h.hostname.is_empty() {
            "?"
        } else {
            &h.hostname
        },
        h.id,
        h.os.as_deref().unwrap_or("unknown OS"),
        h.kernel.as_deref().unwrap_or("unknown"),
    );
    let listening = s
        .processes
        .iter()
        .filter(|p| !p.listening.is_empty())
        .count();
    let contained = s.processes.iter().filter(|p| p.container.is_some()).count();
    let reaching = s
        .processes
        .iter()
        .filter(|p| p.connections.iter().any(|c| c.data_asset.is_some()))
        .count();
    let public = s
        .processes
        .iter()
        .filter(|p| p.listening.iter().any(|l| l.exposure == Exposure::Public))
        .count();
    let _ = writeln!(
        out,
        "{} processes: {listening} listening ({public} internet-exposed), {contained} in containers, {reaching} reaching data stores",
        s.processes.len()
    );
    for p in s.processes.iter().filter(|p| notable(p)) {
        let name = p
            .exe
            .as_deref()
            .or(p.name.as_deref())
            .or(p.cmdline.first().map(String::as_str))
            .unwrap_or("?");
        let _ = write!(
            out,
            "\n{:>7}  {}{}  user {}",
            p.pid,
            name,
            if p.exe_deleted { " (deleted)" } else { "" },
            p.user.as_deref().unwrap_or("?")
        );
        if let Some(c) = &p.container {
            let short = c.id.get(..12).unwrap_or(&c.id);
            let _ = write!(out, "  {} container {short}", c.runtime);
            if let Some(pod) = &c.pod {
                let _ = write!(out, " (pod {pod})");
            }
            // The image it runs, when the runtime's state told it.
            if let Some(image) = s
                .containers
                .iter()
                .find(|i| i.id == c.id)
                .and_then(|i| i.image.as_ref())
            {
                let _ = write!(out, " image {}", image.reference);
                if let Some(d) = image
                    .digest
                    .as_deref()
                    .filter(|_| !image.reference.contains('@'))
                {
                    let _ = write!(out, "@{d}");
                }
            }
        }
        out.push('\n');
        for l in &p.listening {
            let address = if l.address.contains(':') {
                format!("[{}]", l.address)
            } else {
                l.address.clone()
            };
            let _ = writeln!(
                out,
                "         listens {} {address}:{}  {}",
                protocol(l.protocol),
                l.port,
                exposure(l.exposure)
            );
        }
        let inbound_public = p
            .connections
            .iter()
            .filter(|c| c.inbound && c.kind == ConnectionKind::Public)
            .count();
        if inbound_public > 0 {
            let _ = writeln!(
                out,
                "         accepted {inbound_public} connection(s) from public addresses"
            );
        }
        for c in p.connections.iter().filter(|c| c.data_asset.is_some()) {
            let _ = writeln!(
                out,
                "         reaches {} at {}:{} ({})",
                c.data_asset.as_deref().unwrap_or("?"),
                c.remote_address,
                c.remote_port,
                kind(c.kind)
            );
        }
    }
    if !s.unseen.is_empty() {
        out.push_str("\nNot seen:\n");
        for u in &s.unseen {
            let _ = writeln!(out, "  - {}: {}", u.what, u.why);
        }
    }
    out
}
