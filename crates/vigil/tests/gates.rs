//! End-to-end tests of triage and gates through the real binary: the demo
//! project (`examples/demo-app`) against the demo mirror, with the ignore
//! file, VEX, baselines, the license policy and Rego policies from
//! `tests/fixtures/gates/`.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn gates(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gates")
        .join(name)
}

/// A cache with the demo mirror's advisories, fetched once per test.
struct Demo {
    cache: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        let cache = tempfile::tempdir().unwrap();
        let (code, _, err) = run(Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env("VIGIL_CACHE_DIR", cache.path())
            .current_dir(root())
            .args(["--db-mirror", "examples/osv-mirror", "db", "update"]));
        assert_eq!(code, 0, "{err}");
        Demo { cache }
    }

    /// `vigil --offline scan TARGET ARGS...` from the repository root.
    fn scan(&self, target: impl AsRef<Path>, args: &[&str]) -> (i32, String, String) {
        run(Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env("VIGIL_CACHE_DIR", self.cache.path())
            .env_remove("VIGIL_DB_MIRROR")
            .env("NO_COLOR", "1")
            .current_dir(root())
            .args(["--offline", "scan"])
            .arg(target.as_ref())
            .args(args))
    }

    fn demo(&self, args: &[&str]) -> (i32, String, String) {
        self.scan("examples/demo-app", args)
    }
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.stdin(Stdio::null()).output().expect("running vigil");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).expect("JSON report")
}

