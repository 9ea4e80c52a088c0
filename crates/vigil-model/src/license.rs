//! Declared licenses: SPDX expressions where the text is one, or can be
//! read as one, and the text as written otherwise.
//!
//! Package metadata declares licenses loosely: `Apache 2.0`, `GPLv2+`,
//! `MIT/X11`, `BSD`. [`normalize`] turns what the SPDX license list and
//! the usual misspellings allow into the canonical expression
//! (`Apache-2.0`, `GPL-2.0-or-later`, `MIT OR X11`), and keeps anything else
//! as written: a free-text name still tells a reader something.
//! [`Component::license`](crate::Component::license) holds the result, so
//! [`is_spdx_expression`] on it tells the two apart (an SBOM writer puts the
//! first in an `expression` field, the second in a license `name`).

use spdx::{Expression, ParseMode};

/// How strict the final check is: the SPDX specification's syntax and
/// license list, deprecated identifiers included (they are still on the
/// list, and older metadata uses them).
const VALID: ParseMode = ParseMode {
    allow_deprecated: true,
    ..ParseMode::STRICT
};

/// Whether `text` is a valid SPDX license expression, as written: license
/// list identifiers as the list spells them, `AND`/`OR`/`WITH` operators,
/// `LicenseRef-` references.
pub fn is_spdx_expression(text: &str) -> bool {
    !text.trim().is_empty() && Expression::parse_mode(text, VALID).is_ok()
}

/// A declared license made an SPDX expression where it reads as one
/// (lax reading: imprecise names, `/` for `OR`, `+` on GNU licenses,
/// lowercase operators), else the trimmed text as written. `None` for
/// blank text.
pub fn normalize(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(id) = by_full_name(text) {
        return Some(id.to_string());
    }
    if guessed(text) {
        return Some(text.to_string());
    }
    // Canonical spelling first (identifiers' case, operators, `-only` and
    // `-or-later`), then the check that the whole is an expression.
    let spelled = respell(text);
    let candidate = match Expression::canonicalize(&spelled) {
        Ok(Some(c)) => c,
        Ok(None) => spelled,
        Err(_) => return Some(text.to_string()),
    };
    if is_spdx_expression(&candidate) {
        Some(candidate)
    } else {
        Some(text.to_string())
    }
}

/// Family names without a version (`BSD`, `GPL`, `Apache`): the crate's
/// lax reading picks one version of the family (`BSD` is `BSD-2-Clause`),
/// which the text does not say, so such text is kept as written.
const FAMILIES: &[&str] = &["bsd", "gpl", "lgpl", "agpl", "mpl", "apache"];

/// Whether reading `text` leniently would guess: it names a license family
/// without its version, or spells a GPL in a way the lax reading maps to
/// the wrong version (`GNU GPL v2`).
fn guessed(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("gnu gpl") {
        return true;
    }
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || "()/,".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    // `Apache 2.0`, `GPL v3`: the next word is the version.
    let version = |w: Option<&&str>| {
        w.is_some_and(|w| {
            w.trim_start_matches('v')
                .starts_with(|c: char| c.is_ascii_digit())
        })
    };
    words
        .iter()
        .enumerate()
        .any(|(i, w)| FAMILIES.contains(&w.trim_end_matches('+')) && !version(words.get(i + 1)))
}

/// The license whose full name on the SPDX list `text` is, in any case
/// (`MIT License`, `Apache License 2.0`).
fn by_full_name(text: &str) -> Option<&'static str> {
    spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.full_name.eq_ignore_ascii_case(text))
        .map(|l| l.name)
}

/// `text` with each word that is a license list identifier in another case
/// (`apache-2.0`, `bsd-3-clause`) spelled as the list does: the lax reader
/// would otherwise take the start of the word for a misspelling.
fn respell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let base = word.trim_end_matches('+');
        let plus = &word[base.len()..];
        match spdx::identifiers::LICENSES
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(base))
        {
            Some(l) if l.name != base => {
                out.push_str(l.name);
                out.push_str(plus);
            }
            _ => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || "()/".contains(c) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// How several declared licenses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The user may choose any of them (Composer's and npm's lists).
    AnyOf,
    /// All apply (CycloneDX's list of licenses of one component).
    AllOf,
}

