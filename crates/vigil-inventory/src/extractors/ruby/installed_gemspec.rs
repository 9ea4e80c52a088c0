//! `specifications/*.gemspec`: an installed Ruby gem.
//!
//! ## Detects
//! Files whose name ends with `.gemspec` directly inside a folder named
//! `specifications` (`GEM_HOME/specifications/rack-2.2.8.gemspec`, also in
//! Bundler's `vendor/bundle/ruby/3.2.0/specifications`), or in its
//! `default` folder (the default gems that ship with Ruby).
//!
//! ## Ecosystem
//! RubyGems. RubyGems writes these files as Ruby code when it installs a
//! gem; they are read line by line, never run. The gem's `name` and
//! `version` are the string literals assigned to them (`s.name =
//! "rack".freeze`), located at the line of `name`. The declared license is
//! `licenses` (several are joined with `OR`) or `license`. The dependencies
//! are the gem names of `add_runtime_dependency` and `add_dependency`
//! calls, except those also added by `add_development_dependency` (older
//! RubyGems write every dependency a second time with `add_dependency`, for
//! Ruby versions that know no kinds).
//!
//! A gemspec whose version is not a string literal (a hand-written
//! gemspec that reads a `VERSION` constant) is a "not checked" entry: the
//! version would need the code to be run.
//!
//! ## Limitations
//! - `direct`, `dev` and `optional` are unknown: an installed gem does not
//!   say who asked for it.
//! - Only the literal forms RubyGems writes are understood: `"..."`,
//!   `'...'` and `%q` strings, with an optional `.freeze`; a value built
//!   by Ruby code is not.
//! - A platform gem (`nokogiri-1.16.0-x86_64-linux`) is reported by name
//!   and version, without its platform.
//! - A gem installed from git by Bundler keeps no gemspec here and is not
//!   found.
//!
//! ## References
//! - <https://guides.rubygems.org/specification-reference/>
//! - <https://guides.rubygems.org/rubygems-basics/> (where gems are
//!   installed)

use std::path::Path;

