//! Which package owns a file: an index built from a root filesystem (the
//! host's `/`, or a container's root seen as `/proc/PID/root`).
//!
//! OS packages come from the package manager's own records:
//!
//! - dpkg: `var/lib/dpkg/status` (names and versions, read by the
//!   inventory's dpkg extractor) and the file lists
//!   `var/lib/dpkg/info/NAME.list` or, for multi-arch packages,
//!   `NAME:ARCH.list`; distroless images: `var/lib/dpkg/status.d/NAME`
//!   and its `NAME.md5sums` list.
//! - apk: `lib/apk/db/installed` (`P:`/`V:` for the package, `F:` a
//!   directory, `R:` a file in it).
//! - rpm: the SQLite `rpmdb.sqlite` or Berkeley DB `Packages` database
//!   (in `var/lib/rpm` or `usr/lib/sysimage/rpm`); each package header's
//!   `DIRNAMES`, `BASENAMES` and `DIRINDEXES` tags give its files.
//!
//! The distribution and release are detected from the root's release files
//! ([`vigil_inventory::os::OsRelease`]) and applied as the inventory does:
//! a dpkg package on Ubuntu is an Ubuntu package, its purl carries
//! `distro=ubuntu-22.04`, and [`OwnerIndex::release`] gives the OSV release
//! (`22.04:LTS`).
//!
//! Paths are compared after the `/usr` merge: `/lib/x`, `/bin/x`, `/sbin/x`
//! and `/lib64/x` are the same file as `/usr/lib/x`, ... (a merged system
//! maps the library at one and lists it at the other). A path that does
//! not match is looked up again once its symlinks are resolved inside the
//! root (an absolute link target is taken inside the root, `..` never
//! climbs above it).
//!
//! Language packages are read from the file itself, with the inventory's
//! extractors, once per path: a JAR's Maven coordinates (its
//! `pom.properties` and manifest), a Go executable's build information, a
//! Rust executable's cargo auditable data; and for a Python extension
//! module, the `*.dist-info/RECORD` in its `site-packages` that lists it
//! (the distribution named by the `METADATA` beside it).

use std::collections::{HashMap, HashSet};
use std::path::{Component as PathPart, Path, PathBuf};
use std::sync::{Arc, Mutex};

use vigil_inventory::os::OsRelease;
use vigil_inventory::ScanOptions;
use vigil_model::{Component, Ecosystem, PackageRef};

use crate::loaded::{LoadError, LoadedFile};
use crate::snapshot::{Loaded, LoadedKind, Unseen};

/// Package databases larger than this are not read (unless the index is
/// built with another limit).
pub const MAX_DATABASE: u64 = 256 * 1024 * 1024;
/// Files of code larger than this are not opened for language packages.
const MAX_CODE_FILE: u64 = 256 * 1024 * 1024;
/// ELF files larger than this are not read whole: only the sections that
/// hold build information (`.go.buildinfo`, `.dep-v0`) are, which keeps
/// the agent's memory small whatever the executables it meets.
const WHOLE_EXECUTABLE: u64 = 1024 * 1024;
/// A build-information section larger than this is not read.
const MAX_SECTION: u64 = 16 * 1024 * 1024;
/// Symlinks followed at most, in a chain.
const MAX_LINKS: usize = 32;

/// What a file of code holds besides its OS package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The language package the file is (a JAR's own coordinates, a Go
    /// executable's main module, a Rust executable's root crate, the Python
    /// distribution that installed an extension module).
    pub own: Option<PackageRef>,
    /// The other packages built into it.
    pub embedded: Vec<PackageRef>,
}

/// An index from file path to the package that owns it, for one root
/// filesystem.
#[derive(Debug)]
pub struct OwnerIndex {
    root: PathBuf,
    os: Option<OsRelease>,
    packages: Vec<PackageRef>,
    files: HashMap<Box<str>, u32>,
    /// When set, only these paths (`/usr`-merged) are indexed.
    wanted: Option<HashSet<String>>,
    /// Package databases larger than this are not read.
    max_database: u64,
    /// The package databases read (`/var/lib/dpkg/status`, ...).
    databases: Vec<String>,
    contents: Mutex<HashMap<String, Arc<Contents>>>,
    /// Files described already (path, kind, deleted): the processes of a
    /// root load the same files over and over.
    described: Mutex<HashMap<(String, LoadedKind, bool), Loaded>>,
    sites: Mutex<HashMap<String, Arc<HashMap<String, PackageRef>>>>,
}

impl OwnerIndex {
    /// Builds the index of the root filesystem at `root`. What cannot be
    /// read (a package database that is malformed or unreadable) is
    /// returned as [`Unseen`]; the index holds the rest.
    pub fn build(root: &Path) -> (OwnerIndex, Vec<Unseen>) {
        OwnerIndex::build_for(root, None, MAX_DATABASE)
    }

    /// Builds the index of the root filesystem at `root` for the files at
    /// `wanted` only (paths as a process in the root sees them): the
    /// package databases are read whole, but only the listed files of
    /// those paths are kept. A full Debian system lists some 125,000
    /// files, while its processes load a few hundred. A package database
    /// larger than `max_database` bytes is not read, and is unseen.
    pub fn build_for(
        root: &Path,
        wanted: Option<&HashSet<String>>,
        max_database: u64,
    ) -> (OwnerIndex, Vec<Unseen>) {
        let wanted = wanted.map(|w| {
            w.iter()
                .flat_map(|p| {
                    let real = resolve_inside(root, p).filter(|r| r != p);
                    std::iter::once(usr_merged(p)).chain(real.map(|r| usr_merged(&r)))
                })
                .collect()
        });
        let mut index = OwnerIndex {
            root: root.to_path_buf(),
            os: OsRelease::detect(root),
            packages: Vec::new(),
            files: HashMap::new(),
            wanted,
            max_database,
            databases: Vec::new(),
            contents: Mutex::new(HashMap::new()),
            described: Mutex::new(HashMap::new()),
            sites: Mutex::new(HashMap::new()),
        };
        let mut unseen = Vec::new();
        index.add_dpkg(&mut unseen);
        index.add_apk(&mut unseen);
        index.add_rpm(&mut unseen);
        tracing::debug!(
            root = %root.display(),
            packages = index.packages.len(),
            files = index.files.len(),
            "package file index built"
        );
        (index, unseen)
    }

