//! `go.mod`: the module file of a Go module.
//!
//! ## Detects
//! Files named `go.mod`: `require` directives (single lines and blocks),
//! `replace` directives (single lines and blocks), and the `go` and
//! `toolchain` directives. `module`, `exclude`, `retract`, `godebug`,
//! `tool` and `ignore` are read over and ignored.
//!
//! ## Ecosystem
//! Go. Each required module is a component: its path (case-sensitive) and
//! version as written, located at its `require` line; `direct` is false
//! when the line's comment says `// indirect`, true otherwise. A module that
//! a `replace` directive swaps for another module is reported as the
//! replacement's path and version, located at the `require` line and then
//! the `replace` line (a replacement naming the required version wins over
//! one for every version). A module replaced by a local directory
//! (`=> ../fork`) is a "not checked" entry. The Go standard library is a
//! component named `stdlib` (as OSV names it), at the version of the
//! `toolchain` directive (`go1.22.3` read as `1.22.3`, a `-suffix` of a
//! custom toolchain dropped) or else of the `go` directive, as written.
//!
//! ## Limitations
//! - Before Go 1.17 a `go.mod` need not list every module of the build;
//!   those it leaves out are in `go.sum` only, which is not read here.
//! - The `go` directive is the lowest Go release the module accepts, not
//!   the one that builds it: without a `toolchain` directive, the standard
//!   library version is a lower bound.
//! - `dev` is unknown: Go does not tell test-only modules apart.
//!
//! ## References
//! - <https://go.dev/ref/mod#go-mod-file>
//! - <https://go.dev/doc/toolchain>
//! - <https://ossf.github.io/osv-schema/> (the `stdlib` package of the Go
//!   ecosystem)

use std::path::Path;

use vigil_model::{Component, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `go.mod`.
#[derive(Debug, Clone, Copy)]
pub struct GoMod;

/// Directives that may open a `( ... )` block.
const BLOCK_VERBS: &[&str] = &[
    "require", "replace", "exclude", "retract", "godebug", "tool", "ignore",
];

struct Require {
    path: String,
    version: String,
    line: u32,
    indirect: bool,
}

struct Replace {
    path: String,
    version: Option<String>,
    target: Target,
    line: u32,
}

enum Target {
    Module { path: String, version: String },
    Directory(String),
}

#[derive(Default)]
struct GoModFile {
    requires: Vec<Require>,
    replaces: Vec<Replace>,
    /// `go` directive: version and line.
    go: Option<(String, u32)>,
    /// `toolchain` directive: name and line.
    toolchain: Option<(String, u32)>,
}

impl Extractor for GoMod {
    fn name(&self) -> &'static str {
        "go/go-mod"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "go.mod"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let file = parse(input)?;
        let mut out = Extracted::default();

        let stdlib = file
            .toolchain
            .as_ref()
            .and_then(|(name, line)| toolchain_version(name).map(|v| (v, *line)))
            .or_else(|| file.go.clone());
        if let Some((version, line)) = stdlib {
            out.components.push(
                Component::new(Ecosystem::Go, "stdlib", version).at(input.rel_path, Some(line)),
            );
        }

        for req in &file.requires {
            let direct = Some(!req.indirect);
            let replacement = file
                .replaces
                .iter()
                .rev()
                .find(|r| r.path == req.path && r.version.as_deref() == Some(req.version.as_str()))
                .or_else(|| {
                    file.replaces
                        .iter()
                        .rev()
                        .find(|r| r.path == req.path && r.version.is_none())
                });
            match replacement {
                None => out.components.push(
                    Component::new(Ecosystem::Go, req.path.as_str(), req.version.as_str())
                        .at(input.rel_path, Some(req.line))
                        .direct(direct),
                ),
                Some(Replace {
                    target: Target::Module { path, version },
                    line,
                    ..
                }) => out.components.push(
                    Component::new(Ecosystem::Go, path.as_str(), version.as_str())
                        .at(input.rel_path, Some(req.line))
                        .at(input.rel_path, Some(*line))
                        .direct(direct),
                ),
                Some(Replace {
                    target: Target::Directory(dir),
                    line,
                    ..
                }) => out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::Go,
                    name: req.path.clone(),
                    version: req.version.clone(),
                    location: Location::new(input.rel_path, Some(req.line)),
                    reason: format!("replaced by the local directory `{dir}` (line {line})"),
                }),
            }
        }
        Ok(out)
    }
}

