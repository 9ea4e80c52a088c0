//! The detection engine: one Aho-Corasick automaton over every rule's
//! keywords finds candidate places; only the rules whose keywords occur
//! run their regex, and only on the lines around the keyword. The
//! matches then pass the entropy, checksum and allowlist filters.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::allow::is_placeholder;
use crate::entropy::{checksum_ok, shannon};
use crate::rules::{Rule, RuleSet};
use crate::value::SecretValue;

/// How far before a keyword a secret may start, in bytes (then widened
/// to the start of its line).
const BEFORE: usize = 256;
/// How far after a keyword a secret may end (then widened to the end of
/// its line).
const AFTER: usize = 256;
/// For rules whose regex spans lines (`(?s)`, private key blocks): how far
/// after a keyword.
const AFTER_MULTILINE: usize = 16 * 1024;
/// What an unbounded run of white space in a regex counts for when its
/// reach is computed.
const WHITESPACE_RUN: &str = "\\s{0,16}";
/// How far a window is widened to reach a line's start or end at most
/// (minified files have very long lines).
const LINE_SLACK: usize = 1024;

/// A secret found: which rule, where, and its raw value.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The rule's index in the rule set.
    pub rule: usize,
    /// 1-based line of the secret's start (0 in a binary file).
    pub line: u32,
    /// 1-based column of the secret's start, in characters of the line (0
    /// in a binary file).
    pub column: u32,
    /// The secret's byte range in the scanned input.
    pub range: Range<usize>,
    /// The raw value (never printed).
    pub value: SecretValue,
}

/// The compiled rule set and its keyword automaton.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    automaton: AhoCorasick,
    /// For each automaton pattern: the rules that have it as a keyword.
    keyword_rules: Vec<Vec<usize>>,
    /// Per rule: how far before and after a keyword its regex runs.
    reach: Vec<Reach>,
}

/// How far around a keyword a rule's regex runs.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// Bytes before the keyword's start.
    before: usize,
    /// Bytes after the keyword's end (then widened to the end of the
    /// line).
    after: usize,
    /// Whether the window's start is widened to the start of its line:
    /// only for regexes of unbounded length, whose reach is a guess. (A
    /// window may start mid-line otherwise: a regex searched from there
    /// sees no `^` and must match its own boundary character.)
    line_start: bool,
}

impl Reach {
    /// The reach of a regex: its longest match when it has one (a match
    /// holds its keyword, so it lies within that many bytes of it), else
    /// the defaults and whole lines.
    fn of(source: &str) -> Reach {
        let multiline = source.contains("(?s)") || source.contains("\\n");
        let after = if multiline { AFTER_MULTILINE } else { AFTER };
        // A run of white space between a key and its value counts as at
        // most WHITESPACE_RUN bytes: the reach stays bounded for the rules
        // of `key\s*=\s*value` shape (their windows end at the end of a
        // line anyway).
        let bounded = source
            .replace("\\s*", WHITESPACE_RUN)
            .replace("\\s+", WHITESPACE_RUN)
            .replace("[ \\t]*", WHITESPACE_RUN);
        let longest = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&bounded)
            .ok()
            .and_then(|hir| hir.properties().maximum_len());
        match longest {
            Some(n) => Reach {
                before: n.min(AFTER_MULTILINE),
                after: n.min(AFTER_MULTILINE),
                line_start: false,
            },
            None => Reach {
                before: BEFORE,
                after,
                line_start: true,
            },
        }
    }
}

/// The automaton could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the keyword automaton: {0}")]
pub struct BuildError(String);

