//! The registry of extractors, one file per format.
//!
//! To add a format: write `extractors/<ecosystem>/<format>.rs` with a unit
//! struct implementing [`Extractor`](crate::Extractor), its fixtures in
//! `testdata/`, and add one line to [`EXTRACTORS`] (kept sorted by name).

pub mod archive;
pub(crate) mod binary;
pub mod cpp;
pub mod dart;
pub mod dotnet;
pub mod elixir;
pub mod go;
pub mod haskell;
pub mod java;
pub(crate) mod json_lines;
pub mod npm;
pub mod os;
pub mod php;
pub mod python;
pub mod r;
pub mod ruby;
pub mod rust;
pub mod sbom;
pub mod swift;

#[cfg(test)]
pub(crate) mod testutil;

use crate::{ExtractError, Extractor, FileInput};

/// Every extractor, sorted by name.
pub static EXTRACTORS: &[&dyn Extractor] = &[
    &archive::tar_bundle::TarBundle,
    &archive::zip_bundle::ZipBundle,
    &cpp::conan_lock::ConanLock,
    &cpp::vcpkg::Vcpkg,
    &dart::pubspec_lock::PubspecLock,
    &dotnet::deps_json::DepsJson,
    &dotnet::packages_config::PackagesConfig,
    &dotnet::packages_lock::PackagesLock,
    &elixir::mix_lock::MixLock,
    &go::binary::GoBinary,
    &go::go_mod::GoMod,
    &haskell::cabal_freeze::CabalFreeze,
    &java::archive::JavaArchive,
    &java::gradle_lockfile::GradleLockfile,
    &java::pom::Pom,
    &npm::bun_lock::BunLock,
    &npm::bun_lockb::BunLockb,
    &npm::hidden_lockfile::HiddenLockfile,
    &npm::installed_package_json::InstalledPackageJson,
    &npm::package_lock::PackageLock,
    &npm::pnpm_lock::PnpmLock,
    &npm::yarn_lock::YarnLock,
    &os::apk::ApkInstalled,
    &os::dpkg::DpkgStatus,
    &os::rpm::RpmdbBdb,
    &os::rpm::RpmdbSqlite,
    &php::composer_installed::ComposerInstalled,
    &php::composer_lock::ComposerLock,
    &python::dist_info::DistInfo,
    &python::egg_info::EggInfo,
    &python::pdm_lock::PdmLock,
    &python::pipfile_lock::PipfileLock,
    &python::poetry_lock::PoetryLock,
    &python::pylock::Pylock,
    &python::requirements::Requirements,
    &python::uv_lock::UvLock,
    &r::renv_lock::RenvLock,
    &ruby::gemfile_lock::GemfileLock,
    &ruby::installed_gemspec::InstalledGemspec,
    &rust::auditable::RustAuditable,
    &rust::cargo_lock::CargoLock,
    &sbom::cyclonedx::CycloneDx,
    &sbom::spdx::Spdx,
    &swift::package_resolved::PackageResolved,
];

/// The 1-based line of a byte offset in `text` (offsets past the end give
/// the last line).
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let newlines = text
        .as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
    u32::try_from(newlines).unwrap_or(u32::MAX - 1) + 1
}

/// Line numbers of byte offsets in one text, in O(log n) each: lockfiles
/// have thousands of packages, and counting newlines from the start for
/// each would be quadratic.
pub(crate) struct LineIndex {
    /// Byte offsets where each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset (offsets past the end give the
    /// last line).
    pub(crate) fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        u32::try_from(idx).unwrap_or(u32::MAX - 1) + 1
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// A TOML parse or shape error as a malformed-file error, with the line
/// where the parser located it.
pub(crate) fn toml_malformed(
    input: &FileInput<'_>,
    format: &str,
    err: &toml::de::Error,
) -> ExtractError {
    let line = err.span().map(|s| line_at(input.contents, s.start));
    let message = err.message().trim().replace('\n', " ");
    input.malformed(line, format!("not a valid {format}: {message}"))
}

/// The byte offset of `part` within `whole`, when `part` is a slice of it
/// (as a borrowed `serde_json::value::RawValue` is of the text it was read
/// from): how JSON extractors locate entries without a second scanner.
pub(crate) fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start.checked_add(part.len())? <= whole.len()).then_some(start)
}

/// A JSON parse or shape error as a malformed-file error. `first_line` is
/// the line where the parsed text starts (1 for the whole file; the line of
/// an entry when the entry is parsed on its own).
pub(crate) fn json_malformed(
    input: &FileInput<'_>,
    format: &str,
    first_line: u32,
    err: &serde_json::Error,
) -> ExtractError {
    let line = u32::try_from(err.line())
        .ok()
        .filter(|&l| l > 0)
        .map(|l| first_line.saturating_add(l - 1));
    let text = err.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text),
        None => &text,
    };
    input.malformed(line, format!("not a valid {format}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_names_are_unique() {
        let names: Vec<&str> = EXTRACTORS.iter().map(|e| e.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for n in names {
            let (eco, format) = n.split_once('/').unwrap();
            assert!(!eco.is_empty() && !format.is_empty(), "{n}");
        }
    }

    #[test]
    fn lines_of_offsets() {
        let t = "a\nbb\n\nc";
        assert_eq!(line_at(t, 0), 1);
        assert_eq!(line_at(t, 2), 2);
        assert_eq!(line_at(t, 5), 3);
        assert_eq!(line_at(t, 6), 4);
        assert_eq!(line_at(t, 1000), 4);
        let idx = LineIndex::new(t);
        assert_eq!(offset_in(t, &t[2..4]), Some(2));
        assert_eq!(offset_in(t, "elsewhere"), None);
        for offset in [0, 1, 2, 3, 4, 5, 6, 7, 1000] {
            assert_eq!(idx.line(offset), line_at(t, offset), "{offset}");
        }
    }
}
