//! Walking a tree and running the extractors over it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, WalkBuilder, WalkState};
use rayon::prelude::*;
use tracing::{debug, warn};
use vigil_model::{Component, Diagnostic, NotChecked};

use crate::extractors::EXTRACTORS;
use crate::input::{read_text, rel_to_root};
use crate::{ExtractError, Extractor, FileInput};

/// Folders of installed packages: walked even when `.gitignore` lists them,
/// because what is installed is what runs.
const INSTALLED_PACKAGE_DIRS: &[&str] =
    &["node_modules", "site-packages", "dist-packages", "vendor"];

/// How to walk.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Walk everything, ignoring `.gitignore` files.
    pub no_ignore: bool,
    /// Text files (lockfiles, manifests) larger than this are refused
    /// (bytes).
    pub max_file_size: u64,
    /// Binary files (executables, archives) larger than this are refused
    /// (bytes).
    pub max_binary_size: u64,
    /// Directories left out of the walk, as absolute paths (the pseudo
    /// filesystems of a running host: `/proc`, `/sys`, ...).
    pub exclude: Vec<PathBuf>,
    /// Where the walk reports files found and read.
    pub progress: vigil_model::progress::ProgressHandle,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            no_ignore: false,
            max_file_size: 64 * 1024 * 1024,
            max_binary_size: 512 * 1024 * 1024,
            exclude: Vec::new(),
            progress: Default::default(),
        }
    }
}

/// Bytes read from an unclaimed file for [`Extractor::sniff`].
pub const SNIFF_HEAD: usize = 64;

/// Extensions of files that may be executables or libraries, besides files
/// with an executable permission bit.
const BINARY_EXTENSIONS: &[&str] = &["exe", "dll", "so", "dylib", "bin"];

/// The extractors that claim a file by name, or, for a possible executable
/// that no name claims, by its first bytes.
fn claimants(path: &Path, rel: &str, maybe_binary: bool) -> Vec<&'static dyn Extractor> {
    let by_name = claims_by_name(rel);
    if !by_name.is_empty() || !maybe_binary {
        return by_name;
    }
    match crate::input::read_head(path, SNIFF_HEAD) {
        Ok(head) => EXTRACTORS
            .iter()
            .copied()
            .filter(|e| e.sniff(&head))
            .collect(),
        Err(e) => {
            debug!(path = %rel, "cannot read the first bytes: {e}");
            Vec::new()
        }
    }
}

/// The extractors that claim a file by its name (relative to the root).
fn claims_by_name(rel: &str) -> Vec<&'static dyn Extractor> {
    EXTRACTORS
        .iter()
        .copied()
        .filter(|e| e.matches(Path::new(rel)))
        .filter(|e| {
            !inside_installed_package(rel)
                || e.name().starts_with("npm/installed")
                || e.name() == "npm/hidden-lockfile"
        })
        .collect()
}

/// Whether an extractor reads a file at `rel_path` (relative to the root,
/// `/` separators) by its name, as the walk decides it: how a reader of
/// another tree (a container image's layers) picks the files to hold in
/// memory.
pub fn claims_path(rel_path: &str) -> bool {
    !claims_by_name(rel_path).is_empty()
}

/// Whether an extractor reads a file no name claims by its first bytes
/// (executables; see [`Extractor::sniff`]). Give it the first
/// [`SNIFF_HEAD`] bytes or fewer.
pub fn claims_head(head: &[u8]) -> bool {
    let head = &head[..head.len().min(SNIFF_HEAD)];
    EXTRACTORS.iter().any(|e| e.sniff(head))
}

/// Whether a file is inside an installed npm package (below a
/// `node_modules` folder): lockfiles that packages ship there are their
/// authors' development lockfiles, not what is installed, so only the
/// installed-package readers apply.
fn inside_installed_package(rel: &str) -> bool {
    rel.split('/').any(|c| c == "node_modules")
}

/// Whether a file may be an executable: its permission bits say so, or its
/// extension is a binary one.
fn maybe_binary(path: &Path, meta: Option<&std::fs::Metadata>) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.is_some_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0) {
            return true;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    has_binary_extension(crate::file_name(path))
}

/// Whether a file name has an extension of executables and libraries
/// (`.so`, `.so.1`, `.exe`...): besides files with an executable bit, the
/// only files worth sniffing.
pub fn has_binary_extension(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    BINARY_EXTENSIONS
        .iter()
        .any(|ext| name.ends_with(&format!(".{ext}")) || name.contains(&format!(".{ext}.")))
}

