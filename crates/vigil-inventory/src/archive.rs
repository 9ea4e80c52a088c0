//! Reading archives (zip-based Java archives, wheels and bundles; tarballs
//! in [`tarball`]) safely.
//!
//! Shared by the `java/archive`, `archive/zip` and `archive/tar`
//! extractors. Nothing is ever written to disk: the entries an extractor
//! wants are decompressed into memory, within the limits below, and handed to the extractors that
//! claim them ([`extract_entry`](crate::extract_entry)), which may be
//! archives again. Entry names are only shown (after `!/`, as in
//! `app.war!/WEB-INF/lib/x.jar`) and matched against extractors' file names;
//! they are never used as paths. Names that are not plain relative paths
//! (`..` parts, absolute paths, backslashes, control characters) are not
//! even matched: the entry is skipped with a warning.
//!
//! Limits, for one archive tree (a file on disk and everything nested in
//! it), every hit a warning naming the archive (and entry) while the scan
//! goes on:
//! - nesting: an archive more than [`Limits::max_depth`] archives deep is
//!   not opened;
//! - entries: at most [`Limits::max_entries`] entries are looked at in the
//!   whole tree;
//! - bytes: at most [`Limits::max_total_bytes`] are decompressed in the
//!   whole tree, and at most [`Limits::max_entry_bytes`] for one entry;
//! - ratio: an entry that unpacks to more than [`Limits::ratio_floor`]
//!   bytes at more than [`Limits::max_ratio`] times its compressed size is
//!   refused as a possible zip bomb. A gzip-compressed tarball is one
//!   stream: its ratio is checked on the whole stream, and every byte of
//!   it counts against the tree's byte limit (see [`tarball`]).
//!
//! Sizes declared in the archive are only used to refuse early: the bytes
//! actually decompressed are counted as they come, and reading stops one
//! chunk past a limit. Only the entries an extractor wants are
//! decompressed at all. The zip library parses an archive's central
//! directory whole before the entry limit applies; its size is bounded by
//! the size limit of the file (or entry) holding it.

use std::cell::Cell;
use std::io::{Cursor, Read};
use std::path::Path;

use vigil_model::Diagnostic;

use crate::extractors::EXTRACTORS;
use crate::{ExtractError, Extracted, FileInput};

mod tarball;

pub(crate) use tarball::read_tar;

/// The limits of one archive tree.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Archives nested deeper than this are not opened (a file on disk is
    /// at depth 0, an archive inside it at depth 1).
    pub(crate) max_depth: u32,
    /// Entries looked at in the whole tree.
    pub(crate) max_entries: u64,
    /// Bytes decompressed in the whole tree.
    pub(crate) max_total_bytes: u64,
    /// Bytes decompressed for one entry.
    pub(crate) max_entry_bytes: u64,
    /// The highest compression ratio accepted for entries larger than
    /// `ratio_floor`.
    pub(crate) max_ratio: u64,
    /// Entries up to this size are accepted at any ratio (a small file of
    /// one repeated byte compresses very well, harmlessly).
    pub(crate) ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 8,
            max_entries: 100_000,
            max_total_bytes: 1024 * 1024 * 1024,
            max_entry_bytes: 256 * 1024 * 1024,
            max_ratio: 100,
            ratio_floor: 10 * 1024 * 1024,
        }
    }
}

/// The limits of an archive tree and what it has used so far. Created by
/// the outermost archive extractor and handed down through
/// [`FileInput`]s to the archives nested in it.
#[derive(Debug)]
pub(crate) struct ArchiveBudget {
    limits: Limits,
    entries: Cell<u64>,
    bytes: Cell<u64>,
    /// A tree-wide limit was hit (and reported): every archive of the tree
    /// stops reading.
    exhausted: Cell<bool>,
}

impl ArchiveBudget {
    pub(crate) fn new(limits: Limits) -> Self {
        ArchiveBudget {
            limits,
            entries: Cell::new(0),
            bytes: Cell::new(0),
            exhausted: Cell::new(false),
        }
    }

    fn remaining_bytes(&self) -> u64 {
        self.limits.max_total_bytes.saturating_sub(self.bytes.get())
    }
}

/// What an archive extractor wants done with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Not read.
    Skip,
    /// Read whole.
    Read,
    /// Read whole if an extractor recognizes its first bytes (a possible
    /// executable).
    Sniff,
}

