//! Archives of any ecosystem: their entries are read by the other
//! extractors.

pub mod tar_bundle;
pub mod zip_bundle;

use std::path::Path;

use crate::archive::{self, EntryInfo, Want};

/// What a bundle reader does with an entry: an entry some extractor claims
/// by its name is read; one no name claims but with an executable bit or
/// an executable's extension is read if an extractor recognizes its first
/// bytes; the rest is skipped.
pub(crate) fn bundle_want(name: &str, info: EntryInfo) -> Want {
    if archive::claimed_by_name(name) {
        Want::Read
    } else if info.executable
        || crate::walk::has_binary_extension(crate::file_name(Path::new(name)))
    {
        Want::Sniff
    } else {
        Want::Skip
    }
}
