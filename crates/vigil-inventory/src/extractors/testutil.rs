//! Helpers shared by the extractor tests.

use std::path::{Path, PathBuf};

use vigil_model::Component;

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// The fixtures of one format: `testdata/<eco>/<format>`.
pub(crate) fn testdata(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(sub)
}

/// The shared real-world lockfile samples (outside the repository), or
/// `None` when this checkout has none beside it. When the samples are
/// there, every file a test names must be there too.
pub(crate) fn samples(sub: &str) -> Option<PathBuf> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/lockfile-samples/language"
    ));
    if !root.is_dir() {
        return None;
    }
    let dir = root.join(sub);
    assert!(dir.is_dir(), "samples folder {sub} is missing");
    Some(dir)
}

/// Runs an extractor on `rel` below `root` (the scan root), as the walk
/// would.
pub(crate) fn extract_in(
    ex: &dyn Extractor,
    root: &Path,
    rel: &str,
) -> Result<Extracted, ExtractError> {
    let root = root.canonicalize().expect("test root exists");
    let path = root.join(rel);
    let text = crate::input::read_text(&path, rel, 64 * 1024 * 1024)?;
    let input = FileInput::new(rel, &path, &text, &root);
    ex.extract(&input)
}

/// Runs an extractor on a fixture of `testdata/<sub>`.
pub(crate) fn fixture(ex: &dyn Extractor, sub: &str, rel: &str) -> Result<Extracted, ExtractError> {
    extract_in(ex, &testdata(sub), rel)
}

/// What a snapshot shows: components, not-checked entries and diagnostics,
/// each sorted.
pub(crate) fn view(x: &Extracted) -> serde_json::Value {
    let mut components = x.components.clone();
    components.sort_by(|a, b| {
        (&a.locations, &a.name, &a.version).cmp(&(&b.locations, &b.name, &b.version))
    });
    let mut not_checked = x.not_checked.clone();
    not_checked.sort();
    let mut diagnostics = x.diagnostics.clone();
    diagnostics.sort();
    serde_json::json!({
        "components": components,
        "not_checked": not_checked,
        "diagnostics": diagnostics,
    })
}

