//! The agent daemon's spool: the documents the server has not taken yet,
//! one file each, oldest first, bounded in size.
//!
//! A file is named `<sequence>-<full|delta>-<upload id>.json.gz` and holds
//! the gzip-compressed body exactly as it is sent, so a document keeps its
//! idempotency key across retries and restarts. Files are written to a
//! temporary name, synced, then renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What a spooled document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A full snapshot.
    Full,
    /// A delta against the document before it.
    Delta,
}

impl Kind {
    /// The name in file names and logs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::Delta => "delta",
        }
    }
}

/// One spooled document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Its file.
    pub(crate) path: PathBuf,
    /// Its place in the order.
    pub(crate) seq: u64,
    /// Full or delta.
    pub(crate) kind: Kind,
    /// Its upload id (the idempotency key).
    pub(crate) id: String,
    /// Its size in bytes.
    pub(crate) size: u64,
}

/// The spool directory.
#[derive(Debug)]
pub(crate) struct Spool {
    dir: PathBuf,
    max: u64,
    next_seq: u64,
}

/// What a bounded [`Spool::put`] dropped.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// How many documents.
    pub(crate) documents: usize,
    /// Their bytes.
    pub(crate) bytes: u64,
}

fn parse_name(name: &str) -> Option<(u64, Kind, String)> {
    let stem = name.strip_suffix(".json.gz")?;
    let mut parts = stem.splitn(3, '-');
    let seq = parts.next()?.parse().ok()?;
    let kind = match parts.next()? {
        "full" => Kind::Full,
        "delta" => Kind::Delta,
        _ => return None,
    };
    let id = parts.next()?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some((seq, kind, id.to_string()))
}

impl Spool {
    /// Opens (creating) the spool at `dir`, holding at most `max` bytes;
    /// leftovers of an interrupted write are removed.
    pub(crate) fn open(dir: &Path, max: u64) -> Result<Spool> {
        fs_err::create_dir_all(dir).context("creating the spool directory")?;
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            max,
            next_seq: 1,
        };
        for e in fs_err::read_dir(dir)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = fs_err::remove_file(e.path());
            }
        }
        if let Some(last) = spool.entries()?.last() {
            spool.next_seq = last.seq + 1;
        }
        Ok(spool)
    }

    /// The directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Changes the bound (the next [`Spool::put`] applies it).
    pub(crate) fn set_max(&mut self, max: u64) {
        self.max = max;
    }

    /// The documents, oldest first (files of other names are left alone).
    pub(crate) fn entries(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        for e in fs_err::read_dir(&self.dir)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let Some((seq, kind, id)) = parse_name(&name) else {
                continue;
            };
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(Entry {
                path: e.path(),
                seq,
                kind,
                id,
                size,
            });
        }
        out.sort_by_key(|e| e.seq);
        Ok(out)
    }

    /// Whether it holds no document.
    pub(crate) fn is_empty(&self) -> Result<bool> {
        Ok(self.entries()?.is_empty())
    }

    /// Adds a document after the others, durably, then drops the oldest
    /// while the spool is over its bound, and any delta left first (its
    /// base is gone).
    pub(crate) fn put(&mut self, kind: Kind, id: &str, body: &[u8]) -> Result<Dropped> {
        let name = format!("{:016}-{}-{id}.json.gz", self.next_seq, kind.as_str());
        self.next_seq += 1;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(&name);
        {
            let mut f = fs_err::File::create(&tmp)?;
            f.write_all(body)
                .with_context(|| format!("writing {}", tmp.display()))?;
            f.sync_all()
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        fs_err::rename(&tmp, &path)?;
        // The rename itself is durable once the directory is synced.
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.bound()
    }

    fn bound(&self) -> Result<Dropped> {
        let entries = self.entries()?;
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        let mut dropped = Dropped::default();
        let mut iter = entries.iter().peekable();
        while total > self.max {
            let Some(e) = iter.next() else { break };
            self.remove(e)?;
            total -= e.size;
            dropped.documents += 1;
            dropped.bytes += e.size;
        }
        if dropped.documents > 0 {
            while let Some(e) = iter.next_if(|e| e.kind == Kind::Delta) {
                self.remove(e)?;
                dropped.documents += 1;
                dropped.bytes += e.size;
            }
        }
        Ok(dropped)
    }

    /// Reads a document's body.
    pub(crate) fn read(&self, e: &Entry) -> Result<Vec<u8>> {
        Ok(fs_err::read(&e.path)?)
    }

    /// Removes a document (one already gone is no error).
    pub(crate) fn remove(&self, e: &Entry) -> Result<()> {
        match std::fs::remove_file(&e.path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(err).with_context(|| format!("removing {}", e.path.display()))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &Spool) -> Vec<(Kind, String)> {
        s.entries()
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.id))
            .collect()
    }

    #[test]
    fn documents_come_back_oldest_first_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 1 << 20).unwrap();
        for (i, kind) in [Kind::Full, Kind::Delta, Kind::Delta]
            .into_iter()
            .enumerate()
        {
            s.put(kind, &format!("{i:032x}"), format!("doc {i}").as_bytes())
                .unwrap();
        }
        // An interrupted write and a foreign file.
        std::fs::write(
            dir.path().join(".0000000000000009-full-ab.json.gz.tmp"),
            "x",
        )
        .unwrap();
        std::fs::write(dir.path().join("README"), "x").unwrap();
        let mut s = Spool::open(dir.path(), 1 << 20).unwrap();
        assert!(!dir
            .path()
            .join(".0000000000000009-full-ab.json.gz.tmp")
            .exists());
        s.put(Kind::Delta, &format!("{:032x}", 3), b"doc 3")
            .unwrap();
        let entries = s.entries().unwrap();
        assert_eq!(
            ids(&s),
            (0..4)
                .map(|i| (
                    if i == 0 { Kind::Full } else { Kind::Delta },
                    format!("{i:032x}")
                ))
                .collect::<Vec<_>>()
        );
        assert_eq!(s.read(&entries[3]).unwrap(), b"doc 3");
        // Past nine documents the order is still numeric.
        for i in 4..12 {
            s.put(Kind::Full, &format!("{i:032x}"), b"d").unwrap();
        }
        let order: Vec<String> = s.entries().unwrap().into_iter().map(|e| e.id).collect();
        let expected: Vec<String> = (0..12).map(|i| format!("{i:032x}")).collect();
        assert_eq!(order, expected);
        assert!(dir.path().join("README").exists());
        s.remove(&entries[0]).unwrap();
        s.remove(&entries[0]).unwrap();
        assert_eq!(s.entries().unwrap().len(), 11);
    }

    #[test]
    fn over_the_bound_the_oldest_go_and_deltas_without_their_base() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Spool::open(dir.path(), 250).unwrap();
        let body = [7u8; 100];
        assert_eq!(s.put(Kind::Full, "a1", &body).unwrap(), Dropped::default());
        assert_eq!(s.put(Kind::Delta, "a2", &body).unwrap(), Dropped::default());
        // 300 > 250: the full snapshot goes, and the delta based on it.
        let d = s.put(Kind::Full, "b1", &body).unwrap();
        assert_eq!(
            d,
            Dropped {
                documents: 2,
                bytes: 200
            }
        );
        assert_eq!(ids(&s), [(Kind::Full, "b1".to_string())]);
        s.put(Kind::Delta, "b2", &body).unwrap();
        // A document alone over the bound is dropped too.
        s.set_max(50);
        let d = s.put(Kind::Delta, "b3", &body).unwrap();
        assert_eq!(d.documents, 3);
        assert!(s.is_empty().unwrap());
    }
}