fn path_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The IDs of the findings a suppression of this kind hides.
fn suppressed(report: &Value, kind: &str) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppression"]["kind"] == kind)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn fail_on_exit_codes_per_option() {
    let d = Demo::new();
    // No gate: findings alone never fail.
    assert_eq!(d.demo(&[]).0, 0);
    // smallvec and minimist are CRITICAL.
    let (code, _, err) = d.demo(&["--fail-on", "critical"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("gate failed: 11 findings fail --fail-on critical: 2 at or above CRITICAL, 9 of UNKNOWN severity"),
        "{err}"
    );
    let (code, _, err) = d.demo(&["--fail-on", "critical", "--ignore-unknown-severity"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("2 findings fail --fail-on critical: 2 at or above CRITICAL"),
        "{err}"
    );
    // --ignore-unfixed leaves the others; nothing in the demo lacks a fix.
    let (code, _, _) = d.demo(&[
        "--fail-on",
        "critical",
        "--ignore-unknown-severity",
        "--ignore-unfixed",
    ]);
    assert_eq!(code, 1);
    // The informational notice (ansi_term) counts only when asked.
    // (Its severity is UNKNOWN.)
    let (code, _, err) = d.demo(&["--fail-on", "low", "--fail-on-informational"]);
    assert_eq!(code, 1);
    assert!(err.contains("30 findings fail --fail-on low"), "{err}");
    let (_, _, err) = d.demo(&["--fail-on", "low"]);
    assert!(err.contains("29 findings fail --fail-on low"), "{err}");
    // A bad input is an error: exit 2.
    let (code, _, err) = d.demo(&["--vex", "no-such-vex.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-vex.json"), "{err}");
}

#[test]
fn ignore_file_suppresses_and_never_fails() {
    let d = Demo::new();
    let file = gates("ignore-criticals.yaml");
    let args = [
        "--ignorefile",
        path_arg(&file),
        "--fail-on",
        "critical",
        "--ignore-unknown-severity",
    ];
    let (code, table, err) = d.demo(&args);
    assert_eq!(code, 0, "{err}");
    // worker/poetry.lock's 6 findings, smallvec and minimist.
    assert!(
        table.contains("8 suppressed (8 by the ignore file), listed above with the reason."),
        "{table}"
    );
    assert!(!table.contains("smallvec     1.6.0"), "{table}");
    assert!(!table.contains("worker/poetry.lock ("), "{table}");
    let (_, out, _) = d.demo(&[&args[..2], &["-f", "json"]].concat());
    let report = json(&out);
    assert_eq!(suppressed(&report, "ignore").len(), 8);
    let smallvec = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(
        smallvec["suppression"]["reason"],
        "insert_many is never called"
    );
    assert_eq!(smallvec["suppression"]["expires"], "2099-12-31");
    assert!(smallvec["suppression"]["source"]
        .as_str()
        .unwrap()
        .ends_with("ignore-criticals.yaml"));
    // Suppressed findings need no remediation.
    let remediated: Vec<&str> = report["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        !remediated.contains(&"smallvec") && !remediated.contains(&"urllib3"),
        "{remediated:?}"
    );
}

#[test]
fn the_ignore_file_at_the_scan_root_is_found() {
    let d = Demo::new();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("examples/demo-app"), dir.path());
    std::fs::copy(
        gates("ignore-criticals.yaml"),
        dir.path().join(".vigilignore.yaml"),
    )
    .unwrap();
    let (code, table, err) = d.scan(
        dir.path(),
        &["--fail-on", "critical", "--ignore-unknown-severity"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        table.contains("8 suppressed (8 by the ignore file)"),
        "{table}"
    );
}

#[test]
fn expired_ignore_entries_stop_hiding_and_say_so() {
    let d = Demo::new();
    let file = gates("ignore-expired.yaml");
    let (code, table, err) = d.demo(&[
        "--ignorefile",
        path_arg(&file),
        "--fail-on",
        "critical",
        "--ignore-unknown-severity",
    ]);
    assert_eq!(code, 1, "minimist is back: {err}");
    assert!(
        err.contains("ignore-expired.yaml: entry 1 (purl: pkg:npm/minimist) expired on 2020-01-31; the finding it hid is reported again"),
        "{err}"
    );
    assert!(
        err.contains("gate failed: 1 finding fails --fail-on critical"),
        "{err}"
    );
    assert!(
        table.contains("1 suppressed (1 by the ignore file)"),
        "{table}"
    );
    assert!(table.contains("minimist    1.2.5"), "{table}");
}

#[test]
fn a_malformed_ignore_file_is_an_error_naming_file_and_line() {
    let d = Demo::new();
    let file = gates("ignore-malformed.yaml");
    let (code, out, err) = d.demo(&["--ignorefile", path_arg(&file)]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("ignore-malformed.yaml:2: entry 1 (`RUSTSEC-2021-0003`) has no `reason`"),
        "{err}"
    );
}

#[test]
fn vex_suppresses_in_both_formats() {
    let d = Demo::new();
    for (file, minimist_status, smallvec_status, justification) in [
        (
            "openvex.json",
            "not_affected",
            "fixed",
            "vulnerable_code_not_in_execute_path",
        ),
        (
            "cyclonedx-vex.json",
            "not_affected",
            "resolved",
            "code_not_reachable",
        ),
    ] {
        let vex = gates(file);
        let (code, _, err) = d.demo(&[
            "--vex",
            path_arg(&vex),
            "--fail-on",
            "critical",
            "--ignore-unknown-severity",
        ]);
        assert_eq!(code, 0, "{file}: {err}");
        let (_, out, _) = d.demo(&["--vex", path_arg(&vex), "-f", "json"]);
        let report = json(&out);
        assert_eq!(
            suppressed(&report, "vex"),
            ["GHSA-xvch-5gv4-984h", "RUSTSEC-2021-0003"],
            "{file}"
        );
        let by_id = |id: &str| {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["id"] == id)
                .unwrap()
                .clone()
        };
        let m = by_id("GHSA-xvch-5gv4-984h");
        assert_eq!(m["suppression"]["vex_status"], minimist_status);
        assert_eq!(m["suppression"]["justification"], justification);
        assert_eq!(
            m["suppression"]["reason"],
            "minimist only parses the build script's own arguments"
        );
        assert_eq!(
            by_id("RUSTSEC-2021-0003")["suppression"]["vex_status"],
            smallvec_status
        );
        // under_investigation suppresses nothing.
        assert!(by_id("RUSTSEC-2023-0061").get("suppression").is_none());
    }
    // Both at once: the statements of each apply.
    let (a, b) = (gates("openvex.json"), gates("cyclonedx-vex.json"));
    let (_, table, _) = d.demo(&["--vex", path_arg(&a), "--vex", path_arg(&b)]);
    assert!(table.contains("2 suppressed (2 by VEX)"), "{table}");
}

