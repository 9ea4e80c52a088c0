//! `renv.lock`: the lockfile of renv, R's project environments.
//!
//! ## Detects
//! Files named `renv.lock`: a JSON object with the `R` version and
//! repositories and a `Packages` map from name to record (`Package`,
//! `Version`, `Source`, `Repository`, `Hash`, `Requirements`, and the
//! `Remote*` fields of packages installed from elsewhere).
//!
//! ## Ecosystem
//! CRAN. Each package installed from CRAN is a component: its `Package`
//! and `Version` as written, located at the line of its key in `Packages`,
//! with as `dependencies` the names of its `Requirements` that the
//! lockfile also lists (base packages such as `tools` are not in it).
//! A package is from CRAN when its `Repository` is `CRAN`, or names an
//! entry of `R.Repositories` whose URL is a CRAN mirror
//! (`cloud.r-project.org`, a `cran.` host, or a `/cran/` path as Posit
//! Package Manager serves), or when its `Source` is `CRAN` (older renv
//! versions wrote that).
//!
//! Packages from Bioconductor, from git hosts (`GitHub`, `GitLab`,
//! `Bitbucket`, `git`), local folders, URLs, other repositories, and
//! records that say nothing of their origin are "not checked" entries.
//!
//! ## Limitations
//! - `direct` and `dev` are unknown: the lockfile does not say which
//!   packages the project loads itself.
//! - `Hash` is not recorded: renv computes it from the package's
//!   `DESCRIPTION` fields, so it is not a content hash of a released
//!   archive that an SBOM could check.
//! - Bioconductor has an OSV ecosystem, but vigil does not read it yet.
//!
//! ## References
//! - <https://rstudio.github.io/renv/articles/lockfile.html>
//! - <https://rstudio.github.io/renv/reference/lockfiles.html>
//! - <https://ossf.github.io/osv-schema/#affectedpackage-field> (CRAN)

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use vigil_model::{Component, Ecosystem, Location, NotChecked};

use crate::extractors::json_lines::{json_line, json_message, value_lines, Seg};
use crate::{ExtractError, Extracted, Extractor, FileInput};

/// Reads `renv.lock`.
#[derive(Debug, Clone, Copy)]
pub struct RenvLock;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "R")]
    r: Option<RSection>,
    #[serde(default, rename = "Packages")]
    packages: BTreeMap<String, Package>,
}

#[derive(Deserialize)]
struct RSection {
    #[serde(default, rename = "Repositories")]
    repositories: Vec<Repository>,
}

#[derive(Deserialize)]
struct Repository {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "URL")]
    url: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(rename = "Package")]
    package: Option<String>,
    #[serde(rename = "Version")]
    version: Option<String>,
    #[serde(rename = "Source")]
    source: Option<String>,
    #[serde(rename = "Repository")]
    repository: Option<String>,
    #[serde(default, rename = "Requirements")]
    requirements: Vec<String>,
}

/// Whether a repository URL is a CRAN mirror.
fn is_cran_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    host == "cloud.r-project.org"
        || host.starts_with("cran.")
        || path.split('/').any(|seg| seg.eq_ignore_ascii_case("cran"))
}

