//! `pom.xml`: the project model of Maven.
//!
//! ## Detects
//! Files named `pom.xml`: the project's `<dependencies>` and its
//! `<dependencyManagement>` dependencies, with `groupId`, `artifactId`,
//! `version`, `scope` and `optional`. Property references (`${name}`) are
//! replaced from the POM's `<properties>`, from `${project.version}`,
//! `${project.groupId}`, `${project.artifactId}` and
//! `${project.parent.*}`, and from the properties of parent POMs found on
//! disk (`<parent><relativePath>`, by default `../pom.xml`; up to 8 levels,
//! each read once). Versions a dependency leaves out are taken from the
//! `<dependencyManagement>` of the POM and of its parents on disk.
//!
//! ## Ecosystem
//! Maven. Each dependency with a version is a component named
//! `groupId:artifactId`, at its version after property replacement,
//! located at the line of its `<dependency>` element. For `<dependencies>`,
//! `direct` is true; `dev` is true for `<scope>test</scope>`, false
//! otherwise; `optional` is true for `<optional>true</optional>` and for
//! `<scope>provided</scope>` (supplied by the runtime, not shipped). A
//! `<dependencyManagement>` entry that no `<dependencies>` entry of the
//! same POM uses is a component too (it pins that package wherever the
//! build pulls it in), with `direct` unknown. A dependency whose version
//! cannot be known (no version anywhere, a property that is not defined,
//! a version range such as `[1.0,2.0)`) is a "not checked" entry with the
//! reason: a version is never guessed.
//!
//! ## Limitations
//! - Parent POMs that are not on disk (published ones such as
//!   `spring-boot-starter-parent`) and imported BOMs (`<scope>import</scope>`)
//!   are not fetched: versions they manage are "not checked". Imported BOMs
//!   themselves are not components.
//! - A parent found on disk whose `groupId:artifactId` differ from the
//!   `<parent>` element is not used (Maven would fetch the real one), with
//!   a warning.
//! - Dependencies of `<profiles>`, of plugins and of the parent POMs are
//!   not components of this file (a parent POM on disk is read as its own
//!   file); transitive dependencies are not resolved.
//! - System properties, `settings.xml` and `${env.*}` are not known.
//!
//! ## References
//! - <https://maven.apache.org/pom.html>
//! - <https://maven.apache.org/guides/introduction/introduction-to-dependency-mechanism.html>
//! - <https://maven.apache.org/guides/introduction/introduction-to-the-pom.html#project-inheritance>
//! - <https://maven.apache.org/ref/current/maven-model-builder/> (model
//!   interpolation)

use std::collections::{HashMap, HashSet};
use std::path::Path;

use roxmltree::Node;
use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::extractors::dotnet::packages_config::xml_message;
use crate::extractors::LineIndex;
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `pom.xml`.
#[derive(Debug, Clone, Copy)]
pub struct Pom;

/// Parent POMs read at most, up the chain.
const MAX_PARENTS: usize = 8;
/// How deeply property values may refer to other properties.
const MAX_INTERPOLATION_DEPTH: usize = 16;

/// One `<dependency>` as written.
#[derive(Clone)]
struct Dep {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    scope: Option<String>,
    optional: bool,
    kind: Option<String>,
    line: u32,
}

/// What a POM says that matters here.
#[derive(Default)]
struct Model {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: Vec<(String, String)>,
    dependencies: Vec<Dep>,
    managed: Vec<Dep>,
}

#[derive(Clone)]
struct ParentRef {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    relative_path: Option<String>,
}

impl Extractor for Pom {
    fn name(&self) -> &'static str {
        "java/pom"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "pom.xml"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let model = parse_model(input.contents)
            .map_err(|(line, msg)| input.malformed(line, format!("not a valid pom.xml: {msg}")))?;
        let mut out = Extracted::default();
        let parents = read_parents(input, &model, &mut out);

