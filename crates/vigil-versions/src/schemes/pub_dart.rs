//! Dart package versions, as ordered by `Version.compareTo` of Dart's
//! `pub_semver` package (the "pub versioning" documentation and SemVer
//! 2.0.0-rc.1, which pub follows).
//!
//! Rules:
//!
//! - `MAJOR.MINOR.PATCH[-pre][+build]`, numbers compared numerically (kept
//!   as digit strings: any size, no overflow).
//! - A version with a pre-release sorts before the same version without one.
//! - Unlike SemVer 2.0.0, build metadata is ordered: after equal pre-releases
//!   a version without build sorts *before* one with a build
//!   (`1.0.0 < 1.0.0+1`), and builds compare like pre-releases.
//! - Pre-release and build lists are split on `.`, and each part that Dart's
//!   `int.tryParse` reads as a 64-bit integer (optional sign, decimal digits,
//!   or `0x` and hex digits) is a number: `05 == 5`. Numbers sort before
//!   strings, numbers compare numerically, strings by code unit order (so
//!   case matters: `Foo < foo`), and a missing part sorts first.
//!
//! Like the SemVer scheme, and as the shared fixtures require, a leading `v`,
//! fewer than three numeric parts (missing ones are zero) and more than three
//! (compared after the patch number) are accepted. Leading zeros in the
//! numeric parts are refused.

use std::cmp::Ordering;

use super::semver::{trim_zeros, Grammar, Num, Parsed};

/// pub's grammar: strict numeric parts, lenient identifiers.
const GRAMMAR: Grammar = Grammar {
    lenient_prefix: false,
    pre_leading_zeros: true,
};

/// One part of a pre-release or build, as `pub_semver` splits them. The
/// variant order is pub's: numbers before strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A part Dart's `int.tryParse` accepts.
    Int(i64),
    /// Any other part, compared by code unit (ASCII here) order.
    Text(String),
}

/// Reads a part as Dart's `int.tryParse(part)` would: an optional sign, then
/// decimal digits or `0x` and hex digits, within 64 bits.
fn dart_int(part: &str) -> Option<i64> {
    let (negative, digits) = if let Some(rest) = part.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = part.strip_prefix('+') {
        (false, rest)
    } else {
        (false, part)
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Parse with the sign attached so that i64::MIN is representable.
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    i64::from_str_radix(&signed, radix).ok()
}

/// Splits pre-release or build identifiers into pub's parts.
fn parts(idents: &[&str]) -> Vec<Part> {
    idents
        .iter()
        .map(|id| match dart_int(id) {
            Some(n) => Part::Int(n),
            None => Part::Text((*id).to_string()),
        })
        .collect()
}

/// A parsed Pub version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// Numeric parts without trailing zeros.
    release: Vec<Num>,
    /// Pre-release parts; empty for a release.
    pre: Vec<Part>,
    /// Build parts; empty without a build.
    build: Vec<Part>,
}

impl Version {
    /// Parses a Pub version.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let parsed = Parsed::parse(s, GRAMMAR)?;
        Ok(Version {
            release: trim_zeros(parsed.release),
            pre: parts(&parsed.pre),
            build: parts(&parsed.build),
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        super::release_then_pre((&self.release, &self.pre), (&other.release, &other.pre))
            // No build sorts before a build; an empty list is a prefix of
            // every other, so plain list order says exactly that.
            .then_with(|| self.build.cmp(&other.build))
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
    fn build_is_ordered() {
        let chain = [
            "1.0.0-pre",
            "1.0.0-pre+build",
            "1.0.0",
            "1.0.0+1",
            "1.0.0+2",
            "1.0.0+10",
            "1.0.0+a",
            "1.0.0+a1",
            "1.0.0+b",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1.2.3+9a", "1.2.3+1z"), Ordering::Greater);
    }

    #[test]
    fn dart_integers() {
        assert_eq!(dart_int("05"), Some(5));
        assert_eq!(dart_int("-5"), Some(-5));
        assert_eq!(dart_int("0x1f"), Some(31));
        assert_eq!(dart_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(dart_int("9223372036854775808"), None);
        assert_eq!(dart_int("-"), None);
        assert_eq!(dart_int("0x"), None);
        assert_eq!(dart_int("1a"), None);
        assert_eq!(cmp("1.0.0-05", "1.0.0-5"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-a.-1", "1.0.0-a.0"), Ordering::Less);
        // Too large for an int: a string, after every number.
        assert_eq!(
            cmp("1.0.0-99999999999999999999", "1.0.0-1"),
            Ordering::Greater
        );
    }

    #[test]
    fn case_matters() {
        assert_eq!(cmp("1.2.3-5-Foo", "1.2.3-5-foo"), Ordering::Less);
        assert_eq!(cmp("1.0.0+B", "1.0.0+a"), Ordering::Less);
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in [
            "",
            "v",
            "1.x",
            "01.0.0",
            "1.0.0-",
            "1.0.0+",
            "1.0.0-a..b",
            "1.0.0 ",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
