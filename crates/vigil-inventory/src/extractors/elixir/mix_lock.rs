//! `mix.lock`: the lockfile of Elixir's Mix.
//!
//! ## Detects
//! Files named `mix.lock`: an Elixir map literal from package name to a
//! tuple, written by Mix as `%{"name": {...}, ...}` (older files:
//! `%{"name" => {...}}`). Hex entries are
//! `{:hex, :package, "version", "inner_checksum", [managers], [deps],
//! "repository", "outer_checksum"}` (older ones stop earlier); git entries
//! are `{:git, "url", "commit", [options]}`. It is read with a small,
//! bounded tokenizer and parser for this subset of Elixir (maps, tuples,
//! lists, keyword lists, strings, atoms, words); nothing is evaluated.
//!
//! ## Ecosystem
//! Hex. Each `:hex` entry is a component: the Hex package name (the second
//! element, which may differ from the map key when the app is renamed) and
//! version as written, located at the line of its key. Its checksums are
//! recorded as `sha256:<hex>` (the outer checksum, of the whole tarball,
//! first), and `dependencies` lists the Hex package names of its
//! `deps` (`{:app, "~> 1.0", [hex: :package, ...]}`; the app name when no
//! `hex:` option is given). Git entries are "not checked" entries, at the
//! locked commit: they are not Hex releases.
//!
//! ## Limitations
//! - `direct` and `dev` are unknown: which packages `mix.exs` asks for, and
//!   in which environments, is not in the lockfile.
//! - Packages from a private Hex organization or a self-hosted repository
//!   (`"hexpm:org"`, other repositories) are checked as if they were
//!   hex.pm's packages of that name.
//! - Entries of other kinds (`:path` never appears in a lockfile; custom
//!   SCMs) are skipped with a warning.
//!
//! ## References
//! - <https://hexdocs.pm/mix/Mix.Tasks.Deps.html>
//! - <https://hexdocs.pm/elixir/syntax-reference.html>
//! - The lockfile writer: `lib/mix/dep/lock.ex` in the elixir-lang/elixir
//!   repository, and `lib/hex/scm.ex` in hexpm/hex.

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `mix.lock`.
#[derive(Debug, Clone, Copy)]
pub struct MixLock;

/// How deeply terms may nest.
const MAX_DEPTH: usize = 32;

impl Extractor for MixLock {
    fn name(&self) -> &'static str {
        "elixir/mix-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "mix.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let tokens = tokenize(input.contents).map_err(|(line, msg)| {
            input.malformed(Some(line), format!("not a valid mix.lock: {msg}"))
        })?;
        if tokens.is_empty() {
            return Ok(out);
        }
        let mut parser = Parser {
            tokens: &tokens,
            pos: 0,
        };
        let root = parser
            .term(0)
            .map_err(|(line, msg)| input.malformed(line, format!("not a valid mix.lock: {msg}")))?;
        if let Some(extra) = parser.peek() {
            return Err(
                input.malformed(Some(extra.line), "not a valid mix.lock: text after the map")
            );
        }
        let Value::Map(entries) = root.value else {
            return Err(input.malformed(
                Some(root.line),
                "not a valid mix.lock: it is not a map (`%{...}`)",
            ));
        };
        for (key, entry) in entries {
            let Value::Str(app) = &key.value else {
                continue;
            };
            read_entry(input, app, key.line, &entry, &mut out);
        }
        Ok(out)
    }
}

