//! Go executables: the build information that the Go linker writes into
//! every binary built in module mode.
//!
//! ## Detects
//! Files that no name claims whose first bytes are an executable's (ELF,
//! PE, Mach-O 32/64 in both byte orders, fat Mach-O): the walk offers it
//! executable files and `.exe`, `.dll`, `.so`, `.dylib`, `.bin` files. The
//! build information blob (magic `\xff Go buildinf:`, then the pointer size
//! and flags) is looked up in the `.go.buildinfo` section (ELF, and the
//! `__go_buildinfo` section of Mach-O), else in the writable data
//! sections (PE `.data`, older Mach-O `__data`), else in the segments of a
//! file without a section table. Since Go 1.18 the blob holds the Go
//! version and the module information as length-prefixed strings; before,
//! it held pointers to them, which are followed through the sections'
//! addresses. The module information is read line by line: `path` (the
//! main package), `mod` (the main module), `dep` (a module of the build),
//! `=>` (the replacement of the module on the line before) and `build`
//! (settings, read over).
//!
//! ## Ecosystem
//! Go. Each `dep` is a component at its version, or at its replacement's
//! module and version when a `=>` line replaces it; a replacement by a
//! local directory (no version) is a "not checked" entry. Its `h1:` sum
//! is its hash. The main module is a component too (a binary installed
//! with `go install module@version` carries the version), except when its
//! version is `(devel)`: built from a local checkout, it is "not checked".
//! The Go standard library is a component named `stdlib` at the version of
//! the toolchain that built the binary (`go1.22.3` read as `1.22.3`; a
//! development toolchain's `devel ...` is "not checked"). Binaries have no
//! lines: locations name the file only.
//!
//! An executable without Go build information is not a Go binary: it
//! gives nothing, and no warning. Nor does a file the `object` crate
//! cannot read as an object file (a truncated one, a text file that
//! happens to start with `MZ`, a Java class file with the fat Mach-O
//! magic). Build information that is found but cut short or inconsistent
//! is a malformed-file error.
//!
//! ## Limitations
//! - `direct` and `dev` are unknown: the build information lists every
//!   module linked in, without telling direct from indirect ones, and
//!   never lists test-only modules.
//! - Binaries built in GOPATH mode (and by Go before 1.13, or with
//!   `-buildvcs`-less toolchains stripped of module data) list no modules:
//!   only `stdlib` is reported.
//! - Before Go 1.18 the strings are reached through pointers; a binary
//!   whose pointers lead outside its file-backed sections is reported with
//!   a warning and its modules are not read.
//! - Only the first architecture of a fat Mach-O that carries build
//!   information is read (they are built from the same module graph).
//!
//! ## References
//! - <https://pkg.go.dev/debug/buildinfo>
//! - <https://pkg.go.dev/runtime/debug#BuildInfo>
//! - <https://go.dev/ref/mod#go-version-m>

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::binary;
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads the build information of Go executables.
#[derive(Debug, Clone, Copy)]
pub struct GoBinary;

/// The magic that opens the build information blob.
const MAGIC: &[u8] = b"\xff Go buildinf:";

/// The blob's header: the magic, pointer size, flags, then padding (or,
/// before Go 1.18, two pointers) up to 32 bytes.
const HEADER_LEN: usize = 32;

/// Flag: pointers are big-endian.
const FLAG_BIG_ENDIAN: u8 = 0x1;
/// Flag: the strings follow the header inline (Go 1.18 and later).
const FLAG_INLINE: u8 = 0x2;

/// How far into a data region the blob is looked for.
const SEARCH_LIMIT: usize = 1 << 20;

/// The longest string read from the blob (the module information of the
/// largest programs is a few hundred kilobytes).
const MAX_STRING: u64 = 16 << 20;

/// The module information is framed by these 16 bytes on each side.
const FRAME_LEN: usize = 16;

