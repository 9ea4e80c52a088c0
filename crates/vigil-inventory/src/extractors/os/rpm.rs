//! rpm's package databases: SQLite `rpmdb.sqlite` (RHEL 9, Fedora 33 and
//! later, AlmaLinux and Rocky Linux 9) and Berkeley DB `Packages` (RHEL
//! and CentOS 7 and 8, Amazon Linux 2).
//!
//! ## Detects
//! `var/lib/rpm/rpmdb.sqlite` and `usr/lib/sysimage/rpm/rpmdb.sqlite`
//! (SQLite), `var/lib/rpm/Packages` and `usr/lib/sysimage/rpm/Packages`
//! (Berkeley DB hash), relative to the scan root. Both are read as bytes.
//!
//! ## Ecosystem
//! Red Hat until the distribution is known: [`crate::os::OsRelease::apply`]
//! makes the packages AlmaLinux's, Rocky Linux's or Red Hat's and sets the
//! release. Each record is an rpm header (see `rpm_header`): `NAME`, the
//! version as the Red Hat family's advisories write it
//! (`[EPOCH:]VERSION-RELEASE`, as in `1:3.0.1-43.el9_0`), `LICENSE` (as
//! written: rpm licenses are often not SPDX), `ARCH` (the purl's `arch`
//! qualifier; the epoch is its `epoch` qualifier) and `SOURCERPM`, whose
//! name without `-VERSION-RELEASE.src.rpm` is the source package. The
//! advisories of the Red Hat family name binary packages, so matching uses
//! the package's own name. `gpg-pubkey` entries (imported signing keys,
//! not software) are skipped. Components have no line.
//!
//! SQLite reads from files: the bytes are written to a private temporary
//! file, opened read-only and immutable, and deleted when read (turning
//! bytes into a database in memory needs `unsafe` calls in the SQLite
//! binding this workspace uses). A record that is not a valid header is a
//! diagnostic naming it; a file that is not a database of the expected
//! shape is malformed.
//!
//! ## Limitations
//! - Changes still in a `rpmdb.sqlite-wal` file beside the database (not
//!   yet checkpointed) are not seen; rpm checkpoints when it exits.
//! - The NDB format (`Packages.db`, SUSE) is not read.
//! - Encrypted or checksummed Berkeley DB files (which rpm does not write)
//!   are refused.
//!
//! ## References
//! - <https://rpm-software-management.github.io/rpm/manual/format.html>
//! - rpm's `lib/backend/sqlite.c` (the `Packages` table: `hnum`, `blob`)

use std::io::Write;
use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use super::bdb::HashDb;
use super::rpm_header::{self as tags, Header};
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads rpm's SQLite database.
#[derive(Debug, Clone, Copy)]
pub struct RpmdbSqlite;

/// Reads rpm's Berkeley DB database.
#[derive(Debug, Clone, Copy)]
pub struct RpmdbBdb;

impl Extractor for RpmdbSqlite {
    fn name(&self) -> &'static str {
        "os/rpmdb-sqlite"
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(
            super::rel_str(path).as_str(),
            "var/lib/rpm/rpmdb.sqlite" | "usr/lib/sysimage/rpm/rpmdb.sqlite"
        )
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.bytes.is_empty() {
            return Ok(out);
        }
        if !input.bytes.starts_with(b"SQLite format 3\0") {
            return Err(input.malformed(None, "not an SQLite database"));
        }
        let blobs = read_sqlite(input)?;
        for (hnum, blob) in blobs {
            add_package(input, &format!("record {hnum}"), &blob, &mut out);
        }
        Ok(out)
    }
}