/// The Go release of a toolchain name: `go1.22.3` is `1.22.3`, a custom
/// toolchain's suffix (`go1.22.3-corp`, `go1.22.3+auto`) is dropped;
/// `default` and anything else not naming a release give `None`.
pub(crate) fn toolchain_version(name: &str) -> Option<String> {
    let rest = name.strip_prefix("go")?;
    let release = rest.split(['-', '+']).next().unwrap_or("");
    let plausible = release.starts_with(|c: char| c.is_ascii_digit())
        && release
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.');
    plausible.then(|| release.to_string())
}

fn parse(input: &FileInput<'_>) -> Result<GoModFile, ExtractError> {
    let mut file = GoModFile::default();
    // The open block: its verb and the line that opened it.
    let mut block: Option<(String, u32)> = None;
    for (i, raw) in input.contents.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (code, comment) = split_comment(raw);
        let tokens = tokenize(code).map_err(|why| input.malformed(Some(line), why))?;
        if tokens.is_empty() {
            continue;
        }
        if let Some((verb, _)) = &block {
            if tokens == [")"] {
                block = None;
            } else {
                let verb = verb.clone();
                directive(input, &mut file, &verb, &tokens, comment, line)?;
            }
            continue;
        }
        let verb = tokens.first().map(String::as_str).unwrap_or("");
        let args = tokens.get(1..).unwrap_or(&[]);
        match args {
            [open] if open == "(" => {
                if !BLOCK_VERBS.contains(&verb) {
                    return Err(
                        input.malformed(Some(line), format!("`{verb}` cannot open a block"))
                    );
                }
                block = Some((verb.to_string(), line));
            }
            [open, close] if open == "(" && close == ")" => {}
            _ => directive(input, &mut file, verb, args, comment, line)?,
        }
    }
    if let Some((verb, line)) = block {
        return Err(input.malformed(Some(line), format!("the `{verb} (` block is not closed")));
    }
    Ok(file)
}

/// Reads one directive (or one line of a block) with its arguments.
fn directive(
    input: &FileInput<'_>,
    file: &mut GoModFile,
    verb: &str,
    args: &[String],
    comment: Option<&str>,
    line: u32,
) -> Result<(), ExtractError> {
    let bad = |usage: &str| input.malformed(Some(line), format!("usage: {usage}"));
    match verb {
        "module" => {
            if args.len() != 1 {
                return Err(bad("module module/path"));
            }
        }
        "go" => match args {
            [v] => file.go = Some((v.clone(), line)),
            _ => return Err(bad("go 1.23")),
        },
        "toolchain" => match args {
            [v] => file.toolchain = Some((v.clone(), line)),
            _ => return Err(bad("toolchain go1.23.1")),
        },
        "require" => match args {
            [path, version] => {
                let indirect = comment.is_some_and(|c| {
                    let c = c.trim();
                    c == "indirect" || c.starts_with("indirect;")
                });
                file.requires.push(Require {
                    path: path.clone(),
                    version: version.clone(),
                    line,
                    indirect,
                });
            }
            _ => return Err(bad("require module/path v1.2.3")),
        },
        "replace" => {
            let usage =
                "replace module/path [v1.2.3] => other/module v1.4 (or => ../local/directory)";
            let arrow = args
                .iter()
                .position(|a| a == "=>")
                .ok_or_else(|| bad(usage))?;
            let (old, new) = (
                args.get(..arrow).unwrap_or(&[]),
                args.get(arrow + 1..).unwrap_or(&[]),
            );
            let (path, version) = match old {
                [p] => (p.clone(), None),
                [p, v] => (p.clone(), Some(v.clone())),
                _ => return Err(bad(usage)),
            };
            let target = match new {
                [dir] => Target::Directory(dir.clone()),
                [p, v] => Target::Module {
                    path: p.clone(),
                    version: v.clone(),
                },
                _ => return Err(bad(usage)),
            };
            file.replaces.push(Replace {
                path,
                version,
                target,
                line,
            });
        }
        "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
        ")" => return Err(input.malformed(Some(line), "`)` closes no block")),
        other => return Err(input.malformed(Some(line), format!("unknown directive `{other}`"))),
    }
    Ok(())
}

/// Splits a line at its `//` comment (outside quotes): the code, and the
/// comment's text after `//`.
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '`' => quote = Some(c),
            None if c == '/' && line.get(i..).is_some_and(|r| r.starts_with("//")) => {
                return (line.get(..i).unwrap_or(""), line.get(i + 2..));
            }
            None => {}
        }
    }
    (line, None)
}

