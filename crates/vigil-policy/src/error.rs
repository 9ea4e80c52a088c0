//! The errors of this crate: each names the file or flag at fault.

use std::path::PathBuf;

/// A policy input that could not be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not what it should be.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line, where known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A command-line value is not valid.
    #[error("{flag} `{value}`: {message}")]
    Flag {
        /// The flag (`--deny-license`).
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong.
        message: String,
    },
}

impl PolicyError {
    pub(crate) fn invalid(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        PolicyError::Invalid {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// Reads a whole file as UTF-8.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, PolicyError> {
    fs_err::read_to_string(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    })
}
