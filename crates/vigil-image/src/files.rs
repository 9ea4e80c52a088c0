//! The files of a local image source, read in place: a directory, or the
//! entries of an (uncompressed) tar archive, opened by seeking to their
//! data. Nothing is copied.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Files by their path inside the source (`/` separators, no `./`).
pub(crate) enum Files {
    /// A directory (OCI image layout, or an unpacked `docker save`).
    Dir(PathBuf),
    /// A tar archive: where each entry's data starts, and its size.
    Tar {
        path: PathBuf,
        entries: HashMap<String, (u64, u64)>,
    },
}

/// Symlinks followed inside an archive before giving up.
const MAX_LINKS: usize = 8;

impl Files {
    /// Opens a directory or indexes a tar archive.
    pub(crate) fn open(path: &Path) -> Result<Files> {
        let meta = fs_err::metadata(path).map_err(|e| Error::io(path.display(), e))?;
        if meta.is_dir() {
            return Ok(Files::Dir(path.to_path_buf()));
        }
        let shown = path.display().to_string();
        let mut file = fs_err::File::open(path).map_err(|e| Error::io(&shown, e))?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).map_err(|e| Error::io(&shown, e))?;
        if n >= 2 && magic[..2] == [0x1f, 0x8b] {
            return Err(Error::invalid(
                &shown,
                "a gzip-compressed archive: decompress it first (`gunzip`); layers are read in place from an uncompressed archive",
            ));
        }
        file.rewind().map_err(|e| Error::io(&shown, e))?;
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let mut links: HashMap<String, String> = HashMap::new();
        let bad =
            |e: std::io::Error| Error::invalid(&shown, format!("not a readable tar archive: {e}"));
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let name = clean(&String::from_utf8_lossy(&entry.path_bytes()));
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    entries.insert(name, (entry.raw_file_position(), entry.size()));
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    if let Ok(Some(target)) = entry.link_name() {
                        let target = target.to_string_lossy().into_owned();
                        let target = if entry.header().entry_type() == tar::EntryType::Symlink {
                            let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                            clean(&format!("{dir}/{target}"))
                        } else {
                            clean(&target)
                        };
                        links.insert(name, target);
                    }
                }
                _ => {}
            }
        }
        // Old `docker save` archives link a layer used twice to its first
        // copy.
        let mut resolved = Vec::new();
        for (name, mut target) in links.iter().map(|(n, t)| (n.clone(), t.clone())) {
            for _ in 0..MAX_LINKS {
                match links.get(&target) {
                    Some(next) => target = next.clone(),
                    None => break,
                }
            }
            if let Some(place) = entries.get(&target) {
                resolved.push((name, *place));
            }
        }
        entries.extend(resolved);
        Ok(Files::Tar {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Whether the source has a file.
    pub(crate) fn has(&self, name: &str) -> bool {
        match self {
            Files::Dir(dir) => inside(dir, name).is_some_and(|p| p.is_file()),
            Files::Tar { entries, .. } => entries.contains_key(name),
        }
    }

    /// The source as the user named it.
    pub(crate) fn shown(&self) -> String {
        match self {
            Files::Dir(p) | Files::Tar { path: p, .. } => p.display().to_string(),
        }
    }

    /// What a file is called in messages.
    pub(crate) fn shown_file(&self, name: &str) -> String {
        match self {
            Files::Dir(p) => p.join(name).display().to_string(),
            Files::Tar { path, .. } => format!("{}!/{name}", path.display()),
        }
    }

    /// Opens a file as a stream.
    pub(crate) fn open_file(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        let shown = self.shown_file(name);
        let missing = || {
            Error::io(
                &shown,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file in the image"),
            )
        };
        match self {
            Files::Dir(dir) => {
                let path = inside(dir, name).ok_or_else(missing)?;
                let file = fs_err::File::open(path).map_err(|e| Error::io(&shown, e))?;
                Ok(Box::new(file))
            }
            Files::Tar { path, entries } => {
                let (offset, size) = *entries.get(name).ok_or_else(missing)?;
                let mut file = fs_err::File::open(path).map_err(|e| Error::io(&shown, e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| Error::io(&shown, e))?;
                Ok(Box::new(file.take(size)))
            }
        }
    }

    /// Reads a small file (metadata) whole, refusing more than `limit`
    /// bytes.
    pub(crate) fn read_small(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let shown = self.shown_file(name);
        let mut bytes = Vec::new();
        self.open_file(name)?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&shown, e))?;
        if bytes.len() as u64 > limit {
            return Err(Error::invalid(
                shown,
                format!("larger than the {limit}-byte limit for image metadata"),
            ));
        }
        Ok(bytes)
    }
}

/// A path inside `dir` for a name read from image metadata, refusing names
/// that climb out or are absolute.
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    if name.starts_with('/') || name.split('/').any(|p| p == "..") {
        return None;
    }
    Some(dir.join(name))
}

/// `./a//b` → `a/b`; `..` pops (names are keys, never opened on disk).
fn clean(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in name.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}
