//! SIEM export end to end: RFC 5424 syslog with CEF payloads received by
//! a real rsyslog (Debian's rsyslogd, started by the test on 127.0.0.1
//! when VIGIL_SIEM_TESTS is set) over UDP and TCP, by a TLS listener of
//! the test (rustls), and OCSF lines to a file and an HTTP endpoint.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{report, TestServer};

fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fast(c: &mut vigil_server::Config) {
    c.siem.poll_interval = Duration::from_millis(100);
}

/// A CEF record: the seven header fields (unescaped) and the extensions.
#[derive(Debug)]
struct Cef {
    header: Vec<String>,
    ext: BTreeMap<String, String>,
}

fn parse_cef(s: &str) -> Cef {
    let mut header = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars();
    while header.len() < 7 {
        match chars
            .next()
            .unwrap_or_else(|| panic!("a short CEF header: {s}"))
        {
            '\\' => field.push(chars.next().unwrap()),
            '|' => header.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    let rest: String = chars.collect();
    // Extensions: `key=value` pairs; a value runs to the next ` key=`;
    // `\=`, `\\` and `\n` are escapes.
    let mut ext = BTreeMap::new();
    let mut key: Option<String> = None;
    let mut value = String::new();
    for token in rest.split(' ') {
        let starts_pair = token
            .find('=')
            .is_some_and(|i| i > 0 && token[..i].chars().all(|c| c.is_ascii_alphanumeric()));
        if starts_pair {
            if let Some(k) = key.take() {
                ext.insert(k, unescape(&value));
            }
            let (k, v) = token.split_once('=').unwrap();
            key = Some(k.to_string());
            value = v.to_string();
        } else {
            value.push(' ');
            value.push_str(token);
        }
    }
    if let Some(k) = key {
        ext.insert(k, unescape(&value));
    }
    Cef { header, ext }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(c) => out.push(c),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// What the API says about the findings: rule ID → (finding ID, asset
/// name, severity).
fn findings_by_rule(srv: &TestServer) -> BTreeMap<String, (String, String, String)> {
    let (s, v) = srv.get("/api/v1/findings?limit=1000", &srv.admin_token);
    assert_eq!(s, 200);
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["asset"]["name"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// Checks CEF records against the findings of report-a, all new.
fn check_new_findings(srv: &TestServer, records: &[Cef]) {
    let findings = findings_by_rule(srv);
    let rules: BTreeSet<&str> = records.iter().map(|c| c.header[4].as_str()).collect();
    assert_eq!(
        rules,
        findings.keys().map(String::as_str).collect::<BTreeSet<_>>()
    );
    for c in records {
        assert_eq!(&c.header[..3], ["CEF:0", "vigil", "vigil"]);
        assert_eq!(c.header[3], env!("CARGO_PKG_VERSION"));
        let (id, asset, severity) = &findings[&c.header[4]];
        let cef_severity = match severity.as_str() {
            "CRITICAL" => "10",
            "HIGH" => "8",
            "MEDIUM" => "5",
            _ => "3",
        };
        assert_eq!(c.header[6], cef_severity, "{c:?}");
        assert_eq!(&c.ext["externalId"], id);
        assert_eq!(&c.ext["dhost"], asset);
        assert_eq!(c.ext["act"], "finding.new");
        assert_eq!(c.ext["cn1Label"], "kev");
        assert!(c.ext["rt"].parse::<i64>().unwrap() > 1_700_000_000_000);
    }
    let jinja = records
        .iter()
        .find(|c| c.header[4] == "GHSA-462w-v97r-4m45")
        .unwrap();
    assert_eq!(
        jinja.header[5],
        "Jinja2 sandbox escape via string formatting"
    );
    assert_eq!(jinja.ext["cs1Label"], "package");
    assert_eq!(jinja.ext["cs1"], "Jinja2@2.4.1");
    assert_eq!(jinja.ext["cs4"], "CVE-2019-10906,PYSEC-2019-217");
    assert_eq!(jinja.ext["cs5"], "2.10.1");
    // The risk score the server computed (no runtime context: the base
    // score with the exploit signals).
    assert_eq!(jinja.ext["cfp1Label"], "riskScore");
    assert_eq!(jinja.ext["cfp1"], "8.6");
    assert_eq!(jinja.ext["reason"], "not in KEV");
    let secret = records
        .iter()
        .find(|c| c.header[4] == "github-pat-classic")
        .unwrap();
    assert!(!secret.ext.contains_key("cfp1"), "no score: {secret:?}");
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// rsyslogd in the foreground with a configuration of the test; killed
/// when dropped.
struct Rsyslog {
    child: Child,
    dir: PathBuf,
    udp: u16,
    tcp: u16,
}

impl Rsyslog {
    fn start(dir: &Path, udp: u16, tcp: u16) -> Rsyslog {
        let d = dir.display();
        // One output file per input; the template writes the fields rsyslog
        // parsed from the RFC 5424 header.
        let conf = format!(
            r#"global(workDirectory="{d}")
module(load="imudp")
module(load="imtcp")
template(name="fields" type="string" string="%protocol-version%|%pri%|%app-name%|%procid%|%msgid%|%hostname%|%timereported:::date-rfc3339%|%structured-data%|%msg%\n")
ruleset(name="udp") {{ action(type="omfile" file="{d}/udp.log" template="fields") }}
ruleset(name="tcp") {{ action(type="omfile" file="{d}/tcp.log" template="fields") }}
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="{tcp}" ruleset="tcp")
"#
        );
        let conf_path = dir.join("rsyslog.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let binary = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("VIGIL_SIEM_TESTS is set but rsyslogd is missing (Debian package rsyslog)");
        let log = std::fs::File::create(dir.join("rsyslogd.out")).unwrap();
        let child = Command::new(binary)
            .arg("-n")
            .arg("-f")
            .arg(&conf_path)
            .arg("-i")
            .arg(dir.join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let r = Rsyslog {
            child,
            dir: dir.to_path_buf(),
            udp,
            tcp,
        };
        wait_for("rsyslogd to listen on TCP", || {
            TcpStream::connect(("127.0.0.1", tcp)).is_ok()
        });
        // UDP has no handshake: send a probe until it is written.
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        wait_for("rsyslogd to receive UDP", || {
            probe
                .send_to(b"<14>1 - - probe - - - probe", ("127.0.0.1", udp))
                .unwrap();
            std::thread::sleep(Duration::from_millis(100));
            r.lines("udp.log").iter().any(|l| l.ends_with("|probe"))
        });
        r
    }

    fn lines(&self, file: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The vigil messages of a file, split into the fields of the template.
    fn messages(&self, file: &str) -> Vec<Vec<String>> {
        self.lines(file)
            .iter()
            .map(|l| l.splitn(9, '|').map(str::to_string).collect::<Vec<_>>())
            .filter(|f| f.len() == 9 && f[2] == "vigil")
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn check_syslog_fields(fields: &[String]) {
    assert_eq!(fields[0], "1", "the RFC 5424 version: {fields:?}");
    let pri: u32 = fields[1].parse().unwrap();
    assert_eq!(pri / 8, 16, "facility local0");
    assert!((2..=6).contains(&(pri % 8)));
    assert_eq!(fields[3], std::process::id().to_string());
    assert!(fields[4].starts_with("finding."), "{fields:?}");
    assert!(!fields[5].is_empty());
    assert!(
        fields[6].ends_with("+00:00") || fields[6].ends_with('Z'),
        "{fields:?}"
    );
    assert_eq!(fields[7], "-");
}

#[test]
fn syslog_reaches_rsyslog_over_udp_and_tcp() {
    if std::env::var_os("VIGIL_SIEM_TESTS").is_none() {
        eprintln!("skipped: VIGIL_SIEM_TESTS is not set (.ci/run sets it and installs rsyslog)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rsyslog = Rsyslog::start(dir.path(), free_udp_port(), free_tcp_port());
    for transport in ["udp", "tcp"] {
        let port = if transport == "udp" {
            rsyslog.udp
        } else {
            rsyslog.tcp
        };
        let file = format!("{transport}.log");
        let srv = TestServer::start_with(None, |c| {
            fast(c);
            c.siem.syslog = Some(format!("{transport}://127.0.0.1:{port}"));
        });
        let (s, _) = srv.upload(&srv.admin_token, "siem-a-0001", &report("report-a.json"));
        assert_eq!(s, 202);
        wait_for("4 messages", || rsyslog.messages(&file).len() >= 4);
        let messages = rsyslog.messages(&file);
        assert_eq!(messages.len(), 4, "{messages:?}");
        for m in &messages {
            check_syslog_fields(m);
            assert_eq!(m[4], "finding.new");
        }
        let records: Vec<Cef> = messages.iter().map(|m| parse_cef(&m[8])).collect();
        check_new_findings(&srv, &records);
        // The syslog severity follows the finding's: CRITICAL is 2.
        let secret = messages
            .iter()
            .find(|m| m[8].contains("|github-pat-classic|"))
            .unwrap();
        assert_eq!(secret[1], (16 * 8 + 2).to_string());

        if transport == "tcp" {
            // rsyslog restarts: the exporter connects again and nothing
            // is lost.
            drop(rsyslog);
            rsyslog = Rsyslog::start(dir.path(), free_udp_port(), port);
            let (s, _) = srv.upload(&srv.admin_token, "siem-b-0001", &report("report-b.json"));
            assert_eq!(s, 202);
            wait_for("the fixed event", || rsyslog.messages(&file).len() >= 5);
            let messages = rsyslog.messages(&file);
            assert_eq!(messages.len(), 5, "{messages:?}");
            let fixed = &messages[4];
            check_syslog_fields(fixed);
            assert_eq!(fixed[4], "finding.fixed");
            assert_eq!(fixed[1], (16 * 8 + 6).to_string(), "informational");
            let cef = parse_cef(&fixed[8]);
            assert_eq!(cef.header[4], "VIGIL-DF-001");
            assert_eq!(cef.ext["act"], "finding.fixed");
            assert_eq!(cef.ext["cs6"], "fixed");
        }
    }
}

struct Pki {
    ca_pem: String,
    cert: rustls::pki_types::CertificateDer<'static>,
    key: Vec<u8>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "vigil SIEM test CA");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert: cert.der().clone(),
        key: key.serialize_der(),
    }
}

/// A syslog-over-TLS listener: sends every message of every connection.
fn tls_listener(pki: &Pki) -> (u16, mpsc::Receiver<String>) {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![pki.cert.clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key.clone().into()),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    match tls.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    let (messages, used) = vigil_server::siem::parse_frames(&buf);
                    buf.drain(..used);
                    for m in messages {
                        let _ = tx.send(m);
                    }
                }
            });
        }
    });
    (port, rx)
}

#[test]
fn syslog_over_tls_uses_octet_counted_frames() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let (port, rx) = tls_listener(&pki);
    let srv = TestServer::start_with(None, |c| {
        fast(c);
        c.siem.syslog = Some(format!("tls://127.0.0.1:{port}"));
        c.siem.syslog_ca = Some(ca.clone());
        c.siem.syslog_facility = 10;
    });
    let (s, _) = srv.upload(&srv.admin_token, "tls-a-0001", &report("report-a.json"));
    assert_eq!(s, 202);
    let messages: Vec<String> = (0..4)
        .map(|_| rx.recv_timeout(Duration::from_secs(60)).unwrap())
        .collect();
    let mut records = Vec::new();
    for m in &messages {
        // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
        let parts: Vec<&str> = m.splitn(8, ' ').collect();
        let pri: u32 = parts[0]
            .strip_prefix('<')
            .unwrap()
            .strip_suffix(">1")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(pri / 8, 10, "the configured facility: {m}");
        assert_eq!(parts[3], "vigil");
        assert_eq!(parts[4], std::process::id().to_string());
        assert_eq!(parts[5], "finding.new");
        assert_eq!(parts[6], "-");
        records.push(parse_cef(parts[7]));
    }
    check_new_findings(&srv, &records);
}

#[test]
fn a_tls_server_with_an_unknown_certificate_gets_nothing() {
    let pki = pki();
    let (port, rx) = tls_listener(&pki);
    let srv = TestServer::start_with(None, |c| {
        fast(c);
        // No --syslog-ca: the test CA is not trusted.
        c.siem.syslog = Some(format!("tls://127.0.0.1:{port}"));
    });
    let (s, _) = srv.upload(&srv.admin_token, "tls-b-0001", &report("report-a.json"));
    assert_eq!(s, 202);
    assert!(rx.recv_timeout(Duration::from_secs(3)).is_err());
}

/// The requests an HTTP receiver got: (Content-Type, body).
type Posted = Arc<Mutex<Vec<(String, String)>>>;

/// Receives OCSF batches over HTTP.
fn ocsf_receiver() -> (String, Posted) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ocsf", server.server_addr().to_ip().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let content_type = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Content-Type"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            sink.lock().unwrap().push((content_type, body));
            let _ = request.respond(tiny_http::Response::empty(200));
        }
    });
    (url, got)
}

