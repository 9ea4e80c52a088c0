//! A reader of Berkeley DB hash databases, enough for rpm's `Packages`
//! (RHEL and CentOS 7 and 8, Amazon Linux 2, older Fedora and SUSE).
//!
//! No maintained crate reads this format, and the database is read from
//! bytes (a file, a layer of an image), so this reads the page layout
//! directly. It returns every key/value pair of the hash pages; values
//! larger than a page are reassembled from their overflow page chains.
//!
//! Layout (in the byte order of the machine that wrote the database, told
//! by the magic number of the metadata page):
//! - page 0, the hash metadata: magic `0x061561` at offset 12, version at
//!   16, page size at 20, encryption algorithm at 24, page type (8) at 25,
//!   flags at 26, last page number at 32;
//! - every page starts with a 26-byte header: LSN (8), page number (4),
//!   previous and next page numbers (4 each), entry count (2), free-area
//!   offset (2), level (1), type (1);
//! - a hash page (type 13, or 2 for the unsorted kind) is followed by
//!   `entries` 16-bit offsets of its items, keys and values alternating;
//!   item `i` spans from its offset to the offset of item `i - 1` (the page
//!   end for item 0). An item's first byte is its kind: 1 inline data
//!   (the rest of the item), 3 off-page (page number at +4, total length
//!   at +8);
//! - an overflow page (type 7) holds `free-area offset` bytes of data
//!   after its header, and continues at its next page number.
//!
//! Encrypted and checksummed databases (which rpm does not write) are
//! refused; so are duplicate-key items (which rpm's package database does
//! not have). Every offset, length and page number is bounds-checked, and
//! overflow chains cannot loop.
//!
//! Reference: Berkeley DB's `dbinc/db_page.h` (the page and item layout).

/// The hash magic number.
const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;

/// A Berkeley DB hash database held in memory.
#[derive(Debug)]
pub(crate) struct HashDb<'a> {
    bytes: &'a [u8],
    page_size: usize,
    big_endian: bool,
    pages: usize,
}

/// One record: its key and value.
pub(crate) struct Record<'a> {
    /// The key bytes.
    pub(crate) key: &'a [u8],
    /// The value, or why it could not be read.
    pub(crate) value: Result<Vec<u8>, String>,
}

