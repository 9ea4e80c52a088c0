//! Layers applied in order, as streams, into one inventory.
//!
//! A single pass over the layers, base first. Each layer is a tar stream
//! read entry by entry; nothing is written to disk and no entry name is
//! ever resolved on the host: paths are only keys. For each regular file an
//! extractor wants, the file is read into memory (size-limited) and its
//! components extracted; a later layer's file replaces the earlier one's,
//! and a whiteout removes a path with everything below it. What is left at
//! the end is the image's inventory.
//!
//! Hostile entries (`..`, absolute paths, symlinks climbing out of the
//! root, hard links to files the image lacks, devices, a whiteout of the
//! root, files over the size limit) are skipped or contained with a
//! warning naming the layer and the entry; the scan goes on.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use tracing::debug;
use vigil_inventory::{Inventory, ScanOptions};
use vigil_model::{Component, Diagnostic, Ecosystem, LayerRef};

use crate::SecretOptions;

/// Files whose content OS detection reads, as the image's root names them.
pub const OS_RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
];

/// Release files larger than this are not kept.
const MAX_RELEASE_FILE: u64 = 64 * 1024;

/// Executables larger than this are not held in memory whole but read as
/// a stream (see [`Squash::regular`]): peak memory stays bounded whatever
/// the size of an image's executables.
const STREAM_ABOVE: u64 = 64 * 1024 * 1024;

/// Symlinks followed while resolving one path before giving up (a loop).
const MAX_SYMLINK_HOPS: usize = 40;

/// What one file still present yields.
#[derive(Debug, Clone, Default)]
struct Tracked {
    components: Vec<Component>,
    not_checked: Vec<vigil_model::NotChecked>,
    diagnostics: Vec<Diagnostic>,
}

/// The image's tree as layers build it: only what the inventory needs.
#[derive(Debug, Default)]
pub struct Squash {
    options: ScanOptions,
    /// Files an extractor read, by path.
    files: BTreeMap<String, Tracked>,
    /// Every non-directory path present (regular files, links).
    present: BTreeMap<String, ()>,
    /// Symlinks present: path → target as written.
    symlinks: BTreeMap<String, String>,
    /// Contents of small release files (`os-release`, `*-release`,
    /// `debian_version`).
    release_files: BTreeMap<String, Vec<u8>>,
    /// Warnings about layers and entries.
    diagnostics: Vec<Diagnostic>,
    /// Paths the current layer added (whiteouts only hide lower layers).
    added: BTreeMap<String, ()>,
    /// How to look for secrets in every file of every layer, if at all.
    secrets: Option<SecretOptions>,
    /// What the secret scan of the layers found so far.
    secret_scan: vigil_secrets::SecretScan,
    /// The finding fingerprints already reported (the same secret at the
    /// same path, written again by a later layer, is reported once, with
    /// the layer that added it first).
    secret_seen: std::collections::HashSet<String>,
}

impl Squash {
    /// An empty tree; files are read with `options`' limits.
    pub fn new(options: ScanOptions) -> Squash {
        Squash {
            options,
            ..Squash::default()
        }
    }

    /// Also looks for secrets in every regular file of every layer (files
    /// a later layer deletes or replaces included: they stay in the
    /// image's blobs). See [`Squash::take_secrets`].
    pub fn with_secrets(mut self, secrets: SecretOptions) -> Squash {
        self.secrets = Some(secrets);
        self
    }

    /// The secrets found in the layers read so far, each with the layer
    /// that added its file ([`vigil_model::SecretInfo::layer`]); a secret
    /// whose file is gone from the final file system says so in its
    /// message.
    pub fn take_secrets(&mut self) -> vigil_secrets::SecretScan {
        let mut scan = std::mem::take(&mut self.secret_scan);
        for f in &mut scan.findings {
            let file = f.location.path.split("!/").next().unwrap_or_default();
            if !self.present.contains_key(file) {
                f.message = Some(
                    "the file was deleted or replaced by a later layer, but the layer that added it still holds it".to_string(),
                );
            }
        }
        self.secret_seen.clear();
        scan
    }

