//! Java archives: JARs, WARs, EARs.
//!
//! ## Detects
//! Files named `*.jar`, `*.war`, `*.ear`, Jenkins plugins `*.hpi` and
//! `*.jpi`, and Android archives `*.aar` (in any case): zip archives, read
//! as bytes. Archives nested in them (`WEB-INF/lib/*.jar` in WARs,
//! `lib/*.jar` in EARs, `BOOT-INF/lib/*.jar` in Spring Boot JARs,
//! `classes.jar` and `libs/*.jar` in AARs, any entry another binary
//! extractor claims by name) are opened in turn, within the limits of the
//! archive reader (nesting depth, entry count, total and per-entry sizes,
//! compression ratio), and located as `app.war!/WEB-INF/lib/x.jar`.
//!
//! ## Ecosystem
//! Maven. What an archive is, in this order:
//! 1. Each `META-INF/maven/<group>/<artifact>/pom.properties` is a
//!    component `groupId:artifactId` at `version` (a shaded or "uber" JAR
//!    has several: each is a component), located at the archive (no line).
//!    The path's group and artifact stand in for missing keys.
//! 2. Without any, `META-INF/MANIFEST.MF`: its `Bundle-SymbolicName` (else
//!    `Implementation-Title`, else `Specification-Title`) and its
//!    `Implementation-Version` (else `Bundle-Version`) name it, but a
//!    manifest never tells the Maven group for sure (a symbolic name such
//!    as `org.apache.commons.io` is not `commons-io:commons-io`), so it is
//!    not checked: it is reported as not checked, "group unknown", with
//!    the attributes it came from (and the `Implementation-Vendor-Id`,
//!    often the group, when there is one). A missing or placeholder name
//!    (`%pluginName`, `${...}`, words with spaces) is taken from the file
//!    name instead.
//!
//!    A JAR whose `pom.properties` are all of bundled packages (Debian's
//!    `guice.jar` holds only cglib's) is told by its manifest's version
//!    matching none of theirs (but for separators and zero parts:
//!    `31.1.0.jre` is `31.1-jre`): it is then also reported from its
//!    manifest, as above.
//! 3. Without a version in the manifest, the file name `name-1.2.3.jar`:
//!    not checked, "version only from the file name". An archive with no
//!    version anywhere is listed as not checked with an empty version.
//!
//! ## Limitations
//! - Entries other than the Maven metadata, the manifest and nested
//!   archives are not read: class files are not fingerprinted, and the
//!   `pom.xml` copies under `META-INF/maven/` are not read as projects
//!   (their dependencies are not what the archive contains).
//! - `dependencies` are empty and `direct`/`dev` unknown: an archive does
//!   not say how its parts depend on each other.
//! - `pom.properties` is read as `key=value` lines (`:` also separates,
//!   `#` and `!` start comments); Java's escapes and continuation lines are
//!   not decoded (Maven does not write them).
//! - `.jmod` files (a JDK header before the zip) are not read.
//! - An AAR's `classes.jar` is its own code: the components its Maven
//!   metadata names (rare: Android builds seldom write any) are the AAR's;
//!   without any, the AAR is reported from its file name as any JAR is (its
//!   `AndroidManifest.xml` names an Android package, not a Maven group),
//!   and `classes.jar` is not reported apart.
//!
//! ## References
//! - <https://maven.apache.org/shared/maven-archiver/>
//! - <https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html>
//! - <https://docs.osgi.org/specification/osgi.core/8.0.0/framework.module.html>

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::archive::{self, Want};
use crate::extractors::EXTRACTORS;
use crate::{ExtractError, Extracted, Extractor, FileInput, InputKind};

/// Reads Java archives.
#[derive(Debug, Clone, Copy)]
pub struct JavaArchive;

/// The extensions of Java archives.
const EXTENSIONS: &[&str] = &["jar", "war", "ear", "hpi", "jpi", "aar"];

/// The JAR of an Android archive's own classes.
const AAR_CLASSES: &str = "classes.jar";

const MANIFEST: &str = "META-INF/MANIFEST.MF";