impl Scanner {
    /// Compiles the keyword automaton of a rule set.
    pub fn new(rules: RuleSet) -> Result<Scanner, BuildError> {
        let mut keywords: Vec<String> = Vec::new();
        // A keyword's rules, by its index.
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (i, r) in rules.rules().iter().enumerate() {
            for k in &r.keywords {
                let slot = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k.clone());
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !keyword_rules[slot].contains(&i) {
                    keyword_rules[slot].push(i);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            // Every keyword at every place, overlaps included: one
            // keyword inside another must not hide the other's rules.
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| BuildError(e.to_string()))?;
        let reach = rules
            .rules()
            .iter()
            .map(|r| Reach::of(&r.regex_source))
            .collect();
        Ok(Scanner {
            rules,
            automaton,
            keyword_rules,
            reach,
        })
    }

    /// The rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The rule of a hit.
    pub fn rule(&self, hit: &Hit) -> &Rule {
        &self.rules.rules()[hit.rule]
    }

    /// Finds the secrets in `bytes`, the content of the file at `rel` (the
    /// path relative to the scan root, `/`-separated, for path
    /// allowlists). Hits are in the order of their position.
    pub fn scan(&self, rel: &str, bytes: &[u8]) -> Vec<Hit> {
        self.scan_with(Some(rel), bytes, None)
    }

    /// As [`Scanner::scan`] for content that is not (or not only) at one
    /// path, such as a git blob found at several paths: with `rel`, the
    /// path allowlists apply to it; without, none does (the caller then
    /// drops the hits of the rules whose allowlist has a path, for each
    /// path the content is at).
    pub fn scan_content(&self, rel: Option<&str>, bytes: &[u8]) -> Vec<Hit> {
        self.scan_with(rel, bytes, None)
    }

    /// As [`Scanner::scan_binary`], with an optional path (see
    /// [`Scanner::scan_content`]).
    pub fn scan_binary_content(&self, rel: Option<&str>, head: &[u8]) -> Vec<Hit> {
        self.scan_binary_with(rel, head, None)
    }

    /// As [`Scanner::scan`], with only the rule of index `only` (the
    /// catalogue test runs one rule at a time).
    pub fn scan_rule(&self, rel: &str, bytes: &[u8], only: usize) -> Vec<Hit> {
        if self.rules.rules().get(only).is_some_and(|r| r.binary) {
            return self.scan_binary_with(Some(rel), bytes, Some(only));
        }
        self.scan_with(Some(rel), bytes, Some(only))
    }

    /// Whether there are rules for binary files.
    pub fn has_binary_rules(&self) -> bool {
        self.rules.rules().iter().any(|r| r.binary)
    }

    /// Runs the binary rules on `head`, the first bytes of a binary file.
    pub fn scan_binary(&self, rel: &str, head: &[u8]) -> Vec<Hit> {
        self.scan_binary_with(Some(rel), head, None)
    }

    fn scan_binary_with(&self, rel: Option<&str>, head: &[u8], only: Option<usize>) -> Vec<Hit> {
        let allows = |a: &crate::rules::Allowlist| rel.is_some_and(|p| a.allows_path(p));
        if allows(&self.rules.allow) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (r, rule) in self.rules.rules().iter().enumerate() {
            if !rule.binary || only.is_some_and(|o| o != r) || allows(&rule.allow) {
                continue;
            }
            let Some(caps) = rule.regex.captures(head) else {
                continue;
            };
            let secret = match rule.secret_group {
                Some(g) => caps.get(g),
                None => (1..caps.len())
                    .find_map(|g| caps.get(g))
                    .or_else(|| caps.get(0)),
            };
            let Some(secret) = secret else {
                continue;
            };
            let value = secret.as_bytes();
            if rule.entropy.is_some_and(|min| shannon(value) < min)
                || rule.allow.allows_secret(value)
            {
                continue;
            }
            out.push(Hit {
                rule: r,
                line: 0,
                column: 0,
                range: secret.range(),
                value: SecretValue::new(value),
            });
        }
        out
    }

    fn scan_with(&self, rel: Option<&str>, bytes: &[u8], only: Option<usize>) -> Vec<Hit> {
        let allows = |a: &crate::rules::Allowlist| rel.is_some_and(|p| a.allows_path(p));
        if allows(&self.rules.allow) {
            return Vec::new();
        }
        let rules = self.rules.rules();
        // Per rule, the window its regex runs on now (not yet closed), and
        // the closed windows: (rule, window), in keyword order per rule.
        let mut open: Vec<Option<Range<usize>>> = vec![None; rules.len()];
        let mut closed: Vec<(usize, Range<usize>)> = Vec::new();
        let mut any = false;
        for m in self.automaton.find_overlapping_iter(bytes) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                if only.is_some_and(|o| o != r) {
                    continue;
                }
                any = true;
                let reach = self.reach[r];
                let lo = m.start().saturating_sub(reach.before);
                let hi = m.end().saturating_add(reach.after).min(bytes.len());
                match &mut open[r] {
                    // Within the open window: widen it only when this
                    // keyword reaches past it.
                    Some(w) if lo <= w.end => {
                        w.start = w.start.min(lo);
                        if hi > w.end {
                            w.end = line_end(bytes, hi);
                        }
                    }
                    slot => {
                        let lo = if reach.line_start {
                            line_start(bytes, lo)
                        } else {
                            lo
                        };
                        if let Some(w) = slot.replace(lo..line_end(bytes, hi)) {
                            closed.push((r, w));
                        }
                    }
                }
            }
        }
        if !any {
            return Vec::new();
        }
        closed.extend(
            open.into_iter()
                .enumerate()
                .filter_map(|(r, w)| w.map(|w| (r, w))),
        );
        let mut found: Vec<(usize, Range<usize>)> = Vec::new();
        // Text a specific rule's regex matched, whether or not the value
        // passed its filters: a generic rule does not report it (a token
        // whose checksum is wrong is no password either).
        let mut claimed: Vec<Range<usize>> = Vec::new();
        for (r, w) in closed {
            let rule = &rules[r];
            if !allows(&rule.allow) {
                self.run_rule(r, rule, bytes, w, &mut found, &mut claimed);
            }
        }
        found.sort_by_key(|(r, range)| (range.start, range.end, *r));
        found.dedup();
        // A specific rule's finding wins over a generic one on the same
        // text.
        let specific: Vec<Range<usize>> = found
            .iter()
            .filter(|(r, _)| !rules[*r].fallback)
            .map(|(_, range)| range.clone())
            .chain(claimed)
            .collect();
        found.retain(|(r, range)| {
            !rules[*r].fallback
                || !specific
                    .iter()
                    .any(|s| s.start < range.end && range.start < s.end)
        });
        positions(bytes, found)
    }

    /// Runs one rule's regex over one window and keeps the matches that
    /// pass the filters.
    fn run_rule(
        &self,
        r: usize,
        rule: &Rule,
        bytes: &[u8],
        window: Range<usize>,
        found: &mut Vec<(usize, Range<usize>)>,
        claimed: &mut Vec<Range<usize>>,
    ) {
        let haystack = &bytes[..window.end];
        let mut pos = window.start;
        while pos <= haystack.len() {
            // Most windows hold no match: a search without capture groups
            // (no allocation) tells, then the groups of the match found
            // (the leftmost match from its own start is the same one).
            let Some(m) = rule.regex.find_at(haystack, pos) else {
                break;
            };
            let Some(caps) = rule.regex.captures_at(haystack, m.start()) else {
                break;
            };
            let Some(whole) = caps.get(0) else {
                break;
            };
            let group = match rule.secret_group {
                Some(g) => caps.get(g),
                None => (1..caps.len()).find_map(|g| caps.get(g)).or(Some(whole)),
            };
            let Some(secret) = group else {
                pos = whole.end().max(whole.start() + 1);
                continue;
            };
            // The next match may use the text after the secret (a
            // boundary the regex consumed).
            pos = secret.end().max(whole.start() + 1);
            let value = secret.as_bytes();
            if value.is_empty()
                || !self.passes(rule, value)
                || rule.allow.allows_context(whole.as_bytes())
            {
                if !rule.fallback {
                    claimed.push(secret.range());
                }
                continue;
            }
            found.push((r, secret.range()));
        }
    }

    /// Whether a matched value passes the rule's entropy, checksum and
    /// allowlists, and the global allowlist.
    fn passes(&self, rule: &Rule, value: &[u8]) -> bool {
        if rule.entropy.is_some_and(|min| shannon(value) < min) {
            return false;
        }
        if rule.checksum.is_some_and(|c| !checksum_ok(c, value)) {
            return false;
        }
        if rule.fallback && is_code_reference(value) {
            return false;
        }
        !(rule.allow.allows_secret(value)
            || self.rules.allow.allows_secret(value)
            || is_placeholder(value))
    }
}

