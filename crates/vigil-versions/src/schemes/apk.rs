//! Alpine package versions, ordered like apk-tools.
//!
//! References: apk-tools' `src/version.c` (apk-tools 3 and 2.x), the grammar
//! in apk-package(5): `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`,
//! and the shared fixtures (from osv-scalibr), which are the authority where
//! apk-tools versions disagree.
//!
//! A version is read left to right as a sequence of tokens:
//!
//! - the first number (compared numerically, `006 == 6`);
//! - further `.number` parts: numerically, except that when either of two
//!   compared parts starts with `0` they compare as strings (`1.05 < 1.1`,
//!   `1.0 < 1.00`), as apk-tools 3 and Gentoo do;
//! - one lower-case letter (`1.2a`), optionally followed by a number
//!   (`5.7.1p1`, read as apk-tools 2 does: Alpine 3.x shipped such versions);
//! - suffixes `_alpha`, `_beta`, `_pre`, `_rc` (before the release), `_cvs`,
//!   `_svn`, `_git`, `_hg`, `_p` (after it), each with an optional number;
//! - a commit hash `~` + lower-case hex digits, compared as a string;
//! - a revision `-r` + digits (`-r` alone is `-r0`).
//!
//! Two versions are compared token by token. Where both have a token of the
//! same kind the values decide; where the kinds differ, the version that goes
//! on with a pre-release suffix is older, and otherwise the one whose next
//! token comes later in the grammar (or that ends) is older:
//! `1.2_rc1 < 1.2 < 1.2-r1 < 1.2~ab < 1.2_cvs < 1.2_p1 < 1.2a < 1.2.1`.
//!
//! Text that cannot be read (an invalid version such as `1.2_blah`,
//! `0.r1`, `1.2.0A`, `1-ruff`) is kept as an "invalid tail" token. As in
//! apk-tools 3 it makes the version older than any valid continuation except
//! a pre-release suffix (`1.2_blah < 1.2`, `1.2.0A < 1.2.0d`). Two invalid
//! tails at the same place compare as byte strings (`0..1..0 < 0..1..1`),
//! except that a tail starting at a `-` (where only a revision may stand) is
//! not compared at all, so `1-r0-1 == 1-r-2` and `1-ruff1 == 1--ruff2`, as
//! the fixtures require. The empty string and strings with blanks or control
//! characters are refused.
//!
//! The token kinds are ranked (the variant order of `Tok`) so that the
//! version is a plain sequence compared lexicographically: a total order with
//! `Eq` meaning "same tokens".

use super::semver::{Num, MAX_LEN};

/// A parsed apk version: its tokens, the last one being [`Tok::End`] or
/// [`Tok::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// The tokens in order.
    tokens: Vec<Tok>,
}

/// One token. The variant order is the rank used when two versions have
/// tokens of different kinds at the same place: the lower rank is older.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Tok {
    /// A pre-release suffix: `_alpha` (0), `_beta`, `_pre`, `_rc` (3).
    PreSuffix(u8),
    /// Text that cannot be read, from where reading stopped; empty when the
    /// text starts with `-` (see the module documentation).
    Invalid(String),
    /// The end of a valid version.
    End,
    /// `-rN`.
    Revision(Num),
    /// `~hash`, compared as a string.
    Hash(String),
    /// The number after a suffix (`_rc2`).
    SuffixNum(Num),
    /// A post-release suffix: `_cvs` (0), `_svn`, `_git`, `_hg`, `_p` (4).
    PostSuffix(u8),
    /// The single letter after the numbers.
    Letter(u8),
    /// A number right after the letter (`5.7.1p1`).
    LetterNum(Num),
    /// A numeric part.
    Digits(Part),
}

/// The value of a numeric part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A part after the first that starts with `0`, compared as a string;
    /// such parts sort before all parts without a leading zero.
    ZeroLed(String),
    /// The first part, or one without a leading zero: numeric.
    Number(Num),
}

/// Where the reader is, to know which tokens may follow: a token may only
/// follow one of an earlier state (in the grammar's order), with the
/// exceptions written in `tokenize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    /// After a numeric part.
    Digits,
    /// After the letter.
    Letter,
    /// After the number that follows the letter.
    LetterNum,
    /// After a suffix name.
    Suffix,
    /// After a suffix number.
    SuffixNum,
    /// After the commit hash.
    Hash,
    /// After the revision.
    Revision,
}

/// Pre-release suffixes, oldest first.
const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
/// Post-release suffixes, oldest first.
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

impl Version {
    /// Reads a version; only empty strings, over-long strings and strings
    /// with blanks or control characters are refused, since apk orders every
    /// other string (see the module documentation).
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
        Ok(Version {
            tokens: tokenize(s),
        })
    }
}

/// The length of the run of bytes at the start of `b` that satisfy `f`.
fn run(b: &[u8], f: impl Fn(u8) -> bool) -> usize {
    b.iter().take_while(|&&c| f(c)).count()
}

/// A number token from a non-empty run of digits.
fn num(digits: &str) -> Num {
    Num::from_digits(digits).unwrap_or_else(Num::zero)
}