/// What is known of an entry before it is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryInfo {
    /// Its Unix mode has an executable bit.
    pub(crate) executable: bool,
}

/// An entry read from an archive.
pub(crate) struct Entry<'n> {
    /// Its name inside the archive, normalized (`a/./b` is `a/b`).
    pub(crate) name: &'n str,
    /// How reports show it: `<archive path>!/<name>`.
    pub(crate) path: String,
    /// Its content.
    pub(crate) bytes: Vec<u8>,
}

/// Warnings about one archive, at most [`MAX_WARNINGS`] (the rest are
/// counted and summed up in one last warning).
struct Warnings {
    diagnostics: Vec<Diagnostic>,
    archive: String,
    count: usize,
}

/// Warnings kept per archive.
const MAX_WARNINGS: usize = 20;

impl Warnings {
    fn push(&mut self, path: &str, message: String) {
        self.count += 1;
        if self.count <= MAX_WARNINGS {
            self.diagnostics
                .push(Diagnostic::warning(path, None, message));
        }
    }

    /// An entry's name as a plain relative path, or `None` after a warning
    /// saying why it is skipped.
    pub(crate) fn entry_name(&mut self, path: &str, raw: &str) -> Option<String> {
        match plain_name(raw) {
            Ok(n) => Some(n),
            Err(why) => {
                self.push(
                    path,
                    format!(
                        "entry {raw:?} skipped: its name {why} (entries are never \
                         written to disk; such names are not matched either)"
                    ),
                );
                None
            }
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        if self.count > MAX_WARNINGS {
            let more = self.count - MAX_WARNINGS;
            self.diagnostics.push(Diagnostic::warning(
                &self.archive,
                None,
                format!("{more} more warnings about this archive are left out"),
            ));
        }
        self.diagnostics
    }
}

/// Runs `read` on an archive with the budget of its tree (a new budget for
/// an archive on disk) and the archive as a container holding it, unless
/// the tree's budget is spent or the archive is nested too deep (then a
/// warning naming it, and nothing is read).
pub(crate) fn within_budget(
    input: &FileInput<'_>,
    out: &mut Extracted,
    read: impl FnOnce(&FileInput<'_>, &ArchiveBudget, &mut Extracted) -> Result<(), ExtractError>,
) -> Result<(), ExtractError> {
    let owned;
    let budget = match input.archive_budget {
        Some(b) => b,
        None => {
            owned = ArchiveBudget::new(Limits::default());
            &owned
        }
    };
    if budget.exhausted.get() {
        return Ok(());
    }
    if input.archive_depth > budget.limits.max_depth {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            None,
            format!(
                "not opened: archives nested more than {} deep (a possible archive bomb)",
                budget.limits.max_depth
            ),
        ));
        return Ok(());
    }
    let container = FileInput {
        archive_budget: Some(budget),
        ..*input
    };
    read(&container, budget, out)
}

/// Reads a zip-based archive: asks `want` about each entry (by its
/// normalized name), reads the wanted ones within the limits and hands
/// each to `visit` with the input to pass to
/// [`extract_entry`](crate::extract_entry) as the container.
///
/// `what` names the format in messages ("Java archive"). An archive that
/// cannot be opened is an [`ExtractError::Malformed`] naming it; an entry
/// that cannot be read, or that a limit refuses, is a warning and the rest
/// is read.
pub(crate) fn read_zip(
    input: &FileInput<'_>,
    what: &str,
    out: &mut Extracted,
    want: &mut dyn FnMut(&str, EntryInfo) -> Want,
    visit: &mut dyn FnMut(&FileInput<'_>, Entry<'_>, &mut Extracted),
) -> Result<(), ExtractError> {
    crate::archive::within_budget(input, out, |container, budget, out| {
        read_zip_within(container, budget, what, out, want, visit)
    })
}

