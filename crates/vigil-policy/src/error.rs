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

/// The largest policy input read (an ignore file, a VEX document, a
/// policy, a baseline report: a monorepo's JSON report runs to ~100 MB).
pub(crate) const MAX_INPUT: u64 = 512 * 1024 * 1024;

/// Reads a whole file as UTF-8, refusing one larger than [`MAX_INPUT`].
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, PolicyError> {
    read_text_within(path, MAX_INPUT)
}

fn read_text_within(path: &std::path::Path, limit: u64) -> Result<String, PolicyError> {
    use std::io::Read;
    let read_error = |source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = fs_err::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    file.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() as u64 > limit {
        return Err(PolicyError::invalid(
            path,
            None,
            format!("larger than the {limit}-byte limit for a policy input; not read"),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn inputs_over_the_limit_are_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, "x".repeat(11)).unwrap();
        let err = read_text_within(&path, 10).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("big.json: larger than the 10-byte limit for a policy input; not read"),
            "{err}"
        );
        assert_eq!(read_text_within(&path, 11).unwrap().len(), 11);
        let err = read_text(&dir.path().join("missing.json")).unwrap_err();
        assert!(err.to_string().contains("missing.json"), "{err}");
    }
}
