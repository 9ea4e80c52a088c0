//! Python package versions: PEP 440 ("Version Identification and Dependency
//! Specification"), as ordered by the `packaging` library that pip uses, and
//! pip's old `LegacyVersion` ordering for strings that are not PEP 440.
//!
//! A PEP 440 version is `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
//! What is accepted, as PEP 440's "Normalization" section and `packaging`'s
//! grammar allow:
//!
//! - surrounding whitespace, a leading `v`, any letter case;
//! - pre-release spellings `alpha`/`a`, `beta`/`b`, `c`/`rc`/`pre`/`preview`,
//!   post-release spellings `post`/`rev`/`r`, and the implicit post release
//!   `1.0-1`; a `-`, `_` or `.` may stand before and after each of these
//!   letters (`1.0-rc.1`), and a missing number is zero (`1.0a` is `1.0a0`);
//! - local versions `+abc.5`, with `-` and `_` as separators too.
//!
//! Order (PEP 440 "Summary of permitted suffixes and relative ordering"):
//! epoch first, then the release segment with trailing zeros insignificant
//! (`1.0 == 1.0.0`), then `.devN` of a plain release < pre-releases
//! (`a < b < rc`) < the release < post releases; within each, dev releases
//! sort before the same version without `.dev`. A local version sorts after
//! the same public version; local segments compare one by one, numbers
//! numerically, text case-insensitively, text before numbers, and a shorter
//! local version first when the longer one starts with it. All numbers are
//! kept as digit strings, so any size compares correctly.
//!
//! Strings that are not PEP 440 (old advisories contain some, such as
//! `0.9-doduo` or `0.3m1`) are read as `packaging.version.LegacyVersion` read
//! them: they sort before every PEP 440 version, and among themselves by its
//! key: the lowercased string is split into digit runs, letter runs, `.`,
//! `-` and the text between them; digit runs are zero-padded to eight
//! characters, `pre`, `preview` and `rc` become `c`, `dev` becomes `@`, `-`
//! becomes `final-`; trailing zero runs and `final-` markers before a
//! pre-release tag are dropped; and `*final` ends the key. Deviations: only
//! ASCII digits count as digits (Python's regex also takes other Unicode
//! digits), and non-ASCII text is never a valid PEP 440 version (Python's
//! case-insensitive regex takes a few look-alikes such as the Kelvin sign).
//!
//! Refused: the empty string (and whitespace alone) and strings longer than
//! [`MAX_LEN`] bytes.

use std::cmp::Ordering;

use super::semver::{trim_zeros, Num, MAX_LEN};

/// A parsed Python version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version(Kind);

/// The variant order is the order: every legacy version sorts before every
/// PEP 440 version, as `LegacyVersion`'s epoch of -1 made it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Not PEP 440: `LegacyVersion`'s key.
    Legacy(Vec<String>),
    /// A PEP 440 version.
    Pep440(Key),
}

/// The comparison key of a PEP 440 version, field by field in precedence
/// order (the same key `packaging` builds).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// `N!`; zero when absent.
    epoch: Num,
    /// The release segment without trailing zeros.
    release: Vec<Num>,
    /// The pre-release, or where a version without one sorts.
    pre: Pre,
    /// The post release.
    post: Post,
    /// The dev release.
    dev: Dev,
    /// The local version.
    local: Local,
}

/// A pre-release letter, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Letter {
    /// `a`, `alpha`.
    Alpha,
    /// `b`, `beta`.
    Beta,
    /// `rc`, `c`, `pre`, `preview`.
    Rc,
}

/// The pre-release part of the key. Variant order is the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    /// No pre-release and no post release but a dev release: `1.0.dev1`
    /// sorts before `1.0a1`.
    DevOnly,
    /// A pre-release.
    Tagged(Letter, Num),
    /// No pre-release: after every pre-release.
    Final,
}

/// The post-release part of the key. Variant order is the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Post {
    /// No post release: before every post release.
    None,
    /// `.postN`.
    Post(Num),
}

/// The dev-release part of the key. Variant order is the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Dev {
    /// `.devN`: before the same version without it.
    Dev(Num),
    /// No dev release.
    None,
}

/// The local-version part of the key. Variant order is the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    /// No local version: before every local version.
    None,
    /// `+seg.seg...`.
    Segments(Vec<LocalSegment>),
}

/// One local-version segment. Variant order is the order: text before
/// numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSegment {
    /// Lowercased text.
    Text(String),
    /// All digits.
    Number(Num),
}

