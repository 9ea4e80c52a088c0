//! A small client of the OCI distribution API: enough to pull an image's
//! manifest, configuration and layers, with anonymous, bearer-token and
//! basic authentication.
//!
//! Protocol, as registries speak it:
//! 1. `GET /v2/`: 200 needs no authentication; 401 carries a
//!    `WWW-Authenticate` challenge.
//! 2. A `Bearer realm=...,service=...,scope=...` challenge: `GET realm`
//!    with the service and scope (with basic credentials when the user has
//!    some) answers `{"token": ...}`, sent as `Authorization: Bearer` from
//!    then on. A `Basic` challenge takes the credentials directly.
//! 3. `GET /v2/<name>/manifests/<tag|digest>` with the manifest media types
//!    accepted; an index is resolved to the platform's manifest.
//! 4. `GET /v2/<name>/blobs/<digest>`, following redirects (to a CDN,
//!    without the credentials); every blob's digest is checked as it
//!    streams into the cache.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use tracing::{debug, info};

use crate::cache::BlobCache;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::plan::{self, ManifestDoc, Plan, Platform, MANIFEST_ACCEPT, MAX_METADATA};
use crate::reference::{is_loopback_host, Reference};
use crate::tls::{self, CaBundle};

/// A user name and password (or token) for a registry.
#[derive(Clone)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

impl Credentials {
    fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// The credentials `docker login` stored for `registry` in
/// `<config_dir>/config.json` (`auths.<host>.auth`, base64 of
/// `user:password`). Credential helpers are not run.
pub fn docker_config_credentials(config_dir: &Path, registry: &str) -> Option<Credentials> {
    let path = config_dir.join("config.json");
    let text = std::fs::read_to_string(&path).ok()?;
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            debug!(path = %path.display(), "not read: {e}");
            return None;
        }
    };
    let auths = value.get("auths")?.as_object()?;
    let keys: Vec<String> = if registry == "docker.io" {
        vec![
            "https://index.docker.io/v1/".to_string(),
            "docker.io".to_string(),
            "index.docker.io".to_string(),
        ]
    } else {
        vec![
            registry.to_string(),
            format!("https://{registry}"),
            format!("http://{registry}"),
            format!("https://{registry}/v1/"),
        ]
    };
    let entry = keys.iter().find_map(|k| auths.get(k))?;
    let encoded = entry.get("auth")?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (username, password) = decoded.split_once(':')?;
    debug!(registry, path = %path.display(), "credentials from the Docker configuration");
    Some(Credentials {
        username: username.to_string(),
        password: password.to_string(),
    })
}

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Do not verify the registry's TLS certificate, and fall back to plain
    /// HTTP when HTTPS fails, even for a registry that is not this machine.
    pub insecure: bool,
    /// Certificate authorities trusted next to the public web roots, for
    /// the registry and its token service.
    pub ca_bundles: Vec<CaBundle>,
    /// Credentials, from the command line or the Docker configuration.
    pub credentials: Option<Credentials>,
}

/// How a request is authenticated.
#[derive(Clone)]
enum Auth {
    None,
    Basic(String),
    Bearer(String),
}

/// What was fetched and what the cache already had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Blobs downloaded.
    pub downloaded: Vec<String>,
    /// Blobs found in the cache.
    pub cached: Vec<String>,
}

/// How long a TLS handshake with a registry on this machine may take before
/// plain HTTP is tried.
const LOOPBACK_HANDSHAKE: Duration = Duration::from_secs(2);

/// How long a TLS handshake with another registry may take, with
/// `--insecure`, before plain HTTP is tried.
const INSECURE_HANDSHAKE: Duration = Duration::from_secs(10);

/// A session with one registry for one repository.
pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    reference: Reference,
    options: RegistryOptions,
    auth: Auth,
    shown: String,
    pub(crate) stats: FetchStats,
}

impl Client {
    /// A session that speaks HTTPS until [`Client::plan`]'s first request
    /// finds the registry only answers plain HTTP.
    pub(crate) fn new(reference: &Reference, options: &RegistryOptions) -> Client {
        if options.insecure {
            debug!(registry = %reference.registry, "TLS certificates are not verified (--insecure)");
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls::config(&options.ca_bundles, options.insecure))
            .timeout_global(Some(Duration::from_secs(1800)))
            .timeout_connect(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            base: format!("https://{}", reference.api_host()),
            reference: reference.clone(),
            options: options.clone(),
            auth: Auth::None,
            shown: reference.to_string(),
            stats: FetchStats::default(),
        }
    }

