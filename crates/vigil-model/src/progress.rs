//! Progress of long operations (downloads, imports, walks): libraries
//! report through [`Progress`], and only the binary decides whether and
//! how to draw it. Libraries never print.

use std::sync::Arc;

/// What a phase counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Files, layers, records.
    Items,
    /// Bytes (a download).
    Bytes,
    /// Nothing counted: a step that takes a while (an import).
    Step,
}

/// Receives the progress of a long operation. Every method has a default
/// that does nothing.
pub trait Progress: Send + Sync {
    /// A phase starts: what it does, what it counts, and how many when
    /// known.
    fn start(&self, _message: &str, _unit: Unit, _total: Option<u64>) {}
    /// `n` more done in the current phase.
    fn advance(&self, _n: u64) {}
    /// The current phase is over.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A shared [`Progress`] to put in options structs: cloneable, debuggable,
/// and silent by default.
#[derive(Clone)]
pub struct ProgressHandle(Arc<dyn Progress>);

impl ProgressHandle {
    /// Wraps a receiver.
    pub fn new(progress: Arc<dyn Progress>) -> ProgressHandle {
        ProgressHandle(progress)
    }
}

impl Default for ProgressHandle {
    fn default() -> Self {
        ProgressHandle(Arc::new(NoProgress))
    }
}

impl std::fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHandle")
    }
}

impl std::ops::Deref for ProgressHandle {
    type Target = dyn Progress;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// A reader that reports the bytes it reads.
#[derive(Debug)]
pub struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a ProgressHandle,
}

impl<'a, R> ProgressReader<'a, R> {
    /// Reports `inner`'s bytes to `progress`.
    pub fn new(inner: R, progress: &'a ProgressHandle) -> Self {
        ProgressReader { inner, progress }
    }
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[derive(Default)]
    struct Count(AtomicU64);
    impl Progress for Count {
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
    }

    #[test]
    fn reader_reports_every_byte() {
        let count = Arc::new(Count::default());
        let handle = ProgressHandle::new(count.clone());
        let mut out = Vec::new();
        ProgressReader::new(&[7u8; 10_000][..], &handle)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 10_000);
        assert_eq!(count.0.load(Ordering::Relaxed), 10_000);
    }
}
