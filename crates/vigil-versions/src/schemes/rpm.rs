//! RPM versions (Red Hat, AlmaLinux, Rocky, SUSE, Mageia, openEuler):
//! `[epoch:]version[-release]`, ordered by `rpmvercmp`.
//!
//! References: rpm's `rpmio/rpmvercmp.c` (`rpmvercmp`), `lib/rpmds.c`
//! (`parseEVR`) and the Python binding's `rpm.labelCompare`, which is what
//! the differential test checks against.
//!
//! Reading (`parseEVR`):
//!
//! - The epoch is present only when the string starts with decimal digits
//!   followed by `:` (`1:3.0.1-43.el9_0`); `:1` has an empty epoch, which is
//!   0. Otherwise there is no epoch (0) and any `:` belongs to the version
//!   (`a:1`, `1.m+e2:1` have none).
//! - The release is everything after the last `-`, and may be empty (`1-`).
//!   A missing release sorts before every release, even an empty one, as in
//!   `labelCompare` (`1 < 1-` and `1 < 1-0`).
//! - The version must not be empty. Blanks and control characters are
//!   refused; other bytes, non-ASCII included, are accepted (they separate
//!   segments, as in rpm).
//!
//! Ordering (`rpmvercmp`), applied to the epoch, then the version, then the
//! release:
//!
//! - A string is read as segments: runs of ASCII digits, runs of ASCII
//!   letters, `~` and `^`. Every other byte only separates segments, so
//!   `1.0 == 1_0 == 1+0` and `1.1.α == 1.1.β`.
//! - Segments are compared in turn. `~` sorts before anything, even the end
//!   (`1.0~rc1 < 1.0`). `^` sorts after the end but before any other segment
//!   (`1.0 < 1.0^git1 < 1.0.1`). A number beats letters (`1.1 > 1.a`).
//!   Numbers compare numerically whatever their length (leading zeros
//!   ignored: `10.0001 == 10.1`); letters compare by ASCII (`A < a`).
//! - When one string runs out, the other is newer if it still has a segment.
//!
//! Seen as a sequence of segments ended by an "end" mark, with the order
//! `~` < end < `^` < letters < number, this is a lexicographic and therefore
//! total order, and `Eq` (same segments) agrees with it.

use super::semver::{Num, MAX_LEN};

/// A parsed RPM EVR.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// The epoch; 0 when absent or empty.
    epoch: Num,
    /// The version's segments, ended by [`Seg::End`].
    version: Vec<Seg>,
    /// The release's segments, ended by [`Seg::End`]; `None` (which sorts
    /// first) when the string has no `-`.
    release: Option<Vec<Seg>>,
}

/// One segment of a version or release. The variant order is rpmvercmp's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seg {
    /// `~`: before everything, even the end.
    Tilde,
    /// The end of the string.
    End,
    /// `^`: after the end, before everything else.
    Caret,
    /// A run of ASCII letters, compared byte by byte.
    Alpha(String),
    /// A run of ASCII digits, compared numerically.
    Number(Num),
}

impl Version {
    /// Reads an EVR string the way rpm's `parseEVR` splits it.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        if s.is_empty() {
            return Err("empty".to_string());
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("contains {c:?}"));
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s.as_bytes().get(digits) {
            Some(b':') => {
                let e = &s[..digits];
                let epoch = if e.is_empty() {
                    Num::zero()
                } else {
                    Num::from_digits(e).ok_or_else(|| format!("bad epoch `{e}`"))?
                };
                (epoch, &s[digits + 1..])
            }
            _ => (Num::zero(), s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err("the version part is empty".to_string());
        }
        Ok(Version {
            epoch,
            version: segments(version)?,
            release: release.map(segments).transpose()?,
        })
    }
}

/// Splits a version or release into rpmvercmp's segments, ending with
/// [`Seg::End`].
fn segments(s: &str) -> Result<Vec<Seg>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        match b[i] {
            b'~' => {
                out.push(Seg::Tilde);
                i += 1;
            }
            b'^' => {
                out.push(Seg::Caret);
                i += 1;
            }
            c if c.is_ascii_digit() => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let n = Num::from_digits(&s[start..i])
                    .ok_or_else(|| format!("bad number `{}`", &s[start..i]))?;
                out.push(Seg::Number(n));
            }
            c if c.is_ascii_alphabetic() => {
                while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                out.push(Seg::Alpha(s[start..i].to_string()));
            }
            _ => i += 1,
        }
    }
    out.push(Seg::End);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    /// rpmvercmp on two strings.
    fn rpmvercmp(a: &str, b: &str) -> Ordering {
        let seg = |s: &str| segments(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        seg(a).cmp(&seg(b))
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    #[test]
    fn rpmvercmp_basics() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p10", Less),
            ("10xyz", "10.1xyz", Less),
            ("xyz.4", "8", Less),
            ("6.0.rc1", "6.0", Greater),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.1", Equal),
            ("2_0", "2.0", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0^git1~pre", "1.0^git1", Less),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.1.\u{3b1}", "1.1.a", Less),
            ("1.1.\u{3b1}\u{3b1}", "1.1.\u{3b2}", Equal),
            ("a", "1", Less),
            ("A", "a", Less),
        ] {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn evr() {
        assert_eq!(cmp("1:3.0.1-43.el9_0", "3.0.2-1.el9"), Ordering::Greater);
        assert_eq!(cmp("0:1-1", "1-1"), Ordering::Equal);
        assert_eq!(cmp(":1-1", "1-1"), Ordering::Equal);
        assert_eq!(cmp("01:2", "1:2"), Ordering::Equal);
        assert_eq!(cmp("1", "1-"), Ordering::Less);
        assert_eq!(cmp("1", "1-0"), Ordering::Less);
        assert_eq!(cmp("1-", "1-"), Ordering::Equal);
        assert_eq!(cmp("1-1.", "1-1"), Ordering::Equal);
        // A colon after something other than digits is not an epoch.
        assert_eq!(cmp("a:1", "b:1"), Ordering::Less);
        let x = v("1.m+e2:1");
        assert!(x.epoch.is_zero());
        assert!(x.release.is_none());
        // The release is after the last hyphen.
        let y = v("1.0-rc1-2.el8");
        assert_eq!(y.release, Some(segments("2.el8").unwrap_or_default()));
    }

    #[test]
    fn long_numbers() {
        let a = format!("1.{}", "9".repeat(200));
        let b = format!("1.1{}", "0".repeat(200));
        assert_eq!(cmp(&a, &b), Ordering::Less);
        let big = "9".repeat(40);
        assert_eq!(cmp(&format!("{big}:1"), "1:2"), Ordering::Greater);
    }

    #[test]
    fn malformed() {
        for bad in ["", "1:", "-1", "1:-1", "1.0 1", "1.0\t", "1\n"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
