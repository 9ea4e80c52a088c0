//! Maven versions, by the "Version Order Specification" of the Maven POM
//! reference, which describes Maven's `ComparableVersion`.
//!
//! Reading a version:
//!
//! - The lowercased string is split into tokens at `.` and `-`, and at every
//!   transition between a digit and a non-digit; the separator before each
//!   token is kept, and a transition counts as `-`
//!   (`1-1.foo-bar1baz-.1` is `1 -1 .foo -bar -1 -baz -0 .1`). Empty tokens
//!   are `0`. Tokens of ASCII digits are numbers (any size, kept as digit
//!   strings); the others are qualifiers.
//! - Qualifier aliases: `cr` is `rc`; `ga`, `final` and `release` are the
//!   empty qualifier; `a`, `b` and `m` directly followed by a digit are
//!   `alpha`, `beta` and `milestone`.
//! - "Null" tokens (`0` and the empty qualifier) are trimmed at the end, and
//!   before every remaining `-` token, from the end towards the start
//!   (`1.0.0-foo.0.0` is `1-foo`; `1.0-1` is `1-1`). The first token stays.
//!
//! Ordering, token by token:
//!
//! - Known qualifiers come first, `alpha < beta < milestone < rc < snapshot
//!   < "" < sp`, then unknown qualifiers alphabetically.
//! - With the same separator, a number is greater than a qualifier and
//!   numbers compare numerically. With different separators,
//!   `.qualifier < -qualifier < -number < .number`.
//! - A missing token compares as a null token with the other side's
//!   separator: `0` after `.` (so `1 < 1.1`, `1.0.1 > 1`), the release
//!   qualifier after `-` (so `1-alpha < 1 < 1-sp < 1-1`), and the release
//!   qualifier against any qualifier (so `1.rc1 < 1`).
//!
//! That last rule makes the specification's order cyclic in corner cases:
//! `1.0.alpha < 1 < 1-1` yet `1-1 < 1.0.alpha` token by token, since
//! `.0 > -1`. To stay a total order, each run of null tokens inside a version
//! is taken together with the token after it, and such a group first
//! compares by whether it sorts before or after "nothing" (the end of a
//! shorter version); only groups on the same side compare token by token.
//! This orders `1.0.alpha < 1-1` and `1-alpha < 1.sp`, as Maven's
//! `ComparableVersion` does, and otherwise agrees with the specification.
//!
//! The shared fixtures are the authority and all of them hold, except three
//! lines of `maven-versions-generated.txt` that no total order can satisfy
//! (`2.9.0-1 < 2.9.0.RC1`, `1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3` and
//! `1.1.0-01-glassfish < 1.1.0.Beta1`): with their neighbours they force
//! `2.9.0.RC3 < 2.9.0.RC1` and `1.0.0.RC8-beta < 1.0.0.RC7-3`. Maven itself
//! answers the opposite on all three; they were written by sorting with an
//! intransitive comparator. `tests/fixtures.rs` lists them.
//!
//! Maven 3.8's `ComparableVersion` also differs from the specification (and
//! the fixtures) where it reads `.qualifier` as `-qualifier`, has no
//! `release` alias, and keeps a sub-list for a null token after `-`;
//! `tests/differential_a.rs` names those classes.
//!
//! Refused: the empty string and strings longer than [`MAX_LEN`] bytes.

use std::cmp::Ordering;

use super::semver::{Num, MAX_LEN};

/// The separator before a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `.` (also used for the first token).
    Dot,
    /// `-`, or a digit/non-digit transition.
    Hyphen,
}

/// A qualifier's place among the known ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    /// `alpha`, `a` before a digit.
    Alpha,
    /// `beta`, `b` before a digit.
    Beta,
    /// `milestone`, `m` before a digit.
    Milestone,
    /// `rc`, `cr`.
    Rc,
    /// `snapshot`.
    Snapshot,
    /// The empty qualifier: `ga`, `final`, `release`, or an empty token
    /// after a transition.
    Release,
    /// `sp`.
    Sp,
    /// Anything else, alphabetically.
    Other(String),
}

impl Qualifier {
    /// Reads a lowercased qualifier, with its aliases.
    fn new(text: &str, followed_by_digit: bool) -> Qualifier {
        match text {
            "a" if followed_by_digit => Qualifier::Alpha,
            "b" if followed_by_digit => Qualifier::Beta,
            "m" if followed_by_digit => Qualifier::Milestone,
            "alpha" => Qualifier::Alpha,
            "beta" => Qualifier::Beta,
            "milestone" => Qualifier::Milestone,
            "rc" | "cr" => Qualifier::Rc,
            "snapshot" => Qualifier::Snapshot,
            "" | "ga" | "final" | "release" => Qualifier::Release,
            "sp" => Qualifier::Sp,
            other => Qualifier::Other(other.to_string()),
        }
    }
}

/// A token's value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// Digits.
    Number(Num),
    /// Anything else.
    Qualifier(Qualifier),
}

/// A token with its separator.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// The separator before it.
    sep: Sep,
    /// What it says.
    value: Value,
}

