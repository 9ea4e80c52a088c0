//! What an extractor receives and returns.

use std::io::Read;
use std::path::{Path, PathBuf};

use vigil_model::{Component, Diagnostic, NotChecked};

/// Bytes looked at to decide whether a file is binary.
const SNIFF_LEN: usize = 8 * 1024;

/// An error that makes one file unreadable. The scan reports it as a
/// diagnostic naming the file and goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file (relative to the scan root).
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the limit.
    #[error("{path}: refused: {size} bytes is more than the {limit}-byte limit for a lockfile")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is binary or not UTF-8 where text was expected.
    #[error("{path}: refused: {reason}")]
    NotText {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The file's content is not valid for its format.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Malformed {
        /// The file.
        path: String,
        /// The 1-based line, where known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
}

impl ExtractError {
    /// The file this error is about.
    pub fn path(&self) -> &str {
        match self {
            ExtractError::Io { path, .. }
            | ExtractError::TooLarge { path, .. }
            | ExtractError::NotText { path, .. }
            | ExtractError::Malformed { path, .. } => path,
        }
    }

    /// The line, where known.
    pub fn line(&self) -> Option<u32> {
        match self {
            ExtractError::Malformed { line, .. } => *line,
            _ => None,
        }
    }

    /// The error as a diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let full = self.to_string();
        let prefix_len =
            self.path().len() + self.line().map(|l| l.to_string().len() + 1).unwrap_or(0) + 2;
        let message = full.get(prefix_len..).unwrap_or(&full).to_string();
        Diagnostic::warning(self.path(), self.line(), message)
    }
}

/// What one file yields.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Components found, each with its location.
    pub components: Vec<Component>,
    /// Components that are declared but cannot be checked (an unpinned
    /// requirement, a version that is a range), with the reason.
    pub not_checked: Vec<NotChecked>,
    /// Soft problems in the file that did not stop its reading.
    pub diagnostics: Vec<Diagnostic>,
}

/// One file handed to an extractor.
#[derive(Debug)]
pub struct FileInput<'a> {
    /// The path relative to the scan root, with `/` separators: what
    /// locations and messages name.
    pub rel_path: &'a str,
    /// The path on disk.
    pub path: &'a Path,
    /// The file's text (empty for binary inputs).
    pub contents: &'a str,
    /// The file's bytes (for text inputs, the text's bytes).
    pub bytes: &'a [u8],
    /// The scan root on disk (canonical).
    pub(crate) root: &'a Path,
    /// The size limit for reading related files.
    pub(crate) max_file_size: u64,
    /// How many archives deep this file is (0: a file on disk). Related
    /// files are only read beside files on disk.
    pub(crate) archive_depth: u32,
    /// The limits and running totals of the archive tree this file is in
    /// (shared by every archive nested in the same file on disk); `None`
    /// outside archives.
    pub(crate) archive_budget: Option<&'a crate::archive::ArchiveBudget>,
}

impl<'a> FileInput<'a> {
    /// An input for tests and callers that already hold the text; related
    /// files are looked up beside `path`.
    pub fn new(rel_path: &'a str, path: &'a Path, contents: &'a str, root: &'a Path) -> Self {
        FileInput {
            rel_path,
            path,
            contents,
            bytes: contents.as_bytes(),
            root,
            max_file_size: crate::ScanOptions::default().max_file_size,
            archive_depth: 0,
            archive_budget: None,
        }
    }

    /// A binary input (an executable, an archive) held in memory.
    pub fn binary(rel_path: &'a str, path: &'a Path, bytes: &'a [u8], root: &'a Path) -> Self {
        FileInput {
            rel_path,
            path,
            contents: "",
            bytes,
            root,
            max_file_size: crate::ScanOptions::default().max_file_size,
            archive_depth: 0,
            archive_budget: None,
        }
    }

    /// How many archives deep this file is (0 for a file on disk).
    pub fn archive_depth(&self) -> u32 {
        self.archive_depth
    }

    /// A malformed-content error for this file.
    pub fn malformed(&self, line: Option<u32>, message: impl Into<String>) -> ExtractError {
        ExtractError::Malformed {
            path: self.rel_path.to_string(),
            line,
            message: message.into(),
        }
    }

