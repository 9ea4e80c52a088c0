//! The names of the functions linked into an executable: what tells
//! whether the vulnerable function of an advisory is in a binary at all.
//!
//! ## Go
//! Every Go executable carries the runtime's function table (`pclntab`),
//! which survives stripping (`-ldflags=-s -w`): the runtime needs it for
//! stack traces. It is read from the `.gopclntab` section (ELF;
//! `.data.rel.ro.gopclntab` in position-independent executables),
//! `__gopclntab` (Mach-O), the `runtime.pclntab` symbol (PE, and ELF
//! binaries linked externally into `.data.rel.ro`), else found by its
//! header in the read-only data sections. The header opens with a magic
//! that names the layout: `0xfffffffb` (Go 1.2 to 1.15), `0xfffffffa`
//! (1.16, 1.17), `0xfffffff0` (1.18, 1.19), `0xfffffff1` (1.20 and later),
//! then two zero bytes, the instruction size quantum and the pointer size.
//! From 1.16 the header holds the offsets of the function name table and
//! of the function table; each function table entry points to a function
//! record whose name offset indexes the name table. The name table also
//! holds the names of functions inlined into others (their callers keep an
//! inline tree naming them), so every string of it is taken: a function
//! inlined everywhere is still reported as linked in.
//!
//! Names are as the Go toolchain writes them: `net/http.(*Server).Serve`,
//! `crypto/x509.(*Certificate).Verify`, `golang.org/x/net/html.Parse`; an
//! instantiation of a generic function or type (`pkg.Map[...]`) is also
//! listed without its type arguments.
//!
//! ## Other executables
//! Without a Go function table, the names of the symbol table (ELF
//! `.symtab`, Mach-O and PE symbols) are read; Rust's mangled names are
//! demangled into paths without their hash (`memmap2::MmapMut::flush_range`,
//! `<T as Trait>::f` also as `T::f`, generic arguments left out).
//!
//! ## Limitations
//! - A stripped Rust (or C) executable has no symbol table: nothing is read
//!   (`None`), and no verdict can be given.
//! - Rust functions inlined into every caller have no symbol of their own:
//!   an absent Rust function is weaker evidence than an absent Go one.
//! - Only the sections needed are read from the file (headers, the function
//!   table or the symbol and string tables), never the whole executable.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
use object::read::ReadCache;
use object::{FileKind, Object, ObjectSection, ObjectSymbol, ReadRef};

/// Where the names of a [`FunctionNames`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamesSource {
    /// The Go runtime's function table (complete: it survives stripping).
    GoPclntab,
    /// The symbol table (absent from stripped executables; misses inlined
    /// functions).
    SymbolTable,
}

/// The functions linked into an executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionNames {
    source: NamesSource,
    names: BTreeSet<String>,
}

impl FunctionNames {
    /// Where the names came from.
    pub fn source(&self) -> NamesSource {
        self.source
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether `name` is linked in: exactly, or as the parent of a nested
    /// function (`f::{{closure}}` for `f`).
    pub fn contains(&self, name: &str) -> bool {
        if self.names.contains(name) {
            return true;
        }
        let nested = format!("{name}::");
        self.names
            .range(nested.clone()..)
            .next()
            .is_some_and(|n| n.starts_with(&nested))
    }

    /// The first name (in sorted order) that starts with `prefix`.
    pub fn first_with_prefix(&self, prefix: &str) -> Option<&str> {
        self.names
            .range(prefix.to_string()..)
            .next()
            .filter(|n| n.starts_with(prefix))
            .map(String::as_str)
    }

    /// Names as a symbol table holds them (Rust names demangled, others
    /// as written).
    pub fn from_symbol_names<'a>(names: impl IntoIterator<Item = &'a str>) -> FunctionNames {
        let mut set = BTreeSet::new();
        for n in names {
            add_symbol_name(&mut set, n);
        }
        FunctionNames {
            source: NamesSource::SymbolTable,
            names: set,
        }
    }

