//! Errors that stop an image scan. Problems inside layers are diagnostics,
//! not errors: the scan goes on past them.

/// An error naming the image, file, URL or blob it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file of the image source could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A blob's content does not have the digest it is named by.
    #[error("{image}: {what} has digest {actual}, not the {expected} the image names: the blob is corrupt or was tampered with")]
    DigestMismatch {
        /// The image.
        image: String,
        /// Which blob (`layer 2`, `the config`, `the manifest`).
        what: String,
        /// The digest the image names.
        expected: String,
        /// The digest of what was read.
        actual: String,
    },
    /// The image's metadata is not what the format requires.
    #[error("{image}: {message}")]
    Invalid {
        /// The image, or the file of it.
        image: String,
        /// What is wrong.
        message: String,
    },
    /// The image reference cannot be read.
    #[error("`{reference}` is not an image reference: {message}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// What is wrong.
        message: String,
    },
    /// A registry request failed.
    #[error("{url}: {message}")]
    Registry {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl std::fmt::Display, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_string(),
            source,
        }
    }

    pub(crate) fn invalid(image: impl std::fmt::Display, message: impl Into<String>) -> Error {
        Error::Invalid {
            image: image.to_string(),
            message: message.into(),
        }
    }
}

/// The result of image operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
