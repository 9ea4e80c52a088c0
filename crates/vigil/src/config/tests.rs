//! Precedence (command line > environment > vigil.toml > default) on
//! options of every kind, discovery, relative paths and errors.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::*;

/// Tests that parse read the process environment; one at a time.
static ENV: Mutex<()> = Mutex::new(());

/// Every variable a test here sets, cleared before each parse.
const VARS: &[&str] = &[
    "VIGIL_FAIL_ON",
    "VIGIL_IGNORE_UNFIXED",
    "VIGIL_VEX",
    "VIGIL_BASELINE",
    "VIGIL_CONFIG",
    "VIGIL_DB_MIRROR",
    "VIGIL_PLATFORM",
    "VIGIL_FORMAT",
    "VIGIL_OFFLINE",
];

/// Parses `vigil ARGS...` with these environment variables set.
fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Resolved> {
    let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in env {
        std::env::set_var(k, v);
    }
    let mut argv = vec![OsString::from("vigil")];
    argv.extend(args.iter().map(OsString::from));
    let r = resolve(argv);
    for (k, _) in env {
        std::env::remove_var(k);
    }
    r
}

/// A git repository (so discovery stops there) holding `vigil.toml`.
fn project(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join(FILE_NAME), toml).unwrap();
    dir
}

fn row<'a>(rows: &'a [Row], long: &str) -> &'a Row {
    rows.iter().find(|r| r.long == long).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn scan_args(r: &Resolved) -> &crate::cli::ReportArgs {
    match &r.cli.command {
        crate::cli::Command::Scan(cmd) => match &cmd.target {
            None => &cmd.args.report,
            Some(crate::cli::ScanTarget::Fs(a)) => &a.report,
            Some(crate::cli::ScanTarget::Image(a)) => &a.report,
            Some(_) => panic!("unexpected target"),
        },
        _ => panic!("not a scan"),
    }
}

const TOML: &str = r#"
[scan]
fail-on = "medium"
ignore-unfixed = true
vex = ["vex/a.json", "vex/b.json"]
baseline = "old.json"
"#;

#[test]
fn enum_option_precedence() {
    use crate::cli::FailOn;
    let p = project(TOML);
    let target = p.path().join("app");
    let t = s(&target);

    let r = parse(&["--no-config", "scan", t], &[]).unwrap();
    assert_eq!(scan_args(&r).fail_on, None);
    assert_eq!(row(&rows(&r), "fail-on").origin, Origin::Default);

    let r = parse(&["scan", t], &[]).unwrap();
    assert_eq!(scan_args(&r).fail_on, Some(FailOn::Medium));
    assert_eq!(
        row(&rows(&r), "fail-on").origin,
        Origin::File {
            path: p.path().join(FILE_NAME),
            line: 3
        }
    );

    let r = parse(&["scan", t], &[("VIGIL_FAIL_ON", "high")]).unwrap();
    assert_eq!(scan_args(&r).fail_on, Some(FailOn::High));
    assert_eq!(
        row(&rows(&r), "fail-on").origin,
        Origin::Env("VIGIL_FAIL_ON".into())
    );

    let r = parse(
        &["scan", t, "--fail-on", "critical"],
        &[("VIGIL_FAIL_ON", "high")],
    )
    .unwrap();
    assert_eq!(scan_args(&r).fail_on, Some(FailOn::Critical));
    assert_eq!(row(&rows(&r), "fail-on").origin, Origin::CommandLine);
}

#[test]
fn bool_option_precedence() {
    let p = project(TOML);
    let t = p.path().join("app");
    let t = s(&t);
    assert!(!scan_args(&parse(&["--no-config", "scan", t], &[]).unwrap()).ignore_unfixed);
    assert!(scan_args(&parse(&["scan", t], &[]).unwrap()).ignore_unfixed);
    // The environment turns off what the file turns on; 0/1 read as flags.
    let r = parse(&["scan", t], &[("VIGIL_IGNORE_UNFIXED", "0")]).unwrap();
    assert!(!scan_args(&r).ignore_unfixed);
    assert_eq!(
        row(&rows(&r), "ignore-unfixed").origin,
        Origin::Env("VIGIL_IGNORE_UNFIXED".into())
    );
    let r = parse(
        &["scan", t, "--ignore-unfixed"],
        &[("VIGIL_IGNORE_UNFIXED", "false")],
    )
    .unwrap();
    assert!(scan_args(&r).ignore_unfixed);
    assert_eq!(row(&rows(&r), "ignore-unfixed").origin, Origin::CommandLine);
}

