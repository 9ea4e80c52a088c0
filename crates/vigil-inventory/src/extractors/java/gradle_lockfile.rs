//! `gradle.lockfile`: the dependency lock state of Gradle.
//!
//! ## Detects
//! Files named `gradle.lockfile` (one per project since Gradle 6) and
//! `buildscript-gradle.lockfile` (the build script's classpath). Each line
//! is `group:artifact:version=configuration1,configuration2`; `#` comments,
//! blank lines and the `empty=...` line (configurations that resolve to
//! nothing) are skipped.
//!
//! ## Ecosystem
//! Maven. Each locked module is a component named `group:artifact`, at its
//! version as written, located at its line. `dev` is true when every
//! configuration that locks it is a test configuration (its name starts
//! with `test`, such as `testCompileClasspath` and `testRuntimeClasspath`),
//! false otherwise.
//!
//! ## Limitations
//! - `direct` is unknown and `dependencies` are empty: the lockfile is a
//!   flat list of everything resolved, without the build's graph.
//! - The per-configuration lockfiles of Gradle 4.8 to 5
//!   (`gradle/dependency-locks/<configuration>.lockfile`) are not read.
//! - A line that is not `group:artifact:version=...` (someone's edit, a
//!   merge conflict marker) is skipped with a warning.
//!
//! ## References
//! - <https://docs.gradle.org/current/userguide/dependency_locking.html>

use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `gradle.lockfile` and `buildscript-gradle.lockfile`.
#[derive(Debug, Clone, Copy)]
pub struct GradleLockfile;

/// Warnings about skipped lines, at most (the rest are counted).
const MAX_WARNINGS: usize = 20;

impl Extractor for GradleLockfile {
    fn name(&self) -> &'static str {
        "java/gradle-lockfile"
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(
            crate::file_name(path),
            "gradle.lockfile" | "buildscript-gradle.lockfile"
        )
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut out = Extracted::default();
        let mut skipped = 0usize;
        for (idx, raw) in input.contents.lines().enumerate() {
            let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
                continue;
            }
            match parse_line(line) {
                Some(entry) => {
                    let dev = !entry.configurations.is_empty()
                        && entry.configurations.iter().all(|c| is_test(c));
                    out.components.push(
                        Component::new(
                            Ecosystem::Maven,
                            format!("{}:{}", entry.group, entry.artifact),
                            entry.version,
                        )
                        .at(input.rel_path, Some(line_no))
                        .dev(Some(dev)),
                    );
                }
                None => {
                    skipped += 1;
                    if skipped <= MAX_WARNINGS {
                        out.diagnostics.push(Diagnostic::warning(
                            input.rel_path,
                            Some(line_no),
                            "skipped a line that is not `group:artifact:version=configurations`",
                        ));
                    }
                }
            }
        }
        if skipped > MAX_WARNINGS {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("skipped {} more such lines", skipped - MAX_WARNINGS),
            ));
        }
        Ok(out)
    }
}

struct Entry<'a> {
    group: &'a str,
    artifact: &'a str,
    version: &'a str,
    configurations: Vec<&'a str>,
}

/// `group:artifact:version=conf1,conf2`, or `None` when the line is not so.
fn parse_line(line: &str) -> Option<Entry<'_>> {
    let (coords, confs) = line.split_once('=')?;
    let mut parts = coords.split(':');
    let (group, artifact, version) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
    if parts.next().is_some() || !valid(group) || !valid(artifact) || !valid(version) {
        return None;
    }
    let configurations = confs
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    Some(Entry {
        group,
        artifact,
        version,
        configurations,
    })
}

