//! Errors of the advisory database.

use std::path::PathBuf;

/// An error of the advisory database. Each variant names the file, archive,
/// URL or database it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An archive is corrupt or not a zip file.
    #[error("{name}: corrupt archive: {message}")]
    Archive {
        /// The archive (path or URL).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A file is not an OSV record, a directory of them, an archive or a
    /// KEV catalogue.
    #[error("{name}: {message}")]
    Input {
        /// The file.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The embedded store failed.
    #[error("advisory database {}: {source}", path.display())]
    Store {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer vigil.
    #[error("advisory database {}: schema version {found} is newer than this vigil understands ({supported}); update vigil or remove the database", path.display())]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: i64,
        /// The version this build writes.
        supported: i64,
    },
    /// A download failed.
    #[error("{url}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
