//! End-to-end tests of the vulnerable-code check: executables built here
//! (Go programs with Debian's Go toolchain, a Rust program with `cargo
//! auditable`), scanned with the real OSV records, and with an advisory of
//! our own that affects every Go version (the real records affect only
//! some). A missing toolchain skips a test, or fails it when
//! `VIGIL_REFERENCE_TESTS=1` (CI).
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn vigil(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_CACHE_DIR", cache)
        .env_remove("VIGIL_DB_MIRROR")
        .env_remove("VIGIL_KEV_SOURCE")
        .env("NO_COLOR", "1")
        .arg("--offline")
        .stdin(Stdio::null());
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

/// Whether a missing toolchain fails the test instead of skipping it.
#[allow(clippy::print_stderr)]
fn skip(test: &str, why: &str) {
    if std::env::var("VIGIL_REFERENCE_TESTS").is_ok_and(|v| v == "1") {
        panic!("{test}: {why} (VIGIL_REFERENCE_TESTS=1)");
    }
    eprintln!("{test}: skipped: {why}");
}

fn tool_output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds the stdlib-only Go program `source` in module mode, offline,
/// into `dir/name/app`; `None` when Go is not installed.
fn build_go(dir: &Path, name: &str, source: &str, flags: &[&str]) -> Option<PathBuf> {
    tool_output(Command::new("go").args(["env", "GOVERSION"]))?;
    let src = dir.join(name).join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), "module example.com/app\n").unwrap();
    std::fs::write(src.join("main.go"), source).unwrap();
    let out = dir.join(name).join("app");
    let status = Command::new("go")
        .current_dir(&src)
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(".")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GO111MODULE", "on")
        .env("GOWORK", "off")
        .status()
        .unwrap();
    assert!(status.success(), "go build {name}");
    // Only the executable is scanned: its sources (and their go.mod,
    // which names the Go version too) are out of the way.
    std::fs::remove_dir_all(&src).unwrap();
    Some(out)
}

/// Calls `mime.(*WordDecoder).DecodeHeader`, which GO-2026-5038 names.
const USES_DECODER: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"mime\"\n\t\"os\"\n)\n\n\
func main() {\n\td := new(mime.WordDecoder)\n\ts, err := d.DecodeHeader(os.Args[0])\n\tfmt.Println(s, err)\n}\n";

/// Does not.
const HELLO: &str = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n";

fn scan_json(cache: &Path, dir: &Path) -> Value {
    let (code, out, err) = run(vigil(cache).args(["scan"]).arg(dir).args(["-f", "json"]));
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The `vulnerable_code` of the finding `id` on `stdlib`, or `None` when
/// there is no such finding; `Some(Value::Null)` when it has no verdict.
fn verdict(report: &Value, id: &str) -> Option<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && f["package"]["name"] == "stdlib")
        .map(|f| f["vulnerable_code"].clone())
}

#[test]
fn go_binaries_with_and_without_the_affected_function() {
    let test = "go_binaries_with_and_without_the_affected_function";
    let dir = tempfile::tempdir().unwrap();
    let Some(uses) = build_go(dir.path(), "uses", USES_DECODER, &["-ldflags=-s -w"]) else {
        return skip(test, "`go` is not installed (Debian: golang-go)");
    };
    let hello = build_go(dir.path(), "hello", HELLO, &[]).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path()).args(["db", "import"]).args([
        shared().join("osv/Go/all.zip"),
        fixture("vulnerable-code/VIGIL-TEST-GO-0001.json"),
    ]));
    assert_eq!(code, 0, "{err}");

    let with = scan_json(cache.path(), uses.parent().unwrap());
    let without = scan_json(cache.path(), hello.parent().unwrap());

    // Our record lists `mime` `WordDecoder.DecodeHeader` and the
    // `net/http/httputil` package (no symbols: all of it) for every Go
    // version. The stripped binary calling the decoder has it linked in,
    // under its pointer-receiver name.
    assert_eq!(
        verdict(&with, "VIGIL-TEST-GO-0001").unwrap(),
        serde_json::json!({"status": "present", "symbols": ["mime.(*WordDecoder).DecodeHeader"]})
    );
    assert_eq!(
        verdict(&without, "VIGIL-TEST-GO-0001").unwrap(),
        serde_json::json!({"status": "absent",
            "symbols": ["mime.WordDecoder.DecodeHeader", "net/http/httputil"]})
    );
    // The real record of the decoder (GO-2026-5038), when it affects the
    // installed Go version: the same verdicts.
    match (
        verdict(&with, "GO-2026-5038"),
        verdict(&without, "GO-2026-5038"),
    ) {
        (Some(w), Some(wo)) => {
            assert_eq!(w["status"], "present", "{w}");
            assert_eq!(wo["status"], "absent", "{wo}");
        }
        (None, None) => skip(test, "GO-2026-5038 does not affect the installed Go"),
        other => panic!("one binary only has GO-2026-5038: {other:?}"),
    }
    // Every Go program links the runtime: a record naming a function every
    // program has is never "absent" on both.
    let statuses = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["vulnerable_code"]["status"].as_str().map(String::from))
            .collect()
    };
    assert!(statuses(&with).iter().any(|s| s == "absent"));

    // The table says it after the title.
    let (_, table, err) = run(vigil(cache.path())
        .args(["scan"])
        .arg(uses.parent().unwrap()));
    let line = table
        .lines()
        .find(|l| l.contains("VIGIL-TEST-GO-0001"))
        .unwrap_or_else(|| panic!("{table}\n{err}"));
    assert!(
        line.contains("(vulnerable function present: mime.(*WordDecoder).DecodeHeader)"),
        "{line}"
    );
    let (_, table, _) = run(vigil(cache.path())
        .args(["scan"])
        .arg(hello.parent().unwrap()));
    let line = table
        .lines()
        .find(|l| l.contains("VIGIL-TEST-GO-0001"))
        .unwrap();
    assert!(line.contains("(vulnerable code not in binary)"), "{line}");
}