/// Whether a value a generic rule matched is rather a name in code than a
/// secret: letters and `_` only, in one or more `.`-separated parts, with an
/// optional `()` (`self.password`, `settings.DB_PASSWORD`,
/// `hashed_password`, `get_token()`); a path with `::`, a macro call
/// (`Token![impl]`), an index or type parameter (`keypair[:32]`,
/// `Optional[bytes]`), a URL; an upper-case constant's name
/// (`WIN32_ERROR`).
fn is_code_reference(value: &[u8]) -> bool {
    // A path (`libc::passwd`), what follows a `:` type annotation's first
    // colon (`Token::Suffix` read as `Token: :Suffix`), a macro, a URL, an
    // index.
    if value.starts_with(b":")
        || [&b"::"[..], b"![", b"://"]
            .iter()
            .any(|p| memchr::memmem::find(value, p).is_some())
        || (value.ends_with(b"]") && value.contains(&b'['))
    {
        return true;
    }
    // An upper-case constant's name (`WIN32_ERROR`, `DB_PASSWORD`).
    if value.first().is_some_and(u8::is_ascii_uppercase)
        && value.contains(&b'_')
        && value
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return true;
    }
    // A kebab-case name (`elevated-privileges`, `no-debconf-config`):
    // lower-case words joined by hyphens, as tags, options and service
    // names are written.
    if value.contains(&b'-')
        && value
            .split(|&b| b == b'-')
            .all(|w| !w.is_empty() && w.iter().all(u8::is_ascii_lowercase))
    {
        return true;
    }
    let value = value.strip_suffix(b"()").unwrap_or(value);
    !value.is_empty()
        && value.split(|&b| b == b'.').all(|part| {
            !part.is_empty() && part.iter().all(|&b| b.is_ascii_alphabetic() || b == b'_')
        })
}