    fn http_error(url: &str, message: impl Into<String>) -> Error {
        Error::Registry {
            url: url.to_string(),
            message: message.into(),
        }
    }

    /// A request failed below HTTP: names what is wrong, and how to get
    /// past an untrusted certificate.
    fn transport_error(url: &str, e: &ureq::Error) -> Error {
        match tls::certificate_problem(e) {
            Some(problem) => Self::http_error(
                url,
                format!("the TLS connection was refused: {problem}; give the registry's certificate authority with --ca-file FILE (or SSL_CERT_FILE), or skip verification with --insecure"),
            ),
            None => Self::http_error(url, e.to_string()),
        }
    }

    /// One GET with the current authentication.
    fn attempt(
        &self,
        url: &str,
        accept: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        self.attempt_within(url, accept, None)
    }

    /// One GET with the current authentication; `connect`, when given,
    /// bounds the TCP connection and TLS handshake.
    fn attempt_within(
        &self,
        url: &str,
        accept: Option<&str>,
        connect: Option<Duration>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut req = self.agent.get(url);
        if let Some(t) = connect {
            req = req.config().timeout_connect(Some(t)).build();
        }
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        match &self.auth {
            Auth::None => {}
            Auth::Basic(h) | Auth::Bearer(h) => req = req.header("Authorization", h.as_str()),
        }
        req.call()
    }

    /// One GET with the current authentication; on a 401, authenticates
    /// as the challenge asks and tries once more.
    fn get(&mut self, url: &str, accept: Option<&str>) -> Result<ureq::http::Response<ureq::Body>> {
        let resp = self
            .attempt(url, accept)
            .map_err(|e| Self::transport_error(url, &e))?;
        self.answer_challenge(url, accept, resp)
    }

    /// Given the answer to a first try: on a 401, authenticates as the
    /// challenge asks and tries once more.
    fn answer_challenge(
        &mut self,
        url: &str,
        accept: Option<&str>,
        resp: ureq::http::Response<ureq::Body>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        if resp.status().as_u16() != 401 {
            return Ok(resp);
        }
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        self.authenticate(url, &challenge)?;
        let resp = self
            .attempt(url, accept)
            .map_err(|e| Self::transport_error(url, &e))?;
        if resp.status().as_u16() == 401 {
            return Err(Self::http_error(
                url,
                if self.options.credentials.is_some() {
                    "401 Unauthorized: the registry refused the credentials"
                } else {
                    "401 Unauthorized: the registry wants credentials; give --username and --password-stdin, or `docker login` first"
                },
            ));
        }
        Ok(resp)
    }

    /// `GET /v2/` over HTTPS; when the connection fails for another reason
    /// than an untrusted certificate and the registry is on this machine or
    /// `--insecure` was given, over plain HTTP, which the rest of the
    /// session then speaks.
    ///
    /// A plain HTTP server may wait for the end of a request line that a
    /// TLS greeting never gives, so when plain HTTP is an option the
    /// handshake has a short time limit: [`LOOPBACK_HANDSHAKE`] on this
    /// machine, [`INSECURE_HANDSHAKE`] elsewhere.
    fn ping(&mut self) -> Result<(String, ureq::http::Response<ureq::Body>)> {
        let host = self.reference.api_host().to_string();
        let https = format!("https://{host}/v2/");
        let loopback = self.reference.is_loopback();
        let limit = if loopback {
            Some(LOOPBACK_HANDSHAKE)
        } else if self.options.insecure {
            Some(INSECURE_HANDSHAKE)
        } else {
            None
        };
        let tls_error = match self.attempt_within(&https, None, limit) {
            Ok(resp) => return Ok((https.clone(), self.answer_challenge(&https, None, resp)?)),
            Err(e) => e,
        };
        if tls::certificate_problem(&tls_error).is_some() {
            return Err(Self::transport_error(&https, &tls_error));
        }
        if !loopback && !self.options.insecure {
            return Err(Self::http_error(
                &https,
                format!("{tls_error} (plain HTTP is tried only for a registry on this machine, or with --insecure)"),
            ));
        }
        let http = format!("http://{host}/v2/");
        match self.attempt(&http, None) {
            Ok(resp) => {
                info!(
                    registry = %host,
                    https_error = %tls_error,
                    "HTTPS failed; speaking plain HTTP to the registry"
                );
                self.base = format!("http://{host}");
                let resp = self.answer_challenge(&http, None, resp)?;
                Ok((http, resp))
            }
            Err(e) => Err(Self::http_error(
                &https,
                format!(
                    "HTTPS failed ({tls_error}), and plain HTTP, tried because {}, failed too: {e}",
                    if loopback {
                        "the registry is on this machine"
                    } else {
                        "--insecure was given"
                    }
                ),
            )),
        }
    }