    /// The root filesystem it indexes.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The distribution of the root, when detected.
    pub fn os(&self) -> Option<&OsRelease> {
        self.os.as_ref()
    }

    /// The OSV release of its OS packages (`12`, `22.04:LTS`, `v3.20`),
    /// when known.
    pub fn release(&self) -> Option<&str> {
        self.os.as_ref().and_then(|o| o.release.as_deref())
    }

    /// The package databases read, as paths inside the root
    /// (`/var/lib/dpkg/status`, `/lib/apk/db/installed`, ...).
    pub fn databases(&self) -> &[String] {
        &self.databases
    }

    /// The OS packages of the root (in the order of their databases).
    pub fn packages(&self) -> &[PackageRef] {
        &self.packages
    }

    /// How many files the OS packages list (of the wanted ones, for an
    /// index built with [`OwnerIndex::build_for`]).
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no OS package lists any file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The OS package that owns the file at `path` (absolute, as a process
    /// in this root sees it).
    pub fn owner(&self, path: &str) -> Option<&PackageRef> {
        let direct = self.files.get(usr_merged(path).as_str());
        let found = match direct {
            Some(i) => Some(*i),
            None => resolve_inside(&self.root, path)
                .and_then(|real| self.files.get(usr_merged(&real).as_str()).copied()),
        };
        found.and_then(|i| self.packages.get(i as usize))
    }

    /// The language packages a loaded file holds (read once per path, then
    /// cached). Shared objects an OS package owns are C libraries: they are
    /// not opened.
    pub fn contents(&self, file: &LoadedFile) -> Arc<Contents> {
        if let Ok(cache) = self.contents.lock() {
            if let Some(c) = cache.get(&file.path) {
                return Arc::clone(c);
            }
        }
        let found = Arc::new(match file.kind {
            LoadedKind::Jar => self.read_components(&file.path, true),
            LoadedKind::Executable => self.read_components(&file.path, false),
            LoadedKind::SharedObject if self.owner(&file.path).is_none() => {
                self.read_components(&file.path, false)
            }
            LoadedKind::SharedObject => Contents::default(),
            LoadedKind::PythonExtension => Contents {
                own: self.python_distribution(&file.path),
                embedded: Vec::new(),
            },
        });
        if let Ok(mut cache) = self.contents.lock() {
            cache.insert(file.path.clone(), Arc::clone(&found));
        }
        found
    }

    /// A loaded file with its packages: the OS package that owns it, else
    /// the language package it is; the other language packages it holds
    /// as its components.
    pub fn describe(&self, file: &LoadedFile) -> Loaded {
        let key = (file.path.clone(), file.kind, file.deleted);
        if let Some(known) = self
            .described
            .lock()
            .ok()
            .and_then(|d| d.get(&key).cloned())
        {
            return known;
        }
        let loaded = self.describe_anew(file);
        if let Ok(mut d) = self.described.lock() {
            d.insert(key, loaded.clone());
        }
        loaded
    }

    fn describe_anew(&self, file: &LoadedFile) -> Loaded {
        let os = self.owner(&file.path).cloned();
        let contents = self.contents(file);
        let mut components = Vec::new();
        let package = match os {
            Some(p) => {
                components.extend(contents.own.clone());
                Some(p)
            }
            None => contents.own.clone(),
        };
        components.extend(contents.embedded.iter().cloned());
        let release = package
            .as_ref()
            .filter(|p| p.ecosystem.is_distro())
            .and_then(|_| self.release().map(str::to_string));
        Loaded {
            path: file.path.clone(),
            kind: file.kind,
            deleted: file.deleted,
            package,
            release,
            components,
        }
    }

    /// Reads a file of this root (resolved inside it), when it is no
    /// larger than `limit`.
    fn read(&self, path: &str, limit: u64) -> Option<Vec<u8>> {
        let real = resolve_inside(&self.root, path)?;
        let on_disk = self.root.join(real.trim_start_matches('/'));
        let meta = std::fs::metadata(&on_disk).ok()?;
        if !meta.is_file() || meta.len() > limit {
            return None;
        }
        match std::fs::read(&on_disk) {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::debug!(path = %on_disk.display(), error = %e, "cannot read");
                None
            }
        }
    }

    /// The language packages of an archive or executable, through the
    /// inventory's extractors.
    fn read_components(&self, path: &str, archive: bool) -> Contents {
        if !archive {
            // Only executables the binary extractors recognize are read
            // whole.
            let Some(head) = self.head(path) else {
                return Contents::default();
            };
            if !vigil_inventory::claims_head(&head) {
                return Contents::default();
            }
            if head.starts_with(b"\x7fELF") && self.size(path).is_some_and(|n| n > WHOLE_EXECUTABLE)
            {
                return self.read_sections(path);
            }
        }
        let Some(bytes) = self.read(path, MAX_CODE_FILE) else {
            return Contents::default();
        };
        let rel = path.trim_start_matches('/');
        let options = ScanOptions::default();
        contents_of(
            path,
            vigil_inventory::extract_detached(rel, &bytes, &options),
        )
    }

    /// The size of a file of this root.
    fn size(&self, path: &str) -> Option<u64> {
        let real = resolve_inside(&self.root, path)?;
        let meta = std::fs::metadata(self.root.join(real.trim_start_matches('/'))).ok()?;
        Some(meta.len())
    }