/// [`read_zip`] once the archive's budget is known (`input` is the
/// archive as a container of entries, holding that budget).
fn read_zip_within(
    input: &FileInput<'_>,
    budget: &ArchiveBudget,
    what: &str,
    out: &mut Extracted,
    want: &mut dyn FnMut(&str, EntryInfo) -> Want,
    visit: &mut dyn FnMut(&FileInput<'_>, Entry<'_>, &mut Extracted),
) -> Result<(), ExtractError> {
    let container = input;
    let limits = &budget.limits;
    let mut zip = zip::ZipArchive::new(Cursor::new(input.bytes))
        .map_err(|e| input.malformed(None, format!("not a valid {what}: {e}")))?;

    let mut warnings = Warnings {
        diagnostics: Vec::new(),
        archive: input.rel_path.to_string(),
        count: 0,
    };

    for index in 0..zip.len() {
        if budget.exhausted.get() {
            break;
        }
        budget.entries.set(budget.entries.get() + 1);
        if budget.entries.get() > limits.max_entries {
            budget.exhausted.set(true);
            warnings.push(
                input.rel_path,
                format!(
                    "stopped reading: more than {} entries in this archive and the archives around it",
                    limits.max_entries
                ),
            );
            break;
        }
        let (name, info, compressed, declared) = match zip.by_index_data(index) {
            Ok(meta) => {
                if meta.is_dir() || meta.is_symlink() {
                    continue;
                }
                let Ok(raw) = meta.name() else {
                    warnings.push(
                        input.rel_path,
                        format!("entry {index} skipped: its name cannot be decoded"),
                    );
                    continue;
                };
                let Some(name) = warnings.entry_name(input.rel_path, &raw) else {
                    continue;
                };
                let executable = meta.unix_mode().is_some_and(|m| m & 0o111 != 0);
                (
                    name,
                    EntryInfo { executable },
                    meta.compressed_size(),
                    meta.size(),
                )
            }
            Err(e) => {
                warnings.push(input.rel_path, format!("entry {index} skipped: {e}"));
                continue;
            }
        };
        if name.is_empty() {
            continue;
        }
        let path = format!("{}!/{}", input.rel_path, name);
        let wanted = want(&name, info);
        if wanted == Want::Skip {
            continue;
        }
        if wanted == Want::Sniff {
            let mut head = Vec::with_capacity(crate::walk::SNIFF_HEAD);
            let sniffed = zip.by_index(index).and_then(|f| {
                f.take(crate::walk::SNIFF_HEAD as u64)
                    .read_to_end(&mut head)
                    .map_err(Into::into)
            });
            if sniffed.is_err() || !EXTRACTORS.iter().any(|e| e.sniff(&head)) {
                continue;
            }
        }
        if let Err(refusal) = check_declared(declared, compressed, budget) {
            report(refusal, &path, budget, &mut warnings);
            continue;
        }
        let read = match zip.by_index(index) {
            Ok(mut file) => read_limited(&mut file, compressed, budget),
            Err(e) => Err(Refusal::Unreadable(e.to_string())),
        };
        match read {
            Ok(bytes) => {
                budget
                    .bytes
                    .set(budget.bytes.get().saturating_add(bytes.len() as u64));
                visit(
                    container,
                    Entry {
                        name: &name,
                        path,
                        bytes,
                    },
                    out,
                );
            }
            Err(refusal) => report(refusal, &path, budget, &mut warnings),
        }
    }
    out.diagnostics.extend(warnings.finish());
    Ok(())
}

/// Runs the extractors that claim an entry on it (see
/// [`extract_entry`](crate::extract_entry)) and adds what they find to
/// `out`; an entry they cannot read becomes a warning naming it.
pub(crate) fn extract_into(container: &FileInput<'_>, entry: &Entry<'_>, out: &mut Extracted) {
    for result in crate::extract_entry(&entry.path, &entry.bytes, container) {
        match result {
            Ok(x) => {
                out.components.extend(x.components);
                out.not_checked.extend(x.not_checked);
                out.diagnostics.extend(x.diagnostics);
            }
            Err(e) => out.diagnostics.push(e.to_diagnostic()),
        }
    }
}

/// Whether some extractor claims an entry by its name.
pub(crate) fn claimed_by_name(name: &str) -> bool {
    EXTRACTORS.iter().any(|e| e.matches(Path::new(name)))
}

/// Why an entry was not read.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Over the per-entry size limit.
    TooLarge,
    /// Over the compression ratio limit.
    Bomb { size: u64, compressed: u64 },
    /// Over the tree's byte budget.
    TreeBudget,
    /// The zip library could not read it.
    Unreadable(String),
}

