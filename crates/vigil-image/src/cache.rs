//! The blob cache: blobs by digest, written only once verified.
//!
//! Layout: `<dir>/sha256/<hex>`. A blob is downloaded to a temporary file
//! in the same directory, its digest checked while it streams, and only
//! then renamed into place: a blob in the cache always has its name's
//! digest (and it is verified again when read). Images sharing base layers
//! download only the layers the cache lacks.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::digest::{Digest, Hashing};
use crate::error::{Error, Result};

/// Blobs by digest under one directory.
#[derive(Debug, Clone)]
pub struct BlobCache {
    dir: PathBuf,
}

impl BlobCache {
    /// A cache rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> BlobCache {
        BlobCache { dir: dir.into() }
    }

    /// Where a blob lives.
    pub fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join("sha256").join(digest.hex())
    }

    /// The blob's file, if cached.
    pub fn get(&self, digest: &Digest) -> Option<PathBuf> {
        let p = self.path(digest);
        p.is_file().then_some(p)
    }

    /// Removes a blob found corrupt.
    pub fn evict(&self, digest: &Digest) {
        let _ = std::fs::remove_file(self.path(digest));
    }

    /// Streams `body` into the cache as `digest`, refusing more than
    /// `limit` bytes and anything whose digest differs; returns its path.
    pub(crate) fn put(
        &self,
        digest: &Digest,
        body: impl Read,
        limit: u64,
        image: &str,
        what: &str,
    ) -> Result<PathBuf> {
        let dir = self.dir.join("sha256");
        fs_err::create_dir_all(&dir).map_err(|e| Error::io(dir.display(), e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(dir.display(), e))?;
        let mut hashing = Hashing::new(body.take(limit.saturating_add(1)));
        std::io::copy(&mut hashing, tmp.as_file_mut()).map_err(|e| Error::Registry {
            url: image.to_string(),
            message: format!("downloading {what} ({digest}) failed: {e}"),
        })?;
        let (actual, bytes, _) = hashing
            .finish()
            .map_err(|e| Error::io(tmp.path().display(), e))?;
        if bytes > limit {
            return Err(Error::invalid(
                image,
                format!("{what} ({digest}) is larger than the {limit} bytes the manifest gives"),
            ));
        }
        digest.check(&actual, image, what)?;
        let path = self.path(digest);
        tmp.persist(&path)
            .map_err(|e| Error::io(path.display(), e.error))?;
        Ok(path)
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_verified_blobs_enter() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::new(dir.path());
        let d = Digest::of(b"layer");
        assert!(cache.get(&d).is_none());
        let err = cache
            .put(&d, &b"other"[..], 100, "img", "layer 0")
            .unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
        assert!(cache.get(&d).is_none());
        let err = cache
            .put(&d, &b"layer"[..], 3, "img", "layer 0")
            .unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        let p = cache.put(&d, &b"layer"[..], 100, "img", "layer 0").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"layer");
        assert_eq!(cache.get(&d), Some(p));
        // No temporary file is left behind.
        assert_eq!(
            std::fs::read_dir(dir.path().join("sha256"))
                .unwrap()
                .count(),
            1
        );
    }
}
