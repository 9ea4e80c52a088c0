//! Whether the functions an advisory names as affected are linked into the
//! executable a finding is about: Go records list them per package
//! (`ecosystem_specific.imports[].symbols`), RustSec records as paths
//! (`affects.functions`). The executable's function names are read once
//! per scan (Go's function table, else the symbol table), and only for
//! executables that have such findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use vigil_advisories::AdvisorySet;
use vigil_inventory::symbols::{read_function_names, FunctionNames};
use vigil_model::{
    Ecosystem, EcosystemName, Finding, FindingKind, VulnerableCode, VulnerableCodeStatus,
};

/// One thing looked for in an executable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A function: as the advisory names it, and the names the toolchain
    /// may give it.
    Function {
        display: String,
        candidates: Vec<String>,
    },
    /// Any function of a Go package (a record that names the package but
    /// no symbol: all of it is affected).
    GoPackage(String),
}

/// The names a Go toolchain gives an OSV symbol of package `path`:
/// `Parse` is `path.Parse`; a method `T.M` is `path.T.M` (value receiver)
/// or `path.(*T).M` (pointer receiver).
fn go_candidates(path: &str, symbol: &str) -> Vec<String> {
    match symbol.split_once('.') {
        Some((ty, method)) => vec![
            format!("{path}.{ty}.{method}"),
            format!("{path}.(*{ty}).{method}"),
        ],
        None => vec![format!("{path}.{symbol}")],
    }
}

/// What the records of a finding's alias group name as affected in its
/// package; empty when none names any.
fn targets(f: &Finding, advisories: &AdvisorySet) -> Vec<Target> {
    let Some(p) = &f.package else {
        return Vec::new();
    };
    if !matches!(p.ecosystem, Ecosystem::Go | Ecosystem::CratesIo) {
        return Vec::new();
    }
    let name = p.ecosystem.normalize_name(&p.name);
    let mut out = Vec::new();
    for r in advisories.for_package(p.ecosystem, &p.name) {
        if r.id != f.id && !f.aliases.contains(&r.id) {
            continue;
        }
        for a in &r.affected {
            let Some(ap) = &a.package else { continue };
            let same = ap
                .ecosystem
                .parse::<EcosystemName>()
                .is_ok_and(|e| e.ecosystem == p.ecosystem)
                && p.ecosystem.normalize_name(&ap.name) == name;
            if !same {
                continue;
            }
            if p.ecosystem == Ecosystem::Go {
                for imp in a.go_imports() {
                    if imp.symbols.is_empty() {
                        out.push(Target::GoPackage(imp.path.to_string()));
                    }
                    for s in imp.symbols {
                        out.push(Target::Function {
                            display: format!("{}.{s}", imp.path),
                            candidates: go_candidates(imp.path, s),
                        });
                    }
                }
            } else {
                for func in a.rust_functions() {
                    out.push(Target::Function {
                        display: func.to_string(),
                        candidates: vec![func.to_string()],
                    });
                }
            }
        }
    }
    out.dedup();
    out
}

/// The verdict for `targets` in an executable's function names.
fn verdict(targets: &[Target], names: &FunctionNames) -> VulnerableCode {
    let mut found: Vec<String> = Vec::new();
    for t in targets {
        match t {
            Target::Function { candidates, .. } => {
                found.extend(candidates.iter().filter(|c| names.contains(c)).cloned());
            }
            Target::GoPackage(path) => {
                if let Some(n) = names.first_with_prefix(&format!("{path}.")) {
                    found.push(n.to_string());
                }
            }
        }
    }
    found.sort();
    found.dedup();
    if found.is_empty() {
        let mut symbols: Vec<String> = targets
            .iter()
            .map(|t| match t {
                Target::Function { display, .. } => display.clone(),
                Target::GoPackage(path) => path.clone(),
            })
            .collect();
        symbols.sort();
        symbols.dedup();
        VulnerableCode {
            status: VulnerableCodeStatus::Absent,
            symbols,
        }
    } else {
        VulnerableCode {
            status: VulnerableCodeStatus::Present,
            symbols: found,
        }
    }
}

