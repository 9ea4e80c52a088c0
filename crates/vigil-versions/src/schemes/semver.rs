//! Semantic Versioning 2.0.0 (npm, crates.io, Hex, and the ranges of type
//! `SEMVER` in OSV).
//!
//! Rules, from the SemVer 2.0.0 specification (semver.org, items 2, 9, 10
//! and 11):
//!
//! - A version is `MAJOR.MINOR.PATCH`, then optionally `-` and a pre-release
//!   (dot-separated identifiers of `[0-9A-Za-z-]`), then optionally `+` and
//!   build metadata (same character set).
//! - Numeric parts are compared numerically. They are kept as digit strings,
//!   so any length compares correctly and nothing can overflow.
//! - A version with a pre-release sorts before the same version without one.
//!   Pre-releases compare identifier by identifier: numeric identifiers
//!   numerically, alphanumeric ones by ASCII order (so `R2 < r100`), numeric
//!   before alphanumeric, and a shorter list before a longer one that starts
//!   with it.
//! - Build metadata is checked for syntax but ignored for ordering, so
//!   `1.0.0+a == 1.0.0+b`.
//!
//! What real advisories and lockfiles contain beyond the strict grammar, and
//! is accepted here:
//!
//! - a leading `v` or `=` and surrounding whitespace (`v1.2.3`);
//! - fewer than three numeric parts, the missing ones being zero: OSV's
//!   `introduced: "0"` is `0.0.0`, and `1.2` is `1.2.0`;
//! - more than three numeric parts (`1.1.3.4.5`), compared after `PATCH` in
//!   the same way, so trailing zero parts do not matter.
//!
//! Leading zeros (`01.2.3`, `1.2.3-rc.01`) are refused as the specification
//! says. Versions longer than [`MAX_LEN`] bytes are refused.
//!
//! The same lenient grammar is shared by the Go and Pub schemes through
//! [`Parsed`], each with its own [`Grammar`].

use std::cmp::Ordering;

/// The longest version string any scheme here accepts, in bytes.
pub(crate) const MAX_LEN: usize = 256;

/// A non-negative integer of any size, kept as its digits without leading
/// zeros (`""` is zero), ordered numerically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Num(String);

impl Num {
    /// Reads a non-empty string of ASCII digits.
    pub(crate) fn from_digits(digits: &str) -> Option<Num> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Num(digits.trim_start_matches('0').to_string()))
    }

    /// Zero.
    pub(crate) fn zero() -> Num {
        Num(String::new())
    }

    /// Whether this is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// The value's decimal digits (`"0"` for zero).
    #[cfg(test)]
    pub(crate) fn digits(&self) -> &str {
        if self.0.is_empty() {
            "0"
        } else {
            &self.0
        }
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        // No leading zeros: a longer string is a larger number.
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Drops trailing zeros from a list of numeric parts, so that lists that
/// differ only by them are equal and compare as if padded with zeros.
pub(crate) fn trim_zeros(mut parts: Vec<Num>) -> Vec<Num> {
    while parts.last().is_some_and(Num::is_zero) {
        parts.pop();
    }
    parts
}

/// A pre-release identifier under SemVer's precedence rules.
///
/// The variant order is the precedence: numeric identifiers sort before
/// alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ident {
    /// All digits: compared numerically.
    Numeric(Num),
    /// Anything else: compared by ASCII order.
    Alpha(String),
}

/// How strict a scheme's variant of the SemVer-like grammar is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grammar {
    /// Accept surrounding whitespace and a leading `=`.
    pub(crate) lenient_prefix: bool,
    /// Accept leading zeros in numeric pre-release identifiers.
    pub(crate) pre_leading_zeros: bool,
}

/// A version read by the shared SemVer-like grammar: the pieces, before a
/// scheme decides how to order them.
#[derive(Debug, Clone)]
pub(crate) struct Parsed<'a> {
    /// The numeric parts (at least one), as written.
    pub(crate) release: Vec<Num>,
    /// The pre-release identifiers as written; empty when there is none.
    pub(crate) pre: Vec<&'a str>,
    /// The build identifiers as written; empty when there is none.
    pub(crate) build: Vec<&'a str>,
}

/// Checks one dot-separated identifier list (pre-release or build).
fn split_idents<'a>(s: &'a str, what: &str) -> Result<Vec<&'a str>, String> {
    let mut out = Vec::new();
    for ident in s.split('.') {
        if ident.is_empty() {
            return Err(format!("empty {what} identifier"));
        }
        if let Some(c) = ident
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!("character `{c}` is not allowed in the {what}"));
        }
        out.push(ident);
    }
    Ok(out)
}

