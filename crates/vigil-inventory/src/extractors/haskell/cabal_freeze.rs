//! `cabal.project.freeze`: the frozen build plan of cabal-install.
//!
//! ## Detects
//! Files named `cabal.project.freeze`, as `cabal freeze` writes them: a
//! `constraints:` field whose value, continued on indented lines, is a
//! comma-separated list of constraints (`any.aeson ==2.1.2.1`,
//! `aeson -cffi +ordered-keymap`, `any.ghc-prim installed`), beside other
//! fields (`index-state:`, `active-repositories:`) that are ignored.
//! Comment lines (`--`) and blank lines are skipped.
//!
//! ## Ecosystem
//! Hackage. Each constraint pinning a package to one version (`==1.2.3`)
//! is a component: the package name (without its `any.` or `setup.`
//! qualifier) and the version as written, located at the line of the
//! constraint. `dev` is true for `setup.` constraints (packages only the
//! setup scripts use), unknown for the rest.
//!
//! Flag constraints (`+flag`, `-flag`) and `source` constraints (the
//! project's own packages) are not components. `installed` constraints (a
//! package that comes with GHC, such as `base` or `ghc-prim`, whose version
//! the file does not state) and version ranges are "not checked" entries.
//!
//! ## Limitations
//! - `direct` is unknown: a freeze file lists the whole plan without saying
//!   what the project's `.cabal` files ask for, nor which package depends
//!   on which.
//! - Test and benchmark dependencies are not told apart.
//! - A line at the start of a line that is not a field (`name:`) is taken
//!   for a section header: it and its indented lines are skipped, with a
//!   warning.
//!
//! ## References
//! - <https://cabal.readthedocs.io/en/stable/cabal-commands.html#cabal-freeze>
//! - <https://cabal.readthedocs.io/en/stable/cabal-project-description-file.html#cfg-field-constraints>

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `cabal.project.freeze`.
#[derive(Debug, Clone, Copy)]
pub struct CabalFreeze;

/// The longest constraint text read; longer ones are malformed.
const MAX_CONSTRAINT: usize = 4096;

impl Extractor for CabalFreeze {
    fn name(&self) -> &'static str {
        "haskell/cabal-freeze"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "cabal.project.freeze"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        // Constraints with the line each starts on.
        let mut constraints: Vec<(u32, String)> = Vec::new();
        let mut in_constraints = false;
        let mut in_section = false;
        // The constraint being gathered across lines, and its line.
        let mut pending: Option<(u32, String)> = None;

        for (idx, raw) in input.contents.lines().enumerate() {
            let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with("--") {
                continue;
            }
            let indented = raw.starts_with([' ', '\t']);
            let text = if indented {
                if in_section || !in_constraints {
                    continue;
                }
                trimmed
            } else {
                // A new field or section ends the one before.
                if let Some(p) = pending.take() {
                    constraints.push(p);
                }
                in_section = false;
                match trimmed.split_once(':') {
                    Some((field, value))
                        if !field.is_empty()
                            && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
                    {
                        in_constraints = field.eq_ignore_ascii_case("constraints");
                        if !in_constraints {
                            continue;
                        }
                        value.trim()
                    }
                    _ => {
                        in_constraints = false;
                        in_section = true;
                        out.diagnostics.push(Diagnostic::warning(
                            input.rel_path,
                            Some(line_no),
                            format!(
                                "`{trimmed}` is not a field; it and its indented lines are skipped"
                            ),
                        ));
                        continue;
                    }
                }
            };
            // Split on commas: each piece ends the pending constraint.
            let mut pieces = text.split(',').peekable();
            while let Some(piece) = pieces.next() {
                let piece = piece.trim();
                let more = pieces.peek().is_some();
                if !piece.is_empty() {
                    match pending.as_mut() {
                        Some((_, acc)) => {
                            acc.push(' ');
                            acc.push_str(piece);
                        }
                        None => pending = Some((line_no, piece.to_string())),
                    }
                }
                if more {
                    if let Some(p) = pending.take() {
                        constraints.push(p);
                    }
                }
                if pending
                    .as_ref()
                    .is_some_and(|(_, s)| s.len() > MAX_CONSTRAINT)
                {
                    return Err(input.malformed(Some(line_no), "constraint too long"));
                }
            }
        }
        if let Some(p) = pending.take() {
            constraints.push(p);
        }