fn report(refusal: Refusal, path: &str, budget: &ArchiveBudget, warnings: &mut Warnings) {
    let limits = &budget.limits;
    let message = match refusal {
        Refusal::TooLarge => format!(
            "refused: it unpacks to more than the {}-byte limit for an archive entry",
            limits.max_entry_bytes
        ),
        Refusal::Bomb { size, compressed } => format!(
            "refused as a possible zip bomb: {size}+ bytes from {compressed} compressed \
             (more than {}:1)",
            limits.max_ratio
        ),
        Refusal::TreeBudget => {
            budget.exhausted.set(true);
            format!(
                "not read, and the rest of the archive is skipped: the archive and those \
                 around it unpack to more than {} bytes",
                limits.max_total_bytes
            )
        }
        Refusal::Unreadable(e) => format!("cannot read the entry: {e}"),
    };
    warnings.push(path, message);
}

/// Refuses an entry on its declared sizes, before decompressing it.
fn check_declared(declared: u64, compressed: u64, budget: &ArchiveBudget) -> Result<(), Refusal> {
    let limits = &budget.limits;
    if declared > limits.ratio_floor && declared > compressed.saturating_mul(limits.max_ratio) {
        return Err(Refusal::Bomb {
            size: declared,
            compressed,
        });
    }
    if declared > limits.max_entry_bytes {
        return Err(Refusal::TooLarge);
    }
    if declared > budget.remaining_bytes() {
        return Err(Refusal::TreeBudget);
    }
    Ok(())
}

/// Decompresses an entry, counting the bytes as they come (the declared
/// size is not trusted): stops one chunk past the per-entry limit, the
/// tree's remaining budget or the ratio limit.
fn read_limited(
    reader: &mut dyn Read,
    compressed: u64,
    budget: &ArchiveBudget,
) -> Result<Vec<u8>, Refusal> {
    const CHUNK: usize = 64 * 1024;
    let limits = &budget.limits;
    let remaining = budget.remaining_bytes();
    let limit = limits.max_entry_bytes.min(remaining);
    let mut reader = reader.take(limit.saturating_add(1));
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Refusal::Unreadable(e.to_string())),
        };
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let size = buf.len() as u64;
        if size > limits.ratio_floor && size > compressed.saturating_mul(limits.max_ratio) {
            return Err(Refusal::Bomb { size, compressed });
        }
        if size > limits.max_entry_bytes {
            return Err(Refusal::TooLarge);
        }
        if size > remaining {
            return Err(Refusal::TreeBudget);
        }
    }
    Ok(buf)
}

/// An entry name as a plain relative path, `.` and empty parts dropped;
/// or why it is not one.
pub(crate) fn plain_name(raw: &str) -> Result<String, &'static str> {
    if raw.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    if raw.contains('\\') {
        return Err("contains backslashes");
    }
    let bytes = raw.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if raw.starts_with('/') || drive {
        return Err("is an absolute path");
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out of the archive (`..`)"),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Whether a file name ends with one of `extensions` (lowercase, without
/// the dot), in any case.
pub(crate) fn has_extension(name: &str, extensions: &[&str]) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && extensions.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// The archive formats whose members [`archive_members`] reads, by the
/// endings of their names (lowercase): tarballs, zip files, wheels and
/// eggs, Java archives.
pub const MEMBER_ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".zip", ".whl", ".egg", ".jar", ".war", ".ear", ".hpi", ".jpi",
    ".aar",
];

/// Whether a file's name says it is an archive [`archive_members`] reads
/// (any case; `.tar` alone is not a name).
pub fn is_member_archive(name: &str) -> bool {
    let name = crate::file_name(Path::new(name)).to_ascii_lowercase();
    MEMBER_ARCHIVES
        .iter()
        .any(|e| name.len() > e.len() && name.ends_with(e))
}

