//! `vigil scan secrets` and the secret pass of `vigil scan` through the
//! real binary.
#![allow(clippy::unwrap_used)]

#[path = "support/demo_db.rs"]
mod demo_db;

use std::path::PathBuf;
use std::process::Command;

use demo_db::DemoDb;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/secrets"
    ))
}

fn tree() -> String {
    fixtures().join("tree").to_str().unwrap().to_string()
}

fn vigil_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.args(args)
        .env("VIGIL_CACHE_DIR", cache.path())
        .env("VIGIL_OFFLINE", "1")
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .arg("--no-config");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn vigil(args: &[&str]) -> (i32, String, String) {
    vigil_env(args, &[])
}

fn scan_json(extra: &[&str]) -> (i32, Value, String) {
    let dir = tree();
    let mut args = vec!["scan", "secrets", dir.as_str(), "-f", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = vigil(&args);
    (code, serde_json::from_str(&out).unwrap(), err)
}

/// (id, path, line, column, suppressed) of each finding.
fn findings(report: &Value) -> Vec<(String, String, u64, u64, bool)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "secret");
            (
                f["id"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
                f.get("suppression").is_some(),
            )
        })
        .collect()
}

fn raw_values() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("raw-values.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn scan_secrets_reports_rule_location_redaction_and_fingerprints() {
    let (code, report, err) = scan_json(&[]);
    assert_eq!(code, 0, "{err}");
    let mut found = findings(&report);
    found.sort();
    let expect = |id: &str, path: &str, line, column, suppressed| {
        (id.to_string(), path.to_string(), line, column, suppressed)
    };
    assert_eq!(
        found,
        vec![
            expect("aws-access-key-id", "src/settings.py", 4, 22, false),
            expect("aws-secret-access-key", "src/settings.py", 5, 26, false),
            expect("github-pat-classic", "config/app.env", 3, 14, false),
            expect("github-pat-classic", "src/settings.py", 9, 17, true),
            expect("postgres-url-password", "config/app.env", 4, 29, false),
            expect("private-key-openssh", "keys/id_ed25519", 1, 1, false),
        ]
    );
    for f in report["findings"].as_array().unwrap() {
        let shown = f["secret"].as_str().unwrap();
        assert!(
            shown.ends_with('…') && shown.chars().count() <= 5,
            "{shown}"
        );
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
        assert_eq!(f["secret_fingerprint"].as_str().unwrap().len(), 32);
        assert!(f["title"].as_str().is_some() && f["severity"].as_str().is_some());
        assert!(f.get("commit").is_none());
    }
    let gh = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "github-pat-classic" && f.get("suppression").is_none())
        .unwrap();
    assert_eq!(gh["secret"], "ghp_…");
    assert_eq!(gh["severity"], "CRITICAL");
    let inline = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f.get("suppression").is_some())
        .unwrap();
    assert_eq!(inline["suppression"]["kind"], "inline");
    assert_eq!(
        inline["suppression"]["reason"],
        "revoked, kept for the replay fixture"
    );
}

#[test]
fn no_ignore_includes_git_ignored_files_but_not_allowlisted_paths() {
    let (code, report, err) = scan_json(&["--no-ignore"]);
    assert_eq!(code, 0, "{err}");
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    assert!(paths.contains(&"ignored.env".to_string()), "{paths:?}");
    assert!(!paths
        .iter()
        .any(|p| p.contains("node_modules") || p.contains("package-lock")));
}

#[test]
fn the_raw_secret_reaches_no_output_format_nor_the_logs() {
    let dir = tree();
    let raws = raw_values();
    for format in [
        "table",
        "json",
        "sarif",
        "junit",
        "markdown",
        "cyclonedx",
        "spdx",
    ] {
        let (code, out, err) = vigil(&[
            "-vvv",
            "scan",
            "secrets",
            dir.as_str(),
            "--no-ignore",
            "-f",
            format,
        ]);
        assert_eq!(code, 0, "{format}: {err}");
        for raw in &raws {
            assert!(!out.contains(raw.as_str()), "{format} shows a raw secret");
            assert!(
                !err.contains(raw.as_str()),
                "{format}: the log shows a raw secret"
            );
            // Nor any longer part of it than the redaction allows.
            assert!(
                !out.contains(&raw[..8]),
                "{format} shows 8 characters of a secret"
            );
        }
    }
}

