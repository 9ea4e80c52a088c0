//! `vigil server`: one organisation-wide view. Every team's CI scans and
//! every host's agent report here; the server keeps each asset's current
//! inventory and every finding's history, re-matches stored inventories
//! the moment an advisory is new or changed, and answers "where is this
//! vulnerability running right now?" (docs/server.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

pub mod admission;
pub mod agents;
pub mod api;
pub mod auth;
pub mod db;
pub mod events;
pub mod images;
pub mod ingest;
pub mod metrics;
pub mod notify;
pub mod query;
pub mod rematch;
pub mod retention;
pub mod risk;
pub mod sbom;
pub mod siem;
pub mod web;

pub use db::Db;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it listens.
    pub listen: SocketAddr,
    /// Its state: the SQLite database (unless `database_url`) and the
    /// advisory store.
    pub data_dir: PathBuf,
    /// `postgres://…`: the database to use instead of SQLite.
    pub database_url: Option<String>,
    /// Where advisories come from: a mirror directory or base URL with
    /// `<Ecosystem>/all.zip` (the OSV bucket when `None`).
    pub advisory_mirror: Option<String>,
    /// The KEV catalogue (a file or URL); `None`: the mirror's, else CISA's.
    pub kev_source: Option<String>,
    /// The EPSS scores (a file or URL); `None`: the mirror's, else FIRST's.
    pub epss_source: Option<String>,
    /// How often the advisories are updated (and re-matched); `None`: only
    /// on demand (`POST /api/v1/advisories/update`).
    pub update_interval: Option<Duration>,
    /// The largest upload accepted, in bytes, after decompression.
    pub max_upload_bytes: usize,
    /// Requests per second and token (and per client address for requests
    /// without a valid token) before 429.
    pub rate_limit: u32,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Answer Kubernetes admission reviews with this policy
    /// (`POST /api/v1/admission/review`); `None`: the endpoint is off.
    pub admission: Option<admission::AdmissionPolicy>,
    /// Days to fix a finding of each severity (MTTR and SLA figures).
    pub sla: query::SlaDays,
    /// Webhook notifications: retry schedule, public URL.
    pub notify: notify::Settings,
    /// SIEM export destinations.
    pub siem: siem::Settings,
    /// How long old rows are kept (events, uploads, audit entries, fixed
    /// findings).
    pub retention: retention::Settings,
}