fn read_entry(input: &FileInput<'_>, app: &str, line: u32, entry: &Term, out: &mut Extracted) {
    let Value::Tuple(items) = &entry.value else {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            Some(line),
            format!("`{app}` is not a tuple; skipped"),
        ));
        return;
    };
    match items.first().map(|t| &t.value) {
        Some(Value::Atom(scm)) if scm == "hex" => {
            let name = match items.get(1).map(|t| &t.value) {
                Some(Value::Atom(n)) => n.as_str(),
                _ => app,
            };
            let Some(Value::Str(version)) = items.get(2).map(|t| &t.value) else {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    Some(line),
                    format!("hex package `{app}` has no version; skipped"),
                ));
                return;
            };
            let mut component = Component::new(Ecosystem::Hex, name, version.as_str())
                .at(input.rel_path, Some(line))
                .depends_on(items.get(5).map(dep_names).unwrap_or_default());
            for idx in [7, 3] {
                if let Some(Value::Str(sum)) = items.get(idx).map(|t| &t.value) {
                    let hash = format!("sha256:{sum}");
                    if !sum.is_empty() && !component.hashes.contains(&hash) {
                        component = component.hash(hash);
                    }
                }
            }
            out.components.push(component);
        }
        Some(Value::Atom(scm)) if scm == "git" => {
            let commit = match items.get(2).map(|t| &t.value) {
                Some(Value::Str(c)) => c.clone(),
                _ => String::new(),
            };
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Hex,
                name: app.to_string(),
                version: commit,
                location: Location::new(input.rel_path, Some(line)),
                reason: "installed from git, not from a Hex release".to_string(),
            });
        }
        _ => out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            Some(line),
            format!("`{app}` is neither a hex nor a git entry; skipped"),
        )),
    }
}

/// The Hex package names of a deps list: `{:app, req, [hex: :package]}`.
fn dep_names(list: &Term) -> Vec<String> {
    let Value::List(deps) = &list.value else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|dep| {
            let Value::Tuple(parts) = &dep.value else {
                return None;
            };
            let Some(Value::Atom(app)) = parts.first().map(|t| &t.value) else {
                return None;
            };
            let hex_name = parts.get(2).and_then(|opts| match &opts.value {
                Value::List(opts) => opts.iter().find_map(|o| match &o.value {
                    Value::Tuple(kv) => {
                        match (kv.first().map(|t| &t.value), kv.get(1).map(|t| &t.value)) {
                            (Some(Value::Atom(k)), Some(Value::Atom(v))) if k == "hex" => {
                                Some(v.clone())
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                }),
                _ => None,
            });
            Some(hex_name.unwrap_or_else(|| app.clone()))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `%{`
    MapOpen,
    Open(char),
    Close(char),
    Comma,
    /// `=>`
    Arrow,
    Str(String),
    Atom(String),
    /// `key:` or `"key":`: a keyword key.
    Key(String),
    /// A number, `true`, `nil`, an alias...
    Word(String),
}

struct Token {
    tok: Tok,
    line: u32,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '?' | '!' | '-' | '+')
}

/// Splits the text into tokens; an error carries its line.
fn tokenize(text: &str) -> Result<Vec<Token>, (u32, String)> {
    let mut out = Vec::new();
    let mut line: u32 = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let here = line;
        let tok = match c {
            '\n' => {
                line = line.saturating_add(1);
                continue;
            }
            c if c.is_whitespace() => continue,
            '#' => {
                while chars.next_if(|&c| c != '\n').is_some() {}
                continue;
            }
            '%' if chars.next_if_eq(&'{').is_some() => Tok::MapOpen,
            '{' | '[' => Tok::Open(c),
            '}' | ']' => Tok::Close(c),
            ',' => Tok::Comma,
            '=' if chars.next_if_eq(&'>').is_some() => Tok::Arrow,
            '"' => {
                let s = read_string(&mut chars, &mut line)
                    .ok_or((here, "a string is not closed".to_string()))?;
                if chars.peek() == Some(&':') {
                    chars.next();
                    Tok::Key(s)
                } else {
                    Tok::Str(s)
                }
            }
            ':' => {
                if chars.next_if_eq(&'"').is_some() {
                    let s = read_string(&mut chars, &mut line)
                        .ok_or((here, "a quoted atom is not closed".to_string()))?;
                    Tok::Atom(s)
                } else {
                    let mut s = String::new();
                    while let Some(c) = chars.next_if(|&c| is_ident(c)) {
                        s.push(c);
                    }
                    if s.is_empty() {
                        return Err((here, "a `:` that starts no atom".to_string()));
                    }
                    Tok::Atom(s)
                }
            }
            c if is_ident(c) => {
                let mut s = String::from(c);
                while let Some(c) = chars.next_if(|&c| is_ident(c)) {
                    s.push(c);
                }
                if chars.next_if_eq(&':').is_some() {
                    Tok::Key(s)
                } else {
                    Tok::Word(s)
                }
            }
            other => return Err((here, format!("unexpected `{other}`"))),
        };
        out.push(Token { tok, line: here });
    }
    Ok(out)
}

/// Reads a string up to its closing quote (the opening one is read);
/// `None` when it is not closed.
fn read_string(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: &mut u32,
) -> Option<String> {
    let mut s = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(s),
            '\\' => {
                let e = chars.next()?;
                if e == '\n' {
                    *line = line.saturating_add(1);
                }
                s.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
            }
            c => {
                if c == '\n' {
                    *line = line.saturating_add(1);
                }
                s.push(c);
            }
        }
    }
}