/// The Go version and module information text of a binary.
#[derive(Debug, PartialEq, Eq)]
struct BuildInfo {
    go_version: String,
    modinfo: String,
}

/// What looking for the build information found.
#[derive(Debug)]
enum Found {
    /// No build information: not a Go binary.
    None,
    /// Read.
    Info(BuildInfo),
    /// Found, but in a form that could not be followed (a pre-1.18 blob
    /// whose pointers lead nowhere): a warning.
    Unreadable(String),
}

impl Extractor for GoBinary {
    fn name(&self) -> &'static str {
        "go/binary"
    }

    fn matches(&self, _path: &Path) -> bool {
        false
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn sniff(&self, head: &[u8]) -> bool {
        binary::sniff_executable(head)
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        for file in binary::object_files(input.bytes) {
            match find_build_info(&file).map_err(|why| input.malformed(None, why))? {
                Found::None => continue,
                Found::Unreadable(why) => {
                    let mut out = Extracted::default();
                    out.diagnostics
                        .push(Diagnostic::warning(input.rel_path, None, why));
                    return Ok(out);
                }
                Found::Info(info) => return extract_info(input, &info),
            }
        }
        Ok(Extracted::default())
    }
}

/// Bytes kept after a magic found in a stream: the build information of a
/// Go 1.18+ binary (version and module text) fits in far less.
const STREAM_BLOB_LIMIT: usize = 1 << 20;