/// The server's certificate chain and key, PEM.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Reads the certificate and key into a rustls server configuration.
pub fn tls_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| anyhow::anyhow!("reading the certificate {}: {e}", files.cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{}: no certificate in the file", files.cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| anyhow::anyhow!("reading the private key {}: {e}", files.key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .with_context(|| {
            format!(
                "the key {} does not fit the certificate {}",
                files.key.display(),
                files.cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

impl Config {
    /// The defaults, listening on `listen` with its state in `data_dir`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Config {
        Config {
            listen,
            data_dir,
            database_url: None,
            advisory_mirror: None,
            kev_source: None,
            epss_source: None,
            update_interval: None,
            max_upload_bytes: 256 * 1024 * 1024,
            rate_limit: 200,
            tls: None,
            admission: None,
            sla: query::SlaDays::default(),
            notify: notify::Settings::default(),
            siem: siem::Settings::default(),
            retention: retention::Settings::default(),
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings.
    pub config: Arc<Config>,
    /// Counters exported at `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The advisory store and re-matching.
    pub advisories: Arc<rematch::Advisories>,
    /// Per-caller request budgets.
    pub limiter: Arc<api::RateLimiter>,
    /// Failed logins per client (and user name).
    pub logins: Arc<auth::LoginThrottle>,
}

impl AppState {
    /// Opens the database (migrating it) and the advisory store.
    pub async fn open(config: Config) -> Result<AppState> {
        let db = Db::open(&config.data_dir, config.database_url.as_deref()).await?;
        let advisories = Arc::new(rematch::Advisories::new(
            config.data_dir.join("advisories.db"),
        ));
        Ok(AppState {
            db,
            metrics: Arc::new(metrics::Metrics::default()),
            advisories,
            limiter: Arc::new(api::RateLimiter::new(config.rate_limit)),
            logins: Arc::new(auth::LoginThrottle::default()),
            config: Arc::new(config),
        })
    }
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> Result<()> {
    let listen = config.listen;
    let state = AppState::open(config).await?;
    let listener =
        std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
    if let Some(every) = state.config.update_interval {
        let state = state.clone();
        tokio::spawn(async move { rematch::periodic(state, every).await });
    }
    run(state, listener, shutdown()).await
}

/// Serves the API on a bound listener (HTTPS when the configuration has a
/// certificate) until `stop` completes, then finishes the requests in
/// flight.
pub async fn run(
    state: AppState,
    listener: std::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    start_workers(&state).await?;
    let tls = match &state.config.tls {
        Some(files) => Some(tls_config(files)?),
        None => None,
    };
    let app = api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(config) => {
            tracing::info!(address = %local, "vigil server listening (HTTPS)");
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                stop.await;
                stopper.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            axum_server::from_tcp_rustls(
                listener,
                axum_server::tls_rustls::RustlsConfig::from_config(config),
            )
            .handle(handle)
            .serve(app)
            .await
            .context("serving")?;
        }
        None => {
            tracing::info!(address = %local, "vigil server listening");
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
                .context("serving")?;
        }
    }
    Ok(())
}

/// Starts the background work: the expiry of accepted risks, retention
/// (the pruning of old rows), and the readers of the event queue (the
/// notification dispatcher and sender, the configured SIEM exporters).
pub async fn start_workers(state: &AppState) -> Result<()> {
    let sweeper = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = expire_accepted_risks(&sweeper.db).await {
                tracing::error!(error = format!("{e:#}"), "expiring accepted risks failed");
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
    tokio::spawn(retention::periodic(state.clone()));
    notify::start(state)
        .await
        .context("starting notifications")?;
    siem::start(state)
        .await
        .context("starting the SIEM export")?;
    Ok(())
}

/// Accepted risks whose expiry has passed are open again: their triage is
/// cleared (each in the audit log as `finding.accept_expired`). Runs every
/// minute. Returns how many expired.
pub async fn expire_accepted_risks(db: &Db) -> Result<u64> {
    let now = db::now();
    let rows = sqlx::query(
        "SELECT id, triage_reason FROM findings WHERE triage = 'accepted'          AND triage_expires IS NOT NULL AND triage_expires < $1",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut n = 0;
    for r in rows {
        let id: String = sqlx::Row::get(&r, "id");
        let done = sqlx::query(
            "UPDATE findings SET triage = NULL, triage_reason = NULL, triage_expires = NULL, triage_by = NULL              WHERE id = $1 AND triage = 'accepted' AND triage_expires < $2",
        )
        .bind(&id)
        .bind(now)
        .execute(&db.pool)
        .await?;
        if done.rows_affected() > 0 {
            n += 1;
            auth::audit(
                db,
                "vigil",
                "finding.accept_expired",
                &format!("finding:{id}"),
                serde_json::json!({ "justification": db::opt_text(&r, "triage_reason") }),
            )
            .await;
        }
    }
    if n > 0 {
        tracing::info!(expired = n, "accepted risks expired");
    }
    Ok(n)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// What `vigil server init` did.
#[derive(Debug)]
pub struct Initialized {
    /// The admin user's name.
    pub username: String,
    /// The admin's API token, shown once.
    pub token: String,
}

/// Creates the first admin user (with a password, for the dashboard) and
/// an API token for it. Fails when an admin exists already.
pub async fn init(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
    username: &str,
    password: &str,
) -> Result<Initialized> {
    let db = Db::open(data_dir, database_url).await?;
    let admins: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .fetch_one(&db.pool)
            .await?,
        0,
    );
    if admins > 0 {
        anyhow::bail!(
            "the server is already initialized (an admin exists); \
             create more users and tokens through the API"
        );
    }
    if password.len() < 12 {
        anyhow::bail!("the admin password must have at least 12 characters");
    }
    let hash = {
        let password = password.to_string();
        tokio::task::spawn_blocking(move || auth::hash_password(&password)).await??
    };
    let user_id = db::random_id();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, team_id, created_at) \
         VALUES ($1, $2, $3, 'admin', NULL, $4)",
    )
    .bind(&user_id)
    .bind(username)
    .bind(&hash)
    .bind(db::now())
    .execute(&db.pool)
    .await?;
    let (_, token) = auth::create_token(
        &db,
        "initial admin token",
        auth::Role::Admin,
        None,
        Some(&user_id),
        username,
        None,
    )
    .await?;
    auth::audit(
        &db,
        username,
        "server.init",
        &format!("user:{username}"),
        serde_json::json!({}),
    )
    .await;
    Ok(Initialized {
        username: username.to_string(),
        token,
    })
}
