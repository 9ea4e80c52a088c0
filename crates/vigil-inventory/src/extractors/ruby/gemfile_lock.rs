//! `Gemfile.lock` and `gems.locked`: the lockfiles of Bundler.
//!
//! ## Detects
//! Files named `Gemfile.lock` or `gems.locked`: the sections `GEM`, `GIT`,
//! `PATH` and `PLUGIN SOURCE` (each with `remote:` and `specs:`),
//! `PLATFORMS`, `DEPENDENCIES`, `CHECKSUMS` (Bundler 2.5 and later),
//! `RUBY VERSION` and `BUNDLED WITH`, in any order.
//!
//! ## Ecosystem
//! RubyGems. Each gem of a `GEM` section's `specs:` (`    name (version)`,
//! or `    name (version-platform)` for a platform build) is a component:
//! its name and version as written (without the platform), located at its
//! line, with the names of the gems of the file it depends on (its
//! 6-space lines) and, when the file has a `CHECKSUMS` section, its
//! checksums as written (`sha256=...`). A gem locked for several platforms
//! at one version is one component located at each of its lines. `direct`
//! is true for the gems that `DEPENDENCIES` lists (with or without a `!`
//! suffix, which marks a gem from a git or path source), false for the
//! others; unknown when the file has no `DEPENDENCIES` section. `dev` is
//! true for development-only gems when the `Gemfile` beside it tells (see
//! Limitations).
//!
//! Gems of `GIT`, `PATH` and `PLUGIN SOURCE` sections are "not checked"
//! entries: they are not RubyGems releases.
//!
//! A spec line without a version makes the file malformed (Bundler could
//! not install from it either). An unknown section gives a warning and is
//! skipped.
//!
//! ## Limitations
//! - `dev` comes from the `Gemfile` (`gems.rb` for `gems.locked`) beside the
//!   lockfile, read line by line for its `group ... do` blocks and `group:`
//!   options (see `gemfile.rs`): gems only in the `development` and `test`
//!   groups, and the gems only they lead to in the lockfile's graph, are
//!   development-only. Without that file, or inside an archive, `dev` is
//!   unknown.
//! - A `GEM` section with a remote other than rubygems.org (a private gem
//!   server) is taken for RubyGems.
//!
//! ## References
//! - <https://bundler.io/guides/gemfile_lock.html>
//! - <https://bundler.io/man/gemfile.5.html>
//! - The lockfile reader: `lib/bundler/lockfile_parser.rb` in the
//!   RubyGems repository.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::npm::{graph_flags, Root};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `Gemfile.lock` and `gems.locked`.
#[derive(Debug, Clone, Copy)]
pub struct GemfileLock;

/// The section a line is in.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    /// Before any section header.
    None,
    /// `GEM`.
    Gem,
    /// `GIT`, `PATH` or `PLUGIN SOURCE`: gems not from RubyGems.
    Elsewhere(&'static str),
    /// `DEPENDENCIES`.
    Dependencies,
    /// `CHECKSUMS`.
    Checksums,
    /// Any other (`PLATFORMS`, `RUBY VERSION`, `BUNDLED WITH`, unknown).
    Other,
}

/// One gem of a `specs:` list.
struct Spec {
    name: String,
    version: String,
    /// The `version-platform` text, as `CHECKSUMS` names it.
    full_version: String,
    line: u32,
    from: Option<&'static str>,
    deps: Vec<String>,
}

impl Extractor for GemfileLock {
    fn name(&self) -> &'static str {
        "ruby/gemfile-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(crate::file_name(path), "Gemfile.lock" | "gems.locked")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let mut section = Section::None;
        let mut in_specs = false;
        let mut specs: Vec<Spec> = Vec::new();
        let mut direct: Option<HashSet<String>> = None;
        let mut checksums: HashMap<(String, String), Vec<String>> = HashMap::new();