#[derive(Debug)]
enum Value {
    Map(Vec<(Term, Term)>),
    Tuple(Vec<Term>),
    List(Vec<Term>),
    Str(String),
    Atom(String),
    Word,
}

#[derive(Debug)]
struct Term {
    value: Value,
    line: u32,
}

type ParseError = (Option<u32>, String);

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Result<&Token, ParseError> {
        let t = self.tokens.get(self.pos).ok_or((
            self.tokens.last().map(|t| t.line),
            "the file ends too early".to_string(),
        ))?;
        self.pos += 1;
        Ok(t)
    }

    fn term(&mut self, depth: usize) -> Result<Term, ParseError> {
        let t = self.next()?;
        let line = t.line;
        if depth > MAX_DEPTH {
            return Err((Some(line), "terms nest too deeply".to_string()));
        }
        let value = match &t.tok {
            Tok::Str(s) => Value::Str(s.clone()),
            Tok::Atom(a) => Value::Atom(a.clone()),
            Tok::Word(_) => Value::Word,
            Tok::MapOpen => Value::Map(self.map(depth)?),
            Tok::Open('{') => Value::Tuple(self.seq('}', depth)?),
            Tok::Open(_) => Value::List(self.seq(']', depth)?),
            other => return Err((Some(line), format!("unexpected {}", describe(other)))),
        };
        Ok(Term { value, line })
    }

    /// Items up to `close`: terms, or `key: value` pairs (made 2-tuples).
    fn seq(&mut self, close: char, depth: usize) -> Result<Vec<Term>, ParseError> {
        let mut items = Vec::new();
        loop {
            let Some(t) = self.peek() else {
                return Err((
                    self.tokens.last().map(|t| t.line),
                    format!("a `{close}` is missing"),
                ));
            };
            if t.tok == Tok::Close(close) {
                self.pos += 1;
                return Ok(items);
            }
            if let Tok::Key(k) = &t.tok {
                let (key, line) = (k.clone(), t.line);
                self.pos += 1;
                let value = self.term(depth + 1)?;
                items.push(Term {
                    value: Value::Tuple(vec![
                        Term {
                            value: Value::Atom(key),
                            line,
                        },
                        value,
                    ]),
                    line,
                });
            } else {
                items.push(self.term(depth + 1)?);
            }
            self.after_item(close)?;
        }
    }

    fn map(&mut self, depth: usize) -> Result<Vec<(Term, Term)>, ParseError> {
        let mut pairs = Vec::new();
        loop {
            let t = self.next()?;
            let line = t.line;
            let key = match &t.tok {
                Tok::Close('}') => return Ok(pairs),
                Tok::Key(k) => Term {
                    value: Value::Str(k.clone()),
                    line,
                },
                _ => {
                    self.pos -= 1;
                    let key = self.term(depth + 1)?;
                    let arrow = self.next()?;
                    if arrow.tok != Tok::Arrow {
                        return Err((
                            Some(arrow.line),
                            "expected `=>` or `key:` in a map".to_string(),
                        ));
                    }
                    key
                }
            };
            let value = self.term(depth + 1)?;
            pairs.push((key, value));
            self.after_item('}')?;
        }
    }

    /// After an item: a comma, or the closing bracket (left to be read).
    fn after_item(&mut self, close: char) -> Result<(), ParseError> {
        let t = self.peek().ok_or((
            self.tokens.last().map(|t| t.line),
            format!("a `{close}` is missing"),
        ))?;
        match t.tok {
            Tok::Comma => {
                self.pos += 1;
                Ok(())
            }
            Tok::Close(c) if c == close => Ok(()),
            ref other => Err((
                Some(t.line),
                format!("expected `,` or `{close}`, found {}", describe(other)),
            )),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::MapOpen => "`%{`".to_string(),
        Tok::Open(c) | Tok::Close(c) => format!("`{c}`"),
        Tok::Comma => "`,`".to_string(),
        Tok::Arrow => "`=>`".to_string(),
        Tok::Str(_) => "a string".to_string(),
        Tok::Atom(a) => format!("`:{a}`"),
        Tok::Key(k) => format!("`{k}:`"),
        Tok::Word(w) => format!("`{w}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "elixir/mix_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&MixLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn parse(text: &str) -> Result<Extracted, ExtractError> {
        let input = FileInput::new("mix.lock", Path::new("mix.lock"), text, Path::new("/"));
        MixLock.extract(&input)
    }

    #[test]
    fn matches_lockfile_name() {
        assert!(MixLock.matches(Path::new("apps/web/mix.lock")));
        assert!(!MixLock.matches(Path::new("mix.exs")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/mix.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
        assert!(parse("").unwrap().components.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&MixLock, SUB, "malformed/mix.lock").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/mix.lock:3: not a valid mix.lock: expected `,` or `}`, found `certifi:`"
        );
        let err = parse("%{\n\"a\": {:hex, :a, \"1.0.0\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mix.lock:2: not a valid mix.lock: a `}` is missing"
        );
        let err = parse("[1]").unwrap_err();
        assert_eq!(err.line(), Some(1));
        let err = parse("%{\n  \"a\": {:hex, :a, \"1.0\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mix.lock:2: not a valid mix.lock: a string is not closed"
        );
        let deep = format!("%{{\"a\": {}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nest too deeply"));
    }

    #[test]
    fn one_package() {
        let x = read("one-package/mix.lock");
        assert_eq!(brief(&x), ["jason@1.4.1 one-package/mix.lock:2"]);
        let c = one(&x, "jason", "1.4.1");
        assert_eq!(c.purl, "pkg:hex/jason@1.4.1");
        assert_eq!(
            c.hashes,
            [
                "sha256:c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b",
                "sha256:fbb01ecdfd565b56261302f7e1fcc27c4fb8f32d56eab74db621fc154604a7a1",
            ]
        );
        assert_eq!(c.dependencies, ["decimal"]);
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn phoenix_app() {
        let x = read("phoenix/mix.lock");
        let c = one(&x, "phoenix", "1.7.11");
        assert_eq!(line(c), Some(8));
        assert_eq!(
            c.dependencies,
            [
                "castore",
                "jason",
                "phoenix_pubsub",
                "phoenix_template",
                "plug",
                "plug_cowboy",
                "plug_crypto",
                "telemetry",
                "websock_adapter"
            ]
        );
        // The key is the app name; the component is the Hex package.
        assert_eq!(line(one(&x, "telemetry", "1.2.1")), Some(7));
        assert_eq!(x.components.len(), 10);
        assert_eq!(
            unchecked_brief(&x),
            ["heroicons@88ab3a0d790e6a47404cba02800a6b25d2afae50 :4 installed from git, not from a Hex release"]
        );
        assert!(x.diagnostics.is_empty());
        insta::assert_json_snapshot!("mix_lock_phoenix", view(&x));
    }

    #[test]
    fn old_arrow_syntax() {
        let x = read("arrows/mix.lock");
        assert_eq!(
            brief(&x),
            [
                "cowboy@1.1.2 arrows/mix.lock:1",
                "poison@3.1.0 arrows/mix.lock:2"
            ]
        );
        assert_eq!(one(&x, "cowboy", "1.1.2").dependencies, ["cowlib", "ranch"]);
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&MixLock, SUB, "phoenix/mix.lock");
        for odd in ["%", ":", "%{\"a\":", "%{:", "{", "%{\"a\" =>", "\"\\"] {
            let _ = parse(odd);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("elixir/mixlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&MixLock, &dir, f);
        assert_eq!(
            brief(&run("valid").unwrap()),
            ["bunt@1.0.0 valid:2", "certifi@2.12.0 valid:3"]
        );
        assert!(run("empty").unwrap().components.is_empty());
        let x = run("invalid").unwrap();
        // `{:hex, }`: a hex entry without a version.
        assert_eq!(brief(&x), ["bunt@1.0.0 invalid:2"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "invalid:3: hex package `certifi` has no version; skipped"
        );
    }
}
