//! CRAN (R package) versions, ordered like R's `package_version`.
//!
//! Reference: R's `numeric_version` / `package_version` documentation and
//! `compareVersion`: a version is a sequence of non-negative integers
//! separated by `.` or `-`, which are interchangeable (`1.0-2 == 1.0.2`).
//!
//! Ordering: the integers are compared in turn, numerically and whatever
//! their length (`0.9.13 < 0.9.100`, leading zeros ignored); when one
//! version is a prefix of the other, the shorter is older, so a missing part
//! is smaller than any part, even `0` (`1.8 < 1.8.0`).
//!
//! R itself wants at least two parts for a package version; a single number
//! (`2`) is accepted here, as `numeric_version` and the fixtures accept it.
//! Anything else (letters, empty parts, blanks, more than 256 bytes) is
//! refused. The order is lexicographic on integer lists: total, and `Eq`
//! (same integers) agrees with it.

use super::semver::{Num, MAX_LEN};

/// A parsed CRAN version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// The integers, in order.
    parts: Vec<Num>,
}

impl Version {
    /// Reads integers separated by `.` or `-`.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let parts = s
            .split(['.', '-'])
            .map(|p| Num::from_digits(p).ok_or_else(|| format!("`{p}` is not a number")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Version { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn cmp(a: &str, b: &str) -> Ordering {
        let p = |s: &str| Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        p(a).cmp(&p(b))
    }

    #[test]
    fn ordering() {
        assert_eq!(cmp("1.0-2", "1.0.2"), Ordering::Equal);
        assert_eq!(cmp("1.8", "1.8.0"), Ordering::Less);
        assert_eq!(cmp("0.9.13", "0.9.100"), Ordering::Less);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("2", "1.9"), Ordering::Greater);
        let big = "9".repeat(100);
        assert_eq!(
            cmp(&format!("{big}1"), &format!("{big}.1")),
            Ordering::Greater
        );
    }

    #[test]
    fn malformed() {
        for bad in [
            "", "1.", ".1", "1..2", "1.0a", "v1.0", "1.0 ", "1_0", "1.-2", "-1",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
