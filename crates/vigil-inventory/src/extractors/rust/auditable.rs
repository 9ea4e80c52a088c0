//! Rust executables built with `cargo auditable`: the dependency list
//! embedded in the binary.
//!
//! ## Detects
//! Files that no name claims whose first bytes are an executable's (ELF,
//! PE, Mach-O 32/64 in both byte orders, fat Mach-O): the walk offers it
//! executable files and `.exe`, `.dll`, `.so`, `.dylib`, `.bin` files. The
//! audit data is the `.dep-v0` section (ELF and PE; `__DATA,.dep-v0` in
//! Mach-O): zlib-compressed JSON, `{"packages": [{"name", "version",
//! "source", "kind", "dependencies": [indices], "root"}], "format": 1}`.
//! It is decompressed with a limit of 8 MiB of JSON.
//!
//! ## Ecosystem
//! crates.io. Each package from crates.io (`"source": "crates.io"`) is a
//! component at its version, with `dependencies` (the names of the
//! packages its indices point to), `direct` (whether the root package
//! depends on it) and `optional` false (every package listed was compiled
//! in). `dev` is unknown: test-only crates are never linked in and are not
//! listed, and build-time ones (`"kind": "build"`: build scripts, proc
//! macros) are reported like the others, since their code ran at build
//! time and may have shaped the binary. The root package (the crate the
//! binary was built from) is reported when it comes from crates.io (a
//! `cargo install name@version`), and left out when it is local (it is the
//! project, not a dependency). Packages from other sources (`local`,
//! `git`, another `registry`) are "not checked", with their source. Binaries
//! have no lines: locations name the file only.
//!
//! An executable without a `.dep-v0` section gives nothing, and no warning
//! (most executables were not built with `cargo auditable`); nor does a
//! file the `object` crate cannot read as an object file. A section that
//! does not decompress, or whose JSON is not audit data, is a
//! malformed-file error; a `format` other than 1 is a warning and a
//! best-effort read.
//!
//! ## Limitations
//! - Only what `cargo auditable` records: binaries built with a plain
//!   `cargo build` carry no dependency list (a Rust binary's panic messages
//!   may name crates, but not reliably: not read).
//! - WebAssembly modules (the `dep-v0` custom section) are not read.
//! - Only the first architecture of a fat Mach-O that carries the section
//!   is read.
//!
//! ## References
//! - <https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md>
//! - <https://github.com/rust-secure-code/cargo-auditable/blob/master/auditable-serde/README.md>

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::binary;
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads the `cargo auditable` data of Rust executables.
#[derive(Debug, Clone, Copy)]
pub struct RustAuditable;

/// The most JSON read from the compressed section.
const MAX_JSON: u64 = 8 << 20;

#[derive(Deserialize)]
struct AuditData {
    packages: Vec<Package>,
    #[serde(default)]
    format: Option<u64>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<usize>,
    #[serde(default)]
    root: bool,
}

impl Extractor for RustAuditable {
    fn name(&self) -> &'static str {
        "rust/auditable"
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
            if let Some(section) = binary::section_data(&file, &[".dep-v0"]) {
                let json = decompress(section).map_err(|why| input.malformed(None, why))?;
                return from_json(input, &json);
            }
        }
        Ok(Extracted::default())
    }
}

/// Reads the `cargo auditable` data of an executable from its `.dep-v0`
/// section alone, which the caller read without the rest of the file (an
/// executable too large to be held whole). The components are located at
/// `rel_path`.
pub fn extract_from_section(rel_path: &str, section: &[u8]) -> Result<Extracted, ExtractError> {
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
    let json = decompress(section).map_err(|why| input.malformed(None, why))?;
    from_json(&input, &json)
}

/// Inflates the zlib stream of the section, up to [`MAX_JSON`] bytes.
fn decompress(section: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_JSON + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the `cargo auditable` data does not decompress: {e}"))?;
    if out.len() as u64 > MAX_JSON {
        return Err(format!(
            "the `cargo auditable` data is more than {MAX_JSON} bytes of JSON"
        ));
    }
    Ok(out)
}