/// Reads the Go build information of an executable given as a stream,
/// holding at most a few MiB of it at once: for executables too large to
/// be held whole (a layer of a container image is a stream). The stream
/// is searched for the build information's magic and the blob after it
/// decoded; only the inline layout of Go 1.18 and later can be read this
/// way (the older layout points into sections a stream has passed).
///
/// `Ok(None)` when no build information was found (not a Go binary, or a
/// pre-1.18 one). The components are located at `rel_path`.
pub fn extract_from_stream(
    rel_path: &str,
    mut reader: impl std::io::Read,
) -> Result<Option<Extracted>, ExtractError> {
    const CHUNK: usize = 1 << 20;
    let io_error = |e: std::io::Error| ExtractError::Malformed {
        path: rel_path.to_string(),
        line: None,
        message: format!("cannot be read: {e}"),
    };
    // `window` holds the unsearched tail of what was read; a magic that
    // straddles two chunks is found because the last MAGIC.len() - 1
    // bytes stay in it.
    let mut window: Vec<u8> = Vec::with_capacity(CHUNK + STREAM_BLOB_LIMIT);
    let mut chunk = vec![0u8; CHUNK];
    let mut eof = false;
    loop {
        if !eof {
            let n = read_full(&mut reader, &mut chunk).map_err(io_error)?;
            eof = n < chunk.len();
            window.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        let mut from = 0;
        while let Some(at) = find(window.get(from..).unwrap_or_default(), MAGIC) {
            let start = from + at;
            // Make sure the blob after the magic is whole in the window.
            while !eof && window.len() - start < STREAM_BLOB_LIMIT {
                let n = read_full(&mut reader, &mut chunk).map_err(io_error)?;
                eof = n < chunk.len();
                window.extend_from_slice(chunk.get(..n).unwrap_or_default());
            }
            let end = window.len().min(start + STREAM_BLOB_LIMIT);
            let blob = window.get(start..end).unwrap_or_default();
            // The magic also appears as a constant in binaries that read
            // build information themselves: a blob that does not decode
            // is passed over.
            if let Ok(Found::Info(info)) = decode_blob(blob, |_, _| None) {
                if !info.modinfo.is_empty() || !info.go_version.is_empty() {
                    let input = FileInput {
                        rel_path,
                        path: Path::new(""),
                        contents: "",
                        bytes: &[],
                        root: Path::new(""),
                        max_file_size: 0,
                        archive_depth: 0,
                        archive_budget: None,
                    };
                    return extract_info(&input, &info).map(Some);
                }
            }
            from = start + 1;
        }
        if eof {
            return Ok(None);
        }
        let keep = MAGIC.len() - 1;
        let drop = window.len().saturating_sub(keep);
        window.drain(..drop);
    }
}

/// Reads until `buf` is full or the stream ends; the bytes read.
fn read_full(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Finds and decodes the build information blob of one object file.
fn find_build_info(file: &object::File<'_>) -> Result<Found, String> {
    let named = binary::section_data(file, &[".go.buildinfo", "__go_buildinfo"]);
    let regions: Vec<&[u8]> = match named {
        Some(d) => vec![d],
        None => binary::data_regions(file),
    };
    for region in regions {
        let window = region
            .get(..region.len().min(SEARCH_LIMIT))
            .unwrap_or(region);
        let Some(at) = find(window, MAGIC) else {
            continue;
        };
        let blob = region.get(at..).unwrap_or_default();
        return decode_blob(blob, |addr, len| binary::read_at(file, addr, len));
    }
    Ok(Found::None)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a blob that starts with the magic; `read` reads bytes at a
/// virtual address (for the pointers of pre-1.18 blobs).
fn decode_blob<'a>(
    blob: &'a [u8],
    read: impl Fn(u64, u64) -> Option<&'a [u8]>,
) -> Result<Found, String> {
    let header = blob
        .get(..HEADER_LEN)
        .ok_or("the Go build information is cut short")?;
    let ptr_size = header.get(MAGIC.len()).copied().unwrap_or(0);
    let flags = header.get(MAGIC.len() + 1).copied().unwrap_or(0);
    if flags & FLAG_INLINE != 0 {
        let mut rest = blob.get(HEADER_LEN..).unwrap_or_default();
        let go_version = inline_string(&mut rest)?;
        let modinfo = inline_string(&mut rest)?;
        return Ok(Found::Info(BuildInfo {
            go_version: String::from_utf8_lossy(go_version).into_owned(),
            modinfo: unframe(modinfo),
        }));
    }
    if ptr_size != 4 && ptr_size != 8 {
        return Err(format!(
            "the Go build information has an invalid pointer size {ptr_size}"
        ));
    }
    let big = flags & FLAG_BIG_ENDIAN != 0;
    let ptr = |bytes: &[u8]| -> Option<u64> {
        let b = bytes.get(..usize::from(ptr_size))?;
        let mut v: u64 = 0;
        if big {
            for &x in b {
                v = (v << 8) | u64::from(x);
            }
        } else {
            for &x in b.iter().rev() {
                v = (v << 8) | u64::from(x);
            }
        }
        Some(v)
    };
    let size = u64::from(ptr_size);
    // A pointer to a Go string header: a pointer to the bytes, then the
    // length.
    let string_at = |field: usize| -> Option<&'a [u8]> {
        let header_addr = ptr(header.get(field..)?)?;
        let string_header = read(header_addr, 2 * size)?;
        let data = ptr(string_header)?;
        let len = ptr(string_header.get(usize::from(ptr_size)..)?)?;
        if len > MAX_STRING {
            return None;
        }
        if len == 0 {
            Some(&[][..])
        } else {
            read(data, len)
        }
    };
    let version_field = MAGIC.len() + 2;
    let modinfo_field = version_field + usize::from(ptr_size);
    match (string_at(version_field), string_at(modinfo_field)) {
        (Some(go_version), Some(modinfo)) => Ok(Found::Info(BuildInfo {
            go_version: String::from_utf8_lossy(go_version).into_owned(),
            modinfo: unframe(modinfo),
        })),
        _ => Ok(Found::Unreadable(
            "Go build information before Go 1.18 is not read: its pointers lead outside the file's sections"
                .to_string(),
        )),
    }
}

/// Reads one varint-length-prefixed string, advancing `rest`.
fn inline_string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], String> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let b = *rest
            .get(used)
            .ok_or("the Go build information is cut short (in a string length)")?;
        used += 1;
        if shift > 63 {
            return Err("the Go build information has an invalid string length".to_string());
        }
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    if len > MAX_STRING {
        return Err(format!(
            "the Go build information has a {len}-byte string, more than the limit"
        ));
    }
    let len = usize::try_from(len).map_err(|_| "string length out of range")?;
    let end = used.checked_add(len).ok_or("string length out of range")?;
    let bytes = rest
        .get(used..end)
        .ok_or("the Go build information is cut short (in a string)")?;
    *rest = rest.get(end..).unwrap_or_default();
    Ok(bytes)
}