        for (i, raw) in input.contents.lines().enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let text = raw.trim_end();
            if text.is_empty() {
                continue;
            }
            let indent = text.len() - text.trim_start_matches(' ').len();
            let body = text.trim_start_matches(' ');
            if indent == 0 {
                in_specs = false;
                section = match body {
                    "GEM" => Section::Gem,
                    "GIT" => Section::Elsewhere("installed from git, not from a RubyGems release"),
                    "PATH" => Section::Elsewhere("a local path, not a RubyGems release"),
                    "PLUGIN SOURCE" => {
                        Section::Elsewhere("from a Bundler plugin source, not a RubyGems release")
                    }
                    "DEPENDENCIES" => {
                        direct.get_or_insert_with(HashSet::new);
                        Section::Dependencies
                    }
                    "CHECKSUMS" => Section::Checksums,
                    "PLATFORMS" | "RUBY VERSION" | "BUNDLED WITH" => Section::Other,
                    _ => {
                        out.diagnostics.push(Diagnostic::warning(
                            input.rel_path,
                            Some(line),
                            format!("unknown section `{}`, skipped", shorten(body)),
                        ));
                        Section::Other
                    }
                };
                continue;
            }
            match section {
                Section::Gem | Section::Elsewhere(_) => {
                    let from = match section {
                        Section::Elsewhere(reason) => Some(reason),
                        _ => None,
                    };
                    match indent {
                        2 => in_specs = body == "specs:",
                        4 if in_specs => {
                            let (name, version) = name_and_version(body);
                            let Some(full) = version else {
                                return Err(input.malformed(
                                    Some(line),
                                    format!("gem `{}` has no version", shorten(name)),
                                ));
                            };
                            let version = full.split_once('-').map_or(full, |(v, _)| v);
                            specs.push(Spec {
                                name: name.to_string(),
                                version: version.to_string(),
                                full_version: full.to_string(),
                                line,
                                from,
                                deps: Vec::new(),
                            });
                        }
                        6 if in_specs => {
                            if let Some(spec) = specs.last_mut() {
                                let (name, _) = name_and_version(body);
                                if !spec.deps.iter().any(|d| d == name) {
                                    spec.deps.push(name.to_string());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Section::Dependencies if indent == 2 => {
                    let (name, _) = name_and_version(body);
                    let name = name.trim_end_matches('!');
                    if let Some(d) = direct.as_mut() {
                        d.insert(name.to_string());
                    }
                }
                Section::Checksums if indent == 2 => {
                    // `name (version[-platform]) sha256=hex[,sha512=...]`
                    let (name, version) = name_and_version(body);
                    let sums = body.rsplit_once(") ").map_or("", |(_, s)| s);
                    if let Some(version) = version {
                        let list = checksums
                            .entry((name.to_string(), version.to_string()))
                            .or_default();
                        list.extend(
                            sums.split(',')
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(str::to_string),
                        );
                    }
                }
                _ => {}
            }
        }

        let known: HashSet<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut components: Vec<Component> = Vec::new();
        for spec in &specs {
            if let Some(reason) = spec.from {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::RubyGems,
                    name: spec.name.clone(),
                    version: spec.version.clone(),
                    location: Location::new(input.rel_path, Some(spec.line)),
                    reason: reason.to_string(),
                });
                continue;
            }
            let sums = checksums
                .get(&(spec.name.clone(), spec.full_version.clone()))
                .cloned()
                .unwrap_or_default();
            let key = (spec.name.clone(), spec.version.clone());
            if let Some(c) = index.get(&key).and_then(|&i| components.get_mut(i)) {
                c.locations
                    .push(Location::new(input.rel_path, Some(spec.line)));
                for s in sums {
                    if !c.hashes.contains(&s) {
                        c.hashes.push(s);
                    }
                }
                continue;
            }
            let deps = spec.deps.iter().filter(|d| known.contains(d.as_str()));
            let mut c = Component::new(
                Ecosystem::RubyGems,
                spec.name.as_str(),
                spec.version.as_str(),
            )
            .at(input.rel_path, Some(spec.line))
            .direct(direct.as_ref().map(|d| d.contains(&spec.name)))
            .depends_on(deps);
            c.hashes = sums;
            index.insert(key, components.len());
            components.push(c);
        }
        if direct.is_some() {
            dev_flags(input, &specs, direct.as_ref(), &mut components, &mut out);
        }
        out.components = components;
        Ok(out)
    }
}

/// Sets `dev` on each component from the groups of the manifest beside the
/// lockfile (`Gemfile` for `Gemfile.lock`, `gems.rb` for `gems.locked`):
/// the direct gems it puts only in development groups, and the gems only
/// they lead to, are development-only. Without the manifest (or inside an
/// archive) `dev` stays unknown.
fn dev_flags(
    input: &FileInput<'_>,
    specs: &[Spec],
    direct: Option<&HashSet<String>>,
    components: &mut [Component],
    out: &mut Extracted,
) {
    if input.archive_depth() > 0 {
        return;
    }
    let manifest = if crate::file_name(Path::new(input.rel_path)) == "gems.locked" {
        "gems.rb"
    } else {
        "Gemfile"
    };
    let text = match input.read_related(manifest) {
        Ok((_, text)) => text,
        Err(ExtractError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!(
                    "cannot read {manifest}, so which gems are development-only is unknown: {e}"
                ),
            ));
            return;
        }
    };
    let dev = super::gemfile::dev_gems(&text);
    let mut node: HashMap<&str, usize> = HashMap::new();
    for spec in specs {
        let n = node.len();
        node.entry(spec.name.as_str()).or_insert(n);
    }
    let mut edges: Vec<Vec<(usize, bool)>> = vec![Vec::new(); node.len()];
    for spec in specs {
        let Some(&from) = node.get(spec.name.as_str()) else {
            continue;
        };
        for d in &spec.deps {
            if let (Some(&to), Some(list)) = (node.get(d.as_str()), edges.get_mut(from)) {
                list.push((to, false));
            }
        }
    }
    let roots: Vec<(usize, Root)> = direct
        .into_iter()
        .flatten()
        .filter_map(|name| {
            let &i = node.get(name.as_str())?;
            // A gem the Gemfile does not name (one a `gemspec` line brings
            // in) counts as production: never hidden on a guess.
            let root = if dev.get(name).copied().unwrap_or(false) {
                Root::Dev
            } else {
                Root::Prod
            };
            Some((i, root))
        })
        .collect();
    let flags = graph_flags(&edges, &roots);
    for c in components.iter_mut() {
        if let Some(f) = node.get(c.name.as_str()).and_then(|&i| flags.get(i)) {
            c.dev = f.dev;
        }
    }
}

