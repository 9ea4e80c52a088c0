//! The error for a vector that cannot be read or scored.

use crate::CvssVersion;

/// Why a CVSS vector string was rejected. Every message names the vector
/// (shortened when very long, with control characters escaped, since
/// vectors come from untrusted advisory data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CvssError {
    /// The string is empty or only whitespace.
    #[error("empty CVSS vector `{}`", shown(vector))]
    Empty {
        /// The string as given.
        vector: String,
    },
    /// The string has no `CVSS:x.y/` prefix and is not a CVSS v2 vector.
    #[error(
        "`{}` is not a CVSS vector (expected a `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/` \
         prefix, or a CVSS v2.0 vector like `AV:N/AC:L/Au:N/C:P/I:P/A:P`)",
        shown(vector)
    )]
    NotAVector {
        /// The vector, trimmed.
        vector: String,
    },
    /// The `CVSS:x.y/` prefix names a version this crate does not know.
    #[error(
        "CVSS vector `{}` has unsupported version `{}` (supported: 2.0, 3.0, 3.1, 4.0)",
        shown(vector),
        shown(version)
    )]
    UnsupportedVersion {
        /// The vector, trimmed.
        vector: String,
        /// The version as written after `CVSS:`.
        version: String,
    },
    /// A `/`-separated part is not of the form `METRIC:VALUE`.
    #[error(
        "CVSS vector `{}` has a malformed part `{}` (expected `METRIC:VALUE`)",
        shown(vector),
        shown(component)
    )]
    MalformedComponent {
        /// The vector, trimmed.
        vector: String,
        /// The offending part (empty for `//` or a trailing `/`).
        component: String,
    },
    /// A metric name that the vector's version does not define.
    #[error(
        "CVSS {version} vector `{}` has an unknown metric `{}`",
        shown(vector),
        shown(metric)
    )]
    UnknownMetric {
        /// The vector, trimmed.
        vector: String,
        /// The vector's version.
        version: CvssVersion,
        /// The unknown metric name.
        metric: String,
    },
    /// A metric appears more than once.
    #[error(
        "CVSS {version} vector `{}` gives metric `{metric}` more than once",
        shown(vector)
    )]
    DuplicateMetric {
        /// The vector, trimmed.
        vector: String,
        /// The vector's version.
        version: CvssVersion,
        /// The repeated metric.
        metric: String,
    },
    /// A value that the metric does not allow.
    #[error(
        "CVSS {version} vector `{}` has an invalid value `{}` for metric `{metric}`",
        shown(vector),
        shown(value)
    )]
    InvalidValue {
        /// The vector, trimmed.
        vector: String,
        /// The vector's version.
        version: CvssVersion,
        /// The metric.
        metric: String,
        /// The value given for it.
        value: String,
    },
    /// A mandatory base metric is absent.
    #[error(
        "CVSS {version} vector `{}` lacks the base metric `{metric}`",
        shown(vector)
    )]
    MissingMetric {
        /// The vector, trimmed.
        vector: String,
        /// The vector's version.
        version: CvssVersion,
        /// The first missing base metric.
        metric: String,
    },
    /// The vector passed every check but the scoring library refused it.
    /// This is a bug in vigil, reported rather than hidden.
    #[error(
        "CVSS {version} vector `{}` could not be scored: {reason}",
        shown(vector)
    )]
    Unscorable {
        /// The vector, trimmed.
        vector: String,
        /// The vector's version.
        version: CvssVersion,
        /// What the scoring library said.
        reason: String,
    },
}

impl CvssError {
    /// The vector the error is about: as given for [`CvssError::Empty`],
    /// trimmed otherwise.
    pub fn vector(&self) -> &str {
        match self {
            CvssError::Empty { vector }
            | CvssError::NotAVector { vector }
            | CvssError::UnsupportedVersion { vector, .. }
            | CvssError::MalformedComponent { vector, .. }
            | CvssError::UnknownMetric { vector, .. }
            | CvssError::DuplicateMetric { vector, .. }
            | CvssError::InvalidValue { vector, .. }
            | CvssError::MissingMetric { vector, .. }
            | CvssError::Unscorable { vector, .. } => vector,
        }
    }
}

/// The longest part of an untrusted string that a message repeats.
const SHOWN_CHARS: usize = 160;

/// An untrusted string made safe to print: control characters escaped and
/// anything past [`SHOWN_CHARS`] characters cut off with an ellipsis.
fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(SHOWN_CHARS + 8));
    for (n, c) in s.chars().enumerate() {
        if n == SHOWN_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_control_characters_are_made_safe() {
        assert_eq!(shown("a\nb\u{1b}"), "a\\nb\\u{1b}");
        let long = "x".repeat(1000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shown("AV:N/ünï"), "AV:N/ünï");
    }

    #[test]
    fn vector_accessor_returns_the_vector() {
        let e = CvssError::MissingMetric {
            vector: "CVSS:3.1/AV:N".into(),
            version: CvssVersion::V3_1,
            metric: "AC".into(),
        };
        assert_eq!(e.vector(), "CVSS:3.1/AV:N");
        assert_eq!(
            e.to_string(),
            "CVSS 3.1 vector `CVSS:3.1/AV:N` lacks the base metric `AC`"
        );
    }
}
