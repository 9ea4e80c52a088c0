//! The client side of the server protocol (docs/server-protocol.md): a
//! gzip-compressed JSON document POSTed with a bearer token and an
//! idempotency key, the answer sorted into stored, refused, unauthorized,
//! missing base or retry later, and the backoff between retries.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

/// Where agent snapshots and deltas go.
pub(crate) const SNAPSHOTS: &str = "/api/v1/agents/snapshots";
/// Where scan reports go.
pub(crate) const SCANS: &str = "/api/v1/scans";

/// How the server answered one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 202, or 200 for a document it already had (`duplicate`).
    Stored {
        /// The HTTP status.
        status: u16,
        /// Whether it was already stored.
        duplicate: bool,
    },
    /// 400, 413, 415, 422: the document is refused; sending it again is
    /// useless.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's `error`.
        message: String,
    },
    /// 401, 403: the token is wrong.
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The server's `error`.
        message: String,
    },
    /// 409: the server does not have the delta's base.
    MissingBase {
        /// The server's `error`.
        message: String,
    },
    /// 429, 5xx, any other status, or no answer at all: try again later.
    Retry {
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// What went wrong.
        reason: String,
        /// The server's `Retry-After`, in seconds.
        after: Option<Duration>,
    },
}

impl Answer {
    /// The status for the log (0 for no answer).
    pub(crate) fn status(&self) -> u16 {
        match self {
            Answer::Stored { status, .. }
            | Answer::Refused { status, .. }
            | Answer::Unauthorized { status, .. } => *status,
            Answer::MissingBase { .. } => 409,
            Answer::Retry { status, .. } => status.unwrap_or(0),
        }
    }
}

/// A connection to one server.
pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    ca_given: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

impl Client {
    /// A client of the server at `server` (an `http://` or `https://`
    /// URL), trusting the web's root authorities, or those of `ca_cert`
    /// besides.
    pub(crate) fn new(server: &str, token: String, ca_cert: Option<&Path>) -> Result<Client> {
        let base = server.trim().trim_end_matches('/').to_string();
        let lower = base.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            bail!("--server {server}: an http:// or https:// URL expected");
        }
        if lower.starts_with("http://") {
            tracing::warn!(server = %base, "the token is sent unencrypted over plain HTTP");
        }
        let bundles = match ca_cert {
            Some(path) => vec![vigil_image::CaBundle::load(path).context("--ca-cert")?],
            None => Vec::new(),
        };
        let agent = ureq::Agent::config_builder()
            .tls_config(vigil_image::tls_config(&bundles, false))
            .timeout_global(Some(Duration::from_secs(120)))
            .timeout_connect(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            base,
            token,
            ca_given: ca_cert.is_some(),
        })
    }

    /// The server's URL, as given (without a trailing `/`).
    pub(crate) fn server(&self) -> &str {
        &self.base
    }

    /// POSTs one gzip-compressed JSON document to `path` under the
    /// idempotency key `upload_id`.
    pub(crate) fn post(&self, path: &str, upload_id: &str, gzipped: &[u8]) -> Answer {
        let url = format!("{}{path}", self.base);
        let sent = self
            .agent
            .post(&url)
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .header("Idempotency-Key", upload_id)
            .send(gzipped);
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                let reason = match vigil_image::certificate_problem(&e) {
                    Some(problem) if self.ca_given => {
                        format!("TLS certificate error: {problem}")
                    }
                    Some(problem) => format!(
                        "TLS certificate error: {problem}; give the server's certificate authority with --ca-cert FILE"
                    ),
                    None => e.to_string(),
                };
                return Answer::Retry {
                    status: None,
                    reason,
                    after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut text = String::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(64 * 1024)
            .read_to_string(&mut text);
        let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let message = json
            .as_ref()
            .and_then(|v| v.get("error"))
            .and_then(|e| e.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| {
                let t = text.trim();
                let t: String = t.chars().take(300).collect();
                if t.is_empty() {
                    format!("HTTP {status}")
                } else {
                    t
                }
            });
        match status {
            200..=202 => Answer::Stored {
                status,
                duplicate: status == 200
                    || json
                        .as_ref()
                        .and_then(|v| v.get("duplicate"))
                        .and_then(|d| d.as_bool())
                        .unwrap_or(false),
            },
            400 | 413 | 415 | 422 => Answer::Refused { status, message },
            401 | 403 => Answer::Unauthorized { status, message },
            409 => Answer::MissingBase { message },
            _ => Answer::Retry {
                status: Some(status),
                reason: format!("HTTP {status}: {message}"),
                after,
            },
        }
    }
}

