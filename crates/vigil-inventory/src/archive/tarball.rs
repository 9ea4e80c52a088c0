//! Reading tar archives, plain or gzip-compressed, within the limits of
//! the archive reader.
//!
//! A tarball is one stream: to reach an entry, every byte before it is
//! read (and, when compressed, decompressed). So the tree's byte budget
//! counts every byte of the stream, not only the entries an extractor
//! wants, and a gzip stream is checked for its compression ratio as a
//! whole (the ratio of one entry cannot be known: gzip compresses across
//! entry boundaries). Entries are otherwise treated as zip entries are:
//! names are checked to be plain relative paths, only regular files are
//! looked at (directories, symbolic and hard links, devices and FIFOs are
//! ignored), and only the entries an extractor wants are kept in memory.

use std::cell::Cell;
use std::io::{Cursor, Read};

use super::{
    check_declared, read_limited, report, ArchiveBudget, Entry, EntryInfo, Want, Warnings,
};
use crate::extractors::EXTRACTORS;
use crate::{ExtractError, Extracted, FileInput};

/// How a gzip stream starts.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Why the stream stopped being read before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trip {
    /// The gzip stream unpacks to too much for its size.
    Ratio,
    /// The tree's byte budget is spent.
    Budget,
}

/// The bytes of the (decompressed) stream, counted as they come: each
/// byte is charged to the tree's budget, and reading fails once the ratio
/// or the budget is exceeded.
struct Counted<'b, R> {
    inner: R,
    budget: &'b ArchiveBudget,
    /// Bytes read from this stream.
    read: u64,
    /// The compressed size when the stream is compressed.
    compressed: Option<u64>,
    trip: &'b Cell<Option<Trip>>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.trip.get().is_some() {
            return Err(std::io::Error::other("stopped by an archive limit"));
        }
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        let budget = self.budget;
        budget
            .bytes
            .set(budget.bytes.get().saturating_add(n as u64));
        let limits = &budget.limits;
        let trip = if self.compressed.is_some_and(|c| {
            self.read > limits.ratio_floor && self.read > c.saturating_mul(limits.max_ratio)
        }) {
            Some(Trip::Ratio)
        } else if budget.bytes.get() > limits.max_total_bytes {
            Some(Trip::Budget)
        } else {
            None
        };
        if let Some(t) = trip {
            self.trip.set(Some(t));
            return Err(std::io::Error::other("stopped by an archive limit"));
        }
        Ok(n)
    }
}

/// Reads a tar archive, gzip-compressed or not (told by its first bytes,
/// not its name): asks `want` about each regular file (by its normalized
/// name), reads the wanted ones within the limits and hands each to
/// `visit` with the input to pass to
/// [`extract_entry`](crate::extract_entry) as the container.
///
/// An archive whose first header (or gzip header) cannot be read is an
/// [`ExtractError::Malformed`] naming it; damage further on, an entry that
/// cannot be read, or a limit hit is a warning, and what was read before
/// is kept.
pub(crate) fn read_tar(
    input: &FileInput<'_>,
    out: &mut Extracted,
    want: &mut dyn FnMut(&str, EntryInfo) -> Want,
    visit: &mut dyn FnMut(&FileInput<'_>, Entry<'_>, &mut Extracted),
) -> Result<(), ExtractError> {
    crate::archive::within_budget(input, out, |container, budget, out| {
        read_tar_within(container, budget, out, want, visit)
    })
}

