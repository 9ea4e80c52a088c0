//! SIEM export (docs/server.md, "SIEM export"): every finding event as an
//! RFC 5424 syslog message with a CEF payload (over UDP, TCP or TLS), and
//! vulnerability findings as OCSF "Vulnerability Finding" JSON lines (to
//! a file or an HTTP endpoint).
//!
//! Each exporter reads the event queue with its own cursor in the
//! database (`siem.syslog`, `siem.ocsf-file`, `siem.ocsf-url`): an event
//! is marked exported once it was written (the file flushed and synced,
//! the HTTP endpoint answered 2xx, the syslog socket accepted it), so a
//! restart neither loses nor repeats one. A destination that fails is
//! retried with a growing delay (up to a minute) until it works again.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::events::{self, Event};
use crate::query::{self, FindingOut};
use crate::AppState;

/// SIEM export settings; nothing is exported unless a destination is set.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `udp://host:port`, `tcp://host:port` or `tls://host:port`.
    pub syslog: Option<String>,
    /// Certificate authorities (PEM) trusted for `tls://`, next to the
    /// public web roots.
    pub syslog_ca: Option<PathBuf>,
    /// The syslog facility (0–23; default 16, local0).
    pub syslog_facility: u8,
    /// Append OCSF JSON lines to this file.
    pub ocsf_file: Option<PathBuf>,
    /// POST OCSF JSON lines (newline-delimited batches) to this URL.
    pub ocsf_url: Option<String>,
    /// How often the exporters look for new events.
    pub poll_interval: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            syslog: None,
            syslog_ca: None,
            syslog_facility: 16,
            ocsf_file: None,
            ocsf_url: None,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// How syslog messages travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// One datagram per message (RFC 5426).
    Udp,
    /// Octet-counted frames (RFC 6587).
    Tcp,
    /// Octet-counted frames over TLS (RFC 5425).
    Tls,
}

/// A syslog destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogTarget {
    /// The transport.
    pub transport: Transport,
    /// The host name or address.
    pub host: String,
    /// The port.
    pub port: u16,
}