    fn authenticate(&mut self, url: &str, challenge: &str) -> Result<()> {
        let (scheme, params) = parse_challenge(challenge);
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let creds = self.options.credentials.as_ref().ok_or_else(|| {
                    Self::http_error(url, "401 Unauthorized: the registry wants a user name and password; give --username and --password-stdin, or `docker login` first")
                })?;
                self.auth = Auth::Basic(creds.basic_header());
                Ok(())
            }
            "bearer" => {
                let realm = params
                    .iter()
                    .find(|(k, _)| k == "realm")
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| Self::http_error(url, "a Bearer challenge without a realm"))?;
                let secure = realm.starts_with("https://")
                    || (realm.starts_with("http://")
                        && (self.options.insecure
                            || is_loopback_host(
                                realm
                                    .trim_start_matches("http://")
                                    .split('/')
                                    .next()
                                    .unwrap_or(""),
                            )));
                if !secure {
                    return Err(Self::http_error(
                        url,
                        format!("the token service `{realm}` is not HTTPS; --insecure allows it"),
                    ));
                }
                let mut query = Vec::new();
                for (k, v) in &params {
                    if k == "service" || k == "scope" {
                        query.push(format!("{k}={}", encode(v)));
                    }
                }
                if !params.iter().any(|(k, _)| k == "scope") {
                    query.push(format!(
                        "scope={}",
                        encode(&format!("repository:{}:pull", self.reference.repository))
                    ));
                }
                let sep = if realm.contains('?') { '&' } else { '?' };
                let token_url = format!("{realm}{sep}{}", query.join("&"));
                let mut req = self.agent.get(&token_url);
                if let Some(c) = &self.options.credentials {
                    req = req.header("Authorization", c.basic_header());
                }
                let resp = req
                    .call()
                    .map_err(|e| Self::transport_error(&realm, &e))?;
                let status = resp.status().as_u16();
                if !(200..300).contains(&status) {
                    return Err(Self::http_error(
                        &realm,
                        format!("the token service answered HTTP {status}{}", if status == 401 { ": the credentials were refused" } else { "" }),
                    ));
                }
                let body = resp
                    .into_body()
                    .with_config()
                    .limit(1024 * 1024)
                    .read_to_vec()
                    .map_err(|e| Self::http_error(&realm, e.to_string()))?;
                let value: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| Self::http_error(&realm, format!("the token answer is not JSON: {e}")))?;
                let token = value
                    .get("token")
                    .or_else(|| value.get("access_token"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| Self::http_error(&realm, "the token answer has no token"))?;
                debug!(realm, "bearer token obtained");
                self.auth = Auth::Bearer(format!("Bearer {token}"));
                Ok(())
            }
            _ => Err(Self::http_error(
                url,
                format!("401 Unauthorized with an authentication scheme this client does not speak: `{challenge}`"),
            )),
        }
    }

    /// Fetches a manifest or index, verified against the digest asked for
    /// or the one the registry states.
    fn manifest(&mut self, reference: &str) -> Result<(Vec<u8>, Digest)> {
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            self.base, self.reference.repository
        );
        let resp = self.get(&url, Some(MANIFEST_ACCEPT))?;
        let status = resp.status().as_u16();
        if status == 404 {
            return Err(Self::http_error(
                &url,
                format!("404 Not Found: no image `{}`", self.shown),
            ));
        }
        if !(200..300).contains(&status) {
            return Err(Self::http_error(&url, format!("HTTP status {status}")));
        }
        let stated = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(Digest::parse);
        let body = resp
            .into_body()
            .with_config()
            .limit(MAX_METADATA)
            .read_to_vec()
            .map_err(|e| Self::http_error(&url, e.to_string()))?;
        let actual = Digest::of(&body);
        if let Some(asked) = Digest::parse(reference) {
            asked.check(&actual, &self.shown, "the manifest")?;
        } else if let Some(stated) = stated {
            stated.check(&actual, &self.shown, "the manifest")?;
        }
        Ok((body, actual))
    }

    /// Makes sure a blob is in the cache (downloading and verifying it if
    /// not) and returns its path.
    pub(crate) fn blob(
        &mut self,
        cache: &BlobCache,
        digest: &Digest,
        size: Option<u64>,
        what: &str,
    ) -> Result<std::path::PathBuf> {
        if let Some(p) = cache.get(digest) {
            self.stats.cached.push(digest.to_string());
            return Ok(p);
        }
        let url = format!(
            "{}/v2/{}/blobs/{digest}",
            self.base, self.reference.repository
        );
        let resp = self.get(&url, None)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Self::http_error(
                &url,
                format!("HTTP status {status} for {what}"),
            ));
        }
        let limit = size.unwrap_or(crate::MAX_BLOB);
        let path = cache.put(
            digest,
            resp.into_body().into_reader(),
            limit,
            &self.shown,
            what,
        )?;
        info!(%digest, what, "downloaded");
        self.stats.downloaded.push(digest.to_string());
        Ok(path)
    }

    /// Pings the registry, resolves the reference to a manifest for the
    /// platform, and fetches the configuration into the cache.
    pub(crate) fn plan(&mut self, cache: &BlobCache, platform: &Platform) -> Result<Plan> {
        let (ping, resp) = self.ping()?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Self::http_error(
                &ping,
                format!("not a registry (HTTP status {status})"),
            ));
        }
        let (mut bytes, mut digest) = self.manifest(&self.reference.manifest_ref())?;
        let mut index_digest = None;
        let manifest = loop {
            match plan::parse_manifest(&self.shown, &bytes)? {
                ManifestDoc::Manifest(m) => break m,
                ManifestDoc::Index(index) => {
                    if index_digest.is_some() {
                        return Err(Error::invalid(&self.shown, "an index of indexes"));
                    }
                    let chosen = plan::select_platform(&self.shown, &index, platform)?;
                    let d =
                        Digest::parse_for(&self.shown, "the manifest", chosen.digest().as_ref())?;
                    index_digest = Some(digest.to_string());
                    (bytes, digest) = self.manifest(&d.to_string())?;
                    d.check(&digest, &self.shown, "the manifest")?;
                }
            }
        };
        let config_digest = Digest::parse_for(
            &self.shown,
            "the config",
            manifest.config().digest().as_ref(),
        )?;
        let path = self.blob(cache, &config_digest, Some(MAX_METADATA), "the config")?;
        let config_bytes = fs_err::read(&path).map_err(|e| Error::io(path.display(), e))?;
        if let Err(e) = config_digest.verify(&config_bytes, &self.shown, "the config") {
            cache.evict(&config_digest);
            return Err(e);
        }
        let config = plan::parse_config(&self.shown, &config_bytes)?;
        let layers = plan::manifest_layers(&self.shown, &manifest)?;
        let mut plan = plan::plan(&self.shown, &config, &config_digest, layers)?;
        plan.facts.digest = Some(digest.to_string());
        plan.facts.index_digest = index_digest;
        Ok(plan)
    }
}

