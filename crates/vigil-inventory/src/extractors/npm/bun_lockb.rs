//! `bun.lockb`: Bun's older binary lockfile, recognized but not read.
//!
//! ## Detects
//! Files named `bun.lockb`. Their format is an undocumented memory dump of
//! Bun's lockfile structures that changes between Bun releases, so it is
//! not parsed: the file is reported with a warning saying that it cannot
//! be read and that `bun install --save-text-lockfile` writes the text
//! `bun.lock` (Bun 1.1.39 and later) that vigil reads. When a `bun.lock`
//! sits beside it (a project that has moved to the text lockfile and kept
//! the old one), nothing is said: the text lockfile is read instead.
//!
//! ## Ecosystem
//! npm; no components.
//!
//! ## Limitations
//! - Inside an archive the files beside an entry are not looked at, so a
//!   `bun.lockb` there is always reported, even beside a `bun.lock`.
//!
//! ## References
//! - <https://bun.sh/docs/install/lockfile>
//! - <https://bun.sh/blog/bun-lock-text-lockfile>

use std::path::Path;

use vigil_model::Diagnostic;

use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Recognizes `bun.lockb` and says why it is not read.
#[derive(Debug, Clone, Copy)]
pub struct BunLockb;

/// How a binary Bun lockfile starts.
const MAGIC: &[u8] = b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n";

impl Extractor for BunLockb {
    fn name(&self) -> &'static str {
        "npm/bun-lockb"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "bun.lockb"
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.archive_depth() == 0 {
            let beside = input.path.with_file_name("bun.lock");
            if beside.is_file() {
                return Ok(out);
            }
        }
        let what = if input.bytes.starts_with(MAGIC) {
            "Bun's binary lockfile"
        } else {
            "named like Bun's binary lockfile but without its header; in any case a binary lockfile"
        };
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            None,
            format!(
                "not read: {what} cannot be read; `bun install --save-text-lockfile` writes \
                 the text `bun.lock` that vigil reads"
            ),
        ));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::testdata;

    #[test]
    fn matches_the_binary_lockfile_only() {
        assert!(BunLockb.matches(Path::new("app/bun.lockb")));
        assert!(!BunLockb.matches(Path::new("app/bun.lock")));
        assert!(!BunLockb.matches(Path::new("app/bun.lockb.bak")));
    }

    #[test]
    fn a_lone_binary_lockfile_is_a_warning_naming_it() {
        let dir = testdata("npm/bun_lockb/missing-text-lockfile");
        let x = crate::scan_dir(&dir, &crate::ScanOptions::default()).unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        let d = &x.diagnostics[0];
        assert_eq!(d.level, vigil_model::Level::Warning);
        assert_eq!(
            d.to_string(),
            "bun.lockb: not read: Bun's binary lockfile cannot be read; \
             `bun install --save-text-lockfile` writes the text `bun.lock` that vigil reads"
        );
    }

    #[test]
    fn beside_a_text_lockfile_nothing_is_said() {
        let dir = testdata("npm/bun_lockb/with-text-lockfile");
        let x = crate::scan_dir(&dir, &crate::ScanOptions::default()).unwrap();
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(x.files, ["bun.lock", "bun.lockb"]);
        // The text lockfile is read.
        assert!(!x.components.is_empty());
    }

    #[test]
    fn inside_an_archive_it_is_reported_and_any_bytes_do() {
        let root = Path::new(".");
        let x = BunLockb
            .extract(&FileInput::binary(
                "x/bun.lockb",
                Path::new("x/bun.lockb"),
                b"\x00\x01garbage",
                root,
            ))
            .unwrap();
        assert_eq!(x.diagnostics.len(), 1);
        assert!(x.diagnostics[0]
            .message
            .contains("without its header; in any case a binary lockfile cannot be read"));
    }
}