#[test]
fn ocsf_lines_go_to_a_file_and_an_http_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.ocsf.jsonl");
    let (url, got) = ocsf_receiver();
    let srv = TestServer::start_with(None, |c| {
        fast(c);
        c.siem.ocsf_file = Some(file.clone());
        c.siem.ocsf_url = Some(url.clone());
    });
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (s, _) = srv.upload(&srv.admin_token, "ocsf-a-0001", &report("report-a.json"));
    assert_eq!(s, 202);
    // The two vulnerabilities (the misconfiguration and the secret are
    // not vulnerability findings).
    wait_for("2 OCSF lines", || read().len() >= 2);
    let lines = read();
    assert_eq!(lines.len(), 2);
    let findings = findings_by_rule(&srv);
    for v in &lines {
        assert_eq!(v["class_uid"], 2002);
        assert_eq!(v["class_name"], "Vulnerability Finding");
        assert_eq!(v["category_uid"], 2);
        assert_eq!(v["activity_id"], 1);
        assert_eq!(v["type_uid"], 200201);
        assert_eq!(v["severity_id"], 4, "HIGH");
        assert_eq!(v["status_id"], 1);
        assert_eq!(v["metadata"]["product"]["name"], "vigil");
        assert_eq!(v["metadata"]["version"], vigil_server::siem::OCSF_VERSION);
        let title = v["vulnerabilities"][0]["title"].as_str().unwrap();
        let uid = v["finding_info"]["uid"].as_str().unwrap();
        assert!(findings.values().any(|(id, _, _)| id == uid), "{uid}");
        assert!(v["finding_info"]["first_seen_time"].as_i64().unwrap() > 1_700_000_000_000);
        assert_eq!(v["finding_info"]["title"], title);
        assert_eq!(v["resources"][0]["type"], "repository");
    }
    let jinja = lines
        .iter()
        .find(|v| v["vulnerabilities"][0]["cve"]["uid"] == "CVE-2019-10906")
        .unwrap();
    assert_eq!(
        jinja["vulnerabilities"][0]["affected_packages"][0],
        json!({ "name": "Jinja2", "version": "2.4.1", "purl": "pkg:pypi/jinja2@2.4.1" })
    );
    assert_eq!(jinja["vulnerabilities"][0]["fix_available"], true);
    assert_eq!(jinja["vulnerabilities"][0]["is_exploit_available"], false);
    // The risk score: in tenths (OCSF's is an integer), its band, why.
    assert_eq!(jinja["risk_score"], 86);
    assert_eq!(jinja["risk_level_id"], 3);
    assert_eq!(jinja["risk_level"], "High");
    assert_eq!(jinja["risk_details"], "not in KEV");

    // The Jinja2 vulnerability is gone from the next scan: Close.
    let mut next = report("report-a.json");
    next["findings"].as_array_mut().unwrap().remove(0);
    let (s, v) = srv.upload(&srv.admin_token, "ocsf-a-0002", &next);
    assert_eq!(s, 202, "{v}");
    assert_eq!(v["changes"]["fixed"], 1);
    wait_for("the Close line", || read().len() >= 3);
    let lines = read();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["activity_id"], 3);
    assert_eq!(lines[2]["activity_name"], "Close");
    assert_eq!(lines[2]["status_id"], 4);
    assert_eq!(
        lines[2]["vulnerabilities"][0]["cve"]["uid"],
        "CVE-2019-10906"
    );

    // The HTTP endpoint got the same lines, newline-delimited.
    wait_for("3 lines over HTTP", || {
        got.lock()
            .unwrap()
            .iter()
            .map(|(_, b)| b.lines().count())
            .sum::<usize>()
            >= 3
    });
    let posted: Vec<Value> = got
        .lock()
        .unwrap()
        .iter()
        .inspect(|(ct, _)| assert_eq!(ct, "application/x-ndjson"))
        .flat_map(|(_, b)| {
            b.lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(posted, lines);
    // Each destination counts its events: 4 + 1 (the file's and the
    // endpoint's readers see every event; other findings than
    // vulnerabilities are read and skipped).
    wait_for("the exported events' count", || {
        let (_, metrics) = srv.call("GET", "/metrics", None, &[], None);
        metrics
            .as_str()
            .unwrap()
            .lines()
            .any(|l| l == "vigil_siem_events_exported_total 10")
    });
}

#[test]
fn replicas_on_postgresql_export_each_event_once() {
    let Ok(admin_url) = std::env::var("VIGIL_TEST_POSTGRES_URL") else {
        eprintln!(
            "skipped: VIGIL_TEST_POSTGRES_URL is not set (one SQLite server has no replicas)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.ocsf.jsonl");
    let srv = TestServer::start_with(Some(support::fresh_postgres_database(&admin_url)), |c| {
        fast(c);
        c.siem.ocsf_file = Some(file.clone());
    });
    // Two more servers on the same database, appending to the same file.
    srv.start_replica();
    srv.start_replica();
    let mut fixed = report("report-a.json");
    fixed["findings"].as_array_mut().unwrap().remove(0);
    for (i, r) in [report("report-a.json"), fixed, report("report-a.json")]
        .iter()
        .enumerate()
    {
        let (s, _) = srv.upload(&srv.admin_token, &format!("replica-ocsf-{i}"), r);
        assert_eq!(s, 202);
    }
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // Two vulnerabilities new, one fixed, the same reopened.
    wait_for("4 OCSF lines", || read().len() >= 4);
    let lines = read();
    let activities: Vec<i64> = lines
        .iter()
        .map(|l| l["activity_id"].as_i64().unwrap())
        .collect();
    assert_eq!(activities, [1, 1, 3, 2], "{lines:?}");
    let events: BTreeSet<&str> = lines
        .iter()
        .map(|l| l["metadata"]["uid"].as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 4);
}
