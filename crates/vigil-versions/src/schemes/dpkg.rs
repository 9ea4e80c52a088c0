//! dpkg versions (Debian, Ubuntu): `[epoch:]upstream[-revision]`.
//!
//! Reference: deb-version(7) and dpkg's `lib/dpkg/version.c`
//! (`parseversion` and `verrevcmp`).
//!
//! Reading:
//!
//! - Leading and trailing blanks (space, tab) are trimmed as dpkg does; a
//!   blank inside the version is an error.
//! - The epoch is the part before the first `:`. It must be a decimal number
//!   no larger than `i32::MAX` (dpkg's `INT_MAX`); without a `:` it is 0.
//!   Something must follow the `:`.
//! - The revision is the part after the last `-`; it must not be empty.
//!   Without a `-` the revision is empty, which compares equal to `0`
//!   (`1.0 == 1.0-0`), as in dpkg.
//! - The upstream part must not be empty.
//!
//! Tolerance, documented: Debian policy wants the upstream version to start
//! with a digit, but dpkg itself only *warns* about one that does not and
//! still compares it (`dpkg --compare-versions a1 lt b1` works). Trackers and
//! old third-party archives do contain such versions, so one that starts with
//! an ASCII letter is accepted here. One that starts with punctuation (`~1`,
//! `.1`) is refused. Characters outside policy's sets
//! (upstream `[A-Za-z0-9.+~:-]`, revision `[A-Za-z0-9.+~]`) are refused too:
//! dpkg only warns about them, but their order then depends on the byte values
//! of punctuation and, for non-ASCII bytes, on whether the platform's `char`
//! is signed, which is no basis for a security verdict.
//!
//! Ordering (`verrevcmp`), applied to the epoch numerically, then to the
//! upstream part, then to the revision:
//!
//! - Strings are split into alternating non-digit and digit runs.
//! - Non-digit runs are compared character by character with a modified
//!   ASCII order: `~` sorts before everything, even the end of the run; then
//!   the end of the run; then letters; then all other characters
//!   (so `1.0~rc1 < 1.0 < 1.0a < 1.0+b`).
//! - Digit runs are compared numerically (leading zeros ignored, no overflow
//!   whatever the length); an empty run counts as 0.
//!
//! Read as a sequence of (non-digit run, number) pairs, padded with empty
//! runs and zeros, this is a lexicographic and therefore total order. `Eq`
//! is defined as `cmp() == Equal`, so it agrees with it: `1.0 == 1.00`,
//! `1.0 == 1.0-0`, `0:1 == 1`.

use std::cmp::Ordering;

use super::semver::MAX_LEN;

/// A parsed dpkg version.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    /// The epoch, 0 when absent.
    epoch: u32,
    /// The upstream version.
    upstream: String,
    /// The Debian revision, empty when absent.
    revision: String,
}

impl Version {
    /// Reads a version the way dpkg's `parseversion` does (see the module
    /// documentation for what is refused and what is tolerated).
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        let s = s.trim_matches([' ', '\t']);
        if s.is_empty() {
            return Err("version string is empty".to_string());
        }
        if s.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err("version string has embedded spaces".to_string());
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => (parse_epoch(e)?, rest),
            None => (0, s),
        };
        if rest.is_empty() {
            return Err("nothing after colon in version number".to_string());
        }
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err("revision number is empty".to_string()),
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        let first = upstream
            .bytes()
            .next()
            .ok_or_else(|| "upstream version is empty".to_string())?;
        if !first.is_ascii_alphanumeric() {
            return Err("upstream version does not start with a digit or letter".to_string());
        }
        if let Some(c) = upstream.chars().find(|&c| !is_upstream_char(c)) {
            return Err(format!("invalid character `{c}` in upstream version"));
        }
        if let Some(c) = revision.chars().find(|&c| !is_revision_char(c)) {
            return Err(format!("invalid character `{c}` in revision"));
        }
        Ok(Version {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
        })
    }
}