/// Strips the 16-byte frames around the module information (as the Go
/// runtime does: a text without them holds no module information). The
/// frames are binary; the text is UTF-8 (invalid bytes are replaced).
fn unframe(bytes: &[u8]) -> String {
    let end = bytes.len().saturating_sub(FRAME_LEN);
    match bytes.get(FRAME_LEN..end) {
        Some(inner) if bytes.len() > 2 * FRAME_LEN && inner.last() == Some(&b'\n') => {
            String::from_utf8_lossy(inner).into_owned()
        }
        _ => String::new(),
    }
}

/// A module line: path, version and sum (any may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Module {
    path: String,
    version: String,
    sum: String,
}

#[derive(Debug)]
struct Dep {
    module: Module,
    replace: Option<Module>,
}

#[derive(Debug, Default)]
struct ModInfo {
    main: Option<Dep>,
    deps: Vec<Dep>,
}

/// Parses the module information text. Errors name the line of the text.
fn parse_modinfo(text: &str) -> Result<ModInfo, String> {
    let mut info = ModInfo::default();
    // Whether the last module line was the main module's (`=>` applies to
    // the module line just before it).
    let mut last_is_main = None::<bool>;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let fields: Vec<&str> = line.split('\t').collect();
        let module = || -> Result<Module, String> {
            if fields.len() != 3 && fields.len() != 4 {
                return Err(format!(
                    "line {n} of the Go module information has {} fields, not 3 or 4: `{line}`",
                    fields.len()
                ));
            }
            Ok(Module {
                path: fields.get(1).copied().unwrap_or("").to_string(),
                version: fields.get(2).copied().unwrap_or("").to_string(),
                sum: fields.get(3).copied().unwrap_or("").to_string(),
            })
        };
        match fields.first().copied().unwrap_or("") {
            "mod" => {
                info.main = Some(Dep {
                    module: module()?,
                    replace: None,
                });
                last_is_main = Some(true);
            }
            "dep" => {
                info.deps.push(Dep {
                    module: module()?,
                    replace: None,
                });
                last_is_main = Some(false);
            }
            "=>" => {
                let target = match last_is_main {
                    Some(true) => info.main.as_mut(),
                    Some(false) => info.deps.last_mut(),
                    None => None,
                };
                let target = target.ok_or(format!(
                    "line {n} of the Go module information replaces no module"
                ))?;
                target.replace = Some(module()?);
                last_is_main = None;
            }
            // `path` (the main package), `build` (settings), and anything a
            // later Go adds.
            _ => {}
        }
    }
    Ok(info)
}