/// The start of the line holding `at` (within [`LINE_SLACK`]).
fn line_start(bytes: &[u8], at: usize) -> usize {
    let floor = at.saturating_sub(LINE_SLACK);
    memchr::memrchr(b'\n', &bytes[floor..at]).map_or(floor, |p| floor + p + 1)
}

/// The end of the line holding `at` (within [`LINE_SLACK`]).
fn line_end(bytes: &[u8], at: usize) -> usize {
    let ceil = at.saturating_add(LINE_SLACK).min(bytes.len());
    memchr::memchr(b'\n', &bytes[at..ceil]).map_or(ceil, |p| at + p)
}

/// Lines and columns of the found ranges (sorted by start).
fn positions(bytes: &[u8], found: Vec<(usize, Range<usize>)>) -> Vec<Hit> {
    let mut line: u32 = 1;
    let mut line_start = 0usize;
    let mut scanned = 0usize;
    let mut out = Vec::with_capacity(found.len());
    for (rule, range) in found {
        let upto = range.start;
        if upto > scanned {
            for p in memchr::memchr_iter(b'\n', &bytes[scanned..upto]) {
                line = line.saturating_add(1);
                line_start = scanned + p + 1;
            }
            scanned = upto;
        }
        // Characters, not bytes: UTF-8 continuation bytes don't count.
        let chars = bytes[line_start..range.start]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        out.push(Hit {
            rule,
            line,
            column: u32::try_from(chars + 1).unwrap_or(u32::MAX),
            value: SecretValue::new(&bytes[range.clone()]),
            range,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_is_the_longest_match_when_bounded() {
        let token = Reach::of(
            "(?:^|[^0-9A-Za-z_-])(pat[0-9A-Za-z]{14}\\.[0-9a-f]{64})(?:[^0-9A-Za-z_-]|$)",
        );
        assert_eq!(
            (token.before, token.after, token.line_start),
            (84, 84, false)
        );
        // White space runs count for 16 bytes.
        let assignment = Reach::of("(?i)api_?key\\s*[:=]\\s*([0-9a-f]{32})");
        assert_eq!(assignment.before, 7 + 16 + 1 + 16 + 32);
        // Unbounded: the defaults and whole lines.
        let pem = Reach::of("(?s)(-----BEGIN X-----[A-Za-z0-9+/=\\r\\n]{64,}?-----END X-----)");
        assert_eq!(
            (pem.before, pem.after, pem.line_start),
            (BEFORE, AFTER_MULTILINE, true)
        );
    }

    #[test]
    fn code_references() {
        for v in [
            "self.password",
            "settings.DB_PASSWORD",
            "hashed_password",
            "get_token()",
            "libc::passwd",
            ":RecursiveSuffix",
            "Token![impl]",
            "typing.Optional[bytes]",
            "keypair[:32]",
            "https://tools.ietf.org/html/rfc6749",
            "WIN32_ERROR",
            "elevated-privileges",
            "no-debconf-config",
        ] {
            assert!(is_code_reference(v.as_bytes()), "{v}");
        }
        for v in [
            "hunter2hunter",
            "s3cr3t.V4lue",
            "a..b",
            "Zq8vR2mK9pLx",
            "tr0ub4dor-and-3",
        ] {
            assert!(!is_code_reference(v.as_bytes()), "{v}");
        }
    }
}
