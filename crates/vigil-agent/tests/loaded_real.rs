//! Loaded code of real processes on this host, mapped to the packages dpkg
//! installed.
//!
//! - A Python process that imported `ssl` has Debian's libssl mapped: its
//!   entry names the libssl3 package at the version dpkg reports.
//! - A JVM running a JAR (Debian's default JRE): the JAR is its Maven
//!   artifact, a Debian-packaged JAR on its class path is its Debian
//!   package, and libjvm.so is the JRE's package. Without `java` the test
//!   is skipped with a message, unless `VIGIL_AGENT_TESTS=1` says it
//!   must run (the CI sets it and installs `default-jre-headless` and
//!   `libcommons-io-java`).
//! - A Go executable built at test time: its build information gives the
//!   Go standard library and the toolchain's version as components (its
//!   main module, built from a local directory, has no version). Without
//!   `go`, skipped likewise (Debian: `golang-go`).
//!
//! Both need dpkg (a Debian or Ubuntu host); elsewhere they are skipped
//! with a message.
#![allow(clippy::unwrap_used)]
#![allow(clippy::print_stderr)] // Skips are reported on stderr.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vigil_agent::owners::{self, OwnerIndex};
use vigil_agent::{Loaded, LoadedKind};

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What dpkg-query says, or `None` without dpkg.
fn dpkg_query(args: &[&str]) -> Option<String> {
    let out = Command::new("dpkg-query").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The package dpkg says owns a path (`libssl3:amd64: /usr/...` → `libssl3`).
fn dpkg_owner(path: &str) -> Option<String> {
    let line = dpkg_query(&["-S", path])?;
    let name = line.split(": ").next()?;
    Some(name.split(':').next()?.to_string())
}

fn loaded_of(pid: u32, index: &OwnerIndex) -> Vec<Loaded> {
    let (loaded, unseen) = owners::loaded(Path::new("/proc"), pid, index).unwrap();
    assert!(unseen.is_empty(), "{unseen:?}");
    loaded
}

fn find<'a>(loaded: &'a [Loaded], suffix: &str) -> &'a Loaded {
    loaded
        .iter()
        .find(|l| l.path.ends_with(suffix))
        .unwrap_or_else(|| {
            let paths: Vec<&str> = loaded.iter().map(|l| l.path.as_str()).collect();
            panic!("nothing loaded ends with {suffix}: {paths:?}")
        })
}