/// The components of a binary's build information.
fn extract_info(input: &FileInput<'_>, info: &BuildInfo) -> Result<Extracted, ExtractError> {
    let modinfo = parse_modinfo(&info.modinfo).map_err(|why| input.malformed(None, why))?;
    let mut out = Extracted::default();
    let at = Location::new(input.rel_path, None);
    let not_checked = |name: &str, version: &str, reason: String| NotChecked {
        ecosystem: Ecosystem::Go,
        name: name.to_string(),
        version: version.to_string(),
        location: at.clone(),
        reason,
    };

    let go = info.go_version.split_whitespace().next().unwrap_or("");
    match super::go_mod::toolchain_version(go) {
        Some(v) if !info.go_version.starts_with("devel") => out
            .components
            .push(Component::new(Ecosystem::Go, "stdlib", v).at(input.rel_path, None)),
        _ if info.go_version.is_empty() => {}
        _ => out.not_checked.push(not_checked(
            "stdlib",
            &info.go_version,
            "built by a development Go toolchain".to_string(),
        )),
    }

    if let Some(main) = &modinfo.main {
        let m = main.replace.as_ref().unwrap_or(&main.module);
        if m.version == "(devel)" || m.version.is_empty() {
            out.not_checked.push(not_checked(
                &main.module.path,
                &main.module.version,
                "the main module, built from a local checkout".to_string(),
            ));
        } else {
            out.components.push(component(input, m));
        }
    }
    for dep in &modinfo.deps {
        match &dep.replace {
            Some(r) if r.version.is_empty() => out.not_checked.push(not_checked(
                &dep.module.path,
                &dep.module.version,
                format!("replaced by the local directory `{}`", r.path),
            )),
            Some(r) => out.components.push(component(input, r)),
            None => out.components.push(component(input, &dep.module)),
        }
    }
    Ok(out)
}

