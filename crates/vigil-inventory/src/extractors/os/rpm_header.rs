//! rpm header blobs, as rpm's databases store them (the header of each
//! installed package, without the 8-byte magic a `.rpm` file puts before
//! it).
//!
//! Layout (all integers big-endian): the index entry count `il` (u32),
//! the data length `dl` (u32), `il` index entries of 16 bytes (tag, type,
//! offset into the data, count), then `dl` bytes of data. Only the tags a
//! package needs are read; every offset is checked against the data.
//!
//! The `rpm` crate reads whole `.rpm` files (lead, signature, header with
//! its magic, payload) and brings compression and OpenPGP dependencies
//! with it; a database blob is only this index and data, so the few rules
//! are written here.
//!
//! Reference: rpm's `lib/header.c` (`headerImport`) and
//! <https://rpm-software-management.github.io/rpm/manual/format.html>.

/// `RPMTAG_NAME`.
pub(crate) const NAME: u32 = 1000;
/// `RPMTAG_VERSION`.
pub(crate) const VERSION: u32 = 1001;
/// `RPMTAG_RELEASE`.
pub(crate) const RELEASE: u32 = 1002;
/// `RPMTAG_EPOCH`.
pub(crate) const EPOCH: u32 = 1003;
/// `RPMTAG_LICENSE`.
pub(crate) const LICENSE: u32 = 1014;
/// `RPMTAG_ARCH`.
pub(crate) const ARCH: u32 = 1022;
/// `RPMTAG_SOURCERPM`.
pub(crate) const SOURCERPM: u32 = 1044;
/// `RPMTAG_OLDFILENAMES`: whole file paths (rpm before 4.0).
pub(crate) const OLDFILENAMES: u32 = 1027;
/// `RPMTAG_DIRINDEXES`: for each file, the index of its directory.
pub(crate) const DIRINDEXES: u32 = 1116;
/// `RPMTAG_BASENAMES`: each file's name.
pub(crate) const BASENAMES: u32 = 1117;
/// `RPMTAG_DIRNAMES`: the directories, each ending in `/`.
pub(crate) const DIRNAMES: u32 = 1118;

/// Index entries above this are refused (rpm's own limit).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
/// Data stores above this are refused (rpm's own limit, 256 MiB).
const MAX_DATA: u32 = 0x0fff_ffff;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// A parsed header: its index entries and data.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: usize,
    count: u32,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> Header<'a> {
    /// Parses a header blob; the error says what is wrong.
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let il = be32(blob, 0).ok_or("shorter than a header (8 bytes)")?;
        let dl = be32(blob, 4).ok_or("shorter than a header (8 bytes)")?;
        if il == 0 || il > MAX_INDEX_ENTRIES {
            return Err(format!("{il} index entries is not a valid header"));
        }
        if dl > MAX_DATA {
            return Err(format!("{dl} bytes of data is over the header limit"));
        }
        let index_len = il as usize * 16;
        let data_start = 8 + index_len;
        let data_end = data_start + dl as usize;
        let data = blob.get(data_start..data_end).ok_or_else(|| {
            format!(
                "the header says {il} entries and {dl} bytes of data, but it has {} bytes",
                blob.len()
            )
        })?;
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * 16;
            let field = |k: usize| be32(blob, at + k * 4).unwrap_or(0);
            let offset = field(2) as usize;
            if offset > data.len() {
                return Err(format!(
                    "tag {} points at offset {offset}, past the {} bytes of data",
                    field(0),
                    data.len()
                ));
            }
            entries.push(Entry {
                tag: field(0),
                kind: field(1),
                offset,
                count: field(3),
            });
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// A string tag (for an internationalized string, its first
    /// translation); `None` when absent, of another type or not UTF-8.
    pub(crate) fn string(&self, tag: u32) -> Option<&'a str> {
        let e = self.entry(tag)?;
        if !matches!(e.kind, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY) {
            return None;
        }
        let rest = self.data.get(e.offset..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        std::str::from_utf8(rest.get(..end)?).ok()
    }

    /// The values of a `STRING_ARRAY` tag (or a one-value `STRING` tag);
    /// `None` when absent, of another type, cut short or not UTF-8.
    pub(crate) fn strings(&self, tag: u32) -> Option<Vec<&'a str>> {
        let e = self.entry(tag)?;
        if !matches!(e.kind, TYPE_STRING | TYPE_STRING_ARRAY) {
            return None;
        }
        let mut rest = self.data.get(e.offset..)?;
        let mut out = Vec::new();
        for _ in 0..e.count {
            let end = rest.iter().position(|&b| b == 0)?;
            out.push(std::str::from_utf8(rest.get(..end)?).ok()?);
            rest = rest.get(end + 1..)?;
        }
        Some(out)
    }

    /// The values of an `INT32` tag; `None` when absent, of another type
    /// or cut short.
    pub(crate) fn int32s(&self, tag: u32) -> Option<Vec<u32>> {
        let e = self.entry(tag)?;
        if e.kind != TYPE_INT32 {
            return None;
        }
        let count = e.count as usize;
        let bytes = self
            .data
            .get(e.offset..e.offset.checked_add(count.checked_mul(4)?)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }

    /// The first value of an `INT32` tag.
    pub(crate) fn int32(&self, tag: u32) -> Option<u32> {
        let e = self.entry(tag)?;
        if e.kind != TYPE_INT32 || e.count == 0 {
            return None;
        }
        be32(self.data, e.offset)
    }
}