        for (line, text) in constraints {
            read_constraint(input, line, &text, &mut out)?;
        }
        Ok(out)
    }
}

/// Whether a Hackage package name is well formed: letters, digits and
/// `-`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// Whether a version is numbers separated by dots.
fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
}

fn read_constraint(
    input: &FileInput<'_>,
    line: u32,
    text: &str,
    out: &mut Extracted,
) -> Result<(), ExtractError> {
    let target_end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '<' | '>' | '^' | '+' | '&' | '|'))
        .unwrap_or(text.len());
    let (target, rest) = text.split_at(target_end);
    let rest = rest.trim();
    // `pkg:setup.name` and `any.name`: the qualifier goes before the name.
    let scoped = target.rsplit(':').next().unwrap_or(target);
    let (qualifier, name) = match scoped.rsplit_once('.') {
        Some((q, n)) => (Some(q), n),
        None => (None, scoped),
    };
    if !valid_name(name) {
        return Err(input.malformed(
            Some(line),
            format!("constraint `{text}` does not name a package"),
        ));
    }
    let unchecked = |version: &str, reason: &str| NotChecked {
        ecosystem: Ecosystem::Hackage,
        name: name.to_string(),
        version: version.to_string(),
        location: Location::new(input.rel_path, Some(line)),
        reason: reason.to_string(),
    };
    if rest.starts_with(['+', '-']) || rest == "source" {
        return Ok(());
    }
    if rest == "installed" {
        out.not_checked.push(unchecked(
            "",
            "the version installed with GHC (`installed`), which the file does not state",
        ));
        return Ok(());
    }
    if let Some(version) = rest.strip_prefix("==").map(str::trim) {
        if valid_version(version) {
            out.components.push(
                Component::new(Ecosystem::Hackage, name, version)
                    .at(input.rel_path, Some(line))
                    .dev(qualifier.filter(|q| *q == "setup").map(|_| true)),
            );
            return Ok(());
        }
        if !version.contains(['|', '&', '*', ' ']) {
            return Err(input.malformed(
                Some(line),
                format!("constraint `{text}`: `{version}` is not a version"),
            ));
        }
    }
    if rest.is_empty() {
        return Err(input.malformed(
            Some(line),
            format!("constraint `{text}` says nothing of the package"),
        ));
    }
    out.not_checked
        .push(unchecked(rest, "a version range, not a pinned version"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "haskell/cabal_freeze";

    fn read(rel: &str) -> Extracted {
        fixture(&CabalFreeze, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn text(contents: &str) -> Result<Extracted, ExtractError> {
        let input = FileInput::new(
            "cabal.project.freeze",
            Path::new("cabal.project.freeze"),
            contents,
            Path::new("/"),
        );
        CabalFreeze.extract(&input)
    }

    #[test]
    fn matches_only_freeze_files() {
        assert!(CabalFreeze.matches(Path::new("cabal.project.freeze")));
        assert!(CabalFreeze.matches(Path::new("app/cabal.project.freeze")));
        assert!(!CabalFreeze.matches(Path::new("cabal.project")));
        assert!(!CabalFreeze.matches(Path::new("cabal.project.local")));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/cabal.project.freeze");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
        let x = text("").unwrap();
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&CabalFreeze, SUB, "malformed/cabal.project.freeze").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(err.path(), "malformed/cabal.project.freeze");
        assert_eq!(err.line(), Some(4), "{err}");
        assert_eq!(
            err.to_string(),
            "malformed/cabal.project.freeze:4: constraint `any.async ==2.2.x`: `2.2.x` is not a version"
        );
        let err = text("constraints: any. ==1.0").unwrap_err();
        assert_eq!(err.line(), Some(1));
    }

    #[test]
    fn one_package() {
        let x = read("one-package/cabal.project.freeze");
        assert_eq!(
            brief(&x),
            ["aeson@2.2.1.0 one-package/cabal.project.freeze:1"]
        );
        let c = one(&x, "aeson", "2.2.1.0");
        assert_eq!(c.purl, "pkg:hackage/aeson@2.2.1.0");
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn realistic_freeze_file() {
        let x = read("realistic/cabal.project.freeze");
        assert_eq!(x.components.len(), 15, "{:#?}", brief(&x));
        assert_eq!(line(one(&x, "rts", "1.0.2")), Some(17));
        assert_eq!(line(one(&x, "Cabal", "3.10.1.0")), Some(2));
        assert_eq!(one(&x, "Cabal", "3.10.1.0").dev, Some(true));
        assert_eq!(line(one(&x, "text", "2.0.2")), Some(19));
        assert_eq!(line(one(&x, "vector", "0.13.1.0")), Some(22));
        assert_eq!(line(one(&x, "zlib", "0.6.3.0")), Some(24));
        assert_eq!(
            unchecked_brief(&x),
            [
                "base@ :8 the version installed with GHC (`installed`), which the file does not state",
                "ghc-prim@ :12 the version installed with GHC (`installed`), which the file does not state",
            ]
        );
        assert!(x.diagnostics.is_empty());
        insta::assert_json_snapshot!("cabal_freeze_realistic", view(&x));
    }

    #[test]
    fn constraint_forms() {
        let x = text(
            "constraints: any.a ==1.0, b == 2.0,\n  setup.Cabal ==3.0, foo:setup.directory ==1.3,\n  any.c >=1.0 && <2, any.d +flag -other, e source\nindex-state: hackage.haskell.org 2024-01-01T00:00:00Z\n",
        )
        .unwrap();
        assert_eq!(
            brief(&x),
            [
                "Cabal@3.0 cabal.project.freeze:2",
                "a@1.0 cabal.project.freeze:1",
                "b@2.0 cabal.project.freeze:1",
                "directory@1.3 cabal.project.freeze:2",
            ]
        );
        assert_eq!(one(&x, "directory", "1.3").dev, Some(true));
        assert_eq!(
            unchecked_brief(&x),
            ["c@>=1.0 && <2 :3 a version range, not a pinned version"]
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&CabalFreeze, SUB, "realistic/cabal.project.freeze");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("haskell/cabal/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&CabalFreeze, &dir, f);
        let x = run("valid").unwrap();
        assert_eq!(
            brief(&x),
            [
                "AC-Angle@1.0 valid:1",
                "ALUT@2.4.0.3 valid:2",
                "ANum@0.2.0.2 valid:3",
                "Agda@2.6.4.3 valid:4",
                "Allure@0.11.0.0 valid:6",
            ]
        );
        assert!(x.diagnostics.is_empty());
        // A stray line before the field, and a blank line inside it.
        let x = run("valid_2").unwrap();
        assert_eq!(x.components.len(), 5);
        assert_eq!(line(one(&x, "foo", "2.4.0.3")), Some(4));
        assert_eq!(line(one(&x, "Allure", "0.11.0.0")), Some(8));
        assert_eq!(x.diagnostics.len(), 1);
        assert_eq!(x.diagnostics[0].line, Some(1));
        // Lines that are not fields: skipped with a warning each.
        let x = run("invalid").unwrap();
        assert!(x.components.is_empty());
        let lines: Vec<Option<u32>> = x.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(2), Some(3)]);
        assert!(x
            .diagnostics
            .iter()
            .all(|d| d.path.as_deref() == Some("invalid")));
    }
}