impl Extractor for JavaArchive {
    fn name(&self) -> &'static str {
        "java/archive"
    }

    fn matches(&self, path: &Path) -> bool {
        archive::has_extension(crate::file_name(path), EXTENSIONS)
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Binary
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let mut poms: Vec<(String, Vec<u8>)> = Vec::new();
        let mut manifest: Option<Vec<u8>> = None;
        let aar = archive::has_extension(crate::file_name(Path::new(input.rel_path)), &["aar"]);
        // Components an Android archive's `classes.jar` names: its own.
        let mut classes_own = false;
        archive::read_zip(
            input,
            "Java archive",
            &mut out,
            &mut |name, _| {
                if name.eq_ignore_ascii_case(MANIFEST)
                    || pom_properties_path(name).is_some()
                    || nested_archive(name)
                {
                    Want::Read
                } else {
                    Want::Skip
                }
            },
            &mut |container, entry, out| {
                if entry.name.eq_ignore_ascii_case(MANIFEST) {
                    manifest = Some(entry.bytes);
                } else if pom_properties_path(entry.name).is_some() {
                    poms.push((entry.name.to_string(), entry.bytes));
                } else if aar && entry.name == AAR_CLASSES {
                    // The AAR's own code: what it names is the AAR; when it
                    // names nothing, the AAR is reported by its own name
                    // below, not also as a JAR called `classes`.
                    let mut inner = Extracted::default();
                    archive::extract_into(container, &entry, &mut inner);
                    classes_own |= !inner.components.is_empty();
                    out.components.extend(inner.components);
                    out.diagnostics.extend(inner.diagnostics);
                } else {
                    archive::extract_into(container, &entry, out);
                }
            },
        )?;

        let mut own = Vec::new();
        for (name, bytes) in &poms {
            if let Some(c) = from_pom_properties(input, name, bytes, &mut out) {
                if !own.contains(&c) {
                    own.push(c);
                }
            }
        }
        let attrs = manifest
            .map(|m| parse_manifest(&String::from_utf8_lossy(&m)))
            .unwrap_or_default();
        // A JAR that bundles others' metadata but not its own (Debian's
        // `guice.jar` holds cglib's `pom.properties` only) is told by its
        // manifest's version matching none of them.
        let foreign_only = manifest_version(&attrs).is_some_and(|(_, v)| {
            !own.is_empty() && !own.iter().any(|c| same_version(&c.version, v))
        });
        if (own.is_empty() && !classes_own) || foreign_only {
            out.not_checked.push(without_maven_metadata(input, &attrs));
        }
        out.components.extend(own);
        Ok(out)
    }
}

/// Whether an entry is an archive some binary extractor reads (a nested
/// JAR, a zip).
fn nested_archive(name: &str) -> bool {
    EXTRACTORS
        .iter()
        .any(|e| e.input_kind() == InputKind::Binary && e.matches(Path::new(name)))
}

/// The group and artifact of a `META-INF/maven/<group>/<artifact>/pom.properties`
/// path.
fn pom_properties_path(name: &str) -> Option<(&str, &str)> {
    let mut parts = name.split('/');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("META-INF"), Some("maven"), Some(g), Some(a), Some("pom.properties"), None) => {
            Some((g, a))
        }
        _ => None,
    }
}

/// The component a `pom.properties` names.
fn from_pom_properties(
    input: &FileInput<'_>,
    name: &str,
    bytes: &[u8],
    out: &mut Extracted,
) -> Option<Component> {
    let (path_group, path_artifact) = pom_properties_path(name)?;
    let text = String::from_utf8_lossy(bytes);
    let props = parse_properties(&text);
    let get = |key: &str| {
        props
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let group = get("groupId").unwrap_or(path_group);
    let artifact = get("artifactId").unwrap_or(path_artifact);
    let valid = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains(':');
    if !valid(group) || !valid(artifact) {
        out.diagnostics.push(Diagnostic::warning(
            format!("{}!/{name}", input.rel_path),
            None,
            "skipped: no valid groupId and artifactId",
        ));
        return None;
    }
    let coordinates = format!("{group}:{artifact}");
    match get("version") {
        Some(v) if usable_version(v) => {
            Some(Component::new(Ecosystem::Maven, coordinates, v).at(input.rel_path, None))
        }
        v => {
            out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::Maven,
                name: coordinates,
                version: v.unwrap_or_default().to_string(),
                location: Location::new(input.rel_path, None),
                reason: format!("{name} gives no usable version"),
            });
            None
        }
    }
}