/// Builds a header blob from string and `INT32` tags: for tests, to write
/// databases holding chosen packages.
#[cfg(test)]
pub(crate) fn build(strings: &[(u32, &str)], ints: &[(u32, u32)]) -> Vec<u8> {
    build_with_arrays(strings, ints, &[], &[])
}

/// Builds a header blob with `STRING_ARRAY` and `INT32` array tags too:
/// for tests of file lists.
#[cfg(test)]
pub(crate) fn build_with_arrays(
    strings: &[(u32, &str)],
    ints: &[(u32, u32)],
    string_arrays: &[(u32, &[&str])],
    int_arrays: &[(u32, &[u32])],
) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (tag, values) in int_arrays {
        while !data.len().is_multiple_of(4) {
            data.push(0);
        }
        index.push((*tag, TYPE_INT32, data.len() as u32, values.len() as u32));
        for v in *values {
            data.extend_from_slice(&v.to_be_bytes());
        }
    }
    for (tag, values) in string_arrays {
        index.push((
            *tag,
            TYPE_STRING_ARRAY,
            data.len() as u32,
            values.len() as u32,
        ));
        for v in *values {
            data.extend_from_slice(v.as_bytes());
            data.push(0);
        }
    }
    for (tag, value) in ints {
        while !data.len().is_multiple_of(4) {
            data.push(0);
        }
        index.push((*tag, TYPE_INT32, data.len() as u32, 1u32));
        data.extend_from_slice(&value.to_be_bytes());
    }
    for (tag, value) in strings {
        index.push((*tag, TYPE_STRING, data.len() as u32, 1));
        data.extend_from_slice(value.as_bytes());
        data.push(0);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for (tag, kind, offset, count) in index {
        for v in [tag, kind, offset, count] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out.extend_from_slice(&data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_it_wrote() {
        let blob = build(
            &[
                (NAME, "openssl-libs"),
                (VERSION, "3.0.1"),
                (RELEASE, "41.el9_0"),
            ],
            &[(EPOCH, 1)],
        );
        let h = Header::parse(&blob).unwrap();
        assert_eq!(h.string(NAME), Some("openssl-libs"));
        assert_eq!(h.string(RELEASE), Some("41.el9_0"));
        assert_eq!(h.int32(EPOCH), Some(1));
        assert_eq!(h.string(EPOCH), None);
        assert_eq!(h.int32(NAME), None);
        assert_eq!(h.string(LICENSE), None);
    }

    #[test]
    fn refuses_bad_blobs_without_panicking() {
        let blob = build(&[(NAME, "a"), (VERSION, "1")], &[(EPOCH, 2)]);
        for cut in 0..blob.len() {
            assert!(Header::parse(&blob[..cut]).is_err(), "cut at {cut}");
        }
        assert!(Header::parse(&[0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(Header::parse(&[0xff; 64]).is_err());
        // An entry pointing past the data.
        let mut bad = blob.clone();
        bad[8 + 8..8 + 12].copy_from_slice(&1000u32.to_be_bytes());
        assert!(Header::parse(&bad).unwrap_err().contains("past the"));
        // A string without its terminating NUL at the end of the data.
        let mut open = build(&[(NAME, "abc")], &[]);
        open.pop();
        let dl = (open.len() - 8 - 16) as u32;
        open[4..8].copy_from_slice(&dl.to_be_bytes());
        assert_eq!(Header::parse(&open).unwrap().string(NAME), None);
    }
}
