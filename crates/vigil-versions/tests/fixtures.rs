//! Every comparison in the shared version-ordering fixtures.
//!
//! Each line of a fixture file is `A <op> B` with op `<`, `>` or `=`; blank
//! lines and lines starting with `# ` or `// ` are skipped. The file name
//! tells the ecosystem (see the shared data README).
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use std::cmp::Ordering;
use std::path::PathBuf;

use vigil_versions::Scheme;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/version-fixtures")
}

/// Fixture lines that no total order can satisfy: `(file, line, why)`.
///
/// They are skipped, and each must still be present in its file so that a
/// stale entry is noticed.
const IMPOSSIBLE: &[(&str, &str, &str)] = &[
    (
        "packagist-versions.txt",
        "1.2.3.# = 1.2.3.1",
        "the same file wants `1.2.3.# = 1.2.3`, and `1.2.3 < 1.2.3.1` \
     (a longer version whose next part is a number is newer); equal \
     versions cannot order differently against a third, so osv-scalibr's \
     intransitive `#` rule cannot be kept (see schemes/packagist.rs)",
    ),
    (
        "maven-versions-generated.txt",
        "2.9.0-1 < 2.9.0.RC1",
        "with lines 5774-5775 (`2.9.0.RC3 < 2.9.0 < 2.9.0-1`) it forces \
         `2.9.0.RC3 < 2.9.0.RC1`. Maven itself \
         answers `>`: the generator sorted with Maven 3.8.6's intransitive \
         comparator and wrote `<` for every adjacent pair (upstream comments \
         out 13 other such lines); see schemes/maven.rs",
    ),
    (
        "maven-versions-generated.txt",
        "1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3",
        "with the lines around 2780-2790 it forces `1.0.0.RC8-beta < \
         1.0.0.RC7-3`; Maven itself answers `>` (same generator artefact)",
    ),
    (
        "maven-versions-generated.txt",
        "1.1.0-01-glassfish < 1.1.0.Beta1",
        "a total order following the rules of every other line has \
         `1.1.0.Beta1 < 1.1.0 < 1.1.0-01-glassfish` (a pre-release before its \
         release, a `-1` after it); Maven itself answers `>` (same generator \
         artefact)",
    ),
];

/// Checks every line of one fixture file and reports all failures at once.
fn check(file: &str, scheme: Scheme) {
    let path = fixtures_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let impossible: Vec<&str> = IMPOSSIBLE
        .iter()
        .filter(|(f, _, _)| *f == file)
        .map(|(_, line, _)| *line)
        .collect();
    for known in &impossible {
        assert!(
            text.lines().any(|l| l.trim() == *known),
            "{file}: the known-impossible line `{known}` is gone; remove it from IMPOSSIBLE"
        );
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
            continue;
        }
        if impossible.contains(&line) {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        let (a, op, b) = match parts.as_slice() {
            [a, op, b] => (*a, *op, *b),
            _ => panic!("{file}:{}: cannot read `{line}`", n + 1),
        };
        let want = match op {
            "<" => Ordering::Less,
            ">" => Ordering::Greater,
            "=" => Ordering::Equal,
            other => panic!("{file}:{}: unknown operator `{other}`", n + 1),
        };
        checked += 1;
        match scheme.compare(a, b) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{file}:{}: {a} {op} {b}, got {got:?}", n + 1)),
            Err(e) => failures.push(format!("{file}:{}: {a} {op} {b}: {e}", n + 1)),
        }
        // Every comparison must also hold the other way round.
        if let Ok(got) = scheme.compare(b, a) {
            if got != want.reverse() {
                failures.push(format!("{file}:{}: {b} vs {a} is not the reverse", n + 1));
            }
        }
    }
    assert!(checked > 0, "{file}: no comparisons read");
    assert!(
        failures.is_empty(),
        "{} of {checked} comparisons in {file} failed ({scheme}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! fixture_tests {
    ($($test:ident: $file:literal => $scheme:expr;)*) => {
        $(
            #[test]
            fn $test() {
                check($file, $scheme);
            }
        )*
    };
}

fixture_tests! {
    alpine: "alpine-versions.txt" => Scheme::Apk;
    alpine_generated: "alpine-versions-generated.txt" => Scheme::Apk;
    cran: "cran-versions.txt" => Scheme::Cran;
    cran_generated: "cran-versions-generated.txt" => Scheme::Cran;
    debian: "debian-versions.txt" => Scheme::Dpkg;
    debian_generated: "debian-versions-generated.txt" => Scheme::Dpkg;
    hackage: "hackage-versions.txt" => Scheme::Hackage;
    maven: "maven-versions.txt" => Scheme::Maven;
    maven_generated: "maven-versions-generated.txt" => Scheme::Maven;
    nuget: "nuget-versions.txt" => Scheme::NuGet;
    packagist: "packagist-versions.txt" => Scheme::Packagist;
    packagist_generated: "packagist-versions-generated.txt" => Scheme::Packagist;
    pub_dart: "pub-versions.txt" => Scheme::Pub;
    pypi: "pypi-versions.txt" => Scheme::Pep440;
    pypi_generated: "pypi-versions-generated.txt" => Scheme::Pep440;
    redhat: "redhat-versions.txt" => Scheme::Rpm;
    rubygems: "rubygems-versions.txt" => Scheme::RubyGems;
    rubygems_generated: "rubygems-versions-generated.txt" => Scheme::RubyGems;
    semver_npm: "semver-versions.txt" => Scheme::Semver;
    semver_go: "semver-versions.txt" => Scheme::Go;
}