/// Compresses a document for upload.
pub(crate) fn gzip(json: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4 + 64),
        flate2::Compression::default(),
    );
    enc.write_all(json)?;
    Ok(enc.finish()?)
}

/// Reads a token file: its content without surrounding white space.
pub(crate) fn read_token_file(path: &Path) -> Result<String> {
    let text = fs_err::read_to_string(path).context("reading the token")?;
    let token = text.trim().to_string();
    if token.is_empty() {
        bail!("{}: the token file is empty", path.display());
    }
    if token.chars().any(|c| c.is_control()) {
        bail!(
            "{}: the token must be one line of printable characters",
            path.display()
        );
    }
    Ok(token)
}

/// The token: from `file` when given, else from the environment variable
/// `var`.
pub(crate) fn token(file: Option<&Path>, var: &str, file_flag: &str) -> Result<String> {
    if let Some(path) = file {
        return read_token_file(path);
    }
    match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(anyhow!(
            "--server needs a token: give {file_flag} FILE, or set {var} to the token"
        )),
    }
}

/// A small pseudo-random generator (xorshift64*), seeded from the clock
/// and the process id: for jitter, not for secrets.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// Seeded from the time and the process.
    pub(crate) fn from_time() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seed = (nanos as u64) ^ (u64::from(std::process::id()) << 32) ^ 0x9E37_79B9_7F4A_7C15;
        Rng(seed.max(1))
    }

    /// The next number.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A fresh upload id: 32 hex digits, from the system's random source
/// (the clock-seeded generator where there is none).
pub(crate) fn upload_id() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok();
    if !from_os {
        let mut rng = Rng::from_time();
        bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exponential backoff with jitter: the n-th wait is drawn between half
/// and all of `base · 2ⁿ`, never more than `cap`; a server's
/// `Retry-After` is waited instead (up to `cap`).
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
    rng: Rng,
}

impl Backoff {
    /// Starting at `base`, capped at `cap`.
    pub(crate) fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            failures: 0,
            rng: Rng::from_time(),
        }
    }

    /// The wait after one more failure.
    pub(crate) fn next(&mut self, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << self.failures.min(20))
            .min(self.cap);
        self.failures = self.failures.saturating_add(1);
        if let Some(after) = retry_after {
            return after.min(self.cap);
        }
        let half = exp / 2;
        let span = u64::try_from((exp - half).as_millis()).unwrap_or(u64::MAX);
        let jitter = if span == 0 {
            0
        } else {
            self.rng.next_u64() % (span + 1)
        };
        half + Duration::from_millis(jitter)
    }

    /// After a success: start again from `base`.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_within_bounds_and_is_capped() {
        let base = Duration::from_secs(1);
        let cap = Duration::from_secs(300);
        let mut b = Backoff::new(base, cap);
        for n in 0..30u32 {
            let exp = base.saturating_mul(1u32 << n.min(20)).min(cap);
            let wait = b.next(None);
            assert!(wait >= exp / 2, "wait {n}: {wait:?} < {:?}", exp / 2);
            assert!(wait <= exp, "wait {n}: {wait:?} > {exp:?}");
        }
        assert!(b.next(None) >= cap / 2);
        b.reset();
        assert!(b.next(None) <= base);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        assert_eq!(b.next(Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(
            b.next(Some(Duration::from_secs(3600))),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn jitter_varies() {
        let mut b = Backoff::new(Duration::from_secs(64), Duration::from_secs(300));
        let waits: std::collections::BTreeSet<Duration> = (0..8)
            .map(|_| {
                b.reset();
                b.next(None)
            })
            .collect();
        assert!(waits.len() > 1, "{waits:?}");
    }

    #[test]
    fn upload_ids_are_32_hex_digits_and_differ() {
        let a = upload_id();
        let b = upload_id();
        assert_eq!(a.len(), 32);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn gzip_round_trips() {
        let doc = br#"{"schema_version":1}"#;
        let gz = gzip(doc).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, doc);
    }

    #[test]
    fn servers_must_be_http_urls() {
        let e = Client::new("example.com", "t".into(), None).unwrap_err();
        assert!(e.to_string().contains("http:// or https://"), "{e}");
        let c = Client::new("https://vigil.example.com/", "t".into(), None).unwrap();
        assert_eq!(c.server(), "https://vigil.example.com");
    }
}