/// [`read_tar`] once the archive's budget is known (`input` is the
/// archive as a container of entries, holding that budget).
fn read_tar_within(
    input: &FileInput<'_>,
    budget: &ArchiveBudget,
    out: &mut Extracted,
    want: &mut dyn FnMut(&str, EntryInfo) -> Want,
    visit: &mut dyn FnMut(&FileInput<'_>, Entry<'_>, &mut Extracted),
) -> Result<(), ExtractError> {
    let container = input;
    let limits = &budget.limits;
    let gzip = input.bytes.starts_with(GZIP_MAGIC);
    let what = if gzip {
        "gzip-compressed tar archive"
    } else {
        "tar archive"
    };
    let trip = Cell::new(None);
    let stream: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(input.bytes))
    } else {
        Box::new(Cursor::new(input.bytes))
    };
    let counted = Counted {
        inner: stream,
        budget,
        read: 0,
        compressed: gzip.then_some(input.bytes.len() as u64),
        trip: &trip,
    };
    let mut archive = tar::Archive::new(counted);
    let mut warnings = Warnings {
        diagnostics: Vec::new(),
        archive: input.rel_path.to_string(),
        count: 0,
    };
    let mut entries = archive
        .entries()
        .map_err(|e| input.malformed(None, format!("not a valid {what}: {}", describe(&e))))?;
    let mut seen = 0u64;
    loop {
        // A tree-wide limit hit: not even the next header is read.
        if budget.exhausted.get() {
            break;
        }
        let Some(entry) = entries.next() else {
            break;
        };
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if let Some(t) = trip.get() {
                    stopped(t, input, budget, &mut warnings);
                } else if seen == 0 {
                    return Err(
                        input.malformed(None, format!("not a valid {what}: {}", describe(&e)))
                    );
                } else {
                    warnings.push(
                        input.rel_path,
                        format!(
                            "stopped reading after {seen} entries: the archive is damaged: {}",
                            describe(&e)
                        ),
                    );
                }
                break;
            }
        };
        seen += 1;
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
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            // Directories, links, devices, FIFOs, metadata.
            continue;
        }
        let raw = entry.path_bytes();
        let Ok(raw) = std::str::from_utf8(&raw).map(str::to_string) else {
            warnings.push(
                input.rel_path,
                format!("entry {seen} skipped: its name is not UTF-8"),
            );
            continue;
        };
        let Some(name) = warnings.entry_name(input.rel_path, &raw) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
        let path = format!("{}!/{}", input.rel_path, name);
        let wanted = want(&name, EntryInfo { executable });
        if wanted == Want::Skip {
            continue;
        }
        let mut head = Vec::new();
        if wanted == Want::Sniff {
            let sniffed = (&mut entry)
                .take(crate::walk::SNIFF_HEAD as u64)
                .read_to_end(&mut head);
            if sniffed.is_err() || !EXTRACTORS.iter().any(|e| e.sniff(&head)) {
                if let Some(t) = trip.get() {
                    stopped(t, input, budget, &mut warnings);
                    break;
                }
                continue;
            }
        }
        // Stored in the stream: the size is the header's, the ratio the
        // stream's (checked as it is read).
        let declared = entry.size();
        if let Err(refusal) = check_declared(declared, declared, budget) {
            report(refusal, &path, budget, &mut warnings);
            continue;
        }
        // The stream's bytes are charged to the budget as they are read
        // (the entry's among them), not again once read.
        let read = read_limited(
            &mut Cursor::new(std::mem::take(&mut head)).chain(&mut entry),
            declared,
            budget,
        );
        if let Some(t) = trip.get() {
            stopped(t, input, budget, &mut warnings);
            break;
        }
        match read {
            Ok(bytes) => visit(
                container,
                Entry {
                    name: &name,
                    path,
                    bytes,
                },
                out,
            ),
            Err(refusal) => report(refusal, &path, budget, &mut warnings),
        }
    }
    out.diagnostics.extend(warnings.finish());
    Ok(())
}

/// Reports why the stream stopped being read.
fn stopped(trip: Trip, input: &FileInput<'_>, budget: &ArchiveBudget, warnings: &mut Warnings) {
    let limits = &budget.limits;
    let message = match trip {
        Trip::Ratio => format!(
            "stopped reading: the gzip stream unpacks to more than {}:1 of its {} bytes \
             (a possible archive bomb)",
            limits.max_ratio,
            input.bytes.len()
        ),
        Trip::Budget => {
            budget.exhausted.set(true);
            format!(
                "stopped reading: the archive and those around it unpack to more than {} bytes",
                limits.max_total_bytes
            )
        }
    };
    warnings.push(input.rel_path, message);
}

/// A reading error in words: the tar library's own messages quote the
/// damaged header's bytes, which is noise (or the file's text) on a
/// terminal.
fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "it ends in the middle of an entry".to_string(),
        _ if e.to_string().contains("entire block") => {
            "it ends in the middle of a 512-byte tar block".to_string()
        }
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::Other
            if e.to_string().contains("cksum") || e.to_string().contains("numeric field") =>
        {
            "a header is damaged (its checksum or a number field is wrong)".to_string()
        }
        _ => e.to_string(),
    }
}