use vigil_model::{Component, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `specifications/*.gemspec`.
#[derive(Debug, Clone, Copy)]
pub struct InstalledGemspec;

impl Extractor for InstalledGemspec {
    fn name(&self) -> &'static str {
        "ruby/installed-gemspec"
    }

    fn matches(&self, path: &Path) -> bool {
        let file = crate::file_name(path);
        if !file.ends_with(".gemspec") || file.len() == ".gemspec".len() {
            return false;
        }
        fn name_of(p: Option<&Path>) -> Option<&str> {
            p.and_then(Path::file_name).and_then(|n| n.to_str())
        }
        let parent = path.parent();
        match name_of(parent) {
            Some("specifications") => true,
            Some("default") => name_of(parent.and_then(Path::parent)) == Some("specifications"),
            _ => false,
        }
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.contents.trim().is_empty() {
            return Ok(out);
        }
        let mut var: Option<&str> = None;
        let mut name: Option<(String, u32)> = None;
        let mut version: Option<Result<String, u32>> = None;
        let mut licenses: Option<Vec<String>> = None;
        let mut runtime: Vec<String> = Vec::new();
        let mut development: Vec<String> = Vec::new();
        for (i, raw) in input.contents.lines().enumerate() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let line = raw.trim();
            let Some(v) = var else {
                var = spec_block_var(line);
                continue;
            };
            let Some(call) = line.strip_prefix(v).and_then(|rest| rest.strip_prefix('.')) else {
                continue;
            };
            if let Some(value) = assigned(call, "name") {
                if name.is_none() {
                    let n = ruby_string(value)
                        .map(|(s, _)| s)
                        .filter(|s| !s.trim().is_empty())
                        .ok_or_else(|| {
                            input.malformed(
                                Some(line_no),
                                "not a valid gemspec: the name is not a string literal",
                            )
                        })?;
                    name = Some((n, line_no));
                }
            } else if let Some(value) = assigned(call, "version") {
                if version.is_none() {
                    version = Some(
                        ruby_string(value)
                            .map(|(s, _)| s)
                            .filter(|s| !s.trim().is_empty())
                            .ok_or(line_no),
                    );
                }
            } else if let Some(value) = assigned(call, "licenses") {
                licenses.get_or_insert_with(|| string_list(value));
            } else if let Some(value) = assigned(call, "license") {
                licenses.get_or_insert_with(|| {
                    ruby_string(value).map(|(s, _)| s).into_iter().collect()
                });
            } else if let Some((kind, args)) = dependency_call(call) {
                if let Some((dep, _)) = ruby_string(args) {
                    match kind {
                        Kind::Runtime => runtime.push(dep),
                        Kind::Development => development.push(dep),
                    }
                }
            }
        }
        if var.is_none() {
            return Err(input.malformed(
                Some(1),
                "not a valid gemspec: no `Gem::Specification.new do |s|` block",
            ));
        }
        let Some((name, line)) = name else {
            return Err(input.malformed(Some(1), "not a valid gemspec: no `name` is assigned"));
        };
        let version = match version {
            Some(Ok(v)) => v,
            Some(Err(at)) => {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::RubyGems,
                    name,
                    version: String::new(),
                    location: Location::new(input.rel_path, Some(at)),
                    reason: "the version is not a string literal (the gemspec's code is not run)"
                        .to_string(),
                });
                return Ok(out);
            }
            None => {
                return Err(input.malformed(
                    Some(line),
                    format!("not a valid gemspec: `{name}` is assigned no `version`"),
                ))
            }
        };
        let mut deps: Vec<String> = runtime
            .into_iter()
            .filter(|d| !development.contains(d))
            .collect();
        deps.sort();
        deps.dedup();
        out.components.push(
            Component::new(Ecosystem::RubyGems, name, version)
                .at(input.rel_path, Some(line))
                .depends_on(deps)
                .license(licenses.and_then(|l| join_licenses(&l))),
        );
        Ok(out)
    }
}

/// The block variable of `Gem::Specification.new do |s|`.
fn spec_block_var(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("Gem::Specification.new")?;
    let rest = rest.trim_start().strip_prefix("do")?.trim_start();
    let rest = rest.strip_prefix('|')?;
    let (var, _) = rest.split_once('|')?;
    let var = var.trim();
    let ok = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(var)
}

/// The right side of `field = value` (`field` exactly, then `=` and not
/// `==`).
fn assigned<'a>(call: &'a str, field: &str) -> Option<&'a str> {
    let rest = call.strip_prefix(field)?.trim_start();
    let rest = rest.strip_prefix('=')?;
    (!rest.starts_with(['=', '~'])).then(|| rest.trim_start())
}

enum Kind {
    Runtime,
    Development,
}

/// A dependency call and the text of its arguments.
fn dependency_call(call: &str) -> Option<(Kind, &str)> {
    let (kind, rest) = if let Some(r) = call.strip_prefix("add_runtime_dependency") {
        (Kind::Runtime, r)
    } else if let Some(r) = call.strip_prefix("add_development_dependency") {
        (Kind::Development, r)
    } else if let Some(r) = call.strip_prefix("add_dependency") {
        (Kind::Runtime, r)
    } else {
        return None;
    };
    let args = match rest.strip_prefix('(') {
        Some(a) => a,
        None if rest.starts_with([' ', '\t']) => rest,
        None => return None,
    };
    Some((kind, args.trim_start()))
}