#[test]
fn fail_on_secrets_gate_and_triage_by_ignore_file_and_baseline() {
    let dir = tree();
    let (code, _, err) = vigil(&["scan", "secrets", dir.as_str(), "--fail-on-secrets"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("gate failed: 5 secrets (--fail-on-secrets)"),
        "{err}"
    );
    // The same gate from the environment.
    let (code, _, _) = vigil_env(
        &["scan", "secrets", dir.as_str()],
        &[("VIGIL_FAIL_ON_SECRETS", "1")],
    );
    assert_eq!(code, 1);
    // The ignore file suppresses by rule ID and path.
    let ignore = fixtures().join("vigilignore.yaml");
    let (code, out, err) = vigil(&[
        "scan",
        "secrets",
        dir.as_str(),
        "-f",
        "json",
        "--ignorefile",
        ignore.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let aws = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "aws-access-key-id")
        .unwrap();
    assert_eq!(aws["suppression"]["kind"], "ignore");
    // A baseline of today's report: nothing new, the gate passes.
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    std::fs::write(&baseline, &out).unwrap();
    let (code, _, err) = vigil(&[
        "scan",
        "secrets",
        dir.as_str(),
        "--fail-on-secrets",
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn user_rules_from_a_toml_file() {
    let rules = fixtures().join("user-rules.toml");
    for flag in ["--secret-rules", "--rules"] {
        let (code, report, err) = scan_json(&[flag, rules.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(
            findings(&report)
                .iter()
                .any(|f| f.0 == "acme-internal-token" && f.1 == "src/acme.txt"),
            "{flag}"
        );
    }
    let (code, _, err) = scan_json_err(&["--secret-rules", "no-such-rules.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rules.toml"), "{err}");
}

fn scan_json_err(extra: &[&str]) -> (i32, String, String) {
    let dir = tree();
    let mut args = vec!["scan", "secrets", dir.as_str()];
    args.extend_from_slice(extra);
    vigil(&args)
}

#[test]
fn a_directory_scan_finds_secrets_too_unless_told_not_to() {
    let db = DemoDb::new();
    let run = |args: &[&str]| db.run(args);
    let dir = tree();
    let (code, out, err) = run(&["--offline", "scan", dir.as_str(), "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings(&report).len(), 6);
    let (code, out, err) = run(&[
        "--offline",
        "scan",
        dir.as_str(),
        "-f",
        "json",
        "--no-secrets",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_list_and_show_the_secret_rules() {
    let (code, out, err) = vigil(&["rules", "list", "--secrets"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() > 150, "{out}");
    assert!(out.contains("github-pat-classic"));
    let (code, out, err) = vigil(&["rules", "list", "--secrets", "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let rules: Value = serde_json::from_str(&out).unwrap();
    assert!(rules.as_array().unwrap().len() >= 150);
    let (code, out, err) = vigil(&["rules", "show", "github-pat-classic"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("github-pat-classic: GitHub personal access token (classic)"),
        "{out}"
    );
    assert!(out.contains("Checksum: github-crc32"), "{out}");
    let rules_file = fixtures().join("user-rules.toml");
    let (code, out, err) = vigil(&[
        "rules",
        "show",
        "acme-internal-token",
        "--secret-rules",
        rules_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Keywords: acme_"), "{out}");
}

/// A gzip-compressed tarball of `(name, content)` entries.
fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// The deployment file of the image tests: one GitHub token on line 2.
fn deploy_env() -> Vec<u8> {
    std::fs::read(fixtures().join("../image/secrets/deploy.env")).unwrap()
}

#[test]
fn archives_in_a_tree_are_scanned_member_by_member() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    let inner = tgz(&[("conf/deploy.env", &deploy_env())]);
    std::fs::write(
        dir.path().join("dist/bundle.tar.gz"),
        tgz(&[("nested/inner.tgz", &inner), ("bin/tool", b"\x7fELF\0\0\0")]),
    )
    .unwrap();
    let (code, out, err) = vigil(&[
        "scan",
        "secrets",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        findings(&report),
        [(
            "github-pat-classic".to_string(),
            "dist/bundle.tar.gz!/nested/inner.tgz!/conf/deploy.env".to_string(),
            2,
            14,
            false
        )]
    );
    assert_eq!(report["findings"][0]["secret"], "ghp_…");
    assert!(!out.contains("ghp_POCc"));
}

#[test]
fn a_root_filesystem_scan_finds_secrets_but_not_in_installed_docs() {
    let db = DemoDb::new();
    let run = |args: &[&str]| db.run(args);
    let rootfs = tempfile::tempdir().unwrap();
    for dir in ["etc/demo", "usr/share/doc/demo", "usr/lib/python3.12/test"] {
        std::fs::create_dir_all(rootfs.path().join(dir)).unwrap();
        std::fs::write(rootfs.path().join(dir).join("deploy.env"), deploy_env()).unwrap();
    }
    // A root filesystem's .gitignore files are not obeyed.
    std::fs::write(rootfs.path().join("etc/.gitignore"), "demo/\n").unwrap();
    let rootfs = rootfs.path().to_str().unwrap();
    let (code, out, err) = run(&["--offline", "scan", "rootfs", rootfs, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(paths, ["etc/demo/deploy.env"]);
    let (code, out, err) = run(&[
        "--offline",
        "scan",
        "rootfs",
        rootfs,
        "-f",
        "json",
        "--no-secrets",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["findings"].as_array().unwrap().is_empty());
}
