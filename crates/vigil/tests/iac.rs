//! `vigil scan config` and `vigil rules` through the real binary.
#![allow(clippy::unwrap_used)]

#[path = "support/demo_db.rs"]
mod demo_db;

use std::path::PathBuf;
use std::process::Command;

use demo_db::DemoDb;
use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/iac"))
}

fn vigil(args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env("VIGIL_CACHE_DIR", cache.path())
        .env("VIGIL_OFFLINE", "1")
        .env_remove("VIGIL_CONFIG")
        .arg("--no-config")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn scan_json(extra: &[&str]) -> (i32, Value, String) {
    let dir = fixture();
    let mut args = vec!["scan", "config", dir.to_str().unwrap(), "-f", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = vigil(&args);
    (code, serde_json::from_str(&out).unwrap(), err)
}

/// (id, path, line, suppressed) of each finding.
fn findings(report: &Value) -> Vec<(String, String, u64, bool)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "misconfiguration");
            (
                f["id"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f.get("suppression").is_some(),
            )
        })
        .collect()
}

/// `vigil scan config` of `tests/fixtures/NAME`: the JSON report and its
/// findings.
fn config_scan(name: &str) -> (Value, Vec<(String, String, u64, bool)>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let (code, out, err) = vigil(&["scan", "config", dir.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let found = findings(&report);
    (report, found)
}

/// Whether a finding of rule `id` is at `path:line`.
fn has(found: &[(String, String, u64, bool)], id: &str, path: &str, line: u64) -> bool {
    found
        .iter()
        .any(|(i, p, l, _)| i == id && p == path && *l == line)
}

#[test]
fn scan_config_finds_rules_with_lines_without_a_database() {
    let (code, report, err) = scan_json(&[]);
    assert_eq!(code, 0, "{err}");
    let found = findings(&report);
    assert!(
        has(&found, "VIGIL-K8S-001", "k8s/web.yaml", 15),
        "{found:?}"
    );
    assert!(has(&found, "VIGIL-K8S-005", "k8s/web.yaml", 8), "{found:?}");
    assert!(
        has(&found, "VIGIL-K8S-014", "k8s/web.yaml", 11),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-K8S-016", "k8s/web.yaml", 23),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-DF-001", "app/Dockerfile", 1),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-DF-003", "app/Dockerfile", 2),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-DF-002", "app/Dockerfile", 4),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-DF-007", "app/Dockerfile", 5),
        "{found:?}"
    );
    // A new RBAC rule, pointing at the rule's `resources`.
    assert!(
        has(&found, "VIGIL-K8S-024", "k8s/rbac.yaml", 10),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.0 == "VIGIL-K8S-024" && f.2 == 7));
    // ARG expansion: `FROM python:${PY_TAG}` is `python:latest`; `FROM
    // ${BASE}` (no default) is not judged; `USER ${APP_UID}` is not root.
    let args = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == "app/Dockerfile.args")
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect::<Vec<_>>();
    assert!(
        args.contains(&("VIGIL-DF-005", 5, "FROM python:latest has no version tag")),
        "{args:?}"
    );
    assert!(
        !args.iter().any(|a| a.0 == "VIGIL-DF-005" && a.1 == 3),
        "{args:?}"
    );
    assert!(!args.iter().any(|a| a.0 == "VIGIL-DF-001"), "{args:?}");
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-K8S-001")
        .unwrap();
    assert_eq!(privileged["resource"], "Deployment/web");
    assert_eq!(privileged["severity"], "HIGH");
    // The rule's guidance travels with the finding.
    let help = &privileged["help"];
    assert!(help["remediation"].as_str().unwrap().contains("privileged"));
    assert!(help["url"]
        .as_str()
        .unwrap()
        .ends_with("/docs/rules/VIGIL-K8S-001.md"));
    // Inline suppression, with its reason.
    let root = found.iter().find(|f| f.0 == "VIGIL-K8S-004").unwrap();
    assert!(root.3, "{root:?}");
    assert!(report
        .to_string()
        .contains("the entrypoint drops to nginx itself"));
    // The malformed manifest is a warning naming file and line; the YAML
    // that is not a manifest says nothing.
    assert!(err.contains("k8s/broken.yaml:6: invalid YAML"), "{err}");
    assert!(!err.contains("settings.yml"), "{err}");
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
}