    /// The names, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

/// The most architectures of a fat Mach-O that are tried.
const MAX_FAT_ARCHES: usize = 16;

/// Reads the function names of the executable at `path`, reading only the
/// sections needed. `Ok(None)` when the file is no executable the `object`
/// crate reads, or has neither a Go function table nor a symbol table;
/// `Err` when it cannot be opened or read.
pub fn read_function_names(path: &Path) -> std::io::Result<Option<FunctionNames>> {
    let mut file = File::open(path)?;
    let mut head = [0u8; 8];
    let n = read_up_to(&mut file, &mut head)?;
    if !crate::extractors::binary::sniff_executable(head.get(..n).unwrap_or_default()) {
        return Ok(None);
    }
    let cache = ReadCache::new(BufReader::new(file));
    Ok(names_in(&cache))
}

/// Reads the function names of an executable held in memory (see
/// [`read_function_names`]).
pub fn function_names_in(bytes: &[u8]) -> Option<FunctionNames> {
    names_in(bytes)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(buf.get_mut(n..).unwrap_or_default())? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn names_in<'a, R: ReadRef<'a>>(data: R) -> Option<FunctionNames> {
    match FileKind::parse(data).ok()? {
        FileKind::MachOFat32 => {
            let fat = MachOFatFile32::parse(data).ok()?;
            fat.arches()
                .iter()
                .take(MAX_FAT_ARCHES)
                .find_map(|a| names_in_arch(data, a.file_range()))
        }
        FileKind::MachOFat64 => {
            let fat = MachOFatFile64::parse(data).ok()?;
            fat.arches()
                .iter()
                .take(MAX_FAT_ARCHES)
                .find_map(|a| names_in_arch(data, a.file_range()))
        }
        _ => names_in_object(&object::File::parse(data).ok()?),
    }
}

fn names_in_arch<'a, R: ReadRef<'a>>(data: R, (offset, size): (u64, u64)) -> Option<FunctionNames> {
    let bytes = data.read_bytes_at(offset, size).ok()?;
    names_in_object(&object::File::parse(bytes).ok()?)
}

fn names_in_object<'a, R: ReadRef<'a>>(file: &object::File<'a, R>) -> Option<FunctionNames> {
    if let Some(names) = pclntab(file).and_then(|t| go_function_names(t).ok()) {
        return Some(FunctionNames {
            source: NamesSource::GoPclntab,
            names,
        });
    }
    let mut names = BTreeSet::new();
    for sym in file.symbols() {
        if sym.kind() != object::SymbolKind::Text {
            continue;
        }
        let Ok(name) = sym.name() else { continue };
        add_symbol_name(&mut names, name);
    }
    (!names.is_empty()).then_some(FunctionNames {
        source: NamesSource::SymbolTable,
        names,
    })
}

/// Adds a symbol table name: demangled when it is a Rust name, as written
/// otherwise.
fn add_symbol_name(names: &mut BTreeSet<String>, name: &str) {
    // Mach-O prefixes C-level names with an underscore.
    let bare = name
        .strip_prefix('_')
        .filter(|n| n.starts_with("_ZN") || n.starts_with("_R"));
    match rustc_demangle::try_demangle(bare.unwrap_or(name)) {
        Ok(d) => {
            for n in rust_paths(&format!("{d:#}")) {
                names.insert(n);
            }
        }
        Err(_) => {
            names.insert(name.to_string());
        }
    }
}

/// The paths a demangled Rust name stands for: generic arguments left
/// out; `<T>::f` as `T::f`; `<T as Trait>::f` as itself and `T::f`.
pub(crate) fn rust_paths(demangled: &str) -> Vec<String> {
    let plain = strip_generics(demangled);
    let mut out = vec![plain.clone()];
    if let Some(rest) = plain.strip_prefix('<') {
        // The qualified self type ends at the `>` that balances the `<`.
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        if let Some(end) = end {
            let inner = rest.get(..end).unwrap_or_default();
            let tail = rest.get(end + 1..).unwrap_or_default();
            let self_ty = inner.split(" as ").next().unwrap_or(inner);
            out.push(format!("{self_ty}{tail}"));
        }
    }
    out.dedup();
    out
}

/// Removes `::<...>` generic argument lists (and `[...]`-free angle
/// brackets after `::`).
fn strip_generics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("::<") {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 3..).unwrap_or_default();
        let mut depth = 1usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = after.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The data of the Go function table.
fn pclntab<'a, R: ReadRef<'a>>(file: &object::File<'a, R>) -> Option<&'a [u8]> {
    for s in file.sections() {
        if s.name()
            .is_ok_and(|n| matches!(n, ".gopclntab" | ".data.rel.ro.gopclntab" | "__gopclntab"))
        {
            if let Ok(d) = s.data() {
                if !d.is_empty() {
                    return Some(d);
                }
            }
        }
    }
    // Linked without a section of its own: the runtime's symbols bound it.
    if let (Some(start), Some(end)) = (
        file.symbol_by_name("runtime.pclntab"),
        file.symbol_by_name("runtime.epclntab"),
    ) {
        let (start, end) = (start.address(), end.address());
        if end > start {
            for s in file.sections() {
                let Some(off) = start.checked_sub(s.address()) else {
                    continue;
                };
                if off + (end - start) <= s.size() {
                    let d = s.data().ok()?;
                    let from = usize::try_from(off).ok()?;
                    let to = usize::try_from(off + (end - start)).ok()?;
                    return d.get(from..to);
                }
            }
        }
    }
    // Stripped PE (and the like): look for a valid header in read-only
    // data.
    for s in file.sections() {
        let read_only = s.kind() == object::SectionKind::ReadOnlyData
            || s.name()
                .is_ok_and(|n| matches!(n, ".rdata" | ".data.rel.ro" | "__rodata"));
        if !read_only {
            continue;
        }
        let Ok(d) = s.data() else { continue };
        let mut at = 0;
        while let Some(i) = find_magic(d.get(at..).unwrap_or_default()) {
            let start = at + i;
            if let Some(t) = d.get(start..) {
                if go_function_names(t).is_ok_and(|n| !n.is_empty()) {
                    return Some(t);
                }
            }
            at = start + 4;
        }
    }
    None
}

/// The magics of the function table formats, in both byte orders; only
/// at 4-byte aligned offsets.
fn find_magic(d: &[u8]) -> Option<usize> {
    d.chunks_exact(4)
        .position(|w| {
            let le = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            let be = u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
            Layout::of(le).is_some() || Layout::of(be).is_some()
        })
        .map(|i| i * 4)
}

/// The function table layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Go 1.2 to 1.15.
    Go12,
    /// Go 1.16 and 1.17.
    Go116,
    /// Go 1.18 and 1.19.
    Go118,
    /// Go 1.20 and later.
    Go120,
}

impl Layout {
    fn of(magic: u32) -> Option<Layout> {
        match magic {
            0xffff_fffb => Some(Layout::Go12),
            0xffff_fffa => Some(Layout::Go116),
            0xffff_fff0 => Some(Layout::Go118),
            0xffff_fff1 => Some(Layout::Go120),
            _ => None,
        }
    }
}

/// Reads integers of the table's byte order and pointer size.
struct Reader<'a> {
    data: &'a [u8],
    big_endian: bool,
    ptr: usize,
}

impl Reader<'_> {
    fn u32_at(&self, at: usize) -> Result<u32, String> {
        let b: [u8; 4] = self
            .data
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| format!("offset {at} is past the end of the function table"))?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn word_at(&self, at: usize) -> Result<usize, String> {
        if self.ptr == 4 {
            return Ok(self.u32_at(at)? as usize);
        }
        let b: [u8; 8] = self
            .data
            .get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| format!("offset {at} is past the end of the function table"))?;
        let v = if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        };
        usize::try_from(v).map_err(|_| format!("value {v} at offset {at} is too large"))
    }
}

