//! Hackage (Haskell) versions, ordered like `Data.Version`.
//!
//! Reference: base's `Data.Version` (`showVersion`/`parseVersion` and the
//! derived `Ord` on `versionBranch`) and Cabal's package versions, which are
//! dot-separated non-negative integers (`1.2.0.4`).
//!
//! Ordering: lexicographic on the list of integers, compared numerically
//! whatever their length; a version that is a prefix of another is older
//! (`0.1.0 < 0.1.0.0`). Leading zeros are read as `Data.Version` reads them
//! (`01 == 1`). Tags (`1.0-foo`, deprecated in base), letters, empty parts,
//! blanks and strings over 256 bytes are refused. The order is total and
//! `Eq` (same integers) agrees with it.

use super::semver::{Num, MAX_LEN};

/// A parsed Hackage version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// `versionBranch`.
    branch: Vec<Num>,
}

impl Version {
    /// Reads dot-separated integers.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let branch = s
            .split('.')
            .map(|p| Num::from_digits(p).ok_or_else(|| format!("`{p}` is not a number")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Version { branch })
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
        assert_eq!(cmp("0.1.0", "0.1.0.0"), Ordering::Less);
        assert_eq!(cmp("0.1.0", "0.0.1.0"), Ordering::Greater);
        assert_eq!(cmp("1.10", "1.9"), Ordering::Greater);
        assert_eq!(cmp("01.2", "1.2"), Ordering::Equal);
        let big = "9".repeat(100);
        assert_eq!(cmp(&big, &format!("1{big}")), Ordering::Less);
    }

    #[test]
    fn malformed() {
        for bad in ["", "1.", ".1", "1..2", "1.0-foo", "1.0a", "v1", " 1", "1-2"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