/// `key=value` pairs of a Java properties file, in order.
fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let split = line
            .find(['=', ':'])
            .or_else(|| line.find(char::is_whitespace));
        let (key, value) = match split {
            Some(i) => (line.get(..i).unwrap_or(""), line.get(i + 1..).unwrap_or("")),
            None => (line, ""),
        };
        out.push((key.trim().to_string(), value.trim().to_string()));
    }
    out
}

/// What an archive without Maven metadata is: from its manifest, else from
/// its file name. Never checked: the Maven group is not known.
fn without_maven_metadata(input: &FileInput<'_>, attrs: &[(String, String)]) -> NotChecked {
    let file = crate::file_name(Path::new(input.rel_path));
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let from_file = split_file_name(stem);
    let not_checked = |name: &str, version: &str, reason: String| NotChecked {
        ecosystem: Ecosystem::Maven,
        name: name.to_string(),
        version: version.to_string(),
        location: Location::new(input.rel_path, None),
        reason,
    };
    let attr = |key: &str| manifest_attr(attrs, key);
    let version = manifest_version(attrs);
    let name = [
        "Bundle-SymbolicName",
        "Implementation-Title",
        "Specification-Title",
    ]
    .into_iter()
    .find_map(|k| {
        attr(k)
            .map(|v| v.split(';').next().unwrap_or("").trim())
            .filter(|v| usable_name(v))
            .map(|v| (k, v))
    });
    let vendor = attr("Implementation-Vendor-Id")
        .filter(|v| usable_name(v))
        .map(|v| format!("; its Implementation-Vendor-Id `{v}` may be the group"))
        .unwrap_or_default();
    let file_artifact = from_file.map_or(stem, |(n, _)| n);
    match (name, version) {
        (Some((name_key, name)), Some((version_key, version))) => not_checked(
            name,
            version,
            format!(
                "group unknown, from {MANIFEST} ({name_key}, {version_key}), \
                 no pom.properties of its own{vendor}"
            ),
        ),
        (None, Some((version_key, version))) => not_checked(
            file_artifact,
            version,
            format!(
                "group unknown, version from {MANIFEST} ({version_key}), name from the \
                 file name, no pom.properties of its own{vendor}"
            ),
        ),
        (_, None) => match from_file {
            Some((name, version)) => {
                not_checked(name, version, "version only from the file name".to_string())
            }
            None => not_checked(
                stem,
                "",
                format!("no pom.properties, and no version in {MANIFEST} or in the file name"),
            ),
        },
    }
}

/// A manifest attribute (names are case-insensitive).
fn manifest_attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// The version a manifest gives, with the attribute it came from.
fn manifest_version(attrs: &[(String, String)]) -> Option<(&'static str, &str)> {
    ["Implementation-Version", "Bundle-Version"]
        .into_iter()
        .find_map(|k| {
            manifest_attr(attrs, k)
                .filter(|v| usable_version(v))
                .map(|v| (k, v))
        })
}

/// Whether two versions are the same but for separators and zero parts
/// (`31.1-jre` and OSGi's `31.1.0.jre`, `1.2` and `1.2.0`).
fn same_version(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<String> {
        v.split(['.', '-', '_', '+'])
            .filter(|p| !p.is_empty() && p.chars().any(|c| c != '0'))
            .map(str::to_ascii_lowercase)
            .collect()
    };
    parts(a) == parts(b)
}

/// Whether a manifest value can stand for a name: not empty, one word, not
/// a build placeholder (`%pluginName`, `${name}`, `@name@`).
fn usable_name(v: &str) -> bool {
    !v.is_empty()
        && !v.contains(char::is_whitespace)
        && !v.starts_with(['%', '$', '@'])
        && !v.contains("${")
}

/// Whether a version is written out (not empty, not a placeholder).
fn usable_version(v: &str) -> bool {
    !v.is_empty() && !v.starts_with(['%', '$', '@']) && !v.contains("${")
}

