//! `node_modules/<name>/package.json`: an installed npm package.
//!
//! ## Detects
//! Files named `package.json` directly in a package folder of a
//! `node_modules` folder: `node_modules/<name>/package.json` and
//! `node_modules/@scope/<name>/package.json`, at any depth
//! (`node_modules/a/node_modules/b/package.json`, pnpm's
//! `node_modules/.pnpm/b@1.0.0/node_modules/b/package.json`). The project's
//! own `package.json`, and `package.json` files deeper inside a package
//! (`node_modules/a/lib/package.json`), are not read.
//!
//! ## Ecosystem
//! npm. The file describes one installed package: its `name` (the folder
//! name when the file gives none: an alias is installed under the alias
//! but names the real package) and `version` as written, located at the
//! line of `name`. The declared license is `license` (an SPDX expression,
//! or the legacy `{"type": ...}` object), or the legacy `licenses` list
//! (joined with `OR`); `SEE LICENSE IN <file>` is no license name and is
//! left out. The dependencies are the names in `dependencies` and
//! `optionalDependencies`.
//!
//! npm 6 and older record where the package came from (`_resolved`) and
//! its checksum (`_integrity`) in the installed file: the checksum is kept
//! as a hash, and a package installed from git, a local path or a URL is a
//! "not checked" entry. A package whose file gives no `version` is a "not
//! checked" entry too.
//!
//! ## Limitations
//! - `direct`, `dev` and `optional` are unknown: an installed package does
//!   not say who asked for it.
//! - Dependencies are the names asked for, not checked against what is
//!   installed.
//! - npm 7 and later do not write `_resolved` into installed files, so a
//!   package they installed from git is taken for the registry release of
//!   its name and version (the `node_modules/.package-lock.json` beside it
//!   tells; see [`hidden_lockfile`](super::hidden_lockfile)).
//! - A package found by this reader and by the hidden lockfile is the same
//!   install reported twice, at two locations; reports merge components by
//!   ecosystem, name and version.
//! - Packages linked into `node_modules` by a symlink (workspaces, pnpm's
//!   top-level links) are read only where the walk reaches them without
//!   following links: in pnpm's `.pnpm` store.
//!
//! ## References
//! - <https://docs.npmjs.com/cli/configuring-npm/package-json>
//! - <https://nodejs.org/api/modules.html#loading-from-node_modules-folders>
//! - <https://pnpm.io/symlinked-node-modules-structure>

use std::path::Path;

use serde_json::{Map, Value};
use vigil_model::{Component, Ecosystem, Location, NotChecked};

use super::classify_resolved;
use crate::extractors::json_lines::{value_lines, Seg};
use crate::extractors::json_malformed;
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `node_modules/**/package.json`.
#[derive(Debug, Clone, Copy)]
pub struct InstalledPackageJson;

impl Extractor for InstalledPackageJson {
    fn name(&self) -> &'static str {
        "npm/installed-package-json"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "package.json" && folder_name(path).is_some()
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        if input.contents.trim().is_empty() {
            return Ok(out);
        }
        let doc: Map<String, Value> = serde_json::from_str(input.contents)
            .map_err(|e| json_malformed(input, "package.json", 1, &e))?;
        let lines = value_lines(
            input.contents,
            |p| matches!(p, [Seg::Key(k)] if k == "name" || k == "version"),
        );
        let line_of = |k: &str| lines.get(&[Seg::Key(k.to_string())][..]).copied();
        let str_of = |k: &str| {
            doc.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let folder = folder_name(Path::new(input.rel_path));
        let Some(name) = str_of("name").or(folder.as_deref()) else {
            return Err(input.malformed(
                line_of("name").or(Some(1)),
                "not a valid package.json: it gives no `name`",
            ));
        };
        let name = name.to_string();
        let line = line_of("name").or(line_of("version")).or(Some(1));
        let Some(version) = str_of("version") else {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name,
                version: String::new(),
                location: Location::new(input.rel_path, line),
                reason: "its package.json gives no version".to_string(),
            });
            return Ok(out);
        };
        if let Some(reason) = str_of("_resolved").and_then(|r| classify_resolved(r).reason()) {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Npm,
                name,
                version: version.to_string(),
                location: Location::new(input.rel_path, line),
                reason: reason.to_string(),
            });
            return Ok(out);
        }
        let mut deps: Vec<&String> = ["dependencies", "optionalDependencies"]
            .iter()
            .filter_map(|k| doc.get(*k).and_then(Value::as_object))
            .flat_map(Map::keys)
            .collect();
        deps.sort();
        deps.dedup();
        let mut c = Component::new(Ecosystem::Npm, name, version)
            .at(input.rel_path, line)
            .depends_on(deps)
            .license(license(doc.get("license"), doc.get("licenses")));
        if let Some(integrity) = str_of("_integrity") {
            c = c.hash(integrity);
        }
        out.components.push(c);
        Ok(out)
    }
}