/// Every regular file inside an archive (and inside the archives nested in
/// it, opened in turn), for readers of content other than the extractors
/// (the secret scan): `visit` gets each member's path as reports show it
/// (`outer.tar.gz!/inner/path`, `app.war!/WEB-INF/lib/x.jar!/a.properties`)
/// and its bytes. `rel_path` names the archive; its format is told by its
/// name ([`is_member_archive`]), a tarball's compression by its first
/// bytes.
///
/// The archive reader's limits apply to the whole tree (nesting depth,
/// entry count, total bytes, compression ratio), with at most
/// `max_member_bytes` for one member; every limit hit and every damaged
/// archive is a warning in the returned diagnostics, naming the archive or
/// the member. Members are decompressed into memory one at a time and
/// never written to disk; names that are not plain relative paths are
/// skipped with a warning.
pub fn archive_members(
    rel_path: &str,
    bytes: &[u8],
    max_member_bytes: u64,
    visit: &mut dyn FnMut(&str, &[u8]),
) -> Vec<Diagnostic> {
    let defaults = Limits::default();
    let budget = ArchiveBudget::new(Limits {
        max_entry_bytes: defaults.max_entry_bytes.min(max_member_bytes),
        ..defaults
    });
    let nowhere = Path::new("");
    let input = FileInput {
        rel_path,
        path: nowhere,
        contents: "",
        bytes,
        root: nowhere,
        max_file_size: max_member_bytes,
        archive_depth: 0,
        archive_budget: Some(&budget),
    };
    let mut out = Extracted::default();
    members_of(&input, &mut out, visit);
    out.diagnostics
}

/// [`archive_members`] for one archive of the tree.
fn members_of(input: &FileInput<'_>, out: &mut Extracted, visit: &mut dyn FnMut(&str, &[u8])) {
    let tar = {
        let name = crate::file_name(Path::new(input.rel_path)).to_ascii_lowercase();
        [".tar", ".tar.gz", ".tgz"]
            .iter()
            .any(|e| name.ends_with(e))
    };
    let mut want = |_: &str, _: EntryInfo| Want::Read;
    let mut each = |container: &FileInput<'_>, entry: Entry<'_>, out: &mut Extracted| {
        if is_member_archive(entry.name) {
            let nested = FileInput {
                rel_path: &entry.path,
                bytes: &entry.bytes,
                archive_depth: container.archive_depth + 1,
                ..*container
            };
            members_of(&nested, out, visit);
        } else {
            visit(&entry.path, &entry.bytes);
        }
    };
    let read = if tar {
        read_tar(input, out, &mut want, &mut each)
    } else {
        read_zip(input, "zip archive", out, &mut want, &mut each)
    };
    if let Err(e) = read {
        out.diagnostics.push(e.to_diagnostic());
    }
}

/// Runs an archive extractor with other limits than the defaults.
#[cfg(test)]
pub(crate) fn extract_with_limits(
    ex: &dyn crate::Extractor,
    input: &FileInput<'_>,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let budget = ArchiveBudget::new(limits);
    let input = FileInput {
        archive_budget: Some(&budget),
        ..*input
    };
    ex.extract(&input)
}

/// Building archives in tests (no binary fixture is committed).
#[cfg(test)]
pub(crate) mod build {
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;