/// The NUL-terminated string at `at` of `table`.
fn c_string(table: &[u8], at: usize) -> Result<&str, String> {
    let rest = table
        .get(at..)
        .ok_or_else(|| format!("name offset {at} is past the name table"))?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| format!("name at {at} is not terminated"))?;
    std::str::from_utf8(rest.get(..end).unwrap_or_default())
        .map_err(|_| format!("name at {at} is not UTF-8"))
}

/// Adds a Go function name, and its form without type arguments when it
/// names an instantiation of a generic function or type.
fn add_go_name(names: &mut BTreeSet<String>, name: &str) {
    if name.is_empty() {
        return;
    }
    if name.contains('[') {
        let mut plain = String::with_capacity(name.len());
        let mut depth = 0usize;
        for c in name.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                _ if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        names.insert(plain);
    }
    names.insert(name.to_string());
}

/// The most functions a table may claim (the largest Go programs have a
/// few hundred thousand).
const MAX_FUNCS: usize = 1 << 24;

/// Parses a Go function table (`data` starts at its header and may run
/// past its end) into the names of its functions, inlined ones included.
pub(crate) fn go_function_names(data: &[u8]) -> Result<BTreeSet<String>, String> {
    let head: [u8; 8] = data
        .get(..8)
        .and_then(|s| s.try_into().ok())
        .ok_or("shorter than a function table header")?;
    let (layout, big_endian) = match (
        Layout::of(u32::from_le_bytes([head[0], head[1], head[2], head[3]])),
        Layout::of(u32::from_be_bytes([head[0], head[1], head[2], head[3]])),
    ) {
        (Some(l), _) => (l, false),
        (None, Some(l)) => (l, true),
        (None, None) => return Err("no function table magic".into()),
    };
    let (pad1, pad2, quantum, ptr) = (head[4], head[5], head[6], usize::from(head[7]));
    if pad1 != 0 || pad2 != 0 || !matches!(quantum, 1 | 2 | 4) || !matches!(ptr, 4 | 8) {
        return Err("function table header is inconsistent".into());
    }
    let r = Reader {
        data,
        big_endian,
        ptr,
    };
    let word = |i: usize| r.word_at(8 + i * ptr);
    let nfunc = word(0)?;
    if nfunc > MAX_FUNCS {
        return Err(format!("function table claims {nfunc} functions"));
    }
    let mut names = BTreeSet::new();
    if layout == Layout::Go12 {
        // Header, then the table of (pc, offset) pairs; names are at
        // offsets from the table's start.
        let ftab = 8 + ptr;
        for i in 0..nfunc {
            let func = r.word_at(ftab + (2 * i + 1) * ptr)?;
            let nameoff = r.u32_at(func + ptr)? as usize;
            add_go_name(&mut names, c_string(data, nameoff)?);
        }
        return Ok(names);
    }
    // From 1.16: offsets of the name table and of the function table.
    let (funcname_off, cu_off, pcln_off, entry_len, field) = match layout {
        Layout::Go116 => (word(2)?, word(3)?, word(6)?, 2 * ptr, ptr),
        _ => (word(3)?, word(4)?, word(7)?, 8, 4),
    };
    let nametab = data
        .get(funcname_off..cu_off)
        .ok_or("name table bounds are outside the function table")?;
    let pcln = data
        .get(pcln_off..)
        .ok_or("function table offset is outside the data")?;
    let pr = Reader {
        data: pcln,
        big_endian,
        ptr,
    };
    let read_field = |at: usize| {
        if field == 4 {
            pr.u32_at(at).map(|v| v as usize)
        } else {
            pr.word_at(at)
        }
    };
    for i in 0..nfunc {
        let funcoff = read_field(i * entry_len + field)?;
        let nameoff = pr.u32_at(funcoff + field)? as usize;
        add_go_name(&mut names, c_string(nametab, nameoff)?);
    }
    // Every name of the table: inlined functions are named there too.
    for name in nametab.split(|&b| b == 0) {
        if let Ok(name) = std::str::from_utf8(name) {
            add_go_name(&mut names, name);
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{build_go_program, go_version};

    const USES_MIME: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"mime\"\n\t\"os\"\n)\n\nfunc main() {\n\td := new(mime.WordDecoder)\n\ts, err := d.DecodeHeader(os.Args[0])\n\tfmt.Println(s, err)\n}\n";

    #[test]
    fn reads_go_function_names_plain_and_stripped() {
        let dir = tempfile::tempdir().unwrap();
        for (name, flags) in [
            ("plain", &[][..]),
            ("stripped", &["-ldflags=-s -w"][..]),
            ("pie", &["-buildmode=pie", "-ldflags=-s -w"][..]),
        ] {
            let Some(bin) = build_go_program(
                "reads_go_function_names_plain_and_stripped",
                dir.path(),
                name,
                USES_MIME,
                flags,
            ) else {
                return;
            };
            let names = read_function_names(&bin).unwrap().unwrap();
            assert_eq!(names.source(), NamesSource::GoPclntab, "{name}");
            for f in [
                "main.main",
                "mime.(*WordDecoder).DecodeHeader",
                "runtime.main",
                "fmt.Println",
            ] {
                assert!(names.contains(f), "{name}: {f} missing");
            }
            assert!(!names.contains("net/http.(*Server).Serve"), "{name}");
            assert!(names.len() > 500, "{name}: only {} names", names.len());
            // The same from bytes in memory.
            let bytes = std::fs::read(&bin).unwrap();
            assert_eq!(function_names_in(&bytes).unwrap(), names, "{name}");
        }
        // The stripped binary really has no symbol table.
        let stripped = std::fs::read(dir.path().join("stripped")).unwrap();
        let file = object::File::parse(&*stripped).unwrap();
        assert_eq!(file.symbols().count(), 0);
        assert!(go_version().is_some());
    }

    #[test]
    fn reads_go_function_names_of_pe_and_macho() {
        let dir = tempfile::tempdir().unwrap();
        for (os, arch) in [("windows", "amd64"), ("darwin", "arm64"), ("linux", "386")] {
            let Some(bin) = crate::extractors::testutil::build_go_hello_for(
                "reads_go_function_names_of_pe_and_macho",
                dir.path(),
                Some((os, arch)),
            ) else {
                return;
            };
            let names = read_function_names(&bin).unwrap().unwrap();
            assert_eq!(names.source(), NamesSource::GoPclntab, "{os}/{arch}");
            assert!(names.contains("fmt.Println"), "{os}/{arch}");
            assert!(names.contains("main.main"), "{os}/{arch}");
        }
    }

    /// A hand-made Go 1.20 table: header, name table, function table.
    fn table_120(big_endian: bool, names: &[&str]) -> Vec<u8> {
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u64b = |v: u64| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let header_len = 8 + 8 * 8;
        let mut nametab = Vec::new();
        let mut offs = Vec::new();
        for n in names {
            offs.push(nametab.len() as u32);
            nametab.extend_from_slice(n.as_bytes());
            nametab.push(0);
        }
        let funcname_off = header_len;
        let cu_off = funcname_off + nametab.len();
        let pcln_off = cu_off;
        // ftab: (entryoff, funcoff) per function and one end entry, then
        // the records (entryoff, nameoff).
        let nfunc = names.len();
        let records_at = (nfunc + 1) * 8;
        let mut pcln = Vec::new();
        for i in 0..nfunc {
            pcln.extend_from_slice(&u32b(i as u32 * 16));
            pcln.extend_from_slice(&u32b((records_at + i * 8) as u32));
        }
        pcln.extend_from_slice(&u32b(nfunc as u32 * 16));
        pcln.extend_from_slice(&u32b(0));
        for (i, off) in offs.iter().enumerate() {
            pcln.extend_from_slice(&u32b(i as u32 * 16));
            pcln.extend_from_slice(&u32b(*off));
        }
        let mut out = Vec::new();
        out.extend_from_slice(&u32b(0xffff_fff1));
        out.extend_from_slice(&[0, 0, 1, 8]);
        for w in [
            nfunc,
            0,
            0x1000,
            funcname_off,
            cu_off,
            cu_off,
            cu_off,
            pcln_off,
        ] {
            out.extend_from_slice(&u64b(w as u64));
        }
        out.extend_from_slice(&nametab);
        out.extend_from_slice(&pcln);
        out
    }

    #[test]
    fn parses_a_go120_table_in_both_byte_orders() {
        let fns = [
            "main.main",
            "pkg.(*T[go.shape.int]).M",
            "net/http.(*Server).Serve",
        ];
        for be in [false, true] {
            let names = go_function_names(&table_120(be, &fns)).unwrap();
            assert!(names.contains("main.main"));
            assert!(names.contains("net/http.(*Server).Serve"));
            assert!(names.contains("pkg.(*T[go.shape.int]).M"));
            assert!(names.contains("pkg.(*T).M"), "type arguments left out");
        }
    }

    /// A hand-made table of the Go 1.16 layout (pointer-sized function
    /// table entries) or the Go 1.2 one (names at offsets from the table's
    /// start), with 4-byte pointers, little-endian.
    fn table_old(go116: bool, names: &[&str]) -> Vec<u8> {
        let w = |v: usize| (v as u32).to_le_bytes();
        let nfunc = names.len();
        let mut out = Vec::new();
        out.extend_from_slice(
            &if go116 {
                0xffff_fffau32
            } else {
                0xffff_fffbu32
            }
            .to_le_bytes(),
        );
        out.extend_from_slice(&[0, 0, 1, 4]);
        if go116 {
            let header_len = 8 + 7 * 4;
            let mut nametab = Vec::new();
            let mut offs = Vec::new();
            for n in names {
                offs.push(nametab.len());
                nametab.extend_from_slice(n.as_bytes());
                nametab.push(0);
            }
            let cu = header_len + nametab.len();
            for v in [nfunc, 0, header_len, cu, cu, cu, cu] {
                out.extend_from_slice(&w(v));
            }
            out.extend_from_slice(&nametab);
            let records_at = (nfunc + 1) * 8;
            for i in 0..nfunc {
                out.extend_from_slice(&w(0x1000 + i * 16));
                out.extend_from_slice(&w(records_at + i * 8));
            }
            out.extend_from_slice(&w(0x1000 + nfunc * 16));
            out.extend_from_slice(&w(0));
            for (i, off) in offs.iter().enumerate() {
                out.extend_from_slice(&w(0x1000 + i * 16));
                out.extend_from_slice(&w(*off));
            }
        } else {
            out.extend_from_slice(&w(nfunc));
            let ftab_at = out.len();
            let records_at = ftab_at + (nfunc + 1) * 8;
            let names_at = records_at + nfunc * 8;
            for i in 0..nfunc {
                out.extend_from_slice(&w(0x1000 + i * 16));
                out.extend_from_slice(&w(records_at + i * 8));
            }
            out.extend_from_slice(&w(0x1000 + nfunc * 16));
            out.extend_from_slice(&w(0));
            let mut at = names_at;
            for (i, n) in names.iter().enumerate() {
                out.extend_from_slice(&w(0x1000 + i * 16));
                out.extend_from_slice(&w(at));
                at += n.len() + 1;
            }
            for n in names {
                out.extend_from_slice(n.as_bytes());
                out.push(0);
            }
        }
        out
    }

    #[test]
    fn parses_go116_and_go12_tables() {
        let fns = ["main.main", "crypto/x509.(*Certificate).Verify"];
        for go116 in [true, false] {
            let names = go_function_names(&table_old(go116, &fns)).unwrap();
            assert_eq!(
                names.into_iter().collect::<Vec<_>>(),
                ["crypto/x509.(*Certificate).Verify", "main.main"],
                "go116={go116}"
            );
        }
    }

    #[test]
    fn rejects_broken_tables() {
        let mut t = table_120(false, &["main.main"]);
        assert!(go_function_names(&t[..20]).is_err(), "cut short");
        t[5] = 1;
        assert!(go_function_names(&t).is_err(), "bad padding");
        assert!(
            go_function_names(b"\x01\x02\x03\x04\0\0\x01\x08").is_err(),
            "no magic"
        );
        // A name offset past the name table.
        let mut t = table_120(false, &["main.main"]);
        let n = t.len();
        t[n - 4..].copy_from_slice(&1000u32.to_le_bytes());
        assert!(go_function_names(&t).is_err());
    }

    #[test]
    fn demangles_rust_names_into_paths() {
        let mut names = BTreeSet::new();
        // Legacy mangling, with its hash.
        add_symbol_name(
            &mut names,
            "_ZN7memmap27MmapMut11flush_range17h0123456789abcdefE",
        );
        // A trait method of a type, and a closure inside a function.
        add_symbol_name(
            &mut names,
            "_ZN60_$LT$memmap2..MmapMut$u20$as$u20$core..ops..deref..Deref$GT$5deref17h0123456789abcdefE",
        );
        add_symbol_name(
            &mut names,
            "_ZN7ammonia5clean28_$u7b$$u7b$closure$u7d$$u7d$17h0123456789abcdefE",
        );
        add_symbol_name(&mut names, "main");
        let f = FunctionNames {
            source: NamesSource::SymbolTable,
            names,
        };
        assert!(f.contains("memmap2::MmapMut::flush_range"));
        assert!(f.contains("memmap2::MmapMut::deref"));
        assert!(f.contains("<memmap2::MmapMut as core::ops::deref::Deref>::deref"));
        assert!(f.contains("ammonia::clean"), "through its closure");
        assert!(f.contains("main"));
        assert!(!f.contains("memmap2::MmapMut::flush"));
        assert!(!f.contains("ammonia::clea"));
        assert_eq!(
            rust_paths("<memmap2::MmapMut>::advise_range::<u8>"),
            [
                "<memmap2::MmapMut>::advise_range",
                "memmap2::MmapMut::advise_range"
            ]
        );
    }

    #[test]
    fn non_executables_have_no_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("go.mod");
        std::fs::write(&p, "module x\n").unwrap();
        assert_eq!(read_function_names(&p).unwrap(), None);
        assert!(read_function_names(&dir.path().join("missing")).is_err());
        assert_eq!(function_names_in(b"\x7fELF truncated"), None);
    }
}