/// Runs the given extractors on one file on disk, reading it as text or as
/// bytes as each extractor wants.
fn extract_file(
    path: &Path,
    rel: &str,
    extractors: &[&'static dyn Extractor],
    root: &Path,
    options: &ScanOptions,
    skip_own_sboms: bool,
) -> Vec<Result<crate::Extracted, crate::ExtractError>> {
    let mut out = Vec::new();
    let (binary, text): (Vec<&dyn Extractor>, Vec<&dyn Extractor>) = extractors
        .iter()
        .copied()
        .partition(|e| e.input_kind() == crate::InputKind::Binary);
    let run = |e: &dyn Extractor, input: &FileInput<'_>| {
        let _span = tracing::debug_span!("extract", extractor = e.name(), path = %rel).entered();
        if skip_own_sboms
            && e.name().starts_with("sbom/")
            && crate::extractors::sbom::made_by_vigil(input.contents)
        {
            let mut x = crate::Extracted::default();
            x.diagnostics.push(Diagnostic {
                level: vigil_model::Level::Info,
                path: Some(rel.to_string()),
                line: None,
                message: "an SBOM vigil wrote, of files this scan reads anyway: passed over (`vigil scan sbom FILE` reads it)".to_string(),
            });
            return Ok(x);
        }
        e.extract(input)
    };
    if !text.is_empty() {
        match read_text(path, rel, options.max_file_size) {
            Ok(t) => {
                let input = FileInput {
                    rel_path: rel,
                    path,
                    contents: &t,
                    bytes: t.as_bytes(),
                    root,
                    max_file_size: options.max_file_size,
                    archive_depth: 0,
                    archive_budget: None,
                };
                out.extend(text.iter().map(|e| run(*e, &input)));
            }
            Err(e) => out.push(Err(e)),
        }
    }
    if !binary.is_empty() {
        match crate::input::read_bytes(path, rel, options.max_binary_size) {
            Ok(bytes) => {
                let input = FileInput {
                    rel_path: rel,
                    path,
                    contents: "",
                    bytes: &bytes,
                    root,
                    max_file_size: options.max_file_size,
                    archive_depth: 0,
                    archive_budget: None,
                };
                out.extend(binary.iter().map(|e| run(*e, &input)));
            }
            Err(e) => out.push(Err(e)),
        }
    }
    out
}

/// Extracts the components of a file held in memory (an entry of an
/// archive): text extractors that claim its name read it when it is UTF-8
/// text, binary ones (by name or by its first bytes) read its bytes.
/// `rel_path` names the entry as reports show it
/// (`app.war!/WEB-INF/lib/x.jar`); `depth` is how many archives deep it is
/// (1 for an entry of an archive on disk).
pub fn extract_entry(
    rel_path: &str,
    bytes: &[u8],
    container: &FileInput<'_>,
) -> Vec<Result<crate::Extracted, crate::ExtractError>> {
    let name_claims: Vec<&'static dyn Extractor> = EXTRACTORS
        .iter()
        .copied()
        .filter(|e| e.matches(Path::new(rel_path)))
        .collect();
    extract_claimed(rel_path, bytes, container, name_claims)
}

/// Extracts the components of a file of another tree held in memory (a
/// file of a container image, whose layers are read as streams): the
/// extractors that [`claims_path`] or [`claims_head`] pick read it, text
/// ones when it is UTF-8 within `options.max_file_size`. Such a file has no
/// neighbours on disk: related files (an included requirements file) are
/// not read, and archives in it count as one level of nesting.
pub fn extract_detached(
    rel_path: &str,
    bytes: &[u8],
    options: &ScanOptions,
) -> Vec<Result<crate::Extracted, crate::ExtractError>> {
    // No path on disk: nothing beside it can be opened.
    let nowhere = Path::new("");
    let container = FileInput {
        rel_path,
        path: nowhere,
        contents: "",
        bytes,
        root: nowhere,
        max_file_size: options.max_file_size,
        archive_depth: 0,
        archive_budget: None,
    };
    extract_claimed(rel_path, bytes, &container, claims_by_name(rel_path))
}

fn extract_claimed(
    rel_path: &str,
    bytes: &[u8],
    container: &FileInput<'_>,
    name_claims: Vec<&'static dyn Extractor>,
) -> Vec<Result<crate::Extracted, crate::ExtractError>> {
    let claims = if name_claims.is_empty() {
        let head = &bytes[..bytes.len().min(SNIFF_HEAD)];
        EXTRACTORS
            .iter()
            .copied()
            .filter(|e| e.sniff(head))
            .collect()
    } else {
        name_claims
    };
    let mut out = Vec::new();
    let depth = container.archive_depth + 1;
    for e in claims {
        let _span =
            tracing::debug_span!("extract", extractor = e.name(), path = %rel_path).entered();
        let result = match e.input_kind() {
            crate::InputKind::Binary => e.extract(&FileInput {
                rel_path,
                path: container.path,
                contents: "",
                bytes,
                root: container.root,
                max_file_size: container.max_file_size,
                archive_depth: depth,
                archive_budget: container.archive_budget,
            }),
            crate::InputKind::Text => match std::str::from_utf8(bytes) {
                Ok(text)
                    if !bytes.contains(&0) && bytes.len() as u64 <= container.max_file_size =>
                {
                    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                    e.extract(&FileInput {
                        rel_path,
                        path: container.path,
                        contents: text,
                        bytes: text.as_bytes(),
                        root: container.root,
                        max_file_size: container.max_file_size,
                        archive_depth: depth,
                        archive_budget: container.archive_budget,
                    })
                }
                _ => Err(crate::ExtractError::NotText {
                    path: rel_path.to_string(),
                    reason: "it is not UTF-8 text within the size limit".to_string(),
                }),
            },
        };
        out.push(result);
    }
    out
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Every component, in a deterministic order (by path, then line).
    pub components: Vec<Component>,
    /// Components that could not be checked.
    pub not_checked: Vec<NotChecked>,
    /// Files that could not be read, and other soft problems.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, relative to the root, sorted.
    pub files: Vec<String>,
    /// The distribution the root's release files name, when the walk
    /// found OS packages.
    pub os: Option<vigil_model::OsFacts>,
}