impl SyslogTarget {
    /// Reads `udp://host:port`, `tcp://host:port` or `tls://host:port`
    /// (an IPv6 address in brackets).
    pub fn parse(s: &str) -> Result<SyslogTarget> {
        let (scheme, rest) = s
            .split_once("://")
            .with_context(|| format!("--syslog {s:?}: give udp://, tcp:// or tls://HOST:PORT"))?;
        let transport = match scheme {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            other => bail!("--syslog {s:?}: unknown transport {other:?} (udp, tcp or tls)"),
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest
            .rsplit_once(':')
            .with_context(|| format!("--syslog {s:?}: the port is missing"))?;
        let port: u16 = port
            .parse()
            .with_context(|| format!("--syslog {s:?}: {port:?} is not a port"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            bail!("--syslog {s:?}: the host is missing");
        }
        Ok(SyslogTarget {
            transport,
            host: host.to_string(),
            port,
        })
    }
}

/// Registers the cursor of each configured exporter, then runs them in
/// the background until the runtime stops. A destination that cannot be
/// set up (a CA file that cannot be read) is an error here, at start.
pub async fn start(state: &AppState) -> Result<()> {
    let settings = &state.config.siem;
    let mut exporters = Vec::new();
    if let Some(s) = &settings.syslog {
        let target = SyslogTarget::parse(s)?;
        let tls = match target.transport {
            Transport::Tls => Some(tls_config(settings.syslog_ca.as_deref())?),
            _ => None,
        };
        exporters.push(Exporter::Syslog(Box::new(Syslog {
            target,
            tls,
            facility: settings.syslog_facility.min(23),
            hostname: hostname(),
            conn: None,
        })));
    }
    if let Some(path) = &settings.ocsf_file {
        exporters.push(Exporter::OcsfFile(path.clone()));
    }
    if let Some(url) = &settings.ocsf_url {
        exporters.push(Exporter::OcsfUrl(url.clone(), ocsf_agent()));
    }
    for exporter in exporters {
        events::register(&state.db, exporter.consumer()).await?;
        tracing::info!(exporter = exporter.consumer(), "SIEM export on");
        let state = state.clone();
        tokio::spawn(run(state, Arc::new(Mutex::new(exporter))));
    }
    Ok(())
}

/// An exporter shared with the blocking task that sends.
type Shared = Arc<Mutex<Exporter>>;

/// The exporter, even after a send panicked while holding it (its
/// connection is dropped then).
fn lock(exporter: &Shared) -> MutexGuard<'_, Exporter> {
    exporter.lock().unwrap_or_else(|poisoned| {
        let mut e = poisoned.into_inner();
        e.reset();
        e
    })
}

async fn run(state: AppState, exporter: Shared) {
    let every = state.config.siem.poll_interval;
    let consumer = lock(&exporter).consumer();
    let mut failures: u32 = 0;
    loop {
        match export_once(&state, &exporter).await {
            Ok(n) if n > 0 => {
                failures = 0;
                continue;
            }
            Ok(_) => failures = 0,
            Err(e) => {
                failures += 1;
                tracing::warn!(exporter = consumer, error = %format!("{e:#}"),
                    "SIEM export failed; will retry");
            }
        }
        let delay = every
            .saturating_mul(1 << failures.min(6))
            .min(Duration::from_secs(60).max(every));
        tokio::time::sleep(delay).await;
    }
}

/// Exports the next batch of events; returns how many events it handled.
async fn export_once(state: &AppState, exporter: &Shared) -> Result<usize> {
    let db = &state.db;
    let consumer = lock(exporter).consumer();
    let batch = match events::claim(db, consumer, 500).await? {
        Some(b) if !b.events.is_empty() => b,
        _ => return Ok(0),
    };
    let mut records = Vec::with_capacity(batch.events.len());
    for e in &batch.events {
        records.push(
            query::finding(db, &e.finding_id, None)
                .await?
                .map(|f| (e.clone(), f)),
        );
    }
    let sender = exporter.clone();
    let (handled, error) = tokio::task::spawn_blocking(move || lock(&sender).send(&records))
        .await
        .map_err(|e| anyhow!("the {consumer} export task failed: {e}"))?;
    if handled > 0 {
        if let Err(e) = batch.commit(db, handled).await {
            lock(exporter).reset();
            return Err(e);
        }
        state.metrics.siem_events_exported.add(handled as u64);
    }
    match error {
        Some(e) => {
            lock(exporter).reset();
            Err(e)
        }
        None => Ok(handled),
    }
}

/// One SIEM destination.
pub enum Exporter {
    /// Syslog messages with CEF payloads.
    Syslog(Box<Syslog>),
    /// OCSF lines appended to a file.
    OcsfFile(PathBuf),
    /// OCSF lines posted to a URL.
    OcsfUrl(String, ureq::Agent),
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.consumer())
    }
}

type Record = Option<(Event, FindingOut)>;

impl Exporter {
    /// Its event reader's name.
    pub fn consumer(&self) -> &'static str {
        match self {
            Exporter::Syslog(_) => "siem.syslog",
            Exporter::OcsfFile(_) => "siem.ocsf-file",
            Exporter::OcsfUrl(..) => "siem.ocsf-url",
        }
    }

    fn reset(&mut self) {
        if let Exporter::Syslog(s) = self {
            s.conn = None;
        }
    }

    /// Sends the records in order; returns how many (from the first) were
    /// handled, and the error that stopped it, if any. A record without a
    /// finding (deleted since) is handled by skipping it.
    fn send(&mut self, records: &[Record]) -> (usize, Option<anyhow::Error>) {
        match self {
            Exporter::Syslog(s) => s.send(records),
            Exporter::OcsfFile(path) => {
                let lines = ocsf_lines(records);
                match append_lines(path, &lines) {
                    Ok(()) => (records.len(), None),
                    Err(e) => (0, Some(e)),
                }
            }
            Exporter::OcsfUrl(url, agent) => {
                let lines = ocsf_lines(records);
                if lines.is_empty() {
                    return (records.len(), None);
                }
                match post_lines(agent, url, &lines) {
                    Ok(()) => (records.len(), None),
                    Err(e) => (0, Some(e)),
                }
            }
        }
    }
}