/// A Ruby string literal at the start of `text` (`"x"`, `'x'`, `%q{x}`,
/// `%q<x>`, `%Q(x)`, `%{x}`), with a `.freeze` after it skipped: its value
/// and the text after it. Escapes other than of the delimiter and the
/// backslash are kept as written.
fn ruby_string(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let (close, body) = if let Some(b) = text.strip_prefix('"') {
        ('"', b)
    } else if let Some(b) = text.strip_prefix('\'') {
        ('\'', b)
    } else {
        let b = text.strip_prefix('%')?;
        let b = b
            .strip_prefix('q')
            .or_else(|| b.strip_prefix('Q'))
            .unwrap_or(b);
        let open = b.chars().next()?;
        let close = match open {
            '{' => '}',
            '<' => '>',
            '(' => ')',
            '[' => ']',
            c if c.is_ascii_punctuation() => c,
            _ => return None,
        };
        (close, b.get(open.len_utf8()..)?)
    };
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, e)) if e == close || e == '\\' => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return None,
            }
        } else if c == close {
            let rest = body.get(i + c.len_utf8()..)?;
            let rest = rest.strip_prefix(".freeze").unwrap_or(rest);
            return Some((out, rest));
        } else {
            out.push(c);
        }
    }
    None
}

/// The strings of an array literal `["a".freeze, "b".freeze]`.
fn string_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(mut rest) = text.trim_start().strip_prefix('[') else {
        return ruby_string(text).map(|(s, _)| s).into_iter().collect();
    };
    while let Some((s, after)) = ruby_string(rest) {
        out.push(s);
        match after.trim_start().strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// Licenses as one SPDX expression: several are a choice, joined with `OR`.
fn join_licenses(names: &[String]) -> Option<String> {
    // Gems declare any of several licenses.
    vigil_model::license::combine(
        names.iter().map(String::as_str),
        vigil_model::license::Choice::AnyOf,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "ruby/installed_gemspec";

    fn read(rel: &str) -> Extracted {
        fixture(&InstalledGemspec, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn licenses_are_normalized() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(
            join_licenses(&names(&["Ruby", "BSD-2-Clause"])).as_deref(),
            Some("Ruby OR BSD-2-Clause")
        );
        assert_eq!(
            join_licenses(&names(&["MIT License", "apache-2.0"])).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            join_licenses(&names(&["Nonstandard"])).as_deref(),
            Some("Nonstandard")
        );
        assert_eq!(join_licenses(&names(&[" "])), None);
    }

    #[test]
    fn matches_gemspecs_in_specifications() {
        let m = |p: &str| InstalledGemspec.matches(Path::new(p));
        assert!(m("gems/3.2.0/specifications/rack-2.2.8.gemspec"));
        assert!(m("specifications/default/json-2.7.1.gemspec"));
        assert!(m(
            "vendor/bundle/ruby/3.2.0/specifications/rake-13.1.0.gemspec"
        ));
        assert!(!m("rack.gemspec"));
        assert!(!m("lib/rack.gemspec"));
        assert!(!m("default/json-2.7.1.gemspec"));
        assert!(!m("specifications/.gemspec"));
        assert!(!m("specifications/rack-2.2.8.gemspec.bak"));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/specifications/empty-0.1.0.gemspec");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        let rel = "malformed/specifications/broken-1.0.0.gemspec";
        let err = fixture(&InstalledGemspec, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{rel}:5: not a valid gemspec: the name is not a string literal")
        );
        let rel = "missing-version/specifications/noversion-1.0.0.gemspec";
        let err = fixture(&InstalledGemspec, SUB, rel).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{rel}:5: not a valid gemspec: `noversion` is assigned no `version`")
        );
    }

    #[test]
    fn one_gem() {
        let rel = "one-gem/specifications/rack-2.2.8.gemspec";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("rack@2.2.8 {rel}:5")]);
        let c = one(&x, "rack", "2.2.8");
        assert_eq!(c.purl, "pkg:gem/rack@2.2.8");
        assert_eq!((c.direct, c.dev), (None, None));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert!(c.dependencies.is_empty());
    }

    #[test]
    fn realistic_gem() {
        let rel = "realistic/specifications/rails-7.1.3.gemspec";
        let x = read(rel);
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let c = one(&x, "rails", "7.1.3");
        assert_eq!(
            c.dependencies,
            ["actionpack", "activesupport", "bundler", "railties"]
        );
        assert_eq!(c.license.as_deref(), Some("MIT"));
        insta::assert_json_snapshot!("installed_gemspec_realistic", view(&x));
    }

    #[test]
    fn old_rubygems_style_and_default_gems() {
        // Older RubyGems: `%q{}` strings, no `.freeze`, dependencies written
        // twice.
        let rel = "old-style/specifications/rss-0.2.9.gemspec";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("rss@0.2.9 {rel}:5")]);
        let c = one(&x, "rss", "0.2.9");
        assert_eq!(c.dependencies, ["rexml"]);
        assert_eq!(c.license.as_deref(), Some("BSD-2-Clause"));
        let rel = "old-style/specifications/default/json-2.7.1.gemspec";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("json@2.7.1 {rel}:5")]);
        assert_eq!(
            one(&x, "json", "2.7.1").license.as_deref(),
            Some("Ruby OR BSD-2-Clause")
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            ruby_string("\"rack\".freeze, 1"),
            Some(("rack".to_string(), ", 1"))
        );
        assert_eq!(ruby_string("%q<x-y>.freeze"), Some(("x-y".to_string(), "")));
        assert_eq!(ruby_string("%q{a}"), Some(("a".to_string(), "")));
        assert_eq!(ruby_string("'it\\'s'"), Some(("it's".to_string(), "")));
        assert_eq!(ruby_string("\"a\\nb\""), Some(("a\\nb".to_string(), "")));
        assert_eq!(ruby_string("Foo::VERSION"), None);
        assert_eq!(ruby_string("\"open"), None);
        assert_eq!(ruby_string("%"), None);
        assert_eq!(ruby_string("\"\\"), None);
        assert_eq!(
            string_list("[\"Ruby\".freeze, \"BSD-2-Clause\".freeze]"),
            ["Ruby", "BSD-2-Clause"]
        );
        assert_eq!(
            spec_block_var("Gem::Specification.new do |spec|"),
            Some("spec")
        );
        assert_eq!(spec_block_var("Gem::Specification.new do |a b|"), None);
        assert_eq!(assigned("name == \"x\"", "name"), None);
        assert_eq!(assigned("names = 1", "name"), None);
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &InstalledGemspec,
            SUB,
            "realistic/specifications/rails-7.1.3.gemspec",
        );
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("ruby/gemspec/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&InstalledGemspec, &dir, f);

        let x = run("rss-0.2.9.gemspec").unwrap();
        assert_eq!(brief(&x), ["rss@0.2.9 rss-0.2.9.gemspec:5"]);
        // bundler, rake and test-unit are development dependencies, though
        // the `else` branch adds them with `add_dependency`.
        assert_eq!(x.components[0].dependencies, ["rexml"]);
        assert_eq!(x.components[0].license.as_deref(), Some("BSD-2-Clause"));

        let x = run("yaml-0.2.1.gemspec").unwrap();
        assert_eq!(brief(&x), ["yaml@0.2.1 yaml-0.2.1.gemspec:5"]);
        assert_eq!(
            x.components[0].license.as_deref(),
            Some("Ruby OR BSD-2-Clause")
        );
        assert!(x.components[0].dependencies.is_empty());

        // Hand-written gemspecs: a version read from a constant.
        let x = run("version_constant/version_constant.gemspec").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["example_app@ :7 the version is not a string literal (the gemspec's code is not run)"]
        );
        let x = run("version_inline.gemspec").unwrap();
        assert_eq!(x.not_checked.len(), 1);

        let err = run("badspec.gemspec").unwrap_err();
        assert_eq!((err.path(), err.line()), ("badspec.gemspec", Some(1)));
        let err = run("invalid.gemspec").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid.gemspec", Some(6)));
    }
}