/// Reads the epoch: decimal digits, at most `i32::MAX`.
fn parse_epoch(e: &str) -> Result<u32, String> {
    if e.is_empty() {
        return Err("epoch in version is empty".to_string());
    }
    if !e.bytes().all(|b| b.is_ascii_digit()) {
        return Err("epoch in version is not number".to_string());
    }
    let digits = e.trim_start_matches('0');
    if digits.len() > 10 {
        return Err("epoch in version is too big".to_string());
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= i32::MAX as u64 => u32::try_from(n).map_err(|e| e.to_string()),
        Ok(_) => Err("epoch in version is too big".to_string()),
        // Only zeros: `digits` is empty.
        Err(_) => Ok(0),
    }
}

/// Characters Debian policy allows in the upstream version.
fn is_upstream_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':')
}

/// Characters Debian policy allows in the revision.
fn is_revision_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~')
}

/// dpkg's `order()`: the weight of a character in a non-digit run; digits
/// and the end of the string weigh 0.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`, on bytes, with digit runs compared as numbers of any
/// length.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let is_digit = |s: &[u8], i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit runs, character by character.
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        // The digit runs, numerically.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let (si, sj) = (i, j);
        while is_digit(a, i) {
            i += 1;
        }
        while is_digit(b, j) {
            j += 1;
        }
        let (da, db) = (&a[si..i], &b[sj..j]);
        let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
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
    fn tilde_sorts_before_everything() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~~a", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.2.3-1~deb7u1", "1.2.3-1"), Ordering::Less);
    }

    #[test]
    fn letters_before_non_letters() {
        assert_eq!(cmp("1.0a", "1.0+"), Ordering::Less);
        assert_eq!(cmp("1.0z", "1.0."), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0+b1"), Ordering::Less);
        assert_eq!(
            cmp("2.7.4+reloaded2-13ubuntu1", "2.7.4+reloaded2-13+deb9u1"),
            Ordering::Less
        );
    }

    #[test]
    fn numbers_and_zeros() {
        assert_eq!(cmp("1.0", "1.00"), Ordering::Equal);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("0.9", "0.10"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0-0"), Ordering::Equal);
        assert_eq!(cmp("0:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1", "1.0"), Ordering::Less);
        let long_a = format!("1.{}", "9".repeat(100));
        let long_b = format!("1.1{}", "0".repeat(100));
        assert_eq!(cmp(&long_a, &long_b), Ordering::Less);
        assert_eq!(
            cmp(
                &format!("1.000{}", "5".repeat(40)),
                &format!("1.{}", "5".repeat(40))
            ),
            Ordering::Equal
        );
    }

    #[test]
    fn epochs() {
        assert_eq!(cmp("1:0.1", "9.9"), Ordering::Greater);
        assert_eq!(cmp("01:2", "1:2"), Ordering::Equal);
        assert_eq!(cmp("2147483647:1", "2147483646:9"), Ordering::Greater);
        assert!(Version::parse("2147483648:1").is_err());
        assert!(Version::parse("99999999999999999999:1").is_err());
    }

    #[test]
    fn upstream_may_contain_hyphens_and_colons() {
        let x = v("1:2.0-rc1-3");
        assert_eq!(x.upstream, "2.0-rc1");
        assert_eq!(x.revision, "3");
        let y = v("1:2:3");
        assert_eq!((y.epoch, y.upstream.as_str()), (1, "2:3"));
    }

    #[test]
    fn tolerated() {
        // dpkg warns but compares; so do we.
        assert_eq!(cmp("a1", "b1"), Ordering::Less);
        assert_eq!(cmp(" 1.0\t", "1.0"), Ordering::Equal);
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "  ",
            "1.0 beta",
            "a:1",
            ":1",
            "1:",
            "-1",
            "1.0-",
            "1:-1",
            "~1",
            ".1",
            "1.0_1",
            "1.0-1:2",
            "1.0-1-",
            "1.0\u{e9}",
            "1.0\n2",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
        assert!(Version::parse(&"1".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn eq_agrees_with_cmp() {
        assert_eq!(v("1.0-0"), v("1.0"));
        assert_ne!(v("1.0"), v("1.0a"));
    }
}