    /// The language packages of a large ELF executable or shared object,
    /// from its build-information sections alone (`.go.buildinfo` of Go
    /// 1.18 and later, `.dep-v0` of cargo auditable), read without the
    /// rest of the file.
    fn read_sections(&self, path: &str) -> Contents {
        let Some(real) = resolve_inside(&self.root, path) else {
            return Contents::default();
        };
        let on_disk = self.root.join(real.trim_start_matches('/'));
        let file = match std::fs::File::open(&on_disk) {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(path = %on_disk.display(), error = %e, "cannot read");
                return Contents::default();
            }
        };
        let cache = object::read::ReadCache::new(file);
        let rel = path.trim_start_matches('/');
        let Some(sections) = elf_sections(&cache, &[".go.buildinfo", ".dep-v0"]) else {
            // No section table (stripped of it): the Go build information
            // is looked for in the whole file, read as a stream.
            let mut file = cache.into_inner();
            if std::io::Seek::rewind(&mut file).is_err() {
                return Contents::default();
            }
            let stream = std::io::BufReader::new(file);
            let found = vigil_inventory::extractors::go::binary::extract_from_stream(rel, stream)
                .map(Option::unwrap_or_default);
            return contents_of(path, vec![found]);
        };
        let mut results = Vec::new();
        for (name, data) in sections {
            let result = if name == ".go.buildinfo" {
                vigil_inventory::extractors::go::binary::extract_from_stream(rel, data.as_slice())
                    .map(Option::unwrap_or_default)
            } else {
                vigil_inventory::extractors::rust::auditable::extract_from_section(rel, &data)
            };
            results.push(result);
        }
        contents_of(path, results)
    }
}

/// The data of the sections named `names` of an ELF file (32 or 64 bits),
/// read through `data` (a cache of the ranges read): the headers, the
/// section table and those sections only. Sections over [`MAX_SECTION`]
/// are left out, and so is everything of a file that is no ELF file.
/// `None` for an ELF file without a section table.
fn elf_sections<R: object::read::ReadCacheOps>(
    data: &object::read::ReadCache<R>,
    names: &[&'static str],
) -> Option<Vec<(&'static str, Vec<u8>)>> {
    use object::read::elf::{FileHeader, SectionHeader};
    fn of<Elf: FileHeader<Endian = object::Endianness>, R: object::read::ReadCacheOps>(
        data: &object::read::ReadCache<R>,
        names: &[&'static str],
    ) -> Option<Vec<(&'static str, Vec<u8>)>> {
        let Ok(header) = Elf::parse(data) else {
            return Some(Vec::new());
        };
        let Ok(endian) = header.endian() else {
            return Some(Vec::new());
        };
        let Ok(table) = header.sections(endian, data) else {
            return Some(Vec::new());
        };
        if table.is_empty() {
            return None;
        }
        let found = names
            .iter()
            .filter_map(|name| {
                let (_, section) = table.section_by_name(endian, name.as_bytes())?;
                if section.sh_size(endian).into() > MAX_SECTION {
                    return None;
                }
                let bytes = section.data(endian, data).ok()?;
                (!bytes.is_empty()).then(|| (*name, bytes.to_vec()))
            })
            .collect();
        Some(found)
    }
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf64) => {
            of::<object::elf::FileHeader64<object::Endianness>, R>(data, names)
        }
        Ok(object::FileKind::Elf32) => {
            of::<object::elf::FileHeader32<object::Endianness>, R>(data, names)
        }
        _ => Some(Vec::new()),
    }
}

/// The language packages the extractors read from a file at `path`: the
/// file's own package and the others built into it.
fn contents_of(
    path: &str,
    results: Vec<Result<vigil_inventory::Extracted, vigil_inventory::ExtractError>>,
) -> Contents {
    let mut components: Vec<Component> = Vec::new();
    let mut main_unversioned = false;
    for result in results {
        match result {
            Ok(x) => {
                main_unversioned |= x
                    .not_checked
                    .iter()
                    .any(|n| n.ecosystem == Ecosystem::Go && n.reason.starts_with("the main"));
                components.extend(x.components);
            }
            Err(e) => tracing::debug!(error = %e, "no packages read from a loaded file"),
        }
    }
    let own = main_component(path, &components, main_unversioned);
    let embedded = components
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != own)
        .map(|(_, c)| package_ref(c))
        .collect();
    Contents {
        own: own.and_then(|i| components.get(i)).map(package_ref),
        embedded,
    }
}

impl OwnerIndex {
    /// The first bytes of a file of this root.
    fn head(&self, path: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let real = resolve_inside(&self.root, path)?;
        let file = std::fs::File::open(self.root.join(real.trim_start_matches('/'))).ok()?;
        let mut head = Vec::with_capacity(vigil_inventory::SNIFF_HEAD);
        file.take(vigil_inventory::SNIFF_HEAD as u64)
            .read_to_end(&mut head)
            .ok()?;
        Some(head)
    }