/// Walks `root` (a directory, or a single file) and extracts every
/// component of every file an extractor claims.
///
/// Skips `.git`, respects `.gitignore` files (unless
/// [`ScanOptions::no_ignore`]) except for installed-package folders and
/// Python environments (virtualenvs, conda environments), never
/// follows a symlink out of the root, and reads files in parallel.
pub fn scan_dir(root: &Path, options: &ScanOptions) -> Result<Inventory, std::io::Error> {
    let root = fs_err::canonicalize(root)?;
    let (walk_root, only_file) = if root.is_file() {
        let parent = root
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.clone());
        (parent, Some(root.clone()))
    } else {
        (root.clone(), None)
    };

    let candidates = match &only_file {
        Some(file) => {
            let rel = rel_to_root(&walk_root, file);
            let claimed = claimants(file, &rel, true);
            if claimed.is_empty() {
                warn!(path = %rel, "no extractor reads this file");
            }
            vec![(file.clone(), rel, claimed)]
        }
        None => {
            options
                .progress
                .start("Walking", vigil_model::progress::Unit::Items, None);
            collect_candidates(&walk_root, options)
        }
    };

    let progress = &options.progress;
    progress.start(
        "Reading files",
        vigil_model::progress::Unit::Items,
        Some(candidates.len() as u64),
    );
    let results: Vec<(String, Vec<Result<crate::Extracted, crate::ExtractError>>)> = candidates
        .par_iter()
        .map(|(path, rel, extractors)| {
            // A file the user named is read whatever it is.
            let out = extract_file(
                path,
                rel,
                extractors,
                &walk_root,
                options,
                only_file.is_none(),
            );
            progress.advance(1);
            (rel.clone(), out)
        })
        .collect();
    progress.finish();

    let mut inv = Inventory::default();
    for (rel, outs) in results {
        inv.files.push(rel);
        for out in outs {
            match out {
                Ok(x) => {
                    inv.components.extend(x.components);
                    inv.not_checked.extend(x.not_checked);
                    inv.diagnostics.extend(x.diagnostics);
                }
                Err(e) => {
                    debug!("{e}");
                    inv.diagnostics.push(e.to_diagnostic());
                }
            }
        }
    }
    inv.files.sort();
    if only_file.is_none() {
        inv.os = apply_os_release(&walk_root, &mut inv.components);
    }
    // A file can be read twice, alone and as included by another
    // (`requirements-dev.txt` naming `requirements.txt`): the same component
    // at the same place is kept once.
    inv.components.par_sort_unstable_by(|a, b| {
        (
            &a.locations,
            a.ecosystem,
            &a.name,
            &a.version,
            a.direct,
            a.dev,
        )
            .cmp(&(
                &b.locations,
                b.ecosystem,
                &b.name,
                &b.version,
                b.direct,
                b.dev,
            ))
    });
    inv.components.dedup();
    inv.not_checked.sort();
    inv.not_checked.dedup();
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    Ok(inv)
}

/// When the walk found OS packages (the root is a root filesystem),
/// assigns them to the distribution its release files name.
fn apply_os_release(root: &Path, components: &mut [Component]) -> Option<vigil_model::OsFacts> {
    let has_os_packages = components.iter().any(|c| {
        c.locations
            .first()
            .is_some_and(|l| crate::extractors::os::is_package_database(&l.path))
    });
    if !has_os_packages {
        return None;
    }
    match crate::os::OsRelease::detect(root) {
        Some(os) => {
            os.apply(components);
            Some(os.facts())
        }
        None => {
            debug!("OS packages found, but no release file names the distribution");
            None
        }
    }
}

/// Reads one file with a chosen extractor, whatever its name: for a file
/// the user names along with its format (`vigil scan sbom FILE`). Locations
/// name the file by its file name, as [`scan_dir`] does for a single file.
///
/// Unlike [`scan_dir`], a file that cannot be read or is malformed is an
/// error, not a diagnostic: it is the whole scan.
pub fn scan_file_with(
    path: &Path,
    extractor: &dyn Extractor,
    options: &ScanOptions,
) -> Result<Inventory, ExtractError> {
    scan_one(path, options, |_| Ok(extractor))
}

/// Reads one SBOM, CycloneDX or SPDX JSON as its content tells (a
/// `bomFormat` or `spdxVersion` key), whatever its name. Any other file is
/// a malformed-file error naming it.
pub fn scan_sbom(path: &Path, options: &ScanOptions) -> Result<Inventory, ExtractError> {
    scan_one(path, options, |text| {
        crate::extractors::sbom::detect(text).ok_or(
            "not a CycloneDX or SPDX JSON document (it has neither `bomFormat` nor `spdxVersion`)",
        )
    })
}