/// Builds with `cargo auditable` (debug profile: symbols kept) a program
/// on memmap2 0.9.10 whose `main.rs` is `main_rs`, into `dir/name`.
fn build_rust(dir: &Path, name: &str, main_rs: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let listed = tool_output(Command::new(&cargo).arg("--list")).unwrap_or_default();
    if !listed.lines().any(|l| l.trim().starts_with("auditable")) {
        return Err("`cargo auditable` is not installed".into());
    }
    let src = dir.join(format!("{name}-src"));
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nmemmap2 = \"=0.9.10\"\n\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(src.join("src/main.rs"), main_rs).unwrap();
    let target = dir.join("target");
    let out = Command::new(&cargo)
        .current_dir(&src)
        .args(["auditable", "build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .unwrap();
    if !out.status.success() {
        let e = String::from_utf8_lossy(&out.stderr).into_owned();
        if e.contains("offline") || e.contains("failed to select a version") {
            return Err(format!("memmap2 0.9.10 is not in the local registry: {e}"));
        }
        panic!("cargo auditable build {name}: {e}");
    }
    let bin = dir.join(name).join("app");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(
        target
            .join("debug")
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX)),
        &bin,
    )
    .unwrap();
    Ok(bin)
}

#[test]
fn rust_binary_with_and_without_the_affected_function() {
    let test = "rust_binary_with_and_without_the_affected_function";
    let dir = tempfile::tempdir().unwrap();
    // RUSTSEC-2026-0186 lists `memmap2::MmapMut::flush_range` among the
    // affected functions of memmap2 before 0.9.11.
    let flushes = "fn main() {\n    let mut m = memmap2::MmapMut::map_anon(4096).unwrap();\n    \
                   m[0] = 1;\n    m.flush_range(0, 1).unwrap();\n}\n";
    let maps = "fn main() {\n    let m = memmap2::MmapMut::map_anon(4096).unwrap();\n    \
                println!(\"{}\", m.len());\n}\n";
    let with = match build_rust(dir.path(), "flushes", flushes) {
        Ok(b) => b,
        Err(why) => return skip(test, &why),
    };
    let without = build_rust(dir.path(), "maps", maps).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(shared().join("osv/crates.io/all.zip")));
    assert_eq!(code, 0, "{err}");
    let find = |bin: &Path| -> Value {
        let report = scan_json(cache.path(), bin.parent().unwrap());
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "RUSTSEC-2026-0186")
            .unwrap_or_else(|| panic!("no RUSTSEC-2026-0186 in {report}"))["vulnerable_code"]
            .clone()
    };
    assert_eq!(
        find(&with),
        serde_json::json!({"status": "present", "symbols": ["memmap2::MmapMut::flush_range"]})
    );
    let v = find(&without);
    assert_eq!(v["status"], "absent", "{v}");
    assert!(
        v["symbols"]
            .as_array()
            .unwrap()
            .contains(&Value::from("memmap2::MmapMut::flush_range")),
        "{v}"
    );
}

/// Sleeps after calling the decoder: a process for `vigil scan host`.
const SLEEPS: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"mime\"\n\t\"os\"\n\t\"time\"\n)\n\n\
func main() {\n\td := new(mime.WordDecoder)\n\ts, err := d.DecodeHeader(os.Args[0])\n\tfmt.Println(s, err)\n\
\ttime.Sleep(time.Minute)\n}\n";

#[cfg(target_os = "linux")]
#[test]
fn a_running_go_process_is_checked_on_the_host() {
    let test = "a_running_go_process_is_checked_on_the_host";
    let dir = tempfile::tempdir().unwrap();
    let Some(bin) = build_go(dir.path(), "sleeps", SLEEPS, &[]) else {
        return skip(test, "`go` is not installed (Debian: golang-go)");
    };
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = run(vigil(cache.path())
        .args(["db", "import"])
        .arg(fixture("vulnerable-code/VIGIL-TEST-GO-0001.json")));
    assert_eq!(code, 0, "{err}");
    let mut child = Command::new(&bin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The process is seen once it runs its own executable.
    let exe = std::fs::canonicalize(&bin).unwrap();
    for _ in 0..100 {
        if std::fs::read_link(format!("/proc/{}/exe", child.id())).is_ok_and(|e| e == exe) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (code, out, err) = run(vigil(cache.path()).args(["scan", "host", "-f", "json"]));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(code == 0 || code == 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let exe = exe.to_string_lossy();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "VIGIL-TEST-GO-0001" && f["location"]["path"] == *exe)
        .unwrap_or_else(|| panic!("no finding on {exe}: {out}"));
    assert_eq!(
        f["vulnerable_code"],
        serde_json::json!({"status": "present", "symbols": ["mime.(*WordDecoder).DecodeHeader"]})
    );
}