impl Extractor for RpmdbBdb {
    fn name(&self) -> &'static str {
        "os/rpmdb-bdb"
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(
            super::rel_str(path).as_str(),
            "var/lib/rpm/Packages" | "usr/lib/sysimage/rpm/Packages"
        )
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.bytes.is_empty() {
            return Ok(out);
        }
        let db = HashDb::open(input.bytes).map_err(|e| input.malformed(None, e))?;
        for record in db.records() {
            // Key 0 holds rpm's record counter, not a package.
            if record.key == [0, 0, 0, 0] {
                continue;
            }
            let what = match <[u8; 4]>::try_from(record.key) {
                Ok(k) => format!("record {}", u32::from_le_bytes(k)),
                Err(_) => "a record".to_string(),
            };
            match record.value {
                Ok(blob) => add_package(input, &what, &blob, &mut out),
                Err(e) => out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    None,
                    format!("{what} cannot be read: {e}; it is skipped"),
                )),
            }
        }
        Ok(out)
    }
}

/// The `(hnum, blob)` rows of the `Packages` table of an SQLite database
/// held in memory.
fn read_sqlite(input: &FileInput<'_>) -> Result<Vec<(i64, Vec<u8>)>, ExtractError> {
    let io = |source: std::io::Error| ExtractError::Io {
        path: input.rel_path.to_string(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix("vigil-rpmdb-")
        .suffix(".sqlite")
        .tempfile()
        .map_err(io)?;
    tmp.write_all(input.bytes).map_err(io)?;
    tmp.flush().map_err(io)?;
    let sql =
        |e: rusqlite::Error| input.malformed(None, format!("not a readable rpm database: {e}"));
    let mut uri = String::from("file:");
    for b in tmp.path().to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(b)),
        }
    }
    uri.push_str("?immutable=1");
    let conn = rusqlite::Connection::open_with_flags(
        &uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(sql)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(sql)?);
    }
    Ok(out)
}

/// The files one installed rpm package lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFiles {
    /// The package name.
    pub name: String,
    /// Its version as the components of this module write it
    /// (`[EPOCH:]VERSION-RELEASE`).
    pub version: String,
    /// Its architecture (`x86_64`, `noarch`), empty when not given.
    pub arch: String,
    /// The paths of its files and directories (absolute).
    pub files: Vec<String>,
}

/// The file lists of the packages in an rpm database, SQLite or Berkeley
/// DB (told by the first bytes): each header's `DIRNAMES`, `BASENAMES`
/// and `DIRINDEXES` (or the old `OLDFILENAMES`). Records that are not
/// headers, and `gpg-pubkey` entries, are skipped.
pub fn package_files(input: &FileInput<'_>) -> Result<Vec<PackageFiles>, ExtractError> {
    let blobs: Vec<Vec<u8>> = if input.bytes.is_empty() {
        Vec::new()
    } else if input.bytes.starts_with(b"SQLite format 3\0") {
        read_sqlite(input)?.into_iter().map(|(_, b)| b).collect()
    } else {
        let db = HashDb::open(input.bytes).map_err(|e| input.malformed(None, e))?;
        db.records()
            .into_iter()
            .filter(|r| r.key != [0, 0, 0, 0])
            .filter_map(|r| r.value.ok())
            .collect()
    };
    let mut out = Vec::new();
    for blob in &blobs {
        let Ok(header) = Header::parse(blob) else {
            continue;
        };
        let Some((name, version)) = name_and_version(&header) else {
            continue;
        };
        if name == "gpg-pubkey" {
            continue;
        }
        let files = match (
            header.strings(tags::DIRNAMES),
            header.strings(tags::BASENAMES),
            header.int32s(tags::DIRINDEXES),
        ) {
            (Some(dirs), Some(bases), Some(indexes)) => bases
                .iter()
                .zip(indexes)
                .filter_map(|(base, i)| dirs.get(i as usize).map(|d| format!("{d}{base}")))
                .collect(),
            _ => header
                .strings(tags::OLDFILENAMES)
                .map(|v| v.into_iter().map(str::to_string).collect())
                .unwrap_or_default(),
        };
        out.push(PackageFiles {
            name: name.to_string(),
            version,
            arch: header.string(tags::ARCH).unwrap_or("").to_string(),
            files,
        });
    }
    Ok(out)
}

