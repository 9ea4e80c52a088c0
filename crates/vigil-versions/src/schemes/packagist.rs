//! Packagist (Composer) versions, ordered like PHP's `version_compare`.
//!
//! References: PHP's `ext/standard/versioning.c` (`php_version_compare`,
//! `php_canonicalize_version`, `compare_special_version_forms`), which
//! Composer's `Comparator` uses, and the shared fixtures (generated with
//! `version_compare` by osv-scalibr), which are the authority.
//!
//! Reading:
//!
//! - One leading `v` or `V` is dropped (`v1.0 == 1.0`), as Composer does.
//! - The rest is cut into parts: runs of ASCII digits and runs of ASCII
//!   letters. Every other character only separates (`-`, `_`, `+`, `.`,
//!   and, as in PHP's canonical form, any other punctuation, `#`
//!   included). So `1.0.0rc2 == 1.0.0.rc2` and `1.25.0-beta2.1 == 1.25.0-b.2.1`.
//!   Empty parts do not exist: `1..2 == 1.2`, where PHP gives answers that
//!   depend on the order of its arguments.
//! - A string with no part, an empty one, an over-long one and one with
//!   blanks or control characters are refused.
//!
//! Ordering, part by part:
//!
//! - A letter part counts by its prefix, case-sensitively as in PHP:
//!   `dev` < `alpha` = `a…` < `beta` = `b…` < `RC` = `rc` < *number* <
//!   `pl` = `p…` (`patch` too). Any other word (`foo`, `Beta`, `stable`)
//!   sorts before `dev`.
//! - Numbers compare numerically, whatever their length (PHP's `strtol`
//!   would saturate; the fixtures want `…991 < …999`).
//! - When one version runs out, the other is newer if its next part is a
//!   number or a `p…` word, older if it is any other word:
//!   `1.0-dev < 1.0a1 < 1.0RC1 < 1.0 < 1.0.0 < 1.0pl1`.
//!
//! So the end of a version ranks between `RC` and the numbers, and a version
//! is a sequence of ranked parts closed by that end mark, compared
//! lexicographically: a total order with `Eq` (same ranks and numbers) in
//! agreement. Composer branch names (`dev-main`) are versions like any
//! other here: `dev` then a word.
//!
//! Known departure from the fixtures: osv-scalibr keeps `#` as a part that
//! equals both the end of a version and any number, so its fixture wants
//! `1.2.3.# == 1.2.3` *and* `1.2.3.# == 1.2.3.1` while `1.2.3 < 1.2.3.1`.
//! No total order can satisfy all three; here `#` separates, as in PHP, so
//! `1.2.3.# == 1.2.3 < 1.2.3.1`.

use super::semver::{Num, MAX_LEN};

/// A parsed Composer version: its ranked parts, closed by [`Part::End`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// The parts in order, the last being `End`.
    parts: Vec<Part>,
}

/// A part, ranked by `version_compare`'s rules (the variant order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A word `version_compare` does not know.
    Other,
    /// `dev…`.
    Dev,
    /// `alpha…`, `a…`.
    Alpha,
    /// `beta…`, `b…`.
    Beta,
    /// `RC…`, `rc…`.
    Rc,
    /// The end of the version.
    End,
    /// A number.
    Number(Num),
    /// `pl…`, `p…`.
    Patch,
}

impl Version {
    /// Reads a version (see the module documentation).
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("contains {c:?}"));
        }
        let t = s
            .strip_prefix('v')
            .or_else(|| s.strip_prefix('V'))
            .unwrap_or(s);
        let mut parts = Vec::new();
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            if b[i].is_ascii_digit() {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                parts.push(Part::Number(
                    Num::from_digits(&t[start..i]).unwrap_or_else(Num::zero),
                ));
            } else if b[i].is_ascii_alphabetic() {
                while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                parts.push(special_form(&t[start..i]));
            } else {
                i += 1;
            }
        }
        if parts.is_empty() {
            return Err("no number or word in it".to_string());
        }
        parts.push(Part::End);
        Ok(Version { parts })
    }
}

/// PHP's `compare_special_version_forms`: a word ranks by its prefix.
fn special_form(word: &str) -> Part {
    const FORMS: [(&str, Part); 9] = [
        ("dev", Part::Dev),
        ("alpha", Part::Alpha),
        ("a", Part::Alpha),
        ("beta", Part::Beta),
        ("b", Part::Beta),
        ("RC", Part::Rc),
        ("rc", Part::Rc),
        ("pl", Part::Patch),
        ("p", Part::Patch),
    ];
    FORMS
        .iter()
        .find(|(prefix, _)| word.starts_with(prefix))
        .map_or(Part::Other, |(_, part)| part.clone())
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
    fn chain() {
        let chain = [
            "1.0-foo",
            "1.0-dev",
            "1.0a1",
            "1.0alpha2",
            "1.0b1",
            "1.0RC1",
            "1.0",
            "1.0.0",
            "1.0.1",
            "1.0pl1",
            "1.0patch2",
            "1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn equalities() {
        for (a, b) in [
            ("1.0.0rc2", "1.0.0.rc2"),
            ("1.25.0-beta2.1", "1.25.0-b.2.1"),
            ("v1.0", "1.0"),
            ("V1.0", "1.0"),
            ("1.0RC1", "1.0rc1"),
            ("1.0alpha", "1.0a"),
            ("1.0-foo", "1.0-xyz"),
            ("1.0-bar", "1.0-beta"),
            ("1..2", "1.2"),
            ("1.2.3.#", "1.2.3"),
            ("1.01", "1.1"),
            ("1_0+1", "1.0.1"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn case_matters_for_words() {
        // PHP matches `RC`/`rc` only; `Beta` is an unknown word.
        assert_eq!(cmp("1.0Beta", "1.0-dev"), Ordering::Less);
        assert_eq!(cmp("1.0beta", "1.0-dev"), Ordering::Greater);
    }

    #[test]
    fn branches() {
        assert_eq!(cmp("dev-foo", "1.26.0"), Ordering::Less);
        assert_eq!(cmp("dev-main", "dev-foo"), Ordering::Equal);
    }

    #[test]
    fn long_numbers() {
        let a = format!("1.{}", "9".repeat(100));
        let b = format!("1.1{}", "0".repeat(100));
        assert_eq!(cmp(&a, &b), Ordering::Less);
    }

    #[test]
    fn malformed() {
        for bad in ["", "v", "...", "1.0 beta", "1.0\n", "-_+"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Version::parse(&"1".repeat(MAX_LEN + 1)).is_err());
    }
}
