//! Secret detection: credentials (tokens, keys, passwords) written in
//! files.
//!
//! Rules are data: TOML files (`rules/*.toml`, embedded; user files in
//! the same format) with an ID, keywords, a regex, the capture group that
//! is the secret, a least entropy, an optional checksum, allowlists and
//! examples (docs/secrets.md). The [`Scanner`] runs one Aho-Corasick
//! automaton over the input for every rule's keywords, then only the
//! rules whose keywords occur, on the lines around them.
//!
//! Invariant: a secret's raw value is a [`SecretValue`], which has no
//! `Display` and whose `Debug` hides it; findings, logs and errors carry
//! only its redacted form ([`redact`]) and fingerprints.
//!
//! Other sources reuse the same pieces: one [`Scanner`] (`Send + Sync`,
//! built once) and the content of each blob with the path it had. The
//! [`history`] module scans git history (each blob once, findings at the
//! commit that introduced them, with `secret.commit`, `author` and
//! `date`) and the index (staged changes).

mod allow;
pub mod docs;
mod engine;
mod entropy;
pub mod history;
pub mod rules;
mod value;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use vigil_model::{
    Diagnostic, Finding, FindingKind, Fingerprint, Help, Level, Location, SecretInfo, Suppression,
    SuppressionKind,
};

pub use allow::{is_placeholder, DEFAULT_PATHS, DEFAULT_STOPWORDS, PLACEHOLDER_VALUES};
pub use engine::{BuildError, Hit, Scanner};
pub use entropy::{base62, checksum_ok, github_token, shannon};
pub use rules::{Checksum, Rule, RuleSet, RulesError};
pub use value::{redact, SecretValue, SHOWN_MAX};

/// Bytes looked at for a NUL byte to tell a binary file.
pub const BINARY_SNIFF: usize = 8 * 1024;

/// The default largest file scanned, in bytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// How to scan a tree.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Walk everything, ignoring `.gitignore` files.
    pub no_ignore: bool,
    /// Files larger than this are not scanned (a diagnostic says so); the
    /// limit also applies to an archive read for its members, and to each
    /// member.
    pub max_file_size: u64,
    /// Folders not walked (a host's pseudo filesystems).
    pub exclude: Vec<PathBuf>,
    /// The tree is a root filesystem: the paths of [`ROOTFS_NOISE`] are
    /// not scanned.
    pub rootfs: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            rootfs: false,
        }
    }
}

/// Paths of a root filesystem (an unpacked image, a host's `/`, an image's
/// layers) not scanned for secrets: what distributions and language
/// runtimes install as documentation and as their own test suites, whose
/// sample keys and certificates are published with them, not secrets of
/// the system. Globs relative to the root; `*` stays within a path part.
pub const ROOTFS_NOISE: &[&str] = &[
    "usr/share/doc/**",
    "usr/share/man/**",
    "usr/share/info/**",
    "usr/share/locale/**",
    "usr/share/zoneinfo/**",
    "usr/share/common-licenses/**",
    "usr/share/licenses/**",
    "usr/share/lintian/**",
    "usr/lib/python[23]*/test/**",
    "usr/local/lib/python[23]*/test/**",
    "usr/lib64/python[23]*/test/**",
    "usr/lib/go*/src/**/testdata/**",
    "usr/local/go/src/**/testdata/**",
    "usr/lib/jvm/*/legal/**",
];

/// Whether a path of a root filesystem is one of [`ROOTFS_NOISE`].
pub fn is_rootfs_noise(rel: &str) -> bool {
    static SET: std::sync::OnceLock<Option<globset::GlobSet>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut b = globset::GlobSetBuilder::new();
        for p in ROOTFS_NOISE {
            b.add(
                globset::GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .ok()?,
            );
        }
        b.build().ok()
    });
    set.as_ref().is_some_and(|s| s.is_match(rel))
}

/// What a secret scan found.
#[derive(Debug, Default)]
pub struct SecretScan {
    /// The secret findings (suppressed ones included, with the reason).
    pub findings: Vec<Finding>,
    /// Files that could not be scanned.
    pub diagnostics: Vec<Diagnostic>,
    /// Files scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
}

/// Whether content is binary: a NUL byte in its first [`BINARY_SNIFF`]
/// bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some()
}