/// Whether a configuration is for tests only (`testCompileClasspath`,
/// `testRuntimeClasspath`, `testFixturesRuntimeClasspath`...).
fn is_test(configuration: &str) -> bool {
    configuration.starts_with("test")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, line, one, samples, survives_truncation, view,
    };

    const SUB: &str = "java/gradle_lockfile";

    fn read(rel: &str) -> Extracted {
        fixture(&GradleLockfile, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_lockfile_names() {
        assert!(GradleLockfile.matches(Path::new("gradle.lockfile")));
        assert!(GradleLockfile.matches(Path::new("app/buildscript-gradle.lockfile")));
        assert!(!GradleLockfile.matches(Path::new("build.gradle")));
        assert!(!GradleLockfile.matches(Path::new("gradle.lockfile.bak")));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/gradle.lockfile");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_lines_are_warned_and_skipped() {
        let x = read("malformed/gradle.lockfile");
        assert_eq!(
            brief(&x),
            ["com.google.guava:guava@33.0.0-jre malformed/gradle.lockfile:7"]
        );
        let d: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            d,
            [
                "malformed/gradle.lockfile:4: skipped a line that is not `group:artifact:version=configurations`",
                "malformed/gradle.lockfile:5: skipped a line that is not `group:artifact:version=configurations`",
                "malformed/gradle.lockfile:6: skipped a line that is not `group:artifact:version=configurations`",
                "malformed/gradle.lockfile:8: skipped a line that is not `group:artifact:version=configurations`",
            ]
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/gradle.lockfile");
        assert_eq!(
            brief(&x),
            ["org.slf4j:slf4j-api@2.0.12 one-package/gradle.lockfile:4"]
        );
        let c = one(&x, "org.slf4j:slf4j-api", "2.0.12");
        assert_eq!(c.purl, "pkg:maven/org.slf4j/slf4j-api@2.0.12");
        assert_eq!((c.direct, c.dev), (None, Some(false)));
    }

    #[test]
    fn test_configurations_are_dev() {
        let x = read("realistic/gradle.lockfile");
        let dev: Vec<String> = {
            let mut v: Vec<String> = x
                .components
                .iter()
                .filter(|c| c.dev == Some(true))
                .map(|c| c.name.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            dev,
            [
                "net.bytebuddy:byte-buddy",
                "org.junit.jupiter:junit-jupiter-api",
                "org.mockito:mockito-core"
            ]
        );
        assert_eq!(
            line(one(
                &x,
                "com.fasterxml.jackson.core:jackson-databind",
                "2.16.1"
            )),
            Some(6)
        );
        insta::assert_json_snapshot!("gradle_lockfile_realistic", view(&x));
    }

    #[test]
    fn buildscript_lockfile() {
        let x = read("buildscript/buildscript-gradle.lockfile");
        assert_eq!(
            brief(&x),
            ["com.diffplug.spotless:spotless-plugin-gradle@6.25.0 buildscript/buildscript-gradle.lockfile:4"]
        );
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&GradleLockfile, SUB, "realistic/gradle.lockfile");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("java/gradlelockfile/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&GradleLockfile, &dir, f).unwrap();
        let x = run("5-pkg");
        assert_eq!(x.components.len(), 5);
        assert_eq!(
            line(one(
                &x,
                "org.springframework.boot:spring-boot-autoconfigure",
                "2.7.4"
            )),
            Some(5)
        );
        assert_eq!(
            line(one(
                &x,
                "org.springframework.boot:spring-boot-starter-data-jpa",
                "2.7.8"
            )),
            Some(9)
        );
        assert!(x.diagnostics.is_empty());
        assert_eq!(
            brief(&run("one-pkg")),
            ["org.springframework.security:spring-security-crypto@5.7.3 one-pkg:4"]
        );
        assert!(run("only-comments").components.is_empty());
        assert!(run("only-empty").components.is_empty());
        let x = run("with-bad-pkg");
        assert_eq!(
            brief(&x),
            [
                "org.springframework.boot:spring-boot-autoconfigure@2.7.4 with-bad-pkg:7",
                "org.springframework.boot:spring-boot-configuration-processor@2.7.5 with-bad-pkg:14",
            ]
        );
        // `>>>`, `////`, `a`, `b`: `empty=======` is an `empty=` line.
        assert_eq!(x.diagnostics.len(), 4);
    }
}