/// The components of the audit data's JSON.
fn from_json(input: &FileInput<'_>, json: &[u8]) -> Result<Extracted, ExtractError> {
    let data: AuditData = serde_json::from_slice(json).map_err(|e| {
        input.malformed(
            None,
            format!("the `cargo auditable` data is not valid audit JSON: {e}"),
        )
    })?;
    let mut out = Extracted::default();
    if let Some(format) = data.format.filter(|&f| f != 1) {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            None,
            format!("`cargo auditable` data format {format} is not known; read as format 1"),
        ));
    }
    let packages = &data.packages;
    let names_of = |deps: &[usize]| -> Vec<String> {
        deps.iter()
            .filter_map(|&i| packages.get(i).map(|p| p.name.clone()))
            .collect()
    };
    let bad_index = packages
        .iter()
        .flat_map(|p| p.dependencies.iter().copied())
        .find(|&i| i >= packages.len());
    let root_deps: Option<Vec<usize>> = packages
        .iter()
        .find(|p| p.root)
        .map(|p| p.dependencies.clone());
    for (i, p) in packages.iter().enumerate() {
        let source = p.source.as_deref().unwrap_or("");
        if source != "crates.io" {
            if !p.root {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::CratesIo,
                    name: p.name.clone(),
                    version: p.version.clone(),
                    location: Location::new(input.rel_path, None),
                    reason: match source {
                        "local" => "a local path dependency".to_string(),
                        "git" => "from a git repository".to_string(),
                        "registry" => "from a registry other than crates.io".to_string(),
                        "" => "its source is not given".to_string(),
                        other => format!("from the source `{other}`"),
                    },
                });
            }
            continue;
        }
        let direct = if p.root {
            None
        } else {
            root_deps.as_ref().map(|d| d.contains(&i))
        };
        out.components.push(
            Component::new(Ecosystem::CratesIo, p.name.as_str(), p.version.as_str())
                .at(input.rel_path, None)
                .direct(direct)
                .optional(Some(false))
                .depends_on(names_of(&p.dependencies)),
        );
    }
    if let Some(i) = bad_index {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            None,
            format!(
                "`cargo auditable` data names package {i} as a dependency, but lists {} packages",
                packages.len()
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, build_auditable, extract_binary, testdata, unchecked_brief, view,
    };

    fn input() -> FileInput<'static> {
        FileInput::binary("bin/tool", Path::new("/bin/tool"), &[], Path::new("/"))
    }

    /// Runs the JSON reader on `testdata/rust/auditable/<sub>/audit.json`.
    fn from_fixture(sub: &str) -> Result<Extracted, ExtractError> {
        let json = std::fs::read(testdata("rust/auditable").join(sub).join("audit.json")).unwrap();
        from_json(&input(), &json)
    }

    #[test]
    fn a_real_auditable_binary_lists_its_crates() {
        let dir = tempfile::tempdir().unwrap();
        let Some(bin) = build_auditable("rust/auditable", dir.path()) else {
            return;
        };
        let rel = bin.strip_prefix(dir.path()).unwrap().to_str().unwrap();
        let x = extract_binary(&RustAuditable, dir.path(), rel).unwrap();
        // memmap2 0.9.10 has an advisory (RUSTSEC-2026-0186); libc is at
        // whatever version the local cache resolves.
        let memmap2 = x.components.iter().find(|c| c.name == "memmap2").unwrap();
        assert_eq!(memmap2.version, "0.9.10");
        assert_eq!(memmap2.direct, Some(true));
        assert_eq!(memmap2.dependencies, ["libc"]);
        let libc = x.components.iter().find(|c| c.name == "libc").unwrap();
        assert_eq!(libc.direct, Some(false));
        assert_eq!(x.components.len(), 2, "{:?}", brief(&x));
        // The local root package is the project: neither a component nor
        // "not checked".
        assert!(x.not_checked.is_empty() && x.diagnostics.is_empty());

        // A damaged section is malformed; a cut binary never panics.
        let bytes = std::fs::read(&bin).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let file = object::File::parse(&*bytes).unwrap();
        let section = binary::section_data(&file, &[".dep-v0"]).unwrap();
        // The section alone gives the same.
        let alone = extract_from_section(rel, section).unwrap();
        assert_eq!(alone.components, x.components);
        let at = section.as_ptr() as usize - bytes.as_ptr() as usize;
        let mut broken = bytes.clone();
        broken[at + 4] ^= 0xff;
        broken[at + 5] ^= 0xff;
        let input = FileInput::binary(rel, &bin, &broken, &root);
        let err = RustAuditable.extract(&input).unwrap_err();
        assert_eq!((err.path(), err.line()), (rel, None));
        assert!(err.to_string().contains("cargo auditable"), "{err}");
        let step = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).step_by(step).chain(at..at + section.len()) {
            let input = FileInput::binary(rel, &bin, &bytes[..cut], &root);
            if let Err(e) = RustAuditable.extract(&input) {
                assert_eq!(e.path(), rel);
            }
        }
    }

    #[test]
    fn executables_without_audit_data_give_nothing() {
        // This test binary was built by plain cargo.
        let me = std::env::current_exe().unwrap();
        let dir = me.parent().unwrap();
        let rel = me.file_name().unwrap().to_str().unwrap();
        let x = extract_binary(&RustAuditable, dir, rel).unwrap();
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
        for garbage in [&b"\x7fELF\x02\x01\x01\0garbage"[..], b"MZ text", b""] {
            let input = FileInput::binary("x", Path::new("/x"), garbage, Path::new("/"));
            let x = RustAuditable.extract(&input).unwrap();
            assert!(x.components.is_empty() && x.diagnostics.is_empty());
        }
        assert!(RustAuditable.sniff(b"\xcf\xfa\xed\xfe"));
        assert!(!RustAuditable.matches(Path::new("Cargo.lock")));
    }

    #[test]
    fn audit_data_with_every_source() {
        let x = from_fixture("realistic").unwrap();
        insta::assert_json_snapshot!("auditable_realistic", view(&x));
        assert_eq!(
            brief(&x),
            [
                "cc@1.0.83 bin/tool:",
                "libc@0.2.150 bin/tool:",
                "memchr@2.6.4 bin/tool:",
                "regex-automata@0.4.3 bin/tool:",
                "regex-syntax@0.8.2 bin/tool:",
                "regex@1.10.2 bin/tool:",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "corp-metrics@0.3.0 :0 from a registry other than crates.io",
                "helper@0.1.0 :0 a local path dependency",
                "patched-log@0.4.20 :0 from a git repository",
                "weird@1.0.0 :0 from the source `sparse+https://example.com/`",
            ]
        );
        let regex = x.components.iter().find(|c| c.name == "regex").unwrap();
        assert_eq!(regex.direct, Some(true));
        assert_eq!(
            regex.dependencies,
            ["memchr", "regex-automata", "regex-syntax"]
        );
        let cc = x.components.iter().find(|c| c.name == "cc").unwrap();
        assert_eq!(
            (cc.direct, cc.dev, cc.optional),
            (Some(false), None, Some(false))
        );
    }

    #[test]
    fn an_installed_crate_reports_its_root() {
        let x = from_fixture("installed").unwrap();
        assert_eq!(
            brief(&x),
            ["memchr@2.6.4 bin/tool:", "ripgrep@14.0.3 bin/tool:"]
        );
        let rg = x.components.iter().find(|c| c.name == "ripgrep").unwrap();
        assert_eq!(rg.direct, None);
    }

    #[test]
    fn unknown_formats_and_bad_indices_are_warnings() {
        let x = from_fixture("future-format").unwrap();
        assert_eq!(brief(&x), ["memchr@2.6.4 bin/tool:"]);
        let msgs: Vec<&str> = x.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "`cargo auditable` data format 2 is not known; read as format 1",
                "`cargo auditable` data names package 7 as a dependency, but lists 2 packages",
            ]
        );
    }

    #[test]
    fn malformed_audit_data_names_the_file() {
        let err = from_fixture("malformed").unwrap_err();
        assert_eq!((err.path(), err.line()), ("bin/tool", None));
        assert!(err.to_string().contains("not valid audit JSON"), "{err}");
        let err = decompress(b"not zlib").unwrap_err();
        assert!(err.contains("does not decompress"), "{err}");
    }

    #[test]
    fn decompression_is_bounded() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b' '; MAX_JSON as usize + 10]).unwrap();
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 100_000);
        let err = decompress(&bomb).unwrap_err();
        assert!(err.contains("more than"), "{err}");

        let json = std::fs::read(testdata("rust/auditable/realistic/audit.json")).unwrap();
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&json).unwrap();
        let z = enc.finish().unwrap();
        assert_eq!(decompress(&z).unwrap(), json);
        for cut in 0..z.len() {
            if let Ok(partial) = decompress(&z[..cut]) {
                let _ = from_json(&input(), &partial);
            }
        }
        for cut in 0..json.len() {
            let _ = from_json(&input(), &json[..cut]);
        }
    }
}