        // Properties: the farthest parent first, each nearer POM overriding.
        let mut props: HashMap<String, String> = HashMap::new();
        for p in parents.iter().rev().chain(std::iter::once(&model)) {
            for (k, v) in &p.properties {
                props.insert(k.clone(), v.clone());
            }
        }
        let parent_ref = model.parent.clone();
        let builtins = [
            (
                "groupId",
                model
                    .group
                    .clone()
                    .or_else(|| parent_ref.as_ref().and_then(|p| p.group.clone())),
            ),
            ("artifactId", model.artifact.clone()),
            (
                "version",
                model
                    .version
                    .clone()
                    .or_else(|| parent_ref.as_ref().and_then(|p| p.version.clone())),
            ),
            (
                "parent.groupId",
                parent_ref.as_ref().and_then(|p| p.group.clone()),
            ),
            (
                "parent.artifactId",
                parent_ref.as_ref().and_then(|p| p.artifact.clone()),
            ),
            (
                "parent.version",
                parent_ref.as_ref().and_then(|p| p.version.clone()),
            ),
        ];
        for (key, value) in builtins {
            if let Some(v) = value {
                props.insert(format!("project.{key}"), v.clone());
                props.insert(format!("pom.{key}"), v);
            }
        }

        // Managed versions: nearer POMs win.
        let mut managed: HashMap<String, String> = HashMap::new();
        for p in std::iter::once(&model).chain(parents.iter()) {
            for d in &p.managed {
                if let (Ok(key), Some(v)) = (dep_key(d, &props), &d.version) {
                    managed.entry(key).or_insert_with(|| v.clone());
                }
            }
        }

        let mut used: HashSet<String> = HashSet::new();
        for dep in &model.dependencies {
            if let Ok(key) = dep_key(dep, &props) {
                used.insert(key);
            }
            let version = dep.version.clone().or_else(|| {
                dep_key(dep, &props)
                    .ok()
                    .and_then(|k| managed.get(&k).cloned())
            });
            let dev = dep.scope.as_deref() == Some("test");
            let optional = dep.optional || dep.scope.as_deref() == Some("provided");
            emit(
                input,
                dep,
                version,
                &props,
                Some(true),
                dev,
                optional,
                &mut out,
            );
        }
        for dep in &model.managed {
            if dep.scope.as_deref() == Some("import") {
                continue;
            }
            if dep_key(dep, &props).is_ok_and(|k| used.contains(&k)) {
                continue;
            }
            let dev = dep.scope.as_deref() == Some("test");
            let optional = dep.optional || dep.scope.as_deref() == Some("provided");
            emit(
                input,
                dep,
                dep.version.clone(),
                &props,
                None,
                dev,
                optional,
                &mut out,
            );
        }
        Ok(out)
    }
}

/// `group:artifact:type` after property replacement (the type defaults to
/// `jar`): what dependency management matches on.
fn dep_key(dep: &Dep, props: &HashMap<String, String>) -> Result<String, String> {
    let group = interpolate(dep.group.as_deref().unwrap_or(""), props)?;
    let artifact = interpolate(dep.artifact.as_deref().unwrap_or(""), props)?;
    let kind = dep.kind.as_deref().unwrap_or("jar");
    Ok(format!("{group}:{artifact}:{kind}"))
}

#[allow(clippy::too_many_arguments)]
fn emit(
    input: &FileInput<'_>,
    dep: &Dep,
    version: Option<String>,
    props: &HashMap<String, String>,
    direct: Option<bool>,
    dev: bool,
    optional: bool,
    out: &mut Extracted,
) {
    let line = Some(dep.line);
    let raw_name = format!(
        "{}:{}",
        dep.group.as_deref().unwrap_or(""),
        dep.artifact.as_deref().unwrap_or("")
    );
    let not_checked = |out: &mut Extracted, name: String, version: String, reason: String| {
        out.not_checked.push(NotChecked {
            ecosystem: Ecosystem::Maven,
            name,
            version,
            location: Location::new(input.rel_path, line),
            reason,
        });
    };
    let (Some(group), Some(artifact)) = (&dep.group, &dep.artifact) else {
        out.diagnostics.push(Diagnostic::warning(
            input.rel_path,
            line,
            "a <dependency> without a groupId or an artifactId; skipped",
        ));
        return;
    };
    let name = match (interpolate(group, props), interpolate(artifact, props)) {
        (Ok(g), Ok(a)) => format!("{g}:{a}"),
        (Err(p), _) | (_, Err(p)) => {
            let reason = format!("its name uses the property `{p}`, which is not defined here or in a parent POM on disk");
            not_checked(out, raw_name, version.unwrap_or_default(), reason);
            return;
        }
    };
    let Some(raw_version) = version else {
        not_checked(
            out,
            name,
            String::new(),
            "no version: it is neither given nor managed by this POM or a parent POM on disk"
                .to_string(),
        );
        return;
    };
    let version = match interpolate(&raw_version, props) {
        Ok(v) => v,
        Err(p) => {
            let reason = format!("its version uses the property `{p}`, which is not defined here or in a parent POM on disk");
            not_checked(out, name, raw_version, reason);
            return;
        }
    };
    if version.is_empty() {
        not_checked(out, name, version, "its version is empty".to_string());
        return;
    }
    if version.starts_with('[') || version.starts_with('(') || version.contains(',') {
        not_checked(
            out,
            name,
            version,
            "its version is a range; the version Maven picks depends on the repository".to_string(),
        );
        return;
    }
    out.components.push(
        Component::new(Ecosystem::Maven, name, version)
            .at(input.rel_path, line)
            .direct(direct)
            .dev(Some(dev))
            .optional(Some(optional)),
    );
}