fn ocsf_lines(records: &[Record]) -> String {
    let mut out = String::new();
    for (event, finding) in records.iter().flatten() {
        if let Some(v) = ocsf(event, finding) {
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
    out
}

fn append_lines(path: &Path, lines: &str) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(lines.as_bytes())?;
    file.flush()?;
    file.file()
        .sync_data()
        .with_context(|| format!("syncing {}", path.display()))?;
    Ok(())
}

fn ocsf_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn post_lines(agent: &ureq::Agent, url: &str, lines: &str) -> Result<()> {
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/x-ndjson")
        .send(lines.as_bytes())
        .map_err(|e| anyhow!("posting OCSF lines to {}: {e}", redact(url)))?;
    let status = response.status().as_u16();
    let _ = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec();
    if !(200..300).contains(&status) {
        bail!("posting OCSF lines to {}: HTTP {status}", redact(url));
    }
    Ok(())
}

/// A URL without its query (where tokens tend to be).
fn redact(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The syslog exporter: its destination and open connection.
pub struct Syslog {
    target: SyslogTarget,
    tls: Option<Arc<rustls::ClientConfig>>,
    facility: u8,
    hostname: String,
    conn: Option<Conn>,
}

enum Conn {
    Udp(UdpSocket),
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Syslog {
    fn connect(&self) -> Result<Conn> {
        let t = &self.target;
        let addrs: Vec<_> = (t.host.as_str(), t.port)
            .to_socket_addrs()
            .with_context(|| format!("resolving the syslog host {}", t.host))?
            .collect();
        let addr = *addrs
            .first()
            .with_context(|| format!("the syslog host {} has no address", t.host))?;
        let place = || format!("syslog {}:{}", t.host, t.port);
        match t.transport {
            Transport::Udp => {
                let local = if addr.is_ipv4() {
                    "0.0.0.0:0"
                } else {
                    "[::]:0"
                };
                let socket = UdpSocket::bind(local).with_context(place)?;
                socket.connect(addr).with_context(place)?;
                Ok(Conn::Udp(socket))
            }
            Transport::Tcp | Transport::Tls => {
                let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
                    .with_context(|| format!("connecting to {}", place()))?;
                stream.set_write_timeout(Some(Duration::from_secs(30)))?;
                stream.set_read_timeout(Some(Duration::from_secs(30)))?;
                let _ = stream.set_nodelay(true);
                match &self.tls {
                    None => Ok(Conn::Tcp(stream)),
                    Some(config) => {
                        let name = rustls::pki_types::ServerName::try_from(t.host.clone())
                            .with_context(|| format!("{:?} is not a TLS server name", t.host))?;
                        let conn = rustls::ClientConnection::new(config.clone(), name)
                            .with_context(place)?;
                        let mut tls = rustls::StreamOwned::new(conn, stream);
                        // Handshake now, so a certificate problem is
                        // reported as such.
                        while tls.conn.is_handshaking() {
                            tls.conn
                                .complete_io(&mut tls.sock)
                                .with_context(|| format!("TLS handshake with {}", place()))?;
                        }
                        Ok(Conn::Tls(Box::new(tls)))
                    }
                }
            }
        }
    }

    /// Whether a kept stream was closed by the server (it never sends
    /// anything on a syslog connection, so anything readable means closed
    /// or about to be).
    fn stale(conn: &Conn) -> bool {
        let sock = match conn {
            Conn::Udp(_) => return false,
            Conn::Tcp(s) => s,
            Conn::Tls(s) => &s.sock,
        };
        if sock.set_nonblocking(true).is_err() {
            return true;
        }
        let mut byte = [0u8; 1];
        let stale =
            !matches!(sock.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        stale || sock.set_nonblocking(false).is_err()
    }

    fn send(&mut self, records: &[Record]) -> (usize, Option<anyhow::Error>) {
        if self.conn.as_ref().is_some_and(Self::stale) {
            self.conn = None;
        }
        if self.conn.is_none() {
            match self.connect() {
                Ok(c) => self.conn = Some(c),
                Err(e) => return (0, Some(e)),
            }
        }
        let procid = std::process::id();
        let Some(conn) = self.conn.as_mut() else {
            return (0, Some(anyhow!("no syslog connection")));
        };
        let mut handled = 0;
        for record in records {
            let Some((event, finding)) = record else {
                handled += 1;
                continue;
            };
            let msg = syslog_message(self.facility, &self.hostname, procid, event, finding);
            let result = match conn {
                Conn::Udp(s) => s.send(truncate(&msg, MAX_DATAGRAM).as_bytes()).map(|_| ()),
                Conn::Tcp(s) => write_frame(s, &msg),
                Conn::Tls(s) => write_frame(s.as_mut(), &msg),
            };
            if let Err(e) = result {
                let place = format!("syslog {}:{}", self.target.host, self.target.port);
                return (
                    handled,
                    Some(anyhow!(e).context(format!("sending to {place}"))),
                );
            }
            handled += 1;
        }
        let flushed = match conn {
            Conn::Udp(_) => Ok(()),
            Conn::Tcp(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        };
        match flushed {
            Ok(()) => (handled, None),
            Err(e) => (
                0,
                Some(anyhow!(e).context("flushing the syslog connection")),
            ),
        }
    }
}

/// The longest UDP message sent, in bytes (rsyslog's default message size
/// limit; RFC 5426 leaves it to the receivers): longer ones are cut.
const MAX_DATAGRAM: usize = 8192;

/// `s` cut to at most `max` bytes, at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An octet-counted frame: `LEN SP MSG` (RFC 6587 3.4.1, RFC 5425 4.3).
fn write_frame(w: &mut impl Write, msg: &str) -> std::io::Result<()> {
    let frame = format!("{} {msg}", msg.len());
    w.write_all(frame.as_bytes())
}

/// The TLS client configuration: the public web roots and the CA file.
fn tls_config(ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let _ = roots.add(cert.clone());
    }
    if let Some(path) = ca {
        let pem = fs_err::read(path)?;
        let mut added = 0;
        for item in ureq::tls::parse_pem(&pem) {
            if let Ok(ureq::tls::PemItem::Certificate(c)) = item {
                roots
                    .add(rustls::pki_types::CertificateDer::from(c.der().to_vec()))
                    .with_context(|| {
                        format!("a certificate in {} is not usable as a CA", path.display())
                    })?;
                added += 1;
            }
        }
        if added == 0 {
            bail!("{}: no PEM CERTIFICATE block in it", path.display());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// This machine's name for the syslog header (`-` when unknown).
fn hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if name.is_empty() {
        "-".to_string()
    } else {
        name
    }
}

/// The syslog severity (RFC 5424 6.2.1) of an event: a fixed finding is
/// informational (6); otherwise CRITICAL → critical (2), HIGH → error
/// (3), MEDIUM → warning (4), LOW → notice (5), other → informational.
pub fn syslog_severity(kind: &str, severity: &str) -> u8 {
    if kind == "finding.fixed" {
        return 6;
    }
    match severity {
        "CRITICAL" => 2,
        "HIGH" => 3,
        "MEDIUM" => 4,
        "LOW" => 5,
        _ => 6,
    }
}

/// An RFC 5424 message:
/// `<PRI>1 TIMESTAMP HOSTNAME vigil PROCID MSGID - CEF:0|…`.
pub fn syslog_message(
    facility: u8,
    hostname: &str,
    procid: u32,
    event: &Event,
    finding: &FindingOut,
) -> String {
    let pri = u32::from(facility) * 8 + u32::from(syslog_severity(&event.kind, &finding.severity));
    // MSGID: printable US-ASCII, at most 32 characters.
    let msgid: String = event
        .kind
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(32)
        .collect();
    format!(
        "<{pri}>1 {} {hostname} vigil {procid} {msgid} - {}",
        vigil_model::time::rfc3339(event.created_at),
        cef(event, finding)
    )
}

/// CEF's severity (0–10) of a finding's.
pub fn cef_severity(severity: &str) -> u8 {
    match severity {
        "CRITICAL" => 10,
        "HIGH" => 8,
        "MEDIUM" => 5,
        "LOW" => 3,
        _ => 0,
    }
}

/// A CEF header field: `\` and `|` escaped, line breaks made spaces.
fn cef_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A CEF extension value: `\`, `=` and line breaks escaped.
fn cef_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// The CEF record of an event:
/// `CEF:0|vigil|vigil|VERSION|RULE|TITLE|SEVERITY|EXTENSIONS`.
pub fn cef(event: &Event, finding: &FindingOut) -> String {
    let mut ext: Vec<(&str, String)> = vec![
        ("rt", (event.created_at * 1000).to_string()),
        ("act", event.kind.clone()),
        ("cat", finding.kind.clone()),
        ("externalId", finding.id.clone()),
        ("dhost", finding.asset.name.clone()),
    ];
    if let Some(p) = &finding.package {
        ext.push(("cs1Label", "package".into()));
        ext.push(("cs1", format!("{}@{}", p.name, p.version)));
    }
    ext.push(("cs2Label", "assetKind".into()));
    ext.push(("cs2", finding.asset.kind.clone()));
    if let Some(t) = &finding.asset.team {
        ext.push(("cs3Label", "team".into()));
        ext.push(("cs3", t.clone()));
    }
    let aliases = strings(&finding.finding["aliases"]);
    if !aliases.is_empty() {
        ext.push(("cs4Label", "aliases".into()));
        ext.push(("cs4", aliases.join(",")));
    }
    let fixed = strings(&finding.finding["fixed_versions"]);
    if !fixed.is_empty() {
        ext.push(("cs5Label", "fixedVersions".into()));
        ext.push(("cs5", fixed.join(",")));
    }
    ext.push(("cs6Label", "state".into()));
    ext.push(("cs6", finding.state.clone()));
    ext.push(("cn1Label", "kev".into()));
    ext.push(("cn1", u8::from(finding.kev).to_string()));
    // The risk score (docs/risk.md): a floating-point custom field, its
    // reasons in `reason`.
    if let Some(r) = &finding.risk {
        ext.push(("cfp1Label", "riskScore".into()));
        ext.push(("cfp1", format!("{:.1}", r.score)));
        if !r.reasons.is_empty() {
            ext.push(("reason", r.reasons.join("; ")));
        }
    }
    if let Some(path) = &finding.path {
        ext.push(("filePath", path.clone()));
    }
    let extensions: Vec<String> = ext
        .iter()
        .map(|(k, v)| format!("{k}={}", cef_value(v)))
        .collect();
    format!(
        "CEF:0|vigil|vigil|{}|{}|{}|{}|{}",
        cef_header(env!("CARGO_PKG_VERSION")),
        cef_header(&finding.rule_id),
        cef_header(&finding.title),
        cef_severity(&finding.severity),
        extensions.join(" ")
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The OCSF schema version the records follow.
pub const OCSF_VERSION: &str = "1.3.0";

/// A time as the API writes it (`YYYY-MM-DDTHH:MM:SSZ`) as OCSF's
/// milliseconds since the epoch.
fn ocsf_time(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from the civil date (proleptic Gregorian calendar).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3_600 + mm * 60 + ss) * 1000)
}

/// The OCSF "Vulnerability Finding" (class 2002) record of an event about
/// a vulnerability finding; `None` for other findings (misconfigurations
/// and secrets are not vulnerabilities: syslog and webhooks carry them).
pub fn ocsf(event: &Event, finding: &FindingOut) -> Option<Value> {
    if finding.kind != "vulnerability" {
        return None;
    }
    let (activity_id, activity) = match event.kind.as_str() {
        "finding.new" => (1, "Create"),
        "finding.fixed" => (3, "Close"),
        _ => (2, "Update"),
    };
    let (severity_id, severity) = match finding.severity.as_str() {
        "CRITICAL" => (5, "Critical"),
        "HIGH" => (4, "High"),
        "MEDIUM" => (3, "Medium"),
        "LOW" => (2, "Low"),
        _ => (0, "Unknown"),
    };
    let (status_id, status) = match (event.kind.as_str(), finding.triage.as_ref()) {
        ("finding.fixed", _) => (4, "Resolved"),
        (_, Some(_)) => (3, "Suppressed"),
        ("finding.new", None) => (1, "New"),
        _ => (2, "In Progress"),
    };
    let aliases = strings(&finding.finding["aliases"]);
    let cve = std::iter::once(finding.rule_id.clone())
        .chain(aliases.iter().cloned())
        .find(|id| id.starts_with("CVE-"))
        .unwrap_or_else(|| finding.rule_id.clone());
    let mut package = json!({});
    if let Some(p) = &finding.package {
        package = json!({ "name": p.name, "version": p.version });
        if let Some(purl) = finding.finding["package"]["purl"].as_str() {
            package["purl"] = json!(purl);
        }
    }
    let mut vulnerability = json!({
        "cve": { "uid": cve },
        "title": finding.title,
        "severity": severity,
        "fix_available": finding.fix_available,
        "is_exploit_available": finding.kev,
        "vendor_name": "vigil",
    });
    if finding.package.is_some() {
        vulnerability["affected_packages"] = json!([package]);
    }
    let related: Vec<&String> = aliases.iter().filter(|a| **a != cve).collect();
    if !related.is_empty() || cve != finding.rule_id {
        let mut ids: Vec<&String> = vec![&finding.rule_id];
        ids.extend(related);
        ids.retain(|id| **id != cve);
        vulnerability["related_vulnerabilities"] = json!(ids);
    }
    let fixed = strings(&finding.finding["fixed_versions"]);
    if !fixed.is_empty() {
        vulnerability["remediation"] =
            json!({ "desc": format!("Upgrade to {}", fixed.join(" or ")) });
    }
    if let Some(s) = finding.finding["cvss"]["score"].as_f64() {
        vulnerability["cve"]["cvss"] = json!([{
            "base_score": s,
            "vector_string": finding.finding["cvss"]["vector"],
            "version": finding.finding["cvss"]["version"],
        }]);
    }
    // The risk score (docs/risk.md): OCSF's `risk_score` is an integer, so
    // it is the score in tenths (0–100); the level is its band.
    let risk = finding.risk.as_ref().map(|r| {
        let tenths = crate::risk::score_tenths(r.score);
        let (level_id, level) = match crate::risk::band(Some(tenths)) {
            "critical" => (4, "Critical"),
            "high" => (3, "High"),
            "medium" => (2, "Medium"),
            "low" => (1, "Low"),
            _ => (0, "Info"),
        };
        (tenths, level_id, level, r.reasons.join("; "))
    });
    let mut resource = json!({
        "uid": finding.asset.id,
        "name": finding.asset.name,
        "type": finding.asset.kind,
    });
    if let Some(t) = &finding.asset.team {
        resource["owner"] = json!({ "name": t });
        resource["labels"] = json!([format!("team:{t}")]);
    }
    let mut record = json!({
        "class_uid": 2002,
        "class_name": "Vulnerability Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": 2002 * 100 + activity_id,
        "type_name": format!("Vulnerability Finding: {activity}"),
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "time": event.created_at * 1000,
        "message": finding.title,
        "finding_info": {
            "uid": finding.id,
            "title": finding.title,
            "first_seen_time": ocsf_time(&finding.first_seen),
            "last_seen_time": ocsf_time(&finding.last_seen),
            "types": [finding.kind],
        },
        "vulnerabilities": [vulnerability],
        "resources": [resource],
        "metadata": {
            "version": OCSF_VERSION,
            "uid": event.id,
            "product": {
                "name": "vigil",
                "vendor_name": "vigil",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
    });
    if let Some((score, level_id, level, details)) = risk {
        record["risk_score"] = json!(score);
        record["risk_level_id"] = json!(level_id);
        record["risk_level"] = json!(level);
        record["risk_details"] = json!(details);
    }
    Some(record)
}

/// The messages of the complete octet-counted frames at the start of
/// `bytes`, and how many bytes they took (for tests and tools that read a
/// syslog stream).
pub fn parse_frames(bytes: &[u8]) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut used = 0;
    let mut rest = bytes;
    while let Some(sp) = rest.iter().position(|b| *b == b' ') {
        let Some(len) = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            break;
        };
        let body = &rest[sp + 1..];
        if body.len() < len {
            break;
        }
        out.push(String::from_utf8_lossy(&body[..len]).into_owned());
        used += sp + 1 + len;
        rest = &body[len..];
    }
    (out, used)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::query::{AssetRef, PackageOut};

    fn finding() -> FindingOut {
        FindingOut {
            id: "f1".into(),
            asset: AssetRef {
                id: "a1".into(),
                kind: "repository".into(),
                name: "git.example/shop|pay".into(),
                team: Some("payments".into()),
            },
            fingerprint: "fp".into(),
            kind: "vulnerability".into(),
            rule_id: "GHSA-462w-v97r-4m45".into(),
            title: "Sandbox escape | a=b \\ c\nd".into(),
            severity: "HIGH".into(),
            kev: true,
            fix_available: true,
            package: Some(PackageOut {
                ecosystem: "PyPI".into(),
                name: "Jinja2".into(),
                version: "2.4.1".into(),
            }),
            path: Some("requirements.txt".into()),
            exposure: None,
            risk: Some(crate::risk::RiskOut {
                score: 8.5,
                reasons: vec!["known exploited (KEV): +1.0".into()],
            }),
            state: "new".into(),
            triage: None,
            origin: "scan".into(),
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-02T00:00:00Z".into(),
            fixed_at: None,
            reopened_at: None,
            finding: json!({ "aliases": ["CVE-2019-10906", "PYSEC-2019-217"],
                             "fixed_versions": ["2.10.1"],
                             "package": { "purl": "pkg:pypi/jinja2@2.4.1" } }),
        }
    }

    fn event(kind: &str) -> Event {
        Event {
            id: "e1".into(),
            seq: 1,
            created_at: 1_767_225_600,
            kind: kind.into(),
            finding_id: "f1".into(),
            asset_id: "a1".into(),
        }
    }

    #[test]
    fn api_times_convert_to_epoch_milliseconds() {
        for secs in [0i64, 951_782_400, 1_767_225_600, 4_102_444_799] {
            assert_eq!(
                ocsf_time(&vigil_model::time::rfc3339(secs)),
                Some(secs * 1000)
            );
        }
        assert_eq!(ocsf_time("yesterday"), None);
    }

    #[test]
    fn long_datagrams_are_cut_at_a_character_boundary() {
        assert_eq!(truncate("abc", 8), "abc");
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(
            truncate(&"x".repeat(9000), MAX_DATAGRAM).len(),
            MAX_DATAGRAM
        );
    }

    #[test]
    fn targets_parse() {
        assert_eq!(
            SyslogTarget::parse("tls://siem.example:6514").unwrap(),
            SyslogTarget {
                transport: Transport::Tls,
                host: "siem.example".into(),
                port: 6514
            }
        );
        assert_eq!(SyslogTarget::parse("udp://[::1]:514").unwrap().host, "::1");
        assert!(SyslogTarget::parse("http://x:1").is_err());
        assert!(SyslogTarget::parse("tcp://x").is_err());
        assert!(SyslogTarget::parse("siem.example:514").is_err());
    }

    #[test]
    fn cef_escapes_header_and_extension_values() {
        let line = cef(&event("finding.new"), &finding());
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            line.starts_with(&format!(
                "CEF:0|vigil|vigil|{version}|GHSA-462w-v97r-4m45|Sandbox escape \\| a=b \\\\ c d|8|"
            )),
            "{line}"
        );
        assert!(line.contains(" dhost=git.example/shop|pay "), "{line}");
        assert!(line.contains("rt=1767225600000 act=finding.new "), "{line}");
        assert!(
            line.contains("cs1Label=package cs1=Jinja2@2.4.1 "),
            "{line}"
        );
        assert!(line.contains("cn1Label=kev cn1=1"), "{line}");
        assert!(
            line.contains("cfp1Label=riskScore cfp1=8.5 reason=known exploited (KEV): +1.0"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        assert_eq!(cef_value("a=b\\c\nd\re"), "a\\=b\\\\c\\nd\\re");
    }

    #[test]
    fn syslog_headers_follow_rfc5424() {
        let m = syslog_message(16, "host1", 42, &event("finding.new"), &finding());
        // local0 (16) × 8 + error (3) = 131.
        assert!(
            m.starts_with("<131>1 2026-01-01T00:00:00Z host1 vigil 42 finding.new - CEF:0|"),
            "{m}"
        );
        let fixed = syslog_message(16, "host1", 42, &event("finding.fixed"), &finding());
        assert!(fixed.starts_with("<134>1 "), "{fixed}");
        let mut framed = Vec::new();
        write_frame(&mut framed, "héllo").unwrap();
        write_frame(&mut framed, "b").unwrap();
        assert_eq!(framed, "6 héllo1 b".as_bytes());
        assert_eq!(
            parse_frames(&framed),
            (vec!["héllo".to_string(), "b".to_string()], 11)
        );
        assert_eq!(parse_frames(b"5 abc").1, 0, "an incomplete frame");
    }

    #[test]
    fn ocsf_records_are_vulnerability_findings() {
        let v = ocsf(&event("finding.reopened"), &finding()).unwrap();
        assert_eq!(v["class_uid"], 2002);
        assert_eq!(v["category_uid"], 2);
        assert_eq!(v["activity_id"], 2);
        assert_eq!(v["type_uid"], 200202);
        assert_eq!(v["severity_id"], 4);
        assert_eq!(v["time"], 1_767_225_600_000i64);
        assert_eq!(v["finding_info"]["first_seen_time"], 1_767_225_600_000i64);
        let vuln = &v["vulnerabilities"][0];
        assert_eq!(vuln["cve"]["uid"], "CVE-2019-10906");
        assert_eq!(vuln["is_exploit_available"], true);
        assert_eq!(
            vuln["affected_packages"][0],
            json!({ "name": "Jinja2", "version": "2.4.1", "purl": "pkg:pypi/jinja2@2.4.1" })
        );
        assert_eq!(
            vuln["related_vulnerabilities"],
            json!(["GHSA-462w-v97r-4m45", "PYSEC-2019-217"])
        );
        assert_eq!(v["resources"][0]["name"], "git.example/shop|pay");
        assert_eq!(v["metadata"]["product"]["name"], "vigil");
        assert_eq!(v["risk_score"], 85);
        assert_eq!(v["risk_level_id"], 3);
        assert_eq!(v["risk_level"], "High");
        assert_eq!(v["risk_details"], "known exploited (KEV): +1.0");
        let mut unscored = finding();
        unscored.risk = None;
        assert!(ocsf(&event("finding.new"), &unscored)
            .unwrap()
            .get("risk_score")
            .is_none());
        assert_eq!(
            ocsf(&event("finding.fixed"), &finding()).unwrap()["activity_id"],
            3
        );
        let mut secret = finding();
        secret.kind = "secret".into();
        assert!(ocsf(&event("finding.new"), &secret).is_none());
    }
}
