//! `vigil scan ... --server URL`: the JSON report uploaded to a test
//! server on 127.0.0.1 (docs/server-protocol.md), over HTTP and over TLS,
//! and the report's `source`.
#![allow(clippy::unwrap_used)]

#[path = "support/tls_server.rs"]
mod tls_server;
#[path = "support/upload_server.rs"]
mod upload_server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tls_server::{pki, tls_server};
use upload_server::{Reply, TestServer};

fn fixture_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upload/app/Dockerfile"),
        app.join("Dockerfile"),
    )
    .unwrap();
    dir
}

/// `vigil --no-config ARGS` with `envs`: exit code, stdout, stderr.
fn vigil(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.args(args)
        .env("VIGIL_CACHE_DIR", cache.path())
        .env("VIGIL_OFFLINE", "1")
        .arg("--no-config");
    for var in [
        "VIGIL_CONFIG",
        "VIGIL_LOG",
        "VIGIL_SERVER",
        "VIGIL_TOKEN",
        "VIGIL_TOKEN_FILE",
        "VIGIL_CA_CERT",
        "VIGIL_SOURCE_NAME",
        "SSL_CERT_FILE",
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn token_file(dir: &Path, token: &str) -> String {
    let path = dir.join("token");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_report_is_uploaded_gzipped_with_its_source_and_printed() {
    let dir = fixture_app();
    let app = dir.path().join("app");
    let token = token_file(dir.path(), "s3cret-token");
    let server = TestServer::accepting();
    let (code, out, err) = vigil(
        &[
            "scan",
            "config",
            app.to_str().unwrap(),
            "--server",
            &server.url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    // The local report is the table, as without --server.
    assert!(out.contains("VIGIL-DF-001"), "{out}");
    assert!(
        err.contains(&format!("Report uploaded to {}", server.url)),
        "{err}"
    );
    let got = server.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/v1/scans");
    assert_eq!(r.header("authorization"), Some("Bearer s3cret-token"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("vigil/")));
    let key = r.key();
    assert_eq!(key.len(), 32, "{key}");
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    // The body is the JSON report, with its source.
    assert_eq!(r.body["schema_version"], 1);
    assert_eq!(
        r.body["source"],
        serde_json::json!({"kind": "directory", "name": "app"})
    );
    let ids: Vec<&str> = r.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"VIGIL-DF-001"), "{ids:?}");
}

#[test]
fn the_token_can_come_from_vigil_token_and_the_server_from_vigil_server() {
    let dir = fixture_app();
    let app = dir.path().join("app");
    let server = TestServer::accepting();
    let (code, out, err) = vigil(
        &["scan", "config", app.to_str().unwrap(), "-f", "json"],
        &[
            ("VIGIL_SERVER", &server.url),
            ("VIGIL_TOKEN", "from-the-environment"),
            ("VIGIL_SOURCE_NAME", "team/app"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let local: Value = serde_json::from_str(&out).unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("authorization"),
        Some("Bearer from-the-environment")
    );
    // What is uploaded is what --format json prints.
    assert_eq!(got[0].body, local);
    assert_eq!(local["source"]["name"], "team/app");
}

#[test]
fn without_a_token_the_upload_fails_before_any_request() {
    let dir = fixture_app();
    let server = TestServer::accepting();
    let (code, out, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &server.url,
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("VIGIL-DF-001"), "{out}");
    assert!(err.contains("VIGIL_TOKEN"), "{err}");
    assert!(server.received().is_empty());
}

#[test]
fn a_refused_token_exits_2_naming_the_server_after_the_local_report() {
    let dir = fixture_app();
    let token = token_file(dir.path(), "wrong");
    let server = TestServer::start(|_, _| Reply::error(401, "unknown token"));
    let (code, out, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &server.url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("VIGIL-DF-001"), "{out}");
    assert!(err.contains(&server.url), "{err}");
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(err.contains("unknown token"), "{err}");
    // A bad token is not retried.
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_refused_report_is_not_retried() {
    let dir = fixture_app();
    let token = token_file(dir.path(), "t");
    let server = TestServer::start(|_, _| Reply::error(413, "report too large"));
    let (code, _, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &server.url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refused it (HTTP 413): report too large"),
        "{err}"
    );
    assert_eq!(server.received().len(), 1);
}

#[test]
fn unavailable_twice_then_stored_is_a_success_with_one_idempotency_key() {
    let dir = fixture_app();
    let token = token_file(dir.path(), "t");
    let server = TestServer::start(|r, n| {
        if n < 2 {
            Reply::error(503, "starting")
        } else {
            Reply::stored(&r.key())
        }
    });
    let (code, _, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &server.url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("HTTP 503: starting; trying again").count(),
        2,
        "{err}"
    );
    let got = server.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.key() == got[0].key()));
    assert_eq!(got[2].body, got[0].body);
}

#[test]
fn an_unreachable_server_fails_after_three_attempts() {
    let dir = fixture_app();
    let token = token_file(dir.path(), "t");
    let url = format!("http://127.0.0.1:{}", upload_server::free_port());
    let (code, out, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("VIGIL-DF-001"), "{out}");
    assert!(
        err.contains(&format!("uploading the report to {url}")),
        "{err}"
    );
    assert!(err.contains("after 3 attempts"), "{err}");
}

/// A repository written with gix: one commit on `main`, an origin remote
/// whose URL holds credentials.
fn repository() -> (tempfile::TempDir, String) {
    let dir = fixture_app();
    let root = dir.path().join("app");
    let repo = gix::init(&root).unwrap();
    let tree = repo
        .write_object(gix::objs::Tree { entries: vec![] })
        .unwrap()
        .detach();
    let who = gix::actor::Signature {
        name: "Dev".into(),
        email: "dev@example.com".into(),
        time: gix::date::Time {
            seconds: 1_700_000_000,
            offset: 0,
        },
    };
    let commit = repo
        .write_object(gix::objs::Commit {
            tree,
            parents: Default::default(),
            author: who.clone(),
            committer: who,
            encoding: None,
            message: "first".into(),
            extra_headers: vec![],
        })
        .unwrap()
        .detach();
    repo.reference(
        "refs/heads/main",
        commit,
        gix::refs::transaction::PreviousValue::Any,
        "test",
    )
    .unwrap();
    std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let mut config = std::fs::OpenOptions::new()
        .append(true)
        .open(root.join(".git/config"))
        .unwrap();
    writeln!(
        config,
        "[remote \"origin\"]\n\turl = https://ci-user:hunter2@git.example.com/team/app.git"
    )
    .unwrap();
    (dir, commit.to_string())
}

#[test]
fn a_directory_in_a_git_work_tree_is_a_repository_without_credentials() {
    let (dir, commit) = repository();
    let app = dir.path().join("app");
    let (code, out, err) = vigil(
        &["scan", "config", app.to_str().unwrap(), "-f", "json"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["source"],
        serde_json::json!({
            "kind": "repository",
            "name": "https://git.example.com/team/app.git",
            "repository": "https://git.example.com/team/app.git",
            "commit": commit,
            "branch": "main",
        })
    );
    assert!(!out.contains("hunter2"));

    // GitHub Actions' variables apply to their own commit only.
    let github = [
        ("GITHUB_REPOSITORY", "team/app"),
        ("GITHUB_SHA", commit.as_str()),
        ("GITHUB_REF_NAME", "release-1"),
    ];
    let (_, out, _) = vigil(
        &["scan", "config", app.to_str().unwrap(), "-f", "json"],
        &github,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["source"]["name"], "https://github.com/team/app");
    assert_eq!(report["source"]["branch"], "release-1");
    let other = [
        ("GITHUB_REPOSITORY", "team/other"),
        ("GITHUB_SHA", "0000000000000000000000000000000000000000"),
    ];
    let (_, out, _) = vigil(
        &["scan", "config", app.to_str().unwrap(), "-f", "json"],
        &other,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["source"]["name"],
        "https://git.example.com/team/app.git"
    );
    assert_eq!(report["source"]["branch"], "main");
}

#[test]
fn over_tls_the_server_certificate_authority_is_given_with_ca_cert() {
    let pki = pki();
    let (port, paths) = tls_server(&pki);
    let dir = fixture_app();
    let token = token_file(dir.path(), "t");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let url = format!("https://127.0.0.1:{port}");
    let app = dir.path().join("app");
    let args = [
        "scan",
        "config",
        app.to_str().unwrap(),
        "--server",
        &url,
        "--token-file",
        &token,
    ];

    let mut with_ca = args.to_vec();
    with_ca.extend(["--ca-cert", ca.to_str().unwrap()]);
    let (code, _, err) = vigil(&with_ca, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(*paths.lock().unwrap(), ["/api/v1/scans"]);

    // Without it the certificate is not trusted, and the message says so.
    let (code, _, err) = vigil(&args, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("TLS certificate error"), "{err}");
    assert!(err.contains("unknown authority"), "{err}");
    assert!(err.contains("--ca-cert"), "{err}");
    assert_eq!(paths.lock().unwrap().len(), 1);
}

#[test]
fn vigil_toml_can_name_the_server_and_the_token_file() {
    let dir = fixture_app();
    token_file(dir.path(), "from-the-config");
    let server = TestServer::accepting();
    std::fs::write(
        dir.path().join("vigil.toml"),
        format!(
            "[scan]\nserver = \"{}\"\ntoken-file = \"token\"\n",
            server.url
        ),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["scan", "config"])
        .arg(dir.path().join("app"))
        .env("VIGIL_CACHE_DIR", cache.path())
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_SERVER")
        .env_remove("VIGIL_TOKEN")
        .env_remove("VIGIL_TOKEN_FILE")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("authorization"),
        Some("Bearer from-the-config")
    );
}

#[test]
fn retry_after_is_honoured_and_a_duplicate_is_a_success() {
    let dir = fixture_app();
    let token = token_file(dir.path(), "t");
    let server = TestServer::start(|r, n| {
        if n == 0 {
            Reply {
                retry_after: Some(1),
                ..Reply::error(429, "slow down")
            }
        } else {
            Reply {
                status: 200,
                body: format!(r#"{{"upload_id":"{}","duplicate":true}}"#, r.key()),
                retry_after: None,
            }
        }
    });
    let (code, _, err) = vigil(
        &[
            "scan",
            "config",
            dir.path().join("app").to_str().unwrap(),
            "--server",
            &server.url,
            "--token-file",
            &token,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("HTTP 429: slow down; trying again in 1.0s"),
        "{err}"
    );
    assert!(err.contains("(already there)"), "{err}");
    assert_eq!(server.received().len(), 2);
}
