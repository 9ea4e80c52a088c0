//! Static expansion of `ARG` and `ENV` variables in a Dockerfile:
//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`
//! and `${VAR+alt}`. A variable whose value is not known when the file is
//! read (an `ARG` without a default, one set by the base image) stays as
//! written, so rules never judge a guess.

use std::collections::HashMap;

/// The value of a variable in scope: `Some` when the Dockerfile gives it
/// statically, `None` when it is declared without one (an `ARG` a build
/// may pass).
pub(crate) type Scope = HashMap<String, Option<String>>;

/// How undeclared variables expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undeclared {
    /// Unknown: may come from the base image's environment (stage
    /// instructions). Left as written.
    Unknown,
    /// Empty: only declared ARGs are in scope (`FROM` lines).
    Empty,
}

/// The longest expansion kept: a text whose variables expand beyond it
/// stays as written (unknown), so that `ARG A=${A}${A}` repeated cannot
/// grow a value exponentially.
const MAX_EXPANDED: usize = 64 * 1024;

/// Whether `c` may continue a variable name.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// What a variable reference expands to, `None` when unknown.
fn lookup(scope: &Scope, name: &str, undeclared: Undeclared) -> Option<Option<String>> {
    match scope.get(name) {
        Some(Some(v)) => Some(Some(v.clone())),
        Some(None) => Some(None),
        None if undeclared == Undeclared::Empty => Some(Some(String::new())),
        None => None,
    }
}

/// Expands the variables of `text`. With `shell`, single-quoted text is
/// left alone (the shell does not expand it either). `\$` is a literal
/// dollar and stays as written.
pub(crate) fn expand(text: &str, scope: &Scope, undeclared: Undeclared, shell: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut quoted = false;
    while i < chars.len() {
        if out.len() > MAX_EXPANDED {
            return text.to_string();
        }
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if shell && c == '\'' {
            quoted = !quoted;
        }
        if c != '$' || quoted || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        if chars[i + 1] == '{' {
            let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') else {
                out.push(c);
                i += 1;
                continue;
            };
            let inner: String = chars[i + 2..i + 2 + close].iter().collect();
            let raw: String = chars[i..i + 3 + close].iter().collect();
            out.push_str(&braced(&inner, scope, undeclared, shell).unwrap_or(raw));
            i += 3 + close;
            continue;
        }
        let len = chars[i + 1..].iter().take_while(|c| name_char(**c)).count();
        if len == 0 || chars[i + 1].is_ascii_digit() {
            out.push(c);
            i += 1;
            continue;
        }
        let name: String = chars[i + 1..i + 1 + len].iter().collect();
        match lookup(scope, &name, undeclared) {
            Some(Some(v)) => out.push_str(&v),
            _ => out.extend(&chars[i..i + 1 + len]),
        }
        i += 1 + len;
    }
    if out.len() > MAX_EXPANDED {
        return text.to_string();
    }
    out
}

/// `${inner}`: its expansion, `None` when unknown.
fn braced(inner: &str, scope: &Scope, undeclared: Undeclared, shell: bool) -> Option<String> {
    let name_len = inner.chars().take_while(|c| name_char(*c)).count();
    let (name, op) = inner.split_at(name_len);
    if name.is_empty() {
        return None;
    }
    let value = lookup(scope, name, undeclared);
    let declared = scope.contains_key(name) || undeclared == Undeclared::Empty;
    let (colon, op) = match op.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, op),
    };
    if op.is_empty() && !colon {
        return value.flatten();
    }
    let word = op.get(1..).unwrap_or_default();
    let word = || expand(word, scope, undeclared, shell);
    match op.chars().next() {
        // Default: the value when set (non-empty with `:`), else the word.
        // A declared ARG without a value builds with its default unless a
        // build argument says otherwise, so the word is taken.
        Some('-') => match value {
            Some(Some(v)) if !(colon && v.is_empty()) => Some(v),
            Some(Some(_)) => Some(word()),
            _ if declared => Some(word()),
            _ => None,
        },
        // Alternative: the word when set, else empty.
        Some('+') => match value {
            Some(Some(v)) if !(colon && v.is_empty()) => Some(word()),
            Some(Some(_)) => Some(String::new()),
            _ => None,
        },
        _ => None,
    }
}

/// The `NAME=value` (or `NAME value` for legacy `ENV`) pairs of an `ARG`
/// or `ENV` instruction, values unquoted; `None` for `ARG NAME` without a
/// default.
pub(crate) fn assignments(cmd: &str, args: &str) -> Vec<(String, Option<String>)> {
    let args = args.trim();
    let words = split_words(args);
    if cmd == "ENV" && !words.first().is_some_and(|w| w.contains('=')) {
        // Legacy `ENV NAME value with spaces`.
        let mut parts = args.splitn(2, char::is_whitespace);
        let name = parts.next().unwrap_or_default().to_string();
        let value = parts.next().map(|v| unquote(v.trim()));
        return if name.is_empty() {
            Vec::new()
        } else {
            vec![(name, value)]
        };
    }
    words
        .iter()
        .map(|w| match w.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(unquote(v))),
            None => (w.clone(), None),
        })
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

/// Words split on unquoted whitespace, quotes kept.
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A value with its quotes removed (`"a b"` → `a b`, `\"` → `"`).
fn unquote(v: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    if n != '"' && n != '\\' && n != '$' && quote.is_none() && n != ' ' {
                        out.push('\\');
                    }
                    out.push(n);
                }
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some('"'), '"') => quote = None,
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(pairs: &[(&str, Option<&str>)]) -> Scope {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn forms() {
        let s = scope(&[("V", Some("1.2")), ("E", Some("")), ("B", None)]);
        let x = |t: &str| expand(t, &s, Undeclared::Unknown, false);
        assert_eq!(x("img:$V"), "img:1.2");
        assert_eq!(x("img:${V}-slim"), "img:1.2-slim");
        assert_eq!(x("${V:-9}"), "1.2");
        assert_eq!(x("${E:-9}"), "9");
        assert_eq!(x("${E-9}"), "");
        assert_eq!(x("${B:-alpine}"), "alpine");
        assert_eq!(x("${V:+set}${E:+no}"), "set");
        // Unknown stays as written.
        assert_eq!(
            x("$B ${B} ${HOME:-/root} $PATH"),
            "$B ${B} ${HOME:-/root} $PATH"
        );
        assert_eq!(x(r"\$V $1 $"), r"\$V $1 $");
        assert_eq!(x("${V"), "${V");
        // Undeclared in FROM: empty.
        assert_eq!(expand("${X:-a}$X", &s, Undeclared::Empty, false), "a");
        // Shell single quotes.
        assert_eq!(
            expand("echo '$V' \"$V\"", &s, Undeclared::Unknown, true),
            "echo '$V' \"1.2\""
        );
    }

    #[test]
    fn assignments_of_arg_and_env() {
        assert_eq!(
            assignments("ARG", "A=1 B"),
            [("A".into(), Some("1".into())), ("B".into(), None)]
        );
        assert_eq!(
            assignments("ENV", r#"A="x y" B=z\ w C='$q'"#),
            [
                ("A".into(), Some("x y".into())),
                ("B".into(), Some("z w".into())),
                ("C".into(), Some("$q".into()))
            ]
        );
        assert_eq!(
            assignments("ENV", "PATH /a:/b c"),
            [("PATH".into(), Some("/a:/b c".into()))]
        );
    }
}