/// Several declared licenses as one: each [normalized](normalize), joined
/// with `OR` or `AND`, compound parts in parentheses. The result is an
/// SPDX expression when every part is one. `None` when no part has text.
pub fn combine<'a>(parts: impl IntoIterator<Item = &'a str>, choice: Choice) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().filter_map(normalize).collect();
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        many => {
            let op = match choice {
                Choice::AnyOf => " OR ",
                Choice::AllOf => " AND ",
            };
            Some(
                many.iter()
                    .map(|p| {
                        if p.contains(' ') {
                            format!("({p})")
                        } else {
                            p.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(op),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_expressions_stay_as_written() {
        for e in [
            "MIT",
            "Apache-2.0 OR MIT",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "LicenseRef-Proprietary",
            "GPL-2.0-only",
        ] {
            assert!(is_spdx_expression(e), "{e}");
            assert_eq!(normalize(e).as_deref(), Some(e));
        }
    }

    #[test]
    fn loose_names_become_expressions() {
        for (text, want) in [
            ("Apache 2.0", "Apache-2.0"),
            ("apache2", "Apache-2.0"),
            ("GPLv2+", "GPL-2.0-or-later"),
            ("GPL-3.0+", "GPL-3.0-or-later"),
            ("MIT/X11", "MIT OR X11"),
            ("mit or apache-2.0", "MIT OR Apache-2.0"),
            ("  MIT  ", "MIT"),
            ("apache-2.0", "Apache-2.0"),
            ("bsd-3-clause OR mit", "BSD-3-Clause OR MIT"),
            ("MIT License", "MIT"),
            ("Apache License 2.0", "Apache-2.0"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("GPL-2.0", "GPL-2.0-only"),
            ("GPLv3", "GPL-3.0-only"),
            ("GPL v2", "GPL-2.0-only"),
            ("zlib", "Zlib"),
            ("CC0", "CC0-1.0"),
        ] {
            assert_eq!(normalize(text).as_deref(), Some(want), "{text}");
            assert!(is_spdx_expression(want), "{want}");
        }
    }

    #[test]
    fn free_text_is_kept_as_written() {
        for text in [
            "Dual License",
            "Public Domain",
            "MIT AND (",
            "Proprietary",
            "PSF",
            "Apache License, Version 2.0",
            // A family without its version is not guessed.
            "BSD",
            "GPL",
            "Apache",
            "MIT/BSD",
            "GPL+",
            // Read by the lax rules as GPL-3.0.
            "GNU GPL v2",
        ] {
            assert_eq!(normalize(text).as_deref(), Some(text), "{text}");
            assert!(!is_spdx_expression(text), "{text}");
        }
        assert_eq!(normalize("   "), None);
        assert!(!is_spdx_expression(""));
        // Identifiers are checked as the list spells them; normalizing
        // spells them so.
        assert!(!is_spdx_expression("mit"));
        assert_eq!(normalize("mit").as_deref(), Some("MIT"));
    }

    #[test]
    fn lists_combine() {
        assert_eq!(
            combine(["MIT", "Apache 2.0"], Choice::AnyOf).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            combine(
                ["LGPL-2.1-only", "GPL-3.0+ WITH Classpath-exception-2.0"],
                Choice::AnyOf
            )
            .as_deref(),
            Some("LGPL-2.1-only OR (GPL-3.0-or-later WITH Classpath-exception-2.0)")
        );
        assert_eq!(
            combine(["MIT", "Public Domain"], Choice::AllOf).as_deref(),
            Some("MIT AND (Public Domain)")
        );
        assert_eq!(combine(["", " "], Choice::AllOf), None);
        assert_eq!(combine(["ISC"], Choice::AllOf).as_deref(), Some("ISC"));
    }
}