    /// A zip of `(name, content)` entries, deflated.
    pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        with(entries, CompressionMethod::Deflated)
    }

    /// A zip of `(name, content)` entries, stored (as Spring Boot stores
    /// its nested JARs).
    pub(crate) fn stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
        with(entries, CompressionMethod::Stored)
    }

    /// A zip of one entry with a Unix mode (an executable).
    pub(crate) fn with_mode(name: &str, content: &[u8], mode: u32) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().unix_permissions(mode);
        w.start_file(name, options).unwrap();
        w.write_all(content).unwrap();
        w.finish().unwrap().into_inner()
    }

    fn with(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(false);
        for (name, content) in entries {
            if name.ends_with('/') {
                w.add_directory(*name, options).unwrap();
                continue;
            }
            w.start_file(*name, options).unwrap();
            w.write_all(content).unwrap();
        }
        w.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    fn members(rel: &str, bytes: &[u8], max: u64) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
        let mut seen = Vec::new();
        let diags = archive_members(rel, bytes, max, &mut |p, b| {
            seen.push((p.to_string(), b.to_vec()));
        });
        (seen, diags)
    }

    #[test]
    fn members_of_nested_archives_are_named_with_their_archives() {
        let jar = build::zip(&[("META-INF/", b""), ("app.properties", b"k=v\n")]);
        let outer = tgz(&[("lib/app.jar", &jar), ("etc/conf.txt", b"x\n")]);
        let (seen, diags) = members("dist/outer.tar.gz", &outer, 1 << 20);
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "dist/outer.tar.gz!/lib/app.jar!/app.properties",
                "dist/outer.tar.gz!/etc/conf.txt"
            ]
        );
        assert!(is_member_archive("x/A.WAR") && !is_member_archive(".tar"));
    }

    #[test]
    fn member_limits_are_warnings() {
        let big = vec![b'a'; 5000];
        let zip = build::zip(&[("big.txt", &big), ("small.txt", b"ok")]);
        let (seen, diags) = members("a.zip", &zip, 1000);
        assert_eq!(seen.len(), 1);
        assert!(diags[0].message.contains("limit"), "{diags:?}");
        // Nested deeper than the limit: not opened.
        let mut inner = build::zip(&[("deep.txt", b"x")]);
        for _ in 0..10 {
            inner = build::zip(&[("n.zip", &inner)]);
        }
        let (seen, diags) = members("a.zip", &inner, 1 << 20);
        assert!(seen.is_empty());
        assert!(
            diags.iter().any(|d| d.message.contains("nested")),
            "{diags:?}"
        );
        // Not an archive: a warning naming it.
        let (_, diags) = members("b.jar", b"not a zip", 1 << 20);
        assert_eq!(diags[0].path.as_deref(), Some("b.jar"));
    }

    #[test]
    fn entry_names_are_plain_relative_paths_or_refused() {
        assert_eq!(plain_name("a/./b//c.txt").unwrap(), "a/b/c.txt");
        assert_eq!(plain_name("dir/").unwrap(), "dir");
        assert!(plain_name("../evil/requirements.txt").is_err());
        assert!(plain_name("a/../../b").is_err());
        assert!(plain_name("/etc/passwd").is_err());
        assert!(plain_name("C:/x").is_err());
        assert!(plain_name("a\\b").is_err());
        assert!(plain_name("a\u{0}b").is_err());
        assert!(plain_name("a\nb").is_err());
    }

    #[test]
    fn extensions_in_any_case() {
        assert!(has_extension("A.JAR", &["jar"]));
        assert!(has_extension("x-1.0.War", &["jar", "war"]));
        assert!(!has_extension(".jar", &["jar"]));
        assert!(!has_extension("jar", &["jar"]));
        assert!(!has_extension("x.jar.txt", &["jar"]));
    }

    /// A reader of `n` zero bytes that claims nothing about its size.
    struct Zeros(u64);

    impl Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(usize::try_from(self.0).unwrap_or(usize::MAX));
            buf[..n].fill(0);
            self.0 -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn reading_counts_real_bytes_not_declared_ones() {
        let budget = ArchiveBudget::new(Limits::default());
        // Declares 10 bytes, compressed to 100 000: unpacks to 20 MiB.
        assert!(check_declared(10, 100_000, &budget).is_ok());
        let r = read_limited(&mut Zeros(20 << 20), 100_000, &budget);
        assert!(matches!(r, Err(Refusal::Bomb { .. })), "{r:?}");
        // Stops one chunk past the floor, never reading it all.
        if let Err(Refusal::Bomb { size, .. }) = r {
            assert!(size <= (10 << 20) + 64 * 1024, "{size}");
        }
        // Well compressed but small: accepted.
        assert_eq!(
            read_limited(&mut Zeros(1 << 20), 10, &budget)
                .unwrap()
                .len(),
            1 << 20
        );
        // A large entry at a sane ratio: accepted up to the entry limit.
        let small = ArchiveBudget::new(Limits {
            max_entry_bytes: 1000,
            ..Limits::default()
        });
        assert_eq!(
            read_limited(&mut Zeros(1000), 1000, &small).unwrap().len(),
            1000
        );
        assert_eq!(
            read_limited(&mut Zeros(5000), 5000, &small),
            Err(Refusal::TooLarge)
        );
        assert_eq!(check_declared(5000, 5000, &small), Err(Refusal::TooLarge));
        let tree = ArchiveBudget::new(Limits {
            max_total_bytes: 100,
            ..Limits::default()
        });
        tree.bytes.set(60);
        assert_eq!(
            read_limited(&mut Zeros(50), 50, &tree),
            Err(Refusal::TreeBudget)
        );
        assert_eq!(check_declared(50, 50, &tree), Err(Refusal::TreeBudget));
    }
}