/// The findings of one file's content, told binary or text as a file on
/// disk is: text is scanned whole ([`scan_bytes`]); binary content only
/// by the rules for binary files, on its first [`BINARY_SNIFF`] bytes.
/// `None` when the content is binary and no binary rule matched (it
/// counts as not scanned).
pub fn scan_content(scanner: &Scanner, rel: &str, bytes: &[u8]) -> Option<Vec<Finding>> {
    if !is_binary(bytes) {
        return Some(scan_bytes(scanner, rel, bytes));
    }
    if scanner.has_binary_rules() {
        let head = &bytes[..bytes.len().min(BINARY_SNIFF)];
        let findings: Vec<Finding> = scanner
            .scan_binary(rel, head)
            .iter()
            .map(|h| finding(scanner.rule(h), h, rel, None))
            .collect();
        if !findings.is_empty() {
            return Some(findings);
        }
    }
    tracing::trace!(path = rel, "binary: not scanned for secrets");
    None
}

/// A text with every secret the scanner finds in it replaced by its
/// redacted form; `None` when it holds none. For texts a report shows
/// besides the findings (an image's `created_by` commands, its `Cmd`).
pub fn redact_text(scanner: &Scanner, rel: &str, text: &str) -> Option<String> {
    let hits = scanner.scan(rel, text.as_bytes());
    if hits.is_empty() {
        return None;
    }
    let mut ranges: Vec<(std::ops::Range<usize>, String)> = hits
        .iter()
        .map(|h| (h.range.clone(), h.value.redacted()))
        .collect();
    ranges.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.as_bytes().to_vec();
    let mut floor = usize::MAX;
    for (r, shown) in ranges {
        // Overlapping hits: the outer one already went.
        if r.end > floor || r.end > out.len() {
            continue;
        }
        out.splice(r.clone(), shown.into_bytes());
        floor = r.start;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// What the members of an archive held.
#[derive(Debug, Default)]
pub struct ArchiveScan {
    /// The findings, at `archive!/member` paths.
    pub findings: Vec<Finding>,
    /// Limits hit, damaged archives, members skipped.
    pub diagnostics: Vec<Diagnostic>,
    /// Members scanned.
    pub members: usize,
    /// Bytes of the members scanned.
    pub bytes: u64,
}

/// Scans the members of an archive (a tarball, a zip file, a wheel, a Java
/// archive: [`vigil_inventory::is_member_archive`]) and of the archives
/// nested in it, each as a file ([`scan_content`]): findings name the
/// member as `archive!/inner/path` (`app.war!/WEB-INF/lib/x.jar!/a.properties`),
/// with the line and column inside it. The archive reader's limits apply
/// (nesting depth, entry count, total bytes, compression ratio), with at
/// most `max_member_bytes` per member; members on an allowlisted path
/// (the path inside the archive) are not scanned.
pub fn scan_archive(
    scanner: &Scanner,
    rel: &str,
    bytes: &[u8],
    max_member_bytes: u64,
) -> ArchiveScan {
    let mut out = ArchiveScan::default();
    let allow = &scanner.rules().allow;
    let diagnostics =
        vigil_inventory::archive_members(rel, bytes, max_member_bytes, &mut |path, member| {
            let inner = path.rsplit("!/").next().unwrap_or(path);
            if allow.allows_path(inner) {
                return;
            }
            if let Some(findings) = scan_content(scanner, path, member) {
                out.members += 1;
                out.bytes += member.len() as u64;
                out.findings.extend(findings);
            }
        });
    out.diagnostics = diagnostics;
    out
}

/// The findings of one text: hits mapped to findings, with inline
/// `vigil:ignore RULE-ID reason` comments as suppressions: a marker after
/// code applies to its line, a marker alone on its line (after nothing but
/// comment characters) to its line and the next.
pub fn scan_bytes(scanner: &Scanner, rel: &str, bytes: &[u8]) -> Vec<Finding> {
    let hits = scanner.scan(rel, bytes);
    if hits.is_empty() {
        return Vec::new();
    }
    let ignores = inline_ignores(bytes);
    hits.iter()
        .map(|hit| {
            let rule = scanner.rule(hit);
            let suppression =
                inline_ignore(&ignores, hit, rule).map(|reason| inline_suppression(rel, reason));
            finding(rule, hit, rel, suppression)
        })
        .collect()
}

/// The reason of the inline marker that suppresses `hit` (`Some(None)`
/// for a marker without a reason), if there is one.
fn inline_ignore(ignores: &InlineIgnores, hit: &Hit, rule: &Rule) -> Option<Option<String>> {
    ignores
        .get(&hit.line)
        .into_iter()
        .flatten()
        .find(|(id, _)| id.eq_ignore_ascii_case(&rule.id))
        .map(|(_, reason)| reason.clone())
}

/// The suppression of an inline marker in the file at `rel`.
fn inline_suppression(rel: &str, reason: Option<String>) -> Suppression {
    Suppression {
        kind: SuppressionKind::Inline,
        source: rel.to_string(),
        reason,
        vex_status: None,
        justification: None,
        expires: None,
    }
}

/// Inline markers by line: (rule ID, reason).
type InlineIgnores = HashMap<u32, Vec<(String, Option<String>)>>;

/// The finding of a hit in the file at `rel`.
pub fn finding(rule: &Rule, hit: &Hit, rel: &str, suppression: Option<Suppression>) -> Finding {
    // A binary file's secret has no line.
    let mut location = Location::new(rel, Some(hit.line).filter(|l| *l > 0));
    location.column = Some(hit.column).filter(|c| *c > 0);
    let raw = hit.value.expose();
    Finding {
        kind: FindingKind::Secret,
        id: rule.id.clone(),
        aliases: Vec::new(),
        title: rule.title.clone(),
        message: None,
        severity: rule.severity,
        cvss: None,
        package: None,
        resource: None,
        location,
        fixed_versions: Vec::new(),
        fix_available: false,
        kev: false,
        informational: None,
        fingerprint: Fingerprint::secret(&rule.id, Some(rel), raw),
        published: None,
        suppression,
        help: Some(Help {
            description: rule.description.clone(),
            remediation: rule.remediation.clone(),
            references: Vec::new(),
            url: None,
        }),
        secret: Some(SecretInfo {
            // Nothing of a binary secret is readable.
            redacted: if rule.binary {
                "…".to_string()
            } else {
                hit.value.redacted()
            },
            secret_fingerprint: Fingerprint::secret(&rule.id, None, raw),
            commit: None,
            author: None,
            date: None,
            layer: None,
        }),
        runtime: None,
        vulnerable_code: None,
        epss: None,
        risk: None,
    }
}

/// The `vigil:ignore RULE-ID reason` markers of a text (in any comment
/// syntax): line → (rule ID, reason).
fn inline_ignores(bytes: &[u8]) -> InlineIgnores {
    const MARK: &[u8] = b"vigil:ignore";
    let mut out = InlineIgnores::new();
    for at in memchr::memmem::find_iter(bytes, MARK) {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
        let line = 1 + memchr::memchr_iter(b'\n', &bytes[..line_start]).count();
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        // Alone on its line: only comment characters before it.
        let alone = !bytes[line_start..at].iter().any(u8::is_ascii_alphanumeric);
        let rest = String::from_utf8_lossy(&bytes[at + MARK.len()..line_end]);
        let rest = rest
            .trim()
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim();
        let mut parts = rest.splitn(2, char::is_whitespace);
        let Some(id) = parts.next().filter(|s| !s.is_empty()) else {
            continue;
        };
        let reason = parts
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let entry = (id.to_string(), reason);
        if alone {
            out.entry(line.saturating_add(1))
                .or_default()
                .push(entry.clone());
        }
        out.entry(line).or_default().push(entry);
    }
    out
}

/// The files below `root` (or `root` itself when it is a file), by the
/// walk rules of the other scanners: `.gitignore` files obeyed unless
/// `no_ignore`, hidden files included, `.git` left out.
pub fn walk(root: &Path, no_ignore: bool) -> Vec<PathBuf> {
    walk_excluding(root, no_ignore, &[])
}

/// [`walk`], leaving out the folders `exclude` names (and what is below
/// them).
pub fn walk_excluding(root: &Path, no_ignore: bool, exclude: &[PathBuf]) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut out = Vec::new();
    let exclude = exclude.to_vec();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(!no_ignore)
        .hidden(false)
        .filter_entry(move |e| e.file_name() != ".git" && !exclude.iter().any(|x| e.path() == x))
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            out.push(entry.into_path());
        }
    }
    out.sort();
    out
}