/// Splits code into words; `"..."` and `` `...` `` are one word each,
/// unquoted.
fn tokenize(code: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' || c == '`' {
            chars.next();
            let mut word = String::new();
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    match chars.next() {
                        Some(e) => word.push(e),
                        None => break,
                    }
                } else {
                    word.push(d);
                }
            }
            if !closed {
                return Err("unterminated quoted string".to_string());
            }
            tokens.push(word);
            continue;
        }
        let mut word = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_whitespace() {
                break;
            }
            word.push(d);
            chars.next();
        }
        tokens.push(word);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_malformed, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "go/go_mod";

    fn read(rel: &str) -> Extracted {
        fixture(&GoMod, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_go_mod() {
        assert!(GoMod.matches(Path::new("go.mod")));
        assert!(GoMod.matches(Path::new("svc/go.mod")));
        assert!(!GoMod.matches(Path::new("go.sum")));
        assert!(!GoMod.matches(Path::new("x.mod")));
        assert!(!GoMod.matches(Path::new("go.mod.orig")));
    }

    #[test]
    fn empty_and_no_requires() {
        let x = read("empty/go.mod");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
        let x = read("no-requires/go.mod");
        assert_eq!(brief(&x), ["stdlib@1.21 no-requires/go.mod:3"]);
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        for (rel, line, message) in [
            ("malformed/go.mod", 5, "unknown directive `requires`"),
            (
                "unclosed-block/go.mod",
                5,
                "the `require (` block is not closed",
            ),
            ("bad-require/go.mod", 5, "usage: require module/path v1.2.3"),
            ("bad-replace/go.mod", 5, "usage: replace module/path"),
        ] {
            assert_malformed(&GoMod, SUB, rel, Some(line), message);
        }
    }

    #[test]
    fn one_package() {
        let x = read("one-package/go.mod");
        assert_eq!(
            brief(&x),
            ["github.com/google/uuid@v1.6.0 one-package/go.mod:3"]
        );
        let c = one(&x, "github.com/google/uuid", "v1.6.0");
        assert_eq!(c.purl, "pkg:golang/github.com/google/uuid@v1.6.0");
        assert_eq!((c.direct, c.dev), (Some(true), None));
    }

    #[test]
    fn realistic_module() {
        let x = read("realistic/go.mod");
        let stdlib = one(&x, "stdlib", "1.22.3");
        assert_eq!(line(stdlib), Some(5));
        assert_eq!(stdlib.purl, "pkg:golang/stdlib@1.22.3");
        let jwt = one(&x, "github.com/acme/jwt/v4", "v4.5.1-acme.1");
        assert_eq!(
            jwt.locations.iter().map(|l| l.line).collect::<Vec<_>>(),
            [Some(9), Some(28)]
        );
        assert!(x
            .components
            .iter()
            .all(|c| c.name != "google.golang.org/grpc"));
        assert_eq!(x.not_checked.len(), 1);
        insta::assert_json_snapshot!("go_mod_realistic", view(&x));
    }

    #[test]
    fn indirect_comments() {
        let x = read("indirect/go.mod");
        let direct = |name: &str| {
            x.components
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.direct)
        };
        assert_eq!(direct("github.com/sirupsen/logrus"), Some(true));
        assert_eq!(direct("golang.org/x/sys"), Some(false));
        assert_eq!(direct("github.com/stretchr/testify"), Some(true));
        assert_eq!(direct("github.com/davecgh/go-spew"), Some(false));
        assert_eq!(direct("github.com/pmezard/go-difflib"), Some(false));
        assert_eq!(direct("gopkg.in/yaml.v3"), Some(true));
        assert_eq!(
            line(one(
                &x,
                "golang.org/x/sys",
                "v0.0.0-20240101000000-000000000000"
            )),
            Some(7)
        );
        assert_eq!(x.components.len(), 7);
    }

    #[test]
    fn replacements() {
        let x = read("replace/go.mod");
        assert_eq!(
            brief(&x),
            [
                "example.com/fork/net@v0.22.1-fork replace/go.mod:6,replace/go.mod:16",
                "github.com/Masterminds/semver/v3@v3.2.0 replace/go.mod:8,replace/go.mod:19",
                "golang.org/x/text@v0.14.0 replace/go.mod:7",
                "stdlib@1.22.1 replace/go.mod:3",
            ]
        );
        let nc = unchecked_brief(&x);
        assert_eq!(
            nc,
            [
                "example.com/internal/tools@v1.0.0 :10 replaced by the local directory `./tools` (line 20)",
                "github.com/pkg/errors@v0.9.1 :9 replaced by the local directory `/opt/forks/errors` (line 24)",
            ]
        );
    }

    #[test]
    fn toolchain_directive() {
        let x = read("toolchain/go.mod");
        assert_eq!(
            brief(&x),
            [
                "github.com/google/uuid@v1.6.0 toolchain/go.mod:7",
                "stdlib@1.22.3 toolchain/go.mod:5"
            ]
        );
        // `toolchain default` names no release: the `go` line is used.
        let x = read("toolchain-default/go.mod");
        assert_eq!(brief(&x), ["stdlib@1.21 toolchain-default/go.mod:3"]);
        assert_eq!(toolchain_version("go1.23.6-xyz").as_deref(), Some("1.23.6"));
        assert_eq!(toolchain_version("go1.21rc2").as_deref(), Some("1.21rc2"));
        assert_eq!(
            toolchain_version("go1.22.0+auto").as_deref(),
            Some("1.22.0")
        );
        assert_eq!(toolchain_version("default"), None);
        assert_eq!(toolchain_version("go"), None);
    }

    #[test]
    fn comments_and_quotes() {
        assert_eq!(split_comment("a b // c"), ("a b ", Some(" c")));
        assert_eq!(
            split_comment("\"a//b\" v1 //x"),
            ("\"a//b\" v1 ", Some("x"))
        );
        assert_eq!(
            tokenize("require \"a b\" `c` d").unwrap(),
            ["require", "a b", "c", "d"]
        );
        assert!(tokenize("\"open").is_err());
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in ["realistic/go.mod", "replace/go.mod", "indirect/go.mod"] {
            survives_truncation(&GoMod, SUB, rel);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("golang/gomod/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&GoMod, &dir, f);

        let x = run("indirect-packages.mod").unwrap();
        assert_eq!(x.components.len(), 6);
        assert_eq!(one(&x, "stdlib", "1.17").direct, None);
        assert_eq!(
            one(&x, "github.com/BurntSushi/toml", "v1.0.0").direct,
            Some(true)
        );
        assert_eq!(
            one(&x, "golang.org/x/sys", "v0.0.0-20210630005230-0f9fa26af87c").direct,
            Some(false)
        );
        assert_eq!(
            line(one(&x, "github.com/mattn/go-isatty", "v0.0.14")),
            Some(12)
        );

        let x = run("indirect-1.23.mod").unwrap();
        assert_eq!(
            one(&x, "golang.org/x/sys", "v0.0.0-20220715151400-c0bba94af5f8").direct,
            Some(false)
        );
        assert_eq!(
            one(&x, "github.com/sirupsen/logrus", "v1.9.3").direct,
            Some(true)
        );

        assert_eq!(
            brief(&run("one-package.mod").unwrap()),
            ["github.com/BurntSushi/toml@v1.0.0 one-package.mod:4"]
        );
        assert_eq!(run("two-packages.mod").unwrap().components.len(), 3);

        let x = run("replace-one.mod").unwrap();
        assert_eq!(
            brief(&x),
            ["example.com/fork/net@v1.4.5 replace-one.mod:2,replace-one.mod:5"]
        );

        // Each version goes to its own replacement.
        let x = run("replace-different.mod").unwrap();
        assert_eq!(
            brief(&x),
            [
                "example.com/fork/foe@v1.4.2 replace-different.mod:3,replace-different.mod:8",
                "example.com/fork/foe@v1.4.5 replace-different.mod:2,replace-different.mod:7",
            ]
        );

        let x = run("replace-mixed.mod").unwrap();
        assert_eq!(
            brief(&x),
            [
                "example.com/fork/net@v1.4.5 replace-mixed.mod:2,replace-mixed.mod:7",
                "golang.org/x/net@v0.5.6 replace-mixed.mod:3"
            ]
        );

        // A replacement without the old version applies to every version.
        let x = run("replace-no-version.mod").unwrap();
        assert_eq!(x.components.len(), 2);
        assert!(x
            .components
            .iter()
            .all(|c| c.name == "example.com/fork/net" && c.version == "v1.4.5"));

        let x = run("replace-not-required.mod").unwrap();
        assert_eq!(
            brief(&x),
            [
                "github.com/BurntSushi/toml@v1.0.0 replace-not-required.mod:3",
                "golang.org/x/net@v0.5.6 replace-not-required.mod:2"
            ]
        );

        let x = run("replace-local.mod").unwrap();
        assert_eq!(
            brief(&x),
            ["github.com/BurntSushi/toml@v1.0.0 replace-local.mod:3"]
        );
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.not_checked[0].name, "golang.org/x/net");

        assert_eq!(
            one(&run("toolchain.mod").unwrap(), "stdlib", "1.23.6").locations[0].line,
            Some(5)
        );
        assert_eq!(
            one(
                &run("toolchain-with-suffix.mod").unwrap(),
                "stdlib",
                "1.23.6"
            )
            .locations[0]
                .line,
            Some(5)
        );

        let err = run("not-go-mod.mod").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-go-mod.mod", Some(1)));
        assert!(
            err.to_string().contains("unknown directive `this`"),
            "{err}"
        );
    }
}