    /// Reads a file named relative to this file's directory (an included
    /// requirements file, the `package.json` beside a lockfile). Refuses
    /// files outside the scan root and files over the size limit.
    ///
    /// Returns the related file's path relative to the scan root and its
    /// text.
    pub fn read_related(&self, relative: &str) -> Result<(String, String), ExtractError> {
        if self.archive_depth > 0 {
            return Err(ExtractError::NotText {
                path: self.rel_path.to_string(),
                reason: format!("`{relative}` is not read beside a file inside an archive"),
            });
        }
        let dir = self.path.parent().unwrap_or(self.root);
        let target = dir.join(relative);
        let shown = rel_to_root(self.root, &target);
        let canonical = std::fs::canonicalize(&target).map_err(|e| ExtractError::Io {
            path: shown.clone(),
            source: e,
        })?;
        if !canonical.starts_with(self.root) {
            return Err(ExtractError::NotText {
                path: shown,
                reason: "it is outside the scan root".to_string(),
            });
        }
        let shown = rel_to_root(self.root, &canonical);
        let text = read_text(&canonical, &shown, self.max_file_size)?;
        Ok((shown, text))
    }
}

/// The path of `path` relative to `root` with `/` separators (or the whole
/// path when it is not below the root).
pub(crate) fn rel_to_root(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Reads a text file with limits: refuses files over `limit` bytes and files
/// that look binary without reading them whole; never reads more than
/// `limit` bytes even when the file grows meanwhile.
pub(crate) fn read_text(path: &Path, shown: &str, limit: u64) -> Result<String, ExtractError> {
    let io = |source: std::io::Error| ExtractError::Io {
        path: shown.to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(ExtractError::TooLarge {
            path: shown.to_string(),
            size,
            limit,
        });
    }
    let mut buf = Vec::with_capacity(size as usize);
    let mut reader = file.take(limit + 1);
    let mut sniff = vec![0u8; SNIFF_LEN];
    let n = read_full(&mut reader, &mut sniff).map_err(io)?;
    if sniff[..n].contains(&0) {
        return Err(ExtractError::NotText {
            path: shown.to_string(),
            reason: "it looks like a binary file (it contains NUL bytes)".to_string(),
        });
    }
    buf.extend_from_slice(&sniff[..n]);
    reader.read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > limit {
        return Err(ExtractError::TooLarge {
            path: shown.to_string(),
            size: buf.len() as u64,
            limit,
        });
    }
    let mut text = String::from_utf8(buf).map_err(|e| ExtractError::NotText {
        path: shown.to_string(),
        reason: format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

/// Reads a binary file with a size limit, never more than `limit` bytes.
pub(crate) fn read_bytes(path: &Path, shown: &str, limit: u64) -> Result<Vec<u8>, ExtractError> {
    let io = |source: std::io::Error| ExtractError::Io {
        path: shown.to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(ExtractError::TooLarge {
            path: shown.to_string(),
            size,
            limit,
        });
    }
    let mut buf = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > limit {
        return Err(ExtractError::TooLarge {
            path: shown.to_string(),
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

/// The first `n` bytes of a file (fewer when it is shorter).
pub(crate) fn read_head(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; n];
    let got = read_full(&mut file, &mut buf)?;
    buf.truncate(got);
    Ok(buf)
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_binary_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("Cargo.lock");
        std::fs::write(&bin, b"[[package]]\0\x01\x02").unwrap();
        let err = read_text(&bin, "Cargo.lock", 1 << 20).unwrap_err();
        assert!(
            err.to_string()
                .contains("Cargo.lock: refused: it looks like a binary file"),
            "{err}"
        );
        std::fs::write(&bin, vec![b'a'; 100]).unwrap();
        let err = read_text(&bin, "Cargo.lock", 10).unwrap_err();
        assert!(
            matches!(
                err,
                ExtractError::TooLarge {
                    size: 100,
                    limit: 10,
                    ..
                }
            ),
            "{err}"
        );
        std::fs::write(&bin, b"\xef\xbb\xbfok").unwrap();
        assert_eq!(read_text(&bin, "Cargo.lock", 10).unwrap(), "ok");
        std::fs::write(&bin, b"bad \xff utf8").unwrap();
        let err = read_text(&bin, "Cargo.lock", 100).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }

    #[test]
    fn diagnostics_keep_path_and_line_apart() {
        let e = ExtractError::Malformed {
            path: "a/go.mod".into(),
            line: Some(7),
            message: "bad require".into(),
        };
        assert_eq!(e.to_string(), "a/go.mod:7: bad require");
        let d = e.to_diagnostic();
        assert_eq!(d.message, "bad require");
        assert_eq!(d.to_string(), "a/go.mod:7: bad require");
    }
}