#[test]
fn fail_on_misconfig_gates_and_fail_on_does_not() {
    let (code, _, err) = scan_json(&["--fail-on-misconfig", "high"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("at or above HIGH (--fail-on-misconfig)"),
        "{err}"
    );
    let (code, _, err) = scan_json(&["--fail-on", "low"]);
    assert_eq!(code, 0, "--fail-on counts vulnerabilities only: {err}");
}

#[test]
fn ignore_file_applies_to_misconfigurations() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "ignore:\n  - id: VIGIL-K8S-001\n    reason: reviewed\n  - id: VIGIL-K8S-005\n    reason: reviewed\n  - id: VIGIL-K8S-016\n    reason: reviewed\n  - id: VIGIL-DF-001\n    reason: reviewed\n  - id: VIGIL-DF-007\n    reason: reviewed\n  - id: VIGIL-K8S-024\n    reason: reviewed\n",
    )
    .unwrap();
    let (code, report, err) = scan_json(&[
        "--fail-on-misconfig",
        "high",
        "--ignorefile",
        ignore.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-K8S-001")
        .unwrap();
    assert_eq!(privileged["suppression"]["kind"], "ignore");
    assert_eq!(privileged["suppression"]["reason"], "reviewed");
    // Lower severities stay open.
    assert!(findings(&report)
        .iter()
        .any(|f| f.0 == "VIGIL-K8S-002" && !f.3));
}

#[test]
fn sarif_has_a_rule_per_id_and_no_advisory_links() {
    let dir = fixture();
    let (code, out, err) = vigil(&["scan", "config", dir.to_str().unwrap(), "-f", "sarif"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("osv.dev"), "{out}");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let privileged = rules.iter().find(|r| r["id"] == "VIGIL-K8S-001").unwrap();
    assert!(privileged["helpUri"]
        .as_str()
        .unwrap()
        .ends_with("/docs/rules/VIGIL-K8S-001.md"));
    let help = privileged["help"]["markdown"].as_str().unwrap();
    assert!(help.contains("**Remediation:**"), "{help}");
    assert!(help.contains("CIS Kubernetes Benchmark 5.2.2"), "{help}");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "VIGIL-K8S-004")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
}

#[test]
fn rules_list_and_show() {
    let (code, out, err) = vigil(&["rules", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() > 25, "{out}");
    assert!(out.contains("VIGIL-DF-003") && out.contains("Piping a download into a shell"));
    let (code, out, _) = vigil(&["rules", "show", "vigil-k8s-001"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("VIGIL-K8S-001: Privileged container"),
        "{out}"
    );
    assert!(out.contains("Remediation:"));
    let (code, _, err) = vigil(&["rules", "show", "NOPE-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule NOPE-1"), "{err}");
}

#[test]
fn a_directory_scan_checks_iac_too_unless_told_not_to() {
    let db = DemoDb::new();
    let run = |args: &[&str]| db.run(args);
    let dir = fixture();
    let dir = dir.to_str().unwrap();
    let (code, out, err) = run(&["--offline", "scan", dir, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(findings(&report).iter().any(|f| f.0 == "VIGIL-K8S-001"));
    let (code, out, err) = run(&["--offline", "scan", dir, "-f", "json", "--no-misconfig"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn compose_files_and_workflows_are_checked() {
    let (report, found) = config_scan("iac-ci");
    let compose = "docker-compose.yml";
    assert!(has(&found, "VIGIL-COMPOSE-010", compose, 3), "{found:?}");
    assert!(has(&found, "VIGIL-COMPOSE-011", compose, 6), "{found:?}");
    assert!(has(&found, "VIGIL-COMPOSE-012", compose, 9), "{found:?}");
    assert!(has(&found, "VIGIL-COMPOSE-005", compose, 11), "{found:?}");
    // Suppressed inline, with its reason.
    let socket = found.iter().find(|f| f.0 == "VIGIL-COMPOSE-005").unwrap();
    assert!(socket.3, "{socket:?}");
    assert!(report.to_string().contains("reads container labels"));
    assert!(has(&found, "VIGIL-COMPOSE-001", compose, 14), "{found:?}");
    // The port bound to the loopback address is not reported.
    assert!(!has(&found, "VIGIL-COMPOSE-012", compose, 8), "{found:?}");
    let ci = ".github/workflows/ci.yml";
    assert!(has(&found, "VIGIL-GHA-005", ci, 5), "{found:?}");
    assert!(has(&found, "VIGIL-GHA-002", ci, 10), "{found:?}");
    assert!(has(&found, "VIGIL-GHA-001", ci, 11), "{found:?}");
    // The line inside the script where the expression is.
    assert!(has(&found, "VIGIL-GHA-003", ci, 15), "{found:?}");
    let injection = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-GHA-003")
        .unwrap();
    assert_eq!(injection["resource"], "job/build");
    assert_eq!(injection["severity"], "HIGH");
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-COMPOSE-001")
        .unwrap();
    assert_eq!(privileged["resource"], "service/db");
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn cloudformation_yaml_and_json_templates_are_checked() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/iac-cfn"
    ));
    let (code, out, err) = vigil(&["scan", "config", dir.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The SSH rule's CIDR comes from a parameter default; the database's
    // settings from `!If` on a condition the defaults decide (so it is
    // clean); the JSON template's line is that of the offending key.
    assert_eq!(
        found,
        [
            (
                "VIGIL-CFN-008".to_string(),
                "Web".to_string(),
                "stacks/app.yaml".to_string(),
                19
            ),
            (
                "VIGIL-CFN-025".to_string(),
                "Orders".to_string(),
                "stacks/data.json".to_string(),
                10
            ),
        ]
    );
    // The broken template is a warning naming file and line; package.json
    // and other YAML are passed over silently.
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["path"], "stacks/broken.template");
    assert_eq!(diags[0]["line"], 5);
    assert!(
        err.contains("stacks/broken.template:5: invalid JSON"),
        "{err}"
    );
}

#[test]
fn terraform_modules_are_followed_and_findings_point_at_their_files() {
    let (report, found) = config_scan("iac-terraform");
    // The module's input makes its bucket public: found in the module's
    // own file, at the attribute.
    assert!(
        has(&found, "VIGIL-AWS-001", "modules/storage/main.tf", 16),
        "{found:?}"
    );
    assert!(
        has(&found, "VIGIL-AWS-002", "modules/storage/main.tf", 21),
        "{found:?}"
    );
    assert!(has(&found, "VIGIL-AWS-007", "main.tf", 24), "{found:?}");
    // RDP is open to the office only.
    assert!(
        !found.iter().any(|(i, ..)| i == "VIGIL-AWS-008"),
        "{found:?}"
    );
    let acl = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-AWS-001")
        .unwrap();
    assert_eq!(acl["resource"], "module.storage.aws_s3_bucket_acl.this");
    // The called module is not checked again on its own (where `public`
    // would keep its default).
    assert_eq!(
        found.iter().filter(|(i, ..)| i == "VIGIL-AWS-001").count(),
        1,
        "{found:?}"
    );
    // A plan is read by its content, its findings at the resource's line.
    assert!(
        has(&found, "VIGIL-AWS-014", "plan/tfplan.json", 46),
        "{found:?}"
    );
    // Modules downloaded by `terraform init` are not checked.
    assert!(
        !found.iter().any(|(_, p, ..)| p.contains(".terraform")),
        "{found:?}"
    );
    // An invalid file is a diagnostic naming it and its line.
    let diags = report["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["path"] == "broken/main.tf" && d["line"] == 3),
        "{diags:?}"
    );
}

#[test]
fn a_terraform_file_as_the_root_is_checked_with_its_module() {
    let file = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/iac-terraform/main.tf"
    ));
    let (code, out, err) = vigil(&["scan", "config", file.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let found = findings(&report);
    assert!(
        found
            .iter()
            .any(|(i, p, l, _)| i == "VIGIL-AWS-007" && p == "main.tf" && *l == 24),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(i, p, _, _)| i == "VIGIL-AWS-001" && p == "modules/storage/main.tf"),
        "{found:?}"
    );
}
