//! A vigil server stand-in on 127.0.0.1 for the upload tests: it records
//! every request (headers, the gzip body decoded) and answers as the test
//! says.
#![allow(dead_code)] // Each test binary uses what it needs.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The method.
    pub(crate) method: String,
    /// The path.
    pub(crate) path: String,
    /// Every header, names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, gunzipped and parsed (Null when it is not gzip JSON).
    pub(crate) body: Value,
}

impl Received {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The idempotency key.
    pub(crate) fn key(&self) -> String {
        self.header("idempotency-key").unwrap_or("").to_string()
    }

    /// `full` or `delta`.
    pub(crate) fn kind(&self) -> &str {
        if self.body["kind"] == "delta" {
            "delta"
        } else {
            "full"
        }
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) retry_after: Option<u64>,
}

impl Reply {
    /// 202 stored.
    pub(crate) fn stored(key: &str) -> Reply {
        Reply {
            status: 202,
            body: format!(r#"{{"upload_id":"{key}","duplicate":false}}"#),
            retry_after: None,
        }
    }

    /// An error status with `{"error": message}`.
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        Reply {
            status,
            body: serde_json::json!({ "error": message }).to_string(),
            retry_after: None,
        }
    }
}

type Responder = dyn Fn(&Received, usize) -> Reply + Send + Sync;

/// The running server; stops when dropped.
pub(crate) struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    server: Arc<tiny_http::Server>,
    received: Arc<Mutex<Vec<Received>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Listens on a free port; `respond` gets each request and how many
    /// came before it.
    pub(crate) fn start(
        respond: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        Self::on("127.0.0.1:0", respond)
    }

    /// Always 202.
    pub(crate) fn accepting() -> TestServer {
        Self::start(|r, _| Reply::stored(&r.key()))
    }

    /// Listens on `addr`.
    pub(crate) fn on(
        addr: &str,
        respond: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let server = Arc::new(tiny_http::Server::http(addr).unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let respond: Arc<Responder> = Arc::new(respond);
        let thread = {
            let server = Arc::clone(&server);
            let received = Arc::clone(&received);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut raw = Vec::new();
                    let _ = request.as_reader().read_to_end(&mut raw);
                    let mut json = Vec::new();
                    let body = match flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut json) {
                        Ok(_) => serde_json::from_slice(&json).unwrap_or(Value::Null),
                        Err(_) => Value::Null,
                    };
                    let r = Received {
                        method: request.method().to_string(),
                        path: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| {
                                (
                                    h.field.as_str().as_str().to_ascii_lowercase(),
                                    h.value.as_str().to_string(),
                                )
                            })
                            .collect(),
                        body,
                    };
                    let n = {
                        let mut all = received.lock().unwrap();
                        all.push(r.clone());
                        all.len() - 1
                    };
                    let reply = respond(&r, n);
                    let mut response = tiny_http::Response::from_string(reply.body)
                        .with_status_code(reply.status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", "application/json")
                                .unwrap(),
                        );
                    if let Some(s) = reply.retry_after {
                        response = response.with_header(
                            tiny_http::Header::from_bytes("Retry-After", s.to_string()).unwrap(),
                        );
                    }
                    let _ = request.respond(response);
                }
            })
        };
        TestServer {
            url: format!("http://127.0.0.1:{port}"),
            server,
            received,
            thread: Some(thread),
        }
    }

    /// What came so far.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to a minute) until `n` requests came; returns them.
    pub(crate) fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} requests instead of {n}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A port nothing listens on (connections to it are refused).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