    /// Scans a file of a layer for secrets (`bytes`: its content, whole),
    /// or the members of an archive.
    fn secrets_in(&mut self, layer: &LayerRef, path: &str, bytes: &[u8]) {
        let Some(secrets) = &self.secrets else {
            return;
        };
        let scanner = &secrets.scanner;
        let (findings, scanned, diagnostics) = if vigil_inventory::is_member_archive(path) {
            let a = vigil_secrets::scan_archive(scanner, path, bytes, secrets.max_file_size);
            (a.findings, a.bytes, a.diagnostics)
        } else {
            match vigil_secrets::scan_content(scanner, path, bytes) {
                Some(f) => (f, bytes.len() as u64, Vec::new()),
                None => return,
            }
        };
        self.secret_scan.files += 1;
        self.secret_scan.bytes += scanned;
        for d in diagnostics {
            self.diagnostics.push(Diagnostic {
                message: format!("in layer {} ({}): {}", layer.index, layer.digest, d.message),
                ..d
            });
        }
        for mut f in findings {
            if !self.secret_seen.insert(f.fingerprint.0.clone()) {
                continue;
            }
            if let Some(info) = &mut f.secret {
                info.layer = Some(layer.clone());
            }
            self.secret_scan.findings.push(f);
        }
    }

    /// Whether a regular file of `size` bytes at `path` is to be scanned
    /// for secrets.
    fn wants_secrets(&self, path: &str, size: u64) -> bool {
        self.secrets.as_ref().is_some_and(|s| {
            size > 0
                && size <= s.max_file_size
                && !vigil_secrets::is_rootfs_noise(path)
                && !s.scanner.rules().allow.allows_path(path)
        })
    }