/// One line per component, `name@version path:line`, sorted: for compact
/// assertions.
pub(crate) fn brief(x: &Extracted) -> Vec<String> {
    let mut out: Vec<String> = x
        .components
        .iter()
        .map(|c| {
            let loc = c
                .locations
                .iter()
                .map(|l| {
                    format!(
                        "{}:{}",
                        l.path,
                        l.line.map(|n| n.to_string()).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(",");
            format!("{}@{} {loc}", c.name, c.version)
        })
        .collect();
    out.sort();
    out
}

/// The component named so at that version (panics when there is not
/// exactly one).
pub(crate) fn one<'a>(x: &'a Extracted, name: &str, version: &str) -> &'a Component {
    let found: Vec<&Component> = x
        .components
        .iter()
        .filter(|c| c.name == name && c.version == version)
        .collect();
    assert_eq!(found.len(), 1, "{name}@{version} in {:#?}", brief(x));
    found[0]
}

/// The first location's line of a component.
pub(crate) fn line(c: &Component) -> Option<u32> {
    c.locations.first().and_then(|l| l.line)
}

/// Runs the extractor on every prefix of a fixture (cut at each character
/// boundary, and at each line end): a parser must never panic, whatever
/// it is handed.
pub(crate) fn survives_truncation(ex: &dyn Extractor, sub: &str, rel: &str) {
    let root = testdata(sub).canonicalize().expect("fixture root exists");
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    let cuts: Vec<usize> = if text.len() > 4096 {
        text.match_indices('\n').map(|(i, _)| i).collect()
    } else {
        (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect()
    };
    for cut in cuts {
        let part = text.get(..cut).unwrap_or_default();
        let input = FileInput::new(rel, &path, part, &root);
        let _ = ex.extract(&input);
    }
}

/// The not-checked entries as sorted `name@version :line reason` lines.
pub(crate) fn unchecked_brief(x: &Extracted) -> Vec<String> {
    let mut nc: Vec<String> = x
        .not_checked
        .iter()
        .map(|n| {
            format!(
                "{}@{} :{} {}",
                n.name,
                n.version,
                n.location.line.unwrap_or(0),
                n.reason
            )
        })
        .collect();
    nc.sort();
    nc
}

/// Whether a missing build tool (Go, `cargo auditable`) must fail the test
/// that needs it instead of skipping it.
pub(crate) fn tools_required() -> bool {
    std::env::var("VIGIL_REFERENCE_TESTS").is_ok_and(|v| v == "1")
}

/// Reports a missing build tool: a skip line on standard error, or a
/// failure when `VIGIL_REFERENCE_TESTS=1`.
#[allow(clippy::print_stderr)]
pub(crate) fn tool_missing(test: &str, why: &str) {
    if tools_required() {
        panic!("{test}: build tool not available: {why} (VIGIL_REFERENCE_TESTS=1)");
    }
    eprintln!("{test}: skipped, build tool not available: {why}");
}

/// Runs a command, returning its standard output when it succeeds, or a
/// description of why it did not start or failed.
pub(crate) fn run_tool(cmd: &mut std::process::Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The Go version (`go env GOVERSION`, e.g. `go1.22.3`), or `None` when Go
/// is not installed.
pub(crate) fn go_version() -> Option<String> {
    let mut cmd = std::process::Command::new("go");
    cmd.args(["env", "GOVERSION"]).env("GOTOOLCHAIN", "local");
    run_tool(&mut cmd).ok().map(|s| s.trim().to_string())
}

/// Builds a stdlib-only Go program in module mode (`module
/// example.com/hello`) into `dir/hello`, offline, and returns its path;
/// `None` (after reporting the skip) when Go is not installed.
pub(crate) fn build_go_hello(test: &str, dir: &Path) -> Option<PathBuf> {
    build_go_hello_for(test, dir, None)
}

/// [`build_go_hello`] cross-compiled for `(GOOS, GOARCH)` (the standard
/// library is built from Go's own sources: nothing is fetched), into
/// `dir/hello-GOOS-GOARCH`.
pub(crate) fn build_go_hello_for(
    test: &str,
    dir: &Path,
    target: Option<(&str, &str)>,
) -> Option<PathBuf> {
    if go_version().is_none() {
        tool_missing(test, "`go` (Debian: apt-get install golang-go)");
        return None;
    }
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("temp dir is writable");
    std::fs::write(src.join("go.mod"), "module example.com/hello\n\ngo 1.19\n")
        .expect("temp dir is writable");
    std::fs::write(
        src.join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
    )
    .expect("temp dir is writable");
    let out = match target {
        Some((os, arch)) => dir.join(format!("hello-{os}-{arch}")),
        None => dir.join("hello"),
    };
    let mut cmd = std::process::Command::new("go");
    if let Some((os, arch)) = target {
        cmd.env("GOOS", os)
            .env("GOARCH", arch)
            .env("CGO_ENABLED", "0");
    }
    cmd.current_dir(&src)
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GO111MODULE", "on")
        .env("GOWORK", "off");
    if let Err(e) = run_tool(&mut cmd) {
        panic!("{test}: go build failed: {e}");
    }
    Some(out)
}

/// Builds a stdlib-only Go program (`main.go` holding `source`) in module
/// mode, offline, with extra `go build` flags, into `dir/name`; `None`
/// (after reporting the skip) when Go is not installed.
pub(crate) fn build_go_program(
    test: &str,
    dir: &Path,
    name: &str,
    source: &str,
    flags: &[&str],
) -> Option<PathBuf> {
    if go_version().is_none() {
        tool_missing(test, "`go` (Debian: apt-get install golang-go)");
        return None;
    }
    let src = dir.join(format!("src-{name}"));
    std::fs::create_dir_all(&src).expect("temp dir is writable");
    std::fs::write(src.join("go.mod"), "module example.com/prog\n\ngo 1.19\n")
        .expect("temp dir is writable");
    std::fs::write(src.join("main.go"), source).expect("temp dir is writable");
    let out = dir.join(name);
    let mut cmd = std::process::Command::new("go");
    cmd.current_dir(&src)
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(".")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GO111MODULE", "on")
        .env("GOWORK", "off");
    if let Err(e) = run_tool(&mut cmd) {
        panic!("{test}: go build failed: {e}");
    }
    Some(out)
}

/// Runs an extractor on a binary file on disk (relative path `rel` below
/// `root`), as the walk would.
pub(crate) fn extract_binary(
    ex: &dyn Extractor,
    root: &Path,
    rel: &str,
) -> Result<Extracted, ExtractError> {
    let root = root.canonicalize().expect("test root exists");
    let path = root.join(rel);
    let bytes = std::fs::read(&path).expect("binary is readable");
    let input = FileInput::binary(rel, &path, &bytes, &root);
    ex.extract(&input)
}

/// Builds, with `cargo auditable build --offline`, a tiny binary crate
/// depending on `memmap2 = "=0.9.10"` (a version with a RustSec advisory)
/// into `dir` (its own target folder inside), and returns the binary's
/// path; `None` (after reporting the skip) when `cargo auditable` is not
/// installed or the crate is not in the local registry cache.
pub(crate) fn build_auditable(test: &str, dir: &Path) -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let listed = run_tool(std::process::Command::new(&cargo).arg("--list")).unwrap_or_default();
    if !listed.lines().any(|l| l.trim().starts_with("auditable")) {
        tool_missing(
            test,
            "`cargo auditable` (cargo install cargo-auditable --locked)",
        );
        return None;
    }
    let src = dir.join("audited");
    std::fs::create_dir_all(src.join("src")).expect("temp dir is writable");
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"audited\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nmemmap2 = \"=0.9.10\"\n\n[workspace]\n",
    )
    .expect("temp dir is writable");
    std::fs::write(
        src.join("src/main.rs"),
        "fn main() {\n    let _ = memmap2::MmapOptions::new();\n}\n",
    )
    .expect("temp dir is writable");
    let target = dir.join("target");
    let mut cmd = std::process::Command::new(&cargo);
    cmd.current_dir(&src)
        .args(["auditable", "build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    if let Err(e) = run_tool(&mut cmd) {
        if e.contains("offline") || e.contains("failed to select a version") {
            tool_missing(
                test,
                &format!("memmap2 0.9.10 is not in the local cargo registry cache: {e}"),
            );
            return None;
        }
        panic!("{test}: cargo auditable build failed: {e}");
    }
    Some(
        target
            .join("debug")
            .join(format!("audited{}", std::env::consts::EXE_SUFFIX)),
    )
}

/// `name@version direct=… dev=… optional=…` of each component (`yes`, `no`
/// or `?`), sorted.
pub(crate) fn flags_brief(x: &Extracted) -> Vec<String> {
    let show = |b: Option<bool>| b.map_or("?", |b| if b { "yes" } else { "no" });
    let mut v: Vec<String> = x
        .components
        .iter()
        .map(|c| {
            format!(
                "{}@{} direct={} dev={} optional={}",
                c.name,
                c.version,
                show(c.direct),
                show(c.dev),
                show(c.optional)
            )
        })
        .collect();
    v.sort();
    v
}

/// Asserts that each fixture gives nothing at all: no component, nothing
/// left unchecked, no diagnostic (empty documents are not errors).
pub(crate) fn assert_empty(ex: &dyn Extractor, sub: &str, rels: &[&str]) {
    for rel in rels {
        let x = fixture(ex, sub, rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(
            x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty(),
            "{rel}: {x:?}"
        );
    }
}

/// Asserts that a fixture is refused as malformed, the error naming the
/// file and `line` and saying `message` (its start) after `path:line: `.
pub(crate) fn assert_malformed(
    ex: &dyn Extractor,
    sub: &str,
    rel: &str,
    line: Option<u32>,
    message: &str,
) {
    let err = fixture(ex, sub, rel).expect_err(rel);
    assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
    assert_eq!(err.path(), rel);
    assert_eq!(err.line(), line, "{err}");
    let at = match line {
        Some(l) => format!("{rel}:{l}: "),
        None => format!("{rel}: "),
    };
    assert!(
        err.to_string().starts_with(&format!("{at}{message}")),
        "{err}"
    );
}