#[test]
fn repeatable_option_precedence_and_relative_paths() {
    let p = project(TOML);
    let t = p.path().join("app");
    let t = s(&t);
    // From the file: relative to the file's directory, in order.
    let r = parse(&["scan", t], &[]).unwrap();
    assert_eq!(
        scan_args(&r).vex,
        vec![p.path().join("vex/a.json"), p.path().join("vex/b.json")]
    );
    // The environment gives one value and replaces the file's list.
    let r = parse(&["scan", t], &[("VIGIL_VEX", "env.json")]).unwrap();
    assert_eq!(scan_args(&r).vex, vec![PathBuf::from("env.json")]);
    // The command line replaces both; its paths stay as typed.
    let r = parse(
        &["scan", t, "--vex", "x.json", "--vex", "y.json"],
        &[("VIGIL_VEX", "env.json")],
    )
    .unwrap();
    assert_eq!(
        scan_args(&r).vex,
        vec![PathBuf::from("x.json"), PathBuf::from("y.json")]
    );
}

#[test]
fn path_option_precedence() {
    let p = project(TOML);
    let t = p.path().join("app");
    let t = s(&t);
    let r = parse(&["scan", t], &[]).unwrap();
    assert_eq!(scan_args(&r).baseline, Some(p.path().join("old.json")));
    let r = parse(&["scan", t], &[("VIGIL_BASELINE", "env.json")]).unwrap();
    assert_eq!(scan_args(&r).baseline, Some(PathBuf::from("env.json")));
    let r = parse(
        &["scan", t, "--baseline", "cli.json"],
        &[("VIGIL_BASELINE", "env.json")],
    )
    .unwrap();
    assert_eq!(scan_args(&r).baseline, Some(PathBuf::from("cli.json")));
}

#[test]
fn output_format_file_is_relative_to_the_file() {
    let p = project("[scan]\noutput = [\"sarif=out/v.sarif\", \"report.txt\"]\n");
    let t = p.path().join("app");
    let r = parse(&["scan", s(&t)], &[]).unwrap();
    use crate::cli::{Format, OutputTarget};
    assert_eq!(
        scan_args(&r).output,
        vec![
            OutputTarget::Format(Format::Sarif, p.path().join("out/v.sarif")),
            OutputTarget::File(p.path().join("report.txt")),
        ]
    );
}

#[test]
fn urls_and_absolute_paths_stay() {
    let p = project("[db]\nmirror = \"https://osv.example.com/base\"\n[scan]\nignorefile = \"/etc/vigil/ignore.yaml\"\n");
    let t = p.path().join("app");
    let r = parse(&["scan", s(&t)], &[]).unwrap();
    // `[db] mirror` is the global --db-mirror, for scans too.
    assert_eq!(
        r.cli.global.db_mirror.as_deref(),
        Some("https://osv.example.com/base")
    );
    assert_eq!(
        scan_args(&r).ignorefile,
        Some(PathBuf::from("/etc/vigil/ignore.yaml"))
    );
}

#[test]
fn deeper_table_wins_and_other_commands_options_are_skipped() {
    let p = project(
        "[scan]\nformat = \"json\"\nplatform = \"linux/arm64\"\n[scan.image]\nformat = \"sarif\"\n[sbom]\nformat = \"spdx\"\n",
    );
    let t = p.path().join("app");
    let r = parse(&["scan", s(&t)], &[]).unwrap();
    assert_eq!(scan_args(&r).format, crate::cli::Format::Json);

    let cfg = p.path().join(FILE_NAME);
    let r = parse(
        &["--config", s(&cfg), "scan", "image", "--input", s(&t)],
        &[],
    )
    .unwrap();
    assert_eq!(scan_args(&r).format, crate::cli::Format::Sarif);
    let crate::cli::Command::Scan(cmd) = &r.cli.command else {
        panic!()
    };
    let Some(crate::cli::ScanTarget::Image(img)) = &cmd.target else {
        panic!()
    };
    assert_eq!(img.image.platform, "linux/arm64");
}

#[test]
fn unknown_key_names_file_line_and_suggests() {
    let p = project("offline = true\n\n[scan]\nfail-onn = \"high\"\n");
    let t = p.path().join("app");
    let e = parse(&["scan", s(&t)], &[]).unwrap_err().to_string();
    let file = p.path().join(FILE_NAME);
    assert!(e.contains(&format!("{}:4", file.display())), "{e}");
    assert!(e.contains("unknown key `fail-onn` in [scan]"), "{e}");
    assert!(e.contains("did you mean `fail-on`?"), "{e}");
}