/// Whitespace as Python's `str.strip()` and regex `\s` see it: Unicode
/// white space plus the ASCII separators `\x1c`..`\x1f`.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// A cursor over a lowercased ASCII version string.
struct Cursor<'a> {
    /// The whole string.
    s: &'a str,
    /// The byte offset of the next unread byte.
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// The byte at the cursor.
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    /// The byte `ahead` bytes after the cursor.
    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.as_bytes().get(self.pos + ahead).copied()
    }

    /// The text from the cursor on.
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }

    /// Consumes one optional `-`, `_` or `.`.
    fn separator(&mut self) {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.pos += 1;
        }
    }

    /// Consumes a run of digits.
    fn digits(&mut self) -> Option<Num> {
        let len = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        let run = self.rest().get(..len)?;
        let num = Num::from_digits(run)?;
        self.pos += len;
        Some(num)
    }

    /// Consumes the longest of `words` found here.
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = self.rest();
        let found = words
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len())
            .copied()?;
        self.pos += found.len();
        Some(found)
    }

    /// `[-_.]? word [-_.]? N?`, the shape of pre, post and dev parts; the
    /// cursor does not move when there is no such part.
    fn tagged(&mut self, words: &[&'static str]) -> Option<(&'static str, Num)> {
        let start = self.pos;
        self.separator();
        let Some(word) = self.word(words) else {
            self.pos = start;
            return None;
        };
        self.separator();
        Some((word, self.digits().unwrap_or_else(Num::zero)))
    }
}

/// Parses a PEP 440 version; `None` when the string is not one.
fn parse_pep440(input: &str) -> Option<Key> {
    let trimmed = input.trim_matches(is_python_space);
    if !trimmed.is_ascii() {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let mut c = Cursor { s: &lower, pos: 0 };
    if c.peek() == Some(b'v') {
        c.pos += 1;
    }

    // Epoch: digits followed by `!`; otherwise those digits start the release.
    let start = c.pos;
    let epoch = match c.digits() {
        Some(n) if c.peek() == Some(b'!') => {
            c.pos += 1;
            n
        }
        _ => {
            c.pos = start;
            Num::zero()
        }
    };

    let mut release = vec![c.digits()?];
    while c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        c.pos += 1;
        release.push(c.digits()?);
    }

    let pre = c
        .tagged(&["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"])
        .map(|(word, n)| {
            let letter = match word {
                "a" | "alpha" => Letter::Alpha,
                "b" | "beta" => Letter::Beta,
                _ => Letter::Rc,
            };
            (letter, n)
        });

    // `-N` is an implicit post release; otherwise `[-_.]?(post|rev|r)[-_.]?N?`.
    let post = if c.peek() == Some(b'-') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
        c.pos += 1;
        c.digits()
    } else {
        c.tagged(&["post", "rev", "r"]).map(|(_, n)| n)
    };

    let dev = c.tagged(&["dev"]).map(|(_, n)| n);

    let local = if c.peek() == Some(b'+') {
        c.pos += 1;
        Local::Segments(parse_local(&mut c)?)
    } else {
        Local::None
    };

    if c.pos != lower.len() {
        return None;
    }

    Some(Key {
        epoch,
        release: trim_zeros(release),
        pre: match (pre, &post, &dev) {
            (Some((letter, n)), _, _) => Pre::Tagged(letter, n),
            (None, None, Some(_)) => Pre::DevOnly,
            (None, _, _) => Pre::Final,
        },
        post: post.map_or(Post::None, Post::Post),
        dev: dev.map_or(Dev::None, Dev::Dev),
        local,
    })
}

/// Parses `[a-z0-9]+([-_.][a-z0-9]+)*` after the `+`.
fn parse_local(c: &mut Cursor<'_>) -> Option<Vec<LocalSegment>> {
    let mut segments = Vec::new();
    loop {
        let len = c
            .rest()
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        let seg = c.rest().get(..len).filter(|s| !s.is_empty())?;
        segments.push(match Num::from_digits(seg) {
            Some(n) => LocalSegment::Number(n),
            None => LocalSegment::Text(seg.to_string()),
        });
        c.pos += len;
        let more = matches!(c.peek(), Some(b'-' | b'_' | b'.'))
            && c.peek_at(1).is_some_and(|b| b.is_ascii_alphanumeric());
        if !more {
            return Some(segments);
        }
        c.pos += 1;
    }
}

/// What `LegacyVersion` makes of one component of the split string.
fn legacy_part(part: &str) -> Option<String> {
    let part = match part {
        "pre" | "preview" | "rc" => "c",
        "-" => "final-",
        "dev" => "@",
        other => other,
    };
    if part.is_empty() || part == "." {
        None
    } else if part.starts_with(|c: char| c.is_ascii_digit()) {
        Some(format!("{part:0>8}"))
    } else {
        Some(format!("*{part}"))
    }
}

