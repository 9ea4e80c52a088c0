//! `packages.config`: the package list of NuGet's older project style.
//!
//! ## Detects
//! Files named `packages.config`: a `<packages>` element with one
//! `<package id="..." version="..." targetFramework="..."
//! developmentDependency="true"/>` per package.
//!
//! ## Ecosystem
//! NuGet. Each `<package>` is a component: its `id` and `version` as
//! written, located at the line of its element. `dev` is true for
//! `developmentDependency="true"`, false otherwise.
//!
//! ## Limitations
//! - NuGet writes transitive packages into the file as well, with nothing
//!   to tell them apart, so `direct` is unknown and `dependencies` are
//!   empty.
//! - A `<package>` without an `id` or a `version` is skipped with a
//!   warning; a version range in `allowedVersions` is not read (the
//!   installed `version` is what counts).
//!
//! ## References
//! - <https://learn.microsoft.com/en-us/nuget/reference/packages-config>

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::extractors::LineIndex;
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `packages.config`.
#[derive(Debug, Clone, Copy)]
pub struct PackagesConfig;

impl Extractor for PackagesConfig {
    fn name(&self) -> &'static str {
        "dotnet/packages-config"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "packages.config"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let doc = roxmltree::Document::parse(input.contents).map_err(|e| {
            input.malformed(
                Some(e.pos().row),
                format!("not a valid packages.config: {}", xml_message(&e)),
            )
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "packages" {
            return Err(input.malformed(
                Some(1),
                format!(
                    "not a valid packages.config: the root element is <{}>, not <packages>",
                    root.tag_name().name()
                ),
            ));
        }
        let lines = LineIndex::new(input.contents);
        let mut out = Extracted::default();
        for node in root
            .children()
            .filter(|n| n.is_element() && n.tag_name().name() == "package")
        {
            let line = Some(lines.line(node.range().start));
            let id = node
                .attribute("id")
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let version = node
                .attribute("version")
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let (Some(id), Some(version)) = (id, version) else {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    line,
                    "a <package> without an id or a version; skipped",
                ));
                continue;
            };
            let dev = node
                .attribute("developmentDependency")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            out.components.push(
                Component::new(Ecosystem::NuGet, id, version)
                    .at(input.rel_path, line)
                    .dev(Some(dev)),
            );
        }
        Ok(out)
    }
}

/// roxmltree's message without its trailing position (the line is given
/// apart).
pub(crate) fn xml_message(e: &roxmltree::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at ") {
        Some(i)
            if text
                .get(i + 4..)
                .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ':')) =>
        {
            text.get(..i).unwrap_or(&text).to_string()
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, one, samples, survives_truncation, view,
    };

    const SUB: &str = "dotnet/packages_config";

    fn read(rel: &str) -> Extracted {
        fixture(&PackagesConfig, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_config_name() {
        assert!(PackagesConfig.matches(Path::new("src/Web/packages.config")));
        assert!(!PackagesConfig.matches(Path::new("web.config")));
    }

    #[test]
    fn empty_config() {
        let x = read("empty/packages.config");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&PackagesConfig, SUB, "malformed/packages.config").unwrap_err();
        assert_eq!(err.path(), "malformed/packages.config");
        // The unclosed <package> of line 4 shows at the closing tag.
        assert_eq!(
            err.to_string(),
            "malformed/packages.config:5: not a valid packages.config: expected 'package' tag, not 'packages'"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/packages.config");
        assert_eq!(
            brief(&x),
            ["Newtonsoft.Json@12.0.3 one-package/packages.config:3"]
        );
        let c = one(&x, "Newtonsoft.Json", "12.0.3");
        assert_eq!(c.purl, "pkg:nuget/Newtonsoft.Json@12.0.3");
        assert_eq!((c.direct, c.dev), (None, Some(false)));
    }

    #[test]
    fn mvc_project() {
        let x = read("mvc/packages.config");
        assert_eq!(x.components.len(), 7);
        assert_eq!(one(&x, "Microsoft.Net.Compilers", "2.4.0").dev, Some(true));
        assert!(x.diagnostics.is_empty());
        insta::assert_json_snapshot!("packages_config_mvc", view(&x));
    }

    #[test]
    fn entries_without_id_or_version_are_skipped() {
        let x = read("bad-entry/packages.config");
        assert_eq!(brief(&x), ["NUnit@3.13.3 bad-entry/packages.config:3"]);
        let d: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            d,
            [
                "bad-entry/packages.config:4: a <package> without an id or a version; skipped",
                "bad-entry/packages.config:6: a <package> without an id or a version; skipped",
            ]
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&PackagesConfig, SUB, "mvc/packages.config");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("dotnet/packagesconfig/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&PackagesConfig, &dir, f);
        let x = run("valid").unwrap();
        assert_eq!(
            brief(&x),
            [
                "Microsoft.CodeDom.Providers.DotNetCompilerPlatform@1.0.0 valid:3",
                "Microsoft.Net.Compilers@1.0.0 valid:4",
            ]
        );
        assert_eq!(one(&x, "Microsoft.Net.Compilers", "1.0.0").dev, Some(true));
        for f in ["nopackage", "noversion"] {
            let x = run(f).unwrap();
            assert_eq!(x.components.len(), 1, "{f}");
            assert_eq!(x.diagnostics[0].line, Some(4), "{f}");
        }
        let err = run("invalid").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid", Some(1)));
    }
}