    /// Applies one layer, given as its uncompressed tar stream. A stream
    /// that breaks off is a warning; what was read of it stays applied.
    pub fn apply_layer<R: Read>(&mut self, layer: &LayerRef, tar_stream: R) {
        self.added.clear();
        let mut archive = tar::Archive::new(tar_stream);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => {
                self.layer_warning(layer, format!("cannot be read as a tar stream: {e}"));
                return;
            }
        };
        let mut last = String::new();
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let after = if last.is_empty() {
                        String::new()
                    } else {
                        format!(" after entry `{last}`")
                    };
                    self.layer_warning(
                        layer,
                        format!("the tar stream breaks off{after}: {e}; the rest of the layer is not read"),
                    );
                    break;
                }
            };
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            self.entry(layer, &raw, &mut entry);
            last = raw;
        }
    }

    pub(crate) fn layer_warning(&mut self, layer: &LayerRef, message: String) {
        self.diagnostics.push(Diagnostic::warning(
            layer.digest.clone(),
            None,
            format!("layer {}: {message}", layer.index),
        ));
    }

    fn entry_warning(&mut self, layer: &LayerRef, raw: &str, message: impl std::fmt::Display) {
        debug!(layer = %layer.digest, entry = raw, "{message}");
        self.diagnostics.push(Diagnostic::warning(
            raw,
            None,
            format!("in layer {} ({}): {message}", layer.index, layer.digest),
        ));
    }

    fn entry<R: Read>(&mut self, layer: &LayerRef, raw: &str, entry: &mut tar::Entry<'_, R>) {
        let path = match normalize(raw) {
            Ok(p) => p,
            Err(why) => {
                self.entry_warning(layer, raw, format!("the entry name {why}: skipped"));
                return;
            }
        };
        if path.is_empty() {
            // The root directory itself.
            return;
        }
        let (parent, name) = split(&path);
        if let Some(hidden) = name.strip_prefix(".wh.") {
            self.whiteout(layer, raw, parent, hidden);
            return;
        }
        use tar::EntryType;
        match entry.header().entry_type() {
            EntryType::Directory => {
                // A directory over a file or link hides it; over a
                // directory it changes nothing: every layer names the
                // directories above what it adds, and the lower layers'
                // files in them stay.
                self.remove_exact(&path, false);
            }
            EntryType::Regular | EntryType::Continuous => self.regular(layer, raw, path, entry),
            EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                if target.is_empty() {
                    self.entry_warning(layer, raw, "a symlink without a target: skipped");
                    return;
                }
                if climbs_out(parent, &target) {
                    self.entry_warning(
                        layer,
                        raw,
                        format!("a symlink to `{target}`, which points outside the image root: it is resolved inside the root, as in a container"),
                    );
                }
                self.replace(&path);
                self.symlinks.insert(path, target);
            }
            EntryType::Link => self.hard_link(layer, raw, path, entry),
            EntryType::Char | EntryType::Block => {
                self.entry_warning(layer, raw, "a device file: skipped");
            }
            other => debug!(entry = raw, kind = ?other, "entry skipped"),
        }
    }

    /// `.wh.<name>` deletes `parent/<name>`; `.wh..wh..opq` empties
    /// `parent`. Both only hide what lower layers put there.
    fn whiteout(&mut self, layer: &LayerRef, raw: &str, parent: &str, hidden: &str) {
        if hidden == ".wh..opq" {
            if parent.is_empty() {
                self.entry_warning(
                    layer,
                    raw,
                    "an opaque whiteout of the image root (it would delete every lower layer): ignored",
                );
            } else {
                self.remove(parent, true, true);
                // The directory itself stays.
            }
            return;
        }
        if matches!(hidden, "" | "." | "..") {
            self.entry_warning(
                layer,
                raw,
                "a whiteout of the image root or above it: ignored",
            );
            return;
        }
        let target = join(parent, hidden);
        self.remove(&target, true, true);
        self.remove_exact(&target, true);
    }

    /// Removes what is at `path` (unless `subtree_only`) and below it.
    /// `only_lower`: what the current layer added stays.
    fn remove(&mut self, path: &str, subtree_only: bool, only_lower: bool) {
        if !subtree_only {
            self.remove_exact(path, only_lower);
        }
        let lo = format!("{path}/");
        let hi = format!("{path}0");
        let keep = |k: &String| only_lower && self.added.contains_key(k);
        let doomed: Vec<String> = self
            .present
            .range(lo.clone()..hi.clone())
            .map(|(k, _)| k)
            .chain(self.files.range(lo.clone()..hi.clone()).map(|(k, _)| k))
            .chain(self.symlinks.range(lo.clone()..hi.clone()).map(|(k, _)| k))
            .chain(self.release_files.range(lo..hi).map(|(k, _)| k))
            .filter(|k| !keep(k))
            .cloned()
            .collect();
        for k in doomed {
            self.remove_exact(&k, false);
        }
    }

    fn remove_exact(&mut self, path: &str, only_lower: bool) {
        if only_lower && self.added.contains_key(path) {
            return;
        }
        self.present.remove(path);
        self.files.remove(path);
        self.symlinks.remove(path);
        self.release_files.remove(path);
    }

    /// A new non-directory entry at `path`: whatever was there, and below
    /// it, goes.
    fn replace(&mut self, path: &str) {
        self.remove(path, false, false);
        self.present.insert(path.to_string(), ());
        self.added.insert(path.to_string(), ());
    }

    fn regular<R: Read>(
        &mut self,
        layer: &LayerRef,
        raw: &str,
        path: String,
        entry: &mut tar::Entry<'_, R>,
    ) {
        let size = entry.size();
        let mode = entry.header().mode().unwrap_or(0);
        let name = split(&path).1;
        let by_name = vigil_inventory::claims_path(&path);
        let maybe_program = !by_name
            && size > 0
            && (mode & 0o111 != 0 || vigil_inventory::has_binary_extension(name));
        let release = is_release_file(name) && size <= MAX_RELEASE_FILE;
        // The previous version of the file, for layer attribution.
        let previous = self.files.get(&path).cloned();
        self.replace(&path);
        let secrets = self.wants_secrets(&path, size);
        if !by_name && !maybe_program && !release && !secrets {
            return;
        }
        // For secrets, the file is read first: its first bytes tell a
        // binary file (read no further, unless it is an archive), a text
        // file is read whole (within the secret scan's size limit). What
        // was read is then read again, from memory, by what follows.
        let mut prefix = Vec::new();
        if secrets {
            let archive = vigil_inventory::is_member_archive(&path);
            let sniff = if archive {
                size
            } else {
                vigil_secrets::BINARY_SNIFF as u64
            };
            if let Err(e) = entry.by_ref().take(sniff).read_to_end(&mut prefix) {
                self.entry_warning(layer, raw, format!("cannot be read: {e}"));
                return;
            }
            if !archive && !vigil_secrets::is_binary(&prefix) {
                if let Err(e) = entry.by_ref().take(size).read_to_end(&mut prefix) {
                    self.entry_warning(layer, raw, format!("cannot be read: {e}"));
                    return;
                }
            }
            self.secrets_in(layer, &path, &prefix);
            if !by_name && !maybe_program && !release {
                return;
            }
        }
        let mut entry = std::io::Cursor::new(prefix).chain(entry.by_ref());
        let limit = self.options.max_binary_size.max(self.options.max_file_size);
        let mut bytes = Vec::new();
        let mut sniffed = false;
        if maybe_program {
            let mut head = Vec::with_capacity(vigil_inventory::SNIFF_HEAD);
            if let Err(e) = entry
                .by_ref()
                .take(vigil_inventory::SNIFF_HEAD as u64)
                .read_to_end(&mut head)
            {
                self.entry_warning(layer, raw, format!("cannot be read: {e}"));
                return;
            }
            sniffed = vigil_inventory::claims_head(&head);
            if !sniffed && !release {
                return;
            }
            bytes = head;
        }
        let wanted = by_name || sniffed;
        if sniffed && !by_name && size > STREAM_ABOVE {
            // Too large to hold: read as a stream for Go build information
            // (the usual large executable), so memory stays bounded
            // whatever the file's size.
            let head = std::mem::take(&mut bytes);
            let stream = std::io::Cursor::new(head).chain(entry.by_ref());
            let results = match vigil_inventory::extractors::go::binary::extract_from_stream(
                &path, stream,
            ) {
                Ok(Some(x)) => vec![Ok(x)],
                Ok(None) => {
                    debug!(
                        path,
                        size,
                        "a large executable with no Go build information; cargo-auditable data is only read from executables held whole"
                    );
                    Vec::new()
                }
                Err(e) => vec![Err(e)],
            };
            let tracked = attribute(layer, results, previous.as_ref());
            self.files.insert(path, tracked);
            return;
        }
        if wanted && size > limit {
            self.entry_warning(
                layer,
                raw,
                format!("{size} bytes is more than the {limit}-byte limit for a file read from an image: not read"),
            );
            return;
        }
        bytes.reserve(
            usize::try_from(size)
                .unwrap_or(0)
                .saturating_sub(bytes.len()),
        );
        if let Err(e) = entry.by_ref().take(limit).read_to_end(&mut bytes) {
            self.entry_warning(layer, raw, format!("cannot be read: {e}"));
            return;
        }
        if release {
            self.release_files.insert(path.clone(), bytes.clone());
        }
        if !wanted {
            return;
        }
        let tracked = self.extract(layer, &path, &bytes, previous.as_ref());
        self.files.insert(path, tracked);
    }

    fn extract(
        &self,
        layer: &LayerRef,
        path: &str,
        bytes: &[u8],
        previous: Option<&Tracked>,
    ) -> Tracked {
        let results = vigil_inventory::extract_detached(path, bytes, &self.options);
        attribute(layer, results, previous)
    }

    fn hard_link<R: Read>(
        &mut self,
        layer: &LayerRef,
        raw: &str,
        path: String,
        entry: &tar::Entry<'_, R>,
    ) {
        let target_raw = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        let target = match normalize(&target_raw) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => {
                self.entry_warning(layer, raw, "a hard link to the image root: skipped");
                return;
            }
            Err(why) => {
                self.entry_warning(
                    layer,
                    raw,
                    format!("a hard link to `{target_raw}`, which {why}: skipped"),
                );
                return;
            }
        };
        if target == path {
            return;
        }
        if !self.present.contains_key(&target) {
            self.entry_warning(
                layer,
                raw,
                format!("a hard link to `{target}`, which the image does not contain: skipped"),
            );
            return;
        }
        let tracked = self.files.get(&target).cloned();
        let symlink = self.symlinks.get(&target).cloned();
        let release = self.release_files.get(&target).cloned();
        self.replace(&path);
        if let Some(mut t) = tracked {
            relocate(&mut t, &target, &path);
            self.files.insert(path.clone(), t);
        }
        if let Some(s) = symlink {
            self.symlinks.insert(path.clone(), s);
        }
        if let Some(r) = release {
            self.release_files.insert(path, r);
        }
    }

    /// Resolves `path` inside the image root through the symlinks present:
    /// absolute targets start again at the image root, and `..` never
    /// climbs above it. `None` for a symlink loop.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut queue: std::collections::VecDeque<String> =
            path.split('/').map(str::to_string).collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = queue.pop_front() {
            match part.as_str() {
                "" | "." => {}
                ".." => {
                    resolved.pop();
                }
                _ => {
                    resolved.push(part);
                    let here = resolved.join("/");
                    if let Some(target) = self.symlinks.get(&here) {
                        hops += 1;
                        if hops > MAX_SYMLINK_HOPS {
                            return None;
                        }
                        resolved.pop();
                        if target.starts_with('/') {
                            resolved.clear();
                        }
                        for p in target.split('/').rev() {
                            queue.push_front(p.to_string());
                        }
                    }
                }
            }
        }
        Some(resolved.join("/"))
    }

    /// The release files OS detection reads ([`OS_RELEASE_FILES`]) that
    /// the image has, each resolved through symlinks inside the image:
    /// `(path as named, content)`.
    pub fn os_release_files(&self) -> Vec<(String, Vec<u8>)> {
        OS_RELEASE_FILES
            .iter()
            .filter_map(|p| {
                let real = self.resolve(p)?;
                let bytes = self.release_files.get(&real)?;
                Some((p.to_string(), bytes.clone()))
            })
            .collect()
    }

    /// The inventory of the files still present.
    pub fn into_inventory(self) -> Inventory {
        let mut inv = Inventory::default();
        for (path, t) in self.files {
            inv.files.push(path);
            inv.components.extend(t.components);
            inv.not_checked.extend(t.not_checked);
            inv.diagnostics.extend(t.diagnostics);
        }
        inv.diagnostics.extend(self.diagnostics);
        inv.components.sort_by(|a, b| {
            (&a.locations, a.ecosystem, &a.name, &a.version).cmp(&(
                &b.locations,
                b.ecosystem,
                &b.name,
                &b.version,
            ))
        });
        inv.components.dedup();
        inv.not_checked.sort();
        inv.not_checked.dedup();
        inv.diagnostics.sort();
        inv.diagnostics.dedup();
        inv
    }
}

