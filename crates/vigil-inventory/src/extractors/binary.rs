//! What the executable extractors share: recognizing an executable by its
//! first bytes and finding its sections with the `object` crate.
//!
//! The extractors (`go/binary`, `rust/auditable`) both sniff the same
//! magics; the walk reads the file once and hands the same bytes to both,
//! and each parses the headers again (the `object` crate reads headers and
//! the section table lazily, so this costs microseconds, not a re-read).

use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::{FileKind, Object, ObjectSection, ObjectSegment};

/// ELF, PE (`MZ`), Mach-O (32 and 64 bits, both byte orders) and fat
/// Mach-O magics.
pub(crate) fn sniff_executable(head: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        b"\x7fELF",
        b"MZ",
        &[0xfe, 0xed, 0xfa, 0xce],
        &[0xce, 0xfa, 0xed, 0xfe],
        &[0xfe, 0xed, 0xfa, 0xcf],
        &[0xcf, 0xfa, 0xed, 0xfe],
        &[0xca, 0xfe, 0xba, 0xbe],
        &[0xca, 0xfe, 0xba, 0xbf],
    ];
    MAGICS.iter().any(|m| head.starts_with(m))
}

/// The most architectures of a fat Mach-O that are read.
const MAX_FAT_ARCHES: usize = 16;

/// The object files in `bytes`: the file itself, or each architecture of a
/// fat Mach-O. Empty when the bytes are no object file the `object` crate
/// reads (a truncated or foreign file: not an executable of ours).
pub(crate) fn object_files(bytes: &[u8]) -> Vec<object::File<'_>> {
    let slices: Vec<&[u8]> = match FileKind::parse(bytes) {
        Ok(FileKind::MachOFat32) => MachOFatFile32::parse(bytes)
            .map(|f| {
                f.arches()
                    .iter()
                    .take(MAX_FAT_ARCHES)
                    .filter_map(|a| a.data(bytes).ok())
                    .collect()
            })
            .unwrap_or_default(),
        Ok(FileKind::MachOFat64) => MachOFatFile64::parse(bytes)
            .map(|f| {
                f.arches()
                    .iter()
                    .take(MAX_FAT_ARCHES)
                    .filter_map(|a| a.data(bytes).ok())
                    .collect()
            })
            .unwrap_or_default(),
        Ok(_) => vec![bytes],
        Err(_) => Vec::new(),
    };
    slices
        .into_iter()
        .filter_map(|s| object::File::parse(s).ok())
        .collect()
}

/// The file-backed data of the first section named one of `names` (ELF
/// and PE section names, Mach-O section names without their segment).
pub(crate) fn section_data<'a>(file: &object::File<'a>, names: &[&str]) -> Option<&'a [u8]> {
    file.sections()
        .filter(|s| s.name().is_ok_and(|n| names.contains(&n)))
        .find_map(|s| s.data().ok().filter(|d| !d.is_empty()))
}

/// The data of the sections holding initialized writable data (`.data`,
/// `__data`), then, for files without a section table, of every segment:
/// where a linker may have put a blob that has no section of its own.
pub(crate) fn data_regions<'a>(file: &object::File<'a>) -> Vec<&'a [u8]> {
    let sections: Vec<&'a [u8]> = file
        .sections()
        .filter(|s| s.kind() == object::SectionKind::Data)
        .filter_map(|s| s.data().ok())
        .filter(|d| !d.is_empty())
        .collect();
    if !sections.is_empty() {
        return sections;
    }
    file.segments()
        .filter_map(|s| s.data().ok())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Reads `len` bytes at virtual address `addr` of the file, from the
/// section whose file-backed data holds them.
pub(crate) fn read_at<'a>(file: &object::File<'a>, addr: u64, len: u64) -> Option<&'a [u8]> {
    file.sections().find_map(|s| {
        let start = addr.checked_sub(s.address())?;
        let end = start.checked_add(len)?;
        if end > s.size() {
            return None;
        }
        let data = s.data().ok()?;
        data.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_executable_magics_only() {
        for head in [
            &b"\x7fELF\x02\x01\x01"[..],
            b"MZ\x90\x00",
            &[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1],
            &[0xfe, 0xed, 0xfa, 0xce],
            &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2],
        ] {
            assert!(sniff_executable(head), "{head:?}");
        }
        for head in [&b"#!/bin/sh\n"[..], b"", b"\x7fEL", b"PK\x03\x04"] {
            assert!(!sniff_executable(head), "{head:?}");
        }
    }

    #[test]
    fn garbage_is_no_object_file() {
        assert!(object_files(b"\x7fELF garbage").is_empty());
        assert!(object_files(b"MZ").is_empty());
        assert!(object_files(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 200]).is_empty());
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(object_files(&me).len(), 1);
    }
}
