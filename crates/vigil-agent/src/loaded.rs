//! What code a process has loaded, read from its `/proc/PID` directory.
//!
//! Sources, all read below a *proc root* (`/proc` on a host, a fixture
//! tree in tests):
//!
//! - `PID/exe`: the executable itself.
//! - `PID/maps`: the file-backed mappings. Only mappings with execute
//!   permission count (that is code: each shared object has one such
//!   segment; data files the process merely maps, such as locale archives,
//!   fonts or database files, have none), plus any mapping of a Java
//!   archive (the JVM maps parts of JARs read-only). Pseudo entries
//!   (`[heap]`, `[stack]`, `[vdso]`, `[vvar]`, ...) and anonymous mappings
//!   (inode 0, no path) are skipped; `memfd:` and `/dev/...` mappings too
//!   (no package owns them). The path column is everything after the fifth
//!   field, so paths with spaces are kept whole; a ` (deleted)` suffix marks
//!   a file removed or replaced since it was mapped (the flag is kept, the
//!   suffix dropped); the kernel's `\012` escape of a newline is undone.
//!   Lines too short to be mappings (a read cut short) are skipped.
//! - `PID/fd`: descriptors open on `.jar`, `.war` or `.ear` files.
//! - `PID/cmdline`: for a JVM (`java` as the program name), the class path
//!   (`-cp`, `-classpath`, `--class-path`, `--class-path=`, and `-jar`):
//!   each `.jar` entry, and the JARs of a `dir/*` entry. Relative entries
//!   are taken from the process's working directory (`PID/cwd`).
//!
//! Shared objects under `site-packages`, `dist-packages` or `lib-dynload`
//! are marked as Python extension modules. Every path is the one the
//! process sees (inside its container's root); the same file found by
//! several sources is listed once, under its strongest kind (executable,
//! then JAR, then Python extension, then shared object).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::snapshot::{LoadedKind, Unseen};

/// One file of code a process has loaded, before its package is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedFile {
    /// Its path as the process sees it (absolute).
    pub path: String,
    /// What kind of code it is.
    pub kind: LoadedKind,
    /// Whether the mapping says the file was deleted since.
    pub deleted: bool,
}

/// The loaded files of a process could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot read: {source}")]
pub struct LoadError {
    /// The file that could not be read (`/proc/1234/maps`).
    pub path: String,
    /// The I/O error (permission denied for another user's process without
    /// `CAP_SYS_PTRACE`; not found when the process has exited).
    #[source]
    pub source: std::io::Error,
}

/// One mapping of `/proc/PID/maps` that has a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The permissions (`r-xp`).
    pub perms: String,
    /// The inode (0 for anonymous and pseudo mappings).
    pub inode: u64,
    /// The path, without the ` (deleted)` suffix.
    pub path: String,
    /// Whether it had the ` (deleted)` suffix.
    pub deleted: bool,
}

/// Parses the text of a `/proc/PID/maps` file into its mappings that
/// name a path (pseudo entries like `[heap]` included; anonymous ones
/// not). Malformed or cut-off lines are skipped.
pub fn parse_maps(text: &str) -> Vec<Mapping> {
    let mut out = Vec::new();
    for line in text.lines() {
        // Five fields separated by single or repeated spaces, then the
        // path, which may itself contain spaces.
        let mut rest = line;
        let mut fields = [""; 5];
        let mut complete = true;
        for field in &mut fields {
            rest = rest.trim_start_matches(' ');
            match rest.find(' ') {
                Some(end) => {
                    *field = &rest[..end];
                    rest = &rest[end..];
                }
                None => {
                    *field = rest;
                    rest = "";
                    complete = false;
                }
            }
        }
        if !complete || !fields[0].contains('-') || fields[1].len() != 4 {
            continue;
        }
        let Ok(inode) = fields[4].parse::<u64>() else {
            continue;
        };
        let raw = rest.trim_start_matches(' ');
        if raw.is_empty() {
            continue;
        }
        let (raw, deleted) = match raw.strip_suffix(" (deleted)") {
            Some(p) => (p, true),
            None => (raw, false),
        };
        out.push(Mapping {
            perms: fields[1].to_string(),
            inode,
            path: raw.replace("\\012", "\n"),
            deleted,
        });
    }
    out
}