/// The main attributes of a manifest, then those of its other sections
/// (so that the main section wins where both say). Continuation lines
/// (starting with one space) are joined.
fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some((_, v)) = attrs.last_mut() {
                v.push_str(rest);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            attrs.push((k.trim().to_string(), v.trim().to_string()));
        } else {
            // A blank line ends a section; anything else is not an
            // attribute (and stops a continuation).
            attrs.push((String::new(), String::new()));
        }
    }
    for (_, v) in &mut attrs {
        *v = v.trim().to_string();
    }
    attrs.retain(|(k, _)| !k.is_empty());
    attrs
}

/// `name` and `version` of a file stem written `name-version`: the version
/// starts at the last `-` followed by `digits.digits` (so that
/// `log4j-1.2-api-2.17.1` is `log4j-1.2-api` at `2.17.1`), else at the
/// first `-` followed by a digit.
fn split_file_name(stem: &str) -> Option<(&str, &str)> {
    let bytes = stem.as_bytes();
    let starts: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i - 1] == b'-' && bytes[i].is_ascii_digit())
        .collect();
    let dotted = |i: usize| {
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        bytes
            .get(i + digits..i + digits + 2)
            .is_some_and(|s| s[0] == b'.' && s[1].is_ascii_digit())
    };
    let at = starts
        .iter()
        .rev()
        .find(|&&i| dotted(i))
        .or_else(|| starts.first())
        .copied()?;
    let name = stem.get(..at - 1)?;
    let version = stem.get(at..)?;
    (!name.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::build;
    use crate::extractors::testutil::{brief, unchecked_brief, view};

    const JACKSON_POM: &[u8] = b"#Created by Apache Maven 3.8.6\nartifactId=jackson-databind\ngroupId=com.fasterxml.jackson.core\nversion=2.15.2\n";

    fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
        format!("#Generated by Maven\ngroupId={group}\nartifactId={artifact}\nversion={version}\n")
            .into_bytes()
    }

    fn jar_of(group: &str, artifact: &str, version: &str) -> Vec<u8> {
        let p = pom(group, artifact, version);
        let path = format!("META-INF/maven/{group}/{artifact}/pom.properties");
        build::zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (&path, &p),
            ("com/example/A.class", b"\xca\xfe\xba\xbe"),
        ])
    }

    fn run(rel: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        let root = Path::new(".");
        JavaArchive.extract(&FileInput::binary(rel, Path::new(rel), bytes, root))
    }

    #[test]
    fn matches_java_archives_in_any_case() {
        for name in [
            "a.jar",
            "lib/B.JAR",
            "app.war",
            "app.ear",
            "x.hpi",
            "y.Jpi",
            "libs/core-1.12.0.aar",
        ] {
            assert!(JavaArchive.matches(Path::new(name)), "{name}");
        }
        for name in ["a.zip", "jar", "a.jar.sha1", "pom.xml", ".jar"] {
            assert!(!JavaArchive.matches(Path::new(name)), "{name}");
        }
    }

    /// An Android archive as Gradle writes it: the manifest, its own code
    /// in `classes.jar` (no Maven metadata), resources, and bundled JARs.
    fn aar(classes: &[u8]) -> Vec<u8> {
        build::zip(&[
            (
                "AndroidManifest.xml",
                b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"androidx.core\">\n    <uses-sdk android:minSdkVersion=\"19\" />\n</manifest>\n",
            ),
            (AAR_CLASSES, classes),
            ("R.txt", b"int anim fragment_fast_out_extra_slow_in 0x7f010001\n"),
            ("res/values/values.xml", b"<resources/>\n"),
            ("libs/gson-2.10.1.jar", &jar_of("com.google.code.gson", "gson", "2.10.1")),
        ])
    }

    #[test]
    fn android_archives_are_java_archives() {
        let classes = build::zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (
                "androidx/core/app/ActivityCompat.class",
                b"\xca\xfe\xba\xbe",
            ),
        ]);
        let x = run("app/libs/core-1.12.0.aar", &aar(&classes)).unwrap();
        assert_eq!(
            brief(&x),
            ["com.google.code.gson:gson@2.10.1 app/libs/core-1.12.0.aar!/libs/gson-2.10.1.jar:"]
        );
        // The AAR by its file name; `classes.jar` is not reported apart.
        assert_eq!(
            unchecked_brief(&x),
            ["core@1.12.0 :0 version only from the file name"]
        );
        assert_eq!(x.not_checked[0].location.path, "app/libs/core-1.12.0.aar");
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);

        // Maven metadata in `classes.jar` names the AAR.
        let classes = jar_of("com.example.android", "widgets", "3.1.0");
        let x = run("widgets.aar", &aar(&classes)).unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.example.android:widgets@3.1.0 widgets.aar!/classes.jar:",
                "com.google.code.gson:gson@2.10.1 widgets.aar!/libs/gson-2.10.1.jar:",
            ]
        );
        assert!(x.not_checked.is_empty(), "{:?}", x.not_checked);
        // A damaged AAR is an error naming it.
        let err = run("broken.aar", b"PK\x03\x04 not really").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("broken.aar: not a valid Java archive"),
            "{err}"
        );
    }

    #[test]
    fn plain_jar_with_pom_properties() {
        let jar = build::zip(&[
            ("META-INF/", b""),
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nImplementation-Title: jackson-databind\n",
            ),
            (
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
                JACKSON_POM,
            ),
            (
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.xml",
                b"<project/>",
            ),
        ]);
        let x = run("lib/jackson-databind-2.15.2.jar", &jar).unwrap();
        assert_eq!(
            brief(&x),
            ["com.fasterxml.jackson.core:jackson-databind@2.15.2 lib/jackson-databind-2.15.2.jar:"]
        );
        assert_eq!(
            x.components[0].purl,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2"
        );
        assert!(
            x.not_checked.is_empty() && x.diagnostics.is_empty(),
            "{x:?}"
        );
    }

    #[test]
    fn shaded_jar_gives_each_pom_properties() {
        let guava = pom("com.google.guava", "guava", "32.1.2-jre");
        let failure = pom("com.google.guava", "failureaccess", "1.0.1");
        // Keys missing from a pom.properties come from its path.
        let partial = b"version=2.10.1\n".to_vec();
        let jar = build::zip(&[
            (
                "META-INF/maven/com.example/app/pom.properties",
                &pom("com.example", "app", "1.0.0"),
            ),
            (
                "META-INF/maven/com.google.guava/guava/pom.properties",
                &guava,
            ),
            (
                "META-INF/maven/com.google.guava/failureaccess/pom.properties",
                &failure,
            ),
            (
                "META-INF/maven/com.google.code.gson/gson/pom.properties",
                &partial,
            ),
            // Not Maven metadata: other depths are ignored.
            (
                "BOOT-INF/classes/META-INF/maven/x/y/pom.properties",
                &pom("x", "y", "9"),
            ),
        ]);
        let x = run("app-1.0.0-all.jar", &jar).unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.example:app@1.0.0 app-1.0.0-all.jar:",
                "com.google.code.gson:gson@2.10.1 app-1.0.0-all.jar:",
                "com.google.guava:failureaccess@1.0.1 app-1.0.0-all.jar:",
                "com.google.guava:guava@32.1.2-jre app-1.0.0-all.jar:",
            ]
        );
    }

    #[test]
    fn manifest_only_jar_is_not_checked_group_unknown() {
        let manifest = b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.commons.io;singleton:=true\r\nImplementation-Title: Apache Commons IO\r\nImplementation-Version: 2.11.0\r\nImplementation-Vendor-Id: commons-io\r\nBundle-Description: The Apache Commons IO library contains utility cla\r\n sses and more\r\n";
        let jar = build::zip(&[("META-INF/MANIFEST.MF", manifest)]);
        let x = run("commons-io.jar", &jar).unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["org.apache.commons.io@2.11.0 :0 group unknown, from META-INF/MANIFEST.MF (Bundle-SymbolicName, Implementation-Version), no pom.properties of its own; its Implementation-Vendor-Id `commons-io` may be the group"]
        );
        assert_eq!(x.not_checked[0].location.path, "commons-io.jar");
        assert_eq!(x.not_checked[0].location.line, None);
    }

    #[test]
    fn jar_with_only_bundled_metadata_is_also_named_by_its_manifest() {
        let manifest = b"Manifest-Version: 1.0\nBundle-SymbolicName: com.google.inject\nBundle-Version: 4.2.3\n";
        let jar = build::zip(&[
            ("META-INF/MANIFEST.MF", manifest),
            (
                "META-INF/maven/cglib/cglib/pom.properties",
                &pom("cglib", "cglib", "3.2.12"),
            ),
        ]);
        let x = run("guice.jar", &jar).unwrap();
        assert_eq!(brief(&x), ["cglib:cglib@3.2.12 guice.jar:"]);
        assert_eq!(
            unchecked_brief(&x),
            ["com.google.inject@4.2.3 :0 group unknown, from META-INF/MANIFEST.MF (Bundle-SymbolicName, Bundle-Version), no pom.properties of its own"]
        );
        // An OSGi spelling of the same version is the same JAR.
        let manifest = b"Manifest-Version: 1.0\nBundle-Version: 31.1.0.jre\n";
        let jar = build::zip(&[
            ("META-INF/MANIFEST.MF", manifest),
            (
                "META-INF/maven/com.google.guava/guava/pom.properties",
                &pom("com.google.guava", "guava", "31.1-jre"),
            ),
        ]);
        let x = run("guava.jar", &jar).unwrap();
        assert_eq!(brief(&x), ["com.google.guava:guava@31.1-jre guava.jar:"]);
        assert!(x.not_checked.is_empty(), "{:?}", x.not_checked);
        assert!(
            same_version("1.2", "1.2.0")
                && same_version("2.0", "2")
                && !same_version("4.2.3", "3.2.12")
        );
    }

    #[test]
    fn name_only_jar_is_not_checked() {
        let jar = build::zip(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nCreated-By: 17 (Debian)\n",
        )]);
        let x = run("vendor/log4j-1.2-api-2.17.1.JAR", &jar).unwrap();
        assert_eq!(
            unchecked_brief(&x),
            ["log4j-1.2-api@2.17.1 :0 version only from the file name"]
        );
        let x = run("gettext.jar", &build::zip(&[("a.class", b"x")])).unwrap();
        assert_eq!(
            unchecked_brief(&x),
            ["gettext@ :0 no pom.properties, and no version in META-INF/MANIFEST.MF or in the file name"]
        );
    }

    #[test]
    fn file_names_split_at_the_version() {
        let cases = [
            ("commons-lang3-3.12.0", Some(("commons-lang3", "3.12.0"))),
            ("guava-31.1-jre", Some(("guava", "31.1-jre"))),
            ("log4j-1.2-api-2.17.1", Some(("log4j-1.2-api", "2.17.1"))),
            ("foo-bar-1.0-beta-2", Some(("foo-bar", "1.0-beta-2"))),
            ("bcprov-jdk18on-1.76", Some(("bcprov-jdk18on", "1.76"))),
            ("javax.inject-1", Some(("javax.inject", "1"))),
            ("jsr305-0.1~+svn49", Some(("jsr305", "0.1~+svn49"))),
            (
                "netty-all-4.1.100.Final",
                Some(("netty-all", "4.1.100.Final")),
            ),
            ("gettext", None),
            ("-1.0", None),
            ("app-", None),
        ];
        for (stem, want) in cases {
            assert_eq!(split_file_name(stem), want, "{stem}");
        }
    }

    fn war() -> Vec<u8> {
        let spring = jar_of("org.springframework", "spring-web", "5.3.26");
        let jackson = jar_of("com.fasterxml.jackson.core", "jackson-databind", "2.15.2");
        let name_only = build::zip(&[("x/Y.class", b"\xca\xfe")]);
        build::zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (
                "META-INF/maven/com.example/shop/pom.properties",
                &pom("com.example", "shop", "2.3.0"),
            ),
            ("WEB-INF/web.xml", b"<web-app/>"),
            ("WEB-INF/classes/com/example/Shop.class", b"\xca\xfe"),
            ("WEB-INF/lib/spring-web-5.3.26.jar", &spring),
            ("WEB-INF/lib/jackson-databind-2.15.2.jar", &jackson),
            ("WEB-INF/lib/legacy-util-0.9.jar", &name_only),
        ])
    }

    #[test]
    fn war_with_nested_jars_locates_them_inside() {
        let x = run("dist/shop.war", &war()).unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.example:shop@2.3.0 dist/shop.war:",
                "com.fasterxml.jackson.core:jackson-databind@2.15.2 dist/shop.war!/WEB-INF/lib/jackson-databind-2.15.2.jar:",
                "org.springframework:spring-web@5.3.26 dist/shop.war!/WEB-INF/lib/spring-web-5.3.26.jar:",
            ]
        );
        assert_eq!(
            unchecked_brief(&x),
            ["legacy-util@0.9 :0 version only from the file name"]
        );
        assert_eq!(
            x.not_checked[0].location.path,
            "dist/shop.war!/WEB-INF/lib/legacy-util-0.9.jar"
        );
        assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        insta::assert_json_snapshot!("java_archive_war", view(&x));
    }

    #[test]
    fn ear_with_war_with_jar_is_three_deep() {
        let ear = build::zip(&[
            ("META-INF/application.xml", b"<application/>"),
            ("shop.war", &war()),
            (
                "lib/commons-io-2.11.0.jar",
                &jar_of("commons-io", "commons-io", "2.11.0"),
            ),
        ]);
        let x = run("bank.ear", &ear).unwrap();
        let b = brief(&x);
        assert!(
            b.contains(
                &"commons-io:commons-io@2.11.0 bank.ear!/lib/commons-io-2.11.0.jar:".to_string()
            ),
            "{b:?}"
        );
        assert!(
            b.contains(&"com.example:shop@2.3.0 bank.ear!/shop.war:".to_string()),
            "{b:?}"
        );
        assert!(
            b.contains(&"org.springframework:spring-web@5.3.26 bank.ear!/shop.war!/WEB-INF/lib/spring-web-5.3.26.jar:".to_string()),
            "{b:?}"
        );
        assert_eq!(b.len(), 4, "{b:?}");
        // The EAR itself has no Maven metadata nor version.
        assert_eq!(
            unchecked_brief(&x),
            [
                "bank@ :0 no pom.properties, and no version in META-INF/MANIFEST.MF or in the file name",
                "legacy-util@0.9 :0 version only from the file name",
            ]
        );
    }

    #[test]
    fn spring_boot_jar_with_stored_nested_jars() {
        let boot = build::stored(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\nImplementation-Title: demo\nImplementation-Version: 0.0.1-SNAPSHOT\n"),
            ("META-INF/maven/com.example/demo/pom.properties", &pom("com.example", "demo", "0.0.1-SNAPSHOT")),
            ("BOOT-INF/lib/snakeyaml-1.33.jar", &jar_of("org.yaml", "snakeyaml", "1.33")),
        ]);
        let x = run("demo.jar", &boot).unwrap();
        assert_eq!(
            brief(&x),
            [
                "com.example:demo@0.0.1-SNAPSHOT demo.jar:",
                "org.yaml:snakeyaml@1.33 demo.jar!/BOOT-INF/lib/snakeyaml-1.33.jar:",
            ]
        );
    }

    #[test]
    fn corrupt_archives_are_errors_naming_them() {
        let err = run("lib/bad.jar", b"PK\x03\x04 this is not a zip").unwrap_err();
        assert!(matches!(err, ExtractError::Malformed { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("lib/bad.jar: not a valid Java archive"),
            "{err}"
        );
        // A corrupt nested JAR is a warning naming it; the rest is read.
        let war = build::zip(&[
            ("WEB-INF/lib/bad-1.0.jar", b"garbage"),
            (
                "WEB-INF/lib/good-1.0.jar",
                &jar_of("org.example", "good", "1.0"),
            ),
        ]);
        let x = run("app.war", &war).unwrap();
        assert_eq!(
            brief(&x),
            ["org.example:good@1.0 app.war!/WEB-INF/lib/good-1.0.jar:"]
        );
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert!(
            x.diagnostics[0]
                .to_string()
                .starts_with("app.war!/WEB-INF/lib/bad-1.0.jar: not a valid Java archive"),
            "{}",
            x.diagnostics[0]
        );
    }

    #[test]
    fn bad_pom_properties_are_warnings() {
        let jar = build::zip(&[
            (
                "META-INF/maven/g/a/pom.properties",
                b"groupId=has space\nartifactId=a\nversion=1\n",
            ),
            (
                "META-INF/maven/g/b/pom.properties",
                b"groupId=g\nartifactId=b\nversion=${project.version}\n",
            ),
        ]);
        let x = run("x.jar", &jar).unwrap();
        assert!(x.components.is_empty());
        assert_eq!(x.diagnostics.len(), 1);
        assert!(x.diagnostics[0]
            .to_string()
            .starts_with("x.jar!/META-INF/maven/g/a/pom.properties: skipped"));
        let nc = unchecked_brief(&x);
        assert!(nc.contains(&"g:b@${project.version} :0 META-INF/maven/g/b/pom.properties gives no usable version".to_string()), "{nc:?}");
    }

    #[test]
    fn survives_truncation_and_corruption() {
        let war = war();
        for cut in 0..war.len() {
            let _ = run("app.war", &war[..cut]);
        }
        for i in 0..war.len() {
            let mut bad = war.clone();
            bad[i] ^= 0xff;
            let _ = run("app.war", &bad);
        }
    }

    /// A jar holding one manifest, built around a real-world sample.
    fn manifest_sample(case: &str) -> Option<Extracted> {
        let dir = crate::extractors::testutil::samples("java/archive/testdata")?;
        let manifest = std::fs::read(dir.join(case).join("MANIFEST.MF")).unwrap();
        let jar = build::zip(&[("META-INF/MANIFEST.MF", &manifest)]);
        Some(run(&format!("{case}.jar"), &jar).unwrap())
    }

    #[test]
    fn real_world_manifests() {
        let cases = [
            // Attributes of a named section stand in for missing main ones.
            ("axis", "axis@1.4 1855 April 22 2006"),
            ("combine-manifest-filename", "org.apache.ivy@2.4.0"),
            ("invalid-ids", "invalid-ids@1.2.3"),
            ("known-group-id", "spring-web@5.3.26"),
            (
                "manifest-implementation-title",
                "org.elasticsearch#server@8.14.3",
            ),
            ("manifest-no-group-id", "manifest-no-group-id@1.2.3"),
            (
                "manifest-symbolicname",
                "com.google.guava.failureaccess@1.0.1",
            ),
        ];
        for (case, want) in cases {
            let Some(x) = manifest_sample(case) else {
                return;
            };
            assert!(x.components.is_empty(), "{case}");
            assert_eq!(x.not_checked.len(), 1, "{case}");
            let n = &x.not_checked[0];
            assert_eq!(format!("{}@{}", n.name, n.version), want, "{case}");
            assert!(
                n.reason.starts_with("group unknown"),
                "{case}: {}",
                n.reason
            );
        }
        let x = manifest_sample("combine-manifest-filename").unwrap();
        assert!(x.not_checked[0]
            .reason
            .contains("`org.apache` may be the group"));
        // A file that is not a zip.
        let dir = crate::extractors::testutil::samples("java/archive/testdata").unwrap();
        let json = std::fs::read(dir.join("not_jar")).unwrap();
        let err = run("not_jar.jar", &json).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("not_jar.jar: not a valid Java archive"),
            "{err}"
        );
    }

    /// Debian's JARs (`libcommons-io-java`, `libguava-java`), when
    /// installed.
    #[test]
    fn debian_jars_when_present() {
        let cases = [
            ("commons-io.jar", "commons-io:commons-io@2."),
            ("guava.jar", "com.google.guava:guava@"),
        ];
        for (file, want) in cases {
            let Ok(bytes) = std::fs::read(Path::new("/usr/share/java").join(file)) else {
                continue;
            };
            let x = run(file, &bytes).unwrap();
            let b = brief(&x);
            assert_eq!(b.len(), 1, "{b:?}");
            assert!(
                b[0].starts_with(want) && b[0].ends_with(&format!(" {file}:")),
                "{b:?}"
            );
            assert!(x.not_checked.is_empty(), "{:?}", x.not_checked);
            assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
        }
    }
}