#[test]
fn unknown_table_and_bad_values_are_errors() {
    for (toml, want) in [
        ("[scna]\nformat = \"json\"\n", "unknown table `scna`"),
        ("[scan]\nfail-on = \"hgh\"\n", "invalid value 'hgh'"),
        ("[scan]\nfail-on = [\"high\"]\n", "takes one value"),
        ("offline = \"yes\"\n", "true or false expected"),
        ("[scan\n", "not valid TOML"),
        (
            "[versions]\necosystem = \"npm\"\n",
            "unknown table `versions`",
        ),
    ] {
        let p = project(toml);
        let t = p.path().join("app");
        let e = parse(&["scan", s(&t)], &[]).unwrap_err().to_string();
        assert!(e.contains(want), "{toml:?}: {e}");
        assert!(e.contains(FILE_NAME), "{e}");
    }
}

#[test]
fn discovery_goes_up_and_stops_at_the_repository_root() {
    let top = tempfile::tempdir().unwrap();
    std::fs::write(top.path().join(FILE_NAME), "offline = true\n").unwrap();
    let repo = top.path().join("repo");
    let deep = repo.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    // No .git yet: found two levels above the repository.
    assert_eq!(discover(&deep), Ok(top.path().join(FILE_NAME)));
    // A file as the target: its directory is the start.
    std::fs::write(deep.join("Cargo.lock"), "").unwrap();
    assert_eq!(
        discover(&deep.join("Cargo.lock")),
        Ok(top.path().join(FILE_NAME))
    );
    // `.git` (a directory, or a worktree's file) ends the search there.
    std::fs::write(repo.join(".git"), "gitdir: elsewhere\n").unwrap();
    assert_eq!(discover(&deep), Err(repo.clone()));
    // ... after checking that directory itself.
    std::fs::write(repo.join(FILE_NAME), "").unwrap();
    assert_eq!(discover(&deep), Ok(repo.join(FILE_NAME)));
}

#[test]
fn config_flag_and_env_choose_the_file() {
    let p = project("[scan]\nformat = \"json\"\n");
    let other = p.path().join("other.toml");
    std::fs::write(&other, "[scan]\nformat = \"markdown\"\n").unwrap();
    let t = p.path().join("app");
    let r = parse(&["scan", s(&t)], &[("VIGIL_CONFIG", s(&other))]).unwrap();
    assert_eq!(scan_args(&r).format, crate::cli::Format::Markdown);
    assert_eq!(r.found, Some(Found::Env(other.clone())));
    assert_eq!(row(&rows(&r), "format").origin.to_string(), "other.toml:2");
    let r = parse(&["--config", s(&other), "scan", s(&t)], &[]).unwrap();
    assert_eq!(r.found, Some(Found::Flag(other.clone())));
    let e = parse(&["--config", "no-such.toml", "scan", s(&t)], &[]).unwrap_err();
    assert!(e.to_string().contains("no-such.toml"), "{e}");
}

#[test]
fn commands_that_are_not_scans_read_no_file() {
    // A broken file named explicitly does not stop `versions`.
    let p = project("this is not toml");
    let cfg = p.path().join(FILE_NAME);
    let r = parse(
        &[
            "--config",
            s(&cfg),
            "versions",
            "compare",
            "-e",
            "npm",
            "1.0.0",
            "2.0.0",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(r.found, None);
    assert!(parse(&["--config", s(&cfg), "scan", "."], &[]).is_err());
}

#[test]
fn every_option_has_an_environment_variable() {
    let mut cmd = command();
    cmd.build();
    let scan = cmd.find_subcommand("scan").unwrap();
    let env = |long: &str| {
        scan.get_arguments()
            .find(|a| a.get_long() == Some(long))
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
    };
    assert_eq!(env("fail-on").as_deref(), Some("VIGIL_FAIL_ON"));
    assert_eq!(
        env("ignore-unfixed").as_deref(),
        Some("VIGIL_IGNORE_UNFIXED")
    );
    assert_eq!(env("deny-license").as_deref(), Some("VIGIL_DENY_LICENSE"));
    assert_eq!(env("cache-dir").as_deref(), Some("VIGIL_CACHE_DIR"));
    let sbom = cmd.find_subcommand("sbom").unwrap();
    let format = sbom
        .get_arguments()
        .find(|a| a.get_long() == Some("format"))
        .unwrap();
    assert_eq!(format.get_env().unwrap(), "VIGIL_SBOM_FORMAT");
}