/// Sets [`Finding::vulnerable_code`] on the vulnerability findings whose
/// advisories name affected functions and whose executable `resolve` finds
/// (the file the finding's location names, on this machine); each
/// executable is read once. One that cannot be read gives no verdict.
pub(crate) fn annotate(
    findings: &mut [Finding],
    advisories: &AdvisorySet,
    resolve: &dyn Fn(&Finding) -> Option<PathBuf>,
) {
    let mut cache: HashMap<PathBuf, Option<FunctionNames>> = HashMap::new();
    for f in findings.iter_mut() {
        if f.kind != FindingKind::Vulnerability {
            continue;
        }
        let targets = targets(f, advisories);
        if targets.is_empty() {
            continue;
        }
        let Some(path) = resolve(f) else { continue };
        let names = cache.entry(path).or_insert_with_key(|path| names_of(path));
        if let Some(names) = names {
            f.vulnerable_code = Some(verdict(&targets, names));
        }
    }
    if !cache.is_empty() {
        let read = cache.values().filter(|n| n.is_some()).count();
        tracing::info!(
            files = cache.len(),
            executables = read,
            "function names of executables read"
        );
    }
}

fn names_of(path: &Path) -> Option<FunctionNames> {
    match read_function_names(path) {
        Ok(names) => names,
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "function names not read");
            None
        }
    }
}