    /// The Python distribution whose `RECORD` lists an extension module.
    fn python_distribution(&self, path: &str) -> Option<PackageRef> {
        let (site, rel) = ["/site-packages/", "/dist-packages/"]
            .iter()
            .find_map(|d| {
                path.find(d)
                    .map(|i| (&path[..i + d.len() - 1], &path[i + d.len()..]))
            })?;
        let cached = self.sites.lock().ok()?.get(site).cloned();
        let records = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(self.read_site(site));
                self.sites
                    .lock()
                    .ok()?
                    .insert(site.to_string(), Arc::clone(&r));
                r
            }
        };
        records.get(rel).cloned()
    }

    /// Every file the `*.dist-info/RECORD` files of a `site-packages`
    /// directory list, with the distribution that installed it.
    fn read_site(&self, site: &str) -> HashMap<String, PackageRef> {
        let mut out = HashMap::new();
        let Some(real) = resolve_inside(&self.root, site) else {
            return out;
        };
        let Ok(list) = std::fs::read_dir(self.root.join(real.trim_start_matches('/'))) else {
            return out;
        };
        let options = ScanOptions::default();
        for entry in list.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".dist-info") {
                continue;
            }
            let dir = format!("{site}/{name}");
            let Some(metadata) = self.read(&format!("{dir}/METADATA"), MAX_DATABASE) else {
                continue;
            };
            let rel = format!("{}/METADATA", dir.trim_start_matches('/'));
            let dist = vigil_inventory::extract_detached(&rel, &metadata, &options)
                .into_iter()
                .filter_map(Result::ok)
                .flat_map(|x| x.components)
                .find(|c| c.ecosystem == Ecosystem::PyPI);
            let (Some(dist), Some(record)) =
                (dist, self.read(&format!("{dir}/RECORD"), MAX_DATABASE))
            else {
                continue;
            };
            let dist = package_ref(&dist);
            for line in String::from_utf8_lossy(&record).lines() {
                if let Some(file) = record_path(line) {
                    out.insert(file, dist.clone());
                }
            }
        }
        out
    }

    /// Adds a package and the files it lists.
    fn add_files(&mut self, package: u32, files: impl Iterator<Item = String>) {
        let mut merged = String::new();
        for f in files {
            self.add_file(package, &f, &mut merged);
        }
    }

    /// Adds the files of a dpkg list, read line by line into one buffer
    /// (a list can be megabytes long, a system's lists 125,000 lines).
    fn add_list(&mut self, package: u32, mut list: impl std::io::BufRead) {
        let (mut line, mut merged) = (String::new(), String::new());
        loop {
            line.clear();
            match list.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let f = line.trim_end_matches('\n').trim_end_matches('\r');
                    self.add_file(package, f, &mut merged);
                }
            }
        }
    }

    /// Adds one file of a package (`merged`: a buffer for its `/usr`-merged
    /// path), unless the index is for other files.
    fn add_file(&mut self, package: u32, f: &str, merged: &mut String) {
        if f.is_empty() || f == "/" || f == "/." {
            return;
        }
        merged.clear();
        if MERGED.iter().any(|p| f.starts_with(p)) {
            merged.push_str("/usr");
        }
        merged.push_str(f);
        if self
            .wanted
            .as_ref()
            .is_some_and(|w| !w.contains(merged.as_str()))
        {
            return;
        }
        if !self.files.contains_key(merged.as_str()) {
            self.files.insert(merged.as_str().into(), package);
        }
    }

    /// The OS packages of a database, as the inventory reads them, with
    /// the root's distribution applied.
    fn database(&mut self, rel: &str, unseen: &mut Vec<Unseen>) -> Option<Vec<Component>> {
        let bytes = self.read_database(rel, unseen)?;
        Some(self.database_of(rel, &bytes, unseen))
    }

    /// Reads a package database of this root; one over the size limit is
    /// unseen. `None` when it is missing (or over the limit).
    fn read_database(&mut self, rel: &str, unseen: &mut Vec<Unseen>) -> Option<Vec<u8>> {
        let size = self.size(rel)?;
        if size > self.max_database {
            unseen.push(Unseen {
                what: format!("the packages of {}", self.root.join(rel).display()),
                why: format!(
                    "the package database is {} MiB, over the limit of {} MiB",
                    size.div_ceil(1 << 20),
                    self.max_database >> 20
                ),
            });
            return None;
        }
        let bytes = self.read(rel, self.max_database)?;
        // Distroless: one file per package, shown as their directory.
        let shown = match rel.strip_prefix("var/lib/dpkg/status.d/") {
            Some(_) => "/var/lib/dpkg/status.d".to_string(),
            None => format!("/{rel}"),
        };
        if !self.databases.contains(&shown) {
            self.databases.push(shown);
        }
        Some(bytes)
    }

    /// The OS packages of a database read already.
    fn database_of(&self, rel: &str, bytes: &[u8], unseen: &mut Vec<Unseen>) -> Vec<Component> {
        let mut components = Vec::new();
        for result in vigil_inventory::extract_detached(rel, bytes, &ScanOptions::default()) {
            match result {
                Ok(x) => components.extend(x.components),
                Err(e) => unseen.push(Unseen {
                    what: format!("the packages of {}", self.root.join(rel).display()),
                    why: e.to_string(),
                }),
            }
        }
        if let Some(os) = &self.os {
            os.apply(&mut components);
        }
        components
    }

    /// Indexes rpm's packages and file lists (the first database found of
    /// SQLite `rpmdb.sqlite` and Berkeley DB `Packages`, in `var/lib/rpm`
    /// or `usr/lib/sysimage/rpm`).
    fn add_rpm(&mut self, unseen: &mut Vec<Unseen>) {
        let found = [
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "var/lib/rpm/Packages",
            "usr/lib/sysimage/rpm/Packages",
        ]
        .into_iter()
        .find(|rel| self.size(rel).is_some());
        let Some(rel) = found else {
            return;
        };
        let Some(bytes) = self.read_database(rel, unseen) else {
            return;
        };
        let components = self.database_of(rel, &bytes, unseen);
        let mut by_key: HashMap<(String, String), Vec<u32>> = HashMap::new();
        for c in &components {
            let i = self.push(c);
            by_key
                .entry((c.name.clone(), c.version.clone()))
                .or_default()
                .push(i);
        }
        let on_disk = self.root.join(rel);
        let input = vigil_inventory::FileInput::binary(rel, &on_disk, &bytes, &self.root);
        let lists = match vigil_inventory::extractors::os::rpm::package_files(&input) {
            Ok(l) => l,
            Err(e) => {
                unseen.push(Unseen {
                    what: format!("the file lists of {}", on_disk.display()),
                    why: e.to_string(),
                });
                return;
            }
        };
        for list in lists {
            let Some(candidates) = by_key.get(&(list.name, list.version)) else {
                continue;
            };
            let arch = format!("arch={}", list.arch);
            let package = candidates
                .iter()
                .copied()
                .find(|i| {
                    self.packages
                        .get(*i as usize)
                        .is_some_and(|p| p.purl.contains(&arch))
                })
                .or_else(|| candidates.first().copied());
            if let Some(package) = package {
                self.add_files(package, list.files.into_iter());
            }
        }
    }

    /// Indexes dpkg's packages and file lists.
    fn add_dpkg(&mut self, unseen: &mut Vec<Unseen>) {
        if let Some(components) = self.database("var/lib/dpkg/status", unseen) {
            let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
            for c in &components {
                let i = self.push(c);
                by_name.entry(c.name.clone()).or_default().push(i);
            }
            let Some(info) = self.dir_inside("/var/lib/dpkg/info") else {
                return;
            };
            let mut names: Vec<String> = regular_files(&info)
                .into_iter()
                .filter(|n| n.ends_with(".list"))
                .collect();
            names.sort();
            for file in names {
                let stem = file.trim_end_matches(".list");
                let (name, arch) = match stem.split_once(':') {
                    Some((n, a)) => (n, Some(a)),
                    None => (stem, None),
                };
                let Some(candidates) = by_name.get(name) else {
                    continue;
                };
                let package = arch
                    .and_then(|a| {
                        let q = format!("arch={a}");
                        candidates.iter().copied().find(|i| {
                            self.packages
                                .get(*i as usize)
                                .is_some_and(|p| p.purl.contains(&q))
                        })
                    })
                    .or_else(|| candidates.first().copied());
                // Read line by line: a list can be megabytes long.
                let (Some(package), Ok(list)) = (package, std::fs::File::open(info.join(&file)))
                else {
                    continue;
                };
                self.add_list(package, std::io::BufReader::new(list));
            }
        }
        // Distroless: one status file per package, with its md5sums list.
        let Some(dir) = self.dir_inside("/var/lib/dpkg/status.d") else {
            return;
        };
        let files = regular_files(&dir);
        let mut names: Vec<String> = files
            .iter()
            .filter(|n| !n.ends_with(".md5sums"))
            .cloned()
            .collect();
        names.sort();
        for name in names {
            let Some(components) = self.database(&format!("var/lib/dpkg/status.d/{name}"), unseen)
            else {
                continue;
            };
            let sums_name = format!("{name}.md5sums");
            let sums = if files.contains(&sums_name) {
                std::fs::read_to_string(dir.join(&sums_name))
            } else {
                Err(std::io::ErrorKind::NotFound.into())
            };
            let Ok(sums) = sums else {
                for c in &components {
                    self.push(c);
                }
                continue;
            };
            for c in &components {
                let i = self.push(c);
                let files = sums.lines().filter_map(|l| {
                    l.split_once("  ")
                        .map(|(_, p)| format!("/{}", p.trim_start_matches('/')))
                });
                self.add_files(i, files);
            }
        }
    }

    /// Indexes apk's installed database.
    fn add_apk(&mut self, unseen: &mut Vec<Unseen>) {
        let rel = "lib/apk/db/installed";
        let Some(components) = self.database(rel, unseen) else {
            return;
        };
        let Some(bytes) = self.read(rel, self.max_database) else {
            return;
        };
        let mut by_key: HashMap<(String, String), u32> = HashMap::new();
        for c in &components {
            let i = self.push(c);
            by_key.insert((c.name.clone(), c.version.clone()), i);
        }
        let text = String::from_utf8_lossy(&bytes);
        for block in text.split("\n\n") {
            let (mut name, mut version, mut dir) = ("", "", String::new());
            let mut files = Vec::new();
            for line in block.lines() {
                match line.split_once(':') {
                    Some(("P", v)) => name = v,
                    Some(("V", v)) => version = v,
                    Some(("F", v)) => dir = v.trim_matches('/').to_string(),
                    Some(("R", v)) if dir.is_empty() => files.push(format!("/{v}")),
                    Some(("R", v)) => files.push(format!("/{dir}/{v}")),
                    _ => {}
                }
            }
            if let Some(i) = by_key.get(&(name.to_string(), version.to_string())) {
                self.add_files(*i, files.into_iter());
            }
        }
    }

    /// A directory of this root, its path resolved inside the root (a
    /// container's symlinks never lead to the host's files).
    fn dir_inside(&self, path: &str) -> Option<PathBuf> {
        let real = resolve_inside(&self.root, path)?;
        let dir = self.root.join(real.trim_start_matches('/'));
        std::fs::symlink_metadata(&dir)
            .is_ok_and(|m| m.is_dir())
            .then_some(dir)
    }

    /// Adds a package; its index.
    fn push(&mut self, c: &Component) -> u32 {
        self.packages.push(package_ref(c));
        u32::try_from(self.packages.len() - 1).unwrap_or(u32::MAX)
    }
}