/// Replaces every `${name}` in `text`; the error is the first name that is
/// not defined (or that refers to itself, or nests too deeply).
fn interpolate(text: &str, props: &HashMap<String, String>) -> Result<String, String> {
    interpolate_at(text, props, 0)
}

fn interpolate_at(
    text: &str,
    props: &HashMap<String, String>,
    depth: usize,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or(""));
            return Ok(out);
        };
        let name = after.get(..end).unwrap_or("").trim();
        let value = props.get(name).ok_or_else(|| name.to_string())?;
        if depth >= MAX_INTERPOLATION_DEPTH {
            return Err(name.to_string());
        }
        out.push_str(&interpolate_at(value, props, depth + 1)?);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out.trim().to_string())
}

/// The parent POMs found on disk, nearest first.
fn read_parents(input: &FileInput<'_>, model: &Model, out: &mut Extracted) -> Vec<Model> {
    let mut parents = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([input.rel_path.to_string()]);
    // The directory of the POM being looked at, relative to the input's.
    let mut base = String::new();
    let mut wanted = model.parent.clone();
    while let Some(parent) = wanted.take() {
        if parents.len() >= MAX_PARENTS {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("more than {MAX_PARENTS} parent POMs; the rest are not read"),
            ));
            break;
        }
        let mut rel = parent
            .relative_path
            .clone()
            .unwrap_or_else(|| "../pom.xml".to_string());
        if rel.trim().is_empty() {
            // `<relativePath/>`: look the parent up in repositories only.
            break;
        }
        if !rel.ends_with(".xml") {
            rel = format!("{}/pom.xml", rel.trim_end_matches('/'));
        }
        let target = format!("{base}{rel}");
        let (shown, text) = match input.read_related(&target) {
            Ok(found) => found,
            Err(_) => break,
        };
        if !seen.insert(shown.clone()) {
            break;
        }
        let parsed = match parse_model(&text) {
            Ok(m) => m,
            Err((line, msg)) => {
                out.diagnostics.push(Diagnostic::warning(
                    shown,
                    line,
                    format!("the parent POM is not valid, so it is not used: {msg}"),
                ));
                break;
            }
        };
        let group = parsed
            .group
            .clone()
            .or_else(|| parsed.parent.as_ref().and_then(|p| p.group.clone()));
        if group != parent.group || parsed.artifact != parent.artifact {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!(
                    "{shown} is not the parent {}:{} that the POM names, so it is not used",
                    parent.group.as_deref().unwrap_or(""),
                    parent.artifact.as_deref().unwrap_or("")
                ),
            ));
            break;
        }
        base = match target.rfind('/') {
            Some(i) => target.get(..=i).unwrap_or("").to_string(),
            None => String::new(),
        };
        wanted = parsed.parent.clone();
        parents.push(parsed);
    }
    parents
}

/// The first child element with this local name.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The trimmed text of the first child element with this name.
fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|n| n.text().unwrap_or("").trim().to_string())
}