/// The comparison key of `packaging.version.LegacyVersion`.
fn legacy_key(input: &str) -> Vec<String> {
    let lower = input.to_lowercase();

    // Split into digit runs, letter runs, `.`, `-`, and the text between.
    let mut components: Vec<&str> = Vec::new();
    let mut gap_start = 0;
    let mut i = 0;
    let bytes = lower.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        let len = if b.is_ascii_digit() {
            bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count()
        } else if b.is_ascii_lowercase() {
            bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase())
                .count()
        } else if b == b'.' || b == b'-' {
            1
        } else {
            i += 1;
            continue;
        };
        // Matches are ASCII, so these are character boundaries.
        components.extend(lower.get(gap_start..i));
        components.extend(lower.get(i..i + len));
        i += len;
        gap_start = i;
    }
    components.extend(lower.get(gap_start..));

    let mut parts: Vec<String> = Vec::new();
    let final_marker = "*final".to_string();
    for part in components
        .into_iter()
        .filter_map(legacy_part)
        .chain(std::iter::once(final_marker.clone()))
    {
        if part.starts_with('*') {
            // Drop the `-` before a pre-release tag.
            if part < final_marker {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            // Drop trailing zeros of each run of numbers.
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

impl Version {
    /// Parses a Python version: PEP 440 when it is one, legacy otherwise.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.len() > MAX_LEN {
            return Err(format!("longer than {MAX_LEN} bytes"));
        }
        if s.trim_matches(is_python_space).is_empty() {
            return Err("empty version".to_string());
        }
        Ok(Version(match parse_pep440(s) {
            Some(key) => Kind::Pep440(key),
            None => Kind::Legacy(legacy_key(s)),
        }))
    }

    /// Whether the string was a valid PEP 440 version.
    #[cfg(test)]
    fn is_pep440(&self) -> bool {
        matches!(self.0, Kind::Pep440(_))
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
    fn pep440_summary_order() {
        // The example order of PEP 440's "Summary of permitted suffixes".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(cmp("1!0.1", "2.0"), Ordering::Greater);
    }

    #[test]
    fn normalization() {
        for (a, b) in [
            ("1.0", "1.0.0.0"),
            ("v1.0", "1.0"),
            (" 1.0\n", "1.0"),
            ("1.0ALPHA1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0a", "1.0a0"),
            ("1.0-1", "1.0.post1"),
            ("1.0-r1", "1.0.post1"),
            ("1.0rev", "1.0.post0"),
            ("1.0.dev", "1.0.dev0"),
            ("1.0+ABC-5_x", "1.0+abc.5.x"),
            ("1.0+05", "1.0+5"),
            ("0!1.0", "1.0"),
            ("1.0prerev", "1.0rc0.post0"),
            ("1.0.dev.+a", "1.0.dev0+a"),
            ("1.0a-1", "1.0a1"),
            ("1.0a--1", "1.0a0.post1"),
        ] {
            assert!(v(a).is_pep440(), "{a} should be PEP 440");
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        }
        assert_eq!(cmp("1.0+abc", "1.0"), Ordering::Greater);
    }

    #[test]
    fn big_numbers() {
        let big = "1".repeat(60);
        assert_eq!(
            cmp(&format!("{big}.0"), &format!("{big}.1")),
            Ordering::Less
        );
        assert_eq!(
            cmp(&format!("1.0.post{big}"), "1.0.post9"),
            Ordering::Greater
        );
    }

    #[test]
    fn legacy_versions() {
        for s in [
            "0.9-doduo",
            "0.3m1",
            "-class.-jw.util.version.Version-",
            "1.0 beta",
            "1.0-",
        ] {
            assert!(!v(s).is_pep440(), "{s} should be legacy");
        }
        assert_eq!(cmp("0.1-bulbasaur", "0.1-charmander"), Ordering::Less);
        assert_eq!(cmp("0.9-ivysaur", "1.0"), Ordering::Less);
        assert_eq!(cmp("99999.0-foo", "0.0.dev0"), Ordering::Less);
        assert_eq!(cmp("0.3m1", "0.3m2"), Ordering::Less);
        assert_eq!(cmp("0.3M1", "0.3m1"), Ordering::Equal);
        // Trailing zeros and `final-` before a tag.
        assert_eq!(
            legacy_key("1.0-pre1"),
            ["00000001", "*c", "00000001", "*final"]
        );
        assert_eq!(legacy_key("1.0.0x"), ["00000001", "*x", "*final"]);
        assert_eq!(legacy_key("1_2"), ["00000001", "*_", "00000002", "*final"]);
        // Runs longer than eight digits compare as text: a LegacyVersion quirk.
        assert_eq!(cmp("123456789-x", "99999999-x"), Ordering::Less);
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(Version::parse("").is_err());
        assert!(Version::parse(" \t").is_err());
        assert!(Version::parse(&"1.".repeat(200)).is_err());
        // Anything else is at least a legacy version, even non-ASCII text.
        assert!(Version::parse("1.0\u{e9}").is_ok());
        assert!(Version::parse("\u{212a}").is_ok());
    }
}