/// The names of the regular files of a directory (symlinks left out: in a
/// container's root, one could lead out of it).
fn regular_files(dir: &Path) -> Vec<String> {
    let Ok(list) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    list.filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Index builds, one per root filesystem: processes of one container (or
/// of the host) share it. A root is known by its directory's device and
/// inode, so `/proc/1/root` and `/proc/2/root` of one container are one
/// root.
#[derive(Debug, Default)]
pub struct OwnerCache {
    roots: HashMap<(u64, u64), Arc<OwnerIndex>>,
}

impl OwnerCache {
    /// An empty cache.
    pub fn new() -> OwnerCache {
        OwnerCache::default()
    }

    /// The index of the root filesystem at `root`, built on first use.
    /// What could not be read while building it is returned then (and
    /// only then). `None` when the root itself cannot be read.
    pub fn index(&mut self, root: &Path) -> Result<(Arc<OwnerIndex>, Vec<Unseen>), Unseen> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(root).map_err(|e| Unseen {
            what: format!("the packages of {}", root.display()),
            why: e.to_string(),
        })?;
        let key = (meta.dev(), meta.ino());
        if let Some(i) = self.roots.get(&key) {
            return Ok((Arc::clone(i), Vec::new()));
        }
        let (index, unseen) = OwnerIndex::build(root);
        let index = Arc::new(index);
        self.roots.insert(key, Arc::clone(&index));
        Ok((index, unseen))
    }
}

/// What process `pid` has loaded (read below `proc_root`, see
/// [`crate::loaded::files`]), each file with its packages from `index`
/// (the index of the process's root filesystem: the host's, or its
/// container's `/proc/PID/root`). This is what fills
/// [`crate::Process::loaded`].
pub fn loaded(
    proc_root: &Path,
    pid: u32,
    index: &OwnerIndex,
) -> Result<(Vec<Loaded>, Vec<Unseen>), LoadError> {
    let (files, unseen) = crate::loaded::files(proc_root, pid)?;
    Ok((files.iter().map(|f| index.describe(f)).collect(), unseen))
}

/// The path of one `RECORD` line (CSV: path, hash, size; a path with a
/// comma is quoted).
fn record_path(line: &str) -> Option<String> {
    let path = if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    out.push('"');
                } else {
                    break;
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        line.split(',').next()?.to_string()
    };
    (!path.is_empty()).then_some(path)
}