impl<'a> Parsed<'a> {
    /// Reads `[v]N(.N)*[-pre][+build]` by the given grammar.
    pub(crate) fn parse(input: &'a str, grammar: Grammar) -> Result<Parsed<'a>, String> {
        if input.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let mut s = input;
        if grammar.lenient_prefix {
            s = s.trim();
            s = s.strip_prefix('=').unwrap_or(s).trim_start();
        }
        s = s.strip_prefix('v').unwrap_or(s);
        if s.is_empty() {
            return Err("empty version".to_string());
        }
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, split_idents(build, "build metadata")?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, split_idents(pre, "pre-release")?),
            None => (rest, Vec::new()),
        };
        let mut release = Vec::new();
        for part in core.split('.') {
            let num = Num::from_digits(part)
                .ok_or_else(|| format!("`{part}` is not a number in `{core}`"))?;
            if part.len() > 1 && part.starts_with('0') {
                return Err(format!("numeric part `{part}` has a leading zero"));
            }
            release.push(num);
        }
        if !grammar.pre_leading_zeros {
            if let Some(id) = pre.iter().find(|id| {
                id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
            }) {
                return Err(format!(
                    "numeric pre-release identifier `{id}` has a leading zero"
                ));
            }
        }
        Ok(Parsed {
            release,
            pre,
            build,
        })
    }
}

/// Turns pre-release identifiers into their SemVer precedence form.
pub(crate) fn semver_idents(idents: &[&str]) -> Vec<Ident> {
    idents
        .iter()
        .map(|id| match Num::from_digits(id) {
            Some(n) => Ident::Numeric(n),
            None => Ident::Alpha((*id).to_string()),
        })
        .collect()
}

/// A parsed SemVer version. Equality and order are SemVer precedence:
/// build metadata is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// Numeric parts without trailing zeros.
    release: Vec<Num>,
    /// Pre-release identifiers; empty for a release.
    pre: Vec<Ident>,
}

/// The grammar of npm, crates.io and Hex versions.
const GRAMMAR: Grammar = Grammar {
    lenient_prefix: true,
    pre_leading_zeros: false,
};

impl Version {
    /// Parses a SemVer version (see the module documentation for what is
    /// accepted beyond the strict grammar).
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let parsed = Parsed::parse(s, GRAMMAR)?;
        Ok(Version::from_parsed(&parsed))
    }

    /// Builds the ordered form from the pieces of the shared grammar.
    pub(crate) fn from_parsed(parsed: &Parsed<'_>) -> Version {
        Version {
            release: trim_zeros(parsed.release.clone()),
            pre: semver_idents(&parsed.pre),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // Trailing zeros are trimmed and zero is the smallest part, so plain
        // lexicographic order is the order of zero-padded lists.
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

    fn v(s: &str) -> Version {
        match Version::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    #[test]
    fn spec_precedence_chain() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(cmp("1.0.0+a", "1.0.0+b"), Ordering::Equal);
        assert_eq!(v("1.0.0-rc.1+x"), v("1.0.0-rc.1"));
        assert_eq!(cmp("2.7.2+asdf", "3.0.0"), Ordering::Less);
    }

    #[test]
    fn lenient_forms() {
        assert_eq!(cmp("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("=1.2.3", " 1.2.3 "), Ordering::Equal);
        assert_eq!(cmp("0", "0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(cmp("1.2.3.4", "1.2.3"), Ordering::Greater);
        assert_eq!(cmp("1.2.3.0", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("0", "0.0.0-foo"), Ordering::Greater);
    }

    #[test]
    fn ascii_order_and_huge_numbers() {
        assert_eq!(cmp("1.2.3-R2", "1.2.3-r100"), Ordering::Less);
        assert_eq!(cmp("1.2.3-r100", "1.2.3-r2"), Ordering::Less);
        assert_eq!(cmp("1.2.3-5", "1.2.3-5-foo"), Ordering::Less);
        assert_eq!(
            cmp(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
        assert_eq!(
            cmp("1.0.0-99999999999999999999999", "1.0.0-a"),
            Ordering::Less
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in [
            "",
            "v",
            "a.b.c",
            "1..2",
            "1.2.",
            ".1",
            "01.2.3",
            "1.02.3",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3-01",
            "1.2.3+",
            "1.2.3+a_b",
            "1.2.3-é",
            "1.2.3 4",
            "-1.2.3",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(300)).is_err());
        assert!(Version::parse("1.2.3-0a").is_ok());
        assert!(Version::parse("1.2.3+01").is_ok());
    }
}