/// `Bearer realm="x",service="y"` → (`Bearer`, [(realm, x), (service, y)]).
fn parse_challenge(header: &str) -> (String, Vec<(String, String)>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                value.push(*c);
                chars.next();
            }
        }
        params.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    (scheme.to_string(), params)
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn challenges_are_parsed() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(
            params,
            [
                (
                    "realm".to_string(),
                    "https://auth.example/token".to_string()
                ),
                ("service".to_string(), "registry.example".to_string()),
                ("scope".to_string(), "repository:a/b:pull,push".to_string()),
            ]
        );
        let (scheme, params) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!(scheme, "Basic");
        assert_eq!(params[0].1, "Registry Realm");
        assert_eq!(encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
    }

    #[test]
    fn docker_config_credentials_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("me:s3cret:x");
        std::fs::write(
            dir.path().join("config.json"),
            format!(r#"{{"auths": {{"127.0.0.1:5000": {{"auth": "{auth}"}}, "https://index.docker.io/v1/": {{"auth": "{auth}"}}}}}}"#),
        )
        .unwrap();
        let c = docker_config_credentials(dir.path(), "127.0.0.1:5000").unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("me", "s3cret:x")
        );
        assert!(docker_config_credentials(dir.path(), "docker.io").is_some());
        assert!(docker_config_credentials(dir.path(), "other.example").is_none());
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