/// The path of `file` relative to `root`, `/`-separated (the file name
/// when `root` is the file).
pub fn relative(root: &Path, file: &Path) -> String {
    let rel = match file.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r,
        _ => file.file_name().map(Path::new).unwrap_or(file),
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// What one file (or archive) yielded.
struct Scanned {
    findings: Vec<Finding>,
    /// Bytes scanned.
    bytes: u64,
    /// Problems with an archive's members.
    diagnostics: Vec<Diagnostic>,
}

/// One file's outcome: `None` when skipped, or a diagnostic.
type FileResult = Result<Option<Scanned>, Diagnostic>;

fn scan_file(scanner: &Scanner, root: &Path, file: &Path, options: &ScanOptions) -> FileResult {
    let rel = relative(root, file);
    if scanner.rules().allow.allows_path(&rel) {
        tracing::debug!(path = rel, "allowlisted path: not scanned for secrets");
        return Ok(None);
    }
    if options.rootfs && is_rootfs_noise(&rel) {
        tracing::trace!(
            path = rel,
            "installed documentation or test data: not scanned"
        );
        return Ok(None);
    }
    let read_err = |e: std::io::Error| {
        Diagnostic::warning(&rel, None, format!("not scanned for secrets: {e}"))
    };
    let size = std::fs::metadata(file).map_err(read_err)?.len();
    if size > options.max_file_size {
        return Err(Diagnostic {
            level: Level::Info,
            path: Some(rel.clone()),
            line: None,
            message: format!(
                "not scanned for secrets: {} MiB, larger than the limit of {} MiB (--max-file-size)",
                size / (1024 * 1024),
                options.max_file_size / (1024 * 1024)
            ),
        });
    }
    // An archive is read whole, for its members.
    if vigil_inventory::is_member_archive(&rel) {
        let bytes = std::fs::read(file).map_err(read_err)?;
        let scan = scan_archive(scanner, &rel, &bytes, options.max_file_size);
        return Ok(Some(Scanned {
            findings: scan.findings,
            bytes: scan.bytes,
            diagnostics: scan.diagnostics,
        }));
    }
    // The first bytes tell a binary file, which is then not read further.
    let mut f = std::fs::File::open(file).map_err(read_err)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(BINARY_SNIFF));
    (&mut f)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if is_binary(&bytes) {
        if scanner.has_binary_rules() {
            let findings: Vec<Finding> = scanner
                .scan_binary(&rel, &bytes)
                .iter()
                .map(|h| finding(scanner.rule(h), h, &rel, None))
                .collect();
            if !findings.is_empty() {
                return Ok(Some(Scanned {
                    findings,
                    bytes: bytes.len() as u64,
                    diagnostics: Vec::new(),
                }));
            }
        }
        tracing::trace!(path = rel, "binary: not scanned for secrets");
        return Ok(None);
    }
    f.read_to_end(&mut bytes).map_err(read_err)?;
    let findings = scan_bytes(scanner, &rel, &bytes);
    Ok(Some(Scanned {
        findings,
        bytes: bytes.len() as u64,
        diagnostics: Vec::new(),
    }))
}

/// Scans files (below `root`, or `root` itself), in parallel.
pub fn scan_files(
    scanner: &Scanner,
    root: &Path,
    files: &[PathBuf],
    options: &ScanOptions,
) -> SecretScan {
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|f| scan_file(scanner, root, f, options))
        .collect();
    let mut out = SecretScan::default();
    for r in results {
        match r {
            Ok(Some(scanned)) => {
                out.files += 1;
                out.bytes += scanned.bytes;
                out.findings.extend(scanned.findings);
                out.diagnostics.extend(scanned.diagnostics);
            }
            Ok(None) => {}
            Err(d) => out.diagnostics.push(d),
        }
    }
    out
}

/// Walks `root` and scans what it finds.
pub fn scan(scanner: &Scanner, root: &Path, options: &ScanOptions) -> SecretScan {
    let files = walk_excluding(root, options.no_ignore, &options.exclude);
    tracing::debug!(files = files.len(), "secret scan candidates");
    let scan_root = if root.is_file() {
        root.parent().unwrap_or(root)
    } else {
        root
    };
    scan_files(scanner, scan_root, &files, options)
}

#[cfg(test)]
mod tests;