/// Whether a path names a Java archive.
fn is_java_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".jar", ".war", ".ear"].iter().any(|e| lower.ends_with(e))
}

/// Whether a shared object is a Python extension module.
fn is_python_extension(path: &str) -> bool {
    path.ends_with(".so")
        && ["/site-packages/", "/dist-packages/", "/lib-dynload/"]
            .iter()
            .any(|d| path.contains(d))
}

/// How strong a kind is when one file is found several ways.
fn rank(kind: LoadedKind) -> u8 {
    match kind {
        LoadedKind::Executable => 3,
        LoadedKind::Jar => 2,
        LoadedKind::PythonExtension => 1,
        LoadedKind::SharedObject => 0,
    }
}

/// The files of code selected from a process's mappings (see the module
/// documentation for which count).
pub fn code_mappings(maps: &[Mapping]) -> Vec<LoadedFile> {
    let mut out = Vec::new();
    for m in maps {
        if m.inode == 0
            || !m.path.starts_with('/')
            || m.path.starts_with("/dev/")
            || m.path.starts_with("/memfd:")
        {
            continue;
        }
        let jar = is_java_archive(&m.path);
        if !jar && !m.perms.contains('x') {
            continue;
        }
        let kind = if jar {
            LoadedKind::Jar
        } else if is_python_extension(&m.path) {
            LoadedKind::PythonExtension
        } else {
            LoadedKind::SharedObject
        };
        out.push(LoadedFile {
            path: m.path.clone(),
            kind,
            deleted: m.deleted,
        });
    }
    out
}

/// The JARs on a JVM's class path, from its command line. `cwd` is the
/// process's working directory and `root` its root directory as the agent
/// sees it (to list `dir/*` entries). Not a JVM: nothing.
pub fn class_path_jars(args: &[String], cwd: Option<&str>, root: &Path) -> Vec<String> {
    let Some(program) = args.first() else {
        return Vec::new();
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    if name != "java" {
        return Vec::new();
    }
    let mut entries: Vec<String> = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-cp" | "-classpath" | "--class-path" => {
                if let Some(v) = args.get(i + 1) {
                    entries.extend(v.split(':').map(str::to_string));
                }
                i += 2;
                continue;
            }
            "-jar" => {
                // What follows are the application's own arguments.
                entries.extend(args.get(i + 1).cloned());
                break;
            }
            _ => {}
        }
        if let Some(v) = a.strip_prefix("--class-path=") {
            entries.extend(v.split(':').map(str::to_string));
        } else if !a.starts_with('-') {
            // The main class: the JVM's options end here.
            break;
        }
        i += 1;
    }
    let absolute = |e: &str| -> Option<String> {
        if e.starts_with('/') {
            Some(e.to_string())
        } else {
            cwd.map(|c| format!("{}/{e}", c.trim_end_matches('/')))
        }
    };
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| !e.is_empty()) {
        if let Some(dir) = e.strip_suffix("/*").or((e == "*").then_some("")) {
            let Some(dir) = absolute(if dir.is_empty() { "." } else { dir }) else {
                continue;
            };
            let on_disk = root.join(dir.trim_start_matches('/'));
            let Ok(list) = std::fs::read_dir(&on_disk) else {
                continue;
            };
            let mut jars: Vec<String> = list
                .filter_map(Result::ok)
                .filter_map(|d| d.file_name().to_str().map(str::to_string))
                .filter(|n| n.to_ascii_lowercase().ends_with(".jar"))
                .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
                .collect();
            jars.sort();
            out.extend(jars);
        } else if is_java_archive(e) {
            out.extend(absolute(e));
        }
    }
    out.into_iter().map(|p| normalize(&p)).collect()
}

/// A path with `.` and `..` parts and repeated slashes resolved lexically.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The target of a `/proc` symlink, without a ` (deleted)` suffix, and
/// whether it had one.
fn link_target(link: &Path) -> Option<(String, bool)> {
    let target = std::fs::read_link(link).ok()?;
    let t = target.to_string_lossy();
    Some(match t.strip_suffix(" (deleted)") {
        Some(p) => (p.to_string(), true),
        None => (t.into_owned(), false),
    })
}