fn scan_one<'e>(
    path: &Path,
    options: &ScanOptions,
    choose: impl FnOnce(&str) -> Result<&'e dyn Extractor, &'static str>,
) -> Result<Inventory, ExtractError> {
    let shown = path.display().to_string();
    let file = std::fs::canonicalize(path).map_err(|source| ExtractError::Io {
        path: shown.clone(),
        source,
    })?;
    let root = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.clone());
    let rel = rel_to_root(&root, &file);
    if !file.is_file() {
        return Err(ExtractError::NotText {
            path: shown,
            reason: "it is not a file".to_string(),
        });
    }
    let text = read_text(&file, &rel, options.max_file_size)?;
    let input = FileInput {
        rel_path: &rel,
        path: &file,
        contents: &text,
        bytes: text.as_bytes(),
        root: &root,
        max_file_size: options.max_file_size,
        archive_depth: 0,
        archive_budget: None,
    };
    let extractor = choose(&text).map_err(|why| input.malformed(None, why))?;
    let _span =
        tracing::debug_span!("extract", extractor = extractor.name(), path = %rel).entered();
    let x = extractor.extract(&input)?;
    let mut inv = Inventory {
        components: x.components,
        not_checked: x.not_checked,
        diagnostics: x.diagnostics,
        files: vec![rel.clone()],
        os: None,
    };
    inv.components.sort_by(|a, b| {
        (&a.locations, &a.name, &a.version).cmp(&(&b.locations, &b.name, &b.version))
    });
    inv.not_checked.sort();
    inv.diagnostics.sort();
    Ok(inv)
}

/// The `.gitignore` matchers of directories, built on first use.
struct Ignores {
    root: PathBuf,
    /// Matchers of the root's ancestors inside the same repository, outermost
    /// first.
    above_root: Vec<Gitignore>,
    by_dir: RwLock<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
}

impl Ignores {
    fn new(root: &Path) -> Ignores {
        let mut above = Vec::new();
        if !root.join(".git").exists() {
            let mut dir = root.parent();
            while let Some(d) = dir {
                if let Some(m) = build_matcher(d) {
                    above.push(m);
                }
                if d.join(".git").exists() {
                    break;
                }
                dir = d.parent();
            }
            above.reverse();
        }
        Ignores {
            root: root.to_path_buf(),
            above_root: above,
            by_dir: RwLock::new(HashMap::new()),
        }
    }

    fn matcher(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        if let Ok(map) = self.by_dir.read() {
            if let Some(m) = map.get(dir) {
                return m.clone();
            }
        }
        let built = build_matcher(dir).map(Arc::new);
        if let Ok(mut map) = self.by_dir.write() {
            map.insert(dir.to_path_buf(), built.clone());
        }
        built
    }

    /// Whether `.gitignore` rules leave out this entry: the deepest rule that
    /// matches decides, as in git.
    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let mut dirs: Vec<&Path> = path
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(&self.root))
            .collect();
        dirs.reverse();
        let mut verdict = None;
        for m in &self.above_root {
            let r = m.matched(path, is_dir);
            if !r.is_none() {
                verdict = Some(r.is_ignore());
            }
        }
        for d in dirs {
            if let Some(m) = self.matcher(d) {
                let r = m.matched(path, is_dir);
                if !r.is_none() {
                    verdict = Some(r.is_ignore());
                }
            }
        }
        verdict.unwrap_or(false)
    }
}

fn build_matcher(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    if !file.is_file() {
        return None;
    }
    let mut b = GitignoreBuilder::new(dir);
    if let Some(e) = b.add(&file) {
        warn!(path = %file.display(), "reading .gitignore: {e}");
    }
    b.build().ok()
}

/// Whether the entry is inside (or is) an installed-package folder below the
/// root.
fn in_installed_dir(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .any(|c| INSTALLED_PACKAGE_DIRS.iter().any(|d| c.as_os_str() == *d))
        })
        .unwrap_or(false)
}

/// Whether the entry is inside (or is) a Python environment below the
/// root: a folder with a `pyvenv.cfg` (a virtualenv) or a `conda-meta`
/// folder (a conda environment). Environments are ignored by git as a rule
/// (`.venv/`), and their `lib/` by Python's usual ignore list, yet what is
/// installed there is what runs. Only asked for entries that `.gitignore`
/// leaves out, so the checks stay few.
fn in_environment(root: &Path, path: &Path) -> bool {
    path.ancestors()
        .take_while(|d| d.starts_with(root))
        .any(|d| d.join("pyvenv.cfg").is_file() || d.join("conda-meta").is_dir())
}