impl Token {
    /// `0` or the release qualifier, whatever the separator: what trimming
    /// removes.
    fn is_null(&self) -> bool {
        match &self.value {
            Value::Number(n) => n.is_zero(),
            Value::Qualifier(q) => *q == Qualifier::Release,
        }
    }

    /// Whether this token compares equal to "nothing" in a shorter version:
    /// `.0` and the release qualifier. (`-0` does not: the missing token
    /// after `-` is the release qualifier, which is less than any number.)
    fn is_padding(&self) -> bool {
        match &self.value {
            Value::Number(n) => self.sep == Sep::Dot && n.is_zero(),
            Value::Qualifier(q) => *q == Qualifier::Release,
        }
    }

    /// How this token compares with "nothing" in a shorter version.
    fn cmp_missing(&self) -> Ordering {
        match &self.value {
            Value::Number(n) if self.sep == Sep::Dot && n.is_zero() => Ordering::Equal,
            Value::Number(_) => Ordering::Greater,
            Value::Qualifier(q) => q.cmp(&Qualifier::Release),
        }
    }

    /// The order of two tokens at the same place.
    fn cmp_token(&self, other: &Token) -> Ordering {
        /// `.qualifier < -qualifier < -number < .number`.
        fn class(t: &Token) -> u8 {
            match (&t.value, t.sep) {
                (Value::Qualifier(_), Sep::Dot) => 0,
                (Value::Qualifier(_), Sep::Hyphen) => 1,
                (Value::Number(_), Sep::Hyphen) => 2,
                (Value::Number(_), Sep::Dot) => 3,
            }
        }
        class(self)
            .cmp(&class(other))
            .then_with(|| match (&self.value, &other.value) {
                (Value::Number(a), Value::Number(b)) => a.cmp(b),
                (Value::Qualifier(a), Value::Qualifier(b)) => a.cmp(b),
                // Same class means same kind of value.
                _ => Ordering::Equal,
            })
    }
}

/// A run of padding tokens and the non-padding token after it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    /// How the group compares with "nothing": never equal.
    side: Ordering,
    /// The tokens, the last one not padding.
    tokens: Vec<Token>,
}