/// The files of code process `pid` has loaded, read below `proc_root`
/// (`/proc`). Reading `PID/maps` is required: when it fails, the error
/// says why (the collector reports it as unseen). What else cannot be read
/// (the descriptors of another user's process) is returned as [`Unseen`]
/// beside the files found.
pub fn files(proc_root: &Path, pid: u32) -> Result<(Vec<LoadedFile>, Vec<Unseen>), LoadError> {
    let dir = proc_root.join(pid.to_string());
    let maps_path = dir.join("maps");
    let maps = std::fs::read(&maps_path).map_err(|source| LoadError {
        path: maps_path.display().to_string(),
        source,
    })?;
    let mut unseen = Vec::new();
    let mut found: Vec<LoadedFile> = Vec::new();

    if let Some((path, deleted)) = link_target(&dir.join("exe")) {
        found.push(LoadedFile {
            path,
            kind: LoadedKind::Executable,
            deleted,
        });
    }
    found.extend(code_mappings(&parse_maps(&String::from_utf8_lossy(&maps))));

    let fd_dir = dir.join("fd");
    match std::fs::read_dir(&fd_dir) {
        Ok(list) => {
            for entry in list.filter_map(Result::ok) {
                if let Some((path, deleted)) = link_target(&entry.path()) {
                    if path.starts_with('/') && is_java_archive(&path) {
                        found.push(LoadedFile {
                            path,
                            kind: LoadedKind::Jar,
                            deleted,
                        });
                    }
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => unseen.push(Unseen {
            what: fd_dir.display().to_string(),
            why: e.to_string(),
        }),
    }

    if let Ok(cmdline) = std::fs::read(dir.join("cmdline")) {
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let cwd = link_target(&dir.join("cwd")).map(|(p, _)| p);
        let root: PathBuf = dir.join("root");
        for path in class_path_jars(&args, cwd.as_deref(), &root) {
            found.push(LoadedFile {
                path,
                kind: LoadedKind::Jar,
                deleted: false,
            });
        }
    }

    Ok((dedupe(found), unseen))
}

/// One entry per path, under its strongest kind, deleted when any source
/// says so; sorted by path after the executable.
fn dedupe(found: Vec<LoadedFile>) -> Vec<LoadedFile> {
    let mut by_path: BTreeMap<String, LoadedFile> = BTreeMap::new();
    for f in found {
        match by_path.get_mut(&f.path) {
            Some(seen) => {
                seen.deleted |= f.deleted;
                if rank(f.kind) > rank(seen.kind) {
                    seen.kind = f.kind;
                }
            }
            None => {
                by_path.insert(f.path.clone(), f);
            }
        }
    }
    let mut out: Vec<LoadedFile> = by_path.into_values().collect();
    out.sort_by_key(|f| f.kind != LoadedKind::Executable);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel)
    }

    #[test]
    fn maps_keep_spaces_and_mark_deleted_files() {
        let text = std::fs::read_to_string(fixture("proc/4242/maps")).unwrap();
        let maps = parse_maps(&text);
        let paths: Vec<&str> = maps.iter().map(|m| m.path.as_str()).collect();
        assert!(paths.contains(&"/opt/my app/lib/libfoo.so.1"), "{paths:?}");
        assert!(paths.contains(&"[heap]"), "{paths:?}");
        let deleted = maps
            .iter()
            .find(|m| m.path == "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")
            .unwrap();
        assert!(deleted.deleted);
        // The last line is cut short: skipped, not a panic.
        assert!(!paths.iter().any(|p| p.contains("libcut")), "{paths:?}");

        let code = code_mappings(&maps);
        let brief: Vec<(&str, LoadedKind, bool)> = code
            .iter()
            .map(|f| (f.path.as_str(), f.kind, f.deleted))
            .collect();
        assert!(brief.contains(&(
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            LoadedKind::SharedObject,
            false
        )));
        assert!(brief.contains(&(
            "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
            LoadedKind::SharedObject,
            true
        )));
        assert!(brief.contains(&(
            "/opt/app/venv/lib/python3.11/site-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so",
            LoadedKind::PythonExtension,
            false
        )));
        assert!(brief.contains(&("/opt/app/lib/guava.jar", LoadedKind::Jar, false)));
        // Data mappings, pseudo entries, anonymous ones and devices are not
        // code.
        for p in [
            "/usr/lib/locale/locale-archive",
            "[heap]",
            "[vdso]",
            "/dev/zero",
            "/memfd:jit",
        ] {
            assert!(!brief.iter().any(|b| b.0 == p), "{p} in {brief:?}");
        }
    }

    #[test]
    fn a_line_with_a_newline_in_its_path_is_unescaped() {
        let maps =
            parse_maps("7f0-7f1 r-xp 00000000 08:01 12 /opt/odd\\012name/libx.so (deleted)\n");
        assert_eq!(maps[0].path, "/opt/odd\nname/libx.so");
        assert!(maps[0].deleted);
    }

    #[test]
    fn class_path_of_a_jvm() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("srv/app/lib")).unwrap();
        for n in ["b.jar", "a.jar", "notes.txt"] {
            std::fs::write(dir.path().join("srv/app/lib").join(n), b"").unwrap();
        }
        let args = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
        assert_eq!(
            class_path_jars(
                &args(
                    "/usr/bin/java -Xmx1g -cp lib/*:classes:../x/y.jar com.example.Main -cp z.jar"
                ),
                Some("/srv/app"),
                dir.path()
            ),
            ["/srv/app/lib/a.jar", "/srv/app/lib/b.jar", "/srv/x/y.jar"]
        );
        assert_eq!(
            class_path_jars(
                &args("java --class-path=/a.jar -jar app.jar -cp other.jar"),
                Some("/w"),
                dir.path()
            ),
            ["/a.jar", "/w/app.jar"]
        );
        assert!(class_path_jars(&args("python3 -cp x.jar"), None, dir.path()).is_empty());
    }

    #[test]
    fn files_of_a_fixture_process() {
        // A /proc tree built at test time: symlinks cannot be fixture files
        // portably, the maps and cmdline are copied from the fixtures.
        let proc = tempfile::tempdir().unwrap();
        let dir = proc.path().join("4242");
        std::fs::create_dir_all(dir.join("fd")).unwrap();
        std::fs::copy(fixture("proc/4242/maps"), dir.join("maps")).unwrap();
        std::fs::copy(fixture("proc/4242/cmdline"), dir.join("cmdline")).unwrap();
        let link = |target: &str, name: &Path| std::os::unix::fs::symlink(target, name).unwrap();
        link("/usr/bin/python3.11 (deleted)", &dir.join("exe"));
        link("/opt/app", &dir.join("cwd"));
        link("/opt/app/lib/guava.jar", &dir.join("fd/3"));
        link("/opt/app/lib/web app.war (deleted)", &dir.join("fd/4"));
        link("socket:[12345]", &dir.join("fd/5"));
        link("/opt/app/data.db", &dir.join("fd/6"));
        let (files, unseen) = files(proc.path(), 4242).unwrap();
        assert!(unseen.is_empty(), "{unseen:?}");
        assert_eq!(
            files[0],
            LoadedFile {
                path: "/usr/bin/python3.11".into(),
                kind: LoadedKind::Executable,
                deleted: true
            }
        );
        let jars: Vec<(&str, bool)> = files
            .iter()
            .filter(|f| f.kind == LoadedKind::Jar)
            .map(|f| (f.path.as_str(), f.deleted))
            .collect();
        assert_eq!(
            jars,
            [
                ("/opt/app/lib/guava.jar", false),
                ("/opt/app/lib/web app.war", true)
            ]
        );
        // Each path once.
        let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let n = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), n);
        assert!(!files.iter().any(|f| f.path.contains("data.db")));

        let err = super::files(proc.path(), 1).unwrap_err();
        assert!(err.to_string().contains("/1/maps: cannot read"), "{err}");
    }
}