impl<'a> HashDb<'a> {
    /// Opens a database; the error says why it is not one this reads.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<HashDb<'a>, String> {
        if bytes.len() < 512 {
            return Err("too short for a Berkeley DB database".to_string());
        }
        let le = |at: usize| {
            bytes
                .get(at..at + 4)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let big_endian = match le(12) {
            HASH_MAGIC => false,
            m if m.swap_bytes() == HASH_MAGIC => true,
            _ => return Err("not a Berkeley DB hash database (no hash magic number)".to_string()),
        };
        let mut db = HashDb {
            bytes,
            page_size: 0,
            big_endian,
            pages: 0,
        };
        let version = db.u32_at(16).unwrap_or(0);
        if !(8..=10).contains(&version) {
            return Err(format!(
                "Berkeley DB hash version {version} is not supported"
            ));
        }
        let page_size = db.u32_at(20).unwrap_or(0) as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("{page_size} is not a valid page size"));
        }
        if bytes.get(24).copied().unwrap_or(0) != 0 {
            return Err("the database is encrypted".to_string());
        }
        if bytes.get(25).copied() != Some(P_HASHMETA) {
            return Err("the first page is not hash metadata".to_string());
        }
        if bytes.get(26).copied().unwrap_or(0) & 1 != 0 {
            return Err("databases with page checksums are not supported".to_string());
        }
        db.page_size = page_size;
        let last = db.u32_at(32).unwrap_or(0) as usize;
        db.pages = (last + 1).min(bytes.len() / page_size);
        Ok(db)
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at.checked_add(4)?)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at.checked_add(2)?)?;
        let a = [b[0], b[1]];
        Some(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }

    fn page(&self, n: usize) -> Option<&'a [u8]> {
        if n >= self.pages {
            return None;
        }
        self.bytes.get(n * self.page_size..(n + 1) * self.page_size)
    }

    /// Every key/value pair of the hash pages, in page order.
    pub(crate) fn records(&self) -> Vec<Record<'a>> {
        let mut out = Vec::new();
        for n in 1..self.pages {
            let Some(page) = self.page(n) else { break };
            let kind = page[25];
            if kind != P_HASH && kind != P_HASH_UNSORTED {
                continue;
            }
            let base = n * self.page_size;
            let entries = self.u16_at(base + 20).unwrap_or(0) as usize;
            let items: Vec<&'a [u8]> = (0..entries)
                .map_while(|i| {
                    let start = self.u16_at(base + PAGE_HEADER + 2 * i)? as usize;
                    let end = if i == 0 {
                        self.page_size
                    } else {
                        self.u16_at(base + PAGE_HEADER + 2 * (i - 1))? as usize
                    };
                    (PAGE_HEADER + 2 * entries <= start && start < end)
                        .then(|| page.get(start..end))
                        .flatten()
                })
                .collect();
            for pair in items.chunks_exact(2) {
                let (key, value) = (pair[0], pair[1]);
                if key.first() != Some(&H_KEYDATA) {
                    continue;
                }
                out.push(Record {
                    key: &key[1..],
                    value: self.value(value),
                });
            }
            if items.len() < entries {
                out.push(Record {
                    key: &[],
                    value: Err(format!("page {n} has item offsets outside the page")),
                });
            }
        }
        out
    }

    fn value(&self, item: &[u8]) -> Result<Vec<u8>, String> {
        match item.first().copied() {
            Some(H_KEYDATA) => Ok(item[1..].to_vec()),
            Some(H_OFFPAGE) => {
                let field = |at: usize| {
                    item.get(at..at + 4).map(|b| {
                        let a = [b[0], b[1], b[2], b[3]];
                        if self.big_endian {
                            u32::from_be_bytes(a)
                        } else {
                            u32::from_le_bytes(a)
                        }
                    })
                };
                let (Some(pgno), Some(len)) = (field(4), field(8)) else {
                    return Err("a truncated off-page item".to_string());
                };
                self.overflow(pgno as usize, len as usize)
            }
            Some(H_DUPLICATE | H_OFFDUP) => {
                Err("duplicate-key records are not expected in this database".to_string())
            }
            _ => Err("an item of unknown kind".to_string()),
        }
    }

    /// Reassembles `len` bytes from the overflow chain starting at `pgno`.
    fn overflow(&self, mut pgno: usize, len: usize) -> Result<Vec<u8>, String> {
        if len > self.bytes.len() {
            return Err(format!(
                "an off-page value of {len} bytes is larger than the file"
            ));
        }
        let mut out = Vec::with_capacity(len);
        let mut visited = 0usize;
        while out.len() < len {
            visited += 1;
            if visited > self.pages {
                return Err("an overflow chain loops".to_string());
            }
            let page = self
                .page(pgno)
                .ok_or_else(|| format!("an overflow chain points at page {pgno}, past the end"))?;
            if page[25] != P_OVERFLOW {
                return Err(format!(
                    "page {pgno} of an overflow chain is not an overflow page"
                ));
            }
            let base = pgno * self.page_size;
            let here = self.u16_at(base + 22).unwrap_or(0) as usize;
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + here)
                .ok_or_else(|| format!("overflow page {pgno} says it holds more than a page"))?;
            let want = (len - out.len()).min(chunk.len());
            out.extend_from_slice(&chunk[..want]);
            let next = self.u32_at(base + 16).unwrap_or(0) as usize;
            if out.len() < len && (next == 0 || here == 0) {
                return Err(format!(
                    "an overflow chain ends after {} of {len} bytes",
                    out.len()
                ));
            }
            pgno = next;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lockfile-samples/os/rpm/testdata/Packages_epoch"
        ))
        .unwrap()
    }

    #[test]
    fn reads_the_records_of_the_sample() {
        let bytes = sample();
        let db = HashDb::open(&bytes).unwrap();
        assert_eq!(db.page_size, 4096);
        assert!(!db.big_endian);
        let records = db.records();
        // rpm's record counter under key 0, and one package: header 4.
        // (Older packages' bytes are still in freed pages, which are not
        // records.)
        let keys: Vec<&[u8]> = records.iter().map(|r| r.key).collect();
        assert_eq!(keys, [[0u8, 0, 0, 0], [4, 0, 0, 0]]);
        assert_eq!(records[0].value.as_deref().unwrap(), [4, 0, 0, 0]);
        for r in &records[1..] {
            let v = r.value.as_ref().unwrap();
            assert_eq!(v.len(), 2124);
            // Each value is a whole rpm header: its declared size is its
            // length.
            let il = u32::from_be_bytes([v[0], v[1], v[2], v[3]]) as usize;
            let dl = u32::from_be_bytes([v[4], v[5], v[6], v[7]]) as usize;
            assert_eq!(8 + il * 16 + dl, v.len());
        }
    }

    #[test]
    fn refuses_other_files_and_survives_damage() {
        assert!(HashDb::open(b"asdf\n").is_err());
        assert!(HashDb::open(&[0u8; 4096]).unwrap_err().contains("magic"));
        let bytes = sample();
        // Every truncation, and garbage over every byte of the record
        // pages, is refused or read without a panic.
        for cut in (0..bytes.len()).step_by(97) {
            if let Ok(db) = HashDb::open(&bytes[..cut]) {
                let _ = db.records();
            }
        }
        for at in 4096..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0xff;
            let db = HashDb::open(&bad).unwrap();
            let _ = db.records();
        }
        // A big-endian copy of the metadata is recognised as such.
        let mut be = bytes.clone();
        be[12..16].copy_from_slice(&HASH_MAGIC.to_be_bytes());
        be[16..20].copy_from_slice(&9u32.to_be_bytes());
        be[20..24].copy_from_slice(&4096u32.to_be_bytes());
        be[32..36].copy_from_slice(&4u32.to_be_bytes());
        assert!(HashDb::open(&be).unwrap().big_endian);
    }

    #[test]
    fn an_overflow_loop_is_an_error() {
        let mut bytes = sample();
        // Page 4 is the overflow page of the sample: point it at itself
        // and claim more data than it holds.
        let base = 4 * 4096;
        assert_eq!(bytes[base + 25], P_OVERFLOW);
        bytes[base + 16..base + 20].copy_from_slice(&4u32.to_le_bytes());
        let db = HashDb::open(&bytes).unwrap();
        let err = db.overflow(4, 20_000).unwrap_err();
        assert!(err.contains("loops"), "{err}");
    }
}