impl Extractor for RenvLock {
    fn name(&self) -> &'static str {
        "r/renv-lock"
    }

    fn matches(&self, path: &Path) -> bool {
        crate::file_name(path) == "renv.lock"
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let lock: Lockfile = serde_json::from_str(input.contents).map_err(|e| {
            input.malformed(
                json_line(&e),
                format!("not a valid renv.lock: {}", json_message(&e)),
            )
        })?;
        let mut out = Extracted::default();
        let lines = value_lines(input.contents, |p| {
            p.len() == 2 && matches!(&p[0], Seg::Key(k) if k == "Packages")
        });
        let cran_names: HashSet<String> = lock
            .r
            .iter()
            .flat_map(|r| r.repositories.iter())
            .filter(|r| r.url.as_deref().is_some_and(is_cran_url))
            .filter_map(|r| r.name.clone())
            .chain(std::iter::once("CRAN".to_string()))
            .collect();
        let listed: HashSet<&str> = lock.packages.keys().map(String::as_str).collect();

        for (key, p) in &lock.packages {
            let line = lines
                .get(&[Seg::Key("Packages".to_string()), Seg::Key(key.clone())][..])
                .copied();
            let name = p.package.clone().unwrap_or_else(|| key.clone());
            let version = p.version.clone().unwrap_or_default();
            let source = p.source.as_deref().unwrap_or("");
            let repository = p.repository.as_deref();
            let from_cran = source.eq_ignore_ascii_case("CRAN")
                || (matches!(source, "" | "Repository")
                    && repository.is_some_and(|r| cran_names.contains(r)));
            let reason = if version.is_empty() {
                Some("no version".to_string())
            } else if from_cran {
                None
            } else {
                Some(match (source, repository) {
                    ("Bioconductor", _) => {
                        "installed from Bioconductor, not a CRAN release".to_string()
                    }
                    ("" | "Repository", Some(r)) => {
                        format!("installed from the repository `{r}`, which is not CRAN")
                    }
                    ("", None) | ("Repository", None) => {
                        "the lockfile does not say where it comes from".to_string()
                    }
                    (s, _) => format!("installed from {s}, not a CRAN release"),
                })
            };
            if let Some(reason) = reason {
                out.not_checked.push(NotChecked {
                    ecosystem: Ecosystem::Cran,
                    name,
                    version,
                    location: Location::new(input.rel_path, line),
                    reason,
                });
                continue;
            }
            let mut dependencies: Vec<&str> = p
                .requirements
                .iter()
                .map(String::as_str)
                .filter(|r| listed.contains(r))
                .collect();
            dependencies.sort_unstable();
            dependencies.dedup();
            out.components.push(
                Component::new(Ecosystem::Cran, name, version)
                    .at(input.rel_path, line)
                    .depends_on(dependencies),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        assert_malformed, brief, extract_in, fixture, line, one, samples, survives_truncation,
        unchecked_brief, view,
    };

    const SUB: &str = "r/renv_lock";

    fn read(rel: &str) -> Extracted {
        fixture(&RenvLock, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn matches_only_renv_lock() {
        assert!(RenvLock.matches(Path::new("renv.lock")));
        assert!(RenvLock.matches(Path::new("analysis/renv.lock")));
        assert!(!RenvLock.matches(Path::new("renv/activate.R")));
        assert!(!RenvLock.matches(Path::new("renv.lock.bak")));
    }

    #[test]
    fn cran_mirrors() {
        assert!(is_cran_url("https://cloud.r-project.org"));
        assert!(is_cran_url("https://cran.rstudio.com/"));
        assert!(is_cran_url("https://packagemanager.posit.co/cran/latest"));
        assert!(!is_cran_url("https://bioconductor.org/packages/3.18/bioc"));
        assert!(!is_cran_url("https://r.example.com/internal"));
    }

    #[test]
    fn empty_lockfile() {
        let x = read("empty/renv.lock");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn malformed_names_file_and_line() {
        assert_malformed(
            &RenvLock,
            SUB,
            "malformed/renv.lock",
            Some(9),
            "not a valid renv.lock: expected",
        );
    }

    #[test]
    fn one_package() {
        let x = read("one-package/renv.lock");
        assert_eq!(brief(&x), ["jsonlite@1.8.8 one-package/renv.lock:12"]);
        let c = one(&x, "jsonlite", "1.8.8");
        assert_eq!(c.purl, "pkg:cran/jsonlite@1.8.8");
        assert!(c.dependencies.is_empty() && c.hashes.is_empty());
        assert_eq!((c.direct, c.dev), (None, None));
    }

    #[test]
    fn mixed_sources() {
        let x = read("mixed/renv.lock");
        assert_eq!(
            brief(&x),
            [
                "BiocManager@1.30.22 mixed/renv.lock:19",
                "R6@2.5.1 mixed/renv.lock:41",
                "cli@3.6.2 mixed/renv.lock:51",
                "dplyr@1.1.4 mixed/renv.lock:62",
                "glue@1.7.0 mixed/renv.lock:85",
                "rlang@1.1.3 mixed/renv.lock:110",
            ]
        );
        assert_eq!(
            one(&x, "dplyr", "1.1.4").dependencies,
            ["R6", "cli", "glue", "rlang"]
        );
        assert_eq!(
            unchecked_brief(&x),
            [
                "BiocGenerics@0.48.1 :25 installed from Bioconductor, not a CRAN release",
                "internalpkg@0.2.0 :95 installed from the repository `Internal`, which is not CRAN",
                "mylocal@0.0.1 :102 installed from Local, not a CRAN release",
                "tidyr@1.3.1.9000 :121 installed from GitHub, not a CRAN release",
            ]
        );
        insta::assert_json_snapshot!("renv_lock_mixed", view(&x));
    }

    #[test]
    fn never_panics_on_cut_files() {
        survives_truncation(&RenvLock, SUB, "mixed/renv.lock");
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("r/renvlock/testdata") else {
            return;
        };
        let run = |f: &str| extract_in(&RenvLock, &dir, f);
        assert!(run("empty.lock").unwrap().components.is_empty());
        let x = run("one-package.lock").unwrap();
        assert_eq!(brief(&x), ["morning@0.1.0 one-package.lock:7"]);
        // Requirements not in the lockfile are not dependencies.
        assert!(x.components[0].dependencies.is_empty());
        let x = run("two-packages.lock").unwrap();
        assert_eq!(
            brief(&x),
            [
                "markdown@1.0 two-packages.lock:12",
                "mime@0.7 two-packages.lock:19"
            ]
        );
        let x = run("with-mixed-sources.lock").unwrap();
        assert_eq!(brief(&x), ["markdown@1.0 with-mixed-sources.lock:12"]);
        assert_eq!(
            unchecked_brief(&x),
            ["mime@0.12.1 :19 installed from GitHub, not a CRAN release"]
        );
        let x = run("with-bioconductor.lock").unwrap();
        assert_eq!(brief(&x), ["BH@1.75.0-0 with-bioconductor.lock:15"]);
        assert_eq!(line(&x.components[0]), Some(15));
        assert_eq!(
            unchecked_brief(&x),
            ["BSgenome@1.60.0 :22 installed from Bioconductor, not a CRAN release"]
        );
        let x = run("without-repository.lock").unwrap();
        assert!(x.components.is_empty());
        assert_eq!(
            unchecked_brief(&x),
            ["morning@0.1.0 :7 the lockfile does not say where it comes from"]
        );
        let err = run("not-json.txt").unwrap_err();
        assert_eq!((err.path(), err.line()), ("not-json.txt", Some(1)));
    }
}
