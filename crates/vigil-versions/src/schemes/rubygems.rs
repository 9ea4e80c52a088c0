//! RubyGems versions, ordered like `Gem::Version#<=>`.
//!
//! Reference: RubyGems' `lib/rubygems/version.rb` (`Gem::Version`).
//!
//! Reading:
//!
//! - Surrounding whitespace is ignored; an empty or all-blank string is
//!   `0`, as in `Gem::Version.new("")`.
//! - The grammar is RubyGems' `ANCHORED_VERSION_PATTERN`,
//!   `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, with one
//!   tolerance: letters may follow the leading digits directly (`1beta`,
//!   `2rc1`). RubyGems refuses those, but advisories and the fixtures use
//!   them, and they read unambiguously (`1beta` is `1.beta`).
//! - Every `-` stands for `.pre.` (`1.0-rc1` is `1.0.pre.rc1`).
//!
//! Ordering:
//!
//! - The version is cut into segments: runs of digits (numbers) and runs
//!   of letters (strings); dots only separate. So `1.0.a10 == 1.0.a.10`.
//! - A string segment makes the version a pre-release.
//! - Canonical segments: the numbers before the first string, with trailing
//!   zeros dropped, then the rest, with trailing zeros dropped
//!   (`1.0.0.a.0` is `[1, "a"]`).
//! - Canonical segments are compared in turn, the shorter list padded with
//!   `0`: numbers numerically (any length), strings byte by byte (`B < a`),
//!   and any string before any number (`1.a < 1 < 1.0.1`).
//!
//! Comparing padded sequences element by element is a total order, and
//! since canonical segments never end in a zero, `Eq` (same canonical
//! segments) agrees with it.

use std::cmp::Ordering;

use super::semver::{Num, MAX_LEN};

/// A parsed RubyGems version: its canonical segments.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    /// The canonical segments (no trailing zeros).
    segments: Vec<Seg>,
}

/// A segment. The variant order is RubyGems': strings before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seg {
    /// A run of ASCII letters.
    Str(String),
    /// A run of ASCII digits.
    Num(Num),
}

impl Seg {
    /// Whether this is the number 0.
    fn is_zero(&self) -> bool {
        matches!(self, Seg::Num(n) if n.is_zero())
    }
}

impl Version {
    /// Reads a version (see the module documentation for the grammar).
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let t = s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'));
        let t = if t.is_empty() { "0" } else { t };
        check_grammar(t)?;
        Ok(Version {
            segments: canonical(segments(t)),
        })
    }
}

/// Checks the (slightly relaxed) `ANCHORED_VERSION_PATTERN`.
fn check_grammar(s: &str) -> Result<(), String> {
    let (release, pre) = match s.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (s, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or_default();
    if !first.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("must start with a digit".to_string());
    }
    for part in std::iter::once(first).chain(parts) {
        if part.is_empty() {
            return Err("empty segment".to_string());
        }
        if let Some(c) = part.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(format!("invalid character {c:?}"));
        }
    }
    if let Some(pre) = pre {
        // After the first `-`, hyphens are allowed inside parts.
        for part in pre.split('.') {
            if part.is_empty() {
                return Err("empty pre-release segment".to_string());
            }
            if let Some(c) = part
                .chars()
                .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
            {
                return Err(format!("invalid character {c:?}"));
            }
        }
    }
    Ok(())
}

/// `Gem::Version#_segments`: runs of digits and runs of letters; `-`
/// counts as `.pre.`.
fn segments(s: &str) -> Vec<Seg> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            out.push(Seg::Num(
                Num::from_digits(&s[start..i]).unwrap_or_else(Num::zero),
            ));
        } else if b[i].is_ascii_alphabetic() {
            while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
            out.push(Seg::Str(s[start..i].to_string()));
        } else {
            if b[i] == b'-' {
                out.push(Seg::Str("pre".to_string()));
            }
            i += 1;
        }
    }
    out
}

/// `Gem::Version#canonical_segments`.
fn canonical(mut segs: Vec<Seg>) -> Vec<Seg> {
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut strings = segs.split_off(split);
    while segs.last().is_some_and(Seg::is_zero) {
        segs.pop();
    }
    while strings.last().is_some_and(Seg::is_zero) {
        strings.pop();
    }
    segs.extend(strings);
    segs
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(Num::zero());
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            match a.cmp(b) {
                Ordering::Equal => {}
                ord => return ord,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    #[test]
    fn ordering() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0", "1", Equal),
            ("1.0.0", "1.0", Equal),
            ("1.0.a10", "1.0.a.10", Equal),
            ("1.0.0.a.0", "1.a", Equal),
            ("1.0.a", "1.0", Less),
            ("1.0.a", "1.0.b", Less),
            ("1.0.B", "1.0.a", Less),
            ("1.0.a9", "1.0.a10", Less),
            ("1.0-rc1", "1.0.pre.rc1", Equal),
            ("1.0-rc1", "1.0", Less),
            ("1beta", "1", Less),
            ("1beta", "1.beta", Equal),
            ("3.10", "3.2", Greater),
            ("1.a.1", "1.a", Greater),
            ("1.a.b", "1.a", Less),
            ("", "0", Equal),
            ("  1.2  ", "1.2", Equal),
            ("01.2", "1.2", Equal),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn long_numbers() {
        let a = "9".repeat(100);
        let b = format!("1{}", "0".repeat(100));
        assert_eq!(cmp(&a, &b), Ordering::Less);
    }

    #[test]
    fn malformed() {
        for bad in [
            "a", "1..2", ".1", "1.", "1.0 beta", "1.0_1", "1.0-", "1.0-a..b", "v1.0", "1,0", "-1",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
