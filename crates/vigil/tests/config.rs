//! End-to-end tests of configuration through the real binary: a
//! `vigil.toml` beside a copy of the demo project gates its scan,
//! `vigil config show` says where each value came from, and the
//! completion scripts and man pages generate.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    // The tests' own environment must not configure them.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("VIGIL_") {
            c.env_remove(k);
        }
    }
    c.env("NO_COLOR", "1").env_remove("CI").stdin(Stdio::null());
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("running vigil");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the demo project as a repository of its own (so the search
/// for vigil.toml stops there), and a cache with the demo mirror's
/// advisories.
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Project {
    fn new(toml: Option<&str>) -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root().join("examples/demo-app"), dir.path());
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        if let Some(toml) = toml {
            std::fs::write(dir.path().join("vigil.toml"), toml).unwrap();
        }
        let cache = tempfile::tempdir().unwrap();
        let mirror = root().join("examples/osv-mirror");
        let (code, _, err) = run(vigil()
            .env("VIGIL_CACHE_DIR", cache.path())
            .arg("--db-mirror")
            .arg(&mirror)
            .args(["--quiet", "db", "update"]));
        assert_eq!(code, 0, "{err}");
        Project { dir, cache }
    }

    fn vigil(&self) -> Command {
        let mut c = vigil();
        c.env("VIGIL_CACHE_DIR", self.cache.path())
            .current_dir(self.dir.path());
        c
    }
}

#[test]
fn vigil_toml_fail_on_fails_the_demo_scan() {
    let p = Project::new(Some("offline = true\n\n[scan]\nfail-on = \"high\"\n"));
    // From inside the project, no flags: the file's gate fails the scan.
    let (code, _, err) = run(p.vigil().args(["scan", "web"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fail --fail-on high"), "{err}");
    // The environment overrides the file, the command line both.
    let (code, _, err) = run(p.vigil().env("VIGIL_FAIL_ON", "critical").arg("scan"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("fail --fail-on critical"), "{err}");
    let (code, _, err) = run(p.vigil().args(["--no-config", "--offline", "scan"]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn without_vigil_toml_the_demo_scan_passes() {
    let p = Project::new(None);
    let (code, _, err) = run(p.vigil().args(["--offline", "scan", "."]));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn config_show_names_each_source() {
    let p = Project::new(Some(
        "offline = true\n\n[scan]\nfail-on = \"high\"\nignore-unfixed = true\nvex = [\"vex.json\"]\n",
    ));
    let (code, out, err) = run(p
        .vigil()
        .env("VIGIL_FORMAT", "json")
        .args(["--quiet", "config", "show", "web"]));
    assert_eq!(code, 0, "{err}");
    let line = |opt: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(opt))
            .unwrap_or_else(|| panic!("{opt} in {out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(out.starts_with("Configuration file: "), "{out}");
    assert!(out.lines().next().unwrap().ends_with("vigil.toml"), "{out}");
    assert_eq!(line("--fail-on")[1..], ["high", "vigil.toml:4"]);
    assert_eq!(line("--ignore-unfixed")[1..], ["true", "vigil.toml:5"]);
    assert_eq!(line("--offline")[1..], ["true", "vigil.toml:1"]);
    assert_eq!(line("--format")[1..], ["json", "env", "VIGIL_FORMAT"]);
    assert_eq!(line("--quiet")[1..], ["true", "command", "line"]);
    assert_eq!(line("--max-file-size")[1..], ["64", "default"]);
    let vex = p.dir.path().join("vex.json");
    assert_eq!(line("--vex")[1], vex.to_str().unwrap());

    let (code, out, err) = run(p.vigil().args(["config", "show", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let option = |name: &str| {
        doc["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["option"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(option("fail-on")["value"], "high");
    assert_eq!(option("fail-on")["source"], "vigil.toml:4");
    assert_eq!(option("fail-on")["env"], "VIGIL_FAIL_ON");
    assert_eq!(option("ignore-unfixed")["value"], true);
    assert_eq!(option("vex")["value"][0], vex.to_str().unwrap());
    assert_eq!(option("baseline")["value"], serde_json::Value::Null);
    assert!(doc["config_file"].as_str().unwrap().ends_with("vigil.toml"));
}

#[test]
fn a_bad_vigil_toml_is_an_error_naming_file_line_and_key() {
    let p = Project::new(Some("[scan]\nfail-on = \"high\"\nignore-unfixd = true\n"));
    let (code, out, err) = run(p.vigil().args(["--offline", "scan"]));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(
            "vigil.toml:3: unknown key `ignore-unfixd` in [scan] (did you mean `ignore-unfixed`?)"
        ),
        "{err}"
    );
}

#[test]
fn completions_generate_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(vigil().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["scan", "sbom", "db", "fail-on", "config"] {
            assert!(out.contains(word), "{shell} completions lack {word}");
        }
    }
    let (code, _, err) = run(vigil().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_pages_generate() {
    let (code, out, err) = run(vigil().arg("man"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(".ie \\n(.g .ds Aq") || out.contains(".TH vigil 1"),
        "{out}"
    );
    for word in ["scan", "sbom", "db", "VIGIL_CONFIG"] {
        assert!(out.contains(word), "man page lacks {word}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let scan = std::fs::read_to_string(dir.path().join("vigil-scan.1")).unwrap();
    assert!(scan.contains("fail\\-on"), "{scan}");
    assert!(scan.contains("VIGIL_FAIL_ON"), "{scan}");
    assert!(dir.path().join("vigil.1").is_file());
    assert!(dir.path().join("vigil-db-update.1").is_file());
}

#[test]
fn no_progress_bars_when_stderr_is_not_a_terminal() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil()
        .env("VIGIL_CACHE_DIR", cache.path())
        .arg("--db-mirror")
        .arg(root().join("examples/osv-mirror"))
        .args(["db", "update"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("Updating the advisory database"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert!(
        err.lines().all(|l| l.starts_with("Updating")
            || l.starts_with("  ")
            || l.starts_with("warning: ")),
        "{err}"
    );
}
