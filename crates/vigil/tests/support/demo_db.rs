//! The binary run from the repository's root with its own cache, after
//! `db update` from the demo's advisory mirror (`examples/osv-mirror`).

use std::path::PathBuf;
use std::process::Command;

/// A cache holding the demo mirror's database; runs `vigil` from the
/// repository's root with it.
pub(crate) struct DemoDb {
    cache: tempfile::TempDir,
}

impl DemoDb {
    /// Fetches the database from the demo mirror into a new cache.
    pub(crate) fn new() -> DemoDb {
        let db = DemoDb {
            cache: tempfile::tempdir().unwrap(),
        };
        let (code, _, err) = db.run(&["--db-mirror", "examples/osv-mirror", "db", "update"]);
        assert_eq!(code, 0, "{err}");
        db
    }

    /// `vigil --no-config ARGS` from the repository's root: exit code,
    /// stdout, stderr.
    pub(crate) fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .env("VIGIL_CACHE_DIR", self.cache.path())
            .env_remove("VIGIL_DB_MIRROR")
            .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .arg("--no-config")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}