/// `name (version)` into its parts; the version is `None` without
/// parentheses.
fn name_and_version(body: &str) -> (&str, Option<&str>) {
    match body.split_once(" (") {
        Some((name, rest)) => {
            let version = rest.split_once(')').map_or(rest, |(v, _)| v).trim();
            (name.trim(), Some(version).filter(|v| !v.is_empty()))
        }
        None => (body.split_whitespace().next().unwrap_or(""), None),
    }
}

/// A piece of input short enough for a message.
fn shorten(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_empty, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "ruby/gemfile_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&GemfileLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_lockfile_names() {
        assert!(GemfileLock.matches(Path::new("Gemfile.lock")));
        assert!(GemfileLock.matches(Path::new("app/gems.locked")));
        assert!(!GemfileLock.matches(Path::new("Gemfile")));
        assert!(!GemfileLock.matches(Path::new("gems.rb")));
    }

    #[test]
    fn empty_files() {
        assert_empty(
            &GemfileLock,
            SUB,
            &["empty/Gemfile.lock", "empty-file/Gemfile.lock"],
        );
    }

    #[test]
    fn spec_without_version_is_malformed() {
        let err = fixture(&GemfileLock, SUB, "malformed/Gemfile.lock").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "malformed/Gemfile.lock:5: gem `rack` has no version"
        );
    }

    #[test]
    fn one_gem() {
        let x = read("one-gem/gems.locked");
        assert_eq!(brief(&x), ["rake@13.2.1 one-gem/gems.locked:4"]);
        let c = one(&x, "rake", "13.2.1");
        assert_eq!(c.purl, "pkg:gem/rake@13.2.1");
        assert_eq!((c.direct, c.dev), (Some(true), None));
    }

    #[test]
    fn realistic_with_git_path_platforms_and_checksums() {
        let x = read("realistic/Gemfile.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            brief(&x),
            [
                "actionview@7.1.4 realistic/Gemfile.lock:18",
                "activesupport@7.1.4 realistic/Gemfile.lock:22",
                "builder@3.3.0 realistic/Gemfile.lock:25",
                "concurrent-ruby@1.3.4 realistic/Gemfile.lock:26",
                "i18n@1.14.6 realistic/Gemfile.lock:27",
                "nokogiri@1.16.7 realistic/Gemfile.lock:29,realistic/Gemfile.lock:31",
                "puma@6.4.3 realistic/Gemfile.lock:33",
                "racc@1.8.1 realistic/Gemfile.lock:35",
                "rspec@3.13.0 realistic/Gemfile.lock:36",
            ]
        );
        let c = one(&x, "nokogiri", "1.16.7");
        assert_eq!(c.dependencies, ["racc"]);
        assert_eq!(c.direct, Some(true));
        assert_eq!(c.hashes.len(), 2, "{:?}", c.hashes);
        assert_eq!(one(&x, "rspec", "3.13.0").direct, Some(true));
        assert_eq!(one(&x, "racc", "1.8.1").direct, Some(false));
        assert_eq!(
            one(&x, "actionview", "7.1.4").dependencies,
            ["activesupport", "builder"]
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "my_engine@0.1.0 :12 a local path, not a RubyGems release",
                "sidekiq-pro@7.3.2 :6 installed from git, not from a RubyGems release",
            ]
        );
        insta::assert_json_snapshot!("gemfile_lock_realistic", view(&x));
    }

    #[test]
    fn gemfile_groups_make_gems_dev() {
        let x = read("groups/Gemfile.lock");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        let flags = |n: &str| {
            let c = x.components.iter().find(|c| c.name == n).unwrap();
            (c.direct, c.dev)
        };
        // Direct, in no group or in production.
        assert_eq!(flags("sinatra"), (Some(true), Some(false)));
        assert_eq!(flags("puma"), (Some(true), Some(false)));
        // Direct, in development or test groups (block or option).
        assert_eq!(flags("rspec"), (Some(true), Some(true)));
        assert_eq!(flags("rack-test"), (Some(true), Some(true)));
        assert_eq!(flags("rubocop"), (Some(true), Some(true)));
        // Only reachable from development gems.
        for n in ["diff-lcs", "rspec-support", "parser", "racc", "ast", "json"] {
            assert_eq!(flags(n), (Some(false), Some(true)), "{n}");
        }
        // Reachable from both: production.
        assert_eq!(flags("rack"), (Some(false), Some(false)));
        assert_eq!(flags("nio4r"), (Some(false), Some(false)));
        assert_eq!(flags("ruby2_keywords"), (Some(false), Some(false)));
        // Without a Gemfile beside it, dev is unknown.
        let x = read("realistic/Gemfile.lock");
        assert!(x.components.iter().all(|c| c.dev.is_none()));
    }

    #[test]
    fn unknown_section_warns() {
        let text = "GEM\n  specs:\n    rake (13.2.1)\n\nSOMETHING NEW\n  x (1.0)\n    y (2.0)\n";
        let input = FileInput::new(
            "Gemfile.lock",
            Path::new("Gemfile.lock"),
            text,
            Path::new("/"),
        );
        let x = GemfileLock.extract(&input).unwrap();
        assert_eq!(brief(&x), ["rake@13.2.1 Gemfile.lock:3"]);
        assert_eq!(
            x.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["Gemfile.lock:5: unknown section `SOMETHING NEW`, skipped"]
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&GemfileLock, SUB, "realistic/Gemfile.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("ruby/gemfilelock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&GemfileLock, &dir, f);

        let x = run("one-gem.lock").unwrap();
        assert_eq!(brief(&x), ["ast@2.4.2 one-gem.lock:4"]);
        assert_eq!(x.components[0].direct, Some(true));
        let x = run("some-gems.lock").unwrap();
        assert_eq!(x.components.len(), 3);
        assert_eq!(one(&x, "pry", "0.14.1").direct, Some(true));
        assert_eq!(
            one(&x, "pry", "0.14.1").dependencies,
            ["coderay", "method_source"]
        );
        assert_eq!(one(&x, "coderay", "1.1.3").direct, Some(false));
        assert_eq!(run("multiple-gems.lock").unwrap().components.len(), 6);
        assert_eq!(
            brief(&run("source-section-at-end.lock").unwrap()),
            ["ast@2.4.2 source-section-at-end.lock:16"]
        );

        let x = run("has-git-gem.lock").unwrap();
        assert_eq!(x.components.len(), 3);
        assert_eq!(
            unchecked_brief(&x),
            [
                "hanami-controller@2.0.0.alpha1 :6 installed from git, not from a RubyGems release",
                "hanami-utils@2.0.0.alpha1 :15 installed from git, not from a RubyGems release",
            ]
        );

        let x = run("has-local-gem.lock").unwrap();
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.not_checked[0].name, "backbone-on-rails");
        // A platform build: the version without its platform.
        assert_eq!(line(one(&x, "nokogiri", "1.13.3")), Some(58));

        let x = run("rails.lock").unwrap();
        assert_eq!(x.components.len(), 46);
        assert_eq!(one(&x, "rails", "7.0.2.2").direct, Some(true));
        assert_eq!(run("rubocop.lock").unwrap().components.len(), 10);

        for f in [
            "no-gems.lock",
            "no-gem-section.lock",
            "no-spec-section.lock",
        ] {
            assert!(run(f).unwrap().components.is_empty(), "{f}");
        }
        let err = run("invalid.lock").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid.lock", Some(4)));
    }
}