impl Ord for Group {
    fn cmp(&self, other: &Self) -> Ordering {
        self.side.cmp(&other.side).then_with(|| {
            for (a, b) in self.tokens.iter().zip(&other.tokens) {
                let ord = a.cmp_token(b);
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            // A group ends with its only non-padding token, so two groups
            // that agree token by token have the same length.
            self.tokens.len().cmp(&other.tokens.len())
        })
    }
}

impl PartialOrd for Group {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// The first token (always present).
    first: Token,
    /// The other tokens after trimming, grouped.
    groups: Vec<Group>,
}

/// Splits a lowercased version into tokens.
fn tokenize(s: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut sep = Sep::Dot;
    for (i, c) in s.char_indices() {
        if c == '.' || c == '-' {
            push_piece(&mut tokens, sep, s.get(start..i).unwrap_or(""));
            sep = if c == '.' { Sep::Dot } else { Sep::Hyphen };
            start = i + 1;
        }
    }
    push_piece(&mut tokens, sep, s.get(start..).unwrap_or(""));
    tokens
}

/// Splits one piece between separators at digit/non-digit transitions.
fn push_piece(tokens: &mut Vec<Token>, sep: Sep, piece: &str) {
    if piece.is_empty() {
        tokens.push(Token {
            sep,
            value: Value::Number(Num::zero()),
        });
        return;
    }
    let mut sep = sep;
    let mut rest = piece;
    while !rest.is_empty() {
        let digits = rest.starts_with(|c: char| c.is_ascii_digit());
        let len = rest
            .find(|c: char| c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(len);
        let value = if digits {
            Value::Number(Num::from_digits(run).unwrap_or_else(Num::zero))
        } else {
            // Only a digit can follow a non-digit run inside a piece.
            Value::Qualifier(Qualifier::new(run, !tail.is_empty()))
        };
        tokens.push(Token { sep, value });
        sep = Sep::Hyphen;
        rest = tail;
    }
}

/// Drops null tokens at the end and before each `-` token, never the first.
fn trim(tokens: Vec<Token>) -> Vec<Token> {
    let mut kept: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter();
    let first = iter.next();
    for token in iter.rev() {
        let before_hyphen_or_end = kept.last().is_none_or(|next| next.sep == Sep::Hyphen);
        if !(token.is_null() && before_hyphen_or_end) {
            kept.push(token);
        }
    }
    kept.extend(first);
    kept.reverse();
    kept
}

impl Version {
    /// Parses a Maven version. Every non-empty string is one.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        if s.is_empty() {
            return Err("empty version".to_string());
        }
        let mut tokens = trim(tokenize(&s.to_lowercase())).into_iter();
        let first = tokens.next().ok_or("no tokens")?;
        let mut groups = Vec::new();
        let mut run = Vec::new();
        for token in tokens {
            let padding = token.is_padding();
            run.push(token);
            if !padding {
                let side = run.last().map_or(Ordering::Greater, Token::cmp_missing);
                groups.push(Group {
                    side,
                    tokens: std::mem::take(&mut run),
                });
            }
        }
        // Trimming leaves no trailing null token, so `run` is empty here;
        // should it not be, padding at the end is insignificant anyway.
        Ok(Version { first, groups })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.first.cmp_token(&other.first).then_with(|| {
            for i in 0..self.groups.len().max(other.groups.len()) {
                let ord = match (self.groups.get(i), other.groups.get(i)) {
                    (Some(a), Some(b)) => a.cmp(b),
                    (Some(a), None) => a.side,
                    (None, Some(b)) => b.side.reverse(),
                    (None, None) => Ordering::Equal,
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        })
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

    /// The tokens as `sep value` text, for checking the reading.
    fn show(s: &str) -> String {
        let v = v(s);
        let mut out = String::new();
        let tokens = std::iter::once(&v.first).chain(v.groups.iter().flat_map(|g| &g.tokens));
        for (i, t) in tokens.enumerate() {
            if i > 0 {
                out.push(if t.sep == Sep::Dot { '.' } else { '-' });
            }
            match &t.value {
                Value::Number(n) => out.push_str(n.digits()),
                Value::Qualifier(q) => out.push_str(&match q {
                    Qualifier::Alpha => "alpha".to_string(),
                    Qualifier::Beta => "beta".to_string(),
                    Qualifier::Milestone => "milestone".to_string(),
                    Qualifier::Rc => "rc".to_string(),
                    Qualifier::Snapshot => "snapshot".to_string(),
                    Qualifier::Release => String::new(),
                    Qualifier::Sp => "sp".to_string(),
                    Qualifier::Other(o) => o.clone(),
                }),
            }
        }
        out
    }

    #[test]
    fn reading_and_trimming() {
        // The examples of the POM reference.
        assert_eq!(show("1-1.foo-bar1baz-.1"), "1-1.foo-bar-1-baz-0.1");
        assert_eq!(show("1.0.0"), "1");
        assert_eq!(show("1.ga"), "1");
        assert_eq!(show("1.final"), "1");
        assert_eq!(show("1.0"), "1");
        assert_eq!(show("1."), "1");
        assert_eq!(show("1-"), "1");
        assert_eq!(show("1.0.0-foo.0.0"), "1-foo");
        assert_eq!(show("1.0.0-0.0.0"), "1");
        // Aliases, case, leading zeros.
        assert_eq!(show("1A1"), "1-alpha-1");
        assert_eq!(show("1-a-1"), "1-a-1");
        assert_eq!(show("1CR2"), "1-rc-2");
        assert_eq!(show("007.010"), "7.10");
        assert_eq!(show("0"), "0");
        assert_eq!(show("0.0.0-0.0.0"), "0");
        // Zeros before a `.` token stay.
        assert_eq!(show("1.0.0.RC1"), "1.0.0.rc-1");
    }

    #[test]
    fn qualifier_order() {
        let chain = [
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1cr", "1rc"), Ordering::Equal);
        assert_eq!(cmp("1-ga", "1.final"), Ordering::Equal);
        assert_eq!(cmp("1RELEASE", "1"), Ordering::Equal);
    }

    #[test]
    fn separators() {
        // `.qualifier < -qualifier < -number < .number`.
        assert_eq!(cmp("1.0.0.RC1", "1.0.0-RC1"), Ordering::Greater);
        assert_eq!(cmp("6.1.12.rc5", "6.1.12rc1"), Ordering::Less);
        assert_eq!(cmp("2.0-1", "2.0.1"), Ordering::Less);
        assert_eq!(cmp("1.0.0-RC16", "1.0.0.RC8-beta"), Ordering::Less);
        assert_eq!(cmp("1.0.0.RC8-beta", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0", "1.0-1"), Ordering::Less);
    }

    #[test]
    fn cycles_of_the_specification_are_broken() {
        // By the specification's token rules alone, each of these triples is
        // a cycle; here they are ordered, as current Maven orders them.
        assert_eq!(cmp("1.0.alpha", "1"), Ordering::Less);
        assert_eq!(cmp("1", "1-1"), Ordering::Less);
        assert_eq!(cmp("1.0.alpha", "1-1"), Ordering::Less);
        assert_eq!(cmp("1-alpha", "1"), Ordering::Less);
        assert_eq!(cmp("1", "1.sp"), Ordering::Less);
        assert_eq!(cmp("1-alpha", "1.sp"), Ordering::Less);
        assert_eq!(cmp("2.9.0.RC1", "2.9.0-1"), Ordering::Less);
    }

    #[test]
    fn big_numbers() {
        assert_eq!(
            cmp(
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta"
            ),
            Ordering::Less
        );
        assert_eq!(
            cmp("1.99999999999999999999999", "1.100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(Version::parse("").is_err());
        assert!(Version::parse(&"1.".repeat(200)).is_err());
        // Everything else is some version.
        for s in [".", "-", "..--", "é", "1 2", "+", "_"] {
            assert!(Version::parse(s).is_ok(), "{s:?}");
        }
        assert_eq!(cmp(".", "0"), Ordering::Equal);
    }
}
