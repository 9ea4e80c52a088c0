//! `vigil agent --server URL`: a snapshot every interval, sent to the
//! server as a full snapshot or a delta against the previous document
//! (docs/agent.md, docs/server-protocol.md). What cannot be sent waits in
//! the spool, oldest first; SIGHUP reloads the configuration, SIGTERM and
//! SIGINT stop after the current send.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use vigil_agent::{Options, Snapshot};

use crate::cli::{AgentArgs, Command};
use crate::spool::{Entry, Kind, Spool};
use crate::upload::{Answer, Backoff, Client};
use crate::Outcome;

/// How long the loop sleeps at most before looking at the signals again.
const TICK: Duration = Duration::from_millis(100);
/// The first wait after a failed send.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// The longest wait between retries.
const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// The settings the daemon runs with (reloaded on SIGHUP).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settings {
    server: String,
    token_file: Option<PathBuf>,
    ca_cert: Option<PathBuf>,
    interval: Duration,
    full_every: Duration,
    spool_dir: PathBuf,
    spool_max: u64,
    proc_dir: PathBuf,
    host_root: PathBuf,
}

/// Whether this process runs as root (its /proc entry is root's).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `/var/lib/vigil/spool` as root, else the user cache directory's
/// `vigil/spool`.
fn default_spool_dir() -> PathBuf {
    if is_root() {
        return PathBuf::from("/var/lib/vigil/spool");
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("vigil")
        .join("spool")
}

impl Settings {
    fn from_args(args: &AgentArgs) -> Result<Settings> {
        let Some(server) = args.server.clone() else {
            bail!("daemon mode needs --server URL (or VIGIL_AGENT_SERVER, or `server` in the [agent] table of vigil.toml); use --once to print one snapshot");
        };
        Ok(Settings {
            server,
            token_file: args.token_file.clone(),
            ca_cert: args.ca_cert.clone(),
            interval: args.interval,
            full_every: args.full_every,
            spool_dir: args.spool_dir.clone().unwrap_or_else(default_spool_dir),
            spool_max: args.spool_max,
            proc_dir: args.proc_dir.clone(),
            host_root: args.host_root.clone(),
        })
    }

    /// A client of the server, with the token read now.
    fn client(&self) -> Result<Client> {
        let token = crate::upload::token(
            self.token_file.as_deref(),
            "VIGIL_AGENT_TOKEN",
            "--token-file",
        )?;
        Client::new(&self.server, token, self.ca_cert.as_deref())
    }
}

/// The signals, as flags the loop reads.
struct Signals {
    stop: Arc<AtomicBool>,
    reload: Arc<AtomicBool>,
}

impl Signals {
    fn register() -> Result<Signals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let stop = Arc::new(AtomicBool::new(false));
        let reload = Arc::new(AtomicBool::new(false));
        for sig in [SIGTERM, SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&stop))
                .context("installing the signal handlers")?;
        }
        signal_hook::flag::register(SIGHUP, Arc::clone(&reload))
            .context("installing the signal handlers")?;
        Ok(Signals { stop, reload })
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

struct Daemon {
    settings: Settings,
    client: Client,
    spool: Spool,
    /// Whether the spool holds documents.
    pending: bool,
    /// The last snapshot made into a document, and that document's id.
    last: Option<(Snapshot, String)>,
    need_full: bool,
    last_full: Option<Instant>,
    backoff: Backoff,
    /// When the server may be tried again after a failure.
    retry_at: Option<Instant>,
    next_snapshot: Instant,
}

/// Runs the daemon until SIGTERM or SIGINT.
pub(crate) fn run(args: &AgentArgs, argv: Vec<OsString>) -> Result<Outcome> {
    let settings = Settings::from_args(args)?;
    let client = settings.client()?;
    let spool = Spool::open(&settings.spool_dir, settings.spool_max)
        .with_context(|| format!("the spool {}", settings.spool_dir.display()))?;
    let signals = Signals::register()?;
    let spooled = spool.entries()?.len();
    tracing::info!(
        server = client.server(),
        interval = ?settings.interval,
        full_every = ?settings.full_every,
        spool = %spool.dir().display(),
        spooled,
        "agent started"
    );
    let mut daemon = Daemon {
        settings,
        client,
        spool,
        pending: spooled > 0,
        last: None,
        need_full: true,
        last_full: None,
        backoff: Backoff::new(BACKOFF_BASE, BACKOFF_CAP),
        retry_at: None,
        next_snapshot: Instant::now(),
    };
    loop {
        if signals.stopping() {
            break;
        }
        if signals.reload.swap(false, Ordering::Relaxed) {
            daemon.reload(&argv);
        }
        let now = Instant::now();
        if now >= daemon.next_snapshot {
            daemon.next_snapshot = now + daemon.settings.interval;
            daemon.tick(&signals);
            continue;
        }
        if daemon.pending && daemon.retry_at.is_some_and(|t| now >= t) {
            daemon.drain(&signals);
            continue;
        }
        let mut wake = daemon.next_snapshot;
        if let Some(t) = daemon.retry_at.filter(|_| daemon.pending) {
            wake = wake.min(t);
        }
        std::thread::sleep(wake.saturating_duration_since(now).min(TICK));
    }
    tracing::info!(
        spooled = daemon.spool.entries().map(|e| e.len()).unwrap_or(0),
        "agent stopped"
    );
    Ok(Outcome::Done)
}