fn component(input: &FileInput<'_>, m: &Module) -> Component {
    let c =
        Component::new(Ecosystem::Go, m.path.as_str(), m.version.as_str()).at(input.rel_path, None);
    if m.sum.is_empty() {
        c
    } else {
        c.hash(m.sum.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, build_go_hello, build_go_hello_for, extract_binary, go_version, testdata,
        unchecked_brief, view,
    };

    /// Runs the module-information reader on a fixture, as if read from a
    /// binary at `bin/tool` built by `go1.21.5`.
    fn from_text(sub: &str) -> Result<Extracted, ExtractError> {
        let text =
            std::fs::read_to_string(testdata("go/binary").join(sub).join("modinfo.txt")).unwrap();
        let root = Path::new("/");
        let input = FileInput::binary("bin/tool", Path::new("/bin/tool"), &[], root);
        extract_info(
            &input,
            &BuildInfo {
                go_version: "go1.21.5".to_string(),
                modinfo: text,
            },
        )
    }

    #[test]
    fn a_real_go_binary_gives_its_toolchain_and_main_module() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bin) = build_go_hello("go/binary", dir.path()) else {
            return;
        };
        let rel = bin.file_name().unwrap().to_str().unwrap();
        let x = extract_binary(&GoBinary, dir.path(), rel).unwrap();
        let want = go_version().unwrap();
        let want = want.strip_prefix("go").unwrap();
        assert_eq!(brief(&x), [format!("stdlib@{want} hello:")]);
        assert_eq!(
            unchecked_brief(&x),
            ["example.com/hello@(devel) :0 the main module, built from a local checkout"]
        );
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);

        // Cut anywhere, it never panics: no result, or a malformed error
        // naming the file.
        let bytes = std::fs::read(&bin).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let step = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let input = FileInput::binary("hello", &bin, &bytes[..cut], &root);
            if let Err(e) = GoBinary.extract(&input) {
                assert_eq!(e.path(), "hello");
            }
        }

        // A string length past the end of the blob is malformed.
        let at = find(&bytes, MAGIC).unwrap();
        let mut broken = bytes.clone();
        broken[at + HEADER_LEN] = 0xff;
        broken[at + HEADER_LEN + 1] = 0xff;
        broken[at + HEADER_LEN + 2] = 0x7f;
        let input = FileInput::binary("hello", &bin, &broken, &root);
        let err = GoBinary.extract(&input).unwrap_err();
        assert_eq!((err.path(), err.line()), ("hello", None));
        assert!(err.to_string().contains("cut short"), "{err}");
    }

    /// PE, Mach-O (thin and fat) and 32-bit ELF, cross-compiled.
    #[test]
    fn go_binaries_of_every_object_format() {
        let dir = tempfile::tempdir().unwrap();
        let want = match go_version() {
            Some(v) => format!("stdlib@{}", v.trim_start_matches("go")),
            None => String::new(),
        };
        let mut built = Vec::new();
        for target in [("windows", "amd64"), ("darwin", "arm64"), ("linux", "386")] {
            let Some(bin) = build_go_hello_for("go/binary", dir.path(), Some(target)) else {
                return;
            };
            let bytes = std::fs::read(&bin).unwrap();
            let magic = bytes[..4].to_vec();
            let rel = bin.file_name().unwrap().to_str().unwrap();
            let x = extract_binary(&GoBinary, dir.path(), rel).unwrap();
            assert_eq!(brief(&x), [format!("{want} {rel}:")], "{target:?}");
            assert_eq!(x.not_checked.len(), 1, "{target:?}");
            assert!(GoBinary.sniff(&magic), "{target:?}");
            built.push(bytes);
        }
        // A fat Mach-O of the thin one (a fat header, one arch at 4096).
        let thin = &built[1];
        let mut fat = Vec::new();
        fat.extend(0xcafe_babe_u32.to_be_bytes());
        fat.extend(1u32.to_be_bytes());
        fat.extend(0x0100_000c_u32.to_be_bytes()); // CPU_TYPE_ARM64
        fat.extend(0u32.to_be_bytes());
        fat.extend(4096u32.to_be_bytes());
        fat.extend(u32::try_from(thin.len()).unwrap().to_be_bytes());
        fat.extend(12u32.to_be_bytes());
        fat.resize(4096, 0);
        fat.extend(thin);
        let root = dir.path().canonicalize().unwrap();
        let input = FileInput::binary("fat", &root, &fat, &root);
        let x = GoBinary.extract(&input).unwrap();
        assert_eq!(brief(&x), [format!("{want} fat:")]);
    }

    #[test]
    fn executables_without_go_build_information_give_nothing() {
        let me = std::env::current_exe().unwrap();
        let dir = me.parent().unwrap();
        let rel = me.file_name().unwrap().to_str().unwrap();
        let x = extract_binary(&GoBinary, dir, rel).unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());

        let root = Path::new("/");
        for garbage in [
            &b"\x7fELF\x02\x01\x01\0garbage after the magic"[..],
            b"MZ is also how this text starts",
            &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 0],
            b"",
        ] {
            let input = FileInput::binary("x.bin", Path::new("/x.bin"), garbage, root);
            let x = GoBinary.extract(&input).unwrap();
            assert!(x.components.is_empty() && x.diagnostics.is_empty());
        }
    }

    #[test]
    fn sniffs_executables_and_claims_no_name() {
        assert!(GoBinary.sniff(b"\x7fELF\x02\x01"));
        assert!(GoBinary.sniff(b"MZ\x90\0"));
        assert!(!GoBinary.sniff(b"#!/bin/sh"));
        assert!(!GoBinary.matches(Path::new("go.mod")));
        assert!(!GoBinary.matches(Path::new("bin/app")));
        assert_eq!(GoBinary.input_kind(), InputKind::Binary);
    }

    #[test]
    fn module_information_with_replacements() {
        let x = from_text("realistic").unwrap();
        insta::assert_json_snapshot!("go_binary_realistic", view(&x));
        assert_eq!(
            brief(&x),
            [
                "github.com/BurntSushi/toml@v1.3.2 bin/tool:",
                "golang.org/x/net@v0.23.0 bin/tool:",
                "golang.org/x/sys@v0.13.0 bin/tool:",
                "golang.org/x/text@v0.13.0 bin/tool:",
                "stdlib@1.21.5 bin/tool:",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "example.com/internal/lib@v0.0.0-00010101000000-000000000000 :0 replaced by the local directory `../lib`",
                "github.com/example/tool@(devel) :0 the main module, built from a local checkout",
            ]
        );
        let net = x
            .components
            .iter()
            .find(|c| c.name == "golang.org/x/net")
            .unwrap();
        assert_eq!(
            net.hashes,
            ["h1:SYNTHETICnet023AAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
        );
        let text = x
            .components
            .iter()
            .find(|c| c.name == "golang.org/x/text")
            .unwrap();
        assert!(text.hashes.is_empty());
    }

    #[test]
    fn an_installed_tool_reports_its_main_module() {
        let x = from_text("installed").unwrap();
        assert_eq!(
            brief(&x),
            [
                "github.com/example/tool@v1.4.0 bin/tool:",
                "golang.org/x/sys@v0.13.0 bin/tool:",
                "stdlib@1.21.5 bin/tool:",
            ]
        );
        assert!(x.not_checked.is_empty());
    }

    #[test]
    fn malformed_module_information_names_the_file() {
        let err = from_text("malformed").unwrap_err();
        assert_eq!((err.path(), err.line()), ("bin/tool", None));
        assert!(
            err.to_string()
                .contains("line 3 of the Go module information has 2 fields"),
            "{err}"
        );
        let err = parse_modinfo("=>\tfoo\tv1.0.0\t\n").unwrap_err();
        assert!(err.contains("replaces no module"), "{err}");
    }

    #[test]
    fn module_information_survives_truncation() {
        let text = std::fs::read_to_string(testdata("go/binary/realistic/modinfo.txt")).unwrap();
        for cut in 0..=text.len() {
            let _ = parse_modinfo(&text[..cut]);
        }
    }

    #[test]
    fn toolchain_versions() {
        let run = |v: &str| {
            let input = FileInput::binary("b", Path::new("/b"), &[], Path::new("/"));
            let info = BuildInfo {
                go_version: v.to_string(),
                modinfo: String::new(),
            };
            let x = extract_info(&input, &info).unwrap();
            (brief(&x), unchecked_brief(&x))
        };
        assert_eq!(run("go1.22.3 X:loopvar").0, ["stdlib@1.22.3 b:"]);
        assert_eq!(run("go1.21rc2").0, ["stdlib@1.21rc2 b:"]);
        assert_eq!(
            run("devel go1.23-abcdef Tue Jan 2 2024").1,
            ["stdlib@devel go1.23-abcdef Tue Jan 2 2024 :0 built by a development Go toolchain"]
        );
        assert_eq!(run(""), (vec![], vec![]));
    }

    /// A blob in the Go 1.18+ form: header, then two varint-prefixed
    /// strings.
    fn inline_blob(version: &[u8], modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend([8, FLAG_INLINE]);
        b.resize(HEADER_LEN, 0);
        for s in [version, modinfo] {
            let mut n = s.len();
            while n >= 0x80 {
                b.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            b.push(n as u8);
            b.extend(s);
        }
        b
    }

    fn framed(text: &str) -> Vec<u8> {
        let mut b = vec![0xf0; 16];
        b.extend(text.as_bytes());
        b.extend([0xf1; 16]);
        b
    }

    #[test]
    fn inline_blobs() {
        let text = "path\tm\nmod\tm\t(devel)\t\n".repeat(20);
        let blob = inline_blob(b"go1.22.0", &framed(&text));
        let Found::Info(info) = decode_blob(&blob, |_, _| None).unwrap() else {
            panic!()
        };
        assert_eq!(info.go_version, "go1.22.0");
        assert_eq!(info.modinfo, text);
        // Without frames, there is no module information.
        let blob = inline_blob(b"go1.22.0", b"mod\tm\tv1.0.0\t\n");
        let Found::Info(info) = decode_blob(&blob, |_, _| None).unwrap() else {
            panic!()
        };
        assert_eq!(info.modinfo, "");
        for cut in 0..blob.len() {
            assert!(decode_blob(&blob[..cut], |_, _| None).is_err());
        }
    }

    /// The stream reader finds the blob wherever it is, past a magic that
    /// is only a constant, and across its chunk boundaries.
    #[test]
    fn build_information_read_from_a_stream() {
        let text = "path\tm\nmod\tm\tv1.2.3\th1:x=\ndep\tgolang.org/x/text\tv0.3.7\th1:y=\n";
        let blob = inline_blob(b"go1.22.1", &framed(text));
        for offset in [0usize, 100, (1 << 20) - 5, (1 << 20) + 3, 3 << 20] {
            // A constant copy of the magic, followed by code, comes first.
            let mut stream = vec![0x90u8; offset];
            if offset > 64 {
                stream[10..10 + MAGIC.len()].copy_from_slice(MAGIC);
            }
            stream.extend(&blob);
            stream.extend(vec![0u8; 5000]);
            let x = extract_from_stream("bin/tool", stream.as_slice())
                .unwrap()
                .unwrap_or_else(|| panic!("offset {offset}"));
            assert_eq!(
                brief(&x),
                [
                    "golang.org/x/text@v0.3.7 bin/tool:",
                    "m@v1.2.3 bin/tool:",
                    "stdlib@1.22.1 bin/tool:"
                ],
                "offset {offset}"
            );
        }
        // No build information: nothing, and no error.
        let none = extract_from_stream("bin/c", vec![7u8; 3 << 20].as_slice()).unwrap();
        assert!(none.is_none());
    }

    /// On a real binary, the stream reader gives what the whole-file
    /// reader gives.
    #[test]
    fn the_stream_reader_agrees_with_the_file_reader() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bin) = build_go_hello("go/binary", dir.path()) else {
            return;
        };
        let rel = bin.file_name().unwrap().to_str().unwrap();
        let whole = extract_binary(&GoBinary, dir.path(), rel).unwrap();
        let streamed = extract_from_stream(rel, std::fs::File::open(&bin).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(brief(&streamed), brief(&whole));
        assert_eq!(streamed.not_checked, whole.not_checked);
    }

    /// A pre-1.18 blob: pointers to Go string headers, followed through a
    /// memory map of (address, bytes) regions.
    #[test]
    fn pointer_blobs() {
        let modinfo = framed("mod\tm\tv1.2.3\t\n");
        for (ptr_size, big) in [(8u8, false), (4, false), (8, true), (4, true)] {
            let put = |v: u64| -> Vec<u8> {
                let bytes = v.to_le_bytes();
                let mut b = bytes[..usize::from(ptr_size)].to_vec();
                if big {
                    b.reverse();
                }
                b
            };
            let mut blob = MAGIC.to_vec();
            blob.extend([ptr_size, if big { FLAG_BIG_ENDIAN } else { 0 }]);
            blob.extend(put(0x1000));
            blob.extend(put(0x1000 + 2 * u64::from(ptr_size)));
            blob.resize(HEADER_LEN, 0);
            // At 0x1000: two string headers; at 0x2000: the strings.
            let mut headers = put(0x2000);
            headers.extend(put(8));
            headers.extend(put(0x2008));
            headers.extend(put(modinfo.len() as u64));
            let mut strings = b"go1.16.2".to_vec();
            strings.extend(&modinfo);
            let regions = [(0x1000u64, headers), (0x2000u64, strings)];
            let read = |addr: u64, len: u64| -> Option<&[u8]> {
                regions.iter().find_map(|(start, data)| {
                    let off = usize::try_from(addr.checked_sub(*start)?).ok()?;
                    data.get(off..off + usize::try_from(len).ok()?)
                })
            };
            let Found::Info(info) = decode_blob(&blob, read).unwrap() else {
                panic!("{ptr_size} {big}")
            };
            assert_eq!(info.go_version, "go1.16.2");
            assert_eq!(info.modinfo, "mod\tm\tv1.2.3\t\n");
            // Pointers into nothing: a warning, not an error.
            assert!(matches!(
                decode_blob(&blob, |_, _| None).unwrap(),
                Found::Unreadable(_)
            ));
        }
        let mut bad = MAGIC.to_vec();
        bad.extend([3, 0]);
        bad.resize(HEADER_LEN, 0);
        assert!(decode_blob(&bad, |_, _| None).is_err());
    }
}