/// Moves a tracked file's findings from one path to another (a hard link).
fn relocate(t: &mut Tracked, from: &str, to: &str) {
    for c in &mut t.components {
        for l in &mut c.locations {
            if l.path == from {
                l.path = to.to_string();
            }
        }
    }
    for n in &mut t.not_checked {
        if n.location.path == from {
            n.location.path = to.to_string();
        }
    }
    for d in &mut t.diagnostics {
        if d.path.as_deref() == Some(from) {
            d.path = Some(to.to_string());
        }
    }
}

/// An entry name as a path relative to the image root (`./usr/bin` →
/// `usr/bin`), or why it is refused. The root itself may be named `/`
/// (as `umoci insert` writes it).
fn normalize(raw: &str) -> Result<String, &'static str> {
    if raw.split('/').all(|p| p.is_empty() || p == ".") {
        return Ok(String::new());
    }
    if raw.starts_with('/') {
        return Err("is an absolute path");
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out of the image root (`..`)"),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

/// Whether a relative symlink target climbs above the root from the
/// directory `parent`.
fn climbs_out(parent: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth: i64 = parent.split('/').filter(|p| !p.is_empty()).count() as i64;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// Whether a file name is one OS detection may read.
fn is_release_file(name: &str) -> bool {
    name == "os-release" || name.ends_with("-release") || name == "debian_version"
}

#[cfg(test)]
#[path = "squash_tests.rs"]
mod tests;

/// The components of one version of a file, each with the layer that
/// introduced it: a component the previous version of the file already had
/// keeps that one's layer (a package database rewritten by every layer
/// that installs something).
fn attribute(
    layer: &LayerRef,
    results: Vec<Result<vigil_inventory::Extracted, vigil_inventory::ExtractError>>,
    previous: Option<&Tracked>,
) -> Tracked {
    let mut earlier: HashMap<(Ecosystem, &str, &str), &LayerRef> = HashMap::new();
    for c in previous.map(|p| p.components.as_slice()).unwrap_or(&[]) {
        if let Some(l) = &c.layer {
            earlier.insert((c.ecosystem, c.name.as_str(), c.version.as_str()), l);
        }
    }
    let mut tracked = Tracked::default();
    for result in results {
        match result {
            Ok(x) => {
                tracked.components.extend(x.components);
                tracked.not_checked.extend(x.not_checked);
                tracked.diagnostics.extend(x.diagnostics);
            }
            Err(e) => tracked.diagnostics.push(e.to_diagnostic()),
        }
    }
    for c in &mut tracked.components {
        let from = earlier
            .get(&(c.ecosystem, c.name.as_str(), c.version.as_str()))
            .map(|l| (*l).clone());
        c.layer = Some(from.unwrap_or_else(|| layer.clone()));
    }
    tracked
}