#[test]
fn a_baseline_leaves_only_new_findings() {
    let d = Demo::new();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("app");
    copy_dir(&root().join("examples/demo-app"), &project);
    // The baseline is the project before web/ was added.
    let web = dir.path().join("web-later");
    std::fs::rename(project.join("web"), &web).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (code, _, err) = d.scan(&project, &["-f", "json", "-o", path_arg(&baseline)]);
    assert_eq!(code, 0, "{err}");
    let args = [
        "--baseline",
        path_arg(&baseline),
        "--fail-on",
        "low",
        "--ignore-unknown-severity",
    ];
    let (code, table, err) = d.scan(&project, &args);
    assert_eq!(code, 0, "nothing new: {err}");
    assert!(table.contains("No known vulnerabilities in"), "{table}");
    assert!(
        table.contains("29 suppressed (29 in the baseline)"),
        "{table}"
    );

    std::fs::rename(&web, project.join("web")).unwrap();
    let (code, _, err) = d.scan(&project, &args);
    assert_eq!(code, 1);
    assert!(
        err.contains("gate failed: 8 findings fail --fail-on low"),
        "{err}"
    );
    let (_, out, _) = d.scan(&project, &[&args[..2], &["-f", "json"]].concat());
    let report = json(&out);
    let open: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_none())
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["web/package-lock.json"; 8]);
    assert_eq!(suppressed(&report, "baseline").len(), 29);

    let (code, _, err) = d.scan(&project, &["--baseline", "Cargo.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("Cargo.toml"), "{err}");
}

#[test]
fn denied_licenses_fail_the_gate() {
    let d = Demo::new();
    let transitive = gates("transitive");
    let (code, table, err) = d.scan(&transitive, &["--deny-license", "GPL-3.0-only"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("gate failed: 1 component has a license the license policy denies"),
        "{err}"
    );
    assert!(
        table.contains("License policy (1 violation; they fail the scan):"),
        "{table}"
    );
    assert!(
        table.contains("cli-kit  1.0.0      package-lock.json  GPL-3.0-only  license GPL-3.0-only denied by --deny-license GPL-3.0-only"),
        "{table}"
    );
    let (_, out, _) = d.scan(
        &transitive,
        &["--deny-license", "GPL-3.0-only", "-f", "json"],
    );
    let report = json(&out);
    let licenses: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "license")
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap(),
                f["id"].as_str().unwrap(),
            )
        })
        .collect();
    // template-kit's `MIT OR GPL-3.0-only` may be taken as MIT.
    assert_eq!(licenses, [("cli-kit", "GPL-3.0-only")]);
    // Licenses no component needs pass; an allow list is the other way.
    assert_eq!(
        d.scan(&transitive, &["--deny-license", "AGPL-3.0-or-later"])
            .0,
        0
    );
    let (code, _, _) = d.scan(&transitive, &["--allow-license", "MIT OR Apache-2.0"]);
    assert_eq!(code, 1);
    // A license finding can be ignored like any finding.
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "ignore:\n  - purl: \"pkg:npm/cli-kit\"\n    reason: internal tool, not shipped\n",
    )
    .unwrap();
    let (code, _, err) = d.scan(
        &transitive,
        &[
            "--deny-license",
            "GPL-3.0-only",
            "--ignorefile",
            path_arg(&ignore),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = d.scan(&transitive, &["--deny-license", "NOT A LICENSE ("]);
    assert_eq!(code, 2);
    assert!(err.contains("--deny-license `NOT A LICENSE (`"), "{err}");
}

#[test]
fn remediation_names_the_fix_and_the_path() {
    let d = Demo::new();
    let transitive = gates("transitive");
    let (code, table, err) = d.scan(&transitive, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        table.contains(
            "  FIX lodash 4.17.15 → 4.18.0 (fixes all 6)\n      introduced via: cli-kit → lodash\n"
        ),
        "{table}"
    );
    let (_, out, _) = d.scan(&transitive, &["-f", "json"]);
    let report = json(&out);
    let r = &report["remediation"][0];
    assert_eq!(r["name"], "lodash");
    assert_eq!(r["path"], "package-lock.json");
    // 4.17.21 fixes four of them, 4.18.0 all six.
    assert_eq!(r["fixed_version"], "4.18.0");
    assert_eq!(r["resolves"].as_array().unwrap().len(), 6);
    assert_eq!(
        r["introduced_via"],
        serde_json::json!([["cli-kit", "lodash"]])
    );
    // The demo: one entry per vulnerable package and file.
    let (_, out, _) = d.demo(&["-f", "json"]);
    let report = json(&out);
    let plan = report["remediation"].as_array().unwrap();
    // pytest and requests are in two files each.
    assert_eq!(plan.len(), 20);
    let node_fetch = plan.iter().find(|r| r["name"] == "node-fetch").unwrap();
    assert_eq!(node_fetch["fixed_version"], "2.6.7");
    assert_eq!(
        node_fetch["introduced_via"],
        serde_json::json!([["node-fetch"]])
    );
}

#[test]
fn rego_policies_deny_or_pass() {
    let d = Demo::new();
    let policies = root().join("policies");
    // The demo has a KEV-listed vulnerability.
    let no_kev = policies.join("no-kev.rego");
    let (code, _, err) = d.demo(&["--policy", path_arg(&no_kev)]);
    assert_eq!(code, 1);
    assert!(
        err.contains("policy deny: RUSTSEC-2023-0061 (CVE-2023-4863, CVE-2023-5129) is known to be exploited (in CISA's KEV catalogue): libwebp-sys 0.9.2 in Cargo.lock"),
        "{err}"
    );
    assert!(
        err.contains("gate failed: 1 Rego policy message (listed above)"),
        "{err}"
    );
    // Its licenses are all MIT: the license policy passes.
    let copyleft = policies.join("copyleft-licenses.rego");
    let (code, _, err) = d.demo(&["--policy", path_arg(&copyleft)]);
    assert_eq!(code, 0, "{err}");
    // Suppressed findings are out of the policies' way too.
    let vex = gates("openvex.json");
    let critical = policies.join("no-critical-with-fix.rego");
    let (code, _, err) = d.demo(&["--policy", path_arg(&critical)]);
    assert_eq!(code, 1);
    assert!(err.contains("policy deny: GHSA-xvch-5gv4-984h: CRITICAL in minimist 1.2.5 (web/package-lock.json) has a fix: upgrade to 1.2.6"), "{err}");
    let (code, _, err) = d.demo(&["--policy", path_arg(&critical), "--vex", path_arg(&vex)]);
    assert_eq!(code, 0, "{err}");
    // The age of an advisory is counted from its `published` date to the
    // scan's date (SOURCE_DATE_EPOCH here): smallvec's RUSTSEC-2021-0003
    // was published 2021-01-08.
    let old = policies.join("no-old-critical-with-fix.rego");
    let at = |date_secs: &str| {
        run(Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env("VIGIL_CACHE_DIR", d.cache.path())
            .env("SOURCE_DATE_EPOCH", date_secs)
            .current_dir(root())
            .args(["--offline", "scan", "examples/demo-app", "--policy"])
            .arg(&old))
    };
    // 2026-11-27: years old.
    let (code, _, err) = at("1795737600");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("policy deny: RUSTSEC-2021-0003: CRITICAL in smallvec 1.6.0 (Cargo.lock), published 2021-01-08 (2149 days ago), has a fix: upgrade to 1.6.1"), "{err}");
    // 2021-01-20: twelve days old, not yet.
    let (code, _, err) = at("1611100800");
    assert_eq!(code, 0, "{err}");
    // Warnings print and pass; a directory loads every policy in it;
    // --namespace picks the package.
    let dir = gates("policies");
    let (code, _, err) = d.demo(&["--policy", path_arg(&dir)]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("policy warn: npm: minimist 1.2.5 is vulnerable (GHSA-xvch-5gv4-984h)"),
        "{err}"
    );
    let (code, _, err) = d.demo(&["--policy", path_arg(&dir), "--namespace", "ci.vigil"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("policy deny: 37 open findings in examples/demo-app"),
        "{err}"
    );
    let (code, _, err) = d.demo(&["--policy", path_arg(&dir), "--namespace", "x;y"]);
    assert_eq!(code, 2);
    assert!(err.contains("--namespace `x;y`"), "{err}");
}
