//! Inventory: which components a source tree contains.
//!
//! An [`Extractor`] reads one file format (a `Cargo.lock`, a
//! `requirements.txt`, ...) into [`Component`]s. [`scan_dir`] walks a tree,
//! hands each file to the extractors that claim it, and returns an
//! [`Inventory`]. [`scan_sbom`] and [`scan_file_with`] read one file the
//! user names, with the extractor its content or the caller chooses.
//!
//! Invariants:
//! - A bad file never stops a scan: it becomes a [`Diagnostic`] naming the
//!   file (and line where known) and the scan goes on with the rest.
//! - Files are read with limits: anything larger than
//!   [`ScanOptions::max_file_size`] or that looks binary is refused before
//!   it is read whole.
//! - The walk never follows a symlink out of the scan root.
//! - Adding a format is one new file under `extractors/`, its fixtures under
//!   `testdata/`, and one line in [`extractors::EXTRACTORS`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Tests may unwrap: a panic is how they fail. Library code may not (the
// workspace lint still applies to it).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod archive;
pub mod extractors;
mod input;
pub mod os;
pub mod symbols;
mod walk;

pub use archive::{archive_members, is_member_archive, MEMBER_ARCHIVES};
pub use input::{ExtractError, Extracted, FileInput};
pub use walk::{
    claims_head, claims_path, extract_detached, extract_entry, has_binary_extension, scan_dir,
    scan_file_with, scan_sbom, Inventory, ScanOptions, SNIFF_HEAD,
};

use std::path::Path;

/// One lockfile or manifest format.
///
/// Implementations are unit structs registered in
/// [`extractors::EXTRACTORS`].
pub trait Extractor: Sync {
    /// A stable name, `<ecosystem>/<format>` (for example `npm/package-lock`).
    fn name(&self) -> &'static str;

    /// Whether this extractor reads the file at `path` (relative to the scan
    /// root). Must be cheap: it looks at the name only.
    fn matches(&self, path: &Path) -> bool;

    /// Whether it reads text (the default: UTF-8, size-limited, refused
    /// when binary) or raw bytes (executables, archives).
    fn input_kind(&self) -> InputKind {
        InputKind::Text
    }

    /// For binary formats that file names cannot tell (executables): whether
    /// the first bytes of a file that no extractor claims by name are this
    /// format's. Only asked of executable files and files with a binary
    /// extension (see the walk), so that ordinary files are never opened
    /// for it.
    fn sniff(&self, _head: &[u8]) -> bool {
        false
    }

    /// Reads the file into components.
    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError>;
}

/// What an extractor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// UTF-8 text: [`FileInput::contents`].
    Text,
    /// Raw bytes: [`FileInput::bytes`]; `contents` is empty.
    Binary,
}

/// The file name of a path, as UTF-8 (empty when it has none).
pub(crate) fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}