/// Which component of a file is the file's own package: the Rust root
/// crate; the Go main module (the first module after `stdlib`, when it had
/// a version); the JAR's artifact whose name the file name starts with,
/// else the JAR's only artifact.
fn main_component(
    path: &str,
    components: &[Component],
    go_main_unversioned: bool,
) -> Option<usize> {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    match components.first().map(|c| c.ecosystem) {
        Some(Ecosystem::CratesIo) => components
            .iter()
            .position(|c| c.ecosystem == Ecosystem::CratesIo && c.direct.is_none()),
        Some(Ecosystem::Go) if !go_main_unversioned => components
            .iter()
            .position(|c| c.ecosystem == Ecosystem::Go && c.name != "stdlib"),
        Some(Ecosystem::Maven) => {
            let named = components.iter().position(|c| {
                let artifact = c.name.rsplit(':').next().unwrap_or("").to_ascii_lowercase();
                !artifact.is_empty() && file.starts_with(&artifact)
            });
            named.or((components.len() == 1).then_some(0))
        }
        _ => None,
    }
}

/// The package reference of a component.
fn package_ref(c: &Component) -> PackageRef {
    PackageRef {
        ecosystem: c.ecosystem,
        name: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.clone(),
    }
}

/// The directories a merged `/usr` holds (`/lib` is `/usr/lib`).
const MERGED: &[&str] = &["/lib/", "/bin/", "/sbin/", "/lib32/", "/lib64/", "/libx32/"];

/// A path in its `/usr`-merged form: `/lib/x` → `/usr/lib/x` (also
/// `/bin`, `/sbin`, `/lib32`, `/lib64`, `/libx32`).
pub fn usr_merged(path: &str) -> String {
    if MERGED.iter().any(|p| path.starts_with(p)) {
        format!("/usr{path}")
    } else {
        path.to_string()
    }
}

