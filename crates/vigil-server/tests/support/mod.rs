//! A server started in the test process on 127.0.0.1 (a free port), on
//! SQLite and — when VIGIL_TEST_POSTGRES_URL names a PostgreSQL server
//! (.ci/run starts one) — on a fresh PostgreSQL database, and a small HTTP
//! client for it.

#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr, unreachable_pub)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A running server.
pub struct TestServer {
    pub base: String,
    pub admin_token: String,
    pub backend: &'static str,
    pub data_dir: tempfile::TempDir,
    pub state: vigil_server::AppState,
    /// The settings it runs with (a replica opens the same).
    pub config: vigil_server::Config,
    runtime: Option<tokio::runtime::Runtime>,
    agent: ureq::Agent,
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `test` against a server on each available backend.
pub fn each_backend(test: impl Fn(&TestServer)) {
    each_backend_with(|_| {}, test)
}

/// Runs `test` against a server on each available backend, configured.
pub fn each_backend_with(
    configure: impl Fn(&mut vigil_server::Config),
    test: impl Fn(&TestServer),
) {
    let server = TestServer::start_with(None, &configure);
    test(&server);
    drop(server);
    match std::env::var("VIGIL_TEST_POSTGRES_URL") {
        Ok(url) => {
            let db_url = fresh_postgres_database(&url);
            let server = TestServer::start_with(Some(db_url), &configure);
            test(&server);
        }
        Err(_) => eprintln!("PostgreSQL part skipped: VIGIL_TEST_POSTGRES_URL is not set"),
    }
}

/// Creates an empty database on the PostgreSQL server and returns its URL.
pub fn fresh_postgres_database(admin_url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name = format!("vigil_test_{}", vigil_server::db::random_id());
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(admin_url)
            .await
            .expect("connecting to VIGIL_TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let base = admin_url.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

impl TestServer {
    pub fn start(database_url: Option<String>) -> TestServer {
        Self::start_with(database_url, |_| {})
    }

    pub fn start_with(
        database_url: Option<String>,
        configure: impl FnOnce(&mut vigil_server::Config),
    ) -> TestServer {
        let data_dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let backend = if database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        let mut config =
            vigil_server::Config::new("127.0.0.1:0".parse().unwrap(), data_dir.path().into());
        config.database_url = database_url.clone();
        configure(&mut config);
        let (base, admin_token, state) = runtime.block_on(async {
            let init = vigil_server::init(
                data_dir.path(),
                database_url.as_deref(),
                "admin",
                "correct horse battery",
            )
            .await
            .unwrap();
            let tls = config.tls.is_some();
            let state = vigil_server::AppState::open(config.clone()).await.unwrap();
            let served = state.clone();
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                vigil_server::run(served, listener, std::future::pending())
                    .await
                    .unwrap();
            });
            let scheme = if tls { "https" } else { "http" };
            (format!("{scheme}://{addr}"), init.token, state)
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        TestServer {
            base,
            admin_token,
            backend,
            data_dir,
            state,
            config,
            runtime: Some(runtime),
            agent,
        }
    }

    /// Runs a future on the server's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().unwrap().block_on(f)
    }

    /// Runs one SQL statement on the server's database (to age findings).
    pub fn sql(&self, statement: &str) {
        let db = self.state.db.clone();
        let statement = statement.to_string();
        self.runtime
            .as_ref()
            .unwrap()
            .block_on(async move { sqlx::query(&statement).execute(&db.pool).await.unwrap() });
    }

    /// Another server on the same database (its background workers only,
    /// no listener), as a second replica would be.
    pub fn start_replica(&self) {
        let config = self.config.clone();
        self.runtime.as_ref().unwrap().block_on(async {
            let state = vigil_server::AppState::open(config).await.unwrap();
            vigil_server::start_workers(&state).await.unwrap();
        });
    }

    /// A request; returns the status and the body as JSON (or a string).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> (u16, Value) {
        let url = format!("{}{}", self.base, path);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            builder = builder.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        if body.is_some()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            builder = builder.header("Content-Type", "application/json");
        }
        let request = builder
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .unwrap();
        let mut response = self.agent.run(request).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), &[], None)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(body).unwrap();
        self.call("POST", path, Some(token), &[], Some(&bytes))
    }

    /// Uploads a report with an idempotency key.
    pub fn upload(&self, token: &str, key: &str, report: &Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(report).unwrap();
        self.call(
            "POST",
            "/api/v1/scans",
            Some(token),
            &[("Idempotency-Key", key)],
            Some(&bytes),
        )
    }

    /// Creates a team (if needed) and a token with the role, for the team.
    pub fn token(&self, role: &str, team: Option<&str>) -> String {
        if let Some(t) = team {
            let (s, _) = self.post(
                "/api/v1/teams",
                &self.admin_token,
                &serde_json::json!({ "name": t }),
            );
            assert!(s == 201 || s == 409, "team {t}: {s}");
        }
        let (s, v) = self.post(
            "/api/v1/tokens",
            &self.admin_token,
            &serde_json::json!({ "name": format!("{role} test"), "role": role, "team": team }),
        );
        assert_eq!(s, 201, "{v}");
        v["token"].as_str().unwrap().to_string()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A fixture report, parsed.
pub fn report(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}
