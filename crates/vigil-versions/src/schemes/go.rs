//! Go module versions, as ordered by `golang.org/x/mod/semver` (the Go
//! Modules Reference, "Versions" and "Pseudo-versions").
//!
//! Rules:
//!
//! - A Go version is a SemVer 2.0.0 version with a leading `v`. Go modules
//!   always write the `v`; OSV's Go records (golang/vulndb) leave it out.
//!   Both forms are accepted and mean the same version.
//! - `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`, as in
//!   `x/mod/semver`.
//! - Precedence is SemVer's (numbers numerically, pre-releases before the
//!   release, identifiers compared as SemVer item 11 says).
//! - Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//!   `v1.2.4-0.20191109021931-daa7c04131f5`) are pre-releases and need no
//!   special case: their timestamps order them among themselves and before
//!   the release they precede.
//! - Build metadata, including the `+incompatible` suffix of major versions
//!   2 and up without a `go.mod`, is ignored for ordering.
//!
//! Like the SemVer scheme, more than three numeric parts are accepted and
//! compared after the patch number (the shared fixtures contain them);
//! leading zeros are refused, as `x/mod/semver` refuses them.

use std::cmp::Ordering;

use super::semver::{Grammar, Parsed};

/// Go's grammar: no whitespace or `=`, strict numeric identifiers.
const GRAMMAR: Grammar = Grammar {
    lenient_prefix: false,
    pre_leading_zeros: false,
};

/// A parsed Go module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version(super::semver::Version);

impl Version {
    /// Parses a Go module version, with or without its leading `v`.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let parsed = Parsed::parse(s, GRAMMAR)?;
        Ok(Version(super::semver::Version::from_parsed(&parsed)))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
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
    fn leading_v_is_optional() {
        assert_eq!(cmp("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("v1", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp("v1.2", "v1.2.0"), Ordering::Equal);
        assert_eq!(cmp("0", "v0.0.0"), Ordering::Equal);
    }

    #[test]
    fn pseudo_versions() {
        // A pseudo-version based on no tag sorts before every tagged release.
        assert_eq!(
            cmp("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"),
            Ordering::Less
        );
        // Later commits sort later.
        assert_eq!(
            cmp(
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-000000000000"
            ),
            Ordering::Less
        );
        // A pseudo-version after v1.2.3 sorts between it and v1.2.4.
        let pseudo = "v1.2.4-0.20191109021931-daa7c04131f5";
        assert_eq!(cmp("v1.2.3", pseudo), Ordering::Less);
        assert_eq!(cmp(pseudo, "v1.2.4"), Ordering::Less);
        // ... and after the pre-release it was based on.
        assert_eq!(
            cmp("v1.2.4-pre", "v1.2.4-pre.0.20191109021931-daa7c04131f5"),
            Ordering::Less
        );
    }

    #[test]
    fn incompatible_is_ignored() {
        assert_eq!(cmp("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert_eq!(cmp("v2.0.1+incompatible", "v2.0.0"), Ordering::Greater);
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in [
            "",
            "v",
            "vv1.0.0",
            "V1.0.0",
            " v1.0.0",
            "=1.0.0",
            "v01.0.0",
            "v1.0.0-01",
            "v1.0.0-",
            "v1.0.0+",
            "v1.0.0+in_compatible",
            "latest",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
