//! `*.deps.json`: the dependency manifest of a built .NET application.
//!
//! ## Detects
//! Files whose name ends in `.deps.json` (`MyApp.deps.json`, written
//! beside the application's assemblies by `dotnet build` and `dotnet
//! publish`): the `libraries` map (`"Name/Version"` to `type`, `sha512`)
//! and the `targets` map (per framework and runtime, `"Name/Version"` to
//! its `dependencies`).
//!
//! ## Ecosystem
//! NuGet. Each library of `type: "package"` is a component: the name and
//! version of its `Name/Version` key as written, located at the line of its
//! key in `libraries`. Its `sha512` is recorded as written
//! (`sha512-<base64>`). `dependencies` are the names its entries in
//! `targets` depend on (over every target). `direct` is true for the
//! packages that a `project` library (the application, or another project
//! of its solution) depends on, false for the others. Projects and
//! references (`type: "project"`, `"reference"`) are not components.
//!
//! ## Limitations
//! - `dev` is unknown; a `deps.json` lists what the application loads at
//!   run time, so build-only packages (analyzers) are not in it at all.
//! - Runtime packs (`type: "runtimepack"`, the self-contained .NET
//!   runtime) are not read: their keys do not carry the NuGet package
//!   name.
//! - A library key without a `/version` is skipped with a warning.
//!
//! ## References
//! - <https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md>
//! - <https://learn.microsoft.com/en-us/dotnet/core/dependency-loading/default-probing>

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::extractors::npm::package_lock::{key_lines, strip_position};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `*.deps.json`.
#[derive(Debug, Clone, Copy)]
pub struct DepsJson;

#[derive(Deserialize)]
struct DepsFile {
    #[serde(default)]
    targets: BTreeMap<String, BTreeMap<String, Target>>,
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type")]
    kind: Option<String>,
    sha512: Option<String>,
}

impl Extractor for DepsJson {
    fn name(&self) -> &'static str {
        "dotnet/deps-json"
    }

    fn matches(&self, path: &Path) -> bool {
        let name = crate::file_name(path);
        name.len() > ".deps.json".len() && name.ends_with(".deps.json")
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let file: DepsFile = serde_json::from_str(input.contents).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            input.malformed(
                line,
                format!("not a valid .NET deps.json: {}", strip_position(&e)),
            )
        })?;
        let mut out = Extracted::default();
        let lines = key_lines(input.contents, |p| {
            p.len() == 2 && p.first().is_some_and(|k| k == "libraries")
        });

        // What each library depends on, over every target.
        let mut deps: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for libs in file.targets.values() {
            for (key, target) in libs {
                deps.entry(key.as_str())
                    .or_default()
                    .extend(target.dependencies.keys().map(String::as_str));
            }
        }
        // Packages a project asks for: `Name` of each dependency of a
        // project library.
        let direct: HashSet<&str> = file
            .libraries
            .iter()
            .filter(|(_, lib)| lib.kind.as_deref() == Some("project"))
            .filter_map(|(key, _)| deps.get(key.as_str()))
            .flatten()
            .copied()
            .collect();

        for (key, lib) in &file.libraries {
            if lib.kind.as_deref() != Some("package") {
                continue;
            }
            let line = lines
                .get(&["libraries".to_string(), key.clone()][..])
                .copied();
            let Some((name, version)) = key
                .split_once('/')
                .filter(|(n, v)| !n.is_empty() && !v.is_empty())
            else {
                out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    line,
                    format!("library `{key}` is not `Name/Version`; skipped"),
                ));
                continue;
            };
            let mut component = Component::new(Ecosystem::NuGet, name, version)
                .at(input.rel_path, line)
                .direct(Some(direct.contains(name)))
                .depends_on(deps.get(key.as_str()).into_iter().flatten().copied());
            if let Some(hash) = lib.sha512.as_deref().filter(|h| !h.is_empty()) {
                component = component.hash(hash);
            }
            out.components.push(component);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, view,
    };

    const SUB: &str = "dotnet/deps_json";

    fn read(rel: &str) -> Extracted {
        fixture(&DepsJson, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_deps_files() {
        assert!(DepsJson.matches(Path::new("bin/Release/net8.0/MyApp.deps.json")));
        assert!(!DepsJson.matches(Path::new(".deps.json")));
        assert!(!DepsJson.matches(Path::new("MyApp.runtimeconfig.json")));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/App.deps.json");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&DepsJson, SUB, "malformed/App.deps.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/App.deps.json:9: not a valid .NET deps.json: EOF while parsing an object"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/App.deps.json");
        assert_eq!(
            brief(&x),
            ["Humanizer.Core@2.14.1 one-package/App.deps.json:33"]
        );
        let c = one(&x, "Humanizer.Core", "2.14.1");
        assert_eq!(c.purl, "pkg:nuget/Humanizer.Core@2.14.1");
        assert_eq!(c.direct, Some(true));
        assert!(c.hashes[0].starts_with("sha512-lQKvtaTDOXnoVJ20ibTuSIOf2i0uO0MPbDhd1jm238I+U/2ZnRENj0cktKZhtchBMtCUSRQ5v4xBCUbKNmyVMw"));
    }

    #[test]
    fn web_app() {
        let x = read("web-app/WebApp.deps.json");
        assert!(x.diagnostics.is_empty());
        let c = one(&x, "Serilog.AspNetCore", "8.0.1");
        assert_eq!((c.direct, line(c)), (Some(true), Some(72)));
        assert_eq!(c.dependencies, ["Serilog", "Serilog.Sinks.Console"]);
        let c = one(&x, "Serilog", "3.1.1");
        assert_eq!(c.direct, Some(false));
        // A package the library project asks for is direct too.
        assert_eq!(one(&x, "Newtonsoft.Json", "13.0.3").direct, Some(true));
        insta::assert_json_snapshot!("deps_json_web_app", view(&x));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&DepsJson, SUB, "web-app/WebApp.deps.json");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("dotnet/depsjson/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&DepsJson, &dir, f);
        let x = run("valid").unwrap();
        assert_eq!(
            brief(&x),
            [
                "AWSSDK.Core@3.7.10.6 valid:50",
                "Microsoft.Extensions.DependencyInjection@6.0.0 valid:57",
            ]
        );
        let c = one(&x, "Microsoft.Extensions.DependencyInjection", "6.0.0");
        assert_eq!(c.direct, Some(true));
        assert_eq!(
            c.dependencies,
            [
                "Microsoft.Extensions.DependencyInjection.Abstractions",
                "System.Runtime.CompilerServices.Unsafe"
            ]
        );
        let x = run("nopackagename").unwrap();
        assert_eq!(brief(&x), ["AWSSDK.Core@3.7.10.6 nopackagename:50"]);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "nopackagename:57: library `Microsoft.Extensions.DependencyInjection` is not `Name/Version`; skipped"
        );
        assert!(run("empty").unwrap().components.is_empty());
        let err = run("invalid").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid", Some(1)));
    }
}