/// The real path of `path` inside `root`, its symlinks resolved as if
/// `root` were `/`: an absolute target is taken inside the root, and `..`
/// never climbs above it. `None` when a part is missing or the chain is
/// too long.
pub fn resolve_inside(root: &Path, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut pending: Vec<String> = path
        .split('/')
        .rev()
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_string)
        .collect();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            parts.pop();
            continue;
        }
        let candidate: PathBuf = std::iter::once(root.to_path_buf())
            .chain(parts.iter().map(PathBuf::from))
            .chain(std::iter::once(PathBuf::from(&part)))
            .collect();
        let meta = std::fs::symlink_metadata(&candidate).ok()?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return None;
            }
            let target = std::fs::read_link(&candidate).ok()?;
            if target.is_absolute() {
                parts.clear();
            }
            for c in target.components().rev() {
                match c {
                    PathPart::Normal(s) => pending.push(s.to_string_lossy().into_owned()),
                    PathPart::ParentDir => pending.push("..".to_string()),
                    _ => {}
                }
            }
            continue;
        }
        parts.push(part);
    }
    Some(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel)
    }

    /// A copy of a fixture root in a temporary directory, where a test
    /// may add symlinks.
    fn copy_root(name: &str) -> tempfile::TempDir {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                let target = to.join(e.file_name());
                if e.file_type().unwrap().is_dir() {
                    copy(&e.path(), &target);
                } else {
                    std::fs::copy(e.path(), &target).unwrap();
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        copy(&fixture(name), dir.path());
        dir
    }

    fn file(path: &str, kind: LoadedKind) -> LoadedFile {
        LoadedFile {
            path: path.into(),
            kind,
            deleted: false,
        }
    }

    #[test]
    fn dpkg_file_lists_name_the_package_and_its_release() {
        let root = copy_root("root-debian");
        let (index, unseen) = OwnerIndex::build(root.path());
        assert!(unseen.is_empty(), "{unseen:?}");
        assert_eq!(index.release(), Some("12"));
        let ssl = index
            .owner("/usr/lib/x86_64-linux-gnu/libssl.so.3")
            .unwrap();
        assert_eq!(ssl.ecosystem, Ecosystem::Debian);
        assert_eq!(
            (ssl.name.as_str(), ssl.version.as_str()),
            ("libssl3", "3.0.15-1~deb12u1")
        );
        assert!(ssl.purl.contains("arch=amd64"), "{}", ssl.purl);
        assert!(ssl.purl.contains("distro=debian-12"), "{}", ssl.purl);
        // Multi-arch: the i386 list belongs to the i386 package.
        let i386 = index.owner("/usr/lib/i386-linux-gnu/libssl.so.3").unwrap();
        assert!(i386.purl.contains("arch=i386"), "{}", i386.purl);
        // /usr merge, both ways: listed under /lib, mapped under /usr/lib;
        // listed under /usr/lib, asked under /lib.
        let z = index
            .owner("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")
            .unwrap();
        assert_eq!(
            (z.name.as_str(), z.version.as_str()),
            ("zlib1g", "1:1.2.13.dfsg-1")
        );
        assert_eq!(
            index
                .owner("/lib/x86_64-linux-gnu/libcrypto.so.3")
                .map(|p| p.name.as_str()),
            Some("libssl3")
        );
        // Directories are not owned; nor are the files of a removed
        // package whose list is left behind.
        assert!(index.owner("/").is_none());
        assert!(index
            .owner("/usr/lib/python3/dist-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so")
            .is_none());

        let loaded = index.describe(&file(
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            LoadedKind::SharedObject,
        ));
        assert_eq!(loaded.release.as_deref(), Some("12"));
        assert!(loaded.components.is_empty());
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let root = copy_root("root-debian");
        let r = root.path();
        std::os::unix::fs::symlink(
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            r.join("opt/libssl-abs.so"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            "../usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
            r.join("opt/libz-rel.so"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../../../../../../etc/os-release", r.join("opt/app/up"))
            .unwrap();
        let (index, _) = OwnerIndex::build(r);
        assert_eq!(index.owner("/opt/libssl-abs.so").unwrap().name, "libssl3");
        assert_eq!(index.owner("/opt/libz-rel.so").unwrap().name, "zlib1g");
        // `..` stops at the root: the link names the root's own file.
        assert_eq!(
            resolve_inside(r, "/opt/app/up").as_deref(),
            Some("/etc/os-release")
        );
        assert_eq!(resolve_inside(r, "/nowhere/x"), None);
        // A loop ends.
        std::os::unix::fs::symlink("loop", r.join("opt/loop")).unwrap();
        assert_eq!(resolve_inside(r, "/opt/loop"), None);
    }

    #[test]
    fn python_extension_modules_belong_to_their_distribution() {
        let root = copy_root("root-debian");
        let (index, _) = OwnerIndex::build(root.path());
        let so =
            "/opt/app/venv/lib/python3.11/site-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so";
        let loaded = index.describe(&file(so, LoadedKind::PythonExtension));
        let p = loaded.package.unwrap();
        assert_eq!(p.ecosystem, Ecosystem::PyPI);
        assert_eq!((p.name.as_str(), p.version.as_str()), ("PyYAML", "6.0.1"));
        assert_eq!(loaded.release, None);
        assert_eq!(
            record_path("\"yaml/odd,name.py\",sha256=aaaa,10").as_deref(),
            Some("yaml/odd,name.py")
        );
        assert_eq!(record_path(""), None);
    }

    #[test]
    fn a_jar_is_its_maven_artifact() {
        let root = copy_root("root-debian");
        std::fs::copy(
            fixture("java/sleeper.jar"),
            root.path().join("opt/app/sleeper.jar"),
        )
        .unwrap();
        let (index, _) = OwnerIndex::build(root.path());
        let loaded = index.describe(&file("/opt/app/sleeper.jar", LoadedKind::Jar));
        let p = loaded.package.unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Maven);
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("org.example:sleeper", "1.0.0")
        );
        assert!(loaded.components.is_empty(), "{:?}", loaded.components);
    }

    #[test]
    fn apk_database_lists_files_by_directory() {
        let root = fixture("root-alpine");
        let (index, unseen) = OwnerIndex::build(&root);
        assert!(unseen.is_empty(), "{unseen:?}");
        assert_eq!(index.release(), Some("v3.20"));
        let musl = index.owner("/lib/ld-musl-x86_64.so.1").unwrap();
        assert_eq!(musl.ecosystem, Ecosystem::Alpine);
        assert_eq!(
            (musl.name.as_str(), musl.version.as_str()),
            ("musl", "1.2.5-r0")
        );
        let ssl = index.owner("/usr/lib/libssl.so.3").unwrap();
        assert_eq!(
            (ssl.name.as_str(), ssl.version.as_str()),
            ("libssl3", "3.3.2-r0")
        );
        assert!(ssl.purl.contains("distro=alpine-3.20.3"), "{}", ssl.purl);
        assert_eq!(index.len(), 3);
    }

    /// An rpm header blob: string tags, then string-array and int32-array
    /// tags (rpm's layout: big-endian index entries, then the data).
    fn rpm_header(
        strings: &[(u32, &str)],
        arrays: &[(u32, &[&str])],
        ints: &[(u32, &[u32])],
    ) -> Vec<u8> {
        let mut index: Vec<[u32; 4]> = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, values) in ints {
            while !data.len().is_multiple_of(4) {
                data.push(0);
            }
            index.push([*tag, 4, data.len() as u32, values.len() as u32]);
            for v in *values {
                data.extend_from_slice(&v.to_be_bytes());
            }
        }
        for (tag, value) in strings {
            index.push([*tag, 6, data.len() as u32, 1]);
            data.extend_from_slice(value.as_bytes());
            data.push(0);
        }
        for (tag, values) in arrays {
            index.push([*tag, 8, data.len() as u32, values.len() as u32]);
            for v in *values {
                data.extend_from_slice(v.as_bytes());
                data.push(0);
            }
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(index.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        for e in index {
            for v in e {
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn rpm_headers_list_files_by_directory() {
        // The database is binary: written at test time into a copy of the
        // fixture root, which holds the release file.
        let root = copy_root("root-rocky");
        std::fs::create_dir_all(root.path().join("var/lib/rpm")).unwrap();
        let conn =
            rusqlite::Connection::open(root.path().join("var/lib/rpm/rpmdb.sqlite")).unwrap();
        conn.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )
        .unwrap();
        let blob = rpm_header(
            &[
                (1000, "openssl-libs"),
                (1001, "3.0.7"),
                (1002, "27.el9"),
                (1022, "x86_64"),
                (1044, "openssl-3.0.7-27.el9.src.rpm"),
            ],
            &[
                (1118, &["/usr/lib64/", "/usr/lib64/engines-3/"]),
                (1117, &["libssl.so.3.0.7", "afalg.so"]),
            ],
            &[(1003, &[1]), (1116, &[0, 1])],
        );
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
            .unwrap();
        drop(conn);
        let (index, unseen) = OwnerIndex::build(root.path());
        assert!(unseen.is_empty(), "{unseen:?}");
        assert_eq!(index.release(), Some("9"));
        let p = index.owner("/usr/lib64/libssl.so.3.0.7").unwrap();
        assert_eq!(p.ecosystem, Ecosystem::RockyLinux);
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("openssl-libs", "1:3.0.7-27.el9")
        );
        // /usr merge: /lib64 is /usr/lib64.
        assert_eq!(
            index.owner("/lib64/engines-3/afalg.so").unwrap().name,
            "openssl-libs"
        );
    }

    #[test]
    fn a_fixture_process_in_a_fixture_root() {
        // A process of a container: its /proc entry from the fixtures, its
        // root filesystem the Debian fixture root.
        let root = copy_root("root-debian");
        let proc = tempfile::tempdir().unwrap();
        let dir = proc.path().join("4242");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(fixture("proc/4242/maps"), dir.join("maps")).unwrap();
        let (index, _) = OwnerIndex::build(root.path());
        let (loaded, unseen) = loaded(proc.path(), 4242, &index).unwrap();
        // No fd directory, no cmdline: nothing unseen, nothing from them.
        assert!(unseen.is_empty(), "{unseen:?}");
        let by_path = |p: &str| loaded.iter().find(|l| l.path == p).unwrap();
        let ssl = by_path("/usr/lib/x86_64-linux-gnu/libssl.so.3");
        assert_eq!(ssl.package.as_ref().unwrap().name, "libssl3");
        let z = by_path("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
        assert!(z.deleted);
        assert_eq!(z.package.as_ref().unwrap().name, "zlib1g");
        let yaml = by_path(
            "/opt/app/venv/lib/python3.11/site-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so",
        );
        assert_eq!(yaml.kind, LoadedKind::PythonExtension);
        assert_eq!(yaml.package.as_ref().unwrap().name, "PyYAML");
        // Not in the root at all: listed, without a package.
        assert_eq!(by_path("/opt/my app/lib/libfoo.so.1").package, None);
    }

    #[test]
    fn a_root_without_databases_is_an_empty_index() {
        let dir = tempfile::tempdir().unwrap();
        let (index, unseen) = OwnerIndex::build(dir.path());
        assert!(unseen.is_empty());
        assert!(index.is_empty());
        assert!(index.os().is_none());
        assert!(index.owner("/usr/bin/x").is_none());
    }

    #[test]
    fn a_malformed_database_is_unseen() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/dpkg")).unwrap();
        std::fs::write(
            dir.path().join("var/lib/dpkg/status"),
            "this is not a stanza\n",
        )
        .unwrap();
        let (_, unseen) = OwnerIndex::build(dir.path());
        assert_eq!(unseen.len(), 1, "{unseen:?}");
        assert!(
            unseen[0].why.contains("var/lib/dpkg/status:1"),
            "{unseen:?}"
        );
    }

    #[test]
    fn the_own_package_of_an_executable_or_archive() {
        let c = |e: Ecosystem, n: &str, v: &str| Component::new(e, n, v);
        // Rust: the root crate (its `direct` is unknown, the others' known).
        let rust = [
            c(Ecosystem::CratesIo, "libc", "0.2.155").direct(Some(false)),
            c(Ecosystem::CratesIo, "ripgrep", "14.1.0"),
            c(Ecosystem::CratesIo, "regex", "1.10.5").direct(Some(true)),
        ];
        assert_eq!(main_component("/usr/bin/rg", &rust, false), Some(1));
        // Go: the module after `stdlib`, unless the main module had no
        // version.
        let go = [
            c(Ecosystem::Go, "stdlib", "1.22.3"),
            c(Ecosystem::Go, "github.com/example/tool", "v1.2.0"),
            c(Ecosystem::Go, "golang.org/x/sys", "v0.20.0"),
        ];
        assert_eq!(main_component("/usr/local/bin/tool", &go, false), Some(1));
        assert_eq!(main_component("/usr/local/bin/tool", &go, true), None);
        // A fat JAR: the artifact the file is named after.
        let jar = [
            c(Ecosystem::Maven, "com.google.guava:guava", "33.0.0-jre"),
            c(Ecosystem::Maven, "org.example:orders-service", "2.4.1"),
        ];
        assert_eq!(
            main_component("/srv/orders-service-2.4.1.jar", &jar, false),
            Some(1)
        );
        assert_eq!(main_component("/srv/app.jar", &jar, false), None);
        assert_eq!(main_component("/srv/app.jar", &jar[..1], false), Some(0));
    }

    #[test]
    fn the_cache_builds_a_root_once() {
        let mut cache = OwnerCache::new();
        let root = fixture("root-alpine");
        let (a, _) = cache.index(&root).unwrap();
        let (b, _) = cache.index(&root.join("lib/..")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(cache.index(&root.join("missing")).is_err());
    }
}