/// Reads the tokens of `s`, ending with `End` or `Invalid`.
fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let invalid = |at: usize| {
        let tail = &s[at..];
        Tok::Invalid(if tail.starts_with('-') {
            String::new()
        } else {
            tail.to_string()
        })
    };
    // The first number.
    let n = run(b, |c| c.is_ascii_digit());
    if n == 0 {
        out.push(invalid(0));
        return out;
    }
    out.push(Tok::Digits(Part::Number(num(&s[..n]))));
    let mut i = n;
    let mut state = State::Digits;
    loop {
        let Some(&c) = b.get(i) else {
            out.push(Tok::End);
            return out;
        };
        let rest = &b[i..];
        match c {
            b'.' if state == State::Digits => {
                let n = run(&rest[1..], |c| c.is_ascii_digit());
                if n == 0 {
                    break;
                }
                let digits = &s[i + 1..i + 1 + n];
                out.push(Tok::Digits(if digits.starts_with('0') {
                    Part::ZeroLed(digits.to_string())
                } else {
                    Part::Number(num(digits))
                }));
                i += 1 + n;
            }
            b'a'..=b'z' if state == State::Digits => {
                out.push(Tok::Letter(c));
                state = State::Letter;
                i += 1;
            }
            b'0'..=b'9' if state == State::Letter || state == State::Suffix => {
                let n = run(rest, |c| c.is_ascii_digit());
                let value = num(&s[i..i + n]);
                out.push(if state == State::Letter {
                    Tok::LetterNum(value)
                } else {
                    Tok::SuffixNum(value)
                });
                state = if state == State::Letter {
                    State::LetterNum
                } else {
                    State::SuffixNum
                };
                i += n;
            }
            b'_' if state <= State::SuffixNum => {
                let n = run(&rest[1..], |c| c.is_ascii_lowercase());
                let name = &s[i + 1..i + 1 + n];
                if let Some(k) = PRE_SUFFIXES.iter().position(|&p| p == name) {
                    out.push(Tok::PreSuffix(k as u8));
                } else if let Some(k) = POST_SUFFIXES.iter().position(|&p| p == name) {
                    out.push(Tok::PostSuffix(k as u8));
                } else {
                    break;
                }
                state = State::Suffix;
                i += 1 + n;
            }
            b'~' if state < State::Hash => {
                let n = run(&rest[1..], |c| {
                    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
                });
                if n == 0 {
                    break;
                }
                out.push(Tok::Hash(s[i + 1..i + 1 + n].to_string()));
                state = State::Hash;
                i += 1 + n;
            }
            b'-' if state < State::Revision && rest.get(1) == Some(&b'r') => {
                let n = run(&rest[2..], |c| c.is_ascii_digit());
                // `-r` must be followed by digits, the end or a non-letter:
                // in `1-ruff` the `r` starts a word, it is no revision.
                if rest.get(2 + n).is_some_and(u8::is_ascii_alphabetic) {
                    break;
                }
                out.push(Tok::Revision(if n == 0 {
                    Num::zero()
                } else {
                    num(&s[i + 2..i + 2 + n])
                }));
                state = State::Revision;
                i += 2 + n;
            }
            _ => break,
        }
    }
    out.push(invalid(i));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    #[test]
    fn grammar_order() {
        let chain = [
            "1.2_alpha",
            "1.2_alpha1",
            "1.2_beta",
            "1.2_pre1",
            "1.2_rc1",
            "1.2",
            "1.2-r1",
            "1.2~0a",
            "1.2~ab",
            "1.2_cvs",
            "1.2_p1",
            "1.2a",
            "1.2a-r5",
            "1.2b",
            "1.2.0",
            "1.2.00",
            "1.2.05",
            "1.2.1",
            "1.2.10",
            "1.3",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn leading_zeros() {
        assert_eq!(cmp("006", "6"), Ordering::Equal);
        assert_eq!(cmp("1.05", "1.1"), Ordering::Less);
        assert_eq!(cmp("1.050", "1.06"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.00"), Ordering::Less);
        assert_eq!(cmp("1-r01", "1-r1"), Ordering::Equal);
        assert_eq!(cmp("1_rc01", "1_rc1"), Ordering::Equal);
    }

    #[test]
    fn letter_numbers() {
        assert_eq!(cmp("6.6.2p1", "6.6.2p2"), Ordering::Less);
        assert_eq!(cmp("6.6.2p9", "6.6.2p10"), Ordering::Less);
        assert_eq!(cmp("6.6.2p1", "6.6.2_p1"), Ordering::Greater);
        assert_eq!(cmp("5.7.1p1-r0", "5.7.1p1-r1"), Ordering::Less);
        assert_eq!(cmp("6.6.2p", "6.6.2p0"), Ordering::Less);
    }

    #[test]
    fn invalid_tails() {
        assert_eq!(cmp("1.2_blah", "1.2"), Ordering::Less);
        assert_eq!(cmp("1.2_blah", "1.2_rc1"), Ordering::Greater);
        assert_eq!(cmp("1.2.0A", "1.2.0d"), Ordering::Less);
        assert_eq!(cmp("1", "1-ruff"), Ordering::Greater);
        assert_eq!(cmp("1-r0-1", "1-r-2"), Ordering::Equal);
        assert_eq!(cmp("1-ruff2", "1--ruff1"), Ordering::Equal);
        assert_eq!(cmp("0..1..0", "0..1..1"), Ordering::Less);
        assert_eq!(cmp("a", "b"), Ordering::Less);
        assert_eq!(cmp(".1", "1"), Ordering::Less);
        assert_eq!(cmp("1.0bc", "1.0b"), Ordering::Less);
        assert_eq!(cmp("1~", "1"), Ordering::Less);
        assert_eq!(cmp("1~XY", "1~"), Ordering::Greater);
        assert_eq!(cmp("1.2\u{e9}", "1.2"), Ordering::Less);
    }

    #[test]
    fn long_numbers_do_not_overflow() {
        let a = format!("1.{}", "9".repeat(100));
        let b = format!("1.1{}", "0".repeat(100));
        assert_eq!(cmp(&a, &b), Ordering::Less);
        assert_eq!(cmp(&"9".repeat(200), &"8".repeat(201)), Ordering::Less);
    }

    #[test]
    fn malformed() {
        for bad in ["", "1.0 1", " 1", "1\t", "1\n"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