/// A header's name and `[EPOCH:]VERSION-RELEASE`.
fn name_and_version<'a>(header: &Header<'a>) -> Option<(&'a str, String)> {
    let name = header.string(tags::NAME)?;
    let version = header.string(tags::VERSION)?;
    let release = header.string(tags::RELEASE).filter(|r| !r.is_empty());
    let version_release = match release {
        Some(r) => format!("{version}-{r}"),
        None => version.to_string(),
    };
    Some(match header.int32(tags::EPOCH) {
        Some(epoch) => (name, format!("{epoch}:{version_release}")),
        None => (name, version_release),
    })
}

/// Adds the package of one header blob (or a diagnostic).
fn add_package(input: &FileInput<'_>, what: &str, blob: &[u8], out: &mut Extracted) {
    let warn = |message: String| Diagnostic::warning(input.rel_path, None, message);
    let header = match Header::parse(blob) {
        Ok(h) => h,
        Err(e) => {
            out.diagnostics.push(warn(format!(
                "{what} is not an rpm header: {e}; it is skipped"
            )));
            return;
        }
    };
    let (Some(name), Some(version)) = (header.string(tags::NAME), header.string(tags::VERSION))
    else {
        out.diagnostics.push(warn(format!(
            "{what} has no package name or version; it is skipped"
        )));
        return;
    };
    if name == "gpg-pubkey" {
        return;
    }
    let release = header.string(tags::RELEASE).filter(|r| !r.is_empty());
    let version_release = match release {
        Some(r) => format!("{version}-{r}"),
        None => version.to_string(),
    };
    let full = match header.int32(tags::EPOCH) {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release.clone(),
    };
    let srpm = header.string(tags::SOURCERPM).filter(|s| !s.is_empty());
    let source = srpm.and_then(source_of_srpm);
    let arch = header.string(tags::ARCH).unwrap_or("");
    let mut c = Component::new(Ecosystem::RedHat, name, full.as_str())
        .at(input.rel_path, None)
        .license(header.string(tags::LICENSE).map(str::to_string));
    if let Some((src_name, src_version)) = source {
        let differs = src_version != version_release;
        c = c.source(src_name, differs.then(|| src_version.to_string()));
    }
    c.purl = super::purl(
        Ecosystem::RedHat,
        name,
        &full,
        &[("arch", arch), ("upstream", srpm.unwrap_or(""))],
    );
    out.components.push(c);
}