/// The package folder name of `.../node_modules/<name>/package.json` or
/// `.../node_modules/@scope/<name>/package.json`; `None` for any other
/// path.
fn folder_name(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let name = dir.file_name()?.to_str()?;
    if name.is_empty() || name.starts_with(['.', '@']) {
        return None;
    }
    let up = dir.parent()?;
    let above = up.file_name()?.to_str()?;
    if above == "node_modules" {
        return Some(name.to_string());
    }
    let scope_ok = above.len() > 1 && above.starts_with('@');
    let in_modules = up.parent()?.file_name()?.to_str()? == "node_modules";
    (scope_ok && in_modules).then(|| format!("{above}/{name}"))
}

/// The declared license: `license` as a string or a legacy `{"type"}`
/// object, else the legacy `licenses` list joined with `OR`.
fn license(license: Option<&Value>, licenses: Option<&Value>) -> Option<String> {
    let name_of = |v: &Value| -> Option<String> {
        let s = match v {
            Value::String(s) => s.as_str(),
            Value::Object(o) => o.get("type").and_then(Value::as_str)?,
            _ => return None,
        };
        let s = s.trim();
        let useless = s.is_empty() || s.to_ascii_uppercase().starts_with("SEE LICENSE IN");
        (!useless).then(|| s.to_string())
    };
    if let Some(one) = license.and_then(name_of) {
        return vigil_model::license::normalize(&one);
    }
    let names: Vec<String> = match licenses? {
        Value::Array(items) => items.iter().filter_map(name_of).collect(),
        other => name_of(other).into_iter().collect(),
    };
    vigil_model::license::combine(
        names.iter().map(String::as_str),
        vigil_model::license::Choice::AnyOf,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, unchecked_brief, view,
    };

    const SUB: &str = "npm/installed_package_json";

    fn read(rel: &str) -> Extracted {
        fixture(&InstalledPackageJson, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_package_folders_in_node_modules() {
        let m = |p: &str| InstalledPackageJson.matches(Path::new(p));
        assert!(m("node_modules/express/package.json"));
        assert!(m("web/node_modules/@babel/core/package.json"));
        assert!(m("node_modules/a/node_modules/b/package.json"));
        assert!(m(
            "node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json"
        ));
        assert!(!m("package.json"));
        assert!(!m("web/package.json"));
        assert!(!m("node_modules/package.json"));
        assert!(!m("node_modules/express/lib/package.json"));
        assert!(!m("node_modules/@babel/package.json"));
        assert!(!m("node_modules/@/x/package.json"));
        assert!(!m("node_modules/.cache/package.json"));
        assert!(!m("node_modules/.cache/x/package.json"));
        assert!(!m("node_modules/express/package-lock.json"));
    }

    #[test]
    fn empty_file() {
        let x = read("empty/node_modules/empty/package.json");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_json_names_file_and_line() {
        let rel = "malformed/node_modules/broken/package.json";
        let err = fixture(&InstalledPackageJson, SUB, rel).unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{rel}:4: not a valid package.json: expected `,` or `}}`")
        );
    }

    #[test]
    fn one_package() {
        let rel = "one-package/node_modules/ms/package.json";
        let x = read(rel);
        assert_eq!(brief(&x), [format!("ms@2.1.3 {rel}:2")]);
        let c = one(&x, "ms", "2.1.3");
        assert_eq!(c.purl, "pkg:npm/ms@2.1.3");
        assert_eq!((c.direct, c.dev, c.optional), (None, None, None));
        assert_eq!(c.license.as_deref(), Some("MIT"));
        assert!(c.dependencies.is_empty() && c.hashes.is_empty());
    }

    #[test]
    fn realistic_tree() {
        let root = "realistic/node_modules";
        let all = [
            "@types/node/package.json",
            "debug/package.json",
            "express/package.json",
            "express/node_modules/debug/package.json",
            "my-alias/package.json",
            "some-fork/package.json",
        ];
        let mut x = Extracted::default();
        for rel in all {
            let got = read(&format!("{root}/{rel}"));
            x.components.extend(got.components);
            x.not_checked.extend(got.not_checked);
            x.diagnostics.extend(got.diagnostics);
        }
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        assert_eq!(
            brief(&x),
            [
                format!("@types/node@20.11.5 {root}/@types/node/package.json:2"),
                format!("debug@2.6.9 {root}/express/node_modules/debug/package.json:11"),
                format!("debug@4.3.4 {root}/debug/package.json:2"),
                format!("express@4.18.2 {root}/express/package.json:2"),
                // The alias folder holds the real package.
                format!("lodash@4.17.21 {root}/my-alias/package.json:3"),
            ]
        );
        let express = one(&x, "express", "4.18.2");
        assert_eq!(express.dependencies, ["accepts", "debug", "qs"]);
        assert_eq!(express.license.as_deref(), Some("MIT"));
        // npm 6 wrote its checksum into the installed file.
        assert_eq!(
            one(&x, "debug", "2.6.9").hashes,
            ["sha512-bC7ElrdJaJnPbAP+1EotYvqZsb3ecl5wi6Bfi6BJTUcNowp6cvspg0jXznRTKDjm/E7AdgFBVeAPVMNcKGsHMA=="]
        );
        // Legacy license shapes.
        assert_eq!(
            one(&x, "debug", "4.3.4").license.as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(one(&x, "lodash", "4.17.21").license.as_deref(), Some("MIT"));
        assert_eq!(line(one(&x, "@types/node", "20.11.5")), Some(2));
        assert_eq!(
            unchecked_brief(&x),
            ["some-fork@1.0.0 :2 installed from git, not from an npm registry release"]
        );
        insta::assert_json_snapshot!("installed_package_json_realistic", view(&x));
    }

    #[test]
    fn a_package_without_version_is_not_checked() {
        let x = read("missing-version/node_modules/@acme/tools/package.json");
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["@acme/tools@ :1 its package.json gives no version"]
        );
    }

    #[test]
    fn licenses() {
        let j = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        let l = |a: &str, b: &str| license(Some(&j(a)), Some(&j(b)));
        assert_eq!(l(r#""ISC""#, "null").as_deref(), Some("ISC"));
        assert_eq!(l(r#"{"type": "BSD"}"#, "null").as_deref(), Some("BSD"));
        assert_eq!(l(r#""SEE LICENSE IN LICENSE.md""#, "null"), None);
        assert_eq!(
            l("null", r#"[{"type": "MIT"}, "GPL-2.0-only WITH x"]"#).as_deref(),
            Some("MIT OR (GPL-2.0-only WITH x)")
        );
        assert_eq!(l("3", r#"{"type": "MIT"}"#).as_deref(), Some("MIT"));
        assert_eq!(l("null", "[]"), None);
        // Normalized to SPDX where the text reads as an expression, kept
        // as written where it does not.
        assert_eq!(l(r#""Apache 2.0""#, "null").as_deref(), Some("Apache-2.0"));
        assert_eq!(
            l(r#""(mit OR apache-2.0)""#, "null").as_deref(),
            Some("(MIT OR Apache-2.0)")
        );
        assert_eq!(
            l("null", r#"[{"type": "MIT"}, {"type": "GPLv2+"}]"#).as_deref(),
            Some("MIT OR GPL-2.0-or-later")
        );
        assert_eq!(
            l(r#""Public Domain""#, "null").as_deref(),
            Some("Public Domain")
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(
            &InstalledPackageJson,
            SUB,
            "realistic/node_modules/express/package.json",
        );
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("javascript/packagejson/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&InstalledPackageJson, &dir, f);

        let x = run("deps/accepts/package.json").unwrap();
        assert_eq!(brief(&x), ["accepts@1.3.8 deps/accepts/package.json:2"]);
        assert_eq!(x.components[0].dependencies, ["mime-types", "negotiator"]);
        // An empty name: not in a node_modules folder, so no folder name
        // to fall back on.
        let err = run("deps/acorn/package.json").unwrap_err();
        assert_eq!(
            (err.path(), err.line()),
            ("deps/acorn/package.json", Some(2))
        );

        let x = run("undici-package.json").unwrap();
        assert_eq!(brief(&x), ["undici@5.28.3 undici-package.json:2"]);
        assert_eq!(x.components[0].license.as_deref(), Some("MIT"));
        let x = run("package-with-deps.json").unwrap();
        assert_eq!(x.components[0].dependencies.len(), 7);
        let x = run("duplicate-keys.json").unwrap();
        assert_eq!(x.components[0].dependencies, ["my-dep"]);
        let x = run("not-vscode.json").unwrap();
        assert_eq!(brief(&x), ["jsonparse@1.3.1 not-vscode.json:2"]);
        assert!(x.components[0].dependencies.is_empty());

        let err = run("invalid").unwrap_err();
        assert_eq!((err.path(), err.line()), ("invalid", Some(8)));
    }
}