#[test]
fn python_with_ssl_maps_libssl_to_its_debian_package() {
    let python = Path::new("/usr/bin/python3");
    if dpkg_query(&["--version"]).is_none() || !python.exists() {
        eprintln!("skipped: needs dpkg and the Debian python3 (/usr/bin/python3)");
        return;
    }
    let mut child = Command::new(python)
        .args([
            "-c",
            "import ssl, sys, time; print('ready', flush=True); time.sleep(60)",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let child = Killed(child);
    assert_eq!(line.trim(), "ready");

    let (index, unseen) = OwnerIndex::build(Path::new("/"));
    assert!(unseen.is_empty(), "{unseen:?}");
    let loaded = loaded_of(child.0.id(), &index);

    let ssl = find(&loaded, "/libssl.so.3");
    let package = ssl.package.as_ref().unwrap();
    assert!(
        package.name == "libssl3" || package.name == "libssl3t64",
        "{package:?}"
    );
    let expected = dpkg_query(&["-W", "-f", "${Version}", &package.name]).unwrap();
    assert_eq!(package.version, expected);
    assert!(package.ecosystem.is_distro(), "{package:?}");
    assert_eq!(ssl.release.as_deref(), index.release());
    assert!(package.purl.starts_with("pkg:deb/"), "{}", package.purl);

    // The executable comes first, with its package.
    assert_eq!(loaded[0].kind, LoadedKind::Executable);
    let exe = loaded[0].package.as_ref().unwrap();
    assert_eq!(Some(exe.name.clone()), dpkg_owner(&loaded[0].path));
    // The `_ssl` extension module is marked as one.
    let ext = find(&loaded, ".so");
    let ext = loaded
        .iter()
        .find(|l| l.path.contains("/_ssl."))
        .unwrap_or(ext);
    assert_eq!(ext.kind, LoadedKind::PythonExtension, "{ext:?}");
}

#[test]
fn a_jvm_running_a_jar() {
    let must = std::env::var("VIGIL_AGENT_TESTS").is_ok_and(|v| v == "1");
    let java = Command::new("java")
        .arg("-version")
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !java || dpkg_query(&["--version"]).is_none() {
        assert!(
            !must,
            "VIGIL_AGENT_TESTS=1 but `java` or dpkg is missing: install default-jre-headless"
        );
        eprintln!(
            "skipped: no Java runtime (install default-jre-headless, or set \
             VIGIL_AGENT_TESTS=1 to make this a failure)"
        );
        return;
    }
    let jar = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/java/sleeper.jar");
    let commons = "/usr/share/java/commons-io.jar";
    let has_commons = Path::new(commons).exists();
    assert!(
        has_commons || !must,
        "VIGIL_AGENT_TESTS=1 but {commons} is missing: install libcommons-io-java"
    );
    let class_path = if has_commons {
        format!("{}:{commons}", jar.display())
    } else {
        jar.display().to_string()
    };
    let child = Killed(
        Command::new("java")
            .args(["-Xshare:auto", "-cp", &class_path, "Sleep", "60"])
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();

    // Wait until the JVM has loaded itself and opened the JAR.
    let (index, _) = OwnerIndex::build(Path::new("/"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let loaded = loop {
        let loaded = loaded_of(pid, &index);
        let ready = loaded.iter().any(|l| l.path.ends_with("/libjvm.so"))
            && loaded
                .iter()
                .any(|l| l.path.ends_with("/sleeper.jar") && l.kind == LoadedKind::Jar);
        if ready || Instant::now() > deadline {
            break loaded;
        }
        std::thread::sleep(Duration::from_millis(200));
    };

    let app = find(&loaded, "/sleeper.jar");
    assert_eq!(app.kind, LoadedKind::Jar);
    let p = app.package.as_ref().unwrap();
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("org.example:sleeper", "1.0.0")
    );
    assert_eq!(p.purl, "pkg:maven/org.example/sleeper@1.0.0");

    let jvm = find(&loaded, "/libjvm.so");
    let jre = jvm.package.as_ref().unwrap();
    assert_eq!(Some(jre.name.clone()), dpkg_owner(&jvm.path));
    let version = dpkg_query(&["-W", "-f", "${Version}", &jre.name]).unwrap();
    assert_eq!(jre.version, version);

    if has_commons {
        // A Debian-packaged JAR: its Debian package, and its Maven
        // artifact as a component.
        let lib = find(&loaded, "/commons-io.jar");
        let deb = lib.package.as_ref().unwrap();
        assert_eq!(deb.name, "libcommons-io-java");
        assert!(
            lib.components
                .iter()
                .any(|c| c.name == "commons-io:commons-io"),
            "{:?}",
            lib.components
        );
    }
}

#[test]
fn a_go_executable_lists_its_modules() {
    let must = std::env::var("VIGIL_AGENT_TESTS").is_ok_and(|v| v == "1");
    let version = Command::new("go")
        .args(["env", "GOVERSION"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some(version) = version else {
        assert!(
            !must,
            "VIGIL_AGENT_TESTS=1 but `go` is missing: install golang-go"
        );
        eprintln!("skipped: no Go toolchain (install golang-go, or set VIGIL_AGENT_TESTS=1 to make this a failure)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/go/sleeper");
    let exe = dir.path().join("sleeper");
    let built = Command::new("go")
        .current_dir(&src)
        .args(["build", "-o"])
        .arg(&exe)
        .arg(".")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .status()
        .unwrap();
    assert!(built.success(), "go build failed");
    let mut child = Command::new(&exe).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let child = Killed(child);
    assert_eq!(line.trim(), "ready");

    let (index, _) = OwnerIndex::build(Path::new("/"));
    let loaded = loaded_of(child.0.id(), &index);
    let me = &loaded[0];
    assert_eq!(me.kind, LoadedKind::Executable);
    assert!(me.path.ends_with("/sleeper"), "{me:?}");
    assert_eq!(me.package, None, "{me:?}");
    let stdlib = me
        .components
        .iter()
        .find(|c| c.name == "stdlib")
        .unwrap_or_else(|| panic!("{me:?}"));
    assert_eq!(
        Some(stdlib.version.as_str()),
        version.strip_prefix("go"),
        "{stdlib:?}"
    );
}