/// A file to read: its path on disk, its path relative to the root, and
/// the extractors that claim it.
type Candidate = (PathBuf, String, Vec<&'static dyn Extractor>);

fn collect_candidates(root: &Path, options: &ScanOptions) -> Vec<Candidate> {
    let ignores = Arc::new(Ignores::new(root));
    let no_ignore = options.no_ignore;
    let filter_root = root.to_path_buf();
    let filter_ignores = Arc::clone(&ignores);
    let exclude = options.exclude.clone();
    let walker = WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .filter_entry(move |entry: &DirEntry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.file_name() == ".git" {
                return false;
            }
            if is_dir && exclude.iter().any(|e| e == entry.path()) {
                debug!(path = %entry.path().display(), "skipped: excluded");
                return false;
            }
            if no_ignore || in_installed_dir(&filter_root, entry.path()) {
                return true;
            }
            let ignored = filter_ignores.ignored(entry.path(), is_dir)
                && !in_environment(&filter_root, entry.path());
            if ignored {
                debug!(path = %entry.path().display(), "skipped: listed in .gitignore");
            }
            !ignored
        })
        .build_parallel();

    let found = Mutex::new(Vec::new());
    let progress = &options.progress;
    walker.run(|| {
        let found = &found;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    warn!("walking: {e}");
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            let rel = rel_to_root(root, entry.path());
            let by_name = EXTRACTORS.iter().any(|e| e.matches(Path::new(&rel)));
            let sniffable =
                || ft.is_file() && maybe_binary(entry.path(), entry.metadata().ok().as_ref());
            if !by_name && !sniffable() {
                return WalkState::Continue;
            }
            let path = if ft.is_symlink() {
                // A symlinked lockfile is read only if it points inside the root.
                match fs_err::canonicalize(entry.path()) {
                    Ok(target) if target.starts_with(root) && target.is_file() => target,
                    Ok(target) => {
                        debug!(path = %rel, target = %target.display(), "skipped symlink out of the scan root");
                        return WalkState::Continue;
                    }
                    Err(e) => {
                        debug!(path = %rel, "skipped dangling symlink: {e}");
                        return WalkState::Continue;
                    }
                }
            } else if ft.is_file() {
                entry.into_path()
            } else {
                return WalkState::Continue;
            };
            let extractors = claimants(&path, &rel, !by_name);
            if extractors.is_empty() {
                return WalkState::Continue;
            }
            if let Ok(mut f) = found.lock() {
                f.push((path, rel, extractors));
            }
            progress.advance(1);
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_default();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
}

#[cfg(test)]
mod shipped_lockfile_tests {
    use super::*;

    #[test]
    fn lockfiles_shipped_inside_node_modules_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("node_modules/uri-js");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("package.json"),
            r#"{"name": "uri-js", "version": "4.4.1"}"#,
        )
        .unwrap();
        std::fs::write(
            pkg.join("yarn.lock"),
            "# yarn lockfile v1\n\nlodash@^4.17.15:\n  version \"4.17.20\"\n",
        )
        .unwrap();
        let inv = scan_dir(dir.path(), &ScanOptions::default()).unwrap();
        let names: Vec<&str> = inv.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["uri-js"]);
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const CARGO_LOCK: &str = "version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.13.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    /// Writes `text` at `rel` below `root`, making folders.
    fn put(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn lockfile_named(name: &str) -> String {
        CARGO_LOCK.replace("smallvec", name)
    }

    fn scan(root: &Path, options: &ScanOptions) -> Inventory {
        scan_dir(root, options).unwrap()
    }

    fn names(inv: &Inventory) -> Vec<String> {
        let mut v: Vec<String> = inv
            .components
            .iter()
            .map(|c| format!("{} {}", c.name, c.locations[0].path))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn skips_git_and_respects_gitignore_except_installed_packages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(root, ".git/Cargo.lock", &lockfile_named("in-git"));
        put(
            root,
            ".gitignore",
            "build/\nnode_modules/\nsite-packages/\nvendor/\n*.tmp.lock\n",
        );
        put(root, "Cargo.lock", &lockfile_named("top"));
        put(root, "build/Cargo.lock", &lockfile_named("built"));
        put(
            root,
            "node_modules/in-node-modules/package.json",
            r#"{"name": "in-node-modules", "version": "0.1.0"}"#,
        );
        put(
            root,
            "lib/site-packages/requirements.txt",
            "pinned-in-site-packages==1.0\n",
        );
        put(
            root,
            "vendor/example.com/mod/go.mod",
            "module example.com/mod\n\nrequire example.com/vendored v1.0.0\n",
        );

        let inv = scan(root, &ScanOptions::default());
        assert_eq!(
            inv.files,
            [
                "Cargo.lock",
                "lib/site-packages/requirements.txt",
                "node_modules/in-node-modules/package.json",
                "vendor/example.com/mod/go.mod",
            ]
        );
        assert_eq!(
            names(&inv),
            [
                "example.com/vendored vendor/example.com/mod/go.mod",
                "in-node-modules node_modules/in-node-modules/package.json",
                "pinned-in-site-packages lib/site-packages/requirements.txt",
                "top Cargo.lock",
            ]
        );
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    }

    #[test]
    fn no_ignore_walks_ignored_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(root, ".gitignore", "build/\n");
        put(root, "build/Cargo.lock", &lockfile_named("built"));
        put(root, ".git/Cargo.lock", &lockfile_named("in-git"));
        let options = ScanOptions {
            no_ignore: true,
            ..ScanOptions::default()
        };
        let inv = scan(root, &options);
        assert_eq!(inv.files, ["build/Cargo.lock"]);
        assert_eq!(names(&inv), ["built build/Cargo.lock"]);
        // Without the option the folder is left out.
        assert!(scan(root, &ScanOptions::default()).files.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_only_inside_the_root() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        let root = dir.path().join("root");
        put(&outside, "Cargo.lock", &lockfile_named("outside-file"));
        put(&outside, "sub/Cargo.lock", &lockfile_named("outside-dir"));
        put(&root, "locks/app.lock", &lockfile_named("linked-inside"));
        fs::create_dir_all(root.join("app")).unwrap();
        symlink(root.join("locks/app.lock"), root.join("app/Cargo.lock")).unwrap();
        symlink(outside.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
        symlink(outside.join("sub"), root.join("linked-dir")).unwrap();
        fs::create_dir_all(root.join("dangling")).unwrap();
        symlink(root.join("missing.lock"), root.join("dangling/Cargo.lock")).unwrap();

        let inv = scan(&root, &ScanOptions::default());
        assert_eq!(inv.files, ["app/Cargo.lock"]);
        // Located at the link, the path the user sees.
        assert_eq!(names(&inv), ["linked-inside app/Cargo.lock"]);
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    }

    #[test]
    fn a_malformed_lockfile_is_a_diagnostic_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(
            root,
            "bad/Cargo.lock",
            "[[package]]\nname = \"x\"\nversion = \n",
        );
        put(root, "bad/package-lock.json", "{ not json");
        put(root, "good/Cargo.lock", &lockfile_named("good"));
        put(
            root,
            "good/go.mod",
            "module m\n\ngo 1.22\n\nrequire example.com/a v1.0.0\n",
        );

        let inv = scan(root, &ScanOptions::default());
        assert_eq!(inv.files.len(), 4);
        assert_eq!(
            names(&inv),
            [
                "example.com/a good/go.mod",
                "good good/Cargo.lock",
                "stdlib good/go.mod"
            ]
        );
        let diags: Vec<String> = inv.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(
            diags[0].starts_with("bad/Cargo.lock:3: not a valid Cargo.lock"),
            "{diags:?}"
        );
        assert!(
            diags[1].starts_with("bad/package-lock.json:1: not a valid npm lockfile"),
            "{diags:?}"
        );
    }

    #[test]
    fn files_over_the_size_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let huge = format!("{}# {}\n", lockfile_named("huge"), "x".repeat(4096));
        put(root, "big/Cargo.lock", &huge);
        put(root, "small/go.mod", "module m\n");
        let options = ScanOptions {
            max_file_size: 1024,
            ..ScanOptions::default()
        };
        let inv = scan(root, &options);
        assert!(inv.components.is_empty());
        assert_eq!(inv.diagnostics.len(), 1);
        let d = &inv.diagnostics[0];
        assert_eq!(d.path.as_deref(), Some("big/Cargo.lock"));
        assert!(d.message.contains("1024-byte limit"), "{d}");
    }

    #[test]
    fn a_single_file_is_scanned_alone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(
            root,
            "svc/go.mod",
            "module m\n\nrequire example.com/a v1.0.0\n",
        );
        put(root, "svc/Cargo.lock", &lockfile_named("beside"));
        let inv = scan(&root.join("svc/go.mod"), &ScanOptions::default());
        assert_eq!(inv.files, ["go.mod"]);
        assert_eq!(names(&inv), ["example.com/a go.mod"]);
    }

    #[test]
    fn a_file_read_alone_and_included_gives_each_component_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(root, "requirements.txt", "flask==3.0.2\n-r missing.txt\n");
        put(
            root,
            "requirements-dev.txt",
            "-r requirements.txt\npytest==8.0.2\n",
        );
        let inv = scan(root, &ScanOptions::default());
        assert_eq!(
            names(&inv),
            ["flask requirements.txt", "pytest requirements-dev.txt"]
        );
        assert_eq!(inv.diagnostics.len(), 1, "{:?}", inv.diagnostics);
    }

    #[cfg(unix)]
    #[test]
    fn executables_are_found_by_their_first_bytes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let build = tempfile::tempdir().unwrap();
        let Some(bin) = crate::extractors::testutil::build_go_hello("walk", build.path()) else {
            return;
        };
        let root = dir.path();
        fs::create_dir_all(root.join("bin")).unwrap();
        fs::copy(&bin, root.join("bin/hello")).unwrap();
        fs::set_permissions(root.join("bin/hello"), fs::Permissions::from_mode(0o755)).unwrap();
        // The same bytes without an exec bit or a binary extension are not
        // opened; a text file named like a program neither.
        fs::copy(&bin, root.join("hello.data")).unwrap();
        fs::set_permissions(root.join("hello.data"), fs::Permissions::from_mode(0o644)).unwrap();
        put(root, "app", "not a program\n");
        put(root, "run.sh", "#!/bin/sh\necho hi\n");
        fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        // A binary extension is enough.
        fs::copy(&bin, root.join("hello.exe")).unwrap();
        fs::set_permissions(root.join("hello.exe"), fs::Permissions::from_mode(0o644)).unwrap();

        let inv = scan(root, &ScanOptions::default());
        assert_eq!(inv.files, ["bin/hello", "hello.exe"]);
        assert_eq!(names(&inv), ["stdlib bin/hello", "stdlib hello.exe"]);
        assert_eq!(inv.not_checked.len(), 2, "{:?}", inv.not_checked);
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);

        // Over the binary size limit: refused with a diagnostic.
        let options = ScanOptions {
            max_binary_size: 1024,
            ..ScanOptions::default()
        };
        let inv = scan(root, &options);
        assert!(inv.components.is_empty());
        assert_eq!(inv.diagnostics.len(), 2, "{:?}", inv.diagnostics);
    }

    #[test]
    fn installed_packages_are_found_beside_the_lockfiles() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // As in real projects, the installs are ignored by git (and Python's
        // usual ignore list has `lib/`, which matches inside the venv).
        put(root, ".gitignore", ".venv/\nnode_modules/\nlib/\n");
        put(
            root,
            "requirements.txt",
            "requests==2.31.0\ncertifi==2023.11.17\n",
        );
        put(
            root,
            ".venv/pyvenv.cfg",
            "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.6\n",
        );
        let site = ".venv/lib/python3.11/site-packages";
        put(
            root,
            &format!("{site}/requests-2.31.0.dist-info/METADATA"),
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nRequires-Dist: certifi (>=2017.4.17)\n",
        );
        put(
            root,
            &format!("{site}/certifi-2023.11.17.dist-info/METADATA"),
            "Metadata-Version: 2.1\nName: certifi\nVersion: 2023.11.17\nLicense: MPL-2.0\n",
        );
        put(
            root,
            &format!("{site}/certifi-2023.11.17.dist-info/RECORD"),
            "certifi/__init__.py,sha256=x,94\n",
        );
        // The project's own manifest is no installed package.
        put(
            root,
            "package.json",
            "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\"debug\": \"^4.3.4\"}\n}\n",
        );
        put(
            root,
            "node_modules/.package-lock.json",
            r#"{
  "name": "web",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "node_modules/debug": {
      "version": "4.3.4",
      "dependencies": {
        "ms": "2.1.2"
      }
    },
    "node_modules/ms": {
      "version": "2.1.2"
    }
  }
}
"#,
        );
        put(
            root,
            "node_modules/debug/package.json",
            "{\n  \"name\": \"debug\",\n  \"version\": \"4.3.4\",\n  \"dependencies\": {\"ms\": \"2.1.2\"}\n}\n",
        );
        put(
            root,
            "node_modules/ms/package.json",
            "{\n  \"name\": \"ms\",\n  \"version\": \"2.1.2\",\n  \"license\": \"MIT\"\n}\n",
        );

        let inv = scan(root, &ScanOptions::default());
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
        let mut found: Vec<String> = inv
            .components
            .iter()
            .map(|c| {
                let l = &c.locations[0];
                format!(
                    "{}@{} {}:{}",
                    c.name,
                    c.version,
                    l.path,
                    l.line.unwrap_or(0)
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                format!("certifi@2023.11.17 {site}/certifi-2023.11.17.dist-info/METADATA:2"),
                "certifi@2023.11.17 requirements.txt:2".to_string(),
                "debug@4.3.4 node_modules/.package-lock.json:7".to_string(),
                "debug@4.3.4 node_modules/debug/package.json:2".to_string(),
                "ms@2.1.2 node_modules/.package-lock.json:13".to_string(),
                "ms@2.1.2 node_modules/ms/package.json:2".to_string(),
                format!("requests@2.31.0 {site}/requests-2.31.0.dist-info/METADATA:2"),
                "requests@2.31.0 requirements.txt:1".to_string(),
            ]
        );
        let installed = |name: &str, path: &str| {
            inv.components
                .iter()
                .find(|c| c.name == name && c.locations[0].path == path)
                .unwrap()
        };
        assert_eq!(
            installed(
                "requests",
                &format!("{site}/requests-2.31.0.dist-info/METADATA")
            )
            .dependencies,
            ["certifi"]
        );
        assert_eq!(
            installed("ms", "node_modules/ms/package.json")
                .license
                .as_deref(),
            Some("MIT")
        );
        assert_eq!(
            installed("debug", "node_modules/.package-lock.json").dependencies,
            ["ms"]
        );
        assert!(!inv.files.contains(&"package.json".to_string()));
    }

    #[test]
    fn sboms_vigil_wrote_are_passed_over_in_a_walk_but_read_when_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(root, "requirements.txt", "flask==2.2.0\n");
        let purl = r#"{"type": "library", "name": "flask", "version": "2.2.0", "purl": "pkg:pypi/flask@2.2.0"}"#;
        // What `vigil scan . -o cyclonedx=app.cdx.json` writes (1.5+ tools),
        // an SPDX one, and a BOM another tool wrote (1.4 tools array).
        put(
            root,
            "app.cdx.json",
            &format!(
                r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {{"tools": {{"components": [{{"type": "application", "name": "vigil", "version": "0.1.0"}}]}}}}, "components": [{purl}]}}"#
            ),
        );
        put(
            root,
            "app.spdx.json",
            r#"{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "creationInfo": {"creators": ["Tool: vigil-0.1.0"]}, "packages": [{"SPDXID": "SPDXRef-1", "name": "flask", "versionInfo": "2.2.0", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/flask@2.2.0"}]}]}"#,
        );
        put(
            root,
            "vendor.cdx.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "metadata": {"tools": [{"name": "other-tool"}]}, "components": [{"type": "library", "name": "six", "version": "1.16.0", "purl": "pkg:pypi/six@1.16.0"}]}"#,
        );
        let inv = scan(root, &ScanOptions::default());
        let found: Vec<String> = inv
            .components
            .iter()
            .map(|c| format!("{}@{} {}", c.name, c.version, c.locations[0].path))
            .collect();
        assert_eq!(
            found,
            ["flask@2.2.0 requirements.txt", "six@1.16.0 vendor.cdx.json"]
        );
        let notes: Vec<&str> = inv
            .diagnostics
            .iter()
            .filter(|d| d.level == vigil_model::Level::Info)
            .filter_map(|d| d.path.as_deref())
            .collect();
        assert_eq!(notes, ["app.cdx.json", "app.spdx.json"]);
        // Named alone, it is read.
        let inv = scan(&root.join("app.cdx.json"), &ScanOptions::default());
        assert_eq!(inv.components.len(), 1);
    }

    #[test]
    fn one_file_with_a_chosen_extractor_or_by_sbom_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        put(root, "deps/locked.txt", &lockfile_named("chosen"));
        let inv = scan_file_with(
            &root.join("deps/locked.txt"),
            &crate::extractors::rust::cargo_lock::CargoLock,
            &ScanOptions::default(),
        )
        .unwrap();
        assert_eq!(inv.files, ["locked.txt"]);
        assert_eq!(names(&inv), ["chosen locked.txt"]);

        put(
            root,
            "inventory.json",
            "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"components\": [\n    {\"name\": \"time\", \"purl\": \"pkg:cargo/time@0.1.45\"}\n  ]\n}\n",
        );
        put(
            root,
            "export.json",
            "{\"spdxVersion\": \"SPDX-2.3\", \"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": \"pillow\",\n \"externalRefs\": [{\"referenceType\": \"purl\", \"referenceLocator\": \"pkg:pypi/pillow@10.0.0\"}]}]}",
        );
        let inv = scan_sbom(&root.join("inventory.json"), &ScanOptions::default()).unwrap();
        assert_eq!(names(&inv), ["time inventory.json"]);
        assert_eq!(inv.components[0].locations[0].line, Some(5));
        let inv = scan_sbom(&root.join("export.json"), &ScanOptions::default()).unwrap();
        assert_eq!(names(&inv), ["pillow export.json"]);

        // Not an SBOM, malformed, missing, a directory: errors naming it.
        let err = scan_sbom(&root.join("deps/locked.txt"), &ScanOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "locked.txt: not a CycloneDX or SPDX JSON document (it has neither `bomFormat` nor `spdxVersion`)"
        );
        put(
            root,
            "bad.json",
            "{\"bomFormat\": \"CycloneDX\",\n\"components\": [}",
        );
        let err = scan_sbom(&root.join("bad.json"), &ScanOptions::default()).unwrap_err();
        assert_eq!((err.path(), err.line()), ("bad.json", Some(2)), "{err}");
        let missing = root.join("missing.json");
        let err = scan_sbom(&missing, &ScanOptions::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Io { .. }), "{err}");
        assert!(
            err.to_string().starts_with(&missing.display().to_string()),
            "{err}"
        );
        let err = scan_sbom(&root.join("deps"), &ScanOptions::default()).unwrap_err();
        assert!(err.to_string().contains("it is not a file"), "{err}");
        let small = ScanOptions {
            max_file_size: 10,
            ..ScanOptions::default()
        };
        let err = scan_sbom(&root.join("inventory.json"), &small).unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn every_fixture_is_claimed_and_only_malformed_ones_fail() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let inv = scan(&root, &ScanOptions::default());
        assert!(inv.files.len() >= 40, "{}", inv.files.len());
        for d in &inv.diagnostics {
            let path = d.path.as_deref().unwrap_or("");
            let expected = [
                "malformed",
                "missing-",
                "wrong-shape",
                "unclosed-block",
                "bad-",
                "future-format",
                "includes/",
            ];
            assert!(
                expected.iter().any(|e| path.contains(e)),
                "unexpected diagnostic: {d}"
            );
        }
        for eco in ["crates.io", "PyPI", "Go", "npm"] {
            assert!(
                inv.components.iter().any(|c| c.ecosystem.osv_name() == eco),
                "{eco}"
            );
        }
    }
}

#[cfg(test)]
mod rootfs_tests {
    use super::*;

    #[test]
    fn a_root_filesystem_gets_its_release_and_excluded_dirs_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let put = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        put(
            "etc/os-release",
            "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
        );
        put(
            "var/lib/dpkg/status",
            "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n",
        );
        put(
            "proc/1/Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\n",
        );
        let options = ScanOptions {
            exclude: vec![root.canonicalize().unwrap().join("proc")],
            ..ScanOptions::default()
        };
        let inv = scan_dir(root, &options).unwrap();
        assert_eq!(inv.files, ["var/lib/dpkg/status"]);
        let c = &inv.components[0];
        assert_eq!(c.ecosystem, vigil_model::Ecosystem::Debian);
        assert_eq!(c.release.as_deref(), Some("12"));
        assert_eq!(
            c.purl,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"
        );
        // Without the exclusion the folder is walked.
        let inv = scan_dir(root, &ScanOptions::default()).unwrap();
        assert_eq!(inv.files.len(), 2);
    }
}