fn parse_model(text: &str) -> Result<Model, (Option<u32>, String)> {
    let doc = roxmltree::Document::parse(text).map_err(|e| (Some(e.pos().row), xml_message(&e)))?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        let line = LineIndex::new(text).line(project.range().start);
        return Err((
            Some(line),
            format!(
                "the root element is <{}>, not <project>",
                project.tag_name().name()
            ),
        ));
    }
    let lines = LineIndex::new(text);
    let deps_of = |list: Option<Node<'_, '_>>| -> Vec<Dep> {
        list.into_iter()
            .flat_map(|l| l.children())
            .filter(|n| n.is_element() && n.tag_name().name() == "dependency")
            .map(|d| Dep {
                group: child_text(d, "groupId"),
                artifact: child_text(d, "artifactId"),
                version: child_text(d, "version").filter(|v| !v.is_empty()),
                scope: child_text(d, "scope"),
                optional: child_text(d, "optional").is_some_and(|o| o == "true"),
                kind: child_text(d, "type").filter(|t| !t.is_empty()),
                line: lines.line(d.range().start),
            })
            .collect()
    };
    let parent = child(project, "parent").map(|p| ParentRef {
        group: child_text(p, "groupId"),
        artifact: child_text(p, "artifactId"),
        version: child_text(p, "version"),
        relative_path: child_text(p, "relativePath"),
    });
    let properties = child(project, "properties")
        .into_iter()
        .flat_map(|p| p.children())
        .filter(|n| n.is_element())
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.text().unwrap_or("").trim().to_string(),
            )
        })
        .collect();
    Ok(Model {
        group: child_text(project, "groupId"),
        artifact: child_text(project, "artifactId"),
        version: child_text(project, "version"),
        parent,
        properties,
        dependencies: deps_of(child(project, "dependencies")),
        managed: deps_of(
            child(project, "dependencyManagement").and_then(|m| child(m, "dependencies")),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, flags_brief as flags, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "java/pom";

    fn read(rel: &str) -> Extracted {
        fixture(&Pom, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_pom_name() {
        assert!(Pom.matches(Path::new("module/pom.xml")));
        assert!(!Pom.matches(Path::new("pom.properties")));
        assert!(!Pom.matches(Path::new("build.xml")));
    }

    #[test]
    fn empty_pom() {
        let x = read("empty/pom.xml");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        let err = fixture(&Pom, SUB, "malformed/pom.xml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed/pom.xml:11: not a valid pom.xml: expected 'artifactId' tag, not 'dependency'"
        );
        let input = FileInput::new(
            "pom.xml",
            Path::new("pom.xml"),
            "<settings/>",
            Path::new("/"),
        );
        let err = Pom.extract(&input).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pom.xml:1: not a valid pom.xml: the root element is <settings>, not <project>"
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/pom.xml");
        assert_eq!(
            brief(&x),
            ["org.slf4j:slf4j-api@2.0.12 one-package/pom.xml:12"]
        );
        let c = one(&x, "org.slf4j:slf4j-api", "2.0.12");
        assert_eq!(c.purl, "pkg:maven/org.slf4j/slf4j-api@2.0.12");
        assert_eq!(
            flags(&x),
            ["org.slf4j:slf4j-api@2.0.12 direct=yes dev=no optional=no"]
        );
    }

    #[test]
    fn module_with_parent_on_disk() {
        let x = read("multi-module/app/pom.xml");
        assert_eq!(
            flags(&x),
            [
                "com.example:shared-model@1.4.0 direct=yes dev=no optional=no",
                "com.fasterxml.jackson.core:jackson-databind@2.16.1 direct=yes dev=no optional=no",
                "jakarta.servlet:jakarta.servlet-api@6.0.0 direct=yes dev=no optional=yes",
                "org.junit.jupiter:junit-jupiter@5.10.2 direct=yes dev=yes optional=no",
                "org.postgresql:postgresql@42.7.2 direct=? dev=no optional=no",
                "org.projectlombok:lombok@1.18.30 direct=yes dev=no optional=yes",
                "org.slf4j:slf4j-api@2.0.12 direct=yes dev=no optional=no",
            ]
        );
        assert_eq!(line(one(&x, "org.slf4j:slf4j-api", "2.0.12")), Some(26));
        assert_eq!(
            unchecked_brief(&x),
            [
                "com.google.guava:guava@ :55 no version: it is neither given nor managed by this POM or a parent POM on disk",
                "org.apache.commons:commons-lang3@${commons.version} :50 its version uses the property `commons.version`, which is not defined here or in a parent POM on disk",
                "org.eclipse.jetty:jetty-server@[11.0,12.0) :45 its version is a range; the version Maven picks depends on the repository",
            ]
        );
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        insta::assert_json_snapshot!("pom_multi_module", view(&x));
    }

    #[test]
    fn parent_itself() {
        let x = read("multi-module/pom.xml");
        // Managed entries are components of the POM that manages them.
        assert_eq!(
            flags(&x),
            [
                "com.fasterxml.jackson.core:jackson-databind@2.16.1 direct=? dev=no optional=no",
                "org.junit.jupiter:junit-jupiter@5.10.2 direct=? dev=yes optional=no",
                "org.slf4j:slf4j-api@2.0.12 direct=yes dev=no optional=no",
            ]
        );
    }

    #[test]
    fn parent_cycles_end() {
        let x = read("cycle/a/pom.xml");
        assert_eq!(brief(&x), ["org.example:lib@3.2.1 cycle/a/pom.xml:14"]);
    }

    #[test]
    fn a_parent_with_other_coordinates_is_not_used() {
        let x = read("bad-parent/child/pom.xml");
        assert!(x.components.is_empty());
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(
            x.diagnostics[0].to_string(),
            "bad-parent/child/pom.xml: bad-parent/pom.xml is not the parent com.example:real-parent that the POM names, so it is not used"
        );
    }

    #[test]
    fn interpolation_is_bounded() {
        let props: HashMap<String, String> =
            [("a", "${b}"), ("b", "${a}"), ("c", "x${d}y"), ("d", "1")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(interpolate("${c}", &props), Ok("x1y".to_string()));
        assert!(interpolate("${a}", &props).is_err());
        assert_eq!(interpolate("${nope}", &props), Err("nope".to_string()));
        assert_eq!(interpolate("1.0-${", &props), Ok("1.0-${".to_string()));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&Pom, SUB, "multi-module/app/pom.xml");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("java/pomxml/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&Pom, &dir, f);
        assert!(run("empty.xml").unwrap().components.is_empty());
        let x = run("one-package.xml").unwrap();
        assert_eq!(
            brief(&x),
            ["org.apache.maven:maven-artifact@1.0.0 one-package.xml:7"]
        );
        assert_eq!(run("two-packages.xml").unwrap().components.len(), 2);
        let x = run("encoding.xml").unwrap();
        assert_eq!(brief(&x), ["junit:junit@4.12 encoding.xml:16"]);

        let x = run("interpolation.xml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "org.mine:my.package@2.3.4 interpolation.xml:24",
                "org.mine:mypackage@1.0.0 interpolation.xml:18",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["org.mine:ranged-package@[9.4.35.v20201120,9.5) :30 its version is a range; the version Maven picks depends on the repository"]
        );

        // Two dependencies whose artifactIds are properties: each at its own line.
        let x = run("ambiguous-interpolation.xml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.example:common-lib@1.0.0 ambiguous-interpolation.xml:13",
                "com.example:common-lib@1.0.0 ambiguous-interpolation.xml:8",
            ]
        );
        let x = run("with-scope.xml").unwrap();
        assert_eq!(one(&x, "junit:junit", "4.12").dev, Some(true));
        assert_eq!(one(&x, "abc:xyz", "1.2.3").dev, Some(false));

        // An explicit version beats the managed one; unused managed entries count.
        let x = run("with-dependency-management.xml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.google.code.findbugs:jsr305@3.0.2 with-dependency-management.xml:26",
                "io.netty:netty-all@4.1.9 with-dependency-management.xml:7",
                "org.slf4j:slf4j-log4j12@1.7.25 with-dependency-management.xml:12",
            ]
        );

        // Plugin dependencies are not the project's.
        let x = run("plugin-dependency.xml").unwrap();
        assert_eq!(
            brief(&x),
            ["com.example:hijack-lib@1.0.0 plugin-dependency.xml:27"]
        );

        // The parent in ./parent/pom.xml manages nothing for chuck... but
        // this POM does; frank has no version anywhere.
        let x = run("with-parent.xml").unwrap();
        assert_eq!(
            brief(&x),
            [
                "org.alice:alice@1.0.0 with-parent.xml:18",
                "org.bob:bob@2.0.0 with-parent.xml:23",
                "org.chuck:chuck@3.0.0 with-parent.xml:28",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["org.frank:frank@ :32 no version: it is neither given nor managed by this POM or a parent POM on disk"]
        );

        let x = run("interpolate-drop.xml").unwrap();
        assert_eq!(
            brief(&x),
            ["com.example:actual-artifact@1.0.0 interpolate-drop.xml:11"]
        );
        assert_eq!(x.diagnostics.len(), 1);

        assert_eq!(run("multi-version.xml").unwrap().components.len(), 2);
        assert_eq!(
            run("with-multiple-classifiers.xml")
                .unwrap()
                .components
                .len(),
            2
        );
        assert_eq!(run("explicit-jar.xml").unwrap().components.len(), 3);
        assert_eq!(run("transitive.xml").unwrap().components.len(), 4);
        // Profiles are not read.
        assert!(run("profiles.xml").unwrap().components.is_empty());

        for bad in ["not-pom.txt", "invalid-syntax.xml"] {
            let err = run(bad).unwrap_err();
            assert_eq!(err.path(), bad);
            assert!(err.line().is_some(), "{err}");
        }
    }
}