/// The file a location path names below `root` (a scanned directory or
/// root filesystem); an absolute path is read below `root` too.
pub(crate) fn below(root: &Path, location: &str) -> PathBuf {
    root.join(location.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use vigil_advisories::osv::Vulnerability;
    use vigil_model::{Fingerprint, Location, PackageRef, Severity};

    fn record(json: serde_json::Value) -> Vulnerability {
        serde_json::from_value(json).unwrap()
    }

    fn finding(ecosystem: Ecosystem, name: &str, id: &str) -> Finding {
        Finding {
            kind: FindingKind::Vulnerability,
            id: id.to_string(),
            aliases: vec![],
            title: "t".into(),
            message: None,
            severity: Severity::High,
            cvss: None,
            package: Some(PackageRef {
                ecosystem,
                name: name.into(),
                version: "1".into(),
                purl: String::new(),
            }),
            resource: None,
            location: Location::new("bin/app", None),
            fixed_versions: vec![],
            fix_available: false,
            kev: false,
            informational: None,
            fingerprint: Fingerprint("f".into()),
            published: None,
            suppression: None,
            help: None,
            secret: None,
            runtime: None,
            vulnerable_code: None,
            epss: None,
            risk: None,
        }
    }

    #[test]
    fn go_symbols_map_to_toolchain_names() {
        assert_eq!(
            go_candidates("crypto/x509", "Certificate.Verify"),
            [
                "crypto/x509.Certificate.Verify",
                "crypto/x509.(*Certificate).Verify"
            ]
        );
        assert_eq!(
            go_candidates("golang.org/x/net/html", "Parse"),
            ["golang.org/x/net/html.Parse"]
        );
    }

    #[test]
    fn rustsec_functions_against_demangled_symbols() {
        let set = AdvisorySet::from_records([record(serde_json::json!({
            "id": "RUSTSEC-2099-0001",
            "affected": [{
                "package": {"ecosystem": "crates.io", "name": "memmap2"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "0.9.11"}]}],
                "ecosystem_specific": {"affects": {"arch": [], "os": [],
                    "functions": ["memmap2::MmapMut::flush_range", "memmap2::Mmap::advise_range"]}}
            }]
        }))]);
        let f = finding(Ecosystem::CratesIo, "memmap2", "RUSTSEC-2099-0001");
        let t = targets(&f, &set);
        assert_eq!(t.len(), 2);
        // The symbol table of a binary calling flush_range (legacy
        // mangling, as rustc writes it).
        let with = vigil_inventory::symbols::FunctionNames::from_symbol_names([
            "_ZN7memmap27MmapMut11flush_range17h0123456789abcdefE",
            "main",
        ]);
        let v = verdict(&t, &with);
        assert_eq!(v.status, VulnerableCodeStatus::Present);
        assert_eq!(v.symbols, ["memmap2::MmapMut::flush_range"]);
        assert_eq!(
            v.summary(),
            "vulnerable function present: memmap2::MmapMut::flush_range"
        );
        let without = vigil_inventory::symbols::FunctionNames::from_symbol_names([
            "_ZN7memmap27MmapMut3len17h0123456789abcdefE",
        ]);
        let v = verdict(&t, &without);
        assert_eq!(v.status, VulnerableCodeStatus::Absent);
        assert_eq!(
            v.symbols,
            [
                "memmap2::Mmap::advise_range",
                "memmap2::MmapMut::flush_range"
            ]
        );
        assert_eq!(v.summary(), "vulnerable code not in binary");
        // Another record of the package says nothing about this finding.
        let other = finding(Ecosystem::CratesIo, "memmap2", "RUSTSEC-2099-0002");
        assert!(targets(&other, &set).is_empty());
    }

    #[test]
    fn go_records_by_symbol_and_by_package() {
        let set = AdvisorySet::from_records([record(serde_json::json!({
            "id": "GO-2099-0001",
            "aliases": ["CVE-2099-1"],
            "affected": [{
                "package": {"ecosystem": "Go", "name": "stdlib"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
                "ecosystem_specific": {"imports": [
                    {"path": "mime", "symbols": ["WordDecoder.DecodeHeader"]},
                    {"path": "net/http/httputil"}
                ]}
            }]
        }))]);
        let mut f = finding(Ecosystem::Go, "stdlib", "CVE-2099-1");
        f.aliases = vec!["GO-2099-0001".into()];
        let t = targets(&f, &set);
        assert_eq!(t.len(), 2);
        let names = |n: &[&str]| {
            vigil_inventory::symbols::FunctionNames::from_symbol_names(n.iter().copied())
        };
        let v = verdict(
            &t,
            &names(&["main.main", "mime.(*WordDecoder).DecodeHeader"]),
        );
        assert_eq!(v.status, VulnerableCodeStatus::Present);
        assert_eq!(v.symbols, ["mime.(*WordDecoder).DecodeHeader"]);
        let v = verdict(&t, &names(&["net/http/httputil.NewSingleHostReverseProxy"]));
        assert_eq!(v.symbols, ["net/http/httputil.NewSingleHostReverseProxy"]);
        // `net/http.` is not a function of `net/http/httputil`, nor the
        // reverse.
        let v = verdict(&t, &names(&["net/http.Get", "mime.WordEncoder.Encode"]));
        assert_eq!(v.status, VulnerableCodeStatus::Absent);
        assert_eq!(
            v.symbols,
            ["mime.WordDecoder.DecodeHeader", "net/http/httputil"]
        );
    }

    #[test]
    fn annotates_only_findings_with_targets_reading_each_binary_once() {
        let set = AdvisorySet::from_records([record(serde_json::json!({
            "id": "GO-2099-0002",
            "affected": [{
                "package": {"ecosystem": "Go", "name": "stdlib"},
                "ecosystem_specific": {"imports": [{"path": "os/exec", "symbols": ["LookPath"]}]}
            }]
        }))]);
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("bin/app");
        std::fs::create_dir_all(text.parent().unwrap()).unwrap();
        std::fs::write(&text, "not an executable").unwrap();
        let mut findings = vec![
            finding(Ecosystem::Go, "stdlib", "GO-2099-0002"),
            finding(Ecosystem::Go, "stdlib", "GO-2099-0003"),
        ];
        let asked = std::cell::Cell::new(0);
        annotate(&mut findings, &set, &|f| {
            asked.set(asked.get() + 1);
            Some(below(dir.path(), &f.location.path))
        });
        // Only the finding whose record lists symbols asks for its
        // executable, and a file that is none gives no verdict.
        assert_eq!(asked.get(), 1);
        assert!(findings.iter().all(|f| f.vulnerable_code.is_none()));
    }
}
