//! NuGet package versions, as ordered by NuGet's `NuGetVersion` and
//! `VersionComparer` (NuGet documentation, "Package versioning": version
//! basics, pre-release versions, SemVer 2.0.0 support and normalization).
//!
//! Rules:
//!
//! - `Major[.Minor[.Patch[.Revision]]]`: one to four numeric parts; missing
//!   parts are zero, so `1.0 == 1.0.0.0`. Leading zeros are allowed and
//!   insignificant (`1.0.01 == 1.0.1`). Numbers of any size compare
//!   correctly (they are kept as digit strings).
//! - An optional pre-release after `-`: dot-separated labels of
//!   `[0-9A-Za-z-]`. A version with a pre-release sorts before the same
//!   version without one. Labels compare one by one: both numeric →
//!   numerically; a numeric label sorts before a non-numeric one; otherwise
//!   case-insensitively (ordinal). A shorter label list sorts first when the
//!   longer one starts with it.
//! - Optional metadata after `+` is checked for syntax and ignored.
//!
//! Deviation: NuGet reads numeric labels as 32-bit integers and compares
//! larger ones as text; here every all-digit label compares numerically.

use std::cmp::Ordering;

use super::semver::{trim_zeros, Num, MAX_LEN};

/// A pre-release label in NuGet's order: numeric labels first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    /// All digits: compared numerically.
    Numeric(Num),
    /// Anything else, lowercased: compared ordinally.
    Text(String),
}

/// A parsed NuGet version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// The numeric parts without trailing zeros.
    release: Vec<Num>,
    /// The pre-release labels; empty for a release.
    pre: Vec<Label>,
}

/// Checks a dot-separated list of `[0-9A-Za-z-]` identifiers.
fn check_idents<'a>(s: &'a str, what: &str) -> Result<Vec<&'a str>, String> {
    s.split('.')
        .map(|id| {
            if id.is_empty() {
                Err(format!("empty {what} label"))
            } else if let Some(c) = id
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                Err(format!("character `{c}` is not allowed in the {what}"))
            } else {
                Ok(id)
            }
        })
        .collect()
}

impl Version {
    /// Parses a NuGet version.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        if s.is_empty() {
            return Err("empty version".to_string());
        }
        let rest = match s.split_once('+') {
            Some((rest, metadata)) => {
                check_idents(metadata, "metadata")?;
                rest
            }
            None => s,
        };
        let (numbers, pre) = match rest.split_once('-') {
            Some((numbers, pre)) => (numbers, check_idents(pre, "pre-release")?),
            None => (rest, Vec::new()),
        };
        let mut release = Vec::new();
        for part in numbers.split('.') {
            release.push(
                Num::from_digits(part)
                    .ok_or_else(|| format!("`{part}` is not a number in `{numbers}`"))?,
            );
        }
        if release.len() > 4 {
            return Err(format!(
                "{} numeric parts, at most 4 allowed",
                release.len()
            ));
        }
        let pre = pre
            .into_iter()
            .map(|label| match Num::from_digits(label) {
                Some(n) => Label::Numeric(n),
                None => Label::Text(label.to_ascii_lowercase()),
            })
            .collect();
        Ok(Version {
            release: trim_zeros(release),
            pre,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        super::release_then_pre((&self.release, &self.pre), (&other.release, &other.pre))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        match (Version::parse(a), Version::parse(b)) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            (a, b) => panic!("{a:?} {b:?}"),
        }
    }

    #[test]
    fn missing_parts_and_leading_zeros() {
        assert_eq!(cmp("1", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.0.01", "1.0.1.0"), Ordering::Equal);
        assert_eq!(cmp("1.0.0", "1.0.0.1"), Ordering::Less);
        assert_eq!(cmp("0.9.9.1", "1.0.0"), Ordering::Less);
    }

    #[test]
    fn labels_are_case_insensitive_and_numeric_aware() {
        assert_eq!(cmp("1.0.0-BETA", "1.0.0-beta"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-beta.2", "1.0.0-beta.10"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta.10", "1.0.0-beta.x"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta", "1.0.0-beta.1"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta2", "1.0.0-BETA"), Ordering::Greater);
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0.1-alpha", "1.0.0"), Ordering::Greater);
    }

    #[test]
    fn metadata_is_ignored() {
        assert_eq!(cmp("1.0+test", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-beta+AA", "1.0.0-BETA+bb"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-beta+AA", "1.0.0+aa"), Ordering::Less);
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in [
            "",
            "1.0.0.0.0",
            "v1.0.0",
            "1..0",
            "1.0.",
            "1.0.0-",
            "1.0.0-beta..1",
            "1.0.0-beta_1",
            "1.0.0+",
            "1.0.0+a+b",
            "a.b",
            " 1.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"9".repeat(257)).is_err());
    }
}