impl Daemon {
    /// Takes a snapshot and sends it (or spools it).
    fn tick(&mut self, signals: &Signals) {
        let started = Instant::now();
        let snapshot = match vigil_agent::collect(&Options {
            proc: self.settings.proc_dir.clone(),
            root: self.settings.host_root.clone(),
        }) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "reading the processes");
                return;
            }
        };
        tracing::debug!(processes = snapshot.processes.len(), elapsed = ?started.elapsed(), "snapshot taken");
        let full_due = self
            .last_full
            .is_none_or(|t| t.elapsed() >= self.settings.full_every);
        let id = crate::upload::upload_id();
        let (kind, json) = match &self.last {
            Some((last, base)) if !self.need_full && !full_due => {
                let mut delta = vigil_agent::diff(last, &snapshot);
                delta.base = base.clone();
                (Kind::Delta, serde_json::to_vec(&delta))
            }
            _ => (Kind::Full, serde_json::to_vec(&snapshot)),
        };
        let body = match json
            .map_err(anyhow::Error::from)
            .and_then(|j| crate::upload::gzip(&j))
        {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "encoding the snapshot");
                return;
            }
        };
        // Only the last snapshot is kept.
        self.last = Some((snapshot, id.clone()));
        if kind == Kind::Full {
            self.need_full = false;
            self.last_full = Some(Instant::now());
        }
        if self.pending || self.retry_at.is_some() {
            self.put(kind, &id, &body);
            if self.retry_at.is_none_or(|t| Instant::now() >= t) {
                self.drain(signals);
            }
            return;
        }
        match self.send(kind, &id, &body) {
            Sent::Done => {}
            Sent::Dropped => self.need_full = true,
            Sent::Later => self.put(kind, &id, &body),
        }
    }

    /// Adds a document to the spool, bounded.
    fn put(&mut self, kind: Kind, id: &str, body: &[u8]) {
        match self.spool.put(kind, id, body) {
            Ok(dropped) => {
                self.pending = true;
                tracing::debug!(kind = kind.as_str(), id, bytes = body.len(), "spooled");
                if dropped.documents > 0 {
                    tracing::warn!(
                        dropped = dropped.documents,
                        bytes = dropped.bytes,
                        max = self.settings.spool_max,
                        "the spool is over --spool-max: dropped its {} oldest document(s); the next one is a full snapshot",
                        dropped.documents
                    );
                    self.need_full = true;
                }
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), kind = kind.as_str(), id, "could not spool a document; it is lost, the next one is a full snapshot");
                self.need_full = true;
            }
        }
    }

    /// Sends one document; tells whether it is done with (stored, or
    /// refused for good) or must wait for a later try.
    fn send(&mut self, kind: Kind, id: &str, body: &[u8]) -> Sent {
        let started = Instant::now();
        let answer = self.client.post(crate::upload::SNAPSHOTS, id, body);
        let status = match answer.status() {
            0 => "none".to_string(),
            s => s.to_string(),
        };
        tracing::info!(
            kind = kind.as_str(),
            id,
            bytes = body.len(),
            status = %status,
            elapsed = ?started.elapsed(),
            "send"
        );
        match answer {
            Answer::Stored { .. } => {
                self.backoff.reset();
                self.retry_at = None;
                Sent::Done
            }
            Answer::Refused { status, message } => {
                tracing::warn!(
                    kind = kind.as_str(),
                    id,
                    status,
                    "the server refused the document: {message}; it is dropped"
                );
                Sent::Dropped
            }
            Answer::MissingBase { message } => {
                tracing::warn!(id, "the server does not have the delta's base ({message}); the next document is a full snapshot");
                Sent::Dropped
            }
            Answer::Unauthorized { status, message } => {
                let wait = self.backoff.next(None);
                self.retry_at = Some(Instant::now() + wait);
                tracing::error!(server = self.client.server(), status, retry_in = ?wait, "the server did not accept the token: {message}");
                Sent::Later
            }
            Answer::Retry { reason, after, .. } => {
                let wait = self.backoff.next(after);
                self.retry_at = Some(Instant::now() + wait);
                tracing::warn!(server = self.client.server(), retry_in = ?wait, "could not send: {reason}");
                Sent::Later
            }
        }
    }

    /// Sends the spooled documents, oldest first, until one fails or a
    /// stop is asked.
    fn drain(&mut self, signals: &Signals) {
        let entries = match self.spool.entries() {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "reading the spool");
                self.retry_at = Some(Instant::now() + self.backoff.next(None));
                return;
            }
        };
        let mut i = 0;
        while i < entries.len() {
            if signals.stopping() {
                return;
            }
            let e = &entries[i];
            i += 1;
            let body = match self.spool.read(e) {
                Ok(b) => b,
                Err(err) => {
                    tracing::warn!(file = %e.path.display(), error = %format!("{err:#}"), "an unreadable spooled document is dropped");
                    self.discard(e);
                    self.need_full = true;
                    continue;
                }
            };
            let missing_base = e.kind == Kind::Delta;
            match self.send(e.kind, &e.id, &body) {
                Sent::Done => self.discard(e),
                Sent::Later => return,
                Sent::Dropped => {
                    self.discard(e);
                    // The deltas after it build on it: gone with it, up
                    // to the next full snapshot.
                    let mut skipped = 0;
                    while let Some(next) = entries.get(i).filter(|n| n.kind == Kind::Delta) {
                        self.discard(next);
                        skipped += 1;
                        i += 1;
                    }
                    if skipped > 0 {
                        tracing::warn!(
                            skipped,
                            "spooled deltas after the {} document are dropped",
                            if missing_base {
                                "rejected delta"
                            } else {
                                "refused"
                            }
                        );
                    }
                    if i >= entries.len() {
                        self.need_full = true;
                    }
                }
            }
        }
        self.pending = !self.spool.is_empty().unwrap_or(true);
    }

    fn discard(&self, e: &Entry) {
        if let Err(err) = self.spool.remove(e) {
            tracing::error!(error = %format!("{err:#}"), "removing a spooled document");
        }
    }

    /// SIGHUP: the command line and configuration file read again, the
    /// token file too.
    fn reload(&mut self, argv: &[OsString]) {
        let args = match crate::config::reload(argv.to_vec()) {
            Ok(r) => match r.cli.command {
                Command::Agent(a) => a,
                _ => return,
            },
            Err(e) => {
                tracing::error!("reloading the configuration: {e:#}; the current one stays");
                return;
            }
        };
        let settings = match Settings::from_args(&args) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("reloading the configuration: {e:#}; the current one stays");
                return;
            }
        };
        let client = match settings.client() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("reloading the configuration: {e:#}; the current one stays");
                return;
            }
        };
        if settings.spool_dir != self.settings.spool_dir {
            tracing::warn!(
                spool = %self.settings.spool_dir.display(),
                "a new --spool-dir takes a restart; the current spool stays"
            );
        }
        let spool_dir = self.settings.spool_dir.clone();
        self.spool.set_max(settings.spool_max);
        if settings.server != self.settings.server {
            // A new server has none of this agent's documents.
            self.need_full = true;
            self.retry_at = None;
            self.backoff.reset();
        }
        if settings.interval != self.settings.interval {
            self.next_snapshot = self.next_snapshot.min(Instant::now() + settings.interval);
        }
        self.client = client;
        self.settings = Settings {
            spool_dir,
            ..settings
        };
        // Try the server again now: the token or address may be fixed.
        if self.retry_at.is_some() {
            self.retry_at = Some(Instant::now());
        }
        tracing::info!(
            server = self.client.server(),
            interval = ?self.settings.interval,
            full_every = ?self.settings.full_every,
            spool_max = self.settings.spool_max,
            "configuration reloaded"
        );
    }
}

/// What became of a send.
enum Sent {
    /// Stored.
    Done,
    /// Refused for good, or its base is missing: dropped.
    Dropped,
    /// To be tried again later.
    Later,
}