/// The source package name and `version-release` of a source RPM file
/// name (`openssl-3.0.1-41.el9_0.src.rpm`).
fn source_of_srpm(srpm: &str) -> Option<(&str, &str)> {
    let stem = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, _release) = stem.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    let version_release = stem.get(name.len() + 1..)?;
    (!name.is_empty()).then_some((name, version_release))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::*;
    use std::path::PathBuf;

    fn samples() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lockfile-samples/os/rpm/testdata"
        ))
        .canonicalize()
        .unwrap()
    }

    fn run(ex: &dyn Extractor, rel: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        let root = samples();
        let input = FileInput::binary(rel, &root, bytes, &root);
        ex.extract(&input)
    }

    #[test]
    fn matches_the_database_paths_only() {
        for p in [
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
        ] {
            assert!(RpmdbSqlite.matches(Path::new(p)), "{p}");
        }
        for p in ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages"] {
            assert!(RpmdbBdb.matches(Path::new(p)), "{p}");
        }
        assert!(!RpmdbBdb.matches(Path::new("srv/var/lib/rpm/Packages")));
        assert!(!RpmdbSqlite.matches(Path::new("var/lib/rpm/rpmdb.sqlite-wal")));
    }

    #[test]
    fn reads_the_real_berkeley_db_sample() {
        let bytes = std::fs::read(samples().join("Packages_epoch")).unwrap();
        let x = run(&RpmdbBdb, "var/lib/rpm/Packages", &bytes).unwrap();
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        // The database holds one package; `dive` is only left in a freed
        // page.
        assert_eq!(brief(&x), ["hello@1:0.0.1-rls var/lib/rpm/Packages:"]);
        let hello = one(&x, "hello", "1:0.0.1-rls");
        assert_eq!(hello.license.as_deref(), Some("GPL"));
        assert_eq!(hello.advisory_key(), ("hello", "1:0.0.1-rls"));
        assert_eq!(hello.source.as_ref().unwrap().name, "hello");
        assert_eq!(hello.source.as_ref().unwrap().version, None);
        assert_eq!(
            hello.purl,
            "pkg:rpm/redhat/hello@0.0.1-rls?arch=x86_64&epoch=1&upstream=hello-0.0.1-rls.src.rpm"
        );
    }

    #[test]
    fn refuses_what_is_not_a_database() {
        let bytes = std::fs::read(samples().join("invalid")).unwrap();
        let err = run(&RpmdbBdb, "var/lib/rpm/Packages", &bytes).unwrap_err();
        assert!(
            err.to_string().starts_with("var/lib/rpm/Packages: "),
            "{err}"
        );
        let err = run(&RpmdbSqlite, "var/lib/rpm/rpmdb.sqlite", &bytes).unwrap_err();
        assert!(err.to_string().contains("not an SQLite database"), "{err}");
        assert!(run(&RpmdbBdb, "var/lib/rpm/Packages", b"")
            .unwrap()
            .components
            .is_empty());
    }

    /// Writes an rpm SQLite database holding the given header blobs.
    fn sqlite_db(blobs: &[Vec<u8>]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rpmdb.sqlite");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )
        .unwrap();
        for b in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                .unwrap();
        }
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn reads_an_sqlite_database() {
        let blobs = [
            tags::build(
                &[
                    (tags::NAME, "openssl-libs"),
                    (tags::VERSION, "3.0.1"),
                    (tags::RELEASE, "41.el9_0"),
                    (tags::ARCH, "x86_64"),
                    (tags::LICENSE, "ASL 2.0"),
                    (tags::SOURCERPM, "openssl-3.0.1-41.el9_0.src.rpm"),
                ],
                &[(tags::EPOCH, 1)],
            ),
            tags::build(
                &[
                    (tags::NAME, "gpg-pubkey"),
                    (tags::VERSION, "fd431d51"),
                    (tags::RELEASE, "4ae0493b"),
                ],
                &[],
            ),
            tags::build(&[(tags::NAME, "no-version")], &[]),
            b"not a header".to_vec(),
        ];
        let db = sqlite_db(&blobs);
        let x = run(&RpmdbSqlite, "var/lib/rpm/rpmdb.sqlite", &db).unwrap();
        assert_eq!(
            brief(&x),
            ["openssl-libs@1:3.0.1-41.el9_0 var/lib/rpm/rpmdb.sqlite:"]
        );
        let c = &x.components[0];
        assert_eq!(c.source.as_ref().unwrap().name, "openssl");
        assert_eq!(c.license.as_deref(), Some("ASL 2.0"));
        assert_eq!(
            c.purl,
            "pkg:rpm/redhat/openssl-libs@3.0.1-41.el9_0?arch=x86_64&epoch=1&upstream=openssl-3.0.1-41.el9_0.src.rpm"
        );
        let diags: Vec<String> = x.diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(
            diags[0].starts_with("record 3 has no package name or version"),
            "{diags:?}"
        );
        assert!(
            diags[1].starts_with("record 4 is not an rpm header"),
            "{diags:?}"
        );

        // An SQLite database without the table is malformed.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        let other = std::fs::read(&path).unwrap();
        let err = run(&RpmdbSqlite, "var/lib/rpm/rpmdb.sqlite", &other).unwrap_err();
        assert!(err.to_string().contains("no such table: Packages"), "{err}");
        // A truncated database is an error, not a panic.
        let cut = &db[..db.len() / 2];
        let _ = run(&RpmdbSqlite, "var/lib/rpm/rpmdb.sqlite", cut);
    }

    #[test]
    fn file_lists_of_an_sqlite_database() {
        let blobs = [
            tags::build_with_arrays(
                &[
                    (tags::NAME, "openssl-libs"),
                    (tags::VERSION, "3.0.7"),
                    (tags::RELEASE, "27.el9"),
                    (tags::ARCH, "x86_64"),
                ],
                &[(tags::EPOCH, 1)],
                &[
                    (
                        tags::DIRNAMES,
                        &["/usr/lib64/", "/usr/share/doc/openssl-libs/"],
                    ),
                    (
                        tags::BASENAMES,
                        &["libssl.so.3", "libcrypto.so.3", "README"],
                    ),
                ],
                &[(tags::DIRINDEXES, &[0, 0, 1])],
            ),
            tags::build_with_arrays(
                &[(tags::NAME, "old"), (tags::VERSION, "1")],
                &[],
                &[(tags::OLDFILENAMES, &["/bin/old"])],
                &[],
            ),
            tags::build(&[(tags::NAME, "gpg-pubkey"), (tags::VERSION, "1")], &[]),
        ];
        let db = sqlite_db(&blobs);
        let root = samples();
        let input = FileInput::binary("var/lib/rpm/rpmdb.sqlite", &root, &db, &root);
        let files = package_files(&input).unwrap();
        assert_eq!(
            files,
            [
                PackageFiles {
                    name: "openssl-libs".into(),
                    version: "1:3.0.7-27.el9".into(),
                    arch: "x86_64".into(),
                    files: vec![
                        "/usr/lib64/libssl.so.3".into(),
                        "/usr/lib64/libcrypto.so.3".into(),
                        "/usr/share/doc/openssl-libs/README".into(),
                    ],
                },
                PackageFiles {
                    name: "old".into(),
                    version: "1".into(),
                    arch: String::new(),
                    files: vec!["/bin/old".into()],
                },
            ]
        );
        // The Berkeley DB sample's header has no file list tags it can
        // read wrongly: a package, maybe without files, never a panic.
        let bytes = std::fs::read(samples().join("Packages_epoch")).unwrap();
        let input = FileInput::binary("var/lib/rpm/Packages", &root, &bytes, &root);
        let files = package_files(&input).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].version, "1:0.0.1-rls");
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            source_of_srpm("openssl-3.0.1-41.el9_0.src.rpm"),
            Some(("openssl", "3.0.1-41.el9_0"))
        );
        assert_eq!(
            source_of_srpm("python3.11-3.11.5-1.el9_3.src.rpm"),
            Some(("python3.11", "3.11.5-1.el9_3"))
        );
        assert_eq!(source_of_srpm("broken.src.rpm"), None);
        assert_eq!(source_of_srpm("openssl-3.0.1-41.el9_0.rpm"), None);
    }

    #[test]
    fn own_fixtures() {
        let root = testdata("os/rpm");
        for rel in ["var/lib/rpm/Packages", "var/lib/rpm/rpmdb.sqlite"] {
            let ex: &dyn Extractor = if rel.ends_with("Packages") {
                &RpmdbBdb
            } else {
                &RpmdbSqlite
            };
            let x = extract_binary(ex, &root.join("empty"), rel).unwrap();
            assert!(x.components.is_empty() && x.diagnostics.is_empty(), "{rel}");
        }
        let err =
            extract_binary(&RpmdbBdb, &root.join("malformed"), "var/lib/rpm/Packages").unwrap_err();
        assert_eq!(
            err.to_string(),
            "var/lib/rpm/Packages: too short for a Berkeley DB database"
        );
    }
}
